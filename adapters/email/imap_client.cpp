#include "adapters/email/imap_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <string_view>

namespace omnigate::adapters::email {
namespace {

constexpr long kConnectTimeoutMs = 10'000;
constexpr long kCommandTimeoutMs = 60'000;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

long use_ssl(const ImapSettings& s) {
  if (s.starttls == "off") return CURLUSESSL_NONE;
  if (s.starttls == "if_available") return CURLUSESSL_TRY;
  return CURLUSESSL_ALL;
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  return v;
}

// The number after `key` in an untagged answer such as "* OK [UIDVALIDITY 42]".
std::optional<std::uint32_t> number_after(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + key.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return parse_u32(rest);
}

std::string decode_url_part(std::string_view encoded) {
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      unsigned v = 0;
      auto [end, ec] = std::from_chars(encoded.data() + i + 1, encoded.data() + i + 3, v, 16);
      if (ec == std::errc() && end == encoded.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(encoded[i]);
  }
  return out;
}

}  // namespace

std::string imap_quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '%') {
      out += "%25";
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

ImapClient::ImapClient(ImapSettings settings) : settings_(std::move(settings)) {
  global_init_once();
  // settings.url is "scheme://authority/mailbox" (configure() normalized it).
  size_t host = settings_.url.find("://");
  size_t slash = host == std::string::npos ? std::string::npos : settings_.url.find('/', host + 3);
  if (slash == std::string::npos) throw ImapError("imap.url: expected imap[s]://host[:port]/mailbox");
  root_url_ = settings_.url.substr(0, slash + 1);
  std::string encoded = settings_.url.substr(slash + 1);
  if (encoded.empty()) encoded = "INBOX";
  mailbox_url_ = root_url_ + encoded;
  mailbox_ = decode_url_part(encoded);
  curl_ = curl_easy_init();
  if (!curl_) throw ImapError("cannot create a libcurl handle");
}

ImapClient::~ImapClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string ImapClient::perform(const std::string& url, const std::string& command, bool* missing) {
  CURL* c = static_cast<CURL*>(curl_);
  std::string out;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, command.empty() ? nullptr : command.c_str());
  curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl(settings_));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kCommandTimeoutMs);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (rc == CURLE_OK) return out;
  if (missing && rc == CURLE_REMOTE_FILE_NOT_FOUND) {
    *missing = true;
    return "";
  }
  std::string what = command.empty() ? "FETCH" : command.substr(0, command.find(' ', command.find(' ') + 1));
  throw ImapError("IMAP " + what + " failed: " + (error[0] ? error : curl_easy_strerror(rc)));
}

MailboxState ImapClient::examine() {
  std::string answer = perform(root_url_, "EXAMINE " + imap_quoted(mailbox_));
  MailboxState s;
  auto validity = number_after(answer, "[UIDVALIDITY");
  if (!validity) throw ImapError("IMAP EXAMINE: the server did not say the mailbox's UIDVALIDITY");
  s.uidvalidity = *validity;
  s.uidnext = number_after(answer, "[UIDNEXT").value_or(0);
  return s;
}

std::vector<std::uint32_t> ImapClient::uids_from(std::uint32_t first) {
  std::string answer = perform(mailbox_url_, "UID SEARCH UID " + std::to_string(first) + ":*");
  std::vector<std::uint32_t> uids;
  size_t at = 0;
  while ((at = answer.find("* SEARCH", at)) != std::string::npos) {
    size_t end = answer.find('\n', at);
    std::string_view line = std::string_view(answer).substr(at + 8, end == std::string::npos ? std::string::npos : end - at - 8);
    while (!line.empty()) {
      while (!line.empty() && (line.front() == ' ' || line.front() == '\r')) line.remove_prefix(1);
      size_t stop = line.find_first_of(" \r");
      if (auto uid = parse_u32(line.substr(0, stop)); uid && *uid >= first) uids.push_back(*uid);
      if (stop == std::string_view::npos) break;
      line.remove_prefix(stop);
    }
    at = end == std::string::npos ? answer.size() : end;
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

std::optional<std::string> ImapClient::fetch(std::uint32_t uidvalidity, std::uint32_t uid) {
  bool missing = false;
  // RFC 5092 form: libcurl re-SELECTs and refuses when UIDVALIDITY differs.
  std::string raw = perform(mailbox_url_ + ";UIDVALIDITY=" + std::to_string(uidvalidity) + "/;UID=" +
                                std::to_string(uid),
                            "", &missing);
  if (missing) return std::nullopt;
  return raw;
}

void ImapClient::mark_seen(std::uint32_t uid) {
  perform(mailbox_url_, "UID STORE " + std::to_string(uid) + " +FLAGS.SILENT (\\Seen)");
}

void ImapClient::move(std::uint32_t uid, const std::string& folder) {
  const std::string id = std::to_string(uid);
  const std::string target = imap_quoted(folder);
  try {
    perform(mailbox_url_, "UID MOVE " + id + " " + target);
    return;
  } catch (const ImapError&) {
    // The folder may not exist yet ([TRYCREATE]), or the server lacks MOVE.
  }
  try {
    perform(root_url_, "CREATE " + target);
  } catch (const ImapError&) {
    // Already there: the MOVE failed for another reason, tried below.
  }
  try {
    perform(mailbox_url_, "UID MOVE " + id + " " + target);
    return;
  } catch (const ImapError&) {
  }
  perform(mailbox_url_, "UID COPY " + id + " " + target);
  perform(mailbox_url_, "UID STORE " + id + " +FLAGS.SILENT (\\Deleted)");
  perform(mailbox_url_, "UID EXPUNGE " + id);
}

}  // namespace omnigate::adapters::email
