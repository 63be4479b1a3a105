#include "adapters/common/body_signature.h"

#include "adapters/common/crypto.h"

namespace omnigate::adapters {

std::string sign_body(std::string_view secret, std::string_view body) {
  return "sha256=" + crypto::to_hex(crypto::hmac_sha256(secret, body));
}

void verify_body_signature(const InboundRequest& request, std::string_view secret) {
  std::string header = request.header(kSignatureHeader);
  if (header.empty()) throw AdapterError::bad_signature(std::string("missing ") + kSignatureHeader + " header");
  if (secret.empty()) throw AdapterError::bad_signature("channel has no signing secret");
  if (!crypto::constant_time_equal(header, sign_body(secret, request.body)))
    throw AdapterError::bad_signature("signature does not match the body");
}

}  // namespace omnigate::adapters
