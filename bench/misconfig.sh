#!/usr/bin/env bash
# bench/misconfig.sh: what the misconfig scanner adds to a scan (issue 9: under 5%).
# For each fixture image (tests/lib/fixtures.sh), the median of RUNS runs of
#   A  bulwark scan --scanners license IMAGE            (layer pass without the account-file
#                                                        analyzer, no misconfig checks)
#   B  bulwark scan --scanners license,misconfig IMAGE  (analyzer in the layer pass + checks)
# and the in-process time of the checks alone (BULWARK_TIMING). The license scanner stands
# for "a scan" because it needs no vulnerability database; matching would only make the
# denominator larger. Also `bulwark dockerfile` over the test corpus.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-5}
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED" 2>/dev/null) || { echo "bench/misconfig.sh: needs the fixture images" >&2; exit 0; }

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
timeit() {
  for ((i = 0; i < RUNS; i++)); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | median
}

printf '%-16s %12s %12s %10s %14s\n' image "scan ms" "+misconfig" added "checks ms"
for img in debian-minbase kitchen-sink rpm-root; do
  ref="oci:$IMAGES/$img/oci:latest"
  "$BULWARK" -q scan --scanners license "$ref" >/dev/null # warm the page cache
  a=$(timeit "$BULWARK" -q scan --scanners license "$ref")
  b=$(timeit "$BULWARK" -q scan --scanners license,misconfig "$ref")
  checks=$(for ((i = 0; i < RUNS; i++)); do
    BULWARK_TIMING=1 "$BULWARK" scan --scanners license,misconfig "$ref" 2>&1 >/dev/null |
      sed -n 's/^timing: misconfig checks \([0-9.]*\) ms.*/\1/p'
  done | median)
  printf '%-16s %12.1f %12.1f %9.1f%% %14s\n' "$img" "$(echo "$a / 1000" | bc -l)" "$(echo "$b / 1000" | bc -l)" \
    "$(echo "($b - $a) * 100 / $a" | bc -l)" "$checks"
done
n=$(ls "$TOP"/tests/data/dockerfiles/*.Dockerfile | wc -l)
t=$(timeit bash -c "for f in '$TOP'/tests/data/dockerfiles/*.Dockerfile; do '$BULWARK' dockerfile --format json \"\$f\"; done")
printf 'bulwark dockerfile over the %d corpus files: %.1f ms each (process start included)\n' "$n" "$(echo "$t / 1000 / $n" | bc -l)"
