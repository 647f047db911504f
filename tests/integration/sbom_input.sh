#!/usr/bin/env bash
# tests/integration/sbom_input.sh: `bulwark scan sbom:FILE`. bulwark's own CycloneDX and SPDX
# SBOMs of the kitchen-sink image must give the same findings as scanning the image; an SBOM
# made by another tool (cdxgen, from the npm registry, cached outside the clone) must give the
# image's findings for the packages it lists; hostile SBOMs (a million components, purls that
# look like injections) are bounded and handled as data.
. "$(dirname "$0")/../lib/harness.sh"
need_shared "sbom_input: fixture images and feeds" || exit 0
W=$TMPROOT/sbom_input; mkdir -p "$W"
export BULWARK_DB=$W/db.sqlite
V=$SHARED/data/vulndb
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "sbom_input: fixtures" "cannot build the fixture images"; exit 0; }
"$BULWARK" -q db import "$V/osv/go-vulndb-data-osv.tar.gz" "$V/osv/pypa-advisory-database-vulns.tar.gz" \
  "$V/osv/ghsa-npm" "$V/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz" \
  "$V/debian-security-tracker/data/DSA/list" "$TOP/data/demo-feed/debian-bookworm.json" \
  "$V/osv/almalinux-osv-9.tar.gz"
key() { jq -c '[.vulnerabilities[] | select(.suppressed_by == null) | [.type, .package, .package_version, .id, .fixed_version, .status]] | sort' "$1"; }

for img in kitchen-sink rpm-root; do
  ref="oci:$IMAGES/$img/oci:latest"
  "$BULWARK" scan --format json "$ref" -o "$W/$img.image.json"
  for fmt in cyclonedx spdx; do
    "$BULWARK" sbom --format $fmt "$ref" -o "$W/$img.$fmt.json"
    if "$BULWARK" scan --format json "sbom:$W/$img.$fmt.json" -o "$W/$img.$fmt.scan.json" 2>"$W/err"; then
      if diff <(key "$W/$img.image.json" | jq -c '.[]') <(key "$W/$img.$fmt.scan.json" | jq -c '.[]') >"$W/$img.$fmt.diff"; then
        t_ok "$img: scan of bulwark's own $fmt SBOM = scan of the image ($(jq '.vulnerabilities | length' "$W/$img.image.json") findings)"
      else
        t_fail "$img: scan of bulwark's own $fmt SBOM differs from the image's" "$(grep '^[<>]' "$W/$img.$fmt.diff" | head -5 | tr '\n' ' ')"
      fi
    else
      t_fail "$img: scan sbom:$fmt" "$(head -2 "$W/err")"
    fi
  done
done
t_check "kitchen-sink: the image scan has findings (else the equalities prove little)" \
  test "$(jq '.vulnerabilities | length' "$W/kitchen-sink.image.json")" -gt 50

# another tool's SBOM: cdxgen (npm), installed once per machine outside the clone
CDX=${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-tests/cdxgen
if [ ! -x "$CDX/node_modules/.bin/cdxgen" ]; then
  mkdir -p "$CDX"
  (cd "$CDX" && npm install --no-audit --no-fund @cyclonedx/cdxgen@12 >install.log 2>&1) || true
fi
if [ -x "$CDX/node_modules/.bin/cdxgen" ]; then
  timeout 300 "$CDX/node_modules/.bin/cdxgen" -t docker --no-install-deps -o "$W/cdxgen.json" \
    "$IMAGES/kitchen-sink/docker-archive.tar" >"$W/cdxgen.log" 2>&1
  if "$BULWARK" scan --format json "sbom:$W/cdxgen.json" -o "$W/cdxgen.scan.json" 2>"$W/cdx.err"; then
    # npm findings for the packages cdxgen lists = the image scan's for the same name@version
    jq -c '[.components[] | select((.purl // "") | startswith("pkg:npm/"))
            | [(if (.group // "") != "" then .group + "/" + .name else .name end), .version]] | unique' \
      "$W/cdxgen.json" >"$W/cdx-npm.json"
    want=$(jq -c --slurpfile have "$W/cdx-npm.json" '[.vulnerabilities[] | select(.type == "npm")
            | select([.package, .package_version] as $p | $have[0] | index([$p]))
            | [.package, .package_version, .id, .fixed_version]] | unique' "$W/kitchen-sink.image.json")
    got=$(jq -c '[.vulnerabilities[] | select(.type == "npm") | [.package, .package_version, .id, .fixed_version]] | unique' "$W/cdxgen.scan.json")
    t_eq "cdxgen's SBOM: npm findings = the image's for the packages it lists" "$want" "$got"
    t_check "cdxgen's SBOM: it has npm findings at all" test "$(jq length <<<"$got")" -gt 5
  else
    t_fail "scan sbom:cdxgen.json" "$(head -2 "$W/cdx.err")"
  fi
else
  t_fail "cdxgen" "could not be installed from the npm registry: $(tail -2 "$CDX/install.log" 2>/dev/null)"
fi

# hostile SBOMs
python3 - "$W/million.json" 1000000 <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[')
    for i in range(n):
        f.write('%s{"type":"library","name":"p%d","purl":"pkg:npm/p%d@1.0.%d"}' % ("," if i else "", i, i, i % 7))
    f.write(']}')
PY
/usr/bin/time -f '%e %M' -o "$W/million.time" "$BULWARK" scan --format json "sbom:$W/million.json" -o "$W/million.scan.json" 2>"$W/million.err"
read -r secs kb <"$W/million.time"
echo "# 1,000,000-component SBOM: ${secs}s, peak RSS $((kb / 1024)) MB"
t_eq "a 1,000,000-component SBOM is scanned whole" 1000000 "$(jq '.packages | length' "$W/million.scan.json")"
t_check "... in bounded time (< 120 s) and memory (< 3 GB)" test "${secs%.*}" -lt 120 -a "$kb" -lt 3000000
python3 - "$W/toomany.json" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[' +
            ",".join('{"type":"library","name":"x"}' for _ in range(1000001)) + ']}')
PY
t_run_expect "an SBOM past the component bound is refused, exit 3" 3 "more than 1000000 components" -- \
  "$BULWARK" scan "sbom:$W/toomany.json"
cat >"$W/inject.json" <<'JSON'
{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
 {"type": "library", "name": "a", "purl": "pkg:npm/x'%3B%20DROP%20TABLE%20advisory%3B--@1.0.0"},
 {"type": "library", "name": "b", "purl": "pkg:npm/%24(touch%20%2Ftmp%2Fbw-pwned)@1.0.0"},
 {"type": "library", "name": "c", "purl": "pkg:npm/..%2F..%2Fetc%2Fpasswd@1.0.0"},
 {"type": "library", "name": "d", "purl": "pkg:npm/left-pad@1.0.0?x=%0Anot ok - injected"}]}
JSON
rm -f /tmp/bw-pwned
t_run_expect "purls that look like injections are scanned as data" 0 "" -- \
  "$BULWARK" scan --format json "sbom:$W/inject.json" -o "$W/inject.scan.json"
t_eq "... their names are kept exactly" "x'; DROP TABLE advisory;--|\$(touch /tmp/bw-pwned)|../../etc/passwd|left-pad" \
  "$(jq -r '[.packages[].name] | join("|")' "$W/inject.scan.json")"
t_check "... nothing was executed and the database is intact" test ! -e /tmp/bw-pwned
t_check "... the database still answers" "$BULWARK" -q db info
