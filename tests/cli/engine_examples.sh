#!/usr/bin/env bash
# The engine examples (examples/engine) against `ltuya sim` serving a fleet
# on loopback: every device read concurrently, one write confirmed by the
# device's push, and a dead device reported as refused while the rest succeed.
# Usage: engine_examples.sh path/to/ltuya path/to/engine_poll [path/to/engine_libuv]
set -u
bin=$1
shift
pass=0
fail=0
work=$(mktemp -d)
key=0123456789abcdef
n=12
# ports per run so parallel ctest jobs do not collide (another try if taken)
base=$((30000 + ($$ % 1000) * 16))
trap 'stop_sim; rm -rf "$work"' EXIT
trap '' PIPE # a simulator that died must fail the checks, not kill the script

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
contains() { case "$2" in *"$3"*) ok ;; *) bad "$1: expected '$3' in: $2" ;; esac; }

write_fleet() {
  {
    echo '['
    for i in $(seq 0 $((n - 1))); do
      v=3.3; [ $((i % 2)) -eq 1 ] && v=3.5
      id=$(printf 'bf%018d' "$i")
      port=$((base + i))
      [ "$i" -gt 0 ] && echo ','
      printf '{"id":"%s","key":"%s","port":%d,"version":"%s"}' "$id" "$key" "$port" "$v"
    done
    echo ']'
  } >"$work/fleet.json"
}

start_sim() { # 0 once READY; 1 if it exited (a port taken), after saying why
  rm -f "$work/ctl"; mkfifo "$work/ctl"
  "$bin" sim --config "$work/fleet.json" --beacon-interval 0 --solicit-port 0 <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
  sim_pid=$!
  exec 9>"$work/ctl"
  for _ in $(seq 400); do
    grep -q READY "$work/sim.out" 2>/dev/null && return 0
    kill -0 "$sim_pid" 2>/dev/null || { exec 9>&-; wait "$sim_pid"; sim_pid=; return 1; }
    sleep 0.05
  done
  kill "$sim_pid" 2>/dev/null; exec 9>&-; wait "$sim_pid" 2>/dev/null; sim_pid=
  return 1
}
stop_sim() {
  if [ -n "${sim_pid:-}" ]; then
    echo '{"cmd":"quit"}' >&9 2>/dev/null
    exec 9>&-
    wait "$sim_pid" 2>/dev/null
    sim_pid=
  fi
}

started=0
for try in 1 2 3; do
  write_fleet
  if start_sim; then started=1; break; fi
  base=$(((base - 30000 + 5000 + try * 97) % 30000 + 30000)) # that range was taken: move away
done
[ $started -eq 1 ] || { bad "sim did not start: $(cat "$work/sim.err")"; echo "$pass passed, $fail failed"; exit 1; }
specs=()
for i in $(seq 0 $((n - 1))); do
  v=3.3; [ $((i % 2)) -eq 1 ] && v=3.5
  specs+=("127.0.0.1:$((base + i)):$(printf 'bf%018d' "$i"):$key:$v")
done
for ex in "$@"; do
  name=$(basename "$ex")
  out=$("$ex" "${specs[@]}"); rc=$?
  [ $rc -eq 0 ] && ok || bad "$name: exit $rc: $out"
  lines=$(printf '%s\n' "$out" | grep -c ' ok ')
  [ "$lines" -eq $n ] && ok || bad "$name: $lines of $n devices read: $out"
  contains "$name: DPs" "$out" "1=true"
  case $name in *libuv*) contains "$name: the write is proved by the device" "$out" "set 1: OK (confirmed)" ;; esac
  # a dead device (nothing listens) beside the living: its own error, the rest read
  out=$("$ex" "${specs[@]:0:3}" "127.0.0.1:$((base + n + 5)):bf99999999999999999999:$key:3.3"); rc=$?
  [ $rc -eq 1 ] && ok || bad "$name with a dead device: exit $rc"
  contains "$name: dead device" "$out" "bf99999999999999999999 error ERR_REFUSED"
  lines=$(printf '%s\n' "$out" | grep -c ' ok ')
  [ "$lines" -eq 3 ] && ok || bad "$name: $lines of 3 living devices read: $out"
done
stop_sim
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
