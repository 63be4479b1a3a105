#include "gateway/realtime/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "adapters/app/app_adapter.h"
#include "adapters/web/web_adapter.h"
#include "gateway/realtime/presence_tracker.h"
#include "gateway/realtime/visitor_view.h"
#include "gateway/replies.h"
#include "gateway/logging.h"
#include "schema/json.h"

namespace omnigate::gateway::realtime {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

constexpr int kReplayLimit = 500;  // messages per store read when resuming or filling a gap

std::string frame(const Json::Value& v) { return schema::write_json(v); }

Json::Value error_frame(const std::string& code, const std::string& message) {
  Json::Value e(Json::objectValue);
  e["type"] = "error";
  e["code"] = code;
  e["message"] = message;
  return e;
}

// Query string of a request target, decoded enough for our parameters
// (tokens and keys are URL-safe base64).
std::map<std::string, std::string> query_of(std::string_view target) {
  std::map<std::string, std::string> out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos) out[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

}  // namespace

// One WebSocket connection, visitor or agent. Every member is touched only
// on the session's strand; other threads reach it through push() and
// net::post.
class Session : public Subscriber, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server);
  void run();
  ~Session() override;
  void push(const schema::Message& message) override;
  void push_signal(const Json::Value& frame) override;
  // Visitors read what they missed of each followed conversation from the
  // store (as a gap fill); agents get {"type":"resync"} and read again.
  void catch_up() override;
  // From any thread: close with a close frame.
  void close_async(websocket::close_code code);

 private:
  enum class Role { visitor, agent };
  void on_request(beast::error_code ec);
  void reject(http::status status, const std::string& code, const std::string& message);
  void accept();
  void read();
  void on_read(beast::error_code ec);
  void handle(const Json::Value& msg);
  void hello(const Json::Value& msg);
  void agent_frame(const std::string& type, const Json::Value& msg);
  void replay(std::vector<std::int64_t> conversations, std::map<std::int64_t, std::int64_t> after);
  void send_visitor(const Json::Value& msg);
  void deliver_ordered(const schema::Message& m);
  void fill_gap(std::int64_t conversation);
  void send(std::string text);
  void write_next();
  void fail(const std::string& code, const std::string& message);
  void close(websocket::close_code code);
  template <class F>
  void blocking(F&& f);

  Server::Impl& server_;
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::list<std::string> queue_;  // not std::deque: libstdc++'s allocates 576 bytes even when empty
  bool writing_ = false;
  bool closing_ = false;
  Role role_ = Role::visitor;
  std::string origin_;
  std::string remote_ip_;

  std::optional<schema::Agent> agent_;  // agent sessions
  bool presence_counted_ = false;       // told the presence tracker this socket is open

  // Visitor state.
  std::optional<schema::Channel> channel_;
  adapters::Visitor visitor_;
  bool greeted_ = false;
  bool replaying_ = false;
  std::vector<schema::Message> held_;  // live events that arrive during replay or a gap fill
  std::unordered_map<std::int64_t, std::int64_t> last_seq_;  // per conversation, last seq sent
  std::set<std::int64_t> filling_;
};

struct Server::Impl {
  ServerOptions options;
  Services& services;
  Hub& hub;
  // Before ioc: sessions that ioc still holds report to it as they die.
  store::PresenceStore presence_store;
  PresenceTracker presence;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::thread_pool blocking;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::weak_ptr<Session>> sessions;
  std::atomic<size_t> live{0};
  std::atomic<bool> stopping{false};

