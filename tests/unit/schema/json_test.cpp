#include "schema/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

namespace omnigate::schema {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

Timestamp ts(std::string_view text) {
  const std::optional<Timestamp> t = parse_timestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Timestamp{});
}

// The message of the InvalidJson `f` throws, or a marker when it throws none.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidJson& e) {
    return e.what();
  }
  return "<no InvalidJson thrown>";
}

std::set<std::string> keys_of(const Json::Value& j) {
  const auto names = j.getMemberNames();
  return {names.begin(), names.end()};
}

// ---- fully populated values ----------------------------------------------------

Json::Value object(std::string_view json) { return parse_json(json); }

Part part_of(PartType type) {
  Part p;
  p.type = type;
  return p;
}

std::vector<Part> one_part_of_each_type() {
  Part text = part_of(PartType::text);
  text.text = "您好，我的订单还没到 📦";
  Part image = part_of(PartType::image);
  image.url = "https://cdn.example/p/1.jpg";
  image.media_id = "MEDIA_1";
  image.mime_type = "image/jpeg";
  image.name = "1.jpg";
  image.size = 48213;
  Part file = part_of(PartType::file);
  file.url = "https://cdn.example/f/inv.pdf";
  file.mime_type = "application/pdf";
  file.name = "发票.pdf";
  file.size = 0;
  Part audio = part_of(PartType::audio);
  audio.media_id = "MEDIA_2";
  audio.mime_type = "audio/amr";
  audio.duration_ms = 3200;
  audio.text = "我要退货";
  Part video = part_of(PartType::video);
  video.media_id = "MEDIA_3";
  video.mime_type = "video/mp4";
  video.duration_ms = 15000;
  video.extra = object(R"({"thumb_media_id":"THUMB_3"})");
  Part location = part_of(PartType::location);
  location.latitude = 31.2304;
  location.longitude = -121.4737;
  location.label = "上海市黄浦区";
  location.extra = object(R"({"scale":15})");
  Part link = part_of(PartType::link);
  link.text = "Track your parcel";
  link.url = "https://shop.example/track/9";
  link.title = "Order 9";
  Part event = part_of(PartType::event);
  event.event = "order.shipped";
  event.event_key = "order:9";
  event.extra = object(R"({"carrier":"SF","items":[1,2,{"sku":"A-1"}],"gift":false,"note":null})");
  return {text, image, file, audio, video, location, link, event};
}

// A part with every field set, whatever its type uses.
Part every_field(PartType type) {
  Part p = part_of(type);
  p.text = "t";
  p.url = "u";
  p.media_id = "m";
  p.mime_type = "x/y";
  p.name = "n";
  p.title = "ti";
  p.size = 1;
  p.duration_ms = 2;
  p.latitude = 3.5;
  p.longitude = 4.25;
  p.label = "l";
  p.event = "e";
  p.event_key = "k";
  p.extra = object(R"({"a":[]})");
  return p;
}

Message full_message() {
  Message m;
  m.id = (std::int64_t{1} << 53) + 1;
  m.conversation_id = 9007199254740993;
  m.seq = 42;
  m.direction = Direction::out;
  m.sender.type = SenderType::agent;
  m.sender.id = "17";
  m.sender.name = "小王";
  m.channel_id = std::numeric_limits<std::int64_t>::max();
  m.external_id = "<CAF=abc@mail.example>";
  m.parts = one_part_of_each_type();
  m.created_at = ts("2026-11-23T16:28:03.123456Z");
  m.channel_timestamp = ts("2026-11-23T16:28:01Z");
  m.delivery_status = DeliveryStatus::failed;
  m.delivery_error = "45015: reply window expired";
  m.metadata = object(R"({"wechat":{"MsgId":"24512345678901234","Agent":"gh_1"}})");
  return m;
}

Conversation full_conversation() {
  Conversation c;
  c.id = 7;
  c.channel_id = 3;
  c.contact_id = std::numeric_limits<std::int64_t>::min();
  c.status = ConversationStatus::snoozed;
  c.priority = -2;
  c.assignee_id = 0;
  c.team_id = 12;
  c.tags = {"vip", "退款", ""};
  c.last_seq = 42;
  c.created_at = ts("2026-01-01T00:00:00Z");
  c.updated_at = ts("2026-11-23T16:28:03.000001Z");
  c.last_message_at = ts("2026-11-23T16:28:03Z");
  c.first_response_due = ts("2026-11-23T16:33:03Z");
  c.resolution_due = ts("2026-11-24T16:28:03Z");
  c.queued_at = ts("2026-11-23T16:20:00Z");
  c.assigned_at = ts("2026-11-23T16:21:00.5Z");
  c.snoozed_until = ts("2026-11-25T09:00:00Z");
  c.first_response_at = ts("2026-11-23T16:22:00Z");
  c.resolved_at = ts("2026-11-23T17:00:00Z");
  c.first_response_breached = true;
  c.resolution_breached = true;
  return c;
}

