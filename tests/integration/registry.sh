#!/usr/bin/env bash
# Registries for real: Debian's docker-registry on 127.0.0.1 with TLS (a CA and certificate
# made here) and htpasswd basic auth, and a second one with token auth against
# tests/lib/token_server.py. skopeo (an independent client) puts the fixture images in;
# bulwark's inspect/sbom of the registry copy must equal its inspect/sbom of the OCI layout,
# and what bulwark copy writes must be byte-identical as skopeo inspect --raw sees it.
# Also: credentials from files and helpers, never printed; token reuse; TLS trust from
# --ca-file, certs.d and --insecure-registry; the blob cache; chunked uploads and
# cross-repository mounts; referrers through the fallback tag.
. "$(dirname "$0")/../lib/harness.sh"
. "$TOP/tests/lib/registry.sh"

need_shared "registry" || exit 0
[ -n "${FIXTURES:-}" ] || FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || {
  t_fail "registry fixtures" "tests/lib/fixtures.sh failed"
  exit 0
}
for c in docker-registry skopeo htpasswd openssl jq; do
  command -v "$c" >/dev/null || { t_fail "registry: $c" "not installed (scripts/install-deps.sh)"; exit 0; }
done

W=$TMPROOT/registry
rm -rf "$W"
mkdir -p "$W"
REG_PKI=$W/pki
trap reg_stop_all EXIT
reg_pki "$REG_PKI" || { t_fail "registry pki" "openssl failed"; exit 0; }
PASS="s3cr3t-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
reg_start "$W/basic" basic "alice:$PASS" || { t_fail "registry basic starts" "$(tail -3 "$W/basic/registry.log")"; exit 0; }
B=127.0.0.1:$REG_PORT
reg_start "$W/token" token "alice:$PASS" || { t_fail "registry token starts" "$(tail -3 "$W/token/registry.log")"; exit 0; }
T=127.0.0.1:$REG_PORT

# skopeo trusts the test CA through a cert dir
mkdir -p "$W/skopeo-certs"
cp "$REG_PKI/ca.crt" "$W/skopeo-certs/ca.crt"
SK=(--cert-dir "$W/skopeo-certs" --creds "alice:$PASS")
CA=(--ca-file "$REG_PKI/ca.crt")
BA=("${CA[@]}" --creds "alice:$PASS")

IMAGES="rpm-root debian-minbase kitchen-sink"
for img in $IMAGES; do
  if ! skopeo copy -q --dest-cert-dir "$W/skopeo-certs" --dest-creds "alice:$PASS" \
       "oci:$FIXTURES/$img/oci:latest" "docker://$B/fixtures/$img:v1" 2>"$W/skopeo.err"; then
    t_fail "skopeo copy $img into the registry" "$(head -c 300 "$W/skopeo.err")"
  fi
done

# inspect JSON without the fields that name where the image came from
strip() { jq -S 'del(.artifact.reference, .artifact.transport)' "$1" 2>/dev/null; }

# ---------------------------------------------------------------- pull: inspect and sbom
for img in $IMAGES; do
  "$BULWARK" inspect --format json --files "oci:$FIXTURES/$img/oci:latest" >"$W/$img.local.json" 2>/dev/null
  rc=0
  "$BULWARK" inspect --format json --files "${BA[@]}" "$B/fixtures/$img:v1" >"$W/$img.reg.json" 2>"$W/$img.err" || rc=$?
  if [ $rc != 0 ]; then
    t_fail "registry inspect $img" "exit $rc: $(head -c 300 "$W/$img.err")"
  elif [ ! -s "$W/$img.local.json" ] || ! diff <(strip "$W/$img.local.json") <(strip "$W/$img.reg.json") >"$W/$img.diff"; then
    t_fail "registry inspect $img equals inspect of the OCI layout" "$(head -20 "$W/$img.diff")"
  else
    t_ok "registry inspect $img equals inspect of the OCI layout ($(jq '.files | length' "$W/$img.reg.json") files)"
  fi
done
t_eq "registry inspect: the transport is docker" docker "$(jq -r .artifact.transport "$W/rpm-root.reg.json")"
t_eq "registry inspect: manifest digest is skopeo's" \
  "$(skopeo inspect "${SK[@]}" --format '{{.Digest}}' "docker://$B/fixtures/rpm-root:v1" 2>/dev/null)" \
  "$(jq -r .artifact.manifest_digest "$W/rpm-root.reg.json")"
