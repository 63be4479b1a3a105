#pragma once
// Group commit for ingest: concurrent requests hand their messages to a few
// writer threads, which persist everything pending in one transaction and
// then complete each request's future. A request's future resolves only after
// the COMMIT that holds its rows, so nothing is acknowledged before it is
// durable, while the cost of a commit (its WAL flush) is shared by the batch.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/store/message_store.h"

namespace omnigate::store {

class GroupCommit {
 public:
  struct Options {
    size_t writers = 2;             // transactions in flight at once
    size_t max_batch_messages = 512;
  };
  struct Stats {
    std::uint64_t batches = 0;
    std::uint64_t messages = 0;
  };
  // Called once per committed batch with its message count (metrics).
  using BatchObserver = std::function<void(size_t messages, std::chrono::microseconds took)>;
  // Called on the writer thread after each commit with what it stored
  // (duplicates included, flagged): the realtime events start here.
  using CommitListener = std::function<void(const std::vector<StoredMessage>&)>;
  // Completion of one request: the stored messages, or the error.
  using Callback = std::function<void(std::vector<StoredMessage>* stored, std::exception_ptr error)>;

  GroupCommit(MessageStore& store, Options options, BatchObserver observer = {}, CommitListener listener = {});
  ~GroupCommit();  // stop()
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // The future holds one StoredMessage per input, or the store's exception.
  // After stop() it fails at once with std::runtime_error.
  std::future<std::vector<StoredMessage>> submit(std::vector<schema::Message> messages);
  // The same, completed through `done` on a writer thread, for callers that
  // must not block (the realtime hub's I/O threads). `done` and the commit
  // listener must be quick and must not throw.
  void submit(std::vector<schema::Message> messages, Callback done);
  // Finishes everything already submitted, then stops the writers.
  void stop();
  Stats stats() const;

 private:
  struct Request {
    std::vector<schema::Message> messages;
    Callback done;
  };
  void writer_loop();
  void write(std::vector<Request>& batch);

  MessageStore& store_;
  const Options options_;
  BatchObserver observer_;
  CommitListener listener_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> pending_;
  bool stopping_ = false;
  Stats stats_;
  std::vector<std::thread> writers_;
};

}  // namespace omnigate::store
