#!/usr/bin/env bash
# scripts/demo.sh: the `make demo` walk-through. Builds a real image (the kitchen-sink
# fixture from ../shared/fixtures when present, else a small image assembled from Debian
# packages by scripts/demo-image.sh), inspects it end to end and lists its packages (SBOM).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=$TOP/build/bulwark
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}

if [ -d "$SHARED/fixtures" ]; then
  echo "demo: building the fixture images from $SHARED/fixtures (cached; ~5 min the first time)" >&2
  image=$("$TOP/tests/lib/fixtures.sh" "$SHARED")/kitchen-sink/oci
else
  echo "demo: ../shared is absent; assembling a small image from Debian packages" >&2
  image=$("$TOP/scripts/demo-image.sh" "${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-demo/image" | tail -1)
fi

run() { printf '\n$ %s\n' "$*" | sed "s|$TOP/build/||; s|$HOME|~|g"; "$@"; }
run "$BULWARK" inspect "oci:$image:latest"
run "$BULWARK" inspect --deleted "oci:$image:latest" | sed -n '/^Deleted by whiteouts/,$p'
run "$BULWARK" inspect --format json --files "oci:$image:latest" -o "${TMPDIR:-/tmp}/bulwark-demo.json"
jq '{manifest: .artifact.manifest_digest, os: .artifact.os, layers: (.artifact.layers | length), files: (.files | length),
     setuid: [.files[] | select(.type == "file" and (.mode | startswith("4"))) | .path]}' "${TMPDIR:-/tmp}/bulwark-demo.json"
run "$BULWARK" sbom "oci:$image:latest" | awk 'NR <= 5 || /packages$/'
run "$BULWARK" sbom --format cyclonedx "oci:$image:latest" -o "${TMPDIR:-/tmp}/bulwark-demo.cdx.json"
jq '{components: (.components | length),
     by_type: ([.components[] | select(.purl) | .purl | split("/")[0]] | group_by(.) | map({(.[0]): length}) | add)}' \
  "${TMPDIR:-/tmp}/bulwark-demo.cdx.json"

# ---- vulnerabilities: a local database, then a full scan -----------------------------
# The demo keeps its own database so it never mixes demo data into the user's default one.
export BULWARK_DB=${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-demo/vulndb.sqlite
mkdir -p "$(dirname "$BULWARK_DB")"
echo
if "$BULWARK" db update >/dev/null 2>"${TMPDIR:-/tmp}/bulwark-demo.update.err"; then
  echo "demo: vulnerability database downloaded from the official feeds (bulwark db update)"
else
  echo "demo: the official feeds cannot be reached from here ($(head -1 "${TMPDIR:-/tmp}/bulwark-demo.update.err" | cut -c1-120))"
  feeds=("$TOP/data/demo-feed/debian-bookworm.json")
  V=$SHARED/data/vulndb
  if [ -d "$V" ]; then
    feeds+=("$V/osv/go-vulndb-data-osv.tar.gz" "$V/osv/pypa-advisory-database-vulns.tar.gz"
            "$V/osv/rustsec-osv-branch-crates.tar.gz" "$V/osv/ghsa-npm"
            "$V/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz"
            "$V/debian-security-tracker/data/DSA/list" "$V/alpine-secdb/v3.10/main.json")
  fi
  echo "demo: importing the demo feed (data/demo-feed: $(jq 'map_values(length) | add' "${feeds[0]}") real Debian 12 advisories)${V:+ and the real feeds of ../shared/data/vulndb}"
  echo "demo: NOTE this database is a DEMO SUBSET, not a complete vulnerability database"
  run "$BULWARK" db import "${feeds[@]}"
fi
run "$BULWARK" db info
# (written whole, then shortened: a pipe into head would cut bulwark off mid-write)
run "$BULWARK" scan "oci:$image:latest" -o "${TMPDIR:-/tmp}/bulwark-demo.scan.txt"
head -40 "${TMPDIR:-/tmp}/bulwark-demo.scan.txt"
echo "... ($(wc -l <"${TMPDIR:-/tmp}/bulwark-demo.scan.txt") lines in ${TMPDIR:-/tmp}/bulwark-demo.scan.txt)"
run "$BULWARK" scan --format json "oci:$image:latest" -o "${TMPDIR:-/tmp}/bulwark-demo.scan.json"
jq '.summary' "${TMPDIR:-/tmp}/bulwark-demo.scan.json"
