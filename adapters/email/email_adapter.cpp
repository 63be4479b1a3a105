#include "adapters/email/email_adapter.h"

#include <algorithm>

#include "adapters/common/body_signature.h"
#include "adapters/common/crypto.h"
#include "adapters/email/connection_test.h"
#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"
#include "adapters/email/outbound.h"
#include "adapters/email/settings.h"

namespace omnigate::adapters::email {

Ingest read_mail(const schema::Channel& channel, std::string_view raw) {
  ParseLimits limits;
  limits.max_attachment_bytes = read_email_settings(channel).max_attachment_bytes;
  ParsedEmail mail = parse_email(raw, limits);
  Ingest out;
  out.answer_with_stored_messages = true;
  out.messages.push_back(normalize(mail, channel.id));
  for (Attachment& a : mail.attachments) {
    if (a.bytes_dropped) continue;
    Blob b;
    b.sha256 = crypto::to_hex(crypto::sha256(a.bytes));  // the same hash normalize() put in the part
    if (std::any_of(out.blobs.begin(), out.blobs.end(), [&](const Blob& o) { return o.sha256 == b.sha256; }))
      continue;
    b.content_type = a.content_type;
    b.filename = a.filename;
    b.bytes = std::move(a.bytes);
    out.blobs.push_back(std::move(b));
  }
  return out;
}

void EmailAdapter::configure(schema::Channel& channel) const { configure_email_channel(channel); }

Ingest EmailAdapter::ingest(const schema::Channel& channel, const InboundRequest& request) const {
  if (request.method != "POST") throw AdapterError::method_not_allowed("email relays POST the raw mail");
  verify_body_signature(request, channel.secrets.get("signing_secret", "").asString());
  if (request.body.empty()) throw AdapterError::bad_request("body: expected the raw RFC 822 mail");
  return read_mail(channel, request.body);
}

Delivery EmailAdapter::deliver(const schema::Channel& channel, const Outbound& outbound) const {
  return deliver_email(channel, outbound);
}

std::vector<ConnectionCheck> EmailAdapter::test_connection(const schema::Channel& channel) const {
  return test_email_connection(channel);
}

}  // namespace omnigate::adapters::email
