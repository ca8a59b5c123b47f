#!/usr/bin/env bash
# `ltuya decode` on captures in the shape real tools print them (issue 10
# items 18, 20, 21): the seed's capture.py, where tinytuya reads every frame in
# two recv calls (header, then the rest) and a "[SOCKET] connect" line starts
# each conversation; the CLI's own -v output with its annotation lines; a 3.4
# UDP beacon under --version 3.4. The conversations are recorded live from
# `ltuya get -v` against `ltuya sim` on 127.0.0.1.
# Usage: decode_capture.sh path/to/ltuya
set -u
bin=$(realpath "$1")
pass=0
fail=0
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=0123456789abcdef
# a port per run, in a range no other test script uses (below the ephemeral 32768+)
port=$((2000 + $$ % 3000))
trap 'stop_sim; rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
contains() { case "$2" in *"$3"*) ok ;; *) bad "$1: expected '$3' in: $2" ;; esac; }

start_sim() {
  "$bin" sim --id $id --key $key --port $port "$@" </dev/null >"$work/sim.out" 2>&1 &
  sim_pid=$!
  for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && return 0; sleep 0.05; done
  bad "sim did not start: $(cat "$work/sim.out")"
}
stop_sim() { [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null; sim_pid=; }

# -v lines to capture.py lines: a connect line, sends as they are, each received
# frame split in two recv lines after its header (16 bytes for 55AA, 28 for 6699)
to_capture() {
  awk -v port=$port 'BEGIN { printf "[SOCKET] connect to (\x27127.0.0.1\x27, %d)\n", port }
    function spaced(h,   i, o) { o = ""; for (i = 1; i <= length(h); i += 2) o = o (i > 1 ? " " : "") substr(h, i, 2); return o }
    $1 == ">>" { print "[SOCKET] send " $2 " bytes: " spaced($4) }
    $1 == "<<" { h = $4; n = (substr(h, 1, 8) == "00006699") ? 28 : 16
                 print "[SOCKET] recv " n " bytes: " spaced(substr(h, 1, 2 * n))
                 print "[SOCKET] recv " ($2 - n) " bytes: " spaced(substr(h, 2 * n + 1)) }'
}

for v in 3.3 3.4 3.5; do
  start_sim --version $v
  "$bin" get --ip 127.0.0.1 --port $port --id $id --key $key -V $v -v >/dev/null 2>"$work/v.log"
  stop_sim
  frames=$(grep -c '^\(>>\|<<\) ' "$work/v.log")
  to_capture <"$work/v.log" >"$work/cap.txt"
  [ "$(grep -c 'recv' "$work/cap.txt")" -ge 2 ] && ok || bad "$v: no split recv lines: $(cat "$work/cap.txt")"
  for vopt in "" "-V $v"; do
    out=$("$bin" decode -k $key $vopt <"$work/cap.txt"); rc=$?
    [ $rc -eq 0 ] && ok || bad "$v capture.py $vopt: exit $rc: $out"
    [ "$(printf '%s\n' "$out" | grep -c '"integrity":"ok"')" = "$frames" ] && ok ||
      bad "$v capture.py $vopt: expected $frames whole frames: $out"
    case $v in 3.4 | 3.5) contains "$v capture.py $vopt: session key derived" "$out" '"session_key":"derived"' ;; esac
  done
  # the CLI's own -v output, annotation lines and all
  out=$("$bin" decode -k $key <"$work/v.log"); rc=$?
  [ $rc -eq 0 ] && ok || bad "$v -v output: exit $rc: $out"
  [ "$(printf '%s\n' "$out" | grep -c '"integrity":"ok"')" = "$frames" ] && ok || bad "$v -v output: $out"
  # two conversations in one file: the second derives its own session key
  cat "$work/cap.txt" "$work/cap.txt" >"$work/two.txt"
  out=$("$bin" decode -k $key <"$work/two.txt"); rc=$?
  [ $rc -eq 0 ] && ok || bad "$v two conversations: exit $rc: $out"
  [ "$(printf '%s\n' "$out" | grep -c '"integrity":"ok"')" = $((2 * frames)) ] && ok || bad "$v two conversations: $out"
done

# a capture that ends inside a frame is reported, not dropped
head -n -1 "$work/cap.txt" >"$work/cut.txt"
out=$("$bin" decode -k $key <"$work/cut.txt"); rc=$?
[ $rc -eq 1 ] && ok || bad "cut capture: exit $rc"
contains "cut capture" "$out" '"status":"ERR_TRUNCATED"'

# a 3.4 beacon (55AA, cmd 0x23, CRC, UDP key) decodes under --version 3.4
uport=$((port + 1))
start_sim --version 3.4 --udp-port $uport --beacon-interval 0.2
hex=$(timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print(s.recv(4096).hex())' $uport)
stop_sim
contains "a 3.4 beacon is cmd 0x23" "${hex:16:8}" "00000023"
out=$("$bin" decode --version 3.4 "$hex"); rc=$?
[ $rc -eq 0 ] && ok || bad "3.4 beacon with --version 3.4: exit $rc: $out"
contains "3.4 beacon: UDP key" "$out" '"integrity":"ok","key":"udp"'
contains "3.4 beacon: its JSON" "$out" "\"gwId\":\"$id\""

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
