#include "adapters/email/mime_builder.h"

#include <gmime/gmime.h>

#include <chrono>
#include <memory>

#include "adapters/email/charset.h"
#include "adapters/email/gmime_init.h"
#include "adapters/email/gobject_ptr.h"
#include "adapters/email/text_to_html.h"

namespace omnigate::adapters::email {
namespace {

struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* o) const { g_mime_format_options_free(o); }
};
struct DateTimeUnref {
  void operator()(GDateTime* d) const { g_date_time_unref(d); }
};

// A header field's text: valid UTF-8 on one line.
std::string header_text(const std::string& s) {
  std::string out = make_valid_utf8(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

// "<a> <b>"; GMime folds it on output.
std::string id_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ' ';
    out += "<" + header_text(id) + ">";
  }
  return out;
}

void add_mailboxes(InternetAddressList* list, const std::vector<Mailbox>& boxes) {
  for (const Mailbox& m : boxes) {
    GObjectPtr<InternetAddress> a(
        internet_address_mailbox_new(header_text(m.name).c_str(), header_text(m.address).c_str()));
    // Names in any script are encoded as UTF-8 words, not in a legacy charset
    // GMime might find "best".
    internet_address_set_charset(a.get(), "utf-8");
    internet_address_list_add(list, a.get());  // takes its own reference
  }
}

// A leaf part holding `bytes` as they are, transfer-encoded for 7-bit SMTP
// with whichever of quoted-printable and base64 GMime finds shorter.
GObjectPtr<GMimePart> leaf(const char* type, const char* subtype, const std::string& bytes) {
  GObjectPtr<GMimePart> part(g_mime_part_new_with_type(type, subtype));
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GObjectPtr<GMimeDataWrapper> content(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part.get(), content.get());
  g_mime_part_set_content_encoding(part.get(),
                                   g_mime_part_get_best_content_encoding(part.get(), GMIME_ENCODING_CONSTRAINT_7BIT));
  return part;
}

// Text in MIME's canonical form: every line break CRLF (RFC 2046 4.1.1),
// also inside base64, where no transport would fix it later.
std::string crlf_lines(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

GObjectPtr<GMimePart> text_part(const char* subtype, const std::string& utf8) {
  auto part = leaf("text", subtype, crlf_lines(utf8));
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
  return part;
}

GObjectPtr<GMimePart> attachment_part(const OutgoingAttachment& a) {
  std::string type = "application", subtype = "octet-stream";
  size_t slash = a.content_type.find('/');
  auto token_ok = [](const std::string& t) {
    return !t.empty() && t.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&^_.+-") ==
                             std::string::npos;
  };
  if (slash != std::string::npos && token_ok(a.content_type.substr(0, slash)) &&
      token_ok(a.content_type.substr(slash + 1))) {
    type = a.content_type.substr(0, slash);
    subtype = a.content_type.substr(slash + 1);
  }
  GObjectPtr<GMimePart> part(g_mime_part_new_with_type(type.c_str(), subtype.c_str()));
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(a.bytes.data(), a.bytes.size()));
  GObjectPtr<GMimeDataWrapper> content(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part.get(), content.get());
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  g_mime_object_set_disposition(GMIME_OBJECT(part.get()), GMIME_DISPOSITION_ATTACHMENT);
  // Sets filename (Content-Disposition) and name (Content-Type); GMime
  // encodes non-ASCII names per RFC 2231.
  if (!a.filename.empty()) g_mime_part_set_filename(part.get(), header_text(a.filename).c_str());
  return part;
}

GObjectPtr<GMimeObject> body(const OutgoingMail& mail) {
  GObjectPtr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
  std::string text = make_valid_utf8(mail.text);
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("plain", text).get()));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text_part("html", text_to_html(text)).get()));
  if (mail.attachments.empty()) return GObjectPtr<GMimeObject>(GMIME_OBJECT(alternative.release()));

  GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
  g_mime_multipart_add(mixed.get(), GMIME_OBJECT(alternative.get()));
  for (const OutgoingAttachment& a : mail.attachments)
    g_mime_multipart_add(mixed.get(), GMIME_OBJECT(attachment_part(a).get()));
  return GObjectPtr<GMimeObject>(GMIME_OBJECT(mixed.release()));
}

}  // namespace

std::string build_mime(const OutgoingMail& mail) {
  ensure_gmime_initialized();
  // pretty_headers: From, Reply-To, To, Subject, Date, Message-Id and
  // MIME-Version are laid out in the usual order.
  GObjectPtr<GMimeMessage> message(g_mime_message_new(TRUE));
  GMimeObject* object = GMIME_OBJECT(message.get());

  add_mailboxes(g_mime_message_get_from(message.get()), {mail.from});
  if (!mail.reply_to.empty()) add_mailboxes(g_mime_message_get_reply_to(message.get()), mail.reply_to);
  add_mailboxes(g_mime_message_get_addresses(message.get(), GMIME_ADDRESS_TYPE_TO), mail.to);
  g_mime_message_set_subject(message.get(), header_text(mail.subject).c_str(), "utf-8");

  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(mail.date.time_since_epoch()).count();
  std::unique_ptr<GDateTime, DateTimeUnref> date(g_date_time_new_from_unix_utc(seconds));
  g_mime_message_set_date(message.get(), date.get());

  g_mime_message_set_message_id(message.get(), header_text(mail.message_id).c_str());
  if (!mail.in_reply_to.empty())
    g_mime_object_set_header(object, "In-Reply-To", id_list({mail.in_reply_to}).c_str(), nullptr);
  if (!mail.references.empty())
    g_mime_object_set_header(object, "References", id_list(mail.references).c_str(), nullptr);

  GObjectPtr<GMimeObject> root = body(mail);
  g_mime_message_set_mime_part(message.get(), root.get());

  std::unique_ptr<GMimeFormatOptions, FormatOptionsFree> format(g_mime_format_options_new());
  g_mime_format_options_set_newline_format(format.get(), GMIME_NEWLINE_FORMAT_DOS);
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(object, format.get(), out.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace omnigate::adapters::email
