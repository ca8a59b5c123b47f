# Helpers shared by the shell test scripts in tests/cli; sourced, not run:
#   . "$(dirname "$0")/lib.sh"
# The sourcing script sets bin (the ltuya binary) and work (its scratch
# directory); the functions read them when called.

pass=0
fail=0

# A check that held.
ok() { pass=$((pass + 1)); }
# A check that failed: counted, and named on stdout.
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# label actual expected: an exit code.
expect_rc() { [ "$2" -eq "$3" ] && ok || bad "$1: exit $2, expected $3"; }
# label text needle: the needle is in the text.
contains() { case "$2" in *"$3"*) ok ;; *) bad "$1: expected '$3' in: $2" ;; esac; }
# label text needle: the needle is not in the text.
lacks() { case "$2" in *"$3"*) bad "$1: did not expect '$3' in: $2" ;; *) ok ;; esac; }

# run args...: ltuya with exit code in $rc, stdout in $out, stderr in $err
# (also left in $work/o and $work/e).
run() { "$bin" "$@" >"$work/o" 2>"$work/e"; rc=$?; out=$(cat "$work/o"); err=$(cat "$work/e"); }

# sim_spawn what sim-options...: starts `ltuya sim` in the background reading
# its control commands from the fifo $work/ctl, held open on fd 9 so the
# simulator does not see end of input; output in $work/sim.out and sim.err.
# Waits up to 5 s for READY; if it does not come, a failed check "WHAT did not
# start" with the simulator's stderr.
sim_spawn() {
  local what=$1
  shift
  rm -f "$work/ctl"
  mkfifo "$work/ctl"
  "$bin" sim "$@" <"$work/ctl" >"$work/sim.out" 2>"$work/sim.err" &
  sim_pid=$!
  exec 9>"$work/ctl"
  for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && return 0; sleep 0.05; done
  bad "$what did not start: $(cat "$work/sim.err")"
}
# Asks the simulator started last to quit and waits for it (safe to call twice,
# and from the EXIT trap).
stop_sim() {
  if [ -n "${sim_pid:-}" ]; then
    echo '{"cmd":"quit"}' >&9 2>/dev/null
    exec 9>&-
    wait "$sim_pid" 2>/dev/null
    sim_pid=
  fi
}
# sim_cmd json: one control command; prints the simulator's last output line.
sim_cmd() { echo "$1" >&9; sleep 0.2; tail -n 1 "$work/sim.out"; }

# The summary line; the status is the script's exit code (0 only if nothing failed).
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
