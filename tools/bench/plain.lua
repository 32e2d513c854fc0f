-- plain.lua — the URL as given (GET /healthz: the bare HTTP ceiling), with
-- the result line of common.lua.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
