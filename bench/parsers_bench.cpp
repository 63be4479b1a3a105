// og_parsers_bench (Google Benchmark): per-operation cost of the parsers on
// the inbound paths, each on a typical input:
//   WeChat: URL signature check, XML parse (libxml2) and normalize, AES
//           decrypt of a safe-mode message, and the whole safe-mode open
//           (msg_signature + key set-up + decrypt + parse);
//   email:  MIME parse (GMime) of a typical 20 KB mail: a reply with a
//           quoted thread, plain + HTML alternatives and a PDF attachment;
//   realtime: JSON parse of the visitor's hello frame, and of a send frame
//           up to the normalized Message.
// bench/run reports the "ns/op" of each (real time per iteration).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "adapters/common/visitor.h"
#include "adapters/email/mime_parser.h"
#include "adapters/wechat/normalize.h"
#include "adapters/wechat/signature.h"
#include "adapters/wechat/wx_crypto.h"
#include "adapters/wechat/xml.h"
#include "schema/json.h"

namespace {

namespace wechat = omnigate::adapters::wechat;

std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::string(OMNIGATE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text-message fixture the WeChat tests use.
const std::string& wechat_text_xml() {
  static const std::string xml = read_fixture("tests/data/wechat/text.xml");
  return xml;
}

constexpr const char* kToken = "benchToken2026";
constexpr const char* kAesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";  // 43 characters
constexpr const char* kAppId = "wx5f3b2c9d8e7a6b41";

void BM_WechatSignatureVerify(benchmark::State& state) {
  const std::string sig = wechat::url_signature(kToken, "1732378083", "1203987465");
  for (auto _ : state) benchmark::DoNotOptimize(wechat::verify_url_signature(kToken, "1732378083", "1203987465", sig));
}
BENCHMARK(BM_WechatSignatureVerify);

void BM_WechatXmlParse(benchmark::State& state) {
  const std::string& xml = wechat_text_xml();
  for (auto _ : state) benchmark::DoNotOptimize(wechat::parse_xml(xml));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * xml.size()));
}
BENCHMARK(BM_WechatXmlParse);

void BM_WechatXmlParseNormalize(benchmark::State& state) {
  const std::string& xml = wechat_text_xml();
  for (auto _ : state) benchmark::DoNotOptimize(wechat::normalize(wechat::parse_xml(xml), 1));
}
BENCHMARK(BM_WechatXmlParseNormalize);

void BM_WechatAesDecrypt(benchmark::State& state) {
  wechat::WxBizMsgCrypt crypt(kAesKey);
  const std::string encrypted = crypt.encrypt(wechat_text_xml(), kAppId);
  for (auto _ : state) benchmark::DoNotOptimize(crypt.decrypt(encrypted, kAppId));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * encrypted.size()));
}
BENCHMARK(BM_WechatAesDecrypt);

// What the adapter does per safe-mode request after reading the body:
// outer parse, msg_signature, key set-up, decrypt, inner parse.
void BM_WechatSafeModeOpen(benchmark::State& state) {
  const std::string encrypted = wechat::WxBizMsgCrypt(kAesKey).encrypt(wechat_text_xml(), kAppId);
  const std::string body = "<xml><ToUserName><![CDATA[gh_3f7c2a8b9d01]]></ToUserName><Encrypt><![CDATA[" + encrypted +
                           "]]></Encrypt></xml>";
  const std::string msg_sig = wechat::msg_signature(kToken, "1732378083", "1203987465", encrypted);
  for (auto _ : state) {
    wechat::XmlFields outer = wechat::parse_xml(body);
    std::string enc = outer.get("Encrypt");
    if (!wechat::verify_msg_signature(kToken, "1732378083", "1203987465", enc, msg_sig))
      state.SkipWithError("msg_signature mismatch");
    benchmark::DoNotOptimize(wechat::parse_xml(wechat::WxBizMsgCrypt(kAesKey).decrypt(enc, kAppId)));
  }
}
BENCHMARK(BM_WechatSafeModeOpen);

