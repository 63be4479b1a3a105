// The wire forms of the model. Writing and reading are two mirrored overload
// sets, put() and Fields::get(), whose rules per C++ type are the whole
// format:
//   std::string          omitted when empty
//   std::optional<T>     omitted when nullopt
//   Json::Value          must be an object; omitted when null or {} (the model
//                        normalizes {} to null, so {} reads back as null)
//   enums                their enumerator names
//   Timestamp            format_timestamp / parse_timestamp
//   integers, bool       always written; ids as 64-bit JSON integers
//   std::vector<T>       always written, as an array
// Reading ignores unknown keys, leaves absent fields at their defaults and
// throws InvalidJson naming the path of the first value of the wrong shape.
// from_json(to_json(x)) == x holds for every x that keeps the model's rules:
// Json::Value fields null or non-empty objects, capacity keys channel type
// names, timestamps in years 0000-9999 (format_timestamp throws outside), and
// no password hash or (unless include_secrets) channel secrets, which are
// never or not always written.
#include "schema/json.h"

#include <json/reader.h>
#include <json/writer.h>

#include <limits>
#include <memory>
#include <span>
#include <sstream>
#include <type_traits>
#include <utility>

namespace omnigate::schema {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InvalidJson((path.empty() ? std::string("$") : path) + ": " + what);
}

// A bad input value echoed in an error message: JSON-quoted so control
// characters cannot break a log line, and cut short (at a UTF-8 character
// boundary) so a huge value cannot flood one.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 64;
  if (s.size() <= kMax) return write_json(Json::Value(s.data(), s.data() + s.size()));
  std::size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return write_json(Json::Value(s.data(), s.data() + n)) + "...";
}

// ---- enum names ------------------------------------------------------------

template <typename E>
using Names = std::span<const std::pair<E, std::string_view>>;

constexpr std::pair<Direction, std::string_view> kDirection[] = {
    {Direction::in, "in"}, {Direction::out, "out"}, {Direction::note, "note"}, {Direction::system, "system"}};
constexpr std::pair<SenderType, std::string_view> kSenderType[] = {{SenderType::contact, "contact"},
                                                                   {SenderType::agent, "agent"},
                                                                   {SenderType::bot, "bot"},
                                                                   {SenderType::system, "system"}};
constexpr std::pair<PartType, std::string_view> kPartType[] = {
    {PartType::text, "text"},   {PartType::image, "image"},       {PartType::file, "file"},
    {PartType::audio, "audio"}, {PartType::video, "video"},       {PartType::location, "location"},
    {PartType::link, "link"},   {PartType::event, "event"}};
constexpr std::pair<DeliveryStatus, std::string_view> kDeliveryStatus[] = {{DeliveryStatus::none, "none"},
                                                                           {DeliveryStatus::pending, "pending"},
                                                                           {DeliveryStatus::sent, "sent"},
                                                                           {DeliveryStatus::failed, "failed"}};
constexpr std::pair<ConversationStatus, std::string_view> kConversationStatus[] = {
    {ConversationStatus::bot, "bot"},
    {ConversationStatus::queued, "queued"},
    {ConversationStatus::assigned, "assigned"},
    {ConversationStatus::snoozed, "snoozed"},
    {ConversationStatus::resolved, "resolved"}};
constexpr std::pair<Role, std::string_view> kRole[] = {{Role::admin, "admin"}, {Role::agent, "agent"}};
constexpr std::pair<Presence, std::string_view> kPresence[] = {
    {Presence::online, "online"}, {Presence::away, "away"}, {Presence::offline, "offline"}};

// Overloads on the enum type pick its table in the templates below.
Names<Direction> names(Direction) { return kDirection; }
Names<SenderType> names(SenderType) { return kSenderType; }
Names<PartType> names(PartType) { return kPartType; }
Names<DeliveryStatus> names(DeliveryStatus) { return kDeliveryStatus; }
Names<ConversationStatus> names(ConversationStatus) { return kConversationStatus; }
Names<Role> names(Role) { return kRole; }
Names<Presence> names(Presence) { return kPresence; }

