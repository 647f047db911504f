#!/usr/bin/env bash
# CVSS vectors (src/match/cvss.c through the test tool bw-cvss), against
# independent sources:
#   - 2.0, 3.0, 3.1: Debian's ruby-cvss-suite (tests/integration/cvss/oracle.rb)
#     on every base vector of each version (729, 2,592, 2,592), on random
#     vectors with temporal and environmental metrics (3.x ones in shuffled
#     order), and on every vector of the real advisories in ../shared;
#   - 4.0 (no calculator in Debian 12): the scores two independent JavaScript
#     calculators agree on, recorded by cvss/make-reference.sh, for all
#     104,976 base vectors and 5,003 vectors with threat, environmental and
#     supplemental metrics (3 of them from real advisories), the latter also
#     in shuffled order; at exact ties (x.x5) the reference only says which
#     two tenths are possible (test_cvss.c pins FIRST's calculator there);
#   - the severity labels GitHub gave its advisories (GHSA records whose
#     vectors are all 3.x).
# Each comparison prints its counts and every disagreement; the bar is none
# beyond cvss/known-differences.txt, where each has its reason.
#
#   BULWARK=build/bulwark TOP=$PWD bash tests/integration/cvss.sh
#
# Needs ruby-cvss-suite, jq and /usr/bin/python3 (scripts/install-deps.sh).
. "$(dirname "$0")/../lib/harness.sh"

D=$TOP/tests/integration/cvss
TOOL=${BW_CVSS:-$(dirname "$BULWARK")/bw-cvss}
PY=/usr/bin/python3
W=$TMPROOT/cvss
rm -rf "$W"
mkdir -p "$W"

if [ ! -x "$TOOL" ]; then
	t_fail "cvss bw-cvss" "$TOOL is missing (ninja builds it)"
	exit 0
fi
if ! ruby -e 'require "cvss_suite"' 2>/dev/null; then
	t_fail "cvss oracle" "ruby-cvss-suite is not installed (scripts/install-deps.sh)"
	exit 0
fi

# report NAME CMPFILE: one ok / not ok line from a comparison's output, whose
# last line is "SUMMARY compared agree known differ refused"; the detail lines
# (DIFF, REFUSED, KNOWN, TIE...) are printed as comments, at most 60.
report() {
	local name=$1 out=$2 n agree known differ refused
	read -r _ n agree known differ refused < <(tail -1 "$out")
	grep -v '^SUMMARY' "$out" | grep -v '^TIE' | head -60 | sed 's/^/# /'
	local what="$n compared, $agree agree"
	[ "$known" != 0 ] && what+=", $known known differences"
	if [ "$n" = 0 ]; then
		t_fail "$name" "nothing compared"
	elif [ "$differ" != 0 ] || [ "$refused" != 0 ]; then
		t_fail "$name" "$what, $differ differ, $refused refused"
	else
		t_ok "$name: $what"
	fi
}

