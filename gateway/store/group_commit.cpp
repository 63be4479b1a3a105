#include "gateway/store/group_commit.h"

#include <stdexcept>

namespace omnigate::store {

GroupCommit::GroupCommit(MessageStore& store, Options options, BatchObserver observer)
    : store_(store), options_(options), observer_(std::move(observer)) {
  for (size_t i = 0; i < std::max<size_t>(1, options_.writers); ++i)
    writers_.emplace_back([this] { writer_loop(); });
}

GroupCommit::~GroupCommit() { stop(); }

std::future<std::vector<StoredMessage>> GroupCommit::submit(std::vector<schema::Message> messages) {
  Request r{std::move(messages), {}};
  auto future = r.done.get_future();
  {
    std::lock_guard lk(mu_);
    if (stopping_) {
      r.done.set_exception(std::make_exception_ptr(std::runtime_error("the store is shutting down")));
      return future;
    }
    pending_.push_back(std::move(r));
  }
  cv_.notify_one();
  return future;
}

void GroupCommit::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ && writers_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : writers_)
    if (t.joinable()) t.join();
  writers_.clear();
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

void GroupCommit::writer_loop() {
  for (;;) {
    std::vector<Request> batch;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping and drained
      size_t count = 0;
      // Always take at least one request, however large.
      while (!pending_.empty() && (batch.empty() || count + pending_.front().messages.size() <= options_.max_batch_messages)) {
        count += pending_.front().messages.size();
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    write(batch);
  }
}

void GroupCommit::write(std::vector<Request>& batch) {
  std::vector<schema::Message> all;
  for (auto& r : batch) all.insert(all.end(), r.messages.begin(), r.messages.end());
  auto started = std::chrono::steady_clock::now();
  try {
    auto stored = store_.ingest(all);
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    {
      std::lock_guard lk(mu_);
      ++stats_.batches;
      stats_.messages += all.size();
    }
    if (observer_) observer_(all.size(), took);
    size_t at = 0;
    for (auto& r : batch) {
      std::vector<StoredMessage> mine(stored.begin() + static_cast<long>(at),
                                      stored.begin() + static_cast<long>(at + r.messages.size()));
      at += r.messages.size();
      r.done.set_value(std::move(mine));
    }
  } catch (...) {
    if (batch.size() == 1) {
      batch.front().done.set_exception(std::current_exception());
      return;
    }
    // One bad request must not fail its neighbours: retry each on its own.
    for (auto& r : batch) {
      std::vector<Request> single;
      single.push_back(std::move(r));
      write(single);
    }
  }
}

}  // namespace omnigate::store
