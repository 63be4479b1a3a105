// Attachment downloads for agents:
//   GET /v1/files/{sha256}?conversation=ID[&name=FILE][&disposition=inline]
// The bytes a message part names in extra.sha256 (email attachments, kept in
// the blobs table). Bearer auth like every agent route; an agent names the
// conversation the file came in and gets it only when they may see that
// conversation and one of its messages names the file (a hash alone, seen in
// a shared screenshot, opens nothing). Admins may omit `conversation`.
//   POST /v1/files?name=FILE   body: the file's bytes, Content-Type: its type
//     -> 201 {"sha256","name","content_type","size","part"}: an agent's
//     attachment, kept like mailed ones; "part" is the file/image part to put
//     in a reply's "parts" (channels that send files inline, such as email,
//     attach the bytes). Bodies are limited by max_body_bytes. Served as an
// attachment (inline only for raster images, when asked) with nosniff and a
// sandbox CSP, so a mailed HTML or SVG file never runs in the workbench's
// origin. The filename (the part's name when the UI passes it, else the first
// name the bytes arrived under) goes out RFC 6266 / RFC 5987 style: an ASCII
// fallback plus filename*=UTF-8''<percent-encoded>.
#include <algorithm>
#include <array>
#include <cctype>

#include "adapters/common/crypto.h"
#include "gateway/http/api.h"
#include "gateway/http/conversation_access.h"
#include "gateway/http/front.h"
#include "gateway/store/blob_store.h"

namespace omnigate::gateway::http {
namespace {

constexpr std::array<std::string_view, 5> kInlineTypes = {"image/png", "image/jpeg", "image/gif", "image/webp",
                                                          "image/bmp"};

// The filename as quoted-string-safe ASCII: anything else becomes '_'.
std::string ascii_fallback(const std::string& name) {
  std::string out;
  for (unsigned char c : name) out.push_back(c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ? '_' : static_cast<char>(c));
  return out;
}

// RFC 5987 value-chars: attr-char stays, every other byte is %XX.
std::string percent_encoded(const std::string& name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    bool attr_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (attr_char) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Path separators and control characters never reach a saved file's name.
std::string safe_name(std::string name) {
  for (char& c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  if (name.size() > 255) name.resize(255);  // may cut a UTF-8 sequence; percent-encoding keeps it harmless
  return name;
}

std::string content_disposition(bool as_inline, const std::string& filename) {
  std::string name = safe_name(filename);
  std::string out = as_inline ? "inline" : "attachment";
  if (name.empty()) return out;
  return out + "; filename=\"" + ascii_fallback(name) + "\"; filename*=UTF-8''" + percent_encoded(name);
}

// "type/subtype" from a Content-Type header, lowercase, parameters dropped;
// anything that does not look like one is application/octet-stream.
std::string media_type(const std::string& header) {
  std::string t = header.substr(0, header.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto slash = t.find('/');
  bool ok = slash != std::string::npos && slash > 0 && slash + 1 < t.size() && t.size() <= 127 &&
            std::all_of(t.begin(), t.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/.+-_").find(c) != std::string_view::npos;
            });
  return ok ? t : "application/octet-stream";
}

}  // namespace

void add_file_routes(Front& front) {
  Services& s = front.services();
  front.route("POST", "/v1/files", "/v1/files", [&s](const httplib::Request& req, httplib::Response& res) {
    require_user(s, req);
    if (req.body.empty()) throw ApiError(400, "bad_request", "body: expected the file's bytes");
    std::string name = safe_name(req.get_param_value("name"));
    if (name.empty()) throw ApiError(400, "bad_request", "name: required (the file's name, as the customer will see it)");
    adapters::Blob blob;
    blob.sha256 = crypto::to_hex(crypto::sha256(req.body));
    blob.content_type = media_type(req.get_header_value("Content-Type"));
    blob.filename = name;
    blob.bytes = req.body;
    s.blobs.put({blob});
    Json::Value part(Json::objectValue);
    part["type"] = blob.content_type.rfind("image/", 0) == 0 ? "image" : "file";
    part["name"] = name;
    part["mime_type"] = blob.content_type;
    part["size"] = Json::Int64(static_cast<std::int64_t>(req.body.size()));
    part["extra"]["sha256"] = blob.sha256;
    Json::Value out(Json::objectValue);
    out["sha256"] = blob.sha256;
    out["name"] = name;
    out["content_type"] = blob.content_type;
    out["size"] = part["size"];
    out["part"] = part;
    send_json(res, 201, out);
  });

  front.route("GET", R"(/v1/files/([0-9a-f]{64}))", "/v1/files/{sha256}",
              [&s](const httplib::Request& req, httplib::Response& res) {
                schema::Agent user = require_user(s, req);
                const std::string sha256 = req.matches[1].str();
                if (req.has_param("conversation")) {
                  std::int64_t conversation = int_param(req, "conversation", 0, 1, INT64_MAX);
                  visible_conversation(s, user, conversation);  // 404 unless theirs to see
                  if (!s.blobs.referenced_in(conversation, sha256))
                    throw ApiError(404, "not_found", "no message of this conversation has this file");
                } else if (user.role != schema::Role::admin) {
                  throw ApiError(400, "bad_request", "name the conversation the file belongs to: ?conversation=ID");
                }
                auto blob = s.blobs.get(sha256);
                if (!blob) throw ApiError(404, "not_found", "no file has this sha256");
                std::string name = req.has_param("name") ? req.get_param_value("name") : blob->filename;
                bool as_inline = req.get_param_value("disposition") == "inline" &&
                                 std::find(kInlineTypes.begin(), kInlineTypes.end(), blob->content_type) !=
                                     kInlineTypes.end();
                res.status = 200;
                res.set_header("Content-Disposition", content_disposition(as_inline, name));
                res.set_header("X-Content-Type-Options", "nosniff");
                res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
                res.set_header("Cache-Control", "private, max-age=31536000, immutable");
                res.set_header("ETag", "\"" + blob->sha256 + "\"");
                res.set_content(std::move(blob->bytes), blob->content_type.c_str());
              });
}

}  // namespace omnigate::gateway::http