# vs_ruby NAME FILE: bw-cvss and ruby-cvss-suite on every vector of FILE
vs_ruby() {
	local name=$1 file=$2
	"$TOOL" <"$file" | cut -f1-3 >"$W/bw.out"
	ruby "$D/oracle.rb" <"$file" >"$W/rb.out"
	paste "$W/bw.out" "$W/rb.out" | awk -F'\t' -v known="$D/known-differences.txt" '
	BEGIN { while ((getline l < known) > 0)
			if (l !~ /^#/ && split(l, f, "\t") >= 4 && f[1] == "ruby") k[f[2]] = f[3] "/" f[4] }
	{ n++; v = $1; ours = $2; theirs = $5
	  if ($1 != $4) { print "DIFF lines out of step: " $1 " vs " $4; differ++; next }
	  if (ours == "!" || theirs ~ /^!/) {
		refused++; print "REFUSED " v ": bulwark " ours " " $3 "; ruby " theirs; next }
	  if (ours == theirs) { agree++; next }
	  key = v
	  if (v !~ /^CVSS:/) {   # 2.0: known differences are about the base part
		split(v, p, "/"); key = p[1] "/" p[2] "/" p[3] "/" p[4] "/" p[5] "/" p[6]
		gsub(/[()]/, "", key) }
	  if (k[key] == ours "/" theirs) { known++; print "KNOWN " v ": bulwark " ours ", ruby " theirs; next }
	  differ++; print "DIFF " v ": bulwark " ours ", ruby " theirs }
	END { print "SUMMARY", n + 0, agree + 0, known + 0, differ + 0, refused + 0 }' >"$W/cmp.out"
	report "$name" "$W/cmp.out"
}

# vs_ref NAME VECTORS EXPECTED [-b]: bw-cvss's scores against a column of the
# 4.0 reference ("9.3", or "tN": the exact value is N/10 + 0.05)
vs_ref() {
	local name=$1 file=$2 expected=$3
	"$TOOL" ${4:-} <"$file" >"$W/bw.out"
	paste "$W/bw.out" "$expected" | awk -F'\t' '
	function tenths(s) { gsub(/\./, "", s); return s + 0 }
	{ n++; v = $1; ours = $2; want = $4
	  if (ours == "!") { refused++; print "REFUSED " v ": " $3; next }
	  if (want ~ /^t/) {
		t = substr(want, 2) + 0; o = tenths(ours)
		if (o == t || o == t + 1) { agree++; print "TIE " v; next }
		differ++; print "DIFF " v ": bulwark " ours ", reference tie " t / 10 + 0.05; next }
	  if (ours == want) { agree++; next }
	  differ++; print "DIFF " v ": bulwark " ours ", reference " want }
	END { print "SUMMARY", n + 0, agree + 0, 0, differ + 0, refused + 0 }' >"$W/cmp.out"
	report "$name" "$W/cmp.out"
}

# ---------------------------------------------------------------- generated, 2.0 and 3.x
for v in 2.0 3.0 3.1; do
	"$PY" "$D/gen.py" base $v >"$W/base-$v.txt"
	vs_ruby "cvss $v every base vector vs ruby-cvss-suite" "$W/base-$v.txt"
done
"$PY" "$D/gen.py" random 2.0 2000 20 >"$W/rand-2.0.txt"
vs_ruby "cvss 2.0 random temporal/environmental vectors vs ruby-cvss-suite" "$W/rand-2.0.txt"
for v in 3.0 3.1; do
	"$PY" "$D/gen.py" random $v 3000 ${v/./} | "$PY" "$D/gen.py" shuffle 7 >"$W/rand-$v.txt"
	vs_ruby "cvss $v random temporal/environmental vectors, shuffled, vs ruby-cvss-suite" "$W/rand-$v.txt"
done

# ---------------------------------------------------------------- generated, 4.0
"$PY" "$D/gen.py" base 4.0 >"$W/base-4.0.txt"
zcat "$D/v40-base.txt.gz" >"$W/base-4.0.ref"
t_eq "cvss 4.0 reference covers every base vector" "$(grep -c . "$W/base-4.0.txt")" "$(grep -c . "$W/base-4.0.ref")"
vs_ref "cvss 4.0 every base vector vs reference" "$W/base-4.0.txt" "$W/base-4.0.ref"
ties=$(grep -c '^TIE' "$W/cmp.out")
zcat "$D/v40-full.tsv.gz" >"$W/full.tsv"
cut -f1 "$W/full.tsv" >"$W/full.txt"
cut -f2 "$W/full.tsv" >"$W/full.score"
cut -f3 "$W/full.tsv" >"$W/full.base"
vs_ref "cvss 4.0 threat/environmental/supplemental vectors vs reference" "$W/full.txt" "$W/full.score"
vs_ref "cvss 4.0 threat/environmental/supplemental vectors, CVSS-B score vs reference" "$W/full.txt" "$W/full.base" -b
"$PY" "$D/gen.py" shuffle 8 <"$W/full.txt" >"$W/full-shuffled.txt"
vs_ref "cvss 4.0 same vectors, metrics shuffled, vs reference" "$W/full-shuffled.txt" "$W/full.score"
echo "# 4.0 base vectors at exact ties (either tenth accepted here): $ties"

# ---------------------------------------------------------------- refused vectors
bad_case() { # NAME VECTOR MESSAGE-SUBSTRING
	local got
	got=$(printf '%s\n' "$2" | "$TOOL")
	case $got in
	*"	!	"*"$3"*) t_ok "cvss refuses $1" ;;
	*) t_fail "cvss refuses $1" "got: $got" ;;
	esac
}
bad_case "a repeated metric" "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L" "metric AV appears twice"
bad_case "a missing base metric" "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N" "base metric SA is missing"
bad_case "an unknown metric" "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y" "unknown metric"
bad_case "a value the metric lacks" "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N" "is not a value of metric SI"
bad_case "an unknown version" "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" "unknown version"
bad_case "a 2.0 vector out of order" "AC:L/AV:N/Au:N/C:P/I:P/A:P" "out of order"
bad_case "a vector past 256 bytes" "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H$(printf '/E:X%.0s' $(seq 1 62))" "longer than 256 bytes"

