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
  // Lifecycle (gateway/store/lifecycle_store.h, schema/migrations/010_queue.sql).
  std::optional<Timestamp> queued_at;          // when it last entered the queue
  std::optional<Timestamp> assigned_at;        // when its current or last assignee took it
  std::optional<Timestamp> snoozed_until;      // while snoozed
  std::optional<Timestamp> first_response_at;  // first agent reply since it (re)opened
  std::optional<Timestamp> resolved_at;        // while resolved
  bool first_response_breached = false;        // SLA: first_response_due passed without a reply
  bool resolution_breached = false;            // SLA: resolution_due passed while open

  bool operator==(const Conversation&) const = default;
};

}  // namespace omnigate::schema
