#pragma once
// ParsedEmail -> schema::Message, the one model the store and the workbench
// know. The agent sees the new content first (quote and signature stripped);
// everything else the mail said (full text, addresses, threading ids,
// problems, auto-reply/bounce flags) is kept in metadata["email"] so nothing
// is lost and threading can work from the stored message alone.
#include <cstdint>

#include <json/value.h>

#include "adapters/email/parsed_email.h"
#include "schema/message.h"

namespace omnigate::adapters::email {

// external_id is the Message-ID without <>; a mail without one gets
// "sha256:<hex of the raw mail>", stable across re-fetches of the same mail.
// Attachment bytes are not part of the model: each file/image part carries
// extra.sha256 (of the bytes, when kept), extra.content_id and extra.inline,
// and the caller stores the bytes (ParsedEmail::attachments) by that hash.
schema::Message normalize(const ParsedEmail& mail, std::int64_t channel_id = 0);

// metadata["email"] on its own: {message_id, in_reply_to, references[],
// subject, from{name,address}, to[], cc[], reply_to[], full_text, has_html,
// problems[], auto_reply, bounce}.
Json::Value email_metadata(const ParsedEmail& mail);

}  // namespace omnigate::adapters::email