Identity identity(std::int64_t channel_id, ChannelType type, std::string external_id) {
  Identity i;
  i.channel_id = channel_id;
  i.channel_type = type;
  i.external_id = std::move(external_id);
  return i;
}

Contact full_contact() {
  Contact c;
  c.id = 5;
  c.name = "Zhang Wei 张伟";
  c.identities = {identity(3, ChannelType::wechat, "oABC123"), identity(4, ChannelType::email, "zw@example.cn")};
  c.attributes = object(R"({"vip":"gold","region":"CN-31","language":"zh-CN"})");
  c.tags = {"vip"};
  c.created_at = ts("2025-06-01T08:00:00Z");
  return c;
}

Channel full_channel() {
  Channel c;
  c.id = 3;
  c.type = ChannelType::wechat;
  c.name = "官方服务号";
  c.token = "b3f1c9d2e8a7";
  c.config = object(R"({"app_id":"wx123","reply_mode":"passive"})");
  c.secrets = object(R"({"app_secret":"s3cr3t","encoding_aes_key":"k"})");
  c.enabled = false;
  c.created_at = ts("2025-01-01T00:00:00Z");
  c.updated_at = ts("2025-02-01T00:00:00Z");
  return c;
}

// No password_hash: it is never serialized, so a round trip holds only without one.
Agent full_agent() {
  Agent a;
  a.id = 17;
  a.login = "wang";
  a.name = "小王";
  a.role = Role::admin;
  a.team_ids = {12, 9007199254740993};
  a.skills = {"billing", "中文"};
  a.capacity = {{"email", 20}, {"web", 5}, {"wechat_mp", 0}};
  a.presence = Presence::away;
  a.disabled = true;
  a.created_at = ts("2025-01-01T00:00:00Z");
  return a;
}

// ---- enum names ------------------------------------------------------------------

template <typename E, typename From>
void expect_names(std::initializer_list<std::pair<E, std::string_view>> all, From from) {
  for (const auto& [value, name] : all) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(from(name), value);
  }
}

TEST(EnumNames, AreTheEnumeratorNamesBothWays) {
  expect_names<Direction>({{Direction::in, "in"}, {Direction::out, "out"}, {Direction::note, "note"},
                           {Direction::system, "system"}},
                          direction_from_string);
  expect_names<SenderType>({{SenderType::contact, "contact"}, {SenderType::agent, "agent"},
                            {SenderType::bot, "bot"}, {SenderType::system, "system"}},
                           sender_type_from_string);
  expect_names<PartType>({{PartType::text, "text"}, {PartType::image, "image"}, {PartType::file, "file"},
                          {PartType::audio, "audio"}, {PartType::video, "video"},
                          {PartType::location, "location"}, {PartType::link, "link"}, {PartType::event, "event"}},
                         part_type_from_string);
  expect_names<DeliveryStatus>({{DeliveryStatus::none, "none"}, {DeliveryStatus::pending, "pending"},
                                {DeliveryStatus::sent, "sent"}, {DeliveryStatus::failed, "failed"}},
                               delivery_status_from_string);
  expect_names<ConversationStatus>(
      {{ConversationStatus::bot, "bot"}, {ConversationStatus::queued, "queued"},
       {ConversationStatus::assigned, "assigned"}, {ConversationStatus::snoozed, "snoozed"},
       {ConversationStatus::resolved, "resolved"}},
      conversation_status_from_string);
  expect_names<Role>({{Role::admin, "admin"}, {Role::agent, "agent"}}, role_from_string);
  expect_names<Presence>({{Presence::online, "online"}, {Presence::away, "away"}, {Presence::offline, "offline"}},
                         presence_from_string);
  expect_names<ChannelType>({{ChannelType::wechat, "wechat_mp"}, {ChannelType::wecom, "wecom"},
                             {ChannelType::email, "email"}, {ChannelType::web, "web"}, {ChannelType::app, "app"},
                             {ChannelType::webhook, "webhook"}},
                            [](std::string_view s) { return channel_type_from_string(s).value(); });
}

