#include "adapters/wechat/normalize.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "adapters/adapter.h"

namespace omnigate::adapters::wechat {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return s;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Coordinates and scales arrive as decimal text; a value WeChat garbled stays
// in metadata and the field stays empty rather than failing the message.
std::optional<double> parse_double(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A number when it is one, the text otherwise: extra keeps what WeChat sent.
Json::Value number_or_text(const std::string& s) {
  if (auto i = parse_int(s)) return Json::Int64(*i);
  if (auto d = parse_double(s)) return *d;
  return s;
}

std::string audio_mime(const std::string& format) {
  std::string f = lower(format);
  if (f.empty()) return {};
  if (f == "mp3") return "audio/mpeg";
  return "audio/" + f;  // amr, speex, silk, ...
}

// Every raw field; repeated keys become arrays so none is dropped.
Json::Value raw_fields(const XmlFields& fields) {
  Json::Value raw(Json::objectValue);
  for (const auto& [k, v] : fields.entries()) {
    if (!raw.isMember(k)) {
      raw[k] = v;
    } else {
      if (!raw[k].isArray()) {
        Json::Value first = raw[k];
        raw[k] = Json::Value(Json::arrayValue);
        raw[k].append(first);
      }
      raw[k].append(v);
    }
  }
  return raw;
}

void set_extra(schema::Part& p, const char* key, Json::Value v) {
  if (p.extra.isNull()) p.extra = Json::Value(Json::objectValue);
  p.extra[key] = std::move(v);
}

schema::Part event_part(const XmlFields& f) {
  schema::Part p;
  p.type = schema::PartType::event;
  p.event = lower(f.get("Event"));
  p.event_key = f.get("EventKey");
  if (p.event == "subscribe" || p.event == "scan") {
    // A follow through a parametric QR code carries "qrscene_" + the scene;
    // SCAN (already following) carries the bare scene.
    static constexpr std::string_view kQr = "qrscene_";
    if (p.event_key.starts_with(kQr)) {
      p.event_key.erase(0, kQr.size());
      set_extra(p, "qrscene", true);
    }
    if (f.has("Ticket")) set_extra(p, "ticket", f.get("Ticket"));
  } else if (p.event == "location") {
    p.latitude = parse_double(f.get("Latitude"));
    p.longitude = parse_double(f.get("Longitude"));
    if (auto pr = parse_double(f.get("Precision"))) set_extra(p, "precision", *pr);
  } else if (p.event == "view") {
    p.url = p.event_key;
    if (f.has("MenuId")) set_extra(p, "menu_id", f.get("MenuId"));
  } else if (p.event == "kf_msg_or_event") {
    // WeCom 微信客服: the callback only says "new messages": the Token and
    // OpenKfId it carries are what kf/sync_msg needs to fetch them.
    set_extra(p, "token", f.get("Token"));
    set_extra(p, "open_kfid", f.get("OpenKfId"));
  }
  return p;
}

schema::Part message_part(const std::string& type, const XmlFields& f) {
  schema::Part p;
  if (type == "text") {
    p.type = schema::PartType::text;
    p.text = f.get("Content");
  } else if (type == "image") {
    p.type = schema::PartType::image;
    p.url = f.get("PicUrl");
    p.media_id = f.get("MediaId");
  } else if (type == "voice") {
    p.type = schema::PartType::audio;
    p.media_id = f.get("MediaId");
    p.mime_type = audio_mime(f.get("Format"));
    p.text = f.get("Recognition");
    if (f.has("MediaId16K")) set_extra(p, "media_id_16k", f.get("MediaId16K"));
  } else if (type == "video" || type == "shortvideo") {
    p.type = schema::PartType::video;
    p.media_id = f.get("MediaId");
    set_extra(p, "thumb_media_id", f.get("ThumbMediaId"));
  } else if (type == "location") {
    p.type = schema::PartType::location;
    p.latitude = parse_double(f.get("Location_X"));
    p.longitude = parse_double(f.get("Location_Y"));
    p.label = f.get("Label");
    if (f.has("Scale")) set_extra(p, "scale", number_or_text(f.get("Scale")));
  } else if (type == "link") {
    p.type = schema::PartType::link;
    p.title = f.get("Title");
    p.text = f.get("Description");
    p.url = f.get("Url");
  } else {
    // A type WeChat added after this code (or a WeCom-only one): keep the
    // message as an event the agent can see, with everything in metadata.
    p.type = schema::PartType::event;
    p.event = "unsupported";
    set_extra(p, "msg_type", type);
  }
  return p;
}

}  // namespace

schema::Message normalize(const XmlFields& f, std::int64_t channel_id) {
  std::string type = f.get("MsgType");
  if (type.empty()) throw AdapterError::bad_request("WeChat XML without MsgType");
  std::string create_time = f.get("CreateTime");
  auto seconds = parse_int(create_time);
  // Up to the year 3000: anything larger is not a time WeChat sends.
  if (!seconds || *seconds < 0 || *seconds > 32503680000)
    throw AdapterError::bad_request("WeChat XML: CreateTime must be unix seconds, got \"" + create_time + "\"");
  std::string from = f.get("FromUserName");
  bool is_event = type == "event";
  if (from.empty() && !is_event) throw AdapterError::bad_request("WeChat XML without FromUserName");

  schema::Message m;
  m.direction = schema::Direction::in;
  m.channel_id = channel_id;
  // Events without a user (WeCom's kf_msg_or_event) come from the platform.
  m.sender.type = from.empty() ? schema::SenderType::system : schema::SenderType::contact;
  m.sender.id = from;
  m.channel_timestamp = schema::Timestamp(std::chrono::seconds(*seconds));
  m.metadata = Json::Value(Json::objectValue);
  m.metadata["wechat"] = raw_fields(f);

  if (is_event) {
    m.parts.push_back(event_part(f));
    m.external_id = "event:" + from + ":" + create_time + ":" + m.parts.back().event;
    // kf_msg_or_event has no user; its Token is unique per callback.
    if (from.empty() && f.has("Token")) m.external_id += ":" + f.get("Token");
  } else {
    m.parts.push_back(message_part(type, f));
    std::string msg_id = f.get("MsgId");
    m.external_id = !msg_id.empty() ? msg_id : "msg:" + from + ":" + create_time + ":" + type;
  }
  return m;
}

}  // namespace omnigate::adapters::wechat
