#!/usr/bin/env bash
# tests/integration/vuln_match.sh: `bulwark scan` of the fixture images with every shared
# feed imported, checked finding by finding against an oracle written independently of
# src/ (tests/oracles/vuln_oracle.py reads the same feeds and the fixtures' ground-truth
# package lists, and decides from docs/matching.md alone). Also the filters, VEX and the
# ignore file, and the exit code gate.
. "$(dirname "$0")/../lib/harness.sh"
need_shared "vuln_match: fixture images and feeds" || exit 0
PY=/usr/bin/python3
W=$TMPROOT/vuln_match; mkdir -p "$W"
export BULWARK_DB=$W/db.sqlite
V=$SHARED/data/vulndb
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "vuln_match: fixtures" "cannot build the fixture images"; exit 0; }
EXPECTED=${IMAGES%/images}/expected

feeds=("$V/osv/go-vulndb-data-osv.tar.gz" "$V/osv/rustsec-osv-branch-crates.tar.gz"
       "$V/osv/almalinux-osv-8.tar.gz" "$V/osv/almalinux-osv-9.tar.gz"
       "$V/osv/pypa-advisory-database-vulns.tar.gz"
       "$V/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz" "$V/osv/ghsa-npm"
       "$V/osv/ubuntu-osv-sample" "$V/osv/misc-osv-records"
       "$V/debian-security-tracker/data/DSA/list" "$V/debian-security-tracker/data/DLA/list"
       "$V/debian-security-tracker/vunnel-fixture/debian.json"
       "$V/alpine-secdb/v3.10/main.json" "$V/wolfi-secdb/vunnel-wolfi/security.json"
       "$TOP/data/demo-feed/debian-bookworm.json")
"$BULWARK" -q db import "${feeds[@]}" || { t_fail "vuln_match: import" "db import failed"; exit 0; }
oracle_feeds=()
for f in "${feeds[@]}"; do oracle_feeds+=(--feed "$f"); done

for img in kitchen-sink debian-minbase rpm-root; do
  "$PY" "$TOP/tests/oracles/fixture_packages.py" "$EXPECTED/$img" >"$W/$img.pkgs.json"
  "$PY" "$TOP/tests/oracles/vuln_oracle.py" match --packages "$W/$img.pkgs.json" "${oracle_feeds[@]}" \
    >"$W/$img.oracle.json" 2>"$W/$img.oracle.err" || { t_fail "$img: oracle" "$(tail -3 "$W/$img.oracle.err")"; continue; }
  start=$(date +%s%N)
  if ! "$BULWARK" scan --format json "oci:$IMAGES/$img/oci:latest" -o "$W/$img.scan.json" 2>"$W/$img.err"; then
    t_fail "$img: scan" "$(head -3 "$W/$img.err")"; continue
  fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  n=$(jq '.summary.vulnerabilities' "$W/$img.scan.json")
  echo "# $img: $n findings, $(jq length "$W/$img.oracle.json") oracle records, scan ${ms} ms"
  if "$PY" "$TOP/tests/lib/compare_vulns.py" "$W/$img.oracle.json" "$W/$img.scan.json" >"$W/$img.cmp"; then
    t_ok "$img: findings = oracle (ids, package, installed and fixed version, status)"
  else
    t_fail "$img: findings differ from the oracle" "$(head -12 "$W/$img.cmp" | tr '\n' ' ')"
  fi
  sed -n 1p "$W/$img.cmp"
done

KS="oci:$IMAGES/kitchen-sink/oci:latest"
S=$W/kitchen-sink.scan.json
t_check "kitchen-sink: there are findings to filter (else the checks below prove nothing)" \
  test "$(jq '[.vulnerabilities[] | select(.status == "fixed")] | length' "$S")" -gt 0
t_check "every finding says why it matched and where the data came from" \
  jq -e '[.vulnerabilities[] | select((.why // "") == "" or (.data_source // "") == "" or (.layer // "") == "")] | length == 0' "$S"

# --ignore-unfixed and --severity keep exactly the subsets jq computes from the full report
"$BULWARK" scan --format json --ignore-unfixed "$KS" -o "$W/unfixed.json"
t_eq "--ignore-unfixed keeps exactly the findings with a fixed version" \
  "$(jq -c '[.vulnerabilities[] | select(.status == "fixed") | [.package, .id]] | sort' "$S")" \
  "$(jq -c '[.vulnerabilities[] | [.package, .id]] | sort' "$W/unfixed.json")"
