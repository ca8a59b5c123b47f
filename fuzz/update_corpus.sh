#!/usr/bin/env bash
# Regenerate the committed corpora: seeds made from tests/vectors by
# fuzz_seeds, plus the current fuzz/corpus/<t> and whatever `make fuzz` found
# (BUILD_DIR/work/<t>/corpus), minimised with libFuzzer's -set_cover_merge=1 into a
# fresh fuzz/corpus/<t>. Review the diff and commit it.
#
# Usage: fuzz/update_corpus.sh [BUILD_DIR]   (default build-fuzz, as make fuzz)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-fuzz}
FUZZ_BUILD_ONLY=1 "$src/fuzz/run.sh" "$build"
build=$(cd "$build" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/fuzz/fuzz_seeds" "$src/tests/vectors/vectors.data" "$tmp/seeds" >/dev/null
for t in frame reasm json session discovery cli mapping yaml bridge; do
    dirs=()
    for d in "$tmp/seeds/$t" "$src/fuzz/corpus/$t" "$build/work/$t/corpus"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    mkdir -p "$tmp/new/$t"
    "$build/fuzz/fuzz_$t" -set_cover_merge=1 -use_counters=0 -max_len=8192 "$tmp/new/$t" "${dirs[@]}" >"$tmp/$t.log" 2>&1 || {
        tail -n 20 "$tmp/$t.log"
        exit 1
    }
    rm -rf "$src/fuzz/corpus/$t"
    mkdir -p "$src/fuzz/corpus/$t"
    cp "$tmp/new/$t"/* "$src/fuzz/corpus/$t/"
    printf 'fuzz/corpus/%-10s %4d files %7s bytes\n' "$t" "$(ls "$src/fuzz/corpus/$t" | wc -l)" \
        "$(cat "$src/fuzz/corpus/$t"/* | wc -c)"
done