  Impl(ServerOptions o, Services& s, Hub& h)
      : options(std::move(o)),
        services(s),
        hub(h),
        presence_store(s.pool, std::chrono::seconds(3 * options.presence_heartbeat_s)),
        presence(presence_store, {std::chrono::milliseconds(options.presence_grace_ms),
                                  std::chrono::seconds(options.presence_heartbeat_s)}),
        blocking(static_cast<size_t>(std::max(1, options.blocking_threads))) {}

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (!stopping) spdlog::warn("event=realtime.accept_failed error={}", q(ec.message()));
        if (ec == net::error::operation_aborted || stopping) return;
      } else {
        // Frames are small and each one is a message someone waits for: with
        // Nagle on, a push queued behind an unacknowledged frame waits for
        // the peer's delayed ACK (measured: 11-18 ms added to a webhook ->
        // agent push at 200 msg/s; 0.05 ms with it off).
        beast::error_code nd;
        socket.set_option(tcp::no_delay(true), nd);
        auto s = std::make_shared<Session>(std::move(socket), *this);
        {
          std::lock_guard lk(mu);
          // Prune closed sessions now and then so the list stays small.
          if (sessions.size() > 1024 && sessions.size() % 1024 == 0)
            std::erase_if(sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
          sessions.push_back(s);
        }
        s->run();
      }
      do_accept();
    });
  }
};

Session::Session(tcp::socket socket, Server::Impl& server)
    : server_(server), ws_(std::move(socket)) {
  beast::error_code ec;
  auto ep = ws_.next_layer().remote_endpoint(ec);
  if (!ec) remote_ip_ = ep.address().to_string();
  ++server_.live;
}

Session::~Session() {
  std::vector<std::int64_t> followed;
  for (const auto& [conversation, _] : last_seq_) followed.push_back(conversation);
  if (!followed.empty()) server_.hub.prune(followed);
  if (presence_counted_) server_.presence.disconnected(agent_->id);
  --server_.live;
}

void Session::close_async(websocket::close_code code) {
  net::post(ws_.get_executor(), [self = shared_from_this(), code] { self->close(code); });
}

template <class F>
void Session::blocking(F&& f) {
  net::post(server_.blocking, [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(self); });
}

void Session::run() {
  parser_.emplace();
  parser_->header_limit(8 * 1024);
  http::async_read(ws_.next_layer(), buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
}

void Session::reject(http::status status, const std::string& code, const std::string& message) {
  auto res = std::make_shared<http::response<http::string_body>>(status, 11);
  res->set(http::field::content_type, "application/json");
  Json::Value body(Json::objectValue);
  body["error"]["code"] = code;
  body["error"]["message"] = message;
  res->body() = frame(body);
  res->prepare_payload();
  res->keep_alive(false);
  http::async_write(ws_.next_layer(), *res, [self = shared_from_this(), res](beast::error_code, size_t) {
    beast::error_code ignored;
    self->ws_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  });
}

void Session::on_request(beast::error_code ec) {
  if (ec) return;
  auto& req = parser_->get();
  if (!websocket::is_upgrade(req)) return reject(http::status::bad_request, "bad_request", "expected a WebSocket upgrade");
  std::string target(req.target());
  std::string path = target.substr(0, target.find('?'));
  auto query = query_of(target);
  origin_ = std::string(req[http::field::origin]);
  visitor_.user_agent = std::string(req[http::field::user_agent]);
  visitor_.ip = remote_ip_;

  if (path == "/v1/ws/agent") {
    role_ = Role::agent;
    std::string token = query["token"];
    blocking([token](std::shared_ptr<Session> self) {
      std::optional<schema::Agent> agent;
      try {
        if (!token.empty()) agent = self->server_.services.agents.agent_for_token(token);
      } catch (const std::exception& e) {
        spdlog::warn("event=realtime.auth_failed error={}", q(e.what()));
      }
      net::post(self->ws_.get_executor(), [self, agent] {
        if (!agent) return self->reject(http::status::unauthorized, "unauthorized", "token is invalid, expired or revoked");
        self->agent_ = agent;
        self->accept();
        // The agent's teams as they are now; ConversationFeed updates them.
        self->server_.hub.add_agent(self, workbench::viewer_of(*agent));
        self->server_.presence.connected(agent->id);
        self->presence_counted_ = true;
      });
    });
    return;
  }
  if (path != "/v1/ws/visitor") return reject(http::status::not_found, "not_found", "no such endpoint");
  role_ = Role::visitor;
  std::string key = query["channel"];
  if (key.empty()) return accept();  // the channel comes with hello
  // With the key in the URL a wrong origin is refused before the upgrade.
  blocking([key](std::shared_ptr<Session> self) {
    std::optional<schema::Channel> ch;
    try {
      ch = self->server_.services.channels.find_by_public_key(key);
    } catch (const std::exception& e) {
      spdlog::warn("event=realtime.channel_lookup_failed error={}", q(e.what()));
    }
    net::post(self->ws_.get_executor(), [self, ch] {
      if (!ch || !ch->enabled) return self->reject(http::status::not_found, "unknown_channel", "no enabled channel has this key");
      if (!adapters::web::origin_allowed(*ch, self->origin_))
        return self->reject(http::status::forbidden, "origin_not_allowed", "this site may not use the channel");
      self->channel_ = ch;
      self->accept();
    });
  });
}

void Session::accept() {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(10);
  t.idle_timeout = std::chrono::seconds(server_.options.idle_timeout_s);
  t.keep_alive_pings = true;
  ws_.set_option(t);
  // Over-limit messages are read whole and then answered with a 1008 close:
  // stopping mid-frame would leave unread bytes, and closing a socket with
  // unread bytes resets it, so the peer would never see the close frame.
  // Far beyond the limit, Beast's own cap closes with 1009 (too big).
  ws_.read_message_max(server_.options.max_message_bytes * 16);
  ws_.auto_fragment(false);
  ws_.async_accept(parser_->release(), [self = shared_from_this()](beast::error_code ec) {
    self->parser_.reset();
    if (ec) return;
    self->buffer_.clear();
    self->buffer_.shrink_to_fit();
    self->read();
  });
}

void Session::read() {
  // Wait for a message in a read_some capped at 256 bytes: Beast's read op
  // prepares its whole read-size hint (1536 bytes) in buffer_ before any
  // byte arrives, so a plain async_read would undo shrink_to_fit on every
  // idle socket. A longer message is finished by async_read, which appends
  // the rest to buffer_.
  ws_.async_read_some(buffer_, 256, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec || self->ws_.is_message_done()) return self->on_read(ec);
    self->ws_.async_read(self->buffer_, [self](beast::error_code ec2, size_t) { self->on_read(ec2); });
  });
}

