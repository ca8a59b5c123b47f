#!/usr/bin/env bash
# Run the tuyapi interop test, or report it skipped (exit 77, ctest's
# SKIP_RETURN_CODE) when tuyapi is not installed and npm cannot install it
# (offline, no registry): a missing dependency is not a failure of ltuya.
# Usage: run.sh PROJECT_DIR   (LTUYA_BIN in the environment)
set -u
dir=$1
cd "$dir" || exit 1
if ! node -e "require.resolve('tuyapi')" >/dev/null 2>&1; then
  if ! npm ci --no-audit --no-fund --loglevel=error >/tmp/ltuya-npm.$$ 2>&1; then
    echo "skipped: tuyapi is not installed and 'npm ci' failed:"
    tail -n 3 /tmp/ltuya-npm.$$
    rm -f /tmp/ltuya-npm.$$
    exit 77
  fi
  rm -f /tmp/ltuya-npm.$$
fi
exec node --test tests/interop/
