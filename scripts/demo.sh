#!/usr/bin/env bash
# scripts/demo.sh: the `make demo` walk-through. Builds a real image (the kitchen-sink
# fixture from ../shared/fixtures when present, else a small image assembled from Debian
# packages by scripts/demo-image.sh), inspects it end to end and lists its packages (SBOM).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=$TOP/build/bulwark
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}

if [ -d "$SHARED/fixtures" ]; then
  echo "demo: building the fixture images from $SHARED/fixtures (cached; ~5 min the first time)" >&2
  image=$("$TOP/tests/lib/fixtures.sh" "$SHARED")/kitchen-sink/oci
else
  echo "demo: ../shared is absent; assembling a small image from Debian packages" >&2
  image=$("$TOP/scripts/demo-image.sh" "${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-demo/image" | tail -1)
fi

run() { printf '\n$ %s\n' "$*" | sed "s|$TOP/build/||; s|$HOME|~|g"; "$@"; }
run "$BULWARK" inspect "oci:$image:latest"
run "$BULWARK" inspect --deleted "oci:$image:latest" | sed -n '/^Deleted by whiteouts/,$p'
run "$BULWARK" inspect --format json --files "oci:$image:latest" -o "${TMPDIR:-/tmp}/bulwark-demo.json"
jq '{manifest: .artifact.manifest_digest, os: .artifact.os, layers: (.artifact.layers | length), files: (.files | length),
     setuid: [.files[] | select(.type == "file" and (.mode | startswith("4"))) | .path]}' "${TMPDIR:-/tmp}/bulwark-demo.json"
run "$BULWARK" sbom "oci:$image:latest" | awk 'NR <= 5 || /packages$/'
run "$BULWARK" sbom --format cyclonedx "oci:$image:latest" -o "${TMPDIR:-/tmp}/bulwark-demo.cdx.json"
jq '{components: (.components | length),
     by_type: ([.components[] | select(.purl) | .purl | split("/")[0]] | group_by(.) | map({(.[0]): length}) | add)}' \
  "${TMPDIR:-/tmp}/bulwark-demo.cdx.json"
