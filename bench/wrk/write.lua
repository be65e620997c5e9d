-- Writes of 1 KiB, one path per writer: connections/threads paths per wrk thread under
-- BENCH_DIR. wrk does not tell a script which connection asks, so each thread rotates over its
-- own paths; with every connection busy that gives each path one writer at a time.
--
-- Environment: BENCH_DIR (a directory the key may write), BENCH_WRITERS (the connections).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  local per_thread = math.max(1, math.floor(tonumber(os.getenv("BENCH_WRITERS")) /
      tonumber(os.getenv("BENCH_THREADS"))))
  local content = string.rep("x", 1023) .. "\\n"  -- the JSON escape, not a raw newline
  local requests = {}
  for w = 1, per_thread do
    local path = string.format("%s/w%d-%d.txt", os.getenv("BENCH_DIR"), thread_index, w)
    table.insert(requests, bench.rpc("write",
        '{"path":"' .. path .. '","content":"' .. content .. '"}'))
  end
  bench.cycle(requests)
end

function request() return bench.next() end
