// The browser workbench (workbench/ui/, embedded in the binary) and what its
// client needs to find the rest:
//   GET /                               -> 302 /workbench/
//   GET /workbench/                     index.html (never cached: it names the build)
//   GET /workbench/<build hash>/<path>  the build's files, cacheable for good
//   GET /workbench/<path>               the same files, revalidated by ETag
//   GET /v1/config                      {"realtime_url", "public_url"?, "ui_version", "routes"}
#include <cctype>
#include <string>

#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "workbench/ui_assets.h"

namespace omnigate::gateway::http {
namespace {

constexpr std::string_view kIndex = "index.html";

std::string etag_of(const workbench::Asset& a) {
  return "\"" + workbench::ui_bundle_hash() + "-" + std::to_string(a.body.size()) + "-" + std::string(a.name) + "\"";
}

// index.html refers to its scripts and styles as ./{{BUILD}}/..., so a page
// always loads the files of the build that served it.
std::string render_index(const workbench::Asset& page) {
  std::string html(page.body);
  const std::string build = workbench::ui_bundle_hash();
  for (size_t at; (at = html.find("{{BUILD}}")) != std::string::npos;) html.replace(at, 9, build);
  return html;
}

// Answers 304 when the browser already has this version.
bool not_modified(const httplib::Request& req, httplib::Response& res, const std::string& etag) {
  res.set_header("ETag", etag);
  if (req.get_header_value("If-None-Match") != etag) return false;
  res.status = 304;
  return true;
}

void serve(const httplib::Request& req, httplib::Response& res, const workbench::Asset& a, bool immutable) {
  // Immutable: the URL carries the build hash. Otherwise the browser asks
  // every time and gets a 304 while the build is unchanged.
  res.set_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (not_modified(req, res, etag_of(a))) return;
  if (a.name == kIndex) {
    res.set_content(render_index(a), std::string(a.content_type).c_str());
  } else {
    res.set_content(std::string(a.body), std::string(a.content_type).c_str());
  }
}

const workbench::Asset& asset_or_404(const std::string& name) {
  const auto* a = workbench::find_ui_asset(name.empty() ? kIndex : std::string_view(name));
  if (!a) throw ApiError(404, "not_found", "no such workbench file");
  return *a;
}

// "support.example.com:8080" -> "support.example.com"; "[::1]:8080" -> "[::1]".
std::string host_without_port(const std::string& host) {
  if (host.starts_with("[")) {
    size_t end = host.find(']');
    return end == std::string::npos ? host : host.substr(0, end + 1);
  }
  size_t colon = host.find(':');
  return colon == std::string::npos ? host : host.substr(0, colon);
}

bool plausible_host(const std::string& host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
      return false;
  return true;
}

}  // namespace

void add_workbench_routes(Front& front) {
  front.route("GET", "/", "/", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/workbench/", 302);
  });
  front.route("GET", "/workbench", "/workbench", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/workbench/", 301);
  });
  // A build hash that is not the current one is an old page asking for files
  // that no longer exist: 404 (a reload fetches the new index.html).
  front.route("GET", R"(/workbench/([0-9a-f]{16})/(.+))", "/workbench/{build}/{file}",
              [](const httplib::Request& req, httplib::Response& res) {
                if (req.matches[1].str() != workbench::ui_bundle_hash())
                  throw ApiError(404, "stale_build", "this workbench build is gone; reload the page");
                serve(req, res, asset_or_404(req.matches[2].str()), /*immutable=*/true);
              });
  front.route("GET", R"(/workbench/(.*))", "/workbench/{file}", [](const httplib::Request& req, httplib::Response& res) {
    serve(req, res, asset_or_404(req.matches[1].str()), /*immutable=*/false);
  });

  // Public: the login page needs it before anyone is signed in, and it tells
  // nothing that the realtime port itself would not.
  Services& s = front.services();
  front.route("GET", "/v1/config", "/v1/config", [&s, &front](const httplib::Request& req, httplib::Response& res) {
    const Config& cfg = s.config;
    // The browser reaches the hub on the host it reached us by; the port is
    // the hub's (with port 0 configured, the one it was given: Gateway::start
    // writes it back into the config).
    std::string host = host_without_port(req.get_header_value("Host"));
    if (!plausible_host(host)) host = "127.0.0.1";
    bool secure = cfg.public_url.starts_with("https://") || req.get_header_value("X-Forwarded-Proto") == "https";
    Json::Value out(Json::objectValue);
    out["realtime_url"] =
        std::string(secure ? "wss://" : "ws://") + host + ":" + std::to_string(cfg.realtime_address().port);
    if (!cfg.public_url.empty()) out["public_url"] = cfg.public_url;
    out["ui_version"] = workbench::ui_bundle_hash();
    // What this build serves, so the UI hides what it cannot do instead of
    // probing for it (a 404 in the browser's console is noise to an agent).
    out["routes"] = Json::Value(Json::arrayValue);
    for (const auto& r : front.routes()) out["routes"].append(r);
    res.set_header("Cache-Control", "no-cache");
    send_json(res, 200, out);
  });
}

}  // namespace omnigate::gateway::http
