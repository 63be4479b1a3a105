#include "adapters/webhook/webhook_adapter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "schema/json.h"
#include "schema/time.h"

namespace omnigate::adapters::webhook {
namespace {

using namespace std::chrono_literals;

// HMAC-SHA256 computed straight with OpenSSL, independent of omnigate::crypto.
std::string independent_sign(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string hex = "sha256=";
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", mac[i]);
    hex += buf;
  }
  return hex;
}

constexpr const char* kSecret = "whsec_test_0123456789";

schema::Channel make_channel(Json::Value config = Json::Value(Json::objectValue)) {
  schema::Channel c;
  c.id = 42;
  c.type = schema::ChannelType::webhook;
  c.name = "integrations";
  c.token = "tok";
  c.config = std::move(config);
  c.secrets = Json::Value(Json::objectValue);
  c.secrets["secret"] = kSecret;
  return c;
}

InboundRequest signed_post(const std::string& body, const std::string& secret = kSecret) {
  InboundRequest r;
  r.method = "POST";
  r.path = "/v1/hooks/tok";
  r.body = body;
  r.headers.emplace(kSignatureHeader, independent_sign(secret, body));
  r.remote_addr = "127.0.0.1";
  return r;
}

std::string json(const Json::Value& v) { return schema::write_json(v); }

Json::Value parse(const std::string& s) { return schema::parse_json(s); }

// Runs ingest and returns the AdapterError it throws; fails the test if none.
AdapterError ingest_error(const schema::Channel& ch, const InboundRequest& req) {
  WebhookAdapter a;
  try {
    Ingest in = a.ingest(ch, req);
    ADD_FAILURE() << "ingest accepted " << req.body << " (" << in.messages.size() << " messages)";
  } catch (const AdapterError& e) {
    return e;
  }
  return AdapterError(0, "none", "no error");
}

AdapterError configure_error(schema::Channel ch) {
  WebhookAdapter a;
  try {
    a.configure(ch);
    ADD_FAILURE() << "configure accepted " << json(ch.config);
  } catch (const AdapterError& e) {
    return e;
  }
  return AdapterError(0, "none", "no error");
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(schema::now().time_since_epoch()).count();
}

// --- sign_body() --------------------------------------------------------------------------

TEST(WebhookSign, MatchesRfc4231Case2) {
  EXPECT_EQ(sign_body("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSign, MatchesIndependentHmac) {
  const std::string body = R"({"contact":{"id":"u1"},"text":"hi"})";
  EXPECT_EQ(sign_body(kSecret, body), independent_sign(kSecret, body));
  EXPECT_EQ(sign_body("", ""), independent_sign("", ""));
  EXPECT_NE(sign_body(kSecret, body), sign_body("other", body));
  EXPECT_NE(sign_body(kSecret, body), sign_body(kSecret, body + " "));
}

// --- configure() ---------------------------------------------------------------------

TEST(WebhookConfigure, GeneratesSecretWhenMissing) {
  WebhookAdapter a;
  schema::Channel ch;
  ch.type = schema::ChannelType::webhook;
  a.configure(ch);
  ASSERT_TRUE(ch.config.isObject());
  EXPECT_TRUE(ch.config.empty());
  ASSERT_TRUE(ch.secrets.isObject());
  ASSERT_TRUE(ch.secrets["secret"].isString());
  std::string secret = ch.secrets["secret"].asString();
  EXPECT_EQ(secret.size(), 43u);  // 32 random bytes, base64url without padding
  EXPECT_EQ(secret.find_first_of("+/="), std::string::npos);

  schema::Channel other;
  a.configure(other);
  EXPECT_NE(other.secrets["secret"].asString(), secret);
}

TEST(WebhookConfigure, ReplacesEmptySecret) {
  WebhookAdapter a;
  schema::Channel ch = make_channel();
  ch.secrets["secret"] = "";
  a.configure(ch);
  EXPECT_EQ(ch.secrets["secret"].asString().size(), 43u);
}

TEST(WebhookConfigure, KeepsExistingSecretAndOtherSecrets) {
  WebhookAdapter a;
  schema::Channel ch = make_channel();
  ch.secrets["previous"] = "rotated-out";
  a.configure(ch);
  EXPECT_EQ(ch.secrets["secret"].asString(), kSecret);
  EXPECT_EQ(ch.secrets["previous"].asString(), "rotated-out");
  a.configure(ch);  // idempotent
  EXPECT_EQ(ch.secrets["secret"].asString(), kSecret);
}

TEST(WebhookConfigure, AcceptsValidConfig) {
  WebhookAdapter a;
  Json::Value cfg = parse(R"({"timestamp_tolerance_s": 30, "outbound_url": "https://example.com/hook"})");
  schema::Channel ch = make_channel(cfg);
  a.configure(ch);
  EXPECT_EQ(ch.config, cfg);

  for (const char* c : {R"({"timestamp_tolerance_s": 1})", R"({"timestamp_tolerance_s": 86400})",
                        R"({"outbound_url": "http://127.0.0.1:9/x"})"}) {
    schema::Channel x = make_channel(parse(c));
    EXPECT_NO_THROW(a.configure(x)) << c;
    EXPECT_EQ(x.config, parse(c));
  }
}

TEST(WebhookConfigure, DoesNotAddNullKeys) {
  WebhookAdapter a;
  schema::Channel ch = make_channel();
  a.configure(ch);
  EXPECT_TRUE(ch.config.getMemberNames().empty()) << json(ch.config);

  schema::Channel with_url = make_channel(parse(R"({"outbound_url": "https://example.com/hook"})"));
  a.configure(with_url);
  EXPECT_EQ(with_url.config.getMemberNames(), std::vector<std::string>{"outbound_url"}) << json(with_url.config);
}

TEST(WebhookConfigure, RejectsBadTolerance) {
  for (const char* c : {R"({"timestamp_tolerance_s": "30"})", R"({"timestamp_tolerance_s": 1.5})",
                        R"({"timestamp_tolerance_s": 0})", R"({"timestamp_tolerance_s": -5})",
                        R"({"timestamp_tolerance_s": 86401})", R"({"timestamp_tolerance_s": true})",
                        R"({"timestamp_tolerance_s": 99999999999})"}) {
    AdapterError e = configure_error(make_channel(parse(c)));
    EXPECT_EQ(e.status(), 400) << c;
    EXPECT_EQ(e.code(), "invalid_config") << c;
    EXPECT_NE(std::string(e.what()).find("timestamp_tolerance_s"), std::string::npos) << e.what();
  }
}

TEST(WebhookConfigure, RejectsNonHttpOutboundUrl) {
  for (const char* c : {R"({"outbound_url": "ftp://example.com/x"})", R"({"outbound_url": "example.com/hook"})",
                        R"({"outbound_url": ""})", R"({"outbound_url": 80})", R"({"outbound_url": ["http://x"]})",
                        R"({"outbound_url": "file:///etc/passwd"})"}) {
    AdapterError e = configure_error(make_channel(parse(c)));
    EXPECT_EQ(e.status(), 400) << c;
    EXPECT_EQ(e.code(), "invalid_config") << c;
    EXPECT_NE(std::string(e.what()).find("outbound_url"), std::string::npos) << e.what();
  }
}

TEST(WebhookConfigure, RejectsNonObjectConfig) {
  AdapterError e = configure_error(make_channel(parse("[1,2]")));
  EXPECT_EQ(e.code(), "invalid_config");
  EXPECT_EQ(configure_error(make_channel(Json::Value("x"))).code(), "invalid_config");
}

// --- ingest(): the happy path --------------------------------------------------------

TEST(WebhookIngest, SignedMessageIsNormalized) {
  std::int64_t ts = unix_now() - 5;
  Json::Value body(Json::objectValue);
  body["external_id"] = "evt-1001";
  body["contact"]["id"] = "user-77";
  body["contact"]["name"] = "Ada Lovelace";
  body["text"] = "Where is my order?";
  body["timestamp"] = static_cast<Json::Int64>(ts);
  body["metadata"]["order_id"] = "A-17";
  body["metadata"]["vip"] = true;

  WebhookAdapter a;
  Ingest in = a.ingest(make_channel(), signed_post(json(body)));
  EXPECT_TRUE(in.answer_with_stored_messages);
  ASSERT_EQ(in.messages.size(), 1u);
  const schema::Message& m = in.messages[0];
  EXPECT_EQ(m.direction, schema::Direction::in);
  EXPECT_EQ(m.sender.type, schema::SenderType::contact);
  EXPECT_EQ(m.sender.id, "user-77");
  EXPECT_EQ(m.sender.name, "Ada Lovelace");
  EXPECT_EQ(m.channel_id, 42);
  EXPECT_EQ(m.external_id, "evt-1001");
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.parts[0].type, schema::PartType::text);
  EXPECT_EQ(m.parts[0].text, "Where is my order?");
  EXPECT_EQ(m.metadata, body["metadata"]);
  ASSERT_TRUE(m.channel_timestamp.has_value());
  EXPECT_EQ(*m.channel_timestamp, schema::Timestamp(std::chrono::seconds(ts)));
  EXPECT_EQ(m.id, 0);
  EXPECT_EQ(m.seq, 0);
  EXPECT_EQ(m.delivery_status, schema::DeliveryStatus::none);
}

TEST(WebhookIngest, MinimalMessage) {
  WebhookAdapter a;
  Ingest in = a.ingest(make_channel(), signed_post(R"({"contact":{"id":"c"},"text":"."})"));
  ASSERT_EQ(in.messages.size(), 1u);
  const schema::Message& m = in.messages[0];
  EXPECT_EQ(m.sender.id, "c");
  EXPECT_EQ(m.sender.name, "");
  EXPECT_EQ(m.external_id, "");
  EXPECT_FALSE(m.channel_timestamp.has_value());
  EXPECT_TRUE(m.metadata.isNull());
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.parts[0].text, ".");
}

TEST(WebhookIngest, EmptyTextIsRefused) {
  // An empty message is nothing an agent can act on: refused, not stored.
  WebhookAdapter a;
  try {
    a.ingest(make_channel(), signed_post(R"({"contact":{"id":"c"},"text":""})"));
    FAIL() << "accepted an empty text";
  } catch (const AdapterError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(std::string(e.what()).find("text"), std::string::npos);
  }
}

TEST(WebhookIngest, EmptyMetadataStaysNull) {
  WebhookAdapter a;
  Ingest in = a.ingest(make_channel(), signed_post(R"({"contact":{"id":"c"},"text":"x","metadata":{}})"));
  ASSERT_EQ(in.messages.size(), 1u);
  EXPECT_TRUE(in.messages[0].metadata.isNull());
}

TEST(WebhookIngest, TextAndPartsTogether) {
  WebhookAdapter a;
  Ingest in = a.ingest(
      make_channel(),
      signed_post(R"({"contact":{"id":"c"},"text":"see attached",
                      "parts":[{"type":"image","url":"https://cdn.example.com/a.png","mime_type":"image/png"},
                               {"type":"location","latitude":31.23,"longitude":121.47,"label":"Shanghai"}]})"));
  ASSERT_EQ(in.messages.size(), 1u);
  const auto& parts = in.messages[0].parts;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].type, schema::PartType::text);
  EXPECT_EQ(parts[0].text, "see attached");
  EXPECT_EQ(parts[1].type, schema::PartType::image);
  EXPECT_EQ(parts[1].url, "https://cdn.example.com/a.png");
  EXPECT_EQ(parts[1].mime_type, "image/png");
  EXPECT_EQ(parts[2].type, schema::PartType::location);
  ASSERT_TRUE(parts[2].latitude.has_value());
  EXPECT_DOUBLE_EQ(*parts[2].latitude, 31.23);
  EXPECT_EQ(parts[2].label, "Shanghai");
}

TEST(WebhookIngest, Rfc3339Timestamp) {
  std::int64_t ts = unix_now();
  std::string text = schema::format_timestamp(schema::Timestamp(std::chrono::seconds(ts)));
  Json::Value body = parse(R"({"contact":{"id":"c"},"text":"x"})");
  body["timestamp"] = text;
  WebhookAdapter a;
  Ingest in = a.ingest(make_channel(), signed_post(json(body)));
  ASSERT_EQ(in.messages.size(), 1u);
  EXPECT_EQ(in.messages[0].channel_timestamp, schema::Timestamp(std::chrono::seconds(ts)));
}

TEST(WebhookIngest, HeaderNameIsCaseInsensitive) {
  const std::string body = R"({"contact":{"id":"c"},"text":"x"})";
  InboundRequest r;
  r.method = "POST";
  r.body = body;
  r.headers.emplace("x-omnigate-signature", independent_sign(kSecret, body));
  WebhookAdapter a;
  EXPECT_EQ(a.ingest(make_channel(), r).messages.size(), 1u);
}

// --- ingest(): signatures ------------------------------------------------------------

void expect_bad_signature(const schema::Channel& ch, const InboundRequest& req, const std::string& hint = "") {
  AdapterError e = ingest_error(ch, req);
  EXPECT_EQ(e.status(), 401) << e.what();
  EXPECT_EQ(e.code(), "bad_signature") << e.what();
  if (!hint.empty()) {
    EXPECT_NE(std::string(e.what()).find(hint), std::string::npos) << e.what();
  }
}

const std::string kBody = R"({"contact":{"id":"c"},"text":"hello"})";

TEST(WebhookIngest, WrongSecretIsRejected) {
  expect_bad_signature(make_channel(), signed_post(kBody, "not-the-secret"), "does not match");
}

TEST(WebhookIngest, MissingHeaderIsRejected) {
  InboundRequest r = signed_post(kBody);
  r.headers.clear();
  expect_bad_signature(make_channel(), r, kSignatureHeader);
}

TEST(WebhookIngest, WrongPrefixIsRejected) {
  InboundRequest r = signed_post(kBody);
  std::string good = r.header(kSignatureHeader);
  ASSERT_EQ(good.rfind("sha256=", 0), 0u);
  r.headers.clear();
  r.headers.emplace(kSignatureHeader, "sha1=" + good.substr(7));
  expect_bad_signature(make_channel(), r);

  r.headers.clear();
  r.headers.emplace(kSignatureHeader, good.substr(7));  // bare hex, no prefix
  expect_bad_signature(make_channel(), r);
}

TEST(WebhookIngest, SignatureOverADifferentBodyIsRejected) {
  InboundRequest r = signed_post(kBody);
  r.body = R"({"contact":{"id":"c"},"text":"hellO"})";
  expect_bad_signature(make_channel(), r);
}

TEST(WebhookIngest, TruncatedSignatureIsRejected) {
  InboundRequest r = signed_post(kBody);
  std::string good = r.header(kSignatureHeader);
  r.headers.clear();
  r.headers.emplace(kSignatureHeader, good.substr(0, good.size() - 2));
  expect_bad_signature(make_channel(), r);
}

TEST(WebhookIngest, EmptySecretRejectsEvenAMatchingSignature) {
  schema::Channel ch = make_channel();
  ch.secrets["secret"] = "";
  expect_bad_signature(ch, signed_post(kBody, ""), "secret");

  schema::Channel no_secrets = make_channel();
  no_secrets.secrets = Json::Value();
  expect_bad_signature(no_secrets, signed_post(kBody, ""));
}

TEST(WebhookIngest, SignatureIsCheckedBeforeParsing) {
  // Garbage with a bad signature is a 401, not a 400 that reveals parsing.
  InboundRequest r = signed_post("not json", "wrong");
  expect_bad_signature(make_channel(), r);
}

TEST(WebhookIngest, GetIsMethodNotAllowed) {
  InboundRequest r = signed_post(kBody);
  r.method = "GET";
  AdapterError e = ingest_error(make_channel(), r);
  EXPECT_EQ(e.status(), 405);
  EXPECT_EQ(e.code(), "method_not_allowed");
}

// --- ingest(): replay window -----------------------------------------------------------

std::string body_at(std::int64_t ts) {
  Json::Value b = parse(kBody);
  b["timestamp"] = static_cast<Json::Int64>(ts);
  return json(b);
}

TEST(WebhookIngest, ReplayedRequestIsRejected) {
  // A correctly signed body captured more than 300 s ago.
  expect_bad_signature(make_channel(), signed_post(body_at(unix_now() - 301)), "timestamp");
  expect_bad_signature(make_channel(), signed_post(body_at(unix_now() - 86400)), "timestamp");
  expect_bad_signature(make_channel(), signed_post(body_at(0)), "timestamp");
}

TEST(WebhookIngest, TimestampTooFarInTheFutureIsRejected) {
  expect_bad_signature(make_channel(), signed_post(body_at(unix_now() + 400)), "timestamp");
}

TEST(WebhookIngest, FreshTimestampIsAccepted) {
  WebhookAdapter a;
  for (std::int64_t offset : {0, -10, -290, 10, 290}) {
    std::int64_t ts = unix_now() + offset;
    Ingest in = a.ingest(make_channel(), signed_post(body_at(ts)));
    ASSERT_EQ(in.messages.size(), 1u) << offset;
    EXPECT_EQ(in.messages[0].channel_timestamp, schema::Timestamp(std::chrono::seconds(ts))) << offset;
  }
}

TEST(WebhookIngest, ChannelToleranceIsHonoured) {
  schema::Channel ch = make_channel(parse(R"({"timestamp_tolerance_s": 30})"));
  expect_bad_signature(ch, signed_post(body_at(unix_now() - 60)), "timestamp");
  WebhookAdapter a;
  EXPECT_EQ(a.ingest(ch, signed_post(body_at(unix_now() - 20))).messages.size(), 1u);

  schema::Channel lenient = make_channel(parse(R"({"timestamp_tolerance_s": 3600})"));
  EXPECT_EQ(a.ingest(lenient, signed_post(body_at(unix_now() - 1800))).messages.size(), 1u);
}

// --- ingest(): bad requests ---------------------------------------------------------------

void expect_bad_request(const std::string& body, const std::string& field) {
  AdapterError e = ingest_error(make_channel(), signed_post(body));
  EXPECT_EQ(e.status(), 400) << body << " -> " << e.what();
  EXPECT_EQ(e.code(), "bad_request") << body << " -> " << e.what();
  EXPECT_NE(std::string(e.what()).find(field), std::string::npos)
      << body << " -> \"" << e.what() << "\" should name " << field;
}

TEST(WebhookIngest, InvalidJson) {
  AdapterError e = ingest_error(make_channel(), signed_post(R"({"contact":)"));
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.code(), "bad_request");
  EXPECT_FALSE(std::string(e.what()).empty());
  EXPECT_EQ(ingest_error(make_channel(), signed_post("")).code(), "bad_request");
  EXPECT_EQ(ingest_error(make_channel(), signed_post(R"({"contact":{"id":"c"},"text":"x"} trailing)")).code(),
            "bad_request");
}

TEST(WebhookIngest, BodyNotAnObject) {
  expect_bad_request("[]", "object");
  expect_bad_request(R"("text")", "object");
  expect_bad_request("42", "object");
}

TEST(WebhookIngest, MissingOrBadContact) {
  expect_bad_request(R"({"text":"x"})", "contact.id");
  expect_bad_request(R"({"contact":{},"text":"x"})", "contact.id");
  expect_bad_request(R"({"contact":{"id":""},"text":"x"})", "contact.id");
  expect_bad_request(R"({"contact":{"id":7},"text":"x"})", "contact.id");
  expect_bad_request(R"({"contact":"user-1","text":"x"})", "contact.id");
  expect_bad_request(R"({"contact":{"id":"c","name":5},"text":"x"})", "contact.name");
}

TEST(WebhookIngest, NeitherTextNorParts) {
  expect_bad_request(R"({"contact":{"id":"c"}})", "text");
  expect_bad_request(R"({"contact":{"id":"c"},"parts":[]})", "parts");
}

TEST(WebhookIngest, WrongTypes) {
  expect_bad_request(R"({"contact":{"id":"c"},"text":5})", "text");
  expect_bad_request(R"({"contact":{"id":"c"},"text":null})", "text");
  expect_bad_request(R"({"contact":{"id":"c"},"parts":{"type":"text"}})", "parts");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","external_id":12})", "external_id");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","external_id":""})", "external_id");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","metadata":"m"})", "metadata");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","metadata":[1]})", "metadata");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","timestamp":true})", "timestamp");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","timestamp":"yesterday"})", "timestamp");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","timestamp":-1})", "timestamp");
  expect_bad_request(R"({"contact":{"id":"c"},"text":"x","timestamp":1e300})", "timestamp");
}

