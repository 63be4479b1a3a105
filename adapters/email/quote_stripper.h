#pragma once
// The new content of a reply, for the text an agent sees first: the quoted
// previous message and the signature are cut away (the full text is kept
// elsewhere; this never replaces it).
//
// Recognised, in English and Chinese as mail clients write them:
//  - lines starting with ">";
//  - attribution lines that introduce a quote: "On <date>, <someone> wrote:"
//    (also wrapped over two lines, as Gmail does for long names), "在 ...
//    写道：" / "寫道：" (Foxmail, QQ Mail, Gmail zh), "Le ... a écrit :",
//    "Am ... schrieb ...:";
//  - Outlook/Foxmail separators that start the previous message:
//    "-----Original Message-----", "------ 原始邮件 ------", a line of
//    underscores followed by "From:"/"发件人:", and a bare header block
//    ("发件人: ..." then "发送时间:"/"Sent:"/"收件人:"/"主题:" lines);
//  - a signature after a "-- " line, and a trailing "Sent from my iPhone" /
//    "发自我的iPhone" line.
// Conservative by design: an attribution followed by unquoted lines among
// the quoted ones (an inline, interleaved answer) only loses the ">" lines,
// not the answers; and when stripping would leave nothing, the full text is
// returned.
#include <string>
#include <string_view>

namespace omnigate::adapters::email {

std::string strip_quote(std::string_view text);

}  // namespace omnigate::adapters::email
