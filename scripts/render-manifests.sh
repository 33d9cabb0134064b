#!/usr/bin/env bash
# Renders charts/keyward into manifests/keyward.yaml, the plain-YAML install
# (namespace keyward, TLS in the chart's existingSecret form). Run it after
# every chart change; tests/chart fails while manifests/ is stale.
#
# Usage: scripts/render-manifests.sh [OUTPUT_FILE]   (default manifests/keyward.yaml)
# Helm: $KEYWARD_HELM, else the one scripts/get-helm.sh provides.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
output=${1:-$source_dir/manifests/keyward.yaml}
helm=${KEYWARD_HELM:-$("$source_dir/scripts/get-helm.sh")}

# manifests/kustomization.yaml replaces this caBundle with the CA that
# scripts/manifest-certs.sh generates; decoded, it says so.
placeholder=$(printf 'placeholder: kustomization.yaml puts tls/ca.crt here; run scripts/manifest-certs.sh' | base64 -w0)

rendered=$("$helm" template keyward "$source_dir/charts/keyward" \
  --namespace keyward \
  --set tls.mode=existingSecret \
  --set tls.existingSecret.name=keyward-tls \
  --set tls.existingSecret.caBundle="$placeholder")

tmp=$(mktemp "$output.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  echo "# Generated from charts/keyward by scripts/render-manifests.sh: do not edit."
  echo "# Apply with kustomization.yaml beside it (see README.md there)."
  echo "$rendered"
} >"$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$output"
