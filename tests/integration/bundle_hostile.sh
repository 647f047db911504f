#!/usr/bin/env bash
# tests/integration/bundle_hostile.sh: hostile sigstore bundles and trusted roots,
# made here from the conformance happy paths (tests/integration/bundle_conformance.sh)
# by changing one thing each: a certificate with 10,000 extensions (made with
# python3-cryptography), inclusion proofs 10,000 hashes deep, malformed checkpoint
# signature lines, trusted-root windows that exclude the signing time, oversized and
# deeply nested JSON. Each must be rejected (exit 1 or 3) with one line naming the
# problem, within the timeout (bounded work). The unmodified bundle verifies first,
# so every rejection is due to the one change.
. "$(dirname "$0")/../lib/harness.sh"
PY=/usr/bin/python3
CONF=$SHARED/data/signing/conformance
if [ ! -d "$CONF" ]; then
  t_skip "bundle hostile" "../shared/data/signing/conformance is absent"
  exit 0
fi
W=$TMPROOT/bundle-hostile
mkdir -p "$W"
ID=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
ISS=https://token.actions.githubusercontent.com
PROD=$CONF/production_trusted_root.json
V3=$CONF/happy-path-v0.3/bundle.sigstore.json
R2=$CONF/rekor2-happy-path

# verify NAME WANT_RC MESSAGE BUNDLE [ROOT] : runs verify-bundle on a.txt (timeout 20 s)
verify() {
  local name=$1 rc=$2 msg=$3 bundle=$4 root=${5:-$PROD}
  t_run_expect "$name" "$rc" "$msg" -- timeout 20 "$BULWARK" verify-bundle --bundle "$bundle" \
    --certificate-identity "$ID" --certificate-oidc-issuer "$ISS" --trusted-root "$root" "$CONF/a.txt"
}
verify "baseline: happy-path-v0.3 verifies" 0 "" "$V3"
verify "baseline: rekor2-happy-path verifies" 0 "" "$R2/bundle.sigstore.json" "$R2/trusted_root.json"

# ---------------------------------------------------------------- certificates
"$PY" - "$W" <<'PY'
import base64, datetime, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
w = sys.argv[1]
key = ec.generate_private_key(ec.SECP256R1())
def cert(n_ext):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile")])
    now = datetime.datetime(2023, 1, 1)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
         .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650)))
    for i in range(n_ext):
        b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.%d" % i), b"\x05\x00"), critical=False)
    return base64.b64encode(b.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)).decode()
big, mid = cert(10000), cert(200)
open(f"{w}/big.len", "w").write(str(len(base64.b64decode(big))))
for tag, c in (("big", big), ("mid", mid)):
    open(f"{w}/{tag}.b64", "w").write(c)
PY
jq --rawfile c "$W/big.b64" '.verificationMaterial.certificate.rawBytes = $c' "$V3" >"$W/cert10000.json"
verify "certificate with 10,000 extensions is rejected by size ($(cat "$W/big.len") bytes)" 3 "limit 32768" "$W/cert10000.json"
jq --rawfile c "$W/mid.b64" '.verificationMaterial.certificate.rawBytes = $c' "$V3" >"$W/cert200.json"
verify "certificate with 200 extensions is rejected by count" 3 "extensions, limit" "$W/cert200.json"
jq --rawfile c "$W/big.b64" '.certificateAuthorities[1].certChain.certificates[0].rawBytes = $c' "$PROD" >"$W/root-cert10000.json"
verify "trusted root holding a 10,000-extension CA is rejected" 3 "limit 32768" "$V3" "$W/root-cert10000.json"

# ---------------------------------------------------------------- inclusion proofs
jq '.verificationMaterial.tlogEntries[0].inclusionProof.hashes as $h
    | .verificationMaterial.tlogEntries[0].inclusionProof.hashes = [range(10000) | $h[0]]' "$V3" >"$W/proof10000.json"
