#pragma once
// One decrypted callback document -> one schema::Message.
//
//   direction in; sender contact FromUserName (the OpenID, or the WeCom
//   userid); channel_timestamp CreateTime; external_id MsgId (kept as the
//   decimal string: it is a 64-bit value), or for events
//   "event:" FromUserName ":" CreateTime ":" Event, so WeChat's retries of one
//   event dedupe while two events in the same second do not collide.
//   metadata["wechat"] keeps every raw field, so nothing is ever lost.
//
//   text -> text; image -> image (url PicUrl, media_id); voice -> audio
//   (media_id, mime_type from Format, text Recognition); video/shortvideo ->
//   video (media_id, extra.thumb_media_id); location -> location (latitude
//   Location_X, longitude Location_Y, extra.scale, label); link -> link
//   (title, text Description, url); event -> event part (event lower-cased,
//   event_key; subscribe's "qrscene_123" -> "123" with extra.qrscene; LOCATION
//   -> latitude/longitude/extra.precision; VIEW -> url). Anything else -> an
//   event part "unsupported" with extra.msg_type: never an error.
#include <cstdint>

#include "adapters/wechat/xml.h"
#include "schema/message.h"

namespace omnigate::adapters::wechat {

// Throws AdapterError::bad_request when MsgType or CreateTime is missing or
// CreateTime is not a number, or a message (not an event) has no sender.
schema::Message normalize(const XmlFields& fields, std::int64_t channel_id);

}  // namespace omnigate::adapters::wechat
