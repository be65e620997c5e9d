#!/usr/bin/env bash
# Usage: tools/bench-cli.sh <build-dir>
#
# `make bench-cli` (docs/performance.md, "Command line"): the `nexus` command line moving a
# tree of BENCH_CLI_FILES (10,000) files of 1 KiB, 100 to a directory, against a server with
# durability full on SQLite, beside `cp -r` of the same tree on the same disk as the
# baseline measured in the same run. Each row is the best of BENCH_CLI_RUNS (3) runs, each on
# a fresh destination. Builds nothing; appends a JSON line per run to $BENCH_OUT/cli.json.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <build-dir>" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
nexus=$build/nexus
files=${BENCH_CLI_FILES:-10000}
runs=${BENCH_CLI_RUNS:-3}
out=${BENCH_OUT:-build/bench}
mkdir -p "$out"
admin_key=sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
# On the disk the build lives on, not tmpfs: durability full is about reaching the disk.
work=$(mktemp -d "$build/bench-cli.XXXXXX")
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$work/tree" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%03d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.txt" % i), "wb") as f:
        f.write(os.urandom(1024))
PY

NEXUS_ADMIN_API_KEY=$admin_key "$nexus" serve --host 127.0.0.1 --port 0 \
  --data-dir "$work/data" --durability full >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*serving on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$work/server.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n ${port:-} ]] || { cat "$work/server.log" >&2; exit 1; }
export NEXUS_URL=http://127.0.0.1:$port NEXUS_API_KEY=$admin_key HOME=$work

# Seconds of the fastest of $runs runs of "$@", where the command's %N is the run number.
best() {
  local best_s=
  for n in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "${@//%N/$n}" >/dev/null
    end=$(date +%s.%N)
    best_s=$(echo "$start $end ${best_s:-1e9}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
  done
  echo "$best_s"
}

cp_s=$(best cp -r "$work/tree" "$work/copy-%N")
up_s=$(best "$nexus" -q upload "$work/tree" /workspace/up-%N)
up8_s=$(best "$nexus" -q upload -j 8 "$work/tree" /workspace/up8-%N)
down_s=$(best "$nexus" -q download /workspace/up-1 "$work/down-%N")
again_s=$(best "$nexus" -q upload "$work/tree" /workspace/up-1)

awk -v n="$files" -v cp="$cp_s" -v up="$up_s" -v up8="$up8_s" -v down="$down_s" \
    -v again="$again_s" -v json="$out/cli.json" 'BEGIN {
  fmt = "%-44s %9s %10s %s\n"
  printf fmt, "workload (" n " files of 1 KiB)", "seconds", "files/s", "vs cp -r"
  row("cp -r on the same disk (baseline)", cp)
  row("nexus upload (-j 4, durability full)", up)
  row("nexus upload -j 8", up8)
  row("nexus download", down)
  row("nexus upload again (all unchanged)", again)
  printf "{\"files\":%d,\"cp_s\":%s,\"upload_s\":%s,\"upload_j8_s\":%s,\"download_s\":%s,\"unchanged_s\":%s}\n",
         n, cp, up, up8, down, again >> json
}
function row(name, s) { printf fmt, name, sprintf("%.2f", s), sprintf("%.0f", n / s), sprintf("%.2f x", cp / s) }'
