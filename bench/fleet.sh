#!/usr/bin/env bash
# bench/fleet: 1,000 simulated devices in one `ltuya sim` process: its memory and
# CPU while idle, and while every device is polled once per second.
# Usage: bench/fleet.sh BUILD_DIR    (make bench runs it)
set -euo pipefail
build=${1:-build-bench}
count=${COUNT:-1000}
seconds=${SECONDS_POLLED:-10}
port0=$((24000 + $$ % 4 * 1000)) # below the ephemeral range (32768+)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"; true' EXIT

awk -v n=$count -v p=$port0 'BEGIN { printf "["; for (i = 0; i < n; i++)
  printf "%s{\"id\":\"bf%018d\",\"key\":\"0123456789abcdef\",\"port\":%d,\"version\":\"3.%d\"}",
         (i ? "," : ""), i, p + i, i % 5 + 1; print "]" }' >"$work/fleet.json"
mkfifo "$work/ctl"
"$build/ltuya" sim --config "$work/fleet.json" --beacon-interval 0 --idle-timeout 600 \
  <"$work/ctl" >"$work/sim.out" &
sim=$!
exec 9>"$work/ctl"
until grep -q READY "$work/sim.out"; do sleep 0.05; done

cpu() { awk '{ print $14 + $15 }' /proc/$sim/stat; } # user + system, in clock ticks
rss() { awk '/VmRSS/ { print $2 }' /proc/$sim/status; }
hz=$(getconf CLK_TCK)

c0=$(cpu); sleep $seconds; c1=$(cpu); idle_rss=$(rss)
read -r ok failed < <("$build/bench/latency" fleet 127.0.0.1 $port0 $count $seconds)
c2=$(cpu); busy_rss=$(rss)

awk -v n=$count -v s=$seconds -v hz=$hz -v c0=$c0 -v c1=$c1 -v c2=$c2 -v ir=$idle_rss \
    -v br=$busy_rss -v ok=$ok -v f=$failed 'BEGIN {
  printf "%d devices in one ltuya sim process\n", n
  printf "idle:                RSS %6.1f MiB  CPU %5.1f %% of one core\n", ir / 1024, (c1 - c0) / hz / s * 100
  printf "polled once/second:  RSS %6.1f MiB  CPU %5.1f %% of one core  (%d status replies, %d failed)\n",
         br / 1024, (c2 - c1) / hz / s * 100, ok, f }'
echo '{"cmd":"quit"}' >&9
