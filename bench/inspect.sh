#!/usr/bin/env bash
# bench/inspect.sh [IMAGE_DIR]: times `bulwark inspect --files` on the largest fixture image
# against the decompression floor (igzip -dc of the same layer blobs, one core) and against
# umoci unpack (a peer that reads the same image), all in this one run; prints the ratios
# and bulwark's peak RSS. Median of 3 runs each. Not part of `make test`.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-3}

if [ $# -ge 1 ]; then
  layout=$1
elif [ -d "$SHARED/fixtures" ]; then
  layout=$("$TOP/tests/lib/fixtures.sh" "$SHARED")/kitchen-sink/oci
else
  layout=$("$TOP/scripts/demo-image.sh" "${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-demo/image" | tail -1)
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# every run reads the layers: the layer cache would answer all runs after the first
export BULWARK_NO_CACHE=1

manifest=$(skopeo inspect --raw "oci:$layout:latest")
mapfile -t blobs < <(jq -r '.layers[] | select(.mediaType | endswith("gzip")) | .digest | sub(":"; "/")' <<<"$manifest")
paths=(); for b in "${blobs[@]}"; do paths+=("$layout/blobs/$b"); done
compressed=$(cat "${paths[@]}" | wc -c)
uncompressed=$(igzip -dc "${paths[@]}" | wc -c)

# median wall seconds of RUNS runs of a command
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

cat "${paths[@]}" >/dev/null # warm the page cache
floor=$(timeit taskset -c 0 igzip -dc "${paths[@]}")
one=$(timeit taskset -c 0 "$BULWARK" inspect --files --format json "oci:$layout:latest")
all=$(timeit "$BULWARK" inspect --files --format json "oci:$layout:latest")
zlib=$(BULWARK_INFLATE=zlib timeit taskset -c 0 "$BULWARK" inspect --files --format json "oci:$layout:latest")
umoci_t=$(timeit bash -c "rm -rf '$tmp/b'; umoci unpack --image '$layout:latest' '$tmp/b'")
rm -rf "$tmp/b"
rss=$(/usr/bin/time -f %M "$BULWARK" inspect --files --format json "oci:$layout:latest" 2>&1 >/dev/null | tail -1)
# Memory must not grow with image size: a 1 GiB layer (one file of zeros) for comparison.
python3 "$TOP/tests/lib/mkimage.py" hostile gzip-bomb "$tmp/big" >/dev/null
rss_big=$(/usr/bin/time -f %M "$BULWARK" inspect --format json "oci:$tmp/big:latest" 2>&1 >/dev/null | tail -1)

echo "image: $layout (${#blobs[@]} gzip layers, $((compressed / 1000000)) MB compressed, $((uncompressed / 1000000)) MB uncompressed), $(nproc) cores"
printf '%-44s %8.3f s\n' "igzip -dc of the layers (1 core, the floor)" "$floor"
printf '%-44s %8.3f s   ratio to floor %s\n' "bulwark inspect --files (1 core)" "$one" "$(ratio "$one" "$floor")"
printf '%-44s %8.3f s   ratio to floor %s\n' "bulwark inspect --files (all cores)" "$all" "$(ratio "$all" "$floor")"
printf '%-44s %8.3f s   ratio to floor %s\n' "bulwark, zlib inflate (1 core)" "$zlib" "$(ratio "$zlib" "$floor")"
printf '%-44s %8.3f s   bulwark is %sx faster\n' "umoci unpack (peer, writes to disk)" "$umoci_t" "$(ratio "$umoci_t" "$all")"
printf '%-44s %8s MB\n' "bulwark peak RSS" "$((rss / 1024))"
printf '%-44s %8s MB\n' "bulwark peak RSS, 1 GiB single-file layer" "$((rss_big / 1024))"
