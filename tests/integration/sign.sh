#!/usr/bin/env bash
# Signing, verification and attestations (issue 10), proven against independent code and real
# signatures: Debian's docker-registry on 127.0.0.1 (TLS) holds fixture images; what bulwark
# attaches is read back with plain skopeo and checked by tests/oracles/cosign_oracle.py (Python,
# python3-cryptography + python3-nacl, written from the format descriptions); the oracle signs
# with a real cosign key and bulwark verifies; containers/image's real cosign and skopeo
# signatures verify or fail as their SOURCES.md says; tampering is rejected with the reason;
# keys in cosign's format load or are refused as cosign does; SoftHSM2 signs through a
# pkcs11: URI; the DSSE spec vectors and in-toto statement cases give their expected results.
. "$(dirname "$0")/../lib/harness.sh"
. "$TOP/tests/lib/registry.sh"

need_shared "sign" || exit 0
SIGN_DATA=$SHARED/data/signing
[ -n "${FIXTURES:-}" ] || FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || {
  t_fail "sign fixtures" "tests/lib/fixtures.sh failed"
  exit 0
}
for c in docker-registry skopeo openssl jq curl softhsm2-util pkcs11-tool; do
  command -v "$c" >/dev/null || { t_fail "sign: $c" "not installed (scripts/install-deps.sh)"; exit 0; }
done
/usr/bin/python3 -c 'import nacl.secret, cryptography' 2>/dev/null ||
  { t_fail "sign: python3-nacl, python3-cryptography" "not installed (scripts/install-deps.sh)"; exit 0; }
SIGTOOL=${SIGTOOL:-$(dirname "$BULWARK")/bw-sigtool}
ORACLE=(/usr/bin/python3 "$TOP/tests/oracles/cosign_oracle.py")

W=$TMPROOT/sign
rm -rf "$W"
mkdir -p "$W"
REG_PKI=$W/pki
trap reg_stop_all EXIT
reg_pki "$REG_PKI" || { t_fail "sign: registry pki" "openssl failed"; exit 0; }
reg_start "$W/reg" none || { t_fail "sign: registry starts" "$(tail -3 "$W/reg/registry.log")"; exit 0; }
R=127.0.0.1:$REG_PORT
mkdir -p "$W/certs"
cp "$REG_PKI/ca.crt" "$W/certs/ca.crt"
SK=(--cert-dir "$W/certs")
CA=(--ca-file "$REG_PKI/ca.crt")
for img in rpm-root kitchen-sink; do
  skopeo copy -q --dest-cert-dir "$W/certs" "oci:$FIXTURES/$img/oci:latest" "docker://$R/fixtures/$img:v1" \
    2>"$W/skopeo.err" || t_fail "skopeo copy $img into the registry" "$(head -c 300 "$W/skopeo.err")"
done
digest_of() { skopeo inspect "${SK[@]}" --format '{{.Digest}}' "docker://$1" 2>/dev/null; }
RPM_D=$(digest_of "$R/fixtures/rpm-root:v1")
KS_D=$(digest_of "$R/fixtures/kitchen-sink:v1")
t_check "sign: fixture digests known" [ -n "$RPM_D" ] && [ -n "$KS_D" ]
sigtag() { echo "${1/:/-}.${2:-sig}"; }

# bv NAME WANT-EXIT [GREP-STDERR] -- bulwark args: runs bulwark, checks exit and (optionally) a reason
bv() {
  local name=$1 want=$2 msg=$3 rc=0; shift 4
  timeout 120 "$BULWARK" "$@" >"$W/out" 2>"$W/err" || rc=$?
  if [ "$rc" != "$want" ]; then
    t_fail "$name" "exit $rc, want $want: $(head -c 400 "$W/err")"
  elif [ -n "$msg" ] && ! grep -qiF -- "$msg" "$W/err"; then
    t_fail "$name" "stderr lacks [$msg]: $(head -c 400 "$W/err")"
  else
    t_ok "$name"
  fi
}

# ------------------------------------------------------------------ keys
export BULWARK_PASSWORD=correct-horse
cd "$W" || exit 0
bv "key generate (default ecdsa-p256)" 0 "" -- key generate --prefix "$W/k1"
t_check "key generate: the private key is mode 0600" [ "$(stat -c %a "$W/k1.key")" = 600 ]
t_check "key generate: PEM label ENCRYPTED COSIGN PRIVATE KEY" grep -q '^-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----$' "$W/k1.key"
out=$(ORACLE_PASSWORD=correct-horse "${ORACLE[@]}" decrypt "$W/k1.key" "$W/k1.pub" 2>&1)
t_eq "key generate: the oracle decrypts k1.key to k1.pub's key" "ok ec" "$out"
for alg in ecdsa-p384 ecdsa-p521 ed25519 rsa-3072; do
  bv "key generate --algorithm $alg" 0 "" -- key generate --prefix "$W/k-$alg" --algorithm "$alg"
  out=$(ORACLE_PASSWORD=correct-horse "${ORACLE[@]}" decrypt "$W/k-$alg.key" "$W/k-$alg.pub" 2>&1)
  t_check "key generate --algorithm $alg: the oracle decrypts it ($out)" [ "${out#ok }" != "$out" ]
