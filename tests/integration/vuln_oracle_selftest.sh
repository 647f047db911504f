#!/usr/bin/env bash
# The vulnerability-matching oracle (tests/oracles/vuln_oracle.py) checked on its own, so
# that the tests comparing `bulwark scan` with it rest on something verified:
#   - `selftest`: every version ordering against the shared vector files (100% required)
#     and against rpm.vercmp, Gem::Version and PHP's version_compare where installed;
#     CVSS base scores against published examples;
#   - fixture_packages.py on kitchen-sink: the ground truth becomes the PKGS.json we expect;
#   - the 35 GHSA npm records of ../shared: the findings for kitchen-sink's npm packages are
#     exactly the "yes" rows of ghsa-npm/SOURCES.md (computed there from the files alone);
#   - spot checks read by hand from the feeds (Alpine and Wolfi secdb, Debian tracker JSON,
#     DSA list, AlmaLinux OSV on Rocky, Ubuntu OSV, Go vulndb), and the contract's rules on
#     small feeds written here (own feed wins, no-dsa, last_affected, limit, versions lists,
#     withdrawn records).
. "$(dirname "$0")/../lib/harness.sh"

ORACLE=$TOP/tests/oracles/vuln_oracle.py
FIXPKGS=$TOP/tests/oracles/fixture_packages.py
PY=/usr/bin/python3
VDB=$SHARED/data/vulndb

# findings PKGS FEED...: the oracle's findings as sorted lines
#   "package installed advisory fixed status severity ids,comma,separated"
findings() {
  local pkgs=$1; shift
  local args=() f
  for f in "$@"; do args+=(--feed "$f"); done
  "$PY" "$ORACLE" match --packages "$pkgs" "${args[@]}" 2>"$TMPROOT/oracle.err" |
    "$PY" -c 'import json, sys
for f in json.load(sys.stdin):
    print(f["package"], f["installed_version"], f["advisory"], f["fixed_version"], f["status"],
          f["severity"], ",".join(f["ids"]))' | LC_ALL=C sort
}

# pkgs FAMILY VERSION "type name version [source_name source_version]"...: a PKGS.json
pkgs() {
  local family=$1 version=$2; shift 2
  "$PY" - "$family" "$version" "$@" <<'EOF'
import json, sys
family, version, rows = sys.argv[1], sys.argv[2], sys.argv[3:]
out = []
for row in rows:
    f = row.split()
    p = {"type": f[0], "name": f[1], "version": f[2]}
    if len(f) > 3:
        p["source_name"], p["source_version"] = f[3], f[4]
    out.append(p)
print(json.dumps({"distro": {"family": family, "version": version}, "packages": out}))
EOF
}

if need_shared "vuln oracle"; then
  # --- the version orderings
  if "$PY" "$ORACLE" selftest --shared "$SHARED" >"$TMPROOT/selftest.out" 2>&1 &&
     grep -q ' 0 failures$' "$TMPROOT/selftest.out"; then
    t_ok "oracle selftest: $(tail -1 "$TMPROOT/selftest.out" | sed 's/^selftest: //')"
  else
    t_fail "oracle selftest" "$(grep -m5 -E 'FAIL|Error' "$TMPROOT/selftest.out" | tr '\n' ' ')"
  fi
  for scheme in apk semver maven gem dpkg rpm pep440 composer nuget; do
    line=$(grep -E "^selftest: $scheme " "$TMPROOT/selftest.out" | awk '{print $NF}' | paste -sd' ')
    ok=1
    for frac in $line; do [ "${frac%/*}" = "${frac#*/}" ] || ok=0; done
    if [ -n "$line" ] && [ $ok = 1 ]; then t_ok "oracle $scheme vectors: $line"
    else t_fail "oracle $scheme vectors" "got [$line]"; fi
  done

  # --- kitchen-sink's ground truth as a package list
  FIXTURES=${FIXTURES:-$("$TOP/tests/lib/fixtures.sh" "$SHARED")}
  EXPECTED=$(dirname "$FIXTURES")/expected/kitchen-sink
  KS=$TMPROOT/ks.json
  "$PY" "$FIXPKGS" "$EXPECTED" >"$KS" 2>"$TMPROOT/fixpkgs.err"
  t_eq "fixture_packages: kitchen-sink distro and counts" \
    "debian 12 deb=152 gem=95 golang=4 maven=9 npm=57 stdlib=1.19.8" \
    "$("$PY" -c 'import json, sys, collections
