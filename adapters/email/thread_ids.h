#pragma once
// The ids we mint so that replies find their conversation again. Both carry
// an HMAC under the channel's signing_secret (secrets.signing_secret), so
// nobody outside can forge one, and both are checked without the store:
//  - the conversation token "<conversation id>-<mac>", used in the plus
//    address support+<token>@domain that our replies give as Reply-To; a
//    customer's answer to it names its conversation even when the mail client
//    dropped In-Reply-To/References (threading's fallback, DESIGN.md rule 1);
//  - our Message-ID "og.<message id>.<mac>@<domain of the address>". It is
//    the same on every attempt at delivering one message: when a server took
//    the mail but its answer got lost, the retry repeats the Message-ID, so
//    clients merge the copies and a reply to either copy joins the thread.
// The mac is the first 10 bytes (80 bits) of HMAC-SHA256 in lowercase hex:
// local parts are compared case-insensitively in practice.
// Rotating signing_secret invalidates earlier tokens and Message-IDs; threading
// still finds sent mails by their stored Message-ID (messages.external_id or
// metadata.delivery.external_id).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schema/channel.h"

namespace omnigate::adapters::email {

// Each throws AdapterError::invalid_config when the channel has no
// secrets.signing_secret or no config.address with a domain.
std::string conversation_token(const schema::Channel& channel, std::int64_t conversation_id);
// The conversation of a token this channel minted; nullopt for anything else.
std::optional<std::int64_t> conversation_from_token(const schema::Channel& channel, std::string_view token);

// config.address with the token as detail: "support+<token>@example.com".
std::string plus_address(const schema::Channel& channel, std::int64_t conversation_id);
// The conversation named by a recipient address of the form plus_address
// gives (same mailbox and domain, case-insensitive, valid token); else nullopt.
std::optional<std::int64_t> conversation_from_address(const schema::Channel& channel, std::string_view address);

// Our Message-ID for outbound message `message_id`, without <>.
std::string our_message_id(const schema::Channel& channel, std::int64_t message_id);
// The outbound message behind one of our Message-IDs (with or without <>);
// nullopt for any other id or a wrong mac.
std::optional<std::int64_t> message_from_our_message_id(const schema::Channel& channel, std::string_view message_id);

}  // namespace omnigate::adapters::email
