#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (clang; CMake preset "fuzz", into
# build-fuzz/ or $KEYWARD_FUZZ_BUILD_DIR) and runs each for a bounded time,
# starting from seed corpora made from the test fixtures and examples/.
#
# Exploratory fuzzing, by hand: CI never runs it (a run bounded by time does
# different work on every machine). CI replays every seed and recorded
# regression input instead (tests/hardening/fuzz_regression_test.cc).
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]
#   SECONDS_PER_TARGET  default 20; e.g. 3600 for an hour each
#   TARGET              fuzz_admission_review fuzz_json_patch fuzz_key_reference fuzz_pipeline_definition
#                       fuzz_manifest_reader fuzz_policy_loader (default: all)
# Each target's corpus grows in <build>/corpus/<target> and is kept between
# runs. A crash, leak, timeout, out-of-memory or broken property stops the
# run, saves the input in <build>/artifacts/<target>/ and makes this script
# fail. A fuzzer that has reported a failure gets 20 s to save its input and
# exit (AddressSanitizer's out-of-memory profile can take far longer); then
# it is killed and the input it was running is kept as killed-<sha1>. Replay it
# with `<build>/fuzz/<target> <input>`, fix the bug, and copy the input to
# tests/hardening/fuzz-regressions/<target>/ so the regression test keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_admission_review fuzz_json_patch fuzz_key_reference fuzz_manifest_reader
                                fuzz_pipeline_definition fuzz_policy_loader)
build_dir=${KEYWARD_FUZZ_BUILD_DIR:-build-fuzz}

# clang and its libFuzzer/sanitizer runtimes (Debian 12: clang 14).
KEYWARD_EXTRA_PACKAGES="${KEYWARD_EXTRA_PACKAGES:-} clang libclang-rt-14-dev" scripts/setup.sh
cmake --preset fuzz -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j2 --target fuzz_seed_corpus "${targets[@]}"

seeds=$build_dir/seeds
rm -rf "$seeds"
"$build_dir/fuzz/fuzz_seed_corpus" . "$seeds"

# Runs one fuzzer in the background and watches it: past its time (plus a
# minute), or 20 s after it reported a failure, it is killed. Returns the
# fuzzer's exit status, or 137 when it had to be killed.
run_fuzzer() {
  local target=$1 corpus=$2 artifacts=$3 log=$4 current=$5
  # -timeout: one input taking this long is a hang. -rss_limit_mb and
  # -malloc_limit_mb: memory without bound. All count as failures.
  # A fixed seed (KEYWARD_FUZZ_SEED, default 1) makes a run repeatable on
  # one machine, not across machines: a run bounded by time is not.
  KEYWARD_FUZZ_CURRENT_INPUT=$current \
    "$build_dir/fuzz/$target" -seed="${KEYWARD_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -dict="$seeds/$target.dict" -artifact_prefix="$artifacts/" \
    -print_final_stats=1 -print_funcs=0 "$corpus" "$seeds/$target" >"$log" 2>&1 &
  local pid=$! deadline=$((SECONDS + seconds + 60)) reported_at=
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -z $reported_at ]] &&
      grep -qE '^==[0-9]+== ?ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)|^ALARM: working on' "$log" 2>/dev/null; then
      reported_at=$SECONDS
    fi
    if ((SECONDS > deadline)) || [[ -n $reported_at && $((SECONDS - reported_at)) -gt 20 ]]; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      return 137
    fi
    sleep 1
  done
  wait "$pid"
}

failed=()
for target in "${targets[@]}"; do
  corpus=$build_dir/corpus/$target
  artifacts=$build_dir/artifacts/$target
  current=$build_dir/current-input-$target
  mkdir -p "$corpus" "$artifacts"
  echo "fuzz: $target for ${seconds}s"
  status=0
  run_fuzzer "$target" "$corpus" "$artifacts" "$build_dir/$target.log" "$current" || status=$?
  if ((status != 0)); then
    failed+=("$target")
    if ((status == 137)) && [[ -s $current ]]; then
      kept=$artifacts/killed-$(sha1sum "$current" | cut -c1-40)
      cp "$current" "$kept"
      echo "fuzz: $target did not exit by itself; killed, and the input it was running kept as $kept" >&2
    fi
    echo "fuzz: $target FAILED; input in $artifacts/, output:" >&2
    grep -v '^#\|^INFO\|^\s*NEW_FUNC' "$build_dir/$target.log" | tail -40 >&2
    continue
  fi
  grep -E '^stat::number_of_executed_units|^Done' "$build_dir/$target.log" | tr '\n' ' '
  echo
done

if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no failure"
