#include "workbench/router/router.h"

#include <algorithm>
#include <unordered_map>

#include "workbench/router/agent_board.h"
#include "workbench/router/candidate_pool.h"
#include "workbench/router/pool_spec.h"
#include "workbench/router/queue_order.h"

namespace omnigate::workbench::router {

namespace {

bool declined(const WaitingConversation& c, std::int64_t agent) {
  return std::find(c.declined_by.begin(), c.declined_by.end(), agent) != c.declined_by.end();
}

// The state of one route() call: the agents' board, the candidate pools built
// so far (one per distinct pool key, built on first use), and the plan.
class RoutingPass {
 public:
  RoutingPass(const Rules& rules, const TeamDirectory& teams, std::map<std::string, std::int64_t>& cursors,
              std::vector<AgentState>& agents, TimePoint now)
      : rules_(rules), teams_(teams), cursors_(cursors), board_(agents), now_(now) {}

  Plan run(std::vector<WaitingConversation>& queue) {
    std::vector<Waiting> waiting;
    waiting.reserve(queue.size());
    for (std::size_t i = 0; i < queue.size(); ++i) waiting.push_back(locate(queue[i], i));
    std::sort(waiting.begin(), waiting.end(),
              [](const Waiting& a, const Waiting& b) { return served_before(a.slot, b.slot); });
    for (const Waiting& w : waiting) serve(queue[w.slot.index], w);
    return std::move(plan_);
  }

 private:
  struct Waiting {
    QueueSlot slot;
    const Rule* rule = nullptr;
    ResolvedTarget target;
    std::optional<TimePoint> moves_at;
  };

  // Finds the conversation's current target and records a move.
  Waiting locate(WaitingConversation& c, std::size_t index) {
    TargetPath path(rules_, teams_, c);
    auto unstaffed = [&](const ResolvedTarget& t) { return pool_for(pool_spec(t, c)).staffed() == 0; };
    TargetPosition position = current_target(path, c, now_, unstaffed);
    if (position.target.index != c.target_index || position.since != c.target_since) {
      c.target_index = position.target.index;
      c.target_since = position.since;
      plan_.target_moves.push_back({c.id, c.target_index, c.target_since});
    }
    Waiting w;
    w.slot = {index, effective_priority(rules_, c, position.target), c.queued_at, c.id};
    w.rule = &path.rule();
    w.target = position.target;
    w.moves_at = position.moves_at;
    return w;
  }

  void serve(const WaitingConversation& c, const Waiting& w) {
    if (w.moves_at) wake_at(*w.moves_at);
    if (w.target.strategy == Strategy::manual) return;  // agents pick it from the queue
    const int channel = board_.channel(c.channel_type);
    if (serve_sticky(c, w, channel)) return;
    const PoolSpec spec = pool_spec(w.target, c);
    CandidatePool& pool = pool_for(spec);
    std::optional<int> agent = pool.pick(c.declined_by);
    if (!agent) return;
    pool.chose(*agent);
    if (std::optional<std::int64_t> cursor = pool.round_robin_cursor()) cursors_[spec.members_key()] = *cursor;
    assign(c, w, *agent, channel, false);
  }

  // True when the sticky agent took the conversation or it waits for them.
  bool serve_sticky(const WaitingConversation& c, const Waiting& w, int channel) {
    const StickySettings sticky = rules_.sticky_for(*w.rule);
    if (!sticky.enabled || !c.sticky_agent || declined(c, *c.sticky_agent)) return false;
    const std::optional<int> agent = board_.index_of(*c.sticky_agent);
    if (!agent || !board_.online(*agent)) return false;  // away or gone: no point waiting
    if (board_.available(*agent, channel)) {
      assign(c, w, *agent, channel, true);
      return true;
    }
    const TimePoint wait_ends = c.queued_at + Seconds(sticky.wait_seconds);
    if (now_ >= wait_ends) return false;
    wake_at(wait_ends);
    return true;
  }

  void assign(const WaitingConversation& c, const Waiting& w, int agent, int channel, bool sticky) {
    board_.take(agent, channel, now_);
    Assignment a;
    a.conversation = c.id;
    a.agent = board_.agent(agent).id;
    a.target_index = w.target.index;
    a.team = sticky ? std::nullopt : w.target.team;
    a.sticky = sticky;
    const OfferSettings offer = rules_.offer_for(*w.rule);
    if (offer.enabled) {
      a.offer = true;
      a.offer_expires_at = now_ + Seconds(offer.timeout_seconds);
      wake_at(*a.offer_expires_at);
    }
    plan_.assignments.push_back(a);
  }

  CandidatePool& pool_for(const PoolSpec& spec) {
    std::string key = spec.pool_key();
    auto it = pools_.find(key);
    if (it != pools_.end()) return it->second;
    const int channel = board_.channel(spec.channel_type);
    std::vector<int> members;
    for (int i = 0; i < board_.size(); ++i) {
      if (board_.online(i) && board_.capacity(i, channel) > 0 && spec.serves(board_.agent(i))) members.push_back(i);
    }
    std::optional<std::int64_t> cursor;
    if (auto c = cursors_.find(spec.members_key()); c != cursors_.end()) cursor = c->second;
    return pools_.try_emplace(std::move(key), board_, std::move(members), channel, spec.strategy, cursor)
        .first->second;
  }

  void wake_at(TimePoint t) {
    if (t > now_ && (!plan_.next_wakeup || t < *plan_.next_wakeup)) plan_.next_wakeup = t;
  }

  const Rules& rules_;
  const TeamDirectory& teams_;
  std::map<std::string, std::int64_t>& cursors_;
  AgentBoard board_;
  TimePoint now_;
  std::unordered_map<std::string, CandidatePool> pools_;
  Plan plan_;
};

}  // namespace

Router::Router(Rules rules, std::vector<Team> teams) : rules_(std::move(rules)), teams_(teams) {}

Plan Router::route(std::vector<AgentState>& agents, std::vector<WaitingConversation>& queue, TimePoint now) {
  return RoutingPass(rules_, teams_, round_robin_cursors_, agents, now).run(queue);
}

}  // namespace omnigate::workbench::router
