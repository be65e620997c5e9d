#!/usr/bin/env bash
# A whole Nexus cluster on this machine (docs/deployment.md, "Several nodes"), for trying it
# and for the cluster tests:
#
#   PostgreSQL 15 under pg_auto_failover: a monitor, a primary and a synchronous standby,
#     with the monitor's health checks tightened so that a failover takes seconds;
#   NODES `nexus serve` (3) on the primary, through a multi-host URL with
#     target_session_attrs=read-write, so they follow whichever server is primary;
#   HAProxy in front, checking GET /health every 500 ms.
#
#   tools/cluster.sh start DIR        start everything under DIR (empty or absent) and wait
#   tools/cluster.sh stop DIR         stop everything and remove DIR
#   tools/cluster.sh status DIR       the database's state and each node's /health
#   tools/cluster.sh kill-node DIR N  SIGKILL nexus node N (1-based)
#   tools/cluster.sh start-node DIR N start node N again, on its port and data directory
#   tools/cluster.sh kill-primary DIR SIGKILL the primary's keeper and server (a lost machine)
#   tools/cluster.sh primary DIR      the name of the server that is primary now (db1 or db2)
#   tools/cluster.sh run CMD...       start in a temporary directory, run CMD, stop; CMD sees
#                                     the variables of DIR/env
#
# DIR/env (sourced by `run`) holds NEXUS_CLUSTER_DIR, NEXUS_CLUSTER_URL (the balancer),
# NEXUS_CLUSTER_NODE_PORTS (space separated), NEXUS_CLUSTER_DATABASE_URL and
# NEXUS_ADMIN_API_KEY. The binaries come from NEXUS_BUILD (build/release).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${NEXUS_BUILD:-$root/build/release}
nodes=${NODES:-3}
pg_bin=/usr/lib/postgresql/15/bin
admin_key=${NEXUS_ADMIN_API_KEY:-sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee}

die() {
  echo "cluster: $*" >&2
  exit 1
}

# PostgreSQL and pg_autoctl refuse to run as root: under root (CI) they run as `postgres`.
pg_user=""
if [[ $(id -u) -eq 0 ]]; then
  id -u postgres >/dev/null 2>&1 || die "user postgres is missing (install postgresql-15)"
  pg_user=postgres
fi

# Runs a PostgreSQL tool as the server user with pg_autoctl's files under DIR, not in a home.
as_pg() {
  local env=(env "XDG_CONFIG_HOME=$dir/pg/config" "XDG_DATA_HOME=$dir/pg/share"
    "PG_CONFIG=$pg_bin/pg_config" "PATH=$pg_bin:$PATH")
  if [[ -n $pg_user ]]; then
    (cd "$dir/pg" && runuser -u "$pg_user" -- "${env[@]}" "$@")
  else
    (cd "$dir/pg" && "${env[@]}" "$@")
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The first port from $1 not in use and not taken yet by this script.
taken=" "
free_port() {
  local p=$1
  while port_in_use "$p" || [[ $taken == *" $p "* ]]; do p=$((p + 1)); done
  taken+="$p "
  echo "$p"
}

# Runs a step whose output goes to LOG; on failure shows the log's end and stops.
logged() {  # logged LOG COMMAND...
  local log=$1
  shift
  "$@" >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "failed: $*"; }
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$what did not happen within ${seconds} s (logs in $dir)"
}

monitor_sql() {
  "$pg_bin/psql" -h 127.0.0.1 -p "$MONITOR_PORT" -U "${pg_user:-$(id -un)}" -d pg_auto_failover \
    -Atqc "$1"
}

state_of() {  # the reported state of db1 or db2
  monitor_sql "SELECT reportedstate FROM pgautofailover.node WHERE nodename = '$1'"
}

both_settled() {
  local a b
  a=$(state_of db1)
  b=$(state_of db2)
  [[ ($a == primary && $b == secondary) || ($a == secondary && $b == primary) ]]
}

