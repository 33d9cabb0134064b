#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds keyward and runs every test.
# Usage: scripts/test.sh            (the whole suite, as CI runs it)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/get-helm.sh >/dev/null
scripts/build.sh
ctest --test-dir "${KEYWARD_BUILD_DIR:-build}" --output-on-failure -j2 --timeout 300
# Then again under sanitizers (ASan+UBSan: the whole suite; TSan: the
# concurrency tests) and each fuzz target for a short bounded time.
scripts/test-sanitizers.sh
