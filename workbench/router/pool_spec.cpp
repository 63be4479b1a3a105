#include "workbench/router/pool_spec.h"

#include <algorithm>

namespace omnigate::workbench::router {

namespace {

// Skills can hold any text; the unit separator keeps joined lists unambiguous.
constexpr char kSeparator = '\x1f';

std::vector<std::string> expand(const std::vector<SkillTemplate>& templates, const WaitingConversation& c) {
  std::vector<std::string> out;
  out.reserve(templates.size());
  for (const SkillTemplate& t : templates) {
    if (std::optional<std::string> skill = t.expand(c)) out.push_back(std::move(*skill));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void append_list(std::string& key, const std::vector<std::string>& list) {
  for (const std::string& s : list) {
    key += s;
    key += kSeparator;
  }
}

}  // namespace

std::string PoolSpec::members_key() const {
  std::string key = "t=";
  if (!has_team) {
    key += '*';
  } else if (team) {
    key += std::to_string(*team);
  } else {
    key += '?';
  }
  key += "|a=";
  append_list(key, all);
  key += "|y=";
  append_list(key, any);
  return key;
}

std::string PoolSpec::queue_key() const { return members_key() + "|c=" + channel_type; }

std::string PoolSpec::pool_key() const { return queue_key() + "|s=" + std::string(to_string(strategy)); }

bool PoolSpec::serves(const AgentState& agent) const {
  if (has_team) {
    if (!team || std::find(agent.teams.begin(), agent.teams.end(), *team) == agent.teams.end()) return false;
  }
  for (const std::string& s : all) {
    if (agent.skills.count(s) == 0) return false;
  }
  if (any.empty()) return true;
  return std::any_of(any.begin(), any.end(), [&](const std::string& s) { return agent.skills.count(s) > 0; });
}

PoolSpec pool_spec(const ResolvedTarget& target, const WaitingConversation& conversation) {
  PoolSpec spec;
  spec.has_team = target.has_team;
  spec.team = target.team;
  spec.all = expand(target.skills->all, conversation);
  spec.any = expand(target.skills->any, conversation);
  spec.strategy = target.strategy;
  spec.channel_type = conversation.channel_type;
  return spec;
}

}  // namespace omnigate::workbench::router
