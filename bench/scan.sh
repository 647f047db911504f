#!/usr/bin/env bash
# bench/scan.sh: the vulnerability database and matcher, measured in one run:
#  - import time and database size for all feeds of ../shared/data/vulndb;
#  - matching time (wall and the matcher's CPU, median of RUNS) for the kitchen-sink image's
#    packages, for a synthetic root filesystem of 2,000 Python packages named after real PyPA
#    advisories (every one vulnerable), and for a realistic 2,000-package mix (kitchen-sink's
#    SBOM plus language packages, bench/lib/mixsbom.py);
#  - a full `bulwark scan` of kitchen-sink against the decompression floor
#    (igzip -dc of its gzip layers, one core) and against `bulwark sbom` (no matching).
# Targets (issue 6): import < 60 s, 2,000 packages matched < 50 ms, scan < 1.5x floor.
set -euo pipefail
# timings are of reading the layers: the layer and image result caches would answer repeat runs
export BULWARK_NO_CACHE=1
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-3}
V=$SHARED/data/vulndb
[ -d "$V" ] || { echo "bench/scan.sh: needs $V" >&2; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BULWARK_DB=$tmp/db.sqlite

timeit() {
  local t=()
  for ((i = 0; i < RUNS; i++)); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
# match_ms IMAGE OUT.json: "WALL ms wall, CPU ms CPU" of the matcher, medians of RUNS scans
match_ms() {
  local w=() c=() line
  for ((i = 0; i < RUNS; i++)); do
    line=$(BULWARK_TIMING=1 "$BULWARK" -q scan "$1" --format json -o "$2" 2>&1 >/dev/null)
    line=$(grep -m1 'timing: image' <<<"$line")
    w+=("$(sed -n 's/.*match \([0-9.]*\) ms.*/\1/p' <<<"$line")")
    c+=("$(sed -n 's/.*match cpu \([0-9.]*\) ms.*/\1/p' <<<"$line")")
  done
  local mid=$(( (RUNS + 1) / 2 ))
  printf '%s ms wall, %s ms CPU' "$(printf '%s\n' "${w[@]}" | sort -n | sed -n "${mid}p")" \
    "$(printf '%s\n' "${c[@]}" | sort -n | sed -n "${mid}p")"
}

feeds=("$V/osv/go-vulndb-data-osv.tar.gz" "$V/osv/rustsec-osv-branch-crates.tar.gz"
       "$V/osv/almalinux-osv-8.tar.gz" "$V/osv/almalinux-osv-9.tar.gz"
       "$V/osv/pypa-advisory-database-vulns.tar.gz" "$V/osv/pypa-advisory-database-vulns.derived-json.tar.gz"
       "$V/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz" "$V/osv/ghsa-npm"
       "$V/osv/ubuntu-osv-sample" "$V/osv/misc-osv-records"
       "$V/debian-security-tracker/data/DSA/list" "$V/debian-security-tracker/data/DLA/list"
       "$V/debian-security-tracker/data/DTSA/list" "$V/debian-security-tracker/vunnel-fixture"
       "$V/alpine-secdb" "$V/wolfi-secdb")
s=$(date +%s.%N); "$BULWARK" -q db import "${feeds[@]}"; e=$(date +%s.%N)
import_s=$(echo "$e - $s" | bc -l)
advisories=$("$BULWARK" db info --format json | jq .advisories)
printf '%-52s %8.3f s   (%s advisories, database %s MB)\n' "db import of every shared feed" "$import_s" \
  "$advisories" "$(( $(stat -c %s "$BULWARK_DB") / 1000000 ))"

# ~2,000 Python packages at old versions, named after PyPA advisories (664 names, in three
# virtual environments at three versions): most of them match
root=$tmp/root
tar -xzf "$V/osv/pypa-advisory-database-vulns.tar.gz" -C "$tmp"
find "$tmp/vulns" -name '*.yaml' -printf '%h\n' | xargs -n1 basename | sort -u >"$tmp/names"
for venv in 1 2 3; do
  site=$root/opt/venv$venv/lib/python3.11/site-packages; mkdir -p "$site"
  while read -r n; do
    d="$site/${n}-0.$venv.0.dist-info"; mkdir -p "$d"
    printf 'Metadata-Version: 2.1\nName: %s\nVersion: 0.%s.0\n' "$n" "$venv" >"$d/METADATA"
  done <"$tmp/names"
done
npk=$(( $(wc -l <"$tmp/names") * 3 ))
mkdir -p "$root/etc"; printf 'ID=debian\nVERSION_ID=12\n' >"$root/etc/os-release"
t=$(match_ms "dir:$root" "$tmp/py.json")
printf '%-52s %s   (%s packages, %s findings)\n' "matching $npk Python packages" \
  "$t" "$npk" "$(jq .summary.vulnerabilities "$tmp/py.json")"

if [ -d "$SHARED/fixtures" ]; then
  layout=$("$TOP/tests/lib/fixtures.sh" "$SHARED")/kitchen-sink/oci
  manifest=$(skopeo inspect --raw "oci:$layout:latest")
  mapfile -t blobs < <(jq -r '.layers[] | select(.mediaType | endswith("gzip")) | .digest | sub(":"; "/")' <<<"$manifest")
  paths=(); for b in "${blobs[@]}"; do paths+=("$layout/blobs/$b"); done
  cat "${paths[@]}" >/dev/null
  t=$(match_ms "oci:$layout:latest" "$tmp/ks.json")
  floor=$(timeit taskset -c 0 igzip -dc "${paths[@]}")
  sbom=$(timeit "$BULWARK" sbom --format json "oci:$layout:latest")
  scan=$(timeit "$BULWARK" scan --format json "oci:$layout:latest")
  printf '%-52s %s   (%s packages, %s findings)\n' "matching kitchen-sink's packages" \
    "$t" "$(jq '.packages | length' "$tmp/ks.json")" "$(jq .summary.vulnerabilities "$tmp/ks.json")"
  "$BULWARK" sbom --format cyclonedx "oci:$layout:latest" >"$tmp/ks.cdx.json"
  /usr/bin/python3 "$TOP/bench/lib/mixsbom.py" "$tmp/ks.cdx.json" "$BULWARK_DB" 2000 >"$tmp/mix.cdx.json"
  t=$(match_ms "sbom:$tmp/mix.cdx.json" "$tmp/mix.json")
  printf '%-52s %s   (%s packages, %s findings)\n' "matching a 2,000-package mix (kitchen-sink + langs)" \
    "$t" "$(jq '.packages | length' "$tmp/mix.json")" "$(jq .summary.vulnerabilities "$tmp/mix.json")"
  printf '%-52s %8.3f s\n' "igzip -dc of kitchen-sink's layers (1 core, floor)" "$floor"
  printf '%-52s %8.3f s   ratio to floor %s\n' "bulwark sbom kitchen-sink (all cores)" "$sbom" "$(ratio "$sbom" "$floor")"
  printf '%-52s %8.3f s   ratio to floor %s\n' "bulwark scan kitchen-sink (all cores)" "$scan" "$(ratio "$scan" "$floor")"
fi
