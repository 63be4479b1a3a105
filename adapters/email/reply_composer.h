#pragma once
// An agent's reply (adapters::Outbound) on an email channel -> the mail to
// send: who it is from and to, threading headers (reply_threading.h from
// Outbound::thread), our Message-ID and plus address (thread_ids.h), the text
// and the attachments. Pure apart from AttachmentSource; the MIME itself is
// mime_builder's job.
//
// Channel config read here (validated by the adapter's configure()):
//   address (required), display_name, plus_addressing (default true);
//   secrets.signing_secret for the Message-ID and the plus-address token.
//
// Parts become:
//   text                         the text, paragraphs separated by a blank line
//   image, file, audio, video    an attachment when the AttachmentSource has
//                                its bytes; else, when it has a url, a
//                                "name: url" line in the text; else the reply
//                                cannot be sent (AdapterError)
//   link                         "title\nurl"
//   location                     "label (latitude, longitude)"
//   event                        nothing (not for customers' eyes)
#include <map>
#include <optional>
#include <string>

#include "adapters/adapter.h"
#include "adapters/email/mime_builder.h"

namespace omnigate::adapters::email {

// Where an outbound file part's bytes come from (an upload store, the
// attachment blobs of inbound mail). Implementations must be thread-safe:
// dispatchers run in parallel.
class AttachmentSource {
 public:
  virtual ~AttachmentSource() = default;
  // The bytes of `part`, or nullopt when this source does not have them.
  virtual std::optional<std::string> bytes_of(const schema::Part& part) const = 0;
};

// The bytes the gateway handed over with the message (Outbound::files),
// found by the part's extra.sha256.
class OutboundFiles : public AttachmentSource {
 public:
  explicit OutboundFiles(const Outbound& outbound) : files_(outbound.files) {}
  std::optional<std::string> bytes_of(const schema::Part& part) const override;

 private:
  const std::map<std::string, std::string>& files_;
};

// Throws AdapterError: invalid_config for a channel missing what it needs,
// bad_request for a reply that cannot be sent as it is (no recipient, a file
// with neither bytes nor url, nothing to send).
OutgoingMail compose_reply(const schema::Channel& channel, const Outbound& outbound,
                           const AttachmentSource* attachments = nullptr);

}  // namespace omnigate::adapters::email