void Session::on_read(beast::error_code ec) {
  if (!ec && buffer_.size() > server_.options.max_message_bytes) {
    spdlog::info("event=realtime.oversize_frame remote={} bytes={} limit={}", remote_ip_, buffer_.size(),
                 server_.options.max_message_bytes);
    buffer_.clear();
    buffer_.shrink_to_fit();
    return close(websocket::close_code::policy_error);
  }
  if (ec) {
    spdlog::debug("event=realtime.read_ended remote={} reason={} category={} value={}", remote_ip_, q(ec.message()), ec.category().name(), ec.value());
    return;  // closed, timed out or reset: the session ends here
  }
  if (!ws_.got_text()) {
    buffer_.clear();
    fail("bad_frame", "frames are JSON text");
    return read();
  }
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.clear();
  buffer_.shrink_to_fit();  // idle connections keep no read memory
  try {
    Json::Value msg = schema::parse_json(text);
    if (!msg.isObject() || !msg["type"].isString()) throw schema::InvalidJson("a frame is an object with a \"type\"");
    handle(msg);
  } catch (const schema::InvalidJson& e) {
    fail("bad_frame", e.what());
  } catch (const adapters::AdapterError& e) {
    Json::Value err = error_frame(e.code(), e.what());
    // So the client can mark that message failed at once.
    Json::Value parsed;
    try {
      parsed = schema::parse_json(text);
    } catch (const schema::InvalidJson&) {
    }
    if (parsed.isObject() && parsed["client_msg_id"].isString()) err["client_msg_id"] = parsed["client_msg_id"];
    send(frame(err));
  }
  if (!closing_) read();
}

void Session::fail(const std::string& code, const std::string& message) { send(frame(error_frame(code, message))); }

