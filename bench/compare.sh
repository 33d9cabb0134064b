#!/usr/bin/env bash
# keyward beside the webhook a platform team would write instead (a Go
# net/http + encoding/json peer) and the transport limit (nginx answering a
# static AdmissionReview), measured in one run on 127.0.0.1 and reported as
# ratios, since absolute figures on a shared machine move between runs.
# Run by hand (never in CI): about 6 minutes with the defaults.
#
#   bench/compare.sh
#
# Environment:
#   KEYWARD_BENCH_KIT      the peer kit: peer-go/, nginx-static.conf,
#                          trainingjob-review.json (default ../shared/bench)
#   KEYWARD_PEER_GO        a peer-go binary already built (else it is built
#                          with Go 1.22 from bookworm-backports)
#   KEYWARD_BENCH_SECONDS  per wrk run (default 8); KEYWARD_BENCH_ROUNDS (3);
#   KEYWARD_BENCH_CONNECTIONS (32); KEYWARD_BUILD_DIR (build-bench)
#   KEYWARD_BENCH_NAMESPACES  namespaces of the cluster that a second keyward,
#                          with cluster context on, watches through the
#                          in-test API server (default 10000; 0: none)
#   KEYWARD_BENCH_CONTENTION  the contended mode: loads, comma-separated, that
#                          run at normal priority through every measurement:
#                          cpu (4 busy loops), fork (2 shells starting
#                          /bin/true without pause: short-lived processes),
#                          io (256 MiB files written and synced, over and
#                          over), compile (this project's sources compiled
#                          with g++ -O2, 4 at a time, over and over)
#   KEYWARD_BENCH_BASELINE another keyward binary (an earlier commit's
#                          build, say), measured beside this one in every
#                          round with the same policy: before and after on
#                          the same machine in the same minutes
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
kit=$(cd "${KEYWARD_BENCH_KIT:-../shared/bench}" && pwd)
seconds=${KEYWARD_BENCH_SECONDS:-8}
rounds=${KEYWARD_BENCH_ROUNDS:-3}
connections=${KEYWARD_BENCH_CONNECTIONS:-32}
build_dir=${KEYWARD_BUILD_DIR:-build-bench}
namespaces=${KEYWARD_BENCH_NAMESPACES:-10000}
contention=${KEYWARD_BENCH_CONTENTION:-}
keyward_port=19443 peer_port=19444 nginx_port=19445 metrics_port=19446 context_port=19447 context_metrics_port=19448
baseline=${KEYWARD_BENCH_BASELINE:-}
baseline_port=19449 baseline_metrics_port=19450

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
KEYWARD_EXTRA_PACKAGES="wrk nginx-light ${KEYWARD_EXTRA_PACKAGES:-}" scripts/setup.sh
# The context bench needs the in-test API server, a test library: only the
# targets used here are built.
KEYWARD_BUILD_DIR=$build_dir KEYWARD_BUILD_TYPE=RelWithDebInfo scripts/build.sh -DKEYWARD_BUILD_TESTS=ON \
  --target keyward keyward_bench_tool keyward_context_bench >/dev/null
keyward=$build_dir/webhook/keyward
tool=$build_dir/bench/keyward_bench_tool
context_tool=$build_dir/bench/keyward_context_bench

