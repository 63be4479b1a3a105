// The browser workbench as the gateway serves it (gateway/http/workbench_routes.cpp):
// the redirect from /, index.html never cached and naming its build, the
// build's files cacheable for good under that name, ETag revalidation,
// content types, every module the pages import present in the binary, and
// GET /v1/config telling browsers where the realtime hub is.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "schema/json.h"
#include "tests/support/test_gateway.h"
#include "workbench/ui_assets.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;

namespace {

const std::string& build() { return omnigate::workbench::ui_bundle_hash(); }

TEST(WorkbenchRoutes, RootRedirectsToTheWorkbench) {
  TestGateway gw;
  auto c = gw.client();
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->get_header_value("Location"), "/workbench/");
  r = c.Get("/workbench");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->get_header_value("Location"), "/workbench/");
}

TEST(WorkbenchRoutes, IndexIsNeverCachedAndNamesItsBuild) {
  TestGateway gw;
  auto c = gw.client();
  auto r = c.Get("/workbench/");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(r->body.find("{{BUILD}}"), std::string::npos);
  EXPECT_NE(r->body.find("./" + build() + "/js/app.js"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("./" + build() + "/app.css"), std::string::npos) << r->body;

  // The browser asks again with the ETag it has: 304, no body.
  std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = c.Get("/workbench/", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto other = c.Get("/workbench/", {{"If-None-Match", "\"something-else\""}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

TEST(WorkbenchRoutes, TheBuildsFilesAreImmutableWithTheirTypes) {
  TestGateway gw;
  auto c = gw.client();
  auto js = c.Get("/workbench/" + build() + "/js/app.js");
  ASSERT_TRUE(js);
  ASSERT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "application/javascript; charset=utf-8");
  EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(js->body, std::string(omnigate::workbench::find_ui_asset("js/app.js")->body));

  auto css = c.Get("/workbench/" + build() + "/app.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");

  // Without the build in the path: the same bytes, revalidated every time.
  auto plain = c.Get("/workbench/js/app.js");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(plain->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(plain->body, js->body);
}

TEST(WorkbenchRoutes, UnknownFilesAndOldBuildsAre404) {
  TestGateway gw;
  auto c = gw.client();
  auto stale = c.Get("/workbench/0123456789abcdef/js/app.js");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 404);
  EXPECT_EQ(parse(stale->body)["error"]["code"].asString(), "stale_build");
  for (const std::string& path :
       std::vector<std::string>{"/workbench/nope.js", "/workbench/" + build() + "/js/nope.js", "/workbench/../CMakeLists.txt"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
  }
}

// Every `import ... from './x.js'` of every embedded module resolves to an
// embedded file: a file left out of the build breaks the page at load.
TEST(WorkbenchRoutes, EveryImportedModuleIsEmbedded) {
  const std::regex import_re(R"(from\s+'(\.[^']+)')");
  std::set<std::string> checked;
  for (const auto& a : omnigate::workbench::ui_assets()) {
    std::string name(a.name);
    if (!name.ends_with(".js")) continue;
    std::string dir = name.substr(0, name.rfind('/') + 1);
    std::string body(a.body);
    for (auto it = std::sregex_iterator(body.begin(), body.end(), import_re); it != std::sregex_iterator(); ++it) {
      std::string path = dir + (*it)[1].str();
      // Normalize "./" and "../" the way the browser resolves them.
      std::vector<std::string> parts;
      for (size_t start = 0; start <= path.size();) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string part = path.substr(start, end - start);
        if (part == "..") {
          ASSERT_FALSE(parts.empty()) << name << " imports above the root: " << path;
          parts.pop_back();
        } else if (!part.empty() && part != ".") {
          parts.push_back(part);
        }
        start = end + 1;
      }
      std::string resolved;
      for (const auto& p : parts) resolved += (resolved.empty() ? "" : "/") + p;
      EXPECT_NE(omnigate::workbench::find_ui_asset(resolved), nullptr) << name << " imports " << resolved;
      checked.insert(resolved);
    }
  }
  EXPECT_GT(checked.size(), 10u);
  EXPECT_TRUE(checked.count("js/workbench_state.js"));
}

TEST(WorkbenchRoutes, ConfigTellsBrowsersWhereTheHubIs) {
  TestGateway gw;
  auto c = gw.client();
  const std::string rt = std::to_string(gw.realtime_port());
  ASSERT_NE(gw.realtime_port(), 0);

  auto r = c.Get("/v1/config");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto body = parse(r->body);
  // The host the browser used (cpp-httplib's client sends 127.0.0.1:PORT),
  // the port the hub really got (the test gateway listens on port 0).
  EXPECT_EQ(body["realtime_url"].asString(), "ws://127.0.0.1:" + rt);
  EXPECT_EQ(body["ui_version"].asString(), build());
  std::set<std::string> routes;
  for (const auto& route : body["routes"]) routes.insert(route.asString());
  for (const char* want : {"GET /v1/conversations", "POST /v1/conversations/{id}/messages", "GET /v1/config", "GET /"})
    EXPECT_TRUE(routes.count(want)) << want;

  auto named = c.Get("/v1/config", {{"Host", "support.example:8080"}, {"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(named);
  EXPECT_EQ(parse(named->body)["realtime_url"].asString(), "wss://support.example:" + rt);
  auto v6 = c.Get("/v1/config", {{"Host", "[::1]:8080"}});
  ASSERT_TRUE(v6);
  EXPECT_EQ(parse(v6->body)["realtime_url"].asString(), "ws://[::1]:" + rt);
  // A Host that is not a host name is not echoed into a URL.
  auto odd = c.Get("/v1/config", {{"Host", "a\"b<c>"}});
  ASSERT_TRUE(odd);
  EXPECT_EQ(parse(odd->body)["realtime_url"].asString(), "ws://127.0.0.1:" + rt);
}

}  // namespace
