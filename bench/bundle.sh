#!/usr/bin/env bash
# bench/bundle.sh: sigstore bundle verifications per second, CPU only (no network,
# no disk in the loop): bw-bundlebench parses and verifies one bundle from memory
# for SECONDS of process CPU time, for three kinds of conformance bundle:
#   v0.3 hashedrekord on Rekor v1 (SET, inclusion proof, ECDSA checkpoint, Fulcio chain, SCT),
#   v0.3 DSSE/in-toto on Rekor v1, and Rekor v2 (RFC 3161 timestamp, Ed25519 checkpoint).
# Then the whole CLI (process start, file reads) as runs per CPU second. Not part of make test.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
SECONDS_EACH=${SECONDS_EACH:-3}
C=$SHARED/data/signing/conformance
ID=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
ISS=https://token.actions.githubusercontent.com
[ -d "$C" ] || { echo "bench/bundle.sh: $C is absent" >&2; exit 1; }
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for spec in "happy-path-v0.3:$C/production_trusted_root.json" \
            "happy-path-intoto-in-dsse-v3:$C/production_trusted_root.json" \
            "rekor2-happy-path:$C/rekor2-happy-path/trusted_root.json"; do
  case=${spec%%:*} root=${spec#*:}
  printf '%-32s ' "$case"
  "$BUILD/bw-bundlebench" "$root" "$C/$case/bundle.sigstore.json" "$C/a.txt" "$ID" "$ISS" "$SECONDS_EACH"
done
n=50
# CPU seconds (user + sys) of the n child processes: the machine may be shared.
TIMEFORMAT='%U %S'
cpu=$( { time (for ((i = 0; i < n; i++)); do
  "$BUILD/bulwark" verify-bundle --bundle "$C/happy-path-v0.3/bundle.sigstore.json" --certificate-identity "$ID" \
    --certificate-oidc-issuer "$ISS" --trusted-root "$C/production_trusted_root.json" "$C/a.txt" >/dev/null
done) ; } 2>&1 | awk '{ print $1 + $2 }')
printf '%-32s %d runs in %.2f s CPU: %.0f/s\n' "CLI verify-bundle (process)" $n "$cpu" "$(echo "$n / $cpu" | bc -l)"
