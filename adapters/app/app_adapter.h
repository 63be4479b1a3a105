#pragma once
// The mobile app channel. Apps speak the realtime hub's protocol (or its
// HTTP fallback, /v1/app/messages and /v1/app/sync) like the web widget; what
// is app-specific is identity: an app's backend signs its logged-in users so
// the gateway can trust "this is user 42" without an extra call.
//
// Config: {"key": public key (generated), "require_identity": false}
// Secrets: {"identity_secret": HMAC key (generated; give it to the app backend)}
// Identity token: base64url(JSON {"sub":USER_ID,"name":?,"exp":UNIX_SECONDS})
//                 + "." + hex(HMAC-SHA256(identity_secret, <the base64url part>))
// A verified user is the visitor "u:<sub>", the same contact on every device.
#include <cstdint>
#include <optional>
#include <string>

#include "adapters/adapter.h"
#include "adapters/common/visitor.h"

namespace omnigate::adapters::app {

// What an app backend does to sign a user (also used by tests).
std::string sign_identity(const std::string& secret, const std::string& user_id, const std::string& name,
                          std::int64_t expires_at_unix);

// The visitor an identity token proves; AdapterError 401 ("bad_identity") for
// a token that is malformed, forged or expired.
Visitor verify_identity(const schema::Channel& channel, const std::string& token);

// The visitor for a hello or an HTTP fallback call: the verified identity
// when a token is given, else the anonymous id (refused when the channel
// requires identities).
Visitor visitor_for(const schema::Channel& channel, const std::string& identity_token, const std::string& anonymous_id);

class AppAdapter : public Adapter {
 public:
  schema::ChannelType type() const override { return schema::ChannelType::app; }
  void configure(schema::Channel& channel) const override;
  Ingest ingest(const schema::Channel& channel, const InboundRequest& request) const override;
  Delivery deliver(const schema::Channel& channel, const Outbound& outbound) const override;
};

}  // namespace omnigate::adapters::app
