// og_mail_servers: the IMAP and SMTP test servers (tests/support/imap_server.h,
// smtp_server.h) for tests that are not C++ — the browser tests in
// tests/e2e drive it over stdin/stdout, one line per request:
//   started   -> {"imap_url","imap_username","imap_password","smtp_url"}
//   "deliver <base64 of a raw mail>"  -> "ok"          (into the IMAP inbox, unseen)
//   "received"                        -> [{"mail_from","recipients","data"}...]  (what SMTP accepted)
// End of stdin stops both servers and exits.
#include <iostream>
#include <string>

#include <json/value.h>

#include "adapters/common/crypto.h"
#include "schema/json.h"
#include "tests/support/imap_server.h"
#include "tests/support/smtp_server.h"

int main() {
  using omnigate::schema::write_json;
  try {
    omnigate::testing::ImapServer imap;
    omnigate::testing::SmtpServer smtp;
    Json::Value hello(Json::objectValue);
    hello["imap_url"] = imap.url();
    hello["imap_username"] = imap.username();
    hello["imap_password"] = imap.password();
    hello["smtp_url"] = smtp.url();
    std::cout << write_json(hello) << std::endl;

    for (std::string line; std::getline(std::cin, line);) {
      if (line.starts_with("deliver ")) {
        auto raw = omnigate::crypto::base64_decode(line.substr(8));
        if (!raw) {
          std::cout << R"({"error":"deliver: not base64"})" << std::endl;
          continue;
        }
        imap.deliver(*raw);
        std::cout << "ok" << std::endl;
      } else if (line == "received") {
        Json::Value all(Json::arrayValue);
        for (const auto& m : smtp.received()) {
          Json::Value j(Json::objectValue);
          j["mail_from"] = m.mail_from;
          j["recipients"] = Json::Value(Json::arrayValue);
          for (const auto& r : m.recipients) j["recipients"].append(r);
          j["data"] = m.data;
          all.append(j);
        }
        std::cout << write_json(all) << std::endl;
      } else {
        std::cout << R"({"error":"unknown request"})" << std::endl;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "og_mail_servers: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
