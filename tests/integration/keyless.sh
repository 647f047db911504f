#!/usr/bin/env bash
# Keyless verification of signatures attached to images (issue 12): `verify IMAGE --keyless`
# and `verify-attestation IMAGE --keyless`. Debian's docker-registry on 127.0.0.1 (TLS, no
# referrers API: the fallback tag schema) holds fixture images copied in with skopeo;
# tests/lib/mkkeyless.py (python3-cryptography, written from the formats, not from src/) is a
# test Fulcio CA, CT log and Rekor log with their trusted root, signs the images and attaches
# the signatures itself over the distribution API, in cosign's classic layout (sha256-<hex>.sig
# layers with certificate and Rekor bundle annotations) and as sigstore-bundle referrers
# (message signature, and cosign v3's DSSE statement). One property is changed at a time and
# must make verification fail with exit 1 and the reason; hostile signature manifests are
# bounded (exit 3, quickly).
. "$(dirname "$0")/../lib/harness.sh"
. "$TOP/tests/lib/registry.sh"

need_shared "keyless" || exit 0
[ -n "${FIXTURES:-}" ] || FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || {
  t_fail "keyless fixtures" "tests/lib/fixtures.sh failed"
  exit 0
}
for c in docker-registry skopeo openssl curl; do
  command -v "$c" >/dev/null || { t_fail "keyless: $c" "not installed (scripts/install-deps.sh)"; exit 0; }
done
PY=/usr/bin/python3
"$PY" -c 'import cryptography' 2>/dev/null ||
  { t_fail "keyless: python3-cryptography" "not installed (scripts/install-deps.sh)"; exit 0; }
MK=("$PY" "$TOP/tests/lib/mkkeyless.py")

W=$TMPROOT/keyless
rm -rf "$W"
mkdir -p "$W"
REG_PKI=$W/pki
trap reg_stop_all EXIT
reg_pki "$REG_PKI" || { t_fail "keyless: registry pki" "openssl failed"; exit 0; }
reg_start "$W/reg" none || { t_fail "keyless: registry starts" "$(tail -3 "$W/reg/registry.log")"; exit 0; }
R=127.0.0.1:$REG_PORT
mkdir -p "$W/certs"
cp "$REG_PKI/ca.crt" "$W/certs/ca.crt"
export REG_CA=$REG_PKI/ca.crt
for img in rpm-root kitchen-sink; do
  skopeo copy -q --dest-cert-dir "$W/certs" "oci:$FIXTURES/$img/oci:latest" "docker://$R/fixtures/$img:v1" \
    2>"$W/skopeo.err" || t_fail "skopeo copy $img into the registry" "$(head -c 300 "$W/skopeo.err")"
done
digest_of() { skopeo inspect --cert-dir "$W/certs" --format '{{.Digest}}' "docker://$1" 2>/dev/null; }
A_D=$(digest_of "$R/fixtures/rpm-root:v1")
B_D=$(digest_of "$R/fixtures/kitchen-sink:v1")
t_check "keyless: fixture digests known" [ -n "$A_D" ] && [ -n "$B_D" ]
IMG=$R/fixtures/rpm-root:v1
PKI=$W/sigpki
"${MK[@]}" init "$PKI" || { t_fail "keyless: mkkeyless.py init" "failed"; exit 0; }
ID=https://example.com/ci/workflow@refs/heads/main
ISS=https://issuer.example.com
CA=(--ca-file "$REG_PKI/ca.crt")
KL=(--keyless --certificate-identity "$ID" --certificate-oidc-issuer "$ISS" --trusted-root "$PKI/trusted_root.json")

# attach SIG...: replace what the image A has with these signatures
attach() { "${MK[@]}" attach "$PKI" "https://$R" fixtures/rpm-root "$A_D" "$@" 2>"$W/attach.err" ||
  t_fail "mkkeyless.py attach $*" "$(tail -c 300 "$W/attach.err")"; }
# kv NAME WANT-EXIT [GREP-STDERR] -- bulwark args
kv() {
  local name=$1 want=$2 msg=$3 rc=0; shift 4
  timeout 60 "$BULWARK" "$@" >"$W/out" 2>"$W/err" || rc=$?
  [ -z "${KL_DEBUG:-}" ] || sed "s/^/#   /" "$W/err"
  if [ "$rc" != "$want" ]; then
    t_fail "$name" "exit $rc, want $want: $(head -c 500 "$W/err")"
  elif [ -n "$msg" ] && ! grep -qiF -- "$msg" "$W/err"; then
    t_fail "$name" "stderr lacks [$msg]: $(head -c 500 "$W/err")"
  else
    t_ok "$name"
  fi
}

