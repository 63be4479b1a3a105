#include "adapters/email/smtp_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace omnigate::adapters::email {
namespace {

constexpr size_t kMaxReplyText = 500;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the server said, followed through libcurl's debug callback: the last
// complete reply (multi-line replies joined) and the command it answered.
// Only the first word of each command is kept: AUTH lines carry credentials.
class Transcript {
 public:
  static int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* self) {
    auto* t = static_cast<Transcript*>(self);
    std::string_view text(data, size);
    if (type == CURLINFO_HEADER_IN) t->reply_line(text);
    if (type == CURLINFO_HEADER_OUT) t->command_line(text);
    return 0;
  }

  const std::string& last_reply() const { return last_reply_; }
  // The server's first reply ("220 mail.example.com ESMTP ...").
  const std::string& greeting() const { return greeting_; }
  bool said(std::string_view verb) const { return said_.find(" " + std::string(verb) + " ") != std::string::npos; }
  // The step the last reply answered: "MAIL FROM", "RCPT TO", "end of DATA", ...
  const std::string& step() const { return last_step_; }

 private:
  std::string current_step() const {
    if (last_command_ == "MAIL") return "MAIL FROM";
    if (last_command_ == "RCPT") return "RCPT TO";
    if (last_command_ == "DATA") return data_started_ ? "end of DATA" : "DATA";
    if (last_command_.empty()) return "greeting";
    return last_command_;
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return s;
  }

  void reply_line(std::string_view line) {
    line = trim(line);
    if (line.empty()) return;
    if (!pending_.empty()) pending_ += " ";
    // Continuation lines ("250-...") repeat the code; keep it once.
    pending_ += pending_.empty() || line.size() < 4 ? std::string(line) : std::string(line.substr(4));
    bool last_line = line.size() < 4 || line[3] != '-';
    if (!last_line) return;
    // libcurl says QUIT after a failure too; its "221 Bye" must not hide
    // the answer that failed.
    if (last_command_ == "QUIT") {
      pending_.clear();
      return;
    }
    last_reply_ = pending_.size() > kMaxReplyText ? pending_.substr(0, kMaxReplyText) + "..." : pending_;
    last_step_ = current_step();
    if (last_command_.empty() && greeting_.empty()) greeting_ = last_reply_;
    pending_.clear();
    if (last_command_ == "DATA" && line.starts_with("354")) data_started_ = true;
  }

  void command_line(std::string_view line) {
    line = trim(line);
    std::string word(line.substr(0, line.find(' ')));
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::toupper(c); });
    // Anything but a verb is an AUTH exchange's answer (base64 credentials
    // after a 334): it must never become the step an error names.
    static constexpr std::string_view kVerbs[] = {"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT",
                                                  "DATA", "QUIT", "RSET",     "NOOP", "VRFY"};
    if (std::find(std::begin(kVerbs), std::end(kVerbs), word) == std::end(kVerbs)) return;
    last_command_ = word;
    said_ += " " + word + " ";
    data_started_ = false;
  }

  std::string pending_;
  std::string last_reply_;
  std::string last_step_;
  std::string last_command_;
  std::string greeting_;
  std::string said_;  // " EHLO  STARTTLS  AUTH ..."
  bool data_started_ = false;
};

struct Upload {
  std::string_view data;
  size_t at = 0;

  static size_t read(char* buffer, size_t size, size_t n, void* self) {
    auto* u = static_cast<Upload*>(self);
    size_t len = std::min(size * n, u->data.size() - u->at);
    std::copy_n(u->data.data() + u->at, len, buffer);
    u->at += len;
    return len;
  }
};

// Errors no retry can cure: the configuration must change first.
bool is_configuration_error(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_LOGIN_DENIED:
      return true;
    default:
      return false;
  }
}

long curl_use_ssl(const SmtpSettings& s) {
  switch (s.starttls) {
    case StartTls::required: return CURLUSESSL_ALL;
    case StartTls::if_available: return CURLUSESSL_TRY;
    case StartTls::off: return CURLUSESSL_NONE;
  }
  return CURLUSESSL_ALL;
}

SmtpResult temporary(std::string error) { return {SmtpResult::Outcome::temporary, 0, std::move(error)}; }

}  // namespace

