#!/usr/bin/env bash
# Runs keyward locally, end to end: installs the build dependencies, builds,
# makes a throwaway CA and serving certificate for 127.0.0.1, starts
# `keyward serve` with examples/policy.yaml, sends every manifest in
# examples/manifests/ through /mutate and then /validate as the kube-apiserver
# would, prints the decisions, and keeps serving until Ctrl-C (or SIGTERM).
#
# Environment: KEYWARD_BUILD_DIR (default build), KEYWARD_DEMO_PORT (8443),
# KEYWARD_DEMO_METRICS_PORT (8080), KEYWARD_DEMO_ONCE=1 to stop after the
# decisions are printed instead of serving on.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# Only what the demo runs: the keyward binary, not the tests, benches or fuzzers.
scripts/build.sh --target keyward
binary=${KEYWARD_BUILD_DIR:-build}/webhook/keyward
port=${KEYWARD_DEMO_PORT:-8443}
metrics_port=${KEYWARD_DEMO_METRICS_PORT:-8080}

scratch=$(mktemp -d -t keyward-demo-XXXXXX)
server_pid=
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap 'stop_server; rm -rf "$scratch"' EXIT
trap 'echo; echo "demo: stopping"; stop_server; exit 0' INT TERM

echo "demo: development CA and serving certificate for 127.0.0.1 and localhost in $scratch"
scripts/dev-certs.sh "$scratch"

echo "demo: starting keyward serve on https://127.0.0.1:$port (log: $scratch/server.log)"
"$binary" serve --policy examples/policy.yaml --tls-cert "$scratch/tls.crt" --tls-key "$scratch/tls.key" \
  --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics_port" --log-format text --shutdown-delay 0s \
  >"$scratch/server.log" 2>&1 </dev/null &
server_pid=$!

for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$metrics_port/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "demo: keyward serve exited:" >&2
    cat "$scratch/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$metrics_port/readyz" >/dev/null || { echo "demo: not ready after 10 s" >&2; exit 1; }

echo
echo "demo: sending examples/manifests/ through /mutate, then /validate with the patch applied"
echo
# Exit status 1 means some object was denied, which the examples include on purpose.
"$binary" review --server "https://127.0.0.1:$port" --ca-file "$scratch/ca.crt" examples/manifests || [[ $? == 1 ]]

echo
echo "demo: decisions as the server logged them:"
sleep 0.3  # the server writes info lines in batches, at most 100 ms late
awk '/admission decision/ {
  line = " "
  for (i = 1; i <= NF; i++) if ($i ~ /^(webhook|kind|namespace|name|decision|violations|latency_us)=/) line = line " " $i
  print line
}' "$scratch/server.log"
if [[ ${KEYWARD_DEMO_ONCE:-} == 1 ]]; then exit 0; fi
echo
echo "demo: keyward keeps serving on https://127.0.0.1:$port (CA: $scratch/ca.crt);"
echo "      probes and metrics on http://127.0.0.1:$metrics_port/{healthz,readyz,metrics}. Ctrl-C stops it."
wait "$server_pid"