"$BULWARK" sbom --format json "oci:$FIXTURES/debian-minbase/oci:latest" 2>/dev/null | jq -S '.packages' >"$W/sbom.local"
"$BULWARK" sbom --format json "${BA[@]}" "docker://$B/fixtures/debian-minbase:v1" 2>/dev/null | jq -S '.packages' >"$W/sbom.reg"
t_check "registry sbom (docker://) equals sbom of the OCI layout ($(jq length "$W/sbom.reg") packages)" \
  bash -c "[ -s '$W/sbom.local' ] && [ \$(jq length '$W/sbom.local') -gt 50 ] && cmp -s '$W/sbom.local' '$W/sbom.reg'"
# global options before the command work too
t_run_expect "registry: options before the command" 0 "" -- \
  "$BULWARK" "${BA[@]}" inspect "$B/fixtures/rpm-root:v1"

# ---------------------------------------------------------------- copy, byte for byte
raw() { skopeo inspect --raw "$@" 2>/dev/null | sha256sum | cut -c1-64; }
want=$(raw "${SK[@]}" "docker://$B/fixtures/kitchen-sink:v1")
t_eq "skopeo raw manifest is the fixture's" "$(jq -r '.manifests[0].digest' "$FIXTURES/kitchen-sink/oci/index.json" | cut -d: -f2)" "$want"

copy() { # NAME SRC DST [ARGS]: bulwark copy, stderr kept
  local name=$1 src=$2 dst=$3 rc=0; shift 3
  "$BULWARK" copy "$@" "$src" "$dst" >"$W/copy.out" 2>"$W/copy.err" || rc=$?
  if [ $rc != 0 ]; then t_fail "$name" "exit $rc: $(head -c 300 "$W/copy.err")"; return 1; fi
  t_ok "$name"
}
copy "copy registry -> same registry (cross-repository mount)" "$B/fixtures/kitchen-sink:v1" "$B/mirror/kitchen-sink:m1" "${BA[@]}"
t_eq "copy registry -> registry: raw manifest identical" "$want" "$(raw "${SK[@]}" "docker://$B/mirror/kitchen-sink:m1")"
t_check "copy registry -> registry: blobs mounted, none uploaded" grep -q " 0 blobs copied" "$W/copy.err"
t_check "copy registry -> registry: the registry saw mount requests" grep -q 'POST /v2/mirror/kitchen-sink/blobs/uploads/?mount=' "$W/basic/registry.log"
t_eq "copy prints the digest" "sha256:$want" "$(cat "$W/copy.out")"

copy "copy oci -> token registry" "oci:$FIXTURES/kitchen-sink/oci:latest" "$T/private/kitchen-sink:t1" "${BA[@]}"
t_eq "copy oci -> token registry: raw manifest identical" "$want" "$(raw "${SK[@]}" "docker://$T/private/kitchen-sink:t1")"
copy "copy basic-auth registry -> token registry" "$B/fixtures/debian-minbase:v1" "$T/public/debian-minbase:t1" "${BA[@]}"
t_eq "copy registry -> registry: debian-minbase raw identical" \
  "$(raw "${SK[@]}" "docker://$B/fixtures/debian-minbase:v1")" "$(raw "${SK[@]}" "docker://$T/public/debian-minbase:t1")"
copy "copy registry -> oci: layout" "$B/fixtures/kitchen-sink:v1" "oci:$W/out-oci:k" "${BA[@]}"
t_eq "copy registry -> oci: raw manifest identical (skopeo)" "$want" "$(raw "oci:$W/out-oci:k")"
copy "copy registry -> oci-archive:" "$B/fixtures/rpm-root:v1" "oci-archive:$W/out.tar:r" "${BA[@]}"
t_eq "copy registry -> oci-archive: raw manifest identical (skopeo)" \
  "$(raw "${SK[@]}" "docker://$B/fixtures/rpm-root:v1")" "$(raw "oci-archive:$W/out.tar:r")"
