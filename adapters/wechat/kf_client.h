#pragma once
// WeCom 微信客服 pull: a kf_msg_or_event callback only says "there is news";
// the messages themselves come from
//   POST {api_base}/cgi-bin/kf/sync_msg?access_token=
//   {"cursor":..., "token":<the callback's Token>, "limit":1000, "voice_format":0, "open_kfid":...}
//   -> {"errcode":0, "next_cursor":"...", "has_more":0|1, "msg_list":[...]}
// paged while has_more. Whoever calls this persists next_cursor (the
// gateway, in the same transaction as the page's messages: on_page is called
// after each page for exactly that), so a crash mid-way re-reads at most one
// page, which the store's idempotency absorbs.
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <json/value.h>

#include "adapters/wechat/access_token.h"
#include "adapters/wechat/send.h"
#include "schema/message.h"

namespace omnigate::adapters::wechat {

class KfSyncError : public std::runtime_error {
 public:
  KfSyncError(bool retryable, const std::string& message) : std::runtime_error(message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

struct KfPage {
  std::vector<Json::Value> messages;  // msg_list entries, as WeChat sent them
  std::string next_cursor;
  bool has_more = false;
};

struct KfSyncResult {
  std::vector<Json::Value> messages;
  std::string next_cursor;  // the cursor to start from next time
  int pages = 0;
};

class KfSyncClient {
 public:
  static constexpr int kPageLimit = 1000;  // WeChat's maximum
  static constexpr int kMaxPages = 100;    // a runaway guard, 100k messages

  KfSyncClient(AccessTokenManager& tokens, TokenCredentials credentials,
               std::chrono::milliseconds timeout = kApiTimeout);

  // One page. Throws KfSyncError (TokenError is mapped into it).
  KfPage fetch_page(const std::string& cursor, const std::string& callback_token, const std::string& open_kfid,
                    int limit = kPageLimit);
  // Pages from cursor while has_more; on_page (optional) sees each page as
  // it arrives. Throws KfSyncError; pages already passed to on_page stay
  // handed over.
  KfSyncResult sync(const std::string& cursor, const std::string& callback_token, const std::string& open_kfid,
                    const std::function<void(const KfPage&)>& on_page = {}, int max_pages = kMaxPages);

 private:
  AccessTokenManager& tokens_;
  TokenCredentials credentials_;
  std::chrono::milliseconds timeout_;
};

// One msg_list entry -> the model. origin 3 (the customer) -> in from contact
// external_userid; origin 4 (system event) -> in, event part from
// event.event_type, from the contact event.external_userid when there is one; origin 5 (a servicer writing in the WeCom client) -> out
// from agent "wecom:" + servicer_userid. external_id = msgid,
// channel_timestamp = send_time, metadata["wechat"] = the raw entry.
// Throws AdapterError::bad_request for entries without msgid/send_time.
schema::Message normalize_kf_message(const Json::Value& entry, std::int64_t channel_id);

}  // namespace omnigate::adapters::wechat
