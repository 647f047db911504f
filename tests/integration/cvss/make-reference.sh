#!/usr/bin/env bash
# tests/integration/cvss/make-reference.sh: regenerates the CVSS 4.0 reference
# scores that tests/integration/cvss.sh compares bulwark with. Not run by the
# tests (it needs the npm registry); run by hand when the vector sets change:
#
#   bash tests/integration/cvss/make-reference.sh [../shared]
#
# Debian 12 has no CVSS 4.0 calculator (ruby-cvss-suite 3.1.0 stops at 3.1),
# so the expected 4.0 scores come from two independent JavaScript
# implementations of the FIRST specification, installed from npm into a
# scratch folder, never into the repository:
#   @pandatix/js-cvss 0.4.4     (by a co-author of FIRST's 4.0 calculator)
#   ae-cvss-calculator 1.0.13   ({metaeffekt}'s calculator)
# A score is written only where both agree. Where the exact value of the
# formula is a tie (x.x5, found by ties.py in exact rationals), calculators
# legitimately round either way, so the line says "tN" (exact value N/10 +
# 0.05) instead; the two libraries' own results are not kept.
#
# Writes, beside this script:
#   v40-base.txt.gz   one line per vector of `gen.py base 4.0` (all 104,976
#                     base vectors, same order): the score ("9.3") or "tN"
#   v40-full.tsv.gz   VECTOR<TAB>SCORE<TAB>CVSS-B SCORE for 5,000 vectors of
#                     `gen.py random 4.0 5000 40` and the 4.0 vectors with
#                     threat/environmental metrics found in ../shared's feeds
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${1:-$HERE/../../../../shared}
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

(cd "$W" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent \
	@pandatix/js-cvss@0.4.4 ae-cvss-calculator@1.0.13 >/dev/null)
# js-cvss ships ES modules with extension-less imports, which node 20 refuses
mkdir "$W/pj"
cp "$W"/node_modules/@pandatix/js-cvss/dist/*.js "$W/pj/"
sed -i -E "s#from '(\./[a-z0-9]+)'#from '\1.js'#g" "$W"/pj/*.js
echo '{"type":"module"}' >"$W/pj/package.json"

cat >"$W/score.js" <<'EOF'
// VECTOR -> "pandatix-score ae-score pandatix-CVSS-B ae-CVSS-B" (or "! reason")
const pj = require('./pj/index.js');
const ae = require('ae-cvss-calculator');
const out = [];
for (const v of require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  try {
    const b = v.split('/').slice(0, 12).join('/');
    const s = ae.fromVector(v).calculateScores();
    out.push([new pj.CVSS40(v).Score(), s.overall, new pj.CVSS40(b).Score(), s.baseMetricsOnly]
      .map((x) => x.toFixed(1)).join(' '));
  } catch (e) {
    out.push('! ' + e.message);
  }
}
process.stdout.write(out.join('\n') + '\n');
EOF

# merge VECTORS SCORES TIES TIES-OF-BASE -> "SCORE<TAB>BASE" per line; dies on
# a non-tie where the two libraries disagree
merge() {
	paste -d '|' "$1" "$2" "$3" "$4" | awk -F'|' '
	{ split($2, s, " ")
	  if (s[1] == "!") { print "error: " $1 ": " $2 > "/dev/stderr"; exit 1 }
	  score = $3 == "-" ? s[1] : $3; base = $4 == "-" ? s[3] : $4
	  if (($3 == "-" && s[1] != s[2]) || ($4 == "-" && s[3] != s[4])) {
	    print "error: libraries disagree on " $1 ": " $2 > "/dev/stderr"; exit 1 }
	  print score "\t" base }'
}

"$PY" "$HERE/gen.py" base 4.0 >"$W/base.txt"
node "$W/score.js" <"$W/base.txt" >"$W/base.scores"
"$PY" "$HERE/ties.py" <"$W/base.txt" >"$W/base.ties"
merge "$W/base.txt" "$W/base.scores" "$W/base.ties" "$W/base.ties" | cut -f1 >"$W/base.out"
gzip -9n <"$W/base.out" >"$HERE/v40-base.txt.gz"

{
	"$PY" "$HERE/gen.py" random 4.0 5000 40
	if [ -d "$SHARED/data/vulndb/osv" ]; then
		bash "$HERE/feed-vectors.sh" "$SHARED" "$W/feeds" | grep '^CVSS:4.0/' | awk -F/ 'NF > 12'
	fi
} >"$W/full.txt"
node "$W/score.js" <"$W/full.txt" >"$W/full.scores"
"$PY" "$HERE/ties.py" <"$W/full.txt" >"$W/full.ties"
cut -d/ -f1-12 "$W/full.txt" | "$PY" "$HERE/ties.py" >"$W/full.bties"
merge "$W/full.txt" "$W/full.scores" "$W/full.ties" "$W/full.bties" >"$W/full.out"
paste "$W/full.txt" "$W/full.out" | gzip -9n >"$HERE/v40-full.tsv.gz"

echo "v40-base: $(grep -c . "$W/base.out") vectors, $(grep -c '^t' "$W/base.out") ties"
echo "v40-full: $(grep -c . "$W/full.out") vectors, $(cut -f1 "$W/full.out" | grep -c '^t') ties"
