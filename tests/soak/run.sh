#!/usr/bin/env bash
# tests/soak/run.sh -- the soak of issue 20: does `fraudgate serve` hold under
# hours of mixed load and faults? Not part of ctest.
#
#   tests/soak/run.sh [--minutes=60] [--out=DIR] [--rate=2000]
#                     [--kill-every=10] [--backup-every=5] [--no-build]
#
# One real server (mutual TLS with scripts/dev-certs.sh certificates, free
# loopback ports, a fresh data dir holding 1,000,000 screenings of the last
# 3 days from bench/seed_hits and the blocklist of fraudgate-bench's
# population, loaded by a setup server that then stops cleanly), and for
# --minutes:
#   - screening in open loop at --rate calls a second (fraudgate-bench run
#     --mode=open --report-every=10: latency from each call's intended send
#     time, one line of counts and percentiles every 10 s);
#   - police: `fraudgate import` of a chunk of a bench/gen_police_csv.py CSV
#     every 20 s, a `delist` every 5 chunks and a `withdraw` every 7;
#   - analysts: `fraudgate hits` (newest, by identifier, every BLOCK of the
#     last minute as CSV), `past` and `stats`, one every 15 s;
#   - a probe client screening transfers of its own, one a second, keeping
#     the acknowledged ones (transfer_id, hit_id);
#   - retention: history { unmatched_retention_days: 1 hit_retention_days: 2
#     retention_interval_minutes: 1 }, so every minute it removes the seeded
#     screenings that crossed the 1- and 2-day marks;
#   - `fraudgate backup create` through the server's admin socket every
#     --backup-every minutes, half a period away from the kills, each into a
#     new backup dir (the CLI cannot purge old backups from a backup dir, so
#     each is a full one); the newest 3 dirs are kept;
#   - kill -9 of the server every --kill-every minutes (0: never), then a
#     restart on the same data dir and ports; the load goes on. After each
#     restart, everything acknowledged before the kill is checked (below),
#     and `fraudgate audit verify` runs on the live data dir.
# Every 10 s the server's RSS (VmRSS), open fds and threads are sampled
# (/proc/PID), with a few /metrics gauges.
#
# "Nothing acknowledged lost": every identifier of every report a successful
# `fraudgate import` acknowledged is read back (GetEntity: it carries the
# report), acknowledged delists and withdrawals are in the entities' records,
# every acknowledged probe screening is a stored hit (GetHit) and, for the
# last few before a kill, screening the same transfer_id again answers the
# recorded hit_id. At the end: all of it again, the server stopped with
# SIGTERM (it must stop cleanly), `fraudgate audit verify` on a copy of the
# stopped data dir, `backup verify` of the newest backup, and the newest
# backup restored and its audit chain verified.
#
# Verdict (tests/soak/soak.py analyze): PASS when
#   - lost = 0, and every acknowledged item could be checked;
#   - screening answered only OK outside restart windows (from a kill until
#     15 s after the server is ready again) and only OK or UNAVAILABLE in
#     them; no client operation failed outside them;
#   - RSS, open fds and threads are flat: the run is cut in blocks of
#     --kill-every minutes (10 without kills), so a block is one life of the
#     server; samples of the first 2 minutes of a life (a third of a block
#     if that is shorter) are warm-up; in every
#     block at least half covered by samples, the maximum is within the first
#     such block's maximum +10% +64 MB (RSS), +25% +16 (fds), +4 (threads).
#     RSS is judged less the memtables (fraudgate_store_memtable_bytes): they
#     fill up to RocksDB's write buffers and a kill -9 hands them to the next
#     life through the log replay. The fds judged are those other than
#     RocksDB's table files (*.sst), which it holds open while they are live,
#     so that their number follows the data's size. Both are reported too,
#     with files deleted but still held open. Kills reset leaks: for a slow
#     leak, run with --kill-every=0 (one life, 10-minute blocks). The
#     tolerances are in DIR/soak.json; `tests/soak/soak.py analyze --out=DIR`
#     judges a run again;
#   - p99 does not trend up: the median of the last block's 10-second p99s
#     is at most twice the first block's + 1 ms;
#   - retention removed screenings during the load; the server logged no
#     error; the final stop, audit and backup checks passed.
# The summary (also DIR/summary.txt) gives the duration, calls, errors by
# code, per block the p99s, RSS, fds and threads, each kill's downtime, the
# checks and `lost = N`. Exit status 0 on PASS, 1 on FAIL, 2 on bad usage.
#
# DIR (default: a new /tmp/fraudgate-soak.XXXXXX) keeps everything: the
# binaries run (copied, so a rebuild cannot swap them), certificates,
# config, data, backups, logs, timeseries.tsv (one row per 10 s: RSS, fds,
# threads, calls, errors, p50/p99/max, decisions), samples.tsv, the load
# generator's lines (bench.jsonl), the ledgers of acknowledged writes,
# checks.jsonl, lost.txt and summary.txt. On PASS the data dir and backups
# are deleted (at 2000/s the data grows by about 1.3 GB an hour, and the 3
# backups kept are full copies).
#
# Builds (unless --no-build) the Release tree with the bench tools, as
# bench/compare.sh does: BUILD_DIR (default: build-bench in the repository),
# targets fraudgate, fraudgate-bench and seed_hits; scripts/deps.sh installs
# what is missing, and the bench tools need libbenchmark-dev too.
set -euo pipefail
umask 077  # the data dir, keys and backups are private, as serve expects

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
soak_py="$repo/tests/soak/soak.py"

