-- wrk script: GET a mix of paths round robin (env PATHS: paths separated by spaces).
-- Usage: wrk -t2 -c100 -d5s -s read_mix.lua URL
local paths = {}
local i = 0

function init(args)
  for p in string.gmatch(os.getenv("PATHS") or "/", "%S+") do
    table.insert(paths, p)
  end
  i = math.random(#paths) - 1
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function done(summary, latency, requests)
  io.write(string.format("XINGCUN requests=%d non2xx=%d errors=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
