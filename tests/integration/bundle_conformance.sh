#!/usr/bin/env bash
# tests/integration/bundle_conformance.sh: every offline sigstore-conformance
# bundle-verify case in ../shared/data/signing/conformance/, run the way the
# suite's test_verify runs a client (through tests/conformance/bulwark-conformance):
# --key when the case has key.pub, else the identity pair (the case's identity
# and issuer files, or the suite's defaults); --trusted-root only when the case
# has its own trusted_root.json; the case's artifact, else a.txt. A folder
# ending in _fail must be rejected (non-zero, one line naming the reason), any
# other must verify (exit 0). The expectation comes from the upstream folder
# names and is cross-checked against cases.tsv. Closing line: N of M right.
#
# Then the digest form of FILE_OR_DIGEST (sha256:<hex> of a.txt verifies, of
# another file does not) and the protocol's path-before-digest rule.
. "$(dirname "$0")/../lib/harness.sh"
CONF=$SHARED/data/signing/conformance
CLIENT=$TOP/tests/conformance/bulwark-conformance
export BULWARK SHARED

if [ ! -d "$CONF" ]; then
  t_skip "bundle conformance" "../shared/data/signing/conformance is absent"
  exit 0
fi

DEF_ID=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
DEF_ISS=https://token.actions.githubusercontent.com