copy "copy registry -> docker-archive:" "$B/fixtures/rpm-root:v1" "docker-archive:$W/out-docker.tar" "${BA[@]}"
t_eq "copy registry -> docker-archive: skopeo reads the same config" \
  "$(skopeo inspect --config "${SK[@]}" "docker://$B/fixtures/rpm-root:v1" 2>/dev/null | jq -S -c .)" \
  "$(skopeo inspect --config "docker-archive:$W/out-docker.tar" 2>/dev/null | jq -S -c .)"
copy "copy docker-archive -> registry" "docker-archive:$FIXTURES/debian-minbase/docker-archive.tar" "$B/fromdocker/debian:d1" "${BA[@]}"
"$BULWARK" inspect --format json --files "docker-archive:$FIXTURES/debian-minbase/docker-archive.tar" >"$W/da.local.json" 2>/dev/null
"$BULWARK" inspect --format json --files "${BA[@]}" "$B/fromdocker/debian:d1" >"$W/da.reg.json" 2>/dev/null
t_check "copy docker-archive -> registry: same config and files" \
  bash -c "diff <(jq -S '.artifact.config_digest, .files' '$W/da.local.json') <(jq -S '.artifact.config_digest, .files' '$W/da.reg.json') >/dev/null && [ -s '$W/da.reg.json' ]"

# chunked uploads: PATCH requests of at most 1 MiB, the result identical
copy "copy --chunk-size 1M" "oci:$FIXTURES/debian-minbase/oci:latest" "$B/chunked/debian:c1" "${BA[@]}" --chunk-size 1M
t_eq "copy --chunk-size: raw manifest identical" \
  "$(jq -r '.manifests[0].digest' "$FIXTURES/debian-minbase/oci/index.json" | cut -d: -f2)" \
  "$(raw "${SK[@]}" "docker://$B/chunked/debian:c1")"
patches=$(grep -c '"PATCH /v2/chunked/debian/blobs/uploads/' "$W/basic/registry.log")
t_check "copy --chunk-size: the registry saw many PATCH requests ($patches)" [ "$patches" -ge 40 ]
t_check "copy again: every blob already there" bash -c \
  "'$BULWARK' copy ${BA[*]} 'oci:$FIXTURES/debian-minbase/oci:latest' '$B/chunked/debian:c1' 2>&1 >/dev/null | grep -q ' 0 blobs copied'"

# ---------------------------------------------------------------- credentials
t_run_expect "registry: wrong password is exit 4" 4 "authentication failed" -- \
  "$BULWARK" inspect "${CA[@]}" --creds alice:wrong "$B/fixtures/rpm-root:v1"
t_run_expect "registry: no credentials is exit 4" 4 "user name and password" -- \
  env HOME="$W/nohome" DOCKER_CONFIG= REGISTRY_AUTH_FILE= XDG_RUNTIME_DIR= "$BULWARK" inspect "${CA[@]}" "$B/fixtures/rpm-root:v1"
# secrets never in any output, even with debug logging and on failure
BULWARK_DEBUG=1 "$BULWARK" inspect "${BA[@]}" "$T/private/kitchen-sink:t1" >"$W/verbose.out" 2>"$W/verbose.err"
BULWARK_DEBUG=1 "$BULWARK" copy "${BA[@]}" "$T/private/kitchen-sink:t1" "$T/private/again:x" >>"$W/verbose.out" 2>>"$W/verbose.err"
BULWARK_DEBUG=1 "$BULWARK" inspect "${CA[@]}" --creds "alice:$PASS-wrong" "$B/fixtures/rpm-root:v1" >>"$W/verbose.out" 2>>"$W/verbose.err"
t_check "registry: the password never appears in output or logs" bash -c "! grep -qF '$PASS' '$W/verbose.out' '$W/verbose.err'"
t_check "registry: no bearer token in output or logs" bash -c "! grep -qiE 'bearer [A-Za-z0-9_-]{20}|eyJ[A-Za-z0-9_-]{20}' '$W/verbose.out' '$W/verbose.err'"
t_check "registry: no basic credentials in output or logs" bash -c "! grep -qF '$(printf 'alice:%s' "$PASS" | base64)' '$W/verbose.out' '$W/verbose.err'"

# auth files: containers-auth.json (REGISTRY_AUTH_FILE) and docker's config.json with a helper
printf '{"auths":{"%s":{"auth":"%s"}}}' "$B" "$(printf 'alice:%s' "$PASS" | base64)" >"$W/auth.json"
t_run_expect "registry: credentials from REGISTRY_AUTH_FILE" 0 "" -- \
  env REGISTRY_AUTH_FILE="$W/auth.json" "$BULWARK" inspect "${CA[@]}" "$B/fixtures/rpm-root:v1"
