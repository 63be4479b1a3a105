#include "schema/channel.h"

#include <stdexcept>
#include <utility>

namespace omnigate::schema {

namespace {

// The wire names are the enumerator names; they also appear in the database,
// in agent capacities and in URLs, so they never change once released.
constexpr std::pair<ChannelType, std::string_view> kNames[] = {
    {ChannelType::wechat, "wechat"}, {ChannelType::wecom, "wecom"}, {ChannelType::email, "email"},
    {ChannelType::web, "web"},       {ChannelType::app, "app"},     {ChannelType::webhook, "webhook"},
};

}  // namespace

std::string_view to_string(ChannelType t) {
  for (const auto& [value, name] : kNames) {
    if (value == t) return name;
  }
  // Only a cast from a bad integer gets here.
  throw std::invalid_argument("unnamed ChannelType value");
}

std::optional<ChannelType> channel_type_from_string(std::string_view s) {
  for (const auto& [value, name] : kNames) {
    if (name == s) return value;
  }
  return std::nullopt;
}

}  // namespace omnigate::schema
