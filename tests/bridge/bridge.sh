#!/usr/bin/env bash
# `ltuya bridge` end to end against Debian's mosquitto (a loopback-only
# listener on a free port started here, no mock) and simulated plugs
# (`ltuya sim --config`): topics, Home Assistant discovery, commands confirmed
# by the device, a merged burst, availability reasons, the will, broker and
# bridge restarts, the kWh counter across restarts, keys on no topic or log,
# 100 devices of mixed versions.
# Usage: bridge.sh path/to/ltuya
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
work=$(mktemp -d)
for tool in mosquitto mosquitto_sub mosquitto_pub node; do
  command -v $tool >/dev/null || { echo "SKIP: $tool missing (scripts/deps.sh test installs it)"; exit 77; }
done
"$bin" bridge --help >/dev/null 2>&1 || { echo "SKIP: ltuya built without the bridge (libuv, libmosquitto)"; exit 77; }

# ports per run so that parallel ctest jobs and other helpers' tests do not collide
# a block of 120 ports (below 32768, where the kernel's own outgoing ports start) with no
# TCP or UDP listener in it yet
base=$((20000 + ($$ * 7) % 9000))
for _ in $(seq 50); do
  [ -z "$(ss -Htuln "sport >= :$base and sport <= :$((base + 120))" 2>/dev/null)" ] && break
  base=$((20000 + RANDOM % 12000))
done
mport=$base            # the broker
dport=$((base + 1))    # plug1..plug3 at dport..dport+2
fleet_port=$((base + 10)) # 100 devices from there
bport=$((base + 9))    # the bridge listens for the simulators' beacons here
key=0123456789abcdef
badkey=fedcba9876543210
id1=bf00000000000000b001 id2=bf00000000000000b002 id3=bf00000000000000b003 id4=bf00000000000000b004 id5=bf00000000000000b005 id6=bf00000000000000b006
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null
  [ -n "${bridge_pid:-}" ] && kill "$bridge_pid" 2>/dev/null
  [ -n "${broker_pid:-}" ] && kill "$broker_pid" 2>/dev/null
  [ -n "${sub_pid:-}" ] && kill "$sub_pid" 2>/dev/null
  wait 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
# wait up to $2 s for a line matching $1 (grep -E) in the subscriber's log
wait_log() {
  local i
  for i in $(seq $(($2 * 10))); do grep -Eq -- "$1" "$work/sub.log" && return 0; sleep 0.1; done
  return 1
}
count_log() { grep -Ec -- "$1" "$work/sub.log"; }
# the retained message of a topic, or nothing
retained() { mosquitto_sub -h 127.0.0.1 -p $mport -t "$1" --retained-only -C 1 -W 2 2>/dev/null; }
pub() { mosquitto_pub -h 127.0.0.1 -p $mport -q 1 -t "$1" -m "$2"; }

start_broker() {
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' $mport >"$work/mosquitto.conf"
  mosquitto -c "$work/mosquitto.conf" >>"$work/mosquitto.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 50); do mosquitto_pub -h 127.0.0.1 -p $mport -t probe -m x 2>/dev/null && return 0; sleep 0.1; done
  bad "mosquitto did not start: $(tail -3 "$work/mosquitto.log")"
}
start_sub() {
  mosquitto_sub -h 127.0.0.1 -p $mport -v -t 'ltuya/#' -t 'homeassistant/#' -t 'shard/#' >>"$work/sub.log" 2>/dev/null &
  sub_pid=$!
  sleep 0.3
}
start_sims() { # fleet file [sim options]
  local fleet=$1; shift
  rm -f "$work/ctl"; mkfifo "$work/ctl"
  "$bin" sim --config "$fleet" --beacon-interval 0 "$@" <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
  sim_pid=$!
  exec 9>"$work/ctl"
  for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && return 0; sleep 0.05; done
  bad "sim did not start: $(cat "$work/sim.err")"
}
stop_sims() {
  echo '{"cmd":"quit"}' >&9 2>/dev/null; exec 9>&-
  wait "$sim_pid" 2>/dev/null; sim_pid=
}
sim_cmd() { echo "$1" >&9; sleep 0.3; tail -n 1 "$work/sim.out"; }
start_bridge() { # extra options
  "$bin" bridge --mqtt mqtt://127.0.0.1:$mport --devices "$work/devices.json" --state-dir "$work/state" \
    --health-interval 2 --energy-interval 5 --log-level debug --beacon-port $bport "$@" 2>>"$work/bridge.log" &
  bridge_pid=$!
}
stop_bridge() { kill -TERM "$bridge_pid" 2>/dev/null; wait "$bridge_pid" 2>/dev/null; local rc=$?; bridge_pid=; return $rc; }
json_ok() { node -e 'JSON.parse(require("fs").readFileSync(0,"utf8"))' 2>/dev/null; }

