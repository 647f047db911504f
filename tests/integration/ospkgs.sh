#!/usr/bin/env bash
# OS package inventory (`bulwark sbom`) against the distributions' own tools:
#   dpkg: dpkg-query --admindir=... -W on the same database, and ../shared's ground truth
#   (raw/dpkg-query.tsv read back from the fixture images, packages.json layers), and the
#   upstream expectations beside ../shared/data/pkgdb/dpkg.
. "$(dirname "$0")/../lib/harness.sh"

# dpkg_tool ADMINDIR: "name version arch source source_version" of installed packages, by dpkg-query
dpkg_tool() {
  dpkg-query --admindir="$1" -W \
    -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' 2>/dev/null |
    awk -F'\t' 'substr($1, 2, 1) == "i" { print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 }' | LC_ALL=C sort
}
# ours JSON: the same columns from bulwark's deb packages
dpkg_ours() {
  jq -r '.packages[] | select(.type == "deb") | [.name, .version, .arch, .source_name, .source_version] | @tsv' "$1" | LC_ALL=C sort
}

# --- fixture images: equality with dpkg-query as read back by ../shared, and layers
if need_shared "ospkgs fixtures"; then
  FIXTURES=${FIXTURES:-$("$TOP/tests/lib/fixtures.sh" "$SHARED")}
  EXPECTED=$(dirname "$FIXTURES")/expected
  for name in debian-minbase kitchen-sink; do
    out=$TMPROOT/$name.sbom.json
    t_run_expect "$name sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "oci:$FIXTURES/$name/oci:latest"
    want=$(awk -F'\t' 'substr($6, 2, 1) == "i" { print $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5 }' "$EXPECTED/$name/raw/dpkg-query.tsv" | LC_ALL=C sort)
    got=$(dpkg_ours "$out")
    t_eq "$name deb packages = dpkg-query ($(grep -c '' <<<"$want"))" "$want" "$got"
    t_eq "$name deb layers = expected" \
      "$(jq -r '.deb[] | [.name, .layer] | @tsv' "$EXPECTED/$name/packages.json" | LC_ALL=C sort)" \
      "$(jq -r '.packages[] | select(.type == "deb") | [.name, .layer_index] | @tsv' "$out" | LC_ALL=C sort)"
    t_eq "$name purls" "0" "$(jq '[.packages[] | select(.type == "deb") | select(.purl | test("^pkg:deb/debian/[^@]+@[^?]+\\?arch=[a-z0-9]+&distro=debian-12$") | not)] | length' "$out")"
    # dpkg-query on the unpacked database itself, as a second, live oracle
    bundle=$TMPROOT/$name.bundle
    if umoci unpack --image "$FIXTURES/$name/oci:latest" "$bundle" >/dev/null 2>&1; then
      t_eq "$name deb packages = live dpkg-query" "$(dpkg_tool "$bundle/rootfs/var/lib/dpkg")" "$got"
      # files owned: the .list of a package equals what bulwark counted
      t_eq "$name files of coreutils" "$(grep -vc '^/\.$' "$bundle/rootfs/var/lib/dpkg/info/coreutils.list")" \
        "$(jq '.packages[] | select(.name == "coreutils") | .files_count' "$out")"
      rm -rf "$bundle"
    fi
  done
  # licenses come from the machine-readable copyright file
  t_eq "debian-minbase bash licenses include GPL-3.0-or-later" "true" \
    "$(jq '[.packages[] | select(.name == "bash") | .licenses[]] | index("GPL-3.0-or-later") != null' "$TMPROOT/debian-minbase.sbom.json")"
fi