void Session::handle(const Json::Value& msg) {
  const std::string type = msg["type"].asString();
  if (role_ == Role::agent) return agent_frame(type, msg);
  if (type == "hello") return hello(msg);
  if (!greeted_) return fail("hello_first", "send hello first");
  if (type == "send") {
    schema::Message m = adapters::message_from_send(*channel_, visitor_, msg);
    std::string client_msg_id = msg["client_msg_id"].asString();
    std::weak_ptr<Session> weak = shared_from_this();
    server_.services.group_commit.submit(
        {std::move(m)}, [weak, client_msg_id](std::vector<store::StoredMessage>* stored, std::exception_ptr error) {
          auto self = weak.lock();
          if (!self) return;
          if (error || !stored || stored->empty()) {
            net::post(self->ws_.get_executor(), [self, client_msg_id] {
              Json::Value e = error_frame("store_unavailable", "the message was not stored; send it again");
              e["client_msg_id"] = client_msg_id;
              self->send(frame(e));
            });
            return;
          }
          const schema::Message& saved = stored->front().message;
          if (saved.seq == 1 && !stored->front().duplicate) {
            // A new visitor's contact was just created: give it what hello told.
            net::post(self->server_.blocking, [self] {
              try {
                self->server_.services.contacts.merge_attributes(self->channel_->id, self->visitor_.id,
                                                                 adapters::visitor_attributes(self->visitor_));
              } catch (const std::exception& e) {
                spdlog::warn("event=realtime.contact_attributes_failed error={}", q(e.what()));
              }
            });
          }
          // Follow before the commit listener publishes, so this socket
          // also gets the message event of a conversation it just opened.
          self->server_.hub.follow(saved.conversation_id, self);
          Json::Value ack(Json::objectValue);
          ack["type"] = "ack";
          ack["client_msg_id"] = client_msg_id;
          ack["id"] = Json::Int64(saved.id);
          ack["seq"] = Json::Int64(saved.seq);
          ack["conversation"] = Json::Int64(saved.conversation_id);
          ack["duplicate"] = stored->front().duplicate;
          net::post(self->ws_.get_executor(), [self, text = frame(ack)]() mutable { self->send(std::move(text)); });
        });
    return;
  }
  if (type == "typing" || type == "read") {
    // To the agents, for the visitor's given (or most recent) conversation;
    // a read receipt must name one of the visitor's conversations.
    std::int64_t conv = msg.get("conversation", Json::Int64(0)).asInt64();
    if (!last_seq_.count(conv)) {
      if (type == "read") return;
      conv = 0;
      for (const auto& [c, _] : last_seq_) conv = std::max(conv, c);
    }
    if (!conv) return;
    Json::Value signal(Json::objectValue);
    signal["type"] = type;
    signal["conversation"] = Json::Int64(conv);
    signal["who"] = visitor_.name.empty() ? visitor_.id : visitor_.name;
    if (type == "typing") signal["on"] = msg.get("on", false).asBool();
    else signal["seq"] = msg.get("seq", Json::Int64(0)).asInt64();
    return server_.hub.signal_agents(signal);
  }
  if (type == "ping") return send(R"({"type":"pong"})");
  fail("unknown_type", "unknown frame type \"" + type + "\"");
}