# ------------------------------------------------------------------ cosign's classic layout
attach layout=classic
kv "classic: verifies with the right identity and issuer" 0 "signed by $ID" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
t_check "classic: the verified payload names the image digest" grep -qF "\"docker-manifest-digest\":\"$A_D\"" "$W/out"
kv "classic: identity regexp and issuer regexp" 0 "1 signature verified" -- verify "${CA[@]}" "$IMG" --keyless \
  --certificate-identity-regexp '^https://example\.com/ci/' --certificate-oidc-issuer-regexp 'issuer\.example' \
  --trusted-root "$PKI/trusted_root.json"
BULWARK_TRUSTED_ROOT=$PKI/trusted_root.json kv "classic: BULWARK_TRUSTED_ROOT" 0 "" -- verify "${CA[@]}" "$IMG" \
  --keyless --certificate-identity "$ID" --certificate-oidc-issuer "$ISS"
kv "classic: GitHub repository extension matches" 0 "" -- verify "${CA[@]}" "$IMG" "${KL[@]}" \
  --certificate-github-workflow-repository example/repo
kv "classic: GitHub ref mismatch" 1 "workflow ref" -- verify "${CA[@]}" "$IMG" "${KL[@]}" \
  --certificate-github-workflow-ref refs/heads/other
kv "classic: wrong identity" 1 "identity" -- verify "${CA[@]}" "$IMG" --keyless \
  --certificate-identity https://example.com/other --certificate-oidc-issuer "$ISS" --trusted-root "$PKI/trusted_root.json"
kv "classic: wrong issuer" 1 "issuer" -- verify "${CA[@]}" "$IMG" --keyless \
  --certificate-identity "$ID" --certificate-oidc-issuer https://other.example.com --trusted-root "$PKI/trusted_root.json"
kv "classic: --key and --keyless exclude each other" 2 "exclude" -- verify "${CA[@]}" "$IMG" "${KL[@]}" --key "$PKI/x.pub"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$W/other.pub" 2>/dev/null
kv "classic: verify --key on a keyless signature points to --keyless" 1 "use --keyless" -- verify "${CA[@]}" "$IMG" \
  --key "$W/other.pub"
kv "classic: --keyless needs an issuer" 2 "issuer" -- verify "${CA[@]}" "$IMG" --keyless --certificate-identity "$ID" \
  --trusted-root "$PKI/trusted_root.json"
kv "classic: -a KEY=VALUE not in the payload" 1 "annotation team=sec is not in the payload" -- verify "${CA[@]}" "$IMG" \
  "${KL[@]}" -a team=sec
kv "classic: --identity another repository" 1 "does not match" -- verify "${CA[@]}" "$IMG" "${KL[@]}" \
  --identity "$R/fixtures/other"
# the same signature in an oci: layout (skopeo copies the image and the .sig tag)
LAY=$W/layout
skopeo copy -q --src-cert-dir "$W/certs" "docker://$IMG" "oci:$LAY:v1" 2>"$W/skopeo.err" &&
  skopeo copy -q --src-cert-dir "$W/certs" --preserve-digests "docker://$R/fixtures/rpm-root:${A_D/:/-}.sig" \
    "oci:$LAY:${A_D/:/-}.sig" 2>>"$W/skopeo.err" || t_fail "keyless: skopeo copy into a layout" "$(head -c 300 "$W/skopeo.err")"
kv "classic: oci: layout holding the image and its .sig tag verifies" 0 "signed by $ID" -- verify "oci:$LAY:v1" "${KL[@]}"
attach layout=classic,for=$B_D
kv "classic: another image's signature" 1 "the payload is for $B_D" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,tamper=payload
kv "classic: tampered payload (its blob and descriptor agree)" 1 "signature" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,tamper=set
kv "classic: tampered SET" 1 "signed entry timestamp" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,tsa=yes
kv "classic: with an RFC 3161 timestamp annotation (openssl ts) verifies" 0 "signed by $ID" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,tsa=other
kv "classic: an RFC 3161 timestamp over other bytes fails" 1 "RFC 3161 timestamp does not verify" -- \
  verify "${CA[@]}" "$IMG" "${KL[@]}"