TEST(EnumNames, UnknownNamesAreRejectedNamingTheValue) {
  EXPECT_EQ(error_of([] { direction_from_string("sideways"); }), R"(direction: unknown value "sideways")");
  EXPECT_THAT(error_of([] { presence_from_string("Online"); }), HasSubstr(R"("Online")"));
  EXPECT_THROW(role_from_string(""), InvalidJson);
  EXPECT_EQ(channel_type_from_string("WeChat"), std::nullopt);
  EXPECT_EQ(channel_type_from_string(""), std::nullopt);
}

// ---- round trips ------------------------------------------------------------------

// In memory and through text: the form is the same either way.
template <typename T, typename From>
void expect_round_trip(const T& value, const Json::Value& j, From from) {
  EXPECT_EQ(from(j), value) << write_json(j);
  EXPECT_EQ(from(parse_json(write_json(j))), value) << write_json(j);
}

TEST(RoundTrip, FullValues) {
  expect_round_trip(full_message(), to_json(full_message()), message_from_json);
  expect_round_trip(full_conversation(), to_json(full_conversation()), conversation_from_json);
  expect_round_trip(full_contact(), to_json(full_contact()), contact_from_json);
  expect_round_trip(full_channel(), to_json(full_channel(), true), channel_from_json);
  expect_round_trip(full_agent(), to_json(full_agent()), agent_from_json);
  for (const Identity& i : full_contact().identities) expect_round_trip(i, to_json(i), identity_from_json);
}

TEST(RoundTrip, DefaultValues) {
  expect_round_trip(Part{}, to_json(Part{}), part_from_json);
  expect_round_trip(Message{}, to_json(Message{}), message_from_json);
  expect_round_trip(Conversation{}, to_json(Conversation{}), conversation_from_json);
  expect_round_trip(Identity{}, to_json(Identity{}), identity_from_json);
  expect_round_trip(Contact{}, to_json(Contact{}), contact_from_json);
  expect_round_trip(Channel{}, to_json(Channel{}, true), channel_from_json);
  expect_round_trip(Agent{}, to_json(Agent{}), agent_from_json);
}

TEST(RoundTrip, MinimalInputsReadAsDefaults) {
  EXPECT_EQ(part_from_json(object(R"({"type":"text"})")), Part{});
  EXPECT_EQ(message_from_json(object(R"({"direction":"in"})")), Message{});
  EXPECT_EQ(conversation_from_json(object("{}")), Conversation{});
  EXPECT_EQ(identity_from_json(object("{}")), Identity{});
  EXPECT_EQ(contact_from_json(object("{}")), Contact{});
  EXPECT_EQ(channel_from_json(object(R"({"type":"webhook"})")), Channel{});
  EXPECT_EQ(agent_from_json(object("{}")), Agent{});
}

TEST(RoundTrip, DefaultValuesWriteOnlyTheirNonOptionalFields) {
  EXPECT_EQ(write_json(to_json(Part{})), R"({"type":"text"})");
  EXPECT_EQ(write_json(to_json(Message{})),
            R"({"channel_id":0,"conversation_id":0,"created_at":"1970-01-01T00:00:00.000000Z",)"
            R"("delivery_status":"none","direction":"in","id":0,"parts":[],"sender":{"type":"contact"},"seq":0})");
  EXPECT_EQ(keys_of(to_json(Conversation{})),
            (std::set<std::string>{"id", "channel_id", "contact_id", "status", "priority", "tags", "last_seq",
                                   "created_at", "updated_at", "first_response_breached", "resolution_breached"}));
  EXPECT_EQ(keys_of(to_json(Contact{})), (std::set<std::string>{"id", "identities", "tags", "created_at"}));
  EXPECT_EQ(keys_of(to_json(Channel{}, true)),
            (std::set<std::string>{"id", "type", "enabled", "created_at", "updated_at"}));
  EXPECT_EQ(write_json(to_json(Agent{})),
            R"({"capacity":{},"created_at":"1970-01-01T00:00:00.000000Z","id":0,"presence":"offline",)"
            R"("role":"agent","skills":[],"team_ids":[]})");
}

// ---- parts ---------------------------------------------------------------------------

