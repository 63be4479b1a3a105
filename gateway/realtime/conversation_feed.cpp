#include "gateway/realtime/conversation_feed.h"

#include "gateway/logging.h"
#include "schema/json.h"

namespace omnigate::gateway::realtime {
namespace {

std::optional<std::int64_t> optional_id(const Json::Value& v) {
  if (!v.isIntegral()) return std::nullopt;
  return v.asInt64();
}

}  // namespace

ConversationFeed::ConversationFeed(const std::string& conninfo, store::ConversationStore& conversations,
                                   store::AgentStore& agents, Hub& hub, Hooks hooks)
    : conversations_(conversations), agents_(agents), hub_(hub), hooks_(std::move(hooks)) {
  listener_ = std::make_unique<db::PgListener>(
      conninfo, kChannel,
      [this](const std::string& payload) {
        try {
          Work w;
          w.notice = schema::parse_json(payload);
          enqueue(std::move(w));
        } catch (const std::exception& e) {
          spdlog::warn("event=feed.bad_notice error={}", q(e.what()));
        }
      },
      [this](bool after_a_loss) {
        Work w;
        w.kind = Work::Kind::reconnected;
        w.after_a_loss = after_a_loss;
        enqueue(std::move(w));
      });
  hub_.set_scope_resolver([this](std::int64_t conversation) {
    Work w;
    w.kind = Work::Kind::lookup;
    w.conversation = conversation;
    enqueue(std::move(w));
  });
}

ConversationFeed::~ConversationFeed() { stop(); }

void ConversationFeed::start() {
  if (worker_.joinable()) return;
  worker_ = std::thread([this] { worker(); });
  listener_->start();
}

void ConversationFeed::stop() {
  listener_->stop();
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  hub_.set_scope_resolver({});
}

void ConversationFeed::enqueue(Work work) {
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
    pending_.push_back(std::move(work));
  }
  cv_.notify_one();
}

void ConversationFeed::worker() {
  for (;;) {
    std::deque<Work> batch;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      batch.swap(pending_);
    }
    bool routing = false, queue = false;
    for (const auto& w : batch) {
      try {
        switch (w.kind) {
          case Work::Kind::reconnected:
            // Notifications sent while the listener was away are lost:
            // scopes are looked up afresh, routing and the queue re-read,
            // and the sockets catch up on what they missed.
            hub_.clear_scopes();
            routing = queue = true;
            if (w.after_a_loss) hub_.catch_up_all();
            break;
          case Work::Kind::lookup: lookup(w.conversation); break;
          case Work::Kind::notice:
            if (w.notice.isMember("read")) {
              // An agent read a conversation: their other sockets clear its count.
              const Json::Value& read = w.notice["read"];
              Json::Value frame(Json::objectValue);
              frame["type"] = "conversation.read";
              frame["conversation"] = read["conversation"];
              frame["read_seq"] = read["seq"];
              hub_.publish_to_agent(read["agent"].asInt64(), frame);
              break;
            }
            routing = true;
            if (w.notice.isMember("agent")) {
              handle_agent(w.notice["agent"].asInt64());
            } else {
              queue = true;
              handle_notice(w.notice);
            }
            break;
        }
      } catch (const std::exception& e) {
        spdlog::warn("event=feed.work_failed error={}", q(e.what()));
        if (w.kind == Work::Kind::lookup) hub_.forget_scope(w.conversation);
      }
    }
    if (routing && hooks_.routing_changed) hooks_.routing_changed();
    if (queue && hooks_.queue_changed) hooks_.queue_changed();
  }
}

void ConversationFeed::lookup(std::int64_t conversation_id) {
  auto c = conversations_.get(conversation_id);
  if (!c) return hub_.forget_scope(conversation_id);
  hub_.set_scope(conversation_id, {c->team_id, c->assignee_id, std::nullopt});
}

void ConversationFeed::handle_agent(std::int64_t agent_id) {
  auto agent = agents_.get(agent_id);
  if (agent) hub_.update_viewer(workbench::viewer_of(*agent));
}

void ConversationFeed::handle_notice(const Json::Value& notice) {
  const std::int64_t id = notice["conversation"].asInt64();
  if (!hub_.has_agents()) {
    // Nobody to tell; the scope is looked up again when someone needs it.
    hub_.forget_scope(id);
    return;
  }
  auto view = conversations_.view(id);
  if (!view) return hub_.forget_scope(id);
  const workbench::ConversationScope now = view->scope();
  if (view->conversation.status == schema::ConversationStatus::resolved) hub_.forget_scope(id);
  else hub_.set_scope(id, now);
  // Who could see it before the change: the old assignee and team.
  workbench::ConversationScope before = now;
  if (notice.isMember("old_assignee")) before.assignee = optional_id(notice["old_assignee"]);
  else if (notice.isMember("old_status")) before.assignee = std::nullopt;
  if (notice.isMember("old_team")) before.team = optional_id(notice["old_team"]);
  else if (notice.isMember("old_status")) before.team = std::nullopt;
  before.offered_to = std::nullopt;

  Json::Value json = store::to_json(*view);
  Json::Value updated(Json::objectValue);
  updated["type"] = "conversation.updated";
  updated["conversation"] = json;
  hub_.publish_to_agents(updated, [&](const workbench::Viewer& v) {
    return workbench::may_see(v, now) || workbench::may_see(v, before);
  });
  if (notice.isMember("offered_to") && view->offered_to == optional_id(notice["offered_to"])) {
    Json::Value offered(Json::objectValue);
    offered["type"] = "conversation.offered";
    offered["conversation"] = json;
    offered["expires_at"] = json["offer"]["expires_at"];
    hub_.publish_to_agent(notice["offered_to"].asInt64(), offered);
  }
  if (notice.isMember("breached")) {
    Json::Value breached(Json::objectValue);
    breached["type"] = "conversation.sla_breached";
    breached["conversation"] = Json::Int64(id);
    breached["kind"] = notice["breached"];
    if (auto due = schema::parse_timestamp(notice["due"].asString())) breached["due"] = schema::format_timestamp(*due);
    hub_.publish_to_agents(breached, [&](const workbench::Viewer& v) { return workbench::may_see(v, now); });
  }
}

}  // namespace omnigate::gateway::realtime
