#include "schema/channel.h"

#include <stdexcept>
#include <utility>

namespace omnigate::schema {

namespace {

// The wire names; they also appear in the database and in agent capacities,
// so they never change once released. The Official Account type is
// "wechat_mp" (WeChat's own name for 公众号, next to "wecom").
constexpr std::pair<ChannelType, std::string_view> kNames[] = {
    {ChannelType::wechat, "wechat_mp"}, {ChannelType::wecom, "wecom"}, {ChannelType::email, "email"},
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
  if (s == "wechat") return ChannelType::wechat;  // accepted as an alias of wechat_mp
  return std::nullopt;
}

}  // namespace omnigate::schema
