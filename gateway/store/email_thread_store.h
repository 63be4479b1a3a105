#pragma once
// The store's side of email threading: the lookups that gather an inbound
// mail's candidate conversations (adapters/email/threading.h decides among
// them) and the two writes a decision may need before the mail is stored:
// opening a conversation for a new topic, and reopening a resolved one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/email/threading.h"
#include "gateway/db/pool.h"

namespace omnigate::store {

class EmailThreadStore {
 public:
  explicit EmailThreadStore(db::ConnectionPool& pool) : pool_(pool) {}

  // The conversation that already holds the message with this external_id
  // on the channel (a re-read mail).
  std::optional<std::int64_t> conversation_of(std::int64_t channel_id, const std::string& external_id);

  // Message-ID -> conversation, for the Message-IDs stored or sent on the
  // channel: an inbound mail's external_id, or a sent mail's id recorded by
  // the outbox (messages.external_id or metadata.delivery.external_id).
  std::map<std::string, std::int64_t> conversations_by_message_id(std::int64_t channel_id,
                                                                  const std::vector<std::string>& message_ids);
  // Message id -> conversation for messages of the channel (our own
  // Message-IDs name their message, adapters/email/thread_ids.h).
  std::map<std::int64_t, std::int64_t> conversations_by_message(std::int64_t channel_id,
                                                                const std::vector<std::int64_t>& message_ids);
  // The open conversations of the contact known on the channel by `address`,
  // most recently active first (at most 20).
  std::vector<std::int64_t> open_conversations_of(std::int64_t channel_id, const std::string& address);
  // What threading needs of these conversations (those on the channel; in
  // the order of `ids`): contact, participants and topics from their latest
  // 50 mails, status and last activity.
  std::vector<adapters::email::ConversationFacts> facts(std::int64_t channel_id, const std::vector<std::int64_t>& ids);

  // A new open conversation for the contact known on the channel by
  // `address` (the contact is created when new, named `name`), told apart
  // from the contact's other open conversations by thread_key (the
  // Message-ID of the mail that opens it). Idempotent: the same thread_key
  // again returns the same open conversation.
  std::int64_t open_conversation(std::int64_t channel_id, const std::string& address, const std::string& name,
                                 const std::string& thread_key);
  // Moves a resolved conversation back to the queue. Returns the
  // conversation the mail should join: this one, or the open conversation
  // of the same contact and thread that already took its place.
  std::int64_t reopen(std::int64_t conversation_id);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
