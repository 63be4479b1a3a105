#include "gateway/inbound/email_inbound.h"

#include <algorithm>

#include "adapters/email/settings.h"
#include "adapters/email/thread_ids.h"
#include "gateway/logging.h"
#include "schema/json.h"

namespace omnigate::gateway {
namespace {

namespace email = adapters::email;

void add_unique(std::vector<std::int64_t>& ids, std::int64_t id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

// thread_ids.h throws invalid_config for a channel without a signing secret
// or address; such a channel simply has no ids of ours to recognise.
template <typename F>
auto or_nothing(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const adapters::AdapterError&) {
    return std::nullopt;
  }
}

}  // namespace

email::ThreadCandidates EmailInbound::candidates(const schema::Channel& channel, const email::MailFacts& mail) {
  email::ThreadCandidates c;
  c.stored_in = threads_.conversation_of(channel.id, mail.message_id);
  if (c.stored_in) return c;

  // Rule 1: every Message-ID the mail refers to, in order; ours also name
  // their message directly, even before the outbox recorded them.
  std::map<std::string, std::int64_t> by_id = threads_.conversations_by_message_id(channel.id, mail.references);
  std::map<std::string, std::int64_t> ours;
  for (const std::string& ref : mail.references)
    if (auto id = or_nothing([&] { return email::message_from_our_message_id(channel, ref); })) ours.emplace(ref, *id);
  std::vector<std::int64_t> our_ids;
  for (const auto& [ref, id] : ours) our_ids.push_back(id);
  std::map<std::int64_t, std::int64_t> by_message = threads_.conversations_by_message(channel.id, our_ids);

  std::vector<std::int64_t> referenced;
  for (const std::string& ref : mail.references) {
    if (auto it = by_id.find(ref); it != by_id.end()) add_unique(referenced, it->second);
    if (auto it = ours.find(ref); it != ours.end())
      if (auto m = by_message.find(it->second); m != by_message.end()) add_unique(referenced, m->second);
  }
  std::optional<std::int64_t> addressed;
  for (const std::string& to : mail.recipients) {
    addressed = or_nothing([&] { return email::conversation_from_address(channel, to); });
    if (addressed) break;
  }
  std::vector<std::int64_t> open = threads_.open_conversations_of(channel.id, mail.sender);

  std::vector<std::int64_t> all = referenced;
  if (addressed) add_unique(all, *addressed);
  for (std::int64_t id : open) add_unique(all, id);
  std::map<std::int64_t, email::ConversationFacts> facts;
  for (email::ConversationFacts& f : threads_.facts(channel.id, all)) facts.emplace(f.id, std::move(f));
  for (std::int64_t id : referenced)
    if (auto it = facts.find(id); it != facts.end()) c.referenced.push_back(it->second);
  if (addressed)
    if (auto it = facts.find(*addressed); it != facts.end()) c.addressed = it->second;
  for (std::int64_t id : open)
    if (auto it = facts.find(id); it != facts.end()) c.open_of_sender.push_back(it->second);
  return c;
}

bool EmailInbound::apply(const schema::Channel& channel, const email::ThreadDecision& d, schema::Message& message) {
  switch (d.action) {
    case email::ThreadAction::join:
      message.conversation_id = d.conversation_id;
      break;
    case email::ThreadAction::reopen:
      message.conversation_id = threads_.reopen(d.conversation_id);
      break;
    case email::ThreadAction::open_new:
      // The opening mail's Message-ID names the topic's conversation, so a
      // re-read of the same mail finds the same one.
      message.conversation_id =
          threads_.open_conversation(channel.id, message.sender.id, message.sender.name, message.external_id);
      break;
    case email::ThreadAction::note:
      // Kept for the agent, never routed or answered (threading rule 5).
      message.conversation_id = d.conversation_id;
      message.direction = schema::Direction::system;
      message.sender.type = schema::SenderType::system;
      break;
    case email::ThreadAction::drop:
      return false;
  }
  if (!message.metadata.isObject()) message.metadata = Json::Value(Json::objectValue);
  Json::Value& thread = message.metadata["email"]["thread"] = Json::Value(Json::objectValue);
  thread["action"] = std::string(email::to_string(d.action));
  thread["reason"] = d.reason;
  if (d.related_to != 0) thread["related_conversation"] = Json::Int64(d.related_to);
  return true;
}

void EmailInbound::prepare(const schema::Channel& channel, adapters::Ingest& ingest) {
  email::EmailSettings settings = email::read_email_settings(channel);
  email::ThreadPolicy policy;
  policy.own_address = settings.address;
  policy.reopen_window = settings.reopen_window;
  policy.now = schema::now();

  std::vector<schema::Message> kept;
  Json::Value ignored(Json::arrayValue);
  for (schema::Message& message : ingest.messages) {
    email::MailFacts mail = email::mail_facts(message);
    email::ThreadDecision d = email::decide_thread(mail, candidates(channel, mail), policy);
    metrics_
        .counter("omnigate_email_threading_total", "Inbound mails by threading decision",
                 "action=\"" + std::string(email::to_string(d.action)) + "\"")
        .inc();
    if (!apply(channel, d, message)) {
      spdlog::info("event=email.dropped channel={} message_id={} sender={} reason={}", channel.id,
                   q(message.external_id), q(mail.sender), d.reason);
      Json::Value i(Json::objectValue);
      i["external_id"] = message.external_id;
      i["reason"] = d.reason;
      ignored.append(i);
      continue;
    }
    spdlog::debug("event=email.threaded channel={} message_id={} action={} reason={} conversation={}", channel.id,
                  q(message.external_id), email::to_string(d.action), d.reason, message.conversation_id);
    kept.push_back(std::move(message));
  }
  ingest.messages = std::move(kept);

  if (ingest.messages.empty()) {
    // Nothing to store: the relay still gets a success (a retry would be
    // dropped again), naming what was ignored and why.
    ingest.blobs.clear();
    Json::Value answer(Json::objectValue);
    answer["messages"] = Json::Value(Json::arrayValue);
    answer["ignored"] = ignored;
    ingest.answer_with_stored_messages = false;
    ingest.answer = {200, "application/json", schema::write_json(answer)};
    return;
  }
  blobs_.put(ingest.blobs);
}

}  // namespace omnigate::gateway
