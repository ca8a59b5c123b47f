#!/usr/bin/env bash
# One version number: include/ltuya/version.h. The manifests that cannot
# read it (PlatformIO's library.json, ESP-IDF's idf_component.yml, the
# Debian changelog) must say the same.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
version=$(sed -n 's/^#define LTUYA_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$src/include/ltuya/version.h" | paste -sd.)
echo "version.h: $version"
check() { [ "$2" = "$version" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: $1 says '$2'"; }; }
check library.json "$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$src/library.json")"
check idf_component.yml "$(sed -n 's/^version: "\(.*\)"$/\1/p' "$src/idf_component.yml")"
check debian/changelog "$(sed -n '1s/^ltuya (\([0-9.]*\)\(-[0-9a-z.~+]*\)\{0,1\}).*/\1/p' "$src/debian/changelog")"
# no other copy of it in the code (an x.y.z string literal outside version.h)
others=$(grep -rn --include='*.[ch]' -e '"[0-9]\+\.[0-9]\+\.[0-9]\+"' "$src/src" "$src/tools" "$src/include" "$src/ports" |
  grep -v '^[^:]*/include/ltuya/version.h:' |
  grep -v '"3\.1\.1"' || true) # "3.1.1" there is MQTT's protocol version (ltuya bridge), not ours
[ -z "$others" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: version literals: $others"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
