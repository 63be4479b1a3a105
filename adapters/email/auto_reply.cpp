#include "adapters/email/auto_reply.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace omnigate::adapters::email {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trimmed_lower(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return lower(s);
}

bool contains_any(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [haystack](std::string_view n) { return haystack.find(n) != std::string_view::npos; });
}

// "yes", "auto-replied", anything but an explicit no.
bool set_and_not_no(const std::string& value) {
  std::string v = trimmed_lower(value);
  return !v.empty() && v != "no" && v != "false" && v != "0";
}

bool null_sender(const HeadersOfInterest& h) {
  if (!h.has_return_path) return false;
  std::string v = trimmed_lower(h.return_path);
  v.erase(std::remove_if(v.begin(), v.end(), [](unsigned char c) { return std::isspace(c); }), v.end());
  return v == "<>" || v.empty();
}

bool daemon_sender(const ParsedEmail& mail) {
  return std::any_of(mail.from.begin(), mail.from.end(), [](const Mailbox& m) {
    std::string local = lower(m.address.substr(0, m.address.find('@')));
    return local == "mailer-daemon" || local == "postmaster";
  });
}

bool auto_reply_subject(std::string_view subject) {
  std::string s = lower(subject);
  return contains_any(s, {"auto reply", "auto-reply", "autoreply", "automatic reply", "auto response",
                          "autoresponse", "out of office", "out of the office", "vacation", "自动回复", "自動回覆",
                          "自动答复", "自動回復", "外出", "休假"});
}

bool bounce_subject(std::string_view subject) {
  std::string s = lower(subject);
  return contains_any(s, {"undeliverable", "undelivered mail", "delivery status notification", "delivery failure",
                          "mail delivery failed", "failure notice", "returned mail", "delivery has failed",
                          "退信", "投递失败", "未能送达", "无法投递", "系統退信"});
}

}  // namespace

AutoReplyVerdict classify_auto_reply(const ParsedEmail& mail) {
  const HeadersOfInterest& h = mail.headers;
  AutoReplyVerdict v;
  auto flag_auto = [&v](const char* why) {
    if (!v.auto_reply && v.reason.empty()) v.reason = why;
    v.auto_reply = true;
  };
  auto flag_bounce = [&v](const char* why) {
    if (!v.bounce) v.reason = why;  // a bounce reason outranks an auto-reply one
    v.bounce = true;
  };

  // Bounces.
  if (h.report_type == "delivery-status") flag_bounce("multipart/report; report-type=delivery-status");
  if (!v.bounce && std::any_of(mail.attachments.begin(), mail.attachments.end(), [](const Attachment& a) {
        return a.content_type == "message/delivery-status" || a.content_type == "message/global-delivery-status";
      }))
    flag_bounce("message/delivery-status part");
  if (daemon_sender(mail)) flag_bounce("From: mailer-daemon/postmaster");
  if (!trimmed_lower(h.x_failed_recipients).empty()) flag_bounce("X-Failed-Recipients");

  // Auto-replies.
  if (set_and_not_no(h.auto_submitted)) flag_auto("Auto-Submitted");
  if (set_and_not_no(h.x_autoreply)) flag_auto("X-Autoreply");
  if (set_and_not_no(h.x_autorespond)) flag_auto("X-Autorespond");
  std::string precedence = trimmed_lower(h.precedence);
  if (precedence == "bulk" || precedence == "junk" || precedence == "auto_reply") flag_auto("Precedence");
  if (h.report_type == "disposition-notification") flag_auto("multipart/report; report-type=disposition-notification");
  bool null = null_sender(h);
  if (null) flag_auto("Return-Path: <>");

  // Subject heuristics: never alone (see the header).
  bool weak = !trimmed_lower(h.x_auto_response_suppress).empty() || !trimmed_lower(h.list_id).empty();
  if (v.auto_reply || v.bounce || weak || null) {
    if (!v.bounce && bounce_subject(mail.subject)) flag_bounce("bounce subject with a header signal");
    if (!v.auto_reply && !v.bounce && auto_reply_subject(mail.subject))
      flag_auto("auto-reply subject with a header signal");
  }
  return v;
}

}  // namespace omnigate::adapters::email
