-- wrk script for Vane's feedback ingestion: POST /v1/feedback with VB_EVENTS unit-level click events per request
-- (a batch {"events": [...]} when VB_EVENTS > 1, a single event object when VB_EVENTS = 1), for users that the
-- harness exposed first (X-User-Id user-1 .. user-VB_USERS, as lua/infer.lua sends them). Every event id is unique:
-- "<VB_TAG>-<wrk thread>-<counter>", so nothing is a duplicate unless VB_TAG is reused. Sums the per-event outcome
-- counts of every answer ({"accepted": n, "duplicates": n, "rejected": n, ...}) and prints one JSON line
-- ("VBRESULT {...}") in the format of lua/infer.lua plus the feedback fields.
--
-- Environment:
--   VB_USERS       users to pick from, uniformly (default 100000)
--   VB_EVENTS      events per request (default 100)
--   VB_EXPERIMENT  experiment id (default fraud-canary)
--   VB_METRIC      metric name (default click)
--   VB_TAG         event id prefix, unique per wrk run (default "fb")

local users = tonumber(os.getenv("VB_USERS") or "100000")
local per_request = tonumber(os.getenv("VB_EVENTS") or "100")
local experiment = os.getenv("VB_EXPERIMENT") or "fraud-canary"
local metric = os.getenv("VB_METRIC") or "click"
local tag = os.getenv("VB_TAG") or "fb"

local headers = { ["Content-Type"] = "application/json" }
local threads = {}
local thread_seed = 0

function setup(thread)
  thread_seed = thread_seed + 1
  thread:set("vb_seed", thread_seed)
  table.insert(threads, thread)
end

local counter = 0
local prefix
local sums = { accepted = 0, duplicates = 0, rejected = 0, answers = 0, unparsed = 0 }
local statuses = {}
local sample_rejection = ""

function init(args)
  math.randomseed(os.time() * 1000 + (vb_seed or 1))
  for _ = 1, 10 do math.random() end
  prefix = '{"unitId":"user-'
  -- the event id carries the run tag and the wrk thread id, then a per-thread counter
  tag = tag .. "-" .. tostring(vb_seed or 1) .. "-"
end

local mid = '","experiment":"' .. experiment .. '","eventId":"'
local suffix = '","metric":"' .. metric .. '","value":1}'

local function event()
  counter = counter + 1
  return prefix .. math.random(1, users) .. mid .. tag .. counter .. suffix
end

function request()
  local body
  if per_request == 1 then
    body = event()
  else
    local parts = {}
    for i = 1, per_request do parts[i] = event() end
    body = '{"events":[' .. table.concat(parts, ",") .. ']}'
  end
  return wrk.format("POST", "/v1/feedback", headers, body)
end

function response(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
  -- Vane pretty-prints: {\n  "accepted" : 1,\n  "duplicates" : 0,\n  "rejected" : 0,\n  "results" : [ ...
  local a, d, r = string.match(body,
    '^%s*{%s*"accepted"%s*:%s*(%d+)%s*,%s*"duplicates"%s*:%s*(%d+)%s*,%s*"rejected"%s*:%s*(%d+)')
  if a then
    sums.accepted = sums.accepted + tonumber(a)
    sums.duplicates = sums.duplicates + tonumber(d)
    sums.rejected = sums.rejected + tonumber(r)
    sums.answers = sums.answers + 1
    if tonumber(r) > 0 and sample_rejection == "" then
      sample_rejection = string.sub(string.match(body, '"code"%s*:%s*"[^"]*",%s*"message"%s*:%s*"[^"]*"') or "", 1, 200)
    end
  else
    sums.unparsed = sums.unparsed + 1
  end
  -- publish the running sums for done() (which runs in the main Lua state)
  wrk.thread:set("vb_acc", sums.accepted)
  wrk.thread:set("vb_dup", sums.duplicates)
  wrk.thread:set("vb_rej", sums.rejected)
  wrk.thread:set("vb_ans", sums.answers)
  wrk.thread:set("vb_unp", sums.unparsed)
  wrk.thread:set("vb_s200", statuses[200] or 0)
  wrk.thread:set("vb_rejsample", sample_rejection)
end

function done(summary, latency, requests)
  local acc, dup, rej, ans, unp, s200 = 0, 0, 0, 0, 0, 0
  local sample = ""
  for _, t in ipairs(threads) do
    acc = acc + (t:get("vb_acc") or 0)
    dup = dup + (t:get("vb_dup") or 0)
    rej = rej + (t:get("vb_rej") or 0)
    ans = ans + (t:get("vb_ans") or 0)
    unp = unp + (t:get("vb_unp") or 0)
    s200 = s200 + (t:get("vb_s200") or 0)
    if sample == "" then sample = t:get("vb_rejsample") or "" end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  local function p(q) return latency:percentile(q) / 1000.0 end
  io.write(string.format(
    'VBRESULT {"requests":%d,"duration_s":%.3f,"rps":%.1f,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"mean":%.4f,"stdev":%.4f,"p50":%.4f,"p90":%.4f,"p99":%.4f,"p999":%.4f,"max":%.4f},' ..
    '"target_rate":0,"users":%d,"events_per_request":%d,"events_per_s":%.1f,' ..
    '"feedback":{"answers":%d,"status_200":%d,"unparsed":%d,"accepted":%d,"duplicates":%d,"rejected":%d,' ..
    '"rejection_sample":"%s"}}\n',
    summary.requests, secs, summary.requests / secs, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean / 1000.0, latency.stdev / 1000.0, p(50), p(90), p(99), p(99.9), latency.max / 1000.0,
    users, per_request, summary.requests * per_request / secs,
    ans, s200, unp, acc, dup, rej, string.gsub(sample, '[\\"]', "'")))
end