mkdir -p "$work/state"
cat >"$work/fleet.json" <<JSON
[{"id":"$id1","key":"$key","port":$dport,"version":"3.3"},
 {"id":"$id2","key":"$key","port":$((dport + 1)),"version":"3.5"},
 {"id":"$id3","key":"$key","port":$((dport + 2)),"version":"3.3"},
 {"id":"$id4","key":"$key","port":$((dport + 3)),"version":"3.4"},
 {"id":"$id5","key":"$key","port":$((dport + 4)),"version":"3.3"},
 {"id":"$id6","key":"$key","port":$((dport + 5)),"version":"3.3"}]
JSON
cat >"$work/devices.json" <<JSON
[{"name":"plug1","id":"$id1","key":"$key","ip":"127.0.0.1","port":$dport,"version":"3.3"},
 {"name":"plug2","id":"$id2","key":"$key","ip":"127.0.0.1","port":$((dport + 1)),"version":"3.5",
  "mapping":{"1":{"code":"switch_1","type":"Boolean","values":{}},
             "9":{"code":"countdown_1","type":"Integer","values":{"unit":"s","scale":0}}}},
 {"name":"wrongkey","id":"$id3","key":"$badkey","ip":"127.0.0.1","port":$((dport + 2)),"version":"3.3"},
 {"name":"wrongkey34","id":"$id4","key":"$badkey","ip":"127.0.0.1","port":$((dport + 3)),"version":"3.4"},
 {"name":"moved","id":"$id5","key":"$key","ip":"127.0.0.9","port":$((dport + 4)),"version":"3.3"},
 {"name":"busy","id":"$id6","key":"$key","ip":"127.0.0.1","port":$((dport + 5)),"version":"3.3"}]
JSON
chmod 600 "$work/devices.json"

start_broker
start_sub
start_sims "$work/fleet.json" --beacon-interval 1 --udp-port $bport
exec 7<>/dev/tcp/127.0.0.1/$((dport + 5)) # another client holds busy's only connection
start_bridge

