-- wrk script for bench/wechat_ingest.sh: posts WeChat Official Account text
-- messages to a `wechat_mp` channel (POST /v1/hooks/{token}; the token is in
-- the URL given to wrk), signed the way WeChat's servers sign them, in plain
-- or safe (encrypted) mode, and counts the "success" answers.
--
-- Every request is a new message: a unique MsgId (18 digits, a 64-bit value
-- like WeChat's), a FromUserName (OpenID) among OG_USERS users, a fresh nonce
-- and the current timestamp, so each one is signed on its own:
--   plain: ?signature=SHA1(sort(token, timestamp, nonce))&timestamp&nonce&openid
--          body = the message XML
--   safe:  ?signature=..&timestamp&nonce&openid&encrypt_type=aes
--          &msg_signature=SHA1(sort(token, timestamp, nonce, Encrypt))
--          body = <xml><ToUserName/><Encrypt/></xml>, Encrypt = base64(
--          AES-256-CBC(key = base64(EncodingAESKey + "="), iv = key[0..16),
--          random(16) | len(msg) 4 bytes big-endian | msg | app_id | PKCS#7
--          padding to 32-byte blocks), OpenSSL's own padding off)
-- (see adapters/wechat/signature.h and wx_crypto.h).
--
-- WeChat's answer is a bare "success" that names no message, so the check is
-- by count: done() writes every MsgId sent, the number of "success" answers
-- and the non-2xx answers; the shell script compares them with the database.
--
-- Debian's wrk is built on LuaJIT: SHA1, AES and base64 come from OpenSSL's
-- libcrypto through the FFI (wrk itself links libcrypto.so.3).
--
-- Parameters come from the environment (the top level of this file runs in
-- every Lua state wrk makes: one per thread plus the main one):
--   OG_MODE         plain | safe
--   OG_WX_TOKEN     the channel's WeChat Token (secrets.token)
--   OG_AES_KEY      the EncodingAESKey, 43 chars (safe mode only)
--   OG_APP_ID       the channel's app_id (the receiver id in the ciphertext)
--   OG_ACCOUNT      ToUserName, the Official Account's own id (gh_...)
--   OG_USERS        number of distinct users (OpenIDs), default 1000
--   OG_SENT_FILE    done() writes every MsgId sent here, one a line
--   OG_RESULT_FILE  done() writes key=value figures here for the shell script

local ffi = require("ffi")
local bit = require("bit")
-- libcrypto loading, hex, thread bookkeeping and result files, shared with
-- webhook_ingest.lua: bench/lib/wrk_common.lua, found next to this script
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") ..
  "lib/wrk_common.lua")

local MODE = os.getenv("OG_MODE") or "plain"
local TOKEN = os.getenv("OG_WX_TOKEN") or error("OG_WX_TOKEN is not set")
local AES_KEY = os.getenv("OG_AES_KEY") or ""
local APP_ID = os.getenv("OG_APP_ID") or error("OG_APP_ID is not set")
local ACCOUNT = os.getenv("OG_ACCOUNT") or "gh_0123456789ab"
local USERS = tonumber(os.getenv("OG_USERS") or "1000")
local SENT_FILE = os.getenv("OG_SENT_FILE")
local RESULT_FILE = os.getenv("OG_RESULT_FILE")
if MODE ~= "plain" and MODE ~= "safe" then error("OG_MODE must be plain or safe, got " .. MODE) end
if MODE == "safe" and #AES_KEY ~= 43 then error("OG_AES_KEY must be 43 characters in safe mode") end

---------------------------------------------------------------------------
-- libcrypto
---------------------------------------------------------------------------
ffi.cdef [[
unsigned char *SHA1(const unsigned char *d, size_t n, unsigned char *md);
typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
const EVP_CIPHER *EVP_aes_256_cbc(void);
EVP_CIPHER_CTX *EVP_CIPHER_CTX_new(void);
int EVP_EncryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, void *impl,
                       const unsigned char *key, const unsigned char *iv);
int EVP_CIPHER_CTX_set_padding(EVP_CIPHER_CTX *ctx, int padding);
int EVP_EncryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl,
                      const unsigned char *in, int inl);
int EVP_EncryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl);
int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
int EVP_DecodeBlock(unsigned char *t, const unsigned char *f, int n);
int RAND_bytes(unsigned char *buf, int num);
]]

local C = common.load_crypto()

local digest = ffi.new("unsigned char[20]")
local hex20 = common.hex_encoder(20)

local function sha1_hex(s)
  C.SHA1(s, #s, digest)
  return hex20(digest)
end

-- WeChat's signature: the values sorted byte-wise (Lua compares strings
-- byte-wise), concatenated without separators, SHA1 in lower-case hex.
local sig_parts = {}
local function wx_signature(a, b, c, d)
  sig_parts[1], sig_parts[2], sig_parts[3], sig_parts[4] = a, b, c, d
  table.sort(sig_parts)
  return sha1_hex(table.concat(sig_parts))
end