d = json.load(open(sys.argv[1]))
c = collections.Counter(p["type"] for p in d["packages"])
std = [p["version"] for p in d["packages"] if p["name"] == "stdlib"]
print(d["distro"]["family"], d["distro"]["version"],
      " ".join("%s=%d" % kv for kv in sorted(c.items())), "stdlib=" + ",".join(std))' "$KS")"
  t_check "fixture_packages: the jar without a group id is reported" grep -q 'log4j 1.2.17.*no group id' "$TMPROOT/fixpkgs.err"
  t_eq "fixture_packages: deb source names kept" "bsdutils 1:2.38.1-5+deb12u3 util-linux 2.38.1-5+deb12u3" \
    "$("$PY" -c 'import json, sys
for p in json.load(open(sys.argv[1]))["packages"]:
    if p["name"] == "bsdutils": print(p["name"], p["version"], p["source_name"], p["source_version"])' "$KS")"

  # --- the npm GHSA records against SOURCES.md, exactly
  SRC=$VDB/osv/ghsa-npm/SOURCES.md
  "$PY" - "$SRC" "$KS" >"$TMPROOT/npm-sources.txt" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
# the installed list in prose: "name version" items, "minimist 0.0.8 **and** 1.2.0"
para = re.search(r"Installed \(fixture image `node_modules`\):(.*?)\n\n", text, re.S).group(1)
installed = set()
for item in " ".join(para.split()).rstrip(".").split(", "):
    words = item.replace("**and**", "").split()
    for v in words[1:]:
        installed.add((words[0], v))
ks = {(p["name"], p["version"]) for p in json.load(open(sys.argv[2]))["packages"] if p["type"] == "npm"}
print("installed-list-matches-fixture", installed == ks, len(installed))
for row in text.splitlines():
    cells = [c.strip() for c in row.split("|")]
    if len(cells) == 7 and cells[1].startswith("GHSA-") and "→" in cells[5]:
        for part in cells[5].split(","):
            version, verdict = [x.strip() for x in part.split("→")]
            if "yes" in verdict:
                print("yes", cells[3], version, cells[1])
EOF
  t_eq "SOURCES.md installed npm list is kitchen-sink's" "installed-list-matches-fixture True 57" \
    "$(head -1 "$TMPROOT/npm-sources.txt")"
  want=$(grep '^yes ' "$TMPROOT/npm-sources.txt" | cut -d' ' -f2- | LC_ALL=C sort)
  got=$(findings "$KS" "$VDB/osv/ghsa-npm" | awk '{print $1, $2, $3}' | LC_ALL=C sort)
  t_eq "ghsa-npm: findings are exactly SOURCES.md's affected rows ($(echo "$want" | grep -c .))" "$want" "$got"
  t_eq "ghsa-npm: fixed versions and severities of three records" \
    "@hapi/hoek 8.2.0 GHSA-c429-5p7v-vgjp 8.5.1 fixed HIGH CVE-2020-36604,GHSA-c429-5p7v-vgjp
