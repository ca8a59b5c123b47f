#!/usr/bin/env bash
# Code size, context sizes and stack of the portable core on three MCU
# targets, from Debian's cross compilers (nothing runs on a target):
#   cm4      arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb       (newlib headers)
#   esp8266  xtensa-lx106-elf-gcc -mlongcalls                (newlib headers)
#   rv32imc  riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32 (picolibc), like the ESP32-C3
# all with -Os -ffunction-sections -fdata-sections and the project's warnings.
#
# The crypto library is not compiled (the backend, src/crypto/mbedtls.c, is
# mbedTLS glue); src/crypto/common.c (CRC-32, base64, PKCS#7) is counted on
# its own line. Usage: scripts/size.sh [--check] [OUTDIR]
#   --check: only compile the core for cortex-m4 warning-free (make test's guard).
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
out=${1:-build-size}
mkdir -p "$out"

modules=(frame json session client device engine handshake status discovery)
warn=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes)
base=(-Os -ffunction-sections -fdata-sections -Iinclude "${warn[@]}")

declare -A cc flags
cc[cm4]=arm-none-eabi-gcc
flags[cm4]="-mcpu=cortex-m4 -mthumb"
cc[esp8266]=xtensa-lx106-elf-gcc
# Debian's lx106 compiler ships no C library; newlib's headers serve.
flags[esp8266]="-mlongcalls -isystem /usr/include/newlib"
cc[rv32imc]=riscv64-unknown-elf-gcc
flags[rv32imc]="-march=rv32imc -mabi=ilp32 --specs=picolibc.specs"

# Link flags for the size program: the ESP8266's integer division helpers
# (__udivsi3, __divdi3, ...) are in its ROM, not in Debian's libgcc.
declare -A ldextra
ldextra[cm4]=""
ldextra[esp8266]="-Wl,--unresolved-symbols=ignore-all"
ldextra[rv32imc]=""

declare -A cfg
cfg[full]=""
cfg[no31]="-DLTUYA_WITH_V31=0"
cfg[no35]="-DLTUYA_WITH_V35=0"
cfg[v33only]="-DLTUYA_WITH_V31=0 -DLTUYA_WITH_V34=0 -DLTUYA_WITH_V35=0"
cfg[v33min]="${cfg[v33only]} -DLTUYA_WITH_STATUS_TEXT=0"
configs=(full no31 no35 v33only v33min)

# compile TARGET CONFIG [extra flags...]: every core module into OUT/TARGET/CONFIG/
compile() {
  local t=$1 c=$2 d="$out/$1/$2"
  shift 2
  mkdir -p "$d"
  # shellcheck disable=SC2086
  for m in "${modules[@]}"; do
    ${cc[$t]} ${flags[$t]} "${base[@]}" ${cfg[$c]} "$@" -c "src/$m.c" -o "$d/$m.o" &
  done
  # shellcheck disable=SC2086
  ${cc[$t]} ${flags[$t]} "${base[@]}" ${cfg[$c]} "$@" -c src/crypto/common.c -o "$d/crypto_common.o" &
  wait_all
}

# wait for every background job and fail if one failed
wait_all() {
  local rc=0
  for j in $(jobs -p); do wait "$j" || rc=1; done
  [ $rc -eq 0 ] || { echo "size.sh: compile failed" >&2; exit 1; }
}

if [ $check -eq 1 ]; then
  # make test's guard against rot. Without the ARM gcc (make test does not
  # install it: 400 MB), clang, which targets ARM out of the box, does the
  # same check against newlib's headers (libnewlib-dev, under 1 MB).
  if ! command -v arm-none-eabi-gcc >/dev/null; then
    cc[cm4]=clang
    flags[cm4]="--target=arm-none-eabi -mcpu=cortex-m4 -mthumb -isystem /usr/include/newlib"
  fi
  for c in "${configs[@]}"; do compile cm4 "$c"; done
  echo "core compiles warning-free for cortex-m4 with ${cc[cm4]} (${configs[*]})"
  exit 0
fi

for t in cm4 esp8266 rv32imc; do
  command -v "${cc[$t]}" >/dev/null || { echo "size.sh: ${cc[$t]} missing (scripts/deps.sh size)" >&2; exit 1; }
  for c in "${configs[@]}"; do
    if [ "$c" = full ]; then
      compile "$t" "$c" -fstack-usage -fcallgraph-info=su
    else
      compile "$t" "$c"
    fi
  done
  d="$out/$t/full"
  # shellcheck disable=SC2086
  ${cc[$t]} ${flags[$t]} "${base[@]}" -fno-common -c scripts/size/sizes.c -o "$d/sizes.o"
  # The linked view: a program using the whole device API, --gc-sections.
  # shellcheck disable=SC2086
  for c in "${configs[@]}"; do
    ${cc[$t]} ${flags[$t]} "${base[@]}" ${cfg[$c]} -c scripts/size/app.c -o "$out/$t/$c/app.o"
    ${cc[$t]} ${flags[$t]} "${base[@]}" -fno-builtin -fno-tree-loop-distribute-patterns \
      -c scripts/size/stubs.c -o "$out/$t/$c/stubs.o"
    ${cc[$t]} ${flags[$t]} ${ldextra[$t]} -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,size_app \
      -Wl,-Map="$out/$t/$c/app.map" -o "$out/$t/$c/app.elf" "$out/$t/$c/app.o" \
      "$out/$t/$c/stubs.o" "$out/$t/$c"/{frame,json,session,client,device,engine,handshake,status,discovery,crypto_common}.o -lgcc
  done
done

python3 scripts/size/report.py "$out" cm4 esp8266 rv32imc
