// libFuzzer target for the email ingest path: raw bytes -> parse_email ->
// normalize -> the model's JSON, the same code the IMAP poller and the mail
// relay hook run on mail from anyone on the internet. Besides "no crash, no
// sanitizer report", it checks what the rest of omnigate relies on: every
// string that leaves the parser is valid UTF-8 and the Message survives its
// JSON round trip.
//
// Real fuzzing needs Clang (GCC has no libFuzzer); tests/fuzz/CMakeLists.txt
// builds `email_fuzz` only with -DOMNIGATE_FUZZ=ON and Clang:
//   apt-get install -y clang-14 libclang-rt-14-dev
//   CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DOMNIGATE_FUZZ=ON
//       -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOMNIGATE_SANITIZE=ON   (one line)
//   ninja -C build/fuzz email_fuzz
//   mkdir -p build/fuzz/email-corpus
//   build/fuzz/tests/fuzz/email_fuzz build/fuzz/email-corpus tests/data/email
//       -dict=tests/fuzz/email.dict -max_len=65536 -max_total_time=600   (one line)
// (new inputs go to the first directory; the checked-in seeds stay as they
// are), or `ctest -R email_fuzz_bounded` for a 60 s run. A crash leaves crash-<sha1> in the working directory; rerun it with
// `email_fuzz crash-<sha1>`, and add a minimised copy to tests/data/email as
// a regression fixture. With GCC, `email_fuzz_seeds` (seed_driver.cpp) runs
// this same entry point over the seed corpus and deterministic mutations of
// it, as a CTest test under the ASan/UBSan build.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/email/charset.h"
#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"
#include "schema/json.h"

namespace {

using omnigate::adapters::email::is_valid_utf8;

void require(bool ok) {
  if (!ok) std::abort();  // a finding: libFuzzer saves the input
}

void require_utf8(const Json::Value& v) {
  if (v.isString()) {
    require(is_valid_utf8(v.asString()));
  } else if (v.isArray() || v.isObject()) {
    for (const Json::Value& child : v) require_utf8(child);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace email = omnigate::adapters::email;
  namespace schema = omnigate::schema;
  std::string_view raw(reinterpret_cast<const char*>(data), size);

  // Small limits so the size-limit paths run too.
  email::ParseLimits limits;
  limits.max_attachment_bytes = 4096;
  limits.max_total_attachment_bytes = 8192;
  limits.max_text_bytes = 16384;
  email::ParsedEmail mail = email::parse_email(raw, limits);
  require(is_valid_utf8(mail.text) && is_valid_utf8(mail.text_without_quote) && is_valid_utf8(mail.html) &&
          is_valid_utf8(mail.subject));
  require(mail.text.size() <= limits.max_text_bytes && mail.html.size() <= limits.max_text_bytes);
  for (const auto& a : mail.attachments) require(a.bytes_dropped || a.bytes.size() == a.size);

  schema::Message m = email::normalize(mail, 1);
  Json::Value j = schema::to_json(m);
  require_utf8(j);
  require(schema::message_from_json(schema::parse_json(schema::write_json(j))) == m);
  return 0;
}