mkdir -p "$W/bin" "$W/docker"
cat >"$W/bin/docker-credential-bwtest" <<EOF
#!/bin/sh
read server
echo "\$1 \$server" >>"$W/helper.log"
printf '{"ServerURL":"%s","Username":"alice","Secret":"%s"}' "\$server" "$PASS"
EOF
chmod +x "$W/bin/docker-credential-bwtest"
printf '{"credHelpers":{"%s":"bwtest"}}' "$B" >"$W/docker/config.json"
t_run_expect "registry: credentials from a docker-credential helper" 0 "" -- \
  env PATH="$W/bin:$PATH" DOCKER_CONFIG="$W/docker" REGISTRY_AUTH_FILE= XDG_RUNTIME_DIR= "$BULWARK" inspect "${CA[@]}" "$B/fixtures/rpm-root:v1"
t_eq "registry: the helper was asked for the registry" "get $B" "$(head -1 "$W/helper.log" 2>/dev/null)"

# tokens: anonymous pull of a public repository, one token for the whole image
: >"$W/token/token.log"
t_run_expect "token registry: anonymous pull of public/" 0 "" -- "$BULWARK" inspect "${CA[@]}" "$T/public/debian-minbase:t1"
t_eq "token registry: one token fetched for the manifest, config and layers" 1 "$(grep -c . "$W/token/token.log")"
t_eq "token registry: asked anonymously for pull of that repository" \
  '["repository:public/debian-minbase:pull"] none' "$(jq -r -c '(.scope|tojson) + " " + .auth' "$W/token/token.log" | head -1)"
t_run_expect "token registry: anonymous pull of a private repository is refused" 4 "127.0.0.1" -- \
  "$BULWARK" inspect "${CA[@]}" "$T/private/kitchen-sink:t1"

# identity tokens (`docker login` to an OAuth2 registry keeps "identitytoken", no password):
# exchanged at the realm by a POSTed refresh grant
mkdir -p "$W/idt" "$W/idt-bad" "$W/idt-helper" "$W/idt-basic"
printf '{"auths":{"%s":{"identitytoken":"%s"}}}' "$T" "$REG_REFRESH_TOKEN" >"$W/idt/config.json"
printf '{"auths":{"%s":{"identitytoken":"%s-revoked"}}}' "$T" "$REG_REFRESH_TOKEN" >"$W/idt-bad/config.json"
printf '{"credHelpers":{"%s":"bwidt"}}' "$T" >"$W/idt-helper/config.json"
printf '{"auths":{"%s":{"identitytoken":"%s"}}}' "$B" "$REG_REFRESH_TOKEN" >"$W/idt-basic/config.json"
printf '#!/bin/sh\nread server\nprintf %s "$server"\n' \
  "'{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"$REG_REFRESH_TOKEN\"}'" >"$W/bin/docker-credential-bwidt"
chmod +x "$W/bin/docker-credential-bwidt"
want_idt=$(skopeo inspect "${SK[@]}" "docker://$T/private/kitchen-sink:t1" 2>/dev/null | jq -r .Digest)
: >"$W/token/token.log"
BULWARK_DEBUG=1 env DOCKER_CONFIG="$W/idt" REGISTRY_AUTH_FILE= XDG_RUNTIME_DIR= \
  "$BULWARK" inspect --format json "${CA[@]}" "$T/private/kitchen-sink:t1" >"$W/idt.json" 2>"$W/idt.err"
t_eq "token registry: an identity token from config.json pulls a private repository" \
  "$want_idt" "$(jq -r .artifact.manifest_digest "$W/idt.json" 2>/dev/null)"
t_eq "token registry: ... through one OAuth2 refresh grant (POST, client_id bulwark)" "refresh:bulwark" \
  "$(jq -r .auth "$W/token/token.log" | sort -u | tr '\n' ' ' | sed 's/ $//')"
t_check "token registry: the identity token never appears in output or logs" \
  bash -c "! grep -qF '$REG_REFRESH_TOKEN' '$W/idt.json' '$W/idt.err'"
