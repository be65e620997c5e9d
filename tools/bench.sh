#!/usr/bin/env bash
# Usage: tools/bench.sh <build-dir> sqlite|postgres|cluster|report
#
# `make bench` (docs/performance.md). Each engine section starts the release server
# (`nexus serve --demo --durability full`) on a fresh data directory and a free port, loads a
# fixed data set through the RPC API, and runs each workload with wrk (bench/wrk/*.lua) at
# BENCH_CONNECTIONS (64) connections for BENCH_SECONDS (10) after BENCH_WARMUP (3) seconds of
# warm-up. The baselines run in the same section: nginx serving a static file, our GET /health
# and a bare SQLite commit loop (sqlite), pgbench -S (postgres, run under
# tools/with-postgres.sh). Each measured row is appended to $BENCH_OUT/rows.tsv; `report`
# prints the table and writes $BENCH_OUT/latest.json. Builds nothing: `make bench` builds first.
set -euo pipefail
# shellcheck source=tools/nginx-conf.sh
source "$(dirname "$0")/nginx-conf.sh"

if [[ $# -ne 2 || ($2 != sqlite && $2 != postgres && $2 != cluster && $2 != report) ]]; then
  echo "usage: $0 <build-dir> sqlite|postgres|cluster|report" >&2
  exit 2
fi
build=$1
mode=$2
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-64}
threads=2
out=${BENCH_OUT:-build/bench}
rows=$out/rows.tsv
admin_key=sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
home=/tenant:default/user:admin
pg_bin=${NEXUS_PG_BIN:-/usr/lib/postgresql/15/bin}
export BENCH_LUA_DIR=$root/bench/wrk BENCH_THREADS=$threads

# ---- the report --------------------------------------------------------------------------

# rows.tsv: workload engine requests duration_us p50_us p99_us errors baseline min_ratio
# max_p99_ms zero_errors rss_kib max_rss_mib ("-" where a column does not apply; a memory row
# has only the last two). The ratio is requests/s over the baseline's requests/s from the same
# run.
report() {
  awk -F'\t' -v json="$out/latest.json" '
    function num(x) { return x == "-" ? "null" : x }
    function str(x) { return x == "-" ? "null" : "\"" x "\"" }
    {
      n++
      w[n] = $1; e[n] = $2; rps[n] = $4 > 0 ? $3 / ($4 / 1e6) : 0
      p50[n] = $5 / 1000; p99[n] = $6 / 1000; err[n] = $7
      base[n] = $8; minr[n] = $9; maxp[n] = $10; zero[n] = $11; rss[n] = $12; maxrss[n] = $13
      # Any row can be a baseline: its own engine'\''s when that engine measured it (mcp-read-admin
      # against read-admin), else the last one measured (health against the SQLite run'\''s nginx).
      baseline_rps[$1] = rps[n]; baseline_rps[$2 "/" $1] = rps[n]
    }
    END {
      fmt = "%-26s %-8s %10s %8s %8s %7s %-13s %6s %-30s %s\n"
      printf fmt, "workload", "engine", "req/s", "p50 ms", "p99 ms", "errors", "baseline",
             "ratio", "target", "met"
      print "[" > json
      for (i = 1; i <= n; i++) {
        if (rss[i] != "-") {
          mib = rss[i] / 1024
          met = mib < maxrss[i] + 0 ? "yes" : "no"
          printf fmt, w[i], e[i], "-", "-", "-", "-", "-", "-",
                 sprintf("RSS %.1f MiB < %s MiB", mib, maxrss[i]), met
          printf "  {\"workload\": \"%s\", \"engine\": \"%s\", \"rps\": null, " \
                 "\"p50_ms\": null, \"p99_ms\": null, \"errors\": null, \"baseline\": null, " \
                 "\"ratio\": null, \"target\": \"< %s MiB\", \"met\": %s, \"rss_mib\": %.1f}%s\n",
                 w[i], e[i], maxrss[i], met == "yes" ? "true" : "false", mib,
                 i < n ? "," : "" > json
          continue
        }
        ratio = "-"; target = ""; met = "-"
        b = (e[i] "/" base[i]) in baseline_rps ? e[i] "/" base[i] : base[i]
        if (base[i] != "-" && baseline_rps[b] > 0)
          ratio = sprintf("%.2f", rps[i] / baseline_rps[b])
        if (minr[i] != "-") {
          target = ">= " minr[i] " x " base[i]
          met = (ratio != "-" && ratio + 0 >= minr[i] + 0) ? "yes" : "no"
        }
        if (maxp[i] != "-") {
          target = target (target == "" ? "" : ", ") "p99 < " maxp[i] " ms"
          met = (met != "no" && p99[i] < maxp[i] + 0) ? "yes" : "no"
        }
        if (zero[i] == "yes") {
          target = target (target == "" ? "" : ", ") "0 errors"
          met = (met != "no" && err[i] == 0) ? "yes" : "no"
        }
        if (target == "") target = "-"
        printf fmt, w[i], e[i], sprintf("%.0f", rps[i]), sprintf("%.2f", p50[i]),
               sprintf("%.2f", p99[i]), err[i], base[i], ratio, target, met
        printf "  {\"workload\": \"%s\", \"engine\": \"%s\", \"rps\": %.1f, \"p50_ms\": %.3f, " \
               "\"p99_ms\": %.3f, \"errors\": %d, \"baseline\": %s, \"ratio\": %s, " \
               "\"target\": %s, \"met\": %s, \"rss_mib\": null}%s\n",
               w[i], e[i], rps[i], p50[i], p99[i], err[i], str(base[i]), num(ratio),
               str(target), met == "-" ? "null" : (met == "yes" ? "true" : "false"),
               i < n ? "," : "" > json
      }
      print "]" > json
    }' "$rows"
  echo "rows written to $out/latest.json"
}

if [[ $mode == report ]]; then
  report
  exit 0
fi

# ---- processes and cleanup ---------------------------------------------------------------

dir=$(mktemp -d /tmp/nexus-bench.XXXXXX)
chmod 0711 "$dir"  # nginx's unprivileged user must reach its files
pids=()
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$out"

fail() {
  echo "bench: $*" >&2
  exit 1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local candidate
  for candidate in $(seq 18080 18179); do
    port_in_use "$candidate" || {
      echo "$candidate"
      return
    }
  done
  fail "no free port in 18080-18179"
}

# Waits until <url> answers 200; fails when process <pid> exits first.
wait_http() {
  local url=$1 pid=$2 log=$3
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return
    kill -0 "$pid" 2>/dev/null || fail "$(cat "$log")"
    sleep 0.1
  done
  fail "$url did not answer within 60 s"
}

# Starts the server on a fresh data directory; sets server_pid and base.
start_server() {
  # --mcp-allow-private-networks: the gateway row mounts this server's own /mcp.
  local args=(serve --demo --durability full --host 127.0.0.1 --port 0 --data-dir "$dir/data"
    --mcp-allow-private-networks)
  [[ $mode == postgres ]] && args+=(--database-url "$NEXUS_TEST_PG_URL")
  NEXUS_ADMIN_API_KEY=$admin_key "$build/nexus" "${args[@]}" >"$dir/server.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  local port=""
  for _ in $(seq 600); do
    port=$(grep -oE 'serving on http://[^ ]+:[0-9]+' "$dir/server.log" | grep -oE '[0-9]+$' || true)
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || fail "the server did not start: $(cat "$dir/server.log")"
    sleep 0.1
  done
  [[ -n $port ]] || fail "no banner from the server within 60 s"
  base=http://127.0.0.1:$port
  wait_http "$base/health" "$server_pid" "$dir/server.log"
}

# Serves a static 60-byte JSON file with nginx on loopback (2 workers, no daemon, as an
# unprivileged user when run as root); sets nginx_url.
start_nginx() {
  local ng=$dir/nginx port
  port=$(free_port)
  mkdir -p "$ng/www" "$ng/tmp"
  printf '{"status":"healthy","service":"nexus","padding":"xxxxxxxxx"}' >"$ng/www/health.json"
  write_nginx_conf "$ng" "$port" "    location / { root $ng/www; default_type application/json; }"
  local run=()
  if [[ $(id -u) -eq 0 ]]; then
    chown -R nobody "$ng"
    run=(runuser -u nobody --)
  fi
  "${run[@]}" nginx -p "$ng" -e "$ng/error.log" -c "$ng/nginx.conf" >"$ng/stdout.log" 2>&1 &
  pids+=("$!")
  nginx_url=http://127.0.0.1:$port/health.json
  wait_http "$nginx_url" "$!" "$ng/error.log"
}

# ---- provisioning ------------------------------------------------------------------------

# rpc <key> <method> <params JSON>: prints the response; fails on a JSON-RPC error.
rpc() {
  local answer
  answer=$(curl -sS -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$base/api/nfs/$2")
  [[ $answer == *'"error":{'* ]] && fail "$2 $3: $answer"
  printf '%s' "$answer"
}

kib=$(printf 'x%.0s' $(seq 1023))

write_file() {
  rpc "$admin_key" write "{\"path\":\"$1\",\"content\":\"$kib\n\"}" >/dev/null
}

# The fixed data set: a 1 KiB file; a reader key with read permission on a file through a
# grant three directory levels above it; a 100-entry directory. The demo brings six skills.
provision() {
  write_file "$home/bench/file.txt"
  [[ $mode == postgres ]] && return
  write_file "$home/bench/shared/a/b/file.txt"
  local created
  created=$(rpc "$admin_key" admin_create_key '{"user_id":"bench-reader","name":"bench"}')
  reader_key=$(grep -oE '"api_key":"[^"]+"' <<<"$created" | cut -d'"' -f4)
  rpc "$admin_key" rebac_create "{\"subject\":[\"user\",\"bench-reader\"],\
\"relation\":\"direct_viewer\",\"object\":[\"file\",\"$home/bench/shared\"]}" >/dev/null
  rpc "$reader_key" read "{\"path\":\"$home/bench/shared/a/b/file.txt\"}" >/dev/null
  for i in $(seq -w 100); do write_file "$home/bench/dir100/f$i.txt"; done
  local skills
  skills=$(rpc "$admin_key" skills_list '{}')
  skill_files=$(grep -oE '"file_path":"[^"]+"' <<<"$skills" | cut -d'"' -f4 | tr '\n' ' ')
  [[ $(wc -w <<<"$skill_files") -eq 6 ]] || fail "the demo should have six skills: $skills"
}

# mcp_session <key>: initialises an MCP session of the key and prints its id.
mcp_session() {
  curl -sS -D - -o /dev/null -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}' \
    "$base/mcp" | tr -d '\r' | awk -F': ' 'tolower($1) == "mcp-session-id" { print $2 }'
}

# ---- measuring ---------------------------------------------------------------------------

# measure <workload> <baseline> <min ratio> <max p99 ms> <zero errors> <script> <url> [wrk
# args]: a warm-up run, then the measured run; appends its row. The script's environment
# (BENCH_KEY, BENCH_CALLS, ...) is the caller's.
measure() {
  local workload=$1 baseline=$2 min_ratio=$3 max_p99=$4 zero=$5 script=$6 url=$7
  shift 7
  local wrk_args=(-t "$threads" -c "$connections" --timeout 10s -s "$BENCH_LUA_DIR/$script" "$@")
  echo "== $workload ($mode): warm-up ${warmup} s, ${seconds} s at $connections connections" >&2
  wrk "${wrk_args[@]}" -d "${warmup}s" "$url" >/dev/null
  local summary
  summary=$(wrk "${wrk_args[@]}" -d "${seconds}s" "$url" | grep '^BENCH ') ||
    fail "$workload: wrk printed no summary"
  record "$workload" "$baseline" "$min_ratio" "$max_p99" "$zero" "$summary"
}

# record <workload> <baseline> <min ratio> <max p99 ms> <zero errors> <BENCH line>
record() {
  local line=$6 fields=()
  local key
  for key in requests duration_us p50_us p99_us errors; do
    fields+=("$(grep -oE "$key=[0-9]+" <<<"$line" | cut -d= -f2)")
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\t-\n' "$1" "$mode" "${fields[@]}" "$2" \
    "$3" "$4" "$5" >>"$rows"
}

# record_memory <workload> <max MiB>: the server's peak RSS so far (VmHWM).
record_memory() {
  local kib
  kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
  printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%s\t%s\n' "$1" "$mode" "$kib" "$2" >>"$rows"
}

# pgbench_row <workload> <pgbench script args...>: pgbench at the same client count in its
# own database of the same cluster, a warm-up then the measured run, recorded as a row.
pgbench_row() {
  local workload=$1 db_url=${NEXUS_TEST_PG_URL/nexus_test/pgbench}
  shift
  echo "== $workload: warm-up ${warmup} s, ${seconds} s at $connections clients" >&2
  "$pg_bin/pgbench" "$@" -n -c "$connections" -j "$threads" -T "$warmup" "$db_url" >/dev/null 2>&1
  local report_file=$dir/$workload.out
  rm -f "$dir"/pgbench_log.*
  (cd "$dir" && "$pg_bin/pgbench" "$@" -n -c "$connections" -j "$threads" -T "$seconds" -l \
    --log-prefix="$dir/pgbench_log" "$db_url" >"$report_file" 2>&1) || fail "$(cat "$report_file")"
  # Per-transaction log lines: client transaction latency_us script epoch_s epoch_us.
  local summary
  summary=$(cat "$dir"/pgbench_log.* | awk -v s="$seconds" '{ print $3 }' | sort -n | awk \
    -v s="$seconds" -v failed="$(grep -oE 'failed transactions: [0-9]+' "$report_file" |
      grep -oE '[0-9]+$' || echo 0)" '
      { l[NR] = $1 }
      END { printf "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
                   NR, s * 1e6, l[int(NR * 0.50) + 1], l[int(NR * 0.99) + 1], failed }')
  record "$workload" - - - - "$summary"
}

# The PostgreSQL ceiling for reads: pgbench's select-only script, after the server stopped.
pg_select() {
  local db_url=${NEXUS_TEST_PG_URL/nexus_test/pgbench}
  "$pg_bin/psql" -q "$NEXUS_TEST_PG_URL" -c 'CREATE DATABASE pgbench' >/dev/null
  "$pg_bin/pgbench" -i -q "$db_url" >/dev/null 2>&1 || fail "pgbench -i failed"
  pgbench_row pg-select -S
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || fail "the server did not stop cleanly: $(tail -n 20 "$dir/server.log")"
  pids=("${pids[@]/$server_pid/}")
}

run_sqlite() {
  start_nginx
  start_server
  provision
  record_memory rss-idle 30
  measure nginx - - - - get.lua "$nginx_url"
  measure health nginx 0.70 - - get.lua "$base/health"
  BENCH_KEY=$admin_key BENCH_CALLS="read {\"path\":\"$home/bench/file.txt\"}" \
    measure read-admin health 0.50 - - rpc.lua "$base"
  BENCH_KEY=$admin_key BENCH_MCP_SESSION=$(mcp_session "$admin_key") BENCH_TOOL=nexus_read_file \
    BENCH_ARGS="{\"path\":\"$home/bench/file.txt\"}" \
    measure mcp-read-admin read-admin 0.80 - yes mcp.lua "$base"
  # The gateway's cost: the same tool through a mount of this server's own /mcp, one call at a
  # time, against calling it directly (docs/performance.md: p50 difference < 1 ms).
  rpc "$admin_key" mcp_mount "{\"name\":\"self\",\"url\":\"$base/mcp\",\
\"headers\":{\"Authorization\":\"Bearer $admin_key\"}}" >/dev/null
  local session
  session=$(mcp_session "$admin_key")
  BENCH_KEY=$admin_key BENCH_MCP_SESSION=$session BENCH_TOOL=nexus_read_file \
    BENCH_ARGS="{\"path\":\"$home/bench/file.txt\"}" \
    measure mcp-read-1-connection - - - yes mcp.lua "$base" -t 1 -c 1
  BENCH_KEY=$admin_key BENCH_MCP_SESSION=$session BENCH_TOOL=self__nexus_read_file \
    BENCH_ARGS="{\"path\":\"$home/bench/file.txt\"}" \
    measure mcp-gateway-read-1-connection mcp-read-1-connection - - yes mcp.lua "$base" -t 1 -c 1
  BENCH_KEY=$reader_key BENCH_CALLS="read {\"path\":\"$home/bench/shared/a/b/file.txt\"}" \
    measure read-inherited-3 health 0.40 - - rpc.lua "$base"
  BENCH_KEY=$admin_key BENCH_CALLS="exists {\"path\":\"$home/bench/file.txt\"}
get_metadata {\"path\":\"$home/bench/file.txt\"}" \
    measure exists-get_metadata health 0.60 - - rpc.lua "$base"
  BENCH_KEY=$admin_key BENCH_CALLS="list {\"path\":\"$home/bench/dir100/\",\"details\":true}" \
    measure list-100-details health 0.20 - - rpc.lua "$base"
  BENCH_KEY=$admin_key BENCH_CALLS="skills_list {}" \
    measure skills_list-6 health 0.30 - - rpc.lua "$base"
  BENCH_KEY=$admin_key BENCH_HOME=$home BENCH_SKILL_FILES=$skill_files \
    BENCH_SANDBOXES=${BENCH_SANDBOXES:-} measure seed-waves-mixed health - 20 yes mixed.lua "$base"
  BENCH_KEY=$admin_key BENCH_DIR=$home/bench/writes BENCH_WRITERS=$connections \
    measure write-1k-full sqlite-commit 3 50 - write.lua "$base"
  BENCH_KEY=$admin_key BENCH_HOME=$home BENCH_SKILL_FILES=$skill_files \
    BENCH_SANDBOXES=${BENCH_SANDBOXES:-} connections=256 \
    measure seed-waves-mixed-256 health - - - mixed.lua "$base"
  record_memory rss-256-connections 256
  echo "== sqlite-commit: ${seconds} s" >&2
  record sqlite-commit - - - - "$("$build/src/bench/sqlite_commit_bench" "$seconds" "$dir")"
  stop_server
}

run_postgres() {
  : "${NEXUS_TEST_PG_URL:?run under tools/with-postgres.sh}"
  start_server
  provision
  BENCH_KEY=$admin_key BENCH_CALLS="read {\"path\":\"$home/bench/file.txt\"}" \
    measure read-admin pg-select 0.30 - - rpc.lua "$base"
  stop_server
  pg_select
}

# ---- several nodes -----------------------------------------------------------------------

# start_node <n>: node n (own data directory and id) on the database; sets node_ports[n].
start_node() {
  local n=$1 port
  port=$(free_port)
  NEXUS_ADMIN_API_KEY=$admin_key "$build/nexus" serve --durability full --host 127.0.0.1 \
    --port "$port" --data-dir "$dir/node$n" --node-id "bench$n" \
    --database-url "$NEXUS_TEST_PG_URL" >"$dir/node$n.log" 2>&1 &
  pids+=("$!")
  wait_http "http://127.0.0.1:$port/health" "$!" "$dir/node$n.log"
  node_ports[$n]=$port
}

# (Re)starts HAProxy over the nodes started so far; sets base to it.
start_balancer() {
  if [[ -n ${balancer_pid:-} ]]; then
    kill "$balancer_pid"
    wait "$balancer_pid" 2>/dev/null || true  # ended by the signal
    pids=("${pids[@]/$balancer_pid/}")
  fi
  local port n
  port=$(free_port)
  {
    printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 2s\n'
    printf '  timeout client 60s\n  timeout server 60s\nfrontend f\n  bind 127.0.0.1:%s\n' "$port"
    printf '  default_backend nodes\nbackend nodes\n  balance roundrobin\n'
    for n in "${!node_ports[@]}"; do
      printf '  server node%s 127.0.0.1:%s\n' "$n" "${node_ports[$n]}"
    done
  } >"$dir/haproxy.cfg"
  haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
  balancer_pid=$!
  pids+=("$balancer_pid")
  base=http://127.0.0.1:$port
  wait_http "$base/health" "$balancer_pid" "$dir/haproxy.log"
}

# The PostgreSQL ceiling for writes: one committed 1 KiB insert per transaction (after
# pg_select made the database).
pg_insert() {
  local db_url=${NEXUS_TEST_PG_URL/nexus_test/pgbench}
  "$pg_bin/psql" -q "$db_url" -c 'CREATE TABLE kib (id bigserial PRIMARY KEY, v text)'
  printf "INSERT INTO kib (v) VALUES (repeat('x', 1024));\n" >"$dir/insert.sql"
  pgbench_row pg-insert-1k -f "$dir/insert.sql"
}

# Read and write throughput through HAProxy at 1, 2 and 3 nodes on one database, against
# pgbench on it (docs/performance.md, "Several nodes"). Every node shares the machine's cores
# with the database and the balancer.
run_cluster() {
  : "${NEXUS_TEST_PG_URL:?run under tools/with-postgres.sh}"
  declare -A node_ports=()
  local n
  for n in 1 2 3; do
    start_node "$n"
    start_balancer
    [[ $n -eq 1 ]] && write_file "$home/bench/file.txt"
    BENCH_KEY=$admin_key BENCH_CALLS="read {\"path\":\"$home/bench/file.txt\"}" \
      measure "read-$n-nodes" read-1-nodes - - yes rpc.lua "$base"
    BENCH_KEY=$admin_key BENCH_DIR=$home/bench/w$n BENCH_WRITERS=$connections \
      measure "write-1k-$n-nodes" write-1k-1-nodes - - yes write.lua "$base"
  done
  pg_select
  pg_insert
}

if [[ $mode == sqlite ]]; then
  run_sqlite
elif [[ $mode == postgres ]]; then
  run_postgres
else
  run_cluster
fi
