#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with CTest.
# Exits with CTest's status. Extra arguments go to ctest, e.g.
#   ./scripts/test.sh -R Phone
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> fraudgate: install missing deps, build (${BUILD_TYPE:-Release}), run the test suite"
./scripts/deps.sh --test
./scripts/build.sh

echo "==> ctest --test-dir build -j2 --timeout 300"
status=0
# --no-tests=error: a suite that registered no tests is a failure, not a pass.
ctest --test-dir build --output-on-failure -j2 --timeout 300 --no-tests=error "$@" ||
  status=$?
exit "$status"