# ---- topics and discovery ----------------------------------------------------------
check "bridge online" 'wait_log "^ltuya/bridge/state \{\"state\":\"online\"\}" 5'
check "plug1 online" 'wait_log "^ltuya/plug1/availability \{\"state\":\"online\"\}" 10'
check "plug2 (3.5) online" 'wait_log "^ltuya/plug2/availability \{\"state\":\"online\"\}" 10'
check "plug1 state with energy" 'wait_log "^ltuya/plug1 \{\"state\":\"ON\",\"power\":[0-9.]+,\"voltage\":2[0-9.]+,\"current\":[0-9.]+" 10'
check "mapped code in the state" 'wait_log "^ltuya/plug2 \{.*\"countdown_1\":0" 10'
check "wrong key reported (3.3)" 'wait_log "^ltuya/wrongkey/availability \{\"state\":\"offline\",\"reason\":\"wrong key\"" 15'
check "wrong key on 3.4: handshake dropped" 'wait_log "^ltuya/wrongkey34/availability \{\"state\":\"offline\",\"reason\":\"wrong key or version\"" 15'
check "bridge/state retained" '[ "$(retained ltuya/bridge/state)" = "{\"state\":\"online\"}" ]'
devs=$(retained ltuya/bridge/devices)
check "bridge/devices retained JSON" 'echo "$devs" | json_ok'
check "bridge/devices lists them" 'case "$devs" in *plug1*plug2*wrongkey*wrongkey34*moved*) true ;; *) false ;; esac'
check "client limit diagnosed" 'wait_log "^ltuya/busy/availability \{\"state\":\"offline\",\"reason\":\"client limit\"" 15'
exec 7>&-
check "slot free again: online" 'wait_log "^ltuya/busy/availability \{\"state\":\"online\"\}" 40'
# "moved" is configured at 127.0.0.9 where nothing listens; its beacons say 127.0.0.1
check "moved device re-learnt from its beacon" 'wait_log "^ltuya/moved/availability \{\"state\":\"online\"\}" 20'
check "re-learnt address in bridge/devices" 'for i in $(seq 20); do retained ltuya/bridge/devices | grep -q "\"name\":\"moved\",\"ip\":\"127.0.0.1\"" && break; sleep 0.2; done; retained ltuya/bridge/devices | grep -q "\"name\":\"moved\",\"ip\":\"127.0.0.1\""'
pub ltuya/bridge/request/devices/rescan '{"seconds":2,"transaction":"scan"}'
check "devices/rescan lists the devices beaconing" 'wait_log "^ltuya/bridge/response/devices/rescan \{\"status\":\"ok\",\"data\":\{\"devices\":\[.*\"id\":\"$id1\",\"ip\":\"127.0.0.1\",\"version\":\"3.3\".*\"name\":\"plug1\".*\"transaction\":\"scan\"" 6'
check "plug state retained" 'retained ltuya/plug1 | grep -q "\"dps\":{\"1\":true"'
for id in $id1 $id2; do
  cfg=$(retained "homeassistant/device/ltuya_$id/config")
  check "discovery $id valid JSON" 'echo "$cfg" | json_ok'
  check "discovery $id fields" 'echo "$cfg" | node -e '"'"'const c=JSON.parse(require("fs").readFileSync(0,"utf8"));
    const k=c.components; if(!c.device||!c.origin||!c.origin.name||!k) process.exit(1);
    if(k.state.platform!=="switch"||k.state.device_class!=="outlet") process.exit(1);
    if(k.power.unit_of_measurement!=="W"||k.power.state_class!=="measurement") process.exit(1);
    if(k.voltage.unit_of_measurement!=="V"||k.current.unit_of_measurement!=="A") process.exit(1);
    if(k.energy.unit_of_measurement!=="kWh"||k.energy.state_class!=="total_increasing") process.exit(1);
    if(c.availability_mode!=="all"||c.availability.length!==2) process.exit(1);'"'"''
done
uids=$( (retained "homeassistant/device/ltuya_$id1/config"; echo; retained "homeassistant/device/ltuya_$id2/config") |
  grep -o '"unique_id":"[^"]*"' | sort)
check "unique ids unique" '[ -n "$uids" ] && [ "$(echo "$uids" | uniq -d)" = "" ] && [ $(echo "$uids" | wc -l) -eq 10 ]'
check "unique ids from the device id only" '! echo "$uids" | grep -qv "ltuya_bf00000000000000b00[12]_"'
n0=$(count_log "^homeassistant/device/ltuya_$id1/config")
pub homeassistant/status online
check "discovery re-published on homeassistant/status" 'for i in $(seq 30); do [ $(count_log "^homeassistant/device/ltuya_$id1/config") -gt $n0 ] && break; sleep 0.1; done; [ $(count_log "^homeassistant/device/ltuya_$id1/config") -gt $n0 ]'
check "health" 'wait_log "^ltuya/bridge/health \{\"uptime\":[0-9]+,\"rss_kib\":[0-9]+,\"devices\":\{\"online\":4,\"offline\":2\}" 6'

