#!/usr/bin/env bash
# The local key never appears in anything ltuya prints: every CLI mode, run
# verbose against `ltuya sim` for each key-handling protocol family, with the
# key given on the command line, in LTUYA_KEY and in devices.json, in success
# and in failure. The key is looked for as text, as hex (both cases) and as
# base64. Also: the devices.json reader warns when others can read the file.
# Usage: secrets.sh path/to/ltuya
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=Zq7Kx2Lm9Pw4Rt6Y # distinctive, so a match cannot be a coincidence
wrong=Hb3Nc8Vd1Fg5Js0Q
port=$((22000 + $$ % 3000))
uport=$((port + 1))
args="--ip 127.0.0.1 --port $port --id $id"
trap 'stop_sim; rm -rf "$work"' EXIT

# every spelling of a key that could leak
forms() {
  local k=$1 hex
  hex=$(printf %s "$k" | od -An -tx1 | tr -d ' \n')
  printf '%s\n' "$k" "$hex" "$(printf %s "$hex" | tr a-f A-F)" \
    "$(printf %s "$k" | base64)" "$(printf %s "$k" | base64 | tr -d =)"
}

# no_key NAME FILE...: none of the files holds any spelling of either key
no_key() {
  local name=$1; shift
  local f leaked=
  for f in $(forms "$key") $(forms "$wrong"); do
    grep -qF -- "$f" "$@" 2>/dev/null && leaked="$leaked $f"
  done
  [ -z "$leaked" ] && ok || bad "$name printed a key"
}

# run NAME CMD...: run it, keep stdout+stderr, check no key in them, and that it produced output
run() {
  local name=$1; shift
  "$@" >"$work/out" 2>&1
  echo "$?" >"$work/rc"
  [ -s "$work/out" ] && ok || bad "$name printed nothing (nothing to check)"
  no_key "$name" "$work/out"
}
rc_is() { [ "$(cat "$work/rc")" -eq "$2" ] && ok || bad "$1: exit $(cat "$work/rc"), expected $2"; }

start_sim() { # version [sim options]
  local v=$1; shift
  sim_spawn "sim $v" --id $id --key $key --version "$v" --port $port --udp-port $uport \
    --beacon-interval 0.3 "$@"
}

cat >"$work/devices.json" <<JSON
[{"name":"Desk","id":"$id","key":"$key","ip":"127.0.0.1","version":"3.3"}]
JSON
chmod 600 "$work/devices.json"

for v in 3.1 3.3 3.4 3.5; do
  start_sim $v
  k="$args --key $key -V $v -v"
  run "$v get" "$bin" get $k --json
  rc_is "$v get" 0
  run "$v set" "$bin" set $k 1=false 9=120
  run "$v on" "$bin" on $k
  run "$v off" "$bin" off $k
  run "$v toggle" "$bin" toggle $k
  run "$v refresh" "$bin" refresh $k
  run "$v watch" "$bin" watch $k --interval 1 --for 2
  run "$v probe" "$bin" probe $args --key $key -v
  run "$v LTUYA_KEY" env LTUYA_KEY=$key "$bin" get $args -V $v -v
  rc_is "$v LTUYA_KEY" 0
  # 3.1 answers status queries in clear text: only a write needs the key there
  run "$v wrong key" "$bin" set $args --key $wrong -V $v -v -t 2 9=7
  [ "$(cat "$work/rc")" -ne 0 ] && ok || bad "$v wrong key succeeded"
  run "$v wrong version" "$bin" get $args --key $key -V $([ $v = 3.5 ] && echo 3.3 || echo 3.5) -v -t 2
  stop_sim
  no_key "$v simulator's own output" "$work/sim.out" "$work/sim.err"
done

# devices.json: by name, verbose; the simulator beaconing for scan
start_sim 3.3
run "devices.json get" "$bin" get Desk --devices "$work/devices.json" --port $port -v
rc_is "devices.json get" 0
run "scan" "$bin" scan --bind 127.0.0.1 --ports $uport --timeout 1 -v --devices "$work/devices.json"
case "$(cat "$work/out")" in *"$id"*) ok ;; *) bad "scan found nothing, so proved nothing" ;; esac
run "scan --json" "$bin" scan --bind 127.0.0.1 --ports $uport --timeout 1 --json --devices "$work/devices.json"
stop_sim

# decode: frames made with the key, decoded with it (and with a wrong one)
start_sim 3.3
"$bin" get $args --key $key -V 3.3 -v >/dev/null 2>"$work/frames"
stop_sim
hexes=$(sed -n 's/^[<>][<>] [0-9]* bytes: //p' "$work/frames" | grep -E '^[0-9a-f]+$' | head -4)
if [ -n "$hexes" ]; then
  ok
  run "decode" "$bin" decode --key $key -V 3.3 $hexes
  rc_is "decode" 0
  run "decode wrong key" "$bin" decode --key $wrong -V 3.3 $hexes
  run "decode LTUYA_KEY" env LTUYA_KEY=$key "$bin" decode $hexes
else
  bad "no frames in -v output to decode: $(head -3 "$work/frames")"
fi

# a bad key is reported without echoing it
run "malformed key" "$bin" get $args --key "${key}X" -V 3.3
rc_is "malformed key" 2

# devices.json readable by others: a warning naming the file, still no key
chmod 644 "$work/devices.json"
run "world-readable devices.json" "$bin" get Desk --devices "$work/devices.json" --port $port -t 1
case "$(cat "$work/out")" in *"readable by other users"*) ok ;; *) bad "no warning for a world-readable devices.json" ;; esac

finish
