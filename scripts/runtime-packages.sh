#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries BINARY loads,
# one per line: the runtime image installs exactly these. Derived with ldd
# (the libraries the dynamic loader resolves) and dpkg-query -S (the package
# that installed each file); fails on a library no package owns.
#
# Usage: scripts/runtime-packages.sh BINARY
set -euo pipefail
binary=${1:?usage: scripts/runtime-packages.sh BINARY}

owner() {
  # Debian 12 merges /lib into /usr/lib; dpkg knows each file by the path its
  # package shipped, which may be either.
  local path=$1 candidate
  for candidate in "$path" "${path#/usr}" "/usr$path"; do
    dpkg-query -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1 && return 0
  done
  echo "runtime-packages: no package owns $path" >&2
  return 1
}

libraries=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
[[ -n $libraries ]] || { echo "runtime-packages: ldd found no shared libraries in $binary" >&2; exit 1; }
for library in $libraries; do
  owner "$library"
done | sort -u
