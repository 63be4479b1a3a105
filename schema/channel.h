#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <json/value.h>

#include "schema/time.h"

namespace omnigate::schema {

enum class ChannelType { wechat, wecom, email, web, app, webhook };

std::string_view to_string(ChannelType t);
std::optional<ChannelType> channel_type_from_string(std::string_view s);

struct Channel {
  std::int64_t id = 0;
  ChannelType type = ChannelType::webhook;
  std::string name;
  // Random, unguessable path token of the inbound URL /v1/hooks/{token}.
  std::string token;
  Json::Value config;   // non-secret settings (object)
  Json::Value secrets;  // signing keys, app secrets (object); admins only
  bool enabled = true;
  Timestamp created_at{};
  Timestamp updated_at{};

  bool operator==(const Channel&) const = default;
};

}  // namespace omnigate::schema