void Session::hello(const Json::Value& msg) {
  if (greeted_) return fail("already_greeted", "hello was already sent on this connection");
  std::string anonymous_id = msg.get("visitor", "").asString();
  std::string identity = msg.get("identity", "").asString();
  visitor_.name = msg.get("name", "").asString().substr(0, 200);
  visitor_.page_url = msg.get("page_url", "").asString();
  visitor_.language = msg.get("language", "").asString();
  std::map<std::int64_t, std::int64_t> after;
  const Json::Value& last = msg["last_seq"];
  if (last.isObject())
    for (const auto& key : last.getMemberNames()) {
      char* end = nullptr;
      long long conv = std::strtoll(key.c_str(), &end, 10);
      if (end && *end == '\0' && conv > 0 && last[key].isIntegral()) after[conv] = std::max<Json::Int64>(0, last[key].asInt64());
    }
  std::string key = msg.get("channel", "").asString();
  greeted_ = true;
  replaying_ = true;
  blocking([key, after, anonymous_id, identity](std::shared_ptr<Session> self) {
    auto& s = self->server_.services;
    std::optional<schema::Channel> ch = self->channel_;
    std::vector<std::int64_t> conversations;
    std::string error, reason;
    adapters::Visitor who = self->visitor_;
    try {
      if (!ch) ch = s.channels.find_by_public_key(key);
      if (!ch || !ch->enabled || (ch->type != schema::ChannelType::web && ch->type != schema::ChannelType::app)) {
        error = "unknown_channel";
        reason = "cannot start a chat on this channel";
      } else if (ch->type == schema::ChannelType::web && !adapters::web::origin_allowed(*ch, self->origin_)) {
        error = "origin_not_allowed";
        reason = "this site may not use the channel";
      } else {
        if (ch->type == schema::ChannelType::app) {
          adapters::Visitor v = adapters::app::visitor_for(*ch, identity, anonymous_id);
          who.id = v.id;
          if (!v.name.empty()) who.name = v.name;
        } else if (anonymous_id.empty() || anonymous_id.size() > 128) {
          throw adapters::AdapterError::bad_request("visitor: required, a string of 1 to 128 characters");
        } else {
          who.id = anonymous_id;
        }
        std::vector<std::int64_t> resuming;
        for (const auto& [c, _] : after) resuming.push_back(c);
        conversations = s.conversations.of_contact(ch->id, who.id, resuming);
        // A returning visitor's contact learns where they are now.
        s.contacts.merge_attributes(ch->id, who.id, adapters::visitor_attributes(who));
      }
    } catch (const adapters::AdapterError& e) {
      error = e.code();
      reason = e.what();
    } catch (const std::exception& e) {
      error = "store_unavailable";
      reason = "cannot start a chat right now; try again";
      spdlog::warn("event=realtime.hello_failed error={}", q(e.what()));
    }
    net::post(self->ws_.get_executor(), [self, ch, who, conversations, after, error, reason]() mutable {
      if (!error.empty()) {
        self->fail(error, reason);
        return self->close(websocket::close_code::policy_error);
      }
      self->channel_ = ch;
      self->visitor_ = who;
      // Follow first, then read history: an event committed in between is
      // held and sent after the replay, and seq order drops the overlap.
      for (auto c : conversations) {
        self->server_.hub.follow(c, self);
        self->last_seq_[c] = after.count(c) ? after[c] : 0;
      }
      Json::Value welcome(Json::objectValue);
      welcome["type"] = "welcome";
      welcome["visitor"] = self->visitor_.id;
      welcome["conversations"] = Json::Value(Json::arrayValue);
      for (auto c : conversations) welcome["conversations"].append(Json::Int64(c));
      self->send(frame(welcome));
      // Where the visitor's waiting conversations stand in the queue.
      for (auto c : conversations)
        if (self->server_.services.queue.estimate(c)) self->send(frame(self->server_.services.queue.queue_frame(c)));
      self->replay(conversations, after);
    });
  });
}

