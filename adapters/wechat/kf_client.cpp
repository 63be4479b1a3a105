#include "adapters/wechat/kf_client.h"

#include "adapters/adapter.h"
#include "schema/json.h"

namespace omnigate::adapters::wechat {
namespace {

std::string str(const Json::Value& obj, const char* key) {
  const Json::Value& v = obj.isObject() ? obj[key] : Json::Value::nullSingleton();
  return v.isString() ? v.asString() : std::string();
}

std::optional<double> num(const Json::Value& obj, const char* key) {
  const Json::Value& v = obj.isObject() ? obj[key] : Json::Value::nullSingleton();
  if (v.isNumeric()) return v.asDouble();
  return std::nullopt;
}

schema::Part kf_part(const std::string& type, const Json::Value& e) {
  schema::Part p;
  const Json::Value& body = e.isMember(type) ? e[type] : Json::Value::nullSingleton();
  if (type == "text") {
    p.type = schema::PartType::text;
    p.text = str(body, "content");
  } else if (type == "image") {
    p.type = schema::PartType::image;
    p.media_id = str(body, "media_id");
  } else if (type == "voice") {
    p.type = schema::PartType::audio;
    p.media_id = str(body, "media_id");
    p.mime_type = "audio/amr";  // voice_format 0 asks WeChat for amr
  } else if (type == "video") {
    p.type = schema::PartType::video;
    p.media_id = str(body, "media_id");
  } else if (type == "file") {
    p.type = schema::PartType::file;
    p.media_id = str(body, "media_id");
  } else if (type == "location") {
    p.type = schema::PartType::location;
    p.latitude = num(body, "latitude");
    p.longitude = num(body, "longitude");
    p.label = str(body, "name");
    if (!str(body, "address").empty()) {
      p.extra = Json::Value(Json::objectValue);
      p.extra["address"] = str(body, "address");
    }
  } else if (type == "link") {
    p.type = schema::PartType::link;
    p.title = str(body, "title");
    p.text = str(body, "desc");
    p.url = str(body, "url");
  } else if (type == "event") {
    p.type = schema::PartType::event;
    p.event = str(body, "event_type");
    p.event_key = str(body, "scene_param");
  } else {
    p.type = schema::PartType::event;
    p.event = "unsupported";
    p.extra = Json::Value(Json::objectValue);
    p.extra["msg_type"] = type;
  }
  return p;
}

}  // namespace

KfSyncClient::KfSyncClient(AccessTokenManager& tokens, TokenCredentials credentials,
                           std::chrono::milliseconds timeout)
    : tokens_(tokens), credentials_(std::move(credentials)), timeout_(timeout) {}

KfPage KfSyncClient::fetch_page(const std::string& cursor, const std::string& callback_token,
                                const std::string& open_kfid, int limit) {
  Json::Value req(Json::objectValue);
  if (!cursor.empty()) req["cursor"] = cursor;
  // The callback's Token lifts sync_msg's strict rate limit (valid 10 min).
  if (!callback_token.empty()) req["token"] = callback_token;
  req["limit"] = limit;
  req["voice_format"] = 0;
  if (!open_kfid.empty()) req["open_kfid"] = open_kfid;

  ApiResult r;
  try {
    r = post_with_token(tokens_, credentials_, "/cgi-bin/kf/sync_msg", schema::write_json(req), timeout_);
  } catch (const TokenError& e) {
    throw KfSyncError(e.retryable(), e.what());
  }
  if (!r.transport_error.empty()) throw KfSyncError(true, "kf/sync_msg unreachable: " + r.transport_error);
  if (r.http_status != 200)
    throw KfSyncError(r.http_status >= 500 || r.http_status == 429,
                      "kf/sync_msg answered HTTP " + std::to_string(r.http_status));
  if (!r.body.isObject()) throw KfSyncError(true, "kf/sync_msg answered something that is not a JSON object");
  if (r.errcode != 0) {
    bool retryable = r.errcode == -1 || r.errcode == 45009 || r.errcode == 45011 || is_token_errcode(r.errcode);
    throw KfSyncError(retryable, "kf/sync_msg refused: errcode " + std::to_string(r.errcode) + " (" + r.errmsg + ")");
  }
  KfPage page;
  page.next_cursor = str(r.body, "next_cursor");
  const Json::Value& more = r.body["has_more"];
  page.has_more = (more.isIntegral() && more.asInt64() != 0) || (more.isBool() && more.asBool());
  const Json::Value& list = r.body["msg_list"];
  if (!list.isNull() && !list.isArray()) throw KfSyncError(true, "kf/sync_msg: msg_list is not an array");
  for (const Json::Value& m : list) page.messages.push_back(m);
  return page;
}

KfSyncResult KfSyncClient::sync(const std::string& cursor, const std::string& callback_token,
                                const std::string& open_kfid, const std::function<void(const KfPage&)>& on_page,
                                int max_pages) {
  KfSyncResult out;
  out.next_cursor = cursor;
  for (;;) {
    KfPage page = fetch_page(out.next_cursor, callback_token, open_kfid);
    ++out.pages;
    if (on_page) on_page(page);
    for (auto& m : page.messages) out.messages.push_back(std::move(m));
    // has_more with no new cursor would loop forever on the same page.
    bool advanced = !page.next_cursor.empty() && page.next_cursor != out.next_cursor;
    if (!page.next_cursor.empty()) out.next_cursor = page.next_cursor;
    if (!page.has_more || !advanced || out.pages >= max_pages) break;
  }
  return out;
}

schema::Message normalize_kf_message(const Json::Value& e, std::int64_t channel_id) {
  // (origin 3 = customer, 4 = system event, 5 = servicer in the WeCom client)
  if (!e.isObject()) throw AdapterError::bad_request("kf message: expected an object");
  std::string msgid = str(e, "msgid");
  const Json::Value& send_time = e["send_time"];
  if (msgid.empty() || !send_time.isIntegral() || send_time.asInt64() < 0)
    throw AdapterError::bad_request("kf message: needs msgid and send_time");
  schema::Message m;
  m.channel_id = channel_id;
  m.external_id = msgid;
  m.channel_timestamp = schema::Timestamp(std::chrono::seconds(send_time.asInt64()));
  int origin = e["origin"].isIntegral() ? e["origin"].asInt() : 0;
  std::string type = str(e, "msgtype");
  if (origin == 5) {
    m.direction = schema::Direction::out;
    m.sender.type = schema::SenderType::agent;
    m.sender.id = "wecom:" + str(e, "servicer_userid");
  } else if (origin == 4 || type == "event") {
    // A system event about a customer (enter_session, ...) belongs to that
    // customer's conversation; one about no customer comes from the system.
    m.direction = schema::Direction::in;
    m.sender.id = str(e["event"], "external_userid");
    m.sender.type = m.sender.id.empty() ? schema::SenderType::system : schema::SenderType::contact;
  } else {
    m.direction = schema::Direction::in;
    m.sender.type = schema::SenderType::contact;
    m.sender.id = str(e, "external_userid");
  }
  m.parts.push_back(kf_part(type, e));
  m.metadata = Json::Value(Json::objectValue);
  m.metadata["wechat"] = e;
  return m;
}

}  // namespace omnigate::adapters::wechat
