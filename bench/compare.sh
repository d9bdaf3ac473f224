#!/usr/bin/env bash
# The benchmark of DESIGN §8, in one run, written to bench/RESULTS.md:
#   - a blocklist of ROWS police rows (bench/gen_police_csv.py) plus the
#     listed share of fraudgate-bench's population, imported offline (timed)
#     and online through a server (timed);
#   - the server pinned to CPU 0 and every client to CPU 1, mutual TLS with
#     dev certificates, as a bank would call it;
#   - the in-process screening path against raw RocksDB reads of the same
#     keys (bench/screening_bench, Google Benchmark);
#   - closed-loop throughput of ScreenTransfer against grpc.health.v1.Health/
#     Check on the same server, and of the same build logging every call and
#     with --empty-handler, in pairs, and the median ratios;
#   - open-loop latency percentiles at 5k, 10k and 20k calls a second, from
#     each call's intended send time, of screening and of --empty-handler;
#   - resident memory of the loaded server, per million identifiers;
#   - a perf profile of the server under closed-loop ScreenTransfer: shares
#     of samples by library (kernel, gRPC, RocksDB, fraudgate, ...), of this
#     build and of BENCH_BASELINE when given;
#   - Redis (Debian's redis-server on loopback, pinned the same way) holding
#     the same identifiers in a set, answering SISMEMBER to redis-benchmark.
#
#   bench/compare.sh [--quick]
#     --quick  200,000 rows and 3-second runs (development; a few minutes)
#   BENCH_BUILD_DIR  Release build with the bench tools (default ./build-bench)
#   BENCH_WORK_DIR   data, CSVs and logs (default: a new dir under /tmp, kept)
#   BENCH_BASELINE   a fraudgate binary of an earlier build: its server is
#                    profiled the same way, as the profile's "before"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

quick=0
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    *)
      echo "usage: $0 [--quick]" >&2
      exit 2
      ;;
  esac
done
if ((quick)); then
  rows=200000 population=100000 seconds=3 warmup=1 pairs=2 gbench_min_time=0.3
else
  rows=10000000 population=1000000 seconds=10 warmup=2 pairs=3 gbench_min_time=2
fi
listed_share=0.01

./scripts/deps.sh --bench
build=${BENCH_BUILD_DIR:-build-bench}
work=${BENCH_WORK_DIR:-$(mktemp -d /tmp/fraudgate-bench.XXXXXX)}
mkdir -p "$work"
log() { echo "==> $*" >&2; }

log "build $build (Release, bench tools)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DFRAUDGATE_BUILD_BENCH=ON -DFRAUDGATE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fraudgate fraudgate-bench screening_bench
fg=$repo/$build/cli/fraudgate
fgb=$repo/$build/bench/fraudgate-bench

server_cpu=0 client_cpu=1
if (($(nproc) < 2)); then client_cpu=0; fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

certs=$work/certs
./scripts/dev-certs.sh "$certs" >/dev/null
# Rates and the probe signal would throttle or flag a load generator.
cat >"$work/bench.conf" <<CONF
limits { screening_rate: 100000000 screening_burst: 100000000 max_in_flight: 100000 }
probes { window_seconds: 1 threshold: 1000000 }
CONF

log "blocklist: $rows police rows + ${listed_share} of $population bench beneficiaries"
csv=$work/blocklist.csv
if [[ ! -s $csv ]]; then
  python3 bench/gen_police_csv.py --rows "$rows" --seed 1 --out "$work/police.csv"
  "$fgb" blocklist --population="$population" --listed-share="$listed_share" \
    >"$work/bench-listed.csv"
  {
    cat "$work/police.csv"
    tail -n +2 "$work/bench-listed.csv"
  } >"$csv"
  rm -f "$work/police.csv"
fi
csv_rows=$(($(wc -l <"$csv") - 1))

# timed LABEL CPUS CMD...: runs CMD pinned to CPUS; sets wall_s, peak_kb.
timed() {
  local label=$1 cpus=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/$label.time" \
    taskset -c "$cpus" "$@" >"$work/$label.out" 2>"$work/$label.err"
  read -r wall_s peak_kb <"$work/$label.time"
}

log "offline import"
rm -rf "$work/data"
# Nothing else runs during the offline import: it has every CPU (it builds
# the entities on two threads).
timed offline_import "0-$(($(nproc) - 1))" "$fg" import --offline --data="$work/data" "$csv"
offline_s=$wall_s offline_kb=$peak_kb
identifiers=$(sed -nE 's/.*identifiers added ([0-9]+).*/\1/p' "$work/offline_import.out" | tail -n 1)

