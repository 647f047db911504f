#!/usr/bin/env bash
# tests/integration/base.sh: base-image attribution (docs/base-images.md). debian-minbase is
# recorded as the base of kitchen-sink; the ground truth (../shared/fixtures/expected/
# kitchen-sink/packages.json, from the build itself) says which layer installed each package,
# and skopeo gives the base's diff_ids independently of bulwark.
. "$(dirname "$0")/../lib/harness.sh"
need_shared "base: fixture images" || exit 0
PY=/usr/bin/python3
W=$TMPROOT/base; mkdir -p "$W"
export BULWARK_DB=$W/db.sqlite BULWARK_STATE=$W/state.sqlite
unset BULWARK_NO_CACHE   # base attribution with the cache on, as users run it
V=$SHARED/data/vulndb
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "base: fixtures" "cannot build the fixture images"; exit 0; }
EXPECTED=${IMAGES%/images}/expected
MIN=oci:$IMAGES/debian-minbase/oci KS=oci:$IMAGES/kitchen-sink/oci
"$BULWARK" -q db import "$V/osv/ghsa-npm" "$V/osv/pypa-advisory-database-vulns.tar.gz" \
  "$V/osv/go-vulndb-data-osv.tar.gz" "$V/debian-security-tracker/data/DSA/list" \
  "$TOP/data/demo-feed/debian-bookworm.json" || { t_fail "base: import" "db import failed"; exit 0; }

# --- recording
t_run_expect "base: scan --no-cache without a store creates none" 0 "" -- "$BULWARK" --no-cache scan "$KS" --format json -o "$W/plain.json"
t_check "base: scan --no-cache without a store creates none (file)" test ! -e "$BULWARK_STATE"
t_run_expect "base: add" 0 "" -- "$BULWARK" base add "$MIN" --name debian-12-minbase
"$BULWARK" base list --format json >"$W/list.json"
skopeo inspect --config "$MIN" | jq -c '.rootfs.diff_ids' >"$W/skopeo-ids.json"
t_eq "base: recorded chain = skopeo's diff_ids" "$(cat "$W/skopeo-ids.json")" \
  "$(jq -c '.[] | select(.name == "debian-12-minbase") | .diff_ids' "$W/list.json")"
t_eq "base: recorded manifest digest = skopeo's" \
  "$(skopeo inspect --raw "$MIN" | sha256sum | sed 's/ .*//; s/^/sha256:/')" \
  "$(jq -r '.[0].manifest_digest' "$W/list.json")"
t_check "base: table lists it" grep -q '^debian-12-minbase  *1 ' <("$BULWARK" base list)

# --- attribution of packages against the build's ground truth
"$BULWARK" sbom "$KS" --format json >"$W/ks-sbom.json"
t_eq "base: artifact names the base" '{"name":"debian-12-minbase","layers":1}' "$(jq -c '.artifact.base' "$W/ks-sbom.json")"
"$PY" - "$EXPECTED/kitchen-sink/packages.json" "$W/ks-sbom.json" >"$W/attr.txt" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))["packages"]
deb_layer = {(p["name"], p["version"]): p["layer"] for p in truth["deb"]}
bad, base_debs, own_debs, lang = [], 0, 0, 0
for p in got:
    if p["type"] == "deb":
        layer = deb_layer.get((p["name"], p["version"]))
        if layer is None:
            bad.append("not in ground truth: %s %s" % (p["name"], p["version"])); continue
        want = "debian-12-minbase" if layer == 1 else None
        if p.get("base") != want:
            bad.append("%s %s layer %d: base %r" % (p["name"], p["version"], layer, p.get("base")))
        base_debs += layer == 1; own_debs += layer != 1
    else:
        lang += 1
        if "base" in p:
            bad.append("%s package %s has base %r" % (p["type"], p["name"], p["base"]))