-- WXBizMsgCrypt encryption
local MAX_PLAIN = 8192
local key = ffi.new("unsigned char[33]")  -- EVP_DecodeBlock writes 33 bytes for 44 chars
local plain_buf = ffi.new("unsigned char[?]", MAX_PLAIN)
local cipher_buf = ffi.new("unsigned char[?]", MAX_PLAIN + 32)
local b64_buf = ffi.new("unsigned char[?]", (MAX_PLAIN + 32) * 4 / 3 + 8)
local outl = ffi.new("int[1]")
local ctx, AES256CBC
if MODE == "safe" then
  local k = AES_KEY .. "="
  if C.EVP_DecodeBlock(key, k, #k) ~= 33 then error("bad EncodingAESKey") end
  ctx = C.EVP_CIPHER_CTX_new()
  AES256CBC = C.EVP_aes_256_cbc()
end

local function wx_encrypt(msg)
  local n = #msg
  local len = 16 + 4 + n + #APP_ID
  local pad = 32 - len % 32  -- 1..32, a full block when len is a multiple of 32
  if len + pad > MAX_PLAIN then error("message too long for the bench buffers") end
  if C.RAND_bytes(plain_buf, 16) ~= 1 then error("RAND_bytes failed") end
  plain_buf[16] = bit.band(bit.rshift(n, 24), 255)
  plain_buf[17] = bit.band(bit.rshift(n, 16), 255)
  plain_buf[18] = bit.band(bit.rshift(n, 8), 255)
  plain_buf[19] = bit.band(n, 255)
  ffi.copy(plain_buf + 20, msg, n)
  ffi.copy(plain_buf + 20 + n, APP_ID, #APP_ID)
  ffi.fill(plain_buf + len, pad, pad)
  len = len + pad
  -- key[0..16) is the IV; a full init per message restarts the CBC chain
  if C.EVP_EncryptInit_ex(ctx, AES256CBC, nil, key, key) ~= 1 then error("EVP_EncryptInit_ex failed") end
  C.EVP_CIPHER_CTX_set_padding(ctx, 0)
  if C.EVP_EncryptUpdate(ctx, cipher_buf, outl, plain_buf, len) ~= 1 or outl[0] ~= len then
    error("EVP_EncryptUpdate failed")
  end
  if C.EVP_EncryptFinal_ex(ctx, cipher_buf + len, outl) ~= 1 or outl[0] ~= 0 then
    error("EVP_EncryptFinal_ex failed")
  end
  local b64n = C.EVP_EncodeBlock(b64_buf, cipher_buf, len)
  return ffi.string(b64_buf, b64n)
end

---------------------------------------------------------------------------
-- main state: keep the threads so done() can collect their counters
---------------------------------------------------------------------------
setup = common.setup

---------------------------------------------------------------------------
-- thread states
---------------------------------------------------------------------------
-- Globals (not locals) so that done() can read them with thread:get();
-- wrk_common.lua sets tid, status_n (non-200 answers by status code) and:
--   acked_n    200 "success"
--   badbody_n  200 with any other body
sent_n = 0        -- requests built
sent = {}         -- every MsgId sent

local msgid_prefix, nonce_prefix

function init(args)
  -- tid was set by setup() before init() runs. MsgId: "2" | 6 digits of
  -- the clock | 2 digits of thread | 9 digits of counter = 18 digits.
  if tid > 99 then error("at most 99 wrk threads") end
  msgid_prefix = string.format("2%06d%02d", os.time() % 1000000, tid)
  nonce_prefix = string.format("%d", tid)
  math.randomseed(os.time() * 1000 + tid)
end

function request()
  sent_n = sent_n + 1
  local msg_id = msgid_prefix .. string.format("%09d", sent_n)
  sent[sent_n] = msg_id
  local ts = tostring(os.time())
  local nonce = nonce_prefix .. string.format("%09d", sent_n)
  local openid = string.format("oBench%022d", math.random(USERS))
  local xml = "<xml><ToUserName><![CDATA[" .. ACCOUNT .. "]]></ToUserName><FromUserName><![CDATA[" ..
      openid .. "]]></FromUserName><CreateTime>" .. ts ..
      "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[bench " .. msg_id ..
      "]]></Content><MsgId>" .. msg_id .. "</MsgId></xml>"
  local signature = wx_signature(TOKEN, ts, nonce)
  local path, body
  if MODE == "plain" then
    path = wrk.path .. "?signature=" .. signature .. "&timestamp=" .. ts .. "&nonce=" .. nonce ..
        "&openid=" .. openid
    body = xml
  else
    local encrypt = wx_encrypt(xml)
    -- WeChat sends the plain signature too; the gateway checks msg_signature
    path = wrk.path .. "?signature=" .. signature .. "&timestamp=" .. ts .. "&nonce=" .. nonce ..
        "&openid=" .. openid .. "&encrypt_type=aes&msg_signature=" .. wx_signature(TOKEN, ts, nonce, encrypt)
    body = "<xml><ToUserName><![CDATA[" .. ACCOUNT .. "]]></ToUserName><Encrypt><![CDATA[" .. encrypt ..
        "]]></Encrypt></xml>"
  end
  return wrk.format("POST", path, { ["Content-Type"] = "text/xml" }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    common.count_status(status)
  elseif body == "success" then
    acked_n = acked_n + 1
  else
    badbody_n = badbody_n + 1
  end
end

---------------------------------------------------------------------------
-- main state, after the run
---------------------------------------------------------------------------
function done(summary, latency, requests)
  local totals, by_status = common.gather({ "sent_n", "acked_n", "badbody_n" }, "sent", SENT_FILE)
  local total_sent, total_acked, total_badbody = totals.sent_n, totals.acked_n, totals.badbody_n
  local res, non200_5xx = common.results(summary, latency, total_acked, total_badbody, by_status)
  res.sent = total_sent
  res.non200_5xx = non200_5xx
  io.write(string.format("lua: %s mode, %d sent, %d answers, %d success, %d other 200 bodies, non-200: %s\n",
    MODE, total_sent, summary.requests, total_acked, total_badbody, res.non200_by_status))
  common.write_results(RESULT_FILE, res)
end