TEST(WebhookIngest, BadParts) {
  expect_bad_request(R"({"contact":{"id":"c"},"parts":[{"type":"hologram"}]})", "parts[0]");
  expect_bad_request(R"({"contact":{"id":"c"},"parts":[{"type":"text","text":"ok"},{"type":"hologram"}]})",
                     "parts[1]");
  expect_bad_request(R"({"contact":{"id":"c"},"parts":[{"type":"text","text":5}]})", "parts[0]");
  expect_bad_request(R"({"contact":{"id":"c"},"parts":["hello"]})", "parts[0]");
}

TEST(WebhookIngest, ExternalIdLength) {
  Json::Value b = parse(kBody);
  b["external_id"] = std::string(255, 'e');
  WebhookAdapter a;
  Ingest in = a.ingest(make_channel(), signed_post(json(b)));
  ASSERT_EQ(in.messages.size(), 1u);
  EXPECT_EQ(in.messages[0].external_id.size(), 255u);

  b["external_id"] = std::string(256, 'e');
  expect_bad_request(json(b), "external_id");
}

// --- ingest(): batches -----------------------------------------------------------------

TEST(WebhookIngest, BatchOfTwo) {
  std::string body = R"({"messages":[
      {"external_id":"m1","contact":{"id":"a","name":"Ann"},"text":"first"},
      {"external_id":"m2","contact":{"id":"b"},"parts":[{"type":"text","text":"second"}],"metadata":{"k":1}}]})";
  WebhookAdapter a;
  Ingest in = a.ingest(make_channel(), signed_post(body));
  EXPECT_TRUE(in.answer_with_stored_messages);
  ASSERT_EQ(in.messages.size(), 2u);
  EXPECT_EQ(in.messages[0].external_id, "m1");
  EXPECT_EQ(in.messages[0].sender.id, "a");
  EXPECT_EQ(in.messages[0].sender.name, "Ann");
  ASSERT_EQ(in.messages[0].parts.size(), 1u);
  EXPECT_EQ(in.messages[0].parts[0].text, "first");
  EXPECT_EQ(in.messages[1].external_id, "m2");
  EXPECT_EQ(in.messages[1].sender.id, "b");
  ASSERT_EQ(in.messages[1].parts.size(), 1u);
  EXPECT_EQ(in.messages[1].parts[0].text, "second");
  EXPECT_EQ(in.messages[1].metadata, parse(R"({"k":1})"));
  for (const auto& m : in.messages) {
    EXPECT_EQ(m.channel_id, 42);
    EXPECT_EQ(m.direction, schema::Direction::in);
  }
}