right=0 total=0
for dir in "$CONF"/*/; do
  dir=${dir%/}
  case=$(basename "$dir")
  [ -f "$dir/bundle.sigstore.json" ] || continue
  total=$((total + 1))
  expect=pass
  case $case in *_fail) expect=fail ;; esac
  tsv=$(awk -F'\t' -v c="$case" '$1 == c { print $2 }' "$CONF/cases.tsv")
  if [ "$tsv" != "$expect" ]; then
    t_fail "conformance $case" "cases.tsv says [$tsv], the folder name says [$expect]"
    continue
  fi
  args=(verify-bundle --bundle "$dir/bundle.sigstore.json")
  if [ -f "$dir/key.pub" ]; then
    args+=(--key "$dir/key.pub")
  else
    id=$DEF_ID iss=$DEF_ISS
    [ -f "$dir/identity" ] && id=$(cat "$dir/identity")
    [ -f "$dir/issuer" ] && iss=$(cat "$dir/issuer")
    args+=(--certificate-identity "$id" --certificate-oidc-issuer "$iss")
  fi
  [ -f "$dir/trusted_root.json" ] && args+=(--trusted-root "$dir/trusted_root.json")
  if [ -f "$dir/artifact" ]; then args+=("$dir/artifact"); else args+=("$CONF/a.txt"); fi

  rc=0
  timeout 60 "$CLIENT" "${args[@]}" >"$TMPROOT/out" 2>"$TMPROOT/err" || rc=$?
  if [ "$expect" = pass ]; then
    if [ $rc = 0 ] && grep -q '^Verified OK' "$TMPROOT/out"; then
      t_ok "conformance $case: verifies"; right=$((right + 1))
    else
      t_fail "conformance $case" "must verify, exit $rc: $(head -c 300 "$TMPROOT/err")"
    fi
  else
    lines=$(grep -c '' "$TMPROOT/err")
    if [ $rc != 0 ] && [ $rc -lt 124 ] && [ "$lines" = 1 ] && grep -q '^bulwark: ' "$TMPROOT/err"; then
      t_ok "conformance $case: rejected ($(cut -c10-130 "$TMPROOT/err"))"; right=$((right + 1))
    else
      t_fail "conformance $case" "must be rejected with one line, exit $rc, stderr: $(head -c 300 "$TMPROOT/err")"
    fi
  fi
done
rows=$(($(grep -c '' "$CONF/cases.tsv") - 1))
t_eq "conformance: every case in cases.tsv has a folder" "$rows" "$total"
echo "# bundle conformance: $right of $total cases right"
t_eq "conformance: all cases right" "$total of $total" "$right of $total"

# ---------------------------------------------------------------- FILE_OR_DIGEST
hex=$(sha256sum "$CONF/a.txt" | cut -d' ' -f1)
t_run_expect "digest form: sha256 of a.txt verifies" 0 "" -- \
  "$CLIENT" verify-bundle --bundle "$CONF/happy-path-v0.3/bundle.sigstore.json" \
  --certificate-identity "$DEF_ID" --certificate-oidc-issuer "$DEF_ISS" "sha256:$hex"
other=$(printf 'not a.txt' | sha256sum | cut -d' ' -f1)
t_run_expect "digest form: another digest is rejected" 1 "messageDigest" -- \
  "$CLIENT" verify-bundle --bundle "$CONF/happy-path-v0.3/bundle.sigstore.json" \
  --certificate-identity "$DEF_ID" --certificate-oidc-issuer "$DEF_ISS" "sha256:$other"
# An existing path wins over the digest reading (the protocol's rule).
mkdir -p "$TMPROOT/d"
printf 'not a.txt' >"$TMPROOT/d/sha256:$hex"
(cd "$TMPROOT/d" && t_run_expect "digest form: an existing file named like a digest is a file" 1 "messageDigest" -- \
  "$CLIENT" verify-bundle --bundle "$CONF/happy-path-v0.3/bundle.sigstore.json" \
  --certificate-identity "$DEF_ID" --certificate-oidc-issuer "$DEF_ISS" "sha256:$hex")
# DSSE bundles: the digest must be a subject of the statement.
t_run_expect "digest form: DSSE subject digest verifies" 0 "" -- \
  "$CLIENT" verify-bundle --bundle "$CONF/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" \
  --certificate-identity "$DEF_ID" --certificate-oidc-issuer "$DEF_ISS" "sha256:$hex"
t_run_expect "digest form: DSSE non-subject digest is rejected" 1 "not a subject" -- \
  "$CLIENT" verify-bundle --bundle "$CONF/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" \
  --certificate-identity "$DEF_ID" --certificate-oidc-issuer "$DEF_ISS" "sha256:$other"

# ---------------------------------------------------------------- identity policy
B=$CONF/happy-path-v0.3/bundle.sigstore.json
t_run_expect "policy: wrong identity is rejected" 1 "certificate identity" -- \
  "$CLIENT" verify-bundle --bundle "$B" --certificate-identity "${DEF_ID}x" \
  --certificate-oidc-issuer "$DEF_ISS" "$CONF/a.txt"
t_run_expect "policy: wrong issuer is rejected" 1 "OIDC issuer" -- \
  "$CLIENT" verify-bundle --bundle "$B" --certificate-identity "$DEF_ID" \
  --certificate-oidc-issuer "https://accounts.google.com" "$CONF/a.txt"
t_run_expect "policy: identity regexp matches" 0 "" -- \
  "$BULWARK" verify-bundle --bundle "$B" --certificate-identity-regexp '^https://github\.com/sigstore-conformance/.*@refs/heads/main$' \
  --certificate-oidc-issuer "$DEF_ISS" --trusted-root "$CONF/production_trusted_root.json" "$CONF/a.txt"
t_run_expect "policy: identity regexp that does not match" 1 "does not match" -- \
  "$BULWARK" verify-bundle --bundle "$B" --certificate-identity-regexp '^https://github\.com/someone-else/' \
  --certificate-oidc-issuer "$DEF_ISS" --trusted-root "$CONF/production_trusted_root.json" "$CONF/a.txt"
t_run_expect "policy: GitHub workflow repository and ref match" 0 "" -- \
  "$BULWARK" verify-bundle --bundle "$B" --certificate-identity "$DEF_ID" --certificate-oidc-issuer "$DEF_ISS" \
  --certificate-github-workflow-repository sigstore-conformance/extremely-dangerous-public-oidc-beacon \
  --certificate-github-workflow-ref refs/heads/main --trusted-root "$CONF/production_trusted_root.json" "$CONF/a.txt"
t_run_expect "policy: GitHub workflow repository mismatch" 1 "workflow repository" -- \
  "$BULWARK" verify-bundle --bundle "$B" --certificate-identity "$DEF_ID" --certificate-oidc-issuer "$DEF_ISS" \
  --certificate-github-workflow-repository someone/else --trusted-root "$CONF/production_trusted_root.json" "$CONF/a.txt"
t_run_expect "usage: no identity and no key" 2 "identity" -- \
  "$BULWARK" verify-bundle --bundle "$B" --trusted-root "$CONF/production_trusted_root.json" "$CONF/a.txt"
t_run_expect "managed key: a certificate bundle with --key is rejected" 1 "certificate" -- \
  "$BULWARK" verify-bundle --bundle "$B" --key "$CONF/managed-key-happy-path/key.pub" \
  --trusted-root "$CONF/production_trusted_root.json" "$CONF/a.txt"
openssl ecparam -name prime256v1 -genkey -noout -out "$TMPROOT/other.key" 2>/dev/null
openssl ec -in "$TMPROOT/other.key" -pubout -out "$TMPROOT/other.pub" 2>/dev/null
t_run_expect "managed key: another key is rejected" 1 "signature" -- \
  "$BULWARK" verify-bundle --bundle "$CONF/managed-key-happy-path/bundle.sigstore.json" --key "$TMPROOT/other.pub" \
  --trusted-root "$CONF/production_trusted_root.json" "$CONF/a.txt"