TEST(PartJson, EveryTypeWritesItsFieldsAndRoundTrips) {
  const std::vector<Part> parts = one_part_of_each_type();
  const std::vector<std::set<std::string>> expected_keys = {
      {"type", "text"},
      {"type", "url", "media_id", "mime_type", "name", "size"},
      {"type", "url", "mime_type", "name", "size"},
      {"type", "media_id", "mime_type", "duration_ms", "text"},
      {"type", "media_id", "mime_type", "duration_ms", "extra"},
      {"type", "latitude", "longitude", "label", "extra"},
      {"type", "text", "url", "title"},
      {"type", "event", "event_key", "extra"},
  };
  ASSERT_EQ(parts.size(), expected_keys.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Json::Value j = to_json(parts[i]);
    EXPECT_EQ(keys_of(j), expected_keys[i]) << write_json(j);
    EXPECT_EQ(j["type"].asString(), to_string(parts[i].type));
    expect_round_trip(parts[i], j, part_from_json);
  }
}

TEST(PartJson, SetZeroValuesAreWritten) {
  Part p = part_of(PartType::location);
  p.size = 0;
  p.duration_ms = 0;
  p.latitude = 0.0;
  p.longitude = -0.0;
  EXPECT_EQ(write_json(to_json(p)), R"({"duration_ms":0,"latitude":0.0,"longitude":-0.0,"size":0,"type":"location"})");
  expect_round_trip(p, to_json(p), part_from_json);
}

TEST(PartJson, EveryFieldOfEveryTypeIsKept) {
  // The model does not police which fields a type uses: nothing is dropped.
  const Part p = every_field(PartType::text);
  EXPECT_EQ(to_json(p).size(), 15u);
  expect_round_trip(p, to_json(p), part_from_json);
}

TEST(PartJson, DoublesSurviveTextExactly) {
  for (const double d : {31.2304, -121.4737, 0.1, 1e-300, 1.7976931348623157e308, 5e-324}) {
    Part p = part_of(PartType::location);
    p.latitude = d;
    EXPECT_EQ(part_from_json(parse_json(write_json(to_json(p)))), p) << d;
  }
}

// ---- text encoding -------------------------------------------------------------------

TEST(WriteJson, IsCompactUtf8OnOneLine) {
  Message m;
  m.parts = {part_of(PartType::text)};
  m.parts[0].text = "你好👋 \"quoted\"\nline2\ttab\\";
  const std::string text = write_json(to_json(m));
  EXPECT_THAT(text, HasSubstr(R"("text":"你好👋 \"quoted\"\nline2\ttab\\")"));
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text.find("\\u"), std::string::npos);
  EXPECT_EQ(text.find(": "), std::string::npos);
}

TEST(WriteJson, ChineseAndEmojiSurviveByteExact) {
  const std::string text = "订单号 12345 已发货 🚚📦 — 谢谢！ 𠀀";
  Part p = part_of(PartType::text);
  p.text = text;
  p.extra = object(R"({"备注":"加急 ✅"})");
  const Part back = part_from_json(parse_json(write_json(to_json(p))));
  EXPECT_EQ(back.text, text);
  EXPECT_EQ(back.extra["备注"].asString(), "加急 ✅");
  EXPECT_EQ(write_json(parse_json(write_json(to_json(p)))), write_json(to_json(p)));
}

TEST(WriteJson, ControlCharactersAreEscaped) {
  const std::string nasty("a\x01" "b\0c", 5);
  EXPECT_EQ(write_json(Json::Value(nasty)), R"("a\u0001b\u0000c")");
  EXPECT_EQ(parse_json(write_json(Json::Value(nasty))).asString(), nasty);
}

TEST(Int64, IdsAboveTwoToThe53Survive) {
  for (const std::int64_t id : {(std::int64_t{1} << 53) + 1, std::int64_t{9007199254740993},
                                std::numeric_limits<std::int64_t>::max(),
                                std::numeric_limits<std::int64_t>::min()}) {
    Message m;
    m.id = id;
    m.conversation_id = id;
    const std::string text = write_json(to_json(m));
    EXPECT_THAT(text, HasSubstr("\"id\":" + std::to_string(id))) << text;
    EXPECT_EQ(message_from_json(parse_json(text)), m);
    Conversation c;
    c.assignee_id = id;
    c.team_id = id;
    EXPECT_EQ(conversation_from_json(parse_json(write_json(to_json(c)))), c);
  }
}

// ---- what is and is not written ------------------------------------------------------

