#!/usr/bin/env bash
# bench/latency: status round trips against one simulated plug (protocol 3.3),
# for ltuya, for a raw TCP echo of the same frame sizes (the floor) and for
# tuyapi; then one-shot `ltuya get` against a one-shot tuyapi process.
# Usage: bench/latency.sh BUILD_DIR    (make bench runs it)
set -euo pipefail
build=${1:-build-bench}
ltuya=$build/ltuya
lat=$build/bench/latency
n=${N:-2000}
oneshots=${ONESHOTS:-30}
port=$((30000 + $$ % 10000))
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"; true' EXIT

mkfifo "$work/ctl"
"$ltuya" sim --id bf0123456789abcdefgh --key 0123456789abcdef --version 3.3 --port $port \
  --idle-timeout 600 <"$work/ctl" >"$work/sim.out" &
exec 9>"$work/ctl"
until grep -q READY "$work/sim.out"; do sleep 0.05; done

read -r l_med l_p99 < <("$lat" ltuya 127.0.0.1 $port 3.3 $n)
# the same sizes on the wire: a 3.3 DP_QUERY (136 B for a 20-char id) and its reply
req=136
resp=$(( $("$ltuya" get --ip 127.0.0.1 --port $port --id bf0123456789abcdefgh \
  --key 0123456789abcdef -V 3.3 -v 2>&1 >/dev/null | sed -n 's/^<< \([0-9]*\) bytes.*/\1/p' | head -1) ))
eport=$((port + 1))
"$lat" echo-server $eport $req $resp >"$work/echo.out" &
until grep -q READY "$work/echo.out"; do sleep 0.05; done
read -r e_med e_p99 < <("$lat" echo 127.0.0.1 $eport $req $resp $n)
read -r t_med t_p99 < <(node bench/tuyapi_latency.js $port 3.3 $((n / 4)))

oneshot() { # command... -> median wall time in microseconds
  local times=()
  for _ in $(seq $oneshots); do
    local t0; t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    times+=($(( ($(date +%s%N) - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( oneshots / 2 + 1 ))p"
}
o_l=$(oneshot "$ltuya" get --ip 127.0.0.1 --port $port --id bf0123456789abcdefgh --key 0123456789abcdef -V 3.3)
o_t=$(oneshot node bench/tuyapi_latency.js $port 3.3 1)

printf '%-34s %10s %10s\n' "status round trip, persistent" "median us" "p99 us"
printf '%-34s %10s %10s\n' "raw TCP echo, same sizes (floor)" "$e_med" "$e_p99"
printf '%-34s %10s %10s\n' "ltuya" "$l_med" "$l_p99"
printf '%-34s %10s %10s\n' "tuyapi $(node -p 'require("tuyapi/package.json").version')" "$t_med" "$t_p99"
awk -v l="$l_med" -v e="$e_med" -v t="$t_med" 'BEGIN {
  printf "ltuya / floor: %.2fx    tuyapi / ltuya: %.1fx\n", l / e, t / l }'
printf '%-34s %10s\n' "one-shot process, median of $oneshots" "us"
printf '%-34s %10s\n' "ltuya get" "$o_l"
printf '%-34s %10s\n' "node + tuyapi get" "$o_t"
awk -v l="$o_l" -v t="$o_t" 'BEGIN { printf "tuyapi / ltuya one-shot: %.1fx\n", t / l }'
echo '{"cmd":"quit"}' >&9