server_pid=
server_binary=$fg
# start_server DATA [FLAGS...]: serves DATA with $server_binary, pinned to
# the server CPU.
start_server() {
  local data=$1
  shift
  port=$(free_port)
  taskset -c "$server_cpu" "$server_binary" serve --data="$data" --listen="127.0.0.1:$port" \
    --tls-dir="$certs" --config="$work/bench.conf" "$@" \
    >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "compare.sh: the server exited, see $work/server.log" >&2
      exit 1
    fi
    if "$fg" stats --server="127.0.0.1:$port" --tls-dir="$certs" --timeout=2 \
      >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "compare.sh: the server did not start, see $work/server.log" >&2
  exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
}
redis_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  if [[ -n $redis_pid ]]; then kill "$redis_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

log "online import"
rm -rf "$work/data-online"
start_server "$work/data-online"
timed online_import "$client_cpu" "$fg" import --server="127.0.0.1:$port" --tls-dir="$certs" \
  --timeout=3600 "$csv"
online_s=$wall_s
stop_server

# bench FLAGS...: one fraudgate-bench run against the server, pinned to the
# client CPU; prints its JSON line.
bench() {
  taskset -c "$client_cpu" "$fgb" run --server="127.0.0.1:$port" \
    --tls-dir="$certs" --role=bank --population="$population" \
    --listed-share="$listed_share" --duration="$seconds" --warmup="$warmup" \
    --format=json "$@"
}

# Each server starts from a fresh copy of the imported data: screenings add
# hit records, and a grown, compacting store would bias later runs.
fresh_copy() {
  rm -rf "$work/data-run"
  cp -a "$work/data" "$work/data-run"
}

log "in process: screening_bench (Google Benchmark), pinned to CPU $server_cpu, then on all CPUs"
fresh_copy
taskset -c "$server_cpu" "$repo/$build/bench/screening_bench" \
  --data="$work/data-run" --population="$population" \
  --listed-share="$listed_share" --benchmark_min_time="$gbench_min_time" \
  --benchmark_filter=-ScreenAsync \
  >"$work/screening_bench.out" 2>"$work/screening_bench.err" || true
# Two threads screening at once (64 outstanding each), on every CPU:
# in-process throughput.
taskset -c "0-$(($(nproc) - 1))" "$repo/$build/bench/screening_bench" \
  --data="$work/data-run" --population="$population" \
  --listed-share="$listed_share" --benchmark_min_time="$gbench_min_time" \
  --benchmark_filter=ScreenAsync \
  >"$work/screening_bench_threads.out" 2>"$work/screening_bench_threads.err" || true

# The reference is the RPC alone: grpc.health.v1.Health/Check on the same
# server process, in the same minute (this VM's speed varies up to 2x from
# minute to minute, and a ratio on one server cancels the machine). Each pair
# is one fresh server at the default log level, Health/Check and
# ScreenTransfer one after the other (which goes first alternates), then the
# same build serving every call's access line (--log-level=debug) and with
# --empty-handler; the ratios reported are the medians of the pairs'.
log "ScreenTransfer vs Health/Check on one server: $pairs pairs of closed-loop runs"
closed_runs=() health_runs=() debug_runs=() empty_runs=()
for i in $(seq "$pairs"); do
  fresh_copy
  start_server "$work/data-run"
  if ((i % 2)); then
    health_runs+=("$(bench --method=health --mode=closed --channels=4 --concurrency=32 || true)")
    closed_runs+=("$(bench --mode=closed --channels=4 --concurrency=32 || true)")
  else
    closed_runs+=("$(bench --mode=closed --channels=4 --concurrency=32 || true)")
    health_runs+=("$(bench --method=health --mode=closed --channels=4 --concurrency=32 || true)")
  fi
  stop_server
  fresh_copy
  start_server "$work/data-run" --log-level=debug
  debug_runs+=("$(bench --mode=closed --channels=4 --concurrency=32 || true)")
  stop_server
  fresh_copy
  start_server "$work/data-run" --empty-handler
  empty_runs+=("$(bench --mode=closed --channels=4 --concurrency=32 || true)")
  stop_server
done

