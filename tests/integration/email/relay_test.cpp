// The relay path (POST /v1/hooks/{token} with the raw mail, signed like the
// webhook channel) and attachment downloads (GET /v1/files/{sha256}).
#include "tests/integration/email/email_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/common/crypto.h"

using namespace omnigate;
using namespace omnigate::testing;

namespace {

// A 1x1 PNG.
const std::string kPng = *crypto::base64_decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

std::string mail_with_attachments(const std::string& message_id) {
  return "From: Li Lei <li.lei@mail.example>\r\n"
         "To: support@shop.example\r\n"
         "Subject: =?GB2312?B?t6LGsQ==?=\r\n"  // 发票 in GB2312
         "Message-ID: <" + message_id + ">\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"part\"\r\n\r\n"
         "--part\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n发票在附件里。\r\n"
         "--part\r\nContent-Type: image/png\r\n"
         "Content-Disposition: attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.png\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         crypto::base64_encode(kPng) +
         "\r\n--part\r\nContent-Type: application/octet-stream\r\n"
         "Content-Disposition: attachment; filename=\"big.bin\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         crypto::base64_encode(std::string(4096, 'x')) + "\r\n--part--\r\n";
}

// One header of a GET as it travels: cpp-httplib's client percent-decodes
// header values, which would hide whether filename* was encoded at all.
std::string raw_header(int port, const std::string& target, const std::string& auth, const std::string& name) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (fd >= 0) close(fd);
    return "";
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + auth +
                        "\r\nConnection: close\r\n\r\n";
  (void)!send(fd, request.data(), request.size(), 0);
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<size_t>(n));
  close(fd);
  std::string head = response.substr(0, response.find("\r\n\r\n"));
  size_t at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return head.substr(at, head.find("\r\n", at) - at);
}

TEST(EmailRelay, ASignedMailIsStoredOnceAndABadSignatureIsRefused) {
  EmailFixture f;
  Mail m;
  m.message_id = "relayed@mail.example";
  auto r = f.relay(m.raw());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  Json::Value stored = parse(r->body);
  ASSERT_EQ(stored["messages"].size(), 1u);
  EXPECT_EQ(stored["messages"][0]["external_id"].asString(), "relayed@mail.example");
  EXPECT_FALSE(stored["messages"][0]["duplicate"].asBool());

  // A relay's retry is the same message.
  r = f.relay(m.raw());
  ASSERT_TRUE(r && r->status == 200);
  EXPECT_TRUE(parse(r->body)["messages"][0]["duplicate"].asBool());

  Mail forged;
  forged.message_id = "forged@mail.example";
  r = f.relay(forged.raw(), "not-the-signing-secret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(parse(r->body)["error"]["code"].asString(), "bad_signature");
  r = f.gateway->client().Post("/v1/hooks/" + f.channel["token"].asString(), forged.raw(), "message/rfc822");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);

  auto messages = f.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].external_id, "relayed@mail.example");
}

TEST(EmailRelay, AnAutoReplyIsAcknowledgedButStartsNothing) {
  EmailFixture f;
  Mail away;
  away.message_id = "away@mail.example";
  away.subject = "Out of office";
  away.extra_headers = "Auto-Submitted: auto-replied\r\n";
  auto r = f.relay(away.raw());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  Json::Value answer = parse(r->body);
  EXPECT_EQ(answer["messages"].size(), 0u);
  ASSERT_EQ(answer["ignored"].size(), 1u);
  EXPECT_EQ(answer["ignored"][0]["reason"].asString(), "auto_reply");
  EXPECT_TRUE(f.conversations().empty());
}

TEST(EmailFiles, AnAttachmentIsDownloadableByAnAgentAndNobodyElse) {
  Json::Value config;
  config["max_attachment_bytes"] = 1024;  // big.bin (4 KiB) keeps only its name
  EmailFixture f(config);
  auto r = f.relay(mail_with_attachments("files@mail.example"));
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");

  auto messages = f.messages();
  ASSERT_EQ(messages.size(), 1u);
  const Json::Value& parts = messages[0].parts;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(messages[0].metadata["email"]["subject"].asString(), "发票");
  EXPECT_EQ(parts[1]["type"].asString(), "image");
  EXPECT_EQ(parts[1]["name"].asString(), "发票.png");
  const std::string sha = parts[1]["extra"]["sha256"].asString();
  EXPECT_EQ(sha, crypto::to_hex(crypto::sha256(kPng)));
  EXPECT_TRUE(parts[2]["extra"]["bytes_dropped"].asBool());
  EXPECT_FALSE(parts[2]["extra"].isMember("sha256"));
  EXPECT_FALSE(messages[0].metadata["email"]["problems"].empty());

  auto c = f.gateway->client();
  const std::string agent = "Bearer " + f.gateway->agent_token();
  const std::string file_url = "/v1/files/" + sha + "?conversation=" + std::to_string(messages[0].conversation_id);
  auto file = c.Get(file_url, {{"Authorization", agent}});
  ASSERT_TRUE(file);
  ASSERT_EQ(file->status, 200) << file->body;
  EXPECT_EQ(file->body, kPng);
  EXPECT_EQ(file->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(raw_header(f.gateway->port(), file_url, agent, "Content-Disposition"),
            "attachment; filename=\"______.png\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8.png");
  EXPECT_EQ(file->get_header_value("X-Content-Type-Options"), "nosniff");

  EXPECT_EQ(raw_header(f.gateway->port(), file_url + "&disposition=inline&name=invoice%201.png", agent,
                       "Content-Disposition"),
            "inline; filename=\"invoice 1.png\"; filename*=UTF-8''invoice%201.png");

  auto anonymous = c.Get(file_url);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto wrong = c.Get(file_url, {{"Authorization", "Bearer not-a-token"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto missing = c.Get("/v1/files/" + std::string(64, 'a') + "?conversation=" +
                           std::to_string(messages[0].conversation_id),
                       {{"Authorization", agent}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  // An agent names the conversation; the hash alone opens nothing.
  auto unscoped = c.Get("/v1/files/" + sha, {{"Authorization", agent}});
  ASSERT_TRUE(unscoped);
  EXPECT_EQ(unscoped->status, 400);
  // Another conversation (one that does not name the file) does not open it.
  auto other = c.Get("/v1/files/" + sha + "?conversation=999999", {{"Authorization", agent}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  // Admins may fetch by hash alone.
  auto admin = c.Get("/v1/files/" + sha, {{"Authorization", "Bearer " + f.gateway->admin_token()}});
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200);

  // The same file mailed again is kept once.
  ASSERT_TRUE(f.relay(mail_with_attachments("files-again@mail.example")));
  db::PgConnection db(f.gateway->db());
  EXPECT_EQ(db.exec("SELECT count(*) FROM blobs").int64(0, 0), 1);
}

}  // namespace
