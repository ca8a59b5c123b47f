#!/usr/bin/env bash
# Line and branch coverage of the core (src/*.c, src/crypto/common.c) from the
# test suite, measured with gcc --coverage and summarised by gcovr.
# Usage: scripts/coverage.sh [build-dir]      (default build-cov)
#   LTUYA_COV_ALL=1  also run the slow simulator tests (cli_device_vs_sim,
#                    interop_tuyapi, cli_no_secrets, cli_deadlines, soak_short:
#                    about two minutes more; interop needs node_modules, see
#                    `make test`).
# Prints a per-file table and writes <build-dir>/coverage/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-cov}
jobs=$(nproc 2>/dev/null || echo 2)

# -O0 keeps one branch per source condition; no sanitizers (their checks
# would add branches of their own). Debug already means -O0 -g.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=OFF -DLTUYA_WERROR=ON \
  -DCMAKE_C_FLAGS="-O0 --coverage" -DCMAKE_EXE_LINKER_FLAGS="--coverage" >/dev/null
cmake --build "$dir" -j "$jobs"

# Counters add up across runs: start from zero every time.
find "$dir" -name '*.gcda' -delete

# test_nomalloc aborts on any malloc, and the gcov runtime allocates when it
# writes its counters at exit; the same code paths run in the other tests.
# cli_memcheck re-runs the CLI under valgrind: nothing new to count.
skip='test_nomalloc|cli_memcheck'
if [ "${LTUYA_COV_ALL:-0}" != 1 ]; then
  skip="$skip|cli_device_vs_sim|interop_tuyapi|cli_no_secrets|cli_deadlines|soak_short"
fi
(cd "$dir" && ctest --output-on-failure -j "$jobs" -E "^($skip)\$")

# Only the core: not the tests, the POSIX port, the CLI or the simulator, nor
# the crypto backends (thin wrappers, each tested by its own suite).
# --exclude-unreachable-branches drops branches gcc attributes to lines that
# hold no code (closing braces and the like).
mkdir -p "$dir/coverage"
# Search only this build directory: gcovr would also pick up the counters of
# any other build directory under the root.
gcovr -r . --object-directory "$dir" "$dir" \
  --exclude-directories "$dir/CMakeFiles/[0-9]" \
  --filter 'src/[^/]*\.c$' --filter 'src/crypto/common\.c$' \
  --exclude-unreachable-branches --exclude-throw-branches \
  --json-summary "$dir/coverage/summary.json" \
  --html-details "$dir/coverage/index.html" --html-title "ltuya core coverage"

python3 - "$dir/coverage/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def pct(c, t):
    return f"{100.0 * c / t:5.1f}%" if t else "    -"
row = "{:<22} {:>6} {:>6} {:>7} {:>6} {:>6} {:>7}"
print(row.format("file", "lines", "hit", "line%", "branch", "taken", "branch%"))
for f in sorted(s["files"], key=lambda f: f["filename"]):
    print(row.format(f["filename"], f["line_total"], f["line_covered"],
                     pct(f["line_covered"], f["line_total"]), f["branch_total"],
                     f["branch_covered"], pct(f["branch_covered"], f["branch_total"])))
print(row.format("TOTAL", s["line_total"], s["line_covered"],
                 pct(s["line_covered"], s["line_total"]), s["branch_total"],
                 s["branch_covered"], pct(s["branch_covered"], s["branch_total"])))
PY
echo "HTML report: $dir/coverage/index.html"