jq '.timestampAuthorities = []' "$PKI/trusted_root.json" >"$W/no-tsa.json"
attach layout=classic,tsa=yes
kv "classic: a timestamp from a TSA not in the trusted root fails" 1 "timestamp" -- verify "${CA[@]}" "$IMG" --keyless \
  --certificate-identity "$ID" --certificate-oidc-issuer "$ISS" --trusted-root "$W/no-tsa.json"
attach layout=classic,tamper=body
kv "classic: Rekor entry of another signature (valid SET)" 1 "does not match the bundle" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,ca=untrusted
kv "classic: certificate from an untrusted CA" 1 "chain" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,certtime=expired
kv "classic: certificate expired at the integrated time" 1 "validity" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,sct=none
kv "classic: certificate without an SCT" 1 "SCT" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic,ca=untrusted layout=classic,identity=https://example.com/other layout=classic
kv "classic: one good signature among bad ones verifies" 0 "1 signature verified" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
t_check "classic: every signature gets its line" [ "$(grep -c 'layer [123]' "$W/err")" = 3 ]
attach layout=classic-att
kv "classic .att: verify-attestation --keyless verifies (Rekor dsse entry)" 0 "signed by $ID" -- \
  verify-attestation "${CA[@]}" "$IMG" "${KL[@]}"
t_check "classic .att: the statement is printed" grep -qF "https://slsa.dev/provenance/v1" "$W/out"
kv "classic .att: --type another predicate is not counted" 1 "no keyless attestations found" -- \
  verify-attestation "${CA[@]}" "$IMG" "${KL[@]}" --type cyclonedx
attach layout=classic-att,for=$B_D
kv "classic .att: another image's statement" 1 "not a subject" -- verify-attestation "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic-att,identity=https://example.com/other
kv "classic .att: wrong identity" 1 "identity" -- verify-attestation "${CA[@]}" "$IMG" "${KL[@]}"
# a keyless CycloneDX attestation, and a policy over the SBOM inside it (verify-attestation --policy)
"$BULWARK" -q sbom --format cyclonedx "${CA[@]}" "$IMG" -o "$W/rpm-root.cdx.json"
first_pkg=$(jq -r '[.components[] | select(.type == "library" or .type == "application") | .name][0]' "$W/rpm-root.cdx.json")
printf 'version: 1\nrules:\n  - {name: deny, image: {forbidden_packages: ["%s"]}}\n' "$first_pkg" >"$W/deny.yaml"
printf 'version: 1\nrules:\n  - {name: deny, image: {forbidden_packages: ["no-such-package-%s"]}}\n' "$first_pkg" >"$W/allow.yaml"
attach "layout=classic-att,predicate=https://cyclonedx.org/bom,predicate_file=$W/rpm-root.cdx.json"
kv "classic .att, CycloneDX: a policy forbidding a package the attested SBOM lists fails" 1 \
  "policy: fail: deny:" -- verify-attestation "${CA[@]}" "$IMG" "${KL[@]}" --type cyclonedx --policy "$W/deny.yaml"
t_check "classic .att, CycloneDX: ... naming that package ($first_pkg)" grep -qF "$first_pkg" "$W/err"
kv "classic .att, CycloneDX: a policy the attested SBOM meets passes" 0 "on the attested SBOM" -- \
  verify-attestation "${CA[@]}" "$IMG" "${KL[@]}" --type cyclonedx --policy "$W/allow.yaml"
t_check "classic .att, CycloneDX: ... with the verdict pass" grep -qE "allow.yaml on the attested SBOM \([0-9]+ packages.*\): pass$" "$W/err"
attach
kv "no signatures at all" 1 "no keyless signatures found" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
kv "an image never signed" 1 "no keyless signatures found" -- verify "${CA[@]}" "$R/fixtures/kitchen-sink:v1" "${KL[@]}"

# ------------------------------------------------------------------ a real cosign keyless signature
# containers/image's fixture (../shared/data/signing/containers-image/SOURCES.md): cosign signed it with a
# public-good Fulcio certificate (mitr@redhat.com, GitHub OAuth) logged in the public Rekor; the expected
# outcomes are containers/image's Go tests'. Verified offline with sigstore's production trusted root.
CI=$SHARED/data/signing/containers-image
PROD=$SHARED/data/signing/conformance/production_trusted_root.json
REAL=(--keyless --certificate-identity mitr@redhat.com --certificate-oidc-issuer https://github.com/login/oauth
  --trusted-root "$PROD")
