#!/usr/bin/env bash
# interop/run.sh reports "skipped" (exit 77) when tuyapi is missing and npm
# cannot install it, instead of crashing the suite: a copy of the project's
# package files without node_modules, npm offline with an empty cache.
set -u
src=$(realpath "$(dirname "$0")/../..")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tests/interop"
cp "$src/package.json" "$src/package-lock.json" "$work/"
cp "$src/tests/interop/tuyapi.test.js" "$work/tests/interop/"
out=$(NODE_PATH= npm_config_offline=true npm_config_cache="$work/cache" \
      bash "$src/tests/interop/run.sh" "$work" 2>&1); rc=$?
pass=0 fail=0
[ $rc -eq 77 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: exit $rc, expected 77: $out"; }
case "$out" in *skipped*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)); echo "FAIL: no 'skipped' in: $out" ;; esac
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
