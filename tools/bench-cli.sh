#!/usr/bin/env bash
# Usage: tools/bench-cli.sh <build-dir>
#
# `make bench-cli` (docs/performance.md, "Command line"): the `nexus` command line moving a
# tree of BENCH_CLI_FILES (10,000) files of 1 KiB, 100 to a directory, against a server with
# durability full on SQLite, beside `cp -r` of the same tree on the same disk as the
# baseline measured in the same run; then one file of BENCH_CLI_LARGE_MIB (1024) MiB up and
# down, beside curl sending it to nginx (which discards it) and fetching it from nginx. Each
# row is the best of BENCH_CLI_RUNS (3) runs, each on a fresh destination. Builds nothing;
# appends a JSON line per run to $BENCH_OUT/cli.json.
set -euo pipefail
# shellcheck source=tools/nginx-conf.sh
source "$(dirname "$0")/nginx-conf.sh"
# shellcheck source=tools/bench-server.sh
source "$(dirname "$0")/bench-server.sh"

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
large_mib=${BENCH_CLI_LARGE_MIB:-1024}
server_pid=
nginx_pid=
cleanup() {
  # The exit status stays the script's: a server stopped by its signal is not a failure.
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$work"
  true
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

start_bench_server "$nexus"

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

# One large file: nexus against curl and nginx on the same machine and disk. nginx discards
# what is posted to /upload and serves the file itself from its root.
head -c $((large_mib << 20)) /dev/urandom >"$work/large.bin"
ng=$work/nginx
mkdir -p "$ng/www"
ln "$work/large.bin" "$ng/www/large.bin"
ng_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
write_nginx_conf "$ng" "$ng_port" "    client_max_body_size 0;
    location = /upload { return 204; }
    location / { root $ng/www; }"
run_as=()
if [[ $(id -u) -eq 0 ]]; then
  chmod 0755 "$work"
  chown -R nobody "$ng"
  run_as=(runuser -u nobody --)
fi
"${run_as[@]}" nginx -p "$ng" -e "$ng/error.log" -c "$ng/nginx.conf" >/dev/null 2>&1 &
nginx_pid=$!
for _ in $(seq 100); do
  curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$ng_port/large.bin" && break
  sleep 0.1
done

curl_up_s=$(best curl -sf -o /dev/null -X POST -T "$work/large.bin" "http://127.0.0.1:$ng_port/upload")
curl_down_s=$(best curl -sf -o "$work/curl-%N.bin" "http://127.0.0.1:$ng_port/large.bin")
large_up_s=$(best "$nexus" -q upload "$work/large.bin" /workspace/large-%N.bin)
large_down_s=$(best "$nexus" -q download /workspace/large-1.bin "$work/large-down-%N.bin")
cmp -s "$work/large.bin" "$work/large-down-1.bin" || { echo "downloaded bytes differ" >&2; exit 1; }

awk -v mib="$large_mib" -v cup="$curl_up_s" -v cdown="$curl_down_s" -v up="$large_up_s" \
    -v down="$large_down_s" -v json="$out/cli.json" 'BEGIN {
  fmt = "%-44s %9s %10s %s\n"
  printf "\n" fmt, "workload (one file of " mib " MiB)", "seconds", "MiB/s", "vs curl"
  row("curl -T to nginx, discarded (baseline)", cup, cup)
  row("nexus upload (durability full)", up, cup)
  row("curl from nginx (baseline)", cdown, cdown)
  row("nexus download", down, cdown)
  printf "{\"large_mib\":%d,\"curl_up_s\":%s,\"upload_s\":%s,\"curl_down_s\":%s,\"download_s\":%s}\n",
         mib, cup, up, cdown, down >> json
}
function row(name, s, base) { printf fmt, name, sprintf("%.2f", s), sprintf("%.0f", mib / s), sprintf("%.2f x", base / s) }'
