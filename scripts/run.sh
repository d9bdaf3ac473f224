#!/usr/bin/env bash
# Installs what is missing, builds, and runs a local fraudgate server in the
# foreground. On the first run (new data dir) it loads the demo blocklist
# (deploy/demo/blocklist.csv) through the server, then prints how to screen a
# transfer from a second terminal. Ctrl-C stops the server cleanly.
#
#   FRAUDGATE_DATA    data dir (default ./var/data in the repository)
#   FRAUDGATE_LISTEN  listen address (default 127.0.0.1:50051; must be loopback)
#   FRAUDGATE_HTTP    analyst console address (default 127.0.0.1:8080)
#   FRAUDGATE_CERTS   TLS material (default ./var/certs; made by
#                     scripts/dev-certs.sh when missing)
#   BUILD_TYPE        CMake build type (default Release)
#
# Mutual TLS end to end: the server requires client certificates, and the
# demo import runs as police/dev-police.
set -euo pipefail

# A relative FRAUDGATE_DATA is relative to where the caller stands.
data=${FRAUDGATE_DATA:-}
if [[ -n $data && $data != /* ]]; then
  data=$PWD/$data
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
data=${data:-./var/data}
listen=${FRAUDGATE_LISTEN:-127.0.0.1:50051}
certs=${FRAUDGATE_CERTS:-./var/certs}
http=${FRAUDGATE_HTTP:-127.0.0.1:8080}
bin=./build/cli/fraudgate
demo_csv=deploy/demo/blocklist.csv
startup_timeout=30

./scripts/build.sh
./scripts/dev-certs.sh "$certs"

# True once a server answers at $listen. Each probe is bounded so a client
# that waits for the connection cannot stall the startup loop.
server_answers() {
  timeout 5 "$bin" hits --server="$listen" --tls-dir="$certs" --page-size=1 \
    >/dev/null 2>&1
}

if server_answers; then
  echo "run.sh: a server already answers at $listen; stop it or set FRAUDGATE_LISTEN." >&2
  exit 1
fi

new_data=0
if [[ ! -d $data || -z $(ls -A "$data") ]]; then
  new_data=1
fi
# serve makes the data dir itself, 0700, with files only its user may read.
mkdir -p "$(dirname "$data")"

server_pid=
stopping=0

# Ctrl-C / SIGTERM: ask the server to stop (SIGTERM; a background child of a
# script ignores SIGINT, so that is the signal it reliably gets). A second
# signal kills it.
# shellcheck disable=SC2317  # invoked by trap
on_signal() {
  if ((stopping)); then
    echo "run.sh: second signal: killing the server (pid $server_pid)" >&2
    kill -KILL "$server_pid" 2>/dev/null || true
  else
    stopping=1
    echo >&2
    echo "run.sh: stopping the server (pid $server_pid); Ctrl-C again to kill it" >&2
    kill -TERM "$server_pid" 2>/dev/null || true
  fi
}

# Never leave a server behind when this script exits early (set -e, errors).
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}

# Waits for the server to exit, also across signals that interrupt `wait`,
# and returns its exit status.
wait_server() {
  local status=0
  while :; do
    status=0
    wait "$server_pid" || status=$?
    if ((status > 128)) && kill -0 "$server_pid" 2>/dev/null; then
      continue # `wait` was interrupted by a trapped signal
    fi
    break
  done
  # If the server was reaped inside the trap window, bash still has its status.
  status=0
  wait "$server_pid" 2>/dev/null || status=$?
  return "$status"
}

trap on_signal INT TERM
trap cleanup EXIT

echo "==> $bin serve --data=$data --listen=$listen --http=$http --tls-dir=$certs"
"$bin" serve --data="$data" --listen="$listen" --http="$http" --tls-dir="$certs" &
server_pid=$!

deadline=$((SECONDS + startup_timeout))
until server_answers; do
  if ((stopping)) || ! kill -0 "$server_pid" 2>/dev/null; then
    status=0
    wait_server || status=$?
    ((stopping)) || echo "run.sh: the server exited during startup (status $status)" >&2
    exit "$status"
  fi
  if ((SECONDS >= deadline)); then
    echo "run.sh: the server did not answer at $listen within ${startup_timeout}s; stopping it" >&2
    exit 1 # cleanup stops it
  fi
  sleep 0.2
done

import_cmd="$bin import --server=$listen --tls-dir=$certs $demo_csv"
if ((new_data)); then
  echo "==> new data dir: loading the demo blocklist: $import_cmd"
  if ! "$bin" import --server="$listen" --tls-dir="$certs" "$demo_csv"; then
    echo >&2
    echo "run.sh: WARNING: importing the demo blocklist failed (see above)." >&2
    echo "run.sh: the server keeps running; retry from a second terminal with:" >&2
    echo "          cd $repo && $import_cmd" >&2
  fi
else
  echo "==> using the existing data dir $data (demo blocklist not re-imported;"
  echo "    to start over: stop the server, rm -rf $data, run this script again)"
fi

if ((stopping)); then
  status=0
  wait_server || status=$?
  exit "$status"
fi

cat <<EOF

================================================================================
 fraudgate is serving on $listen   (data: $data)

 Mutual TLS: every client shows a certificate from $certs (made by
 scripts/dev-certs.sh). Subcommands pick one by role (--role; screen uses
 bank.pem, import police.pem, hits analyst.pem).

 From a second terminal, in $repo:

 * a transfer to Vietcombank account 0071001234567, which the demo blocklist
   names as CONFIRMED deepfake extortion (bank and account written differently
   from the CSV) -- expect BLOCK:

   $bin screen --server=$listen --tls-dir=$certs --bank=VCB --account="0071 0012 34567" --amount=50000000

 * a transfer to an account that is not listed -- expect ALLOW:

   $bin screen --server=$listen --tls-dir=$certs --bank=970436 --account=0071000654321 --amount=2000000

 * recent screenings:  $bin hits --server=$listen --tls-dir=$certs
 * analyst console:    https://$http/  (import $certs/analyst.p12 into the
                       browser, password "fraudgate", and trust $certs/ca.pem)
 * all commands:       $bin help

 Ctrl-C stops the server.
================================================================================

EOF

status=0
wait_server || status=$?
trap - INT TERM
exit "$status"
