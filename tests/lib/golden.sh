#!/usr/bin/env bash
# tests/lib/golden.sh [OUTDIR]: writes the `scan --format table` reports that are kept as
# golden files: the three fixture images scanned against the shared feeds
# (tests/lib/scan_db.sh), and the hostile image of tests/integration/reports/ against its
# own feed. `make golden` writes them to tests/golden/scan-table/ (never edit them by hand);
# tests/integration/reports.sh writes them to a scratch folder and compares. References are
# relative (the scans run from the images' folder), so the text is the same on any machine.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
OUT=${1:-$TOP/tests/golden/scan-table}
. "$TOP/tests/lib/scan_db.sh"

IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
scan_db_import "$WORK/fixtures.sqlite"
BULWARK_DB=$WORK/hostile.sqlite "$BULWARK" -q db import "$TOP/tests/integration/reports/feed.json"
mkdir -p "$OUT"
unset NO_COLOR
for img in debian-minbase kitchen-sink rpm-root; do
  (cd "$IMAGES" && BULWARK_DB=$WORK/fixtures.sqlite "$BULWARK" scan --format table "oci:$img/oci:latest") >"$OUT/$img.txt"
done
(cd "$TOP/tests/integration/reports" && BULWARK_DB=$WORK/hostile.sqlite "$BULWARK" scan --format table dir:hostile) \
  >"$OUT/hostile.txt"
