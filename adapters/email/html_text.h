#pragma once
// HTML mail -> readable plain text, with libxml2's forgiving HTML parser
// (never fetches anything, never complains about tag soup). What a reader
// needs survives: block elements and <br> become line breaks, list items get
// a "- ", links keep their target as "text [url]", <blockquote> becomes "> "
// quoted lines (so the quote stripper recognises a quoted reply), script,
// style and head are dropped, and entities are decoded by the parser.
#include <string>
#include <string_view>

namespace omnigate::adapters::email {

// `html` must already be UTF-8 (the MIME layer converts it); any <meta
// charset> inside is ignored.
std::string html_to_text(std::string_view html);

// The charset a <meta charset> / <meta http-equiv> inside `html` names, or ""
// when none: the last hint for an HTML part whose MIME header names none.
std::string html_meta_charset(std::string_view html);

}  // namespace omnigate::adapters::email
