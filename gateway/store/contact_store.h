#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <json/value.h>

#include "gateway/db/pool.h"
#include "schema/contact.h"
#include "schema/conversation.h"

namespace omnigate::store {

// A conversation as the contact view lists it, with the channel it came through.
struct ContactConversation {
  std::int64_t id = 0;
  std::int64_t channel_id = 0;
  std::string channel_type;
  std::string channel_name;
  schema::ConversationStatus status = schema::ConversationStatus::queued;
  std::optional<std::int64_t> assignee_id;
  std::optional<std::int64_t> team_id;
  std::int64_t last_seq = 0;
  std::optional<schema::Timestamp> last_message_at;
  schema::Timestamp created_at{};
};

// One person across every channel: identities, and the conversations of all of them.
struct ContactView {
  schema::Contact contact;
  std::map<std::int64_t, std::string> channel_names;  // of the identities' channels
  std::vector<ContactConversation> conversations;     // most recent first
  std::optional<std::int64_t> merged_into;            // set: this contact lives on there
};

struct ContactEdit {
  std::optional<std::string> name;
  // An object merged key by key into the attributes; a null value removes
  // that key. Null: attributes unchanged.
  Json::Value attributes;
  std::optional<std::vector<std::string>> tags;  // replaces the tags
};

class ContactStore {
 public:
  explicit ContactStore(db::ConnectionPool& pool) : pool_(pool) {}
  // Merges `attributes` (an object: page URL, language, user agent, IP...)
  // into the contact known on the channel by external_id. False when the
  // channel has no such contact yet.
  bool merge_attributes(std::int64_t channel_id, const std::string& external_id, const Json::Value& attributes);

  std::optional<ContactView> view(std::int64_t id);
  // StoreError not_found for an unknown or merged contact.
  schema::Contact update(std::int64_t id, const ContactEdit& edit);
  // Moves every identity and conversation of `other` to `into`, merges
  // attributes (into's win) and tags, and leaves `other` pointing at `into`;
  // audited as `actor`'s. New messages from any of other's identities then
  // reach `into`. StoreError: invalid for the same contact twice, not_found,
  // conflict when both have an open conversation on one channel (and email
  // thread; one of them must be resolved first) or either was merged already.
  schema::Contact merge(std::int64_t into, std::int64_t other, std::int64_t actor);
  // Contacts (not merged ones) whose name or any identity starts with q, or
  // whose id is q; newest first, ids below `before` when given.
  std::vector<schema::Contact> search(const std::string& q, std::optional<std::int64_t> before, int limit);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