TEST(WebhookIngest, BatchLimits) {
  expect_bad_request(R"({"messages":[]})", "messages");
  expect_bad_request(R"({"messages":{}})", "messages");
  expect_bad_request(R"({"messages":"m"})", "messages");

  Json::Value one = parse(kBody);
  Json::Value list(Json::arrayValue);
  for (size_t i = 0; i < kMaxMessagesPerRequest; ++i) list.append(one);
  Json::Value body(Json::objectValue);
  body["messages"] = list;
  WebhookAdapter a;
  EXPECT_EQ(a.ingest(make_channel(), signed_post(json(body))).messages.size(), 100u);

  body["messages"].append(one);  // 101
  expect_bad_request(json(body), "messages");
}

TEST(WebhookIngest, BatchErrorNamesTheMessage) {
  expect_bad_request(R"({"messages":[{"contact":{"id":"a"},"text":"ok"},{"contact":{"id":"b"}}]})", "messages[1]");
  expect_bad_request(R"({"messages":[{"contact":{"id":"a"},"text":"ok"},{"contact":{},"text":"x"}]})",
                     "messages[1].contact.id");
  expect_bad_request(R"({"messages":[{"contact":{"id":"a"},"text":"ok"},"oops"]})", "messages[1]");
}

TEST(WebhookIngest, ReplayedMessageInsideABatchRejectsTheBatch) {
  Json::Value body(Json::objectValue);
  body["messages"].append(parse(body_at(unix_now())));
  body["messages"].append(parse(body_at(unix_now() - 1000)));
  expect_bad_signature(make_channel(), signed_post(json(body)), "messages[1]");
}