done
bv "key generate: an existing key is not overwritten" 2 "already exists" -- key generate --prefix "$W/k1"
bv "key generate --algorithm rsa-1024 refused" 2 "--algorithm" -- key generate --prefix "$W/kbad" --algorithm rsa-1024
BULWARK_PASSWORD= bv "key generate: an empty password needs --empty-password" 2 "empty-password" -- key generate --prefix "$W/ke"
bv "key generate --empty-password" 0 "" -- key generate --prefix "$W/ke" --empty-password
out=$(ORACLE_PASSWORD= "${ORACLE[@]}" decrypt "$W/ke.key" "$W/ke.pub" 2>&1)
t_eq "key generate --empty-password: the oracle decrypts with the empty password" "ok ec" "$out"
rc=0; env -u BULWARK_PASSWORD setsid "$BULWARK" key generate --prefix "$W/knp" </dev/null >/dev/null 2>"$W/err" || rc=$?
t_check "key generate: no password and no terminal is a usage error" [ "$rc" = 2 ] && grep -q BULWARK_PASSWORD "$W/err"
bv "key generate --sigstore-label" 0 "" -- key generate --prefix "$W/ks" --sigstore-label
t_check "key generate --sigstore-label: PEM label ENCRYPTED SIGSTORE PRIVATE KEY" grep -q 'BEGIN ENCRYPTED SIGSTORE PRIVATE KEY' "$W/ks.key"
bv "key public: the label SIGSTORE key loads" 0 "" -- key public --key "$W/ks.key"
t_check "key public: equals the .pub written" cmp -s "$W/out" "$W/ks.pub"
BULWARK_PASSWORD=wrong bv "key public: a wrong password is refused" 2 "decryption failed" -- key public --key "$W/k1.key"
KEYVAR=$(cat "$W/k1.key"); export KEYVAR
bv "key public --key env://KEYVAR" 0 "" -- key public --key env://KEYVAR
t_check "key public env://: the same public key" cmp -s "$W/out" "$W/k1.pub"

CK=$SIGN_DATA/cosign-keys
for k in encrypted-sigstore-ec encrypted-cosign-ec; do
  BULWARK_PASSWORD=hello bv "cosign key $k loads (passphrase hello)" 0 "" -- key public --key "$CK/$k.key"
  t_check "cosign key $k: public key equals $k.pub" cmp -s "$W/out" "$CK/$k.pub"
done
BULWARK_PASSWORD= bv "cosign key policy-controller-example loads (empty passphrase)" 0 "" -- key public --key "$CK/policy-controller-example.key"
t_check "cosign key policy-controller-example: equals upstream .pub" cmp -s "$W/out" "$CK/policy-controller-example.pub"
BULWARK_PASSWORD=hello bv "cosign key encrypted-cosign-ec-sec1_reject is refused (SEC1, not PKCS#8)" 3 "not PKCS#8" -- key public --key "$CK/encrypted-cosign-ec-sec1_reject.key"
BULWARK_PASSWORD=wrong bv "cosign key with a wrong passphrase is refused" 2 "decryption failed" -- key public --key "$CK/encrypted-sigstore-ec.key"
rc=0; "$SIGTOOL" keyfile "$CK/cosign-test-ci.key" >/dev/null 2>&1 || rc=$?
t_eq "cosign-test-ci.key parses (passphrase unknown: parse only)" 0 "$rc"

