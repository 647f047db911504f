#!/usr/bin/env bash
# bench/registry.sh [IMAGE_DIR]: two local registries (Debian's docker-registry on 127.0.0.1,
# TLS with a CA made here, no auth so the registry's bcrypt does not dominate), the
# largest fixture image pushed into the first with skopeo; then, all in this one run:
#   bulwark copy  vs  skopeo copy  from the first registry to a second one, started afresh
#   for every run (an empty registry: every blob is uploaded; skopeo cannot mount from an
#   earlier run's repository, which its blob cache would otherwise do), and bulwark inspect
#   --files from the registry vs from the OCI layout. Median of RUNS (3) runs each, the two
#   copiers taking turns; prints the ratios.
# Target: bulwark copy no slower than skopeo copy. Not part of `make test`.
set -euo pipefail
# timings are of reading the layers: the layer and image result caches would answer repeat runs
export BULWARK_NO_CACHE=1
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-3}

if [ $# -ge 1 ]; then
  layout=$1
else
  layout=$("$TOP/tests/lib/fixtures.sh" "$SHARED")/kitchen-sink/oci
fi
tmp=$(mktemp -d)
. "$TOP/tests/lib/registry.sh"
trap 'reg_stop_all; rm -rf "$tmp"' EXIT
REG_PKI=$tmp/pki
reg_pki "$REG_PKI"
reg_start "$tmp/a" none
A=127.0.0.1:$REG_PORT
mkdir -p "$tmp/certs"
cp "$REG_PKI/ca.crt" "$tmp/certs/"
skopeo copy -q --dest-cert-dir "$tmp/certs" "oci:$layout:latest" "docker://$A/bench/image:v1"
bytes=$(skopeo inspect --raw "oci:$layout:latest" | jq '[.layers[].size] | add')
nlayers=$(skopeo inspect --raw "oci:$layout:latest" | jq '.layers | length')

n=0
# median wall seconds of RUNS runs of a command; RUN in the command is the run's number
timeit() {
  local t=() i s e
  for ((i = 0; i < RUNS; i++)); do
    n=$((n + 1))
    s=$(date +%s.%N)
    "$@" "$n" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
    e=$(date +%s.%N)
    t+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
bw_copy() { "$BULWARK" copy --ca-file "$REG_PKI/ca.crt" "$A/bench/image:v1" "$DEST/bw/image:v1"; }
sk_copy() { skopeo copy -q --src-cert-dir "$tmp/certs" --dest-cert-dir "$tmp/certs" "docker://$A/bench/image:v1" "docker://$DEST/sk/image:v1"; }
bw_reg() { "$BULWARK" inspect --files --format json --ca-file "$REG_PKI/ca.crt" "$A/bench/image:v1"; }
bw_oci() { "$BULWARK" inspect --files --format json "oci:$layout:latest"; }

bw_oci 0 >/dev/null # warm the page cache
# a fresh destination registry for every run, started before the clock; the tools take
# turns, so a busy moment of the machine does not fall on one of them only
sks=() bws=()
for ((r = 0; r < RUNS; r++)); do
  reg_start "$tmp/sk$r" none
  DEST=127.0.0.1:$REG_PORT
  sks+=("$(RUNS=1 timeit sk_copy)")
  reg_start "$tmp/bw$r" none
  DEST=127.0.0.1:$REG_PORT
  bws+=("$(RUNS=1 timeit bw_copy)")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
sk=$(median "${sks[@]}")
bw=$(median "${bws[@]}")
reg=$(timeit bw_reg)
oci=$(timeit bw_oci)
# the copies are the same image, byte for byte
want=$(skopeo inspect --raw --cert-dir "$tmp/certs" "docker://$A/bench/image:v1" | sha256sum)
got=$(skopeo inspect --raw --cert-dir "$tmp/certs" "docker://$DEST/bw/image:v1" | sha256sum)
[ "$want" = "$got" ] || { echo "bench: bulwark's copy differs from the source" >&2; exit 1; }

echo "image: $layout ($nlayers layers, $((bytes / 1000000)) MB of blobs), two registries on 127.0.0.1 (TLS), $(nproc) cores"
printf '%-48s %8.3f s\n' "skopeo copy registry -> registry" "$sk"
printf '%-48s %8.3f s   %sx the skopeo time\n' "bulwark copy registry -> registry" "$bw" "$(ratio "$bw" "$sk")"
printf '%-48s %8.3f s\n' "bulwark inspect --files, OCI layout" "$oci"
printf '%-48s %8.3f s   %sx the layout time\n' "bulwark inspect --files, from the registry" "$reg" "$(ratio "$reg" "$oci")"
