#!/usr/bin/env bash
# Installs the npm packages the tests drive the server with (tests/mcp_sdk: the official MCP
# TypeScript SDK) from their lock file, when they are missing or older than the lock.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root/tests/mcp_sdk"; do
  installed="$dir/node_modules/.package-lock.json"
  [[ -f "$installed" && "$installed" -nt "$dir/package-lock.json" ]] && continue
  echo "installing npm packages of ${dir#"$root"/}"
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
done
