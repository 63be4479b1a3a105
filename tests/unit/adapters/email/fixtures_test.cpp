// Every mail of tests/data/email/NAME.eml against NAME.expected.json: the
// normalized Message as to_json writes it, minus created_at (the store's
// clock). To refresh the expectations after a deliberate change, run with
// OMNIGATE_UPDATE_EMAIL_FIXTURES=1 and review the diff before committing.
#include <gtest/gtest.h>
#include <json/json.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"
#include "schema/json.h"

namespace omnigate::adapters::email {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = OMNIGATE_EMAIL_FIXTURES;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Json::Value normalized_json(const std::string& raw) {
  schema::Message m = normalize(parse_email(raw), 7);
  Json::Value j = schema::to_json(m);
  j.removeMember("created_at");
  return j;
}

std::string pretty(const Json::Value& v) {
  Json::StreamWriterBuilder b;
  b["indentation"] = "  ";
  b["emitUTF8"] = true;
  return Json::writeString(b, v) + "\n";
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir))
    if (e.path().extension() == ".eml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class Fixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(Fixtures, NormalizesAsExpected) {
  const std::string name = GetParam();
  Json::Value actual = normalized_json(read_file(kDir / (name + ".eml")));
  fs::path expected_path = kDir / (name + ".expected.json");
  if (std::getenv("OMNIGATE_UPDATE_EMAIL_FIXTURES")) {
    std::ofstream(expected_path, std::ios::binary) << pretty(actual);
    GTEST_SKIP() << "wrote " << expected_path;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "no " << expected_path;
  Json::Value expected = schema::parse_json(read_file(expected_path));
  EXPECT_EQ(expected, actual) << "expected:\n" << pretty(expected) << "actual:\n" << pretty(actual);
}

INSTANTIATE_TEST_SUITE_P(Corpus, Fixtures, ::testing::ValuesIn(fixture_names()),
                         [](const auto& p) { return p.param; });

// The corpus the issue asks for is all there (and nobody deletes a shape
// without noticing).
TEST(FixtureCorpus, HasEveryRequiredShape) {
  std::vector<std::string> names = fixture_names();
  for (const char* required :
       {"gbk_subject_body", "gb2312_qp", "gb18030", "big5", "iso2022jp", "iso8859", "rfc2231_filename", "html_only",
        "nested_multipart", "outlook_zh_reply", "gmail_en_reply", "foxmail_zh_reply", "outlook_en_original",
        "auto_reply", "bounce", "truncated", "malformed_headers", "undeclared_gbk"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
}

}  // namespace
}  // namespace omnigate::adapters::email
