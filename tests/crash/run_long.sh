#!/usr/bin/env bash
# tests/crash/run_long.sh [CYCLES] -- the kill -9 crash-safety harness, long.
#
# Runs the crash test (tests/cli/crash_test.cc, built as
# build/tests/cli/crash_test) with FRAUDGATE_CRASH_CYCLES=CYCLES (default 300)
# instead of the 30 cycles ctest runs. On one data dir, every cycle starts
# `fraudgate serve`, streams UploadReports calls at it from a client thread,
# SIGKILLs it after a random 5-150 ms and restarts it, then checks that no
# acknowledged report was lost, that no report is half-stored, that the list
# version never went back, and that the stored state is the state after a
# prefix of the writes sent (DESIGN §8). Every CYCLES/10 cycles the server is
# stopped with SIGTERM, `fraudgate audit verify` must pass, and every
# identifier ever sent is read back.
#
# Build first (only these targets): ninja -C build crash_test fraudgate
# The run uses copies of both binaries, so a rebuild meanwhile cannot swap them.
# Environment: FRAUDGATE_CRASH_SEED=N repeats a run's workload and kill delays
# (each run prints its seed); FRAUDGATE_CRASH_VERBOSE=1 prints a line per
# cycle; BUILD_DIR (default: <repo>/build).
#
# Prints the test's output, then one summary line:
#   crash summary: cycles=300 kills=300 acknowledged_uploads=N ...
#   lost=0 half_stored=0 ... elapsed=Ns seed=S result=PASS
# Exit status: the test's (0 when every check passed).
set -uo pipefail

cycles="${1:-300}"
if [[ ! "$cycles" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [CYCLES]  (a positive number, default 300)" >&2
  exit 2
fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$repo/build}"
for f in "$build/tests/cli/crash_test" "$build/cli/fraudgate"; do
  if [[ ! -x "$f" ]]; then
    echo "$0: $f is not built (ninja -C $build crash_test fraudgate)" >&2
    exit 2
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$build/tests/cli/crash_test" "$build/cli/fraudgate" "$work/"
log="$work/crash_test.log"
start=$(date +%s)
FRAUDGATE_CRASH_CYCLES="$cycles" FRAUDGATE_CRASH_BIN="$work/fraudgate" \
  "$work/crash_test" \
  --gtest_filter='CrashTest.AcknowledgedReportsSurviveKill9' 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
elapsed=$(($(date +%s) - start))

# The test's last line: "crash_test: cycles=... kills=... lost=... seed=..."
line="$(grep '^crash_test: cycles=' "$log" | tail -n 1)"
field() {
  local value
  value="$(sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $line")"
  echo "${value:-?}"
}
result=PASS
[[ $status -eq 0 ]] || result=FAIL
echo "crash summary: cycles=$(field cycles) kills=$(field kills)" \
  "acknowledged_uploads=$(field acknowledged_uploads)" \
  "acknowledged_reports=$(field acknowledged_reports)" \
  "unacknowledged_stored=$(field unacknowledged_stored)" \
  "lost=$(field lost) half_stored=$(field half_stored)" \
  "split_calls=$(field split_calls) clean_stops=$(field clean_stops)" \
  "audit_verify=$(field audit_verify) list_version=$(field list_version)" \
  "elapsed=${elapsed}s seed=$(field seed) result=$result"
exit "$status"
