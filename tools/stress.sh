#!/usr/bin/env bash
# Usage: tools/stress.sh <build-dir> sqlite|postgres
#
# `make stress`: starts `nexus serve --demo` on a fresh data
# directory, runs nexus-stress with STRESS_CLIENTS (256) clients for STRESS_SECONDS (60) with
# STRESS_MIX, verifies the journal of acknowledged writes, stops the server and runs
# `nexus fsck`. postgres uses $NEXUS_TEST_PG_URL (run under tools/with-postgres.sh).
# Exits non-zero when any step fails.
set -euo pipefail

if [[ $# -ne 2 || ($2 != sqlite && $2 != postgres) ]]; then
  echo "usage: $0 <build-dir> sqlite|postgres" >&2
  exit 2
fi
build=$1
engine=$2
seconds=${STRESS_SECONDS:-60}
clients=${STRESS_CLIENTS:-256}
mix=${STRESS_MIX:-waves=3,agents=1,writes=4,rebac=1,skills=1,sandboxes=1}
export NEXUS_ADMIN_API_KEY=${NEXUS_ADMIN_API_KEY:-sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee}

dir=$(mktemp -d /tmp/nexus-stress.XXXXXX)
chmod 0711 "$dir"  # sandboxes run as other users and must reach their homes
# The server runs with its default admission queue (1024): the run shows that the defaults
# carry 256 clients, each with up to four requests in flight, without a 503.
args=(serve --demo --host 127.0.0.1 --port 0 --data-dir "$dir/data")
store_args=(--data-dir "$dir/data")
if [[ $engine == postgres ]]; then
  : "${NEXUS_TEST_PG_URL:?run under tools/with-postgres.sh}"
  args+=(--database-url "$NEXUS_TEST_PG_URL")
  store_args+=(--database-url "$NEXUS_TEST_PG_URL")
fi

pid=""
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

"$build/nexus" "${args[@]}" >"$dir/server.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 600); do
  port=$(grep -oE 'serving on http://[^ ]+:[0-9]+' "$dir/server.log" | grep -oE '[0-9]+$' || true)
  [[ -n $port ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "stress: the server did not start:" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "stress: no banner from the server within 60 s" >&2
  exit 1
fi

echo "== nexus-stress on $engine (${args[*]:1}): $clients clients, ${seconds} s"
status=0
"$build/nexus-stress" --port "$port" --clients "$clients" --duration "$seconds" \
  --mix "$mix" --journal "$dir/journal.jsonl" || status=1
"$build/nexus-stress" --port "$port" --clients 16 --verify "$dir/journal.jsonl" ||
  status=1
kill -TERM "$pid"
if ! wait "$pid"; then
  echo "stress: the server did not stop cleanly" >&2
  status=1
fi
pid=""
"$build/nexus" fsck "${store_args[@]}" || status=1
if [[ $engine == sqlite ]]; then
  check=$(sqlite3 "$dir/data/nexus.db" 'PRAGMA integrity_check')
  echo "integrity_check: $check"
  [[ $check == ok ]] || status=1
fi
exit $status
