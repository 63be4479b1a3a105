// schema/openapi.json against what the gateway really serves: every route
// the HTTP front registers is documented and every documented operation is
// served, so an undocumented route (or a stale document) fails CI.
#include <gtest/gtest.h>
#include <json/writer.h>  // prints Json::Value in failure messages

#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "schema/json.h"
#include "tests/support/test_gateway.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;

namespace {

const char* kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};

Json::Value load_openapi() {
  std::ifstream in(std::string(OMNIGATE_SOURCE_DIR) + "/schema/openapi.json");
  EXPECT_TRUE(in) << "schema/openapi.json is missing";
  std::stringstream ss;
  ss << in.rdbuf();
  return omnigate::schema::parse_json(ss.str());
}

// "GET /v1/conversations/{id}", as the front names its routes.
std::set<std::string> documented(const Json::Value& doc) {
  std::set<std::string> out;
  for (const auto& path : doc["paths"].getMemberNames())
    for (const char* m : kMethods)
      if (doc["paths"][path].isMember(m)) {
        std::string method = m;
        for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        out.insert(method + " " + path);
      }
  return out;
}

std::set<std::string> served(const TestGateway& gw) {
  auto r = gw.client().Get("/v1/config");
  EXPECT_TRUE(r && r->status == 200);
  std::set<std::string> out;
  if (!r) return out;
  const Json::Value routes = parse(r->body)["routes"];  // a copy: parse() returns a temporary
  for (const auto& route : routes) out.insert(route.asString());
  return out;
}

std::string listing(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += "\n  " + i;
  return out;
}

TEST(OpenApi, DocumentsExactlyTheServedRoutes) {
  Json::Value doc = load_openapi();
  TestGateway gw;
  std::set<std::string> routes = served(gw);
  ASSERT_GT(routes.size(), 30u);
  std::set<std::string> docs = documented(doc);
  std::set<std::string> undocumented, stale;
  for (const auto& r : routes)
    if (!docs.count(r)) undocumented.insert(r);
  for (const auto& d : docs)
    if (!routes.count(d)) stale.insert(d);
  EXPECT_TRUE(undocumented.empty()) << "served but not in schema/openapi.json:" << listing(undocumented);
  EXPECT_TRUE(stale.empty()) << "in schema/openapi.json but not served:" << listing(stale);
}

TEST(OpenApi, IsAWellFormedOpenApi30Document) {
  Json::Value doc = load_openapi();
  EXPECT_TRUE(doc["openapi"].asString().starts_with("3.0.")) << doc["openapi"];
  EXPECT_FALSE(doc["info"]["title"].asString().empty());
  EXPECT_FALSE(doc["info"]["version"].asString().empty());
  ASSERT_TRUE(doc["paths"].isObject());

  // Every operation: a summary, at least one response, and each {name} of
  // its path declared as a required path parameter (on the path or the operation).
  const std::regex param(R"(\{([a-z0-9_]+)\})");
  for (const auto& path : doc["paths"].getMemberNames()) {
    const Json::Value& item = doc["paths"][path];
    std::set<std::string> needed;
    for (auto it = std::sregex_iterator(path.begin(), path.end(), param); it != std::sregex_iterator(); ++it)
      needed.insert((*it)[1].str());
    for (const char* m : kMethods) {
      if (!item.isMember(m)) continue;
      const Json::Value& op = item[m];
      std::string where = std::string(m) + " " + path;
      EXPECT_FALSE(op["summary"].asString().empty()) << where << ": no summary";
      EXPECT_TRUE(op["responses"].isObject() && !op["responses"].empty()) << where << ": no responses";
      std::set<std::string> declared;
      for (const auto* params : {&item["parameters"], &op["parameters"]})
        for (const auto& p : *params) {
          Json::Value resolved = p;
          if (p.isMember("$ref")) {
            std::string ref = p["$ref"].asString();
            resolved = doc["components"]["parameters"][ref.substr(ref.rfind('/') + 1)];
          }
          if (resolved["in"].asString() == "path") {
            EXPECT_TRUE(resolved["required"].asBool()) << where << ": path parameter not required";
            declared.insert(resolved["name"].asString());
          }
        }
      EXPECT_EQ(declared, needed) << where << ": path parameters";
    }
  }

  // Every internal $ref points at something that exists.
  std::function<void(const Json::Value&)> check_refs = [&](const Json::Value& v) {
    if (v.isObject()) {
      if (v.isMember("$ref") && v["$ref"].isString()) {
        std::string ref = v["$ref"].asString();
        ASSERT_TRUE(ref.starts_with("#/")) << ref;
        const Json::Value* at = &doc;
        std::stringstream parts(ref.substr(2));
        for (std::string part; std::getline(parts, part, '/');) {
          ASSERT_TRUE(at->isObject() && at->isMember(part)) << "dangling $ref " << ref;
          at = &(*at)[part];
        }
      }
      for (const auto& name : v.getMemberNames()) check_refs(v[name]);
    } else if (v.isArray()) {
      for (const auto& item : v) check_refs(item);
    }
  };
  check_refs(doc);
}

}  // namespace
