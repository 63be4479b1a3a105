#!/usr/bin/env python3
"""Writes the .eml fixtures of tests/data/email (run once, by hand, when a
fixture changes; tests never run it). The mails are written by hand below in
the shapes real clients produce; only the encoded pieces are made here, with
iconv for charsets and base64 / quoted-printable for transfer encodings, so
no fixture contains bytes someone typed in a foreign charset by hand.

    python3 tests/data/email/make_fixtures.py

Then refresh the expected outputs and REVIEW the diff:
    OMNIGATE_UPDATE_EMAIL_FIXTURES=1 build/.../email_test --gtest_filter='Fixtures*'
"""
import base64
import os
import quopri
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def enc(text, charset):
    """UTF-8 text -> bytes in charset, through iconv."""
    return subprocess.run(["iconv", "-f", "UTF-8", "-t", charset], input=text.encode("utf-8"),
                          check=True, capture_output=True).stdout


def b64(data):
    return base64.b64encode(data).decode("ascii")


def b64_lines(data):
    s = b64(data)
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def qp(data):
    return quopri.encodestring(data).decode("ascii")


def word_b(text, charset):
    """An RFC 2047 B encoded word."""
    return "=?%s?B?%s?=" % (charset, b64(enc(text, charset)))


def word_q(text, charset):
    raw = enc(text, charset)
    out = ""
    for byte in raw:
        c = chr(byte)
        if byte < 128 and c.isalnum():
            out += c
        elif c == " ":
            out += "_"
        else:
            out += "=%02X" % byte
    return "=?%s?Q?%s?=" % (charset, out)


def write(name, parts):
    """parts: str (ASCII, LF line ends in source, CRLF in the file) or bytes (as is)."""
    data = b""
    for p in parts:
        data += p.replace("\n", "\r\n").encode("ascii") if isinstance(p, str) else p
    with open(os.path.join(HERE, name + ".eml"), "wb") as f:
        f.write(data)


