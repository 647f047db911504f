#!/usr/bin/env bash
# YAML parsing (src/util/yaml.c) against PyYAML: every YAML file of
# ../shared/data/vulndb -- the 2,661 PyPA advisories of
# osv/pypa-advisory-database-vulns.tar.gz and the Alpine secdb files under
# alpine-secdb/ -- is parsed by bulwark (through the test-only program
# bw-yaml2json, built beside the bulwark binary) and by Debian's python3-yaml
# with BaseLoader (every scalar a string, the mode bulwark uses for advisory
# data); the two values must be equal, key order and types included. Each file
# is also compared with the JSON derived from it in ../shared (the .json beside
# each Alpine .yaml, and the derived-json archive of the PyPA advisories;
# SOURCES.md says both were written with BaseLoader). Typed mode (-t) is
# compared with PyYAML running the YAML 1.2 core schema's resolvers, on the
# same files and on a generated file of scalars that probe the schema. Zero
# differences is the bar; the counts and parse times are printed. A last check
# makes sure the comparison can see a difference at all.
#
#   BULWARK=build/bulwark TOP=$PWD bash tests/integration/yaml.sh
#
# The PyYAML side is tests/lib/yaml_oracle.py. Needs /usr/bin/python3 with
# python3-yaml (scripts/install-deps.sh).
. "$(dirname "$0")/../lib/harness.sh"

Y2J=${YAML2JSON:-$(dirname "$BULWARK")/bw-yaml2json}
PY=/usr/bin/python3
ORACLE=$TOP/tests/lib/yaml_oracle.py
W=$TMPROOT/yaml
rm -rf "$W"
mkdir -p "$W"

if [ ! -x "$Y2J" ]; then
  t_fail "yaml bw-yaml2json" "$Y2J is missing (ninja builds it)"
  exit 0
fi
if ! "$PY" -c 'import yaml' 2>/dev/null; then
  t_fail "yaml python3-yaml" "/usr/bin/python3 cannot import yaml (scripts/install-deps.sh)"
  exit 0
fi

# run_compare NAME EXPECTED_FILES MODE BW_OUT ROOT [JSON_ROOT]
run_compare() {
  local name=$1 want=$2 out rc got
  shift 2
  out=$("$PY" "$ORACLE" compare "$@" 2>&1)
  rc=$?
  got=$(grep -c '' "$2")
  if [ "$got" != "$want" ]; then
    t_fail "$name" "$got files, expected $want"
  elif [ $rc = 0 ]; then
    t_ok "$name ($(head -1 <<<"$out"))"
  else
    t_fail "$name" "$(tr '\n' ' ' <<<"$out" | cut -c1-600)"
  fi
}

# parse_all [OPTIONS] LIST OUT: bw-yaml2json over the files of LIST in one
# process (so that -T adds up the parse time of each); prints the timing line.
# A file that fails to parse is a "!error" line of OUT, which the comparer reports.
parse_all() {
  local opts=()
  while [ "${1:0:1}" = - ]; do opts+=("$1"); shift; done
  "$Y2J" "${opts[@]}" -T -l "$1" >"$2" 2>"$2.stderr"
  sed -n 's/^bw-yaml2json: //p' "$2.stderr" | tail -1
}

# --- typed mode on generated scalars (needs nothing from ../shared)
n_scalars=$("$PY" "$ORACLE" scalars "$W/scalars.yaml")
echo "$W/scalars.yaml" >"$W/scalars.list"
parse_all -t "$W/scalars.list" "$W/scalars.out" >/dev/null
if [ "${n_scalars:-0}" -lt 1000 ]; then
  t_fail "yaml typed scalars vs PyYAML with core schema resolvers" "only ${n_scalars:-0} scalars generated"
else
  run_compare "yaml typed: $n_scalars scalars vs PyYAML with core schema resolvers" 1 core12 "$W/scalars.out" "$W"
