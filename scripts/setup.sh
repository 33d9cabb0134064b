#!/usr/bin/env bash
# Installs everything keyward needs to build, test and run on Debian 12.
# Idempotent: packages already present are not installed again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git openssl ca-certificates curl unzip lld ninja-build
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libcli11-dev
  libyaml-dev libsimdjson-dev libgtest-dev libgmock-dev
  nodejs npm
)
# Extra packages a caller asks for, e.g. KEYWARD_EXTRA_PACKAGES="clang wrk".
read -r -a extra <<<"${KEYWARD_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  # npm may come with a nodejs that was installed another way.
  if [[ $p == npm ]] && command -v npm >/dev/null 2>&1; then continue; fi
  if [[ $p == nodejs ]] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