std::optional<StartTls> starttls_from_string(std::string_view s) {
  if (s == "required") return StartTls::required;
  if (s == "if_available") return StartTls::if_available;
  if (s == "off") return StartTls::off;
  return std::nullopt;
}

bool is_envelope_address(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() || address.size() > 254) return false;
  return std::none_of(address.begin(), address.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= ' ' || u == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == ',';
  });
}

namespace {

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

// A libcurl handle set up for one SMTP session with `settings`: URL, TLS
// mode, AUTH, timeouts, and the transcript fed by the debug callback. The
// caller adds what the session is for (a mail, or a NOOP) and performs it.
CurlPtr open_session(const SmtpSettings& settings, Transcript& transcript, char* error) {
  global_init_once();
  CurlPtr curl(curl_easy_init(), &curl_easy_cleanup);
  CURL* c = curl.get();
  if (!c) return curl;
  curl_easy_setopt(c, CURLOPT_URL, settings.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, curl_use_ssl(settings));
  if (!settings.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  // The debug callback is how the server's reply text reaches us; with it
  // set, verbose mode prints nothing anywhere.
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, &Transcript::on_debug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &transcript);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  return curl;
}

// What a failed perform means: the server's own words when it answered
// 4xx/5xx, else libcurl's.
SmtpResult classify_failure(CURL* c, CURLcode rc, const Transcript& transcript, const char* error) {
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  std::string curl_error = error[0] ? error : curl_easy_strerror(rc);
  SmtpResult r;
  r.reply_code = code;
  if (code >= 400 && code < 600 && !transcript.last_reply().empty()) {
    r.outcome = code < 500 ? SmtpResult::Outcome::temporary : SmtpResult::Outcome::permanent;
    r.error = "SMTP server answered " + transcript.last_reply() + " (at " + transcript.step() + ")";
    return r;
  }
  r.outcome = is_configuration_error(rc) ? SmtpResult::Outcome::permanent : SmtpResult::Outcome::temporary;
  r.error = "SMTP: " + curl_error;
  if (!transcript.last_reply().empty()) r.error += " (last reply: " + transcript.last_reply() + ")";
  return r;
}

}  // namespace

SmtpResult send_mail(const SmtpSettings& settings, const SmtpEnvelope& envelope, std::string_view data) {
  if (!is_envelope_address(envelope.mail_from))
    return {SmtpResult::Outcome::permanent, 0, "invalid sender address \"" + envelope.mail_from + "\""};
  if (envelope.recipients.empty()) return {SmtpResult::Outcome::permanent, 0, "no recipient"};
  for (const std::string& r : envelope.recipients)
    if (!is_envelope_address(r)) return {SmtpResult::Outcome::permanent, 0, "invalid recipient address \"" + r + "\""};

  Transcript transcript;
  char error[CURL_ERROR_SIZE] = {0};
  CurlPtr curl = open_session(settings, transcript, error);
  if (!curl) return temporary("curl_easy_init failed");
  CURL* c = curl.get();

  struct curl_slist* rcpt = nullptr;
  for (const std::string& r : envelope.recipients) rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_guard(rcpt, &curl_slist_free_all);
  std::string from = "<" + envelope.mail_from + ">";

  Upload upload{data};
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &Upload::read);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));

  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return {SmtpResult::Outcome::sent, 250, ""};
  return classify_failure(c, rc, transcript, error);
}

SmtpLoginCheck check_smtp_login(const SmtpSettings& settings) {
  Transcript transcript;
  char error[CURL_ERROR_SIZE] = {0};
  CurlPtr curl = open_session(settings, transcript, error);
  if (!curl) return {temporary("curl_easy_init failed"), "", false};
  CURL* c = curl.get();
  // Without a mail to upload and without recipients, libcurl's SMTP sends
  // the custom command (instead of HELP) once greeted, secured and logged in.
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "NOOP");
  // NOOP's "250 OK" is written to the body; nothing to keep.
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });

  CURLcode rc = curl_easy_perform(c);
  SmtpLoginCheck out;
  out.greeting = transcript.greeting();
  out.tls = settings.url.starts_with("smtps://") || transcript.said("STARTTLS");
  if (rc == CURLE_OK) {
    out.result = {SmtpResult::Outcome::sent, 250, ""};
    return out;
  }
  out.result = classify_failure(c, rc, transcript, error);
  return out;
}

}  // namespace omnigate::adapters::email
