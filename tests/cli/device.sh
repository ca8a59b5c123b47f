#!/usr/bin/env bash
# The CLI against `ltuya sim` on loopback, for every protocol version: get, set,
# on, off, toggle, refresh, watch (a push caused through the simulator's control
# interface), and each failure with its own message and exit code.
# Usage: device.sh path/to/ltuya
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=0123456789abcdef
# a port per run so parallel ctest jobs do not collide
port=$((12000 + $$ % 10000))
args="--ip 127.0.0.1 --port $port --id $id"
trap 'stop_sim; rm -rf "$work"' EXIT

start_sim() { # version [sim options]
  local v=$1; shift
  sim_spawn "sim $v" --id $id --key $key --version "$v" --port $port "$@"
}

for v in 3.1 3.2 3.3 3.4 3.5; do
  start_sim $v
  out=$("$bin" get $args --key $key -V $v --json); rc=$?
  expect_rc "$v get" $rc 0
  contains "$v get dps" "$out" '"dps":{"1":true,'
  contains "$v get energy" "$out" '"energy":{"voltage":2'
  out=$("$bin" off $args --key $key -V $v); rc=$?
  expect_rc "$v off" $rc 0
  contains "$v off: the device's state" "$(sim_cmd '{"cmd":"get"}')" '"dps":{"1":false,'
  contains "$v off: no power drawn" "$("$bin" get $args --key $key -V $v --json)" '"power":0.0'
  "$bin" on $args --key $key -V $v >/dev/null; expect_rc "$v on" $? 0
  contains "$v on: the device's state" "$(sim_cmd '{"cmd":"get"}')" '"dps":{"1":true,'
  out=$("$bin" toggle $args --key $key -V $v); rc=$?
  expect_rc "$v toggle" $rc 0
  contains "$v toggle output" "$out" "off"
  "$bin" set $args --key $key -V $v 1=true 9=300 38=on >/dev/null; expect_rc "$v set" $? 0
  contains "$v set: typed values" "$(sim_cmd '{"cmd":"get"}')" '"9":300,'
  contains "$v set: string value" "$(sim_cmd '{"cmd":"get"}')" '"38":"on"'
  out=$("$bin" refresh $args --key $key -V $v); rc=$?
  expect_rc "$v refresh" $rc 0
  contains "$v refresh energy" "$out" "energy:"
  # watch: a push caused by a button press on the device
  "$bin" watch $args --key $key -V $v --json --interval 1 --for 3 >"$work/watch.out" 2>&1 &
  wpid=$!
  sleep 1
  sim_cmd '{"cmd":"set","dps":{"1":false}}' >/dev/null
  wait $wpid; rc=$?
  expect_rc "$v watch" $rc 0
  contains "$v watch push" "$(grep '"event":"push"' "$work/watch.out")" '"dps":{"1":false'
  contains "$v watch energy" "$(cat "$work/watch.out")" '"energy":{"power":'
  stop_sim
done

# failures, each with its own exit code and message
start_sim 3.3
out=$("$bin" get $args --key fedcba9876543210 -V 3.3 -t 2 2>&1); rc=$?
expect_rc "wrong key" $rc 6
contains "wrong key message" "$out" "re-added in the Smart Life app"
out=$("$bin" get $args --key $key -V 3.5 -t 2 2>&1); rc=$?
expect_rc "wrong version" $rc 7
contains "wrong version message" "$out" "protocol"
exec 8<>/dev/tcp/127.0.0.1/$port # another client takes the only slot
sleep 0.2
out=$("$bin" get $args --key $key -V 3.3 -t 2 2>&1); rc=$?
expect_rc "device busy" $rc 8
contains "device busy message" "$out" "Close the Smart Life app"
exec 8>&-
stop_sim
out=$("$bin" get $args --key $key -V 3.3 -t 2 2>&1); rc=$?
expect_rc "dead port" $rc 4
contains "dead port message" "$out" "Nothing listens on 127.0.0.1:$port"
out=$("$bin" get $args --key short -V 3.3 2>&1); rc=$?
expect_rc "malformed key" $rc 2
out=$("$bin" get Nowhere --devices "$work/none.json" 2>&1); rc=$?
expect_rc "missing devices file" $rc 3

# a device22 device answers DP_QUERY with an error; the client falls back by itself
start_sim 3.3 --profile device22
out=$("$bin" get $args --key $key -V 3.3 --json); rc=$?
expect_rc "device22 get" $rc 0
contains "device22 dps" "$out" '"dps":{"1":true'
stop_sim

