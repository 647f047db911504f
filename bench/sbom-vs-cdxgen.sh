#!/usr/bin/env bash
# bench/sbom-vs-cdxgen.sh: bulwark sbom beside @cyclonedx/cdxgen (npm) on the kitchen-sink
# fixture, in one run: per ecosystem, the package counts of both tools and of the ground
# truth (../shared/fixtures/expected), and the wall time of each. cdxgen is installed from
# the npm registry into ~/.cache/bulwark-bench/cdxgen on first use. Not part of `make test`.
set -euo pipefail
# timings are of reading the layers: the layer and image result caches would answer repeat runs
export BULWARK_NO_CACHE=1
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
CDX_DIR=${CDX_DIR:-$HOME/.cache/bulwark-bench/cdxgen}
FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED")
EXPECTED=$(dirname "$FIXTURES")/expected/kitchen-sink/packages.json
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$CDX_DIR/node_modules/.bin/cdxgen" ]; then
  mkdir -p "$CDX_DIR"
  (cd "$CDX_DIR" && npm install --no-audit --no-fund @cyclonedx/cdxgen@12 >/dev/null)
fi
now() { date +%s.%N; }

s=$(now); "$BULWARK" sbom --format json -o "$tmp/bulwark.json" "oci:$FIXTURES/kitchen-sink/oci:latest"; e=$(now)
t_bw=$(echo "$e - $s" | bc -l)
s=$(now); "$CDX_DIR/node_modules/.bin/cdxgen" -t docker --no-install-deps -o "$tmp/cdxgen.json" \
  "$FIXTURES/kitchen-sink/docker-archive.tar" >"$tmp/cdxgen.log" 2>&1; e=$(now)
t_cdx=$(echo "$e - $s" | bc -l)

count_bw()  { jq --arg t "$1" '[.packages[] | select(.type == $t)] | length' "$tmp/bulwark.json"; }
count_cdx() { jq --arg t "pkg:$1/" '[.components[] | select((.purl // "") | startswith($t))] | length' "$tmp/cdxgen.json"; }
count_exp() { jq --arg k "$1" '.[$k] | length' "$EXPECTED"; }

printf '%-10s %10s %10s %12s\n' ecosystem bulwark cdxgen "ground truth"
for pair in deb:deb pypi:python npm:npm maven:maven golang:go gem:gem; do
  t=${pair%%:*} k=${pair#*:}
  printf '%-10s %10s %10s %12s\n' "$t" "$(count_bw "$t")" "$(count_cdx "$t")" "$(count_exp "$k")"
done
printf '%-10s %10s %10s\n' "other" "-" "$(jq '[.components[] | select((.purl // "") | test("^pkg:(deb|pypi|npm|maven|golang|gem)/") | not)] | length' "$tmp/cdxgen.json")"
printf '\nwall time: bulwark %.2f s, cdxgen %.2f s (bulwark %.0fx faster)\n' "$t_bw" "$t_cdx" "$(echo "$t_cdx / $t_bw" | bc -l)"
