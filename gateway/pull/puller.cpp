#include "gateway/pull/puller.h"

#include <future>

#include "gateway/db/advisory_lock.h"
#include "gateway/logging.h"
#include "gateway/store/channel_state_store.h"

namespace omnigate::gateway {
namespace {

std::string cursor_key(const adapters::PullRequest& r) {
  return r.cursor_key.empty() ? "pull:" + r.kind : r.cursor_key;
}

}  // namespace

Puller::Puller(db::ConnectionPool& pool, store::GroupCommit& group_commit, const adapters::Registry& adapters,
               Options options)
    : pool_(pool), group_commit_(group_commit), adapters_(adapters), options_(options) {
  worker_ = std::thread([this] { worker_loop(); });
}

Puller::~Puller() { stop(); }

void Puller::submit(const schema::Channel& channel, std::vector<adapters::PullRequest> pulls) {
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
    for (auto& p : pulls) {
      bool merged = false;
      for (Job& j : queue_) {
        if (j.channel.id == channel.id && cursor_key(j.request) == cursor_key(p) && j.request.kind == p.kind) {
          j.request = p;  // the newer callback's params (a fresher token)
          j.channel = channel;
          merged = true;
          break;
        }
      }
      if (!merged) queue_.push_back(Job{channel, std::move(p), 0, std::chrono::steady_clock::now()});
    }
  }
  cv_.notify_all();
}

void Puller::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Puller::Stats Puller::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

void Puller::worker_loop() {
  std::unique_lock lk(mu_);
  for (;;) {
    if (stopping_) return;
    if (queue_.empty()) {
      cv_.wait(lk);
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    auto ready = queue_.end();
    auto earliest = queue_.front().not_before;
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->not_before <= now) {
        ready = it;
        break;
      }
      earliest = std::min(earliest, it->not_before);
    }
    if (ready == queue_.end()) {
      cv_.wait_until(lk, earliest);
      continue;
    }
    Job job = std::move(*ready);
    queue_.erase(ready);
    lk.unlock();
    bool done = true;
    bool failed = false;
    try {
      done = run(job);
    } catch (const std::exception& e) {
      failed = true;
      bool retryable = true;
      if (auto* pe = dynamic_cast<const adapters::PullError*>(&e)) retryable = pe->retryable();
      // The cursor is safe; the channel's next callback pulls again.
      spdlog::warn("event=pull.failed channel={} kind={} retryable={} error={}", job.channel.id, q(job.request.kind),
                   retryable, q(e.what()));
    }
    lk.lock();
    if (failed) {
      ++stats_.failures;
    } else if (done) {
      ++stats_.pulls;
    } else if (!stopping_) {
      if (++job.attempts >= options_.lock_attempts) {
        spdlog::warn("event=pull.skipped channel={} kind={} reason=locked_elsewhere", job.channel.id,
                     q(job.request.kind));
      } else {
        // Behind any newer request for the same pull, which then merges.
        job.not_before = std::chrono::steady_clock::now() + options_.lock_retry;
        bool merged = false;
        for (Job& j : queue_)
          if (j.channel.id == job.channel.id && cursor_key(j.request) == cursor_key(job.request) &&
              j.request.kind == job.request.kind)
            merged = true;
        if (!merged) queue_.push_back(std::move(job));
      }
    }
  }
}

bool Puller::run(const Job& job) {
  const schema::Channel& channel = job.channel;
  const adapters::Adapter* adapter = adapters_.find(channel.type);
  if (!adapter) throw adapters::PullError(false, "no adapter for the channel's type");
  const std::string id = std::to_string(channel.id);
  const std::string key = cursor_key(job.request);

  // A dedicated connection: the lock is the session's, held while pulling.
  auto conn = pool_.acquire();
  auto lock = db::AdvisoryLock::try_lock(*conn, "omnigate.pull", id);
  if (!lock) return false;

  std::string cursor = store::ChannelStateStore::get(*conn, channel.id, key).value_or("");
  std::uint64_t handed = 0;
  auto started = std::chrono::steady_clock::now();
  adapters::PullResult result = adapter->pull(
      channel, job.request, cursor, [&](std::vector<schema::Message> messages, const std::string& next_cursor) {
        if (!messages.empty()) {
          size_t n = messages.size();
          auto future = group_commit_.submit(std::move(messages));
          if (future.wait_for(options_.commit_timeout) != std::future_status::ready)
            throw std::runtime_error("a pulled page was not stored in time; its cursor is not saved");
          future.get();  // rethrows the store's error: the cursor stays before this page
          handed += n;
        }
        // Only now, with the page durable, may the cursor move past it.
        if (!next_cursor.empty() && next_cursor != cursor) {
          store::ChannelStateStore::put(*conn, channel.id, key, next_cursor);
          cursor = next_cursor;
        }
      });
  {
    std::lock_guard lk(mu_);
    stats_.messages += handed;
  }
  spdlog::info("event=pull.done channel={} kind={} pages={} messages={} ms={}", channel.id, q(job.request.kind),
               result.pages, handed,
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                   .count());
  return true;
}

}  // namespace omnigate::gateway