minutes=60 rate=2000 kill_every=10 backup_every=5 build=1 out=
upload_every=20 probe_every=1 analyst_every=15 sample_every=10
rows_per_chunk=30 seed_screenings=1000000 population=1000000
restart_grace=15 ready_timeout=180

# usage [STATUS]: the comment above, as help.
usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e 's/^# \{0,1\}//' -e '/^set -euo/d' >&2
  exit "${1:-2}"
}
positive() { [[ $2 =~ ^[0-9]+$ ]] || { echo "run.sh: $1 must be a whole number (got '$2')" >&2; exit 2; }; }
for arg in "$@"; do
  case $arg in
    --minutes=*) minutes=${arg#*=} ;;
    --out=*) out=${arg#*=} ;;
    --rate=*) rate=${arg#*=} ;;
    --kill-every=*) kill_every=${arg#*=} ;;
    --backup-every=*) backup_every=${arg#*=} ;;
    --no-build) build=0 ;;
    -h | --help) usage 0 ;;
    *) usage ;;
  esac
done
positive --minutes "$minutes"
positive --rate "$rate"
positive --kill-every "$kill_every"
positive --backup-every "$backup_every"
((minutes >= 1 && rate >= 1 && backup_every >= 1)) || usage

log() { echo "soak $(date -u +%H:%M:%S) $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
now() { echo "$EPOCHREALTIME"; }

# --- build, and copies of the binaries ----------------------------------
build_dir=${BUILD_DIR:-$repo/build-bench}
if ((build)); then
  log "build $build_dir (Release, bench tools)"
  (cd "$repo" && ./scripts/deps.sh)
  # The bench tools' CMakeLists needs Google Benchmark (screening_bench);
  # the rest of `deps.sh --bench` (Redis, GNU time) is compare.sh's.
  dpkg-query -W -f='${Status}' libbenchmark-dev 2>/dev/null | grep -q 'ok installed' ||
    die "libbenchmark-dev is missing: apt-get install libbenchmark-dev (or scripts/deps.sh --bench)"
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DFRAUDGATE_BUILD_BENCH=ON -DFRAUDGATE_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build_dir" --target fraudgate fraudgate-bench seed_hits
fi
out=${out:-$(mktemp -d /tmp/fraudgate-soak.XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[[ -z $(ls -A "$out") ]] || die "--out=$out is not empty"
mkdir -p "$out/bin"
for f in cli/fraudgate bench/fraudgate-bench bench/seed_hits; do
  [[ -x $build_dir/$f ]] || die "$build_dir/$f is not built (drop --no-build)"
  cp "$build_dir/$f" "$out/bin/"
done
fg=$out/bin/fraudgate
log "out dir $out"

# --- everything this script starts, stopped on exit --------------------
server_pid='' bench_pid=''
helper_pids=()
# shellcheck disable=SC2317 # (run by the EXIT trap)
cleanup() {
  local pid
  for pid in "${helper_pids[@]}" $bench_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  if [[ -n $server_pid ]]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  for pid in "${helper_pids[@]}" $bench_pid $server_pid; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'log "interrupted"; exit 1' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
grpc_port=$(free_port)
http_port=$(free_port)
while [[ $http_port == "$grpc_port" ]]; do http_port=$(free_port); done
server=127.0.0.1:$grpc_port

# --- certificates, config, data -----------------------------------------
"$repo/scripts/dev-certs.sh" "$out/certs" >/dev/null
# The server's TLS dir holds what a server gets: no CA key beside it.
mkdir -p "$out/server-tls"
cp "$out/certs/ca.pem" "$out/certs/server.pem" "$out/certs/server-key.pem" "$out/server-tls/"
cat >"$out/soak.conf" <<CONF
# fraudgate serve --config for the soak (tests/soak/run.sh).
# Retention in days, the job every minute: the seeded screenings of the last
# 3 days cross the 1-day (unmatched) and 2-day (hits) marks all the time.
history { unmatched_retention_days: 1 hit_retention_days: 2 retention_interval_minutes: 1 }
# The checks read back every acknowledged identifier and screening, faster
# than the per-caller defaults allow (50 GetEntity/s, 20 queries/s).
limits { get_entity_rate: 500 get_entity_burst: 1000 query_rate: 1000 query_burst: 2000 }
CONF
data=$out/data
mkdir -p "$data"
log "seed $seed_screenings screenings over the last 3 days (bench/seed_hits)"
"$out/bin/seed_hits" --data="$data" --screenings="$seed_screenings" --days=3 \
  --threads=2 >"$out/seed_hits.log"
"$out/bin/fraudgate-bench" blocklist --population="$population" \
  --listed-share=0.01 >"$out/bench-listed.csv"
python3 "$repo/bench/gen_police_csv.py" --rows $(((minutes * 60 / upload_every + 20) * rows_per_chunk)) \
  --seed 20 --out "$out/police.csv"
python3 "$soak_py" chunks --csv="$out/police.csv" --dir="$out/chunks" --rows="$rows_per_chunk" >/dev/null

# --- the server -----------------------------------------------------------
epoch=0
# start_server [setup]: serves $data on the soak's ports; returns once it
# answers health checks. Each life but the setup one is a line of lives.tsv
# (epoch, pid, start, ready). Access lines (one a call) are left out of
# server.log.
start_server() {
  local started
  [[ ${1:-} == setup ]] || epoch=$((epoch + 1))
  started=$(now)
  "$fg" serve --data="$data" --listen="$server" --http="127.0.0.1:$http_port" \
    --tls-dir="$out/server-tls" --config="$out/soak.conf" \
    >>"$out/server.out" 2> >(grep --line-buffered -v '"event":"rpc"' >>"$out/server.log") &
  server_pid=$!
  echo "$server_pid" >"$out/server.pid"
  local deadline=$((EPOCHSECONDS + ready_timeout))
  until "$fg" health --server="$server" --tls-dir="$out/certs" --timeout=2 >/dev/null 2>&1; do
    kill -0 "$server_pid" 2>/dev/null || die "the server exited (life $epoch), see $out/server.log"
    ((EPOCHSECONDS < deadline)) || die "the server was not ready after ${ready_timeout}s (life $epoch)"
    sleep 0.2
  done
  [[ ${1:-} == setup ]] ||
    printf '%s\t%s\t%s\t%s\n' "$epoch" "$server_pid" "$started" "$(now)" >>"$out/lives.tsv"
}

# stop_server: SIGTERM, as an operator stops it; returns its exit status.
stop_server() {
  local rc=0
  kill -TERM "$server_pid"
  wait "$server_pid" || rc=$?
  server_pid=''
  return "$rc"
}

# ops-main.tsv: what this script does itself (backups, live audits).
op_log() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$(now)" "$2" "$3" "${4:-}" >>"$out/ops-main.tsv"; }

backups=0
backup() {
  local start rc=0 dir
  backups=$((backups + 1))
  dir=$(printf '%s/backups/%04d' "$out" "$backups")
  mkdir -p "$out/backups"
  start=$(now)
  "$fg" backup create --data="$data" --backup-dir="$dir" >"$out/backup.out" 2>&1 || rc=$?
  op_log "$start" backup "$rc" "$(tr '\n' ' ' <"$out/backup.out")"
  log "backup $backups: rc=$rc $(head -n 1 "$out/backup.out")"
  # Keep the newest 3.
  find "$out/backups" -mindepth 1 -maxdepth 1 -type d | sort | head -n -3 | xargs -r rm -rf
}

# check NAME SINCE UNTIL [FLAGS]: soak.py check of what was acknowledged in
# (SINCE, UNTIL]; lost or unchecked items are recorded in checks.jsonl and
# lost.txt, which the verdict reads, so a failed check does not stop the run.
check() {
  local name=$1 since=$2 until=$3 rc=0
  shift 3
  python3 "$soak_py" check --out="$out" --name="$name" --since="$since" \
    --until="$until" "$@" >"$out/check.out" 2>&1 || rc=$?
  cat "$out/check.out" >>"$out/checks.log"
  log "$(tail -n 1 "$out/check.out") (rc=$rc)"
}

# Setup: a first server imports the blocklist and removes the seeded
# screenings already past retention, then stops cleanly, so that the load's
# first life starts like the others, on a store that needs no long log replay
# (the flush of the seeded 1M screenings is its own business).
log "setup server: gRPC $server, HTTPS 127.0.0.1:$http_port, data $data"
start_server setup
log "import the bench population's blocklist ($(($(wc -l <"$out/bench-listed.csv") - 1)) rows)"
"$fg" import --server="$server" --tls-dir="$out/certs" --timeout=300 "$out/bench-listed.csv" >"$out/bench-listed.import"
for _ in $(seq 120); do
  grep -q '"event":"retention_done"' "$out/server.log" && break
  sleep 1
done
log "$(grep -o '"event":"retention_done","removed":[0-9]*' "$out/server.log" | head -n 1 || echo 'no retention run yet')"
stop_server || die "the setup server did not stop cleanly, see $out/server.log"
log "start the server: life 1"
start_server

# --- the load -------------------------------------------------------------
t0=$(now)
duration=$((minutes * 60))
block_s=$((kill_every > 0 ? kill_every * 60 : 600))
warmup_s=$((block_s / 3 < 120 ? block_s / 3 : 120))
cat >"$out/soak.json" <<JSON
{
  "fraudgate": "$fg", "server": "$server", "http_port": $http_port,
  "certs": "$out/certs", "data": "$data", "pid_file": "$out/server.pid",
  "listed_csv": "$out/bench-listed.csv", "run_id": "${t0%.*}", "seed": 20,
  "t0": $t0, "minutes": $minutes, "rate": $rate,
  "upload_every": $upload_every, "probe_every": $probe_every,
  "analyst_every": $analyst_every, "sample_every": $sample_every,
  "delist_every": 5, "withdraw_every": 7,
  "hit_retention_days": 2, "unmatched_retention_days": 1,
  "block_s": $block_s, "warmup_s": $warmup_s,
  "restart_grace_s": $restart_grace, "ready_timeout_s": $ready_timeout,
  "tolerance": {"rss_pct": 10, "rss_mb": 64, "fds_pct": 25, "fds": 16,
                "threads": 4, "p99_factor": 2, "p99_ms": 1}
}
JSON
log "load for $minutes min: screening $rate/s open loop, police, analysts, probes;" \
  "kill -9 every ${kill_every} min, backup every ${backup_every} min"
"$out/bin/fraudgate-bench" run --server="$server" --tls-dir="$out/certs" \
  --mode=open --rate="$rate" --channels=4 --duration="$duration" --warmup=0 \
  --report-every=10 --population="$population" --listed-share=0.01 \
  --format=json >"$out/bench.jsonl" 2>"$out/bench.err" &
bench_pid=$!
for helper in sample police probe analyst; do
  python3 "$soak_py" "$helper" --out="$out" 2>>"$out/$helper.err" &
  helper_pids+=($!)
done

start_s=${t0%.*}
end_s=$((start_s + duration))
next_kill=$((kill_every > 0 ? start_s + kill_every * 60 : end_s + 1))
next_backup=$((start_s + backup_every * 30))
checked_until=0
kills=0
while ((EPOCHSECONDS < end_s)); do
  for pid in "$bench_pid" "${helper_pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || die "a load process ($pid) exited early; see $out/*.err"
  done
  # A kill needs a minute of load after it to mean something.
  if ((EPOCHSECONDS >= next_kill && next_kill < end_s - 60)); then
    kills=$((kills + 1))
    kill_time=$(now)
    log "kill -9 $server_pid (kill $kills)"
    kill -KILL "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    printf '%s\t%s\n' "$epoch" "$kill_time" >>"$out/kills.tsv"
    sleep 1
    start_server
    log "restarted: ready $(python3 -c "print(round($(now) - $kill_time, 1))") s after the kill"
    # What was acknowledged before the kill must have survived it.
    check "restart-$kills" "$checked_until" "$kill_time" --rescreen=3
    checked_until=$kill_time
    start=$(now)
    rc=0
    "$fg" audit verify --data="$data" >"$out/audit-live.out" 2>&1 || rc=$?
    op_log "$start" audit_verify_live "$rc" "$(tr '\n' ' ' <"$out/audit-live.out")"
    log "audit verify (live data dir): rc=$rc $(head -n 1 "$out/audit-live.out")"
    next_kill=$((next_kill + kill_every * 60))
  fi
  if ((EPOCHSECONDS >= next_backup)); then
    backup
    next_backup=$((next_backup + backup_every * 60))
  fi
  sleep 1
done

# --- the end --------------------------------------------------------------
log "load done; stopping the clients"
wait "$bench_pid" || true # exit 1 when any call failed: the analysis judges
bench_pid=
for pid in "${helper_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${helper_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
helper_pids=()

log "final check: everything acknowledged during the run"
check final 0 "$(now)" --rescreen=5 --listed-sample=500

final() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$out/final.tsv"; }
log "stop the server (SIGTERM)"
rc=0
stop_server || rc=$?
final stop_clean "$rc" "exit status $rc"

log "audit verify on a copy of the stopped data dir"
cp -a "$data" "$out/data-copy"
rc=0
"$fg" audit verify --data="$out/data-copy" >"$out/audit-final.out" 2>&1 || rc=$?
final audit_verify_copy "$rc" "$(tr '\n' ' ' <"$out/audit-final.out")"
rm -rf "$out/data-copy"

newest=
if [[ -d $out/backups ]]; then
  newest=$(find "$out/backups" -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)
fi
if [[ -n $newest ]]; then
  log "verify and restore the newest backup ($newest)"
  rc=0
  "$fg" backup verify --backup-dir="$newest" >"$out/backup-verify.out" 2>&1 || rc=$?
  final backup_verify "$rc" "$(tr '\n' ' ' <"$out/backup-verify.out")"
  rc=0
  { "$fg" backup restore --backup-dir="$newest" --data="$out/restored" &&
    "$fg" audit verify --data="$out/restored"; } >"$out/backup-restore.out" 2>&1 || rc=$?
  final backup_restore_audit "$rc" "$(tr '\n' ' ' <"$out/backup-restore.out")"
  rm -rf "$out/restored"
else
  final backup_verify 1 "no backup was taken"
fi

log "analysis"
rc=0
python3 "$soak_py" analyze --out="$out" || rc=$?
if ((rc == 0)); then
  rm -rf "$data" "$out/backups"
  log "PASS; data dir and backups deleted; results in $out"
else
  log "FAIL; everything kept in $out"
fi
exit "$rc"
