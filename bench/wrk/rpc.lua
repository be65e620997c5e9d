-- JSON-RPC calls cycled in order, one per request.
--
-- Environment: BENCH_CALLS, one call a line: "<method> <params as JSON>".
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  local requests = {}
  for _, line in ipairs(bench.split(os.getenv("BENCH_CALLS"), "\n")) do
    local method, params = string.match(line, "^(%S+)%s+(.+)$")
    table.insert(requests, bench.rpc(method, params))
  end
  bench.cycle(requests)
end

function request() return bench.next() end
