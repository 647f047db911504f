#!/usr/bin/env bash
# tests/integration/reports.sh: every `scan` report format on scans of the fixture images,
# checked by readers that are not bulwark's: SARIF and CycloneDX (and SPDX from `sbom`)
# against the official JSON schemas (tests/lib/validate.py, python3-jsonschema); JUnit with
# Python's xml.etree, its counts equal to the JSON report's; the HTML page rendered by
# headless Chromium (not blank, the findings table holds exactly the JSON report's findings,
# its Content-Security-Policy blocks an injected script, its sort script works); the table
# against golden files (make golden) and 100 columns. A hostile image (tests/integration/
# reports/: a package named <script>alert(1)</script>, terminal escapes, markup in advisory
# text) must come out escaped in HTML, SARIF and JUnit, and without escapes in the table.
. "$(dirname "$0")/../lib/harness.sh"
need_shared "reports: fixture images and feeds" || exit 0
PY=/usr/bin/python3
CHECK="$PY $TOP/tests/lib/report_checks.py"
SCHEMAS=$SHARED/data/schemas
W=$TMPROOT/reports; mkdir -p "$W"
. "$TOP/tests/lib/scan_db.sh"
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "reports: fixtures" "cannot build the fixture images"; exit 0; }
export BULWARK_DB=$W/db.sqlite
scan_db_import "$BULWARK_DB" || { t_fail "reports: import" "db import failed"; exit 0; }
validate() { "$PY" "$TOP/tests/lib/validate.py" "$SCHEMAS" "$1" "$2" 2>&1 | tail -3; }

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
# a closed network: no first-run, no background requests, no sandbox (root in CI), no GPU
chrome() { DBUS_SESSION_BUS_ADDRESS=disabled: timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --no-default-browser-check \
  --user-data-dir="$W/chrome-profile" "$@" 2>>"$W/chromium.log"; }

