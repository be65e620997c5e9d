#!/usr/bin/env bash
# Usage: tools/bench-mount.sh <build-dir>
#
# `make bench-mount` (docs/performance.md, "Mount"): `nexus mount` against the same operations
# on local directories measured in the same run, tmpfs (/dev/shm) and the disk the build is on.
# A server on SQLite (durability full) holds a tree of 10,000 files of 1 KiB, 1,000 to a
# directory; rows:
#   cold ls -lR of the 10,000 files on a fresh mount, against ls -lR of local copies;
#   stat of 1,000 files, warm (a second pass), against the same on the copies;
#   rm -rf of 5,000 files, against rm -rf of local copies;
#   git status in a repository of 1,000 files (cold, then warm), against the local repository;
#   sequential read of one BENCH_MOUNT_LARGE_MIB (1024) MiB file on a fresh mount, against
#   `nexus cat` of it (the client library's own download rate).
# Each timed row but the cold ones is the best of 3. Appends a JSON line to $BENCH_OUT/mount.json.
set -euo pipefail
# shellcheck source=tools/bench-server.sh
source "$(dirname "$0")/bench-server.sh"

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <build-dir>" >&2
  exit 2
fi
[[ -w /dev/fuse ]] || { echo "bench-mount: no usable /dev/fuse here" >&2; exit 1; }
build=$(cd "$1" && pwd)
nexus=$build/nexus
out=${BENCH_OUT:-build/bench}
large_mib=${BENCH_MOUNT_LARGE_MIB:-1024}
mkdir -p "$out"
admin_key=sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
work=$(mktemp -d "$build/bench-mount.XXXXXX")
shm=$(mktemp -d /dev/shm/bench-mount.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt"
server_pid=
cleanup() {
  mountpoint -q "$mnt" && { fusermount3 -u "$mnt" || fusermount3 -uz "$mnt"; }
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work" "$shm"
  true
}
trap cleanup EXIT

python3 - "$work/tree" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(10000):
    d = os.path.join(root, "d%02d" % (i // 1000))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.txt" % i), "wb") as f:
        f.write(os.urandom(1024))
PY
cp -r "$work/tree" "$shm/tree"
head -c $((large_mib << 20)) /dev/urandom >"$work/large.bin"

start_bench_server "$nexus"
"$nexus" -q upload -j 8 "$work/tree" /bench/tree
"$nexus" -q upload "$work/large.bin" /bench/large.bin

# A local repository of 1,000 files, committed; copied into the mount below.
repo=$work/repo
mkdir -p "$repo" && cp -r "$work/tree/d09/." "$repo/"
git -C "$repo" init -q && git -C "$repo" add . &&
  git -C "$repo" -c user.email=b@example.com -c user.name=B commit -qm tree

mount_fresh() {
  mountpoint -q "$mnt" && fusermount3 -u "$mnt"
  rm -rf "$work/cache"
  "$nexus" mount "$mnt" --cache-dir "$work/cache" --cache-size $((2 * large_mib + 1024))
}

seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$start $end" | awk '{print $2 - $1}'
}

best() {
  local best_s=1e9 s
  for _ in 1 2 3; do
    s=$(seconds "$@")
    best_s=$(echo "$s $best_s" | awk '{print ($1 < $2 ? $1 : $2)}')
  done
  echo "$best_s"
}

stat_files() { python3 -c "
import os, sys
d = sys.argv[1]
for n in sorted(os.listdir(d)): os.stat(os.path.join(d, n))" "$1"; }

mount_fresh
ls_mount=$(seconds ls -lR "$mnt/bench/tree")
ls_shm=$(best ls -lR "$shm/tree")
ls_disk=$(best ls -lR "$work/tree")

stat_files "$mnt/bench/tree/d00"
stat_mount=$(best stat_files "$mnt/bench/tree/d00")
stat_shm=$(best stat_files "$shm/tree/d00")
stat_disk=$(best stat_files "$work/tree/d00")

rm_files() { rm -rf "$1"/d00 "$1"/d01 "$1"/d02 "$1"/d03 "$1"/d04; }
rm_mount=$(seconds rm_files "$mnt/bench/tree")
rm_shm=$(seconds rm_files "$shm/tree")
rm_disk=$(seconds rm_files "$work/tree")

cp -r "$repo" "$mnt/bench/repo"
mount_fresh
git_cold=$(seconds git -C "$mnt/bench/repo" status --porcelain)
git_mount=$(best git -C "$mnt/bench/repo" status --porcelain)
git_disk=$(best git -C "$repo" status --porcelain)

mount_fresh
read_mount=$(seconds cat "$mnt/bench/large.bin")
read_client=$(seconds "$nexus" cat /bench/large.bin)

awk -v lm="$ls_mount" -v ls="$ls_shm" -v ld="$ls_disk" -v sm="$stat_mount" -v ss="$stat_shm" \
  -v sd="$stat_disk" -v rm="$rm_mount" -v rs="$rm_shm" -v rd="$rm_disk" -v gc="$git_cold" \
  -v gm="$git_mount" -v gd="$git_disk" -v rdm="$read_mount" -v rc="$read_client" \
  -v mib="$large_mib" -v out="$out/mount.json" 'BEGIN {
  printf "%-40s %10s %10s %10s %s\n", "row", "mount", "tmpfs", "disk", "ratio (target)"
  printf "%-40s %9.3fs %9.3fs %9.3fs %.2f s (< 2 s)\n", "cold ls -lR, 10,000 files", lm, ls, ld, lm
  printf "%-40s %9.4fs %9.4fs %9.4fs %.2f x tmpfs (<= 3)\n", "warm stat, 1,000 files", sm, ss, sd, sm / ss
  printf "%-40s %9.3fs %9.3fs %9.3fs %.2f x tmpfs, %.2f x disk (<= 10)\n", "rm -rf, 5,000 files", rm, rs, rd, rm / rs, rm / rd
  printf "%-40s %9.3fs %10s %9.3fs %.2f x disk warm, cold %.3f s (<= 5)\n", "git status, 1,000 files", gm, "-", gd, gm / gd, gc
  printf "%-40s %9.3fs %10s %10s %.2f x nexus cat (>= 0.5): %.0f vs %.0f MiB/s\n", "sequential read, " mib " MiB", rdm, "-", "-", rc / rdm, mib / rdm, mib / rc
  printf "{\"ls_lR_s\":%s,\"ls_lR_tmpfs_s\":%s,\"ls_lR_disk_s\":%s,\"stat_s\":%s,\"stat_tmpfs_s\":%s,\"stat_disk_s\":%s,\"rm_s\":%s,\"rm_tmpfs_s\":%s,\"rm_disk_s\":%s,\"git_status_cold_s\":%s,\"git_status_s\":%s,\"git_status_disk_s\":%s,\"read_s\":%s,\"read_client_s\":%s,\"read_mib\":%s}\n", lm, ls, ld, sm, ss, sd, rm, rs, rd, gc, gm, gd, rdm, rc, mib >> out
}'
