#!/usr/bin/env bash
# The simulator's device profiles: `--print-devices-json` describes each one as
# tinytuya's wizard would (category, mapping with codes, types and ranges), and
# the simulated device checks writes as the real one does: a value out of range,
# of the wrong type, not in the enum, or to a read-only DP is refused (an error
# reply; with the silent-reject quirk an ACK and nothing changes), a valid one
# changes the device and its consequences follow (a curtain moves).
# Usage: profiles.sh path/to/ltuya
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=0123456789abcdef
port=$((25000 + $$ % 5000))
trap 'stop_sim; rm -rf "$work"' EXIT

start_sim() { # profile [sim options]
  local p=$1; shift
  sim_spawn "sim $p" --id $id --key $key --version 3.4 --port $port --beacon-interval 0 --profile "$p" "$@"
}
cli() { "$bin" "$@" --ip 127.0.0.1 --port $port --id $id --key $key -V 3.4 -t 3; }

# ---- devices.json as the wizard writes it -------------------------------------
print() { "$bin" sim --id $id --key $key --version 3.3 --port $port --profile "$@" --print-devices-json; }
out=$(print bulb); rc=$?
expect_rc "bulb --print-devices-json" $rc 0
contains "bulb category" "$out" '"category": "dj"'
contains "bulb switch" "$out" '"20": {"code": "switch_led", "type": "Boolean"'
contains "bulb mode" "$out" '"21": {"code": "work_mode", "type": "Enum", "values": {"range": ["white", "colour", "scene", "music"]}}'
contains "bulb brightness" "$out" '"22": {"code": "bright_value_v2", "type": "Integer", "values": {"min": 10, "max": 1000,'
contains "bulb temperature" "$out" '"23": {"code": "temp_value_v2", "type": "Integer", "values": {"min": 0, "max": 1000,'
contains "bulb colour" "$out" '"24": {"code": "colour_data_v2", "type": "Json", "values": {"h": {"unit": "", "min": 0, "max": 360,'
contains "entry id" "$out" "\"id\": \"$id\""
contains "entry ip" "$out" '"ip": "127.0.0.1"'
contains "entry version" "$out" '"version": "3.3"'
contains "curtain" "$(print curtain)" '"2": {"code": "percent_control", "type": "Integer", "values": {"unit": "%", "min": 0, "max": 100,'
contains "thermostat" "$(print thermostat)" '"2": {"code": "temp_set", "type": "Integer", "values": {"unit": "\u2103", "min": 50, "max": 350, "scale": 1, "step": 5}}'
contains "thermostat category" "$(print thermostat)" '"category": "wk"'
contains "switch3" "$(print switch3)" '"3": {"code": "switch_3", "type": "Boolean"'
contains "switch3 category" "$(print switch3)" '"category": "kg"'
contains "sensor" "$(print sensor)" '"1": {"code": "va_temperature", "type": "Integer", "values": {"unit": "\u2103", "min": -200, "max": 600, "scale": 1,'
contains "sensor category" "$(print sensor)" '"category": "wsdcg"'
contains "plug energy" "$(print plug)" '"19": {"code": "cur_power", "type": "Integer", "values": {"unit": "W", "min": 0, "max": 50000, "scale": 1,'
"$bin" sim --id $id --key $key --port $port --profile lamp --print-devices-json >/dev/null 2>&1
expect_rc "unknown profile" $? 2
# a fleet: one entry per device, each with its own profile
cat >"$work/fleet.json" <<JSON
[{"id":"bf000000000000000000","key":"$key","port":$port,"profile":"bulb"},
 {"id":"bf000000000000000001","key":"$key","port":$((port + 1)),"profile":"sensor","version":"3.5"}]
JSON
out=$("$bin" sim --config "$work/fleet.json" --print-devices-json); rc=$?
expect_rc "fleet --print-devices-json" $rc 0
contains "fleet first" "$out" '"id": "bf000000000000000000"'
contains "fleet second" "$out" '"category": "wsdcg"'
contains "fleet second version" "$out" '"version": "3.5"'
if command -v node >/dev/null; then
  # the whole document parses as JSON, and every DP has code, type and values
  printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{
    const d=JSON.parse(s); if(d.length!==2) process.exit(1);
    for(const e of d) for(const [k,m] of Object.entries(e.mapping))
      if(!/^[0-9]+$/.test(k)||!m.code||!m.type||typeof m.values!=="object") process.exit(1);})'
  expect_rc "devices.json parses" $? 0