for img in kitchen-sink debian-minbase rpm-root; do
  ref="oci:$IMAGES/$img/oci:latest"
  J=$W/$img.json
  if ! "$BULWARK" scan --format json -o "$J" "$ref" 2>"$W/$img.err"; then
    t_fail "$img: scan --format json" "$(head -3 "$W/$img.err")"; continue
  fi
  n=$(jq '.vulnerabilities | length' "$J")
  shown=$(jq '.summary.vulnerabilities' "$J")
  t_check "$img: there are findings to report (else the checks below prove little)" test "$n" -gt 0
  for fmt in sarif cyclonedx junit html; do
    t_run_expect "$img: scan --format $fmt" 0 "" -- "$BULWARK" scan --format "$fmt" -o "$W/$img.$fmt" "$ref"
  done

  # SARIF: valid; one result per finding, one rule per advisory id, each result's rule right
  t_eq "$img: sarif validates against the SARIF 2.1.0 schema" "valid" "$(validate sarif "$W/$img.sarif")"
  S=$W/$img.sarif
  t_eq "$img: sarif results = json findings ($n)" "$n" "$(jq '.runs[0].results | length' "$S")"
  t_eq "$img: sarif rules = distinct advisory ids" "$(jq '[.vulnerabilities[].id] | unique | length' "$J")" \
    "$(jq '.runs[0].tool.driver.rules | length' "$S")"
  t_eq "$img: sarif every result's ruleIndex names its rule" "0" \
    "$(jq '.runs[0] as $r | [$r.results[] | select($r.tool.driver.rules[.ruleIndex].id != .ruleId)] | length' "$S")"
  t_eq "$img: sarif findings = json findings (id, package, path, layer)" \
    "$(jq -c '[.vulnerabilities[] | [.id, .package, .path, .layer]] | sort' "$J")" \
    "$(jq -c '[.runs[0].results[] | [.ruleId, .properties.package, .properties.path, .properties.layer]] | sort' "$S")"
  t_eq "$img: sarif locations are the package paths inside the image" \
    "$(jq -r '[.vulnerabilities[].path | ltrimstr("/")] | sort | unique | .[]' "$J")" \
    "$(jq -r '[.runs[0].results[].locations[0].physicalLocation.artifactLocation | select(.uriBaseId == "IMAGE_ROOT") | .uri] | sort | unique | .[]' "$S")"
  t_eq "$img: sarif security-severity is a score 0..10 for every rule" "true" \
    "$(jq 'all(.runs[0].tool.driver.rules[]; .properties["security-severity"] | tonumber | . >= 0 and . <= 10)' "$S")"

  # CycloneDX: valid; the sbom's components; a vulnerability per finding, affecting a component
  t_eq "$img: cyclonedx validates against the CycloneDX 1.6 schema" "valid" "$(validate cyclonedx "$W/$img.cyclonedx")"
  C=$W/$img.cyclonedx
  t_eq "$img: cyclonedx vulnerabilities = json findings ($n)" \
    "$(jq -c '[.vulnerabilities[] | [.id, .purl]] | sort' "$J")" \
    "$(jq -c '(.components | map({key: .["bom-ref"], value: .purl}) | from_entries) as $p |
             [.vulnerabilities[] | [.id, $p[.affects[0].ref]]] | sort' "$C")"
  t_eq "$img: cyclonedx components = sbom components" \
    "$(jq -r '.packages[].purl' "$J" | LC_ALL=C sort)" \
    "$(jq -r '.components[] | select(.type == "library") | .purl' "$C" | LC_ALL=C sort)"
  t_eq "$img: cyclonedx fixed versions are the json's" \
    "$(jq -c '[.vulnerabilities[] | .fixed_version // empty] | sort' "$J")" \
    "$(jq -c '[.vulnerabilities[].affects[0].versions[] | select(.status == "unaffected") | .version] | sort' "$C")"

  # JUnit: well-formed; a case per package, failing exactly for the packages with findings
  if read -r tests failures cases failed lines < <($CHECK junit "$W/$img.junit" 2>"$W/junit.err"); then
    t_eq "$img: junit is well-formed XML with a test case per package" \
      "$(jq '.summary.packages' "$J") $(jq '.summary.packages' "$J")" "$tests $cases"
    want=$(jq '[.vulnerabilities[] | select(.suppressed_by | not) | [.purl, .path]] | unique | length' "$J")
    t_eq "$img: junit failures = packages with findings ($want)" "$want $want" "$failures $failed"
    t_eq "$img: junit failure lines = json findings ($shown)" "$shown" "$lines"
  else
    t_fail "$img: junit is well-formed XML" "$(head -3 "$W/junit.err")"
  fi

  # HTML: one row per finding; in Chromium (the DOM after the script ran) for the
  # kitchen-sink, which has the most, and as parsed by Python for the others (Chromium
  # takes seconds per page on a loaded machine)
  if [ "$img" != kitchen-sink ]; then
    t_eq "$img: html findings table has $n rows, one script" "$n 1" "$($CHECK dom "$W/$img.html")"
  elif [ -n "$CHROMIUM" ]; then
    chrome --dump-dom "file://$W/$img.html" >"$W/$img.dom"
    t_eq "$img: html findings table in Chromium has $n rows, one script" "$n 1" "$($CHECK dom "$W/$img.dom")"
  else
    t_fail "$img: html in Chromium" "chromium is not installed (scripts/install-deps.sh)"
  fi

  # table: golden, 100 columns
  (cd "$IMAGES" && "$BULWARK" scan --format table "oci:$img/oci:latest") >"$W/$img.txt"
  t_check "$img: table fits 100 columns" test "$($CHECK width "$W/$img.txt")" -le 100
  if diff -u "$TOP/tests/golden/scan-table/$img.txt" "$W/$img.txt" >"$W/$img.diff"; then
    t_ok "$img: table = golden file (make golden regenerates it)"
  else
    t_fail "$img: table differs from tests/golden/scan-table/$img.txt (make golden, then review)" \
      "$(head -12 "$W/$img.diff" | tr '\n' ' ')"
  fi

  # SPDX (from sbom) stays valid
  "$BULWARK" sbom --format spdx -o "$W/$img.spdx" "$ref"
  t_eq "$img: sbom spdx validates against the SPDX 2.3 schema" "valid" "$(validate spdx "$W/$img.spdx")"
done

