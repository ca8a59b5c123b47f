#!/usr/bin/env bash
# make demo: a simulated smart plug (the seed's AUBESS 20A, protocol 3.3) on
# loopback, driven by the ltuya CLI: status with volts/amps/watts, off, on, a
# push from a button press, a captured conversation decoded, then typed values
# (profiles) on a simulated bulb with the devices.json the wizard would write.
# Usage: scripts/demo.sh path/to/ltuya
set -euo pipefail
bin=${1:-build/ltuya}
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../tests/vectors/vectors.data"
work=$(mktemp -d)
port=16668
id=bf0123456789abcdefgh
key=0123456789abcdef
dev="--ip 127.0.0.1 --port $port --id $id --key $key --version 3.3"

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "ltuya $*"; "$bin" "$@"; }

mkfifo "$work/ctl"
"$bin" sim --id $id --key $key --version 3.3 --port $port <"$work/ctl" >"$work/sim.out" &
sim=$!
exec 9>"$work/ctl"
trap 'echo "{\"cmd\":\"quit\"}" >&9 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$work"' EXIT
until grep -q READY "$work/sim.out" 2>/dev/null; do sleep 0.05; done

say "1. A simulated plug listens on 127.0.0.1:$port. Read its state:"
run get $dev
say "2. Switch it off, and on again:"
run off $dev
run get $dev --json
run on $dev
say "3. Watch it; someone presses the plug's button after a second:"
( sleep 1.2; echo '{"cmd":"set","dps":{"1":false}}' >&9 ) &
run watch $dev --interval 1 --for 3
say "4. A captured 3.5 conversation, decoded with the local key alone:"
grep "id=gen35-" "$data" | grep -v -e session-key -e udp | tr ' ' '\n' | sed -n 's/^frame=//p' |
  "$bin" decode --key $key | cut -c1-160
say "5. Typed values: a simulated bulb and the devices.json tinytuya's wizard would write for it:"
bport=$((port + 1))
"$bin" sim --id $id --key $key --version 3.4 --port $bport --profile bulb --print-devices-json \
  >"$work/devices.json"
chmod 600 "$work/devices.json"
mkfifo "$work/bctl"
"$bin" sim --id $id --key $key --version 3.4 --port $bport --profile bulb <"$work/bctl" >"$work/bulb.out" &
bulb=$!
exec 8>"$work/bctl"
trap 'echo "{\"cmd\":\"quit\"}" >&9 2>/dev/null; echo "{\"cmd\":\"quit\"}" >&8 2>/dev/null; wait $sim $bulb 2>/dev/null; rm -rf "$work"' EXIT
until grep -q READY "$work/bulb.out" 2>/dev/null; do sleep 0.05; done
bdev="--devices $work/devices.json --port $bport"
run get $id $bdev -v 2>/dev/null
run set $id bright_value_v2=50% $bdev
run light $id --colour '#ff8800' $bdev
run set $id bright_value_v2=150% $bdev || true
run get $id colour_data_v2 bright_value_v2 $bdev

# ---- the MQTT bridge ----------------------------------------------------------------
# Debian's mosquitto on a loopback port, two simulated plugs (3.3 and 3.5), the bridge;
# everything it prints is what `mosquitto_sub -v` receives.
if ! command -v mosquitto >/dev/null || ! "$bin" bridge --help >/dev/null 2>&1; then
  say "6. (the MQTT bridge part needs mosquitto and a build with libuv + libmosquitto)"
  exit 0
fi
mport=16690
bwork="$work/bridge"
mkdir -p "$bwork/state"
bpids=()
stop_bridge_demo() {
  for p in "${bpids[@]}"; do kill "$p" 2>/dev/null || true; done
  echo '{"cmd":"quit"}' >&7 2>/dev/null || true
  wait 2>/dev/null || true
}
trap 'stop_bridge_demo; echo "{\"cmd\":\"quit\"}" >&9 2>/dev/null; echo "{\"cmd\":\"quit\"}" >&8 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' $mport >"$bwork/mosquitto.conf"
mosquitto -c "$bwork/mosquitto.conf" >"$bwork/mosquitto.log" 2>&1 &
bpids+=($!)
cat >"$bwork/fleet.json" <<JSON
[{"id":"bf00000000000000d001","key":"$key","port":16691,"version":"3.3"},
 {"id":"bf00000000000000d002","key":"$key","port":16692,"version":"3.5"}]
JSON
cat >"$bwork/devices.json" <<JSON
[{"name":"kitchen","id":"bf00000000000000d001","key":"$key","ip":"127.0.0.1","port":16691,"version":"3.3"},
 {"name":"desk","id":"bf00000000000000d002","key":"$key","ip":"127.0.0.1","port":16692,"version":"3.5"}]
JSON
chmod 600 "$bwork/devices.json"
mkfifo "$bwork/ctl"
"$bin" sim --config "$bwork/fleet.json" --beacon-interval 0 <"$bwork/ctl" >"$bwork/sim.out" &
bpids+=($!)
exec 7>"$bwork/ctl"
until grep -q READY "$bwork/sim.out" 2>/dev/null; do sleep 0.05; done
until mosquitto_pub -h 127.0.0.1 -p $mport -t demo -m x 2>/dev/null; do sleep 0.1; done
mosquitto_sub -h 127.0.0.1 -p $mport -v -t 'ltuya/#' -t 'homeassistant/#' >"$bwork/sub.log" &
bpids+=($!)
sleep 0.3

say "6. The MQTT bridge: mosquitto on 127.0.0.1:$mport, plugs 'kitchen' (3.3) and 'desk' (3.5):"
printf '$ %s\n' "ltuya bridge --mqtt mqtt://127.0.0.1:$mport --devices devices.json --state-dir state &"
printf '$ %s\n' "mosquitto_sub -v -t 'ltuya/#' -t 'homeassistant/#'"
"$bin" bridge --mqtt mqtt://127.0.0.1:$mport --devices "$bwork/devices.json" --state-dir "$bwork/state" \
  --log-level warning --no-beacons &
bpids+=($!)
for _ in $(seq 100); do [ "$(grep -c '/availability {"state":"online"}' "$bwork/sub.log")" -ge 2 ] &&
  [ "$(grep -c '^homeassistant/device/' "$bwork/sub.log")" -ge 2 ] && break; sleep 0.1; done
cut -c1-170 "$bwork/sub.log"
lines=$(wc -l <"$bwork/sub.log")

say "7. Switch the kitchen plug off over MQTT; the state shows it once the plug confirmed it:"
printf '$ %s\n' "mosquitto_pub -t ltuya/kitchen/set -m '{\"state\":\"OFF\"}'"
mosquitto_pub -h 127.0.0.1 -p $mport -q 1 -t ltuya/kitchen/set -m '{"state":"OFF","transaction":"demo"}'
for _ in $(seq 50); do grep -q '"transaction":"demo"}' "$bwork/sub.log" && break; sleep 0.1; done
sleep 0.3
tail -n +$((lines + 1)) "$bwork/sub.log" | cut -c1-170
printf '$ %s\n' 'echo {"cmd":"get","device":0} > simulator'
echo '{"cmd":"get","device":0}' >&7
sleep 0.3
tail -n 1 "$bwork/sim.out" | cut -c1-100
say "8. Stop: the bridge publishes itself offline (SIGTERM)."
kill -TERM "${bpids[3]}"
wait "${bpids[3]}" 2>/dev/null || true
sleep 0.3
tail -n 1 "$bwork/sub.log"