# profile LABEL BINARY: the server of BINARY under closed-loop ScreenTransfer,
# sampled by perf for the measured seconds; the samples' shares by library
# go to $work/profile-LABEL.tsv.
profile() {
  local label=$1
  server_binary=$2
  fresh_copy
  start_server "$work/data-run"
  bench --mode=closed --channels=4 --concurrency=32 >"$work/profile-$label.bench" || true &
  local bench_pid=$!
  sleep "$warmup"
  perf record -F 999 -g -p "$server_pid" -o "$work/profile-$label.data" \
    -- sleep "$seconds" >/dev/null 2>&1 || true
  wait "$bench_pid" || true
  stop_server
  server_binary=$fg
  perf report -i "$work/profile-$label.data" --sort=dso --stdio --no-children -g none \
    2>/dev/null | awk '/^ +[0-9.]+%/ {sub("%", "", $1); print $1 "\t" $2}' \
    >"$work/profile-$label.tsv" || true
}
log "perf profile of the server under closed-loop ScreenTransfer"
profile after "$fg"
if [[ -n ${BENCH_BASELINE:-} ]]; then profile before "$BENCH_BASELINE"; fi

# Each rate runs against a fresh screening server, then a fresh empty-handler
# server (what gRPC, TLS, this VM and the load generator alone leave of the
# latency targets), next to each other for the reason above.
log "open loop at 5k, 10k, 20k/s: screening, then --empty-handler, at each rate"
declare -A open open_empty
rss_kb=
for rate in 5000 10000 20000; do
  fresh_copy
  start_server "$work/data-run"
  if [[ -z $rss_kb ]]; then
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  fi
  # A run with failed calls still prints its line; the table shows them.
  open[$rate]=$(bench --mode=open --rate="$rate" --channels=4 || true)
  rss_after_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  stop_server
  fresh_copy
  start_server "$work/data-run" --empty-handler
  open_empty[$rate]=$(bench --mode=open --rate="$rate" --channels=4 || true)
  stop_server
done

log "Redis: SISMEMBER over the same identifiers"
redis_port=$(free_port)
taskset -c "$server_cpu" redis-server --port "$redis_port" --bind 127.0.0.1 \
  --save "" --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
# Every identifier of the CSV as a set member "kind:issuer:value" (raw, as the
# rows give them: Redis does no normalization).
python3 - "$csv" <<'PY' | redis-cli -p "$redis_port" --pipe >"$work/redis-load.log"
import csv, sys
out = sys.stdout.buffer
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        m = f"{row['kind']}:{row['issuer']}:{row['value']}".encode()
        out.write(b"*3\r\n$4\r\nSADD\r\n$6\r\nlisted\r\n$%d\r\n%s\r\n" % (len(m), m))
PY
redis_members=$(redis-cli -p "$redis_port" scard listed)
redis_rss_kb=$(($(redis-cli -p "$redis_port" info memory | sed -nE 's/^used_memory_rss:([0-9]+).*/\1/p' | tr -d '\r') / 1024))
redis_requests=$((seconds * 50000))
redis_csv=$(taskset -c "$client_cpu" redis-benchmark -p "$redis_port" -c 128 \
  -n "$redis_requests" -r 1000000000 --csv \
  SISMEMBER listed "BANK_ACCOUNT:970436:__rand_int__" | tail -n 1)
kill "$redis_pid"
wait "$redis_pid" 2>/dev/null || true
redis_pid=

log "write bench/RESULTS.md"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit="$commit (with uncommitted changes)"
fi
python3 - "$repo/bench/RESULTS.md" <<PY
import json, sys, datetime, subprocess
def parse(text):  # a run that crashed printed nothing
    return json.loads(text) if text.strip() else {}
def runs(texts):
    return [parse(t) for t in texts]
closed_runs = runs([$(for t in "${closed_runs[@]}"; do printf "'''%s''', " "$t"; done)])
health_runs = runs([$(for t in "${health_runs[@]}"; do printf "'''%s''', " "$t"; done)])
debug_runs = runs([$(for t in "${debug_runs[@]}"; do printf "'''%s''', " "$t"; done)])
empty_runs = runs([$(for t in "${empty_runs[@]}"; do printf "'''%s''', " "$t"; done)])
import re
gbench_row = re.compile(r"^([\w/:]+)\s+(\d+) ns\s+(\d+) ns\s+(\d+)(.*)$", re.M)
gbench = [m.groups()[:4] for m in gbench_row.finditer(open("$work/screening_bench.out").read())]
threads = [(m.group(1), m.group(2), re.search(r"([\d.]+)([kM]?)/s", m.group(5)))
           for m in gbench_row.finditer(open("$work/screening_bench_threads.out").read())]
def per_second(found):
    if not found:
        return float("nan")
    return float(found.group(1)) * {"": 1, "k": 1e3, "M": 1e6}[found.group(2)]
