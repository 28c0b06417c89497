-- wrk script: POST a new village per request, with codes unique across threads.
-- Usage: wrk -t2 -c32 -d10s -s villages.lua URL  (env TOKEN: bearer token; env SERIAL_BASE)
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("TOKEN") or ""
  base = tonumber(os.getenv("SERIAL_BASE") or "0")
end

function request()
  counter = counter + 1
  local serial = base + id * 200000 + counter
  local code = string.format("120119%06d", serial % 1000000)
  local body = string.format(
    '{"code":"%s","name":"基准村","district":"120119","town":"基准镇","village_type":"agriculture",' ..
    '"income_2018":"123456.78","income_2019":"134567.89","income_2020":"145678.90"}', code)
  return wrk.format("POST", "/villages", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("XINGCUN requests=%d non2xx=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, non2xx, summary.duration, latency:percentile(50), latency:percentile(99)))
end