# ---- commands --------------------------------------------------------------------------
pub ltuya/plug1/set '{"state":"OFF","transaction":"t-off"}'
check "set reaches the device" 'for i in $(seq 30); do sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":false" && break; done; sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":false"'
check "set confirmed" 'wait_log "^ltuya/bridge/response/device/set \{\"status\":\"ok\",\"data\":\{\"device\":\"plug1\"\},\"transaction\":\"t-off\"\}" 5'
check "state shows the confirmed value" 'wait_log "^ltuya/plug1 \{\"state\":\"OFF\"" 5'
pub ltuya/plug1/set/state ON
check "set/<attr> reaches the device" 'for i in $(seq 30); do sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":true" && break; done; sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":true"'
pub ltuya/plug2/set '{"countdown_1":120}'
check "mapped code written" 'for i in $(seq 30); do sim_cmd "{\"cmd\":\"get\",\"device\":1}" | grep -q "\"9\":120" && break; done; sim_cmd "{\"cmd\":\"get\",\"device\":1}" | grep -q "\"9\":120"'
pub ltuya/plug2/raw/set '{"9":60}'
check "raw/set written" 'for i in $(seq 30); do sim_cmd "{\"cmd\":\"get\",\"device\":1}" | grep -q "\"9\":60" && break; done; sim_cmd "{\"cmd\":\"get\",\"device\":1}" | grep -q "\"9\":60"'
# a button press on the device: pushed, published; then get asks afresh
sim_cmd '{"cmd":"set","device":1,"dps":{"1":false}}' >/dev/null
check "push published" 'wait_log "^ltuya/plug2 \{\"state\":\"OFF\"" 5'
# malformed payloads: an error response each, no write, the bridge still up
before=$(sim_cmd '{"cmd":"get","device":0}')
for bad_payload in '{"state":"maybe"}' '{"power":5}' 'not json' '{"state":"ON"' '{"dps":{"0":true}}' '{"dps":{"1":1.5}}' '[]' '{}' '{"nope":1,"transaction":"m1"}'; do
  pub ltuya/plug1/set "$bad_payload"
done
pub ltuya/plug1/set/state sideways
pub ltuya/nosuch/set '{"state":"ON"}'
pub ltuya/bridge/request/device/remove '{"device":"nosuch","transaction":7}'
pub ltuya/bridge/request/device/frobnicate '{}'
pub ltuya/bridge/request/device/options '{"device":"plug1","options":{"id":"x"}}'
check "malformed: error responses" 'for i in $(seq 30); do [ $(count_log "^ltuya/bridge/response/device/set \{\"status\":\"error\"") -ge 11 ] && break; sleep 0.1; done; [ $(count_log "^ltuya/bridge/response/device/set \{\"status\":\"error\"") -ge 11 ]'
check "malformed: transaction echoed" 'grep -q "unknown attribute .*\"transaction\":\"m1\"" "$work/sub.log"'
check "request errors answered" 'wait_log "^ltuya/bridge/response/device/remove \{\"status\":\"error\",\"data\":\{\},\"error\":\"no such device\",\"transaction\":7\}" 3 && wait_log "^ltuya/bridge/response/device/frobnicate \{\"status\":\"error\"" 3 && wait_log "^ltuya/bridge/response/device/options \{\"status\":\"error\"" 3'
check "malformed: no write reached the device" '[ "$(sim_cmd "{\"cmd\":\"get\",\"device\":0}" | sed "s/\"1[89]\":[0-9]*,\|\"2[0-9]\":[0-9]*,\|\"17\":[0-9]*,//g" | cut -c1-40)" = "$(echo "$before" | sed "s/\"1[89]\":[0-9]*,\|\"2[0-9]\":[0-9]*,\|\"17\":[0-9]*,//g" | cut -c1-40)" ]'
check "bridge alive after malformed input" 'kill -0 $bridge_pid'

