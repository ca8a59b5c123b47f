#!/usr/bin/env bash
# Instructions per decoded status frame (callgrind), framing + JSON vs bare crypto.
# Usage: bench/codec.sh [path/to/codec]   (make bench builds it)
set -euo pipefail
bin=${1:-build-bench/bench/codec}
n=2000
command -v valgrind >/dev/null || { echo "codec.sh: valgrind is needed (apt-get install valgrind)"; exit 1; }

count() { # mode version -> instructions inside bench_loop, per frame
  local out; out=$(mktemp)
  valgrind --tool=callgrind --toggle-collect=bench_loop --callgrind-out-file="$out" \
    "$bin" "$1" "$2" "$n" >/dev/null 2>&1
  local ir; ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
  rm -f "$out"
  echo $(( ir / n ))
}

printf '%-8s %14s %14s %10s\n' version "full (instr)" "crypto (instr)" overhead
for v in 33 35; do
  full=$(count full $v); cr=$(count crypto $v)
  awk -v v="3.${v#3}" -v f="$full" -v c="$cr" \
    'BEGIN { printf "%-8s %14d %14d %9.1f%%\n", v, f, c, (f - c) * 100.0 / c }'
done
