#include "adapters/email/charset.h"

#include <gtest/gtest.h>

namespace omnigate::adapters::email {
namespace {

TEST(Charset, Gb2312LabelIsReadAsGbkSuperset) {
  // 喆 exists in GBK only; clients still label such text gb2312.
  Utf8Text t = to_utf8("\x86\xB4", "gb2312");
  EXPECT_EQ(t.text, "喆");
  EXPECT_EQ(t.problem, "");
  EXPECT_EQ(to_utf8("\xD6\xD0\xCE\xC4", "GBK").text, "中文");
  EXPECT_EQ(to_utf8("\xD6\xD0\xCE\xC4", "x-gbk").text, "中文");
}

TEST(Charset, Big5AndIso2022JpAndLatin) {
  EXPECT_EQ(to_utf8("\xB0\x68\xB4\xDA", "big5").text, "退款");
  EXPECT_EQ(to_utf8("\x1B\x24\x42\x43\x6D\x4A\x38\x1B\x28\x42", "ISO-2022-JP").text, "注文");
  EXPECT_EQ(to_utf8("caf\xE9", "iso-8859-1").text, "café");
  EXPECT_EQ(to_utf8("caf\xE9", "latin1").text, "café");
  // ISO-8859-1 labels get Windows-1252, as browsers do: 0x80 is the euro sign.
  EXPECT_EQ(to_utf8("\x80", "iso-8859-1").text, "€");
  EXPECT_EQ(to_utf8("\xB1", "iso-8859-2").text, "ą");
}

TEST(Charset, UndeclaredUtf8IsTakenSilently) {
  Utf8Text t = to_utf8("中文", "");
  EXPECT_EQ(t.text, "中文");
  EXPECT_EQ(t.problem, "");
  EXPECT_EQ(to_utf8("plain ascii", "").problem, "");
}

TEST(Charset, UndeclaredNonUtf8IsReadAsGb18030AndReported) {
  Utf8Text t = to_utf8("\xD6\xD0\xCE\xC4", "");
  EXPECT_EQ(t.text, "中文");
  EXPECT_NE(t.problem.find("GB18030"), std::string::npos) << t.problem;
}

TEST(Charset, WrongLabelsAreReportedEvenWhenTheBytesAreUtf8) {
  Utf8Text ascii = to_utf8("中文", "us-ascii");
  EXPECT_EQ(ascii.text, "中文");
  EXPECT_NE(ascii.problem.find("us-ascii"), std::string::npos);
  Utf8Text unknown = to_utf8("\xD6\xD0", "x-no-such-charset");
  EXPECT_EQ(unknown.text, "中");
  EXPECT_NE(unknown.problem.find("unknown charset"), std::string::npos);
  // ASCII under an unknown label is simply ASCII.
  EXPECT_EQ(to_utf8("hello", "x-no-such-charset").problem, "");
}

TEST(Charset, BadBytesBecomeReplacementCharacters) {
  Utf8Text utf8 = to_utf8("a\xFF" "b", "utf-8");
  EXPECT_EQ(utf8.text, "a\xEF\xBF\xBD" "b");
  EXPECT_NE(utf8.problem, "");
  // A GBK character cut in half at the end.
  Utf8Text cut = to_utf8("\xD6\xD0\xCE", "gbk");
  EXPECT_EQ(cut.text, "中\xEF\xBF\xBD");
  EXPECT_NE(cut.problem, "");
  // An unmappable byte in the middle does not lose what follows.
  Utf8Text mid = to_utf8("\xD6\xD0\xFF\xCE\xC4", "gbk");
  EXPECT_TRUE(is_valid_utf8(mid.text));
  EXPECT_NE(mid.text.find("文"), std::string::npos) << mid.text;
}

TEST(Charset, MakeValidUtf8) {
  EXPECT_EQ(make_valid_utf8("ok 中文"), "ok 中文");
  EXPECT_EQ(make_valid_utf8(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(make_valid_utf8("\xE4\xB8"), "\xEF\xBF\xBD");
  EXPECT_TRUE(is_valid_utf8(make_valid_utf8("\xC0\x80\xED\xA0\x80\xF8\x88\x80\x80\x80")));
  EXPECT_EQ(make_valid_utf8(""), "");
}

TEST(Charset, LongInputsConvertWhole) {
  std::string big;
  for (int i = 0; i < 50000; ++i) big += "\xD6\xD0";
  Utf8Text t = to_utf8(big, "gb2312");
  EXPECT_EQ(t.text.size(), 150000u);
  EXPECT_EQ(t.problem, "");
}

}  // namespace
}  // namespace omnigate::adapters::email
