// Signature and WXBizMsgCrypt against Tencent's published sample values
// (the WXBizMsgCrypt samples' test vectors, used here as facts), plus
// vectors computed independently with OpenSSL's EVP directly.
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <gtest/gtest.h>

#include <string>

#include "adapters/common/crypto.h"
#include "adapters/wechat/signature.h"
#include "adapters/wechat/wx_crypto.h"
#include "adapters/wechat/xml.h"
#include "tests/unit/adapters/wechat/sample_vectors.h"

namespace omnigate::adapters::wechat {
namespace {

using namespace samples;

// ---- independent OpenSSL helpers (no omnigate code) ---------------------

std::string evp_b64decode(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  size_t pad = 0;
  while (pad < in.size() && in[in.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string evp_b64encode(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Raw AES-256-CBC with EVP, padding off, either direction.
std::string evp_aes(bool enc, const std::string& key, const std::string& data) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                    reinterpret_cast<const unsigned char*>(key.data()), enc ? 1 : 0);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  std::string out(data.size(), '\0');
  int n = 0, m = 0;
  EVP_CipherUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                   reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  EVP_CipherFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + n, &m);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(static_cast<size_t>(n + m));
  return out;
}

std::string be32(size_t n) {
  return {static_cast<char>((n >> 24) & 0xff), static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 8) & 0xff),
          static_cast<char>(n & 0xff)};
}

// The WeChat plaintext layout built by hand, padded with `pad` bytes.
std::string evp_seal(const std::string& key, const std::string& prefix, const std::string& msg,
                     const std::string& receiver, int pad) {
  std::string plain = prefix + be32(msg.size()) + msg + receiver;
  plain.append(static_cast<size_t>(pad), static_cast<char>(pad));
  return evp_b64encode(evp_aes(true, key, plain));
}

std::string sha1_hex_independent(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

// ---- signatures -----------------------------------------------------------

TEST(WechatSignature, OfficialWecomUrlVerificationVector) {
  EXPECT_EQ(msg_signature(kWecomToken, kVerifyTs, kVerifyNonce, kVerifyEcho), kVerifySig);
  EXPECT_TRUE(verify_msg_signature(kWecomToken, kVerifyTs, kVerifyNonce, kVerifyEcho, kVerifySig));
}

TEST(WechatSignature, OfficialWecomMessageVector) {
  EXPECT_EQ(msg_signature(kWecomToken, kMsgTs, kMsgNonce, kMsgEncrypt), kMsgSig);
}

TEST(WechatSignature, OfficialAccountSampleVector) {
  EXPECT_TRUE(verify_msg_signature(kMp2Token, kMp2Ts, kMp2Nonce, kMp2Encrypt, kMp2Sig));
}

TEST(WechatSignature, UrlSignatureMatchesIndependentSha1OfSortedValues) {
  // sorted: "1409659589" < "263014780" < "QDG6eK" (digits before letters)
  EXPECT_EQ(url_signature("QDG6eK", "1409659589", "263014780"),
            sha1_hex_independent(std::string("1409659589") + "263014780" + "QDG6eK"));
  EXPECT_TRUE(verify_url_signature("QDG6eK", "1409659589", "263014780",
                                   sha1_hex_independent("1409659589263014780QDG6eK")));
}

TEST(WechatSignature, AcceptsUpperCaseHexRefusesAnythingElse) {
  std::string sig = url_signature("tok", "1", "2");
  std::string upper = sig;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(verify_url_signature("tok", "1", "2", upper));
  EXPECT_FALSE(verify_url_signature("tok", "1", "3", sig));
  EXPECT_FALSE(verify_url_signature("tok", "1", "2", sig.substr(1)));
  EXPECT_FALSE(verify_url_signature("tok", "1", "2", ""));
  std::string flipped = sig;
  flipped[5] = flipped[5] == '0' ? '1' : '0';
  EXPECT_FALSE(verify_url_signature("tok", "1", "2", flipped));
  EXPECT_FALSE(verify_msg_signature(kWecomToken, kVerifyTs, kVerifyNonce, kVerifyEcho,
                                    "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4"));
}

// ---- WXBizMsgCrypt --------------------------------------------------------

TEST(WxBizMsgCrypt, DecryptsTheOfficialWecomEchostr) {
  WxBizMsgCrypt c(kWecomKey);
  EXPECT_EQ(c.decrypt(kVerifyEcho, kWecomCorp), kVerifyEchoPlain);
}

TEST(WxBizMsgCrypt, DecryptsTheOfficialWecomMessage) {
  WxBizMsgCrypt c(kWecomKey);
  std::string xml = c.decrypt(kMsgEncrypt, kWecomCorp);
  XmlFields f = parse_xml(xml);
  EXPECT_EQ(f.get("ToUserName"), kWecomCorp);
  EXPECT_EQ(f.get("FromUserName"), "mycreate");
  EXPECT_EQ(f.get("CreateTime"), "1409659813");
  EXPECT_EQ(f.get("MsgType"), "text");
  EXPECT_EQ(f.get("Content"), "hello");
  EXPECT_EQ(f.get("MsgId"), "4561255354251345929");
  EXPECT_EQ(f.get("AgentID"), "218");
}

TEST(WxBizMsgCrypt, DecryptsTheOfficialAccountSample) {
  WxBizMsgCrypt c(kMpKey);
  XmlFields f = parse_xml(c.decrypt(kMp2Encrypt, kMp2AppId));
  EXPECT_EQ(f.get("MsgType"), "text");
  EXPECT_FALSE(f.get("FromUserName").empty());
}

TEST(WxBizMsgCrypt, EncryptMatchesTheOfficialSamplesWithTheirFixedPrefix) {
  WxBizMsgCrypt c(kMpKey);
  EXPECT_EQ(c.encrypt_with_prefix(kMpPrefix, kMpReply, kMpAppId), kMpReplyEncrypted);
  EXPECT_EQ(c.encrypt_with_prefix(kMpPrefix, kMpReply2, kMpAppId), kMpReply2Encrypted);
  EXPECT_EQ(c.decrypt(kMpReplyEncrypted, kMpAppId), kMpReply);
  EXPECT_EQ(c.decrypt(kMpReply2Encrypted, kMpAppId), kMpReply2);
}

TEST(WxBizMsgCrypt, KeyAndIvComeFromTheEncodingAesKey) {
  WxBizMsgCrypt c(kWecomKey);
  EXPECT_EQ(c.key(), evp_b64decode(std::string(kWecomKey) + "="));
  EXPECT_EQ(c.key().size(), 32u);
}

TEST(WxBizMsgCrypt, MatchesAnIndependentEvpEncryption) {
  WxBizMsgCrypt c(kWecomKey);
  std::string prefix = "0123456789abcdef";
  std::string msg = "<xml><Content><![CDATA[你好]]></Content></xml>";
  size_t used = (16 + 4 + msg.size() + std::string(kWecomCorp).size()) % 32;
  int pad = static_cast<int>(32 - used);
  EXPECT_EQ(c.encrypt_with_prefix(prefix, msg, kWecomCorp), evp_seal(c.key(), prefix, msg, kWecomCorp, pad));
}

TEST(WxBizMsgCrypt, FullBlockOfPaddingWhenThePlaintextFillsWholeBlocks) {
  WxBizMsgCrypt c(kWecomKey);
  std::string receiver = kWecomCorp;                    // 18 bytes
  std::string msg(64 - 16 - 4 - receiver.size(), 'x');  // 16 + 4 + 26 + 18 = 64
  std::string sealed = c.encrypt_with_prefix("PPPPPPPPPPPPPPPP", msg, receiver);
  std::string raw = evp_aes(false, c.key(), evp_b64decode(sealed));
  ASSERT_EQ(raw.size(), 96u);  // 64 + a whole 32-byte block of padding
  EXPECT_EQ(raw.substr(64), std::string(32, static_cast<char>(32)));
  EXPECT_EQ(c.decrypt(sealed, receiver), msg);
  // And one WeChat-side sealed by hand decrypts the same.
  EXPECT_EQ(c.decrypt(evp_seal(c.key(), "QQQQQQQQQQQQQQQQ", msg, receiver, 32), receiver), msg);
}

TEST(WxBizMsgCrypt, RoundTripsEveryLengthAcrossABlock) {
  WxBizMsgCrypt c(WxBizMsgCrypt::generate_encoding_aes_key());
  for (size_t n = 0; n <= 70; ++n) {
    std::string msg(n, static_cast<char>('a' + n % 26));
    EXPECT_EQ(c.decrypt(c.encrypt(msg, "wxabc"), "wxabc"), msg) << n;
  }
}

TEST(WxBizMsgCrypt, WrongReceiverIsRefused) {
  WxBizMsgCrypt c(kWecomKey);
  try {
    c.decrypt(kVerifyEcho, "wx0000000000000000");
    FAIL() << "decrypted for the wrong corpid";
  } catch (const WxCryptError& e) {
    EXPECT_EQ(e.kind(), WxCryptError::Kind::wrong_receiver);
  }
  EXPECT_EQ(c.open(kVerifyEcho).receiver_id, kWecomCorp);
}

TEST(WxBizMsgCrypt, TamperedCiphertextIsRefused) {
  WxBizMsgCrypt c(kWecomKey);
  std::string raw = evp_b64decode(kMsgEncrypt);
  // Flipping a bit in the last block garbles the padding (the last byte).
  for (size_t pos : {raw.size() - 1, raw.size() - 17, size_t{0}, size_t{20}}) {
    std::string t = raw;
    t[pos] = static_cast<char>(t[pos] ^ 0x5a);
    EXPECT_THROW(c.decrypt(evp_b64encode(t), kWecomCorp), WxCryptError) << pos;
  }
  EXPECT_THROW(c.decrypt(evp_b64encode(raw.substr(0, raw.size() - 16)), kWecomCorp), WxCryptError);
  EXPECT_THROW(c.decrypt("not base64!", kWecomCorp), WxCryptError);
  EXPECT_THROW(c.decrypt("", kWecomCorp), WxCryptError);
  // A different key cannot open it either.
  WxBizMsgCrypt other(WxBizMsgCrypt::generate_encoding_aes_key());
  EXPECT_THROW(other.decrypt(kMsgEncrypt, kWecomCorp), WxCryptError);
}

TEST(WxBizMsgCrypt, RefusesBadPaddingAndLengthsBuiltByHand) {
  WxBizMsgCrypt c(kWecomKey);
  std::string prefix(16, 'r');
  // pad byte 0 and 33 are outside 1..32
  for (int bad : {0, 33}) {
    std::string plain = prefix + be32(1) + "m" + "wx5823bf96d3bd56c7";  // 39 bytes
    plain.append(64 - plain.size() - 1, 'z');
    plain += static_cast<char>(bad);
    try {
      c.decrypt(evp_b64encode(evp_aes(true, c.key(), plain)), kWecomCorp);
      FAIL() << bad;
    } catch (const WxCryptError& e) {
      EXPECT_EQ(e.kind(), WxCryptError::Kind::bad_padding);
    }
  }
  // a length field pointing past the end
  std::string plain = prefix + be32(1000) + "short";
  plain.append(32 - plain.size() % 32, static_cast<char>(32 - plain.size() % 32));
  try {
    c.decrypt(evp_b64encode(evp_aes(true, c.key(), plain)), kWecomCorp);
    FAIL();
  } catch (const WxCryptError& e) {
    EXPECT_EQ(e.kind(), WxCryptError::Kind::bad_length);
  }
}

TEST(WxBizMsgCrypt, KeysAreValidatedAndGeneratedForTheConsole) {
  EXPECT_THROW(WxBizMsgCrypt("abcde"), WxCryptError);
  EXPECT_THROW(WxBizMsgCrypt(std::string(44, 'a')), WxCryptError);
  EXPECT_THROW(WxBizMsgCrypt(std::string(42, 'a') + "!"), WxCryptError);
  std::string k1 = WxBizMsgCrypt::generate_encoding_aes_key();
  std::string k2 = WxBizMsgCrypt::generate_encoding_aes_key();
  EXPECT_EQ(k1.size(), 43u);
  EXPECT_NE(k1, k2);
  for (char ch : k1) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << k1;
  EXPECT_NO_THROW(WxBizMsgCrypt{k1});
}

TEST(CryptoAesNoPad, RefusesWrongSizes) {
  std::string key(32, 'k'), iv(16, 'i');
  EXPECT_THROW(crypto::aes_256_cbc_encrypt_nopad(key, iv, "15 bytes long!!"), std::invalid_argument);
  EXPECT_THROW(crypto::aes_256_cbc_encrypt_nopad(key.substr(1), iv, std::string(16, 'x')), std::invalid_argument);
  EXPECT_FALSE(crypto::aes_256_cbc_decrypt_nopad(key, iv, std::string(17, 'x')));
  EXPECT_FALSE(crypto::aes_256_cbc_decrypt_nopad(key, iv.substr(1), std::string(16, 'x')));
  std::string block(32, 'b');
  EXPECT_EQ(crypto::aes_256_cbc_decrypt_nopad(key, iv, crypto::aes_256_cbc_encrypt_nopad(key, iv, block)), block);
}

}  // namespace
}  // namespace omnigate::adapters::wechat
