#!/usr/bin/env bash
# Install what building and testing ltuya needs on Debian, only when missing.
# Usage: scripts/deps.sh [build|test|demo|coverage|size|cross|package|micropython]   (default: test; test includes cross)
set -euo pipefail
want=${1:-test}

# libyaml-dev: the CLI reads tuya-local-format profiles (--profiles DIR)
# libuv1-dev: the tools' event loop (tools/common/ltuya_uv.c, ltuya bridge); the core does not use it
# libmosquitto-dev: `ltuya bridge` (the CLI builds without it when it is missing)
pkgs=(cmake make gcc pkg-config libmbedtls-dev libssl-dev libyaml-dev libuv1-dev libmosquitto-dev)
case "$want" in
  # libclang-rt: libFuzzer's runtime, only a Recommends of clang on Debian 12
  # strace: tests/cli/deadlines.sh counts the calls a waiting command makes (no timing assertion);
  # python3: tests/cli/decode_capture.sh catches a simulator beacon on a loopback UDP socket;
  # gcc-arm-none-eabi: the size budgets of scripts/size.sh --check are Cortex-M4 gcc figures;
  # g++: the C++ header and consumer tests; mandoc: man page lint; zsh, fish: completion checks;
  # dpkg-dev: dpkg-buildflags for the Debian-flags build;
  # mosquitto + mosquitto-clients: the bridge's tests and demo run against Debian's broker
  test) pkgs+=(libcmocka-dev clang libclang-rt-14-dev valgrind nodejs npm libnewlib-dev liblwip-dev strace
               python3 gcc-arm-none-eabi libnewlib-arm-none-eabi g++ mandoc man-db zsh fish dpkg-dev
               mosquitto mosquitto-clients iproute2) ;;
  # make package: the Debian build (debian/) and its checks
  package) pkgs+=(g++ dpkg-dev debhelper fakeroot lintian man-db libmosquitto-dev libyaml-dev) ;;
  coverage) pkgs+=(libcmocka-dev gcovr) ;;
  demo) pkgs+=(mosquitto mosquitto-clients) ;;
  build|cross) ;;
  # cross compilers for `make size` (newlib/picolibc give the C headers)
  size) pkgs+=(python3 gcc-arm-none-eabi libnewlib-arm-none-eabi libnewlib-dev gcc-xtensa-lx106
               binutils-xtensa-lx106 gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf) ;;
  # bindings/micropython: the natmod .mpy (MicroPython's mpy_ld.py needs pyelftools), the
  # 32-bit unix build run under qemu-arm, the rp2 firmware (pico-sdk has C++ files) -- not part
  # of make test: they need a MicroPython tree
  micropython) pkgs+=(python3 python3-pyelftools gcc-arm-none-eabi libnewlib-arm-none-eabi
                      libstdc++-arm-none-eabi-newlib
                      gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf gcc-arm-linux-gnueabihf
                      qemu-user) ;;
  *) echo "deps.sh: unknown target $want" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  # nodejs may come from another repository with npm bundled: accept any node+npm.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Cross builds for scripts/cross-test.sh (part of make test): Debian's cross
# compilers, qemu-user, and cmocka + mbedTLS for the targets through multiarch.
# Best effort: if they cannot be installed, cross-test.sh prints SKIP.
if [ "$want" = test ] || [ "$want" = cross ]; then
  cross=(gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user
    libcmocka-dev:armhf libmbedtls-dev:armhf libcmocka-dev:s390x libmbedtls-dev:s390x
    libuv1-dev:armhf libuv1-dev:s390x)
  missing=()
  for p in "${cross[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    for arch in armhf s390x; do
      dpkg --print-foreign-architectures | grep -qx "$arch" || $sudo dpkg --add-architecture "$arch"
    done
    # a foreign index caught mid-sync fails the update but the rest still works
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq || true
    $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      echo "deps: cross packages could not be installed; scripts/cross-test.sh will skip" >&2
  fi
fi
