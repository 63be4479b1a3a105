#pragma once
// Polls the IMAP mailbox of every enabled email channel that has an `imap`
// block, every imap.poll_interval_seconds, on one background thread.
//
// One poll of one channel:
//  1. takes a PostgreSQL advisory lock for the channel on a dedicated
//     connection (pg_try_advisory_lock: with several nodes exactly one polls
//     a mailbox; the others skip that round);
//  2. reads the cursor from channel_state ("imap": mailbox, UIDVALIDITY and
//     the last UID done); a changed UIDVALIDITY, or another mailbox or user
//     in the config, starts again from UID 1 (the Message-ID idempotency
//     absorbs mails read twice);
//  3. EXAMINEs the mailbox, UID SEARCHes the UIDs past the cursor, and for
//     each in order: fetches the raw mail, reads it (adapters/email read_mail),
//     threads it (EmailInbound), stores it through the group commit and waits
//     until it is durable, then flags it \Seen or moves it (imap.after_fetch),
//     and only then saves the cursor past it.
// A crash therefore repeats at most the mail in hand, and never skips one.
// A mail that cannot be read at all (empty, or refused by the adapter) is
// logged and skipped, and the cursor moves past it; a malformed one is kept
// with what could be read (metadata.email.problems). A failure of the server
// or the store ends the poll where it is; the next poll resumes there.
// Metrics: omnigate_imap_polls_total{result}, omnigate_imap_mails_total{result}.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/db/pool.h"
#include "gateway/inbound/email_inbound.h"
#include "gateway/metrics.h"
#include "gateway/store/channel_store.h"
#include "gateway/store/group_commit.h"

namespace omnigate::gateway {

// What one poll of one channel did.
struct PollReport {
  bool polled = false;  // false: see skipped
  std::string skipped;  // "locked_elsewhere", "not_polled" (no such enabled email channel with imap), "stopping"
  int fetched = 0;      // mails fetched from the server
  int stored = 0;       // new messages stored
  int duplicates = 0;   // mails stored before (a re-read)
  int dropped = 0;      // auto-replies without a conversation, our own mail...
  int unreadable = 0;   // skipped: nothing could be read
  std::string error;    // why the poll stopped early; "" when it finished
};

class ImapPoller {
 public:
  struct Options {
    // How often the worker looks for due channels and re-reads the channel
    // list (config changes reach the poller within this).
    std::chrono::milliseconds tick{1000};
    std::chrono::milliseconds channel_refresh{5000};
    // How long to wait for one mail to be durable.
    std::chrono::milliseconds commit_timeout{30000};
    // Mails per poll; the rest follow at the next tick.
    int max_mails_per_poll = 200;
  };

  ImapPoller(db::ConnectionPool& pool, store::ChannelStore& channels, store::GroupCommit& group_commit,
             EmailInbound& inbound, Metrics& metrics, Options options);
  ImapPoller(db::ConnectionPool& pool, store::ChannelStore& channels, store::GroupCommit& group_commit,
             EmailInbound& inbound, Metrics& metrics)
      : ImapPoller(pool, channels, group_commit, inbound, metrics, Options{}) {}
  ~ImapPoller();  // stop()
  ImapPoller(const ImapPoller&) = delete;
  ImapPoller& operator=(const ImapPoller&) = delete;

  void start();
  // Finishes the mail in hand, then stops the worker.
  void stop();
  // Polls the channel as soon as the worker is free (re-reading its config),
  // for admins and tests; the future holds what that poll did.
  std::future<PollReport> poll_now(std::int64_t channel_id);

 private:
  struct Schedule {
    schema::Channel channel;
    std::chrono::steady_clock::time_point due;
  };
  void worker_loop();
  void refresh_channels();
  bool stopping();
  // One poll; never throws (failures are in the report and the log).
  PollReport poll(const schema::Channel& channel);
  // The poll under the channel's lock, on the lock's connection.
  PollReport poll_locked(const schema::Channel& channel, db::PgConnection& conn, PollReport report);
  // Reads, threads and stores one fetched mail, counting it in `report`.
  // Returns once it is durable or known unreadable; throws when the store
  // fails (the mail is then fetched again by the next poll).
  void store_mail(const schema::Channel& channel, const std::string& raw, std::uint32_t uid, PollReport& report);

  db::ConnectionPool& pool_;
  store::ChannelStore& channels_;
  store::GroupCommit& group_commit_;
  EmailInbound& inbound_;
  Metrics& metrics_;
  const Options options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::int64_t, Schedule> schedule_;  // worker thread only
  std::chrono::steady_clock::time_point refreshed_{};
  std::multimap<std::int64_t, std::promise<PollReport>> requests_;  // under mu_
  std::thread worker_;
};

}  // namespace omnigate::gateway