KS="oci:$IMAGES/kitchen-sink/oci:latest"
# the screenshot: a page that rendered is not one colour
if [ -n "$CHROMIUM" ]; then
  chrome --screenshot="$W/ks.png" --window-size=1280,1600 "file://$W/kitchen-sink.html" >/dev/null
  read -r pw ph colours < <($CHECK png "$W/ks.png" 2>/dev/null || echo "0 0 0")
  t_check "kitchen-sink: html screenshot is not blank (${pw}x$ph, $colours colours)" test "${colours:-0}" -gt 1
  # and the check can say no: a blank page is one colour
  printf '<!DOCTYPE html><html><body style="background:#fff"></body></html>' >"$W/blank.html"
  chrome --screenshot="$W/blank.png" --window-size=320,200 "file://$W/blank.html" >/dev/null
  t_eq "a blank page's screenshot has one colour (the check can fail)" "1" "$($CHECK png "$W/blank.png" | cut -d' ' -f3)"
  # the sort script works: click Severity (ascending by rank: CRITICAL first), then again
  sed 's|script-src [^"]*|script-src '"'"'unsafe-inline'"'"'|; s|</body>|<script>var t=document.getElementById("findings-table"),h=t.tHead.rows[0].cells[0];h.click();var a=t.tBodies[0].rows[0].cells[0].textContent;h.click();document.body.setAttribute("data-sorted",a+" "+t.tBodies[0].rows[0].cells[0].textContent+" "+h.getAttribute("aria-sort"));</script></body>|' \
    "$W/kitchen-sink.html" >"$W/sort.html"
  chrome --dump-dom "file://$W/sort.html" | sed -n 's/.*<body data-sorted="\([^"]*\)".*/\1/p' >"$W/sorted"
  ranks='{"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3, "UNKNOWN": 4}'
  t_eq "html: a click on Severity sorts the table (most severe first), a second click reverses it" \
    "$(jq -r --argjson r "$ranks" '[.vulnerabilities[].severity] | sort_by($r[.]) | "\(first) \(last) descending"' "$W/kitchen-sink.json")" \
    "$(cat "$W/sorted")"
  # the Content-Security-Policy allows only the report's own script
  sed 's|</body>|<script>document.body.setAttribute("data-injected","ran");</script></body>|' \
    "$W/kitchen-sink.html" >"$W/inject.html"
  chrome --dump-dom "file://$W/inject.html" >"$W/inject.dom"
  # (sort.html above is the proof that an injected script runs when the CSP allows it)
  t_eq "html: the CSP blocks an injected inline script" "0" "$(grep -c 'data-injected="ran"' "$W/inject.dom")"
fi

# validators must be able to say no
jq '.runs[0].results[0].level = "fatal"' "$W/kitchen-sink.sarif" >"$W/bad.sarif"
t_check "validator rejects a broken SARIF document" bash -c "! $PY '$TOP/tests/lib/validate.py' '$SCHEMAS' sarif '$W/bad.sarif' >/dev/null"
jq '.vulnerabilities[0].ratings[0].severity = "catastrophic"' "$W/kitchen-sink.cyclonedx" >"$W/bad.cdx"
t_check "validator rejects a broken CycloneDX vulnerability" bash -c "! $PY '$TOP/tests/lib/validate.py' '$SCHEMAS' cyclonedx '$W/bad.cdx' >/dev/null"

# ---------------------------------------------------------------- hostile strings
H=$W/hostile; mkdir -p "$H"
BULWARK_DB=$H/db.sqlite "$BULWARK" -q db import "$TOP/tests/integration/reports/feed.json"
HI="dir:$TOP/tests/integration/reports/hostile"
for fmt in json sarif junit html cyclonedx; do
  BULWARK_DB=$H/db.sqlite "$BULWARK" scan --format "$fmt" -o "$H/out.$fmt" "$HI"
done
NAME='<script>alert(1)</script>'
t_eq "hostile: the json report holds the name as it is" "1" \
  "$(jq --arg n "$NAME" '[.vulnerabilities[] | select(.package == $n)] | length' "$H/out.json")"
for fmt in html sarif junit cyclonedx; do
  t_check "hostile: no unescaped <script>alert in $fmt" bash -c "! grep -qF '<script>alert' '$H/out.$fmt'"
  t_check "hostile: no unescaped <img in $fmt" bash -c "! grep -qF '<img' '$H/out.$fmt'"
  t_check "hostile: no terminal escape (ESC) in $fmt" bash -c "! grep -q $'\x1b' '$H/out.$fmt'"
done
t_eq "hostile: sarif keeps the name as data" "$NAME" \
  "$(jq -r --arg n "$NAME" '.runs[0].results[] | select(.properties.package == $n) | .properties.package' "$H/out.sarif")"
