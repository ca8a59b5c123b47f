#!/usr/bin/env bash
# Build ltuya and its tests with Debian's cross compilers and run the whole
# ctest suite under qemu-user, so byte-order, alignment and 32-bit size bugs
# show up on an x86-64 machine:
#   armhf  32-bit ARM, little-endian, strict-ish alignment  ASan + UBSan
#   s390x  64-bit, big-endian                               UBSan only
# (ASan cannot reserve its s390x shadow memory under qemu-user on an x86-64
# host; LeakSanitizer does not work under qemu at all, so leaks are left to
# the native ASan run.) The core's sources are also compiled for each target
# with -Wcast-align=strict -Wconversion -Werror.
#
# Usage: scripts/cross-test.sh [arch...]   (default: armhf s390x)
# Env:   LTUYA_CROSS_BUILD_PREFIX (default build-cross-), JOBS,
#        LTUYA_CROSS_FULL=1 to run cli_device_vs_sim on armhf too (by default
#        only s390x runs it: it is a minute of mostly waiting, and the big-endian
#        target is where the whole stack against the simulator matters most).
# Prints "ARCH: N passed, N failed" per architecture (ctest tests) and an
# overall "N passed, N failed" last; exits non-zero when any test failed.
# When the cross packages are missing and cannot be installed it prints
# "SKIP: reason" and exits 0. scripts/deps.sh cross installs them.
set -uo pipefail
cd "$(dirname "$0")/.."

prefix=${LTUYA_CROSS_BUILD_PREFIX:-build-cross-}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(armhf s390x)

triplet_of() { case $1 in armhf) echo arm-linux-gnueabihf ;; s390x) echo s390x-linux-gnu ;; esac; }
qemu_of() { case $1 in armhf) echo qemu-arm ;; s390x) echo qemu-s390x ;; esac; }

# Missing tools or libraries: name the first, so SKIP says why.
missing_for() {
  local a=$1 t
  t=$(triplet_of "$a")
  command -v "$t-gcc" >/dev/null || { echo "$t-gcc not installed"; return; }
  command -v "$(qemu_of "$a")" >/dev/null || { echo "$(qemu_of "$a") not installed"; return; }
  [ -e "/usr/lib/$t/libcmocka.so" ] || { echo "libcmocka-dev:$a not installed"; return; }
  [ -e "/usr/lib/$t/libmbedcrypto.so" ] || { echo "libmbedtls-dev:$a not installed"; return; }
}

# Per-arch cmake arguments (into the array "args").
arch_args() {
  args=(-DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-$1.cmake -DCMAKE_BUILD_TYPE=Debug -DLTUYA_WERROR=ON)
  local ubsan="-fsanitize=undefined,alignment -fno-sanitize-recover=all"
  case $1 in
    # LTUYA_SANITIZE=ON adds address,undefined. The cross runtimes live under
    # /usr/<triplet>/lib, where the target's loader does not look: link them in.
    armhf) args+=(-DLTUYA_SANITIZE=ON "-DCMAKE_EXE_LINKER_FLAGS=-static-libasan -static-libubsan") ;;
    s390x) args+=(-DLTUYA_SANITIZE=OFF "-DCMAKE_C_FLAGS=$ubsan -fno-omit-frame-pointer"
      "-DCMAKE_EXE_LINKER_FLAGS=$ubsan -static-libubsan") ;;
  esac
}

# LeakSanitizer cannot run under qemu-user (it needs ptrace-like thread access).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

total_pass=0
total_fail=0
for a in "${archs[@]}"; do
  if [ -z "$(triplet_of "$a")" ]; then
    echo "cross-test: unknown arch $a (armhf, s390x)" >&2
    exit 2
  fi
  why=$(missing_for "$a")
  if [ -n "$why" ]; then
    echo "SKIP: $a: $why (scripts/deps.sh cross installs it)"
    continue
  fi
  dir=$prefix$a
  echo "== $a: $(triplet_of "$a")-gcc, run under $(qemu_of "$a") =="
  start=$SECONDS
  # The portable core (what runs on a microcontroller) must also be clean
  # under -Wcast-align=strict -Wconversion for this target's sizes.
  t=$(triplet_of "$a")
  warned=0
  for f in src/*.c src/crypto/common.c src/crypto/mbedtls.c; do
    "$t-gcc" -std=c11 -fsyntax-only -Iinclude -Wall -Wextra -Werror -Wcast-align=strict \
      -Wconversion "$f" || warned=1
  done
  if [ "$warned" -ne 0 ]; then
    echo "$a: the core is not clean under -Wcast-align=strict -Wconversion"
    total_fail=$((total_fail + 1))
  fi
  arch_args "$a"
  mkdir -p "$dir"
  if ! cmake -S . -B "$dir" "${args[@]}" >"$dir/build.log" 2>&1 ||
    ! cmake --build "$dir" -j "$jobs" >>"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/build.log"
    echo "$a: build failed (log: $dir/build.log)"
    echo "$a: 0 passed, 1 failed"
    total_fail=$((total_fail + 1))
    continue
  fi
  # Under emulation: the unit tests, the fuzz corpora, the decode CLI test,
  # and (s390x, or with LTUYA_CROSS_FULL=1) the CLI against the simulator.
  # The sanitizer-, valgrind-, libFuzzer- and node-based tests and the long
  # soak/deadline runs stay native. Arches run one after the other:
  # cli/device.sh derives its ports from its pid.
  tests='test_.*|fuzz_replay_.*|cli_decode|exported_prefix'
  if [ "$a" = s390x ] || [ "${LTUYA_CROSS_FULL:-0}" = 1 ]; then
    tests="$tests|cli_device_vs_sim"
  else
    echo "(cli_device_vs_sim runs on s390x only; LTUYA_CROSS_FULL=1 runs it here too)"
  fi
  exclude=(-R "^($tests)\$")
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600 "${exclude[@]}") >"$dir/ctest.out" 2>&1
  grep -vE '^\s+Start |^ *[0-9]+/[0-9]+ Test ' "$dir/ctest.out" | sed '/^$/d' | grep -v 'tests passed' |
    grep -vE '^Test project|^Total Test time' || true
  pass=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$dir/ctest.out")
  all=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: ' "$dir/ctest.out")
  fail=$((all - pass))
  [ "$all" -gt 0 ] || fail=1 # ctest itself failed to run anything
  cases=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$dir/Testing/Temporary/LastTest.log" 2>/dev/null |
    awk '{s += $1} END {print s + 0}')
  checks=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$dir/Testing/Temporary/LastTest.log" 2>/dev/null |
    awk '{s += $1} END {print s + 0}')
  echo "$a: $pass passed, $fail failed (inside them: $cases cmocka cases and $checks script checks passed; $((SECONDS - start)) s)"
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
