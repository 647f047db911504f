#!/usr/bin/env bash
# bench/inventory.sh: the cost of the OS package inventory.
#   - `bulwark sbom` against `bulwark inspect` on each fixture image (the difference is what
#     the dpkg/apk/rpm analyzers add to the one layer pass), in one run;
#   - each rpm database backend alone (bw-rpmdb-dump: read + parse every header).
# Median of RUNS (default 5) runs. Not part of `make test`.
set -euo pipefail
# timings are of reading the layers: the layer and image result caches would answer repeat runs
export BULWARK_NO_CACHE=1
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
DUMP=${DUMP:-$TOP/build/bw-rpmdb-dump}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-5}
[ -d "$SHARED/fixtures" ] || { echo "bench/inventory.sh needs ../shared (fixture images and rpm databases)" >&2; exit 1; }
FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED")

timeit() {
  local t=()
  for ((i = 0; i < RUNS; i++)); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
ms() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }

printf '%-16s %9s %12s %12s %12s\n' image packages "inspect ms" "sbom ms" "inventory ms"
for name in debian-minbase kitchen-sink rpm-root; do
  img="oci:$FIXTURES/$name/oci:latest"
  n=$("$BULWARK" sbom --format json "$img" | jq '.packages | length')
  a=$(timeit "$BULWARK" inspect --format json "$img")
  b=$(timeit "$BULWARK" sbom --format json "$img")
  printf '%-16s %9s %12s %12s %12s\n' "$name" "$n" "$(ms "$a")" "$(ms "$b")" "$(ms $(( b > a ? b - a : 0 )))"
done
echo
printf '%-40s %9s %12s\n' "rpm database (backend)" packages "parse ms"
for db in "$SHARED"/data/pkgdb/rpm/*/*/{rpmdb.sqlite,Packages.db,Packages}; do
  [ -f "$db" ] || continue
  n=$("$DUMP" "$db" | grep -c '')
  t=$(timeit "$DUMP" "$db")
  printf '%-40s %9s %12s\n' "$(basename "$(dirname "$(dirname "$db")")")/$(basename "$(dirname "$db")")" "$n" "$(ms "$t")"
done