t_run_expect "token registry: a refused identity token is exit 4, saying so" 4 "identity token was refused" -- \
  env DOCKER_CONFIG="$W/idt-bad" REGISTRY_AUTH_FILE= XDG_RUNTIME_DIR= "$BULWARK" inspect "${CA[@]}" "$T/private/kitchen-sink:t1"
t_run_expect "token registry: a credential helper's \"<token>\" user is an identity token" 0 "" -- \
  env PATH="$W/bin:$PATH" DOCKER_CONFIG="$W/idt-helper" REGISTRY_AUTH_FILE= XDG_RUNTIME_DIR= \
  "$BULWARK" inspect "${CA[@]}" "$T/private/kitchen-sink:t1"
t_run_expect "registry: an identity token where a password is asked for is exit 4, saying so" 4 "identity token" -- \
  env DOCKER_CONFIG="$W/idt-basic" REGISTRY_AUTH_FILE= XDG_RUNTIME_DIR= "$BULWARK" inspect "${CA[@]}" "$B/fixtures/rpm-root:v1"

# ---------------------------------------------------------------- TLS
t_run_expect "registry TLS: an unknown CA is refused" 4 "certificate" -- \
  "$BULWARK" inspect --creds "alice:$PASS" "$B/fixtures/rpm-root:v1"
mkdir -p "$W/certs.d/$B"
cp "$REG_PKI/ca.crt" "$W/certs.d/$B/ca.crt"
t_run_expect "registry TLS: the CA from certs.d/HOST:PORT/" 0 "" -- \
  env BULWARK_CERTS_DIRS="$W/none:$W/certs.d" "$BULWARK" inspect --creds "alice:$PASS" "$B/fixtures/rpm-root:v1"
t_run_expect "registry TLS: --insecure-registry skips verification" 0 "" -- \
  "$BULWARK" inspect --insecure-registry "$B" --creds "alice:$PASS" "$B/fixtures/rpm-root:v1"
t_run_expect "registry --offline: exit 4" 4 "offline" -- "$BULWARK" --offline inspect "${BA[@]}" "$B/fixtures/rpm-root:v1"