minimist 0.0.8 GHSA-vh95-rmgr-6w4m 0.2.1 fixed MEDIUM CVE-2020-7598,GHSA-vh95-rmgr-6w4m
minimist 1.2.0 GHSA-vh95-rmgr-6w4m 1.2.3 fixed MEDIUM CVE-2020-7598,GHSA-vh95-rmgr-6w4m" \
    "$(findings "$KS" "$VDB/osv/ghsa-npm" | grep -E '^(@hapi/hoek|minimist) ')"

  # --- Alpine secdb v3.10 (main.yaml read by hand): ansible 2.8.3-r0 misses the 2.8.4-r0 fixes;
  # the JSON form and the YAML form give the same answer; xen keeps the first word only
  pkgs alpine 3.10.4 "apk ansible-doc 2.8.3-r0 ansible 2.8.3-r0" "apk xen 4.7.0-r4 xen 4.7.0-r4" >"$TMPROOT/alpine.json"
  want="ansible-doc 2.8.3-r0 CVE-2019-10206 2.8.4-r0 fixed UNKNOWN CVE-2019-10206
ansible-doc 2.8.3-r0 CVE-2019-10217 2.8.4-r0 fixed UNKNOWN CVE-2019-10217"
  t_eq "secdb yaml: ansible on 3.10" "$want" "$(findings "$TMPROOT/alpine.json" "$VDB/alpine-secdb/v3.10/main.yaml" | grep ^ansible)"
  t_eq "secdb json: ansible on 3.10" "$want" "$(findings "$TMPROOT/alpine.json" "$VDB/alpine-secdb/v3.10/main.json" | grep ^ansible)"
  xen=$(findings "$TMPROOT/alpine.json" "$VDB/alpine-secdb/v3.10/main.yaml" | grep ^xen)
  t_check "secdb: xen 4.7.0-r4 has CVE-2016-7777 (fixed 4.7.0-r5)" grep -q '^xen 4.7.0-r4 CVE-2016-7777 4.7.0-r5 fixed' <<<"$xen"
  t_check "secdb: xen 4.7.0-r4 lacks CVE-2016-7092 (fixed 4.7.0-r1) and second words (XSA-190)" \
    bash -c '! grep -qE "CVE-2016-7092|XSA-190" <<<"$1"' _ "$xen"
  t_check "secdb: an entry that is only an XSA id is reported under it (XSA-207)" \
    grep -q '^xen 4.7.0-r4 XSA-207 4.7.1-r5 fixed UNKNOWN XSA-207$' <<<"$xen"
  t_eq "secdb: other releases do not apply to 3.10" "" \
    "$(findings "$TMPROOT/alpine.json" "$VDB/alpine-secdb/v3.9/main.yaml" "$VDB/alpine-secdb/vunnel-fixture")"
  pkgs alpine 3.8.5 "apk db 5.3.28-r0 db 5.3.28-r0" "apk dbus 1.10.24-r1 dbus 1.10.24-r1" >"$TMPROOT/alpine38.json"
  t_eq "secdb: version 0 means never affected (db on 3.8)" \
    "dbus 1.10.24-r1 CVE-2019-12749 1.10.28-r0 fixed UNKNOWN CVE-2019-12749" \
    "$(findings "$TMPROOT/alpine38.json" "$VDB/alpine-secdb/v3.8")"

  # --- Wolfi secdb (vunnel fixture): busybox before 1.35.0-r3, coreutils listed under "0"
  pkgs wolfi 20230201 "apk busybox 1.35.0-r2" "apk coreutils 9.1-r0" >"$TMPROOT/wolfi.json"
  t_eq "wolfi secdb: busybox fixed, coreutils never affected" \
    "busybox 1.35.0-r2 CVE-2022-28391 1.35.0-r3 fixed UNKNOWN CVE-2022-28391
busybox 1.35.0-r2 CVE-2022-30065 1.35.0-r3 fixed UNKNOWN CVE-2022-30065" \
    "$(findings "$TMPROOT/wolfi.json" "$VDB/wolfi-secdb")"
  t_eq "wolfi secdb does not apply to Alpine" "" \
    "$(findings "$TMPROOT/alpine.json" "$VDB/wolfi-secdb")"

  # --- Debian tracker JSON (vunnel fixture) and DSA lists
  DEBJSON=$VDB/debian-security-tracker/vunnel-fixture/debian.json
  pkgs debian 10 "deb libprototype-ruby 1.6.0.1-1 prototypejs 1.6.0.1-1" "deb chromium 89.0.4389.114-1~deb10u1 chromium 89.0.4389.114-1~deb10u1" >"$TMPROOT/deb10.json"
  t_eq "debian json on buster: high** fixed, fixed_version 0 ignored, end-of-life is will_not_fix" \
    "chromium 89.0.4389.114-1~deb10u1 CVE-2022-0456 None will_not_fix UNKNOWN CVE-2022-0456
