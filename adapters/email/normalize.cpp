#include "adapters/email/normalize.h"

#include <algorithm>
#include <cctype>

#include "adapters/common/crypto.h"

namespace omnigate::adapters::email {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Json::Value mailbox_json(const Mailbox& m) {
  Json::Value j(Json::objectValue);
  if (!m.name.empty()) j["name"] = m.name;
  j["address"] = m.address;
  return j;
}

Json::Value mailboxes_json(const std::vector<Mailbox>& list) {
  Json::Value a(Json::arrayValue);
  for (const Mailbox& m : list) a.append(mailbox_json(m));
  return a;
}

Json::Value strings_json(const std::vector<std::string>& list) {
  Json::Value a(Json::arrayValue);
  for (const std::string& s : list) a.append(s);
  return a;
}

// Who the contact is: the From mailbox, else whoever the mail says to answer.
const Mailbox* contact_mailbox(const ParsedEmail& mail) {
  for (const auto* list : {&mail.from, &mail.reply_to})
    for (const Mailbox& m : *list)
      if (!m.address.empty()) return &m;
  return nullptr;
}

schema::Part attachment_part(const Attachment& a, size_t index) {
  schema::Part p;
  p.type = a.content_type.starts_with("image/") ? schema::PartType::image : schema::PartType::file;
  p.name = a.filename;
  if (p.name.empty()) p.name = !a.content_id.empty() ? a.content_id : "attachment-" + std::to_string(index + 1);
  p.mime_type = a.content_type;
  p.size = static_cast<std::int64_t>(a.size);
  p.extra = Json::Value(Json::objectValue);
  if (!a.bytes_dropped) p.extra["sha256"] = crypto::to_hex(crypto::sha256(a.bytes));
  if (a.bytes_dropped) p.extra["bytes_dropped"] = true;
  if (!a.content_id.empty()) p.extra["content_id"] = a.content_id;
  p.extra["inline"] = a.is_inline;
  return p;
}

}  // namespace

Json::Value email_metadata(const ParsedEmail& mail) {
  Json::Value e(Json::objectValue);
  e["message_id"] = mail.message_id;
  e["in_reply_to"] = mail.in_reply_to;
  e["references"] = strings_json(mail.references);
  e["subject"] = mail.subject;
  e["from"] = mail.from.empty() ? Json::Value(Json::objectValue) : mailbox_json(mail.from.front());
  e["to"] = mailboxes_json(mail.to);
  e["cc"] = mailboxes_json(mail.cc);
  e["reply_to"] = mailboxes_json(mail.reply_to);
  e["full_text"] = mail.text;
  e["has_html"] = !mail.html.empty();
  e["problems"] = strings_json(mail.problems);
  e["auto_reply"] = mail.is_auto_reply;
  e["bounce"] = mail.is_bounce;
  return e;
}

schema::Message normalize(const ParsedEmail& mail, std::int64_t channel_id) {
  schema::Message m;
  m.direction = schema::Direction::in;
  m.channel_id = channel_id;
  m.sender.type = schema::SenderType::contact;
  if (const Mailbox* who = contact_mailbox(mail)) {
    // Addresses are compared case-insensitively in practice (RFC 5321 lets
    // the local part be case-sensitive; no real mailbox relies on it).
    m.sender.id = lower(who->address);
    m.sender.name = who->name;
  }
  m.external_id = mail.message_id.empty() ? "sha256:" + mail.raw_sha256 : mail.message_id;
  m.channel_timestamp = mail.date;

  const std::string& shown = mail.text_without_quote.empty() ? mail.text : mail.text_without_quote;
  if (!shown.empty() || mail.attachments.empty()) {
    schema::Part text;
    text.type = schema::PartType::text;
    text.text = shown;
    m.parts.push_back(std::move(text));
  }
  for (size_t i = 0; i < mail.attachments.size(); ++i) m.parts.push_back(attachment_part(mail.attachments[i], i));

  m.metadata = Json::Value(Json::objectValue);
  m.metadata["email"] = email_metadata(mail);
  return m;
}

}  // namespace omnigate::adapters::email
