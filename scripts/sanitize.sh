#!/usr/bin/env bash
# The sanitizer run CI does after the normal suite: builds the whole tree with
# clang, AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer
# in its own build dir, runs the whole test suite there, then runs every
# libFuzzer target for FUZZ_SECONDS from the same build (scripts/fuzz.sh).
# Exits non-zero when a test fails or a fuzz target finds anything.
#   scripts/sanitize.sh [ctest args...]
#   SANITIZE_BUILD_DIR  build directory (default: ./build-asan)
#   FUZZ_SECONDS        seconds per fuzz target (default 20; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/deps.sh --test --fuzz

build_dir=${SANITIZE_BUILD_DIR:-build-asan}
fuzz_seconds=${FUZZ_SECONDS:-20}

echo "==> configure $build_dir (clang, -O1, ASan + UBSan, libFuzzer targets)"
if [[ ! -f $build_dir/build.ninja ]]; then
  # -O1 with line tables: fast enough for the suite, symbolized reports.
  # Assertions stay on.
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DFRAUDGATE_SANITIZE=ON -DFRAUDGATE_FUZZ=ON >/dev/null
fi
echo "==> build $build_dir"
cmake --build "$build_dir" -j"$(nproc)"

# Any report fails the test that caused it: ASan and UBSan abort, LeakSanitizer
# makes the process exit non-zero. Suppressions name leaks in system libraries
# only, each with its reason.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0

echo "==> ctest --test-dir $build_dir -j2 --timeout 600"
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600 \
  --no-tests=error "$@"

if ((fuzz_seconds > 0)); then
  FUZZ_BUILD_DIR=$build_dir ./scripts/fuzz.sh "$fuzz_seconds"
fi