TEST(ChannelJson, SecretsOnlyWhenAsked) {
  const Channel c = full_channel();
  EXPECT_FALSE(to_json(c, false).isMember("secrets"));
  EXPECT_EQ(write_json(to_json(c, false)).find("s3cr3t"), std::string::npos);
  EXPECT_EQ(to_json(c, true)["secrets"]["app_secret"].asString(), "s3cr3t");
  // Without secrets the rest still reads back.
  Channel without = c;
  without.secrets = Json::Value();
  EXPECT_EQ(channel_from_json(to_json(c, false)), without);
}

TEST(AgentJson, PasswordHashIsNeverWrittenNorRead) {
  Agent a = full_agent();
  a.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
  const Json::Value j = to_json(a);
  EXPECT_FALSE(j.isMember("password_hash"));
  EXPECT_EQ(write_json(j).find("argon2id"), std::string::npos);
  Json::Value with_hash = j;
  with_hash["password_hash"] = "$argon2id$attacker";
  EXPECT_EQ(agent_from_json(with_hash).password_hash, "");
}

TEST(AgentJson, CapacityIsAnObjectByChannelType) {
  const Json::Value j = to_json(full_agent());
  EXPECT_EQ(write_json(j["capacity"]), R"({"email":20,"web":5,"wechat_mp":0})");
  EXPECT_EQ(error_of([] { agent_from_json(parse_json(R"({"capacity":{"emial":3}})")); }),
            R"(capacity: unknown channel type "emial")");
  EXPECT_EQ(error_of([] { agent_from_json(parse_json(R"({"capacity":{"web":"5"}})")); }),
            "capacity.web: expected an integer");
  EXPECT_EQ(error_of([] { agent_from_json(parse_json(R"({"capacity":{"web":4294967296}})")); }),
            "capacity.web: integer out of range");
  // "default" covers unlisted types; the "wechat" alias is stored under its canonical name.
  EXPECT_EQ(agent_from_json(parse_json(R"({"capacity":{"default":2,"wechat":3}})")).capacity,
            (std::map<std::string, int>{{"default", 2}, {"wechat_mp", 3}}));
  EXPECT_EQ(error_of([] { agent_from_json(parse_json(R"({"capacity":[5]})")); }),
            "capacity: expected an object");
}

TEST(Normalization, EmptyObjectsAreOmittedAndReadBackAsNull) {
  Message m;
  m.metadata = Json::Value(Json::objectValue);
  EXPECT_FALSE(to_json(m).isMember("metadata"));
  EXPECT_TRUE(message_from_json(object(R"({"direction":"in","metadata":{}})")).metadata.isNull());
  Channel c;
  c.config = Json::Value(Json::objectValue);
  c.secrets = Json::Value(Json::objectValue);
  EXPECT_FALSE(to_json(c, true).isMember("config"));
  EXPECT_FALSE(to_json(c, true).isMember("secrets"));
  EXPECT_TRUE(part_from_json(object(R"({"type":"event","extra":{}})")).extra.isNull());
  EXPECT_TRUE(contact_from_json(object(R"({"attributes":{}})")).attributes.isNull());
}

TEST(Normalization, EmptyStringsAreOmittedButKeptInArrays) {
  const Json::Value j = to_json(full_conversation());
  EXPECT_EQ(write_json(j["tags"]), R"(["vip","退款",""])");
  Message m;
  m.sender.id = "";
  m.external_id = "";
  EXPECT_FALSE(to_json(m).isMember("external_id"));
  EXPECT_FALSE(to_json(m)["sender"].isMember("id"));
}

// ---- invalid input -------------------------------------------------------------------

struct BadInput {
  std::string json;
  std::function<void(const Json::Value&)> read;
  std::string error;
};