print("bad=%d base_debs=%d own_debs=%d lang=%d" % (len(bad), base_debs, own_debs, lang))
for b in bad[:5]: print(b)
PY
read -r line <"$W/attr.txt"
if [[ $line == bad=0\ * ]] && ! [[ $line == *base_debs=0* || $line == *own_debs=0* || $line == *lang=0* ]]; then
  t_ok "base: every layer-1 Debian package is the base's, later debs and language packages are not ($line)"
else
  t_fail "base: attribution vs ground truth" "$(head -c 600 "$W/attr.txt")"
fi
t_eq "base: the base itself is wholly its own base" \
  "$(jq '.packages | length' <("$BULWARK" sbom "$MIN" --format json))" \
  "$("$BULWARK" sbom "$MIN" --format json | jq '[.packages[] | select(.base == "debian-12-minbase")] | length')"

# --- filters partition the findings
"$BULWARK" scan "$KS" --format json >"$W/all.json"
"$BULWARK" scan "$KS" --ignore-base --format json >"$W/own.json"
"$BULWARK" scan "$KS" --only-base --format json >"$W/inh.json"
ids() { jq -r '.vulnerabilities[] | "\(.id) \(.package) \(.installed_version) \(.path)"' "$1" | sort; }
n_all=$(ids "$W/all.json" | wc -l) n_own=$(ids "$W/own.json" | wc -l) n_inh=$(ids "$W/inh.json" | wc -l)
t_check "base: findings on both sides ($n_own added, $n_inh inherited)" test "$n_own" -gt 0 -a "$n_inh" -gt 0
t_eq "base: --ignore-base + --only-base = all findings" "$(ids "$W/all.json")" "$(sort <(ids "$W/own.json") <(ids "$W/inh.json"))"
t_eq "base: plain scan without the store = all findings" "$(ids "$W/plain.json")" "$(ids "$W/all.json")"
t_eq "base: --only-base findings all say base" "$n_inh" "$(jq '[.vulnerabilities[] | select(.base == "debian-12-minbase")] | length' "$W/inh.json")"
t_eq "base: --ignore-base findings none say base" 0 "$(jq '[.vulnerabilities[] | select(has("base"))] | length' "$W/own.json")"
"$BULWARK" scan "$KS" >"$W/table.txt"
a=$(grep -n '^== added by this image' "$W/table.txt" | cut -d: -f1) b=$(grep -n '^== inherited from base debian-12-minbase' "$W/table.txt" | cut -d: -f1)
t_check "base: table shows added findings, then inherited ones" test -n "$a" -a -n "$b" -a "${a:-0}" -lt "${b:-0}"
t_run_expect "base: --ignore-base with --only-base" 2 "exclude each other" -- "$BULWARK" scan "$KS" --ignore-base --only-base

# --- the longest recorded chain wins; equal chains: the one the annotation names
t_run_expect "base: add the image itself" 0 "" -- "$BULWARK" base add "$KS" --name ks-itself
t_eq "base: longest chain wins" '{"name":"ks-itself","layers":9}' "$("$BULWARK" sbom "$KS" --format json | jq -c '.artifact.base')"
t_run_expect "base: rm" 0 "" -- "$BULWARK" base rm ks-itself
t_run_expect "base: rm of an unknown name" 2 "no base image called" -- "$BULWARK" base rm ks-itself
"$BULWARK" -q base add "docker-archive:$IMAGES/debian-minbase/docker-archive.tar" --name aaa-from-archive
t_eq "base: equal chains, no annotation: first by name" aaa-from-archive "$("$BULWARK" sbom "$KS" --format json | jq -r '.artifact.base.name')"
# an OCI layout whose manifest carries org.opencontainers.image.base.* (as BuildKit writes them)
cp -r "$IMAGES/kitchen-sink/oci" "$W/annotated"
"$PY" - "$W/annotated" "$(jq -r '.[] | select(.name == "debian-12-minbase") | .manifest_digest' "$W/list.json")" <<'PY'
import hashlib, json, os, sys
root, base_digest = sys.argv[1], sys.argv[2]
index = json.load(open(os.path.join(root, "index.json")))
d = index["manifests"][0]
path = os.path.join(root, "blobs", *d["digest"].split(":"))
m = json.load(open(path))
m["annotations"] = {"org.opencontainers.image.base.name": "docker.io/library/debian:bookworm",
                    "org.opencontainers.image.base.digest": base_digest}
