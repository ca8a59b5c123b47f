#!/usr/bin/env bash
# Several devices in one command (issue 11 item 4), against one simulator
# process serving a fleet: get --all over 50 devices of mixed versions with
# one dead (nothing listens), one wrong key and one client-limited (its only
# slot held), each with its own error and the rest succeeding; writes on two
# devices; watch of two devices with pushes from both; the snapshot's shape.
# Loopback only, ports derived from $$.
# Usage: multi.sh path/to/ltuya
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
key=0123456789abcdef
port=$((12000 + $$ % 1000 * 20)) # below the ephemeral range (32768+): 50 ports in a row
trap 'exec 8<&- 2>/dev/null; stop_sim; rm -rf "$work"' EXIT

# 49 simulated devices (index 0..48) + "dead" (index 49: a port nothing listens on).
# devices.json gives device 7 (3.3) a wrong key; device 11's only slot is held below.
python3 - "$work" $port $key <<'PY'
import json, sys
work, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
versions = ["3.1", "3.3", "3.4", "3.5"]
fleet, devices = [], []
for i in range(50):
    d = {"id": "bf%018d" % i, "key": key, "port": port + i, "version": versions[i % 4]}
    if i == 7:
        d["version"] = "3.3"
    if i in (47, 48):  # bulbs; 48 acknowledges the writes it refuses and drops them
        d["profile"] = "bulb"
    if i == 48:
        d["quirks"] = ["silent-reject"]
    if i < 49:
        fleet.append(d)
    e = {k: v for k, v in d.items() if k not in ("profile", "quirks")}
    e.update(name="dev%02d" % i, ip="127.0.0.1")
    if i == 7:
        e["key"] = "fedcba9876543210"
    if i == 49:
        e["name"] = "dead"
    devices.append(e)
json.dump(fleet, open(work + "/fleet.json", "w"))
json.dump(devices, open(work + "/devices.json", "w"))
PY
chmod 600 "$work/devices.json"
dj=(--devices "$work/devices.json")

rm -f "$work/ctl"; mkfifo "$work/ctl"
"$bin" sim --config "$work/fleet.json" --beacon-interval 0 --solicit-port 0 <"$work/ctl" \
  >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
exec 9>"$work/ctl"
for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
grep -q READY "$work/sim.out" || {
  bad "sim did not start: $(cat "$work/sim.err")"
  # ---- scan prints each device as it is found -----------------------------------------
stop_sim
uport=$((port + 60))
rm -f "$work/ctl"; mkfifo "$work/ctl"
"$bin" sim --id bf000000000000000000 --key $key --port $((port + 61)) --udp-port $uport \
  --beacon-interval 0.3 --solicit-port 0 <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
exec 9>"$work/ctl"
# a 60 s scan: the row must be there long before it ends (then it is stopped)
"$bin" scan --bind 127.0.0.1 --ports $uport --timeout 60 >"$work/scan.txt" 2>/dev/null &
scan_pid=$!
for _ in $(seq 100); do grep -q bf000000000000000000 "$work/scan.txt" && break; sleep 0.1; done
contains "scan row printed while it still listens" "$(cat "$work/scan.txt")" "bf000000000000000000     127.0.0.1        3.3"
kill -0 $scan_pid 2>/dev/null && ok || bad "the scan ended early"
kill -INT $scan_pid; wait $scan_pid
[ "$(grep -c bf000000000000000000 "$work/scan.txt")" -eq 1 ] && ok || bad "scan: the row twice: $(cat "$work/scan.txt")"

echo "$pass passed, $fail failed"
  exit 1
}

# another client holds device 11's only connection (a plain TCP connection)
exec 8<>/dev/tcp/127.0.0.1/$((port + 11))
sleep 0.2

# ---- get --all --json ------------------------------------------------------------
"$bin" get --all "${dj[@]}" --json -t 3 >"$work/all.json" 2>"$work/all.err"; rc=$?
expect_rc "get --all with three kinds of failure" $rc 1
python3 - "$work/all.json" $key <<'PY' && ok || bad "get --all --json lines: see above"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
key = sys.argv[2]
assert key not in open(sys.argv[1]).read(), "a key in the output"
objs = [json.loads(l) for l in lines]
assert len(objs) == 50, "%d lines" % len(objs)
by = {o["name"]: o for o in objs}
assert len(by) == 50, "names repeat"
want = {"dead": 4, "dev07": 6, "dev11": 8}
for name, o in by.items():
    if name in want:
        assert o["error"] and o["exit"] == want[name], (name, o)
        assert "dps" not in o, o
    else:
        assert o["error"] is None, (name, o)
        assert o["dps"]["20" if name in ("dev47", "dev48") else "1"] in (True, False), o
        assert o["version"] in ("3.1", "3.3", "3.4", "3.5"), o
        assert name in ("dev47", "dev48") or "energy" in o, o
        assert o["id"] == "bf%018d" % int(name[3:]), o
