#!/usr/bin/env bash
# tests/soak/disk_full.sh -- a real full disk under a running server.
#
# Needs root: it mounts a small tmpfs (TMPFS_SIZE, default 24m) and serves a
# data dir on it with `fraudgate serve --insecure` on loopback ports the
# server picks. Not part of ctest, whose environment may not allow mounts;
# the unit-level test of the same behaviour, through a fault-injecting Env,
# is OperationsFaultTest.FullDiskStopsWritesUntilSpaceReturns.
#   1. Uploads a report and screens transfers (acknowledged before).
#   2. Fills the disk with a filler file and keeps screening until one is
#      refused: each answer is a decision (acknowledged) or UNAVAILABLE,
#      never anything else. Then /readyz must answer 503, an upload must be
#      refused, and for FULL_SECONDS (default 5) the server must stay up,
#      refusing screenings and staying not ready.
#   3. Removes the filler and measures the time until /readyz answers 200
#      again, without a restart; screens and uploads again.
#   4. Stops the server (SIGTERM: it must stop cleanly), runs
#      `fraudgate audit verify` on the data dir, serves it again and checks
#      that every acknowledged screening is in the history exactly once and
#      every uploaded account is listed.
#
# Build first: ninja -C build fraudgate. The run uses a copy of the binary.
# Environment: BUILD_DIR (default: <repo>/build), TMPFS_SIZE, FULL_SECONDS.
#
# Prints what it does, then one summary line:
#   disk_full summary: acknowledged_screenings=N refused_screenings=N
#   resume_seconds=S lost=0 audit_verify=ok result=PASS
# Exit status: 0 when every check passed, 1 when one failed, 2 when it could
# not run (not root, binary not built, no tmpfs).
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$repo/build}"
tmpfs_size="${TMPFS_SIZE:-24m}"
full_seconds="${FULL_SECONDS:-5}"
if [[ $(id -u) -ne 0 ]]; then
  echo "$0: needs root (it mounts a tmpfs)" >&2
  exit 2
fi
if [[ ! -x "$build/cli/fraudgate" ]]; then
  echo "$0: $build/cli/fraudgate is not built (ninja -C $build fraudgate)" >&2
  exit 2
fi

work="$(mktemp -d)"
disk="$work/disk"
mkdir "$disk"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  mountpoint -q "$disk" && umount "$disk"
  rm -rf "$work"
}
trap cleanup EXIT
if ! mount -t tmpfs -o "size=$tmpfs_size" tmpfs "$disk"; then
  echo "$0: cannot mount a tmpfs on $disk" >&2
  exit 2
fi
cp "$build/cli/fraudgate" "$work/fraudgate"
bin="$work/fraudgate"
data="$disk/data"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

