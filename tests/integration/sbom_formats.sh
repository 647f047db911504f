#!/usr/bin/env bash
# CycloneDX 1.6 and SPDX 2.3 output: valid against the official JSON schemas
# (../shared/data/schemas, checked with Debian's python3-jsonschema) and the same package
# set as bulwark's own JSON.
. "$(dirname "$0")/../lib/harness.sh"
need_shared "sbom formats" || exit 0
FIXTURES=${FIXTURES:-$("$TOP/tests/lib/fixtures.sh" "$SHARED")}
SCHEMAS=$SHARED/data/schemas
validate() { /usr/bin/python3 "$TOP/tests/lib/validate.py" "$SCHEMAS" "$1" "$2"; }

for name in debian-minbase kitchen-sink rpm-root; do
  img="oci:$FIXTURES/$name/oci:latest"
  "$BULWARK" sbom --format json -o "$TMPROOT/$name.json" "$img"
  for fmt in cyclonedx spdx; do
    out=$TMPROOT/$name.$fmt.json
    t_run_expect "$name sbom --format $fmt" 0 "" -- "$BULWARK" sbom --format "$fmt" -o "$out" "$img"
    t_eq "$name $fmt validates against the official schema" "valid" "$(validate "$fmt" "$out" 2>&1 | tail -3)"
  done
  want=$(jq -r '.packages[].purl' "$TMPROOT/$name.json" | LC_ALL=C sort)
  t_eq "$name cyclonedx purls = json purls" "$want" \
    "$(jq -r '.components[] | select(.type == "library") | .purl' "$TMPROOT/$name.cyclonedx.json" | LC_ALL=C sort)"
  t_eq "$name spdx purls = json purls" "$want" \
    "$(jq -r '.packages[].externalRefs[]? | select(.referenceType == "purl") | .referenceLocator' "$TMPROOT/$name.spdx.json" | LC_ALL=C sort)"
  t_eq "$name cyclonedx: the image is the root, the OS holds the OS packages" \
    "container $(jq '[.packages[] | select(.type == "deb" or .type == "rpm" or .type == "apk")] | length' "$TMPROOT/$name.json")" \
    "$(jq -r '.metadata.component.type + " " + ([.dependencies[] | select(.ref | startswith("os:")) | .dependsOn[]] | length | tostring)' "$TMPROOT/$name.cyclonedx.json")"
  t_eq "$name spdx: every package is contained" "$(jq '.packages | length' "$TMPROOT/$name.json")" \
    "$(jq '[.relationships[] | select(.relationshipType == "CONTAINS" and (.relatedSpdxElement | startswith("SPDXRef-Package-")))] | length' "$TMPROOT/$name.spdx.json")"
done

# licenses: SPDX ids as ids, names elsewhere; every LicenseRef used is declared
f=$TMPROOT/debian-minbase.cyclonedx.json
t_eq "cyclonedx: bash licenses by id" "GPL-3.0-or-later" \
  "$(jq -r '.components[] | select(.name == "bash") | .licenses[0].license.id' "$f")"
f=$TMPROOT/debian-minbase.spdx.json
t_eq "spdx: every LicenseRef is declared" "" \
  "$(comm -23 <(jq -r '.packages[].licenseDeclared // empty' "$f" | grep -o 'LicenseRef-[A-Za-z0-9.-]*' | sort -u) \
              <(jq -r '.hasExtractedLicensingInfos[].licenseId' "$f" | sort -u))"

# the validator itself must be able to say no
jq '.bomFormat = "NotCycloneDX"' "$TMPROOT/rpm-root.cyclonedx.json" >"$TMPROOT/bad.cdx.json"
t_check "validator rejects a broken CycloneDX document" bash -c "! /usr/bin/python3 '$TOP/tests/lib/validate.py' '$SCHEMAS' cyclonedx '$TMPROOT/bad.cdx.json' >/dev/null"
jq 'del(.packages[0].SPDXID)' "$TMPROOT/rpm-root.spdx.json" >"$TMPROOT/bad.spdx.json"
t_check "validator rejects a broken SPDX document" bash -c "! /usr/bin/python3 '$TOP/tests/lib/validate.py' '$SCHEMAS' spdx '$TMPROOT/bad.spdx.json' >/dev/null"
t_run_expect "inspect refuses an SBOM format" 2 "use table or json" -- "$BULWARK" inspect --format spdx "oci:$FIXTURES/rpm-root/oci:latest"