libprototype-ruby 1.6.0.1-1 CVE-2008-7220 1.6.0.2-1 fixed HIGH CVE-2008-7220" \
    "$(findings "$TMPROOT/deb10.json" "$DEBJSON")"
  pkgs debian 11 "deb chromium 90.0.4430.212-1 chromium 90.0.4430.212-1" "deb xserver-xorg-core 2:1.20.11-1+deb11u5 xorg-server 2:1.20.11-1+deb11u5" >"$TMPROOT/deb11.json"
  t_eq "debian json on bullseye" \
    "chromium 90.0.4430.212-1 CVE-2022-0456 98.0.4758.80-1~deb11u1 fixed UNKNOWN CVE-2022-0456" \
    "$(findings "$TMPROOT/deb11.json" "$DEBJSON")"
  # DSA/list: xorg-server's bullseye fixes go up to +deb11u6 (DSA-5380-1); DLA/DTSA have none
  t_eq "DSA list on bullseye: xorg-server +deb11u5 misses only DSA-5380-1" \
    "xserver-xorg-core 2:1.20.11-1+deb11u5 DSA-5380-1 2:1.20.11-1+deb11u6 fixed UNKNOWN CVE-2023-1393,DSA-5380-1" \
    "$(findings "$TMPROOT/deb11.json" "$VDB/debian-security-tracker/data" | grep ^xserver)"
  pkgs debian 12 "deb sope 5.8.0-1 sope 5.8.0-1" "deb chromium 98.0.4758.102-1 chromium 98.0.4758.102-1" >"$TMPROOT/deb12.json"
  t_eq "debian json and DSA on bookworm: one record each, the CVE shared" \
    "sope 5.8.0-1 CVE-2025-53603 5.8.0-1+deb12u1 fixed UNKNOWN CVE-2025-53603
sope 5.8.0-1 DSA-5970-1 5.8.0-1+deb12u1 fixed UNKNOWN CVE-2025-53603,DSA-5970-1" \
    "$(findings "$TMPROOT/deb12.json" "$DEBJSON" "$VDB/debian-security-tracker/vunnel-fixture/DSA")"

  # --- AlmaLinux OSV on Rocky 9 (rpm-root's bash): only ALSA-2023:0340 names bash for 9
  pkgs rocky 9.1 "rpm bash 5.1.8-5.el9" "rpm bash-doc 5.1.8-6.el9_1" >"$TMPROOT/rocky.json"
  t_eq "almalinux osv on rocky 9: bash" \
    "bash 5.1.8-5.el9 ALSA-2023:0340 5.1.8-6.el9_1 fixed UNKNOWN ALSA-2023:0340" \
    "$(findings "$TMPROOT/rocky.json" "$VDB/osv/almalinux-osv-9.tar.gz" "$VDB/osv/almalinux-osv-8.tar.gz")"

  # --- Ubuntu OSV: wayland on 22.04 (a UBUNTU-CVE with its Ubuntu priority, and a USN);
  # tpp's record is withdrawn
  pkgs ubuntu 22.04 "deb libwayland-client0 1.20.0-1 wayland 1.20.0-1" >"$TMPROOT/jammy.json"
  t_eq "ubuntu osv: wayland on 22.04" \
    "libwayland-client0 1.20.0-1 UBUNTU-CVE-2021-3782 1.20.0-1ubuntu0.1 fixed MEDIUM UBUNTU-CVE-2021-3782
