#!/usr/bin/env bash
# The CLI end to end under valgrind memcheck (a build without sanitizers):
# every command against `ltuya sim` for 3.3 and 3.5, the failures, decode and
# scan, and the simulator itself under memcheck serving them. Any invalid
# read/write, use of uninitialised memory or definite/indirect leak fails.
# Usage: memcheck.sh path/to/ltuya
set -u
bin=$1
pass=0
fail=0
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=0123456789abcdef
port=$((26000 + $$ % 2000))
uport=$((port + 1))
args="--ip 127.0.0.1 --port $port --id $id --key $key"
vg=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --track-origins=yes)
trap 'stop_sim; rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# mc NAME "ALLOWED EXIT CODES" ARGS...: ltuya ARGS under memcheck
mc() {
  local name=$1 codes=$2; shift 2
  "${vg[@]}" --log-file="$work/vg.log" "$bin" "$@" >"$work/out" 2>&1
  local rc=$?
  if [ "$rc" -eq 99 ] || [ -s "$work/vg.log" ]; then
    bad "$name: memcheck errors:"; head -30 "$work/vg.log"
    return
  fi
  case " $codes " in *" $rc "*) ok ;; *) bad "$name: exit $rc, expected $codes: $(head -3 "$work/out")" ;; esac
}

start_sim() { # version [sim options]; the simulator runs under memcheck too
  local v=$1; shift
  rm -f "$work/ctl"; mkfifo "$work/ctl"
  "${vg[@]}" --log-file="$work/sim-vg.log" "$bin" sim --id $id --key $key --version "$v" \
    --port $port --udp-port $uport --beacon-interval 1 "$@" <"$work/ctl" >"$work/sim.out" 2>&1 &
  sim_pid=$!
  exec 9>"$work/ctl"
  for _ in $(seq 200); do grep -q READY "$work/sim.out" 2>/dev/null && return 0; sleep 0.1; done
  bad "sim $v did not start: $(cat "$work/sim.out")"
}
stop_sim() {
  if [ -n "${sim_pid:-}" ]; then
    echo '{"cmd":"quit"}' >&9 2>/dev/null
    exec 9>&-
    wait "$sim_pid"
    local rc=$?
    sim_pid=
    if [ "$rc" -eq 99 ] || [ -s "$work/sim-vg.log" ]; then
      bad "simulator: memcheck errors (exit $rc):"; head -30 "$work/sim-vg.log"
    else
      ok
    fi
  fi
}

for v in 3.3 3.5; do
  start_sim $v --fault split=0.3 --seed 7
  mc "$v get" 0 get $args -V $v --json
  mc "$v set" 0 set $args -V $v 1=false 9=60 38=on
  mc "$v on" 0 on $args -V $v
  mc "$v toggle" 0 toggle $args -V $v
  mc "$v refresh" 0 refresh $args -V $v
  mc "$v watch" 0 watch $args -V $v --interval 1 --for 2
  mc "$v wrong key" "6 7" get --ip 127.0.0.1 --port $port --id $id --key fedcba9876543210 -V $v -t 2
  [ $v = 3.3 ] && mc "$v probe" 0 probe $args -t 2
  [ $v = 3.3 ] && mc "scan" 0 scan --bind 127.0.0.1 --ports $uport --timeout 1.5 --json
  stop_sim
done

mc "dead port" 4 get $args -V 3.3 -t 1
mc "bad usage" 2 get $args -V 3.9
# a captured 3.3 status reply (from the vectors' key) decoded
start_sim 3.3
"$bin" get $args -V 3.3 -v >/dev/null 2>"$work/frames"
stop_sim
hexes=$(sed -n 's/^[<>][<>] [0-9]* bytes: //p' "$work/frames" | head -2)
[ -n "$hexes" ] && ok || bad "no frames captured for decode"
mc "decode" 0 decode --key $key -V 3.3 $hexes
mc "decode garbage" 1 decode --key $key 000055aa00000001deadbeef

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
