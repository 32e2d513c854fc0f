-- public.lua — the resident's lookup, GET /api/v1/public/tickets/{number}
-- ?code=..., over the tickets of BENCH_SAMPLES, chosen at random.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local list = bench.samples()

function init(args)
   math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0))
end

function request()
   local t = list[math.random(#list)]
   return wrk.format("GET", "/api/v1/public/tickets/" .. t.number .. "?code=" .. t.code)
end