template <typename E>
std::string_view name_of(E v) {
  for (const auto& [value, name] : names(v)) {
    if (value == v) return name;
  }
  throw std::invalid_argument("unnamed enum value");  // only a bad cast gets here
}

template <typename E>
std::optional<E> value_of(std::string_view s) {
  for (const auto& [value, name] : names(E{})) {
    if (name == s) return value;
  }
  return std::nullopt;
}

template <typename E>
E from_name(std::string_view s, const char* what) {
  if (auto v = value_of<E>(s)) return *v;
  throw InvalidJson(std::string(what) + ": unknown value " + quoted(s));
}

// ---- writing -----------------------------------------------------------------

Json::Value encode(const std::string& s) { return s; }
Json::Value encode(std::int64_t v) { return Json::Int64{v}; }
Json::Value encode(int v) { return v; }
Json::Value encode(bool v) { return v; }
Json::Value encode(double v) { return v; }
Json::Value encode(Timestamp t) { return format_timestamp(t); }
template <typename E>
  requires std::is_enum_v<E>
Json::Value encode(E v) {
  const std::string_view s = to_string(v);
  return Json::Value(s.data(), s.data() + s.size());
}
Json::Value encode(const Part& p) { return to_json(p); }
Json::Value encode(const Identity& i) { return to_json(i); }
Json::Value encode(const Sender& s);
Json::Value encode(const std::map<std::string, int>& m);
template <typename T>
Json::Value encode(const std::vector<T>& items) {
  Json::Value a(Json::arrayValue);
  for (const T& item : items) a.append(encode(item));
  return a;
}

template <typename T>
void put(Json::Value& j, const char* key, const T& v) {
  j[key] = encode(v);
}
void put(Json::Value& j, const char* key, const std::string& s) {
  if (!s.empty()) j[key] = s;
}
void put(Json::Value& j, const char* key, const Json::Value& v) {
  if (!v.isNull() && !(v.isObject() && v.empty())) j[key] = v;
}
template <typename T>
void put(Json::Value& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = encode(*v);
}

Json::Value encode(const Sender& s) {
  Json::Value j(Json::objectValue);
  put(j, "type", s.type);
  put(j, "id", s.id);
  put(j, "name", s.name);
  return j;
}

Json::Value encode(const std::map<std::string, int>& m) {
  Json::Value j(Json::objectValue);
  for (const auto& [key, value] : m) j[key] = value;
  return j;
}

// ---- reading -----------------------------------------------------------------

// Declared before the templates and Fields so their calls can see all of them.
void decode(const Json::Value& v, const std::string& path, std::string& out);
void decode(const Json::Value& v, const std::string& path, std::int64_t& out);
void decode(const Json::Value& v, const std::string& path, int& out);
void decode(const Json::Value& v, const std::string& path, bool& out);
void decode(const Json::Value& v, const std::string& path, double& out);
void decode(const Json::Value& v, const std::string& path, Timestamp& out);
void decode(const Json::Value& v, const std::string& path, Json::Value& out);
void decode(const Json::Value& v, const std::string& path, ChannelType& out);
void decode(const Json::Value& v, const std::string& path, std::map<std::string, int>& out);
void decode(const Json::Value& v, const std::string& path, Part& out);
void decode(const Json::Value& v, const std::string& path, Sender& out);
void decode(const Json::Value& v, const std::string& path, Identity& out);

template <typename E>
  requires std::is_enum_v<E>
void decode(const Json::Value& v, const std::string& path, E& out) {
  std::string s;
  decode(v, path, s);
  const std::optional<E> e = value_of<E>(s);
  if (!e) fail(path, "unknown value " + quoted(s));
  out = *e;
}

template <typename T>
void decode(const Json::Value& v, const std::string& path, std::optional<T>& out) {
  T value{};
  decode(v, path, value);
  out = std::move(value);
}

