#!/usr/bin/env bash
# Every symbol the core exports starts with ltuya_ (Tuya's own SDK uses tuya_/tal_,
# and one firmware may link both).
set -u
lib=$1
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | grep -v -e '^ltuya_' -e '^__odr_asan' || true)
count=$(nm -g --defined-only "$lib" | awk 'NF == 3' | wc -l)
if [ -n "$bad" ]; then
  echo "symbols without the ltuya_ prefix:"; echo "$bad"
  echo "0 passed, 1 failed"; exit 1
fi
[ "$count" -gt 50 ] || { echo "only $count symbols found in $lib"; echo "0 passed, 1 failed"; exit 1; }
echo "all $count exported symbols carry the ltuya_ prefix"
echo "1 passed, 0 failed"