verify "inclusion proof 10,000 hashes deep is rejected" 3 "at most 64" "$W/proof10000.json"
jq '.verificationMaterial.tlogEntries[0].inclusionProof.hashes += [.verificationMaterial.tlogEntries[0].inclusionProof.hashes[0]]' "$V3" >"$W/proof-long.json"
verify "inclusion proof one hash too long is rejected" 1 "inclusion proof" "$W/proof-long.json"
jq '.verificationMaterial.tlogEntries[0].inclusionProof.hashes |= .[:-1]' "$V3" >"$W/proof-short.json"
verify "inclusion proof one hash short is rejected" 1 "inclusion proof" "$W/proof-short.json"
jq '.verificationMaterial.tlogEntries[0].inclusionProof.logIndex = "99999999999"' "$V3" >"$W/proof-index.json"
verify "inclusion proof index past the tree is rejected" 3 "outside a tree" "$W/proof-index.json"
jq '.verificationMaterial.tlogEntries[0].inclusionProof.logIndex = "99999999999999999999"' "$V3" >"$W/proof-overflow.json"
verify "int64 overflow in logIndex is rejected" 3 "int64" "$W/proof-overflow.json"

# ---------------------------------------------------------------- checkpoints
# cp NAME MESSAGE PYTHON-EXPR(env -> env): edits the checkpoint text of happy-path-v0.3
cp_case() {
  local name=$1 msg=$2 expr=$3 f=$W/cp-$RANDOM.json
  "$PY" - "$V3" "$f" "$expr" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
cp = b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]
env = cp["envelope"]
body, sigs = env.split("\n\n", 1)
sig = sigs.rstrip("\n")
cp["envelope"] = eval(sys.argv[3])
json.dump(b, open(sys.argv[2], "w"))
PY
  verify "checkpoint: $name" 3 "$msg" "$f"
}
cp_case "ASCII hyphen instead of the em dash" 'start with' 'body + "\n\n" + sig.replace("\u2014", "-", 1) + "\n"'
cp_case "three fields on a signature line" 'more than two fields' 'body + "\n\n" + sig + " extra\n"'
cp_case "signature that is not base64" 'base64' 'body + "\n\n" + sig[:-4] + "!!!!\n"'
cp_case "signature no longer than its key hint" 'shorter than its key hint' 'body + "\n\n" + sig.rsplit(" ", 1)[0] + " AAAAAA==\n"'
cp_case "signature line without a name" 'NAME SIGNATURE' 'body + "\n\n\u2014 " + sig.rsplit(" ", 1)[1] + "\n"'
cp_case "101 signature lines" 'signature lines' 'body + "\n\n" + (sig + "\n") * 101'
cp_case "no blank line before the signatures" 'no blank line' 'body + "\n" + sig + "\n"'
cp_case "no final newline" 'ending in a newline' 'body + "\n\n" + sig'
cp_case "tree size with a leading zero" 'tree size' '"\n".join([body.split("\n")[0], "0" + body.split("\n")[1]] + body.split("\n")[2:]) + "\n\n" + sig + "\n"'
cp_case "tree size past uint64" 'tree size' '"\n".join([body.split("\n")[0], "99999999999999999999999"] + body.split("\n")[2:]) + "\n\n" + sig + "\n"'
cp_case "root hash of 31 bytes" 'not 32' '"\n".join(body.split("\n")[:2] + ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="] + body.split("\n")[3:]) + "\n\n" + sig + "\n"'
cp_case "checkpoint of 100 KiB" 'limit' 'body + "\n" + "x" * 100000 + "\n\n" + sig + "\n"'
"$PY" - "$V3" "$W/cp-other-root.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
cp = b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]
lines = cp["envelope"].split("\n")
lines[2] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
cp["envelope"] = "\n".join(lines)
json.dump(b, open(sys.argv[2], "w"))
PY
verify "checkpoint: root hash differs from the proof's" 1 "differs from the inclusion proof" "$W/cp-other-root.json"

