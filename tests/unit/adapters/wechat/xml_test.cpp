#include "adapters/wechat/xml.h"

#include <gtest/gtest.h>

#include <string>

namespace omnigate::adapters::wechat {
namespace {

std::string parse_error(const std::string& doc) {
  try {
    parse_xml(doc);
  } catch (const XmlError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << doc.substr(0, 200);
  return {};
}

TEST(WechatXml, FlatDocumentInOrderWithCdataAndPlainValues) {
  XmlFields f = parse_xml(
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_1]]></FromUserName>"
      "<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>"
      "<Content><![CDATA[a < b & c]]></Content><MsgId>1234567890123456</MsgId></xml>");
  ASSERT_EQ(f.entries().size(), 6u);
  EXPECT_EQ(f.entries()[0].first, "ToUserName");
  EXPECT_EQ(f.entries()[5].first, "MsgId");
  EXPECT_EQ(f.get("Content"), "a < b & c");
  EXPECT_EQ(f.get("CreateTime"), "1348831860");
  EXPECT_EQ(f.get("Missing"), "");
  EXPECT_FALSE(f.find("Missing"));
}

TEST(WechatXml, EscapedTextAndWhitespaceLayout) {
  XmlFields f = parse_xml("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- hi -->\n<xml>\n  <A>x &amp; y &lt;z&gt;</A>\n  <B></B>\n</xml>\n");
  EXPECT_EQ(f.get("A"), "x & y <z>");
  EXPECT_TRUE(f.has("B"));
  EXPECT_EQ(f.get("B"), "");
}

TEST(WechatXml, NestedElementsFlattenWithDots) {
  XmlFields f = parse_xml(
      "<xml><Event><![CDATA[pic_sysphoto]]></Event><SendPicsInfo><Count>2</Count><PicList>"
      "<item><PicMd5Sum><![CDATA[aaa]]></PicMd5Sum></item><item><PicMd5Sum><![CDATA[bbb]]></PicMd5Sum></item>"
      "</PicList></SendPicsInfo></xml>");
  EXPECT_EQ(f.get("SendPicsInfo.Count"), "2");
  ASSERT_EQ(f.entries().size(), 4u);
  EXPECT_EQ(f.entries()[2], (XmlFields::Entry{"SendPicsInfo.PicList.item.PicMd5Sum", "aaa"}));
  EXPECT_EQ(f.entries()[3], (XmlFields::Entry{"SendPicsInfo.PicList.item.PicMd5Sum", "bbb"}));
}

TEST(WechatXml, BillionLaughsIsRefusedNotExpanded) {
  std::string bomb =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
      " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
      " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
      " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
      " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
      " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
      " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
      " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
      "]>\n<xml><Content>&lol9;</Content></xml>";
  EXPECT_NE(parse_error(bomb).find("DOCTYPE"), std::string::npos);
}

TEST(WechatXml, ExternalEntityIsRefusedNotFetched) {
  std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
      "<xml><Content>&xxe;</Content></xml>";
  std::string why = parse_error(xxe);
  EXPECT_NE(why.find("DOCTYPE"), std::string::npos) << why;
  // An external DTD and a parameter entity likewise.
  EXPECT_NE(parse_error("<!DOCTYPE xml SYSTEM \"http://127.0.0.1:1/evil.dtd\"><xml/>").find("DOCTYPE"),
            std::string::npos);
  EXPECT_NE(parse_error("<!-- c --><!doctype xml [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><xml/>")
                .find("DOCTYPE"),
            std::string::npos);
}

TEST(WechatXml, AnUndeclaredEntityReferenceIsMalformed) {
  std::string why = parse_error("<xml><Content>&xxe;</Content></xml>");
  EXPECT_NE(why.find("malformed"), std::string::npos) << why;
}

TEST(WechatXml, MessageTextMentioningDoctypeIsFine) {
  XmlFields f = parse_xml("<xml><Content><![CDATA[<!DOCTYPE html><!ENTITY x \"y\">]]></Content></xml>");
  EXPECT_EQ(f.get("Content"), "<!DOCTYPE html><!ENTITY x \"y\">");
}

// Documents are read as UTF-8 whatever their declaration says (WeChat only
// sends UTF-8), and bytes that are not UTF-8 are refused.
TEST(WechatXml, ReadAsUtf8WhateverTheDeclarationSays) {
  using namespace std::string_literals;  // "..."s keeps the NULs of UTF-16
  EXPECT_EQ(parse_xml("<?xml version=\"1.0\" encoding=\"GBK\"?><xml><A>\xe4\xbd\xa0\xe5\xa5\xbd</A></xml>").get("A"),
            "\xe4\xbd\xa0\xe5\xa5\xbd");
  EXPECT_EQ(parse_xml("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><xml><A>\xc3\xa9</A></xml>").get("A"), "\xc3\xa9");
  EXPECT_EQ(parse_xml("\xef\xbb\xbf<xml><A>bom</A></xml>").get("A"), "bom");
  EXPECT_NE(parse_error("<xml><A>\xc3\x28</A></xml>").find("UTF-8"), std::string::npos);
  EXPECT_NE(parse_error("<?xml version=\"1.0\" encoding=\"GBK\"?><xml><A>\xc4\xe3</A></xml>").find("UTF-8"),
            std::string::npos);
  // UTF-16, with or without a byte order mark, never reaches the parser
  EXPECT_NE(parse_error("\xff\xfe<\0x\0m\0l\0>\0<\0/\0x\0m\0l\0>\0"s).find("malformed"),
            std::string::npos);
  EXPECT_NE(parse_error("<\0x\0m\0l\0>\0<\0/\0x\0m\0l\0>\0"s).find("malformed"), std::string::npos);
}

// The parser context is reused per thread: a refused document leaves nothing
// behind for the next one, and thousands of distinct element names (which
// the context's dictionary interns) are fine.
TEST(WechatXml, ParsesStayIndependentOnOneThread) {
  EXPECT_NE(parse_error("<xml><A>1</B></xml>").find("malformed"), std::string::npos);
  EXPECT_EQ(parse_xml("<xml><A>1</A></xml>").get("A"), "1");
  for (int i = 0; i < 3000; ++i) {
    std::string name = "E" + std::to_string(i);
    std::string doc = "<xml><" + name + ">" + std::to_string(i) + "</" + name + "><" + name + "x>y</" + name + "x></xml>";
    XmlFields f = parse_xml(doc);
    ASSERT_EQ(f.entries().size(), 2u);
    ASSERT_EQ(f.get(name), std::to_string(i));
  }
  EXPECT_NE(parse_error("<xml><A>\xff</A></xml>").find("malformed"), std::string::npos);
  EXPECT_EQ(parse_xml("<xml><MsgType><![CDATA[text]]></MsgType></xml>").get("MsgType"), "text");
}

TEST(WechatXml, MalformedDocumentsAreRefusedClearly) {
  EXPECT_NE(parse_error("").find("empty"), std::string::npos);
  EXPECT_NE(parse_error("<xml><A>1</B></xml>").find("malformed"), std::string::npos);
  EXPECT_NE(parse_error("<xml><A>1</A>").find("malformed"), std::string::npos);
  EXPECT_NE(parse_error("not xml").find("malformed"), std::string::npos);
  EXPECT_NE(parse_error("<root><A>1</A></root>").find("<xml>"), std::string::npos);
  EXPECT_NE(parse_error("<xml><A>\xff\xfe</A></xml>").find("malformed"), std::string::npos);
  EXPECT_NE(parse_error(std::string(kMaxXmlBytes + 1, ' ')).find("1 MiB"), std::string::npos);
  std::string deep = "<xml>";
  for (int i = 0; i < 20; ++i) deep += "<a>";
  deep += "x";
  for (int i = 0; i < 20; ++i) deep += "</a>";
  deep += "</xml>";
  EXPECT_NE(parse_error(deep).find("deeper"), std::string::npos);
}

TEST(WechatXmlBuilder, CdataSplitsTheTerminatorSafely) {
  EXPECT_EQ(cdata("plain"), "<![CDATA[plain]]>");
  EXPECT_EQ(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
  for (std::string tricky : {"]]>", "]]]>", "x]]>]]>y", "]]", "]", "<![CDATA[x]]>", "tab\tnl\n ok 中文"}) {
    std::string doc = XmlBuilder().text("Content", tricky).str();
    EXPECT_EQ(parse_xml(doc).get("Content"), tricky) << doc;
  }
}

TEST(WechatXmlBuilder, DropsCharactersXmlCannotCarry) {
  std::string doc = XmlBuilder().text("Content", std::string("a\x01" "b\x1f" "c", 5)).str();
  EXPECT_EQ(parse_xml(doc).get("Content"), "abc");
}

TEST(WechatXmlBuilder, NumbersAndNestedElements) {
  std::string doc =
      XmlBuilder().text("ToUserName", "o1").number("CreateTime", 1700000000).nested_text("Image", "MediaId", "m1").str();
  EXPECT_EQ(doc,
            "<xml><ToUserName><![CDATA[o1]]></ToUserName><CreateTime>1700000000</CreateTime>"
            "<Image><MediaId><![CDATA[m1]]></MediaId></Image></xml>");
  EXPECT_EQ(parse_xml(doc).get("Image.MediaId"), "m1");
}

}  // namespace
}  // namespace omnigate::adapters::wechat