PY
err=$(cat "$work/all.err")
contains "summary line" "$err" "ltuya get: 3 of 50 devices failed:"
contains "the dead one named" "$err" "dead (bf000000000000000049) (exit 4)"
contains "the wrong key named" "$err" "dev07 (bf000000000000000007) (exit 6)"
contains "the limited one named" "$err" "dev11 (bf000000000000000011) (exit 8)"
lacks "no key on stderr" "$err" "$key"

# the same devices one at a time keep their single-device codes
"$bin" get dead "${dj[@]}" -t 3 >/dev/null 2>&1; expect_rc "one device: dead" $? 4
"$bin" get dev07 "${dj[@]}" -t 3 >/dev/null 2>&1; expect_rc "one device: wrong key" $? 6
# failures that share a code give that code
"$bin" get dead,dev07 "${dj[@]}" -t 3 >/dev/null 2>&1; expect_rc "two kinds: 1" $? 1
"$bin" get dead,dev00 "${dj[@]}" -t 3 >/dev/null 2>&1; expect_rc "one kind: its code" $? 4
exec 8<&-

# ---- human blocks, --jobs --------------------------------------------------------
out=$("$bin" get dev00,dev01,dev02 "${dj[@]}" --jobs 1); rc=$?
expect_rc "get three, one at a time" $rc 0
contains "block of dev00" "$out" "dev00 bf000000000000000000 (127.0.0.1, protocol 3.1)"
contains "block of dev02" "$out" "dev02 bf000000000000000002 (127.0.0.1, protocol 3.4)"
"$bin" get --all "${dj[@]}" --jobs 0 >/dev/null 2>&1; expect_rc "--jobs 0" $? 2
"$bin" get --all "${dj[@]}" --jobs 4x >/dev/null 2>&1; expect_rc "--jobs 4x" $? 2
"$bin" get dev00,,dev01 "${dj[@]}" >/dev/null 2>&1; expect_rc "an empty name in the list" $? 2
"$bin" get --all dev00 "${dj[@]}" >/dev/null 2>&1; expect_rc "get --all with DPs" $? 2

# an entry without ip is not searched for by beacon with several devices (that would block)
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
devs = json.load(open(work + "/devices.json"))
noip = dict(devs[0], name="noip", id="bf%018d" % 98)
del noip["ip"]
json.dump([devs[0], noip], open(work + "/noip.json", "w"))
PY
chmod 600 "$work/noip.json"
out=$("$bin" get dev00,noip --devices "$work/noip.json" --json 2>"$work/noip.err"); rc=$?
expect_rc "an entry without ip" $rc 3
contains "noip: its error" "$out" '"name":"noip","error":'
contains "noip: why" "$(cat "$work/noip.err")" "noip has no ip in devices.json"
contains "dev00 still read" "$out" '"name":"dev00","version":"3.1"'

# ---- writes: confirmed per device ---------------------------------------------------
out=$("$bin" off dev01,dev02 "${dj[@]}" --json); rc=$?
expect_rc "off two" $rc 0
contains "off dev01" "$out" '"name":"dev01","ok":true,"dps":{"1":false},"error":null}'
contains "off dev02" "$out" '"name":"dev02","ok":true,"dps":{"1":false},"error":null}'
contains "dev02 is off" "$(sim_cmd '{"cmd":"get","device":2}')" '"1":false'
out=$("$bin" set dev03,dev04 9=120 "${dj[@]}"); rc=$?
expect_rc "set two" $rc 0
contains "set dev03" "$out" "dev03 (bf000000000000000003): ok"
contains "dev04 took it" "$(sim_cmd '{"cmd":"get","device":4}')" '"9":120'
out=$("$bin" set dev03,dead 9=60 "${dj[@]}" -t 2 2>/dev/null); rc=$?
expect_rc "set with a dead one" $rc 4
contains "dead reported" "$out" "dead (bf000000000000000049): error: connection refused (exit 4)"
"$bin" set dev03,dev04 9=abc "${dj[@]}" >/dev/null 2>&1; expect_rc "a bad value, nothing sent" $? 2
# no false success: a write acknowledged and dropped is exit 10 for that device
out=$("$bin" set dev47,dev48 22=500 "${dj[@]}"); expect_rc "bulbs: brightness 500" $? 0
out=$("$bin" set dev48 22=5 "${dj[@]}" 2>/dev/null); expect_rc "one device: dropped write" $? 10
out=$("$bin" set dev47,dev48 22=5 "${dj[@]}" 2>"$work/set.err"); rc=$?
expect_rc "refused (9) and dropped (10)" $rc 1
contains "dev47 refused" "$out" "dev47 (bf000000000000000047): error: device returned an error (exit 9)"
contains "dev48 not confirmed" "$out" "dev48 (bf000000000000000048): error: acknowledged but not confirmed (exit 10)"
lacks "no ok" "$out" ": ok"
contains "which failed" "$(cat "$work/set.err")" "dev47 (bf000000000000000047) (exit 9), dev48 (bf000000000000000048) (exit 10)"

