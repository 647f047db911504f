#!/usr/bin/env bash
# tests/integration/bundle_generated.sh: bundles built from scratch by
# tests/lib/mkbundle.py (python3-cryptography; written from the sigstore, Rekor,
# RFC 6962, signed-note, DSSE and in-toto specs, not from src/), each with its own
# one-leaf log and trusted root, verified with --key. Every Rekor entry kind the
# verifier reads must be accepted when built right (hashedrekord 0.0.1 and 0.0.2 over
# a DSSE PAE, dsse 0.0.1 and 0.0.2, intoto 0.0.2 with and without the payload, a message
# signature), and one change at a time must be rejected: in-toto _type missing or
# unknown, the artifact not a subject, two DSSE signatures, a tampered SET, body,
# checkpoint or trusted-root key, another artifact, another key. Then keyless
# bundles (material=cert: a Fulcio-style chain, SCT and identity made here): every
# kind verifies, and a root in the bundle chain, a CA leaf, no code-signing EKU, a bad,
# missing or unknown-log SCT, an expired leaf, a missing CA or intermediate, another
# issuer or GitHub ref are each rejected.
. "$(dirname "$0")/../lib/harness.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import cryptography' 2>/dev/null; then
  t_fail "bundle generated" "python3-cryptography is missing for $PY (scripts/install-deps.sh)"
  exit 0
fi
W=$TMPROOT/bundle-gen
n=0
# gen ARGS...: a fresh bundle directory, its path in $D
gen() { n=$((n + 1)); D=$W/$n; "$PY" "$TOP/tests/lib/mkbundle.py" "$D" "$@"; }
# check NAME RC MSG [ARTIFACT] [KEY]: verify $D
check() {
  t_run_expect "$1" "$2" "$3" -- timeout 20 "$BULWARK" verify-bundle --bundle "$D/bundle.json" \
    --key "${5:-$D/key.pub}" --trusted-root "$D/trusted_root.json" "${4:-$D/artifact}"
}

for k in hr2 hr1 dsse dsse2 intoto msg; do
  gen kind=$k; check "generated $k bundle verifies" 0 ""
done
gen kind=intoto payload=yes; check "generated intoto bundle with the payload logged verifies" 0 ""
gen type=v01; check "in-toto Statement v0.1 is accepted" 0 ""
gen kind=intoto; hex=$(sha256sum "$D/artifact" | cut -d' ' -f1)
check "digest form of a generated DSSE bundle verifies" 0 "" "sha256:$hex"

gen type=none; check "in-toto statement without _type is rejected" 1 "no _type"
gen type=v2; check "in-toto statement with an unknown _type is rejected" 1 "unknown _type"
gen subject=other; check "artifact that is not a subject is rejected" 1 "not a subject"
gen sigs=2; check "DSSE envelope with two signatures is rejected" 3 "exactly one signature"
gen kind=msg; printf 'other\n' >"$D/other"; check "another artifact is rejected" 1 "messageDigest" "$D/other"
gen kind=hr2; openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$D/other.pub" 2>/dev/null
check "another key is rejected" 1 "signature does not verify" "" "$D/other.pub"

# One field changed after signing: each must break exactly the check that covers it.
tamper() { # NAME RC MSG JQ-FILTER
  gen kind=hr2
  jq "$4" "$D/bundle.json" >"$D/t.json" && mv "$D/t.json" "$D/bundle.json"
  check "$1" "$2" "$3"
}
tamper "SET signature changed" 1 "signed entry timestamp" \
  '.verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp |= (.[0:10] + (if .[10:11] == "A" then "B" else "A" end) + .[11:])'
tamper "integrated time changed" 1 "signed entry timestamp" \
  '.verificationMaterial.tlogEntries[0].integratedTime |= ((tonumber - 1) | tostring)'
tamper "log index changed" 1 "signed entry timestamp" '.verificationMaterial.tlogEntries[0].logIndex = "1"'
tamper "root hash changed" 1 "" \
  '.verificationMaterial.tlogEntries[0].inclusionProof.rootHash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'
tamper "checkpoint signed by another log" 1 "checkpoint" \
  '.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope |= sub("bulwark-test.example/log\n"; "other.example/log\n")'
