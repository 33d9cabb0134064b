#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries BINARY loads,
# one per line: the runtime image installs exactly these. Derived with ldd
# (the libraries the dynamic loader resolves) and dpkg-query -S (the package
# that installed each file); fails on a library no package owns.
#
# Usage: scripts/runtime-packages.sh BINARY
set -euo pipefail
binary=${1:?usage: scripts/runtime-packages.sh BINARY}

libraries=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
[[ -n $libraries ]] || { echo "runtime-packages: ldd found no shared libraries in $binary" >&2; exit 1; }

# Debian 12 merges /lib into /usr/lib; dpkg knows each file by the path its
# package shipped, which may be either. Ask for all spellings in one query.
candidates=()
for library in $libraries; do
  candidates+=("$library" "${library#/usr}" "/usr${library#/usr}")
done
owners=$(dpkg-query -S "${candidates[@]}" 2>/dev/null || true)  # "pkg:arch: /path" lines

for library in $libraries; do
  package=$(awk -v a="$library" -v b="${library#/usr}" -v c="/usr${library#/usr}" \
    '{ path = $NF } path == a || path == b || path == c { sub(/:.*/, "", $1); print $1; exit }' <<<"$owners")
  [[ -n $package ]] || { echo "runtime-packages: no package owns $library" >&2; exit 1; }
  echo "$package"
done | sort -u
