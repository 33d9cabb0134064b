#!/usr/bin/env bash
# The container image's build stage, exactly: the Dockerfile runs this
# script, and CI runs the same script outside a container (there is no
# Docker engine on the CI machines), so what the image ships is what CI built.
#   scripts/image-build-stage.sh BUILD_DIR OUT_DIR
# Installs the build dependencies, builds the Release configuration of the
# keyward binary alone (no tests, benches or fuzzers; warnings are not
# errors: a user's compiler must not fail the build on a new or false
# warning), installs it as OUT_DIR/keyward, lists the Debian packages it
# needs at run time in OUT_DIR/runtime-packages.txt, and runs it once.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:?usage: scripts/image-build-stage.sh BUILD_DIR OUT_DIR}
out_dir=${2:?usage: scripts/image-build-stage.sh BUILD_DIR OUT_DIR}

scripts/setup.sh
# A unity build, as the sanitizer builds the tests run on are (CMakeLists.txt):
# the binary is compiled the way the tested code was, in about 60% of the time.
# Ninja, as they are too: it compiles a library's batch before the libraries
# it needs are archived, where make waits for each (on 2 cores make kept 1.25
# busy on average, Ninja 1.65: 197 s -> 116 s).
KEYWARD_BUILD_DIR=$build_dir KEYWARD_BUILD_TYPE=Release \
  scripts/build.sh -G Ninja -DKEYWARD_BUILD_TESTS=OFF -DKEYWARD_BUILD_BENCH=OFF -DKEYWARD_WERROR=OFF \
  -DCMAKE_UNITY_BUILD=ON --target keyward
install -D -m 0755 "$build_dir/webhook/keyward" "$out_dir/keyward"
scripts/runtime-packages.sh "$out_dir/keyward" >"$out_dir/runtime-packages.txt"
"$out_dir/keyward" --version
