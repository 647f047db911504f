#!/usr/bin/env bash
# bulwark diff against ground truth from other tools:
#   packages: debian-minbase -> kitchen-sink gives exactly the delta of the fixtures'
#             expected/*/packages.json (dpkg-query, npm ls, gem, importlib.metadata, go
#             version -m, the jars' pom.properties), per ecosystem;
#   files:    exactly what tests/oracles/tree_diff.py finds between the two images unpacked
#             by umoci (content sha256, mode, owner, type, symlink target), and the planted
#             files of expected/kitchen-sink/build.json;
#   config:   the changes between the two expected/*/image.json configs;
#   an image against itself: no change at all; downgrades the other way round.
. "$(dirname "$0")/../lib/harness.sh"

need_shared "diff" || exit 0
[ -n "${FIXTURES:-}" ] || FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || {
  t_fail "diff fixtures" "tests/lib/fixtures.sh failed"
  exit 0
}
for c in umoci jq; do
  command -v "$c" >/dev/null || { t_fail "diff: $c" "not installed (scripts/install-deps.sh)"; exit 0; }
done
EXPECTED=${FIXTURES%/images}/expected
W=$TMPROOT/diff
rm -rf "$W"
mkdir -p "$W"
# no vulnerability database unless a test gives one
export BULWARK_DB=$W/no-such-db.sqlite
MIN="oci:$FIXTURES/debian-minbase/oci:latest"
KS="oci:$FIXTURES/kitchen-sink/oci:latest"

run() { # NAME OUT ARGS...: bulwark diff, exit status checked
  local name=$1 out=$2 rc=0; shift 2
  "$BULWARK" diff "$@" >"$out" 2>"$out.err" || rc=$?
  if [ $rc != 0 ]; then t_fail "$name" "exit $rc: $(head -c 300 "$out.err")"; return 1; fi
  t_ok "$name"
}
run "diff debian-minbase kitchen-sink --format json" "$W/d.json" --format json "$MIN" "$KS"
t_eq "diff json parses" true "$(jq '.schema == 1 and (.packages | type) == "array"' "$W/d.json" 2>&1)"

# ---------------------------------------------------------------- packages
# pkgs_truth ECOSYSTEM JQ-NAME: "name version" of the ground truth, unique, sorted
truth() { jq -r ".$2[] | $3 + \" \" + .version" "$EXPECTED/$1/packages.json" | sort -u; }
delta_truth() { comm -13 <(truth debian-minbase "$1" "$2") <(truth kitchen-sink "$1" "$2"); }
delta_got() { jq -r --arg t "$1" '.packages[] | select(.type == $t and .change == "added") | .name + " " + .to' "$W/d.json" | sort -u; }
for spec in "deb deb .name" "npm npm .name" "gem gem .name" "pypi python .name" "golang go .name" "maven maven .artifact"; do
  set -- $spec
  want=$(delta_truth "$2" "$3")
  t_eq "diff packages: $1 added equals the ground truth ($(grep -c . <<<"$want"))" "$want" "$(delta_got "$1")"
done
t_eq "diff packages: nothing removed, upgraded or downgraded" 0 \
  "$(jq '[.packages[] | select(.change != "added")] | length' "$W/d.json")"
t_eq "diff packages: the deb arch is carried (ground truth arch)" \
  "$(jq -r '.deb[] | select(.name == "openssl") | .arch' "$EXPECTED/kitchen-sink/packages.json")" \
  "$(jq -r '.packages[] | select(.type == "deb" and .name == "openssl") | .arch' "$W/d.json")"

# the other way round: every added package is removed
run "diff kitchen-sink debian-minbase" "$W/r.json" --format json "$KS" "$MIN"
t_eq "diff reversed: removed = added of the forward diff" \
  "$(jq -r '.packages[] | .type + " " + .name + " " + .to' "$W/d.json" | sort)" \
  "$(jq -r '.packages[] | select(.change == "removed") | .type + " " + .name + " " + .from' "$W/r.json" | sort)"

# upgrades and downgrades: an image whose dpkg status has other versions (mkimage), vs dpkg --compare-versions
mkspec() { # VERSION-OF-A VERSION-OF-B
  cat <<JSON
{"format": "oci", "images": [{"architecture": "amd64", "os": "linux", "config": {},
 "layers": [{"compression": "gzip", "entries": [
  {"path": "etc/os-release", "content": "ID=debian\nVERSION_ID=\"12\"\n"},
  {"path": "var/lib/dpkg/status", "content": "Package: a\nStatus: install ok installed\nVersion: $1\nArchitecture: amd64\n\nPackage: b\nStatus: install ok installed\nVersion: $2\nArchitecture: amd64\n\nPackage: c\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n"}]}]}]}
JSON
}
mkspec '1.0~rc1' '2:1.0' >"$W/s1.json"
mkspec '1.0' '1:0.9' >"$W/s2.json"
python3 "$TOP/tests/lib/mkimage.py" build "$W/s1.json" "$W/i1" >/dev/null && python3 "$TOP/tests/lib/mkimage.py" build "$W/s2.json" "$W/i2" >/dev/null
run "diff of two small images" "$W/ud.json" --format json "oci:$W/i1" "oci:$W/i2"
dir() { if dpkg --compare-versions "$1" lt "$2"; then echo upgraded; else echo downgraded; fi; }
t_eq "diff: a 1.0~rc1 -> 1.0 as dpkg --compare-versions orders it" "$(dir '1.0~rc1' '1.0')" \
  "$(jq -r '.packages[] | select(.name == "a") | .change' "$W/ud.json")"
