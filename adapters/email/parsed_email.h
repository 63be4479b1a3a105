#pragma once
// What the MIME parser reads out of one raw RFC 822 mail, before it becomes a
// schema::Message. Every string is valid UTF-8 whatever the mail's charsets
// were; anything the parser could not read is named in `problems` instead of
// failing the whole mail, so a malformed message still reaches an agent.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "schema/time.h"

namespace omnigate::adapters::email {

struct Mailbox {
  std::string name;     // display name, decoded (RFC 2047) to UTF-8; may be empty
  std::string address;  // addr-spec as written (case kept; compare lowercased)

  bool operator==(const Mailbox&) const = default;
};

struct Attachment {
  std::string filename;      // decoded (RFC 2231 / RFC 2047); may be empty
  std::string content_type;  // "image/png", lowercase type/subtype
  std::string content_id;    // without <>; inline images are referenced by it
  bool is_inline = false;    // Content-Disposition inline or a cid: image in related
  std::size_t size = 0;      // decoded size in bytes, even when bytes were dropped
  bool bytes_dropped = false;  // over a size limit: metadata kept, bytes not
  std::string bytes;         // decoded content (transfer encoding removed)
};

// Headers the auto-reply/bounce rules and threading look at, raw but unfolded.
struct HeadersOfInterest {
  std::string auto_submitted;
  std::string precedence;
  std::string x_autoreply;
  std::string x_autorespond;
  std::string x_auto_response_suppress;
  std::string x_failed_recipients;
  std::string list_id;
  std::string return_path;   // as written, e.g. "<>" or "<bounce@x>"
  bool has_return_path = false;
  std::string content_type;  // of the root entity: "multipart/report; report-type=delivery-status"
  std::string report_type;   // its report-type parameter, lowercase: "delivery-status"
};

struct ParsedEmail {
  std::string message_id;               // without <>
  std::string in_reply_to;              // first Message-ID of In-Reply-To, without <>
  std::vector<std::string> references;  // oldest first, without <>
  std::vector<Mailbox> from, to, cc, reply_to;
  std::string subject;                  // decoded to UTF-8
  std::optional<schema::Timestamp> date;
  std::string text;                // best plain text: text/plain, else HTML as text
  std::string html;                // the text/html alternative (UTF-8), if any
  std::string text_without_quote;  // `text` with the quoted mail and signature stripped
  std::vector<Attachment> attachments;
  HeadersOfInterest headers;
  std::string raw_sha256;  // hex digest of the raw bytes: a stable id when Message-ID is missing
  std::vector<std::string> problems;  // what could not be read, one sentence each
  bool is_auto_reply = false;
  bool is_bounce = false;
};

}  // namespace omnigate::adapters::email
