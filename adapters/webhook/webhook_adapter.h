#pragma once
// The generic signed-JSON channel, for integrators and for anything that can
// POST JSON. Inbound:
//   POST /v1/hooks/{token}
//   X-Omnigate-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>
//   {"external_id":"...","contact":{"id":"...","name":"..."},"text":"...",
//    "parts":[...], "timestamp": <unix seconds | RFC 3339>, "metadata":{...}}
// or {"messages":[<up to 100 of those>]}. `external_id` makes retries
// idempotent; a `timestamp` outside the channel's window is refused as a
// replay. Outbound: agent replies are POSTed to config.outbound_url as
//   {"type":"message.created","message":{...},"recipient":{"id","name"},"attempt":n}
// signed the same way; a retry carries the same message.id, so receivers
// can drop repeats. An admin's connection test POSTs
//   {"type":"ping","channel_id":n}
// signed the same way; receivers answer it 2xx and otherwise ignore it.
#include "adapters/adapter.h"
#include "adapters/common/body_signature.h"

namespace omnigate::adapters::webhook {

// Signing is adapters/common/body_signature.h (sign_body, kSignatureHeader),
// shared with the email relay path.
inline constexpr int kDefaultTimestampToleranceSeconds = 300;
inline constexpr size_t kMaxMessagesPerRequest = 100;

class WebhookAdapter : public Adapter {
 public:
  schema::ChannelType type() const override { return schema::ChannelType::webhook; }
  void configure(schema::Channel& channel) const override;
  Ingest ingest(const schema::Channel& channel, const InboundRequest& request) const override;
  Delivery deliver(const schema::Channel& channel, const Outbound& outbound) const override;
  // "outbound_url": a signed ping to config.outbound_url; 2xx passes. No
  // check when the channel sends nothing out (no outbound_url).
  std::vector<ConnectionCheck> test_connection(const schema::Channel& channel) const override;
};

}  // namespace omnigate::adapters::webhook
