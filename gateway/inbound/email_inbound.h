#pragma once
// The email channel's step before the group commit (see preparer.h), shared
// by the relay path (POST /v1/hooks/{token}) and the IMAP poller. For each
// mail it gathers the candidate conversations from the store, lets
// adapters/email/threading.h decide, and carries the decision out:
//  - join / reopen: the message names its conversation (og_ingest's explicit
//    conversation), a resolved one is put back in the queue first;
//  - open_new: a conversation of its own for the topic (thread_key = the
//    mail's Message-ID), with metadata.email.thread.related_conversation
//    naming the conversation it continues or split from;
//  - note: a robot's answer (auto-reply, bounce) is kept in the conversation
//    it answers as a system message, which is never routed or answered;
//  - drop: nothing stored; a log line and
//    omnigate_email_threading_total{action="drop"} say why.
// metadata.email.thread records {action, reason[, related_conversation]}.
// Attachment bytes (ingest.blobs) are kept before the messages, so a stored
// part never points at missing bytes.
#include "gateway/inbound/preparer.h"
#include "gateway/metrics.h"
#include "gateway/store/blob_store.h"
#include "gateway/store/email_thread_store.h"

namespace omnigate::gateway {

class EmailInbound : public InboundPreparer {
 public:
  EmailInbound(store::EmailThreadStore& threads, store::BlobStore& blobs, Metrics& metrics)
      : threads_(threads), blobs_(blobs), metrics_(metrics) {}

  void prepare(const schema::Channel& channel, adapters::Ingest& ingest) override;

 private:
  adapters::email::ThreadCandidates candidates(const schema::Channel& channel,
                                               const adapters::email::MailFacts& mail);
  // Carries out the decision on the message; false when it is dropped.
  bool apply(const schema::Channel& channel, const adapters::email::ThreadDecision& decision,
             schema::Message& message);

  store::EmailThreadStore& threads_;
  store::BlobStore& blobs_;
  Metrics& metrics_;
};

}  // namespace omnigate::gateway
