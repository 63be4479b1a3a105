#include "adapters/common/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace omnigate::crypto {
namespace {

// --- digests and MACs --------------------------------------------------------

TEST(Crypto, HmacSha256Rfc4231Case1) {
  std::string key(20, '\x0b');
  std::string mac = hmac_sha256(key, "Hi There");
  EXPECT_EQ(mac.size(), 32u);
  EXPECT_EQ(to_hex(mac), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HmacSha256Rfc4231Case6KeyLongerThanBlock) {
  // 131-byte key: longer than SHA-256's 64-byte block, so it is hashed first.
  std::string key(131, '\xaa');
  EXPECT_EQ(to_hex(hmac_sha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Crypto, HmacDependsOnKeyAndData) {
  EXPECT_NE(hmac_sha256("k1", "data"), hmac_sha256("k2", "data"));
  EXPECT_NE(hmac_sha256("k", "data1"), hmac_sha256("k", "data2"));
  EXPECT_EQ(hmac_sha256("k", "data"), hmac_sha256("k", "data"));
}

TEST(Crypto, Sha256OfAbc) {
  std::string d = sha256("abc");
  EXPECT_EQ(d.size(), 32u);
  EXPECT_EQ(to_hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Sha256OfEmpty) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, Sha1OfAbc) {
  std::string d = sha1("abc");
  EXPECT_EQ(d.size(), 20u);
  EXPECT_EQ(to_hex(d), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Crypto, DigestsHandleEmbeddedNulBytes) {
  std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256(with_nul), sha256("a"));
  EXPECT_NE(sha1(with_nul), sha1("a"));
}

// --- hex -----------------------------------------------------------------------

TEST(Crypto, ToHexKnownValues) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex(std::string("\x00", 1)), "00");
  EXPECT_EQ(to_hex("\x01\xab\xff"), "01abff");
  EXPECT_EQ(to_hex("abc"), "616263");
}

TEST(Crypto, HexRoundTrip) {
  for (const std::string& raw : {std::string(), std::string("\x00", 1), std::string("\xff"), std::string("ab"),
                                 std::string("xyz"), std::string("\x00\x7f\x80\xff", 4)}) {
    auto back = from_hex(to_hex(raw));
    ASSERT_TRUE(back.has_value()) << to_hex(raw);
    EXPECT_EQ(*back, raw);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(from_hex(to_hex(all)), all);
}

TEST(Crypto, FromHexAcceptsUpperCase) {
  EXPECT_EQ(from_hex("ABCDEF"), std::string("\xab\xcd\xef"));
  EXPECT_EQ(from_hex("aBcD"), std::string("\xab\xcd"));
}

TEST(Crypto, FromHexRejectsBadInput) {
  EXPECT_EQ(from_hex("abc"), std::nullopt);   // odd length
  EXPECT_EQ(from_hex("0g"), std::nullopt);    // not a hex digit
  EXPECT_EQ(from_hex("g0"), std::nullopt);
  EXPECT_EQ(from_hex("12 4"), std::nullopt);  // space
  EXPECT_EQ(from_hex("0x12"), std::nullopt);  // prefix
  EXPECT_EQ(from_hex("zz"), std::nullopt);
}

// --- base64 --------------------------------------------------------------------

TEST(Crypto, Base64Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Crypto, Base64DecodeRfc4648Vectors) {
  EXPECT_EQ(base64_decode(""), std::string());
  EXPECT_EQ(base64_decode("Zg=="), std::string("f"));
  EXPECT_EQ(base64_decode("Zm8="), std::string("fo"));
  EXPECT_EQ(base64_decode("Zm9v"), std::string("foo"));
  EXPECT_EQ(base64_decode("Zm9vYg=="), std::string("foob"));
  EXPECT_EQ(base64_decode("Zm9vYmE="), std::string("fooba"));
  EXPECT_EQ(base64_decode("Zm9vYmFy"), std::string("foobar"));
}

TEST(Crypto, Base64RoundTripAllSmallLengthsAndBinary) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(255 - i);
  for (size_t len = 0; len <= 7; ++len) {
    std::string raw = all.substr(0, len);
    std::string enc = base64_encode(raw);
    EXPECT_EQ(enc.size(), 4 * ((len + 2) / 3)) << len;
    auto back = base64_decode(enc);
    ASSERT_TRUE(back.has_value()) << enc;
    EXPECT_EQ(*back, raw) << "length " << len;
  }
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  // Trailing NUL bytes must survive the padding arithmetic.
  std::string zeros("\x00\x00", 2);
  EXPECT_EQ(base64_decode(base64_encode(zeros)), zeros);
  std::string one_zero("\x00", 1);
  EXPECT_EQ(base64_decode(base64_encode(one_zero)), one_zero);
}

TEST(Crypto, Base64DecodeRejectsBadInput) {
  EXPECT_EQ(base64_decode("Zg="), std::nullopt);      // length not a multiple of 4
  EXPECT_EQ(base64_decode("Zm9vY"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9$"), std::nullopt);     // not in the alphabet
  EXPECT_EQ(base64_decode("Zm9-"), std::nullopt);     // base64url alphabet is not base64
  EXPECT_EQ(base64_decode("Zm9_"), std::nullopt);
  EXPECT_EQ(base64_decode("===="), std::nullopt);     // padding only
  EXPECT_EQ(base64_decode("A==="), std::nullopt);     // three padding characters
  EXPECT_EQ(base64_decode("=AAA"), std::nullopt);     // padding first
  EXPECT_EQ(base64_decode("AB=C"), std::nullopt);     // padding in the middle
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt); // padding then more data
  EXPECT_EQ(base64_decode("Zg==    "), std::nullopt); // trailing whitespace
  EXPECT_EQ(base64_decode(" Zm9v   "), std::nullopt);
}

TEST(Crypto, Base64UrlHasNoPlusSlashOrPadding) {
  // 0xfb 0xff encodes to "+/8=" in standard base64.
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 1) {
    std::string enc = base64url_encode(all.substr(all.size() - len));
    ASSERT_EQ(enc.find_first_of("+/="), std::string::npos) << enc;
  }
}

// --- randomness ----------------------------------------------------------------

TEST(Crypto, RandomBytesLength) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(1).size(), 1u);
  EXPECT_EQ(random_bytes(64).size(), 64u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(Crypto, RandomTokenLengthsAndAlphabet) {
  EXPECT_EQ(random_token().size(), 32u);  // 24 bytes -> 32 characters
  EXPECT_EQ(random_token(32).size(), 43u);
  EXPECT_EQ(random_token(16).size(), 22u);
  EXPECT_EQ(random_token(1).size(), 2u);
  EXPECT_EQ(random_token(0).size(), 0u);
  std::string t = random_token(48);
  EXPECT_EQ(t.size(), 64u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos)
      << t;
}

TEST(Crypto, RandomTokensAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random_token(16));
  EXPECT_EQ(seen.size(), 1000u);
}

// --- comparison ----------------------------------------------------------------

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "xbc"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace omnigate::crypto