# a burst of 100 writes to one device: every one answered, merged into fewer frames, last value wins
frames0=$(sim_cmd '{"cmd":"stats","device":1}' | grep -o '"frames_in":[0-9]*' | cut -d: -f2)
oks0=$(count_log '^ltuya/bridge/response/device/set \{"status":"ok","data":\{"device":"plug2"\}')
for i in $(seq 1 100); do echo "{\"countdown_1\":$i}"; done |
  mosquitto_pub -h 127.0.0.1 -p $mport -q 1 -t ltuya/plug2/set -l
check "burst: 100 answered ok" 'for i in $(seq 100); do [ $(($(count_log "^ltuya/bridge/response/device/set \{\"status\":\"ok\",\"data\":\{\"device\":\"plug2\"\}") - oks0)) -ge 100 ] && break; sleep 0.2; done; [ $(($(count_log "^ltuya/bridge/response/device/set \{\"status\":\"ok\",\"data\":\{\"device\":\"plug2\"\}") - oks0)) -eq 100 ]'
check "burst: last value applied" 'sim_cmd "{\"cmd\":\"get\",\"device\":1}" | grep -q "\"9\":100"'
frames1=$(sim_cmd '{"cmd":"stats","device":1}' | grep -o '"frames_in":[0-9]*' | cut -d: -f2)
check "burst: merged (fewer frames than commands: $((frames1 - frames0)))" '[ $((frames1 - frames0)) -lt 100 ]'
check "state shows the burst's last value" 'wait_log "^ltuya/plug2 \{.*\"countdown_1\":100" 5'

# ---- availability ----------------------------------------------------------------------------
stop_sims
check "sim gone: offline, unreachable" 'wait_log "^ltuya/plug1/availability \{\"state\":\"offline\",\"reason\":\"unreachable\"" 25'
n_on=$(count_log '^ltuya/plug1/availability \{"state":"online"\}')
start_sims "$work/fleet.json" --beacon-interval 1 --udp-port $bport
check "sim back: online again" 'for i in $(seq 400); do [ $(count_log "^ltuya/plug1/availability \{\"state\":\"online\"\}") -gt $n_on ] && break; sleep 0.1; done; [ $(count_log "^ltuya/plug1/availability \{\"state\":\"online\"\}") -gt $n_on ]'
check "sim back: fresh state" 'sleep 1; retained ltuya/plug1 | grep -q "\"state\":\"ON\""'

# ---- the will, QoS 1 while away, energy across restarts ------------------------------------------
kwh_before=$(retained ltuya/plug1 | grep -o '"energy":[0-9.]*' | cut -d: -f2)
check "energy counter published" '[ -n "$kwh_before" ]'
kill -9 $bridge_pid; wait $bridge_pid 2>/dev/null; bridge_pid=
check "kill -9: the will says offline" 'wait_log "^ltuya/bridge/state \{\"state\":\"offline\"\}" 5 && [ "$(retained ltuya/bridge/state)" = "{\"state\":\"offline\"}" ]'
pub ltuya/plug1/set '{"state":"OFF","transaction":"while-away"}'
sleep 0.5
check "nothing applied while the bridge is away" 'sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":true"'
start_bridge
check "QoS 1 command from while away applied on return" 'wait_log "^ltuya/bridge/response/device/set \{\"status\":\"ok\".*\"transaction\":\"while-away\"" 15 && sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":false"'
check "back online" '[ "$(retained ltuya/bridge/state)" = "{\"state\":\"online\"}" ]'
# a clean stop writes the counter; the next start continues from the file
stop_bridge; rc=$?
check "SIGTERM: exit 0" '[ $rc -eq 0 ]'
check "SIGTERM: offline published" '[ "$(retained ltuya/bridge/state)" = "{\"state\":\"offline\"}" ]'
check "state file written at stop" 'grep -q "\"$id1\":[0-9]" "$work/state/state.json"'
saved=$(grep -o "\"$id1\":[0-9.]*" "$work/state/state.json" | cut -d: -f2)
check "counter saved is what was published" 'node -e "process.exit(Math.abs($saved - $kwh_before) < 0.01 ? 0 : 1)"'
# as if the plug had used 12.345 kWh so far
echo "{\"energy\":{\"$id1\":12.345}}" >"$work/state/state.json"
start_bridge
check "energy counter continues after a restart" 'for i in $(seq 100); do k=$(retained ltuya/plug1 | grep -o "\"energy\":[0-9.]*" | cut -d: -f2); [ "${k%%.*}" = 12 ] && break; sleep 0.1; done; node -e "process.exit($k >= 12.345 && $k < 12.4 ? 0 : 1)"'

