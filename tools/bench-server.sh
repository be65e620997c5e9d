# Sourced by the benchmark scripts (bench-cli.sh, bench-mount.sh): a release server for one
# run, on SQLite with durability full in "$work/data", as the fixed admin key.
#
# start_bench_server NEXUS_BINARY: starts it in the background, waits for its port, sets
# server_pid, and exports NEXUS_URL, NEXUS_API_KEY and HOME (= $work) for the `nexus` commands
# that follow. Needs $work and $admin_key; the caller's cleanup stops $server_pid.
start_bench_server() {
  NEXUS_ADMIN_API_KEY=$admin_key "$1" serve --host 127.0.0.1 --port 0 \
    --data-dir "$work/data" --durability full >"$work/server.log" 2>&1 &
  server_pid=$!
  local port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*serving on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$work/server.log")
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$work/server.log" >&2; exit 1; }
  export NEXUS_URL=http://127.0.0.1:$port NEXUS_API_KEY=$admin_key HOME=$work
}
