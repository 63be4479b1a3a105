#include "adapters/registry.h"
#include "adapters/app/app_adapter.h"
#include "adapters/email/email_adapter.h"
#include "adapters/web/web_adapter.h"
#include "adapters/wechat/wechat_adapter.h"
#include "adapters/webhook/webhook_adapter.h"

namespace omnigate::adapters {

Registry builtin_registry() {
  Registry r;
  r.add(std::make_unique<webhook::WebhookAdapter>());
  r.add(std::make_unique<web::WebAdapter>());
  r.add(std::make_unique<app::AppAdapter>());
  r.add(std::make_unique<email::EmailAdapter>());
  // Both WeChat kinds share one access-token cache: one refresh per app at a time.
  auto tokens = std::make_shared<wechat::AccessTokenManager>();
  r.add(std::make_unique<wechat::WechatAdapter>(schema::ChannelType::wechat, tokens));
  r.add(std::make_unique<wechat::WechatAdapter>(schema::ChannelType::wecom, tokens));
  return r;
}

}  // namespace omnigate::adapters
