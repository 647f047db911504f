#!/usr/bin/env bash
# scripts/demo-image.sh OUTDIR: assemble a small, real Debian-based image as
# an OCI layout in OUTDIR (tag "latest"), for demos and tests when the
# fixture images of ../shared are absent.
#
# It downloads a few Debian packages with apt-get (cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-demo/debs), unpacks them with
# dpkg-deb into a rootfs, writes a matching dpkg database
# (var/lib/dpkg/status and info/*.list, *.md5sums) and builds the image with
# tests/lib/mkimage.py:
#   layer 1 (gzip): base-files busybox-static libc6 zlib1g tzdata, /bin/sh
#   layer 2 (zstd): ca-certificates, the dpkg status updated for it, and a
#                   whiteout of /etc/issue.net from layer 1 (a deleted file)
# config: Cmd ["/bin/sh"], Env PATH, label org.opencontainers.image.title.
#
# Idempotent: does nothing when OUTDIR/index.json exists, unless FORCE=1.
# BUILD_JSON=FILE also keeps mkimage.py's description of the image (digests,
# final file listing, deleted files). Needs root (or sudo) only when the apt
# package lists have to be fetched first. Prints OUTDIR at the end.
set -euo pipefail
umask 022   # modes of the directories made here end up in the image

if [ "$#" -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
OUTDIR=$1
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MKIMAGE=$TOP/tests/lib/mkimage.py
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-demo/debs
LAYER1_PKGS=(base-files busybox-static libc6 zlib1g tzdata)
LAYER2_PKGS=(ca-certificates)
WHITEOUT=etc/issue.net   # a base-files file that layer 2 deletes

if [ -e "$OUTDIR/index.json" ] && [ "${FORCE:-0}" != 1 ]; then
  echo "$OUTDIR"
  exit 0
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "demo-image: need root for: $*" >&2
    return 1
  fi
}

# apt-get download needs the package lists.
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  as_root apt-get update -qq
fi

# Download what the cache lacks (one .deb per package is kept).
mkdir -p "$CACHE"
deb_of() {
  local found
  found=$(find "$CACHE" -maxdepth 1 -name "${1}_*.deb" | sort -V | tail -n 1)
  printf '%s' "$found"
}
missing=()
for pkg in "${LAYER1_PKGS[@]}" "${LAYER2_PKGS[@]}"; do
  if [ -z "$(deb_of "$pkg")" ]; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  (cd "$CACHE" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" >/dev/null)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/layer1" "$WORK/layer2" "$WORK/status.d"

# status_stanza DEB: a dpkg status stanza for an installed package.
status_stanza() {
  local deb=$1
  printf 'Package: %s\n' "$(dpkg-deb -f "$deb" Package)"
  printf 'Status: install ok installed\n'
  dpkg-deb -f "$deb" | awk '/^Package:/ { skip = 1; next }
                           /^[^ \t]/ { skip = 0 }
                           !skip'
  printf '\n'
}

# install_pkg DEB ROOT: unpack DEB into ROOT and record it in ROOT's dpkg
# info directory and in WORK/status.d.
install_pkg() {
  local deb=$1 root=$2 name arch info ctrl
  name=$(dpkg-deb -f "$deb" Package)
  arch=$(dpkg-deb -f "$deb" Architecture)
  # Multi-Arch: same packages keep their info files as NAME:ARCH, as dpkg does.
  info=$name
  if [ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ]; then
    info=$name:$arch
  fi
  dpkg-deb -x "$deb" "$root"
  mkdir -p "$root/var/lib/dpkg/info"
  dpkg-deb --fsys-tarfile "$deb" | tar -t --quoting-style=literal |
    sed -e 's|^\./$|/.|' -e 's|^\.||' -e 's|/$||' >"$root/var/lib/dpkg/info/$info.list"
  ctrl=$WORK/ctrl.$name
  mkdir -p "$ctrl"
  dpkg-deb -e "$deb" "$ctrl"
  if [ -f "$ctrl/md5sums" ]; then
    cp "$ctrl/md5sums" "$root/var/lib/dpkg/info/$info.md5sums"
  fi
  status_stanza "$deb" >"$WORK/status.d/$name"
}

# write_status ROOT NAME...: ROOT/var/lib/dpkg/status for those packages.
write_status() {
  local root=$1 name
  shift
  mkdir -p "$root/var/lib/dpkg"
  for name in $(printf '%s\n' "$@" | sort); do
    cat "$WORK/status.d/$name"
  done >"$root/var/lib/dpkg/status"
}

for pkg in "${LAYER1_PKGS[@]}"; do
  install_pkg "$(deb_of "$pkg")" "$WORK/layer1"
done
write_status "$WORK/layer1" "${LAYER1_PKGS[@]}"

if [ ! -e "$WORK/layer1/$WHITEOUT" ]; then
  echo "demo-image: $WHITEOUT is not in layer 1; cannot show a deleted file" >&2
  exit 1
fi
# /bin/sh -> busybox (busybox-static ships /bin/busybox on bookworm).
if [ -e "$WORK/layer1/bin/busybox" ]; then
  ln -sfn busybox "$WORK/layer1/bin/sh"
else
  mkdir -p "$WORK/layer1/bin"
  ln -sfn /usr/bin/busybox "$WORK/layer1/bin/sh"
fi

for pkg in "${LAYER2_PKGS[@]}"; do
  install_pkg "$(deb_of "$pkg")" "$WORK/layer2"
done
write_status "$WORK/layer2" "${LAYER1_PKGS[@]}" "${LAYER2_PKGS[@]}"

python3 - "$WORK/spec.json" "$WORK/layer1" "$WORK/layer2" "$WHITEOUT" \
  "$(dpkg --print-architecture)" <<'EOF'
import json, posixpath, sys
spec_path, layer1, layer2, whiteout, deb_arch = sys.argv[1:]
parent, name = posixpath.split(whiteout)
# Debian architecture name -> OCI platform architecture
arch = {"i386": "386", "armhf": "arm", "armel": "arm",
        "ppc64el": "ppc64le"}.get(deb_arch, deb_arch)
spec = {
    "format": "oci",
    "tag": "latest",
    "images": [{
        "architecture": arch,
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["/bin/sh"],
            "Labels": {"org.opencontainers.image.title": "bulwark-demo"},
        },
        "layers": [
            {"compression": "gzip", "from_dir": layer1,
             "created_by": "ADD base-files busybox-static libc6 zlib1g tzdata"},
            {"compression": "zstd", "from_dir": layer2,
             "created_by": "RUN install ca-certificates && rm /" + whiteout,
             "entries": [{"path": posixpath.join(parent, ".wh." + name),
                          "type": "file", "content": ""}]},
        ],
    }],
}
with open(spec_path, "w") as f:
    json.dump(spec, f, indent=1)
EOF

mkdir -p "$OUTDIR"
python3 "$MKIMAGE" build "$WORK/spec.json" "$OUTDIR" >"$WORK/build.json"
if [ -n "${BUILD_JSON:-}" ]; then
  cp "$WORK/build.json" "$BUILD_JSON"
fi
echo "$OUTDIR"