port="" http=""
start_server() {
  "$bin" serve --data="$data" --insecure --listen=127.0.0.1:0 \
    --http=127.0.0.1:0 >"$work/server.out" 2>>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    port="$(sed -n 's/^fraudgate: serving on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' \
      "$work/server.out")"
    http="$(sed -n 's|^fraudgate: analyst console on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' \
      "$work/server.out")"
    [[ -n "$port" && -n "$http" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$0: the server did not start:" >&2
  cat "$work/server.err" >&2
  exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid"
  local status=$?
  server_pid=""
  [[ $status -eq 0 ]] || fail "the server exited with status $status"
}
alive() { kill -0 "$server_pid" 2>/dev/null; }
readyz() {
  curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/readyz"
}
client() { "$bin" "$@" --insecure --server="127.0.0.1:$port"; }

acknowledged=()  # transfer ids whose screening was answered
refused=0
# Screens transfer $1 to VCB account $2: 0 when answered (and recorded as
# acknowledged), 1 when refused UNAVAILABLE; anything else is a failure.
screen() {
  local out
  if out="$(client screen --bank=VCB --account="$2" --amount=1000000 \
    --transfer-id="$1" --format=csv 2>"$work/screen.err")"; then
    acknowledged+=("$1")
    return 0
  fi
  if grep -q 'UNAVAILABLE' "$work/screen.err"; then
    refused=$((refused + 1))
    return 1
  fi
  fail "screening $1: $(cat "$work/screen.err") $out"
  return 1
}
uploads=()  # accounts whose report upload was acknowledged
# Uploads report $1 naming VCB account $2: 0 when acknowledged.
upload() {
  printf '%s\n%s\n' \
    'report_id,agency,reported_at,category,confidence,kind,issuer,value,victim_count,amount_lost,note' \
    "$1,PA05,2026-10-01,EXTORTION_DEEPFAKE,CONFIRMED,BANK_ACCOUNT,970436,$2,1,1000000,disk full soak" \
    >"$work/report.csv"
  if client import "$work/report.csv" >"$work/import.out" 2>&1; then
    uploads+=("$2")
    return 0
  fi
  return 1
}

start_server
echo "serving $data (tmpfs $tmpfs_size) on 127.0.0.1:$port, http $http"
upload BEFORE 0071001234567 || fail "upload before: $(cat "$work/import.out")"
for i in 1 2 3; do screen "before-$i" "55500000$i" || fail "screening before-$i"; done

filler_bytes=0
dd if=/dev/zero of="$disk/filler" bs=64k 2>/dev/null
filler_bytes=$(stat -c %s "$disk/filler")
echo "filled the disk: $((filler_bytes / 1024)) KiB of filler, $(df --output=avail -k "$disk" | tail -n 1 | tr -d ' ') KiB free"
n=0
while screen "full-$n" "66600$n"; do
  n=$((n + 1))
  if [[ $n -ge 1000 ]]; then
    fail "1000 screenings acknowledged on a full disk"
    break
  fi
done
echo "screenings acknowledged after the disk filled: $n; then refused: $(tail -n 1 "$work/screen.err")"
alive || fail "the server died when the disk filled: $(tail -n 3 "$work/server.err")"
code=""
for _ in $(seq 50); do
  code="$(readyz)"
  [[ "$code" == 503 ]] && break
  sleep 0.1
done
[[ "$code" == 503 ]] || fail "/readyz answered '$code' on a full disk, not 503"
if upload DURING 0071009999999; then
  fail "an upload was acknowledged on a full disk"
fi
deadline=$((SECONDS + full_seconds))
while ((SECONDS < deadline)); do
  screen "still-full-$SECONDS" 777000001 && fail "a screening was acknowledged while the disk stayed full"
  code="$(readyz)"
  [[ "$code" == 503 ]] || fail "/readyz answered '$code' while the disk stayed full"
  sleep 0.5
done
alive || fail "the server died while the disk stayed full: $(tail -n 3 "$work/server.err")"

rm "$disk/filler"
freed=$(date +%s%N)
for _ in $(seq 300); do
  code="$(readyz)"
  [[ "$code" == 200 ]] && break
  sleep 0.05
done
resumed=$(date +%s%N)
resume_seconds="$(awk -v ns=$((resumed - freed)) 'BEGIN { printf "%.2f", ns / 1e9 }')"
if [[ "$code" == 200 ]]; then
  echo "ready again ${resume_seconds}s after space returned"
else
  fail "/readyz answered '$code' 15 s after space returned"
  resume_seconds="never"
fi
screen after-1 888000001 || fail "screening after space returned"
upload DURING 0071009999999 || fail "upload after space returned: $(cat "$work/import.out")"
grep -q 'reports accepted 1' "$work/import.out" ||
  fail "the upload refused on the full disk was stored: $(cat "$work/import.out")"
screen after-2 0071009999999 || fail "screening after-2"
echo "data dir: $(find "$data" -maxdepth 1 -type f | wc -l) files, $(du -sk "$data" | cut -f1) KiB"

stop_server
audit="$("$bin" audit verify --data="$data" 2>&1)"
audit_verify=ok
if [[ "$audit" != "audit chain OK: ${#uploads[@]} records, list_version ${#uploads[@]}" ]]; then
  fail "audit verify: $audit"
  audit_verify=failed
fi
echo "$audit"
start_server
client hits --format=csv --page-size=1000 >"$work/hits.csv" ||
  fail "hits: $(cat "$work/hits.csv")"
lost=0
for id in "${acknowledged[@]}"; do
  count=$(awk -F, -v id="$id" 'NR > 1 && $5 == id' "$work/hits.csv" | wc -l)
  if [[ $count -ne 1 ]]; then
    fail "acknowledged screening $id is in the history $count times"
    lost=$((lost + 1))
  fi
done
stored=$(($(wc -l <"$work/hits.csv") - 1))
[[ $stored -eq ${#acknowledged[@]} ]] ||
  fail "the history holds $stored screenings, ${#acknowledged[@]} were acknowledged"
for account in "${uploads[@]}"; do
  client entity --kind=BANK_ACCOUNT --issuer=970436 --value="$account" \
    --format=csv 2>&1 | grep -q ',ACTIVE,' ||
    fail "uploaded account $account is not listed"
done
stop_server

result=PASS
[[ $failures -eq 0 ]] || result=FAIL
echo "disk_full summary: acknowledged_screenings=${#acknowledged[@]}" \
  "refused_screenings=$refused resume_seconds=$resume_seconds lost=$lost" \
  "audit_verify=$audit_verify result=$result"
[[ $failures -eq 0 ]]
