#!/usr/bin/env bash
# The man pages and the help: every command's page exists and passes
# `mandoc -T lint` with no warning; `ltuya help CMD` prints exactly what
# `ltuya CMD --help` prints; `ltuya --help` lists --version; `ltuya version`
# and `ltuya --version` print the version of include/ltuya/version.h.
# Usage: man.sh path/to/ltuya MAN_DIR
set -u
bin=$1
man=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cmds=$("$bin" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p' | grep -v -x -e help -e version)
[ "$(echo "$cmds" | wc -w)" -ge 10 ] && ok || bad "only these commands in ltuya --help: $cmds"
for c in $cmds; do
  a=$("$bin" help "$c" 2>&1); ra=$?
  b=$("$bin" "$c" --help 2>&1); rb=$?
  [ "$a" = "$b" ] && [ $ra -eq 0 ] && [ $rb -eq 0 ] && ok || bad "ltuya help $c (exit $ra) differs from ltuya $c --help (exit $rb)"
  [ -s "$man/ltuya-$c.1" ] && ok || bad "no man page ltuya-$c.1"
  grep -qF "ltuya\\-$c" "$man/ltuya.1" && ok || bad "ltuya.1 does not list $c"
done
"$bin" help nosuchcommand >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "ltuya help nosuchcommand: not a usage error"
out=$(mandoc -T lint -W warning "$man"/*.1 2>&1) && [ -z "$out" ] && ok || bad "mandoc -T lint: $out"
# the page shows the help text (roff escapes undone)
MANWIDTH=200 man -l "$man/ltuya-get.1" 2>/dev/null | grep -qF -- "$("$bin" get --help | sed -n 1p)" && ok ||
  bad "ltuya-get.1 does not show the first line of ltuya get --help"

version=$(sed -n 's/^#define LTUYA_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$src/include/ltuya/version.h" | paste -sd.)
[ "$("$bin" --version)" = "ltuya $version" ] && ok || bad "ltuya --version: $("$bin" --version)"
[ "$("$bin" version)" = "ltuya $version" ] && ok || bad "ltuya version: $("$bin" version)"
"$bin" --help | grep -q -- '--version' && ok || bad "ltuya --help does not list --version"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
