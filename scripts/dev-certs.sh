#!/usr/bin/env bash
# Makes a throwaway CA and a serving certificate for 127.0.0.1 and localhost,
# valid one day, for running keyward on this machine (demo, benchmark):
# writes ca.crt, tls.crt and tls.key into DIR.
#
# Usage: scripts/dev-certs.sh DIR
set -euo pipefail
dir=${1:?usage: scripts/dev-certs.sh DIR}
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=keyward development CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/san.ext"
openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 1 -extfile "$dir/san.ext" -out "$dir/tls.crt" 2>/dev/null
rm -f "$dir/tls.csr" "$dir/san.ext" "$dir/ca.srl"