# ---------------------------------------------------------------- blob cache
gets() { grep -c "\"GET /v2/fixtures/debian-minbase/blobs/" "$W/basic/registry.log"; }
g0=$(gets)
"$BULWARK" inspect "${BA[@]}" --blob-cache "$W/cache" "$B/fixtures/debian-minbase:v1" >"$W/c1.out" 2>&1
g1=$(gets)
"$BULWARK" inspect "${BA[@]}" --blob-cache "$W/cache" "$B/fixtures/debian-minbase:v1" >"$W/c2.out" 2>&1
g2=$(gets)
t_check "blob cache: first run downloads the blobs ($((g1 - g0)))" [ $((g1 - g0)) -ge 2 ]
t_eq "blob cache: second run downloads none" 0 $((g2 - g1))
t_check "blob cache: same result" cmp -s "$W/c1.out" "$W/c2.out"
bad=0
for f in "$W"/cache/blobs/sha256/*; do
  [ "$(sha256sum "$f" | cut -c1-64)" = "$(basename "$f")" ] || bad=$((bad + 1))
done
t_check "blob cache: every file is named by its sha256 ($(ls "$W/cache/blobs/sha256" | wc -l) files)" [ "$bad" = 0 ]

# ---------------------------------------------------------------- referrers (fallback tag)
echo '{"bomFormat":"CycloneDX"}' >"$W/sbom.json"
echo 'signature' >"$W/sig.txt"
reg_tool() { BW_CA_FILE="$REG_PKI/ca.crt" BW_CREDS="alice:$PASS" "$TOP/build/bw-registry" "$@"; }
a1=$(reg_tool attach "$B/fixtures/rpm-root:v1" application/vnd.cyclonedx+json application/json "$W/sbom.json" 2>"$W/attach.err")
a2=$(reg_tool attach "$B/fixtures/rpm-root:v1" application/vnd.example.sig text/plain "$W/sig.txt" 2>>"$W/attach.err")
t_check "referrers: two artifacts attached" bash -c "[ -n '$a1' ] && [ -n '$a2' ]"
out=$("$BULWARK" referrers --format json "${BA[@]}" "$B/fixtures/rpm-root:v1" 2>"$W/ref.err")
t_eq "referrers: both listed" "$(printf '%s\n%s' "$a1" "$a2" | sort | tr '\n' ' ')" \
  "$(jq -r '.referrers[].digest' <<<"$out" 2>/dev/null | sort | tr '\n' ' ')"
out=$("$BULWARK" referrers --format json --artifact-type application/vnd.example.sig "${BA[@]}" "$B/fixtures/rpm-root:v1" 2>>"$W/ref.err")
t_eq "referrers: --artifact-type filters" "$a2" "$(jq -r '.referrers[].digest' <<<"$out" 2>/dev/null)"
sub=$(jq -r .artifact.manifest_digest "$W/rpm-root.reg.json")
t_eq "referrers: skopeo reads the same fallback tag index" "$(printf '%s\n%s' "$a1" "$a2" | sort | tr '\n' ' ')" \
  "$(skopeo inspect --raw "${SK[@]}" "docker://$B/fixtures/rpm-root:${sub/:/-}" 2>/dev/null | jq -r '.manifests[].digest' | sort | tr '\n' ' ')"
t_eq "referrers: the artifact's subject is the image" "$sub" \
  "$(skopeo inspect --raw "${SK[@]}" "docker://$B/fixtures/rpm-root@$a1" 2>/dev/null | jq -r .subject.digest)"

# ---------------------------------------------------------------- indexes and --platform
python3 "$TOP/tests/lib/mkimage.py" build "$TOP/tests/integration/specs/multiplatform.json" "$W/multi" >"$W/multi.truth" 2>"$W/mk.err" ||
  t_fail "mkimage multiplatform" "$(head -c 300 "$W/mk.err")"
jq '.docker_media_types = true' "$TOP/tests/integration/specs/multiplatform.json" >"$W/multid.json"
python3 "$TOP/tests/lib/mkimage.py" build "$W/multid.json" "$W/multid" >"$W/multid.truth" 2>>"$W/mk.err" ||
  t_fail "mkimage multiplatform (docker media types)" "$(head -c 300 "$W/mk.err")"
for kind in multi multid; do
  skopeo copy -q --all --dest-cert-dir "$W/skopeo-certs" --dest-creds "alice:$PASS" "oci:$W/$kind" "docker://$B/idx/$kind:v1" 2>"$W/skopeo.err" ||
    t_fail "skopeo copy --all $kind" "$(head -c 300 "$W/skopeo.err")"
  for p in "" linux/arm64; do
    "$BULWARK" inspect --format json --files ${p:+--platform $p} "oci:$W/$kind" >"$W/$kind.l.json" 2>/dev/null
    "$BULWARK" inspect --format json --files ${p:+--platform $p} "${BA[@]}" "$B/idx/$kind:v1" >"$W/$kind.r.json" 2>"$W/$kind.err"
    t_check "index $kind ${p:-default platform}: registry inspect equals the layout's" \
      bash -c "[ -s '$W/$kind.l.json' ] && jq -e .artifact.index_digest '$W/$kind.l.json' >/dev/null && diff <(jq -S 'del(.artifact.reference, .artifact.transport)' '$W/$kind.l.json') <(jq -S 'del(.artifact.reference, .artifact.transport)' '$W/$kind.r.json') >/dev/null"
  done
  idx=$(raw "${SK[@]}" "docker://$B/idx/$kind:v1")
  copy "copy $kind: the whole index" "$B/idx/$kind:v1" "$T/idx/$kind:all" "${BA[@]}"
  t_eq "copy $kind: index raw identical" "$idx" "$(raw "${SK[@]}" "docker://$T/idx/$kind:all")"
  arm=$(jq -r '[.images[] | select(.platform.architecture == "arm64") | .manifest_digest][0]' "$W/$kind.truth")
  copy "copy $kind --platform linux/arm64" "$B/idx/$kind:v1" "$T/idx/$kind:arm" "${BA[@]}" --platform linux/arm64
  t_eq "copy $kind --platform: the arm64 manifest alone, as it was" "${arm#sha256:}" "$(raw "${SK[@]}" "docker://$T/idx/$kind:arm")"
done
t_run_expect "index: a platform the index lacks" 3 "no image for platform linux/s390x" -- \
  "$BULWARK" inspect --platform linux/s390x "${BA[@]}" "$B/idx/multi:v1"
