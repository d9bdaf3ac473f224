#!/usr/bin/env bash
# Installs the Debian 12 packages that fraudgate needs to build and test, and
# only those that are missing. When everything is installed it prints nothing
# and returns at once, so build.sh, test.sh and run.sh call it every time.
# Installing needs root; as another user it names what is missing and fails.
# Run it, do not source it. Usage: deps.sh [--test] [--fuzz] [--bench]
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libjemalloc-dev libabsl-dev libphonenumber-dev libssl-dev
  libboost-dev libcpp-httplib-dev libgtest-dev libgmock-dev clang-format python3
  libnats-dev
)
# `deps.sh --test` adds what only the test suite needs: headless Chromium
# loads the analyst console; PyYAML and systemd-analyze check deploy/;
# Node.js and npm run tests/interop, whose npm packages (pinned in its
# package-lock.json) it installs there with `npm ci`; nats-server runs the
# JetStream clusters of tests/cluster. `deps.sh --fuzz` adds clang and its
# sanitizer and libFuzzer runtime for scripts/fuzz.sh and scripts/sanitize.sh.
# `deps.sh --bench` adds Redis, GNU time, Google Benchmark and perf for
# bench/compare.sh.
test=0
for arg in "$@"; do
  case $arg in
    --test) packages+=(chromium python3-yaml systemd nodejs nats-server) test=1 ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --bench) packages+=(redis-server redis-tools time libbenchmark-dev linux-perf) ;;
    *)
      echo "usage: deps.sh [--test] [--fuzz] [--bench]" >&2
      exit 2
      ;;
  esac
done

die() {
  echo "deps.sh: $*" >&2
  exit 1
}

command -v dpkg-query >/dev/null 2>&1 ||
  die "dpkg-query not found: this script supports Debian 12 only; install the equivalents of: ${packages[*]}"

# One dpkg-query call for all packages (one call per package takes ~0.5 s).
# Unknown packages make it print to stderr and exit 1; they are simply absent
# from the output and so count as missing.
declare -A installed=()
while IFS=$'\t' read -r name status; do
  [[ $status == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package}\t${Status}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for pkg in "${packages[@]}"; do
  [[ -n ${installed[$pkg]:-} ]] || missing+=("$pkg")
done

# npm may come with nodejs (NodeSource builds) instead of Debian's package.
if ((test)) && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

# tests/interop's npm packages, once per change of its lockfile.
npm_ci() {
  ((test)) || return 0
  local dir
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/interop" && pwd)
  cmp -s "$dir/package-lock.json" "$dir/node_modules/.fraudgate-lock" && return 0
  echo "deps.sh: npm ci in $dir" >&2
  npm ci --no-audit --no-fund --prefix "$dir" >&2
  cp "$dir/package-lock.json" "$dir/node_modules/.fraudgate-lock"
}

if ((${#missing[@]} == 0)); then
  npm_ci
  exit 0
fi

if ((EUID != 0)); then
  die "missing Debian packages: ${missing[*]}
  Install them as root, e.g.:  sudo ./scripts/deps.sh
  or:  sudo apt-get install --no-install-recommends ${missing[*]}"
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found; cannot install: ${missing[*]}"

if [[ -r /etc/os-release ]]; then
  # shellcheck disable=SC1091
  os_id=$(. /etc/os-release && echo "${ID:-}:${VERSION_ID:-}")
  [[ $os_id == debian:12 ]] ||
    echo "deps.sh: warning: this is ${os_id}, not Debian 12; package names or versions may differ" >&2
fi

echo "deps.sh: installing missing packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
npm_ci
