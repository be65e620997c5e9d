-- GET of the URL wrk is given (the nginx and health baselines): wrk's own static request,
-- with the shared error count and summary.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
