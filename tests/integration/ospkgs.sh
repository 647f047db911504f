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
    t_eq "$name purls" "0" "$(jq '[.packages[] | select(.purl | test("^pkg:deb/debian/[^@]+@[^?]+\\?arch=[a-z0-9]+&distro=debian-12$") | not)] | length' "$out")"
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
