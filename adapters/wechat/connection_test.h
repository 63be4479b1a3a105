#pragma once
// The WeChat channels' connection test (Adapter::test_connection):
//   "access_token"  a token for the channel's AppID/AppSecret (Official
//                   Account) or corpid/secret (WeCom), from the process's
//                   cache when it holds a good one, so a test never revokes
//                   the token the outbox is using;
//   "api"           GET /cgi-bin/get_api_domain_ip with it, which both APIs
//                   answer for any valid token: proves the token works from
//                   this server's address (WeChat's IP whitelist) and that
//                   api_base is reachable.
// Refusals carry WeChat's errcode and errmsg, plus what to change in
// WeChat's console for the common ones (wrong secret, IP not whitelisted).
#include <vector>

#include "adapters/adapter.h"
#include "adapters/wechat/access_token.h"
#include "adapters/wechat/settings.h"

namespace omnigate::adapters::wechat {

inline constexpr const char* kApiDomainIpPath = "/cgi-bin/get_api_domain_ip";

std::vector<ConnectionCheck> test_wechat_connection(AccessTokenManager& tokens, const ChannelSettings& settings);

// What an admin should change for a refused token or API call, or "" when
// WeChat's own errmsg says enough.
std::string errcode_hint(Flavor flavor, long errcode);

}  // namespace omnigate::adapters::wechat
