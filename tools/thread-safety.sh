#!/usr/bin/env bash
# Clang's thread-safety analysis (-Wthread-safety) over src/, with the compile commands of a
# CMake build (build/release unless another build directory is named): a GUARDED_BY member
# read or written without its lock, or a REQUIRES function called without it, fails the run
# (util/thread_annotations.h). GCC has no such analysis, so this runs clang++-14 with
# -fsyntax-only beside the GCC build: it parses and analyses, and generates no code.
#
# Every source of src/, and the tests (src/, tests/) that take locks themselves (those that
# include util/mutex.h); the other tests hold no annotated state, and would double the time.
#
#   tools/thread-safety.sh [BUILD_DIR]      THREAD_SAFETY_JOBS=N (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
db=$build/compile_commands.json
jobs=${THREAD_SAFETY_JOBS:-$(nproc)}
clang=clang++-14
if [[ ! -f $db ]]; then
  echo "thread-safety: $db is missing; configure and build first (make build)" >&2
  exit 1
fi
command -v "$clang" >/dev/null || { echo "thread-safety: $clang is missing (make deps)" >&2; exit 1; }

# CMake writes one `"command": "..."` line per file; undoing the JSON escapes (\" and \\)
# gives the shell command back. Only files under src/ and tests/, not build/'s generated sources.
root=$PWD/
output_flag=' -o [^ ]+'
commands=()
while IFS= read -r command; do
  file=${command##* -c }
  if [[ $file == *_test.cc ]] && ! grep -q '"util/mutex.h"' "$file"; then continue; fi
  # clang for the compiler. The GCC-only warning flag would be an unknown option to clang;
  # no object file is written, so -o goes too.
  command="$clang ${command#* }"
  command=${command/ -Wno-maybe-uninitialized/}
  [[ $command =~ $output_flag ]] && command=${command/"${BASH_REMATCH[0]}"/}
  commands+=("$command -fsyntax-only -Wthread-safety -Wthread-safety-beta -Werror")
done < <(sed -n 's/^ *"command": "\(.*\)",\{0,1\}$/\1/p' "$db" | sed 's/\\\(.\)/\1/g' |
           grep -E -- " -c ${root}(src|tests)/")
if [[ ${#commands[@]} -eq 0 ]]; then
  echo "thread-safety: no source of src/ or tests/ in $db" >&2
  exit 1
fi
cd "$build"
if ! printf '%s\n' "${commands[@]}" | xargs -d '\n' -P "$jobs" -n 1 sh -c; then
  echo "thread-safety: clang reported the errors above" >&2
  exit 1
fi
echo "thread-safety: ${#commands[@]} files clean"