PNG = base64.b64decode(  # a 1x1 transparent PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# 1. GBK subject, display name and base64 body (Foxmail / QQ Mail). 這 and 喆
#    are in GBK but not in GB2312.
write("gbk_subject_body", [
    "Return-Path: <zhang.zhe@example.cn>\n"
    "From: " + word_b("张喆", "GBK") + " <Zhang.Zhe@Example.CN>\n"
    "To: " + word_b("客服", "GBK") + " <support@omnigate.test>\n"
    "Subject: " + word_b("订单这么久还没发货？這是第二次询问", "GBK") + "\n"
    "Date: Tue, 05 Mar 2024 10:12:33 +0800\n"
    "Message-ID: <tencent_ABC123@qq.com>\n"
    "X-Mailer: Foxmail 7.2\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=\"GBK\"\n"
    "Content-Transfer-Encoding: base64\n\n",
    b64_lines(enc("你好，\n\n我的订单 20240305-8812 已经一周了还没有发货，麻烦帮忙查一下。\n\n张喆\n", "GBK")) + "\n",
])

# 2. GB2312 label (QP), with 喆 which only GBK has: clients label GBK as gb2312.
write("gb2312_qp", [
    "From: " + word_q("王喆", "GBK").replace("GBK", "gb2312") + " <wang@example.cn>\n"
    "To: support@omnigate.test\n"
    "Subject: " + word_q("退款申请", "GB2312") + "\n"
    "Date: Wed, 06 Mar 2024 09:00:00 +0800\n"
    "Message-ID: <20240306090000.1234@mail.example.cn>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=gb2312\n"
    "Content-Transfer-Encoding: quoted-printable\n\n",
    qp(enc("您好，我想申请退款，订单号 A-77。\n谢谢！王喆\n", "GBK")) + "\n",
])

# 3. GB18030 with four-byte sequences (an emoji, a CJK extension B character).
write("gb18030", [
    "From: \"Li Na\" <lina@example.cn>\n"
    "To: support@omnigate.test\n"
    "Subject: " + word_b("发票问题 😀", "GB18030") + "\n"
    "Date: Thu, 07 Mar 2024 14:30:00 +0800\n"
    "Message-ID: <gb18030-test-1@example.cn>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=GB18030\n"
    "Content-Transfer-Encoding: base64\n\n",
    b64_lines(enc("发票抬头写错了：𠀀公司，金额 €120。😀\n", "GB18030")) + "\n",
])

# 4. Big5 (Taiwan, Outlook).
write("big5", [
    "From: " + word_b("陳大文", "BIG5") + " <chen@example.tw>\n"
    "To: support@omnigate.test\n"
    "Subject: " + word_b("請問退貨流程", "BIG5") + "\n"
    "Date: Fri, 08 Mar 2024 11:00:00 +0800\n"
    "Message-ID: <big5-1@example.tw>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=\"big5\"\n"
    "Content-Transfer-Encoding: 8bit\n\n",
    enc("您好：\n請問退貨需要多久才會收到退款？\n謝謝\n", "BIG5").replace(b"\n", b"\r\n"),
])

# 5. ISO-2022-JP, 7bit, as Japanese mail clients still send it.
write("iso2022jp", [
    "From: " + word_b("山田太郎", "ISO-2022-JP") + " <yamada@example.jp>\n"
    "To: support@omnigate.test\n"
    "Subject: " + word_b("注文について", "ISO-2022-JP") + "\n"
    "Date: Sat, 09 Mar 2024 08:15:00 +0900\n"
    "Message-ID: <iso2022jp-1@example.jp>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=ISO-2022-JP\n"
    "Content-Transfer-Encoding: 7bit\n\n",
    enc("こんにちは。\n注文した商品がまだ届きません。\n", "ISO-2022-JP").replace(b"\n", b"\r\n"),
])

# 6. ISO-8859-1 subject, ISO-8859-2 display name and QP body.
write("iso8859", [
    "From: " + word_q("Antonín Dvořák", "ISO-8859-2") + " <adv@example.cz>\n"
    "To: support@omnigate.test\n"
    "Cc: " + word_q("José Müller", "ISO-8859-1") + " <jose@example.de>\n"
    "Subject: " + word_q("Café crème: réclamation", "ISO-8859-1") + "\n"
    "Date: Sun, 10 Mar 2024 16:45:00 +0100\n"
    "Message-ID: <iso8859-1@example.cz>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=iso-8859-2\n"
    "Content-Transfer-Encoding: quoted-printable\n\n",
    qp(enc("Dobrý den,\nobjednávka přišla poškozená. Prosím o výměnu.\nŽluťoučký kůň\n", "ISO-8859-2")) + "\n",
])

# 7. RFC 2231 filenames: UTF-8 percent-encoded, and continued (filename*0*/ *1*) in GBK.
pct = lambda b: "".join("%%%02X" % x for x in b)
gbk_name = pct(enc("发票", "GBK"))
write("rfc2231_filename", [
    "From: buyer@example.cn\n"
    "To: support@omnigate.test\n"
    "Subject: =?UTF-8?B?" + b64("附件：发票和合同".encode()) + "?=\n"
    "Date: Mon, 11 Mar 2024 10:00:00 +0800\n"
    "Message-ID: <rfc2231-1@example.cn>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"----=_Part_1\"\n\n"
    "------=_Part_1\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n\n" + b64_lines("请查收附件。\n".encode()) + "\n"
    "------=_Part_1\n"
    "Content-Type: application/pdf\n"
    "Content-Disposition: attachment;\n filename*=UTF-8''" + pct("产品合同 v2.pdf".encode()) + "\n"
    "Content-Transfer-Encoding: base64\n\n" + b64_lines(PDF) + "\n"
    "------=_Part_1\n"
    "Content-Type: application/pdf\n"
    "Content-Disposition: attachment;\n filename*0*=gbk''" + gbk_name + ";\n filename*1*=%2Epdf\n"
    "Content-Transfer-Encoding: base64\n\n" + b64_lines(PDF + b"2") + "\n"
    "------=_Part_1--\n",
])

# 8. HTML only, gb2312 declared in the MIME header (the <meta> says so too),
#    with script, style, entities, a list and links.
html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
        "<title>ignored</title><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><p>您好&nbsp;客服，</p><p>我在<b>官网</b>下的单：</p>"
        "<ul><li>商品 A &times; 2</li><li>商品 B &amp; C</li></ul>"
        "<div>物流链接：<a href=\"https://track.example.cn/n/123\">点这里</a><br>"
        "官网：<a href=\"https://shop.example.cn\">https://shop.example.cn</a></div>"
        "<p>&lt;谢谢&gt;</p></body></html>")
