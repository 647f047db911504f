#!/usr/bin/env bash
# bench/sign.sh: the cost of key-based signing (issue 10).
#   1. verifications per second without network: bw-sigtool bench-verify does what
#      `bulwark verify` does per signature (ECDSA P-256 over the payload, then the
#      fail-closed payload parse), N times, and reports CPU microseconds each;
#   2. bulwark verify of an oci: layout holding 100 signatures (whole command, wall);
#   3. sign+push latency against Debian's docker-registry on 127.0.0.1 (TLS, no auth):
#      median wall time of `bulwark sign` (resolve, sign, push payload + config + manifest),
#      and of `bulwark verify` over the network.
# Target (issue 10): a verification under 1 ms of CPU. Not part of `make test`.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
BULWARK=${BULWARK:-$TOP/build/bulwark}
SIGTOOL=${SIGTOOL:-$TOP/build/bw-sigtool}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-5}
N=${N:-20000}

tmp=$(mktemp -d)
. "$TOP/tests/lib/registry.sh"
trap 'reg_stop_all; rm -rf "$tmp"' EXIT
layout=$("$TOP/tests/lib/fixtures.sh" "$SHARED")/rpm-root/oci
export BULWARK_PASSWORD=bench
cd "$tmp"
"$BULWARK" -q key generate --prefix "$tmp/k"

# 1. a real signature and payload, made by bulwark sign on a layout
cp -r "$layout" "$tmp/lay"
"$BULWARK" -q sign "oci:$tmp/lay:latest" --key "$tmp/k.key" >/dev/null
d=$(jq -r '.manifests[0].digest' "$layout/index.json")
sigman=$(skopeo inspect --raw "oci:$tmp/lay:${d/:/-}.sig")
pd=$(jq -r '.layers[0].digest' <<<"$sigman")
cp "$tmp/lay/blobs/sha256/${pd#sha256:}" "$tmp/payload"
jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' <<<"$sigman" >"$tmp/sig.b64"
"$SIGTOOL" bench-verify "$tmp/k.pub" "$tmp/payload" "$tmp/sig.b64" "$N" | sed 's/^/cpu: /'

# 2. a layout with 100 signatures: one verify command
for i in $(seq 2 100); do "$BULWARK" -q sign "oci:$tmp/lay:latest" --key "$tmp/k.key" -a n="$i" >/dev/null; done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for ((r = 0; r < RUNS; r++)); do
  s=$(date +%s.%N); "$BULWARK" -q verify "oci:$tmp/lay:latest" --key "$tmp/k.pub" >/dev/null 2>&1; e=$(date +%s.%N)
  echo "$e - $s" | bc
done | median | awk '{printf "verify oci: layout, 100 signatures: %.1f ms wall (median)\n", $1 * 1000}'

# 3. against a local registry
REG_PKI=$tmp/pki
reg_pki "$REG_PKI"
reg_start "$tmp/reg" none
R=127.0.0.1:$REG_PORT
mkdir -p "$tmp/certs"
cp "$REG_PKI/ca.crt" "$tmp/certs/"
skopeo copy -q --dest-cert-dir "$tmp/certs" "oci:$layout:latest" "docker://$R/bench/image:v1"
for ((r = 0; r < RUNS; r++)); do
  s=$(date +%s.%N); "$BULWARK" -q sign "$R/bench/image:v1" --key "$tmp/k.key" -a run="$r" --ca-file "$REG_PKI/ca.crt" >/dev/null; e=$(date +%s.%N)
  echo "$e - $s" | bc
done | median | awk '{printf "sign+push to the local registry: %.1f ms wall (median)\n", $1 * 1000}'
for ((r = 0; r < RUNS; r++)); do
  s=$(date +%s.%N); "$BULWARK" -q verify "$R/bench/image:v1" --key "$tmp/k.pub" --ca-file "$REG_PKI/ca.crt" >/dev/null 2>&1; e=$(date +%s.%N)
  echo "$e - $s" | bc
done | median | awk -v n="$RUNS" '{printf "verify from the local registry (%d signatures): %.1f ms wall (median)\n", n, $1 * 1000}'

# 4. keyless (issue 12): one classic (.sig annotations) and one referrer (sigstore bundle) signature made by
#    tests/lib/mkkeyless.py (a test Fulcio CA, CT log and Rekor) on the same image; verify --keyless reads and
#    fully verifies both (chain, SCT, SET, body, signature, identity, payload claims).
/usr/bin/python3 "$TOP/tests/lib/mkkeyless.py" init "$tmp/kl"
kd=$(skopeo inspect --cert-dir "$tmp/certs" --format '{{.Digest}}' "docker://$R/bench/image:v1")
REG_CA=$REG_PKI/ca.crt /usr/bin/python3 "$TOP/tests/lib/mkkeyless.py" attach "$tmp/kl" "https://$R" bench/image "$kd" \
  layout=classic layout=referrer
for ((r = 0; r < RUNS; r++)); do
  s=$(date +%s.%N)
  "$BULWARK" -q verify "$R/bench/image:v1" --keyless --certificate-identity https://example.com/ci/workflow@refs/heads/main \
    --certificate-oidc-issuer https://issuer.example.com --trusted-root "$tmp/kl/trusted_root.json" \
    --ca-file "$REG_PKI/ca.crt" >/dev/null 2>&1
  e=$(date +%s.%N)
  echo "$e - $s" | bc
done | median | awk '{printf "verify --keyless from the local registry (1 classic + 1 referrer signature): %.1f ms wall (median)\n", $1 * 1000}'
