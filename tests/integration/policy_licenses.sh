#!/usr/bin/env bash
# tests/integration/policy_licenses.sh: licenses as the policy sees them (`scan --scanners license`).
#
#   - the compiled tables are what data/licenses/*.tsv say (scripts/gen-license-data.py);
#   - the SPDX expression parser and normaliser agree with an independent implementation,
#     nexB's license-expression (Debian's python3-license-expression), on 3000 generated
#     expressions and on every license string of the fixture images that it can read;
#   - the category of each reported license is what data/licenses/categories.tsv gives its
#     identifiers, combined as docs/licenses.md says (AND: most encumbering, OR: least),
#     computed here in Python from license-expression's tree;
#   - the table and json reports count the same things.
. "$(dirname "$0")/../lib/harness.sh"
PY=/usr/bin/python3
W=$TMPROOT/policy_licenses
mkdir -p "$W"
jqq() { jq -e "$@" >/dev/null; }

"$PY" "$TOP/scripts/gen-license-data.py" >"$W/license_data.c" 2>"$W/gen.err"
if cmp -s "$W/license_data.c" "$TOP/src/license/license_data.c"; then
  t_ok "src/license/license_data.c is generated from data/licenses/*.tsv"
else
  t_fail "src/license/license_data.c is generated from data/licenses/*.tsv" \
    "regenerate: scripts/gen-license-data.py > src/license/license_data.c $(head -c 200 "$W/gen.err")"
fi

if ! "$PY" -c 'import license_expression' 2>/dev/null; then
  t_fail "license-expression oracle" "python3-license-expression is not installed (scripts/install-deps.sh)"
  exit 0
fi
if out=$("$PY" "$TOP/tests/lib/spdx_oracle.py" "$TOP/build/bw-spdxexpr" 3000 11 2>&1); then
  t_ok "SPDX expressions = license-expression: ${out%%$'\n'*}"
else
  t_fail "SPDX expressions = license-expression" "$(printf '%s' "$out" | head -5 | cut -c1-300 | tr '\n' ' ')"
fi

t_run_expect "--scanners: an unknown scanner is a usage error" 2 '"sbom" is not available' -- \
  "$BULWARK" scan --scanners license,sbom dir:/nonexistent
t_run_expect "--scanners: an empty list is a usage error" 2 "name at least one" -- \
  "$BULWARK" scan --scanners , dir:/nonexistent

need_shared "policy_licenses: fixture images" || exit 0
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "policy_licenses: fixtures" "cannot build the fixture images"; exit 0; }

for f in kitchen-sink debian-minbase rpm-root; do
  ref="oci:$IMAGES/$f/oci:latest"
  # the license scanner alone needs no vulnerability database
  if ! BULWARK_DB=$W/none.sqlite "$BULWARK" -q scan --scanners license --format json "$ref" -o "$W/$f.json" 2>"$W/$f.err"; then
    t_fail "$f: scan --scanners license" "$(head -c 300 "$W/$f.err")"
    continue
  fi
  t_check "$f: one licenses entry per package and declared license (one null entry when none)" \
    jqq '([.packages[] | [(.licenses // []) | length, 1] | max] | add) == (.licenses | length)' "$W/$f.json"
  t_check "$f: no vulnerabilities member when that scanner did not run" jqq 'has("vulnerabilities") | not' "$W/$f.json"
  "$PY" - "$W/$f.json" "$TOP/data/licenses/categories.tsv" >"$W/$f.cmp" <<'PY'
import json, sys
from license_expression import get_spdx_licensing, LicenseWithExceptionSymbol, LicenseSymbol, ExpressionError
doc = json.load(open(sys.argv[1]))
order = ["forbidden", "restricted", "reciprocal", "unknown", "notice", "permissive", "unencumbered"]
cats = {}
for line in open(sys.argv[2]):
    if line.startswith("#") or line.startswith("id\t"):
        continue
    ident, cat, _ = line.rstrip("\n").split("\t")
    cats[ident.lower()] = cat
lic = get_spdx_licensing()
def walk(x):
    if isinstance(x, LicenseWithExceptionSymbol):
        return ["WITH", x.license_symbol.key.lower(), x.exception_symbol.key.lower()]
    if isinstance(x, LicenseSymbol):
        return x.key.lower()
    out = [type(x).__name__]
    for a in x.args:
        a = walk(a)
        out.extend(a[1:] if isinstance(a, list) and a[0] == out[0] else [a])
    return out
def category(t):
    if isinstance(t, str):
        return cats.get(t, "unknown")
    if t[0] == "WITH":
        c, e = category(t[1]), cats.get(t[2])
        return e if e and order.index(e) < order.index(c) else c
    parts = [category(a) for a in t[1:]]
    return (min if t[0] == "AND" else max)(parts, key=order.index)
checked = same = 0
bad = []
for e in doc["licenses"]:
    if e["declared"] is None:
        if e["license"] is not None or e["category"] != "unknown":
            bad.append("%s: no license, but %s/%s" % (e["package"], e["license"], e["category"]))
        continue
    try:
        tree = walk(lic.parse(e["declared"], validate=True, strict=True))
    except (ExpressionError, Exception):
        continue  # free text license-expression cannot read either
    checked += 1
    ours = lic.parse(e["license"], validate=False, strict=True) if e["spdx"] else None
    ours = walk(ours) if ours is not None else None
    want_cat = category(tree)
    if ours != tree or e["category"] != want_cat:
        bad.append("%s %r: bulwark %s (%s), license-expression %s (%s)" % (e["package"], e["declared"], e["license"], e["category"], json.dumps(tree), want_cat))
    else:
        same += 1
print("%d of %d license strings readable by license-expression: %d agree (tree and category), %d differ" % (checked, len(doc["licenses"]), same, len(bad)))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad or checked == 0 else 0)
PY
  if [ $? = 0 ]; then t_ok "$f: licenses = license-expression: $(head -1 "$W/$f.cmp")"
  else t_fail "$f: licenses = license-expression" "$(head -6 "$W/$f.cmp" | tr '\n' ' ' | cut -c1-600)"; fi

  BULWARK_DB=$W/none.sqlite "$BULWARK" -q scan --scanners license "$ref" >"$W/$f.txt" 2>/dev/null
  t_eq "$f: the table's summary line has the json's counts" \
    "$(jq -r '"Licenses: \(.summary.licenses.licenses)"' "$W/$f.json")" \
    "$(grep -o '^Licenses: [0-9]*' "$W/$f.txt")"
  t_eq "$f: the table lists one row per license" "$(jq '[.licenses[] | select(.license != null)] | length' "$W/$f.json")" \
    "$(sed -n '/^PACKAGE .*CATEGORY *LICENSE$/,/^$/p' "$W/$f.txt" | grep -vc -e '^PACKAGE' -e '^$')"
done

# the kitchen-sink carries what a gate needs to see: copyleft, notice and undeclared licenses
t_check "kitchen-sink: restricted, notice and unknown licenses are all there" \
  jqq '.summary.licenses.by_category | (.restricted > 0) and (.notice > 0) and (.unknown > 0)' "$W/kitchen-sink.json"
