-- intake.lua — POST /api/v1/tickets: every request a new ticket (a fresh
-- Idempotency-Key, as a channel that retries safely would send).
--
-- Environment: BENCH_LUA_DIR (this folder), BENCH_TOKEN (a channel or
-- operator token), BENCH_TAG (unique per run, keeps keys unique across
-- runs), BENCH_DELAY_MS (optional pacing).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local token = os.getenv("BENCH_TOKEN")
local tag = os.getenv("BENCH_TAG") or "0"

-- intake-body.json: routed by the demo rules to 红庙坡街道 (610104002), so
-- the ticket is born dispatched; each request has a caller phone of its own.
local body = bench.read_file(os.getenv("BENCH_LUA_DIR") .. "/intake-body.json")

local counter = 0
local threads = {}
local next_id = 1

function setup(thread)
   thread:set("thread_id", next_id)
   next_id = next_id + 1
   threads[#threads + 1] = thread
end

function request()
   counter = counter + 1
   return wrk.format("POST", "/api/v1/tickets", {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("bench-%s-%d-%d", tag, thread_id or 0, counter),
   }, bench.caller(body))
end

function init(args)
   bench.seed(thread_id)
end
