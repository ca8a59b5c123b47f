#!/usr/bin/env bash
# Install a built ltuya into a temporary prefix and use it as a user would:
# the installed files are there, the shared library exports only ltuya_
# symbols, the installed `ltuya` runs from the prefix and serves as the
# simulator, and a C and a C++ program (tests/install/consumer) build against
# it through find_package, pkg-config, add_subdirectory and FetchContent and
# switch the simulated plug off and on.
# Usage: consumers.sh BUILD_DIR   (a configured and built shared-library build of this tree)
set -u
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
work=$(mktemp -d)
prefix=$work/prefix
sim_pid=
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # description command...
  local what=$1; shift
  if "$@" >"$work/out" 2>&1; then ok; else bad "$what"; sed 's/^/  | /' "$work/out" | tail -20; fi
}
jobs=${JOBS:-2}

check "cmake --install" cmake --install "$build" --prefix "$prefix"
libdir=$(cd "$prefix" && ls -d lib lib/*-linux-gnu* 2>/dev/null | while read -r d; do
  [ -e "$prefix/$d/libltuya.so" ] && echo "$d"; done | head -n 1)
[ -n "$libdir" ] || { bad "no libltuya.so under $prefix/lib"; libdir=lib; }
version=$(sed -n 's/^#define LTUYA_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$src/include/ltuya/version.h" | paste -sd.)
major=${version%%.*}

# ---- what is installed ----
for f in bin/ltuya "$libdir/libltuya.so.$major" "$libdir/libltuya-posix.so.$major" \
  "$libdir/libltuya.so" include/ltuya/device.h include/ltuya/version.h include/ltuya/export.h \
  include/ltuya/posix/ltuya_posix.h "$libdir/pkgconfig/ltuya.pc" "$libdir/pkgconfig/ltuya-posix.pc" \
  "$libdir/cmake/ltuya/ltuyaConfig.cmake" "$libdir/cmake/ltuya/ltuyaConfigVersion.cmake" \
  share/man/man1/ltuya.1 share/man/man1/ltuya-get.1 share/bash-completion/completions/ltuya \
  share/zsh/vendor-completions/_ltuya share/fish/vendor_completions.d/ltuya.fish share/doc/ltuya/README.md; do
  [ -e "$prefix/$f" ] && ok || bad "not installed: $f"
done
# the SONAME carries the major version
soname=$(objdump -p "$prefix/$libdir/libltuya.so" | awk '/SONAME/ {print $2}')
[ "$soname" = "libltuya.so.$major" ] && ok || bad "SONAME $soname, expected libltuya.so.$major"
# only the public API is exported
for lib in libltuya.so libltuya-posix.so; do
  syms=$(nm -D --defined-only "$prefix/$libdir/$lib" | awk 'NF == 3 {print $3}')
  others=$(echo "$syms" | grep -v '^ltuya_')
  [ -n "$syms" ] && [ -z "$others" ] && ok || bad "$lib exports non-ltuya_ symbols: $others"
  echo "$lib: $(echo "$syms" | wc -l) dynamic symbols, all ltuya_"
done
# no path of the build machine in the installed package files
if grep -rl -e "$build" -e "$src" "$prefix/$libdir/cmake" "$prefix/$libdir/pkgconfig" >/dev/null; then
  bad "installed CMake/pkg-config files name the build or source tree"
else ok; fi

# ---- the installed tool runs from the prefix ----
out=$("$prefix/bin/ltuya" --version 2>&1)
[ "$out" = "ltuya $version" ] && ok || bad "installed ltuya --version: '$out', expected 'ltuya $version'"

id=bf0123456789abcdefgh
key=0123456789abcdef
port=$((22000 + $$ % 9000))
mkfifo "$work/ctl"
"$prefix/bin/ltuya" sim --id $id --key $key --version 3.3 --port $port --beacon-interval 0 \
  <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
exec 9>"$work/ctl"
for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
grep -q READY "$work/sim.out" && ok || bad "installed ltuya sim did not start: $(cat "$work/sim.err")"
check "installed ltuya get" "$prefix/bin/ltuya" get --ip 127.0.0.1 --port $port --id $id --key $key -V 3.3
run_consumers() { # how dir
  local how=$1 dir=$2
  check "$how: C consumer" "$dir/consumer" 127.0.0.1 $port $id $key 3.3
  check "$how: C++ consumer" "$dir/consumer_cxx" 127.0.0.1 $port $id $key 3.3
}

# ---- find_package ----
check "find_package: configure" cmake -S "$src/tests/install/consumer" -B "$work/c-package" \
  -DLTUYA_FROM=package -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror"
check "find_package: build" cmake --build "$work/c-package" -j "$jobs"
run_consumers find_package "$work/c-package"

# ---- pkg-config ----
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
check "pkg-config --modversion" test "$(pkg-config --modversion ltuya-posix)" = "$version"
mkdir -p "$work/c-pc"
# shellcheck disable=SC2046
check "pkg-config: build C" cc -std=c11 -Wall -Wextra -Werror -o "$work/c-pc/consumer" \
  "$src/tests/install/consumer/consumer.c" $(pkg-config --cflags --libs ltuya-posix) -Wl,-rpath,"$prefix/$libdir"
# shellcheck disable=SC2046
check "pkg-config: build C++" c++ -std=c++11 -Wall -Wextra -Werror -o "$work/c-pc/consumer_cxx" \
  "$src/tests/install/consumer/consumer.cpp" $(pkg-config --cflags --libs ltuya-posix) -Wl,-rpath,"$prefix/$libdir"
run_consumers pkg-config "$work/c-pc"
# the README's "Use from C" example, compiled exactly as shown there (the
# README's own cc line), then run with the simulator's address and port
awk '/^## Use from C/ {f = 1} f && /^```c$/ {c = 1; next} c && /^```$/ {exit} c {print}' "$src/README.md" >"$work/c-pc/plug.c"
[ "$(wc -l <"$work/c-pc/plug.c")" -ge 10 ] && ok || bad "no C example under '## Use from C' in README.md"
cc_line=$(awk '/^## Use from C/ {f = 1} f && /^cc -o plug plug.c/ {print; exit}' "$src/README.md")
[ -n "$cc_line" ] && ok || bad "no 'cc -o plug plug.c ...' line under '## Use from C' in README.md"
check "README example: $cc_line" sh -c "cd '$work/c-pc' && $cc_line -Wall -Wextra -Werror -Wl,-rpath,'$prefix/$libdir'"
sed -e "s/\"192\.168\.1\.55\"/\"127.0.0.1\"/" -e "s/port = 6668;/port = $port;/" "$work/c-pc/plug.c" >"$work/c-pc/plug_local.c"
check "README example against the simulator: build" sh -c "cd '$work/c-pc' && cc -o plug_local plug_local.c \$(pkg-config --cflags --libs ltuya-posix) -Wl,-rpath,'$prefix/$libdir'"
out=$("$work/c-pc/plug_local" 2>&1)
[ "$out" = "switch on: ok" ] && ok || bad "README example printed '$out'"

# ---- add_subdirectory and FetchContent of the source tree ----
for how in source fetch; do
  check "$how: configure" cmake -S "$src/tests/install/consumer" -B "$work/c-$how" -DLTUYA_FROM=$how \
    -DLTUYA_SOURCE="$src" -DCMAKE_BUILD_TYPE=Release
  check "$how: build" cmake --build "$work/c-$how" -j "$jobs"
  # a subproject builds the library only: no tests, fuzz targets or tool
  if [ -e "$work/c-$how/ltuya/ltuya" ] || [ -e "$work/c-$how/_deps/ltuya-build/ltuya" ] ||
    ls "$work/c-$how"/{ltuya,_deps/ltuya-build}/tests 2>/dev/null | grep -q test_; then
    bad "$how: the subproject built its tool or tests"
  else ok; fi
  run_consumers "$how" "$work/c-$how"
done

echo '{"cmd":"quit"}' >&9 2>/dev/null
exec 9>&-
wait "$sim_pid" 2>/dev/null
sim_pid=
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