t_eq "diff: b 2:1.0 -> 1:0.9 as dpkg --compare-versions orders it" "$(dir '2:1.0' '1:0.9')" \
  "$(jq -r '.packages[] | select(.name == "b") | .change' "$W/ud.json")"
t_eq "diff: c unchanged, not listed" "" "$(jq -r '.packages[] | select(.name == "c") | .change' "$W/ud.json")"
t_eq "diff: /var/lib/dpkg/status content changed" '["content"]' \
  "$(jq -c '.files[] | select(.path == "/var/lib/dpkg/status") | .what' "$W/ud.json")"

# vulnerabilities with a database: a Debian tracker feed written here, where a is fixed in
# 1.0 (i1 has 1.0~rc1, i2 1.0) and b in 1:0.95 (i1 has 2:1.0, i2 1:0.9)
cat >"$W/feed.json" <<'JSON'
{"a": {"CVE-2099-0001": {"description": "a test flaw", "releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0", "urgency": "high"}}}},
 "b": {"CVE-2099-0002": {"description": "another", "releases": {"bookworm": {"status": "resolved", "fixed_version": "1:0.95", "urgency": "medium"}}}}}
JSON
if BULWARK_DB=$W/v.sqlite "$BULWARK" -q db import "$W/feed.json" >"$W/import.log" 2>&1; then
  run "diff --db: of two small images" "$W/uv.json" --format json --db "$W/v.sqlite" "oci:$W/i1" "oci:$W/i2"
  t_eq "diff --db: the flaw of a fixed by the upgrade" "CVE-2099-0001 a" \
    "$(jq -r '.vulnerabilities.fixed[] | .id + " " + .package' "$W/uv.json")"
  t_eq "diff --db: the flaw of b introduced by the downgrade" "CVE-2099-0002 b" \
    "$(jq -r '.vulnerabilities.introduced[] | .id + " " + .package' "$W/uv.json")"
  run "diff --db --format table" "$W/uv.txt" --db "$W/v.sqlite" "oci:$W/i1" "oci:$W/i2"
  t_check "diff --db table: the vulnerability line" grep -q '^Vulnerabilities: 1 fixed, 1 introduced' "$W/uv.txt"
else
  t_fail "diff --db: feed import" "$(tail -3 "$W/import.log")"
fi
t_eq "diff without a database: no vulnerabilities section" null "$(jq -c '.vulnerabilities' "$W/ud.json")"

# ---------------------------------------------------------------- files
rootless=
[ "$(id -u)" = 0 ] || rootless=--rootless
for img in debian-minbase kitchen-sink; do
  umoci unpack $rootless --image "$FIXTURES/$img/oci:latest" "$W/$img" >"$W/umoci.log" 2>&1 ||
    t_fail "umoci unpack $img" "$(tail -3 "$W/umoci.log")"
done
if [ -z "$rootless" ]; then
  /usr/bin/python3 "$TOP/tests/oracles/tree_diff.py" diff "$W/debian-minbase/rootfs" "$W/kitchen-sink/rootfs" >"$W/truth.json"
  jq -S '{added: [.files[] | select(.change == "added") | .path], removed: [.files[] | select(.change == "removed") | .path],
          changed: ([.files[] | select(.change == "changed") | {key: .path, value: .what}] | from_entries)}' "$W/d.json" >"$W/got.json"
  t_check "diff files: exactly what umoci's unpacked trees differ by ($(jq '.added | length' "$W/truth.json") added, $(jq '.changed | length' "$W/truth.json") changed; tree_diff.py)" \
    diff <(jq -S . "$W/truth.json") "$W/got.json"
  # content digests: those of the unpacked files
  /usr/bin/python3 "$TOP/tests/oracles/tree_diff.py" manifest "$W/kitchen-sink/rootfs" >"$W/ks.manifest"
  t_eq "diff files: every added file's digest, mode and owner as on disk" "" \
    "$(jq -r '.files[] | select(.change == "added" and .to.type == "file") | [.path, .to.digest, .to.mode, .to.uid, .to.gid] | @tsv' "$W/d.json" | sort >"$W/got.tsv"
       jq -r 'select(.type == "file") | [.path, .digest, ("000" + (.mode | tostring)) as $m | .mode, .uid, .gid] | @tsv' "$W/ks.manifest" >/dev/null
       /usr/bin/python3 - "$W/ks.manifest" "$W/got.tsv" <<'PY'