# ---------------------------------------------------------------- real advisories
if need_shared "cvss vectors of the real advisories"; then
	bash "$D/feed-vectors.sh" "$SHARED" "$W/feeds" >"$W/feed.txt"
	echo "# vectors in ../shared's advisories: $(grep -c . "$W/feed.txt") unique" \
		"($(grep -c '^CVSS:4.0/' "$W/feed.txt") 4.0, $(grep -c '^CVSS:3.1/' "$W/feed.txt") 3.1," \
		"$(grep -c '^CVSS:3.0/' "$W/feed.txt") 3.0, $(grep -vc '^CVSS:' "$W/feed.txt") 2.0)"
	grep -v '^CVSS:4.0/' "$W/feed.txt" >"$W/feed-old.txt" || true
	vs_ruby "cvss 2.0/3.x vectors of the real advisories vs ruby-cvss-suite" "$W/feed-old.txt"
	# 4.0: each must be in the reference (base-only ones in the enumeration)
	paste "$W/base-4.0.txt" "$W/base-4.0.ref" >"$W/ref4.tsv"
	cut -f1,2 "$W/full.tsv" >>"$W/ref4.tsv"
	grep '^CVSS:4.0/' "$W/feed.txt" >"$W/feed-4.txt" || true
	awk -F'\t' 'NR == FNR { ref[$1] = $2; next } { print ($1 in ref) ? ref[$1] : "none" }' \
		"$W/ref4.tsv" "$W/feed-4.txt" >"$W/feed-4.ref"
	vs_ref "cvss 4.0 vectors of the real advisories vs reference" "$W/feed-4.txt" "$W/feed-4.ref"

	# GitHub's severity labels, on advisories whose vectors are all 3.x
	find "$W/feeds" "$SHARED/data/vulndb/osv/ghsa-npm" "$SHARED/data/vulndb/osv/misc-osv-records" -name '*.json' -print0 |
		xargs -0 jq -r '(if type == "object" and has("vulns") then .vulns[] else . end)
			| select(.id | startswith("GHSA-"))
			| select(.database_specific.severity? | type == "string")
			| [.severity[]?.score | strings] as $v
			| select(($v | length) > 0 and all($v[]; startswith("CVSS:3.")))
			| [.id, (.database_specific.severity | ascii_upcase), $v[0]] | @tsv' |
		LC_ALL=C sort -u >"$W/ghsa.tsv"
	cut -f3 "$W/ghsa.tsv" | "$TOOL" | cut -f3 >"$W/ghsa.ours"
	paste "$W/ghsa.tsv" "$W/ghsa.ours" | awk -F'\t' -v known="$D/known-differences.txt" '
	BEGIN { while ((getline l < known) > 0)
			if (l !~ /^#/ && split(l, f, "\t") >= 4 && f[1] == "ghsa") k[f[2]] = f[3] "/" f[4] }
	{ n++; label = $2 == "MODERATE" ? "MEDIUM" : $2; ours = $4
	  if (ours == label) { agree++; next }
	  if (k[$1] == ours "/" label) { known++; print "KNOWN " $1 ": " $3 " is " ours ", label " label; next }
	  differ++; print "DIFF " $1 ": " $3 " is " ours ", label " label }
	END { print "SUMMARY", n + 0, agree + 0, known + 0, differ + 0, 0 }' >"$W/cmp.out"
	report "cvss 3.x severity of GHSA advisories vs GitHub's label" "$W/cmp.out"
fi
