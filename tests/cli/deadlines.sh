#!/usr/bin/env bash
# Whatever a device sends or withholds, every command ends within its timeout
# with a specific exit code, and waits without spinning: each CLI command
# against tests/hostile/hostile_peer in each of its modes (silent, close,
# reset, trickle, garbage, huge, pushes), for 3.3 and 3.5.
# "Ends" is checked with an outer `timeout` far above the command's own -t;
# "without spinning" as a bound on the work done while waiting: the calls
# that wait or read (poll, read, recv...), counted with strace, which a
# busy loop would make by the hundred thousand (no timing assertion).
# Usage: deadlines.sh path/to/ltuya path/to/hostile_peer
set -u
bin=$1
peer=$2
pass=0
fail=0
work=$(mktemp -d)
port=$((25000 + $$ % 3000))
id=bf0123456789abcdefgh
key=0123456789abcdef
args="--ip 127.0.0.1 --port $port --id $id --key $key -t 2"
trap 'stop_peer; rm -rf "$work"' EXIT

# the calls that wait for or read data, and the bound on them per command
waits=poll,ppoll,select,pselect6,epoll_wait,epoll_pwait,read,recvfrom,recvmsg,nanosleep,clock_nanosleep
max_calls=2000
command -v strace >/dev/null || { echo "strace is missing (scripts/deps.sh installs it)"; exit 1; }

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

start_peer() {
  "$peer" --port $port --mode "$1" >"$work/peer.out" 2>&1 &
  peer_pid=$!
  for _ in $(seq 100); do grep -q READY "$work/peer.out" 2>/dev/null && return 0; sleep 0.05; done
  bad "peer $1 did not start: $(cat "$work/peer.out")"
}
stop_peer() {
  [ -n "${peer_pid:-}" ] && kill "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null
  peer_pid=
}

# check NAME "EXPECTED CODES" CMD...: ends (not killed by the outer timeout),
# with one of the expected codes and a message, using little CPU unless the
# peer floods it ($flood=1: decoding a flood costs CPU by its nature).
check() {
  local name=$1 codes=$2; shift 2
  local rc calls
  # LeakSanitizer cannot run under ptrace: leaks are checked by the other tests
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -c -o "$work/calls" -e trace=$waits timeout -k 5 60 "$@" >"$work/out" 2>"$work/err"
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    bad "$name: did not end within 60 s"
    return
  fi
  case " $codes " in *" $rc "*) ok ;; *) bad "$name: exit $rc, expected one of $codes: $(head -2 "$work/err")" ;; esac
  [ -s "$work/err" ] && ok || bad "$name: failed without a message"
  # a command that waits a few seconds on a socket wakes up for each frame,
  # heartbeat and timer: tens to a few hundred calls; a spinning one would make
  # that many every millisecond
  [ "${flood:-0}" -eq 1 ] && return
  calls=$(awk '$NF == "total" { print $4 }' "$work/calls")
  [ -n "$calls" ] && [ "$calls" -lt $max_calls ] && ok ||
    bad "$name: $calls waiting/reading calls (bound $max_calls): spinning?"
}

# what each mode must produce: 5 no reply (silent, trickle, garbage, huge,
# pushes that never answer), 7 or 8 for a closed or reset connection
declare -A want=([silent]="5" [trickle]="5" [garbage]="5" [huge]="5" [pushes]="5"
  [close]="7 8" [reset]="7 8")

for mode in silent close reset trickle garbage huge pushes; do
  start_peer $mode
  case $mode in garbage | huge) flood=1 ;; *) flood=0 ;; esac
  for v in 3.3 3.5; do
    check "$mode $v get" "${want[$mode]}" "$bin" get $args -V $v
    check "$mode $v set" "${want[$mode]}" "$bin" set $args -V $v 1=false
    check "$mode $v toggle" "${want[$mode]}" "$bin" toggle $args -V $v
  done
  check "$mode refresh" "${want[$mode]}" "$bin" refresh $args -V 3.3
  check "$mode watch" "0 ${want[$mode]}" "$bin" watch $args -V 3.3 --for 3 --interval 1
  stop_peer
done

# probe tries several versions, each within its own timeout
start_peer garbage
flood=1
check "garbage probe" "5 7" "$bin" probe --ip 127.0.0.1 --port $port --id $id --key $key -t 1
stop_peer

# scan under a flood of garbage datagrams ends at its own --timeout
uport=$((port + 1))
(for _ in $(seq 300); do head -c 300 /dev/urandom; sleep 0.005; done) |
  timeout 10 bash -c "while IFS= read -r -d '' -n 200 chunk; do printf %s \"\$chunk\" >/dev/udp/127.0.0.1/$uport 2>/dev/null; done" &
sender=$!
flood=0 # datagrams come paced: reading them must not spin
check "scan under a garbage flood" "0" "$bin" scan --bind 127.0.0.1 --ports $uport --timeout 2
wait $sender 2>/dev/null

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