opens = {r: parse(v) for r, v in [$(for r in 5000 10000 20000; do printf "(%s, '''%s'''), " "$r" "${open[$r]}"; done)]}
opens_empty = {r: parse(v) for r, v in [$(for r in 5000 10000 20000; do printf "(%s, '''%s'''), " "$r" "${open_empty[$r]}"; done)]}
redis = [c.strip('"') for c in '''$redis_csv'''.split('","')]
def pkg(name):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=\${Version}", name], capture_output=True, text=True).stdout
    except Exception:
        return "?"
cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
mem_gib = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
ids = int("${identifiers:-0}" or 0)
per_m = (int("$rss_kb") / 1024) / (ids / 1e6) if ids else float("nan")
def rate(r):
    return r.get("ok_per_second", float("nan")) if r else float("nan")
import statistics
def ratios_to_health(runs):
    return sorted(rate(r) / rate(h) for r, h in zip(runs, health_runs) if rate(h) > 0)
def median(xs):
    return statistics.median(xs) if xs else float("nan")
ratios = ratios_to_health(closed_runs)
ratio = median(ratios)
closed = max(closed_runs, key=lambda r: rate(r) if r else -1)
out = []
w = out.append
w("# fraudgate benchmark results\n")
w(f"Written by \`bench/compare.sh{' --quick' if $quick else ''}\` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, measuring commit $commit.\n")
w(f"Machine: {cpu}, $(nproc) CPUs, {mem_gib:.0f} GiB. Server pinned to CPU $server_cpu, every client to CPU $client_cpu; mutual TLS with dev certificates (bank role).")
w(f"Versions: gRPC {pkg('libgrpc++1.51')}, RocksDB {pkg('librocksdb7.8')}, protobuf {pkg('libprotobuf32')}, Redis {pkg('redis-server')}.\n")
w("## Blocklist\n")
w("| what | figure | target (DESIGN §8) |\n|---|---|---|")
w(f"| police CSV | $csv_rows rows, {ids:,} distinct identifiers | |")
w(f"| offline import (all CPUs) | $offline_s s (peak $((offline_kb / 1024)) MB) | <= 10 s for 10M |")
w(f"| online import (UploadReports through the CLI) | $online_s s | <= 60 s for 10M |")
w(f"| server resident memory, loaded, idle | $((rss_kb / 1024)) MB = {per_m:.1f} MB per million identifiers | <= 50 MB per million |")
w(f"| server resident memory after the open-loop run at 20k/s | $((rss_after_kb / 1024)) MB | |\n")
w("## Screening (ScreenTransfer)\n")
w("| run | ok/s | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n|---|---|---|---|---|---|---|---|")
def row(name, r):
    if not r:
        w(f"| {name} | failed: no output, see the work dir | | | | | | |")
        return
    w(f"| {name} | {r['ok_per_second']:.0f} | {r['errors']} | {r['p50_ms']:.3f} | {r['p90_ms']:.3f} | {r['p99_ms']:.3f} | {r['p999_ms']:.3f} | {r['max_ms']:.3f} |")
for i, (h, c, d, e) in enumerate(zip(health_runs, closed_runs, debug_runs, empty_runs), 1):
    row(f"closed loop, 4 channels x 32, Health/Check, pair {i}", h)
    row(f"closed loop, 4 channels x 32, pair {i} (same server)", c)
    row(f"closed loop, every call's access line (--log-level=debug), pair {i}", d)
    row(f"closed loop, --empty-handler, pair {i}", e)
for r, v in opens.items():
    row(f"open loop {r}/s (from intended send time)", v)
for r, v in opens_empty.items():
    row(f"open loop {r}/s, --empty-handler", v)
w("")
def pairs_text(xs):
    return ', '.join(f'{x:.2f}' for x in xs)
w(f"ScreenTransfer / Health.Check throughput on the same server, median of {len(ratios)} pairs: **{ratio:.2f}** "
  f"(pairs: {pairs_text(ratios)}; target >= 0.8, goal >= 0.9). "
  f"With every call's access line: {median(ratios_to_health(debug_runs)):.2f} ({pairs_text(ratios_to_health(debug_runs))}); "
  f"--empty-handler: {median(ratios_to_health(empty_runs)):.2f} ({pairs_text(ratios_to_health(empty_runs))}), "
  "each against the Health/Check run of its pair. "
  f"Decisions in the fastest closed run: {closed.get('block')} BLOCK of {closed.get('ok')} (listed share $listed_share).\n")