write("html_only", [
    "From: \"Html Sender\" <html@example.cn>\n"
    "To: support@omnigate.test\n"
    "Subject: HTML only\n"
    "Date: Tue, 12 Mar 2024 12:00:00 +0800\n"
    "Message-ID: <html-only-1@example.cn>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/html; charset=gb2312\n"
    "Content-Transfer-Encoding: base64\n\n",
    b64_lines(enc(html, "GB2312")) + "\n",
])

# 9. mixed( related( alternative(text, html), inline image ), attachment ).
write("nested_multipart", [
    "From: Alice Example <alice@example.com>\n"
    "To: Support <support@omnigate.test>, second@omnigate.test\n"
    "Cc: \"Bob, the manager\" <bob@example.com>\n"
    "Reply-To: alice.work@example.com\n"
    "Subject: Broken item (photo attached)\n"
    "Date: Wed, 13 Mar 2024 09:30:00 -0500\n"
    "Message-ID: <nested-1@example.com>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"mixed\"\n\n"
    "This is a multi-part message in MIME format.\n\n"
    "--mixed\n"
    "Content-Type: multipart/related; boundary=\"related\"; type=\"multipart/alternative\"\n\n"
    "--related\n"
    "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
    "--alt\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n\n" +
    qp("The vase arrived broken, see the photo below.\n\nThanks,\nAlice\n".encode()) + "\n"
    "--alt\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n\n" +
    qp("<div>The vase arrived <b>broken</b>, see the photo below.</div><img src=\"cid:photo1@example.com\">"
       "<div>Thanks,<br>Alice</div>\n".encode()) + "\n"
    "--alt--\n\n"
    "--related\n"
    "Content-Type: image/png; name=\"photo.png\"\n"
    "Content-ID: <photo1@example.com>\n"
    "Content-Transfer-Encoding: base64\n\n" + b64_lines(PNG) + "\n"
    "--related--\n\n"
    "--mixed\n"
    "Content-Type: application/pdf; name=\"receipt.pdf\"\n"
    "Content-Disposition: attachment; filename=\"receipt.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\n" + b64_lines(PDF) + "\n"
    "--mixed--\n",
])

# 10. Outlook (zh) reply: new text on top, then underscores and a 发件人 /
#     发送时间 header block with the previous message, no ">" quoting.
outlook_text = ("好的，收到，谢谢！\n明天上午我在家。\n\n"
                "________________________________\n"
                "发件人: 客服 <support@omnigate.test>\n"
                "发送时间: 2024年3月13日 17:02\n"
                "收件人: 刘洋 <liuyang@example.cn>\n"
                "主题: 回复: 上门维修\n\n"
                "您好，师傅明天上午上门，请保持电话畅通。\n")
write("outlook_zh_reply", [
    "From: " + word_b("刘洋", "GB2312") + " <liuyang@example.cn>\n"
    "To: " + word_b("客服", "GB2312") + " <support@omnigate.test>\n"
    "Subject: " + word_b("答复: 回复: 上门维修", "GB2312") + "\n"
    "Thread-Topic: " + word_b("上门维修", "GB2312") + "\n"
    "Date: Wed, 13 Mar 2024 09:02:11 +0000\n"
    "Message-ID: <SG2PR01MB1234ABCD@SG2PR01MB1234.apcprd01.prod.exchangelabs.com>\n"
    "In-Reply-To: <og.42.7f3a@omnigate.test>\n"
    "References: <first.1@example.cn>\n <og.42.7f3a@omnigate.test>\n"
    "X-MS-Has-Attach:\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=\"_000_SG2PR01MB_\"\n\n"
    "--_000_SG2PR01MB_\n"
    "Content-Type: text/plain; charset=\"gb2312\"\n"
    "Content-Transfer-Encoding: base64\n\n" + b64_lines(enc(outlook_text, "GB2312")) + "\n\n"
    "--_000_SG2PR01MB_\n"
    "Content-Type: text/html; charset=\"gb2312\"\n"
    "Content-Transfer-Encoding: base64\n\n" +
    b64_lines(enc("<html><body><div>好的，收到，谢谢！<br>明天上午我在家。</div><hr>"
                  "<div><b>发件人:</b> 客服 &lt;support@omnigate.test&gt;<br><b>发送时间:</b> 2024年3月13日 17:02<br>"
                  "<b>收件人:</b> 刘洋<br><b>主题:</b> 回复: 上门维修</div>"
                  "<div>您好，师傅明天上午上门，请保持电话畅通。</div></body></html>", "GB2312")) + "\n\n"
    "--_000_SG2PR01MB_--\n",
])