fi
# ...and the types they resolved to, so that the check above is not all strings
types=$("$PY" -c '
import json, sys, collections
v = json.loads(open(sys.argv[1]).readline().split("\t", 1)[1])
c = collections.Counter(type(x).__name__ for x in v.values())
print(" ".join(t for t in ("NoneType", "bool", "int", "float", "str") if c[t]))' "$W/scalars.out" 2>&1)
t_eq "yaml typed scalars cover null, bool, int, float and str" "NoneType bool int float str" "$types"

if need_shared "yaml PyPA advisories vs PyYAML"; then
  VULNDB=$SHARED/data/vulndb
  mkdir -p "$W/pypa" "$W/pypa-json"
  if ! tar -xzf "$VULNDB/osv/pypa-advisory-database-vulns.tar.gz" -C "$W/pypa" ||
     ! tar -xzf "$VULNDB/osv/pypa-advisory-database-vulns.derived-json.tar.gz" -C "$W/pypa-json"; then
    t_fail "yaml PyPA advisories" "cannot unpack the archives of $VULNDB/osv"
  else
    find "$W/pypa" -name '*.yaml' | LC_ALL=C sort >"$W/pypa.list"
    t_eq "yaml PyPA advisory files" 2661 "$(grep -c '' "$W/pypa.list")"
    echo "# bulwark: $(parse_all "$W/pypa.list" "$W/pypa.out")"
    run_compare "yaml PyPA advisories vs PyYAML BaseLoader" 2661 pyyaml "$W/pypa.out" "$W/pypa"
    run_compare "yaml PyPA advisories vs derived JSON" 2661 derived "$W/pypa.out" "$W/pypa" "$W/pypa-json"
    parse_all -t "$W/pypa.list" "$W/pypa-typed.out" >/dev/null
    run_compare "yaml PyPA advisories typed vs PyYAML with core schema resolvers" 2661 core12 "$W/pypa-typed.out" "$W/pypa"

    # Alpine secdb: the release folders and the vunnel fixture
    find "$VULNDB/alpine-secdb" -name '*.yaml' | LC_ALL=C sort >"$W/alpine.list"
    n_alpine=$(grep -c '' "$W/alpine.list")
    [ "$n_alpine" -ge 18 ] ||
      t_fail "yaml Alpine secdb files" "only $n_alpine YAML files under $VULNDB/alpine-secdb"
    echo "# bulwark: $(parse_all "$W/alpine.list" "$W/alpine.out")"
    run_compare "yaml Alpine secdb vs PyYAML BaseLoader" "$n_alpine" pyyaml "$W/alpine.out" "$VULNDB/alpine-secdb"
    run_compare "yaml Alpine secdb vs derived JSON" "$n_alpine" derived "$W/alpine.out" "$VULNDB/alpine-secdb" "$VULNDB/alpine-secdb"
    parse_all -t "$W/alpine.list" "$W/alpine-typed.out" >/dev/null
    run_compare "yaml Alpine secdb typed vs PyYAML with core schema resolvers" "$n_alpine" core12 "$W/alpine-typed.out" "$VULNDB/alpine-secdb"

    # the comparison must be able to fail: a version "1.0" changed to "1.00",
    # the same made a number, and one advisory's keys put in reverse order
    canary=$(grep -m1 '"1\.0"' "$W/pypa.out")
    if [ -z "$canary" ]; then
      t_fail "yaml comparer sees differences" "no advisory with a version \"1.0\" to alter"
    else
      { sed 's/"1\.0"/"1.00"/' <<<"$canary"
        sed 's/"1\.0"/1.0/' <<<"$canary"
        head -1 "$W/pypa.out" | "$PY" -c '
import json, sys
path, _, text = sys.stdin.readline().rstrip("\n").partition("\t")
d = json.loads(text)
print(path + "\t" + json.dumps(dict(reversed(list(d.items()))), separators=(",", ":")))'
      } >"$W/canary.out"
      seen=$("$PY" "$ORACLE" compare pyyaml "$W/canary.out" "$W/pypa" | sed -n '1s/.* \([0-9]*\) differ.*/\1/p')
      t_eq "yaml comparer sees differences" 3 "$seen"
    fi
  fi
fi
exit 0
