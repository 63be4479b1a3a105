#include "adapters/email/threading.h"

#include <algorithm>
#include <cctype>

#include "adapters/email/subject.h"

namespace omnigate::adapters::email {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (!value.empty() && !contains(list, value)) list.push_back(std::move(value));
}

void add_addresses(std::vector<std::string>& out, const Json::Value& mailboxes) {
  if (!mailboxes.isArray()) return;
  for (const Json::Value& m : mailboxes)
    if (m.isObject() && m["address"].isString()) add_unique(out, lower(m["address"].asString()));
}

// Rule 2: the sender may continue a conversation that is theirs or that
// they already took part in (Cc'd on it).
bool may_continue(const MailFacts& mail, const ConversationFacts& c) {
  return mail.sender == c.contact || contains(c.participants, mail.sender);
}

// Rule 3: a subject that names none of the conversation's topics. No
// subject, or a conversation with no subject known, is no evidence.
bool is_new_topic(const std::string& topic, const ConversationFacts& c) {
  if (topic.empty() || c.topics.empty()) return false;
  return !contains(c.topics, topic);
}

ThreadDecision decide(ThreadAction action, std::int64_t conversation, std::string reason, std::int64_t related = 0) {
  ThreadDecision d;
  d.action = action;
  d.conversation_id = conversation;
  d.related_to = related;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

MailFacts mail_facts(const schema::Message& message) {
  MailFacts f;
  f.message_id = message.external_id;
  f.sender = lower(message.sender.id);
  const Json::Value& e =
      message.metadata.isObject() && message.metadata["email"].isObject() ? message.metadata["email"] : Json::Value::nullSingleton();
  if (!e.isObject()) return f;
  f.subject = e["subject"].asString();
  add_unique(f.references, e["in_reply_to"].asString());
  const Json::Value& refs = e["references"];
  if (refs.isArray())
    for (Json::ArrayIndex i = refs.size(); i-- > 0;)
      if (refs[i].isString()) add_unique(f.references, refs[i].asString());
  add_addresses(f.recipients, e["to"]);
  add_addresses(f.recipients, e["cc"]);
  f.auto_reply = e["auto_reply"].asBool();
  f.bounce = e["bounce"].asBool();
  return f;
}

bool is_own_address(std::string_view address, std::string_view own) {
  std::string a = lower(address), o = lower(own);
  if (a.empty() || o.empty()) return false;
  if (a == o) return true;
  size_t at_o = o.rfind('@'), at_a = a.rfind('@');
  if (at_o == std::string::npos || at_a == std::string::npos) return false;
  if (a.substr(at_a) != o.substr(at_o)) return false;  // "@domain"
  std::string_view local = std::string_view(a).substr(0, at_a);
  std::string_view own_local = std::string_view(o).substr(0, at_o);
  return local.size() > own_local.size() && local.starts_with(own_local) && local[own_local.size()] == '+';
}

ThreadDecision decide_thread(const MailFacts& mail, const ThreadCandidates& c, const ThreadPolicy& policy) {
  if (c.stored_in) return decide(ThreadAction::join, *c.stored_in, "stored");
  if (is_own_address(mail.sender, policy.own_address)) return decide(ThreadAction::drop, 0, "own_address");

  if (mail.auto_reply || mail.bounce) {
    // Whoever sent it (a mailer-daemon is never the contact), it belongs to
    // the conversation it answers, as a note; it never opens one.
    std::string why = mail.bounce ? "bounce" : "auto_reply";
    if (!c.referenced.empty()) return decide(ThreadAction::note, c.referenced.front().id, why);
    if (c.addressed) return decide(ThreadAction::note, c.addressed->id, why);
    return decide(ThreadAction::drop, 0, why);
  }
  if (mail.sender.empty()) return decide(ThreadAction::drop, 0, "no_sender");

  const std::string topic = subject_topic(mail.subject);
  // Rule 1: references first, in order, then the plus address; rule 2
  // skips conversations the sender has no part in.
  const ConversationFacts* answered = nullptr;   // the first conversation the mail answers at all
  const ConversationFacts* continued = nullptr;  // the first one the sender may continue
  std::string how;
  for (const ConversationFacts& r : c.referenced) {
    if (!answered) answered = &r;
    if (may_continue(mail, r)) {
      continued = &r;
      how = "references";
      break;
    }
  }
  if (!continued && c.addressed) {
    if (!answered) answered = &*c.addressed;
    if (may_continue(mail, *c.addressed)) {
      continued = &*c.addressed;
      how = "plus_address";
    }
  }

  if (continued) {
    if (is_new_topic(topic, *continued)) return decide(ThreadAction::open_new, 0, "new_topic", continued->id);
    if (!continued->resolved) return decide(ThreadAction::join, continued->id, how);
    if (policy.now - continued->last_activity <= policy.reopen_window)
      return decide(ThreadAction::reopen, continued->id, how);
    return decide(ThreadAction::open_new, 0, "reopen_window_passed", continued->id);
  }
  if (answered) return decide(ThreadAction::open_new, 0, "other_sender", answered->id);

  // Answers nothing we know: the sender's open conversation on this topic.
  for (const ConversationFacts& o : c.open_of_sender)
    if (topic.empty() || contains(o.topics, topic)) return decide(ThreadAction::join, o.id, "subject");
  return decide(ThreadAction::open_new, 0, "new_mail");
}

std::string_view to_string(ThreadAction action) {
  switch (action) {
    case ThreadAction::join: return "join";
    case ThreadAction::reopen: return "reopen";
    case ThreadAction::open_new: return "open_new";
    case ThreadAction::note: return "note";
    case ThreadAction::drop: return "drop";
  }
  return "drop";
}

}  // namespace omnigate::adapters::email
