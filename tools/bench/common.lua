-- common.lua — shared by the wrk scripts of tools/minhu-bench: reading the
-- sample file, and the one result line that minhu-bench parses.
--
-- Each wrk thread runs its own copy of a script (and so of this file); the
-- result line is printed once, from done(), in wrk's main state.

bench = bench or {}

-- Lines of the sample file (BENCH_SAMPLES): "id number query_code", one
-- ticket a line.  Returns a list of {id=, number=, code=}.
function bench.samples()
   local list = {}
   local path = os.getenv("BENCH_SAMPLES")
   if path == nil or path == "" then
      return list
   end
   for line in io.lines(path) do
      local id, number, code = line:match("^(%S+)%s+(%S+)%s+(%S+)")
      if id ~= nil then
         list[#list + 1] = {id = id, number = number, code = code}
      end
   end
   return list
end

-- The whole of a file, without its final line break.
function bench.read_file(path)
   local f = assert(io.open(path, "rb"))
   local s = f:read("*a")
   f:close()
   return (s:gsub("\n$", ""))
end

-- Seeds this thread's random numbers (threads start in the same second).
function bench.seed(thread_id)
   math.randomseed(os.time() * 1000 + 7919 * (thread_id or 0) + math.floor(os.clock() * 1e6))
end

-- body with the caller's phone (13800138000 in intake-body.json) replaced
-- by a random mobile number, as a hotline's callers differ; pgbench's intake
-- draws its phone the same way (tools/bench/pgbench-scripts).
function bench.caller(body)
   return (body:gsub("13800138000", string.format("138%08d", math.random(0, 99999999)), 1))
end

-- Pacing: on average BENCH_DELAY_MS between a connection's requests (0:
-- none), drawn uniformly from half to one and a half times that, so that
-- connections do not stay in step and arrive in bursts.
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0") or 0
if delay_ms > 0 then
   function delay()
      return math.random(math.floor(delay_ms / 2), math.floor(delay_ms * 3 / 2))
   end
end

-- The result line: requests, seconds, errors by kind, latency percentiles (us).
function bench.report(summary, latency, extra)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
      "p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d%s\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, extra or ""))
end

function done(summary, latency, requests)
   bench.report(summary, latency, bench.extra and bench.extra() or "")
end
