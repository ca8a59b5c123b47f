#!/usr/bin/env bash
# Typed values end to end (docs/profiles.md): the simulated bulb, curtain,
# thermostat, 3-gang switch and sensor, each with the devices.json that
# `ltuya sim --print-devices-json` writes for it, as a real user's wizard file.
# Typed get (code, engineering value, unit), typed set confirmed by the device,
# `off` on the bulb switching DP 20, `ltuya light`, and out-of-range or
# wrong-type values refused with exit 2 before any frame is sent (checked with
# -v, which logs every frame sent as a ">>" line).
# Usage: typed.sh path/to/ltuya
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=0123456789abcdef
port=$((32000 + $$ % 700)) # below the ephemeral range (32768+); no other test script uses it
trap 'stop_sim; rm -rf "$work"' EXIT

start_sim() { # profile
  sim_spawn "sim $1" --id $id --key $key --version 3.4 --port $port --beacon-interval 0 --profile "$1"
  "$bin" sim --id $id --key $key --version 3.4 --port $port --profile "$1" --print-devices-json \
    >"$work/devices.json"
  chmod 600 "$work/devices.json"
}
sim_state() { echo '{"cmd":"get"}' >&9; sleep 0.2; tail -n 1 "$work/sim.out"; }
cli() { "$bin" "$@" --devices "$work/devices.json" --port $port -t 3; }

# refused before anything is sent: exit 2, a message, no ">>" frame under -v
refused() { # label cmd args...
  local label=$1; shift
  local err
  err=$(cli "$@" -v 2>&1 >/dev/null); local rc=$?
  expect_rc "$label" $rc 2
  lacks "$label: no frame sent" "$err" ">>"
  contains "$label: says so" "$err" "nothing was sent"
}

# ---- bulb --------------------------------------------------------------------
start_sim bulb
out=$(cli get $id); rc=$?
expect_rc "bulb get" $rc 0
contains "bulb get: switch by code" "$out" "switch_led         true"
contains "bulb get: mode" "$out" "work_mode          white"
contains "bulb get: colour as HSV" "$out" "colour_data_v2     hsv("
out=$(cli get $id -v 2>/dev/null)
contains "get -v names the sources" "$out" "profile: devices.json mapping"
contains "get -v category" "$out" "(category dj)"

configs=$(cd "$(dirname "$0")/../profiles/configs" && pwd)
out=$(cli get $id -v --profiles "$configs" 2>/dev/null)
contains "a YAML config matched by DP set" "$out" "bulb_v2.yaml (matched by DP set)"
contains "the mapping still names the DPs" "$out" "bright_value_v2"
out=$(cli get $id -v --profiles "$configs/../bad" 2>&1); rc=$?
expect_rc "a malformed YAML config is a configuration error" $rc 3
contains "the error names file and line" "$out" "bad_id.yaml:5:"
out=$(cli probe $id); rc=$?
expect_rc "probe" $rc 0
contains "probe names the profile's sources" "$out" "profile: devices.json mapping"
out=$(cli set $id bright_value_v2=50%); rc=$?
expect_rc "set bright_value_v2=50%" $rc 0
contains "set brightness confirmed" "$(sim_state)" '"22":505'
cli set $id 'colour_data_v2=#ff8800' >/dev/null
expect_rc "set colour_data_v2=#ff8800" $? 0
contains "colour on the device" "$(sim_state)" '"24":"002003e803e8"'
cli set $id 'colour_data_v2=#ff0000' >/dev/null
contains "#ff0000 is 000003e803e8" "$(sim_state)" '"24":"000003e803e8"'
cli set $id temp_value_v2=2700K >/dev/null
expect_rc "set temp_value_v2=2700K" $? 0
contains "2700 K is the warm end" "$(sim_state)" '"23":0'
cli set $id countdown_1=90s >/dev/null
expect_rc "set countdown_1=90s" $? 0
contains "countdown 90 s" "$(sim_state)" '"26":90'
out=$(cli get $id countdown_1 bright_value_v2)
contains "get by code with unit" "$out" "90 s"
out=$(cli get $id --json)
contains "json raw dps" "$out" '"dps":{"20":true'
contains "json typed brightness" "$out" '"bright_value_v2":{"dp":22,"value":505,"raw":505'
contains "json typed colour" "$out" '"colour_data_v2":{"dp":24,"value":{"h":0,"s":1000,"v":1000,"rgb":"#ff0000"}'
contains "json profile" "$out" '"profile":{"sources":["devices.json mapping"'
out=$(cli get $id --raw)
contains "--raw shows the device's value" "$out" '"000003e803e8"'

