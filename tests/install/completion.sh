#!/usr/bin/env bash
# The bash completion (contrib/completion/ltuya.bash) against the built tool
# and a test devices.json: commands, options, protocol versions, device names
# (with a space and quotes), DP codes; zsh and fish scripts parse.
# Usage: completion.sh path/to/ltuya
set -u
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cat >"$work/devices.json" <<'JSON'
[
 {"name": "Kitchen plug", "id": "bf0123456789abcdefgh", "key": "0123456789abcdef", "ip": "127.0.0.1", "version": "3.3",
  "mapping": {"1": {"code": "switch_1", "type": "Boolean", "values": {}},
              "18": {"code": "cur_current", "type": "Integer", "values": {"unit": "mA", "scale": 0}}}},
 {"name": "Desk \"lamp\"", "id": "bf0123456789abcdefgi", "key": "0123456789abcdef", "ip": "127.0.0.2", "version": "3.5"},
 {"id": "bf0123456789abcdefgj", "key": "0123456789abcdef"}
]
JSON
chmod 600 "$work/devices.json"

# shellcheck source=/dev/null
source "$src/contrib/completion/ltuya.bash"
complete_line() { # words... -> the candidates, one per line
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _ltuya 2>/dev/null
  printf '%s\n' "${COMPREPLY[@]}"
}
expect() { # description expected-candidates words...
  local what=$1 want=$2; shift 2
  local got
  got=$(complete_line "$@" | paste -sd' ')
  [ "$got" = "$want" ] && ok || bad "$what: got '$got', expected '$want'"
}
d=(--devices "$work/devices.json")
expect "command" "get" "$bin" g
expect "commands starting with s" "set snapshot scan sim" "$bin" s
expect "help COMMAND" "watch" "$bin" help wa
expect "an option of get" "--json" "$bin" get --js
expect "protocol versions" "3.1 3.2 3.3 3.4 3.5" "$bin" on -V 3.
expect "device name with a space" 'Kitchen\ plug' "$bin" get "${d[@]}" Ki
expect "every device" 'Kitchen\ plug Desk\ \"lamp\" bf0123456789abcdefgj' "$bin" off "${d[@]}" ''
expect "DP codes of that device" "cur_current" "$bin" get "${d[@]}" 'Kitchen\ plug' cu
expect "DP codes for set end in =" "switch_1=" "$bin" set "${d[@]}" 'Kitchen\ plug' sw
expect "no devices for scan" "" "$bin" scan ''
# devices.json found in the working directory, as the tool finds it
got=$(cd "$work" && complete_line "$bin" toggle D)
[ "$got" = 'Desk\ \"lamp\"' ] && ok || bad "./devices.json: got '$got'"
# a device name that is not in the file gives no codes
expect "unknown device" "" "$bin" get "${d[@]}" nothere ''

if command -v zsh >/dev/null; then zsh -n "$src/contrib/completion/_ltuya" && ok || bad "zsh completion does not parse"; fi
if command -v fish >/dev/null; then
  fish -n "$src/contrib/completion/ltuya.fish" && ok || bad "fish completion does not parse"
  # fish: a device name from the test devices.json
  mkdir -p "$work/bin" && ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$work/bin/ltuya"
  got=$(PATH="$work/bin:$PATH" fish -c "source '$src/contrib/completion/ltuya.fish'; complete -C'ltuya get --devices $work/devices.json Ki'" 2>&1)
  [ "$got" = "Kitchen plug" ] && ok || bad "fish device name: got '$got'"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
