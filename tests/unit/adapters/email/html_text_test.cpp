#include "adapters/email/html_text.h"

#include <gtest/gtest.h>

#include <string>

namespace omnigate::adapters::email {
namespace {

TEST(HtmlText, BlocksAndBreaksBecomeLines) {
  EXPECT_EQ(html_to_text("<div>one</div><div>two</div>"), "one\ntwo");
  EXPECT_EQ(html_to_text("<p>one</p><p>two</p>"), "one\n\ntwo");
  EXPECT_EQ(html_to_text("a<br>b<br/>c"), "a\nb\nc");
  EXPECT_EQ(html_to_text("a<br><br>b"), "a\n\nb");
  EXPECT_EQ(html_to_text("<h1>Title</h1>text"), "Title\n\ntext");
  EXPECT_EQ(html_to_text("<ul><li>x</li><li>y</li></ul>"), "- x\n- y");
  EXPECT_EQ(html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"), "a b\nc");
}

TEST(HtmlText, WhitespaceCollapsesExceptInPre) {
  EXPECT_EQ(html_to_text("<p>  lots\n of   space  </p>"), "lots of space");
  EXPECT_EQ(html_to_text("<b>bold</b> <i>italic</i>"), "bold italic");
  EXPECT_EQ(html_to_text("<pre>a  b\n  c</pre>"), "a  b\n  c");
}

TEST(HtmlText, ScriptsStylesAndHeadAreDropped) {
  EXPECT_EQ(html_to_text("<html><head><title>T</title><style>p{}</style></head>"
                         "<body><script>alert(1)</script>visible<noscript>no</noscript></body></html>"),
            "visible");
}

TEST(HtmlText, EntitiesAreDecoded) {
  EXPECT_EQ(html_to_text("&lt;a&gt; &amp; &quot;q&quot; &#20013;&#x6587; &eacute;"), "<a> & \"q\" 中文 é");
}

TEST(HtmlText, LinksKeepTheirUrl) {
  EXPECT_EQ(html_to_text("<a href=\"https://x.test/a\">track</a>"), "track [https://x.test/a]");
  // Not twice when the text already is the URL, nor for mailto: showing the address.
  EXPECT_EQ(html_to_text("<a href=\"https://x.test/a\">https://x.test/a</a>"), "https://x.test/a");
  EXPECT_EQ(html_to_text("<a href=\"mailto:a@b.test\">a@b.test</a>"), "a@b.test");
  EXPECT_EQ(html_to_text("<a href=\"#top\">top</a>"), "top");
  EXPECT_EQ(html_to_text("<a href=\"javascript:void(0)\">x</a>"), "x");
}

TEST(HtmlText, BlockquotesBecomeQuotedLines) {
  EXPECT_EQ(html_to_text("<div>new</div><blockquote>old<br>older</blockquote>"), "new\n\n> old\n> older");
  EXPECT_EQ(html_to_text("<blockquote>a<blockquote>b</blockquote></blockquote>"), "> a\n>\n>> b");
}

TEST(HtmlText, ImagesShowTheirAltText) {
  EXPECT_EQ(html_to_text("see <img src=\"cid:x\" alt=\"photo\"> here <img src=\"cid:y\">"), "see [photo] here");
}

TEST(HtmlText, MetaCharsetDoesNotOverrideUtf8Input) {
  const char* html = "<html><head><meta charset=\"gb2312\"></head><body>中文</body></html>";
  EXPECT_EQ(html_to_text(html), "中文");
  EXPECT_EQ(html_to_text("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\"><p>中文</p>"), "中文");
}

TEST(HtmlText, MetaCharsetIsFound) {
  EXPECT_EQ(html_meta_charset("<html><head><meta charset=\"gb2312\"></head><body>x</body></html>").empty(), false);
  EXPECT_EQ(html_meta_charset("<p>no meta</p>"), "");
}

TEST(HtmlText, GarbageAndDepthAreSurvived) {
  EXPECT_EQ(html_to_text(""), "");
  EXPECT_EQ(html_to_text("<<<>>></p></div>text<"), html_to_text("<<<>>></p></div>text<"));
  std::string deep;
  for (int i = 0; i < 20000; ++i) deep += "<div>";
  deep += "deep";
  EXPECT_NO_THROW(html_to_text(deep));
  EXPECT_EQ(html_to_text(std::string("a\0b", 3)), html_to_text(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace omnigate::adapters::email