// A typical support mail of about 20 KB: DKIM and Received headers, a
// reply whose plain and HTML bodies quote the thread, and a small PDF.
std::string typical_email() {
  std::string quoted_text, quoted_html;
  for (int i = 0; i < 32; ++i) {
    quoted_text += "> 第" + std::to_string(i + 1) +
                   "条：订单 20240305-8812 的物流信息一直没有更新，麻烦帮忙查一下。Tracking has not moved since Monday.\n";
    quoted_html += "<p style=\"margin:0;color:#555\">第" + std::to_string(i + 1) +
                   "条：订单 20240305-8812 的物流信息一直没有更新，麻烦帮忙查一下。Tracking has not moved since Monday.</p>\n";
  }
  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; pdf.size() < 6000; ++i) pdf += "obj " + std::to_string(i) + " 0 R << /Length 64 >> stream xyz\n";
  // base64 in 76-column lines, as mail clients wrap it
  static constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string pdf64, line;
  for (size_t i = 0; i < pdf.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(pdf[i]) << 16;
    if (i + 1 < pdf.size()) v |= static_cast<unsigned char>(pdf[i + 1]) << 8;
    if (i + 2 < pdf.size()) v |= static_cast<unsigned char>(pdf[i + 2]);
    line += b64[(v >> 18) & 63];
    line += b64[(v >> 12) & 63];
    line += i + 1 < pdf.size() ? b64[(v >> 6) & 63] : '=';
    line += i + 2 < pdf.size() ? b64[v & 63] : '=';
    if (line.size() >= 76) {
      pdf64 += line + "\r\n";
      line.clear();
    }
  }
  pdf64 += line + "\r\n";
  std::string headers;
  for (int i = 0; i < 4; ++i)
    headers += "Received: from mx" + std::to_string(i) +
               ".mail.example.cn (mx.mail.example.cn [203.0.113." + std::to_string(10 + i) +
               "])\r\n\tby inbound.support.example with ESMTPS id 4Tq8Zr1x2Bz" + std::to_string(i) +
               "\r\n\tfor <help@support.example>; Tue, 05 Mar 2024 10:12:3" + std::to_string(i) + " +0800\r\n";
  headers +=
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.example.cn; s=s2024;\r\n"
      "\th=from:to:subject:date:message-id:in-reply-to:references;\r\n"
      "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
      "\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaGFzIHRoZSByaWdodCBsZW5ndGggZm9yIGEgMjA0OCBiaXQ\r\n"
      "\t a2V5IGFuZCBrZWVwcyB0aGUgaGVhZGVyIGFzIGxvbmcgYXMgYSByZWFsIG9uZSB3b3VsZCBiZSBpbiBwcmFjdGljZSAhIQ==\r\n"
      "From: =?UTF-8?B?5byg5ZaG?= <zhang.zhe@mail.example.cn>\r\n"
      "To: Support <help@support.example>\r\n"
      "Subject: =?UTF-8?B?UmU6IOiuouWNlSAyMDI0MDMwNS04ODEyIOi/mOayoeWPkei0pw==?=\r\n"
      "Date: Tue, 05 Mar 2024 10:12:33 +0800\r\n"
      "Message-ID: <20240305101233.77aa@mail.example.cn>\r\n"
      "In-Reply-To: <reply-41.c2@support.example>\r\n"
      "References: <order-8812.a1@support.example> <reply-40.b7@support.example> <reply-41.c2@support.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"=-mixed-8812\"\r\n\r\n";
  std::string body =
      "--=-mixed-8812\r\nContent-Type: multipart/alternative; boundary=\"=-alt-8812\"\r\n\r\n"
      "--=-alt-8812\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
      "你好，\r\n\r\n还是没有收到，附件是付款凭证。\r\n\r\n张喆\r\n\r\n在 2024年3月4日 周一 18:02，Support 写道：\r\n" +
      quoted_text +
      "\r\n--=-alt-8812\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
      "<html><body><div>你好，</div><div>还是没有收到，附件是付款凭证。</div><div>张喆</div>"
      "<blockquote type=\"cite\">\n" +
      quoted_html +
      "</blockquote></body></html>\r\n--=-alt-8812--\r\n"
      "--=-mixed-8812\r\nContent-Type: application/pdf; name=\"receipt.pdf\"\r\n"
      "Content-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
      pdf64 + "--=-mixed-8812--\r\n";
  return headers + body;
}

void BM_EmailMimeParse20KB(benchmark::State& state) {
  static const std::string mail = typical_email();
  state.SetLabel(std::to_string(mail.size()) + " bytes");
  for (auto _ : state) benchmark::DoNotOptimize(omnigate::adapters::email::parse_email(mail));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * mail.size()));
}
BENCHMARK(BM_EmailMimeParse20KB);

constexpr const char* kHelloFrame =
    R"({"type":"hello","channel":"wk_2KHV3xq9Lm8Rt0bN","visitor":"v_7f3a9c2e5b1d4f60","name":"李雷",)"
    R"("page_url":"https://shop.example/orders/8812","language":"zh-CN","last_seq":{"1842":17,"1907":3}})";
constexpr const char* kSendFrame =
    R"({"type":"send","client_msg_id":"c-1732378083-42","text":"你好，我的订单 20240305-8812 还没有发货，能帮忙看看吗？"})";

void BM_JsonHelloFrameParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(omnigate::schema::parse_json(kHelloFrame));
}
BENCHMARK(BM_JsonHelloFrameParse);

// The visitor's send frame as the hub handles it: parse, then the Message.
void BM_JsonSendFrameToMessage(benchmark::State& state) {
  omnigate::schema::Channel channel;
  channel.id = 7;
  channel.type = omnigate::schema::ChannelType::web;
  omnigate::adapters::Visitor visitor;
  visitor.id = "v_7f3a9c2e5b1d4f60";
  visitor.name = "李雷";
  for (auto _ : state) {
    Json::Value frame = omnigate::schema::parse_json(kSendFrame);
    benchmark::DoNotOptimize(omnigate::adapters::message_from_send(channel, visitor, frame));
  }
}
BENCHMARK(BM_JsonSendFrameToMessage);

}  // namespace

BENCHMARK_MAIN();
