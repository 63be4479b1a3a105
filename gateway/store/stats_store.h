#pragma once
// The numbers of GET /v1/stats: the queue, who is online, traffic per
// channel type, and how fast customers got a first answer today.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/db/pool.h"
#include "gateway/store/assignment_store.h"

namespace omnigate::store {

struct WorkbenchStats {
  std::vector<QueueCount> queue;                       // per team (none: team-less)
  int agents_online = 0;
  std::map<std::string, std::int64_t> messages_15min;  // channel type -> messages stored in the last 15 minutes
  int first_responses_today = 0;
  std::optional<double> average_first_response_s;      // over today's first responses
  schema::Timestamp now{};                             // the database clock
};

class StatsStore {
 public:
  explicit StatsStore(db::ConnectionPool& pool) : pool_(pool) {}
  WorkbenchStats read();

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
