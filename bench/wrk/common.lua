-- Shared by every bench/wrk script (loaded with dofile from $BENCH_LUA_DIR): the JSON-RPC
-- request, the error count and the summary line tools/bench.sh parses.
--
-- Environment: BENCH_KEY (the API key; none for the baselines).

bench = {}

local threads = {}

-- A full HTTP request for one JSON-RPC call. Built once per call in init(): formatting a
-- request in request() would make wrk's Lua, not the server, the bottleneck.
function bench.rpc(method, params_json)
  local body = '{"jsonrpc":"2.0","id":1,"method":"' .. method .. '","params":' ..
      params_json .. '}'
  return wrk.format("POST", "/api/nfs/" .. method, nil, body)
end

function bench.get(path)
  return wrk.format("GET", path)
end

-- Splits s on sep, dropping empty pieces.
function bench.split(s, sep)
  local out = {}
  for piece in string.gmatch(s or "", "[^" .. sep .. "]+") do
    table.insert(out, piece)
  end
  return out
end

-- Makes bench.next cycle through a list of prebuilt requests; each wrk thread starts at its
-- own offset so the threads do not issue the same call in lockstep. wrk decides from the
-- script's top level whether requests are dynamic, so each script still defines request().
function bench.cycle(requests)
  local i = thread_index or 0
  bench.next = function()
    i = i % #requests + 1
    return requests[i]
  end
end

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local key = os.getenv("BENCH_KEY")
wrk.headers["Content-Type"] = "application/json"
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

rpc_errors = 0

-- A JSON-RPC error comes back with HTTP 200 and an "error" member. wrk counts non-2xx
-- answers itself, so only 2xx answers are looked at here.
function response(status, headers, body)
  if status < 300 and body and string.find(body, '"error":{', 1, true) then
    rpc_errors = rpc_errors + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  for _, thread in ipairs(threads) do
    errors = errors + (thread:get("rpc_errors") or 0)
  end
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors))
end