start_database() {
  mkdir -p "$dir/pg"
  [[ -n $pg_user ]] && chown "$pg_user" "$dir/pg"
  logged "$dir/pg/monitor.create.log" as_pg pg_autoctl create monitor --pgdata "$dir/pg/monitor" \
    --pgport "$MONITOR_PORT" --listen 127.0.0.1 --hostname 127.0.0.1 --auth trust --no-ssl
  as_pg pg_autoctl run --pgdata "$dir/pg/monitor" >"$dir/pg/monitor.log" 2>&1 &
  wait_for 60 "the monitor's start" monitor_sql "SELECT 1"
  # Failover in seconds rather than the default half minute: a node is unhealthy after
  # 3 s without an answer to the monitor's checks.
  local setting
  for setting in health_check_period=1000 health_check_timeout=1000 health_check_max_retries=1 \
    health_check_retry_delay=500 node_considered_unhealthy_timeout=3000 \
    primary_demote_timeout=5000; do
    monitor_sql "ALTER SYSTEM SET pgautofailover.${setting%%=*} = ${setting#*=}" >/dev/null
  done
  monitor_sql "SELECT pg_reload_conf()" >/dev/null
  local monitor_url="postgres://autoctl_node@127.0.0.1:$MONITOR_PORT/pg_auto_failover?sslmode=disable"
  local i port
  for i in 1 2; do
    port=DB${i}_PORT
    logged "$dir/pg/db$i.create.log" as_pg pg_autoctl create postgres --pgdata "$dir/pg/db$i" \
      --pgport "${!port}" --listen 127.0.0.1 --hostname 127.0.0.1 --name "db$i" --auth trust \
      --no-ssl --dbname nexus --username nexus --monitor "$monitor_url"
    # pg_basebackup of the standby waits for a spread checkpoint (minutes by default):
    # with the primary's checkpoint forced, it waits seconds.
    if [[ $i -eq 2 ]]; then
      ("$pg_bin/psql" -h 127.0.0.1 -p "$DB1_PORT" -U nexus -d nexus -qc CHECKPOINT
        sleep 2
        "$pg_bin/psql" -h 127.0.0.1 -p "$DB1_PORT" -U nexus -d nexus -qc CHECKPOINT) \
        >/dev/null 2>&1 &
    fi
    as_pg pg_autoctl run --pgdata "$dir/pg/db$i" >"$dir/pg/db$i.log" 2>&1 &
    [[ $i -eq 1 ]] && wait_for 90 "db1's start as primary" \
      "$pg_bin/psql" -h 127.0.0.1 -p "$DB1_PORT" -U nexus -d nexus -qc "SELECT 1"
  done
  wait_for 120 "a primary with a synchronous standby" both_settled
}

start_node() {  # start_node N
  local n=$1 port_var=NODE$1_PORT
  mkdir -p "$dir/nexus/node$n"
  chmod 0711 "$dir" "$dir/nexus" "$dir/nexus/node$n"  # sandboxes reach their homes
  NEXUS_ADMIN_API_KEY=$admin_key setsid "$build/nexus" serve --host 127.0.0.1 \
    --port "${!port_var}" --data-dir "$dir/nexus/node$n" --database-url "$DATABASE_URL" \
    --node-id "node$n" --drain-seconds 2 >>"$dir/nexus/node$n.log" 2>&1 &
  echo $! >"$dir/nexus/node$n.pid"
  wait_for 60 "node $n's start" curl -sf "http://127.0.0.1:${!port_var}/health"
}

start_balancer() {
  {
    cat <<EOF
global
  maxconn 4096
  pidfile $dir/haproxy.pid
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  # A node that refuses the connection, or answers 503 (nothing done: draining, or its
  # database failing over), is tried again on another node.
  retries 3
  option redispatch
  retry-on conn-failure 503
  option http-buffer-request
frontend nexus
  bind 127.0.0.1:$BALANCER_PORT
  default_backend nodes
backend nodes
  balance roundrobin
  # An MCP session lives on the node that opened it: the balancer learns the session id from
  # the answer to initialize and sends the session's requests there.
  stick-table type string len 64 size 1m expire 1h
  stick on req.hdr(Mcp-Session-Id)
  stick store-response res.hdr(Mcp-Session-Id)
  option httpchk GET /health
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
EOF
    local n port_var
    for n in $(seq "$nodes"); do
      port_var=NODE${n}_PORT
      echo "  server node$n 127.0.0.1:${!port_var} check"
    done
  } >"$dir/haproxy.cfg"
  logged "$dir/haproxy.log" haproxy -f "$dir/haproxy.cfg" -D
  wait_for 30 "the balancer's start" curl -sf "http://127.0.0.1:$BALANCER_PORT/health"
}

write_env() {
  local ports="" n port_var
  for n in $(seq "$nodes"); do
    port_var=NODE${n}_PORT
    ports+="${!port_var} "
  done
  cat >"$dir/env" <<EOF
export NEXUS_CLUSTER_DIR='$dir'
export NEXUS_CLUSTER_URL='http://127.0.0.1:$BALANCER_PORT'
export NEXUS_CLUSTER_NODE_PORTS='${ports% }'
export NEXUS_CLUSTER_DATABASE_URL='$DATABASE_URL'
export NEXUS_ADMIN_API_KEY='$admin_key'
MONITOR_PORT=$MONITOR_PORT
DB1_PORT=$DB1_PORT
DB2_PORT=$DB2_PORT
BALANCER_PORT=$BALANCER_PORT
NODES=$nodes
EOF
  for n in $(seq "$nodes"); do
    port_var=NODE${n}_PORT
    echo "NODE${n}_PORT=${!port_var}" >>"$dir/env"
  done
}

load_env() {
  [[ -f $dir/env ]] || die "no cluster in $dir"
  # shellcheck disable=SC1091
  source "$dir/env"
  nodes=$NODES
  DATABASE_URL=$NEXUS_CLUSTER_DATABASE_URL
}

