#include "gateway/pull/imap_poller.h"

#include "adapters/email/email_adapter.h"
#include "adapters/email/imap_client.h"
#include "adapters/email/settings.h"
#include "gateway/db/advisory_lock.h"
#include "gateway/logging.h"
#include "gateway/store/channel_state_store.h"
#include "schema/json.h"

namespace omnigate::gateway {
namespace {

namespace email = adapters::email;

constexpr const char* kCursorKey = "imap";

bool polls_imap(const schema::Channel& c) {
  return c.type == schema::ChannelType::email && c.enabled && c.config.isObject() && c.config["imap"].isObject();
}

// Where the poll stands: the mailbox it belongs to (URL and user: another
// mailbox starts afresh), its UIDVALIDITY and the last UID done.
struct Cursor {
  std::string mailbox;
  std::uint32_t uidvalidity = 0;
  std::uint32_t last_uid = 0;
};

std::optional<Cursor> read_cursor(db::PgConnection& conn, std::int64_t channel_id) {
  auto text = store::ChannelStateStore::get(conn, channel_id, kCursorKey);
  if (!text) return std::nullopt;
  try {
    Json::Value j = schema::parse_json(*text);
    Cursor c;
    c.mailbox = j["mailbox"].asString();
    c.uidvalidity = j["uidvalidity"].asUInt();
    c.last_uid = j["last_uid"].asUInt();
    return c;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: start again (idempotency absorbs the re-read)
  }
}

void save_cursor(db::PgConnection& conn, std::int64_t channel_id, const Cursor& c) {
  Json::Value j(Json::objectValue);
  j["mailbox"] = c.mailbox;
  j["uidvalidity"] = c.uidvalidity;
  j["last_uid"] = c.last_uid;
  store::ChannelStateStore::put(conn, channel_id, kCursorKey, schema::write_json(j));
}

}  // namespace

ImapPoller::ImapPoller(db::ConnectionPool& pool, store::ChannelStore& channels, store::GroupCommit& group_commit,
                       EmailInbound& inbound, Metrics& metrics, Options options)
    : pool_(pool),
      channels_(channels),
      group_commit_(group_commit),
      inbound_(inbound),
      metrics_(metrics),
      options_(options) {}

ImapPoller::~ImapPoller() { stop(); }

void ImapPoller::start() {
  std::lock_guard lk(mu_);
  if (worker_.joinable() || stopping_) return;
  worker_ = std::thread([this] { worker_loop(); });
}

void ImapPoller::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lk(mu_);
  for (auto& [id, promise] : requests_) {
    PollReport r;
    r.skipped = "stopping";
    promise.set_value(r);
  }
  requests_.clear();
}

std::future<PollReport> ImapPoller::poll_now(std::int64_t channel_id) {
  std::promise<PollReport> promise;
  auto future = promise.get_future();
  {
    std::lock_guard lk(mu_);
    if (stopping_ || !worker_.joinable()) {
      PollReport r;
      r.skipped = "stopping";
      promise.set_value(r);
      return future;
    }
    requests_.emplace(channel_id, std::move(promise));
  }
  cv_.notify_all();
  return future;
}

bool ImapPoller::stopping() {
  std::lock_guard lk(mu_);
  return stopping_;
}

void ImapPoller::refresh_channels() {
  auto now = std::chrono::steady_clock::now();
  std::map<std::int64_t, Schedule> next;
  for (schema::Channel& c : channels_.list()) {
    if (!polls_imap(c)) continue;
    auto old = schedule_.find(c.id);
    // A new channel is polled at once; a known one keeps its turn.
    auto due = old == schedule_.end() ? now : old->second.due;
    next.emplace(c.id, Schedule{std::move(c), due});
  }
  schedule_ = std::move(next);
  refreshed_ = now;
}

void ImapPoller::worker_loop() {
  for (;;) {
    std::multimap<std::int64_t, std::promise<PollReport>> asked;
    {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, options_.tick, [this] { return stopping_ || !requests_.empty(); });
      if (stopping_) return;
      asked.swap(requests_);
    }
    auto now = std::chrono::steady_clock::now();
    try {
      if (!asked.empty() || now - refreshed_ >= options_.channel_refresh) refresh_channels();
    } catch (const std::exception& e) {
      spdlog::warn("event=imap.channels_unavailable error={}", q(e.what()));
    }

    auto run = [this](Schedule& s) {
      PollReport r = poll(s.channel);
      auto interval = std::chrono::seconds(s.channel.config["imap"].get("poll_interval_seconds", 30).asInt());
      bool more = r.polled && r.error.empty() && r.fetched >= options_.max_mails_per_poll;
      s.due = std::chrono::steady_clock::now() + (more ? std::chrono::seconds(0) : interval);
      return r;
    };
    // Asked-for polls first, one poll per channel however often it was asked.
    for (auto it = asked.begin(); it != asked.end();) {
      std::int64_t id = it->first;
      PollReport r;
      auto s = schedule_.find(id);
      if (s == schedule_.end()) r.skipped = "not_polled";
      else r = run(s->second);
      for (; it != asked.end() && it->first == id; ++it) it->second.set_value(r);
    }
    for (auto& [id, s] : schedule_) {
      if (stopping()) break;
      if (s.due <= std::chrono::steady_clock::now()) run(s);
    }
  }
}