data = json.dumps(m, separators=(",", ":")).encode()
digest = hashlib.sha256(data).hexdigest()
open(os.path.join(root, "blobs", "sha256", digest), "wb").write(data)
d["digest"], d["size"] = "sha256:" + digest, len(data)
json.dump(index, open(os.path.join(root, "index.json"), "w"))
PY
"$BULWARK" sbom "oci:$W/annotated" --format json >"$W/annotated.json"
t_eq "base: equal chains: the one the annotation's digest names" debian-12-minbase "$(jq -r '.artifact.base.name' "$W/annotated.json")"
t_eq "base: annotation reported" docker.io/library/debian:bookworm "$(jq -r '.artifact.base.annotation_name' "$W/annotated.json")"

# --- the store is input too
cp "$BULWARK_STATE" "$W/altered.sqlite"
sqlite3 "$W/altered.sqlite" "UPDATE base_chain SET diff_ids = 'sha256:zz' WHERE name = 'aaa-from-archive'"
t_run_expect "base: altered chain refused" 3 "altered" -- "$BULWARK" scan "$KS" --state "$W/altered.sqlite"
sqlite3 "$W/foreign.sqlite" "CREATE TABLE t(x); INSERT INTO t VALUES(1)"
t_run_expect "base: foreign SQLite file refused" 3 "not a bulwark state store" -- "$BULWARK" base list --state "$W/foreign.sqlite"
head -c 5000 /dev/urandom >"$W/junk.sqlite"
t_run_expect "base: junk file refused" 3 "" -- "$BULWARK" base list --state "$W/junk.sqlite"
t_run_expect "base: name with a control character" 2 "control character" -- "$BULWARK" base add "$MIN" --name $'a\tb'
t_run_expect "base: a bad image leaves no store" 3 "" -- "$BULWARK" base add "oci:$W/nope" --state "$W/never.sqlite"
t_check "base: a bad image leaves no store (file)" test ! -e "$W/never.sqlite"

# --- four writers at once (WAL, busy timeout): every chain recorded
pids=()
for n in 1 2 3 4; do "$BULWARK" -q base add "$MIN" --name "parallel-$n" --state "$W/par.sqlite" & pids+=($!); done
rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
t_eq "base: 4 concurrent adds all recorded" "0 4" "$rc $("$BULWARK" base list --state "$W/par.sqlite" --format json | jq '[.[] | select(.name | startswith("parallel-"))] | length')"

# --- the policy gates the two origins differently
"$BULWARK" -q base add "$MIN" --name debian-12-minbase
cat >"$W/policy.yaml" <<'YAML'
version: 1
rules:
  - name: own-findings
    action: fail
    vulnerabilities: {severity: [CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN], origin: image}
  - name: inherited-findings
    action: warn
    vulnerabilities: {severity: [CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN], origin: base}
YAML
"$BULWARK" scan "$KS" --policy "$W/policy.yaml" --format json >"$W/policy.json"
t_eq "base: policy origin: image fails once per added finding" "$n_own" \
  "$(jq '[.policy.violations[] | select(.rule == "own-findings")] | length' "$W/policy.json")"
t_eq "base: policy origin: base warns once per inherited finding" "$n_inh" \
  "$(jq '[.policy.violations[] | select(.rule == "inherited-findings" and .action == "warn")] | length' "$W/policy.json")"
printf 'version: 1\nrules:\n  - name: x\n    action: fail\n    vulnerabilities: {origin: parent}\n' >"$W/bad-policy.yaml"
t_run_expect "base: policy origin must be base or image" 2 "origin" -- "$BULWARK" scan "$KS" --policy "$W/bad-policy.yaml"
