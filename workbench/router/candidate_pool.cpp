#include "workbench/router/candidate_pool.h"

#include <algorithm>

namespace omnigate::workbench::router {

namespace {

bool is_excluded(const std::vector<std::int64_t>& excluded, std::int64_t id) {
  return std::find(excluded.begin(), excluded.end(), id) != excluded.end();
}

}  // namespace

CandidatePool::CandidatePool(const AgentBoard& board, std::vector<int> members, int channel, Strategy strategy,
                             std::optional<std::int64_t> round_robin_cursor)
    : board_(board), channel_(channel), strategy_(strategy), staffed_(static_cast<int>(members.size())),
      cursor_(round_robin_cursor) {
  for (int agent : members) {
    if (!board_.available(agent, channel_)) continue;
    if (strategy_ == Strategy::round_robin) {
      by_id_.emplace(board_.agent(agent).id, agent);
    } else if (strategy_ != Strategy::manual) {
      heap_.push_back({key_of(agent), agent, board_.version(agent)});
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return a.key > b.key; });
}

CandidatePool::Key CandidatePool::key_of(int agent) const {
  const auto [idle_since, tick] = board_.idle_key(agent);
  const std::int64_t id = board_.agent(agent).id;
  if (strategy_ == Strategy::least_busy) return {board_.load(agent, channel_), idle_since, tick, id};
  return {idle_since, tick, id, 0};
}

void CandidatePool::push(int agent) {
  heap_.push_back({key_of(agent), agent, board_.version(agent)});
  std::push_heap(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return a.key > b.key; });
}

std::optional<int> CandidatePool::pick(const std::vector<std::int64_t>& excluded) {
  switch (strategy_) {
    case Strategy::least_busy:
    case Strategy::longest_idle:
      return pick_from_heap(excluded);
    case Strategy::round_robin:
      return pick_round_robin(excluded);
    case Strategy::manual:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<int> CandidatePool::pick_from_heap(const std::vector<std::int64_t>& excluded) {
  const auto later = [](const Entry& a, const Entry& b) { return a.key > b.key; };
  std::vector<Entry> set_aside;  // excluded for this conversation only
  std::optional<int> found;
  while (!heap_.empty()) {
    const Entry top = heap_.front();
    if (!board_.available(top.agent, channel_)) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
      continue;
    }
    if (top.version != board_.version(top.agent)) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
      push(top.agent);
      continue;
    }
    if (is_excluded(excluded, board_.agent(top.agent).id)) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
      set_aside.push_back(top);
      continue;
    }
    found = top.agent;
    break;
  }
  for (const Entry& e : set_aside) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  return found;
}

std::optional<int> CandidatePool::pick_round_robin(const std::vector<std::int64_t>& excluded) {
  auto it = cursor_ ? by_id_.upper_bound(*cursor_) : by_id_.begin();
  // Each member is looked at once at most: full ones are removed for good,
  // excluded ones are stepped over.
  for (std::size_t seen = 0, n = by_id_.size(); seen < n && !by_id_.empty(); ++seen) {
    if (it == by_id_.end()) it = by_id_.begin();
    if (!board_.available(it->second, channel_)) {
      it = by_id_.erase(it);
      continue;
    }
    if (is_excluded(excluded, it->first)) {
      ++it;
      continue;
    }
    return it->second;
  }
  return std::nullopt;
}

void CandidatePool::chose(int agent) {
  if (strategy_ == Strategy::round_robin) cursor_ = board_.agent(agent).id;
}

}  // namespace omnigate::workbench::router