// Agent frames: {"type":"send","conversation","text"|"parts","client_msg_id"?,"private"?}
// stores a reply exactly as POST /v1/conversations/{id}/messages does and
// answers {"type":"ack",...}; {"type":"typing","conversation","on"} reaches
// the conversation's visitors.
void Session::agent_frame(const std::string& type, const Json::Value& msg) {
  if (type == "ping") return send(R"({"type":"pong"})");
  std::int64_t conversation_id = msg.get("conversation", Json::Int64(0)).asInt64();
  if (type == "typing") {
    if (conversation_id <= 0) return;
    Json::Value signal(Json::objectValue);
    signal["type"] = "typing";
    signal["conversation"] = Json::Int64(conversation_id);
    signal["on"] = msg.get("on", false).asBool();
    signal["who"] = agent_->name.empty() ? agent_->login : agent_->name;
    // Only to conversations the agent may see: otherwise any agent could make
    // "typing…" appear in another team's chats. Clients send typing at most
    // every few seconds, so one indexed lookup per frame is cheap.
    return blocking([conversation_id, signal](std::shared_ptr<Session> self) {
      try {
        auto view = self->server_.services.conversations.view(conversation_id);
        if (view && workbench::may_see(workbench::viewer_of(*self->agent_), view->scope()))
          self->server_.hub.signal_visitors(conversation_id, signal);
      } catch (const std::exception& e) {
        spdlog::debug("event=realtime.typing_dropped error={}", q(e.what()));
      }
    });
  }
  if (type != "send") return fail("unknown_type", "unknown frame type \"" + type + "\"");
  std::string client_msg_id = msg.get("client_msg_id", "").asString();
  blocking([msg, conversation_id, client_msg_id](std::shared_ptr<Session> self) {
    auto& s = self->server_.services;
    auto reply_error = [self, client_msg_id](const std::string& code, const std::string& message) {
      Json::Value e = error_frame(code, message);
      if (!client_msg_id.empty()) e["client_msg_id"] = client_msg_id;
      net::post(self->ws_.get_executor(), [self, text = frame(e)]() mutable { self->send(std::move(text)); });
    };
    try {
      auto view = s.conversations.view(conversation_id);
      if (!view || !workbench::may_see(workbench::viewer_of(*self->agent_), view->scope()))
        return reply_error("not_found", "no such conversation");
      schema::Message m = agent_reply(*self->agent_, view->conversation, msg);
      auto stored = s.group_commit.submit({std::move(m)}).get().at(0);
      if (!stored.duplicate && stored.message.delivery_status == schema::DeliveryStatus::pending) s.dispatcher.wake();
      Json::Value ack(Json::objectValue);
      ack["type"] = "ack";
      if (!client_msg_id.empty()) ack["client_msg_id"] = client_msg_id;
      ack["id"] = Json::Int64(stored.message.id);
      ack["seq"] = Json::Int64(stored.message.seq);
      ack["conversation"] = Json::Int64(stored.message.conversation_id);
      ack["duplicate"] = stored.duplicate;
      net::post(self->ws_.get_executor(), [self, text = frame(ack)]() mutable { self->send(std::move(text)); });
    } catch (const adapters::AdapterError& e) {
      reply_error(e.code(), e.what());
    } catch (const std::exception& e) {
      spdlog::warn("event=realtime.agent_send_failed error={}", q(e.what()));
      reply_error("store_unavailable", "the reply was not stored; send it again");
    }
  });
}

void Session::replay(std::vector<std::int64_t> conversations, std::map<std::int64_t, std::int64_t> after) {
  blocking([conversations, after](std::shared_ptr<Session> self) mutable {
    std::vector<schema::Message> history;
    try {
      for (auto c : conversations) {
        std::int64_t from = after[c];
        for (;;) {  // page until caught up
          auto page = self->server_.services.messages.history(c, from, kReplayLimit);
          history.insert(history.end(), page.items.begin(), page.items.end());
          if (!page.more || page.items.empty()) break;
          from = page.items.back().seq;
        }
      }
    } catch (const std::exception& e) {
      spdlog::warn("event=realtime.replay_failed error={}", q(e.what()));
    }
    net::post(self->ws_.get_executor(), [self, history = std::move(history)] {
      for (const auto& m : history) {
        if (m.direction == schema::Direction::note) {
          // Skipped, but it still takes its seq so no gap is seen later.
          self->last_seq_[m.conversation_id] = std::max(self->last_seq_[m.conversation_id], m.seq);
          continue;
        }
        self->deliver_ordered(m);
      }
      self->replaying_ = false;
      auto held = std::move(self->held_);
      self->held_.clear();
      for (const auto& m : held) self->deliver_ordered(m);
    });
  });
}

void Session::push(const schema::Message& message) {
  net::post(ws_.get_executor(), [self = shared_from_this(), message] {
    if (self->closing_) return;
    if (self->role_ == Role::agent) {
      Json::Value ev(Json::objectValue);
      ev["type"] = "message.created";
      ev["conversation"] = Json::Int64(message.conversation_id);
      ev["message"] = schema::to_json(message);
      return self->send(frame(ev));
    }
    if (self->replaying_ || self->filling_.count(message.conversation_id)) return self->held_.push_back(message);
    self->deliver_ordered(message);
  });
}

void Session::push_signal(const Json::Value& signal) {
  net::post(ws_.get_executor(), [self = shared_from_this(), text = frame(signal)]() mutable {
    if (!self->closing_) self->send(std::move(text));
  });
}

