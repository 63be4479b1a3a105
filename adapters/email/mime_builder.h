#pragma once
// One outgoing mail as RFC 5322 + MIME bytes, built by GMime 3 (headers
// folded and RFC 2047-encoded, parameters RFC 2231-encoded, bodies
// transfer-encoded by GMime; nothing glued by hand):
//
//   multipart/mixed                      (only when there are attachments)
//   ├─ multipart/alternative
//   │  ├─ text/plain; charset=utf-8      (quoted-printable or base64, whichever is shorter)
//   │  └─ text/html; charset=utf-8       (text_to_html of the same text)
//   └─ attachments, base64, Content-Disposition: attachment; filename*=utf-8''...
//
// Headers: From, Reply-To (when given), To, Subject, Date, Message-ID,
// In-Reply-To and References (when given), MIME-Version. Never
// Auto-Submitted: these are human replies, and a customer's autoresponder
// must be free to answer them (RFC 3834).
// Lines end in CRLF, ready for SMTP DATA. Pure: no I/O, thread-safe.
#include <string>
#include <vector>

#include "adapters/email/parsed_email.h"
#include "schema/time.h"

namespace omnigate::adapters::email {

struct OutgoingAttachment {
  std::string filename;      // UTF-8; may be empty
  std::string content_type;  // "image/png"; anything unparsable is sent as application/octet-stream
  std::string bytes;
};

struct OutgoingMail {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> reply_to;         // empty: no Reply-To header
  std::string subject;                   // UTF-8
  std::string message_id;                // without <>
  std::string in_reply_to;               // without <>; "" for none
  std::vector<std::string> references;   // without <>, oldest first
  schema::Timestamp date{};
  std::string text;                      // UTF-8 plain text; the HTML alternative is made from it
  std::vector<OutgoingAttachment> attachments;
};

// Invalid UTF-8 in any field is replaced (U+FFFD), and control characters in
// header fields become spaces, so no input can add a header line.
std::string build_mime(const OutgoingMail& mail);

}  // namespace omnigate::adapters::email
