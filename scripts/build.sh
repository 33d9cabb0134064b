#!/usr/bin/env bash
# Configures and builds keyward into build/ (or $KEYWARD_BUILD_DIR).
#   scripts/build.sh [CMAKE_CONFIGURE_ARGS...] [--target TARGET...]
# Arguments before --target go to cmake's configure step; --target and what
# follows go to the build step (default: everything the configuration has).
# KEYWARD_BUILD_TYPE sets the build type (default RelWithDebInfo).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${KEYWARD_BUILD_DIR:-build}
configure=()
while (($#)) && [[ $1 != --target ]]; do
  configure+=("$1")
  shift
done
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${KEYWARD_BUILD_TYPE:-RelWithDebInfo}" "${configure[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" "$@"