void Session::catch_up() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closing_) return;
    if (self->role_ == Role::agent) {
      Json::Value ev(Json::objectValue);
      ev["type"] = "resync";
      return self->send(frame(ev));
    }
    // A replay in progress reads the store anyway; a gap fill does not run twice.
    if (!self->greeted_ || self->replaying_) return;
    for (const auto& [conversation, _] : self->last_seq_) self->fill_gap(conversation);
  });
}

// Visitors get each conversation's messages in seq order with no gap and no
// repeat, whatever order commits were published in: older seqs are dropped,
// and a jump ahead is filled from the store first.
void Session::deliver_ordered(const schema::Message& m) {
  std::int64_t& last = last_seq_[m.conversation_id];
  if (m.seq <= last) return;
  if (m.seq > last + 1) {
    held_.push_back(m);
    return fill_gap(m.conversation_id);
  }
  last = m.seq;
  if (m.direction == schema::Direction::note) return;
  Json::Value out(Json::objectValue);
  out["type"] = "message";
  out["conversation"] = Json::Int64(m.conversation_id);
  out["message"] = visitor_message(m);
  send(frame(out));
}

void Session::fill_gap(std::int64_t conversation) {
  if (!filling_.insert(conversation).second) return;
  std::int64_t from = last_seq_[conversation];
  blocking([conversation, from](std::shared_ptr<Session> self) {
    std::vector<schema::Message> missing;
    try {
      missing = self->server_.services.messages.history(conversation, from, kReplayLimit).items;
    } catch (const std::exception& e) {
      spdlog::warn("event=realtime.gap_fill_failed error={}", q(e.what()));
    }
    net::post(self->ws_.get_executor(), [self, conversation, missing = std::move(missing)] {
      self->filling_.erase(conversation);
      for (const auto& m : missing) {
        std::int64_t& last = self->last_seq_[conversation];
        if (m.seq == last + 1) self->deliver_ordered(m);
      }
      auto held = std::move(self->held_);
      self->held_.clear();
      for (const auto& m : held) self->deliver_ordered(m);
    });
  });
}

void Session::send(std::string text) {
  if (closing_) return;
  if (queue_.size() >= server_.options.send_queue_limit) {
    spdlog::info("event=realtime.slow_reader remote={} queued={}", remote_ip_, queue_.size());
    return close(websocket::close_code::policy_error);
  }
  queue_.push_back(std::move(text));
  if (!writing_) write_next();
}

void Session::write_next() {
  if (queue_.empty() || closing_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->writing_ = false;
      return;
    }
    self->queue_.pop_front();
    self->write_next();
  });
}

void Session::close(websocket::close_code code) {
  if (closing_) return;
  closing_ = true;
  // The frame being written must outlive its write; the rest is dropped.
  if (writing_) queue_.erase(std::next(queue_.begin()), queue_.end());
  else queue_.clear();
  // Beast holds the close frame back until a write in flight has finished.
  ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
}

Server::Server(ServerOptions options, Services& services, Hub& hub)
    : impl_(std::make_unique<Impl>(std::move(options), services, hub)) {}

Server::~Server() { stop(); }

int Server::bind() {
  HostPort hp = parse_host_port(impl_->options.listen);
  tcp::endpoint ep(net::ip::make_address(hp.host == "localhost" ? "127.0.0.1" : hp.host),
                   static_cast<unsigned short>(hp.port));
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(net::socket_base::max_listen_connections);
  return impl_->acceptor.local_endpoint().port();
}

void Server::start() {
  impl_->presence.start();
  impl_->do_accept();
  for (int i = 0; i < std::max(1, impl_->options.io_threads); ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  net::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lk(impl_->mu);
    for (auto& w : impl_->sessions)
      if (auto s = w.lock()) live.push_back(s);
  }
  for (auto& s : live) s->close_async(websocket::close_code::going_away);
  live.clear();
  // Give close handshakes a moment, then stop the loop.
  for (int i = 0; i < 100 && impl_->live > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  impl_->blocking.join();
  impl_->presence.stop();
}

size_t Server::connections() const { return impl_->live.load(); }

}  // namespace omnigate::gateway::realtime
