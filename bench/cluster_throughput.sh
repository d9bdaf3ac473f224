#!/bin/bash
# Screening throughput of a fraudgate cluster with 1, 2 and 3 nodes on this
# machine (issue 8, DESIGN §9): 3 nats-server processes clustered with
# JetStream on loopback, N `fraudgate serve --cluster` nodes on one
# blocklist (fraudgate-bench's listed population, imported on node 0 and
# applied by all), and one closed-loop fraudgate-bench per node, run at the
# same time; the table sums their calls a second. Every process shares this
# machine's cores, so the sum shows what the design costs, not what separate
# machines give.
#
#   bench/cluster_throughput.sh [BUILD_DIR] [BENCH_BUILD_DIR] [SECONDS]
#   (defaults: build, build-bench, 10)
set -euo pipefail
build="${1:-build}"
bench_build="${2:-build-bench}"
seconds="${3:-10}"
fraudgate="$build/cli/fraudgate"
bench="$bench_build/bench/fraudgate-bench"
nats_server="$(command -v nats-server || echo /usr/sbin/nats-server)"
for f in "$fraudgate" "$bench" "$nats_server"; do
  [[ -x "$f" ]] || { echo "cluster_throughput.sh: $f missing" >&2; exit 2; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  [[ -f "$work/node.pids" ]] && pids+=($(cat "$work/node.pids"))
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# NATS: 3 servers, routes to each other.
client_ports=() route_ports=()
for i in 0 1 2; do client_ports+=("$(free_port)"); route_ports+=("$(free_port)"); done
routes=""
for i in 0 1 2; do routes+="nats://127.0.0.1:${route_ports[$i]}, "; done
routes="${routes%, }"
urls=""
for i in 0 1 2; do
  cat > "$work/n$i.conf" <<EOF
server_name: n$i
listen: 127.0.0.1:${client_ports[$i]}
jetstream { store_dir: "$work/js$i" }
cluster { name: bench, listen: 127.0.0.1:${route_ports[$i]}, routes: [ ${routes} ] }
EOF
  "$nats_server" -c "$work/n$i.conf" > "$work/n$i.log" 2>&1 &
  pids+=($!)
  urls+="nats://127.0.0.1:${client_ports[$i]},"
done
urls="${urls%,}"
for i in 0 1 2; do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/${client_ports[$i]}") 2>/dev/null && break
    sleep 0.1
  done
done

# One fraudgate node; prints its gRPC address.
start_node() {
  local i="$1" out="$work/f$1.out"
  "$fraudgate" serve --data="$work/data$i" --insecure --listen=127.0.0.1:0 \
    --cluster="$urls" --node="f$i" --log-level=warning > "$out" 2> "$work/f$i.err" &
  echo $! >> "$work/node.pids"
  for _ in $(seq 100); do
    grep -q "serving on" "$out" 2>/dev/null && break
    sleep 0.1
  done
  sed -n 's/^fraudgate: serving on \([^ ]*\) .*/\1/p' "$out"
  grep -q "serving on" "$out" || { cat "$work/f$i.err" >&2; return 1; }
}

# Waits until `addr` screens (it caught up with FRAUDGATE_LIST).
wait_serving() {
  for _ in $(seq 600); do
    "$fraudgate" screen --insecure --server="$1" --bank=VCB \
      --account=12345678 > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "cluster_throughput.sh: $1 never served" >&2
  return 1
}

"$bench" blocklist > "$work/list.csv"
addrs=()
printf '| nodes | screenings/s (sum) | per node | errors | BLOCK share | worst p99 ms |\n|---|---|---|---|---|---|\n'
for n in 1 2 3; do
  addrs+=("$(start_node $((n - 1)))")
  for a in "${addrs[@]}"; do wait_serving "$a"; done
  if [[ $n == 1 ]]; then
    "$fraudgate" import --insecure --server="${addrs[0]}" --wait-applied \
      "$work/list.csv" > "$work/import.out"
  fi
  for a in "${addrs[@]}"; do wait_serving "$a"; done
  bench_pids=()
  for i in "${!addrs[@]}"; do
    "$bench" run --insecure --server="${addrs[$i]}" --mode=closed \
      --channels=2 --concurrency=16 --duration="$seconds" --warmup=2 \
      --format=json > "$work/bench$n-$i.json" 2> "$work/bench$n-$i.err" &
    bench_pids+=($!)
  done
  for p in "${bench_pids[@]}"; do wait "$p"; done
  python3 - "$n" "$work" <<'EOF'
import glob, json, sys
n, work = sys.argv[1], sys.argv[2]
runs = []
for path in sorted(glob.glob(f'{work}/bench{n}-*.json')):
    with open(path) as f:
        runs.append(json.load(f))
rates = [r['ok_per_second'] for r in runs]
ok = sum(r['ok'] for r in runs)
print(f'| {n} | {sum(rates):,.0f} | {" / ".join(f"{x:,.0f}" for x in rates)} '
      f'| {sum(r["errors"] for r in runs)} '
      f'| {sum(r["block"] for r in runs) / max(ok, 1):.2%} '
      f'| {max(r["p99_ms"] for r in runs):.2f} |')
EOF
done
