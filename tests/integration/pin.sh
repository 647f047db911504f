#!/usr/bin/env bash
# bulwark pin against a real registry: Debian's docker-registry on 127.0.0.1 (TLS), the
# fixture images and a two-platform index pushed by skopeo (an independent client). The
# corpus in tests/data/pin (Deployments, CronJob, multi-document Helm output, comments,
# quoting, already pinned, digest only, a Dockerfile with stages, heredoc and build args,
# compose) is pinned; the rewritten YAML, read by PyYAML (/usr/bin/python3), has the same
# structure as before and every image reference equals REF@<digest skopeo reports>.
# Hostile inputs: YAML bombs, a 100 MB manifest, shell metacharacters in references.
. "$(dirname "$0")/../lib/harness.sh"
. "$TOP/tests/lib/registry.sh"

need_shared "pin" || exit 0
[ -n "${FIXTURES:-}" ] || FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || {
  t_fail "pin fixtures" "tests/lib/fixtures.sh failed"
  exit 0
}
for c in docker-registry skopeo openssl jq patch; do
  command -v "$c" >/dev/null || { t_fail "pin: $c" "not installed (scripts/install-deps.sh)"; exit 0; }
done
/usr/bin/python3 -c 'import yaml' 2>/dev/null || { t_fail "pin: python3-yaml" "not installed"; exit 0; }

W=$TMPROOT/pin
rm -rf "$W"
mkdir -p "$W"
REG_PKI=$W/pki
trap reg_stop_all EXIT
reg_pki "$REG_PKI" || { t_fail "pin: registry pki" "openssl failed"; exit 0; }
reg_start "$W/reg" none || { t_fail "pin: registry starts" "$(tail -3 "$W/reg/registry.log")"; exit 0; }
R=127.0.0.1:$REG_PORT
mkdir -p "$W/certs"
cp "$REG_PKI/ca.crt" "$W/certs/ca.crt"
SK=(--cert-dir "$W/certs")
CA=(--ca-file "$REG_PKI/ca.crt")

for img in rpm-root debian-minbase kitchen-sink; do
  skopeo copy -q --dest-cert-dir "$W/certs" "oci:$FIXTURES/$img/oci:latest" "docker://$R/fixtures/$img:v1" 2>"$W/sk.err" ||
    t_fail "pin: skopeo copy $img" "$(head -c 300 "$W/sk.err")"
done
# a two-platform index: the default pins its digest, --platform the platform's manifest
python3 "$TOP/tests/lib/mkimage.py" build "$TOP/tests/integration/specs/multiplatform.json" "$W/multi" >"$W/multi.truth"
skopeo copy -q --all --dest-cert-dir "$W/certs" "oci:$W/multi:latest" "docker://$R/multi/app:2" 2>"$W/sk.err" ||
  t_fail "pin: skopeo copy multi-platform" "$(head -c 300 "$W/sk.err")"

digest_of() { skopeo inspect "${SK[@]}" --raw "docker://$1" 2>/dev/null | sha256sum | sed 's/^/sha256:/; s/ .*//'; }
declare -A DIG
for ref in fixtures/rpm-root:v1 fixtures/debian-minbase:v1 fixtures/kitchen-sink:v1 multi/app:2; do
  DIG[$R/$ref]=$(digest_of "$R/$ref")
done
t_eq "pin: skopeo's Digest is the raw manifest's sha256" \
  "$(skopeo inspect "${SK[@]}" --format '{{.Digest}}' "docker://$R/fixtures/rpm-root:v1" 2>/dev/null)" "${DIG[$R/fixtures/rpm-root:v1]}"

