#pragma once
// Builders for router scenarios: agents and waiting conversations in a line
// each, times as seconds from a fixed instant, rules from JSON text.
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "schema/json.h"
#include "workbench/router/router.h"

namespace omnigate::workbench::router::testing {

// Seconds after a fixed instant (2027-01-15), so tests never read a clock.
inline TimePoint at(std::int64_t seconds) {
  return TimePoint{std::chrono::seconds(1'800'000'000 + seconds)};
}

inline Rules rules_from(const std::string& json) { return Rules::parse(schema::parse_json(json)); }

class AgentBuilder {
 public:
  explicit AgentBuilder(std::int64_t id) {
    a_.id = id;
    a_.presence = Presence::online;
    a_.online_since = at(-3600);
    a_.last_assigned_at = at(-3600);
  }
  AgentBuilder& capacity(const std::string& channel, int n) {
    a_.capacity[channel] = n;
    return *this;
  }
  AgentBuilder& load(const std::string& channel, int n) {
    a_.load[channel] = n;
    return *this;
  }
  AgentBuilder& team(std::int64_t t) {
    a_.teams.push_back(t);
    return *this;
  }
  AgentBuilder& skill(const std::string& s) {
    a_.skills.insert(s);
    return *this;
  }
  AgentBuilder& presence(Presence p) {
    a_.presence = p;
    return *this;
  }
  AgentBuilder& last_assigned(TimePoint t) {
    a_.last_assigned_at = t;
    return *this;
  }
  AgentBuilder& online_since(TimePoint t) {
    a_.online_since = t;
    return *this;
  }
  operator AgentState() const { return a_; }  // NOLINT: builders convert implicitly by design

 private:
  AgentState a_;
};

// An online agent with room for `web` conversations on the web channel.
inline AgentBuilder agent(std::int64_t id, int web = 5) { return std::move(AgentBuilder(id).capacity("web", web)); }

class ConversationBuilder {
 public:
  ConversationBuilder(std::int64_t id, TimePoint queued) {
    c_.id = id;
    c_.channel_type = "web";
    c_.queued_at = queued;
    c_.target_since = queued;
  }
  ConversationBuilder& channel(const std::string& type) {
    c_.channel_type = type;
    return *this;
  }
  ConversationBuilder& priority(int p) {
    c_.priority = p;
    return *this;
  }
  ConversationBuilder& vip() {
    c_.vip = true;
    return *this;
  }
  ConversationBuilder& attribute(const std::string& k, const std::string& v) {
    c_.attributes[k] = v;
    return *this;
  }
  ConversationBuilder& tag(const std::string& t) {
    c_.tags.insert(t);
    return *this;
  }
  ConversationBuilder& team(std::int64_t t) {
    c_.team = t;
    return *this;
  }
  ConversationBuilder& sticky(std::int64_t agent) {
    c_.sticky_agent = agent;
    return *this;
  }
  ConversationBuilder& declined(std::int64_t agent) {
    c_.declined_by.push_back(agent);
    return *this;
  }
  operator WaitingConversation() const { return c_; }  // NOLINT

 private:
  WaitingConversation c_;
};

inline ConversationBuilder waiting(std::int64_t id, TimePoint queued = at(0)) { return {id, queued}; }

// conversation id -> agent id of a plan's assignments.
inline std::map<std::int64_t, std::int64_t> assigned(const Plan& plan) {
  std::map<std::int64_t, std::int64_t> out;
  for (const Assignment& a : plan.assignments) out[a.conversation] = a.agent;
  return out;
}

}  // namespace omnigate::workbench::router::testing