PollReport ImapPoller::poll(const schema::Channel& channel) {
  PollReport r;
  const std::string id = std::to_string(channel.id);
  auto started = std::chrono::steady_clock::now();
  try {
    // A dedicated connection: the lock is the session's, held while polling;
    // its own space, apart from the puller's.
    auto conn = pool_.acquire();
    auto lock = db::AdvisoryLock::try_lock(*conn, "omnigate.imap", id);
    if (!lock) {
      r.skipped = "locked_elsewhere";
      metrics_.counter("omnigate_imap_polls_total", "IMAP polls by result", "result=\"locked\"").inc();
      return r;
    }
    r = poll_locked(channel, *conn, r);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  const char* result = r.error.empty() ? "ok" : "error";
  metrics_.counter("omnigate_imap_polls_total", "IMAP polls by result", std::string("result=\"") + result + "\"").inc();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (!r.error.empty()) {
    metrics_.counter("omnigate_imap_errors_total", "IMAP failures by stage", "stage=\"poll\"").inc();
    spdlog::warn("event=imap.poll_failed channel={} fetched={} stored={} error={} ms={}", channel.id, r.fetched,
                 r.stored, q(r.error), ms);
  } else if (r.fetched > 0) {
    spdlog::info("event=imap.poll channel={} fetched={} stored={} duplicates={} dropped={} unreadable={} ms={}",
                 channel.id, r.fetched, r.stored, r.duplicates, r.dropped, r.unreadable, ms);
  }
  return r;
}

PollReport ImapPoller::poll_locked(const schema::Channel& channel, db::PgConnection& conn, PollReport r) {
  email::EmailSettings settings = email::read_email_settings(channel);
  if (!settings.imap) {
    r.skipped = "not_polled";
    return r;
  }
  const email::ImapSettings& imap = *settings.imap;
  email::ImapClient client(imap);
  email::MailboxState mailbox = client.examine();
  r.polled = true;

  Cursor cursor{imap.url + " " + imap.username, mailbox.uidvalidity, 0};
  std::optional<Cursor> saved = read_cursor(conn, channel.id);
  if (saved && saved->mailbox == cursor.mailbox && saved->uidvalidity == cursor.uidvalidity) {
    cursor.last_uid = saved->last_uid;
  } else {
    // A new mailbox, or the server renumbered it (UIDVALIDITY changed):
    // read it from the start; mails already stored come back as duplicates.
    if (saved)
      spdlog::info("event=imap.cursor_reset channel={} old_uidvalidity={} uidvalidity={} mailbox_changed={}",
                   channel.id, saved->uidvalidity, cursor.uidvalidity, saved->mailbox != cursor.mailbox);
    save_cursor(conn, channel.id, cursor);
  }
  if (mailbox.uidnext != 0 && mailbox.uidnext <= cursor.last_uid + 1) return r;  // nothing new

  Counter& fetched = metrics_.counter("omnigate_imap_mails_total", "Mails fetched over IMAP by outcome", "result=\"fetched\"");
  for (std::uint32_t uid : client.uids_from(cursor.last_uid + 1)) {
    if (stopping() || r.fetched >= options_.max_mails_per_poll) break;
    std::optional<std::string> raw = client.fetch(cursor.uidvalidity, uid);
    if (!raw) {
      if (client.examine().uidvalidity != cursor.uidvalidity) {
        r.error = "the mailbox's UIDVALIDITY changed during the poll; the next poll reads it afresh";
        return r;
      }
      // Expunged since the search: nothing to store.
    } else {
      ++r.fetched;
      fetched.inc();
      store_mail(channel, *raw, uid, r);
      try {
        if (imap.after_fetch == email::AfterFetch::move) client.move(uid, imap.move_to);
        else client.mark_seen(uid);
      } catch (const email::ImapError& e) {
        // The mail is stored; failing to flag or move it must not make the
        // poller read it again and again.
        metrics_.counter("omnigate_imap_errors_total", "IMAP failures by stage", "stage=\"after_fetch\"").inc();
        spdlog::warn("event=imap.after_fetch_failed channel={} uid={} error={}", channel.id, uid, q(e.what()));
      }
    }
    // Only now, with the mail durable (or known unreadable), may the cursor pass it.
    cursor.last_uid = uid;
    save_cursor(conn, channel.id, cursor);
  }
  return r;
}

void ImapPoller::store_mail(const schema::Channel& channel, const std::string& raw, std::uint32_t uid,
                            PollReport& r) {
  auto outcome = [this](const char* result) {
    metrics_.counter("omnigate_imap_mails_total", "Mails fetched over IMAP by outcome",
                     std::string("result=\"") + result + "\"")
        .inc();
  };
  adapters::Ingest ingest;
  try {
    if (raw.empty()) throw std::runtime_error("the server returned an empty mail");
    ingest = email::read_mail(channel, raw);
    inbound_.prepare(channel, ingest);
  } catch (const db::PgError&) {
    throw;  // the store's trouble, not the mail's: this mail is read again next poll
  } catch (const std::exception& e) {
    ++r.unreadable;
    outcome("unreadable");
    spdlog::error("event=imap.mail_unreadable channel={} uid={} bytes={} error={}", channel.id, uid, raw.size(),
                  q(e.what()));
    return;
  }
  if (ingest.messages.empty()) {
    ++r.dropped;
    outcome("dropped");
    return;
  }
  auto future = group_commit_.submit(std::move(ingest.messages));
  if (future.wait_for(options_.commit_timeout) != std::future_status::ready)
    throw std::runtime_error("a fetched mail was not stored in time; the cursor stays before it");
  for (const store::StoredMessage& s : future.get()) {
    ++(s.duplicate ? r.duplicates : r.stored);
    outcome(s.duplicate ? "duplicate" : "stored");
  }
}

}  // namespace omnigate::gateway
