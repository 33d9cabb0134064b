#!/usr/bin/env bash
# Soak test of `keyward serve` on 127.0.0.1 (by hand, never in CI): steady
# load for a long time while the policy and the certificate keep being
# replaced, sampling the server's memory, to show it stays flat.
#
#   bench/soak.sh                   # 10 minutes; table of RSS samples on stdout
#
# Load: wrk on /mutate and on /validate, 8 keep-alive connections each, with
# real TrainingJob AdmissionReviews; every 10 s the policy file is replaced
# (alternating two good policies with a broken one), every 60 s the
# certificate; every 2 s a burst of 20 fresh TLS connections (curl).
# Environment: KEYWARD_SOAK_SECONDS (default 600), KEYWARD_SOAK_SAMPLE (5),
# KEYWARD_BUILD_DIR (default build-bench, built like bench/run.sh), or
# KEYWARD_SOAK_BINARY to use an already built keyward.
set -euo pipefail
cd "$(dirname "$0")/.."

KEYWARD_EXTRA_PACKAGES="wrk ${KEYWARD_EXTRA_PACKAGES:-}" scripts/setup.sh
seconds=${KEYWARD_SOAK_SECONDS:-600}
sample=${KEYWARD_SOAK_SAMPLE:-5}
port=${KEYWARD_SOAK_PORT:-18543}
metrics_port=$((port + 1))
scratch=$(mktemp -d -t keyward-soak-XXXXXX)
if [[ -z ${KEYWARD_SOAK_BINARY:-} ]]; then
  build_dir=${KEYWARD_BUILD_DIR:-build-bench}
  KEYWARD_BUILD_DIR=$build_dir scripts/build.sh -DKEYWARD_BUILD_TESTS=OFF >/dev/null
  KEYWARD_SOAK_BINARY=$build_dir/webhook/keyward
fi
# A private copy: a rebuild during the soak must not change what runs.
cp "$KEYWARD_SOAK_BINARY" "$scratch/keyward"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

scripts/dev-certs.sh "$scratch"
policy=tests/fixtures/policies/team-a-b.yaml
cp "$policy" "$scratch/policy.yaml"
# The second good policy gives team-a another key; the broken one is cut short.
sed 's/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab/0b6e1f6c-1a2b-4c3d-9e8f-ffffffffffff/' "$policy" >"$scratch/policy-b.yaml"
head -c 300 "$policy" >"$scratch/policy-broken.yaml"
reviews=tests/fixtures/admission-reviews/TrainingJob

"$scratch/keyward" serve --policy "$scratch/policy.yaml" --tls-cert "$scratch/tls.crt" --tls-key "$scratch/tls.key" \
  --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics_port" --shutdown-delay 0s \
  >"$scratch/server.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$metrics_port/readyz" >/dev/null && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$metrics_port/readyz" >/dev/null || { cat "$scratch/server.log" >&2; exit 1; }

wrk_pids=()
for webhook in mutate validate; do
  KEYWARD_BENCH_BODY="$reviews/01-create-base.${webhook%e}ing.json" \
    wrk -t1 -c8 -d"${seconds}s" -s bench/review.lua "https://127.0.0.1:$port/$webhook" >"$scratch/wrk-$webhook.txt" &
  wrk_pids+=("$!")
done
pids+=("${wrk_pids[@]}")

(  # Reloads and reconnections, until the load stops.
  n=0
  while sleep 2; do
    n=$((n + 1))
    for _ in $(seq 20); do
      curl -fsk -o /dev/null -H 'Content-Type: application/json' \
        --data-binary "@$reviews/01-create-base.mutating.json" "https://127.0.0.1:$port/mutate" || echo "curl failed" >&2
    done
    if ((n % 5 == 0)); then
      case $(((n / 5) % 3)) in
        0) cp "$policy" "$scratch/policy.yaml.new" ;;
        1) cp "$scratch/policy-broken.yaml" "$scratch/policy.yaml.new" ;;
        2) cp "$scratch/policy-b.yaml" "$scratch/policy.yaml.new" ;;
      esac
      mv "$scratch/policy.yaml.new" "$scratch/policy.yaml"
    fi
    if ((n % 30 == 0)); then
      scripts/dev-certs.sh "$scratch/rotated" && cp "$scratch/rotated/tls.key" "$scratch/rotated/tls.crt" "$scratch/"
    fi
  done
) 2>"$scratch/churn.txt" &
pids+=("$!")

rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
echo "keyward $("$scratch/keyward" --version | awk '{print $2}') soak: ${seconds}s, RSS every ${sample}s"
echo
echo "| t (s) | RSS (KiB) | threads | requests answered |"
echo "|---|---|---|---|"
start=$SECONDS
samples=()
while ((SECONDS - start <= seconds)); do
  r=$(rss)
  samples+=("$r")
  answered=$(curl -fs "http://127.0.0.1:$metrics_port/metrics" |
    awk '/^keyward_admission_requests_total/ {sum += $NF} END {printf "%d", sum}')
  echo "| $((SECONDS - start)) | $r | $(awk '/Threads/ {print $2}' "/proc/$server/status") | $answered |"
  sleep "$sample"
done
echo
printf '%s\n' "${samples[@]}" | awk '
  NR == 1 {first = $1} {last = $1; if ($1 > peak) peak = $1}
  END {printf "RSS start %d KiB, end %d KiB, peak %d KiB, end - start %+d KiB\n", first, last, peak, last - first}'
echo "server VmHWM: $(awk '/VmHWM/ {print $2, $3}' "/proc/$server/status")"
wait "${wrk_pids[@]}" 2>/dev/null || true
for webhook in mutate validate; do
  echo "wrk /$webhook: $(awk '/requests in/ {print $1, "requests"} /Requests\/sec/ {print $2, "req/s"} /Non-2xx/ {print "non-2xx:", $NF} /Socket errors/ {print}' "$scratch/wrk-$webhook.txt" | paste -sd' ')"
done
echo "policy reloads: $(curl -fs "http://127.0.0.1:$metrics_port/metrics" | grep '^keyward_policy_reloads_total' | paste -sd' ')"
echo "churn errors: $(grep -c . "$scratch/churn.txt" || true)"
echo "raw output: $scratch"
