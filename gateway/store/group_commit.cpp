#include "gateway/store/group_commit.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace omnigate::store {

GroupCommit::GroupCommit(MessageStore& store, Options options, BatchObserver observer, CommitListener listener)
    : store_(store), options_(options), observer_(std::move(observer)), listener_(std::move(listener)) {
  for (size_t i = 0; i < std::max<size_t>(1, options_.writers); ++i)
    writers_.emplace_back([this] { writer_loop(); });
}

GroupCommit::~GroupCommit() { stop(); }

std::future<std::vector<StoredMessage>> GroupCommit::submit(std::vector<schema::Message> messages) {
  auto promise = std::make_shared<std::promise<std::vector<StoredMessage>>>();
  auto future = promise->get_future();
  submit(std::move(messages), [promise](std::vector<StoredMessage>* stored, std::exception_ptr error) {
    if (error) promise->set_exception(error);
    else promise->set_value(std::move(*stored));
  });
  return future;
}

void GroupCommit::submit(std::vector<schema::Message> messages, Callback done) {
  {
    std::lock_guard lk(mu_);
    if (!stopping_) {
      pending_.push_back(Request{std::move(messages), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(nullptr, std::make_exception_ptr(std::runtime_error("the store is shutting down")));
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
  // The requests' messages move into one batch (no copies: the store moves
  // them on into the results once committed). A failed ingest leaves them
  // untouched, and they move back for the retries below.
  std::vector<schema::Message> all;
  size_t count = 0;
  for (const auto& r : batch) count += r.messages.size();
  all.reserve(count);
  for (auto& r : batch) std::move(r.messages.begin(), r.messages.end(), std::back_inserter(all));
  auto started = std::chrono::steady_clock::now();
  std::vector<StoredMessage> stored;
  try {
    stored = store_.ingest(std::move(all));
  } catch (...) {
    size_t at = 0;
    for (auto& r : batch)
      for (auto& m : r.messages) m = std::move(all[at++]);
    if (batch.size() == 1) {
      batch.front().done(nullptr, std::current_exception());
      return;
    }
    // One bad request must not fail its neighbours: retry each on its own.
    for (auto& r : batch) {
      std::vector<Request> single;
      single.push_back(std::move(r));
      write(single);
    }
    return;
  }
  // Committed. From here on nothing may send the batch through again.
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  {
    std::lock_guard lk(mu_);
    ++stats_.batches;
    stats_.messages += count;
  }
  if (observer_) observer_(count, took);
  size_t at = 0;
  for (auto& r : batch) {
    std::vector<StoredMessage> mine(stored.begin() + static_cast<long>(at),
                                    stored.begin() + static_cast<long>(at + r.messages.size()));
    at += r.messages.size();
    r.done(&mine, nullptr);
  }
  if (listener_) listener_(stored);
}

}  // namespace omnigate::store
