#!/usr/bin/env bash
# Renders a sample audit report to PNG with headless Chromium, for people to
# look at (the tests check the HTML structurally and do not need this).
#
# Usage: scripts/render-audit-html.sh [OUTPUT_PNG]   (default build/audit-report.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/audit-report.png}
binary=${KEYWARD_BINARY:-build/webhook/keyward}
[[ -x $binary ]] || scripts/build.sh --target keyward
command -v chromium >/dev/null || KEYWARD_EXTRA_PACKAGES=chromium scripts/setup.sh
html=$(mktemp --suffix=.html)
trap 'rm -f "$html"' EXIT
"$binary" audit --policy examples/policy.yaml -f examples/manifests -o html --fail-on none > "$html"
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --window-size=1280,2000 --screenshot="$out" "file://$html"
echo "wrote $out"
