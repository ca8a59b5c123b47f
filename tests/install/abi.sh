#!/usr/bin/env bash
# Status codes are ABI: each code's number in include/ltuya/status.h must be
# the one in docs/abi.md (a renumbering must be deliberate and visible), and
# numbers are unique and ascending.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
header=$(sed -n 's/^ *X(\([A-Z0-9_]*\), \([0-9]*\),.*/\2 \1/p' "$src/include/ltuya/status.h")
doc=$(sed -n 's/^| \([0-9]*\) | `LTUYA_\([A-Z0-9_]*\)` |.*/\1 \2/p' "$src/docs/abi.md")
pass=0
fail=0
[ -n "$header" ] && [ "$header" = "$doc" ] && pass=$((pass + 1)) || {
  fail=$((fail + 1)); echo "FAIL: status.h and docs/abi.md differ:"; diff <(echo "$header") <(echo "$doc"); }
# strictly ascending (unique; LTUYA_STATUS_COUNT_ follows the last)
echo "$header" | awk 'NR > 1 && $1 <= prev {bad = 1} {prev = $1} END {exit bad}' &&
  pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: status numbers are not strictly ascending"; }
echo "$(echo "$header" | wc -l) status codes"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