real() { # OUT EDITS...: the fulcio-rekor fixture as an oci: layout
  local out=$1; shift
  rm -rf "$out"
  "$PY" "$TOP/tests/lib/cosign_dir_to_oci.py" "$CI/dir-img-cosign-fulcio-rekor-valid" "$out" "$@" >/dev/null ||
    t_fail "cosign_dir_to_oci.py $*" "failed"
}
real "$W/real"
kv "real cosign keyless signature verifies (production trusted root)" 0 "signed by mitr@redhat.com (issuer https://github.com/login/oauth)" -- \
  verify "oci:$W/real:v1" "${REAL[@]}"
kv "real: --identity the signed repository" 0 "" -- verify "oci:$W/real:v1" "${REAL[@]}" \
  --identity 192.168.64.2:5000/cosign-signed/fulcio-rekor-1
kv "real: --identity another repository" 1 "does not match" -- verify "oci:$W/real:v1" "${REAL[@]}" \
  --identity 192.168.64.2:5000/other
kv "real: another e-mail" 1 "identity" -- verify "oci:$W/real:v1" --keyless --certificate-identity \
  this-does-not-match@example.com --certificate-oidc-issuer https://github.com/login/oauth --trusted-root "$PROD"
kv "real: another issuer" 1 "issuer" -- verify "oci:$W/real:v1" --keyless --certificate-identity mitr@redhat.com \
  --certificate-oidc-issuer https://accounts.google.com --trusted-root "$PROD"
jq '.tlogs = []' "$PROD" >"$W/no-rekor.json"
kv "real: Rekor key not in the trusted root" 1 "not in the trusted root" -- verify "oci:$W/real:v1" --keyless \
  --certificate-identity mitr@redhat.com --certificate-oidc-issuer https://github.com/login/oauth --trusted-root "$W/no-rekor.json"
real "$W/real-noset" --drop dev.sigstore.cosign/bundle
kv "real: SET annotation removed" 1 "no Rekor bundle annotation" -- verify "oci:$W/real-noset:v1" "${REAL[@]}"
real "$W/real-graft" --bundle-from "$CI/dir-img-cosign-key-rekor-valid"
kv "real: the SET of another signature grafted on" 1 "does not match the bundle" -- verify "oci:$W/real-graft:v1" "${REAL[@]}"
real "$W/real-garbage" --set "dev.sigstore.cosign/certificate=garbage"
kv "real: certificate annotation set to garbage" 3 "malformed" -- verify "oci:$W/real-garbage:v1" "${REAL[@]}"
real "$W/real-nocert" --drop dev.sigstore.cosign/certificate
kv "real: certificate annotation removed" 1 "no certificate" -- verify "oci:$W/real-nocert:v1" "${REAL[@]}"
rm -rf "$W/real-key"
"$PY" "$TOP/tests/lib/cosign_dir_to_oci.py" "$CI/dir-img-cosign-key-rekor-valid" "$W/real-key" >/dev/null
kv "real: a key-signed image is not keyless" 1 "verify it with --key" -- verify "oci:$W/real-key:v1" "${REAL[@]}"
kv "real: ... and verifies with its key" 0 "verified" -- verify "oci:$W/real-key:v1" --key "$CI/cosign2.pub"

# ------------------------------------------------------------------ real sigstore bundles as referrers
# Every keyless sigstore-conformance case (../shared/data/signing/conformance/cases.tsv), its bundle
# attached as an OCI 1.1 referrer of an oci: layout whose "image manifest" is the case's artifact
# (tests/lib/bundle_referrer_oci.py): verify --keyless (message signatures) or verify-attestation
# --keyless (DSSE) must give the suite's expected outcome, as verify-bundle does.
CONF=$SHARED/data/signing/conformance
right=0 total=0 wrong=""
while IFS=$'\t' read -r case expect with _key ident iss root artifact _rest; do
  [ "$with" = identity ] || continue
  total=$((total + 1))
  rm -rf "$W/conf"
  "$PY" "$TOP/tests/lib/bundle_referrer_oci.py" "$CONF/$artifact" "$W/conf" "$CONF/$case/bundle.sigstore.json"
  cmd=verify
  grep -q '"dsseEnvelope"' "$CONF/$case/bundle.sigstore.json" && cmd=verify-attestation
  rc=0
  timeout 60 "$BULWARK" "$cmd" "oci:$W/conf:v1" --keyless --certificate-identity "$ident" \
    --certificate-oidc-issuer "$iss" --trusted-root "$CONF/$root" >/dev/null 2>"$W/conf.err" || rc=$?
  [ -z "${KL_DEBUG:-}" ] || echo "#   $case $expect $rc: $(grep -v "no repository" "$W/conf.err" | head -1 | cut -c1-200)"
  if { [ "$expect" = pass ] && [ "$rc" = 0 ]; } || { [ "$expect" = fail ] && { [ "$rc" = 1 ] || [ "$rc" = 3 ]; }; }; then
    right=$((right + 1))
  else
    wrong="$wrong $case(exit $rc: $(grep -v 'no repository' "$W/conf.err" | head -1 | cut -c1-160))"
  fi