"$BULWARK" scan --format json --severity HIGH,CRITICAL "$KS" -o "$W/high.json"
t_eq "--severity HIGH,CRITICAL keeps exactly those" \
  "$(jq -c '[.vulnerabilities[] | select(.severity == "HIGH" or .severity == "CRITICAL") | [.package, .id]] | sort' "$S")" \
  "$(jq -c '[.vulnerabilities[] | [.package, .id]] | sort' "$W/high.json")"
t_run_expect "--severity with an unknown word is a usage error" 2 "unknown severity" -- \
  "$BULWARK" scan --severity HIGH,SEVERE "$KS"

# the gate
rc=0; "$BULWARK" -q scan --exit-code 7 "$KS" >/dev/null 2>&1 || rc=$?
t_eq "--exit-code 7 with findings exits 7" 7 "$rc"
rc=0; "$BULWARK" -q scan --exit-code 7 --severity CRITICAL "$KS" >/dev/null 2>&1 || rc=$?
t_eq "--exit-code 7 with nothing left after the filters exits 0" "$([ "$(jq '[.vulnerabilities[] | select(.severity == "CRITICAL")] | length' "$S")" = 0 ] && echo 0 || echo 7)" "$rc"

# VEX (OpenVEX): one not_affected statement about one finding's package purl
read -r vid vpurl vpkg < <(jq -r '[.vulnerabilities[] | select(.type == "npm")][0] | "\(.id) \(.purl) \(.package)"' "$S")
cat >"$W/vex.json" <<JSON
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "test",
 "timestamp": "2026-01-01T00:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "$vid"}, "products": [{"@id": "$vpurl"}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
JSON
"$BULWARK" scan --format json --vex "$W/vex.json" "$KS" -o "$W/vex.out.json"
t_eq "VEX not_affected: that finding is marked suppressed, with the reason" "not_affected" \
  "$(jq -r --arg id "$vid" --arg p "$vpkg" '.vulnerabilities[] | select(.id == $id and .package == $p) | .status' "$W/vex.out.json")"
t_eq "VEX: only that one finding is suppressed" "1" "$(jq '.summary.suppressed' "$W/vex.out.json")"
t_eq "VEX: the others are unchanged" "$(jq '.summary.vulnerabilities - 1' "$S")" "$(jq '.summary.vulnerabilities' "$W/vex.out.json")"
sed 's/"justification": "vulnerable_code_not_in_execute_path"/"note": "x"/' "$W/vex.json" >"$W/vex-bad.json"
t_run_expect "VEX: not_affected without a justification is refused (exit 3)" 3 "justification" -- \
  "$BULWARK" scan --vex "$W/vex-bad.json" "$KS"
# CycloneDX VEX for the same finding
cat >"$W/vex.cdx.json" <<JSON
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "components": [{"type": "library", "bom-ref": "c1", "name": "$vpkg", "purl": "$vpurl"}],
 "vulnerabilities": [{"id": "$vid", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                      "affects": [{"ref": "c1"}]}]}
JSON
"$BULWARK" scan --format json --vex "$W/vex.cdx.json" "$KS" -o "$W/vex2.out.json"
t_eq "CycloneDX VEX not_affected suppresses the same finding" "1" "$(jq '.summary.suppressed' "$W/vex2.out.json")"

# the ignore file: a live rule, an expired one (warns, no effect), a package-scoped one
read -r iid ipkg < <(jq -r '.vulnerabilities[1] | "\(.id) \(.package)"' "$S")
cat >"$W/ignore.yaml" <<YAML
- id: $iid
  package: $ipkg
  expires: 2099-12-31
  reason: accepted for the test
- id: $vid
  expires: 2001-01-01
  reason: expired long ago
YAML
"$BULWARK" scan --format json --ignore-file "$W/ignore.yaml" "$KS" -o "$W/ign.json" 2>"$W/ign.err"
t_eq "ignore file: the live rule suppresses its finding" "1" "$(jq '.summary.suppressed' "$W/ign.json")"
t_check "ignore file: the expired rule warns and does not apply" grep -q "expired on 2001-01-01" "$W/ign.err"
t_check "ignore file: the reason is in the report" \
  jq -e '[.vulnerabilities[] | select(.suppressed_by != null) | .suppressed_by | test("accepted for the test")] == [true]' "$W/ign.json"
printf -- '- id: CVE-1\n  colour: red\n' >"$W/ign-bad.yaml"
t_run_expect "ignore file: an unknown key is refused, naming it" 3 "colour" -- \
  "$BULWARK" scan --ignore-file "$W/ign-bad.yaml" "$KS"
