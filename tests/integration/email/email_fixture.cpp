#include "tests/integration/email/email_fixture.h"

#include "adapters/common/crypto.h"

namespace omnigate::testing {
namespace {

void merge(Json::Value& into, const Json::Value& from) {
  if (!from.isObject()) return;
  for (const std::string& key : from.getMemberNames()) {
    if (from[key].isObject() && into[key].isObject()) merge(into[key], from[key]);
    else into[key] = from[key];
  }
}

}  // namespace

std::string Mail::raw() const {
  std::string out = "From: " + from + "\r\nTo: " + to + "\r\n";
  if (!cc.empty()) out += "Cc: " + cc + "\r\n";
  out += "Subject: =?UTF-8?B?" + crypto::base64_encode(subject) + "?=\r\n";
  out += "Date: Mon, 23 Nov 2026 10:00:00 +0800\r\n";
  out += "Message-ID: <" + message_id + ">\r\n";
  if (!in_reply_to.empty()) out += "In-Reply-To: <" + in_reply_to + ">\r\n";
  if (!references.empty()) out += "References: " + references + "\r\n";
  out += extra_headers;
  out += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += body + "\r\n";
  return out;
}

EmailFixture::EmailFixture(const Json::Value& overrides) {
  gateway = std::make_unique<TestGateway>();
  admin_token = gateway->admin_token();
  Json::Value config(Json::objectValue);
  config["address"] = kSupport;
  config["display_name"] = "Shop Support";
  config["imap"]["url"] = imap.url();
  config["imap"]["username"] = imap.username();
  config["imap"]["password"] = imap.password();
  config["imap"]["starttls"] = "off";
  config["imap"]["poll_interval_seconds"] = 3600;
  config["smtp"]["url"] = smtp.url();
  config["smtp"]["starttls"] = "off";
  merge(config, overrides);
  channel = gateway->create_channel("email", "Support mail", config);
  // The poller's first look at a new channel (an empty inbox); from here on
  // it polls only when asked, so each poll's report is the test's own.
  poll_report();
}

Json::Value EmailFixture::poll_report() {
  auto r = gateway->client().Post("/v1/admin/channels/" + std::to_string(channel_id()) + "/poll",
                                  {{"Authorization", admin_auth()}}, "", "application/json");
  if (!r || r->status != 200) {
    ADD_FAILURE() << "poll: " << (r ? std::to_string(r->status) + " " + r->body : std::string("no answer"));
    return Json::Value();
  }
  return parse(r->body);
}

Json::Value EmailFixture::poll() {
  Json::Value report = poll_report();
  EXPECT_TRUE(report["error"].isNull()) << schema::write_json(report);
  EXPECT_TRUE(report["polled"].asBool()) << schema::write_json(report);
  return report;
}

httplib::Result EmailFixture::relay(const std::string& raw, const std::string& secret) {
  std::string key = secret.empty() ? channel["secrets"]["signing_secret"].asString() : secret;
  return gateway->client().Post("/v1/hooks/" + channel["token"].asString(),
                                {{adapters::kSignatureHeader, adapters::sign_body(key, raw)}}, raw, "message/rfc822");
}

void EmailFixture::restart_gateway() {
  gateway::Config config;
  config.db = gateway->db();
  gateway.reset();
  gateway = std::make_unique<TestGateway>(config);
  admin_token = gateway->admin_token();
  poll_report();  // the new poller's first look, before the test delivers more
}

std::vector<ConversationRow> EmailFixture::conversations() {
  db::PgConnection c(gateway->db());
  auto r = c.exec(
      "SELECT cv.id, cv.status, coalesce((SELECT ci.external_id FROM contact_identities ci "
      "  WHERE ci.contact_id = cv.contact_id AND ci.channel_id = cv.channel_id LIMIT 1), ''), cv.thread_key "
      "FROM conversations cv WHERE cv.channel_id = $1 ORDER BY cv.id",
      {std::to_string(channel_id())});
  std::vector<ConversationRow> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3)});
  return out;
}

std::vector<MessageRow> EmailFixture::messages(std::int64_t conversation_id) {
  db::PgConnection c(gateway->db());
  auto r = c.exec(
      "SELECT id, conversation_id, direction, sender_type, coalesce(external_id, ''), "
      "  coalesce(parts -> 0 ->> 'text', ''), coalesce(metadata, 'null')::text, parts::text "
      "FROM messages WHERE channel_id = $1 AND ($2::bigint = 0 OR conversation_id = $2::bigint) ORDER BY id",
      {std::to_string(channel_id()), std::to_string(conversation_id)});
  std::vector<MessageRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    MessageRow m;
    m.id = r.int64(i, 0);
    m.conversation_id = r.int64(i, 1);
    m.direction = r.str(i, 2);
    m.sender_type = r.str(i, 3);
    m.external_id = r.str(i, 4);
    m.text = r.str(i, 5);
    m.metadata = schema::parse_json(r.text(i, 6));
    m.parts = schema::parse_json(r.text(i, 7));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace omnigate::testing