# 11. Gmail (en) reply: attribution wrapped over two lines, ">" quote, and a
#     "-- " signature above it.
write("gmail_en_reply", [
    "From: Peter Parker <peter.parker@gmail.com>\n"
    "To: Omnigate Support <support@omnigate.test>\n"
    "Subject: Re: [Ticket #42] Refund status\n"
    "Date: Thu, 14 Mar 2024 18:20:05 +0000\n"
    "Message-ID: <CAF=xyz123+ABC@mail.gmail.com>\n"
    "In-Reply-To: <og.42.2@omnigate.test>\n"
    "References: <og.42.1@omnigate.test> <og.42.2@omnigate.test>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=\"000000000000abcdef\"\n\n"
    "--000000000000abcdef\n"
    "Content-Type: text/plain; charset=\"UTF-8\"\n"
    "Content-Transfer-Encoding: quoted-printable\n\n" +
    qp(("Thanks, that works for me.\nOne more question: can I keep the box?\n\n-- \nPeter Parker\n"
        "Daily Bugle\n\n"
        "On Thu, Mar 14, 2024 at 10:12 AM Omnigate Support Team of Example Shop <\n"
        "support@omnigate.test> wrote:\n\n"
        "> Hello Peter,\n>\n> your refund was approved.\n>\n> --\n> Support\n").encode()) + "\n"
    "--000000000000abcdef\n"
    "Content-Type: text/html; charset=\"UTF-8\"\n"
    "Content-Transfer-Encoding: quoted-printable\n\n" +
    qp(("<div dir=\"ltr\">Thanks, that works for me.<div>One more question: can I keep the box?</div></div>"
        "<br><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Thu, Mar 14, 2024 at 10:12 AM Omnigate Support "
        "&lt;<a href=\"mailto:support@omnigate.test\">support@omnigate.test</a>&gt; wrote:<br></div>"
        "<blockquote class=\"gmail_quote\">Hello Peter,<br><br>your refund was approved.</blockquote></div>\n").encode()) + "\n"
    "--000000000000abcdef--\n",
])

# 12. Foxmail / QQ zh reply: "在 ... 写道：" attribution, ">" quote.
write("foxmail_zh_reply", [
    "From: " + word_b("赵敏", "UTF-8") + " <zhaomin@example.cn>\n"
    "To: support@omnigate.test\n"
    "Subject: " + word_b("回复：[工单 88] 尺码更换", "UTF-8") + "\n"
    "Date: Fri, 15 Mar 2024 20:00:00 +0800\n"
    "Message-ID: <tencent_88_reply@qq.com>\n"
    "In-Reply-To: <og.88.1@omnigate.test>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n\n",
    ("换成 L 码吧，谢谢。\n\n发自我的iPhone\n\n"
     "在 2024年3月15日，19:30，客服 <support@omnigate.test> 写道：\n\n"
     "> 您好，请问需要换成哪个尺码？\n").replace("\n", "\r\n").encode(),
])

# 13. Auto-reply (out of office), RFC 3834 Auto-Submitted.
write("auto_reply", [
    "Return-Path: <manager@example.com>\n"
    "From: Manager <manager@example.com>\n"
    "To: support@omnigate.test\n"
    "Subject: " + word_b("自动回复: Re: 上门维修", "UTF-8") + "\n"
    "Date: Sat, 16 Mar 2024 08:00:00 +0800\n"
    "Message-ID: <auto-1@example.com>\n"
    "In-Reply-To: <og.42.3@omnigate.test>\n"
    "Auto-Submitted: auto-replied\n"
    "X-Auto-Response-Suppress: All\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n\n",
    "我正在休假，3月20日回来。\nI am out of the office until March 20.\n".replace("\n", "\r\n").encode(),
])

