#!/usr/bin/env bash
# run.sh FRAUDGATE_BIN: development certificates and a mutual-TLS server on
# 127.0.0.1:0 in a temp dir, then interop.js (Node.js, @grpc/grpc-js) against
# it. scripts/deps.sh --test installs Node.js and runs `npm ci` here.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$here/../..
bin=$1
if [[ ! -d $here/node_modules/@grpc/grpc-js ]]; then
  echo "run.sh: no node_modules: run scripts/deps.sh --test first" >&2
  exit 1
fi
tmp=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
"$repo/scripts/dev-certs.sh" "$tmp/certs" >/dev/null
"$bin" serve --data="$tmp/data" --listen=127.0.0.1:0 --tls-dir="$tmp/certs" \
  >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's/^fraudgate: serving on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$tmp/out")
  [[ -n $port ]] && break
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "run.sh: the server did not start:" >&2
  cat "$tmp/err" >&2
  exit 1
fi
# The server certificate names localhost.
node "$here/interop.js" "localhost:$port" "$tmp/certs" "$repo/proto"
