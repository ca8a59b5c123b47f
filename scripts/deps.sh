#!/usr/bin/env bash
# Install what building and testing ltuya needs on Debian, only when missing.
# Usage: scripts/deps.sh [build|test|demo|coverage|size]   (default: test)
set -euo pipefail
want=${1:-test}

pkgs=(cmake make gcc pkg-config libmbedtls-dev libssl-dev)
case "$want" in
  # libclang-rt: libFuzzer's runtime, only a Recommends of clang on Debian 12
  test) pkgs+=(libcmocka-dev clang libclang-rt-14-dev valgrind nodejs npm libnewlib-dev liblwip-dev) ;;
  coverage) pkgs+=(libcmocka-dev gcovr) ;;
  demo|build) ;;
  # cross compilers for `make size` (newlib/picolibc give the C headers)
  size) pkgs+=(python3 gcc-arm-none-eabi libnewlib-arm-none-eabi libnewlib-dev gcc-xtensa-lx106
               binutils-xtensa-lx106 gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf) ;;
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
