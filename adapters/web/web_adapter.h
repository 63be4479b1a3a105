#pragma once
// The web chat channel. Visitors talk to the gateway over the realtime hub
// (gateway/realtime), not over /v1/hooks; this adapter owns what is specific
// to the channel: its config (the public `key` the widget sends, the allowed
// browser origins), turning a visitor's `send` frame into the model, and
// delivery (a reply is delivered once stored: the hub pushes it to the
// visitor's live sockets, and a visitor who is away gets it on resume).
// Visitor frames become messages through adapters/common/visitor.h.
//
// Config: {"key": public key (generated), "allowed_origins": ["https://shop.example", ...]}
// An empty allowed_origins list accepts any origin (fine for trying it out;
// set it before going live).
#include <string>

#include <json/value.h>

#include "adapters/adapter.h"

namespace omnigate::adapters::web {

bool origin_allowed(const schema::Channel& channel, const std::string& origin);

class WebAdapter : public Adapter {
 public:
  schema::ChannelType type() const override { return schema::ChannelType::web; }
  void configure(schema::Channel& channel) const override;
  Ingest ingest(const schema::Channel& channel, const InboundRequest& request) const override;
  Delivery deliver(const schema::Channel& channel, const Outbound& outbound) const override;
};

}  // namespace omnigate::adapters::web
