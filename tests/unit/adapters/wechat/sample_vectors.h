#pragma once
// Tencent's published WXBizMsgCrypt sample values (facts from the official
// samples), shared by the WeChat unit tests.
namespace omnigate::adapters::wechat::samples {

// WeCom sample: token, EncodingAESKey, corpid.
inline constexpr const char* kWecomToken = "QDG6eK";
inline constexpr const char* kWecomKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
inline constexpr const char* kWecomCorp = "wx5823bf96d3bd56c7";
// WeCom sample: URL verification.
inline constexpr const char* kVerifySig = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3";
inline constexpr const char* kVerifyTs = "1409659589";
inline constexpr const char* kVerifyNonce = "263014780";
inline constexpr const char* kVerifyEcho =
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
inline constexpr const char* kVerifyEchoPlain = "1616140317555161061";
// WeCom sample: an encrypted text message "hello" from "mycreate".
inline constexpr const char* kMsgSig = "477715d11cdb4164915debcba66cb864d751f3e6";
inline constexpr const char* kMsgTs = "1409659813";
inline constexpr const char* kMsgNonce = "1372623149";
inline constexpr const char* kMsgEncrypt =
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/"
    "sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+"
    "HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+"
    "BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/"
    "uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

// Official Account sample (Java WXBizMsgCryptTest): fixed random prefix.
inline constexpr const char* kMpKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
inline constexpr const char* kMpAppId = "wxb11529c136998cb6";
inline constexpr const char* kMpPrefix = "aaaabbbbccccdddd";
inline constexpr const char* kMpReply = "我是中文abcd123";
inline constexpr const char* kMpReplyEncrypted =
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==";
inline constexpr const char* kMpReply2 =
    "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA["
    "gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></"
    "MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></"
    "MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></"
    "Description></Video></xml>";
inline constexpr const char* kMpReply2Encrypted =
    "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweI"
    "mX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0Qu"
    "M+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mm"
    "a0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzE"
    "TdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZ"
    "ckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFE"
    "xWUZQDajPkdPrEeOwofJb";

// Official Account sample (PHP/Python WXBizMsgCrypt): token "spamtest",
// a pushed text message with its msg_signature.
inline constexpr const char* kMp2Token = "spamtest";
inline constexpr const char* kMp2AppId = "wx2c2769f8efd9abc2";
inline constexpr const char* kMp2Ts = "1409735669";
inline constexpr const char* kMp2Sig = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
inline constexpr const char* kMp2Nonce = "1320562132";
inline constexpr const char* kMp2Encrypt =
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2L"
    "dJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6"
    "ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTni"
    "fJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQ"
    "LCzpu9GhglF2PE=";

}  // namespace omnigate::adapters::wechat::samples
