#!/usr/bin/env bash
# Load test of `keyward serve` over TLS keep-alive, on 127.0.0.1 only.
# Run by hand on an otherwise idle machine (never in CI): about 4 minutes.
#
#   bench/run.sh                 # results table on stdout, raw output in the scratch dir
#
# Environment: KEYWARD_BUILD_DIR (default build-bench), KEYWARD_BENCH_SECONDS
# (per run, default 10), KEYWARD_BENCH_PORT (default 18443).
set -euo pipefail
cd "$(dirname "$0")/.."

# wrk comes from Debian; only the benchmark needs it.
KEYWARD_EXTRA_PACKAGES="wrk ${KEYWARD_EXTRA_PACKAGES:-}" scripts/setup.sh
build_dir=${KEYWARD_BUILD_DIR:-build-bench}
# RelWithDebInfo: -O2 (GCC 12 -O3 raises a false -Wrestrict in the core)
KEYWARD_BUILD_DIR=$build_dir KEYWARD_BUILD_TYPE=RelWithDebInfo scripts/build.sh -DKEYWARD_BUILD_TESTS=OFF >/dev/null
keyward=$build_dir/webhook/keyward
tool=$build_dir/bench/keyward_bench_tool
openloop=$build_dir/bench/keyward_openloop
seconds=${KEYWARD_BENCH_SECONDS:-10}
port=${KEYWARD_BENCH_PORT:-18443}
metrics_port=$((port + 1))

scratch=$(mktemp -d -t keyward-bench-XXXXXX)
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

scripts/dev-certs.sh "$scratch"

# A real TrainingJob create as the apiserver sent it: /mutate injects two
# keys; /validate gets the same object with its keys set (allowed).
reviews=tests/fixtures/admission-reviews/TrainingJob
"$tool" compact "$reviews/01-create-base.mutating.json" >"$scratch/mutate.json"
"$tool" compact "$reviews/07-create-dryrun-kms.validating.json" >"$scratch/validate.json"
"$tool" policy 1 >"$scratch/policy-1.yaml"
"$tool" policy 10001 >"$scratch/policy-10001.yaml"

start_server() {  # policy file
  stop_server
  "$keyward" serve --policy "$1" --tls-cert "$scratch/tls.crt" --tls-key "$scratch/tls.key" \
    --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics_port" --shutdown-delay 0s \
    >"$scratch/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$metrics_port/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "bench: the server did not start" >&2
  cat "$scratch/server.log" >&2
  exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# wrk at a given concurrency: req/s, p50, p90, p99, server CPU per request.
closed_loop() {  # webhook connections
  local before after out requests
  before=$(cpu_ticks)
  out=$(KEYWARD_BENCH_BODY="$scratch/$1.json" wrk -t"$(($2 < 2 ? $2 : 2))" -c"$2" -d"${seconds}s" --latency -s bench/review.lua \
    "https://127.0.0.1:$port/$1")
  after=$(cpu_ticks)
  echo "$out" >>"$scratch/wrk.txt"
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$out" | awk -v webhook="$1" -v c="$2" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    -v requests="$requests" '
    / 50%/ {p50=$2} / 90%/ {p90=$2} / 99%/ {p99=$2} /Requests\/sec/ {rps=$2}
    /Socket errors/ {errors=$0}
    END {printf "| /%s | %d | %.0f | %s | %s | %s | %.0f |%s\n", webhook, c, rps, p50, p90, p99,
         ticks / hz * 1e6 / requests, errors == "" ? "" : " " errors}'
}

open_loop() {  # webhook idle-connections
  "$openloop" --url "https://127.0.0.1:$port/$1" --ca "$scratch/ca.crt" --body "$scratch/$1.json" \
    --rate 1000 --seconds "$seconds" --connections 4 --idle "$2" | tee -a "$scratch/openloop.txt" |
    awk -v webhook="$1" -v idle="$2" '/^latency/ {printf "| /%s | %d | %s | %s | %s | %s |\n", webhook, idle, $4, $6, $8, $12}'
}

echo "keyward $("$keyward" --version | awk '{print $2}') on $(nproc) cores, $(uname -r); $seconds s per run"
echo
echo "Closed loop (wrk, 2 threads but 1 for 1 connection, keep-alive), 1-tenant policy:"
echo
echo "| webhook | connections | req/s | p50 | p90 | p99 | server CPU per request (us) |"
echo "|---|---|---|---|---|---|---|"
start_server "$scratch/policy-1.yaml"
for webhook in mutate validate; do
  for connections in 1 8 32 128; do closed_loop "$webhook" "$connections"; done
done
echo
echo "Open loop at a fixed 1,000 req/s over 4 connections (latency from the scheduled send, ms):"
echo
echo "| webhook | idle keep-alive connections | p50 | p90 | p99 | max |"
echo "|---|---|---|---|---|---|"
for webhook in mutate validate; do open_loop "$webhook" 0; done
open_loop mutate 400
echo
echo "Server peak RSS (VmHWM) after all of the above: $(awk '/VmHWM/ {print $2, $3}' "/proc/$server_pid/status")"
echo
echo "Tenants: the same TrainingJob at 32 connections with a 1-tenant and a 10,001-tenant policy:"
echo
echo "| policy | webhook | connections | req/s | p50 | p90 | p99 | server CPU per request (us) |"
echo "|---|---|---|---|---|---|---|---|"
for tenants in 1 10001; do
  start_server "$scratch/policy-$tenants.yaml"
  for webhook in mutate validate; do
    echo "| $tenants tenants $(closed_loop "$webhook" 32)"
  done
done
echo
echo "raw output: $scratch"
