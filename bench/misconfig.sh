#!/usr/bin/env bash
# bench/misconfig.sh: what the misconfig scanner adds to a scan (issue 9: under 5%).
# For each fixture image (tests/lib/fixtures.sh), the fastest of RUNS interleaved runs of
#   A  bulwark scan --scanners license IMAGE            (layer pass without the account-file
#                                                        analyzer, no misconfig checks)
#   B  bulwark scan --scanners license,misconfig IMAGE  (analyzer in the layer pass + checks)
# and the in-process time of the checks alone (BULWARK_TIMING). The license scanner stands
# for "a scan" because it needs no vulnerability database; matching would only make the
# denominator larger. Also `bulwark dockerfile` over the test corpus.
set -euo pipefail
# timings are of reading the layers: the layer and image result caches would answer repeat runs
export BULWARK_NO_CACHE=1
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-7}
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED" 2>/dev/null) || { echo "bench/misconfig.sh: needs the fixture images" >&2; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# A and B interleaved, and the fastest run of each kept: on a shared machine the minimum is
# the run least disturbed by other work, and interleaving exposes both to the same load
runs_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
# CPU time (user + system, microseconds) of one run: less disturbed by other work than wall time
cpu_us() {
  /usr/bin/python3 -c '
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
print(int((ru.ru_utime + ru.ru_stime) * 1e6))' "$@"
}
min() { sort -n | head -1; }

printf '%-16s %12s %12s %9s %11s %9s\n' image "scan cpu ms" "+misconfig" added "checks ms" "checks"
for img in debian-minbase kitchen-sink rpm-root; do
  ref="oci:$IMAGES/$img/oci:latest"
  "$BULWARK" -q scan --scanners license "$ref" >/dev/null # warm the page cache
  : >"$tmp/a"; : >"$tmp/b"; : >"$tmp/c"
  for ((i = 0; i < RUNS; i++)); do
    cpu_us "$BULWARK" -q scan --scanners license "$ref" >>"$tmp/a"
    cpu_us "$BULWARK" -q scan --scanners license,misconfig "$ref" >>"$tmp/b"
    BULWARK_TIMING=1 "$BULWARK" scan --scanners license,misconfig "$ref" 2>&1 >/dev/null |
      sed -n 's/^timing: misconfig checks \([0-9.]*\) ms.*/\1/p' >>"$tmp/c"
  done
  a=$(min <"$tmp/a"); b=$(min <"$tmp/b"); c=$(sort -n "$tmp/c" | head -1)
  printf '%-16s %12.1f %12.1f %8.1f%% %11s %8.2f%%\n' "$img" "$(echo "$a / 1000" | bc -l)" "$(echo "$b / 1000" | bc -l)" \
    "$(echo "($b - $a) * 100 / $a" | bc -l)" "$c" "$(echo "$c * 100000 / $a" | bc -l)"
done
echo "(CPU time, user + system, of the whole process; added: the whole scanner, layer-pass analyzer"
echo " included, fastest of $RUNS interleaved runs each;"
echo " checks: bw_misconfig_check_image() alone, in-process, as a share of the scan)"
n=0; total=0
for f in "$TOP"/tests/data/dockerfiles/*.Dockerfile; do
  t=$(for ((i = 0; i < 3; i++)); do cpu_us "$BULWARK" dockerfile --format json "$f"; done | min)
  total=$((total + t)); n=$((n + 1))
done
v=$(for ((i = 0; i < RUNS; i++)); do cpu_us "$BULWARK" version; done | min)
printf 'bulwark dockerfile over the %d corpus files: %.1f ms CPU each; bulwark version (process start): %.1f ms\n' \
  "$n" "$(echo "$total / 1000 / $n" | bc -l)" "$(echo "$v / 1000" | bc -l)"