# cosign import-key-pair's test keys: the valid ones import (and decrypt independently), the rest
# are refused for the reason cosign gives
mkdir -p "$W/imp"
for f in "$CK"/import/*; do
  n=$(basename "$f"); n=${n%.*}
  case $n in
    *_reject)
      case $n in
        invalidrsawithpubkey*) why="unsupported private key" ;;
        invalidrsasmallkey*) why="RSA key size 1024 is not supported" ;;
        invalidrsalargekey*) why="RSA key size 5120 is not supported" ;;
        invalidecp224*) why="curve secp224r1 is not allowed" ;;
        invalidecunsupported-secp256k1*) why="curve secp256k1 is not allowed" ;;
        invalidkey-pgp*) why="invalid pem block" ;;
        *) why="" ;;
      esac
      BULWARK_PASSWORD=hello bv "key import $n is refused" 3 "$why" -- key import --key "$f" --prefix "$W/imp/$n"
      t_check "key import $n wrote nothing" bash -c "[ ! -e '$W/imp/$n.key' ] && [ ! -e '$W/imp/$n.pub' ]"
      ;;
    *)
      BULWARK_PASSWORD=hello bv "key import $n" 0 "" -- key import --key "$f" --prefix "$W/imp/$n"
      out=$(ORACLE_PASSWORD=hello "${ORACLE[@]}" decrypt "$W/imp/$n.key" "$W/imp/$n.pub" 2>&1)
      t_check "key import $n: the oracle decrypts it ($out)" [ "${out#ok }" != "$out" ]
      ;;
  esac
done

# ------------------------------------------------------------------ sign a registry image, read back by skopeo + oracle
bv "sign registry image" 0 "" -- sign "$R/fixtures/rpm-root:v1" --key "$W/k1.key" -a team=sec "${CA[@]}"
SIGT=$(sigtag "$RPM_D")
skopeo inspect "${SK[@]}" --raw "docker://$R/fixtures/rpm-root:$SIGT" >"$W/sig.json" 2>"$W/skopeo.err"
t_eq "sign: skopeo reads the .sig manifest (OCI media type)" "application/vnd.oci.image.manifest.v1+json" "$(jq -r .mediaType "$W/sig.json")"
t_eq "sign: layer media type is cosign's simplesigning" "application/vnd.dev.cosign.simplesigning.v1+json" "$(jq -r '.layers[0].mediaType' "$W/sig.json")"
t_check "sign: the signature annotation is base64 DER (0x30...)" bash -c "jq -r '.layers[0].annotations[\"dev.cosignproject.cosign/signature\"]' '$W/sig.json' | base64 -d | head -c1 | od -An -tx1 | grep -q 30"
rm -rf "$W/sigcopy"
skopeo copy -q --src-cert-dir "$W/certs" "docker://$R/fixtures/rpm-root:$SIGT" "oci:$W/sigcopy:s" 2>"$W/skopeo.err" ||
  t_fail "sign: skopeo copy of the .sig tag" "$(head -c 300 "$W/skopeo.err")"
out=$("${ORACLE[@]}" verify-sig "$W/sigcopy" s "$W/k1.pub" "$RPM_D" "$R/fixtures/rpm-root" 2>&1)
t_eq "sign: the independent verifier accepts bulwark's signature (skopeo copy of the tag)" "verified 1" "$out"
bv "verify registry image" 0 "" -- verify "$R/fixtures/rpm-root:v1" --key "$W/k1.pub" "${CA[@]}"
t_eq "verify prints the verified payload" "$RPM_D" "$(jq -r '.critical.image["docker-manifest-digest"]' "$W/out")"
t_eq "verify: payload identity is the repository" "$R/fixtures/rpm-root" "$(jq -r '.critical.identity["docker-reference"]' "$W/out")"
bv "verify -a team=sec" 0 "" -- verify "$R/fixtures/rpm-root:v1" --key "$W/k1.pub" -a team=sec "${CA[@]}"
bv "verify -a team=other fails with the reason" 1 "annotation team=other is not in the payload" -- verify "$R/fixtures/rpm-root:v1" --key "$W/k1.pub" -a team=other "${CA[@]}"
bv "verify by digest reference" 0 "" -- verify "$R/fixtures/rpm-root@$RPM_D" --key "$W/k1.pub" "${CA[@]}"
bv "verify with another key fails" 1 "does not verify with the key" -- verify "$R/fixtures/rpm-root:v1" --key "$W/ke.pub" "${CA[@]}"
bv "sign again with another key (appended)" 0 "" -- sign "$R/fixtures/rpm-root:v1" --key "$W/k-ecdsa-p384.key" "${CA[@]}"
t_eq "sign: the second signature is appended (2 layers)" 2 "$(skopeo inspect "${SK[@]}" --raw "docker://$R/fixtures/rpm-root:$SIGT" 2>/dev/null | jq '.layers | length')"
bv "verify with the first key after appending" 0 "1 signature verified" -- verify "$R/fixtures/rpm-root:v1" --key "$W/k1.pub" "${CA[@]}"
bv "verify with the P-384 key" 0 "1 signature verified" -- verify "$R/fixtures/rpm-root:v1" --key "$W/k-ecdsa-p384.pub" "${CA[@]}"
t_check "verify: the other signature's failure is reported" grep -q "layer 1: the signature does not verify" "$W/err"
bv "verify: no signatures on an unsigned image" 1 "no signatures found" -- verify "$R/fixtures/kitchen-sink:v1" --key "$W/k1.pub" "${CA[@]}"

# the oracle signs with a real cosign key; bulwark verifies
rm -rf "$W/pysig"
ORACLE_PASSWORD=hello "${ORACLE[@]}" sign-sig "$CK/encrypted-cosign-ec.key" "$KS_D" "$R/fixtures/kitchen-sink" "$W/pysig" >"$W/oracle.out" 2>&1 ||
  t_fail "oracle sign-sig" "$(head -c 300 "$W/oracle.out")"
skopeo copy -q --dest-cert-dir "$W/certs" "oci:$W/pysig:sig" "docker://$R/fixtures/kitchen-sink:$(sigtag "$KS_D")" 2>"$W/skopeo.err" ||
  t_fail "skopeo copy of the oracle's signature" "$(head -c 300 "$W/skopeo.err")"
bv "verify: the oracle's signature with cosign's encrypted-cosign-ec key" 0 "1 signature verified" -- verify "$R/fixtures/kitchen-sink:v1" --key "$CK/encrypted-cosign-ec.pub" "${CA[@]}"
t_eq "verify: the oracle's payload printed as stored" "python-oracle" "$(jq -r .optional.signer "$W/out")"
bv "verify: the oracle's signature with another key fails" 1 "does not verify" -- verify "$R/fixtures/kitchen-sink:v1" --key "$W/k1.pub" "${CA[@]}"

# ------------------------------------------------------------------ tampering (registry)
# the image altered by one byte: a manifest with one more byte, the old signatures moved to it
skopeo inspect "${SK[@]}" --raw "docker://$R/fixtures/rpm-root:v1" >"$W/m.json" 2>/dev/null
MT=$(jq -r '.mediaType // "application/vnd.oci.image.manifest.v1+json"' "$W/m.json")
sed -i '1s/^{/{ /' "$W/m.json" # one byte more, the same JSON
curl -s --cacert "$REG_PKI/ca.crt" -X PUT -H "Content-Type: $MT" --data-binary @"$W/m.json" \
  "https://$R/v2/fixtures/rpm-root/manifests/tampered" -o "$W/put.out"
T_D=sha256:$(sha256sum "$W/m.json" | cut -c1-64)
t_eq "tamper: the altered manifest is in the registry" "$T_D" "$(digest_of "$R/fixtures/rpm-root:tampered")"
bv "tamper: altered image without its own signatures" 1 "no signatures found" -- verify "$R/fixtures/rpm-root:tampered" --key "$W/k1.pub" "${CA[@]}"
skopeo copy -q --src-cert-dir "$W/certs" --dest-cert-dir "$W/certs" "docker://$R/fixtures/rpm-root:$SIGT" \
  "docker://$R/fixtures/rpm-root:$(sigtag "$T_D")" 2>/dev/null
bv "tamper: altered image with the original signatures moved to it" 1 "the payload is for $RPM_D, the image is $T_D" -- verify "$R/fixtures/rpm-root:tampered" --key "$W/k1.pub" "${CA[@]}"
# a signature for another repository: the image and its .sig copied elsewhere
skopeo copy -q --src-cert-dir "$W/certs" --dest-cert-dir "$W/certs" "docker://$R/fixtures/rpm-root:v1" "docker://$R/other/rpm-root:v1" 2>/dev/null
skopeo copy -q --src-cert-dir "$W/certs" --dest-cert-dir "$W/certs" "docker://$R/fixtures/rpm-root:$SIGT" "docker://$R/other/rpm-root:$SIGT" 2>/dev/null
bv "tamper: a signature made for another repository" 1 "identity $R/fixtures/rpm-root does not match $R/other/rpm-root" -- verify "$R/other/rpm-root:v1" --key "$W/k1.pub" "${CA[@]}"
bv "verify --identity naming the signed repository accepts it" 0 "" -- verify "$R/other/rpm-root:v1" --key "$W/k1.pub" --identity "$R/fixtures/rpm-root" "${CA[@]}"

# ------------------------------------------------------------------ OCI layouts, tampered byte by byte
rm -rf "$W/lay"
cp -r "$FIXTURES/rpm-root/oci" "$W/lay"
bv "sign oci: layout" 0 "" -- sign "oci:$W/lay:latest" --key "$W/k1.key"
LD=$(jq -r '.manifests[0].digest' "$FIXTURES/rpm-root/oci/index.json")
t_eq "sign oci: skopeo reads the .sig tag inside the layout" "application/vnd.dev.cosign.simplesigning.v1+json" \
  "$(skopeo inspect --raw "oci:$W/lay:$(sigtag "$LD")" 2>/dev/null | jq -r '.layers[0].mediaType')"
out=$("${ORACLE[@]}" verify-sig "$W/lay" "$(sigtag "$LD")" "$W/k1.pub" "$LD" localhost/lay 2>&1)
t_eq "sign oci: the independent verifier accepts it" "verified 1" "$out"
bv "verify oci: layout" 0 "1 signature verified" -- verify "oci:$W/lay:latest" --key "$W/k1.pub"
# every algorithm key generate offers signs what the independent verifier accepts
for alg in ecdsa-p384 ecdsa-p521 ed25519 rsa-3072; do
  rm -rf "$W/lay-$alg"; cp -r "$FIXTURES/rpm-root/oci" "$W/lay-$alg"
  "$BULWARK" -q sign "oci:$W/lay-$alg:latest" --key "$W/k-$alg.key" >/dev/null 2>&1
  out=$("${ORACLE[@]}" verify-sig "$W/lay-$alg" "$(sigtag "$LD")" "$W/k-$alg.pub" "$LD" "localhost/lay-$alg" 2>&1)
  t_eq "sign with $alg: the independent verifier accepts it" "verified 1" "$out"
  bv "verify with $alg" 0 "1 signature verified" -- verify "oci:$W/lay-$alg:latest" --key "$W/k-$alg.pub"
done
# tamper.py LAYOUT TAG WHAT: rewrites the one signature layer under TAG with WHAT altered by one byte
cat >"$W/tamper.py" <<'PY'
import base64, hashlib, json, os, sys
lay, tag, what = sys.argv[1:]
def path(d): return os.path.join(lay, "blobs", "sha256", d.split(":")[1])
def put(b):
    d = "sha256:" + hashlib.sha256(b).hexdigest()
    open(path(d), "wb").write(b)
    return d
idx = json.load(open(os.path.join(lay, "index.json")))
ent = [m for m in idx["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag][0]
man = json.load(open(path(ent["digest"])))
layer = man["layers"][-1]
if what == "payload":
    p = bytearray(open(path(layer["digest"]), "rb").read())
    i = p.index(b"docker-reference") + 20
    p[i] ^= 1
    layer["digest"] = put(bytes(p))
elif what == "signature":
    s = bytearray(base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"]))
    s[-1] ^= 1
    layer["annotations"]["dev.cosignproject.cosign/signature"] = base64.b64encode(bytes(s)).decode()
elif what == "junk-base64":
    layer["annotations"]["dev.cosignproject.cosign/signature"] = "!!not base64!!"
m = json.dumps(man).encode()
ent["digest"], ent["size"] = put(m), len(m)
json.dump(idx, open(os.path.join(lay, "index.json"), "w"))
PY
for what in payload signature junk-base64; do
  rm -rf "$W/t-$what"; cp -r "$W/lay" "$W/t-$what"
  /usr/bin/python3 "$W/tamper.py" "$W/t-$what" "$(sigtag "$LD")" "$what"
done
bv "tamper oci: payload altered by one byte" 1 "does not verify with the key" -- verify "oci:$W/t-payload:latest" --key "$W/k1.pub"
bv "tamper oci: signature altered by one byte" 1 "does not verify with the key" -- verify "oci:$W/t-signature:latest" --key "$W/k1.pub"
bv "tamper oci: signature annotation not base64 (malformed: exit 3)" 3 "not valid base64" -- verify "oci:$W/t-junk-base64:latest" --key "$W/k1.pub"
rm -rf "$W/t-image"; cp -r "$W/lay" "$W/t-image"
MB=$W/t-image/blobs/sha256/${LD#sha256:}
chmod u+w "$MB"; printf ' ' >>"$MB"
bv "tamper oci: image manifest altered by one byte" 3 "hashes to" -- verify "oci:$W/t-image:latest" --key "$W/k1.pub"

# ------------------------------------------------------------------ containers/image's real signatures
CI=$SIGN_DATA/containers-image
# civ NAME FIXTURE PUB IDENTITY WANT-EXIT [REASON]
civ() {
  local name=$1 fx=$2 pub=$3 ident=$4 want=$5 msg=${6:-} d=$W/ci-$2
  [ -d "$d" ] || "${ORACLE[@]}" fixture2oci "$CI/$fx" "$d" >/dev/null 2>&1 || { t_fail "$name" "fixture2oci $fx failed"; return; }
  bv "$name" "$want" "$msg" -- verify "oci:$d:latest" --key "$CI/$pub" ${ident:+--identity "$ident"}
}
SS=192.168.64.2:5000/cosign-signed-single-sample
civ "containers/image: cosign-valid with cosign.pub" dir-img-cosign-valid cosign.pub "$SS" 0
civ "containers/image: cosign-valid, exact identity with a tag (cosign signs no tag)" dir-img-cosign-valid cosign.pub "$SS:latest" 1 "does not match"
civ "containers/image: cosign-valid, identity testing/manifest:notlatest" dir-img-cosign-valid cosign.pub testing/manifest:notlatest 1 "does not match"
civ "containers/image: cosign-valid with cosign2.pub" dir-img-cosign-valid cosign2.pub "$SS" 1 "does not verify"
civ "containers/image: skopeo-made valid-with-tag, exact :tag" dir-img-cosign-valid-with-tag cosign.pub 192.168.64.2:5000/skopeo-signed:tag 0
civ "containers/image: valid-with-tag, exact :othertag" dir-img-cosign-valid-with-tag cosign.pub 192.168.64.2:5000/skopeo-signed:othertag 1 "does not match"
civ "containers/image: valid-2 (two signatures)" dir-img-cosign-valid-2 cosign.pub "$SS" 0 "2 signatures verified"
civ "containers/image: valid-2, identity this/does-not:match" dir-img-cosign-valid-2 cosign.pub this/does-not:match 1 "does not match"
civ "containers/image: mixed (one unknown-key, one valid)" dir-img-cosign-mixed cosign.pub "$SS" 0 "1 signature verified"
civ "containers/image: modified-manifest" dir-img-cosign-modified-manifest cosign.pub "$SS" 1 "the payload is for"
civ "containers/image: manifest-digest-error (schema1)" dir-img-cosign-manifest-digest-error cosign.pub "$SS" 1 "the payload is for"
civ "containers/image: no-manifest" dir-img-cosign-no-manifest cosign.pub "$SS" 3 ""
civ "containers/image: other-attachment (no signatures)" dir-img-cosign-other-attachment cosign.pub testing/manifest:latest 1 "no signatures found"
civ "containers/image: key-rekor-valid with cosign2.pub" dir-img-cosign-key-rekor-valid cosign2.pub 192.168.64.2:5000/cosign-signed/key-1 0
civ "containers/image: key-rekor-valid with cosign.pub" dir-img-cosign-key-rekor-valid cosign.pub 192.168.64.2:5000/cosign-signed/key-1 1 "does not verify"
civ "containers/image: fulcio-rekor-valid is keyless (a key does not verify it)" dir-img-cosign-fulcio-rekor-valid cosign.pub 192.168.64.2:5000/cosign-signed/fulcio-rekor-1 1 "keyless"
# unknown-cosign-key.signature alone, and the valid payload with its signature replaced by base64("invalid signature")
mkdir -p "$W/ci-unknown" && cp "$CI/dir-img-cosign-valid/manifest.json" "$W/ci-unknown/" && cp "$CI/unknown-cosign-key.signature" "$W/ci-unknown/signature-1"
"${ORACLE[@]}" fixture2oci "$W/ci-unknown" "$W/ci-unknown-oci" >/dev/null 2>&1
bv "containers/image: unknown-cosign-key.signature" 1 "does not verify" -- verify "oci:$W/ci-unknown-oci:latest" --key "$CI/cosign.pub" --identity "$SS"
mkdir -p "$W/ci-inv" && cp "$CI/dir-img-cosign-valid/manifest.json" "$W/ci-inv/"
/usr/bin/python3 - "$CI/dir-img-cosign-valid/signature-1" "$W/ci-inv/signature-1" <<'PY'
import base64, json, sys
raw = open(sys.argv[1], "rb").read()
pre = b"\x00sigstore-json\n"
doc = json.loads(raw[len(pre):])
doc["annotations"]["dev.cosignproject.cosign/signature"] = base64.b64encode(b"invalid signature").decode()
open(sys.argv[2], "wb").write(pre + json.dumps(doc).encode())
PY
"${ORACLE[@]}" fixture2oci "$W/ci-inv" "$W/ci-inv-oci" >/dev/null 2>&1
bv "containers/image: valid payload, signature base64(\"invalid signature\")" 1 "does not verify" -- verify "oci:$W/ci-inv-oci:latest" --key "$CI/cosign.pub" --identity "$SS"

# ------------------------------------------------------------------ DSSE vectors and in-toto statements
D=$SIGN_DATA/dsse
"$SIGTOOL" dsse-vectors "$D/testvectors/vectors.json" "$D/testvectors" >"$W/dsse.got" 2>"$W/dsse.err"
jq -r '.vectors[] | "\(.id) \(.expect)"' "$D/testvectors/vectors.json" >"$W/dsse.want"
while read -r id want; do
  t_eq "DSSE vector $id" "$id $want" "$(grep "^$id " "$W/dsse.got")"
done <"$W/dsse.want"
out=$("$SIGTOOL" dsse-verify "$D/protocol-md/envelope.json" "$D/protocol-md/key.pub" 2>&1)
t_eq "DSSE protocol.md vector (raw r||s ECDSA) verifies" "verified 1" "$out"
t_eq "DSSE PAE of the spec vector is pae.bin" "$(cat "$D/protocol-md/pae.bin")" "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
for f in valid-v1 type-version-1 type-version-0.1; do
  rc=0; "$SIGTOOL" statement "$D/in-toto/statement-validation/$f.json" >/dev/null 2>&1 || rc=$?
  t_eq "in-toto statement $f is valid" 0 "$rc"
done
for f in bad-statement-type type-version-2 type-version-0.2 no-subjects subject-missing-RD-required-field \
         subject-missing-Statement-requirement-on-digest missing-predicate-type missing-predicate; do
  rc=0; "$SIGTOOL" statement "$D/in-toto/statement-validation/$f.json" >/dev/null 2>&1 || rc=$?
  t_eq "in-toto statement $f is invalid" 3 "$rc"
done

# ------------------------------------------------------------------ attestations
"$BULWARK" sbom --format cyclonedx "oci:$FIXTURES/kitchen-sink/oci:latest" >"$W/ks.cdx.json" 2>/dev/null
bv "attest --type cyclonedx (kitchen-sink SBOM)" 0 "" -- attest "$R/fixtures/kitchen-sink:v1" --type cyclonedx --predicate "$W/ks.cdx.json" --key "$W/k1.key" "${CA[@]}"
ATT=$(sigtag "$KS_D" att)
t_eq "attest: layer media type is DSSE" "application/vnd.dsse.envelope.v1+json" \
  "$(skopeo inspect "${SK[@]}" --raw "docker://$R/fixtures/kitchen-sink:$ATT" 2>/dev/null | jq -r '.layers[0].mediaType')"
rm -rf "$W/attcopy"
skopeo copy -q --src-cert-dir "$W/certs" "docker://$R/fixtures/kitchen-sink:$ATT" "oci:$W/attcopy:a" 2>/dev/null
out=$("${ORACLE[@]}" verify-att "$W/attcopy" a "$W/k1.pub" "$KS_D" https://cyclonedx.org/bom 2>&1)
t_eq "attest: the independent verifier accepts the DSSE envelope (PAE, statement, subject)" "verified 1" "$out"
bv "verify-attestation --type cyclonedx" 0 "1 attestation verified" -- verify-attestation "$R/fixtures/kitchen-sink:v1" --type cyclonedx --key "$W/k1.pub" "${CA[@]}"
t_eq "verify-attestation prints the statement with the SBOM" "$(jq -r '.components | length' "$W/ks.cdx.json")" "$(jq -r '.predicate.components | length' "$W/out")"
bv "verify-attestation --type spdx finds none" 1 "predicate type https://cyclonedx.org/bom, not https://spdx.dev/Document" -- verify-attestation "$R/fixtures/kitchen-sink:v1" --type spdx --key "$W/k1.pub" "${CA[@]}"
bv "verify-attestation with another key" 1 "DSSE signature does not verify" -- verify-attestation "$R/fixtures/kitchen-sink:v1" --type cyclonedx --key "$W/ke.pub" "${CA[@]}"
# the scan report too, under the same .att tag
"$BULWARK" scan --scanners license --format json "oci:$FIXTURES/kitchen-sink/oci:latest" >"$W/ks.scan.json" 2>/dev/null
SCANT=https://bulwark.dev/attestation/scan/v1
bv "attest the scan report (--type URI)" 0 "" -- attest "$R/fixtures/kitchen-sink:v1" --type "$SCANT" --predicate "$W/ks.scan.json" --key "$W/k1.key" "${CA[@]}"
rm -rf "$W/attcopy2"
skopeo copy -q --src-cert-dir "$W/certs" "docker://$R/fixtures/kitchen-sink:$ATT" "oci:$W/attcopy2:a" 2>/dev/null
t_eq "attest: the .att tag holds the SBOM and the scan (2 layers)" 2 "$(skopeo inspect --raw "oci:$W/attcopy2:a" 2>/dev/null | jq '.layers | length')"
out=$("${ORACLE[@]}" verify-att "$W/attcopy2" a "$W/k1.pub" "$KS_D" "$SCANT" 2>&1)
t_eq "attest: the independent verifier accepts the scan attestation" "verified 1" "$out"
bv "verify-attestation --type URI (the scan)" 0 "1 attestation verified" -- verify-attestation "$R/fixtures/kitchen-sink:v1" --type "$SCANT" --key "$W/k1.pub" "${CA[@]}"
t_eq "verify-attestation: the attested scan is the scan" "$(jq -c .summary "$W/ks.scan.json")" "$(jq -c .predicate.summary "$W/out")"
# a policy over the attested SBOM: the same verdict as `scan --policy` of the image itself
printf 'version: 1\nrules:\n  - name: no-adduser\n    action: fail\n    image:\n      forbidden_packages: ["adduser"]\n' >"$W/pol-fail.yaml"
printf 'version: 1\nrules:\n  - name: no-netcat\n    action: fail\n    image:\n      forbidden_packages: ["netcat*"]\n' >"$W/pol-pass.yaml"
for pol in fail pass; do
  rc=0; "$BULWARK" scan --scanners license "oci:$FIXTURES/kitchen-sink/oci:latest" --policy "$W/pol-$pol.yaml" >/dev/null 2>&1 || rc=$?
  bv "verify-attestation --policy ($pol): the verdict of scan --policy on the image (exit $rc)" "$rc" "policy $W/pol-$pol.yaml on the attested SBOM" -- \
    verify-attestation "$R/fixtures/kitchen-sink:v1" --type cyclonedx --key "$W/k1.pub" --policy "$W/pol-$pol.yaml" "${CA[@]}"
  cp "$W/err" "$W/pol-$pol.err"
done
t_check "verify-attestation --policy fail names the rule and package" grep -q "fail: no-adduser: adduser" "$W/pol-fail.err"
bv "verify-attestation --policy with a malformed policy is a usage error before any check" 2 "" -- \
  verify-attestation "$R/fixtures/kitchen-sink:v1" --type cyclonedx --key "$W/k1.pub" --policy "$W/ks.cdx.json" "${CA[@]}"
# scan --attest --key: the scan and its SBOM attested while scanning
rm -rf "$W/slay"; cp -r "$FIXTURES/kitchen-sink/oci" "$W/slay"
bv "scan --attest --key" 0 "attested the SBOM" -- scan --scanners license --format json "oci:$W/slay:latest" --attest --key "$W/k1.key"
cp "$W/out" "$W/slay.scan.json"
bv "scan --attest: the scan attestation verifies" 0 "1 attestation verified" -- verify-attestation "oci:$W/slay:latest" --type https://bulwark.dev/attestation/scan/v1 --key "$W/k1.pub"
t_eq "scan --attest: the attested scan is the report printed" "$(jq -c .summary "$W/slay.scan.json")" "$(jq -c .predicate.summary "$W/out")"
bv "scan --attest: the SBOM attestation verifies" 0 "1 attestation verified" -- verify-attestation "oci:$W/slay:latest" --type cyclonedx --key "$W/k1.pub"
t_eq "scan --attest: the attested SBOM has the scan's packages" "$(jq -r .summary.packages "$W/slay.scan.json")" \
  "$(jq '[.predicate.components[] | select(.type != "operating-system")] | length' "$W/out")"
bv "scan --attest without --key is a usage error" 2 "--attest and --key" -- scan "oci:$W/slay:latest" --attest
# tampering inside a layout: envelope payload, payload type, subject digest
rm -rf "$W/alay"; cp -r "$FIXTURES/rpm-root/oci" "$W/alay"
echo '{"scanner":"bulwark","critical":0}' >"$W/pred.json"
bv "attest oci: layout --type vuln" 0 "" -- attest "oci:$W/alay:latest" --type vuln --predicate "$W/pred.json" --key "$W/k1.key"
bv "verify-attestation oci: layout" 0 "" -- verify-attestation "oci:$W/alay:latest" --type vuln --key "$W/k1.pub"
cat >"$W/atamper.py" <<'PY'
import base64, hashlib, json, os, sys
lay, tag, what = sys.argv[1:]
def path(d): return os.path.join(lay, "blobs", "sha256", d.split(":")[1])
def put(b):
    d = "sha256:" + hashlib.sha256(b).hexdigest()
    open(path(d), "wb").write(b)
    return d
idx = json.load(open(os.path.join(lay, "index.json")))
ent = [m for m in idx["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag][0]
man = json.load(open(path(ent["digest"])))
layer = man["layers"][-1]
env = json.loads(open(path(layer["digest"]), "rb").read())
st = json.loads(base64.b64decode(env["payload"]))
if what == "payload":
    st["predicate"]["critical"] = 1
elif what == "type":
    env["payloadType"] = "application/vnd.in-toto+jsonx"
elif what == "subject":
    st["subject"][0]["digest"]["sha256"] = "0" * 64
if what != "type":
    env["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
b = json.dumps(env).encode()
layer["digest"], layer["size"] = put(b), len(b)
m = json.dumps(man).encode()
ent["digest"], ent["size"] = put(m), len(m)
json.dump(idx, open(os.path.join(lay, "index.json"), "w"))
PY
AD=$(jq -r '.manifests[0].digest' "$FIXTURES/rpm-root/oci/index.json")
for what in payload type subject; do
  rm -rf "$W/at-$what"; cp -r "$W/alay" "$W/at-$what"
  /usr/bin/python3 "$W/atamper.py" "$W/at-$what" "$(sigtag "$AD" att)" "$what"
done
bv "tamper attestation: statement altered" 1 "DSSE signature does not verify" -- verify-attestation "oci:$W/at-payload:latest" --type vuln --key "$W/k1.pub"
bv "tamper attestation: payload type altered" 1 "is not application/vnd.in-toto+json" -- verify-attestation "oci:$W/at-type:latest" --type vuln --key "$W/k1.pub"
bv "tamper attestation: subject digest altered" 1 "DSSE signature does not verify" -- verify-attestation "oci:$W/at-subject:latest" --type vuln --key "$W/k1.pub"
# a correctly signed statement about another image: the .att of rpm-root moved to kitchen-sink
skopeo copy -q --src-cert-dir "$W/certs" --dest-cert-dir "$W/certs" "oci:$W/alay:$(sigtag "$AD" att)" \
  "docker://$R/fixtures/kitchen-sink:$ATT" 2>/dev/null
bv "tamper attestation: a statement whose subject is another image" 1 "no subject of the statement has the image's digest" -- verify-attestation "$R/fixtures/kitchen-sink:v1" --type vuln --key "$W/k1.pub" "${CA[@]}"

# ------------------------------------------------------------------ referrers
bv "sign --referrers" 0 "" -- sign "$R/fixtures/kitchen-sink:v1" --key "$W/k1.key" --referrers "${CA[@]}"
bv "referrers lists the signature (fallback tag)" 0 "" -- referrers "$R/fixtures/kitchen-sink:v1" --format json "${CA[@]}"
t_eq "referrers: the artifact type is cosign's signature" "application/vnd.dev.cosign.artifact.sig.v1+json" "$(jq -r '.referrers[0].artifactType' "$W/out")"
bv "verify --referrers finds it" 0 "referrer sha256:" -- verify "$R/fixtures/kitchen-sink:v1" --key "$W/k1.pub" --referrers "${CA[@]}"

# ------------------------------------------------------------------ SoftHSM2 through a pkcs11: URI
MOD=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do [ -f "$m" ] && MOD=$m && break; done
mkdir -p "$W/hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$W/hsm/tokens" >"$W/hsm/softhsm2.conf"
export SOFTHSM2_CONF=$W/hsm/softhsm2.conf
if softhsm2-util --init-token --free --label bwtest --pin 1234 --so-pin 5678 >/dev/null 2>&1 &&
   pkcs11-tool --module "$MOD" --token-label bwtest --login --pin 1234 --keypairgen --key-type EC:prime256v1 \
     --label bwkey --id 01 >/dev/null 2>&1; then
  t_ok "softhsm2: token and P-256 key created"
  URI="pkcs11:token=bwtest;object=bwkey?module-path=$MOD&pin-value=1234"
  bv "key public --key pkcs11: URI" 0 "" -- key public --key "$URI"
  cp "$W/out" "$W/hsm.pub"
  skopeo copy -q --dest-cert-dir "$W/certs" "oci:$FIXTURES/rpm-root/oci:latest" "docker://$R/hsm/rpm-root:v1" 2>/dev/null
  bv "sign with the SoftHSM2 key (pkcs11: URI)" 0 "" -- sign "$R/hsm/rpm-root:v1" --key "$URI" "${CA[@]}"
  rm -rf "$W/hsmsig"
  skopeo copy -q --src-cert-dir "$W/certs" "docker://$R/hsm/rpm-root:$SIGT" "oci:$W/hsmsig:s" 2>/dev/null
  out=$("${ORACLE[@]}" verify-sig "$W/hsmsig" s "$W/hsm.pub" "$RPM_D" "$R/hsm/rpm-root" 2>&1)
  t_eq "softhsm2: the independent verifier accepts the HSM signature" "verified 1" "$out"
  bv "verify the HSM signature with the exported .pub" 0 "1 signature verified" -- verify "$R/hsm/rpm-root:v1" --key "$W/hsm.pub" "${CA[@]}"
  bv "verify the HSM signature with the pkcs11: URI" 0 "1 signature verified" -- verify "$R/hsm/rpm-root:v1" --key "pkcs11:token=bwtest;id=%01?module-path=$MOD" "${CA[@]}"
  echo 1234 >"$W/hsm/pin"
  bv "sign with pin-source=FILE and id=%01" 0 "" -- sign "$R/hsm/rpm-root:v1" --key "pkcs11:token=bwtest;id=%01?module-path=$MOD&pin-source=$W/hsm/pin" "${CA[@]}"
  bv "pkcs11: a wrong PIN is refused" 2 "login failed" -- sign "$R/hsm/rpm-root:v1" --key "pkcs11:token=bwtest;object=bwkey?module-path=$MOD&pin-value=9999" "${CA[@]}"
  t_check "pkcs11: the PIN is not in the message" bash -c "! grep -q 9999 '$W/err'"
  bv "pkcs11: no such token" 2 "no token matches" -- sign "$R/hsm/rpm-root:v1" --key "pkcs11:token=nope;object=bwkey?module-path=$MOD&pin-value=1234" "${CA[@]}"
  bv "pkcs11: module-path is required" 2 "module-path is required" -- sign "$R/hsm/rpm-root:v1" --key "pkcs11:token=bwtest;object=bwkey" "${CA[@]}"
else
  t_fail "softhsm2: token and P-256 key created" "softhsm2-util / pkcs11-tool failed"
fi
unset SOFTHSM2_CONF