fi

# ---- writes checked as the real device does ------------------------------------
start_sim bulb
cli set 22=500 >/dev/null; expect_rc "bulb brightness 500" $? 0
contains "bulb brightness state" "$(sim_cmd '{"cmd":"get"}')" '"22":500'
cli set 22=5 >/dev/null 2>&1; expect_rc "bulb brightness 5 (below 10)" $? 9
cli set 21=party >/dev/null 2>&1; expect_rc "bulb mode not in the enum" $? 9
cli set 24=000003e803e9 >/dev/null 2>&1; expect_rc "bulb colour v 1001" $? 9
cli set 24=00b403e803e8 >/dev/null; expect_rc "bulb colour 180/1000/1000" $? 0
# a number for the boolean switch is refused by the CLI before anything is sent
cli set 20=1 >/dev/null 2>&1; expect_rc "bulb switch with a number" $? 2
cli set 77=true >/dev/null 2>&1; expect_rc "bulb DP it lacks" $? 9
st=$(sim_cmd '{"cmd":"get"}')
contains "refused writes change nothing" "$st" '"20":true,"21":"white","22":500,'
contains "colour stored" "$st" '"24":"00b403e803e8"'
contains "refusals counted" "$(sim_cmd '{"cmd":"stats"}')" '"rejected_writes":4,'
# a write with one bad DP is refused whole (the control interface checks as a client write does)
contains "control interface refuses too" "$(sim_cmd '{"cmd":"set","dps":{"20":false,"22":2000}}')" '"ok":false,"error":"out of range"'
contains "refused whole" "$(sim_cmd '{"cmd":"get"}')" '"20":true,'
stop_sim

start_sim bulb --quirk silent-reject
cli set 22=5 >/dev/null 2>&1
st=$(sim_cmd '{"cmd":"get"}')
contains "silent-reject: nothing changed" "$st" '"22":1000'
contains "silent-reject: counted" "$(sim_cmd '{"cmd":"stats"}')" '"rejected_writes":1,'
cli set 20=false 22=5 >/dev/null 2>&1
contains "silent-reject: the valid DP applied" "$(sim_cmd '{"cmd":"get"}')" '"20":false,"21":"white","22":1000'
stop_sim

start_sim curtain
cli set 2=40 >/dev/null; expect_rc "curtain to 40 %" $? 0
contains "curtain position follows" "$(sim_cmd '{"cmd":"get"}')" '"2":40,"3":40,"5":"forward","7":"opening"'
cli set 1=close >/dev/null; expect_rc "curtain close" $? 0
contains "curtain closed" "$(sim_cmd '{"cmd":"get"}')" '"1":"close","2":0,"3":0,"5":"forward","7":"closing"'
cli set 3=50 >/dev/null 2>&1; expect_rc "curtain reported position is read-only" $? 9
cli set 2=101 >/dev/null 2>&1; expect_rc "curtain 101 %" $? 9
stop_sim

start_sim thermostat
cli set 2=225 >/dev/null; expect_rc "thermostat 22.5" $? 0
cli set 2=223 >/dev/null 2>&1; expect_rc "thermostat 22.3 (step 0.5)" $? 9
cli set 2=400 >/dev/null 2>&1; expect_rc "thermostat 40.0" $? 9
cli set 4=holiday >/dev/null; expect_rc "thermostat mode" $? 0
contains "thermostat state" "$(sim_cmd '{"cmd":"get"}')" '"2":225,"3":'
stop_sim

start_sim switch3
cli set 2=true 3=true >/dev/null; expect_rc "switch3 gangs 2 and 3" $? 0
contains "switch3 state" "$(sim_cmd '{"cmd":"get"}')" '"1":true,"2":true,"3":true'
cli set 14=memory >/dev/null 2>&1; expect_rc "switch3 relay_status not in the enum" $? 9
stop_sim

start_sim sensor
out=$(cli get --json); expect_rc "sensor get" $? 0
contains "sensor readings" "$out" '"dps":{"1":2'
cli set 1=300 >/dev/null 2>&1; expect_rc "sensor temperature is read-only" $? 9
cli set 9=f >/dev/null; expect_rc "sensor unit" $? 0
# the device itself may change what it reports
contains "sensor reading from the control interface" "$(sim_cmd '{"cmd":"set","dps":{"2":60}}')" '"2":60'
stop_sim

finish