# --- real dpkg databases from ../shared/data/pkgdb/dpkg: dpkg-query and the upstream expectations
if need_shared "ospkgs pkgdb dpkg"; then
  for d in "$SHARED"/data/pkgdb/dpkg/*/; do
    case_name=$(basename "$d")
    root=$TMPROOT/root-$case_name
    mkdir -p "$root/var/lib/dpkg"
    cp -r "$d"/. "$root/" 2>/dev/null
    [ -f "$d/status" ] && cp "$d/status" "$root/var/lib/dpkg/status"
    out=$TMPROOT/$case_name.json
    "$BULWARK" sbom --format json -o "$out" "dir:$root" 2>"$TMPROOT/$case_name.err"
    rc=$?
    case $case_name in
      claircore-vcpkg-not-dpkg)
        t_eq "pkgdb $case_name: not a dpkg database, no packages" "0 0" "$rc $(jq '.packages | length' "$out")" ;;
      syft-status.d)
        # the corrupt status.d file is refused with a warning naming it; the others are read
        t_check "pkgdb $case_name: corrupt file warned" grep -q 'status.d/corrupt.*not listed' "$TMPROOT/$case_name.err"
        t_eq "pkgdb $case_name: packages = upstream expectation" \
          "$(jq -r '[.cases[] | select(.input | endswith("corrupt") | not) | .packages[] | .name] | sort | join(" ")' "$d/EXPECTED.json")" \
          "$(jq -r '[.packages[].name] | sort | join(" ")' "$out")"
        t_check "pkgdb $case_name: deinstalled package left out" test "$(jq '[.packages[] | select(.path | endswith("deinstall"))] | length' "$out")" = 1
        ;;
      *)
        if [ -f "$root/var/lib/dpkg/status" ]; then
          if dpkg-query --admindir="$root/var/lib/dpkg" -W >/dev/null 2>&1; then
            t_eq "pkgdb $case_name = dpkg-query" "$(dpkg_tool "$root/var/lib/dpkg" | cut -f1,2)" "$(dpkg_ours "$out" | cut -f1,2)"
          else # dpkg refuses the file: bulwark must say what it skipped
            t_check "pkgdb $case_name: malformed stanza warned" grep -q 'Package field; skipped' "$TMPROOT/$case_name.err"
          fi
        fi
        n=$(jq '[.cases[] | select(.expected_count != null and (.case | test("including not installed") | not)) | .expected_count] | add // empty' "$d/EXPECTED.json")
        [ -n "$n" ] && t_eq "pkgdb $case_name: count = upstream expectation" "$n" "$(jq '.packages | length' "$out")"
        ;;
    esac
  done
  out=$TMPROOT/claircore-postgresql.json
  t_eq "pkgdb claircore-postgresql: Source with version" "postgresql-common 200+deb10u5" \
    "$(jq -r '.packages[] | select(.name == "postgresql-client") | .source_name + " " + .source_version' "$out")"
fi

# --- apk databases from ../shared/data/pkgdb/apk: every field of the upstream expectations
if need_shared "ospkgs pkgdb apk"; then
  for d in "$SHARED"/data/pkgdb/apk/*/; do
    case_name=$(basename "$d")
    out=$TMPROOT/apk-$case_name.json
    t_run_expect "pkgdb apk $case_name sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "dir:$d"
    if jq -e '.cases[0].packages' "$d/EXPECTED.json" >/dev/null; then
      t_eq "pkgdb apk $case_name = upstream expectation" \
        "$(jq -r '.cases[0].packages[] | [.name, .version, .arch, (if .origin == "" then .name else .origin end), .license] | @tsv' "$d/EXPECTED.json" | LC_ALL=C sort)" \
        "$(jq -r '.packages[] | [.name, .version, .arch, .source_name, (.licenses | join(" "))] | @tsv' "$out" | LC_ALL=C sort)"
    else # a dependency map: every package it names is listed
      missing=$(jq -r '.cases[0].dependency_of | to_entries[] | .key, .value[]' "$d/EXPECTED.json" | sort -u |
        while read -r p; do jq -e --arg p "$p" 'any(.packages[]; .name == $p)' "$out" >/dev/null || echo "$p"; done)
      t_eq "pkgdb apk $case_name: every package of the dependency map listed" "" "$missing"
    fi
  done
fi

