#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds keyward and runs every test.
# Usage: scripts/test.sh            (the whole suite, as CI runs it)
#
# The whole suite runs once, built with AddressSanitizer + UndefinedBehavior-
# Sanitizer (a second, plain build would double the build time for no test a
# sanitized build does not also run); then the concurrency tests under
# ThreadSanitizer and every fuzz target for a short bounded time. For the
# plain build and suite alone: scripts/build.sh && ctest --test-dir build.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/get-helm.sh >/dev/null
KEYWARD_FUZZ_SECONDS=${KEYWARD_FUZZ_SECONDS:-10} scripts/test-sanitizers.sh