# devices.json in tinytuya's wizard format: by name, with the mapping's codes and scales
cat >"$work/devices.json" <<JSON
[{"name":"Kitchen plug","id":"$id","key":"$key","ip":"127.0.0.1","version":"3.4",
  "mapping":{"1":{"code":"switch_1","type":"Boolean","values":{}},
             "18":{"code":"cur_current","type":"Integer","values":{"unit":"mA","scale":0}},
             "19":{"code":"cur_power","type":"Integer","values":{"unit":"W","scale":1}},
             "20":{"code":"cur_voltage","type":"Integer","values":{"unit":"V","scale":1}}}}]
JSON
chmod 600 "$work/devices.json"
start_sim 3.4
out=$("$bin" get "kitchen plug" --devices "$work/devices.json" --port $port 2>&1); rc=$?
expect_rc "get by name" $rc 0
contains "name shown" "$out" "Kitchen plug"
contains "code shown" "$out" "cur_power"
"$bin" set "Kitchen plug" --devices "$work/devices.json" --port $port switch_1=false >/dev/null
expect_rc "set by code" $? 0
contains "set by code state" "$(sim_cmd '{"cmd":"get"}')" '"dps":{"1":false,'
stop_sim

# -v logs frames but never the key
start_sim 3.5
out=$("$bin" get $args --key $key -V 3.5 -v 2>&1 >/dev/null)
contains "-v logs frames" "$out" ">> "
case "$out" in *$key*|*30313233343536373839616263646566*) bad "-v printed the key" ;; *) ok ;; esac
stop_sim

# a device refusing multi-DP writes: the client falls back to one DP per write
start_sim 3.3 --quirk reject-multi-dp
"$bin" set $args --key $key -V 3.3 1=false 9=120 >/dev/null; expect_rc "multi-DP fallback" $? 0
out=$(sim_cmd '{"cmd":"get"}')
contains "multi-DP fallback: both written" "$out" '"dps":{"1":false,"9":120,'
stop_sim

# watch survives the device going away: it reconnects (with backoff) and keeps receiving pushes
start_sim 3.4
"$bin" watch $args --key $key -V 3.4 --json --interval 1 --for 9 >"$work/watch2.out" 2>&1 &
wpid=$!
sleep 1.5
stop_sim
sleep 1
start_sim 3.4
sleep 4
sim_cmd '{"cmd":"set","dps":{"1":false}}' >/dev/null
wait $wpid; rc=$?
expect_rc "watch across a restart" $rc 0
contains "watch reconnected and got the push" "$(grep '"event":"push"' "$work/watch2.out")" '"dps":{"1":false'
contains "a second handshake happened" "$(sim_cmd '{"cmd":"stats"}')" '"handshakes":1,'
stop_sim

# faults the simulator injects, and how the client copes or reports them
for f in garbage split coalesce delay; do
  start_sim 3.3 --fault $f=1 --seed 7
  out=$("$bin" get $args --key $key -V 3.3 -t 4 --json); rc=$?
  expect_rc "fault $f: the client copes" $rc 0
  contains "fault $f: full status" "$out" '"dps":{"1":true,'
  "$bin" off $args --key $key -V 3.3 -t 4 >/dev/null; expect_rc "fault $f: write" $? 0
  contains "fault $f fired" "$(sim_cmd '{"cmd":"stats"}')" "\"$f\":"
  case "$(sim_cmd '{"cmd":"stats"}')" in *"\"$f\":0"*) bad "fault $f never fired" ;; *) ok ;; esac
  stop_sim
done
for spec in drop:5 corrupt:5 reset:7; do
  f=${spec%%:*}; code=${spec##*:}
  start_sim 3.3 --fault $f=1
  "$bin" get $args --key $key -V 3.3 -t 1 >/dev/null 2>&1; rc=$?
  expect_rc "fault $f: reported" $rc $code
  stop_sim
done
out=$("$bin" sim --id $id --key $key --port $port --fault nonsense=1 2>&1); rc=$?
expect_rc "unknown fault" $rc 2

# handshake-wedge: two handshakes at once wedge a 3.4 device until it is power-cycled
start_sim 3.4 --quirk handshake-wedge --clients 2
"$bin" get $args --key $key -V 3.4 -t 1 >/dev/null 2>&1 &
g1=$!
"$bin" get $args --key $key -V 3.4 -t 1 >/dev/null 2>&1 &
g2=$!
wait $g1 $g2 # not a bare wait: the simulator is a background job too
"$bin" get $args --key $key -V 3.4 -t 1 >/dev/null 2>&1; rc=$?
expect_rc "wedged device: no handshake answered" $rc 5
sim_cmd '{"cmd":"power-cycle"}' >/dev/null
"$bin" get $args --key $key -V 3.4 -t 2 >/dev/null; expect_rc "after a power cycle" $? 0
stop_sim

# heartbeat-required: a connection without heartbeats is dropped even while it talks;
# watch reconnects by itself and keeps reporting
start_sim 3.3 --quirk heartbeat-required --idle-timeout 1
"$bin" watch $args --key $key -V 3.3 --json --interval 0.5 --for 4 >"$work/watch3.out" 2>&1
expect_rc "watch under heartbeat-required" $? 0
stats=$(sim_cmd '{"cmd":"stats"}')
case "$stats" in *'"closed_by_device":0'*) bad "heartbeat-required never closed: $stats" ;; *) ok ;; esac
case "$stats" in *'"accepted":1,'*) bad "watch did not reconnect: $stats" ;; *) ok ;; esac
contains "watch kept reporting energy" "$(tail -n 2 "$work/watch3.out")" '"energy":'
stop_sim