# ---- broker restart --------------------------------------------------------------------------------
kill $sub_pid; wait $sub_pid 2>/dev/null
kill $broker_pid; wait $broker_pid 2>/dev/null
sleep 1
start_broker   # no persistence: every retained message is gone
start_sub
check "broker restart: bridge state re-published" 'for i in $(seq 150); do [ "$(retained ltuya/bridge/state)" = "{\"state\":\"online\"}" ] && break; sleep 0.2; done; [ "$(retained ltuya/bridge/state)" = "{\"state\":\"online\"}" ]'
check "broker restart: discovery re-published" 'retained "homeassistant/device/ltuya_$id1/config" | json_ok'
check "broker restart: device state re-published" 'retained ltuya/plug1 | grep -q "\"dps\""'
pub ltuya/plug1/set/state OFF
check "broker restart: commands work" 'for i in $(seq 30); do sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":false" && break; done; sim_cmd "{\"cmd\":\"get\",\"device\":0}" | grep -q "\"1\":false"'

# ---- requests: options (new key), remove, add ----------------------------------------------------------
pub ltuya/bridge/request/device/options "{\"device\":\"wrongkey\",\"options\":{\"key\":\"$key\"},\"transaction\":\"k\"}"
check "device/options: new key answered" 'wait_log "^ltuya/bridge/response/device/options \{\"status\":\"ok\".*\"transaction\":\"k\"" 5'
check "device/options: device online with the new key" 'wait_log "^ltuya/wrongkey/availability \{\"state\":\"online\"\}" 15'
pub ltuya/bridge/request/device/reconnect '{"device":"plug2","transaction":"rc"}'
check "device/reconnect answered" 'wait_log "^ltuya/bridge/response/device/reconnect \{\"status\":\"ok\"" 5'
pub ltuya/bridge/request/device/remove '{"device":"plug2"}'
check "device/remove answered" 'wait_log "^ltuya/bridge/response/device/remove \{\"status\":\"ok\"" 5'
check "device/remove clears retained discovery" 'sleep 0.5; [ -z "$(retained "homeassistant/device/ltuya_$id2/config")" ]'
check "device/remove clears retained state" '[ -z "$(retained ltuya/plug2)" ] && [ -z "$(retained ltuya/plug2/availability)" ]'
pub ltuya/bridge/request/device/add "{\"device\":{\"name\":\"plug2b\",\"id\":\"$id2\",\"key\":\"$key\",\"ip\":\"127.0.0.1\",\"port\":$((dport + 1)),\"version\":\"3.5\"},\"transaction\":\"a\"}"
check "device/add answered" 'wait_log "^ltuya/bridge/response/device/add \{\"status\":\"ok\",\"data\":\{\"device\":\"plug2b\"\}" 5'
check "device/add: online" 'wait_log "^ltuya/plug2b/availability \{\"state\":\"online\"\}" 15'
# SIGHUP: devices.json without plug1 -> removed and cleared
grep -v plug1 "$work/devices.json" | sed '1s/^ {/[{/' >"$work/devices2.json"
cp "$work/devices2.json" "$work/devices.json"
kill -HUP $bridge_pid
check "SIGHUP reload removes a device" 'for i in $(seq 50); do [ -z "$(retained ltuya/plug1/availability)" ] && break; sleep 0.1; done; [ -z "$(retained ltuya/plug1/availability)" ]'
stop_bridge