# --- apk install layers and a database in a later layer (an image of our own)
spec=$TMPROOT/apk-layers.json
cat >"$spec" <<'JSON'
{"format": "oci", "images": [{"architecture": "amd64", "os": "linux", "config": {},
 "layers": [
  {"compression": "gzip", "created_by": "base", "entries": [
    {"path": "etc/alpine-release", "type": "file", "content": "3.18.4\n"},
    {"path": "lib/apk/db/installed", "type": "file", "content": "P:musl\nV:1.2.4-r1\nA:x86_64\no:musl\nL:MIT\n\nP:busybox\nV:1.36.1-r2\nA:x86_64\nL:GPL-2.0-only\nF:bin\nR:busybox\n\n"}]},
  {"compression": "gzip", "created_by": "upgrade busybox, add curl", "entries": [
    {"path": "lib/apk/db/installed", "type": "file", "content": "P:musl\nV:1.2.4-r1\nA:x86_64\no:musl\nL:MIT\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\nL:GPL-2.0-only\nF:bin\nR:busybox\n\nP:curl\nV:8.4.0-r0\nA:x86_64\nL:curl\n\n"}]}]}]}
JSON
python3 "$TOP/tests/lib/mkimage.py" build "$spec" "$TMPROOT/apk-img" >/dev/null
out=$TMPROOT/apk-img.json
t_run_expect "apk layered image sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "oci:$TMPROOT/apk-img:latest"
t_eq "apk install layers (unchanged 1, upgraded 2, new 2)" "busybox 1.36.1-r5 2,curl 8.4.0-r0 2,musl 1.2.4-r1 1" \
  "$(jq -r '[.packages[] | "\(.name) \(.version) \(.layer_index)"] | sort | join(",")' "$out")"
t_eq "apk os and purl" "alpine 3.18.4 pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64&distro=3.18.4 /bin/busybox" \
  "$(jq -r '.artifact.os.family + " " + .artifact.os.version + " " + (.packages[] | select(.name == "busybox") | .purl) + " " + "/bin/busybox"' "$out")"

# --- hostile databases: unreadable ones are reported with one warning naming them; the scan goes on
big=$TMPROOT/bigline
mkdir -p "$big/var/lib/dpkg" "$big/lib/apk/db" "$big/etc"
printf 'ID=debian\nVERSION_ID=12\n' >"$big/etc/os-release"
{ printf 'Package: a\nVersion: 1\nStatus: install ok installed\nDescription: '; head -c 1073741824 /dev/zero | tr '\0' 'x'; printf '\n'; } >"$big/var/lib/dpkg/status"
mkdir -p "$big/var/lib/rpm"
head -c 65536 /dev/urandom >"$big/var/lib/rpm/rpmdb.sqlite"
printf 'P:x\nthis is not a K:value line\n' >"$big/lib/apk/db/installed"
t_run_expect "hostile dpkg status with a 1 GiB line: scan goes on" 0 "" -- "$BULWARK" sbom --format json "dir:$big"
t_check "hostile dpkg status: one warning naming it" grep -q '/var/lib/dpkg/status.*larger than' "$T_ERR"
t_check "hostile apk database: one warning naming it" grep -q '/lib/apk/db/installed.*not a "K:value" line.*not listed' "$T_ERR"
t_check "hostile rpm database: one warning naming it" grep -q '/var/lib/rpm/rpmdb.sqlite.*not listed' "$T_ERR"
t_eq "hostile databases: three warnings, no packages passed off" "3 0 debian" \
  "$(grep -c 'warning' "$T_ERR") $(jq -r '(.packages | length | tostring) + " " + .artifact.os.family' "$T_OUT")"
rm -rf "$big"

# --- distroless: status.d/NAME and NAME.md5sums
dl=$TMPROOT/distroless
mkdir -p "$dl/var/lib/dpkg/status.d" "$dl/etc"
printf 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n' >"$dl/etc/os-release"
printf 'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\nSource: base-files (12.4)\n' >"$dl/var/lib/dpkg/status.d/base-files"
printf 'd41d8cd98f00b204e9800998ecf8427e  etc/debian_version\n0123456789abcdef0123456789abcdef  usr/share/doc/base-files/copyright\n' \
  >"$dl/var/lib/dpkg/status.d/base-files.md5sums"
printf 'Package: netbase\nVersion: 6.4\nArchitecture: all\n' >"$dl/var/lib/dpkg/status.d/netbase"
t_run_expect "distroless sbom" 0 "" -- "$BULWARK" sbom --format json "dir:$dl"
t_eq "distroless packages, sources and owned files" \
  "base-files 12.4+deb12u5 base-files 12.4 2,netbase 6.4 netbase 6.4 0" \
  "$(jq -r '[.packages[] | "\(.name) \(.version) \(.source_name) \(.source_version) \(.files_count)"] | sort | join(",")' "$T_OUT")"