w("## In process (screening_bench, Google Benchmark)\n")
w("One screening's worth of work per iteration on the loaded store, pinned to the server CPU, no gRPC. "
  "RocksDbGet/RocksDbMultiGet read the beneficiary's two entity keys (at its bank and under \`*\`) straight from RocksDB; "
  "Lookup is the store's read of them (entities parsed, list version); RecordHit writes one hit record and its indexes; "
  "Screen is the whole path (validate, normalize, look up, score, record) through Screener::Screen.\n")
w("| benchmark | ns per iteration (wall) | iterations |\n|---|---|---|")
# Wall time: RecordHit and Screen hand the write to the store's writer
# thread, whose CPU the benchmark thread's CPU time would leave out.
for name, wall_ns, _, iterations in gbench:
    w(f"| {name} | {wall_ns} | {iterations} |")
if not gbench:
    w("| failed: no output, see the work dir | | |")
w("")
for name, wall_ns, rate_found in threads:
    w(f"In-process throughput, \`{name}\` on $(nproc) CPUs (each thread keeps 64 screenings outstanding, each records its hit; the requests are made in the timing): "
      f"**{per_second(rate_found):,.0f} screenings a second** (target: report it; goal >= 200k).\n")
if not threads:
    w("In-process throughput on two threads: failed, no output (see the work dir).\n")
w("## Server profile\n")
w("\`perf record -F 999 -g\` of the server process for the measured seconds of a closed-loop ScreenTransfer run (4 channels x 32), "
  "share of samples by where they ran (self time, by library).\n")
import os
def classify(dso):
    parts = [("kernel", ("[kernel", "[vdso")), ("gRPC", ("libgrpc", "libgpr", "libaddress_sorting", "libupb", "libcares")),
             ("RocksDB", ("librocksdb",)), ("fraudgate", ("fraudgate",)), ("protobuf", ("libprotobuf",)),
             ("Abseil", ("libabsl",)), ("libc", ("libc.so", "libc-", "libm.so", "ld-linux")), ("C++ runtime", ("libstdc++",)),
             ("allocator", ("libjemalloc", "libtcmalloc")), ("TLS and crypto", ("libssl", "libcrypto")),
             ("compression", ("libsnappy", "liblz4", "libz.so", "libzstd", "libbz2"))]
    for name, prefixes in parts:
        if dso.startswith(prefixes):
            return name
    return "other"
def shares(label):
    path = f"$work/profile-{label}.tsv"
    if not os.path.exists(path):
        return None
    totals = {}
    for line in open(path):
        pct, dso = line.rstrip("\n").split("\t", 1)
        totals[classify(dso)] = totals.get(classify(dso), 0) + float(pct)
    return totals
after, before = shares("after"), shares("before")
if not after:
    w("No profile: perf failed, see the work dir.\n")
else:
    names = sorted(set(after) | set(before or {}), key=lambda n: -after.get(n, 0))
    if before:
        w("| part | before (BENCH_BASELINE) | after (this build) |\n|---|---|---|")
        for n in names:
            w(f"| {n} | {before.get(n, 0):.1f}% | {after.get(n, 0):.1f}% |")
    else:
        w("| part | share of samples |\n|---|---|")
        for n in names:
            w(f"| {n} | {after.get(n, 0):.1f}% |")
    def profiled_rate(label):
        path = f"$work/profile-{label}.bench"
        lines = open(path).read().split("\n") if os.path.exists(path) else []
        run = parse(next((l for l in reversed(lines) if l.strip()), ""))
        return f"{run['ok_per_second']:,.0f}" if run else "failed"
    w("")
    w(f"ScreenTransfer calls a second during the profile (perf running): this build {profiled_rate('after')}"
      + (f", BENCH_BASELINE {profiled_rate('before')}" if before else "") + ".")
    w("")
w("## Redis, for comparison\n")
w(f"Debian redis-server holding the same {int('$redis_members'):,} identifiers (raw CSV forms, no normalization) in one set: "
  f"$redis_rss_kb KB resident = {int('$redis_rss_kb')/1024/(int('$redis_members')/1e6):.1f} MB per million.\n")
w("| run | requests/s | avg ms | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|")
if len(redis) >= 8:
    w(f"| redis-benchmark SISMEMBER, 128 clients, no TLS | {redis[1]} | {redis[2]} | {redis[4]} | {redis[6]} | {redis[7]} |")
w("")
w("Redis answers a set-membership question over plaintext with no normalization, scoring, "
  "audit or hit record; fraudgate screens a transfer over mutual TLS and records it.")
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
cat "$repo/bench/RESULTS.md"
log "work dir: $work"
