-- mix.lua — a hotline's traffic: intake : actions : reads ≈ 1 : 5 : 20.
--
-- Each wrk thread keeps its own tickets.  A ticket it created (a channel
-- intake, routed to 红庙坡街道) goes through five actions, each sent with the
-- version the previous answer carried (expected_version) and the token of
-- the party that acts: accept, note, contact, reply (the street office),
-- callback (the centre), which closes it.  Reads are GET /api/v1/tickets/{id}
-- (15 in 20) and the public lookup (5 in 20) over the tickets of
-- BENCH_SAMPLES and the tickets this thread has closed.  When no ticket is
-- waiting for its next action, the slot is a read.
--
-- Environment: BENCH_LUA_DIR, BENCH_SAMPLES, BENCH_TAG, and the tokens
-- BENCH_TOKEN_CHANNEL, BENCH_TOKEN_OPERATOR, BENCH_TOKEN_UNIT.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local tag = os.getenv("BENCH_TAG") or "0"
local channel = "Bearer " .. (os.getenv("BENCH_TOKEN_CHANNEL") or "")
local operator = "Bearer " .. (os.getenv("BENCH_TOKEN_OPERATOR") or "")
local unit = "Bearer " .. (os.getenv("BENCH_TOKEN_UNIT") or "")

local intake_body = bench.read_file(os.getenv("BENCH_LUA_DIR") .. "/intake-body.json")

-- The five actions, in order: path, token, body (without expected_version).
local steps = {
   {"accept", unit, '{'},
   {"note", unit, '{"note":"已安排网格员到现场核实",'},
   {"contact", unit, '{'},
   {"reply", unit, '{"result":"已责令工地夜间停工，并安排夜间巡查",'},
   {"callback", operator, '{"contacted":true,"resolved":true,"satisfaction":5,'},
}

local samples = bench.samples()
local ready = {}   -- tickets waiting for their next action: {id=, version=, step=}
local rhead, rtail = 1, 0
local active = {}  -- id -> step index of the action in flight or next
local closed = {}  -- ids this thread closed, read later
local n = 0
counts = {intake = 0, action = 0, get = 0, public = 0, ok = 0, bad = 0}

local threads = {}
local next_thread = 1

function setup(thread)
   thread:set("thread_id", next_thread)
   next_thread = next_thread + 1
   threads[#threads + 1] = thread
end

function init(args)
   bench.seed(thread_id)
end

local function pop_ready()
   if rhead > rtail then
      return nil
   end
   local t = ready[rhead]
   ready[rhead] = nil
   rhead = rhead + 1
   return t
end

local function read_request(slot)
   if slot >= 21 and #samples > 0 then
      local s = samples[math.random(#samples)]
      counts.public = counts.public + 1
      return wrk.format("GET", "/api/v1/public/tickets/" .. s.number .. "?code=" .. s.code)
   end
   local id
   if #closed > 0 and (#samples == 0 or math.random(2) == 1) then
      id = closed[math.random(#closed)]
   elseif #samples > 0 then
      id = samples[math.random(#samples)].id
   end
   if id == nil then
      return nil
   end
   counts.get = counts.get + 1
   return wrk.format("GET", "/api/v1/tickets/" .. id, {["Authorization"] = operator})
end

local function intake_request()
   counts.intake = counts.intake + 1
   return wrk.format("POST", "/api/v1/tickets", {
      ["Authorization"] = channel,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("mix-%s-%d-%d", tag, thread_id or 0, n),
   }, bench.caller(intake_body))
end

function request()
   n = n + 1
   local slot = n % 26
   if slot == 0 then
      return intake_request()
   end
   if slot <= 5 then
      local t = pop_ready()
      if t ~= nil then
         local s = steps[t.step]
         counts.action = counts.action + 1
         return wrk.format("POST", "/api/v1/tickets/" .. t.id .. "/" .. s[1], {
            ["Authorization"] = s[2],
            ["Content-Type"] = "application/json",
         }, s[3] .. '"expected_version":' .. t.version .. '}')
      end
   end
   return read_request(slot) or intake_request()
end

function response(status, headers, body)
   if status >= 400 then
      counts.bad = counts.bad + 1
      return
   end
   counts.ok = counts.ok + 1
   if status ~= 200 and status ~= 201 then
      return
   end
   local id, st, version = body:match('^{"id"%s*:%s*"([^"]+)",%s*"number"%s*:%s*"[^"]*",%s*' ..
                                      '"status"%s*:%s*"([%w_]+)",%s*"version"%s*:%s*(%d+)')
   if id == nil then
      return
   end
   local step
   if status == 201 then
      step = 1 -- a ticket this thread just created
   else
      step = active[id]
      if step == nil then
         return -- a read
      end
      step = step + 1
   end
   if step > #steps then
      active[id] = nil
      if #closed < 10000 then
         closed[#closed + 1] = id
      end
      return
   end
   active[id] = step
   rtail = rtail + 1
   ready[rtail] = {id = id, version = tonumber(version), step = step}
end

function bench.extra()
   local sum = {intake = 0, action = 0, get = 0, public = 0, bad = 0}
   for _, t in ipairs(threads) do
      local c = t:get("counts")
      for k, _ in pairs(sum) do
         sum[k] = sum[k] + (c and c[k] or 0)
      end
   end
   return string.format(" intake=%d action=%d get=%d public=%d bad=%d",
                        sum.intake, sum.action, sum.get, sum.public, sum.bad)
end
