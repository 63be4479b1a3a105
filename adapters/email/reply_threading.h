#pragma once
// What makes mail clients file our reply into the customer's thread, worked
// out from the conversation's recent messages (adapters::Outbound::thread,
// oldest first; the dispatcher fills it, so no store query here):
//  - the parent is the customer's latest real mail (inbound, with
//    metadata.email, not an auto-reply or bounce): In-Reply-To is its
//    Message-ID and the subject is "Re: " + its subject (the latest non-empty
//    customer subject, DESIGN.md rule 3), never stacking prefixes;
//  - References is the parent's References, then our sent mails that the
//    parent's chain lacks (a client that trimmed them), the parent's
//    Message-ID, and our mails sent after the parent; without a parent it is
//    our own sent mails (and In-Reply-To the latest of them);
//  - bounded as clients do: the first id (the thread's root) and the latest
//    kMaxReferences - 1, so the header never outgrows what servers accept.
// Ids that could not be written safely into a header (spaces, <>, control or
// non-ASCII characters) are left out.
#include <string>
#include <vector>

#include "schema/message.h"

namespace omnigate::adapters::email {

inline constexpr size_t kMaxReferences = 20;

struct ReplyThreading {
  std::string subject;                  // "" when the thread holds no customer mail
  std::string in_reply_to;              // without <>; "" when there is nothing to answer
  std::vector<std::string> references;  // without <>, oldest first
};

ReplyThreading reply_threading(const std::vector<schema::Message>& thread);

// The Message-ID of one of our sent messages, as recorded on delivery
// (metadata.delivery.external_id, else external_id); "" when not an email
// we sent.
std::string sent_message_id(const schema::Message& message);

}  // namespace omnigate::adapters::email
