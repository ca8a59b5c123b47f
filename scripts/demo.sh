#!/usr/bin/env bash
# make demo: what ltuya can do today, on this machine, with no device.
# Usage: scripts/demo.sh path/to/ltuya
set -euo pipefail
bin=${1:-build/ltuya}
data="$(dirname "$0")/../tests/vectors/vectors.data"
frame() { grep "id=$1 " "$data" | tr ' ' '\n' | sed -n 's/^frame=//p'; }
key=0123456789abcdef

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. A 3.3 plug: status query, reply, switch on, ACK, status push (local key only)"
for id in gen33-dp-query gen33-dp-query-resp gen33-control gen33-control-ack gen33-status-push; do
  frame $id
done | "$bin" decode --key $key

say "2. A captured 3.5 conversation: the session key is derived from the handshake"
grep "id=gen35-" "$data" | grep -v -e session-key -e udp | tr ' ' '\n' | sed -n 's/^frame=//p' |
  "$bin" decode --key $key

say "3. A 3.5 discovery beacon (fixed UDP key, no local key needed)"
"$bin" decode "$(frame gen35-udp-beacon)"

say "4. A wrong key is named as such"
"$bin" decode --key fedcba9876543210 --version 3.4 "$(frame gen34-sess-start)" || true
