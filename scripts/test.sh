#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds keyward and runs every test, as CI
# does (.ci/run calls exactly this). Deterministic and bounded: the same work
# on every machine, counted in tests and inputs, never in seconds.
#   1. asan     the whole suite, built with AddressSanitizer + UBSan. It
#               includes the replay of every fuzz seed and recorded fuzz
#               regression input (tests/hardening/fuzz_regression_test.cc).
#   2. tsan     the concurrency tests under ThreadSanitizer.
#   3. release  the container image's build stage, exactly as the
#               Dockerfile runs it, and `keyward --version` from it.
# Exploratory fuzzing (scripts/fuzz.sh SECONDS) is for people, not CI.
# For the plain build and suite alone: scripts/build.sh && ctest --test-dir build.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
scripts/setup.sh
scripts/get-helm.sh >/dev/null
scripts/get-test-tools.sh >/dev/null
status=0
scripts/test-sanitizers.sh asan tsan release || status=$?
echo "test: finished in $((SECONDS - start))s"
exit "$status"
