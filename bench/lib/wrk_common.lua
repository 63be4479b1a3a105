-- Shared parts of the wrk scripts bench/webhook_ingest.lua and
-- bench/wechat_ingest.lua (Debian's wrk, LuaJIT). Each script loads it with
--
--   local common = dofile(<the script's directory> .. "/lib/wrk_common.lua")
--
-- in every Lua state wrk makes (one per thread plus the main one that runs
-- setup() and done()). It gives:
--   load_crypto()      OpenSSL's libcrypto through the FFI (the caller ffi.cdef's
--                      the functions it uses)
--   hex_encoder(n)     a function turning n bytes at a pointer into lower-case hex
--   setup(thread)      wrk's setup(): numbers the threads (global tid) and keeps them
--   count_status(s)    counts a non-200 answer in the thread's status_n
--   gather(...)        in done(): sums the per-thread counters, merges status_n,
--                      writes the per-thread id lists to a file
--   results(...)       the key=value figures both scripts report, non-200
--                      answers among them
--   write_results(f,r) writes them to OG_RESULT_FILE, sorted by key
--
-- The per-thread counters are globals (not locals) so that done() can read
-- them with thread:get(); the ones both scripts keep are set here:
--   tid         the thread's number, set by setup() before init() runs
--   acked_n     answers counted as acknowledged
--   badbody_n   200 answers whose body was not what it should be
--   status_n    non-200 answers, by status code (keys are strings)

local ffi = require("ffi")
local bit = require("bit")

local M = {}

tid = 0
acked_n = 0
badbody_n = 0
status_n = {}

---------------------------------------------------------------------------
-- libcrypto and hex
---------------------------------------------------------------------------
-- "crypto" needs the libcrypto.so dev symlink (libssl-dev); the versioned
-- names are what a runtime-only system has.
function M.load_crypto()
  local errs = {}
  for _, name in ipairs({ "crypto", "libcrypto.so.3", "libcrypto.so.1.1" }) do
    local ok, lib = pcall(ffi.load, name)
    if ok then return lib end
    errs[#errs + 1] = tostring(lib)
  end
  error("cannot load OpenSSL libcrypto: " .. table.concat(errs, "; "))
end

local hexdigit = ffi.new("char[16]")
ffi.copy(hexdigit, "0123456789abcdef", 16)

-- hex_encoder(n): a function(buf) giving the n bytes at buf as 2n lower-case
-- hex digits (one output buffer per encoder, reused on every call).
function M.hex_encoder(n)
  local out = ffi.new("char[?]", 2 * n)
  return function(buf)
    for i = 0, n - 1 do
      local b = buf[i]
      out[2 * i] = hexdigit[bit.rshift(b, 4)]
      out[2 * i + 1] = hexdigit[bit.band(b, 15)]
    end
    return ffi.string(out, 2 * n)
  end
end

---------------------------------------------------------------------------
-- main state: keep the threads so done() can collect their counters
---------------------------------------------------------------------------
local threads = {}

function M.setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

---------------------------------------------------------------------------
-- thread states
---------------------------------------------------------------------------
function M.count_status(status)
  local k = tostring(status)
  status_n[k] = (status_n[k] or 0) + 1
end

---------------------------------------------------------------------------
-- main state, after the run
---------------------------------------------------------------------------
-- gather(counters, ids_global, ids_file): the per-thread globals named in
-- counters summed over the threads (a table by name) and the threads'
-- status_n merged (by_status). When ids_file is set, each thread's list
-- global ids_global is written there, one id a line.
function M.gather(counters, ids_global, ids_file)
  local totals, by_status = {}, {}
  for _, name in ipairs(counters) do totals[name] = 0 end
  local out = ids_file and assert(io.open(ids_file, "w"))
  for _, t in ipairs(threads) do
    for _, name in ipairs(counters) do totals[name] = totals[name] + t:get(name) end
    for k, v in pairs(t:get("status_n")) do by_status[k] = (by_status[k] or 0) + v end
    if out then
      local ids = t:get(ids_global)
      -- write in chunks: one concat per 10k ids keeps memory and calls low
      local n = #ids
      for i = 1, n, 10000 do
        out:write(table.concat(ids, "\n", i, math.min(i + 9999, n)), "\n")
      end
    end
  end
  if out then out:close() end
  return totals, by_status
end

-- non-200 answers, those of them >= 500, and the sorted "code:n,..." list
-- ("-" when there were none)
local function status_summary(by_status)
  local non200, non200_5xx, parts = 0, 0, {}
  for k, v in pairs(by_status) do
    non200 = non200 + v
    if tonumber(k) >= 500 then non200_5xx = non200_5xx + v end
    parts[#parts + 1] = k .. ":" .. v
  end
  table.sort(parts)
  return non200, non200_5xx, #parts > 0 and table.concat(parts, ",") or "-"
end

-- results(summary, latency, acked, bad_bodies, by_status): the figures both
-- scripts report (the caller adds its own before write_results()), and the
-- number of non-200 answers >= 500.
function M.results(summary, latency, acked, bad_bodies, by_status)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local non200, non200_5xx, by_status_text = status_summary(by_status)
  return {
    requests = summary.requests,
    duration_s = string.format("%.3f", secs),
    acked = acked,
    bad_bodies = bad_bodies,
    non200 = non200,
    non200_by_status = by_status_text,
    msgs_per_s = string.format("%.0f", acked / secs),
    p50_ms = string.format("%.2f", latency:percentile(50) / 1000),
    p90_ms = string.format("%.2f", latency:percentile(90) / 1000),
    p99_ms = string.format("%.2f", latency:percentile(99) / 1000),
    p999_ms = string.format("%.2f", latency:percentile(99.9) / 1000),
    max_ms = string.format("%.2f", latency.max / 1000),
    err_connect = e.connect, err_read = e.read, err_write = e.write,
    err_timeout = e.timeout, err_status = e.status,
  }, non200_5xx
end

-- write_results(file, res): key=value lines sorted by key; nothing when file
-- is nil.
function M.write_results(file, res)
  if not file then return end
  local f = assert(io.open(file, "w"))
  local keys = {}
  for k in pairs(res) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do f:write(k, "=", tostring(res[k]), "\n") end
  f:close()
end

return M