TEST(FromJson, InvalidInputsNameThePath) {
  const auto message = [](const Json::Value& j) { message_from_json(j); };
  const auto part = [](const Json::Value& j) { part_from_json(j); };
  const auto conversation = [](const Json::Value& j) { conversation_from_json(j); };
  const auto contact = [](const Json::Value& j) { contact_from_json(j); };
  const auto channel = [](const Json::Value& j) { channel_from_json(j); };
  const auto agent = [](const Json::Value& j) { agent_from_json(j); };
  const std::vector<BadInput> cases = {
      // not an object
      {"[]", message, "$: expected an object"},
      {"null", part, "$: expected an object"},
      {R"("x")", agent, "$: expected an object"},
      {R"({"direction":"in","sender":[]})", message, "sender: expected an object"},
      {R"({"direction":"in","parts":[{"type":"text"},7]})", message, "parts[1]: expected an object"},
      // required fields
      {"{}", message, "direction: required field is missing"},
      {"{}", part, "type: required field is missing"},
      {"{}", channel, "type: required field is missing"},
      {R"({"direction":"in","parts":[{"text":"hi"}]})", message, "parts[0].type: required field is missing"},
      // unknown enum values
      {R"({"direction":"sideways"})", message, R"(direction: unknown value "sideways")"},
      {R"({"direction":"in","sender":{"type":"robot"}})", message, R"(sender.type: unknown value "robot")"},
      {R"({"direction":"in","delivery_status":"SENT"})", message, R"(delivery_status: unknown value "SENT")"},
      {R"({"type":"sticker"})", part, R"(type: unknown value "sticker")"},
      {R"({"status":"open"})", conversation, R"(status: unknown value "open")"},
      {R"({"type":"sms"})", channel, R"(type: unknown value "sms")"},
      {R"({"identities":[{"channel_type":"qq"}]})", contact, R"(identities[0].channel_type: unknown value "qq")"},
      {R"({"role":"root"})", agent, R"(role: unknown value "root")"},
      {R"({"presence":"busy"})", agent, R"(presence: unknown value "busy")"},
      // wrong types
      {R"({"direction":1})", message, "direction: expected a string"},
      {R"({"direction":"in","parts":[{"type":"text"},{"type":"text"},{"type":"location","latitude":"31.2"}]})",
       message, "parts[2].latitude: expected a number"},
      {R"({"direction":"in","id":"12"})", message, "id: expected an integer"},
      {R"({"direction":"in","seq":1.5})", message, "seq: expected an integer"},
      {R"({"direction":"in","seq":true})", message, "seq: expected an integer"},
      {R"({"direction":"in","id":18446744073709551615})", message, "id: integer out of range"},
      {R"({"direction":"in","parts":{}})", message, "parts: expected an array"},
      {R"({"direction":"in","metadata":[1]})", message, "metadata: expected an object"},
      {R"({"direction":"in","metadata":"{}"})", message, "metadata: expected an object"},
      {R"({"direction":"in","external_id":null})", message, "external_id: expected a string"},
      {R"({"direction":"in","created_at":1700000000})", message, "created_at: expected a string"},
      {R"({"direction":"in","created_at":"yesterday"})", message,
       R"(created_at: expected an RFC 3339 timestamp, got "yesterday")"},
      {R"({"direction":"in","channel_timestamp":"2026-02-30T00:00:00Z"})", message,
       R"(channel_timestamp: expected an RFC 3339 timestamp, got "2026-02-30T00:00:00Z")"},
      {R"({"type":"image","size":"1kB"})", part, "size: expected an integer"},
      {R"({"type":"audio","duration_ms":-0.5})", part, "duration_ms: expected an integer"},
      {R"({"type":"event","extra":"x"})", part, "extra: expected an object"},
      {R"({"priority":2147483648})", conversation, "priority: integer out of range"},
      {R"({"tags":["a",1]})", conversation, "tags[1]: expected a string"},
      {R"({"assignee_id":null})", conversation, "assignee_id: expected an integer"},
      {R"({"resolution_due":"2026-11-23T16:28:03"})", conversation,
       R"(resolution_due: expected an RFC 3339 timestamp, got "2026-11-23T16:28:03")"},
      {R"({"identities":[{"channel_id":"3"}]})", contact, "identities[0].channel_id: expected an integer"},
      {R"({"attributes":[]})", contact, "attributes: expected an object"},
      {R"({"type":"web","enabled":"yes"})", channel, "enabled: expected a boolean"},
      {R"({"type":"web","secrets":"k"})", channel, "secrets: expected an object"},
      {R"({"team_ids":[1,"2"]})", agent, "team_ids[1]: expected an integer"},
      {R"({"skills":"billing"})", agent, "skills: expected an array"},
  };
  for (const BadInput& c : cases) {
    EXPECT_EQ(error_of([&] { c.read(parse_json(c.json)); }), c.error) << c.json;
  }
}

TEST(FromJson, IntegralNumbersWrittenAsRealsAreIntegers) {
  // JSON has one number type; JSON Schema's "integer" includes 5.0.
  EXPECT_EQ(message_from_json(parse_json(R"({"direction":"in","seq":5.0})")).seq, 5);
}