# --- rpm: the fixture image (rpm -qa read back by ../shared) and every backend in ../shared/data/pkgdb/rpm
rpm_ours() { # name, [epoch:]version-release, arch, source rpm's name
  jq -r '.packages[] | select(.type == "rpm") | [.name, .version, .arch] | @tsv' "$1" | LC_ALL=C sort
}
if need_shared "ospkgs rpm"; then
  FIXTURES=${FIXTURES:-$("$TOP/tests/lib/fixtures.sh" "$SHARED")}
  EXPECTED=$(dirname "$FIXTURES")/expected
  out=$TMPROOT/rpm-root.json
  t_run_expect "rpm-root sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "oci:$FIXTURES/rpm-root/oci:latest"
  t_eq "rpm-root packages = rpm -qa" "$(LC_ALL=C sort "$EXPECTED/rpm-root/raw/rpm-qa.tsv")" "$(rpm_ours "$out")"
  t_eq "rpm-root layers = expected (curl upgraded in layer 2)" \
    "$(jq -r '.rpm[] | [.name, .layer] | @tsv' "$EXPECTED/rpm-root/packages.json" | LC_ALL=C sort)" \
    "$(jq -r '.packages[] | [.name, .layer_index] | @tsv' "$out" | LC_ALL=C sort)"
  t_eq "rpm-root source rpms = expected" \
    "$(jq -r '.rpm[] | [.name, .source_rpm] | @tsv' "$EXPECTED/rpm-root/packages.json" | LC_ALL=C sort)" \
    "$(jq -r '.packages[] | [.name, .source_name + "-" + .source_version + ".src.rpm"] | @tsv' "$out" | LC_ALL=C sort)"
  t_eq "rpm-root purl with epoch qualifier" "pkg:rpm/rocky/openssl-libs@3.0.1-43.el9_0?arch=x86_64&distro=rocky-9.1&epoch=1" \
    "$(jq -r '.packages[] | select(.name == "openssl-libs") | .purl' "$out")"
  t_eq "rpm-root files owned = expected" \
    "$(jq -r '.rpm[] | [.name, (.files | length)] | @tsv' "$EXPECTED/rpm-root/packages.json" | LC_ALL=C sort)" \
    "$(jq -r '.packages[] | [.name, .files_count] | @tsv' "$out" | LC_ALL=C sort)"

  for d in "$SHARED"/data/pkgdb/rpm/*/*/; do
    case_name=$(basename "$(dirname "$d")")/$(basename "$d")
    root=$TMPROOT/rpmroot-${case_name//\//-}
    mkdir -p "$root/var/lib/rpm"
    for f in Packages Packages.db rpmdb.sqlite; do [ -f "$d/$f" ] && cp "$d/$f" "$root/var/lib/rpm/$f"; done
    out=$root.json
    t_run_expect "pkgdb rpm $case_name sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "dir:$root"
    if [ -f "$d/RPM-QA.generated.tsv" ]; then # every package, as Debian's rpm lists them
      t_eq "pkgdb rpm $case_name = rpm -qa ($(grep -vc '^#' "$d/RPM-QA.generated.tsv"))" \
        "$(grep -v '^#' "$d/RPM-QA.generated.tsv" | awk -F'\t' '$1 != "gpg-pubkey" { print $1 "\t" ($2 != "0" && $2 != "(none)" ? $2 ":" : "") $3 "-" $4 "\t" $5 }' | LC_ALL=C sort)" \
        "$(rpm_ours "$out")"
    fi
    if jq -e '.cases[0].packages' "$d/EXPECTED.json" >/dev/null; then
      t_eq "pkgdb rpm $case_name = upstream expectation" \
        "$(jq -r '.cases[0].packages[] | [.name, ((if .epoch then "\(.epoch):" else "" end) + .version + "-" + .release), .arch] | @tsv' "$d/EXPECTED.json" | LC_ALL=C sort)" \
        "$(rpm_ours "$out")"
    fi
  done
fi
