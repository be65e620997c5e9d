-- One MCP tool call, repeated, in one session of the key (tools/call over POST /mcp).
--
-- Environment: BENCH_MCP_SESSION (an initialised session of BENCH_KEY), BENCH_TOOL and
-- BENCH_ARGS (the tool's arguments as JSON).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.headers["Mcp-Session-Id"] = os.getenv("BENCH_MCP_SESSION")
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"

-- A tool's failure is a result with isError, not a JSON-RPC error: count it too.
local count_rpc_errors = response
function response(status, headers, body)
  if status < 300 and body and string.find(body, '"isError":true', 1, true) then
    rpc_errors = rpc_errors + 1
  end
  count_rpc_errors(status, headers, body)
end

function init(args)
  local body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"' ..
      os.getenv("BENCH_TOOL") .. '","arguments":' .. os.getenv("BENCH_ARGS") .. '}}'
  bench.cycle({wrk.format("POST", "/mcp", nil, body)})
end

function request() return bench.next() end
