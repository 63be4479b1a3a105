#pragma once
// Subjects as mail clients rewrite them. A reply adds "Re:" (or "回复:",
// "答复:", "AW:", "SV:", "Re[2]:", full-width colons...), a forward "Fwd:"
// ("转发:", "FW:"), and lists add "[tags]"; left alone, replies stack them
// ("Re: 回复: Re: ..."). Two uses:
//  - our reply's subject is "Re: " + the customer's subject without the
//    reply prefixes it already has (forward prefixes stay: "Re: Fwd: ..." is
//    what clients write for a reply to a forward);
//  - threading (DESIGN.md rule 3) compares topics: the subject without reply
//    and forward prefixes and leading [tags], whitespace collapsed, ASCII
//    letters lowercased.
#include <string>
#include <string_view>

namespace omnigate::adapters::email {

// "Re: 回复: RE[3]: 订单" -> "订单"; "Fwd: x" stays "Fwd: x".
std::string strip_reply_prefixes(std::string_view subject);

// "Re: [Ticket 42] FW:  Order   Late" -> "order late".
std::string subject_topic(std::string_view subject);

// The subject of our reply to a mail titled `subject`: "Re: " + the subject
// without its reply prefixes (never stacked); "Re:" for an empty subject, as
// mail clients do.
std::string reply_subject(std::string_view subject);

}  // namespace omnigate::adapters::email
