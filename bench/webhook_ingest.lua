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
local bit = require("bit")

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

-- "crypto" needs the libcrypto.so dev symlink (libssl-dev); the versioned
-- names are what a runtime-only system has.
local function load_crypto()
  local errs = {}
  for _, name in ipairs({ "crypto", "libcrypto.so.3", "libcrypto.so.1.1" }) do
    local ok, lib = pcall(ffi.load, name)
    if ok then return lib end
    errs[#errs + 1] = tostring(lib)
  end
  error("cannot load OpenSSL libcrypto: " .. table.concat(errs, "; "))
end
local crypto = load_crypto()
local SHA256 = crypto.EVP_sha256()

local mac = ffi.new("unsigned char[32]")
local mac_len = ffi.new("unsigned int[1]")
local hex_out = ffi.new("char[64]")
local HEX = "0123456789abcdef"
local hexdigit = ffi.new("char[16]")
ffi.copy(hexdigit, HEX, 16)

local function hmac_sha256_hex(data)
  local r = crypto.HMAC(SHA256, SECRET, #SECRET, data, #data, mac, mac_len)
  if r == nil or mac_len[0] ~= 32 then error("HMAC failed") end
  for i = 0, 31 do
    local b = mac[i]
    hex_out[2 * i] = hexdigit[bit.rshift(b, 4)]
    hex_out[2 * i + 1] = hexdigit[bit.band(b, 15)]
  end
  return ffi.string(hex_out, 64)
end

---------------------------------------------------------------------------
-- main state: keep the threads so done() can collect their counters
---------------------------------------------------------------------------
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

---------------------------------------------------------------------------
-- thread states
---------------------------------------------------------------------------
-- Globals (not locals) so that done() can read them with thread:get().
tid = 0
acked_n = 0          -- 200 answers with "duplicate":false
dup_n = 0            -- 200 answers with "duplicate":true (ids are unique, so: wrong)
badbody_n = 0        -- 200 answers we could not read an external_id from
status_n = {}        -- non-200 answers, by status code (keys are strings)
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
    local k = tostring(status)
    status_n[k] = (status_n[k] or 0) + 1
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
  local total_acked, total_dup, total_badbody = 0, 0, 0
  local by_status = {}
  local out = ACKED_FILE and assert(io.open(ACKED_FILE, "w"))
  for _, t in ipairs(threads) do
    total_acked = total_acked + t:get("acked_n")
    total_dup = total_dup + t:get("dup_n")
    total_badbody = total_badbody + t:get("badbody_n")
    for k, v in pairs(t:get("status_n")) do by_status[k] = (by_status[k] or 0) + v end
    if out then
      local ids = t:get("acked")
      -- write in chunks: one concat per 10k ids keeps memory and calls low
      local n = #ids
      for i = 1, n, 10000 do
        out:write(table.concat(ids, "\n", i, math.min(i + 9999, n)), "\n")
      end
    end
  end
  if out then out:close() end

  local non200, parts = 0, {}
  for k, v in pairs(by_status) do
    non200 = non200 + v
    parts[#parts + 1] = k .. ":" .. v
  end
  table.sort(parts)

  local secs = summary.duration / 1e6
  local e = summary.errors
  local res = {
    requests = summary.requests,
    duration_s = string.format("%.3f", secs),
    acked = total_acked,
    duplicates = total_dup,
    bad_bodies = total_badbody,
    non200 = non200,
    non200_by_status = #parts > 0 and table.concat(parts, ",") or "-",
    msgs_per_s = string.format("%.0f", total_acked / secs),
    p50_ms = string.format("%.2f", latency:percentile(50) / 1000),
    p99_ms = string.format("%.2f", latency:percentile(99) / 1000),
    max_ms = string.format("%.2f", latency.max / 1000),
    err_connect = e.connect, err_read = e.read, err_write = e.write,
    err_timeout = e.timeout, err_status = e.status,
  }
  io.write(string.format(
    "lua: %d answers, %d acknowledged, %d duplicate, %d unreadable, non-200: %s\n",
    summary.requests, total_acked, total_dup, total_badbody, res.non200_by_status))
  if RESULT_FILE then
    local f = assert(io.open(RESULT_FILE, "w"))
    local keys = {}
    for k in pairs(res) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do f:write(k, "=", tostring(res[k]), "\n") end
    f:close()
  end
end
