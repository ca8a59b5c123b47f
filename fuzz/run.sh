#!/usr/bin/env bash
# Build the fuzz targets with clang + libFuzzer (+ ASan/UBSan) and run each
# for FUZZ_SECONDS. Prints per-target executions and crashes and a total
# line; exits 1 if any target crashed, 77 if clang's fuzzer runtime is
# missing (ctest counts that as skipped).
#
# Usage: fuzz/run.sh BUILD_DIR [TARGET ...]     (default: every target)
# Environment: FUZZ_SECONDS (60 per target), FUZZ_JOBS (targets run at once,
# 1), FUZZ_CRYPTO (mbedtls), CC (clang), FUZZ_ARGS (extra libFuzzer flags),
# FUZZ_BUILD_ONLY=1 (configure and build, run nothing).
#
# Seeds are fuzz/corpus/<t> and fuzz/regressions/<t> (read only); what the
# fuzzer adds goes to BUILD_DIR/work/<t>/corpus and crashes to
# BUILD_DIR/work/<t>/crashes. See docs/fuzzing.md.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz/run.sh BUILD_DIR [TARGET ...]}
shift
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
cc=${CC:-clang}
case "$cc" in *clang*) ;; *) cc=clang ;; esac
all_targets=(frame reasm json session discovery cli mapping yaml bridge)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# Is libFuzzer there at all? (Debian: clang ships libclang_rt.fuzzer*.a)
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! command -v "$cc" >/dev/null 2>&1 ||
    ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
    echo "fuzz: skipped: $cc with the libFuzzer runtime (-fsanitize=fuzzer) is not available"
    exit 77
fi

mkdir -p "$build"
build=$(cd "$build" && pwd)
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLTUYA_SANITIZE=ON -DLTUYA_WERROR=ON -DLTUYA_CRYPTO="${FUZZ_CRYPTO:-mbedtls}" -DLTUYA_BUILD_TESTS=OFF \
    -DLTUYA_BUILD_TOOLS=OFF -DLTUYA_BUILD_FUZZ=ON -DLTUYA_FUZZ_ENGINE=libfuzzer >/dev/null
cmake --build "$build" --target fuzz_all -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

run_one() {
    local t=$1 work=$build/work/$1
    mkdir -p "$work/corpus" "$work/crashes"
    local dirs=("$work/corpus")
    for d in "$src/fuzz/corpus/$t" "$src/fuzz/regressions/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    # shellcheck disable=SC2086
    "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -max_len=8192 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/crashes/" ${FUZZ_ARGS:-} \
        "${dirs[@]}" >"$work/log" 2>&1 || echo $? >"$work/rc"
}

rm -f "$build"/work/*/rc "$build"/work/*/log
running=0
for t in "${targets[@]}"; do
    rm -rf "$build/work/$t/crashes"
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait

total=0
crashes=0
for t in "${targets[@]}"; do
    work=$build/work/$t
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    if [ -z "$execs" ]; then
        # no final stats after a crash: take the last status line (#N)
        execs=$(grep -o '^#[0-9]*' "$work/log" | tail -n 1 | tr -d '#')
    fi
    execs=${execs:-0}
    found=$(find "$work/crashes" -type f | wc -l)
    if [ -f "$work/rc" ] && [ "$found" -eq 0 ]; then
        found=1 # the fuzzer failed without leaving an input behind
    fi
    printf 'fuzz_%-10s %12s executions  %d crashes  (%s s)\n' "$t" "$execs" "$found" "$seconds"
    if [ "$found" -gt 0 ]; then
        grep -m 5 -E 'ERROR|invariant|runtime error|SUMMARY' "$work/log" | sed 's/^/    /' || true
        for f in "$work"/crashes/*; do
            [ -f "$f" ] && echo "    reproduce: $build/fuzz/fuzz_$t $f"
        done
        echo "    log: $work/log"
    fi
    total=$((total + execs))
    crashes=$((crashes + found))
done
echo "fuzz total: $total executions in ${#targets[@]} targets, $crashes crashes"
[ "$crashes" -eq 0 ]
