#pragma once
// Raw RFC 822 bytes -> ParsedEmail, with GMime 3 doing all MIME parsing
// (headers, RFC 2047 words, RFC 2231 parameters, multipart boundaries,
// quoted-printable and base64). This file decides what to keep: which part is
// the body, which are attachments, and how each charset becomes UTF-8.
//
// Never throws: a malformed or truncated mail yields whatever could be read,
// and every part that could not be read is named in ParsedEmail::problems.
// Thread-safe: GMime is initialised once, and each call has its own parser.
#include <cstddef>
#include <string_view>

#include "adapters/email/gmime_init.h"
#include "adapters/email/parsed_email.h"

namespace omnigate::adapters::email {

struct ParseLimits {
  // Over either limit an attachment keeps its metadata (name, type, size)
  // but loses its bytes, and a problem says so.
  std::size_t max_attachment_bytes = 25u << 20;
  std::size_t max_total_attachment_bytes = 50u << 20;
  // The plain text and the HTML are each cut (at a character boundary) past this.
  std::size_t max_text_bytes = 2u << 20;
};

ParsedEmail parse_email(std::string_view raw, const ParseLimits& limits = {});

}  // namespace omnigate::adapters::email
