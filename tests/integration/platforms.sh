#!/usr/bin/env bash
# tests/integration/platforms.sh: `scan --platform all` over a two-platform index built here
# from the fixtures: linux/amd64 is kitchen-sink, linux/arm64 a debian-minbase whose config
# says arm64 (the two share minbase's layer). Each platform's part must equal a scan of
# that platform alone, and the shared layer must be read once (the layer cache).
. "$(dirname "$0")/../lib/harness.sh"
need_shared "platforms: fixture images" || exit 0
PY=/usr/bin/python3
W=$TMPROOT/platforms; mkdir -p "$W"
export BULWARK_DB=$W/db.sqlite BULWARK_STATE=$W/state.sqlite
unset BULWARK_NO_CACHE
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "platforms: fixtures" "cannot build the fixture images"; exit 0; }
"$BULWARK" -q db import "$TOP/data/demo-feed/debian-bookworm.json" "$SHARED/data/vulndb/osv/ghsa-npm" ||
  { t_fail "platforms: import" "db import failed"; exit 0; }

"$PY" - "$IMAGES" "$W/multi" <<'PY'
import hashlib, json, os, shutil, sys
images, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "blobs", "sha256"))
def blob_path(root, digest):
    return os.path.join(root, "blobs", *digest.split(":"))
def put(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    open(blob_path(out, d), "wb").write(data)
    return d, len(data)
def copy_blob(root, digest):
    if not os.path.exists(blob_path(out, digest)):
        shutil.copyfile(blob_path(root, digest), blob_path(out, digest))
entries = []
for name, arch in (("kitchen-sink", "amd64"), ("debian-minbase", "arm64")):
    root = os.path.join(images, name, "oci")
    desc = json.load(open(os.path.join(root, "index.json")))["manifests"][0]
    m = json.load(open(blob_path(root, desc["digest"])))
    for l in m["layers"]:
        copy_blob(root, l["digest"])
    config = json.load(open(blob_path(root, m["config"]["digest"])))
    config["architecture"] = arch
    cd, cs = put(json.dumps(config).encode())
    m["config"]["digest"], m["config"]["size"] = cd, cs
    md, ms = put(json.dumps(m).encode())
    entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
                    "platform": {"os": "linux", "architecture": arch}})
# an attestation entry as BuildKit writes it: no platform of its own
entries.append(dict(entries[0], platform={"os": "unknown", "architecture": "unknown"}))
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
idx_d, idx_s = put(json.dumps(index).encode())
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
           "digest": idx_d, "size": idx_s, "annotations": {"org.opencontainers.image.ref.name": "multi"}}]},
          open(os.path.join(out, "index.json"), "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(out, "oci-layout"), "w"))
PY
REF=oci:$W/multi:multi

t_run_expect "platforms: scan --platform all (json)" 0 "" -- "$BULWARK" scan "$REF" --platform all --format json -o "$W/all.json"
t_eq "platforms: the index's platforms, attestation entry left out" '["linux/amd64","linux/arm64"]' "$(jq -c .platforms "$W/all.json")"
t_eq "platforms: one result per platform" "linux/amd64 linux/arm64" "$(jq -r '[.results[].artifact.platform] | join(" ")' "$W/all.json")"
for p in linux/amd64 linux/arm64; do
  "$BULWARK" --no-cache scan "$REF" --platform "$p" --format json >"$W/one.json"
  t_eq "platforms: $p part = a scan of $p alone (packages, findings)" \
    "$(jq -c '[.packages, .vulnerabilities, .summary]' "$W/one.json")" \
    "$(jq -c --arg p "$p" '.results[] | select(.artifact.platform == $p) | [.packages, .vulnerabilities, .summary]' "$W/all.json")"
done
t_check "platforms: the two parts differ (kitchen-sink has more packages)" test \
  "$(jq '.results[0].packages | length' "$W/all.json")" -gt "$(jq '.results[1].packages | length' "$W/all.json")"
uniq_layers=$(for m in $(jq -r '.manifests[] | select(.platform.os == "linux") | .digest' "$W/multi/blobs/sha256/$(jq -r '.manifests[0].digest' "$W/multi/index.json" | cut -d: -f2)"); do
  jq -r '.layers[].digest' "$W/multi/blobs/sha256/${m#sha256:}"; done | sort -u | wc -l)
t_eq "platforms: the shared layer is read once (layer cache entries = distinct layers)" "$uniq_layers" \
  "$("$BULWARK" cache info --format json | jq .layers)"
t_run_expect "platforms: table" 0 "" -- "$BULWARK" scan "$REF" --platform all -o "$W/all.txt"
t_eq "platforms: table headings" "=== platform linux/amd64 (1 of 2)|=== platform linux/arm64 (2 of 2)" \
  "$(grep '^=== platform' "$W/all.txt" | paste -sd'|')"
t_run_expect "platforms: global --platform all" 0 "" -- "$BULWARK" --platform all scan "$REF" --format json -o "$W/g.json"
t_eq "platforms: global option gives the same platforms" '["linux/amd64","linux/arm64"]' "$(jq -c .platforms "$W/g.json")"
t_run_expect "platforms: a single image" 2 "single image" -- "$BULWARK" scan "oci:$IMAGES/debian-minbase/oci" --platform all
t_run_expect "platforms: sarif is one document per platform only" 2 "table or json" -- "$BULWARK" scan "$REF" --platform all --format sarif
t_run_expect "platforms: a platform the index lacks" 3 "available: linux/amd64, linux/arm64" -- "$BULWARK" scan "$REF" --platform linux/s390x