cmd_start() {
  mkdir -p "$dir"
  [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
  [[ -x $build/nexus ]] || die "$build/nexus is missing (make build)"
  command -v pg_autoctl >/dev/null || die "pg_autoctl is missing (make deps)"
  command -v haproxy >/dev/null || die "haproxy is missing (make deps)"
  chmod 0755 "$dir"
  # Below the kernel's ephemeral range (32768-60999 on Debian): a port in it can be the local
  # end of any client's connection at the moment PostgreSQL binds it, which a listening check
  # cannot see.
  MONITOR_PORT=$(free_port 25400)
  DB1_PORT=$(free_port 25410)
  DB2_PORT=$(free_port 25420)
  BALANCER_PORT=$(free_port 28000)
  local n
  for n in $(seq "$nodes"); do
    printf -v "NODE${n}_PORT" '%s' "$(free_port $((28100 + n)))"
  done
  DATABASE_URL="postgresql://nexus@127.0.0.1:$DB1_PORT,127.0.0.1:$DB2_PORT/nexus"
  DATABASE_URL+="?target_session_attrs=read-write&connect_timeout=2"
  write_env
  start_database
  for n in $(seq "$nodes"); do start_node "$n"; done
  start_balancer
  echo "cluster: $nodes nodes behind http://127.0.0.1:$BALANCER_PORT; database $DATABASE_URL (in $dir)"
}

cmd_stop() {
  [[ -f $dir/env ]] || return 0
  load_env
  [[ -f $dir/haproxy.pid ]] && kill "$(cat "$dir/haproxy.pid")" 2>/dev/null || true
  local n pid
  for n in $(seq "$nodes"); do
    pid=$(cat "$dir/nexus/node$n.pid" 2>/dev/null || true)
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for n in $(seq "$nodes"); do
    pid=$(cat "$dir/nexus/node$n.pid" 2>/dev/null || true)
    [[ -n $pid ]] && timeout 20 tail --pid="$pid" -f /dev/null 2>/dev/null || true
  done
  local d
  for d in db2 db1 monitor; do
    [[ -d $dir/pg/$d ]] && as_pg pg_autoctl stop --pgdata "$dir/pg/$d" --immediate \
      >/dev/null 2>&1 || true
  done
  # What pg_autoctl did not stop.
  local keeper
  for keeper in $(pgrep -f "pg_autoctl run --pgdata $dir/pg/" || true); do kill_tree "$keeper"; done
  for d in db1 db2 monitor; do
    pid=$(head -1 "$dir/pg/$d/postmaster.pid" 2>/dev/null || true)
    [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
  done
  # A server or keeper of the directory that still runs (one a keeper restarted meanwhile):
  # its ports must be free for the next cluster. Matched by program, not by the directory
  # alone: the caller's own command line may name the directory too.
  pkill -9 -f -- "(postgres|pg_autoctl).* $dir/pg/" 2>/dev/null || true
  rm -rf "$dir"
}

# SIGKILL to a process and everything below it, children first stopped from forking.
kill_tree() {
  local pid=$1 child
  kill -STOP "$pid" 2>/dev/null || true
  for child in $(pgrep -P "$pid" || true); do kill_tree "$child"; done
  kill -9 "$pid" 2>/dev/null || true
}

cmd_status() {
  load_env
  as_pg pg_autoctl show state --pgdata "$dir/pg/monitor" || true
  local n port_var
  for n in $(seq "$nodes"); do
    port_var=NODE${n}_PORT
    printf 'node%s 127.0.0.1:%s  %s\n' "$n" "${!port_var}" \
      "$(curl -s "http://127.0.0.1:${!port_var}/health" || echo down)"
  done
}

cmd_primary() {
  load_env
  monitor_sql "SELECT nodename FROM pgautofailover.node WHERE reportedstate IN
    ('primary', 'wait_primary', 'single') ORDER BY reportedstate LIMIT 1"
}

cmd_kill_primary() {
  load_env
  local name
  name=$(cmd_primary)
  [[ -n $name ]] || die "no primary"
  local keepers keeper
  keepers=$(pgrep -f "pg_autoctl run --pgdata $dir/pg/$name\$" || true)
  [[ -n $keepers ]] || die "no keeper for $name"
  for keeper in $keepers; do kill_tree "$keeper"; done
  echo "$name"
}

case ${1:-} in
  start | stop | status | primary | kill-primary)
    [[ $# -eq 2 ]] || die "usage: $0 $1 DIR"
    dir=$(realpath -m "$2")
    "cmd_${1//-/_}"
    ;;
  kill-node | start-node)
    [[ $# -eq 3 ]] || die "usage: $0 $1 DIR N"
    dir=$(realpath -m "$2")
    load_env
    if [[ $1 == kill-node ]]; then
      kill -9 "$(cat "$dir/nexus/node$3.pid")"
    else
      start_node "$3"
    fi
    ;;
  run)
    shift
    [[ $# -gt 0 ]] || die "usage: $0 run CMD..."
    dir=$(mktemp -d /tmp/nexus-cluster.XXXXXX)
    trap 'cmd_stop' EXIT
    cmd_start
    # shellcheck disable=SC1091
    (source "$dir/env" && "$@")
    ;;
  *)
    sed -n '2,24p' "$0" >&2
    exit 2
    ;;
esac
