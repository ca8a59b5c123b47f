#!/usr/bin/env bash
# Build the Debian packages (libltuya0, libltuya-dev, ltuya) from a copy of
# this tree with `dpkg-buildpackage -us -uc -b` (Debian's build flags and
# hardening), run lintian on them, install them with `dpkg -i`, check that
# `ltuya --version` runs from /usr/bin and that a program builds against the
# installed -dev package (pkg-config and find_package), then remove them
# again if they were not installed before.
# Usage: scripts/package.sh [OUTDIR]   (the .deb files are copied there; default build-deb)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/build-deb}
version=$(sed -n 's/^#define LTUYA_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$src/include/ltuya/version.h" | paste -sd.)
work=$(mktemp -d)
installed_here=0
cleanup() {
  if [ "$installed_here" = 1 ]; then dpkg -r ltuya libltuya-dev libltuya0 >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# the tracked and new (not ignored) files, as a release tarball would hold them
mkdir -p "$work/ltuya-$version"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' |
  tar --null -T - -cf -) | tar -xf - -C "$work/ltuya-$version"

echo "== dpkg-buildpackage -us -uc -b (ltuya $version) =="
(cd "$work/ltuya-$version" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) ||
  { tail -40 "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
ls "$work"/*.deb
mkdir -p "$out"
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
echo "== lintian =="
# every tag down to pedantic is listed (and kept in OUTDIR/lintian.txt); errors and warnings fail
lintian --fail-on error,warning -I --pedantic "$work"/*.changes 2>&1 | grep -v 'root privileges' | tee "$out/lintian.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] && ok || bad "lintian errors or warnings (above)"

# hardening: every ELF file was built with Debian's flags
for deb in "$work"/ltuya_*.deb "$work"/libltuya0_*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
for elf in "$work/root/usr/bin/ltuya" "$work"/root/usr/lib/*/libltuya.so.*.*; do
  readelf -d "$elf" | grep -q 'BIND_NOW' && readelf -l "$elf" | grep -q GNU_RELRO && ok || bad "$elf: not built with relro/now"
  readelf -d "$elf" | grep -q -e RPATH -e RUNPATH && bad "$elf has an RPATH" || ok
done

echo "== dpkg -i =="
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: dpkg -i needs root"
elif dpkg-query -W -f='${Status}' ltuya 2>/dev/null | grep -q "install ok installed"; then
  echo "SKIP: ltuya is already installed on this machine; not replacing it"
else
  installed_here=1
  dpkg -i "$work"/libltuya0_*.deb "$work"/libltuya-dev_*.deb "$work"/ltuya_*.deb >/dev/null && ok || bad "dpkg -i"
  got=$(/usr/bin/ltuya --version)
  [ "$got" = "ltuya $version" ] && ok || bad "/usr/bin/ltuya --version: $got"
  man -w ltuya-get >/dev/null 2>&1 && ok || bad "man ltuya-get not found"
  # a program against the installed -dev package, both ways
  cc -std=c11 -Wall -Wextra -Werror -o "$work/consumer" "$src/tests/install/consumer/consumer.c" \
    $(pkg-config --cflags --libs ltuya-posix) && ok || bad "pkg-config build against the package"
  cmake -S "$src/tests/install/consumer" -B "$work/c" -DLTUYA_FROM=package >/dev/null &&
    cmake --build "$work/c" >/dev/null && ok || bad "find_package build against the package"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