before=$(sim_state)
refused "brightness 150% refused" set $id bright_value_v2=150%
refused "brightness 5 (below 10) refused" set $id bright_value_v2=5
refused "mode not in the enum" set $id work_mode=disco
refused "colour garbage" set $id colour_data_v2=reddish
refused "temp 2000K refused" set $id temp_value_v2=2000K
refused "switch takes a bool" set $id switch_led=maybe
refused "countdown 0.5s refused" set $id countdown_1=0.5s
refused "light brightness 101" light $id --brightness 101
refused "light mode unknown" light $id --mode disco
[ "$(sim_state)" = "$before" ] && ok || bad "refused writes changed the bulb: $before -> $(sim_state)"

out=$(cli off $id); rc=$?
expect_rc "bulb off" $rc 0
contains "off names DP 20" "$out" "DP 20"
contains "off switched DP 20" "$(sim_state)" '"20":false'
cli on $id >/dev/null
contains "on switched DP 20" "$(sim_state)" '"20":true'

out=$(cli light $id --brightness 50); rc=$?
expect_rc "light --brightness 50" $rc 0
cli light $id --colour '#00ff00' >/dev/null
expect_rc "light --colour" $? 0
st=$(sim_state)
contains "light colour sets colour mode" "$st" '"21":"colour"'
contains "light colour value" "$st" '"24":"007803e803e8"'
cli light $id --brightness 50 >/dev/null
contains "brightness in colour mode is the colour's value" "$(sim_state)" '"24":"007803e801f4"'
cli light $id --temp 40 --brightness 80 >/dev/null
expect_rc "light --temp 40 --brightness 80" $? 0
st=$(sim_state)
contains "light temp sets white mode" "$st" '"21":"white"'
contains "light temp 40 %" "$st" '"23":400'
contains "light brightness 80 %" "$st" '"22":802'
refused "colour and temp exclude each other" light $id --colour '#ffffff' --temp 50
stop_sim

# ---- curtain -------------------------------------------------------------------
start_sim curtain
cli set $id percent_control=40% >/dev/null
expect_rc "curtain set percent_control=40%" $? 0
contains "curtain position" "$(sim_state)" '"2":40'
cli set $id control=stop >/dev/null
expect_rc "curtain control=stop" $? 0
refused "curtain 101% refused" set $id percent_control=101
refused "curtain control unknown" set $id control=up
out=$(cli get $id)
contains "curtain get position with unit" "$out" "percent_control    40 %"
stop_sim

# ---- thermostat ----------------------------------------------------------------
start_sim thermostat
cli set $id temp_set=21.5 >/dev/null
expect_rc "thermostat temp_set=21.5" $? 0
contains "21.5 degrees is 215" "$(sim_state)" '"2":215'
refused "thermostat off the step" set $id temp_set=21.3
refused "thermostat above max" set $id temp_set=40
refused "thermostat finer than the scale" set $id temp_set=21.55
out=$(cli get $id)
contains "thermostat get" "$out" "temp_set           21.5 ℃"
stop_sim

# ---- 3-gang switch ---------------------------------------------------------------
start_sim switch3
cli set $id switch_3=off countdown_2=2min >/dev/null
expect_rc "switch3 set by codes" $? 0
st=$(sim_state)
contains "switch_3 off" "$st" '"3":false'
contains "countdown_2 2 min" "$st" '"8":120'
cli off $id >/dev/null
contains "off switches switch_1" "$(sim_state)" '"1":false'
refused "switch3 enum refused" set $id relay_status=sometimes
stop_sim

# ---- sensor ------------------------------------------------------------------------
start_sim sensor
out=$(cli get $id); rc=$?
expect_rc "sensor get" $rc 0
contains "sensor temperature scaled" "$out" "va_temperature     "
contains "sensor temperature unit" "$out" " ℃"
contains "sensor humidity unit" "$out" " %"
t=$(cli get $id va_temperature --json)
contains "sensor typed temperature has a decimal" "$t" '"va_temperature":{"dp":1,"value":'
cli set $id maxtemp_set=30.5 >/dev/null
expect_rc "sensor maxtemp_set=30.5" $? 0
contains "30.5 is 305" "$(sim_state)" '"10":305'
refused "sensor alarm enum" set $id temp_alarm=maybe
stop_sim

finish
