#pragma once
// Which conversation an inbound mail belongs to (DESIGN.md, "Email threading
// rules"), as a pure decision: the gateway looks the candidates up in the
// store (gateway/store/email_thread_store.h), this file decides, and the
// gateway carries the decision out. Keeping the rules free of I/O lets the
// unit tests walk every rule and its corner cases.
//
// The rules, in the order they are applied:
//  0. A mail already stored (a re-read after a crash, a relay's retry) stays
//     where it is.
//  5. Mail from our own address never opens a conversation and is dropped
//     (a loop through a forwarding rule). Auto-replies and bounces never
//     open one either: when they answer a conversation (by reference or plus
//     address, whoever sent them) they are kept there as a system note, so
//     the agent learns that the customer is away or the address bounces;
//     else they are dropped.
//  1. A reply joins the conversation that holds any Message-ID of its
//     In-Reply-To or References (In-Reply-To first, then References newest
//     first), else the one named by the plus-address token it was sent to.
//  2. ... but only when its sender is that conversation's contact or already
//     took part in it (From/To/Cc of its mails). Anyone else gets a
//     conversation of their own, linked to the one they answered.
//  3. A reply whose subject became a new topic (subject_topic() differs
//     from every subject of the conversation) starts a new conversation,
//     linked to the old one. An empty subject never counts as a new topic.
//  4. A reply to a resolved conversation reopens it when the conversation
//     was last active within the reopen window; after that it starts a new
//     one, linked to the old.
//  A mail that answers nothing joins the sender's open conversation on the
//  same topic (a resend, a second mail before we answered; an empty subject
//  joins the most recent one); any other subject starts a new conversation.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/message.h"
#include "schema/time.h"

namespace omnigate::adapters::email {

// What threading reads from one inbound mail's normalized message
// (metadata.email, see normalize.h). Addresses are lowercased.
struct MailFacts {
  std::string message_id;  // the message's external_id
  std::string sender;      // the contact's address (From, else Reply-To)
  std::string subject;
  // In-Reply-To first, then References newest first; no repeats.
  std::vector<std::string> references;
  std::vector<std::string> recipients;  // To and Cc
  bool auto_reply = false;
  bool bounce = false;
};

MailFacts mail_facts(const schema::Message& message);

// A conversation the mail may belong to, as the store knows it.
struct ConversationFacts {
  std::int64_t id = 0;
  std::string contact;                    // its contact's address, lowercased
  std::vector<std::string> participants;  // every From/To/Cc address on its mails, lowercased
  std::vector<std::string> topics;        // subject_topic() of its mails' subjects
  bool resolved = false;
  schema::Timestamp last_activity{};      // its last message or status change
};

struct ThreadCandidates {
  // The conversation that already holds this mail (by Message-ID).
  std::optional<std::int64_t> stored_in;
  // Conversations holding a Message-ID of MailFacts::references, in that
  // order (the conversation of the first reference that matched first).
  std::vector<ConversationFacts> referenced;
  // The conversation a recipient's plus-address token names.
  std::optional<ConversationFacts> addressed;
  // The sender's open conversations on the channel, most recently active first.
  std::vector<ConversationFacts> open_of_sender;
};

struct ThreadPolicy {
  std::string own_address;  // config.address
  std::chrono::days reopen_window{30};
  schema::Timestamp now{};
};

enum class ThreadAction {
  join,      // add the mail to conversation_id
  reopen,    // reopen the resolved conversation_id, then add the mail
  open_new,  // open a new conversation (linked to related_to when not 0)
  note,      // keep the mail in conversation_id as a system note (a robot's answer)
  drop,      // store nothing
};

struct ThreadDecision {
  ThreadAction action = ThreadAction::drop;
  std::int64_t conversation_id = 0;
  std::int64_t related_to = 0;
  // Why, for logs and metadata.email.thread: "stored", "references",
  // "plus_address", "subject", "new_topic", "other_sender",
  // "reopen_window_passed", "new_mail", "auto_reply", "bounce",
  // "own_address", "no_sender".
  std::string reason;
};

ThreadDecision decide_thread(const MailFacts& mail, const ThreadCandidates& candidates, const ThreadPolicy& policy);

std::string_view to_string(ThreadAction action);

// local@domain and local+anything@domain of `own` (case-insensitive): the
// channel's own address in any plus form.
bool is_own_address(std::string_view address, std::string_view own);

}  // namespace omnigate::adapters::email
