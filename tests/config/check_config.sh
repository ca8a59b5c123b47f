#!/usr/bin/env bash
# include/ltuya/check_config.h: every inconsistent knob combination below
# must stop the build with an #error naming the knob, and the consistent
# ones must compile. Usage: check_config.sh CC INCLUDE_DIR
set -u
cc=$1
inc=$2
pass=0
fail=0
src=$(mktemp --suffix=.c)
err=$(mktemp)
trap 'rm -f "$src" "$err"' EXIT
printf '#include "ltuya/config.h"\nint ltuya_check_config_probe;\n' >"$src"

# good FLAGS...: must compile
good() {
  if "$cc" -std=c11 -fsyntax-only -I"$inc" "$@" "$src" 2>"$err"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: rejected a consistent set: $*"
    sed 's/^/  /' "$err"
  fi
}

# bad KNOB FLAGS...: must fail with an #error that names KNOB
bad() {
  local knob=$1
  shift
  if "$cc" -std=c11 -fsyntax-only -I"$inc" "$@" "$src" 2>"$err"; then
    fail=$((fail + 1))
    echo "FAIL: accepted an inconsistent set: $*"
  elif grep -q "#error.*$knob\|error: \"$knob\|error:.*$knob" "$err"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: rejected $* without naming $knob:"
    sed 's/^/  /' "$err"
  fi
}

good
good -DLTUYA_WITH_V31=0 -DLTUYA_WITH_V34=0 -DLTUYA_WITH_V35=0 -DLTUYA_WITH_STATUS_TEXT=0
good -DLTUYA_WITH_V34=0                           # 3.5 without 3.4 is a real build
good -DLTUYA_MAX_FRAME=1024 -DLTUYA_MAX_DPS=24    # the MicroPython module's smaller Device
good -DLTUYA_MAX_REFRESH=3 -DLTUYA_CACHE_DPS=255 -DLTUYA_CACHE_POOL=0

bad LTUYA_WITH_V34 -DLTUYA_WITH_V34=2
bad LTUYA_WITH_V31 -DLTUYA_WITH_V31=-1
bad LTUYA_WITH_V35 -DLTUYA_WITH_V35=10
bad LTUYA_WITH_STATUS_TEXT -DLTUYA_WITH_STATUS_TEXT=3
bad LTUYA_WITH_HANDSHAKE -DLTUYA_WITH_HANDSHAKE=1 -DLTUYA_WITH_V34=0 -DLTUYA_WITH_V35=0
bad LTUYA_MAX_FRAME -DLTUYA_MAX_FRAME=64
bad LTUYA_MAX_FRAME -DLTUYA_MAX_FRAME=100000
bad LTUYA_DEVICE_RX_SIZE -DLTUYA_DEVICE_RX_SIZE=100
bad LTUYA_MAX_DPS -DLTUYA_MAX_DPS=0
bad LTUYA_JSON_MAX_DEPTH -DLTUYA_JSON_MAX_DEPTH=65
bad LTUYA_MAX_ID -DLTUYA_MAX_ID=0
bad LTUYA_CACHE_DPS -DLTUYA_CACHE_DPS=256
bad LTUYA_CACHE_POOL -DLTUYA_CACHE_POOL=70000
bad LTUYA_MAX_REFRESH -DLTUYA_MAX_REFRESH=2
bad LTUYA_JSON_SCRATCH -DLTUYA_JSON_SCRATCH=100
bad LTUYA_JSON_SCRATCH -DLTUYA_MAX_ID=200
bad LTUYA_BACKOFF_MIN_MS -DLTUYA_BACKOFF_MIN_MS=60000 -DLTUYA_BACKOFF_MAX_MS=30000

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
