#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/time.h"

namespace omnigate::schema {

enum class ConversationStatus { bot, queued, assigned, snoozed, resolved };

struct Conversation {
  std::int64_t id = 0;
  std::int64_t channel_id = 0;
  std::int64_t contact_id = 0;
  ConversationStatus status = ConversationStatus::queued;
  int priority = 0;  // higher is more urgent
  std::optional<std::int64_t> assignee_id;
  std::optional<std::int64_t> team_id;
  std::vector<std::string> tags;
  std::int64_t last_seq = 0;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> last_message_at;
  std::optional<Timestamp> first_response_due;
  std::optional<Timestamp> resolution_due;

  bool operator==(const Conversation&) const = default;
};

}  // namespace omnigate::schema
