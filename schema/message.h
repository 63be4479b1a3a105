#pragma once
// The one internal message model. Every channel adapter produces these and the
// store, router and workbench consume them; nothing downstream knows a protocol.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <json/value.h>

#include "schema/time.h"

namespace omnigate::schema {

enum class Direction { in, out, note, system };
enum class SenderType { contact, agent, bot, system };
enum class PartType { text, image, file, audio, video, location, link, event };
// Outbound delivery state; inbound messages stay `none`.
enum class DeliveryStatus { none, pending, sent, failed };

// One piece of a message. Which fields are meaningful depends on `type`:
//   text      text
//   image     url / media_id, mime_type, name, size
//   file      url / media_id, mime_type, name, size
//   audio     url / media_id, mime_type, duration_ms, text (speech recognition)
//   video     url / media_id, mime_type, duration_ms, thumb_media_id (in extra)
//   location  latitude, longitude, label, scale (in extra)
//   link      url, title, text (description)
//   event     event (e.g. "subscribe", "order.shipped"), event_key, extra
// `extra` keeps anything type- or channel-specific so no input is ever lost.
struct Part {
  PartType type = PartType::text;
  std::string text;
  std::string url;
  std::string media_id;
  std::string mime_type;
  std::string name;
  std::string title;
  std::optional<std::int64_t> size;
  std::optional<std::int64_t> duration_ms;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string label;
  std::string event;
  std::string event_key;
  Json::Value extra;  // null when empty

  bool operator==(const Part&) const = default;
};

struct Sender {
  SenderType type = SenderType::contact;
  // The contact's external id on the channel (inbound) or the agent's id.
  std::string id;
  std::string name;

  bool operator==(const Sender&) const = default;
};

struct Message {
  std::int64_t id = 0;               // 0 until stored
  std::int64_t conversation_id = 0;  // 0 until stored
  std::int64_t seq = 0;              // per-conversation order, from 1, no gaps
  Direction direction = Direction::in;
  Sender sender;
  std::int64_t channel_id = 0;
  // The channel's own id for this message (WeChat MsgId, email Message-ID,
  // client_msg_id, ...). Unique per channel: a retried delivery of the same
  // external_id is the same message.
  std::string external_id;
  std::vector<Part> parts;
  Timestamp created_at{};                   // when the gateway stored it
  std::optional<Timestamp> channel_timestamp;  // when the channel says it happened
  DeliveryStatus delivery_status = DeliveryStatus::none;
  std::string delivery_error;
  Json::Value metadata;  // channel-specific extras, never dropped; null when empty

  bool operator==(const Message&) const = default;
};

}  // namespace omnigate::schema
