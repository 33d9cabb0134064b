#!/usr/bin/env bash
# The test suite under sanitizers, as CI runs it after the plain suite:
#   asan  the whole ctest suite, built with AddressSanitizer + UBSan (gcc;
#         CMake preset "asan", build-asan/); leaks fail too.
#   tsan  the concurrency tests (reloads and rotation while serving,
#         shutdown while serving, many clients at once, the thread pool and
#         the file watcher), built with ThreadSanitizer (preset "tsan",
#         build-tsan/); only the targets they need are built.
#   fuzz  every libFuzzer target for a short bounded time (scripts/fuzz.sh).
#
# Usage: scripts/test-sanitizers.sh [asan] [tsan] [fuzz]   (default: all three)
# Environment: KEYWARD_FUZZ_SECONDS (default 20) per fuzz target.
#
# The servers the tests start are the sanitized binary too: a report in the
# server makes it exit non-zero (or shows in its log), which fails the test.
# Uninstrumented prebuilt libraries (cpp-httplib, OpenSSL, spdlog) are not
# checked inside; see tests/hardening/tsan.supp for how TSan treats them.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=("$@")
((${#runs[@]})) || runs=(asan tsan fuzz)

# The tests whose subject is concurrency: reloads and rotation while serving,
# shutdown while serving, many clients at once, the thread pool and the file
# watcher (by GoogleTest suite and test name).
tsan_tests='^(ReloadTest|LifecycleTest|ElasticThreadPoolTest|FileWatcherTest|FaultDrillTest)\.'
tsan_tests+='|^HostileClientTest\.(Slowloris|HundredsOfIdle|ClientsThatVanish)'
tsan_targets=(keyward server_test webhook_unit_test hostile_client_test fault_drill_test)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/hardening/tsan.supp}

# (Called as `if run_...`, where set -e does not apply: hence the &&.)
run_asan() {
  cmake --preset asan >/dev/null &&
    cmake --build --preset asan &&
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 600
}

run_tsan() {
  # One test at a time: TSan makes every thread several times slower.
  cmake --preset tsan >/dev/null &&
    cmake --build --preset tsan --target "${tsan_targets[@]}" &&
    ctest --test-dir build-tsan --output-on-failure -j1 --timeout 600 -R "$tsan_tests"
}

run_fuzz() {
  scripts/fuzz.sh "${KEYWARD_FUZZ_SECONDS:-20}"
}

# Every run goes ahead even when an earlier one failed, so one report shows
# all that is wrong.
failed=()
for run in "${runs[@]}"; do
  case $run in
    asan | tsan | fuzz) ;;
    *) echo "test-sanitizers: unknown run \"$run\" (asan, tsan or fuzz)" >&2; exit 2 ;;
  esac
  start=$SECONDS
  if "run_$run"; then
    echo "test-sanitizers: $run passed in $((SECONDS - start))s"
  else
    echo "test-sanitizers: $run FAILED after $((SECONDS - start))s" >&2
    failed+=("$run")
  fi
done
if ((${#failed[@]})); then
  echo "test-sanitizers: failed: ${failed[*]}" >&2
  exit 1
fi
