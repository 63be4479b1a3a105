#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <json/value.h>

#include "schema/channel.h"
#include "schema/time.h"

namespace omnigate::schema {

// How one channel knows a person: a WeChat OpenID on one official account, an
// email address on a mailbox, a visitor id on a web channel, an app user id.
struct Identity {
  std::int64_t channel_id = 0;
  ChannelType channel_type = ChannelType::webhook;
  std::string external_id;

  bool operator==(const Identity&) const = default;
};

struct Contact {
  std::int64_t id = 0;
  std::string name;
  std::vector<Identity> identities;
  Json::Value attributes;  // VIP tier, region, language, page URL...; null when empty
  std::vector<std::string> tags;
  Timestamp created_at{};

  bool operator==(const Contact&) const = default;
};

}  // namespace omnigate::schema
