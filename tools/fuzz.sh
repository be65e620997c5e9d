#!/usr/bin/env bash
# Runs each libFuzzer target of BUILD_DIR (the `fuzz` preset) for SECONDS, one after the
# other, over its seed corpus fuzz/corpus/<name>. New corpus entries and crash artifacts go
# to BUILD_DIR/fuzz-work/<name>/, never into the repository; the seeds are only read. Fails
# when any target finds a crash, leak, sanitizer report or timeout.
#
# usage: tools/fuzz.sh BUILD_DIR SECONDS [NAME...]   (default: every target)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
seconds=$2
shift 2
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(rpc_request mcp_message wire_json path glob url skill_md skill_zip config)

dict_of() {
  case $1 in
    rpc_request | mcp_message) echo rpc_request ;;
    wire_json) echo json ;;
    skill_md | config) echo yaml ;;
    path | glob) echo glob ;;
  esac
}

# -dict=FILE for the targets that have a dictionary (a zip's structure is binary).
dict_flag() {
  local dict
  dict=$(dict_of "$1")
  [[ -z $dict ]] || echo "-dict=$root/fuzz/dict/$dict.dict"
}

failed=()
for name in "${names[@]}"; do
  work=$build/fuzz-work/$name
  mkdir -p "$work/corpus" "$work/artifacts"
  log=$work/fuzz.log
  echo "fuzzing $name for ${seconds}s (log: $log)"
  # -max_len keeps the deep-nesting seeds from making every mutation 200 KB long; -timeout
  # turns a quadratic input into a finding rather than a slow run.
  "$build/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 $(dict_flag "$name") \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$root/fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if [[ $rc -ne 0 ]]; then
    failed+=("$name")
    echo "  FAILED (exit $rc) after ${execs:-?} executions; artifacts in $work/artifacts:"
    grep -E 'ERROR|SUMMARY|FUZZ_CHECK|Test unit written' "$log" | head -n 5 | sed 's/^/    /'
  else
    echo "  ok: ${execs:-?} executions, $(ls "$work/corpus" | wc -l) new corpus entries"
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz targets that failed: ${failed[*]}"
  echo "add each reproducer to fuzz/corpus/<name>/ with its fix, so \`make test\` replays it"
  exit 1
fi
