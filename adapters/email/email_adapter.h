#pragma once
// The email channel. Mail comes in two ways, both ending in read_mail():
//  - the IMAP poller (gateway/pull/imap_poller.h) fetches each new mail from
//    the configured mailbox;
//  - mail relays POST the raw RFC 822 mail to /v1/hooks/{token}, signed like
//    the webhook channel (adapters/common/body_signature.h) with
//    secrets.signing_secret. A relay's retry is harmless: the Message-ID is
//    the message's external_id.
// Which conversation a mail joins is not decided here (adapters never query
// the store): the gateway threads it (adapters/email/threading.h) before the
// group commit. Replies leave through deliver_email (adapters/email/outbound.h).
#include <string_view>
#include <vector>

#include "adapters/adapter.h"

namespace omnigate::adapters::email {

// One raw mail as the channel's Ingest: its normalized message (see
// normalize.h) and the bytes of its attachments as blobs (parts over
// config.max_attachment_bytes keep their name, type and size but not their
// bytes, and say so in metadata.email.problems). Never throws for a
// malformed mail: what can be read is kept.
Ingest read_mail(const schema::Channel& channel, std::string_view raw);

class EmailAdapter : public Adapter {
 public:
  schema::ChannelType type() const override { return schema::ChannelType::email; }
  void configure(schema::Channel& channel) const override;
  Ingest ingest(const schema::Channel& channel, const InboundRequest& request) const override;
  Delivery deliver(const schema::Channel& channel, const Outbound& outbound) const override;
  // IMAP login + EXAMINE when the channel polls a mailbox, then an SMTP
  // session up to AUTH and NOOP (connection_test.h).
  std::vector<ConnectionCheck> test_connection(const schema::Channel& channel) const override;
};

}  // namespace omnigate::adapters::email