template <typename T>
void decode(const Json::Value& v, const std::string& path, std::vector<T>& out) {
  if (!v.isArray()) fail(path, "expected an array");
  out.clear();
  for (Json::ArrayIndex i = 0; i < v.size(); ++i) {
    T item{};
    decode(v[i], path + "[" + std::to_string(i) + "]", item);
    out.push_back(std::move(item));
  }
}

// The members of one JSON object, read by key; `path` names the object.
class Fields {
 public:
  Fields(const Json::Value& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.isObject()) fail(path_, "expected an object");
  }

  // Absent keys leave `out` at its default.
  template <typename T>
  void get(std::string_view key, T& out) const {
    if (const Json::Value* v = j_.find(key.data(), key.data() + key.size())) decode(*v, at(key), out);
  }

  template <typename T>
  void require(std::string_view key, T& out) const {
    if (!j_.isMember(key.data(), key.data() + key.size())) fail(at(key), "required field is missing");
    get(key, out);
  }

 private:
  std::string at(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  const Json::Value& j_;
  std::string path_;
};

void decode(const Json::Value& v, const std::string& path, std::string& out) {
  if (!v.isString()) fail(path, "expected a string");
  out = v.asString();
}

// JSON has one number type; an integral value (5 or 5.0) within range is
// accepted, as JSON Schema's "integer" does.
std::int64_t integer(const Json::Value& v, const std::string& path, std::int64_t lo, std::int64_t hi) {
  if (!v.isIntegral()) fail(path, "expected an integer");
  if (!v.isInt64() || v.asInt64() < lo || v.asInt64() > hi) fail(path, "integer out of range");
  return v.asInt64();
}

