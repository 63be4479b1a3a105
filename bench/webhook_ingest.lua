-- wrk script for bench/webhook_ingest.sh: posts signed messages to a `webhook`
-- channel (POST /v1/hooks/{token}, the token is in the URL given to wrk) and
-- records which messages the gateway acknowledged, so the shell script can
-- check afterwards that the database holds exactly those.
--
-- Debian's wrk is built on LuaJIT, so the HMAC-SHA256 signature is computed
-- through the FFI with OpenSSL's libcrypto (wrk itself links libcrypto.so.3).
--
-- Parameters come from the environment: the top level of this file runs in
-- every Lua state wrk makes (one per thread plus the main one that runs
-- setup() and done()), and only the thread states see init()'s arguments.
--   OG_SECRET       channel secret (HMAC key); kept out of the command line
--   OG_CONTACTS     number of distinct contacts (default 1000)
--   OG_RUN_ID       suffix making external ids unique across runs
--   OG_ACKED_FILE   done() writes the acknowledged external ids here, one a line
--   OG_RESULT_FILE  done() writes key=value figures here for the shell script

local ffi = require("ffi")
-- libcrypto loading, hex, thread bookkeeping and result files, shared with
-- wechat_ingest.lua: bench/lib/wrk_common.lua, found next to this script
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") ..
  "lib/wrk_common.lua")

local SECRET = os.getenv("OG_SECRET") or error("OG_SECRET is not set")
local CONTACTS = tonumber(os.getenv("OG_CONTACTS") or "1000")
local RUN_ID = os.getenv("OG_RUN_ID") or tostring(os.time())
local ACKED_FILE = os.getenv("OG_ACKED_FILE")
local RESULT_FILE = os.getenv("OG_RESULT_FILE")

---------------------------------------------------------------------------
-- HMAC-SHA256 through libcrypto
---------------------------------------------------------------------------
ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                    const unsigned char *d, size_t n,
                    unsigned char *md, unsigned int *md_len);
]]

local crypto = common.load_crypto()
local SHA256 = crypto.EVP_sha256()

local mac = ffi.new("unsigned char[32]")
local mac_len = ffi.new("unsigned int[1]")
local hex32 = common.hex_encoder(32)

local function hmac_sha256_hex(data)
  local r = crypto.HMAC(SHA256, SECRET, #SECRET, data, #data, mac, mac_len)
  if r == nil or mac_len[0] ~= 32 then error("HMAC failed") end
  return hex32(mac)
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
--   acked_n    200 answers with "duplicate":false
--   badbody_n  200 answers we could not read an external_id from
dup_n = 0            -- 200 answers with "duplicate":true (ids are unique, so: wrong)
acked = {}           -- the acknowledged external ids

local counter = 0
local prefix

function init(args)
  -- tid was set by setup() before init() runs
  prefix = "w" .. tid .. "-"
  math.randomseed(os.time() * 1000 + tid)
end

function request()
  counter = counter + 1
  local ext = prefix .. counter .. "-" .. RUN_ID
  -- Contacts are shared by all threads, so one conversation gets messages
  -- from many connections at once: that is the per-conversation seq
  -- contention the store has to get right.
  local c = math.random(CONTACTS)
  local body = '{"external_id":"' .. ext .. '","contact":{"id":"c' .. c ..
      '","name":"Bench contact ' .. c .. '"},"text":"bench message ' .. counter .. '"}'
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Omnigate-Signature"] = "sha256=" .. hmac_sha256_hex(body),
  }, body)
end

-- wrk does not say which request an answer belongs to, but the gateway echoes
-- the external_id; that is what we record as acknowledged.
function response(status, headers, body)
  if status ~= 200 then
    common.count_status(status)
    return
  end
  local ext = body:match('"external_id":"([^"]*)"')
  if not ext then
    badbody_n = badbody_n + 1
  elseif body:find('"duplicate":false', 1, true) then
    acked_n = acked_n + 1
    acked[acked_n] = ext
  else
    dup_n = dup_n + 1
  end
end

---------------------------------------------------------------------------
-- main state, after the run
---------------------------------------------------------------------------
function done(summary, latency, requests)
  local totals, by_status = common.gather({ "acked_n", "dup_n", "badbody_n" }, "acked", ACKED_FILE)
  local total_acked, total_dup, total_badbody = totals.acked_n, totals.dup_n, totals.badbody_n
  local res = common.results(summary, latency, total_acked, total_badbody, by_status)
  res.duplicates = total_dup
  io.write(string.format(
    "lua: %d answers, %d acknowledged, %d duplicate, %d unreadable, non-200: %s\n",
    summary.requests, total_acked, total_dup, total_badbody, res.non200_by_status))
  common.write_results(RESULT_FILE, res)
end
