-- The seed's seven waves (shared/seed/crash-reproduction-guide.md, as src/stress/worker.cc
-- fires them) as one cycle of calls spread over all connections.
--
-- Environment: BENCH_HOME (the admin's home, no trailing slash), BENCH_SKILL_FILES (the
-- demo skills' SKILL.md paths, space separated), BENCH_SANDBOXES (sandbox names for wave
-- six, comma-free and space separated; empty when the machine has no sandbox provider).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local function list(path)
  return bench.rpc("list", '{"path":"' .. path .. '","recursive":false,"details":true}')
end

function init(args)
  local home = os.getenv("BENCH_HOME")
  local tenant = string.match(home, "^(.*)/user:")
  local skills_list = bench.rpc("skills_list", "{}")
  local r = {}
  local function add(req) table.insert(r, req) end
  -- Wave 1: the first page load.
  add(bench.rpc("list_mounts", "{}"))
  add(list("/"))
  add(list(tenant .. "/"))
  add(list(home .. "/"))
  -- Wave 2: agents and permissions.
  add(bench.rpc("list_agents", "{}"))
  add(bench.rpc("rebac_list_tuples", "{}"))
  add(bench.rpc("list_workspaces", "{}"))
  -- Wave 3: concurrent skills_list.
  for _ = 1, 3 do add(skills_list) end
  -- Wave 4: the home's folders.
  for _, dir in ipairs({"skill", "agent", "workspace", "connector", "memory"}) do
    add(list(home .. "/" .. dir .. "/"))
  end
  -- Wave 5: skills_list again.
  for _ = 1, 2 do add(skills_list) end
  -- Wave 6: sandboxes, then the health check.
  for _, name in ipairs(bench.split(os.getenv("BENCH_SANDBOXES"), " ")) do
    add(bench.rpc("sandbox_get_or_create", '{"name":"' .. name .. '"}'))
  end
  add(bench.get("/health"))
  -- Wave 7: the skill files.
  for _, path in ipairs(bench.split(os.getenv("BENCH_SKILL_FILES"), " ")) do
    add(bench.rpc("read", '{"path":"' .. path .. '"}'))
  end
  bench.cycle(r)
end

function request() return bench.next() end