void decode(const Json::Value& v, const std::string& path, std::int64_t& out) {
  out = integer(v, path, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
}

void decode(const Json::Value& v, const std::string& path, int& out) {
  out = static_cast<int>(integer(v, path, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

void decode(const Json::Value& v, const std::string& path, bool& out) {
  if (!v.isBool()) fail(path, "expected a boolean");
  out = v.asBool();
}

void decode(const Json::Value& v, const std::string& path, double& out) {
  if (!v.isDouble()) fail(path, "expected a number");
  out = v.asDouble();
}

void decode(const Json::Value& v, const std::string& path, Timestamp& out) {
  std::string s;
  decode(v, path, s);
  const std::optional<Timestamp> t = parse_timestamp(s);
  if (!t) fail(path, "expected an RFC 3339 timestamp, got " + quoted(s));
  out = *t;
}

void decode(const Json::Value& v, const std::string& path, Json::Value& out) {
  if (!v.isObject()) fail(path, "expected an object");
  out = v.empty() ? Json::Value() : v;
}

void decode(const Json::Value& v, const std::string& path, ChannelType& out) {
  std::string s;
  decode(v, path, s);
  const std::optional<ChannelType> t = channel_type_from_string(s);
  if (!t) fail(path, "unknown value " + quoted(s));
  out = *t;
}

// Agent capacity: {"web": 5, "email": 20, "default": 1}. Keys are channel
// types (or "default" for the types not listed), so a typo is an error rather
// than a capacity that silently never applies.
void decode(const Json::Value& v, const std::string& path, std::map<std::string, int>& out) {
  if (!v.isObject()) fail(path, "expected an object");
  out.clear();
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string key = it.name();
    const std::optional<ChannelType> type = channel_type_from_string(key);
    if (key != "default" && !type) fail(path, "unknown channel type " + quoted(key));
    // Aliases ("wechat") are stored under the canonical name the router looks up.
    decode(*it, path + "." + key, out[type ? std::string(to_string(*type)) : key]);
  }
}

void decode(const Json::Value& v, const std::string& path, Part& out) {
  const Fields f(v, path);
  f.require("type", out.type);
  f.get("text", out.text);
  f.get("url", out.url);
  f.get("media_id", out.media_id);
  f.get("mime_type", out.mime_type);
  f.get("name", out.name);
  f.get("title", out.title);
  f.get("size", out.size);
  f.get("duration_ms", out.duration_ms);
  f.get("latitude", out.latitude);
  f.get("longitude", out.longitude);
  f.get("label", out.label);
  f.get("event", out.event);
  f.get("event_key", out.event_key);
  f.get("extra", out.extra);
}

void decode(const Json::Value& v, const std::string& path, Sender& out) {
  const Fields f(v, path);
  f.get("type", out.type);
  f.get("id", out.id);
  f.get("name", out.name);
}

void decode(const Json::Value& v, const std::string& path, Identity& out) {
  const Fields f(v, path);
  f.get("channel_id", out.channel_id);
  f.get("channel_type", out.channel_type);
  f.get("external_id", out.external_id);
}

template <typename T>
T from_root(const Json::Value& j) {
  T out{};
  decode(j, "", out);
  return out;
}

// jsoncpp reports "* Line 1, Column 9\n  Extra non-whitespace after JSON
// value.\n"; an error message is one line.
std::string one_line(std::string_view s) {
  std::string out;
  bool after_position = false;  // the line before was "* Line L, Column C"
  while (!s.empty()) {
    const std::size_t eol = s.find('\n');
    std::string_view line = s.substr(0, eol);
    s = eol == std::string_view::npos ? std::string_view() : s.substr(eol + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    if (line.starts_with("* ")) {
      if (!out.empty()) out += "; ";
      line.remove_prefix(2);
      after_position = true;
    } else if (!out.empty()) {
      out += after_position ? ": " : " ";
      after_position = false;
    }
    out += line;
  }
  return out;
}

}  // namespace

// ---- public API --------------------------------------------------------------

std::string_view to_string(Direction v) { return name_of(v); }
std::string_view to_string(SenderType v) { return name_of(v); }
std::string_view to_string(PartType v) { return name_of(v); }
std::string_view to_string(DeliveryStatus v) { return name_of(v); }
std::string_view to_string(ConversationStatus v) { return name_of(v); }
std::string_view to_string(Role v) { return name_of(v); }
std::string_view to_string(Presence v) { return name_of(v); }

Direction direction_from_string(std::string_view s) { return from_name<Direction>(s, "direction"); }
SenderType sender_type_from_string(std::string_view s) { return from_name<SenderType>(s, "sender type"); }
PartType part_type_from_string(std::string_view s) { return from_name<PartType>(s, "part type"); }
DeliveryStatus delivery_status_from_string(std::string_view s) {
  return from_name<DeliveryStatus>(s, "delivery status");
}
ConversationStatus conversation_status_from_string(std::string_view s) {
  return from_name<ConversationStatus>(s, "conversation status");
}
Role role_from_string(std::string_view s) { return from_name<Role>(s, "role"); }
Presence presence_from_string(std::string_view s) { return from_name<Presence>(s, "presence"); }

Json::Value to_json(const Part& v) {
  Json::Value j(Json::objectValue);
  put(j, "type", v.type);
  put(j, "text", v.text);
  put(j, "url", v.url);
  put(j, "media_id", v.media_id);
  put(j, "mime_type", v.mime_type);
  put(j, "name", v.name);
  put(j, "title", v.title);
  put(j, "size", v.size);
  put(j, "duration_ms", v.duration_ms);
  put(j, "latitude", v.latitude);
  put(j, "longitude", v.longitude);
  put(j, "label", v.label);
  put(j, "event", v.event);
  put(j, "event_key", v.event_key);
  put(j, "extra", v.extra);
  return j;
}

Json::Value to_json(const Message& v) {
  Json::Value j(Json::objectValue);
  put(j, "id", v.id);
  put(j, "conversation_id", v.conversation_id);
  put(j, "seq", v.seq);
  put(j, "direction", v.direction);
  j["sender"] = encode(v.sender);
  put(j, "channel_id", v.channel_id);
  put(j, "external_id", v.external_id);
  put(j, "parts", v.parts);
  put(j, "created_at", v.created_at);
  put(j, "channel_timestamp", v.channel_timestamp);
  put(j, "delivery_status", v.delivery_status);
  put(j, "delivery_error", v.delivery_error);
  put(j, "metadata", v.metadata);
  return j;
}

Json::Value to_json(const Conversation& v) {
  Json::Value j(Json::objectValue);
  put(j, "id", v.id);
  put(j, "channel_id", v.channel_id);
  put(j, "contact_id", v.contact_id);
  put(j, "status", v.status);
  put(j, "priority", v.priority);
  put(j, "assignee_id", v.assignee_id);
  put(j, "team_id", v.team_id);
  put(j, "tags", v.tags);
  put(j, "last_seq", v.last_seq);
  put(j, "created_at", v.created_at);
  put(j, "updated_at", v.updated_at);
  put(j, "last_message_at", v.last_message_at);
  put(j, "first_response_due", v.first_response_due);
  put(j, "resolution_due", v.resolution_due);
  put(j, "queued_at", v.queued_at);
  put(j, "assigned_at", v.assigned_at);
  put(j, "snoozed_until", v.snoozed_until);
  put(j, "first_response_at", v.first_response_at);
  put(j, "resolved_at", v.resolved_at);
  put(j, "first_response_breached", v.first_response_breached);
  put(j, "resolution_breached", v.resolution_breached);
  return j;
}

Json::Value to_json(const Identity& v) {
  Json::Value j(Json::objectValue);
  put(j, "channel_id", v.channel_id);
  put(j, "channel_type", v.channel_type);
  put(j, "external_id", v.external_id);
  return j;
}

Json::Value to_json(const Contact& v) {
  Json::Value j(Json::objectValue);
  put(j, "id", v.id);
  put(j, "name", v.name);
  put(j, "identities", v.identities);
  put(j, "attributes", v.attributes);
  put(j, "tags", v.tags);
  put(j, "created_at", v.created_at);
  return j;
}

Json::Value to_json(const Channel& v, bool include_secrets) {
  Json::Value j(Json::objectValue);
  put(j, "id", v.id);
  put(j, "type", v.type);
  put(j, "name", v.name);
  put(j, "token", v.token);
  put(j, "config", v.config);
  if (include_secrets) put(j, "secrets", v.secrets);
  put(j, "enabled", v.enabled);
  put(j, "created_at", v.created_at);
  put(j, "updated_at", v.updated_at);
  return j;
}

Json::Value to_json(const Agent& v) {
  Json::Value j(Json::objectValue);
  put(j, "id", v.id);
  put(j, "login", v.login);
  put(j, "name", v.name);
  put(j, "role", v.role);
  put(j, "team_ids", v.team_ids);
  put(j, "skills", v.skills);
  j["capacity"] = encode(v.capacity);
  put(j, "presence", v.presence);
  if (v.disabled) put(j, "disabled", v.disabled);
  put(j, "created_at", v.created_at);
  return j;
}

Part part_from_json(const Json::Value& j) { return from_root<Part>(j); }

Message message_from_json(const Json::Value& j) {
  Message m;
  const Fields f(j, "");
  f.get("id", m.id);
  f.get("conversation_id", m.conversation_id);
  f.get("seq", m.seq);
  f.require("direction", m.direction);
  f.get("sender", m.sender);
  f.get("channel_id", m.channel_id);
  f.get("external_id", m.external_id);
  f.get("parts", m.parts);
  f.get("created_at", m.created_at);
  f.get("channel_timestamp", m.channel_timestamp);
  f.get("delivery_status", m.delivery_status);
  f.get("delivery_error", m.delivery_error);
  f.get("metadata", m.metadata);
  return m;
}

Conversation conversation_from_json(const Json::Value& j) {
  Conversation c;
  const Fields f(j, "");
  f.get("id", c.id);
  f.get("channel_id", c.channel_id);
  f.get("contact_id", c.contact_id);
  f.get("status", c.status);
  f.get("priority", c.priority);
  f.get("assignee_id", c.assignee_id);
  f.get("team_id", c.team_id);
  f.get("tags", c.tags);
  f.get("last_seq", c.last_seq);
  f.get("created_at", c.created_at);
  f.get("updated_at", c.updated_at);
  f.get("last_message_at", c.last_message_at);
  f.get("first_response_due", c.first_response_due);
  f.get("resolution_due", c.resolution_due);
  f.get("queued_at", c.queued_at);
  f.get("assigned_at", c.assigned_at);
  f.get("snoozed_until", c.snoozed_until);
  f.get("first_response_at", c.first_response_at);
  f.get("resolved_at", c.resolved_at);
  f.get("first_response_breached", c.first_response_breached);
  f.get("resolution_breached", c.resolution_breached);
  return c;
}

Identity identity_from_json(const Json::Value& j) { return from_root<Identity>(j); }

Contact contact_from_json(const Json::Value& j) {
  Contact c;
  const Fields f(j, "");
  f.get("id", c.id);
  f.get("name", c.name);
  f.get("identities", c.identities);
  f.get("attributes", c.attributes);
  f.get("tags", c.tags);
  f.get("created_at", c.created_at);
  return c;
}

Channel channel_from_json(const Json::Value& j) {
  Channel c;
  const Fields f(j, "");
  f.get("id", c.id);
  f.require("type", c.type);
  f.get("name", c.name);
  f.get("token", c.token);
  f.get("config", c.config);
  f.get("secrets", c.secrets);
  f.get("enabled", c.enabled);
  f.get("created_at", c.created_at);
  f.get("updated_at", c.updated_at);
  return c;
}

Agent agent_from_json(const Json::Value& j) {
  Agent a;
  const Fields f(j, "");
  f.get("id", a.id);
  f.get("login", a.login);
  f.get("name", a.name);
  // password_hash is deliberately not read: it is set only by the password
  // API, never from a JSON body.
  f.get("role", a.role);
  f.get("team_ids", a.team_ids);
  f.get("skills", a.skills);
  f.get("capacity", a.capacity);
  f.get("presence", a.presence);
  f.get("disabled", a.disabled);
  f.get("created_at", a.created_at);
  return a;
}

std::string write_json(const Json::Value& v) {
  // One writer and one stream per thread: Json::writeString builds both
  // anew on every call, which cost more than the writing itself (ingest
  // writes two documents per message).
  struct Writer {
    std::unique_ptr<Json::StreamWriter> writer = [] {
      Json::StreamWriterBuilder b;
      b["indentation"] = "";  // one line, no spaces
      b["emitUTF8"] = true;   // keep 中文 and emoji readable, not \u escapes
      return std::unique_ptr<Json::StreamWriter>(b.newStreamWriter());
    }();
    std::ostringstream out;
  };
  thread_local Writer w;
  w.out.str(std::string());
  w.out.clear();
  w.writer->write(v, &w.out);
  return w.out.str();
}

Json::Value parse_json(std::string_view text) {
  static const Json::CharReaderBuilder builder = [] {
    Json::CharReaderBuilder b;
    b["strictRoot"] = false;  // a bare scalar is valid JSON (RFC 8259)
    b["failIfExtra"] = true;  // "{}x" is garbage, not {}
    b["rejectDupKeys"] = false;
    b["allowComments"] = false;
    b["allowTrailingCommas"] = false;  // jsoncpp's default accepts [1,]
    return b;
  }();
  const std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
  Json::Value root;
  Json::String errors;
  try {
    if (!reader->parse(text.data(), text.data() + text.size(), &root, &errors)) {
      throw InvalidJson("invalid JSON: " + one_line(errors));
    }
  } catch (const Json::Exception& e) {
    // jsoncpp throws instead of reporting for some inputs (nesting deeper
    // than its stack limit).
    throw InvalidJson(std::string("invalid JSON: ") + e.what());
  }
  return root;
}

}  // namespace omnigate::schema
