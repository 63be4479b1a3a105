#include "adapters/email/thread_ids.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "adapters/adapter.h"

namespace omnigate::adapters::email {
namespace {

schema::Channel channel(const std::string& secret = "s3cret-signing-key") {
  schema::Channel c;
  c.id = 4;
  c.type = schema::ChannelType::email;
  c.config["address"] = "Support@Example.com";
  c.secrets["signing_secret"] = secret;
  return c;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

TEST(ConversationToken, RoundTripsAndIsStable) {
  std::string token = conversation_token(channel(), 1234);
  EXPECT_EQ(token, conversation_token(channel(), 1234));
  EXPECT_TRUE(token.starts_with("1234-"));
  EXPECT_EQ(token.size(), std::string("1234-").size() + 20);  // 80-bit mac in hex
  EXPECT_EQ(conversation_from_token(channel(), token), 1234);
  // Mail systems may change the case of a local part.
  EXPECT_EQ(conversation_from_token(channel(), upper(token)), 1234);
}

TEST(ConversationToken, ForgedOrForeignTokensAreRefused) {
  std::string token = conversation_token(channel(), 1234);
  EXPECT_FALSE(conversation_from_token(channel(), "1235" + token.substr(4)));  // another conversation, same mac
  std::string flipped = token;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(conversation_from_token(channel(), flipped));
  EXPECT_FALSE(conversation_from_token(channel("another secret"), token));
  for (const std::string& bad : std::vector<std::string>{"", "1234", "1234-", "-abc", "x-" + token.substr(5), "0-" + token.substr(5),
                          "-1234-" + token.substr(5), token + "0"})
    EXPECT_FALSE(conversation_from_token(channel(), bad)) << bad;
}

TEST(ConversationToken, PlusAddressCarriesTheToken) {
  std::string address = plus_address(channel(), 77);
  EXPECT_EQ(address, "Support+" + conversation_token(channel(), 77) + "@Example.com");
  EXPECT_EQ(conversation_from_address(channel(), address), 77);
  EXPECT_EQ(conversation_from_address(channel(), upper(address)), 77);
  EXPECT_FALSE(conversation_from_address(channel(), "support@example.com"));
  EXPECT_FALSE(conversation_from_address(channel(), "other+" + conversation_token(channel(), 77) + "@example.com"));
  EXPECT_FALSE(conversation_from_address(channel(), "support+" + conversation_token(channel(), 77) + "@evil.test"));
  EXPECT_FALSE(conversation_from_address(channel(), "no-at-sign"));
}

TEST(OurMessageId, IsStablePerMessageAndVerifiable) {
  std::string id = our_message_id(channel(), 42);
  EXPECT_EQ(id, our_message_id(channel(), 42));  // a retry repeats it
  EXPECT_NE(id, our_message_id(channel(), 43));
  EXPECT_TRUE(id.starts_with("og.42."));
  EXPECT_TRUE(id.ends_with("@Example.com"));
  EXPECT_EQ(message_from_our_message_id(channel(), id), 42);
  EXPECT_EQ(message_from_our_message_id(channel(), "<" + id + ">"), 42);
  EXPECT_FALSE(message_from_our_message_id(channel("another secret"), id));
  EXPECT_FALSE(message_from_our_message_id(channel(), "og.43." + id.substr(6)));
  EXPECT_FALSE(message_from_our_message_id(channel(), "CAF123@mail.gmail.com"));
  EXPECT_FALSE(message_from_our_message_id(channel(), "og.42@example.com"));
}

TEST(OurMessageId, AConversationMacIsNoMessageMac) {
  // Same number, other purpose: one kind of id never passes for the other.
  std::string token = conversation_token(channel(), 42);
  std::string mac = token.substr(token.find('-') + 1);
  EXPECT_FALSE(message_from_our_message_id(channel(), "og.42." + mac + "@example.com"));
}

TEST(ThreadIds, AChannelWithoutSecretOrAddressIsAConfigurationError) {
  schema::Channel no_secret = channel();
  no_secret.secrets = Json::Value(Json::objectValue);
  try {
    conversation_token(no_secret, 1);
    FAIL() << "expected AdapterError";
  } catch (const AdapterError& e) {
    EXPECT_EQ(e.code(), "invalid_config");
    EXPECT_NE(std::string(e.what()).find("signing_secret"), std::string::npos);
  }
  schema::Channel no_address = channel();
  no_address.config["address"] = "support";
  EXPECT_THROW(our_message_id(no_address, 1), AdapterError);
  EXPECT_THROW(plus_address(no_address, 1), AdapterError);
}

}  // namespace
}  // namespace omnigate::adapters::email
