#include "adapters/email/reply_threading.h"

#include <algorithm>

#include "adapters/email/subject.h"

namespace omnigate::adapters::email {
namespace {

constexpr size_t kMaxMessageIdLength = 250;

bool header_safe(const std::string& id) {
  if (id.empty() || id.size() > kMaxMessageIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 127 && c != '<' && c != '>'; });
}

const Json::Value& email_of(const schema::Message& m) {
  if (!m.metadata.isObject() || !m.metadata["email"].isObject()) return Json::Value::nullSingleton();
  return m.metadata["email"];
}

std::string string_at(const Json::Value& object, const char* key) {
  const Json::Value& v = object.isObject() ? object[key] : Json::Value::nullSingleton();
  return v.isString() ? v.asString() : "";
}

// A mail a person wrote to us: the only kind our reply answers.
bool is_customer_mail(const schema::Message& m) {
  const Json::Value& e = email_of(m);
  return m.direction == schema::Direction::in && e.isObject() && !e.get("auto_reply", false).asBool() &&
         !e.get("bounce", false).asBool();
}

std::string inbound_message_id(const schema::Message& m) {
  std::string id = string_at(email_of(m), "message_id");
  return header_safe(id) ? id : "";
}

class Chain {
 public:
  void add(const std::string& id) {
    if (header_safe(id) && std::find(ids_.begin(), ids_.end(), id) == ids_.end()) ids_.push_back(id);
  }
  bool contains(const std::string& id) const { return std::find(ids_.begin(), ids_.end(), id) != ids_.end(); }
  std::vector<std::string> bounded() && {
    if (ids_.size() > kMaxReferences)
      ids_.erase(ids_.begin() + 1, ids_.end() - static_cast<std::ptrdiff_t>(kMaxReferences - 1));
    return std::move(ids_);
  }

 private:
  std::vector<std::string> ids_;
};

}  // namespace

std::string sent_message_id(const schema::Message& message) {
  if (message.direction != schema::Direction::out || message.delivery_status != schema::DeliveryStatus::sent)
    return "";
  std::string id = string_at(message.metadata.isObject() ? message.metadata["delivery"] : Json::Value(),
                             "external_id");
  if (id.empty()) id = message.external_id;
  return header_safe(id) && id.find('@') != std::string::npos ? id : "";
}

ReplyThreading reply_threading(const std::vector<schema::Message>& thread) {
  ReplyThreading out;
  auto parent = std::find_if(thread.rbegin(), thread.rend(), is_customer_mail);
  Chain chain;
  if (parent == thread.rend()) {
    for (const schema::Message& m : thread) {
      std::string ours = sent_message_id(m);
      if (ours.empty()) continue;
      chain.add(ours);
      out.in_reply_to = ours;
    }
    out.references = std::move(chain).bounded();
    return out;
  }

  out.subject = reply_subject("");  // the customer never gave one: "Re:", as clients answer
  for (auto it = parent; it != thread.rend(); ++it) {
    if (!is_customer_mail(*it)) continue;
    std::string subject = string_at(email_of(*it), "subject");
    if (subject.find_first_not_of(" \t") == std::string::npos) continue;
    out.subject = reply_subject(subject);
    break;
  }

  const Json::Value& references = email_of(*parent)["references"];
  if (references.isArray())
    for (const Json::Value& r : references)
      if (r.isString()) chain.add(r.asString());
  auto parent_at = parent.base() - 1;  // the same element, as a forward iterator
  for (auto it = thread.begin(); it != parent_at; ++it) {
    std::string ours = sent_message_id(*it);
    if (!ours.empty() && !chain.contains(ours)) chain.add(ours);
  }
  out.in_reply_to = inbound_message_id(*parent);
  chain.add(out.in_reply_to);
  for (auto it = parent_at + 1; it != thread.end(); ++it) chain.add(sent_message_id(*it));
  out.references = std::move(chain).bounded();
  return out;
}

}  // namespace omnigate::adapters::email
