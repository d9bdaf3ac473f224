#!/bin/bash
# The full cluster run of issue 8 (DESIGN §9): cluster_nodes_test with 1000
# uploads measured for propagation and 50 uploads across the stream leader's
# death, against 3 nats-server and 3 `fraudgate serve --cluster` processes on
# loopback. The short version of the same test runs in the normal suite.
#
#   tests/cluster/run_full.sh [BUILD_DIR]     (default: ./build)
#
# Prints the propagation percentiles, the pause when the leader died, the
# screenings (and errors) meanwhile, the restarted node's catch-up, and that
# every node's store ended identical.
set -euo pipefail
build="${1:-build}"
test_binary="$build/tests/cluster/cluster_nodes_test"
if [[ ! -x "$test_binary" ]]; then
  echo "run_full.sh: $test_binary not built (./scripts/test.sh builds it)" >&2
  exit 2
fi
FRAUDGATE_CLUSTER_UPLOADS="${FRAUDGATE_CLUSTER_UPLOADS:-1000}" \
FRAUDGATE_CLUSTER_FAILOVER_UPLOADS="${FRAUDGATE_CLUSTER_FAILOVER_UPLOADS:-50}" \
  "$test_binary" --gtest_brief=1