done < <(tail -n +2 "$CONF/cases.tsv")
t_check "conformance bundles as image referrers: $right of $total keyless cases right${wrong:+:$wrong}" \
  [ "$right" = "$total" ] && [ "$total" -ge 40 ]

# ------------------------------------------------------------------ OCI 1.1 referrers (sigstore bundles)
attach layout=referrer --referrers-only
kv "referrer: message-signature bundle verifies" 0 "signed by $ID" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer-dsse --referrers-only
kv "referrer: cosign v3 DSSE signature bundle verifies" 0 "signed by $ID" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
t_check "referrer: the statement is printed" grep -qF "https://sigstore.dev/cosign/sign/v1" "$W/out"
kv "referrer: wrong identity" 1 "identity" -- verify "${CA[@]}" "$IMG" --keyless \
  --certificate-identity https://example.com/other --certificate-oidc-issuer "$ISS" --trusted-root "$PKI/trusted_root.json"
kv "referrer: wrong issuer" 1 "issuer" -- verify "${CA[@]}" "$IMG" --keyless \
  --certificate-identity "$ID" --certificate-oidc-issuer https://other.example.com --trusted-root "$PKI/trusted_root.json"
attach layout=referrer,for=$B_D --referrers-only
kv "referrer: another image's message signature" 1 "messageDigest" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer-dsse,for=$B_D --referrers-only
kv "referrer: another image's DSSE statement" 1 "subject" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer-dsse,tamper=payload --referrers-only
kv "referrer: tampered DSSE payload" 1 "signature" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer,tamper=set --referrers-only
kv "referrer: tampered SET" 1 "signed entry timestamp" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer,ca=untrusted --referrers-only
kv "referrer: certificate from an untrusted CA" 1 "chain" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer,certtime=expired --referrers-only
kv "referrer: certificate expired at the integrated time" 1 "validity" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer,sct=none --referrers-only
kv "referrer: certificate without an SCT" 1 "SCT" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=referrer-dsse,predicate=https://slsa.dev/provenance/v1 --referrers-only
kv "referrer: an attestation is not a signature" 1 "not a signature" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
kv "verify-attestation --keyless: the attestation verifies" 0 "signed by $ID" -- verify-attestation "${CA[@]}" "$IMG" "${KL[@]}"
t_check "verify-attestation --keyless: the statement is printed" grep -qF "https://slsa.dev/provenance/v1" "$W/out"
kv "verify-attestation --keyless --type: another predicate is not counted" 1 "no keyless attestations found" -- \
  verify-attestation "${CA[@]}" "$IMG" "${KL[@]}" --type cyclonedx
attach layout=classic layout=referrer
kv "both layouts: two signatures verified" 0 "2 signatures verified" -- verify "${CA[@]}" "$IMG" "${KL[@]}"

# ------------------------------------------------------------------ hostile
attach --raw-layers 10000
start=$(date +%s%N)
kv "hostile: 10,000 signature layers are refused" 3 "more than the 1000 signatures" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_check "hostile: 10,000 layers refused in under 5 s ($ms ms)" [ "$ms" -lt 5000 ]
attach --raw-layers 50
kv "hostile: 50 malformed keyless layers: each refused, exit 3" 3 "50 malformed" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach --big-annotation 3000000
start=$(date +%s%N)
kv "hostile: a 3 MB certificate annotation is refused" 3 "annotation" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_check "hostile: the huge annotation refused in under 5 s ($ms ms)" [ "$ms" -lt 5000 ]
attach --raw-referrers 10000
start=$(date +%s%N)
kv "hostile: a referrers index of 10,000 entries is refused" 3 "more than" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_check "hostile: the 10,000-entry referrers index refused in under 5 s ($ms ms)" [ "$ms" -lt 5000 ]
attach --raw-referrers 200
kv "hostile: 200 malformed referrer bundles: each refused, exit 3" 3 "200 malformed" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
attach layout=classic
kv "hostile: a valid signature after the hostile ones still verifies" 0 "" -- verify "${CA[@]}" "$IMG" "${KL[@]}"
