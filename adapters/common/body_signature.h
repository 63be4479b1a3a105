#pragma once
// The signature every omnigate-signed HTTP body carries, inbound (the webhook
// channel, the email channel's relay path) and outbound (webhook deliveries):
//   X-Omnigate-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>
// One scheme, so an integrator who signs webhook messages can sign relayed
// mail with the same few lines.
#include <string>
#include <string_view>

#include "adapters/adapter.h"

namespace omnigate::adapters {

inline constexpr const char* kSignatureHeader = "X-Omnigate-Signature";

// "sha256=<hex>" for body under secret: what a sender puts in the header.
std::string sign_body(std::string_view secret, std::string_view body);

// Checks the request's signature header against its raw body in constant
// time. Throws AdapterError::bad_signature when the header is missing or
// wrong, or when the channel has no secret to check it with.
void verify_body_signature(const InboundRequest& request, std::string_view secret);

}  // namespace omnigate::adapters
