#!/usr/bin/env bash
# bench/scale.sh: bounded memory on large images (issue 11), measured in one run.
# Builds (once, cached in ~/.cache/bulwark-bench/scale, keyed by the generator's hash) four
# synthetic OCI images with bench/lib/mkimage.py:
#   files1m   1,000,000 small files in one layer
#   big2g     2 GiB of layers (4 x 512 MiB of text files)
#   jars500   500 jars in one layer
#   lock100m  a 100 MB package-lock.json
# and reports for each: `bulwark scan` wall time and peak RSS (GNU time), the decompression
# floor (igzip -dc of the same layers, one core), the verifying floor (igzip -dc | openssl
# dgst -sha256: decompressing and hashing the uncompressed stream, as checking a diff_id
# requires, on two cores), then a warm re-scan with the layer cache filled by the first.
# Targets: peak RSS under 256 MB for all; files1m within 2x the floor; warm re-scan under
# 100 ms.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
RUNS=${RUNS:-1}
KINDS=${KINDS:-"jars500 lock100m files1m big2g"}
key=$(sha256sum "$TOP/bench/lib/mkimage.py" | cut -c1-16)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-bench/scale/$key
mkdir -p "$CACHE"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BULWARK_DB=$tmp/db.sqlite BULWARK_STATE=$tmp/state.sqlite
"$BULWARK" -q db import "$TOP/data/demo-feed/debian-bookworm.json"

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
layer_blobs() { # every layer blob of the layout's first manifest
  local dir=$1
  for b in $(jq -r '.layers[].digest' "$dir/blobs/sha256/$(jq -r '.manifests[0].digest' "$dir/index.json" | cut -d: -f2)" | cut -d: -f2); do
    echo "$dir/blobs/sha256/$b"
  done
}
floor_of() { # seconds to decompress every layer blob; with "verify", piped into a SHA-256 too
  local dir=$1 mode=${2:-} s e b
  s=$(date +%s.%N)
  for b in $(layer_blobs "$dir"); do
    if [ "$mode" = verify ]; then igzip -dc "$b" | openssl dgst -sha256 >/dev/null; else igzip -dc "$b" >/dev/null; fi
  done
  e=$(date +%s.%N); echo "$e - $s" | bc -l
}

printf '%-10s %10s %8s %9s %8s %7s %9s %7s %7s\n' image layers_MB floor_s vfloor_s scan_s ratio vratio rss_MB warm_s
for k in $KINDS; do
  if [ ! -f "$CACHE/$k/index.json" ]; then
    rm -rf "$CACHE/$k.tmp"
    /usr/bin/python3 "$TOP/bench/lib/mkimage.py" "$k" "$CACHE/$k.tmp" && mv "$CACHE/$k.tmp" "$CACHE/$k"
  fi
  dir=$CACHE/$k
  mb=$(du -sm "$dir/blobs" | cut -f1)
  floor=$(for ((i = 0; i < RUNS; i++)); do floor_of "$dir"; done | median)
  vfloor=$(for ((i = 0; i < RUNS; i++)); do floor_of "$dir" verify; done | median)
  : >"$tmp/runs"
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$BULWARK" -q --no-cache scan "oci:$dir" --format json -o "$tmp/$k.json"
    cat "$tmp/time" >>"$tmp/runs"
  done
  "$BULWARK" -q scan "oci:$dir" --format json -o /dev/null   # fills the layer cache
  s=$(date +%s.%N); "$BULWARK" -q scan "oci:$dir" --format json -o /dev/null; e=$(date +%s.%N)
  warm=$(echo "$e - $s" | bc -l)
  scan=$(cut -d' ' -f1 "$tmp/runs" | median)
  rss=$(cut -d' ' -f2 "$tmp/runs" | sort -n | tail -1)
  printf '%-10s %10s %8.2f %9.2f %8.2f %7.2f %9.2f %7d %7.2f   (%s packages, %s files)\n' "$k" "$mb" "$floor" \
    "$vfloor" "$scan" "$(echo "$scan / $floor" | bc -l)" "$(echo "$scan / $vfloor" | bc -l)" $((rss / 1024)) \
    "$warm" "$(jq '.packages | length' "$tmp/$k.json")" \
    "$(jq '.artifact.files_count' "$tmp/$k.json")"
done
