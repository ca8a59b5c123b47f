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