libwayland-client0 1.20.0-1 USN-5614-1 1.20.0-1ubuntu0.1 fixed UNKNOWN USN-5614-1" \
    "$(findings "$TMPROOT/jammy.json" "$VDB/osv/ubuntu-osv-sample")"
  pkgs ubuntu 14.04 "deb tpp 1.3.1-2 tpp 1.3.1-2" >"$TMPROOT/trusty.json"
  t_eq "ubuntu osv: withdrawn record not reported" "" "$(findings "$TMPROOT/trusty.json" "$VDB/osv/ubuntu-osv-sample")"

  # --- Go vulndb: GO-2023-1753 (html/template) is fixed in 1.19.9 for the toolchain 1.19.8
  pkgs debian 12 "golang stdlib 1.19.8" "golang github.com/dgrijalva/jwt-go v3.2.0+incompatible" >"$TMPROOT/go.json"
  gofind=$(findings "$TMPROOT/go.json" "$VDB/osv/go-vulndb-data-osv.tar.gz")
  t_check "go vulndb: stdlib 1.19.8 has GO-2023-1753, fixed 1.19.9" \
    grep -qx 'stdlib 1.19.8 GO-2023-1753 1.19.9 fixed UNKNOWN CVE-2023-29400,GO-2023-1753' <<<"$gofind"
  t_check "go vulndb: jwt-go v3.2.0+incompatible affected, no fix (GO-2020-0017)" \
    grep -q '^github.com/dgrijalva/jwt-go v3.2.0+incompatible GO-2020-0017 None affected' <<<"$gofind"

  # --- the contract's rules on feeds written here
  F=$TMPROOT/feeds; mkdir -p "$F/osv"
  cat >"$F/osv/rules.json" <<'EOF'
{"vulns": [
 {"id": "TEST-LA", "aliases": ["CVE-0000-0001"], "affected": [{"package": {"ecosystem": "PyPI", "name": "Some_Pkg"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.4"}]}]}],
   "database_specific": {"severity": "MODERATE"}},
 {"id": "TEST-LIMIT", "affected": [{"package": {"ecosystem": "npm", "name": "lim"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"limit": "2.0.0"}]}]}],
   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
 {"id": "TEST-LIST", "affected": [{"package": {"ecosystem": "Maven", "name": "g:a"}, "versions": ["1.0"],
   "ranges": [{"type": "GIT", "repo": "x", "events": [{"introduced": "0"}]}]}]},
 {"id": "TEST-GONE", "withdrawn": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "lim"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]},
 {"id": "TEST-DEB", "affected": [{"package": {"ecosystem": "Debian:12", "name": "sope"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.8.0-2"}]}]}]},
 {"id": "TEST-APK", "affected": [{"package": {"ecosystem": "Alpine:v3.10", "name": "ansible"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.9.0-r0"}]}]}]}
]}
EOF
  pkgs debian 12 "pypi some.pkg 1.4" "pypi Some-Pkg 1.4.1" "npm lim 1.9.9" "npm lim 2.0.0" "maven g:a 1.0.0" "maven g:a 1.1" >"$TMPROOT/rules.json"
  t_eq "osv rules: last_affected inclusive, limit exclusive, versions lists, withdrawn, names" \
    "g:a 1.0.0 TEST-LIST None affected UNKNOWN TEST-LIST
lim 1.9.9 TEST-LIMIT None affected CRITICAL TEST-LIMIT
some.pkg 1.4 TEST-LA None affected MEDIUM CVE-0000-0001,TEST-LA" \
    "$(findings "$TMPROOT/rules.json" "$F/osv")"
  t_eq "own feed wins: no OSV Debian:12 beside bookworm DSA data" \
    "sope 5.8.0-1 DSA-5970-1 5.8.0-1+deb12u1 fixed UNKNOWN CVE-2025-53603,DSA-5970-1" \
    "$(findings "$TMPROOT/deb12.json" "$F/osv" "$VDB/debian-security-tracker/vunnel-fixture/DSA" | grep '^sope')"
  t_eq "own feed wins: OSV Debian:12 used without it" \
    "sope 5.8.0-1 TEST-DEB 5.8.0-2 fixed UNKNOWN TEST-DEB" \
    "$(findings "$TMPROOT/deb12.json" "$F/osv" "$VDB/debian-security-tracker/data" | grep '^sope')"
  t_eq "own feed wins: no OSV Alpine:v3.10 beside the v3.10 secdb" "" \
    "$(findings "$TMPROOT/alpine.json" "$F/osv" "$VDB/alpine-secdb/v3.10/main.json" | grep TEST-APK)"
  t_eq "own feed wins: OSV Alpine:v3.10 used beside another release's secdb" \
    "ansible-doc 2.8.3-r0 TEST-APK 2.9.0-r0 fixed UNKNOWN TEST-APK" \
    "$(findings "$TMPROOT/alpine.json" "$F/osv" "$VDB/alpine-secdb/v3.9/main.json" | grep TEST-APK)"
  cat >"$F/tracker.json" <<'EOF'
{"pkgx": {"CVE-0000-0010": {"releases": {"bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "ignored"}}},
          "CVE-0000-0011": {"releases": {"bookworm": {"status": "undetermined", "urgency": "not yet assigned"}}},
          "CVE-0000-0012": {"releases": {"bookworm": {"status": "open", "urgency": "medium*"}}},
          "CVE-0000-0013": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1", "urgency": "high"}}}}}
EOF
  pkgs debian 12 "deb pkgx-bin 1.0-1 pkgx 1.0-1" >"$TMPROOT/pkgx.json"
  t_eq "debian json: no-dsa, undetermined, open, resolved at the installed version" \
    "pkgx-bin 1.0-1 CVE-0000-0010 None will_not_fix LOW CVE-0000-0010
pkgx-bin 1.0-1 CVE-0000-0011 None affected UNKNOWN CVE-0000-0011
pkgx-bin 1.0-1 CVE-0000-0012 None affected MEDIUM CVE-0000-0012" \
    "$(findings "$TMPROOT/pkgx.json" "$F/tracker.json")"
  # the same OSV records packed as a zip of YAML files and as one .json.gz
  (cd "$F/osv" && "$PY" -c 'import json, yaml, zipfile
with zipfile.ZipFile("../rules.zip", "w") as z:
    for r in json.load(open("rules.json"))["vulns"]:
        z.writestr("x/%s.yaml" % r["id"], yaml.safe_dump(r))' && gzip -c rules.json >"$F/rules.json.gz")
  t_eq "feeds: zip of YAML records and .json.gz wrapper read alike" \
    "$(findings "$TMPROOT/rules.json" "$F/osv")" \
    "$( (findings "$TMPROOT/rules.json" "$F/rules.zip"; findings "$TMPROOT/rules.json" "$F/rules.json.gz") | LC_ALL=C sort -u)"

  # --- kitchen-sink against every shared feed: it finishes, and how long it takes
  all=()
  for f in "$VDB"/osv/*.tar.gz "$VDB"/osv/ghsa-npm "$VDB"/osv/ghsa-maven-sample "$VDB"/osv/misc-osv-records \
           "$VDB"/osv/ubuntu-osv-sample "$VDB"/debian-security-tracker "$VDB"/alpine-secdb "$VDB"/wolfi-secdb; do
    all+=(--feed "$f")
  done
  start=$(date +%s.%N)
  if "$PY" "$ORACLE" match -v --packages "$KS" "${all[@]}" >"$TMPROOT/ks-all.json" 2>"$TMPROOT/ks-all.err"; then
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    t_ok "kitchen-sink against all shared feeds: $(jq length "$TMPROOT/ks-all.json") findings in ${secs%???????}s"
  else
    t_fail "kitchen-sink against all shared feeds" "$(tail -3 "$TMPROOT/ks-all.err")"
  fi
fi
