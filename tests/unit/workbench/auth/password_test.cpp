#include "workbench/auth/password.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/common/crypto.h"

namespace omnigate::workbench {
namespace {

// N = 1024 keeps each hash around a millisecond.
constexpr ScryptParams kFast{10, 8, 1};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

TEST(Password, HashThenVerify) {
  std::string stored = hash_password("correct horse battery staple", kFast);
  EXPECT_TRUE(verify_password("correct horse battery staple", stored));
}

TEST(Password, StoredFormCarriesParameters) {
  std::string stored = hash_password("pw", ScryptParams{11, 4, 2});
  auto f = split(stored, '$');
  ASSERT_EQ(f.size(), 6u) << stored;
  EXPECT_EQ(f[0], "scrypt");
  EXPECT_EQ(f[1], "11");
  EXPECT_EQ(f[2], "4");
  EXPECT_EQ(f[3], "2");
  auto salt = crypto::base64_decode(f[4]);
  auto hash = crypto::base64_decode(f[5]);
  ASSERT_TRUE(salt.has_value());
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(salt->size(), 16u);
  EXPECT_EQ(hash->size(), 32u);
  EXPECT_TRUE(verify_password("pw", stored));
}

TEST(Password, WrongPasswordFails) {
  std::string stored = hash_password("s3cret!", kFast);
  EXPECT_FALSE(verify_password("s3cret", stored));
  EXPECT_FALSE(verify_password("S3cret!", stored));
  EXPECT_FALSE(verify_password("s3cret!!", stored));
  EXPECT_FALSE(verify_password("", stored));
  EXPECT_TRUE(verify_password("s3cret!", stored));
}

TEST(Password, EmptyAndBinaryPasswords) {
  std::string empty = hash_password("", kFast);
  EXPECT_TRUE(verify_password("", empty));
  EXPECT_FALSE(verify_password(" ", empty));

  std::string binary("a\0b", 3);
  std::string stored = hash_password(binary, kFast);
  EXPECT_TRUE(verify_password(binary, stored));
  EXPECT_FALSE(verify_password("a", stored));  // must not stop at the NUL

  std::string unicode = hash_password("пароль密码", kFast);
  EXPECT_TRUE(verify_password("пароль密码", unicode));
  EXPECT_FALSE(verify_password("пароль", unicode));
}

TEST(Password, SaltMakesHashesDiffer) {
  std::string a = hash_password("same", kFast);
  std::string b = hash_password("same", kFast);
  EXPECT_NE(a, b);
  EXPECT_NE(split(a, '$')[4], split(b, '$')[4]);  // different salts
  EXPECT_NE(split(a, '$')[5], split(b, '$')[5]);  // hence different hashes
  EXPECT_TRUE(verify_password("same", a));
  EXPECT_TRUE(verify_password("same", b));
}

TEST(Password, DefaultParameters) {
  ScryptParams defaults;
  EXPECT_EQ(defaults.log2_n, 15);
  EXPECT_EQ(defaults.r, 8);
  EXPECT_EQ(defaults.p, 1);
  std::string stored = hash_password("default-params");
  EXPECT_EQ(stored.rfind("scrypt$15$8$1$", 0), 0u) << stored;
  EXPECT_TRUE(verify_password("default-params", stored));
  EXPECT_FALSE(verify_password("default-param", stored));
}

TEST(Password, TamperedHashOrSaltFails) {
  std::string stored = hash_password("pw", kFast);
  auto f = split(stored, '$');
  ASSERT_EQ(f.size(), 6u);
  auto rejoin = [&](const std::vector<std::string>& parts) {
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i) s += (i ? "$" : "") + parts[i];
    return s;
  };
  ASSERT_EQ(rejoin(f), stored);

  auto other_salt = f;
  other_salt[4] = crypto::base64_encode(std::string(16, 'x'));
  EXPECT_FALSE(verify_password("pw", rejoin(other_salt)));

  auto other_hash = f;
  other_hash[5] = crypto::base64_encode(std::string(32, 'x'));
  EXPECT_FALSE(verify_password("pw", rejoin(other_hash)));

  auto other_n = f;
  other_n[1] = "11";  // same salt and hash, different cost: a different key
  EXPECT_FALSE(verify_password("pw", rejoin(other_n)));

  auto short_hash = f;
  short_hash[5] = crypto::base64_encode(std::string(31, 'x'));
  EXPECT_FALSE(verify_password("pw", rejoin(short_hash)));
}

TEST(Password, MalformedStoredStringsAreFalseNotExceptions) {
  std::string good = hash_password("pw", kFast);
  auto f = split(good, '$');
  const std::string salt = f[4], hash = f[5];
  const std::vector<std::string> bad = {
      "",
      "scrypt$",
      "scrypt",
      "$$$$$",
      "plain-text-password",
      "bcrypt$10$8$1$" + salt + "$" + hash,                // wrong scheme
      "scrypt$10$8$" + salt + "$" + hash,                  // 5 fields
      "scrypt$10$8$1$1$" + salt + "$" + hash,              // 7 fields
      "scrypt$10$8$1$" + salt + "$" + hash + "$",          // trailing separator
      "scrypt$ten$8$1$" + salt + "$" + hash,               // non-numeric
      "scrypt$10$eight$1$" + salt + "$" + hash,
      "scrypt$10$8$x$" + salt + "$" + hash,
      "scrypt$10 $8$1$" + salt + "$" + hash,               // trailing junk in a number
      "scrypt$$8$1$" + salt + "$" + hash,                  // empty number
      "scrypt$99999999999$8$1$" + salt + "$" + hash,       // int overflow
      "scrypt$40$8$1$" + salt + "$" + hash,                // absurd N: 2^40
      "scrypt$0$8$1$" + salt + "$" + hash,
      "scrypt$-1$8$1$" + salt + "$" + hash,
      "scrypt$10$0$1$" + salt + "$" + hash,
      "scrypt$10$1000$1$" + salt + "$" + hash,             // absurd r
      "scrypt$10$8$0$" + salt + "$" + hash,
      "scrypt$10$8$1000000$" + salt + "$" + hash,          // absurd p
      "scrypt$10$8$1$!!!!$" + hash,                        // bad base64 salt
      "scrypt$10$8$1$" + salt + "$not base64!",            // bad base64 hash
      "scrypt$10$8$1$" + salt + "$abc",                    // base64 length not a multiple of 4
      "scrypt$10$8$1$" + salt + "$",                       // empty hash
      // Inside the accepted ranges but refused by OpenSSL: scrypt needs
      // N < 2^(16 r), so r = 1 allows at most log2_n = 15.
      "scrypt$16$1$1$" + salt + "$" + hash,
  };
  for (const auto& s : bad) {
    bool result = true;
    EXPECT_NO_THROW(result = verify_password("pw", s)) << s;
    EXPECT_FALSE(result) << s;
  }
  EXPECT_TRUE(verify_password("pw", good));
}

}  // namespace
}  // namespace omnigate::workbench
