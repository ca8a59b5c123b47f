#!/usr/bin/env bash
# bench/engine_fleet: read the status of 100, 1,000 and 10,000 simulated devices
# (20 +- 5 ms reply latency, 3.3 and 3.5 alternating, so half of them handshake)
# through the engine from one thread, and of 100 and 1,000 through tuyapi
# (every device at once) in the same run; then keep 1,000 devices connected that
# each push their status every 10 s, and measure the engine's CPU and memory.
# Usage: bench/engine_fleet.sh BUILD_DIR    (make bench runs it)
# SIZES="100 1000 10000", PEER_SIZES="100 1000", WATCH_N=1000, WATCH_S=60 override.
set -euo pipefail
build=${1:-build-bench}
ltuya=$build/ltuya
bench=$build/bench/engine_fleet
sizes=${SIZES:-100 1000 10000}
peer_sizes=${PEER_SIZES:-100 1000}
watch_n=${WATCH_N:-1000}
watch_s=${WATCH_S:-60}
key=0123456789abcdef
net=$((20 + $$ % 200)) # 127.$net.0.1-100: addresses of our own, 100 devices on each
work=$(mktemp -d)
trap 'for p in $(jobs -p); do kill $p 2>/dev/null; done; rm -rf "$work"; true' EXIT
ulimit -n "$(ulimit -Hn)"

calc() { awk "BEGIN { print $1 }"; }

# fleet N -> $work/fleet.json (for the simulators) and $work/list (for the clients)
fleet() {
  awk -v n=$1 -v net=$net -v key=$key -v list="$work/list" 'BEGIN { printf "["
    printf "" >list
    for (i = 0; i < n; i++) {
      id = sprintf("bf%018d", i); host = sprintf("127.%d.0.%d", net, 1 + int(i / 100))
      port = 20000 + i % 100; v = i % 2 ? "3.5" : "3.3"
      printf "%s{\"id\":\"%s\",\"key\":\"%s\",\"host\":\"%s\",\"port\":%d,\"version\":\"%s\",\"latency\":\"20:5\"}",
             (i ? ",\n" : ""), id, key, host, port, v
      printf "%s:%d:%s:%s:%s\n", host, port, id, key, v >>list
    }
    print "]" }' >"$work/fleet.json"
}

# start_sims SHARDS [options]: every shard of fleet.json, each READY
sims=()
start_sims() {
  local shards=$1 k
  shift
  sims=()
  for ((k = 0; k < shards; k++)); do
    "$ltuya" sim --config "$work/fleet.json" --shard $k/$shards --beacon-interval 0 \
      --solicit-port 0 --idle-timeout 600 --seed $k "$@" </dev/null >"$work/sim$k.out" 2>&1 &
    sims+=($!)
  done
  for ((k = 0; k < shards; k++)); do
    until grep -q READY "$work/sim$k.out"; do
      kill -0 "${sims[$k]}" 2>/dev/null || { cat "$work/sim$k.out" >&2; exit 1; }
      sleep 0.1
    done
  done
}
stop_sims() {
  for p in "${sims[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  sims=()
}

printf '%-8s %-7s %9s %9s %10s %6s\n' devices client "wall ms" "CPU ms" "peak RSS" failed
declare -A wall cpu
for n in $sizes; do
  fleet $n
  start_sims $(((n + 4999) / 5000))
  read -r ok f w c r < <("$bench" read "$work/list" || true)
  printf '%-8s %-7s %9.1f %9.1f %7.1f MiB %6d\n' $n ltuya "$w" "$c" "$(calc "$r / 1024")" "$f"
  wall[ltuya$n]=$w cpu[ltuya$n]=$c
  if [[ " $peer_sizes " == *" $n "* ]]; then
    sleep 1 # the simulators see the engine's connections close
    read -r ok f w c r < <(node bench/tuyapi_fleet.js "$work/list" || true)
    printf '%-8s %-7s %9.1f %9.1f %7.1f MiB %6d\n' $n tuyapi "$w" "$c" "$(calc "$r / 1024")" "$f"
    wall[tuyapi$n]=$w cpu[tuyapi$n]=$c
  fi
  stop_sims
done
for n in $peer_sizes; do
  [ -n "${wall[ltuya$n]:-}" ] && [ -n "${wall[tuyapi$n]:-}" ] || continue
  printf 'tuyapi / ltuya at %s devices: wall %.1fx, CPU %.1fx\n' $n \
    "$(calc "${wall[tuyapi$n]} / ${wall[ltuya$n]}")" "$(calc "${cpu[tuyapi$n]} / ${cpu[ltuya$n]}")"
done

# watch: every device pushes every 10 s; the engine keeps them all connected
fleet $watch_n
start_sims $(((watch_n + 4999) / 5000)) --push-interval 10
read -r up pushes pct rss < <("$bench" watch "$work/list" $watch_s || true)
printf 'watch %d devices pushing every 10 s, %d s: %d connected, %d pushes, CPU %.2f %% of one core, RSS %.1f MiB\n' \
  $watch_n $watch_s "$up" "$pushes" "$pct" "$(calc "$rss / 1024")"
stop_sims
