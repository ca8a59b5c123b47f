#!/usr/bin/env bash
# bench/bridge_fleet: `ltuya bridge` with N simulated plugs (3.3 and 3.5
# alternating) that each push their whole status every 10 s, on a mosquitto
# broker of its own (loopback). Reports: startup until every device's
# availability is online; the bridge's CPU (share of one core) and RSS over
# WINDOW s; and the delay from a DP change on the device to the MQTT state
# message a subscriber receives, over SAMPLES changes (time taken when the
# change is written to the simulator's control pipe, so the simulator's
# reading of its stdin is included).
# Usage: bench/bridge_fleet.sh BUILD_DIR   (N=1000 WINDOW=60 SAMPLES=200 override)
set -euo pipefail
build=${1:-build-bench}
ltuya=$build/ltuya
n=${N:-1000}
window=${WINDOW:-60}
samples=${SAMPLES:-200}
key=0123456789abcdef
net=$((20 + ($$ + 100) % 200)) # 127.$net.0.x: addresses of our own
mport=$((20200 + $$ % 9000))   # the broker, below the ephemeral range
work=$(mktemp -d)
trap 'for p in $(jobs -p); do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; true' EXIT
ulimit -n "$(ulimit -Hn)"
"$ltuya" bridge --help >/dev/null 2>&1 || { echo "ltuya built without the bridge: skipped"; exit 0; }

awk -v n=$n -v net=$net -v key=$key -v dj="$work/devices.json" 'BEGIN {
  printf "[" ; printf "[" >dj
  for (i = 0; i < n; i++) {
    id = sprintf("bf%018d", i); host = sprintf("127.%d.0.%d", net, 1 + int(i / 100))
    port = 20000 + i % 100; v = i % 2 ? "3.5" : "3.3"; sep = i ? ",\n" : ""
    printf "%s{\"id\":\"%s\",\"key\":\"%s\",\"host\":\"%s\",\"port\":%d,\"version\":\"%s\"}", sep, id, key, host, port, v
    printf "%s{\"id\":\"%s\",\"key\":\"%s\",\"name\":\"d%04d\",\"ip\":\"%s\",\"port\":%d,\"version\":\"%s\"}", sep, id, key, i, host, port, v >dj
  }
  print "]"; print "]" >dj }' >"$work/fleet.json"

printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n' $mport >"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
mkfifo "$work/ctl"
"$ltuya" sim --config "$work/fleet.json" --beacon-interval 0 --solicit-port 0 --idle-timeout 600 \
  --push-interval 10 <"$work/ctl" >"$work/sim.out" 2>&1 &
exec 9>"$work/ctl"
until grep -q READY "$work/sim.out"; do sleep 0.1; done
sleep 0.5
mosquitto_sub -h 127.0.0.1 -p $mport -q 1 -v -F '%U %t %p' -t 'ltuya/#' >"$work/sub.log" 2>&1 &
sleep 0.5

t0=$EPOCHREALTIME
"$ltuya" bridge --mqtt mqtt://127.0.0.1:$mport --devices "$work/devices.json" --no-beacons \
  --log-level warning 2>"$work/bridge.log" &
bridge=$!
online() { grep -c '/availability {"state":"online"' "$work/sub.log" || true; }
for _ in $(seq 1200); do [ "$(online)" -ge $n ] && break; sleep 0.1; done
up=$(online)
t_up=$(grep '/availability {"state":"online"' "$work/sub.log" | tail -1 | cut -d' ' -f1)

cpu() { awk '{ print $14 + $15 }' /proc/$bridge/stat; }
hz=$(getconf CLK_TCK)
c0=$(cpu)
w0=$EPOCHREALTIME
# DP changes on a sample of devices, spread over the window
gap=$(awk -v w=$window -v s=$samples 'BEGIN { printf "%.3f", w / s }')
: >"$work/sent"
for ((k = 0; k < samples; k++)); do
  i=$((k * n / samples))
  printf '%s d%04d\n' "$EPOCHREALTIME" $i >>"$work/sent"
  echo "{\"cmd\":\"set\",\"device\":$i,\"dps\":{\"1\":false}}" >&9
  sleep "$gap"
done
w1=$EPOCHREALTIME
c1=$(cpu)
rss=$(awk '/VmRSS/ { print $2 }' /proc/$bridge/status)
sleep 1

# the first state message of each sampled device after its change that says OFF
awk 'NR == FNR { sent[$2] = $1; next }
     { split($2, t, "/") }
     t[1] == "ltuya" && (t[2] in sent) && t[3] == "" && $1 >= sent[t[2]] && /"state":"OFF"/ {
       printf "%.3f\n", ($1 - sent[t[2]]) * 1000; delete sent[t[2]] }' \
  "$work/sent" "$work/sub.log" | sort -n >"$work/delays"
awk '{ d[NR] = $1 } END { if (!NR) { print "0 - -"; exit }
       i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++
       printf "%d %.2f %.2f\n", NR, d[int((NR + 1) / 2)], d[i99] }' "$work/delays" >"$work/lat"
read -r got p50 p99 <"$work/lat"

awk -v n=$n -v up=$up -v t0=$t0 -v tu="${t_up:-0}" -v c0=$c0 -v c1=$c1 -v hz=$hz -v w0=$w0 -v w1=$w1 \
    -v rss=$rss -v s=$samples -v got=$got -v p50=$p50 -v p99=$p99 'BEGIN {
  printf "bridge, %d devices pushing every 10 s: %d online after %.1f s\n", n, up, tu ? tu - t0 : -1
  printf "over %.0f s: CPU %.1f %% of one core, RSS %.1f MiB\n", w1 - w0, (c1 - c0) / hz / (w1 - w0) * 100, rss / 1024
  printf "DP change to MQTT state: %d of %d seen, p50 %s ms, p99 %s ms\n", got, s, p50, p99 }'
if kill -TERM $bridge 2>/dev/null; then
  wait $bridge 2>/dev/null || true
else
  wait $bridge 2>/dev/null && rc=0 || rc=$?
  echo "the bridge had exited before the end (status $rc); its last log lines:"
  tail -5 "$work/bridge.log"
fi
echo '{"cmd":"quit"}' >&9 || true
