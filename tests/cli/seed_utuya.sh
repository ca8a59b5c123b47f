#!/usr/bin/env bash
# The seed's own MicroPython library (uTuya, in the seed's blog text under
# ../shared/seed/) against `ltuya sim`, run by a MicroPython unix binary.
# uTuya's set_dps reads the write's ACK with one recv and the status push with
# the next, as a real plug sends them tens of ms apart; the simulator's default
# gap lets it work, and the back-to-back quirk shows the failure the gap fixes
# (both frames in the first recv, the second one times out).
#
# The library is read from the seed at test time, never copied into the repo
# (it is another project's code). Skipped (exit 77) when there is no MicroPython
# binary with cryptolib or no seed text: MicroPython is not a Debian package,
# so a fresh machine has none unless one is built (bindings/micropython/README.md).
# Usage: seed_utuya.sh path/to/ltuya [path/to/micropython] [seed dir]
set -u
bin=$1
mpy=${2:-${MICROPYTHON:-$(command -v micropython || true)}}
seed_dir=${3:-${LTUYA_SEED_DIR:-$(dirname "$0")/../../../shared/seed}}
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
id=bf0123456789abcdefgh
key=0123456789abcdef
port=$((30000 + $$ % 5000))
sim_pid=
trap '[ -n "$sim_pid" ] && { echo "{\"cmd\":\"quit\"}" >&9; wait "$sim_pid"; }; rm -rf "$work"' EXIT

if [ ! -x "$mpy" ] 2>/dev/null || [ -z "$mpy" ]; then
  echo "SKIP: no MicroPython unix binary (pass one, set MICROPYTHON, or put micropython on PATH)"
  exit 77
fi
if ! "$mpy" -c 'import cryptolib' >/dev/null 2>&1; then
  echo "SKIP: $mpy has no cryptolib (build the unix port with SSL)"
  exit 77
fi
seed=$(grep -l 'class uTuya' "$seed_dir"/*.txt 2>/dev/null | head -n 1)
if [ -z "$seed" ]; then
  echo "SKIP: no seed text with the uTuya library in $seed_dir"
  exit 77
fi

# The library as published: from the docstring after the "uTuya.py" title to
# the blog's next dated entry; the page's non-breaking spaces become spaces.
sed 's/\xc2\xa0/ /g' "$seed" | awk '
  /^uTuya\.py *$/ { want = 1; next }
  want && /^[0-9][0-9][0-9][0-9]\/[0-9][0-9]\/[0-9][0-9] / { exit }
  want { print }' >"$work/uTuya.py"
grep -q 'def set_dps' "$work/uTuya.py" || { bad "could not extract uTuya from $seed"; echo "$pass passed, $fail failed"; exit 1; }

# set_dps up to ATTEMPTS times (a loaded machine may wake uTuya after both frames
# arrived, as the back-to-back quirk does always), then get_dps
#
# The seed targets MicroPython on the ESP32, whose socket.connect takes a
# (host, port) tuple and which it expects to name socket.error; the unix port
# wants a getaddrinfo() address and has no socket.error. A stand-in module with
# the ESP32's shape goes into sys.modules before the library is imported.
cat >"$work/drive.py" <<PY
import sys
import socket as _socket


class _Esp32Socket:
    def __init__(self, *args):
        self._s = _socket.socket(*args)

    def connect(self, addr):
        if isinstance(addr, tuple):
            addr = _socket.getaddrinfo(addr[0], addr[1])[0][-1]
        return self._s.connect(addr)

    def __getattr__(self, name):
        return getattr(self._s, name)


class _Esp32SocketModule:
    error = OSError
    socket = _Esp32Socket


sys.modules["socket"] = _Esp32SocketModule
from uTuya import uTuya
d = uTuya('127.0.0.1', '$id', '$key', version=3.3)
d.PORT = $port
r = None
for attempt in range(int(sys.argv[1])):
    r = d.set_dps(1, False)
    if r:
        break
print('SET', r)
print('GET', d.get_dps())
PY

start_sim() { # [sim options]
  sim_spawn "sim" --id $id --key $key --version 3.3 --port $port --beacon-interval 0 "$@"
}
drive() { (cd "$work" && MICROPYPATH="$work" timeout 60 "$mpy" drive.py "$1" 2>&1); }

# default: ACK, then the push 20-80 ms later; uTuya's set_dps returns the push
start_sim --seed 7
out=$(drive 3)
contains "uTuya set_dps gets the push" "$out" "SET {"
contains "uTuya set_dps push holds the new state" "$out" "'1': False"
contains "uTuya get_dps" "$out" "GET {"
contains "the plug is off" "$(sim_cmd '{"cmd":"get"}')" '"dps":{"1":false,'
stop_sim

# back-to-back: both frames reach uTuya's first recv, its second one times out
start_sim --quirk back-to-back
out=$(drive 1)
contains "back-to-back: uTuya set_dps fails as on the old simulator" "$out" "SET None"
stop_sim

finish
