#include "adapters/email/reply_composer.h"

#include <cstdio>

#include "adapters/email/reply_threading.h"
#include "adapters/email/thread_ids.h"

namespace omnigate::adapters::email {
namespace {

std::string config_string(const schema::Channel& channel, const char* key) {
  const Json::Value& v = channel.config.isObject() ? channel.config[key] : Json::Value::nullSingleton();
  return v.isString() ? v.asString() : "";
}

bool plus_addressing(const schema::Channel& channel) {
  const Json::Value& v = channel.config.isObject() ? channel.config["plus_addressing"] : Json::Value::nullSingleton();
  return v.isBool() ? v.asBool() : true;
}

std::string coordinates(double latitude, double longitude) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f, %.6f", latitude, longitude);
  return buf;
}

std::string part_label(const schema::Part& p) {
  if (!p.name.empty()) return p.name;
  if (!p.title.empty()) return p.title;
  return std::string(p.type == schema::PartType::image ? "image" : "file");
}

struct Content {
  std::vector<std::string> paragraphs;
  std::vector<OutgoingAttachment> attachments;
};

Content content_of(const std::vector<schema::Part>& parts, const AttachmentSource* source) {
  Content c;
  auto add = [&](std::string s) {
    if (s.find_first_not_of(" \t\r\n") != std::string::npos) c.paragraphs.push_back(std::move(s));
  };
  for (const schema::Part& p : parts) {
    switch (p.type) {
      case schema::PartType::text: add(p.text); break;
      case schema::PartType::link: add(p.title.empty() ? p.url : p.title + "\n" + p.url); break;
      case schema::PartType::location: {
        std::string where = p.label;
        if (p.latitude && p.longitude)
          where += (where.empty() ? "" : " ") + ("(" + coordinates(*p.latitude, *p.longitude) + ")");
        add(where);
        break;
      }
      case schema::PartType::event: break;
      case schema::PartType::image:
      case schema::PartType::file:
      case schema::PartType::audio:
      case schema::PartType::video: {
        std::optional<std::string> bytes = source ? source->bytes_of(p) : std::nullopt;
        if (bytes) {
          c.attachments.push_back({p.name, p.mime_type, std::move(*bytes)});
        } else if (!p.url.empty()) {
          add(part_label(p) + ": " + p.url);
        } else {
          throw AdapterError::bad_request("the attachment \"" + part_label(p) +
                                          "\" cannot be sent by email: its bytes are not available and it has no url");
        }
        break;
      }
    }
  }
  return c;
}

std::string join(const std::vector<std::string>& paragraphs) {
  std::string out;
  for (const std::string& p : paragraphs) {
    if (!out.empty()) out += "\n\n";
    out += p;
  }
  return out;
}

}  // namespace

OutgoingMail compose_reply(const schema::Channel& channel, const Outbound& outbound, const AttachmentSource* attachments) {
  OutgoingMail mail;
  std::string address = config_string(channel, "address");
  if (address.empty()) throw AdapterError::invalid_config("email channel: config.address is required");
  mail.from = {config_string(channel, "display_name"), address};
  if (outbound.recipient_id.empty())
    throw AdapterError::bad_request("the contact has no email address on this channel");
  mail.to.push_back({outbound.recipient_name, outbound.recipient_id});
  if (plus_addressing(channel) && outbound.message.conversation_id > 0)
    mail.reply_to.push_back({mail.from.name, plus_address(channel, outbound.message.conversation_id)});

  ReplyThreading threading = reply_threading(outbound.thread);
  mail.subject = threading.subject;
  if (mail.subject.empty())
    mail.subject = "Message from " + (mail.from.name.empty() ? address : mail.from.name);
  mail.in_reply_to = std::move(threading.in_reply_to);
  mail.references = std::move(threading.references);
  mail.message_id = our_message_id(channel, outbound.message.id);
  // The stored time, not now: a retry sends the same Date with the same Message-ID.
  mail.date = outbound.message.created_at.time_since_epoch().count() != 0 ? outbound.message.created_at : schema::now();

  Content content = content_of(outbound.message.parts, attachments);
  if (content.paragraphs.empty() && content.attachments.empty())
    throw AdapterError::bad_request("the reply has nothing to send by email");
  mail.text = join(content.paragraphs);
  mail.attachments = std::move(content.attachments);
  return mail;
}

std::optional<std::string> OutboundFiles::bytes_of(const schema::Part& part) const {
  if (!part.extra.isObject() || !part.extra["sha256"].isString()) return std::nullopt;
  auto it = files_.find(part.extra["sha256"].asString());
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

}  // namespace omnigate::adapters::email
