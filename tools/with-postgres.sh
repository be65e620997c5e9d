#!/usr/bin/env bash
# Usage: tools/with-postgres.sh <command...>
#
# Runs <command> against a throwaway PostgreSQL 15 cluster: initdb in a fresh directory under
# /tmp, a server listening on a Unix socket in that directory and on 127.0.0.1 (first free
# port from 54320), trust authentication, database `nexus_test`. The command sees
#   NEXUS_TEST_PG_URL  a libpq URL for the database (Unix socket)
#   NEXUS_REQUIRE_PG=1 so PostgreSQL tests fail instead of skipping
# The server is stopped and the directory removed on exit, whatever happens; the script
# exits with the command's status. Settings trade durability for speed: the cluster is
# thrown away.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 <command...>" >&2
  exit 2
fi

pg_bin=${NEXUS_PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x "$pg_bin/initdb" ]]; then
  echo "with-postgres: $pg_bin/initdb not found (install postgresql-15)" >&2
  exit 2
fi

# PostgreSQL refuses to run as root, so under root (CI) the server runs as an unprivileged
# system user; the command itself still runs as the caller.
run_user=""
if [[ $(id -u) -eq 0 ]]; then
  if id -u postgres >/dev/null 2>&1; then
    run_user=postgres
  else
    id -u nexus-pg >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin nexus-pg
    run_user=nexus-pg
  fi
fi

# /tmp rather than $TMPDIR: the socket path must stay under the 107-byte limit and be
# reachable by the server user.
dir=$(mktemp -d /tmp/nexus-pg.XXXXXX)
chmod 0755 "$dir"
[[ -n "$run_user" ]] && chown "$run_user" "$dir"
data="$dir/data"
log="$dir/postgres.log"
port=""
started=0

# Runs a PostgreSQL tool as the server user, from a directory that user can enter.
as_pg() {
  if [[ -n "$run_user" ]]; then
    (cd "$dir" && runuser -u "$run_user" -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  if [[ $started -eq 1 ]]; then
    as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! as_pg "$pg_bin/initdb" -D "$data" --username=nexus --auth=trust --encoding=UTF8 \
  --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:" >&2
  tail -n 30 "$dir/initdb.log" >&2
  exit 1
fi

cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Another process may take a port between the check and the bind, so a failed start that
# says "Address already in use" moves on to the next port.
for candidate in $(seq 54320 54419); do
  port_in_use "$candidate" && continue
  rm -f "$log"  # the server user must create it
  if as_pg "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-p $candidate" start \
    >/dev/null 2>&1; then
    port=$candidate
    started=1
    break
  fi
  grep -q "already in use" "$log" 2>/dev/null && continue
  break
done

if [[ $started -ne 1 ]]; then
  echo "with-postgres: the server did not start; log:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
fi

as_pg "$pg_bin/createdb" -h "$dir" -p "$port" -U nexus nexus_test

export NEXUS_TEST_PG_URL="postgresql://nexus@/nexus_test?host=$dir&port=$port"
export NEXUS_REQUIRE_PG=1
echo "with-postgres: PostgreSQL 15 on $dir (socket) and 127.0.0.1:$port, $NEXUS_TEST_PG_URL" >&2

# The command runs in the background so that a TERM or INT sent to this script is passed
# on at once (bash runs traps only between foreground commands); the EXIT trap then stops
# the server. `<&0` keeps the command's stdin, which background jobs would lose.
signalled=0
# shellcheck disable=SC2317  # invoked by the traps
forward() {
  signalled=1
  kill -"$1" "$child" 2>/dev/null || true
}
set +e
"$@" <&0 &
child=$!
trap 'forward TERM' TERM
trap 'forward INT' INT
wait "$child"
status=$?
# A trapped signal interrupts `wait`; wait again for the command's own exit status.
while [[ $signalled -eq 1 ]]; do
  signalled=0
  wait "$child"
  status=$?
done
exit $status
