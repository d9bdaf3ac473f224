#!/usr/bin/env bash
# Installs missing build dependencies (deps.sh), configures build/ with CMake
# and Ninja if needed, and builds everything. Works from any directory.
#   BUILD_TYPE  CMake build type: Release (default), Debug, RelWithDebInfo
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/deps.sh

build_type=${BUILD_TYPE:-Release}
build_dir=build
cache=$build_dir/CMakeCache.txt

cached() { sed -n "s/^$1:[A-Z]*=//p" "$cache"; }

if [[ -f $cache && $(cached CMAKE_GENERATOR) != Ninja ]]; then
  echo "build.sh: $build_dir/ was configured with the '$(cached CMAKE_GENERATOR)' generator, not Ninja." >&2
  echo "build.sh: remove it (rm -rf $build_dir) and run this script again." >&2
  exit 1
fi

# Configure only when needed: once configured, Ninja re-runs CMake by itself
# whenever a CMakeLists.txt changes.
if [[ ! -f $build_dir/build.ninja || $(cached CMAKE_BUILD_TYPE) != "$build_type" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
fi

cmake --build "$build_dir" -j"$(nproc)"
