#include "adapters/email/text_to_html.h"

#include <gtest/gtest.h>

#include "adapters/email/html_text.h"

namespace omnigate::adapters::email {
namespace {

std::string body_of(const std::string& html) {
  size_t start = html.find('>', html.find("<body")) + 1;
  return html.substr(start, html.find("</body>") - start);
}

TEST(TextToHtml, IsACompleteUtf8Document) {
  std::string html = text_to_html("hi");
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_EQ(body_of(html), "\n<p>hi</p>\n");
}

TEST(TextToHtml, EscapesEverythingMarkupCouldUse) {
  EXPECT_EQ(body_of(text_to_html("<script>alert('x')</script> & \"q\"")),
            "\n<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>\n");
}

TEST(TextToHtml, BlankLinesMakeParagraphsAndLineBreaksStay) {
  EXPECT_EQ(body_of(text_to_html("您好，\r\n\r\n\n第一行\n第二行\n  \n再见")),
            "\n<p>您好，</p>\n<p>第一行<br>\n第二行</p>\n<p>再见</p>\n");
}

TEST(TextToHtml, RunsOfSpacesKeepTheirWidth) {
  EXPECT_EQ(body_of(text_to_html("a   b\tc")), "\n<p>a &nbsp; b&nbsp;&nbsp;&nbsp;&nbsp;c</p>\n");
}

TEST(TextToHtml, ReadsBackAsTheSameText) {
  std::string text = "Dear customer,\n\nyour order <42> & the invoice are on their way.\nRegards";
  EXPECT_EQ(html_to_text(text_to_html(text)), text);
}

}  // namespace
}  // namespace omnigate::adapters::email
