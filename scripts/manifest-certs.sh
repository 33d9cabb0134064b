#!/usr/bin/env bash
# Generates the TLS material for the plain-YAML install with openssl: a CA
# and a serving certificate for the keyward Service in namespace keyward.
# manifests/kustomization.yaml turns them into the keyward-tls Secret and
# the webhooks' caBundle.
#
# Usage: scripts/manifest-certs.sh [DIR]   (default manifests/tls)
# The CA is created once and reused; every run issues a new serving
# certificate under it, so rotating (re-run, then `kubectl apply -k`) keeps
# the caBundle unchanged. Delete DIR to start over with a new CA.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$source_dir/manifests/tls}
service=keyward
namespace=keyward
ca_days=3650
serving_days=825

command -v openssl >/dev/null || { echo "manifest-certs: openssl is missing; run scripts/setup.sh" >&2; exit 1; }
mkdir -p "$dir"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ ! -s $dir/ca.key || ! -s $dir/ca.crt ]]; then
  openssl req -x509 -new -noenc -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$work/ca.key" -out "$work/ca.crt" -days "$ca_days" -subj "/CN=$service-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  mv "$work/ca.key" "$work/ca.crt" "$dir/"
  echo "manifest-certs: new CA in $dir/ca.crt" >&2
fi

dns=("$service" "$service.$namespace" "$service.$namespace.svc" "$service.$namespace.svc.cluster.local")
san=$(printf 'DNS:%s,' "${dns[@]}")
cat >"$work/ext.cnf" <<CNF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${san%,}
CNF
openssl req -new -noenc -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$work/tls.key" -out "$work/tls.csr" -subj "/CN=$service.$namespace.svc" 2>/dev/null
openssl x509 -req -in "$work/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days "$serving_days" \
  -extfile "$work/ext.cnf" -out "$work/tls.crt" 2>/dev/null
openssl verify -CAfile "$dir/ca.crt" "$work/tls.crt" >/dev/null
# The pod reads the key as a non-root user through the Secret volume.
chmod 0644 "$work/tls.crt" "$work/tls.key" "$dir/ca.crt"
mv "$work/tls.key" "$work/tls.crt" "$dir/"
echo "manifest-certs: serving certificate for ${dns[*]} in $dir/tls.crt" >&2