import json, sys
disk = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    disk[e["path"]] = e
bad = []
for line in open(sys.argv[2]):
    path, digest, mode, uid, gid = line.rstrip("\n").split("\t")
    e = disk.get(path)
    if not e or e.get("digest") != digest or int(mode, 8) != e["mode"] or int(uid) != e["uid"] or int(gid) != e["gid"]:
        bad.append(path)
print(" ".join(bad[:5]))
PY
)"
fi
# planted files that survive to the final image are added, with the planted modes
for p in $(jq -r '.planted[] | select(.path != null and .expect_deleted != true) | .path' "$EXPECTED/kitchen-sink/build.json" | sort -u); do
  t_eq "diff files: planted $p added" added "$(jq -r --arg p "$p" '.files[] | select(.path == $p) | .change' "$W/d.json")"
done
for p in $(jq -r '.planted[] | select(.path != null and .expect_deleted == true) | .path' "$EXPECTED/kitchen-sink/build.json" | sort -u); do
  t_eq "diff files: planted $p (deleted in a later layer) not in the final image" "" \
    "$(jq -r --arg p "$p" '.files[] | select(.path == $p) | .change' "$W/d.json")"
done
t_eq "diff files: the setuid copy of find is added with mode 4755" 4755 \
  "$(jq -r '.files[] | select(.path == "/usr/local/bin/suid-find") | .to.mode' "$W/d.json")"

# ---------------------------------------------------------------- config and layers
cfg() { jq -c "$2" "$EXPECTED/$1/image.json"; }
t_eq "diff config: user as in image.json" "$(cfg kitchen-sink '.config.User')" \
  "$(jq -c '.config[] | select(.field == "user") | .to' "$W/d.json")"
t_eq "diff config: cmd as in image.json" "$(cfg kitchen-sink '.config.Cmd | "[" + (map("\"" + . + "\"") | join(", ")) + "]"')" \
  "$(jq -c '.config[] | select(.field == "cmd") | .to' "$W/d.json")"
t_eq "diff config: added env names as in image.json" \
  "$(comm -13 <(jq -r '.config.Env[] | split("=")[0]' "$EXPECTED/debian-minbase/image.json" | sort) <(jq -r '.config.Env[] | split("=")[0]' "$EXPECTED/kitchen-sink/image.json" | sort))" \
  "$(jq -r '.config[] | select(.field == "env" and .from == null) | .key' "$W/d.json" | sort)"
t_eq "diff config: labels added as in image.json" \
  "$(jq -r '.config.Labels // {} | keys[]' "$EXPECTED/kitchen-sink/image.json" | sort)" \
  "$(jq -r '.config[] | select(.field == "labels") | .key' "$W/d.json" | sort)"
t_eq "diff config: exposed ports added as in image.json" \
  "$(jq -r '.config.ExposedPorts // [] | if type == "object" then keys[] else .[] end' "$EXPECTED/kitchen-sink/image.json" | sort)" \
  "$(jq -r '.config[] | select(.field == "exposed_ports") | .key' "$W/d.json" | sort)"
t_check "diff config: secret env values are masked" bash -c "! grep -qF '$(jq -r '.config.Env[] | select(startswith("DB_PASSWORD=")) | split("=")[1]' "$EXPECTED/kitchen-sink/image.json")' '$W/d.json'"
shared=$(comm -12 <(jq -r '.layers[].diff_id' "$EXPECTED/debian-minbase/image.json" | sort) <(jq -r '.layers[].diff_id' "$EXPECTED/kitchen-sink/image.json" | sort) | grep -c .)
t_eq "diff layers: shared diff_ids as in image.json ($shared)" "$shared" "$(jq .layers.shared "$W/d.json")"

# ---------------------------------------------------------------- no change
run "diff kitchen-sink against itself" "$W/same.json" --format json "$KS" "$KS"
t_eq "diff of an image against itself: no change" '0 0 0 0' \
  "$(jq -r '[(.packages | length), (.files | length), (.config | length), (.summary.files_changed)] | map(tostring) | join(" ")' "$W/same.json")"
t_eq "diff of an image against itself: every layer shared" "$(jq .layer_count "$EXPECTED/kitchen-sink/image.json")" "$(jq .layers.shared "$W/same.json")"
run "diff: the OCI layout against the docker-archive of the same image" "$W/da.json" --format json "$MIN" "docker-archive:$FIXTURES/debian-minbase/docker-archive.tar"
t_eq "diff oci vs docker-archive of one image: no package or file change" '0 0' \
  "$(jq -r '[(.packages | length), (.files | length)] | map(tostring) | join(" ")' "$W/da.json")"
run "diff --format table" "$W/d.txt" "$MIN" "$KS"
t_check "diff table: summary lines" grep -q "^Packages: $(jq '[.packages[] | select(.change == "added")] | length' "$W/d.json") added" "$W/d.txt"
t_run_expect "diff: a missing image is exit 3" 3 "" -- "$BULWARK" diff "$MIN" "oci:$W/nope"
t_run_expect "diff --format sarif refused" 2 "" -- "$BULWARK" diff --format sarif "$MIN" "$KS"
