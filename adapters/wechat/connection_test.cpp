#include "adapters/wechat/connection_test.h"

#include <string>

#include "adapters/common/connection_check.h"
#include "adapters/wechat/send.h"

namespace omnigate::adapters::wechat {
namespace {

std::string with_hint(std::string message, Flavor flavor, long errcode) {
  std::string hint = errcode_hint(flavor, errcode);
  return hint.empty() ? message : message + ". " + hint;
}

}  // namespace

std::string errcode_hint(Flavor flavor, long errcode) {
  const bool wecom = flavor == Flavor::wecom;
  switch (errcode) {
    case 40013:
      return wecom ? "Check the corpid (企业ID, under 我的企业 in the WeCom admin console)"
                   : "Check the AppID (开发 → 基本配置 in the Official Account console)";
    case 40001:
    case 40125:
      return wecom ? "Check the secret: it must be the 微信客服 (or the app's) Secret, not another app's"
                   : "Check the AppSecret (开发 → 基本配置); resetting it there invalidates the old one";
    case 40164:
    case 60020:
      return wecom ? "Add this server's public IP to the app's 企业可信IP list in the WeCom admin console"
                   : "Add this server's public IP to the IP whitelist (开发 → 基本配置 → IP白名单)";
    default:
      return "";
  }
}

std::vector<ConnectionCheck> test_wechat_connection(AccessTokenManager& tokens, const ChannelSettings& settings) {
  std::vector<ConnectionCheck> checks;
  const TokenCredentials credentials = TokenCredentials::of(settings);
  checks.push_back(run_check("access_token", [&]() -> CheckOutcome {
    try {
      tokens.get(credentials);
    } catch (const TokenError& e) {
      return {false, with_hint(e.what(), settings.flavor, e.errcode())};
    }
    return {true, "WeChat issued an access token for " + credentials.app_id};
  }));
  if (!checks.back().ok) return checks;  // the API cannot be tried without a token

  checks.push_back(run_check("api", [&]() -> CheckOutcome {
    ApiResult r = get_with_token(tokens, credentials, kApiDomainIpPath);
    if (!r.transport_error.empty()) return {false, settings.api_base + " unreachable: " + r.transport_error};
    if (r.http_status != 200) return {false, settings.api_base + " answered HTTP " + std::to_string(r.http_status)};
    if (r.errcode != 0)
      return {false, with_hint("WeChat refused the API call: errcode " + std::to_string(r.errcode) + " (" + r.errmsg + ")",
                               settings.flavor, r.errcode)};
    return {true, "the API at " + settings.api_base + " accepts the token from this server"};
  }));
  return checks;
}

}  // namespace omnigate::adapters::wechat
