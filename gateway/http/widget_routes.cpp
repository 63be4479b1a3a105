// The web chat widget and its demo page, served from the binary:
//   GET /widget.js, /widget.css   embedded with <script src=".../widget.js" data-channel="KEY">
//   GET /demo[?channel=KEY]       a sample page with the widget (the first
//                                 enabled web channel when no key is given)
#include <cctype>

#include "adapters/web/assets.h"
#include "gateway/http/api.h"
#include "gateway/http/front.h"

namespace omnigate::gateway::http {
namespace {

void serve(httplib::Response& res, const adapters::web::Asset& a) {
  res.set_content(std::string(a.body), std::string(a.content_type).c_str());
  // Short cache: a new gateway version reaches every visitor within minutes.
  res.set_header("Cache-Control", "public, max-age=300");
}

}  // namespace

void add_widget_routes(Front& front) {
  for (const char* name : {"widget.js", "widget.css"}) {
    std::string path = std::string("/") + name;
    front.route("GET", path, path, [name](const httplib::Request&, httplib::Response& res) {
      const auto* a = adapters::web::find_asset(name);
      if (!a) throw ApiError(404, "not_found", std::string(name) + " is not part of this build");
      serve(res, *a);
    });
  }

  Services& s = front.services();
  front.route("GET", "/demo", "/demo", [&s](const httplib::Request& req, httplib::Response& res) {
    const auto* page = adapters::web::find_asset("demo.html");
    if (!page) throw ApiError(404, "not_found", "the demo page is not part of this build");
    std::string key = req.get_param_value("channel");
    if (key.empty())
      for (const auto& ch : s.channels.list())
        if (ch.type == schema::ChannelType::web && ch.enabled) {
          key = ch.config.get("key", "").asString();
          break;
        }
    if (key.empty())
      throw ApiError(404, "no_web_channel",
                     "create a web channel first (POST /v1/admin/channels {\"type\":\"web\",\"name\":\"Site chat\"})");
    // Keys are generated URL-safe tokens; anything else is refused rather
    // than spliced into the page.
    for (char c : key)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
        throw ApiError(400, "bad_request", "channel: not a channel key");
    std::string html(page->body);
    for (size_t at; (at = html.find("{{CHANNEL_KEY}}")) != std::string::npos;) html.replace(at, 15, key);
    res.set_content(html, std::string(page->content_type).c_str());
  });
}

}  // namespace omnigate::gateway::http