TEST(FromJson, UnknownKeysAreIgnored) {
  const Message m = message_from_json(parse_json(R"({"direction":"note","future_field":{"x":1},"sender":{"a":1}})"));
  EXPECT_EQ(m.direction, Direction::note);
}

TEST(FromJson, LongBadValuesAreCutShortInTheMessage) {
  const std::string value(10000, 'x');
  const std::string error = error_of([&] { direction_from_string(value); });
  EXPECT_LT(error.size(), 120u);
  EXPECT_THAT(error, HasSubstr("...")) << error;
  // The cut never splits a UTF-8 character.
  std::string chinese;
  for (int i = 0; i < 100; ++i) chinese += "错";
  const std::string cut = error_of([&] { role_from_string(chinese); });
  EXPECT_THAT(cut, HasSubstr(R"(错")")) << cut;
}

// ---- parse_json ----------------------------------------------------------------------

TEST(ParseJson, AcceptsAnyJsonValueWithSurroundingWhitespace) {
  EXPECT_EQ(parse_json("  {\"a\":1}\n"), object(R"({"a":1})"));
  EXPECT_EQ(parse_json("5").asInt(), 5);
  EXPECT_EQ(parse_json(R"("x")").asString(), "x");
  EXPECT_TRUE(parse_json("null").isNull());
}

TEST(ParseJson, DuplicateKeysAreLastWins) { EXPECT_EQ(parse_json(R"({"a":1,"a":2})")["a"].asInt(), 2); }

TEST(ParseJson, RejectsMalformedText) {
  for (const char* text : {"", " ", "{", R"({"a":1} x)", R"({"a":1}{})", "[1,2]]", "1 2", R"({"a":1} // c)",
                           "/* c */ {}", "{'a':1}", "[1,]", R"({"a":1,})", "NaN", R"({"a":})", "\xEF\xBB"}) {
    const std::string error = error_of([&] { parse_json(text); });
    EXPECT_THAT(error, ::testing::StartsWith("invalid JSON: ")) << '"' << text << '"';
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  EXPECT_EQ(error_of([] { parse_json(R"({"a":1} x)"); }),
            "invalid JSON: Line 1, Column 9: Extra non-whitespace after JSON value.");
  EXPECT_THAT(error_of([] { parse_json(std::string_view()); }), ::testing::StartsWith("invalid JSON: "));
}

TEST(ParseJson, RejectsNestingBeyondTheStackLimit) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(error_of([&] { parse_json(deep); }), ::testing::StartsWith("invalid JSON: "));
}

// ---- schema/*.schema.json ------------------------------------------------------------

const std::filesystem::path kSchemaDir = OMNIGATE_SCHEMA_DIR;

Json::Value load_schema(const std::string& name) {
  std::ifstream in(kSchemaDir / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_json(text.str());
}

// Every key of `j` is declared in the "properties" of `schema`.
void expect_declared(const Json::Value& j, const Json::Value& schema, const std::string& what) {
  const Json::Value& properties = schema["properties"];
  ASSERT_TRUE(properties.isObject()) << what;
  for (const std::string& key : j.getMemberNames()) {
    EXPECT_TRUE(properties.isMember(key)) << what << " does not declare \"" << key << '"';
  }
}

TEST(SchemaFiles, AllParseAsDraft2020_12) {
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(kSchemaDir)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".schema.json")) continue;
    found.insert(name);
    Json::Value s;
    ASSERT_NO_THROW(s = load_schema(name)) << name;
    EXPECT_EQ(s["$schema"].asString(), "https://json-schema.org/draft/2020-12/schema") << name;
    EXPECT_EQ(s["type"].asString(), "object") << name;
    EXPECT_FALSE(s["description"].asString().empty()) << name;
    for (const std::string& key : s["properties"].getMemberNames()) {
      EXPECT_FALSE(s["properties"][key]["description"].asString().empty()) << name << ": " << key;
    }
  }
  EXPECT_EQ(found, (std::set<std::string>{"agent.schema.json", "channel.schema.json", "contact.schema.json",
                                          "conversation.schema.json", "message.schema.json", "part.schema.json",
                                          "realtime.schema.json"}));
}

