#!/usr/bin/env bash
# Fleet-scale simulator options: --latency MS[:JITTER] and "latency" per fleet
# entry (checked through the simulator's own counters: the latencies it drew and
# the shortest wait a held frame really had, never a client-side clock), and
# --shard K/N (one fleet file served by N processes), --push-interval S.
# Usage: fleet.sh path/to/ltuya
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
key=0123456789abcdef
port=$((1100 + $$ % 200 * 4)) # 4 ports; below the ephemeral range (32768+), apart from the other scripts
trap 'stop_sim; rm -rf "$work"' EXIT

stat_of() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
at_least() { [ "${2:-0}" -ge "$3" ] 2>/dev/null && ok || bad "$1: $2 < $3"; }
at_most() { [ "${2:-0}" -le "$3" ] 2>/dev/null && ok || bad "$1: $2 > $3"; }

start_sim() { sim_spawn "sim" --beacon-interval 0 "$@"; } # sim options...
dev_id() { printf 'bf%018d' "$1"; }
get() { # index version
  "$bin" get --ip 127.0.0.1 --port $((port + $1)) --id "$(dev_id "$1")" --key $key -V "$2" -t 5 --json
}

# ---- --latency on the command line --------------------------------------------------
start_sim --id "$(dev_id 0)" --key $key --version 3.5 --port $port --latency 150:50 --seed 3
get 0 3.5 >/dev/null; expect_rc "3.5 get at 150+-50 ms" $? 0
get 0 3.5 >/dev/null; expect_rc "3.5 get again" $? 0
st=$(sim_cmd '{"cmd":"stats"}')
contains "latency reported" "$st" '"latency":{"ms":150,"jitter_ms":50,'
at_least "frames held (2 handshakes + 2 replies)" "$(stat_of "$st" frames)" 4
at_least "drawn no shorter than 150-50" "$(stat_of "$st" drawn_min_ms)" 100
at_most "drawn no longer than 150+50" "$(stat_of "$st" drawn_max_ms)" 200
at_least "held at least as long as the shortest draw" "$(stat_of "$st" held_min_ms)" "$(stat_of "$st" drawn_min_ms)"
stop_sim

start_sim --id "$(dev_id 0)" --key $key --version 3.3 --port $port
get 0 3.3 >/dev/null; expect_rc "3.3 get without latency" $? 0
contains "nothing held without --latency" "$(sim_cmd '{"cmd":"stats"}')" '"latency":{"ms":0,"jitter_ms":0,"frames":0,'
stop_sim

"$bin" sim --id "$(dev_id 0)" --key $key --port $port --latency 10:20 2>/dev/null
expect_rc "jitter above the latency refused" $? 2
"$bin" sim --id "$(dev_id 0)" --key $key --port $port --latency fast 2>/dev/null
expect_rc "--latency fast refused" $? 2

# ---- "latency" per fleet entry ------------------------------------------------------
cat >"$work/fleet.json" <<JSON
[{"id":"$(dev_id 0)","key":"$key","port":$port,"version":"3.3"},
 {"id":"$(dev_id 1)","key":"$key","port":$((port + 1)),"version":"3.3","latency":200},
 {"id":"$(dev_id 2)","key":"$key","port":$((port + 2)),"version":"3.5","latency":"100:20"},
 {"id":"$(dev_id 3)","key":"$key","port":$((port + 3)),"version":"3.4","profile":"bulb"}]
JSON
start_sim --config "$work/fleet.json"
for i in 0 1 2; do
  v=$(sed -n "$((i + 1))p" "$work/fleet.json" | sed 's/.*"version":"\([0-9.]*\)".*/\1/')
  get $i "$v" >/dev/null; expect_rc "fleet device $i get" $? 0
done
st=$(sim_cmd '{"cmd":"stats","device":0}')
contains "device 0: no latency" "$st" '"latency":{"ms":0,"jitter_ms":0,"frames":0,'
st=$(sim_cmd '{"cmd":"stats","device":1}')
contains "device 1: 200 ms" "$st" '"latency":{"ms":200,"jitter_ms":0,"frames":1,"drawn_min_ms":200,"drawn_max_ms":200,'
at_least "device 1: held 200 ms" "$(stat_of "$st" held_min_ms)" 200
st=$(sim_cmd '{"cmd":"stats","device":2}')
at_least "device 2: drawn >= 80" "$(stat_of "$st" drawn_min_ms)" 80
at_most "device 2: drawn <= 120" "$(stat_of "$st" drawn_max_ms)" 120
stop_sim

# ---- --shard K/N: entries whose index % N == K ---------------------------------------
start_sim --config "$work/fleet.json" --shard 1/2
get 1 3.3 >/dev/null; expect_rc "shard 1/2 serves device 1" $? 0
"$bin" get --ip 127.0.0.1 --port $port --id "$(dev_id 0)" --key $key -V 3.3 -t 1 >/dev/null 2>&1
[ $? -ne 0 ] && ok || bad "shard 1/2 must not serve device 0"
contains "shard: control by file index" "$(sim_cmd '{"cmd":"get","device":3}')" "\"id\":\"$(dev_id 3)\""
contains "shard: another shard's device" "$(sim_cmd '{"cmd":"get","device":2}')" '"error":"no such device"'
stop_sim
"$bin" sim --config "$work/fleet.json" --shard 2/2 >/dev/null 2>&1
expect_rc "--shard 2/2 refused" $? 2

# a fleet entry the simulator does not understand is an error, not a default
sed 's/"profile":"bulb"/"profile":"bulb","quirks":["no-such-quirk"]/' "$work/fleet.json" >"$work/bad.json"
"$bin" sim --config "$work/bad.json" >/dev/null 2>&1
expect_rc "unknown quirk in a fleet file" $? 2
sed 's/"latency":200/"latency":"soon"/' "$work/fleet.json" >"$work/bad.json"
"$bin" sim --config "$work/bad.json" >/dev/null 2>&1
expect_rc "bad latency in a fleet file" $? 2

# ---- --push-interval: the device reports its status by itself ----------------------
# Counted by what the client received and the simulator's own push counter; the
# watch lasts 3 s at 0.5 s intervals, so "at least 2" leaves room on a loaded machine.
# Periodic pushes carry the whole status (DP 1 first); watch's own energy refreshes
# (--interval, kept long here) only bring the measured DPs.
watch_pushes() { # version
  "$bin" watch --ip 127.0.0.1 --port $port --id "$(dev_id 0)" --key $key -V "$1" --json --for 3 \
    --interval 60 2>/dev/null | grep -c '"event":"push".*"dps":{"1":'
}
start_sim --id "$(dev_id 0)" --key $key --version 3.5 --port $port --push-interval 0.5
at_least "3.5 pushes seen by watch" "$(watch_pushes 3.5)" 2
at_least "3.5 pushes counted by the sim" "$(stat_of "$(sim_cmd '{"cmd":"stats"}')" pushes)" 2
stop_sim
start_sim --id "$(dev_id 0)" --key $key --version 3.3 --port $port
at_most "no pushes without --push-interval" "$(watch_pushes 3.3)" 0
stop_sim
"$bin" sim --id "$(dev_id 0)" --key $key --port $port --push-interval soon >/dev/null 2>&1
expect_rc "--push-interval soon refused" $? 2
"$bin" sim --id "$(dev_id 0)" --key $key --port $port --push-interval -1 >/dev/null 2>&1
expect_rc "--push-interval -1 refused" $? 2

finish
