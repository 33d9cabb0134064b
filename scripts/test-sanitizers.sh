#!/usr/bin/env bash
# The test suite under sanitizers, as CI runs it after the plain suite:
#   asan  the whole ctest suite, built with AddressSanitizer + UBSan (gcc;
#         CMake preset "asan", build-asan/); leaks fail too.
#   tsan  the concurrency tests (reloads and rotation while serving,
#         shutdown while serving, many clients at once, the thread pool and
#         the file watcher), built with ThreadSanitizer (preset "tsan",
#         build-tsan/); only the targets they need are built.
#   release  the container image's build stage (scripts/image-build-stage.sh:
#         the Release binary alone, as users and the Dockerfile build it,
#         warnings not errors), then `keyward --version` and
#         `keyward test examples/tests` from it.
#   fuzz  every libFuzzer target for KEYWARD_FUZZ_SECONDS (default 20) each
#         (scripts/fuzz.sh): exploratory, by hand only, never in CI.
#
# Usage: scripts/test-sanitizers.sh [asan] [tsan] [release] [fuzz]
#        (default: asan tsan release, what CI runs)
#
# The servers the tests start are the sanitized binary too: a report in the
# server makes it exit non-zero (or shows in its log), which fails the test.
# Uninstrumented prebuilt libraries (cpp-httplib, OpenSSL, spdlog) are not
# checked inside; see tests/hardening/tsan.supp for how TSan treats them.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=("$@")
((${#runs[@]})) || runs=(asan tsan release)

# The tests whose subject is concurrency carry the CTest label
# "concurrency" (tests/CMakeLists.txt); the target keyward_concurrency_tests
# builds what they need. Those that assert how long the server takes (the
# request deadline, the shutdown delay, answers behind slow clients) run
# alone; the others two at a time.
tsan_timed_tests='^(RequestDeadlineTest\.|LifecycleTest\.Sigterm|FaultDrillTest\.Sigterm|HostileClientTest\.Slowloris)'

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/hardening/tsan.supp}

# cmake refuses to change the generator of a configured build directory: one
# configured with another (before these builds moved to Ninja) starts afresh.
use_generator() {  # build_dir generator
  local cache=$1/CMakeCache.txt
  if [[ -f $cache ]] && ! grep -qx "CMAKE_GENERATOR:INTERNAL=$2" "$cache"; then
    rm -rf "$1/CMakeCache.txt" "$1/CMakeFiles"
  fi
}

# (Called as `if run_...`, where set -e does not apply: hence the &&.)
run_asan() {
  use_generator build-asan Ninja
  cmake --preset asan >/dev/null &&
    cmake --build --preset asan &&
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 600
}

run_tsan() {
  # TSan makes every thread several times slower: a neighbour on the other
  # core must not eat into a timed test's margins.
  use_generator build-tsan Ninja
  cmake --preset tsan >/dev/null &&
    cmake --build --preset tsan &&
    ctest --test-dir build-tsan --output-on-failure -j2 --timeout 600 -L concurrency -E "$tsan_timed_tests" &&
    ctest --test-dir build-tsan --output-on-failure -j1 --timeout 600 -L concurrency -R "$tsan_timed_tests"
}

run_release() {
  use_generator build-release Ninja
  mkdir -p build-release
  local log=build-release/build.log
  if ! scripts/image-build-stage.sh build-release build-release/out >"$log" 2>&1; then
    tail -60 "$log" >&2
    return 1
  fi
  # Warnings do not fail this build, by design; they are shown so that they
  # get fixed (the sanitizer builds, where they are errors, catch most first).
  if grep -q ': warning: ' "$log"; then
    echo "test-sanitizers: the Release build warns:" >&2
    grep ': warning: ' "$log" | sort -u >&2
  fi
  echo "test-sanitizers: release: $(build-release/out/keyward --version)"
  # The example policy's own test suites, as a platform team's CI runs them.
  local suites=build-release/examples-test.log
  if ! build-release/out/keyward test examples/tests >"$suites" 2>&1; then
    cat "$suites" >&2
    return 1
  fi
  echo "test-sanitizers: release: keyward test examples/tests: $(tail -1 "$suites")"
}

run_fuzz() {
  scripts/fuzz.sh "${KEYWARD_FUZZ_SECONDS:-20}"
}

# Every run goes ahead even when an earlier one failed, so one report shows
# all that is wrong.
failed=()
for run in "${runs[@]}"; do
  case $run in
    asan | tsan | release | fuzz) ;;
    *) echo "test-sanitizers: unknown run \"$run\" (asan, tsan, release or fuzz)" >&2; exit 2 ;;
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