# ---- 100 devices, versions 3.1 to 3.5, on a second base topic (a shard) --------------------------------------
node -e '
const [port, key] = [Number(process.argv[1]), process.argv[2]];
const vs = ["3.1","3.2","3.3","3.4","3.5"], sims = [], devs = [];
for (let i = 0; i < 100; i++) {
  const id = "bf1000000000000" + String(i).padStart(5, "0");
  const v = vs[i % 5], profile = v === "3.1" ? "plug31" : "plug";
  sims.push({id, key, port: port + i, version: v, profile});
  devs.push({name: "d" + i, id, key, ip: "127.0.0.1", port: port + i, version: v});
}
require("fs").writeFileSync(process.argv[3], JSON.stringify(sims));
require("fs").writeFileSync(process.argv[4], JSON.stringify(devs));
' $fleet_port $key "$work/fleet100.json" "$work/devices.json"
stop_sims
start_sims "$work/fleet100.json"
# this instance speaks MQTT 5 and announces entities the pre-2024.11 way
start_bridge --base-topic shard --client-id shard-test --protocol 5 --discovery entity
check "100 devices online" 'for i in $(seq 300); do [ $(grep -Ec "^shard/d[0-9]+/availability \{\"state\":\"online\"\}" "$work/sub.log") -ge 100 ] && break; sleep 0.2; done; [ $(grep -Ec "^shard/d[0-9]+/availability \{\"state\":\"online\"\}" "$work/sub.log") -eq 100 ]'
check "100 devices: every state published" '[ $(grep -Eo "^shard/d[0-9]+ \{" "$work/sub.log" | sort -u | wc -l) -eq 100 ]'
pub shard/d3/set/state OFF
pub shard/d4/set/state OFF
pub shard/d0/set/state OFF
check "100 devices: writes on 3.1, 3.4, 3.5 confirmed" 'for i in $(seq 50); do [ $(grep -Ec "^shard/bridge/response/device/set \{\"status\":\"ok\",\"data\":\{\"device\":\"d[034]\"" "$work/sub.log") -ge 3 ] && break; sleep 0.2; done; [ $(grep -Ec "^shard/bridge/response/device/set \{\"status\":\"ok\",\"data\":\{\"device\":\"d[034]\"" "$work/sub.log") -eq 3 ]'
ent=$(retained "homeassistant/switch/ltuya_bf100000000000000003/state/config")
check "per-entity discovery: switch" 'echo "$ent" | node -e '"'"'const c=JSON.parse(require("fs").readFileSync(0,"utf8"));
  process.exit(c.unique_id==="ltuya_bf100000000000000003_state"&&c.command_topic==="shard/d3/set/state"&&c.device&&c.origin&&!c.platform?0:1)'"'"''
ent=$(retained "homeassistant/sensor/ltuya_bf100000000000000003/energy/config")
check "per-entity discovery: energy sensor" 'echo "$ent" | node -e '"'"'const c=JSON.parse(require("fs").readFileSync(0,"utf8"));
  process.exit(c.state_class==="total_increasing"&&c.unit_of_measurement==="kWh"?0:1)'"'"''
stop_bridge

# ---- secrets ----------------------------------------------------------------------------------
# (the requests this test published itself carry keys: device/options, device/add)
check "no key on any topic" '! grep -v "^ltuya/bridge/request/" "$work/sub.log" | grep -q -e "$key" -e "$badkey"'
check "no key in the log" '! grep -q -e "$key" -e "$badkey" "$work/bridge.log"'
check "no sanitizer report" '! grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$work/bridge.log"'

if [ $fail -gt 0 ]; then
  echo "--- bridge log (tail)"; tail -40 "$work/bridge.log"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
