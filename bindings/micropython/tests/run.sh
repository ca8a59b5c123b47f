#!/usr/bin/env bash
# The MicroPython module's tests against `ltuya sim` on loopback. Not part of
# `make test` (CI has no MicroPython); see ../README.md for building a
# micropython binary with the module.
# Usage: run.sh path/to/micropython path/to/ltuya [BASE_PORT]
#   BASE_PORT (default 31000): the simulators listen on BASE+1 .. BASE+10.
#   TESTS="test_heap.py": run only these (default: test_device.py test_heap.py).
#   LTUYA_MPY=path/to/ltuya.mpy: test that native module instead (copied as
#   ltuya.mpy and tuya.mpy onto MICROPYPATH; use a micropython without the
#   built-in module, built-ins win).
# Prints the seed example's output for 3.3 and 3.5, then `N passed, N failed`
# (test_device.py: the API; test_heap.py: the heap figures).
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 path/to/micropython path/to/ltuya [BASE_PORT]" >&2
  exit 2
fi
mpy=$(realpath "$1")
ltuya=$(realpath "$2")
base=${3:-31000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
sim_pid=
cleanup() {
  if [ -n "$sim_pid" ]; then
    echo '{"cmd":"quit"}' >&9 2>/dev/null
    exec 9>&-
    kill "$sim_pid" 2>/dev/null
    wait "$sim_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

id() { printf 'bf0123456789abcd%04d' "$1"; }
key=0123456789abcdef

# One simulator process serves the whole fleet (test_device.py knows the layout).
dev() { # offset version [profile] [clients]
  printf '{"id":"%s","key":"%s","port":%d,"version":"%s","profile":"%s","clients":%d}' \
    "$(id "$1")" $key $((base + $1)) "$2" "${3:-plug}" "${4:-1}"
}
{
  echo "["
  dev 1 3.1; echo ","
  dev 2 3.2; echo ","
  dev 3 3.3; echo ","
  dev 4 3.4; echo ","
  dev 5 3.5; echo ","
  dev 6 3.3 plug34; echo ","
  # the bulb acknowledges writes it cannot take and drops them (silent-reject), so
  # values of another type are sent, acknowledged and left unapplied
  printf '{"id":"%s","key":"%s","port":%d,"version":"3.3","profile":"bulb","quirks":["silent-reject"]}' \
    "$(id 7)" $key $((base + 7)); echo ","
  dev 8 3.3; echo ","
  dev 9 3.3; echo ","
  dev 10 3.5; echo ","
  # firmware on Tuya's device SDK (protocol.md 4.4): one quirk each, test_quirks()
  q=0
  for quirk in no-refresh-reply:3.3 native-endian-ack:3.3 push-before-ack:3.3 push-during-handshake:3.5 \
    push-during-handshake:3.4; do
    q=$((q + 1))
    printf '{"id":"%s","key":"%s","port":%d,"version":"%s","quirks":["%s"]}' \
      "$(id $((10 + q)))" $key $((base + 10 + q)) "${quirk#*:}" "${quirk%%:*}"
    [ $q -lt 5 ] && echo ","
  done
  echo
  echo "]"
} >"$work/fleet.json"

if [ -n "${LTUYA_MPY:-}" ]; then
  mkdir "$work/lib"
  cp "$LTUYA_MPY" "$work/lib/ltuya.mpy"
  cp "$LTUYA_MPY" "$work/lib/tuya.mpy"
  export MICROPYPATH="$work/lib"
fi

mkfifo "$work/ctl"
"$ltuya" sim --config "$work/fleet.json" --beacon-interval 0 --solicit-port 0 --seed 7 \
  <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
exec 9>"$work/ctl" # hold the control pipe open
for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
if ! grep -q READY "$work/sim.out"; then
  echo "ltuya sim did not start: $(cat "$work/sim.err")"
  echo "0 passed, 1 failed"
  exit 1
fi

pass=0
fail=0
for ex in "3.3 9" "3.5 10"; do
  set -- $ex
  echo "== the seed's usage example, version $1 =="
  if "$mpy" "$here/seed_example.py" "$1" $((base + $2)) "$(id "$2")"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: the seed example on $1"
  fi
done

for t in ${TESTS:-test_device.py test_heap.py}; do
  echo "== $t =="
  "$mpy" "$here/$t" "$base" | tee "$work/test.out"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/test.out" | tail -n 1)
  if [ -n "$line" ]; then
    set -- $line
    pass=$((pass + $1))
    fail=$((fail + $3))
  else
    fail=$((fail + 1))
    echo "FAIL: $t did not finish"
  fi
done
echo "== total =="
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