# 14. Bounce: multipart/report from MAILER-DAEMON with a null sender, the
#     delivery status and the returned headers.
write("bounce", [
    "Return-Path: <>\n"
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n"
    "To: support@omnigate.test\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Date: Sun, 17 Mar 2024 03:04:05 +0000 (UTC)\n"
    "Message-ID: <20240317030405.ABCDEF@mx.example.net>\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"ABCDEF.1710644645/mx.example.net\"\n\n"
    "This is a MIME-encapsulated message.\n\n"
    "--ABCDEF.1710644645/mx.example.net\n"
    "Content-Description: Notification\n"
    "Content-Type: text/plain; charset=us-ascii\n\n"
    "This is the mail system at host mx.example.net.\n\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients.\n\n"
    "<nobody@example.net>: host mx.example.net said: 550 5.1.1 User unknown\n\n"
    "--ABCDEF.1710644645/mx.example.net\n"
    "Content-Description: Delivery report\n"
    "Content-Type: message/delivery-status\n\n"
    "Reporting-MTA: dns; mx.example.net\n\n"
    "Final-Recipient: rfc822; nobody@example.net\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n"
    "--ABCDEF.1710644645/mx.example.net\n"
    "Content-Description: Undelivered Message Headers\n"
    "Content-Type: text/rfc822-headers\n\n"
    "From: support@omnigate.test\n"
    "To: nobody@example.net\n"
    "Subject: Re: hello\n"
    "Message-ID: <og.7.1@omnigate.test>\n\n"
    "--ABCDEF.1710644645/mx.example.net--\n",
])

# 15. Truncated: an attachment cut off mid-base64, no closing boundary.
full_attachment = b64_lines(PDF * 8)
write("truncated", [
    "From: Cut Off <cut@example.com>\n"
    "To: support@omnigate.test\n"
    "Subject: Truncated upload\n"
    "Date: Mon, 18 Mar 2024 10:00:00 +0000\n"
    "Message-ID: <truncated-1@example.com>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
    "--b1\n"
    "Content-Type: text/plain; charset=utf-8\n\n"
    "Here is the contract.\n"
    "--b1\n"
    "Content-Type: application/pdf; name=\"contract.pdf\"\n"
    "Content-Disposition: attachment; filename=\"contract.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\n" + full_attachment[:150],
])

# 16. Malformed headers: a line without a colon, an unparseable Date, an
#     address list with junk, an encoded word in an unknown charset, a
#     Cc given twice, no Message-ID, a UTF-8 body with an unknown charset label.
write("malformed_headers", [
    "From: \"Broken Sender <broken@@example.com>, valid.one@example.com\n"
    "To: support@omnigate.test,,, <unterminated@example.com\n"
    "Subject: =?x-unknown-charset?B?SGVsbG8=?= world\n"
    "Cc: first@example.com\n"
    "Cc: second@example.com\n"
    "this line has no colon\n"
    "Date: the day after tomorrow\n"
    "Content-Type: text/plain; charset=\"no-such-charset\"\n"
    "Content-Transfer-Encoding: 8bit\n\n",
    "Body survives — ünïcode.\n".replace("\n", "\r\n").encode(),
])

# 17. 8-bit GBK body and subject with no charset declared anywhere.
write("undeclared_gbk", [
    "From: ", enc("老王", "GBK"), " <laowang@example.cn>\n"
    "To: support@omnigate.test\n"
    "Subject: ", enc("没有声明字符集的邮件", "GBK"), "\n"
    "Date: Tue, 19 Mar 2024 07:00:00 +0800\n"
    "Message-ID: <undeclared-gbk@example.cn>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain\n"
    "Content-Transfer-Encoding: 8bit\n\n",
    enc("这封邮件没有声明字符集。\n请按 GBK 解码。\n", "GBK").replace(b"\n", b"\r\n"),
])

# 18. Outlook (en) reply with "-----Original Message-----".
write("outlook_en_original", [
    "From: \"O'Brien, Kate\" <Kate.OBrien@Contoso.com>\n"
    "To: \"support@omnigate.test\" <support@omnigate.test>\n"
    "Subject: RE: Invoice 2024-031\n"
    "Date: Wed, 20 Mar 2024 15:00:00 +0000\n"
    "Message-ID: <BN6PR11MB0001@namprd11.prod.outlook.com>\n"
    "In-Reply-To: <og.9.1@omnigate.test>\n"
    "References: <og.9.1@omnigate.test>\n"
    "Content-Language: en-US\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "Content-Transfer-Encoding: 7bit\n\n"
    "Hi,\n\nPlease send the invoice to accounts@contoso.com instead.\n\n"
    "Kate\n\n"
    "-----Original Message-----\n"
    "From: Support <support@omnigate.test>\n"
    "Sent: Tuesday, March 19, 2024 9:00 AM\n"
    "To: O'Brien, Kate <Kate.OBrien@Contoso.com>\n"
    "Subject: Invoice 2024-031\n\n"
    "Dear Kate, your invoice is attached.\n",
])