# header-on-query: replies carrying the version header still decode
start_sim 3.3 --quirk header-on-query
contains "header-on-query reply" "$("$bin" get $args --key $key -V 3.3 --json)" '"dps":{"1":true,'
stop_sim

# probe reports what the simulator was configured to do
start_sim 3.5
out=$("$bin" probe $args --key $key --json); rc=$?
expect_rc "probe 3.5" $rc 0
contains "probe finds the version" "$out" '"version":"3.5","device22":false,"push_on_connect":false,"connections":1,'
stop_sim
start_sim 3.3 --profile device22
contains "probe finds device22" "$("$bin" probe $args --key $key --json)" '"device22":true'
stop_sim
start_sim 3.4 --quirk push-on-connect --clients 2
out=$("$bin" probe $args --key $key --json)
contains "probe finds push-on-connect" "$out" '"push_on_connect":true'
contains "probe counts connections" "$out" '"connections":2,'
stop_sim
start_sim 3.3 --quirk strict-headers
contains "probe finds header rules" "$("$bin" probe $args --key $key --json)" \
  '"header_on_query":false,"control_without_header":false'
stop_sim
start_sim 3.4
contains "probe: lenient headers" "$("$bin" probe $args --key $key -V 3.4 --json)" \
  '"header_on_query":true,"control_without_header":true'
stop_sim

# scan: beacons on loopback only (a test port), and a silent 3.5 device that answers a request
uport=$((port + 1))
start_sim 3.3 --udp-port $uport --beacon-interval 0.3
out=$("$bin" scan --bind 127.0.0.1 --ports $uport --timeout 1.5 --json); rc=$?
expect_rc "scan" $rc 0
contains "scan finds the 3.3 plug" "$out" "\"id\":\"$id\",\"ip\":\"127.0.0.1\",\"version\":\"3.3\""
stop_sim
start_sim 3.5 --quirk silent-beacons --solicit-port $uport
out=$("$bin" scan --bind 127.0.0.1 --ports $((port + 2)) --solicit 127.0.0.1:$uport --timeout 1.5 --json)
contains "scan solicits the silent 3.5 plug" "$out" '"version":"3.5"'
out=$("$bin" scan --bind 127.0.0.1 --ports $((port + 2)) --timeout 1 --json)
contains "a silent 3.5 plug stays silent unasked" "$out" '[]'
stop_sim

# a fleet: 1,000 devices in one process, each accepting a connection and answering
# below the ephemeral range (32768+), where outgoing connections could hold a port
fport=$((28000 + $$ % 4 * 1000))
awk -v p=$fport 'BEGIN { printf "["; for (i = 0; i < 1000; i++)
  printf "%s{\"id\":\"bf%018d\",\"key\":\"0123456789abcdef\",\"port\":%d,\"version\":\"3.%d\"}",
         (i ? "," : ""), i, p + i, i % 5 + 1; print "]" }' >"$work/fleet.json"
rm -f "$work/ctl"; mkfifo "$work/ctl"
"$bin" sim --config "$work/fleet.json" --beacon-interval 0 <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
exec 9>"$work/ctl"
for _ in $(seq 200); do grep -q READY "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
accepted=0
for i in $(seq 0 999); do
  if exec 7<>/dev/tcp/127.0.0.1/$((fport + i)); then accepted=$((accepted + 1)); exec 7>&-; fi
done 2>/dev/null
[ $accepted -eq 1000 ] && ok || bad "fleet: $accepted of 1000 devices accepted a connection"
for i in 0 1 2 3 4 998 999; do
  out=$("$bin" get --ip 127.0.0.1 --port $((fport + i)) --id "$(printf 'bf%018d' $i)" --key $key \
        -V 3.$((i % 5 + 1)) --json); rc=$?
  expect_rc "fleet device $i" $rc 0
  contains "fleet device $i answers as itself" "$out" "\"id\":\"$(printf 'bf%018d' $i)\""
done
contains "fleet control by index" "$(sim_cmd '{"cmd":"stats","device":999}')" '"handshakes":1,'
stop_sim

finish
