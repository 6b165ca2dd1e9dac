-- wrk script of the benchmark suite (bench/http_load.py): cycle through request paths read
-- from a file, one per line, and print the figures as one JSON line when the run is done.
--
--   wrk -t1 -c32 -d10s --latency -s bench/lua/paths.lua http://127.0.0.1:8000 -- paths.txt
--
-- Each wrk thread has its own Lua state: it reads the file in init() and starts at its own
-- offset, so threads do not ask for the same number at the same moment.

local paths = {}
local counter = 0
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
end

function init(args)
  local file = args[1]
  if file == nil then
    error("usage: wrk ... -s paths.lua URL -- PATHS_FILE")
  end
  for line in io.lines(file) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no request paths in " .. file)
  end
  local index = thread_index or 1
  counter = ((index - 1) * 7919) % #paths
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, ' ..
    '"latency_mean_us": %.1f, "latency_max_us": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