tamper "kind version relabelled" 1 "entry says" '.verificationMaterial.tlogEntries[0].kindVersion.version = "0.0.1"'
tamper "payload changed" 1 "signature does not verify" '.dsseEnvelope.payload |= (@base64d | sub("predicate/v1"; "predicate/v2") | @base64)'
gen kind=hr2
jq '.tlogs[0].logId.keyId = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="' "$D/trusted_root.json" >"$D/r.json" && mv "$D/r.json" "$D/trusted_root.json"
check "log not in the trusted root" 1 "not in the trusted root"
gen kind=hr2
jq '.tlogs[0].publicKey.validFor.start = "2099-01-01T00:00:00Z"' "$D/trusted_root.json" >"$D/r.json" && mv "$D/r.json" "$D/trusted_root.json"
check "log key not yet valid at the integrated time" 1 "validity"

# ---------------------------------------------------------------- keyless (certificate) bundles
# mkbundle.py material=cert: its own root -> intermediate -> leaf, SCT from its own CT log.
ISS=https://issuer.example.com
kcheck() { # NAME RC MSG [extra verify-bundle options...]
  local name=$1 rc=$2 msg=$3; shift 3
  t_run_expect "$name" "$rc" "$msg" -- timeout 20 "$BULWARK" verify-bundle --bundle "$D/bundle.json" \
    --certificate-identity "$(cat "$D/identity")" --certificate-oidc-issuer "$ISS" "$@" \
    --trusted-root "$D/trusted_root.json" "$D/artifact"
}
for k in hr2 hr1 dsse dsse2 intoto msg; do
  gen material=cert kind=$k; kcheck "keyless $k bundle verifies (chain, SCT over the precertificate, identity)" 0 ""
done
gen material=cert san=email; kcheck "keyless e-mail identity verifies" 0 ""
gen material=cert
kcheck "keyless: GitHub repository and ref extensions match" 0 "" \
  --certificate-github-workflow-repository example/repo --certificate-github-workflow-ref refs/heads/main
kcheck "keyless: GitHub ref mismatch is rejected" 1 "workflow ref" --certificate-github-workflow-ref refs/heads/other
t_run_expect "keyless: issuer mismatch is rejected" 1 "OIDC issuer" -- "$BULWARK" verify-bundle --bundle "$D/bundle.json" \
  --certificate-identity "$(cat "$D/identity")" --certificate-oidc-issuer https://other.example.com \
  --trusted-root "$D/trusted_root.json" "$D/artifact"
jq '.certificateAuthorities = []' "$D/trusted_root.json" >"$D/r.json"
t_run_expect "keyless: no Fulcio CA in the trusted root" 1 "no certificate authority" -- "$BULWARK" verify-bundle \
  --bundle "$D/bundle.json" --certificate-identity "$(cat "$D/identity")" --certificate-oidc-issuer "$ISS" \
  --trusted-root "$D/r.json" "$D/artifact"
jq '.certificateAuthorities[0].certChain.certificates |= [.[1]]' "$D/trusted_root.json" >"$D/r.json"
t_run_expect "keyless: trusted root lacking the intermediate" 1 "chain does not verify" -- "$BULWARK" verify-bundle \
  --bundle "$D/bundle.json" --certificate-identity "$(cat "$D/identity")" --certificate-oidc-issuer "$ISS" \
  --trusted-root "$D/r.json" "$D/artifact"
gen material=cert chain=root; kcheck "keyless: bundle chain with a root is rejected" 1 "root certificate"
gen material=cert leafca=yes; kcheck "keyless: CA leaf is rejected" 1 "CA certificate"
gen material=cert eku=no; kcheck "keyless: leaf without code signing is rejected" 1 "code-signing"
gen material=cert sct=bad; kcheck "keyless: SCT over another precertificate is rejected" 1 "no embedded SCT verifies"
gen material=cert sct=none; kcheck "keyless: leaf without an SCT is rejected" 1 "no embedded SCT"
gen material=cert sct=unknownlog; kcheck "keyless: SCT from an unknown CT log is rejected" 1 "no embedded SCT verifies"
gen material=cert certtime=expired; kcheck "keyless: certificate expired at the integrated time" 1 "outside the certificate's validity"
gen material=cert; t_run_expect "keyless: a certificate bundle with --key is rejected" 1 "certificate" -- "$BULWARK" \
  verify-bundle --bundle "$D/bundle.json" --key "$D/key.pub" --trusted-root "$D/trusted_root.json" "$D/artifact"
