// Every fixture in tests/data/wechat/*.xml normalizes to the message in the
// .json next to it (compared through schema::to_json). Set
// OMNIGATE_REGENERATE_FIXTURES=1 to rewrite the .json files, then review the
// diff by hand: they are the specification.
#include "adapters/wechat/normalize.h"

#include <gtest/gtest.h>
#include <json/writer.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/adapter.h"
#include "adapters/wechat/xml.h"
#include "schema/json.h"

namespace omnigate::adapters::wechat {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr std::int64_t kChannelId = 7;

TEST(WechatNormalize, EveryFixtureMatchesItsExpectedModel) {
  fs::path dir = OMNIGATE_WECHAT_FIXTURES;
  bool regenerate = std::getenv("OMNIGATE_REGENERATE_FIXTURES") != nullptr;
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".xml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    schema::Message m = normalize(parse_xml(read_file(entry.path())), kChannelId);
    Json::Value got = schema::to_json(m);
    fs::path expected_path = entry.path();
    expected_path.replace_extension(".json");
    if (regenerate) {
      Json::StreamWriterBuilder b;
      b["indentation"] = "  ";
      b["emitUTF8"] = true;
      std::ofstream(expected_path) << Json::writeString(b, got) << "\n";
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
    Json::Value expected = schema::parse_json(read_file(expected_path));
    EXPECT_EQ(got, expected) << "got:\n" << got.toStyledString();
    // The wire form reads back into the same message.
    EXPECT_EQ(schema::message_from_json(got), m);
    ++checked;
  }
  EXPECT_GE(checked, 17);
}

schema::Message from(const std::string& xml) { return normalize(parse_xml(xml), kChannelId); }

TEST(WechatNormalize, TextKeepsMsgIdAsAStringAndEveryRawField) {
  schema::Message m = from(
      "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1700000000</CreateTime>"
      "<MsgType>text</MsgType><Content>hi</Content><MsgId>18446744073709551615</MsgId><bizmsgmenuid>7</bizmsgmenuid></xml>");
  EXPECT_EQ(m.external_id, "18446744073709551615");  // larger than int64: still exact
  EXPECT_EQ(m.sender.type, schema::SenderType::contact);
  EXPECT_EQ(m.sender.id, "o1");
  EXPECT_EQ(m.direction, schema::Direction::in);
  EXPECT_EQ(m.channel_id, kChannelId);
  EXPECT_EQ(m.metadata["wechat"]["bizmsgmenuid"].asString(), "7");
  EXPECT_EQ(m.metadata["wechat"]["MsgId"].asString(), "18446744073709551615");
  ASSERT_TRUE(m.channel_timestamp);
  EXPECT_EQ(schema::format_timestamp(*m.channel_timestamp), "2023-11-14T22:13:20.000000Z");
}

TEST(WechatNormalize, TwoEventsInOneSecondDoNotCollideButRetriesDo) {
  std::string head = "<xml><FromUserName>o1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType>";
  schema::Message a = from(head + "<Event>subscribe</Event></xml>");
  schema::Message b = from(head + "<Event>CLICK</Event><EventKey>K</EventKey></xml>");
  schema::Message a2 = from(head + "<Event>subscribe</Event></xml>");
  EXPECT_EQ(a.external_id, "event:o1:1700000000:subscribe");
  EXPECT_NE(a.external_id, b.external_id);
  EXPECT_EQ(a.external_id, a2.external_id);
}

TEST(WechatNormalize, RepeatedFieldsAreAllKept) {
  schema::Message m = from(
      "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
      "<Event>pic_weixin</Event><SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item>"
      "<item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo></xml>");
  const Json::Value& sums = m.metadata["wechat"]["SendPicsInfo.PicList.item.PicMd5Sum"];
  ASSERT_TRUE(sums.isArray());
  EXPECT_EQ(sums.size(), 2u);
  EXPECT_EQ(m.parts[0].event, "pic_weixin");
}

TEST(WechatNormalize, GarbledNumbersStayRawInsteadOfFailing) {
  schema::Message m = from(
      "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>location</MsgType>"
      "<Location_X>north</Location_X><Location_Y>1e999</Location_Y><Scale>big</Scale><MsgId>5</MsgId></xml>");
  EXPECT_FALSE(m.parts[0].latitude);
  EXPECT_FALSE(m.parts[0].longitude);
  EXPECT_EQ(m.parts[0].extra["scale"].asString(), "big");
  EXPECT_EQ(m.metadata["wechat"]["Location_X"].asString(), "north");
}

TEST(WechatNormalize, RefusesDocumentsThatAreNotWechatMessages) {
  auto status = [](const std::string& xml) {
    try {
      from(xml);
    } catch (const AdapterError& e) {
      return e.status();
    }
    return 0;
  };
  EXPECT_EQ(status("<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>"), 400);
  EXPECT_EQ(status("<xml><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>"), 400);
  EXPECT_EQ(status("<xml><FromUserName>o</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType></xml>"), 400);
  EXPECT_EQ(status("<xml><FromUserName>o</FromUserName><CreateTime>-5</CreateTime><MsgType>text</MsgType></xml>"), 400);
  EXPECT_EQ(status("<xml><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>"), 400);
}

}  // namespace
}  // namespace omnigate::adapters::wechat