TEST(SchemaFiles, DeclareEveryKeyTheWriterEmits) {
  const Json::Value message = load_schema("message.schema.json");
  const Json::Value part = load_schema("part.schema.json");
  const Json::Value contact = load_schema("contact.schema.json");
  const Json::Value m = to_json(full_message());
  expect_declared(m, message, "message.schema.json");
  expect_declared(m["sender"], message["$defs"]["sender"], "message.schema.json#/$defs/sender");
  EXPECT_EQ(message["properties"]["parts"]["items"]["$ref"].asString(), "part.schema.json");
  for (const Json::Value& p : m["parts"]) expect_declared(p, part, "part.schema.json");
  expect_declared(to_json(every_field(PartType::event)), part, "part.schema.json");

  const Json::Value c = to_json(full_contact());
  expect_declared(c, contact, "contact.schema.json");
  for (const Json::Value& i : c["identities"]) expect_declared(i, contact["$defs"]["identity"], "identity");
  expect_declared(to_json(full_conversation()), load_schema("conversation.schema.json"), "conversation.schema.json");
  expect_declared(to_json(full_channel(), true), load_schema("channel.schema.json"), "channel.schema.json");
  expect_declared(to_json(full_agent()), load_schema("agent.schema.json"), "agent.schema.json");
  EXPECT_FALSE(load_schema("agent.schema.json")["properties"].isMember("password_hash"));
}

TEST(SchemaFiles, RequiredFieldsMatchTheReaders) {
  EXPECT_EQ(write_json(load_schema("message.schema.json")["required"]), R"(["direction"])");
  EXPECT_EQ(write_json(load_schema("part.schema.json")["required"]), R"(["type"])");
  EXPECT_EQ(write_json(load_schema("channel.schema.json")["required"]), R"(["type"])");
}

// The enum lists in the schema files are exactly the names the code uses.
TEST(SchemaFiles, EnumListsMatchTheCode) {
  const auto names = [](const Json::Value& e) {
    std::vector<std::string> out;
    for (const Json::Value& v : e["enum"]) out.push_back(v.asString());
    return out;
  };
  const auto all = [](auto... values) { return std::vector<std::string>{std::string(to_string(values))...}; };
  using D = Direction;
  const Json::Value message = load_schema("message.schema.json");
  EXPECT_EQ(names(message["properties"]["direction"]), all(D::in, D::out, D::note, D::system));
  EXPECT_EQ(names(message["properties"]["delivery_status"]),
            all(DeliveryStatus::none, DeliveryStatus::pending, DeliveryStatus::sent, DeliveryStatus::failed));
  EXPECT_EQ(names(message["$defs"]["sender"]["properties"]["type"]),
            all(SenderType::contact, SenderType::agent, SenderType::bot, SenderType::system));
  EXPECT_EQ(names(load_schema("part.schema.json")["properties"]["type"]),
            all(PartType::text, PartType::image, PartType::file, PartType::audio, PartType::video,
                PartType::location, PartType::link, PartType::event));
  EXPECT_EQ(names(load_schema("conversation.schema.json")["properties"]["status"]),
            all(ConversationStatus::bot, ConversationStatus::queued, ConversationStatus::assigned,
                ConversationStatus::snoozed, ConversationStatus::resolved));
  const std::vector<std::string> channel_types =
      all(ChannelType::wechat, ChannelType::wecom, ChannelType::email, ChannelType::web, ChannelType::app,
          ChannelType::webhook);
  EXPECT_EQ(names(load_schema("channel.schema.json")["properties"]["type"]), channel_types);
  EXPECT_EQ(names(load_schema("contact.schema.json")["$defs"]["identity"]["properties"]["channel_type"]),
            channel_types);
  const Json::Value agent = load_schema("agent.schema.json");
  EXPECT_EQ(names(agent["properties"]["role"]), all(Role::admin, Role::agent));
  EXPECT_EQ(names(agent["properties"]["presence"]), all(Presence::online, Presence::away, Presence::offline));
  std::vector<std::string> capacity_keys = channel_types;
  capacity_keys.push_back("default");
  EXPECT_EQ(names(agent["properties"]["capacity"]["propertyNames"]), capacity_keys);
}

}  // namespace
}  // namespace omnigate::schema

TEST(ChannelTypeNames, WechatIsAnAliasOfWechatMp) {
  EXPECT_EQ(omnigate::schema::channel_type_from_string("wechat"), omnigate::schema::ChannelType::wechat);
  EXPECT_EQ(omnigate::schema::channel_type_from_string("wechat_mp"), omnigate::schema::ChannelType::wechat);
  EXPECT_EQ(omnigate::schema::to_string(omnigate::schema::ChannelType::wechat), "wechat_mp");
  EXPECT_FALSE(omnigate::schema::channel_type_from_string("WeChat").has_value());
}