scratch=$(mktemp -d -t keyward-compare-XXXXXX)
pids=()
loads=()  # process groups of the contended mode's loads
stop_all() {
  for pid in "${loads[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
scripts/dev-certs.sh "$scratch"

# The Go peer, built from the kit with the standard library only.
peer=${KEYWARD_PEER_GO:-}
if [[ -z $peer ]]; then
  go=/usr/lib/go-1.22/bin/go
  if [[ ! -x $go ]]; then
    if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
      echo 'deb http://deb.debian.org/debian bookworm-backports main' |
        "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq -t bookworm-backports golang-1.22-go >/dev/null
  fi
  cp -r "$kit/peer-go" "$scratch/peer-src" && chmod -R u+w "$scratch/peer-src"
  (cd "$scratch/peer-src" && GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$scratch/gocache" "$go" build -o "$scratch/peer-go" .)
  peer=$scratch/peer-go
fi

# Bodies: the kit's TrainingJob CREATE (the only request the peer knows) and
# a captured UPDATE with managedFields, object and oldObject, compacted as
# the apiserver sends them.
cp "$kit/trainingjob-review.json" "$scratch/create.json"
"$tool" compact tests/fixtures/admission-reviews/TrainingJob/04-update-label.mutating.json \
  >"$scratch/update.json"

# keyward's policy: a tenant owning the peer's namespace (alpha) and the
# captured one's (team-a), among TENANTS-1 look-alikes.
"$tool" policy 1 alpha >"$scratch/policy-1.yaml"
"$tool" policy 10000 alpha >"$scratch/policy-10000.yaml"

wait_ready() {  # url
  for _ in $(seq 100); do
    curl -sk -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$scratch/create.json" "$1" && return 0
    sleep 0.1
  done
  echo "compare: nothing answers at $1" >&2
  exit 1
}

# Starts a keyward server in the background; its pid in served_pid.
serve() {  # binary policy port metrics-port log [more serve flags]
  "$1" serve --policy "$2" --tls-cert "$scratch/tls.crt" --tls-key "$scratch/tls.key" \
    --listen "127.0.0.1:$3" --metrics-listen "127.0.0.1:$4" --shutdown-delay 0s \
    --log-level warn "${@:6}" >>"$5" 2>&1 &
  served_pid=$!
  pids+=("$served_pid")
}

start_keyward() {  # policy
  serve "$keyward" "$1" "$keyward_port" "$metrics_port" "$scratch/keyward.log"
  keyward_pid=$served_pid
  wait_ready "https://127.0.0.1:$keyward_port/mutate"
  # Something else may hold the port: the server must be this one.
  kill -0 "$keyward_pid" 2>/dev/null || { echo "compare: keyward exited:" >&2; tail -3 "$scratch/keyward.log" >&2; exit 1; }
}
stop_keyward() { kill -TERM "$keyward_pid" && wait "$keyward_pid" 2>/dev/null || true; }

# keyward with cluster context on: the same policy, its namespaces (alpha
# among NAMESPACES look-alikes) listed and watched from the in-test API
# server; every request's namespace is then a cache lookup.
start_context_keyward() {
  mkdir -p "$scratch/api"
  "$context_tool" api "$namespaces" "$scratch/api" alpha team-a >"$scratch/api/out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q ready "$scratch/api/out" 2>/dev/null && break; sleep 0.1; done
  serve "$keyward" "$scratch/policy-1.yaml" "$context_port" "$context_metrics_port" "$scratch/keyward-context.log" \
    --kubeconfig "$scratch/api/kubeconfig"
  context_pid=$served_pid
  for _ in $(seq 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$context_metrics_port/readyz") == 200 ]] && return 0
    sleep 0.1
  done
  echo "compare: keyward with cluster context did not become ready:" >&2
  tail -3 "$scratch/keyward-context.log" >&2
  exit 1
}

"$peer" -listen "127.0.0.1:$peer_port" -cert "$scratch/tls.crt" -key "$scratch/tls.key" >"$scratch/peer.log" 2>&1 &
peer_pid=$!
pids+=("$peer_pid")

mkdir -p "$scratch/nginx"
sed -e "s#/tmp/kw-nginx#$scratch/nginx#g" -e "s#127.0.0.1:9444#127.0.0.1:$nginx_port#" \
  "$kit/nginx-static.conf" >"$scratch/nginx/nginx.conf"
cp "$scratch/tls.crt" "$scratch/tls.key" "$scratch/nginx/"
nginx -c "$scratch/nginx/nginx.conf" -e "$scratch/nginx/error.log" &
pids+=($!)
start_keyward "$scratch/policy-1.yaml"
context_entry=()
if ((namespaces > 0)); then
  start_context_keyward
  context_entry=("keyward-context $context_pid $context_port create.json")
fi
baseline_entry=()
if [[ -n $baseline ]]; then
  serve "$baseline" "$scratch/policy-1.yaml" "$baseline_port" "$baseline_metrics_port" "$scratch/baseline.log"
  baseline_pid=$served_pid
  wait_ready "https://127.0.0.1:$baseline_port/mutate"
  baseline_entry=("keyward-baseline $baseline_pid $baseline_port create.json")
fi
wait_ready "https://127.0.0.1:$peer_port/mutate"
wait_ready "https://127.0.0.1:$nginx_port/mutate"
nginx_worker=$(pgrep -P "$(cat "$scratch/nginx/nginx.pid")" | head -1)

# Every server must answer the body right before it is measured.
for port in $keyward_port $peer_port ${context_entry:+$context_port} ${baseline_entry:+$baseline_port}; do
  curl -sk -X POST -H 'Content-Type: application/json' --data-binary @"$scratch/create.json" \
    "https://127.0.0.1:$port/mutate" | grep -q '"patch"' || { echo "compare: no patch from port $port" >&2; exit 1; }
done

# The contended mode's loads, started once every server answers.
start_contention() {
  local load
  for load in ${contention//,/ }; do
    case $load in
      cpu) for _ in 1 2 3 4; do run_load 'while :; do :; done'; done ;;
      fork) for _ in 1 2; do run_load 'while :; do /bin/true; done'; done ;;
      io) run_load "while :; do dd if=/dev/zero of='$scratch/io.bin' bs=1M count=256 conv=fsync status=none; done" ;;
      compile)
        python3 - "$build_dir/compile_commands.json" "$scratch" >"$scratch/compile.sh" <<'PY'
import json, re, shlex, sys
units = [u for u in json.load(open(sys.argv[1])) if re.search(r"/(policy|webhook)/", u["file"])][:16]
for i, unit in enumerate(units):
    command = re.sub(r" -o \S+", " -o %s/compile-%d.o" % (sys.argv[2], i), unit["command"])
    print("(cd %s && %s) &" % (shlex.quote(unit["directory"]), command))
    if i % 4 == 3:
        print("wait")
print("wait")
PY
        run_load "while :; do bash '$scratch/compile.sh' >/dev/null 2>&1; done" ;;
      *) echo "compare: unknown load '$load' in KEYWARD_BENCH_CONTENTION (cpu, fork, io, compile)" >&2; exit 2 ;;
    esac
  done
}
run_load() {  # shell loop, in a process group of its own
  setsid bash -c "$1" &
  loads+=($!)
}
start_contention

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One wrk run: "req/s p99_ms errors cpu_us_per_request".
measure() {  # pid url body [no-gzip]
  local before after out
  before=$(cpu_ticks "$1")
  out=$(env KEYWARD_BENCH_BODY="$3" ${4:+KEYWARD_BENCH_NO_GZIP=1} wrk -t1 -c"$connections" -d"${seconds}s" --latency \
    -s bench/apiserver.lua "$2")
  after=$(cpu_ticks "$1")
  echo "$out" >>"$scratch/wrk.txt"
  echo "$out" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /requests in/ {requests = $1} / 99%/ {p99 = ms($2)} /Requests\/sec/ {rps = $2}
    /Non-2xx/ {errors += $NF} /Socket errors/ {gsub(",", ""); errors += $4 + $6 + $8 + $10}
    END {printf "%.0f %.3f %d %.1f\n", rps, p99, errors, ticks / hz * 1e6 / requests}'
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "keyward $("$keyward" --version | awk '{print $2}') on $(nproc) cores, $(uname -r)"
echo "wrk -t1 -c$connections -d${seconds}s, TLS keep-alive, apiserver headers (Accept-Encoding: gzip), $rounds rounds," \
  "contention: ${contention:-none}"
echo
echo "| round | server | body | req/s | p99 ms | errors | server CPU us/request |"
echo "|---|---|---|---|---|---|---|"
: >"$scratch/results"
for round in $(seq "$rounds"); do
  for entry in "keyward $keyward_pid $keyward_port create.json" "${baseline_entry[@]}" \
    "keyward-nogzip $keyward_pid $keyward_port create.json -" \
    "go-peer $peer_pid $peer_port create.json" "nginx $nginx_worker $nginx_port create.json" \
    "keyward $keyward_pid $keyward_port update.json" "${context_entry[@]}"; do
    read -r name pid port body nogzip <<<"$entry"
    result=$(measure "$pid" "https://127.0.0.1:$port/mutate" "$scratch/$body" "${nogzip:-}")
    echo "$round $name $body $result" >>"$scratch/results"
    echo "| $round | $name | $body | ${result// / | } |"
  done
done

pick() {  # name body column(4=req/s 5=p99 6=errors 7=cpu) -> median
  awk -v n="$1" -v b="$2" -v c="$3" '$2 == n && $3 == b {print $c}' "$scratch/results" | median
}
ratio_median() {  # numerator-name denominator-name column
  awk -v a="$1" -v b="$2" -v c="$3" '
    $3 == "create.json" && $2 == a {x[$1] = $c} $3 == "create.json" && $2 == b {y[$1] = $c}
    END {for (r in x) printf "%.2f\n", x[r] / y[r]}' "$scratch/results" | median
}
errors=$(awk '{s += $6} END {print s + 0}' "$scratch/results")
echo
echo "Medians: keyward $(pick keyward create.json 4) req/s p99 $(pick keyward create.json 5) ms," \
  "$(pick keyward create.json 7) us CPU/request; Go peer $(pick go-peer create.json 4) req/s p99" \
  "$(pick go-peer create.json 5) ms, $(pick go-peer create.json 7) us; nginx $(pick nginx create.json 4) req/s" \
  "p99 $(pick nginx create.json 5) ms, $(pick nginx create.json 7) us"
echo "Ratios (median of per-round ratios): req/s keyward/Go $(ratio_median keyward go-peer 4) (target >= 1.5)," \
  "keyward/nginx $(ratio_median keyward nginx 4) (>= 0.6); p99 keyward/Go $(ratio_median keyward go-peer 5) (<= 0.5);" \
  "req/s with gzip offered / without $(ratio_median keyward keyward-nogzip 4) (0.95 to 1.05)"
if [[ -n $baseline ]]; then
  echo "Against the baseline ($baseline): keyward-baseline $(pick keyward-baseline create.json 4) req/s," \
    "$(pick keyward-baseline create.json 7) us CPU/request; CPU per request keyward/baseline" \
    "$(ratio_median keyward keyward-baseline 7), req/s $(ratio_median keyward keyward-baseline 4)"
fi
if ((namespaces > 0)); then
  echo "With cluster context on ($namespaces namespaces watched): keyward $(pick keyward-context create.json 4) req/s" \
    "p99 $(pick keyward-context create.json 5) ms, $(pick keyward-context create.json 7) us CPU/request;" \
    "req/s keyward-context/Go $(ratio_median keyward-context go-peer 4), keyward-context/keyward" \
    "$(ratio_median keyward-context keyward 4); resident memory" \
    "$(awk '/VmRSS/ {print $2, $3}' "/proc/$context_pid/status")"
fi
echo "Errors in all runs: $errors"
echo "Captured UPDATE (managedFields, object, oldObject; $(wc -c <"$scratch/update.json") bytes): keyward" \
  "$(pick keyward update.json 4) req/s p99 $(pick keyward update.json 5) ms, $(pick keyward update.json 7) us CPU/request"
echo "keyward resident memory after the runs at $connections connections: $(awk '/VmRSS/ {print $2, $3}' "/proc/$keyward_pid/status")," \
  "peak $(awk '/VmHWM/ {print $2, $3}' "/proc/$keyward_pid/status")"

# Tenants: the same request against 1 and 10,000 tenants, each with
# namespaces, keys, roles, subnets, security groups and image registries.
# The two alternate, each round on a server of its own just started. Run
# one after the other (all of 1's rounds, then all of 10,000's), the second
# came out 8 us per request dearer; measured alone, the two cost the same:
# the order, not the policy, made that gap.
echo
echo "| tenants | req/s | p99 ms | errors | server CPU us/request |"
echo "|---|---|---|---|---|"
: >"$scratch/tenants-1"
: >"$scratch/tenants-10000"
for _ in $(seq "$rounds"); do
  for tenants in 1 10000; do
    stop_keyward
    start_keyward "$scratch/policy-$tenants.yaml"
    measure "$keyward_pid" "https://127.0.0.1:$keyward_port/mutate" "$scratch/create.json" >>"$scratch/tenants-$tenants"
  done
done
for tenants in 1 10000; do
  echo "| $tenants | $(awk '{print $1}' "$scratch/tenants-$tenants" | median) |" \
    "$(awk '{print $2}' "$scratch/tenants-$tenants" | median) | $(awk '{s += $3} END {print s}' "$scratch/tenants-$tenants") |" \
    "$(awk '{print $4}' "$scratch/tenants-$tenants" | median) |"
done
echo
echo "raw output: $scratch"