# ---- watch two devices: pushes from both, named -------------------------------------
"$bin" watch dev05,dev06 "${dj[@]}" --json --for 4 >"$work/watch.json" 2>"$work/watch.err" &
wpid=$!
for _ in $(seq 60); do [ "$(grep -c '"event":"state"' "$work/watch.json")" -ge 2 ] && break; sleep 0.1; done
sim_cmd '{"cmd":"set","device":5,"dps":{"1":false}}' >/dev/null
sim_cmd '{"cmd":"set","device":6,"dps":{"9":300}}' >/dev/null
wait $wpid; expect_rc "watch two" $? 0
w=$(cat "$work/watch.json")
contains "push from dev05" "$w" '"name":"dev05","event":"push"'
contains "its DP" "$(grep '"name":"dev05","event":"push"' "$work/watch.json")" '"1":false'
contains "push from dev06" "$(grep '"name":"dev06","event":"push"' "$work/watch.json")" '"9":300'
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/watch.json" &&
  ok || bad "watch --json lines are not JSON: $w"
# human lines name the device too
"$bin" watch dev05,dev06 "${dj[@]}" --for 1 >"$work/watch.txt" 2>&1
contains "human line names dev06" "$(cat "$work/watch.txt")" "  dev06  state: "

# ---- snapshot ----------------------------------------------------------------------
"$bin" snapshot "${dj[@]}" -o "$work/snap.json" -t 3 2>/dev/null; rc=$?
expect_rc "snapshot: dead (4) and wrong key (6)" $rc 1
python3 - "$work/snap.json" $key <<'PY' && ok || bad "snapshot shape: see above"
import json, sys
text = open(sys.argv[1]).read()
assert sys.argv[2] not in text, "a key in the snapshot"
doc = json.loads(text)
assert set(doc) == {"devices"}, doc.keys()
devs = doc["devices"]
assert len(devs) == 50, len(devs)
for i, d in enumerate(devs):  # in the file's order
    assert set(d) == {"id", "name", "ip", "version", "dps", "energy", "error"}, d
    assert d["id"] == "bf%018d" % i and d["ip"] == "127.0.0.1", d
    if d["name"] in ("dead", "dev07"):
        assert d["dps"] is None and d["error"], d
    else:
        assert d["error"] is None and d["dps"]["20" if i in (47, 48) else "1"] in (True, False), d
        assert d["version"] == ("3.3" if i == 7 else ["3.1", "3.3", "3.4", "3.5"][i % 4]), d
        assert d["energy"] is None or set(d["energy"]) <= {"voltage", "current", "power"}, d
PY
"$bin" snapshot "${dj[@]}" extra >/dev/null 2>&1; expect_rc "snapshot takes no DEVICE" $? 2

# ---- scan prints each device as it is found -----------------------------------------
stop_sim
uport=$((port + 60))
rm -f "$work/ctl"; mkfifo "$work/ctl"
"$bin" sim --id bf000000000000000000 --key $key --port $((port + 61)) --udp-port $uport \
  --beacon-interval 0.3 --solicit-port 0 <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
exec 9>"$work/ctl"
# a 60 s scan: the row must be there long before it ends (then it is stopped)
"$bin" scan --bind 127.0.0.1 --ports $uport --timeout 60 >"$work/scan.txt" 2>/dev/null &
scan_pid=$!
for _ in $(seq 100); do grep -q bf000000000000000000 "$work/scan.txt" && break; sleep 0.1; done
contains "scan row printed while it still listens" "$(cat "$work/scan.txt")" "bf000000000000000000     127.0.0.1        3.3"
kill -0 $scan_pid 2>/dev/null && ok || bad "the scan ended early"
kill -INT $scan_pid; wait $scan_pid
[ "$(grep -c bf000000000000000000 "$work/scan.txt")" -eq 1 ] && ok || bad "scan: the row twice: $(cat "$work/scan.txt")"

finish
