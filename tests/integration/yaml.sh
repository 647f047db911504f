#!/usr/bin/env bash
# YAML parsing (src/util/yaml.c) against PyYAML: every YAML file of
# ../shared/data/vulndb -- the 2,661 PyPA advisories of
# osv/pypa-advisory-database-vulns.tar.gz and the Alpine secdb files
# alpine-secdb/*/*.yaml and alpine-secdb/*/*/*.yaml -- is parsed by bulwark
# (through the test-only program bw-yaml2json, built beside the bulwark binary)
# and by Debian's python3-yaml with BaseLoader (every scalar a string, the mode
# bulwark uses for advisory data), and the two values must be equal, key order
# included. Each file is also compared with the JSON derived from it in
# ../shared (the .json beside each Alpine .yaml, and the derived-json archive of
# the PyPA advisories; SOURCES.md says both were written with BaseLoader).
# Zero differences is the bar; the counts are printed. A last check makes sure
# the comparison can see a difference at all.
#
#   BULWARK=build/bulwark TOP=$PWD bash tests/integration/yaml.sh
#
# Needs /usr/bin/python3 with python3-yaml (scripts/install-deps.sh).
. "$(dirname "$0")/../lib/harness.sh"

Y2J=${YAML2JSON:-$(dirname "$BULWARK")/bw-yaml2json}
PY=/usr/bin/python3
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

# The comparer. compare.py MODE BW_OUT ROOT [JSON_ROOT]
#   BW_OUT: bw-yaml2json's lines "PATH<TAB>JSON" (or "PATH<TAB>!error: ...")
#   MODE pyyaml:  the reference is yaml.load(PATH, BaseLoader) (pure Python, not libyaml)
#   MODE derived: the reference is the JSON file at PATH with ROOT replaced by
#                 JSON_ROOT and .yaml by .json
# Values are compared as ordered trees (mappings as lists of pairs, so key
# order and types count). Prints one summary line; exits 0 only when every file
# parsed on both sides and every pair is equal.
cat >"$W/compare.py" <<'EOF'
import json, sys, time, yaml

mode, bw_out, root = sys.argv[1], sys.argv[2], sys.argv[3]
json_root = sys.argv[4] if len(sys.argv) > 4 else None

def ordered(v):
    if isinstance(v, dict):
        return ('map', [(k, ordered(x)) for k, x in v.items()])
    if isinstance(v, list):
        return ('seq', [ordered(x) for x in v])
    return (type(v).__name__, v)

def pairs_hook(p):
    # keeps order and would keep a duplicate key, which a dict would hide
    return ['__pairs__', p]

def fix(v):
    if isinstance(v, list) and len(v) == 2 and v[0] == '__pairs__':
        return ('map', [(k, fix(x)) for k, x in v[1]])
    if isinstance(v, list):
        return ('seq', [fix(x) for x in v])
    return (type(v).__name__, v)

total = same = differ = bw_err = ref_err = 0
ref_seconds = 0.0
first = []
for line in open(bw_out, encoding='utf-8'):
    path, _, text = line.rstrip('\n').partition('\t')
    total += 1
    if text.startswith('!error: '):
        bw_err += 1
        first.append('bulwark failed on %s: %s' % (path, text[8:]))
        continue
    mine = fix(json.loads(text, object_pairs_hook=pairs_hook))
    try:
        if mode == 'pyyaml':
            data = open(path, 'rb').read()
            t0 = time.perf_counter()
            ref = yaml.load(data, Loader=yaml.BaseLoader)
            ref_seconds += time.perf_counter() - t0
            ref = ordered(ref)
        else:
            ref_path = json_root + path[len(root):-len('.yaml')] + '.json'
            ref = fix(json.load(open(ref_path, encoding='utf-8'), object_pairs_hook=pairs_hook))
    except Exception as e:
        ref_err += 1
        first.append('reference failed on %s: %s' % (path, str(e).replace('\n', ' ')))
        continue
    if mine == ref:
        same += 1
    else:
        differ += 1
        first.append('differs: %s' % path)
print('%d files: %d equal, %d differ, %d bulwark errors, %d reference errors%s'
      % (total, same, differ, bw_err, ref_err,
         ', PyYAML BaseLoader %.0f ms' % (ref_seconds * 1000) if mode == 'pyyaml' else ''))
for f in first[:5]:
    print('#', f[:300])