t_eq "hostile: sarif validates" "valid" "$(validate sarif "$H/out.sarif")"
t_eq "hostile: cyclonedx validates" "valid" "$(validate cyclonedx "$H/out.cyclonedx")"
t_check "hostile: junit names read back as the package name" grep -qxF "$NAME@1.0.0" <($CHECK junit-names "$H/out.junit")
t_eq "hostile: the html file has one <script> (the report's own)" "1" "$(grep -o '<script' "$H/out.html" | wc -l)"
if [ -n "$CHROMIUM" ]; then
  chrome --dump-dom "file://$H/out.html" >"$H/out.dom"
  t_eq "hostile: in Chromium, 3 rows and one script element" "3 1" "$($CHECK dom "$H/out.dom")"
  t_eq "hostile: in Chromium, the name is a cell's text" "1" "$($CHECK dom-cells "$H/out.dom" "$NAME")"
fi
(cd "$TOP/tests/integration/reports" && BULWARK_DB=$H/db.sqlite "$BULWARK" scan dir:hostile) >"$H/table.txt"
t_check "hostile: no ESC or bidi override in the table" bash -c "! grep -q -e $'\x1b' -e $'\xe2\x80\xae' '$H/table.txt'"
if diff -u "$TOP/tests/golden/scan-table/hostile.txt" "$H/table.txt" >"$H/table.diff"; then
  t_ok "hostile: table = golden file"
else
  t_fail "hostile: table differs from tests/golden/scan-table/hostile.txt" "$(head -12 "$H/table.diff" | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- colours, formats, VEX
t_check "table: no colours when stdout is not a terminal" bash -c "! '$BULWARK' scan '$KS' | grep -q $'\x1b\\['"
if command -v script >/dev/null; then
  script -qec "'$BULWARK' scan '$KS'" /dev/null >"$W/tty.txt" </dev/null
  t_check "table: severity colours on a terminal" grep -q $'\x1b\[31mHIGH' "$W/tty.txt"
  NO_COLOR=1 script -qec "'$BULWARK' scan '$KS'" /dev/null >"$W/tty-nc.txt" </dev/null
  t_check "table: NO_COLOR turns them off" bash -c "! grep -q $'\x1b\\[' '$W/tty-nc.txt'"
fi
t_run_expect "scan --format spdx is refused (an SBOM format)" 2 "sbom --format spdx" -- "$BULWARK" scan --format spdx "$KS"
t_run_expect "sbom --format sarif is refused (a scan report)" 2 "bulwark scan --format sarif" -- "$BULWARK" sbom --format sarif "$KS"
t_run_expect "an unknown format names the formats" 2 "sarif, junit, html" -- "$BULWARK" scan --format pdf "$KS"

# VEX: a suppressed finding is analysis.state not_affected in CycloneDX and an accepted
# suppression in SARIF; the CycloneDX report, read back as VEX, suppresses the same finding
read -r vid vpurl < <(jq -r '[.vulnerabilities[] | select(.type == "npm")][0] | "\(.id) \(.purl)"' "$W/kitchen-sink.json")
cat >"$W/vex.json" <<JSON
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "test",
 "timestamp": "2026-01-01T00:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "$vid"}, "products": [{"@id": "$vpurl"}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
JSON
"$BULWARK" scan --format cyclonedx --vex "$W/vex.json" -o "$W/vex.cdx" "$KS"
"$BULWARK" scan --format sarif --vex "$W/vex.json" -o "$W/vex.sarif" "$KS"
t_eq "VEX: cyclonedx analysis not_affected, justification mapped" "$vid not_affected code_not_reachable" \
  "$(jq -r '.vulnerabilities[] | select(.analysis) | "\(.id) \(.analysis.state) \(.analysis.justification)"' "$W/vex.cdx")"
t_eq "VEX: sarif suppression accepted for that result only" "$vid accepted" \
  "$(jq -r '.runs[0].results[] | select(.suppressions) | "\(.ruleId) \(.suppressions[0].state)"' "$W/vex.sarif")"
t_eq "VEX: cyclonedx with vex validates" "valid" "$(validate cyclonedx "$W/vex.cdx")"
"$BULWARK" scan --format json --vex "$W/vex.cdx" -o "$W/vex-back.json" "$KS"
t_eq "VEX: our CycloneDX read back as VEX suppresses the same finding" "$vid" \
  "$(jq -r '.vulnerabilities[] | select(.suppressed_by) | .id' "$W/vex-back.json")"