# the corpus with the registry's address in place of REG
mkdir -p "$W/c"
for f in "$TOP"/tests/data/pin/*; do sed "s|REG/|$R/|g" "$f" >"$W/c/$(basename "$f")"; done
chmod 640 "$W/c/deployment.yaml"
cp -r "$W/c" "$W/orig"

# --check before: every file but pinned.yaml has unpinned references
for f in deployment.yaml cronjob.yaml multi.yaml compose.yaml Dockerfile; do
  t_run_expect "pin --check $f: unpinned, exit 1" 1 "not pinned" -- "$BULWARK" pin --check "$W/c/$f"
done
t_run_expect "pin --check pinned.yaml: all pinned, exit 0" 0 "" -- "$BULWARK" pin --check "$W/c/pinned.yaml"
t_eq "pin --check lists each unpinned reference with its line" \
  "$W/c/deployment.yaml:16: $R/fixtures/debian-minbase:v1: not pinned to a digest" \
  "$("$BULWARK" -q pin --check "$W/c/deployment.yaml" 2>/dev/null | head -1)"

# diff mode: nothing written, and the diff applies with patch(1) to give what --write gives
for f in deployment.yaml cronjob.yaml multi.yaml compose.yaml Dockerfile pinned.yaml; do
  rc=0
  (cd "$W/c" && "$BULWARK" pin "${CA[@]}" "$f") >"$W/$f.diff" 2>"$W/$f.err" || rc=$?
  t_eq "pin $f (diff mode) exits 0, only progress on stderr" "0:" "$rc:$(grep -v '^bulwark: ' "$W/$f.err" | head -c 200)"
  t_check "pin $f (diff mode) leaves the file alone" cmp -s "$W/c/$f" "$W/orig/$f"
done
t_eq "pin pinned.yaml: no diff" "" "$(cat "$W/pinned.yaml.diff")"
t_check "pin: the registry never saw a request for the already pinned references" \
  bash -c "! grep -q 'sha256:0000000000000000' '$W/reg/registry.log'"
t_check "pin: the diff says which digest (single-platform manifest)" grep -q "manifest digest, single-platform image" "$W/deployment.yaml.err"

mkdir -p "$W/patched"
cp "$W"/orig/* "$W/patched/"
for f in deployment.yaml cronjob.yaml multi.yaml compose.yaml Dockerfile; do
  (cd "$W/patched" && patch -s -p1 <"$W/$f.diff") >"$W/patch.out" 2>&1 || t_fail "patch applies pin's diff of $f" "$(head -c 200 "$W/patch.out")"
done

# --write
rc=0
"$BULWARK" pin "${CA[@]}" --write "$W"/c/{deployment,cronjob,multi,compose,pinned}.yaml "$W/c/Dockerfile" >"$W/write.out" 2>"$W/write.err" || rc=$?
t_eq "pin --write exits 0" 0 "$rc"
for f in deployment.yaml cronjob.yaml multi.yaml compose.yaml Dockerfile pinned.yaml; do
  t_check "pin --write $f equals the diff applied by patch" cmp -s "$W/c/$f" "$W/patched/$f"
done
t_eq "pin --write keeps the file mode" 640 "$(stat -c %a "$W/c/deployment.yaml")"
t_check "pin --write leaves no temporary file" bash -c "[ \$(ls -A '$W/c' | wc -l) = 6 ]"
t_check "pin --write keeps comments" grep -q '# quoted, with a comment' "$W/c/deployment.yaml"
t_check "pin --write keeps quoting" grep -q "image: \"$R/fixtures/debian-minbase:v1@sha256:" "$W/c/deployment.yaml"
t_check "pin --write keeps single quotes" grep -q "image: '$R/fixtures/rpm-root:v1@sha256:" "$W/c/deployment.yaml"
t_eq "pin --write: only the reference lines changed (deployment: 3 lines)" 3 \
  "$(diff "$W/orig/deployment.yaml" "$W/c/deployment.yaml" | grep -c '^>')"

# the oracle: PyYAML reads old and new; the same structure, and every changed value is
# OLD@DIGEST with DIGEST what skopeo reports; counts of pinned references per file
cat >"$W/oracle.py" <<'PY'
import json, sys, yaml
old_path, new_path, digests = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
old = list(yaml.safe_load_all(open(old_path)))
new = list(yaml.safe_load_all(open(new_path)))
changed = []
def walk(a, b, path):
    if type(a) != type(b):
        raise SystemExit("structure differs at %s" % path)
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()):
            raise SystemExit("keys differ at %s" % path)
        for k in a: walk(a[k], b[k], path + "." + str(k))
    elif isinstance(a, list):
        if len(a) != len(b): raise SystemExit("length differs at %s" % path)
        for i, (x, y) in enumerate(zip(a, b)): walk(x, y, "%s[%d]" % (path, i))
    elif a != b:
        if path.split(".")[-1] != "image":
            raise SystemExit("a value that is not an image changed at %s" % path)
        if a not in digests or b != a + "@" + digests[a]:
            raise SystemExit("%s: %s became %s, not %s@%s" % (path, a, b, a, digests.get(a)))
        changed.append(path)
if len(old) != len(new): raise SystemExit("document count differs")
for i, (a, b) in enumerate(zip(old, new)): walk(a, b, "doc%d" % i)
print(len(changed))
PY
digests_json=$(for k in "${!DIG[@]}"; do printf '%s\n%s\n' "$k" "${DIG[$k]}"; done | jq -Rn '[inputs] as $l | [range(0; $l|length; 2) | {key: $l[.], value: $l[.+1]}] | from_entries')
for spec in deployment.yaml:3 cronjob.yaml:1 multi.yaml:4 compose.yaml:2 pinned.yaml:0; do
  f=${spec%%:*}
  t_eq "pin --write $f: PyYAML sees the same structure, ${spec#*:} references pinned to skopeo's digests" \
    "${spec#*:}" "$(/usr/bin/python3 "$W/oracle.py" "$W/orig/$f" "$W/c/$f" "$digests_json" 2>&1)"
done
# Dockerfile: FROM and COPY --from pinned; stage names, stage index, heredoc, ${BASE}, scratch untouched
t_eq "pin --write Dockerfile: FROM pinned" "FROM $R/fixtures/debian-minbase:v1@${DIG[$R/fixtures/debian-minbase:v1]} AS build" "$(sed -n 3p "$W/c/Dockerfile")"
t_eq "pin --write Dockerfile: FROM --platform pinned" "FROM --platform=linux/amd64 $R/fixtures/kitchen-sink:v1@${DIG[$R/fixtures/kitchen-sink:v1]}" "$(sed -n 6p "$W/c/Dockerfile")"
t_eq "pin --write Dockerfile: COPY --from=IMAGE pinned (continued line)" "COPY --link --from=$R/fixtures/rpm-root:v1@${DIG[$R/fixtures/rpm-root:v1]} \\" "$(sed -n 9p "$W/c/Dockerfile")"
t_eq "pin --write Dockerfile: exactly 3 lines changed" 3 "$(diff "$W/orig/Dockerfile" "$W/c/Dockerfile" | grep -c '^>')"
t_check "pin --write Dockerfile: a warning for FROM \${BASE}" grep -q 'uses a variable' "$W/write.err"

# after --write, --check passes (the Dockerfile's \${BASE} cannot be checked: still 1)
t_run_expect "pin --check after --write: exit 0" 0 "" -- "$BULWARK" pin --check "$W"/c/{deployment,cronjob,multi,compose,pinned}.yaml
t_run_expect "pin --check Dockerfile with FROM \${BASE}: exit 1" 1 "" -- "$BULWARK" pin --check "$W/c/Dockerfile"
# pinning again changes nothing and asks the registry nothing
cp -r "$W/c" "$W/again"
"$BULWARK" pin "${CA[@]}" --write "$W"/again/*.yaml >/dev/null 2>&1
t_check "pin --write twice: idempotent" diff -r "$W/c" "$W/again"

# multi-platform: the index digest by default, the platform's manifest with --platform
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec:\n  containers:\n  - name: m\n    image: %s/multi/app:2\n' "$R" >"$W/multi-pod.yaml"
out=$("$BULWARK" pin "${CA[@]}" "$W/multi-pod.yaml" 2>"$W/m.err")
t_check "pin multi-platform: the index digest by default, said so" grep -q "(index digest)" "$W/m.err"
t_check "pin multi-platform: the diff pins skopeo's index digest" grep -qF "+    image: $R/multi/app:2@${DIG[$R/multi/app:2]}" <<<"$out"
t_eq "pin multi-platform: the index digest is mkimage's" "$(jq -r .manifest_digest "$W/multi.truth")" "${DIG[$R/multi/app:2]}"
arm=$(jq -r '[.images[] | select(.platform.architecture == "arm64") | .manifest_digest][0]' "$W/multi.truth")
out=$("$BULWARK" pin "${CA[@]}" --platform linux/arm64 "$W/multi-pod.yaml" 2>"$W/m.err")
t_check "pin --platform linux/arm64: the arm64 manifest digest, said so" \
  bash -c "grep -qF -- '+    image: $R/multi/app:2@$arm' <<<'$out' && grep -q '(linux/arm64)' '$W/m.err'"
t_eq "pin --platform: the registry's index (skopeo --raw) lists that arm64 manifest" "$arm" \
  "$(skopeo inspect "${SK[@]}" --raw "docker://$R/multi/app:2" 2>/dev/null | jq -r '[.manifests[] | select(.platform.architecture == "arm64") | .digest][0]')"

# compose interpolation: a template is reported (not pinnable), the rest is pinned
printf 'services:\n  app:\n    image: "%s/fixtures/rpm-root:${TAG:-v1}"\n  db:\n    image: %s/fixtures/rpm-root:v1\n' "$R" "$R" >"$W/compose-vars.yaml"
t_run_expect "pin --check compose with \${TAG:-v1}: exit 1" 1 "" -- "$BULWARK" pin --check "$W/compose-vars.yaml"
t_check "pin --check: the template is named as a variable" grep -q 'rpm-root:${TAG:-v1}: uses a variable' "$T_OUT"
out=$("$BULWARK" pin "${CA[@]}" "$W/compose-vars.yaml" 2>"$W/cv.err")
t_check "pin compose with a template: the other reference pinned, the template warned about" \
  bash -c "grep -qF -- '+    image: $R/fixtures/rpm-root:v1@${DIG[$R/fixtures/rpm-root:v1]}' <<<'$out' && grep -q 'uses a variable' '$W/cv.err' && [ \$(grep -c '^+ ' <<<'$out') = 1 ]"

# ---------------------------------------------------------------- failures and hostile input
printf 'kind: Pod\nspec:\n  containers:\n  - image: %s/fixtures/nope:v1\n' "$R" >"$W/missing.yaml"
t_run_expect "pin: an unknown tag is a registry error (exit 4)" 4 "" -- "$BULWARK" pin "${CA[@]}" "$W/missing.yaml"
t_run_expect "pin --offline: exit 4" 4 "" -- "$BULWARK" pin --offline "$W/orig/cronjob.yaml"
for bad in 'nginx;rm -rf /' 'nginx$(reboot)' 'nginx`id`' 'a/b:1 && curl x|sh' 'nginx>|/etc/passwd'; do
  printf 'kind: Pod\nspec:\n  containers:\n  - image: "%s"\n' "$bad" >"$W/meta.yaml"
  t_run_expect "pin: reference with shell metacharacters refused: $bad" 3 "shell metacharacter" -- \
    "$BULWARK" pin --check "$W/meta.yaml"
done
printf 'FROM alpine;id\n' >"$W/Dockerfile.meta"
t_run_expect "pin: Dockerfile reference with a metacharacter refused" 3 "shell metacharacter" -- \
  "$BULWARK" pin --check "$W/Dockerfile.meta"
printf 'kind: Pod\nspec:\n  containers:\n  - image: "nginx\\x1b[31m"\n' >"$W/ctl.yaml"
t_run_expect "pin: control character in a reference refused, printed escaped" 3 '\x1b' -- "$BULWARK" pin --check "$W/ctl.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: "UPPER/Case:v1"\n' >"$W/bad.yaml"
t_run_expect "pin: malformed reference refused" 3 "not a valid repository name" -- "$BULWARK" pin --check "$W/bad.yaml"
# billion laughs
{
  echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
  prev=a
  for n in b c d e f g h i; do echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"; prev=$n; done
  echo 'spec: {containers: [{image: *i}]}'
} >"$W/bomb.yaml"
t_run_expect "pin: YAML bomb (aliases) refused" 3 "anchors are not accepted" -- "$BULWARK" pin --check "$W/bomb.yaml"
printf 'spec:\n  containers:\n  - image: *x\n' >"$W/alias.yaml"
t_run_expect "pin: an alias refused" 3 "" -- "$BULWARK" pin --check "$W/alias.yaml"
# 100 MB manifest: refused by size at once, memory bounded
{ cat "$W/orig/deployment.yaml"; head -c 100000000 /dev/zero | tr '\0' '#'; } >"$W/huge.yaml"
start=$(date +%s%N)
t_run_expect "pin: 100 MB manifest refused" 3 "larger than the limit" -- "$BULWARK" pin --check "$W/huge.yaml"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_check "pin: 100 MB manifest refused quickly (${ms} ms)" [ "$ms" -lt 5000 ]
# deep nesting and a long line of flow collections
/usr/bin/python3 -c 'print("a: " + "[" * 100000 + "]" * 100000)' >"$W/deep.yaml"
t_run_expect "pin: deeply nested YAML refused" 3 "nested too deep" -- "$BULWARK" pin --check "$W/deep.yaml"
ln -s "$W/c/cronjob.yaml" "$W/link.yaml"
t_run_expect "pin --write: a symlink is not replaced" 3 "not a regular file" -- "$BULWARK" pin "${CA[@]}" --write "$W/orig/cronjob.yaml" "$W/link.yaml"
t_check "pin --write: nothing written when any file fails" bash -c "! grep -q '@sha256' '$W/orig/cronjob.yaml'"