// --- deliver() -------------------------------------------------------------------------

// curl honours *_proxy variables; the receiver is local, so never go through one.
void bypass_proxies() {
  ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
}

struct Received {
  std::string method;
  std::string content_type;
  std::string signature;
  std::string body;
};

// A local HTTP receiver standing in for an integrator's endpoint.
class Receiver {
 public:
  Receiver() {
    bypass_proxies();
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lk(mu_);
      requests_.push_back({req.method, req.get_header_value("Content-Type"), req.get_header_value(kSignatureHeader),
                           req.body});
      res.status = status_.load();
      res.set_content(R"({"ok":true})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ > 0) {
      thread_ = std::thread([this] { server_.listen_after_bind(); });
      // stop() is only effective once the accept loop runs.
      for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(1ms);
    }
  }
  ~Receiver() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  void answer_with(int status) { status_ = status; }
  std::vector<Received> requests() {
    std::lock_guard lk(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::atomic<int> status_{200};
  std::mutex mu_;
  std::vector<Received> requests_;
};

adapters::Outbound outbound_message() {
  schema::Message m;
  m.id = 9001;
  m.conversation_id = 77;
  m.seq = 3;
  m.direction = schema::Direction::out;
  m.sender.type = schema::SenderType::agent;
  m.sender.id = "5";
  m.sender.name = "Grace";
  m.channel_id = 42;
  schema::Part p;
  p.type = schema::PartType::text;
  p.text = "Your order ships today.";
  m.parts.push_back(p);
  m.created_at = schema::Timestamp(std::chrono::seconds(1'700'000'000));
  m.delivery_status = schema::DeliveryStatus::pending;
  adapters::Outbound o;
  o.message = m;
  o.recipient_id = "cust-7";
  o.recipient_name = "Li Lei";
  o.attempt = 2;
  return o;
}

schema::Channel channel_to(const std::string& url) {
  Json::Value cfg(Json::objectValue);
  cfg["outbound_url"] = url;
  return make_channel(cfg);
}

// A port on 127.0.0.1 that nothing listens on.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);  // bound but never listened on: connecting is refused
  return port;
}

TEST(WebhookDeliver, SuccessPostsSignedEvent) {
  Receiver rx;
  ASSERT_GT(rx.port(), 0);
  adapters::Outbound out = outbound_message();
  const schema::Message& msg = out.message;
  WebhookAdapter a;
  Delivery d = a.deliver(channel_to(rx.url()), out);
  EXPECT_EQ(d.outcome, Delivery::Outcome::sent) << d.error;
  EXPECT_TRUE(d.error.empty()) << d.error;

  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const Received& req = reqs[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.content_type, "application/json");
  EXPECT_EQ(req.signature, independent_sign(kSecret, req.body));

  Json::Value payload = parse(req.body);
  ASSERT_TRUE(payload.isObject());
  EXPECT_EQ(payload["type"].asString(), "message.created");
  EXPECT_EQ(payload["message"], schema::to_json(msg));
  EXPECT_EQ(payload["message"]["id"].asInt64(), 9001);
  EXPECT_EQ(payload["message"]["parts"][0]["text"].asString(), "Your order ships today.");
  EXPECT_EQ(schema::message_from_json(payload["message"]), msg);
  EXPECT_EQ(payload["recipient"]["id"].asString(), "cust-7");
  EXPECT_EQ(payload["recipient"]["name"].asString(), "Li Lei");
  EXPECT_EQ(payload["attempt"].asInt(), 2);
}

TEST(WebhookDeliver, RetryableStatuses) {
  Receiver rx;
  ASSERT_GT(rx.port(), 0);
  WebhookAdapter a;
  for (int status : {503, 429, 500, 502, 408}) {
    rx.answer_with(status);
    Delivery d = a.deliver(channel_to(rx.url()), outbound_message());
    EXPECT_EQ(d.outcome, Delivery::Outcome::retry) << status;
    EXPECT_NE(d.error.find(std::to_string(status)), std::string::npos) << d.error;
    EXPECT_EQ(d.retry_after.count(), 0) << status;  // the dispatcher's backoff decides
  }
  EXPECT_EQ(rx.requests().size(), 5u);
}

TEST(WebhookDeliver, ClientErrorsFail) {
  Receiver rx;
  ASSERT_GT(rx.port(), 0);
  WebhookAdapter a;
  for (int status : {400, 401, 403, 404, 422}) {
    rx.answer_with(status);
    Delivery d = a.deliver(channel_to(rx.url()), outbound_message());
    EXPECT_EQ(d.outcome, Delivery::Outcome::failed) << status;
    EXPECT_NE(d.error.find(std::to_string(status)), std::string::npos) << d.error;
  }
}

TEST(WebhookDeliver, UnknownPathIsA404Failure) {
  Receiver rx;
  ASSERT_GT(rx.port(), 0);
  WebhookAdapter a;
  Delivery d = a.deliver(channel_to("http://127.0.0.1:" + std::to_string(rx.port()) + "/nope"), outbound_message());
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("404"), std::string::npos) << d.error;
}

TEST(WebhookDeliver, ConnectionRefusedIsRetried) {
  bypass_proxies();
  int port = closed_port();
  ASSERT_GT(port, 0);
  WebhookAdapter a;
  Delivery d = a.deliver(channel_to("http://127.0.0.1:" + std::to_string(port) + "/hook"), outbound_message());
  EXPECT_EQ(d.outcome, Delivery::Outcome::retry);
  EXPECT_FALSE(d.error.empty());
  EXPECT_EQ(d.retry_after.count(), 0);
}

TEST(WebhookDeliver, NoOutboundUrlFails) {
  WebhookAdapter a;
  Delivery d = a.deliver(make_channel(), outbound_message());
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("outbound_url"), std::string::npos) << d.error;
}

}  // namespace
}  // namespace omnigate::adapters::webhook