sys.exit(0 if total and same == total else 1)
EOF

# run_compare NAME EXPECTED_FILES MODE BW_OUT ROOT [JSON_ROOT]
run_compare() {
  local name=$1 want=$2; shift 2
  local out
  out=$("$PY" "$W/compare.py" "$@" 2>&1)
  local rc=$?
  local got
  got=$(grep -c '' "$2")
  if [ "$got" != "$want" ]; then
    t_fail "$name" "$got files, expected $want"
  elif [ $rc = 0 ]; then
    t_ok "$name ($(head -1 <<<"$out"))"
  else
    t_fail "$name" "$(tr '\n' ' ' <<<"$out" | cut -c1-600)"
  fi
}

# parse_all LIST OUT: bw-yaml2json over the files of LIST in one process (so
# that -T adds up the parse time of each); prints the timing line. A file that
# fails to parse is a "!error" line of OUT, which the comparer reports.
parse_all() {
  "$Y2J" -T -l "$1" >"$2" 2>"$2.stderr"
  sed -n 's/^bw-yaml2json: //p' "$2.stderr" | tail -1
}

if need_shared "yaml PyPA advisories vs PyYAML"; then
  VULNDB=$SHARED/data/vulndb
  mkdir -p "$W/pypa" "$W/pypa-json"
  if ! tar -xzf "$VULNDB/osv/pypa-advisory-database-vulns.tar.gz" -C "$W/pypa" ||
     ! tar -xzf "$VULNDB/osv/pypa-advisory-database-vulns.derived-json.tar.gz" -C "$W/pypa-json"; then
    t_fail "yaml PyPA advisories" "cannot unpack the archives of $VULNDB/osv"
  else
    find "$W/pypa" -name '*.yaml' | LC_ALL=C sort >"$W/pypa.list"
    t_eq "yaml PyPA advisory files" 2661 "$(grep -c '' "$W/pypa.list")"
    timing=$(parse_all "$W/pypa.list" "$W/pypa.out")
    echo "# bulwark: $timing"
    run_compare "yaml PyPA advisories vs PyYAML BaseLoader" 2661 pyyaml "$W/pypa.out" "$W/pypa"
    run_compare "yaml PyPA advisories vs derived JSON" 2661 derived "$W/pypa.out" "$W/pypa" "$W/pypa-json"

    # Alpine secdb: the YAML in the release folders and in the vunnel fixture
    find "$VULNDB/alpine-secdb" -name '*.yaml' | LC_ALL=C sort >"$W/alpine.list"
    timing=$(parse_all "$W/alpine.list" "$W/alpine.out")
    echo "# bulwark: $timing"
    n_alpine=$(grep -c '' "$W/alpine.list")
    if [ "$n_alpine" -lt 18 ]; then
      t_fail "yaml Alpine secdb files" "only $n_alpine YAML files under $VULNDB/alpine-secdb"
    fi
    run_compare "yaml Alpine secdb vs PyYAML BaseLoader" "$n_alpine" pyyaml "$W/alpine.out" "$VULNDB/alpine-secdb"
    run_compare "yaml Alpine secdb vs derived JSON" "$n_alpine" derived "$W/alpine.out" "$VULNDB/alpine-secdb" "$VULNDB/alpine-secdb"

    # the comparison must be able to fail: one advisory's version changed
    # from "1.0" to "1.00", one whose key order was swapped, and one whose string
    # became a number, each must be seen
    canary=$(grep -m1 '"1.0"' "$W/pypa.out")
    if [ -z "$canary" ]; then
      t_fail "yaml comparer sees differences" "no advisory with a version \"1.0\" to alter"
    else
      { sed 's/"1\.0"/"1.00"/' <<<"$canary"
        sed 's/"1\.0"/1.0/' <<<"$canary"
        head -1 "$W/pypa.out" | "$PY" -c '
import json, sys
path, _, text = sys.stdin.readline().rstrip("\n").partition("\t")
d = json.loads(text)
d = dict(reversed(list(d.items())))
print(path + "\t" + json.dumps(d, separators=(",", ":")))'
      } >"$W/canary.out"
      seen=$("$PY" "$W/compare.py" pyyaml "$W/canary.out" "$W/pypa" | sed -n 's/.* \([0-9]*\) differ.*/\1/p')
      t_eq "yaml comparer sees differences" 3 "$seen"
    fi
  fi
fi
exit 0