# dependencies the sources state: the Go main module depends on every module of its build
# info (`go version -m`, read back by ../shared) and on the standard library
f=$TMPROOT/kitchen-sink.cyclonedx.json
t_eq "cyclonedx: go main module depends on its build info's modules" \
  "$(jq -r '.go[] | select(.main_module | not) | .name + "@" + .version' "$(dirname "$FIXTURES")/expected/kitchen-sink/packages.json" | LC_ALL=C sort | tr '\n' ' ')" \
  "$(jq -r '.dependencies[] | select(.ref | startswith("pkg:golang/example.com/fixtures/goapp@")) | .dependsOn[]' "$f" |
     sed -E 's/^pkg:golang\///; s/\?package-id=.*//; s/%2B/+/g' | LC_ALL=C sort | tr '\n' ' ')"
t_eq "spdx: the same dependencies as DEPENDS_ON" "4" \
  "$(jq '[.relationships[] | select(.relationshipType == "DEPENDS_ON")] | length' "$TMPROOT/kitchen-sink.spdx.json")"

# Cargo.lock dependencies, against Python's own TOML reader (tomllib) of the same file
for lock in "$SHARED"/data/pkgdb/cargo/*/Cargo.lock; do
  case_name=$(basename "$(dirname "$lock")")
  root=$TMPROOT/cargo-$case_name
  mkdir -p "$root/app"
  cp "$lock" "$root/app/Cargo.lock"
  "$BULWARK" sbom --format cyclonedx -o "$root.cdx.json" "dir:$root"
  want=$(/usr/bin/python3 - "$lock" <<'PY' | LC_ALL=C sort
import sys, tomllib
pkgs = tomllib.load(open(sys.argv[1], "rb")).get("package", [])
for p in pkgs:
    for d in p.get("dependencies", []):
        parts = d.split(" ")
        vers = [q["version"] for q in pkgs if q["name"] == parts[0]]
        ver = parts[1] if len(parts) > 1 else (vers[0] if len(vers) == 1 else None)
        if ver and any(q["name"] == parts[0] and q["version"] == ver for q in pkgs):
            print(f'{p["name"]}@{p["version"]} -> {parts[0]}@{ver}')
PY
)
  got=$(jq -r '.dependencies[] | select(.ref | startswith("pkg:cargo/")) | (.ref | sub("^pkg:cargo/"; "") | sub("\\?.*"; "")) as $f |
               .dependsOn[] | "\($f) -> \(sub("^pkg:cargo/"; "") | sub("\\?.*"; ""))"' "$root.cdx.json" | LC_ALL=C sort)
  t_eq "cargo $case_name: dependencies = Cargo.lock ($(grep -c '' <<<"$want"))" "$want" "$got"
  t_eq "cargo $case_name: cyclonedx valid" "valid" "$(validate cyclonedx "$root.cdx.json" 2>&1 | tail -1)"
done

# package-lock v2/v3 dependencies, resolved as node resolves them (nearest node_modules
# up the tree), by an independent implementation in Python; dev-only packages are not listed
for lock in "$SHARED"/data/pkgdb/npm/trivy-package-lock-v3/package-lock.json; do
  root=$TMPROOT/npmlock
  mkdir -p "$root/app"
  cp "$lock" "$root/app/package-lock.json"
  "$BULWARK" sbom --format cyclonedx -o "$root.cdx.json" "dir:$root"
  want=$(/usr/bin/python3 - "$lock" <<'PY' | LC_ALL=C sort -u
import json, sys
pk = json.load(open(sys.argv[1]))["packages"]
def resolve(key, dep):
    base = key
    while True:
        cand = (base + "/" if base else "") + "node_modules/" + dep
        if cand in pk and not pk[cand].get("link"):
            return cand
        if not base:
            return None
        i = base.rfind("node_modules/")
        base = base[:i].rstrip("/") if i > 0 else ""
for key, v in pk.items():
    if not key or v.get("dev") or "version" not in v:
        continue
    name = v.get("name") or key.rsplit("node_modules/", 1)[1]
    for dep in list(v.get("dependencies", {})) + list(v.get("optionalDependencies", {})):
        t = resolve(key, dep)
        if t and not pk[t].get("dev") and pk[t].get("version"):
            tname = pk[t].get("name") or dep
            print(f'{name}@{v["version"]} -> {tname}@{pk[t]["version"]}')
PY
)
  got=$(jq -r '.dependencies[] | select(.ref | startswith("pkg:npm/")) | (.ref | sub("^pkg:npm/"; "") | sub("\\?.*"; "") | sub("%40"; "@")) as $f |
               .dependsOn[] | "\($f) -> \(sub("^pkg:npm/"; "") | sub("\\?.*"; "") | sub("%40"; "@"))"' "$root.cdx.json" | LC_ALL=C sort -u)
  t_eq "npm package-lock v3: dependencies resolved as node does ($(grep -c '' <<<"$want"))" "$want" "$got"
  t_eq "npm package-lock v3: cyclonedx valid" "valid" "$(validate cyclonedx "$root.cdx.json" 2>&1 | tail -1)"
done
