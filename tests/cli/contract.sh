#!/usr/bin/env bash
# The CLI's contract (issue 10): no false success, typed values, strict
# numbers, a message for every usage error, devices.json rules, one JSON shape
# per answer, probe's recommendation, watch across a reconnect. Against
# `ltuya sim` on 127.0.0.1 only.
# Usage: contract.sh path/to/ltuya [source dir]
set -u
bin=$(realpath "$1")
src=$(realpath "${2:-$(dirname "$0")/../..}")
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=0123456789abcdef
# a port per run, in a range no other test script uses (below the ephemeral 32768+)
port=$((8000 + $$ % 3000))
args="--ip 127.0.0.1 --port $port --id $id --key $key"
trap 'stop_sim; rm -rf "$work"' EXIT
unset LTUYA_DEVICES LTUYA_KEY
export XDG_CONFIG_HOME=$work/xdg HOME=$work/home
cd "$work" || exit 1

# run: exit code in $rc, stdout in $out, stderr in $err

start_sim() { # version [sim options]
  local v=$1; shift
  sim_spawn "sim $v" --id $id --key $key --version "$v" --port $port "$@"
}
sim_state() { echo '{"cmd":"get"}' >&9; sleep 0.2; tail -n 1 "$work/sim.out"; }

# ---- item 6: tools use only the public API (no member of a library struct) --------
priv=$(grep -nE '\.(client|session)\.|user_push|user_done|[^_]frames_seen|[^o]\.keep_alive|dev\.energy' \
  "$src"/tools/ltuya/*.c "$src"/tools/sim/*.c | grep -vE 'o\.client\.|[a-z]\.client\.(host|port|dev_id|local_key|version|device22|reply_timeout_ms|on_frame|on_push|user|transport|clock|header_on|header_off)\b' || true)
[ -z "$priv" ] && ok || bad "tools reach into library structs: $priv"

# ---- item 9: no false success ---------------------------------------------------
start_sim 3.3 --profile bulb
run off $args -V 3.3
expect_rc "bulb off" $rc 0
contains "bulb off says which DP and why" "$out" "DP 20"
contains "bulb off switched DP 20" "$(sim_state)" '"20":false'
run on $args -V 3.3 --dp 1
expect_rc "on --dp 1 on a bulb (no DP 1)" $rc 1
contains "on --dp 1 names the DP" "$err" "no DP 1"
run on $args -V 3.3 --dp 77
expect_rc "on --dp 77" $rc 1
contains "on --dp 77 names the DP" "$err" "DP 77"
stop_sim
# firmware that acknowledges a write it drops (the simulator's silent-reject)
start_sim 3.3 --profile bulb --quirk silent-reject
run set $args -V 3.3 77=5
expect_rc "set a DP the device lacks: acknowledged, not confirmed" $rc 10
contains "unconfirmed write message" "$err" "the device acknowledged but has no DP 77"
lacks "unconfirmed write prints no ok" "$out" "ok"
stop_sim
# the mapping names the switch
cat >"$work/bulb.json" <<JSON
[{"name":"Lamp","id":"$id","key":"$key","ip":"127.0.0.1","port":$port,"version":"3.3",
  "mapping":{"20":{"code":"switch_led","type":"Boolean","values":{}}}}]
JSON
chmod 600 "$work/bulb.json"
start_sim 3.3 --profile bulb
run toggle Lamp --devices "$work/bulb.json"
expect_rc "toggle by mapping" $rc 0
contains "toggle by mapping says so" "$out" "switch_led in devices.json"
contains "toggle switched DP 20" "$(sim_state)" '"20":false'
stop_sim
# a write the device acknowledges and drops: a string to an integer DP, as
# the mapping would not tell us (unknown DP type) -> sim keeps the old value
start_sim 3.3
run set $args -V 3.3 9=120
expect_rc "set confirmed" $rc 0
contains "set confirmed prints ok" "$out" "ok"

# ---- item 10: typed values ------------------------------------------------------
for v in 1=TRUE 1=null 9=1.5 9=2147483648 9=-2147483649 1=1 9=true 38=5 9='{"a":1}' '38="unterminated'; do
  run set $args -V 3.3 "$v"
  expect_rc "set $v refused" $rc 2
  [ -n "$err" ] && ok || bad "set $v: no message"
done
before=$(sim_state)
run set $args -V 3.3 1=TRUE
[ "$(sim_state)" = "$before" ] && ok || bad "a refused value was sent"
run set $args -V 3.3 42='"7"' 9=86400
expect_rc "quoted digits are a string" $rc 0
contains "typed values reached the device" "$(sim_state)" '"9":86400,'
contains "quoted digits stayed a string" "$(sim_state)" '"42":"7"'
# the 32-bit bounds themselves are values: sent (to a DP the device lacks), and
# the simulated plug refuses a write to an unknown DP with an error (exit 9)
run set $args -V 3.3 77=2147483647
expect_rc "int32 max is sent" $rc 9
run set $args -V 3.3 77=-2147483648
expect_rc "int32 min is sent" $rc 9
run set $args -V 3.3 38="$(head -c 3000 /dev/zero | tr '\0' x)"
expect_rc "value longer than a frame" $rc 2
contains "the limit is named" "$err" "at most"
stop_sim

# ---- item 11: strict numbers ----------------------------------------------------
for o in "--port 70000" "--port 12x" "--port -1" "--port ''" "-t abc" "-t 0" "-t 5s" "-V 33" "-V 3.30" "-V 3" \
         "--ip 999.1.1.1" "--ip 1.2.3" "--id ''" "--id $(printf 'x%.0s' $(seq 40))"; do
  eval "run get --ip 127.0.0.1 --id $id --key $key $o"
  expect_rc "get $o" $rc 2
  [ -n "$err" ] && ok || bad "get $o: no message"
done
for o in "--dp 0" "--dp -1" "--dp 1x" "--dp 65536"; do
  eval "run on $args $o"
  expect_rc "on $o" $rc 2
done
for o in "--interval 0" "--interval 0.01" "--interval x" "--for -3" "--for 1y"; do
  eval "run watch $args $o"
  expect_rc "watch $o" $rc 2
  [ -n "$err" ] && ok || bad "watch $o: no message"
done

# ---- item 14: usage errors, extra arguments, Ctrl-C, unwritable stdout --------
run get --ip 127.0.0.1 --id $id --key 00112233445566778899aabbccddeeff00 -V 3.3
expect_rc "get with a 34-digit key" $rc 2
contains "bad key message" "$err" "got 34"
for a in "1" "=5"; do
  run set $args -V 3.3 "$a"
  expect_rc "set '$a'" $rc 2
  [ -n "$err" ] && ok || bad "set '$a': no message"
done
cat >"$work/devices.json" <<JSON
[{"name":"Kitchen plug","id":"$id","key":"$key","ip":"127.0.0.1","port":$port,"version":"3.3"}]
JSON
chmod 600 "$work/devices.json"
start_sim 3.3
run off "Kitchen plug" other
expect_rc "off with an extra argument" $rc 2
contains "extra argument named" "$err" "'other'"
contains "nothing switched" "$(sim_state)" '"1":true'
"$bin" get "Kitchen plug" >/dev/full 2>"$work/e"; rc=$?
expect_rc "get >/dev/full" $rc 1
contains "write error reported" "$(cat "$work/e")" "cannot write"
stop_sim
start_sim 3.3 --fault drop=1 # connects, never answers
"$bin" get "Kitchen plug" -t 30 >"$work/o" 2>"$work/e" &
gpid=$!
sleep 1
kill -INT $gpid
wait $gpid; rc=$?
expect_rc "Ctrl-C during get" $rc 130
lacks "Ctrl-C does not blame the device" "$(cat "$work/e")" "failed"
stop_sim

# ---- item 15: hints that point the right way ------------------------------------
run get --ip 127.0.0.1 --port $port --id $id -V 3.3
expect_rc "missing key" $rc 2
contains "missing key says so" "$err" "no local key"
start_sim 3.3
run get $args -V 3.1 -t 1
[ $rc -ne 0 ] && ok || bad "-V 3.1 against a 3.3 device succeeded"
contains "-V 3.1 against 3.3 points at the version" "$err" "protocol version (3.1) is probably wrong"
stop_sim
start_sim 3.1 --profile plug31
run off --ip 127.0.0.1 --port $port --id $id --key fedcba9876543210 -V 3.1
lacks "3.1 wrong-key write does not suggest --device22" "$err" "device22"
contains "3.1 wrong-key write blames the key" "$err" "local key is probably wrong"
stop_sim

# ---- item 16: devices.json -------------------------------------------------------
start_sim 3.3
run get "kitchen PLUG" --json
expect_rc "./devices.json with a per-device port" $rc 0
mkdir -p "$work/xdg/ltuya" "$work/sub"
cp "$work/devices.json" "$work/xdg/ltuya/devices.json"
(cd "$work/sub" && "$bin" get "Kitchen plug" >/dev/null 2>&1); expect_rc "XDG_CONFIG_HOME lookup" $? 0
sed 's/Kitchen plug/Env plug/' "$work/devices.json" >"$work/env.json"; chmod 600 "$work/env.json"
LTUYA_DEVICES=$work/env.json "$bin" get "Env plug" >/dev/null 2>&1; expect_rc "LTUYA_DEVICES lookup" $? 0
stop_sim
# an entry with an id and no ip: found by its beacon (on loopback, a test port)
uport=$((port + 1))
printf '[{"name":"Beaconing","id":"%s","key":"%s","port":%s}]\n' $id $key $port >"$work/noip.json"
chmod 600 "$work/noip.json"
start_sim 3.4 --udp-port $uport --beacon-interval 0.3
LTUYA_DISCOVERY_BIND=127.0.0.1 LTUYA_DISCOVERY_PORTS=$uport "$bin" get Beaconing --devices "$work/noip.json" --json >"$work/o" 2>"$work/e"
expect_rc "id-only entry found by discovery" $? 0
contains "id-only entry: version from the beacon" "$(cat "$work/o")" '"version":"3.4"'
stop_sim
LTUYA_DISCOVERY_BIND=127.0.0.1 LTUYA_DISCOVERY_PORTS=$uport "$bin" get Beaconing --devices "$work/noip.json" >"$work/o" 2>"$work/e"
expect_rc "id-only entry, no beacon" $? 3
contains "id-only entry, no beacon: says so" "$(cat "$work/e")" "no beacon from $id"
printf '[{"name":"A","id":"x1","key":"%s","ip":"127.0.0.1"},\n {"name":"a","id":"x2","key":"%s","ip":"127.0.0.1"}]\n' $key $key >"$work/dup.json"
chmod 600 "$work/dup.json"
run get A --devices "$work/dup.json"
expect_rc "duplicate names" $rc 3
contains "both duplicates named" "$err" "lines 1 and 2"
printf '[{"name":"A","id":"x1","key":"%s","ip":"127.0.0.1"},\n  {"name": oops}]\n' $key >"$work/bad.json"
chmod 600 "$work/bad.json"
run get B --devices "$work/bad.json"
expect_rc "malformed file" $rc 3
contains "file:line:col" "$err" "bad.json:2:3:"
printf '[{"name":"A","id":"x1","key":"01234567890123456789","ip":"127.0.0.1"}]\n' >"$work/k20.json"
chmod 600 "$work/k20.json"
run get A --devices "$work/k20.json"
expect_rc "20-character key in the file: same code as --key" $rc 2
contains "20-character key" "$err" "got 20"
printf '[{"name":"A","id":"x1","key":"%s","ip":"127.0.0.1","version":"33"}]\n' $key >"$work/v.json"
chmod 600 "$work/v.json"
run get A --devices "$work/v.json"
expect_rc "bad version in the file: same code as -V" $rc 2
for p in "$work" /dev/null; do
  run get A --devices "$p"
  expect_rc "--devices $p" $rc 3
  contains "--devices $p is not a file" "$err" "not a file"
  lacks "--devices $p: no chmod warning" "$err" "chmod"
done

# ---- item 17: one JSON shape per answer ------------------------------------------
cat >"$work/map.json" <<JSON
[{"name":"Kitchen plug","id":"$id","key":"$key","ip":"127.0.0.1","port":$port,"version":"3.3",
  "mapping":{"1":{"code":"switch_1","type":"Boolean","values":{}}}}]
JSON
chmod 600 "$work/map.json"
start_sim 3.3
run get "Kitchen plug" --devices "$work/map.json" 1 18 --json
contains "get DP args: id, name, dps" "$out" "{\"id\":\"$id\",\"name\":\"Kitchen plug\",\"dps\":{\"1\":true,\"18\":"
run get "Kitchen plug" --devices "$work/map.json" switch_1 --json
contains "get by DP code" "$out" '"dps":{"1":true}'
run set "Kitchen plug" --devices "$work/map.json" switch_1=false --json
contains "set --json carries id and name" "$out" "{\"id\":\"$id\",\"name\":\"Kitchen plug\",\"ok\":true,\"dps\":{\"1\":false}}"
run on $args -V 3.3 --json
contains "on --json" "$out" "{\"id\":\"$id\",\"ok\":true,\"dps\":{\"1\":true}}"
run probe "Kitchen plug" --devices "$work/map.json" --json
contains "probe --json carries id and name" "$out" "{\"id\":\"$id\",\"name\":\"Kitchen plug\",\"version\":\"3.3\""
"$bin" watch $args -V 3.3 --json --interval 1 --for 2 >"$work/w.out" 2>&1
contains "watch --json: state event with dps" "$(head -n 1 "$work/w.out")" "{\"id\":\"$id\",\"event\":\"state\",\"t\":"
contains "watch --json: state dps" "$(head -n 1 "$work/w.out")" '"dps":{"1":true'
stop_sim

# ---- item 18: the sparkline only in a UTF-8 locale --------------------------------
start_sim 3.3
LC_ALL=C "$bin" watch $args -V 3.3 --interval 0.5 --for 2 >"$work/w.out" 2>&1
LC_ALL=C grep -q '[^ -~]' "$work/w.out" && bad "non-ASCII output in the C locale: $(cat "$work/w.out")" || ok
contains "watch still prints energy in the C locale" "$(cat "$work/w.out")" " W "
stop_sim

# ---- item 12: probe recommends only what passes its own read and write ----------
start_sim 3.1 --profile plug31
run probe $args
expect_rc "probe plug31" $rc 0
contains "probe recommends 3.1" "$out" "settings to use: --version 3.1"
contains "probe says which versions were rejected" "$out" "version 3.3"
stop_sim
# a silent port: it tried every version, and says so
start_sim 3.3 --fault drop=1
run probe $args -t 0.3
[ $rc -ne 0 ] && ok || bad "probe on a silent device succeeded"
contains "probe tried every version" "$err" "tried every version"
stop_sim

# ---- item 13: watch across a reconnect ----------------------------------------
start_sim 3.3
"$bin" watch $args -V 3.3 --json --interval 1 --for 7 >"$work/w.out" 2>&1 &
wpid=$!
sleep 1.5
stop_sim
# it comes back changed: a device of another profile, whose DP 38 is "off"
# (the plug's is "memory"), as if someone changed it while watch was away
start_sim 3.3 --profile plug34
wait $wpid
w=$(cat "$work/w.out")
contains "watch: disconnected line" "$w" '"event":"disconnected"'
contains "watch: reconnected line" "$w" '"event":"reconnected"'
contains "watch: what changed while away" "$(grep '"event":"changed"' "$work/w.out")" '"38":"off"'
stop_sim

finish
