-- wrk script for the Vane benchmark: POST a 200-byte KServe v2 JSON body to /v2/models/fraud/infer with an
-- X-User-Id drawn uniformly from VB_USERS users, and print the result as one JSON line ("VBRESULT {...}").
--
-- Environment:
--   VB_USERS  number of distinct users (default 100000)
--   VB_RATE   0 (default) = saturation: every connection sends its next request as soon as the previous answer
--             arrived; > 0 = paced: a per-thread schedule of one request every 1/VB_RATE s, handed out to
--             connections through wrk's delay() hook. wrk starts its latency clock when the (delayed) request is
--             written, so a stalled server delays the schedule instead of inflating latency: the figures are
--             subject to coordinated omission (wrk2 would correct this; Debian does not ship it). wrk's timers
--             have millisecond resolution, so individual sends are jittered by up to 1 ms; the long-run rate
--             still follows the schedule, and the achieved rate is reported.
--   VB_PATH   request path (default /v2/models/fraud/infer)
--   VB_SEQ    1 = users in order user-1, user-2, ..., user-VB_USERS, user-1, ... instead of at random (the harness
--             uses it to expose every user of the feedback instance before feedback is sent)
--   VB_SEQ_START  with VB_SEQ=1: requests already sent in earlier runs (the sequence continues after them)
--   VB_PATHS  a file of request paths, one a line: each request picks one uniformly (bench/scale.sh spreads load
--             over many routes with it); overrides VB_PATH
--   VB_BODY_BYTES  request body size (default 200); the body is the same KServe v2 JSON with a longer request id
--   VB_POOL   > 0: build VB_POOL requests (users drawn as above) once per thread and send them round-robin instead of
--             formatting one per request (for large bodies, so that wrk's Lua does not copy 1 MB per request)
--   VB_METHOD HTTP method (default POST)
--   VB_STATUS 1 = count the answers that are not 2xx by status and keep the first one's status and body (printed as
--             "VBSTATUS {...}"; it costs wrk a response() call per answer, so it is off by default)
--   VB_HIST   a file: done() appends wrk's whole latency histogram to it, one "microseconds count" pair a line (so
--             runs can be merged into exact pooled percentiles, bench/tails.sh)

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } vb_timespec;
  int clock_gettime(int clk, vb_timespec *ts);
]]
local ts = ffi.new("vb_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local users = tonumber(os.getenv("VB_USERS") or "100000")
local rate = tonumber(os.getenv("VB_RATE") or "0")
local path = os.getenv("VB_PATH") or "/v2/models/fraud/infer"
local sequential = os.getenv("VB_SEQ") == "1"
local seq = tonumber(os.getenv("VB_SEQ_START") or "0") % users
local body_bytes = tonumber(os.getenv("VB_BODY_BYTES") or "200")
local pool_size = tonumber(os.getenv("VB_POOL") or "0")
local method = os.getenv("VB_METHOD") or "POST"
local hist_file = os.getenv("VB_HIST")
local paths = nil
if os.getenv("VB_PATHS") then
  paths = {}
  for line in io.lines(os.getenv("VB_PATHS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  assert(#paths > 0, "VB_PATHS: no paths")
end

-- 200-byte KServe v2 inference request: 16 FP32 features, the request id padded to the exact size.
local function make_body(size)
  local data = "[0.125,0.5,0.75,1.25,0.0625,2.5,0.375,0.875,1.5,0.25,3.125,0.625,0.5,1.75,0.03125,0.9375]"
  local prefix = '{"id":"'
  local suffix = '","inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":' .. data .. '}]}'
  local pad = size - #prefix - #suffix
  assert(pad > 0, "body template too long")
  return prefix .. string.rep("r", pad) .. suffix
end
local body = make_body(body_bytes)
assert(#body == body_bytes)

local headers = { ["Content-Type"] = "application/json", ["X-User-Id"] = "u0" }
local thread_seed = 0
local threads = {}
local count_status = os.getenv("VB_STATUS") == "1"

function setup(thread)
  thread_seed = thread_seed + 1
  thread:set("vb_seed", thread_seed)
  table.insert(threads, thread)
end

if count_status then
  vb_bad_codes = "" -- "status count status count ...", rebuilt on each bad answer (rare)
  vb_bad_sample = ""
  local bad = {}
  function response(status, hdrs, rbody)
    if status >= 200 and status < 300 then return end
    bad[status] = (bad[status] or 0) + 1
    local parts = {}
    for code, n in pairs(bad) do parts[#parts + 1] = code .. " " .. n end
    vb_bad_codes = table.concat(parts, " ")
    if vb_bad_sample == "" then
      vb_bad_sample = status .. " " .. string.gsub(string.sub(rbody or "", 1, 200), '[%c"\\]', " ")
    end
  end
end

function init(args)
  math.randomseed(os.time() * 1000 + (vb_seed or 1))
  for _ = 1, 10 do math.random() end
end

local function next_request()
  if sequential then
    seq = seq % users + 1
    headers["X-User-Id"] = "user-" .. seq
  else
    headers["X-User-Id"] = "user-" .. math.random(1, users)
  end
  local p = path
  if paths then p = paths[math.random(1, #paths)] end
  return wrk.format(method, p, headers, body)
end

local pool, pool_next = nil, 0
function request()
  if pool_size <= 0 then return next_request() end
  if pool == nil then
    pool = {}
    for i = 1, pool_size do pool[i] = next_request() end
  end
  pool_next = pool_next % pool_size + 1
  return pool[pool_next]
end

if rate > 0 then
  local interval = 1.0 / rate -- one thread is assumed (-t1); with N threads the total rate is N * VB_RATE
  local next_send = nil
  function delay()
    local t = now()
    if next_send == nil or next_send < t - 0.05 then
      next_send = t -- do not try to catch up more than 50 ms of schedule in a burst
    end
    next_send = next_send + interval
    local ms = (next_send - t) * 1000.0
    if ms < 0 then return 0 end
    return ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local function p(q) return latency:percentile(q) / 1000.0 end -- microseconds -> milliseconds
  io.write(string.format(
    'VBRESULT {"requests":%d,"duration_s":%.3f,"rps":%.1f,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"mean":%.4f,"stdev":%.4f,"p50":%.4f,"p90":%.4f,"p99":%.4f,"p999":%.4f,"max":%.4f},' ..
    '"target_rate":%s,"users":%d,"body_bytes":%d}\n',
    summary.requests, secs, summary.requests / secs, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean / 1000.0, latency.stdev / 1000.0, p(50), p(90), p(99), p(99.9), latency.max / 1000.0,
    tostring(rate), users, #body))
  if count_status then
    local codes, sample = {}, ""
    for _, t in ipairs(threads) do
      for code, n in string.gmatch(t:get("vb_bad_codes") or "", "(%d+) (%d+)") do
        codes[#codes + 1] = string.format('"%s":%s', code, n)
      end
      if sample == "" then sample = t:get("vb_bad_sample") or "" end
    end
    io.write(string.format('VBSTATUS {"not_2xx":{%s},"first":"%s"}\n', table.concat(codes, ","), sample))
  end
  if hist_file then
    local f = assert(io.open(hist_file, "a"))
    for i = 1, #latency do
      local us, count = latency(i) -- the i-th distinct latency value (microseconds) and how often it was seen
      f:write(string.format("%d %d\n", us, count))
    end
    f:close()
  end
end
