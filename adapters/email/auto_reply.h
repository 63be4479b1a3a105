#pragma once
// Recognises mail no person wrote: auto-replies (out of office, read
// receipts, autoresponders, bulk mail) and bounces. Neither ever opens a
// conversation or gets an answer (DESIGN.md, email threading rule 5): that is
// what keeps two robots from mailing each other forever.
//
// The rule, strongest signals first:
//  Auto-reply, each signal enough on its own:
//   - Auto-Submitted present and not "no" (RFC 3834);
//   - X-Autoreply or X-Autorespond present and not "no"/"false"
//     (Exchange, vacation(1), QQ/163 mail);
//   - Precedence: bulk, junk or auto_reply (not "list": a person may write
//     through a mailing list);
//   - multipart/report; report-type=disposition-notification (a read receipt);
//   - a null sender, Return-Path: <> (RFC 3834 asks responders to use it).
//  Bounce, each signal enough on its own:
//   - multipart/report; report-type=delivery-status (RFC 3464), or a
//     message/delivery-status part anywhere in the mail;
//   - From's local part is mailer-daemon or postmaster;
//   - X-Failed-Recipients present (Exim).
//  Subject heuristics, only as a last resort and never alone: a subject
//  like "Auto Reply", "Automatic reply", "自动回复", "Out of Office", "外出"
//  marks an auto-reply, and "Undeliverable", "Delivery Status Notification",
//  "Mail delivery failed", "Returned mail", "退信" a bounce, only when at
//  least one header signal above or a weak one (X-Auto-Response-Suppress,
//  List-Id) is present or the sender is null. A bounce subject on an
//  auto-generated mail makes it a bounce.
// The two flags are independent: a bounce that also carries Auto-Submitted
// (as Postfix's do) is both.
#include <string>

#include "adapters/email/parsed_email.h"

namespace omnigate::adapters::email {

struct AutoReplyVerdict {
  bool auto_reply = false;
  bool bounce = false;
  std::string reason;  // the signal that decided, for logs and metadata
};

AutoReplyVerdict classify_auto_reply(const ParsedEmail& mail);

}  // namespace omnigate::adapters::email
