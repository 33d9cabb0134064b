#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (clang; CMake preset "fuzz", into
# build-fuzz/ or $KEYWARD_FUZZ_BUILD_DIR) and runs each for a bounded time,
# starting from seed corpora made from the test fixtures and examples/.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]
#   SECONDS_PER_TARGET  default 20 (what CI runs); e.g. 3600 for an hour each
#   TARGET              fuzz_admission_review fuzz_json_patch fuzz_key_reference
#                       fuzz_manifest_reader fuzz_policy_loader (default: all)
# Each target's corpus grows in <build>/corpus/<target> and is kept between
# runs. A crash, leak, timeout or broken property stops the run, saves the
# input in <build>/artifacts/<target>/ and makes this script fail: replay it
# with `<build>/fuzz/<target> <input>`, fix the bug, and copy the input to
# tests/hardening/fuzz-regressions/<target>/ so the regression test keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_admission_review fuzz_json_patch fuzz_key_reference fuzz_manifest_reader
                                fuzz_policy_loader)
build_dir=${KEYWARD_FUZZ_BUILD_DIR:-build-fuzz}

# clang and its libFuzzer/sanitizer runtimes (Debian 12: clang 14).
KEYWARD_EXTRA_PACKAGES="${KEYWARD_EXTRA_PACKAGES:-} clang libclang-rt-14-dev" scripts/setup.sh
cmake --preset fuzz -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j2 --target fuzz_seed_corpus "${targets[@]}"

seeds=$build_dir/seeds
rm -rf "$seeds"
"$build_dir/fuzz/fuzz_seed_corpus" . "$seeds"

failed=()
for target in "${targets[@]}"; do
  corpus=$build_dir/corpus/$target
  artifacts=$build_dir/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  echo "fuzz: $target for ${seconds}s"
  # -timeout: one input taking this long is a hang. -rss_limit_mb: a leak or
  # an input that makes memory explode. Both count as crashes.
  # A fixed seed (KEYWARD_FUZZ_SEED, default 1) makes a short CI run repeatable.
  if ! "$build_dir/fuzz/$target" -seed="${KEYWARD_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -dict="$seeds/$target.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 -print_funcs=0 \
      "$corpus" "$seeds/$target" >"$build_dir/$target.log" 2>&1; then
    failed+=("$target")
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
