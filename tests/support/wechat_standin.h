#pragma once
// A local stand-in for WeChat's HTTP APIs (api.weixin.qq.com and
// qyapi.weixin.qq.com), on 127.0.0.1, speaking their JSON:
//   GET  /cgi-bin/token?grant_type=client_credential&appid=&secret=
//        -> {"access_token":"...","expires_in":7200}
//   GET  /cgi-bin/gettoken?corpid=&corpsecret=
//        -> {"errcode":0,"errmsg":"ok","access_token":"...","expires_in":7200}
//   POST /cgi-bin/message/custom/send?access_token=   {"touser","msgtype",...}
//        -> {"errcode":0,"errmsg":"ok"}
//   POST /cgi-bin/kf/send_msg?access_token=           {"touser","open_kfid","msgtype",...}
//        -> {"errcode":0,"errmsg":"ok","msgid":"..."}
//   GET  /cgi-bin/get_api_domain_ip?access_token=      (either kind of token)
//        -> {"ip_list":["127.0.0.1"]} (WeCom adds "errcode":0,"errmsg":"ok")
//   POST /cgi-bin/kf/sync_msg?access_token=           {"cursor","token","limit","open_kfid"}
//        -> {"errcode":0,"errmsg":"ok","next_cursor":"...","has_more":0|1,"msg_list":[...]}
//        (the 微信客服 messages added with add_kf_message, from the cursor on,
//        at most min(limit, kf page size) per page; a token that is not a
//        callback's (add_kf_token) is answered 95007, an unknown cursor 95008)
// Errors are WeChat's: 40013 unknown appid/corpid, 40125/40001 wrong secret,
// 41001 access_token missing, 40001 invalid (revoked, or replaced by a newer
// token) token, 42001 expired token, 43001/43002 wrong method, 47001 body
// that is not JSON, 40003 no touser, 40008 unknown msgtype, 44004 empty text.
// Like WeChat's /cgi-bin/token, issuing a token invalidates the previous one
// for that app (set_invalidate_previous(false) turns that off).
//
// Tests tell it to expire or revoke a token, to answer a given errcode for
// the next send(s) or token request(s), and read back every request it got.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <json/value.h>

namespace omnigate::testing {

struct WechatApiRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> query;  // decoded
  std::string body;
  Json::Value json;    // the body parsed as JSON (null when empty or not JSON)
  Json::Value answer;  // the JSON the stand-in answered
  std::chrono::steady_clock::time_point at;

  std::string param(const std::string& name) const;  // "" when absent
  long errcode() const;                               // the answer's errcode (0 when absent)
};

class WechatStandin {
 public:
  static constexpr const char* kTokenPath = "/cgi-bin/token";
  static constexpr const char* kWecomTokenPath = "/cgi-bin/gettoken";
  static constexpr const char* kCustomSendPath = "/cgi-bin/message/custom/send";
  static constexpr const char* kKfSendPath = "/cgi-bin/kf/send_msg";
  static constexpr const char* kKfSyncPath = "/cgi-bin/kf/sync_msg";
  static constexpr const char* kApiDomainIpPath = "/cgi-bin/get_api_domain_ip";

  WechatStandin();
  ~WechatStandin();
  WechatStandin(const WechatStandin&) = delete;
  WechatStandin& operator=(const WechatStandin&) = delete;

  // "http://127.0.0.1:PORT": a channel's config.api_base.
  std::string base_url() const;

  // Credentials it accepts: an Official Account (appid + appsecret, for
  // /cgi-bin/token) or a WeCom corp (corpid + secret, for /cgi-bin/gettoken).
  void add_app(const std::string& appid, const std::string& secret);
  void add_corp(const std::string& corpid, const std::string& secret);

  // expires_in of the tokens issued from now on (default 7200). A token is
  // answered 42001 once that time has passed.
  void set_expires_in(int seconds);
  // Whether issuing a token invalidates the app's previous one (default true).
  void set_invalidate_previous(bool on);
  // How long each send request takes to be answered (default 0), as
  // WeChat's API over the Internet does (tens of ms): what the outbound
  // bench needs to show how delivery scales with concurrent dispatchers.
  // Up to kServerThreads requests are answered concurrently.
  void set_send_latency(std::chrono::milliseconds latency);
  static constexpr size_t kServerThreads = 128;

  // The newest token issued for appid/corpid ("" if none).
  std::string current_token(const std::string& app_or_corp_id) const;
  // From now on the token is answered 42001 "access_token expired".
  void expire_token(const std::string& token);
  // From now on the token is answered 40001 "invalid credential".
  void revoke_token(const std::string& token);

  // The next send request(s) that pass the token check are answered with
  // errcode (and errmsg; WeChat's own text when empty) instead of being
  // accepted. Queued: one call per request.
  void fail_next_send(long errcode, const std::string& errmsg = {});
  // The next token request(s) are answered with errcode.
  void fail_next_token(long errcode, const std::string& errmsg = {});

  // 微信客服: a msg_list entry kf/sync_msg serves (in order of adding), the
  // callback Token it accepts, and the most entries per page (default 1000).
  void add_kf_message(const Json::Value& entry);
  void add_kf_token(const std::string& token);
  void set_kf_page_size(size_t n);

  // Every request so far, oldest first (optionally only those to `path`).
  std::vector<WechatApiRequest> requests(const std::string& path = {}) const;
  size_t count(const std::string& path) const;
  // Send requests (to either send path) that were accepted (errcode 0).
  std::vector<WechatApiRequest> accepted_sends() const;
  // Waits until at least n requests to path have arrived; false on timeout.
  bool wait_for(const std::string& path, size_t n,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  void clear_requests();

 private:
  struct Token {
    std::string owner;  // appid / corpid
    bool wecom = false;
    std::chrono::steady_clock::time_point expires_at;
    enum class State { valid, expired, revoked, replaced } state = State::valid;
  };
  struct Scripted {
    long errcode;
    std::string errmsg;
  };

  void handle(const httplib::Request& req, httplib::Response& res);
  Json::Value issue_token(const httplib::Request& req, bool wecom);
  Json::Value send(const httplib::Request& req, const Json::Value& body, bool kf);
  Json::Value check_token(const std::string& token, bool wecom) const;
  Json::Value kf_sync(const httplib::Request& req, const Json::Value& body);
  Json::Value api_domain_ip(const httplib::Request& req) const;

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<std::string, std::string> apps_;   // appid -> secret
  std::map<std::string, std::string> corps_;  // corpid -> secret
  std::map<std::string, Token> tokens_;
  std::map<std::string, std::string> current_;  // appid/corpid -> newest token
  int expires_in_ = 7200;
  bool invalidate_previous_ = true;
  std::chrono::milliseconds send_latency_{0};
  std::deque<Scripted> send_script_;
  std::deque<Scripted> token_script_;
  std::vector<WechatApiRequest> log_;
  std::vector<Json::Value> kf_messages_;
  std::vector<std::string> kf_tokens_;
  size_t kf_page_size_ = 1000;
  std::uint64_t serial_ = 0;
};

}  // namespace omnigate::testing
