#!/usr/bin/env bash
# make soak-bridge: `ltuya bridge` for a long run against many simulated devices with the
# simulator's faults, Debian's mosquitto restarted every few minutes, and commands at a steady
# rate. Every command the broker accepted must be answered on ltuya/bridge/response/device/set
# (confirmed or reported failed): none silently lost. RSS is sampled to see that it stays flat.
# Not part of make test (it runs for an hour by default).
# Usage: bridge_soak.sh path/to/ltuya
# Environment: SOAK_SECONDS (3600), SOAK_DEVICES (1000), SOAK_RATE (commands/s, 20),
#   SOAK_BROKER_EVERY (s between broker restarts, 180), SOAK_FAULTS (sim --fault list)
set -u
bin=$1
secs=${SOAK_SECONDS:-3600}
ndev=${SOAK_DEVICES:-1000}
rate=${SOAK_RATE:-20}
every=${SOAK_BROKER_EVERY:-180}
faults=${SOAK_FAULTS:-drop=0.002 reset=0.001 corrupt=0.001 delay=0.005}
mport=30400
dbase=21000 # below 32768: the kernel's own outgoing ports stay clear of them
key=0123456789abcdef
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT

node -e '
const [n, port, key] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
const vs = ["3.1","3.2","3.3","3.4","3.5"], sims = [], devs = [];
for (let i = 0; i < n; i++) {
  const id = "bf2000000000000" + String(i).padStart(5, "0"), v = vs[i % 5];
  sims.push({id, key, port: port + i, version: v, profile: v === "3.1" ? "plug31" : "plug"});
  devs.push({name: "s" + i, id, key, ip: "127.0.0.1", port: port + i, version: v});
}
require("fs").writeFileSync(process.argv[4], JSON.stringify(sims));
require("fs").writeFileSync(process.argv[5], JSON.stringify(devs));
' "$ndev" $dbase $key "$work/fleet.json" "$work/devices.json"
chmod 600 "$work/devices.json"

# the broker keeps sessions and queued QoS 1 messages across its restarts (saved at SIGTERM);
# started as root it runs as the user mosquitto, which must be able to write there
chmod 711 "$work" && mkdir -p "$work/db" && chmod 777 "$work/db"
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/\nmax_queued_messages 100000\n' \
  $mport "$work/db" >"$work/mosquitto.conf"
start_broker() {
  mosquitto -c "$work/mosquitto.conf" >>"$work/mosquitto.log" 2>&1 &
  broker=$!
  for _ in $(seq 50); do mosquitto_pub -h 127.0.0.1 -p $mport -t probe -m x 2>/dev/null && return; sleep 0.1; done
}
start_broker
mosquitto_sub -h 127.0.0.1 -p $mport -c -i soak-observer -q 1 -t ltuya/bridge/response/device/set \
  >"$work/responses" 2>/dev/null &
fargs=()
for f in $faults; do fargs+=(--fault "$f"); done
mkfifo "$work/ctl"
"$bin" sim --config "$work/fleet.json" --beacon-interval 0 --seed 1 "${fargs[@]}" <"$work/ctl" \
  >"$work/sim.out" 2>"$work/sim.err" &
exec 9>"$work/ctl"
until grep -q READY "$work/sim.out" 2>/dev/null; do sleep 0.1; done
"$bin" bridge --mqtt mqtt://127.0.0.1:$mport --devices "$work/devices.json" --state-dir "$work" \
  --no-beacons --log-level warning --health-interval 30 2>"$work/bridge.log" &
bridge=$!
# commands only once the bridge subscribed (its session queues them from then on)
until [ "$(mosquitto_sub -h 127.0.0.1 -p $mport -t ltuya/bridge/state -C 1 -W 2 2>/dev/null)" = '{"state":"online"}' ]; do
  sleep 0.5
done
echo "soak: $ndev devices, $rate commands/s for $secs s, broker restarted every $every s, faults: $faults"

sent=0 refused=0 tx=0
start=$(date +%s)
next_restart=$((start + every))
: >"$work/rss"
while [ $(($(date +%s) - start)) -lt "$secs" ]; do
  t0=$(date +%s%N)
  # this second's commands, in batches of 5 to random devices (a batch is a small burst)
  for _ in $(seq $(((rate + 4) / 5))); do
    dev=$((RANDOM % ndev))
    lines=""
    for _ in 1 2 3 4 5; do
      tx=$((tx + 1))
      s=$([ $((RANDOM % 2)) = 0 ] && echo ON || echo OFF)
      lines+="{\"state\":\"$s\",\"transaction\":$tx}"$'\n'
    done
    if printf '%s' "$lines" | mosquitto_pub -h 127.0.0.1 -p $mport -q 1 -t "ltuya/s$dev/set" -l 2>/dev/null; then
      sent=$((sent + 5)); printf '%s' "$lines" | grep -o '"transaction":[0-9]*' | cut -d: -f2 >>"$work/sent"
    else
      refused=$((refused + 5)) # the broker was down: never accepted, so not counted
    fi
  done
  now=$(date +%s)
  if [ "$now" -ge "$next_restart" ]; then
    kill -TERM $broker; wait $broker 2>/dev/null; sleep 2; start_broker
    next_restart=$((now + every))
    echo "soak: $((now - start)) s: broker restarted; $sent commands sent so far"
  fi
  [ $(((now - start) % 30)) = 0 ] && echo "$((now - start)) $(awk '/VmRSS/{print $2}' /proc/$bridge/status)" >>"$work/rss"
  kill -0 $bridge 2>/dev/null || { echo "soak: the bridge died"; tail "$work/bridge.log"; exit 1; }
  el=$((($(date +%s%N) - t0) / 1000000))
  [ $el -lt 1000 ] && sleep "0.$(printf '%03d' $((1000 - el)))"
done
echo "soak: commands stopped; waiting up to 120 s for the last answers"
for _ in $(seq 120); do
  [ "$(grep -o '"transaction":[0-9]*' "$work/responses" | sort -u | wc -l)" -ge "$sent" ] && break
  sleep 1
done
answered=$(grep -o '"transaction":[0-9]*' "$work/responses" | cut -d: -f2 | sort -u)
ok=$(grep -c '"status":"ok"' "$work/responses")
err=$(grep -c '"status":"error"' "$work/responses")
lost=$(comm -23 <(sort -u "$work/sent") <(echo "$answered") | wc -l)
echo "soak: sent $sent (not accepted while the broker was down: $refused), answered ok $ok, error $err, lost $lost"
echo "soak: errors by reason:"; grep -o '"error":"[^"]*"' "$work/responses" | sort | uniq -c | sort -rn | head -5
echo "soak: bridge RSS (KiB) first/last sample: $(head -1 "$work/rss" | cut -d' ' -f2) / $(tail -1 "$work/rss" | cut -d' ' -f2)"
kill -TERM $bridge; wait $bridge; rc=$?
echo "soak: bridge exit $rc"
[ "$lost" -eq 0 ] && [ $rc -eq 0 ]
