#!/usr/bin/env bash
# tests/integration/cvss/feed-vectors.sh SHARED SCRATCH: every CVSS vector that
# the real advisories under SHARED/data/vulndb/osv/ state, one per line,
# sorted, unique. SCRATCH is an empty folder for the unpacked archives.
#
# Where OSV records keep vectors: severity[].score and affected[].severity[].score
# (types CVSS_V2, CVSS_V3, CVSS_V4), and RustSec's database_specific.cvss. The
# GHSA sample is wrapped as {"vulns": [...]}. Ubuntu's severity[] also holds
# words ("low", "medium"): only strings that look like vectors are kept
# (a "CVSS:" prefix or a 2.0 "AV:" start).
set -euo pipefail
OSV=$1/data/vulndb/osv
W=$2
mkdir -p "$W"
for t in "$OSV"/*.tar.gz; do
	d=$W/$(basename "$t" .tar.gz)
	mkdir -p "$d"
	tar -xzf "$t" -C "$d"
done
for g in "$OSV"/*/*.json.gz; do
	[ -f "$g" ] && zcat "$g" >"$W/$(basename "$g" .gz)"
done
find "$W" "$OSV" -name '*.json' -print0 |
	xargs -0 jq -r '(if type == "object" and has("vulns") then .vulns[] else . end)
		| [.severity[]?.score, .affected[]?.severity[]?.score, .database_specific.cvss?]
		| .[] | strings | select(startswith("CVSS:") or startswith("AV:") or startswith("(AV:"))' |
	LC_ALL=C sort -u
