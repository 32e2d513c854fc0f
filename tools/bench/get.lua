-- get.lua — GET /api/v1/tickets/{id} over the tickets of BENCH_SAMPLES,
-- chosen at random, with BENCH_TOKEN.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local token = os.getenv("BENCH_TOKEN")
local list = bench.samples()
local headers = {["Authorization"] = "Bearer " .. (token or "")}

function init(args)
   math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0))
end

function request()
   local t = list[math.random(#list)]
   return wrk.format("GET", "/api/v1/tickets/" .. t.id, headers)
end
