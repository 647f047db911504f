#!/usr/bin/env bash
# tests/lib/fixtures.sh SHARED: prints the directory holding the fixture images built by
# SHARED/fixtures/build-images.sh, building them first if this machine has not yet.
#
# Images are cached outside the clone, keyed by a hash of SHARED/fixtures, so CI builds them
# once per machine (about 5 minutes cold) and not on every run:
#   ${BULWARK_FIXTURE_CACHE:-~/.cache/bulwark-fixtures}/<hash>/images/<name>/{oci,docker-archive.tar}
# A failed or interrupted build leaves no .complete marker and is redone.
set -euo pipefail
shared=$1
[ -d "$shared/fixtures" ] || { echo "fixtures: $shared/fixtures is absent" >&2; exit 1; }
hash=$(cd "$shared/fixtures" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
root=${BULWARK_FIXTURE_CACHE:-$HOME/.cache/bulwark-fixtures}/$hash
if [ ! -f "$root/.complete" ]; then
  mkdir -p "$root"
  echo "fixtures: building the fixture images into $root (once per machine)" >&2
  (cd "$shared/fixtures" && ./build-images.sh "$root/images" "$root/expected") >"$root/build.log" 2>&1 || {
    echo "fixtures: build-images.sh failed; see $root/build.log" >&2
    tail -5 "$root/build.log" >&2
    exit 1
  }
  touch "$root/.complete"
fi
echo "$root/images"