# ---------------------------------------------------------------- time windows
# happy-path-v0.3 was logged at integratedTime; each root below excludes that time once.
it=$(jq -r '.verificationMaterial.tlogEntries[0].integratedTime' "$V3")
before=$(date -u -d "@$((it - 1))" +%Y-%m-%dT%H:%M:%SZ)
after=$(date -u -d "@$((it + 1))" +%Y-%m-%dT%H:%M:%SZ)
jq --arg e "$before" '.certificateAuthorities[1].validFor.end = $e' "$PROD" >"$W/root-ca-ended.json"
verify "time: Fulcio CA window ends 1 s before the signing time" 1 "no certificate authority" "$V3" "$W/root-ca-ended.json"
jq --arg s "$after" '.certificateAuthorities[1].validFor.start = $s' "$PROD" >"$W/root-ca-later.json"
verify "time: Fulcio CA window starts 1 s after the signing time" 1 "no certificate authority" "$V3" "$W/root-ca-later.json"
jq --arg s "$after" '.tlogs[0].publicKey.validFor.start = $s' "$PROD" >"$W/root-tlog-later.json"
verify "time: Rekor key window starts 1 s after the integrated time" 1 "log key's validity" "$V3" "$W/root-tlog-later.json"
jq --arg e "$before" '.ctlogs[1].publicKey.validFor.end = $e' "$PROD" >"$W/root-ct-ended.json"
verify "time: CT log window ends before the SCT" 1 "no embedded SCT" "$V3" "$W/root-ct-ended.json"
jq --arg e "$it" '.verificationMaterial.tlogEntries[0].integratedTime = (($e | tonumber) + 1 | tostring)' "$V3" >"$W/it-plus1.json"
verify "time: integrated time moved by 1 s breaks the SET" 1 "signed entry timestamp" "$W/it-plus1.json"
jq '.timestampAuthorities[0].validFor.start = "2099-01-01T00:00:00Z"' "$R2/trusted_root.json" >"$W/root-tsa-later.json"
verify "time: TSA window starts after the timestamp" 1 "timestamp authority" "$R2/bundle.sigstore.json" "$W/root-tsa-later.json"
jq '.timestampAuthorities[0].validFor.start = "not a time"' "$R2/trusted_root.json" >"$W/root-badtime.json"
verify "time: unparseable validFor in the trusted root" 3 "RFC 3339" "$R2/bundle.sigstore.json" "$W/root-badtime.json"

# ---------------------------------------------------------------- sizes and shapes
"$PY" -c 'import sys; sys.stdout.write("{\"a\":\"" + "x" * (9 << 20) + "\"}")' >"$W/huge.json"
verify "bundle of 9 MiB is rejected" 3 "limit" "$W/huge.json"
"$PY" -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000)' >"$W/deep.json"
verify "JSON nested 100,000 deep is rejected" 3 "" "$W/deep.json"
jq '.verificationMaterial.tlogEntries = [range(17) | .verificationMaterial.tlogEntries[0]]' "$V3" 2>/dev/null >"$W/entries.json" ||
  jq '.verificationMaterial.tlogEntries as $e | .verificationMaterial.tlogEntries = [range(17) | $e[0]]' "$V3" >"$W/entries.json"
verify "17 tlog entries are rejected" 3 "tlog entries" "$W/entries.json"
jq '.verificationMaterial.tlogEntries[0].logIndex = "-1"' "$V3" >"$W/neg.json"
verify "negative logIndex is rejected" 3 "logIndex" "$W/neg.json"
jq '.verificationMaterial += {"publicKey": {"hint": "x"}}' "$V3" >"$W/two-materials.json"
verify "two kinds of verification material are rejected" 3 "exactly one" "$W/two-materials.json"
jq '.dsseEnvelope = {"payload": "", "payloadType": "x", "signatures": []}' "$V3" >"$W/two-contents.json"
verify "messageSignature and dsseEnvelope together are rejected" 3 "exactly one" "$W/two-contents.json"
sed 's/"mediaType"/"mediaType": "x", "mediaType"/' "$V3" >"$W/dupkey.json"
verify "duplicate JSON keys are rejected" 3 "duplicate" "$W/dupkey.json"
jq '.mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"' "$CONF/happy-path-v0.1/bundle.sigstore.json" >"$W/v03-chain.json"
verify "a v0.3 bundle with x509CertificateChain is rejected" 3 "must not carry x509CertificateChain" "$W/v03-chain.json"
jq '.mediaType = "application/vnd.dev.sigstore.bundle+json;version=0.2" | del(.verificationMaterial.tlogEntries[0].inclusionProof)' \
  "$CONF/happy-path-v0.1/bundle.sigstore.json" >"$W/v02-noproof.json"
verify "a v0.2 bundle without an inclusion proof is rejected" 1 "needs an inclusion proof" "$W/v02-noproof.json"
jq 'del(.verificationMaterial.tlogEntries[0].inclusionPromise)' "$CONF/happy-path-v0.1/bundle.sigstore.json" >"$W/v01-nopromise.json"
verify "a v0.1 bundle without an inclusion promise is rejected" 1 "inclusion promise" "$W/v01-nopromise.json"
