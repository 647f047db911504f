#!/usr/bin/env bash
# Image formats and transports: images built by tests/lib/mkimage.py (whose JSON on stdout is
# the ground truth) are inspected with `bulwark inspect --format json`, and the result is
# compared with that ground truth and, wherever it can read the format, with skopeo (an
# independent registry client). Nothing expected is hard-coded: every digest comes from
# mkimage or skopeo, every path, mode and config value from the spec files in specs/.
#
#   BULWARK=build/bulwark TOP=$PWD bash tests/integration/formats.sh
#
# Needs python3, jq, skopeo, umoci, zstd. Takes 20-40 s (most of it is mkimage and skopeo start-up).
. "$(dirname "$0")/../lib/harness.sh"

MK=$TOP/tests/lib/mkimage.py
SPECS=$TOP/tests/integration/specs
W=$TMPROOT/formats
rm -rf "$W"
mkdir -p "$W"

# ------------------------------------------------------------------ helpers

# mk SPEC OUT: builds an image; its ground truth goes to OUT.truth. Failing to
# build is a failure of its own (the checks that need the image then fail too).
mk() {
  if ! python3 "$MK" build "$1" "$2" >"$2.truth" 2>"$W/mk.err"; then
    t_fail "mkimage build $(basename "$1") -> $(basename "$2")" "$(head -c 300 "$W/mk.err")"
    : >"$2.truth"
    return 1
  fi
}

# variant BASE-SPEC JQ-FILTER OUT: a spec derived from a spec file.
variant() { jq "$2" "$1" >"$3"; }

# insp OUT-PREFIX ARGS...: runs `bulwark inspect --format json ARGS`; stdout in
# OUT-PREFIX.json, stderr in OUT-PREFIX.err, exit code in OUT-PREFIX.rc.
insp() {
  local p=$1 rc=0; shift
  timeout 60 "$BULWARK" inspect --format json "$@" >"$p.json" 2>"$p.err" || rc=$?
  echo "$rc" >"$p.rc"
  return "$rc"
}

# jqf FILE FILTER: jq -r on a file; prints nothing (not even an error) when the
# file is not JSON, so a crashed bulwark shows up as a mismatch, not as noise.
jqf() { jq -r "$2" "$1" 2>/dev/null; }

# t_same NAME EXPECTED-FILE ACTUAL-FILE: the two files are equal. An empty
# expectation is itself a failure (a broken generator must not pass).
t_same() {
  local d
  if [ ! -s "$2" ]; then
    t_fail "$1" "the expected side is empty (ground truth missing)"
  elif d=$(diff -u "$2" "$3"); then
    t_ok "$1"
  else
    t_fail "$1" "diff expected (-) bulwark (+):
$(printf '%s\n' "$d" | sed 1,2d | head -40)"
  fi
}

# t_rc NAME PREFIX WANT: the exit code recorded by insp, with stderr on failure.
t_rc() {
  local rc; rc=$(cat "$2.rc")
  if [ "$rc" = "$3" ]; then t_ok "$1"; else t_fail "$1" "exit $rc, want $3; stderr: $(head -c 300 "$2.err")"; fi
}

# t_eqne NAME EXPECTED ACTUAL: t_eq where an empty or null expectation fails.
t_eqne() {
  if [ -z "$2" ] || [ "$2" = null ]; then
    t_fail "$1" "no expected value (ground truth missing); got [$3]"
  else
    t_eq "$1" "$2" "$3"
  fi
}

sha() { local a=${1:-sha256}; "${a}sum" | awk -v a="$a" '{print a ":" $1}'; }   # stdin -> ALG:hex

# skopeo_raw_digest REF [ALG] / skopeo_config_digest REF [ALG]: digest of the raw bytes.
skopeo_raw_digest() {
  local f=$W/skopeo.raw
  skopeo inspect --raw "$1" >"$f" 2>"$W/skopeo.err" && [ -s "$f" ] && sha "${2:-sha256}" <"$f"
}
skopeo_config_digest() {
  local f=$W/skopeo.cfg
  skopeo inspect --config --raw "$1" >"$f" 2>"$W/skopeo.err" && [ -s "$f" ] && sha "${2:-sha256}" <"$f"
}

# The host platform's architecture in OCI terms (bulwark's default selection).
case $(uname -m) in
  x86_64 | amd64) HOST_ARCH=amd64 ;;
  aarch64 | arm64) HOST_ARCH=arm64 ;;
  *) HOST_ARCH=$(uname -m) ;;
esac

# jq definitions shared by the ground-truth views below.
# norm: a tar name as bulwark reports paths ("./a/b/" -> "/a/b").
# links($spec): {path: {type, target}} of the last symlink/hardlink entry at
#   each path across the first image's layers (later layers win).
# owners($spec): {"path@layer": {uid, gid}} for every entry of the first image.
JQDEFS='
def norm: sub("^(\\./)+"; "") | sub("/+$"; "") | "/" + .;
def links($s): [$s.images[0].layers | to_entries[] | (.key + 1) as $i | .value.entries[]?
  | select(.type == "symlink" or .type == "hardlink")
  | {key: (.path | norm), value: {type, target}}] | from_entries;
def owners($s): [$s.images[0].layers | to_entries[] | (.key + 1) as $i | .value.entries[]?
  | {key: ((.path | norm) + "@" + ($i | tostring)), value: {uid: (.uid // 0), gid: (.gid // 0)}}]
  | from_entries;
'

# files_truth TRUTH SPEC [TREE]: mkimage's files as TSV path, type, mode, size, layer.
# Hard links: mkimage reports the tar header (size 0); bulwark reports the
# size of the link's target (include/bulwark/image.h), so the expected size is
# the target's size in mkimage's own file list (for a hard link that came from
# a from_dir TREE, the size of that file in TREE). The mode of a hard link is
# the header's, which a real extraction ignores: it is not compared ("-").
files_truth() {
  local treelinks='{}'
  if [ -n "${3:-}" ]; then
    treelinks=$(find "$3" -type f -links +1 -printf '%P\t%s\n' |
      jq -Rn '[inputs | split("\t") | {key: ("/" + .[0]), value: (.[1] | tonumber)}] | from_entries')
  fi
  jq -r --slurpfile s "$2" --argjson tl "$treelinks" "$JQDEFS"'
    links($s[0]) as $l | (.files | map({key: .path, value: .size}) | from_entries) as $sz
    | .files[]
    | [.path, .type, (if .type == "hardlink" then "-" else .mode end),
       (if .type != "hardlink" then .size
        elif $l[.path] != null then $sz[$l[.path].target | norm]
        else $tl[.path] end | tostring),
       (.layer | tostring)] | @tsv' "$1" | sort
}
files_bulwark() {
  jqf "$1" '.files[] | [.path, .type, (if .type == "hardlink" then "-" else .mode end),
    (.size | tostring), (.layer_index | tostring)] | @tsv' | sort
}
deleted_truth() { jq -r '.deleted[] | [.path, (.layer | tostring)] | @tsv' "$1" | sort; }
deleted_bulwark() { jqf "$1" '.deleted[] | [.path, (.layer_index | tostring)] | @tsv' | sort; }
# link targets: symlinks as written in the spec, hard links as normalised paths
links_truth() {
  jq -r --slurpfile s "$2" "$JQDEFS"'
    links($s[0]) as $l | .files[] | select(.type == "symlink" or .type == "hardlink")
    | [.path, .type, (if .type == "hardlink" then ($l[.path].target | norm) else $l[.path].target end)]
    | @tsv' "$1" | sort
}
links_bulwark() { jqf "$1" '.files[] | select(.link != null) | [.path, .type, .link] | @tsv' | sort; }
# owners of every non-hard-link file, from the spec entry at the visible layer
owners_truth() {
  jq -r --slurpfile s "$2" "$JQDEFS"'
    owners($s[0]) as $o | .files[] | select(.type != "hardlink")
    | $o[.path + "@" + (.layer | tostring)] as $e
    | [.path, ($e.uid | tostring), ($e.gid | tostring)] | @tsv' "$1" | sort
}
owners_bulwark() {
  jqf "$1" '.files[] | select(.type != "hardlink") | [.path, (.uid | tostring), (.gid | tostring)] | @tsv' | sort
}
layers_truth() { jq -r '.layers[] | [.digest, .diff_id, (.size | tostring), .media_type] | @tsv' "$1"; }
layers_bulwark() { jqf "$1" '.artifact.layers[] | [.digest, .diff_id, (.size | tostring), .media_type] | @tsv'; }

# ------------------------------------------------------------------ 1. files and deleted
# Three layers: files, dirs, symlinks, hard links (same layer and across layers),
# setuid/setgid files with owners, a whiteout of a file, of a whole directory,
# of a path that never existed, opaque directories, a file replacing a lower
# directory and a directory replacing a lower file, "./" and trailing-"/" names.
IMG1=$W/layers
mk "$SPECS/layers.json" "$IMG1"
insp "$W/l1" --files --deleted "oci:$IMG1"
t_rc "files: inspect oci layout exits 0" "$W/l1" 0
files_truth "$IMG1.truth" "$SPECS/layers.json" >"$W/l1.files.want"
files_bulwark "$W/l1.json" >"$W/l1.files.got"
t_same "files: path/type/mode/size/layer_index equal mkimage's" "$W/l1.files.want" "$W/l1.files.got"
deleted_truth "$IMG1.truth" >"$W/l1.del.want"
deleted_bulwark "$W/l1.json" >"$W/l1.del.got"
t_same "files: deleted path/layer_index equal mkimage's" "$W/l1.del.want" "$W/l1.del.got"
links_truth "$IMG1.truth" "$SPECS/layers.json" >"$W/l1.links.want"
links_bulwark "$W/l1.json" >"$W/l1.links.got"
t_same "files: symlink and hard link targets" "$W/l1.links.want" "$W/l1.links.got"
owners_truth "$IMG1.truth" "$SPECS/layers.json" >"$W/l1.own.want"
owners_bulwark "$W/l1.json" >"$W/l1.own.got"
t_same "files: uid/gid of every entry" "$W/l1.own.want" "$W/l1.own.got"
# the setuid file, stated on its own so that a failure reads plainly
want=$(jq -r '.images[0].layers[].entries[]? | select((.mode // "") == "4755")
  | "/" + .path + " " + .mode + " " + (.uid | tostring) + ":" + (.gid | tostring)' "$SPECS/layers.json" | head -1)
got=$(jqf "$W/l1.json" ".files[] | select(.path == \"${want%% *}\") | .path + \" \" + .mode + \" \" + (.uid | tostring) + \":\" + (.gid | tostring)")
t_eqne "files: setuid file mode 4755 owned 1000:1000" "$want" "$got"
t_eq "files: files_count equals the number of files" "$(grep -c '' "$W/l1.files.want")" "$(jqf "$W/l1.json" .artifact.files_count)"
# from_layer_index of each deleted path: the last layer below the whiteout's that wrote it
jq -r --slurpfile s "$SPECS/layers.json" "$JQDEFS"'
  [$s[0].images[0].layers | to_entries[] | (.key + 1) as $i | .value.entries[]
   | select(.path | test("(^|/)\\.wh\\.") | not) | {path: (.path | norm), layer: $i}] as $w
  | .deleted[] | . as $d
  | [$w[] | select(.path == $d.path and .layer < $d.layer) | .layer] | max as $from
  | [$d.path, ($d.layer | tostring), ($from | tostring)] | @tsv' "$IMG1.truth" | sort >"$W/l1.from.want"
jqf "$W/l1.json" '.deleted[] | [.path, (.layer_index | tostring), (.from_layer_index | tostring)] | @tsv' | sort >"$W/l1.from.got"
t_same "files: deleted from_layer_index is the layer that wrote the path" "$W/l1.from.want" "$W/l1.from.got"

# A hard link shares its target's inode: its size is the target's content when the link
# entry is applied (include/bulwark/image.h: "for a hard link, its target's size"), even
# when a later layer whites the target path out or puts a different file there. The
# expectation comes from the spec and is confirmed against a real extraction (umoci).
IMGH=$W/hardlinks
mk "$SPECS/hardlinks.json" "$IMGH"
jq -r "$JQDEFS"'
  [.images[0].layers | to_entries[] | (.key + 1) as $i | .value.entries | to_entries[]
   | {layer: $i, k: .key} + .value] as $all
  | $all[] | select(.type == "hardlink") as $h
  | [$all[] | select((.path | norm) == ($h.target | norm) and (.type // "file") == "file"
      and (.layer < $h.layer or (.layer == $h.layer and .k < $h.k)))] | last
  | [($h.path | norm), ((.content // "") | utf8bytelength | tostring)] | @tsv' "$SPECS/hardlinks.json" | sort >"$W/h.want"
rootless=
[ "$(id -u)" = 0 ] || rootless=--rootless
if umoci unpack $rootless --image "$IMGH:latest" "$W/hbundle" >"$W/umoci-h.log" 2>&1; then
  cut -f1 "$W/h.want" | while read -r p; do printf '%s\t%s\n' "$p" "$(stat -c %s "$W/hbundle/rootfs$p")"; done >"$W/h.umoci"
  t_same "files: hard link sizes: the spec expectation agrees with umoci unpack" "$W/h.want" "$W/h.umoci"
else
  t_fail "files: hard link sizes: umoci unpack" "$(tail -3 "$W/umoci-h.log")"
fi
insp "$W/h" --files "oci:$IMGH"
t_rc "files: hard link image inspects" "$W/h" 0
jqf "$W/h.json" '.files[] | select(.type == "hardlink") | [.path, (.size | tostring)] | @tsv' | sort >"$W/h.got"
t_same "files: hard link size is its target's at link time (target later whited out or replaced)" "$W/h.want" "$W/h.got"

# ------------------------------------------------------------------ 2. transports
# The same spec written as an OCI layout, an oci-archive, an old docker-archive and a
# Docker 25 docker-archive (OCI layout + manifest.json). The last one is read twice:
# with docker-archive: (manifest.json) and as a bare path (detected as oci-archive).
for f in oci-archive docker-archive docker-archive-oci; do
  variant "$SPECS/layers.json" ".format = \"$f\"" "$W/spec-$f.json"
  mk "$W/spec-$f.json" "$W/$f.tar"
done
# name | reference | expected transport | ground truth
TRANSPORTS="oci|oci:$IMG1|oci|$IMG1.truth
oci-archive|oci-archive:$W/oci-archive.tar|oci-archive|$W/oci-archive.tar.truth
docker-archive|docker-archive:$W/docker-archive.tar|docker-archive|$W/docker-archive.tar.truth
docker-archive-oci|docker-archive:$W/docker-archive-oci.tar|docker-archive|$W/docker-archive-oci.tar.truth
docker-archive-oci bare path|$W/docker-archive-oci.tar|oci-archive|$W/docker-archive-oci.tar.truth"
jqf "$W/l1.json" '.files[]' >"$W/ref.files"
jqf "$W/l1.json" '.artifact.config' >"$W/ref.config"
jq -r '.layers[].diff_id' "$IMG1.truth" >"$W/ref.diffids"
n=0
while IFS='|' read -r name ref transport truth; do
  n=$((n + 1)); p=$W/t$n
  insp "$p" --files "$ref"
  t_rc "transport $name: inspect exits 0" "$p" 0
  t_eq "transport $name: transport is $transport" "$transport" "$(jqf "$p.json" .artifact.transport)"
  jqf "$p.json" '.files[]' >"$p.files"
  t_same "transport $name: same files as the oci layout" "$W/ref.files" "$p.files"
  jqf "$p.json" '.artifact.layers[].diff_id' >"$p.diffids"
  t_same "transport $name: same diff_ids as mkimage's" "$W/ref.diffids" "$p.diffids"
  jq -r '.layers[].diff_id' "$truth" >"$p.diffids.want"
  t_same "transport $name: diff_ids equal this archive's ground truth" "$p.diffids.want" "$p.diffids"
  jqf "$p.json" '.artifact.config' >"$p.config"
  t_same "transport $name: same config as the oci layout" "$W/ref.config" "$p.config"
  case $transport in
    oci | oci-archive)
      sref=$ref
      [ "$transport" = oci-archive ] && sref=oci-archive:${ref#oci-archive:}
      t_eqne "transport $name: manifest_digest = sha256(skopeo inspect --raw)" \
        "$(skopeo_raw_digest "$sref")" "$(jqf "$p.json" .artifact.manifest_digest)"
      t_eqne "transport $name: config_digest = sha256(skopeo inspect --config --raw)" \
        "$(skopeo_config_digest "$sref")" "$(jqf "$p.json" .artifact.config_digest)"
      t_eqne "transport $name: manifest_digest equals mkimage's" \
        "$(jq -r .manifest_digest "$truth")" "$(jqf "$p.json" .artifact.manifest_digest)"
      skopeo inspect --raw "$sref" 2>/dev/null |
        jq -r '.layers[] | [.digest, (.size | tostring), .mediaType] | @tsv' >"$p.layers.want"
      jqf "$p.json" '.artifact.layers[] | [.digest, (.size | tostring), .media_type] | @tsv' >"$p.layers.got"
      t_same "transport $name: layer digests/sizes/media types equal the manifest's (skopeo)" "$p.layers.want" "$p.layers.got"
      ;;
    docker-archive)
      sref=docker-archive:${ref#docker-archive:}
      t_eqne "transport $name: manifest_digest = skopeo inspect .Digest" \
        "$(skopeo inspect "$sref" 2>/dev/null | jq -r .Digest)" "$(jqf "$p.json" .artifact.manifest_digest)"
      t_eqne "transport $name: config_digest = sha256(skopeo inspect --config --raw)" \
        "$(skopeo_config_digest "$sref")" "$(jqf "$p.json" .artifact.config_digest)"
      t_eqne "transport $name: config_digest equals mkimage's" \
        "$(jq -r .config_digest "$truth")" "$(jqf "$p.json" .artifact.config_digest)"
      skopeo inspect "$sref" 2>/dev/null | jq -r '.Layers[]' >"$p.layers.want"
      jqf "$p.json" '.artifact.layers[].digest' >"$p.layers.got"
      t_same "transport $name: layer digests equal skopeo's" "$p.layers.want" "$p.layers.got"
      want=$(jq -r '.name' "$W/spec-docker-archive.json")
      t_eq "transport $name: repo_tags from manifest.json" "fixtures/$want:latest" "$(jqf "$p.json" '.artifact.repo_tags | join(",")')"
      ;;
  esac
done <<<"$TRANSPORTS"

# ------------------------------------------------------------------ 3. compression
# gzip, zstd and uncompressed layers in one image, each also carrying a tree of
# larger files (compressible text, incompressible bytes, an empty file, a hard link).
TREE=$W/tree
mkdir -p "$TREE/sub"
seq 1 150000 >"$TREE/numbers.txt"
head -c 300000 /dev/urandom >"$TREE/sub/random.bin"
: >"$TREE/sub/empty"
ln "$TREE/numbers.txt" "$TREE/sub/numbers-link"
variant "$SPECS/compression.json" "(.images[0].layers[] | select(.from_dir == \"@TREE@\") | .from_dir) |= \"$TREE\"" "$W/spec-comp.json"
IMGC=$W/comp
mk "$W/spec-comp.json" "$IMGC"
insp "$W/c1" --files --deleted "oci:$IMGC"
t_rc "compression: inspect exits 0" "$W/c1" 0
files_truth "$IMGC.truth" "$W/spec-comp.json" "$TREE" >"$W/c1.files.want"
files_bulwark "$W/c1.json" >"$W/c1.files.got"
t_same "compression: files equal mkimage's" "$W/c1.files.want" "$W/c1.files.got"
deleted_truth "$IMGC.truth" >"$W/c1.del.want"
deleted_bulwark "$W/c1.json" >"$W/c1.del.got"
t_same "compression: deleted equal mkimage's" "$W/c1.del.want" "$W/c1.del.got"
layers_truth "$IMGC.truth" >"$W/c1.layers.want"
layers_bulwark "$W/c1.json" >"$W/c1.layers.got"
t_same "compression: layer digest/diff_id/size/media_type equal mkimage's" "$W/c1.layers.want" "$W/c1.layers.got"
t_eq "compression: bulwark sees gzip, zstd and none layers" "gzip zstd none" \
  "$(jqf "$W/c1.json" '[.artifact.layers[].media_type | if endswith("+gzip") then "gzip" elif endswith("+zstd") then "zstd" elif endswith(".tar") then "none" else . end] | join(" ")')"
skopeo inspect --raw "oci:$IMGC" 2>/dev/null | jq -r '.layers[] | [.digest, (.size | tostring), .mediaType] | @tsv' >"$W/c1.sk.want"
jqf "$W/c1.json" '.artifact.layers[] | [.digest, (.size | tostring), .media_type] | @tsv' >"$W/c1.sk.got"
t_same "compression: layers equal the manifest's (skopeo)" "$W/c1.sk.want" "$W/c1.sk.got"
# file_bytes of each layer: the regular-file bytes of its tar (from the spec/tree)
tree_bytes=$(find "$TREE" -type f -links 1 -printf '%s\n' | awk '{s += $1} END {print s}')
tree_bytes=$((tree_bytes + $(stat -c %s "$TREE/numbers.txt")))   # one copy of the hard-linked file
want=$(jq -r --argjson t "$tree_bytes" '[.images[0].layers[] | $t + ([.entries[] | select((.type // "file") == "file") | (.content // "") | utf8bytelength] | add)] | map(tostring) | join(" ")' "$W/spec-comp.json")
t_eq "compression: file_bytes per layer" "$want" "$(jqf "$W/c1.json" '[.artifact.layers[].file_bytes | tostring] | join(" ")')"

# The gzip-only image (first layer alone) read with zlib instead of isa-l: byte-identical.
variant "$W/spec-comp.json" '.images[0].layers |= [.[0], (.[0] | .entries = [{"path": "g2/x", "content": "second gzip layer\n"}])]' "$W/spec-gz.json"
IMGG=$W/gz
mk "$W/spec-gz.json" "$IMGG"
insp "$W/g-isal" --files --deleted "oci:$IMGG"
BULWARK_INFLATE=zlib insp "$W/g-zlib" --files --deleted "oci:$IMGG"
t_rc "compression: gzip image inspects (isa-l)" "$W/g-isal" 0
t_rc "compression: gzip image inspects (BULWARK_INFLATE=zlib)" "$W/g-zlib" 0
t_same "compression: BULWARK_INFLATE=zlib output byte-identical to isa-l" "$W/g-isal.json" "$W/g-zlib.json"
insp "$W/g-t1" --files --deleted --threads 1 "oci:$IMGG"
t_same "compression: --threads 1 output byte-identical to the default" "$W/g-isal.json" "$W/g-t1.json"

# ------------------------------------------------------------------ 4. multi-platform index
IMGM=$W/multi
mk "$SPECS/multiplatform.json" "$IMGM"
variant "$SPECS/multiplatform.json" '.docker_media_types = true' "$W/spec-multid.json"
IMGMD=$W/multid
mk "$W/spec-multid.json" "$IMGMD"

# plat_digest TRUTH ARCH: manifest digest of that architecture's image in mkimage's output
plat_digest() { jq -r --arg a "$2" '[.images[] | select(.platform.architecture == $a) | .manifest_digest][0]' "$1"; }
skopeo inspect --raw "oci:$IMGM" >"$W/multi.index" 2>/dev/null
for kind in oci docker; do
  if [ $kind = oci ]; then img=$IMGM; else img=$IMGMD; fi
  truth=$img.truth
  insp "$W/m-$kind-default" "oci:$img"
  t_rc "platform $kind: default selection exits 0" "$W/m-$kind-default" 0
  t_eqne "platform $kind: default is the host (linux/$HOST_ARCH) manifest" \
    "$(plat_digest "$truth" "$HOST_ARCH")" "$(jqf "$W/m-$kind-default.json" .artifact.manifest_digest)"
  t_eqne "platform $kind: index_digest equals mkimage's" \
    "$(jq -r .manifest_digest "$truth")" "$(jqf "$W/m-$kind-default.json" .artifact.index_digest)"
  for p in linux/arm64 linux/arm64/v8; do
    insp "$W/m-$kind" --platform "$p" "oci:$img"
    t_rc "platform $kind: --platform $p exits 0" "$W/m-$kind" 0
    got=$(jqf "$W/m-$kind.json" .artifact.manifest_digest)
    t_eqne "platform $kind: --platform $p selects mkimage's arm64 manifest" "$(plat_digest "$truth" arm64)" "$got"
    t_eqne "platform $kind: --platform $p config is mkimage's arm64 config" \
      "$(jq -r '[.images[] | select(.platform.architecture == "arm64") | .config_digest][0]' "$truth")" \
      "$(jqf "$W/m-$kind.json" .artifact.config_digest)"
    t_eq "platform $kind: --platform $p reports linux/arm64/v8" "linux/arm64/v8" "$(jqf "$W/m-$kind.json" .artifact.platform)"
    if [ $kind = oci ]; then
      t_eqne "platform $kind: --platform $p manifest equals skopeo's arm64 index entry" \
        "$(jq -r '[.manifests[] | select(.platform.architecture == "arm64") | .digest][0]' "$W/multi.index" 2>/dev/null)" "$got"
      t_eqne "platform $kind: --platform $p index_digest = sha256(skopeo inspect --raw)" \
        "$(sha <"$W/multi.index")" "$(jqf "$W/m-$kind.json" .artifact.index_digest)"
    fi
  done
  files=$(jq -r '[.images[] | select(.platform.architecture == "arm64") | .files[].path] | join(" ")' "$truth")
  insp "$W/m-$kind-files" --files --platform linux/arm64 "oci:$img"
  t_eqne "platform $kind: arm64 files are the arm64 image's" "$files" "$(jqf "$W/m-$kind-files.json" '[.files[].path] | join(" ")')"
  jq -r '[.images[] | select(.platform.architecture == "arm64")][0].layers[]
    | [.digest, .diff_id, (.size | tostring), .media_type] | @tsv' "$truth" >"$W/m-$kind.layers.want"
  layers_bulwark "$W/m-$kind-files.json" >"$W/m-$kind.layers.got"
  t_same "platform $kind: arm64 layers equal mkimage's" "$W/m-$kind.layers.want" "$W/m-$kind.layers.got"
  # the manifest's own mediaType, read from its blob in the layout
  d=$(plat_digest "$truth" arm64)
  t_eqne "platform $kind: manifest_media_type is the manifest blob's mediaType" \
    "$(jq -r .mediaType "$img/blobs/sha256/${d#sha256:}" 2>/dev/null)" "$(jqf "$W/m-$kind-files.json" .artifact.manifest_media_type)"
  t_run_expect "platform $kind: --platform linux/ppc64le exits 3" 3 "linux/ppc64le" -- \
    "$BULWARK" inspect --format json --platform linux/ppc64le "oci:$img"
  if grep -qF linux/amd64 "$T_ERR" && grep -qF linux/arm64/v8 "$T_ERR"; then
    t_ok "platform $kind: the error lists linux/amd64 and linux/arm64/v8"
  else
    t_fail "platform $kind: the error lists linux/amd64 and linux/arm64/v8" "stderr: $(head -c 300 "$T_ERR")"
  fi
done

# ------------------------------------------------------------------ 5. sha512
variant "$SPECS/layers.json" '.digest_algorithm = "sha512"' "$W/spec-512.json"
IMG5=$W/s512
mk "$W/spec-512.json" "$IMG5"
insp "$W/s5" --files --deleted "oci:$IMG5"
t_rc "sha512: inspect exits 0" "$W/s5" 0
for k in manifest_digest config_digest; do
  t_eqne "sha512: $k equals mkimage's" "$(jq -r ".$k" "$IMG5.truth")" "$(jqf "$W/s5.json" ".artifact.$k")"
done
layers_truth "$IMG5.truth" >"$W/s5.layers.want"
layers_bulwark "$W/s5.json" >"$W/s5.layers.got"
t_same "sha512: layer digests/diff_ids/sizes equal mkimage's" "$W/s5.layers.want" "$W/s5.layers.got"
t_eq "sha512: every reported digest is sha512:" "0" \
  "$(jqf "$W/s5.json" '[.artifact.manifest_digest, .artifact.config_digest, (.artifact.layers[] | .digest, .diff_id), .files[].layer]
      | map(select(startswith("sha512:") | not)) | length')"
t_eqne "sha512: manifest_digest = sha512(skopeo inspect --raw)" \
  "$(skopeo_raw_digest "oci:$IMG5" sha512)" "$(jqf "$W/s5.json" .artifact.manifest_digest)"
files_truth "$IMG5.truth" "$W/spec-512.json" >"$W/s5.files.want"
files_bulwark "$W/s5.json" >"$W/s5.files.got"
t_same "sha512: files equal mkimage's" "$W/s5.files.want" "$W/s5.files.got"

# ------------------------------------------------------------------ 6. config fields
S=$SPECS/layers.json
C=$W/l1.json
cfg_check() { # NAME SPEC-JQ BULWARK-JQ
  local want got
  want=$(jq -cS "$2" "$S")
  got=$(jq -cS "$3" "$C" 2>/dev/null)
  t_eqne "config: $1" "$want" "$got"
}
cfg_check user '.images[0].config.User' '.artifact.config.user'
cfg_check env '.images[0].config.Env' '.artifact.config.env'
cfg_check cmd '.images[0].config.Cmd' '.artifact.config.cmd'
cfg_check entrypoint '.images[0].config.Entrypoint' '.artifact.config.entrypoint'
cfg_check labels '.images[0].config.Labels' '.artifact.config.labels'
cfg_check exposed_ports '.images[0].config.ExposedPorts | keys | sort' '.artifact.config.exposed_ports | sort'
cfg_check volumes '.images[0].config.Volumes | keys | sort' '.artifact.config.volumes | sort'
cfg_check working_dir '.images[0].config.WorkingDir' '.artifact.config.working_dir'
cfg_check healthcheck '.images[0].config.Healthcheck != null' '.artifact.config.healthcheck'
cfg_check created_by '[.images[0].layers | to_entries[] | .value.created_by // "COPY layer \(.key + 1)"]' '[.artifact.layers[].created_by]'
cfg_check platform '.images[0] | .os + "/" + .architecture' '.artifact.platform'
# an image with no config at all: empty values, not missing keys or nulls
t_eq "config: empty config gives empty values" \
  '{"user":"","env":[],"entrypoint":[],"cmd":[],"labels":{},"exposed_ports":[],"volumes":[],"working_dir":"","healthcheck":false}' \
  "$(jqf "$W/c1.json" '.artifact.config | tojson')"

# ------------------------------------------------------------------ 7. foreign layer
IMGF=$W/foreign
mk "$SPECS/foreign.json" "$IMGF"
insp "$W/f" --files --deleted "oci:$IMGF"
t_rc "foreign: inspect exits 0" "$W/f" 0
fl=$(jq -r '[.images[0].layers | to_entries[] | select(.value.foreign) | .key][0]' "$SPECS/foreign.json")
fdigest=$(jq -r ".layers[$fl].digest" "$IMGF.truth")
if [ "$(grep -c '' "$W/f.err")" = 1 ] && grep -qi warning "$W/f.err" && grep -qi foreign "$W/f.err" &&
   grep -qi skipped "$W/f.err" && grep -qF "$fdigest" "$W/f.err"; then
  t_ok "foreign: one warning naming the layer as foreign and skipped"
else
  t_fail "foreign: one warning naming the layer as foreign and skipped" "want one line with $fdigest; stderr: $(head -c 400 "$W/f.err")"
fi
t_eq "foreign: only the foreign layer has \"skipped\"" "$fl" \
  "$(jqf "$W/f.json" '[.artifact.layers | to_entries[] | select(.value.skipped != null and .value.skipped != "") | .key] | map(tostring) | join(",")')"
layers_truth "$IMGF.truth" >"$W/f.layers.want"
layers_bulwark "$W/f.json" >"$W/f.layers.got"
t_same "foreign: layer descriptors equal mkimage's" "$W/f.layers.want" "$W/f.layers.got"
files_truth "$IMGF.truth" "$SPECS/foreign.json" >"$W/f.files.want"
files_bulwark "$W/f.json" >"$W/f.files.got"
t_same "foreign: files equal mkimage's (the foreign layer's files absent)" "$W/f.files.want" "$W/f.files.got"
t_eq "foreign: no file comes from the foreign layer" "0" \
  "$(jqf "$W/f.json" "[.files[] | select(.layer_index == $((fl + 1)))] | length")"

# ------------------------------------------------------------------ 8. tags
# One layout holding two tagged images: the item-1 image (tagged alpha-tag) and the
# multi-platform index (beta-tag), merged from the two layouts built above.
TA=alpha-tag TB=beta-tag
TAGS=$W/tags
rm -rf "$TAGS"
cp -r "$IMG1" "$TAGS"
cp "$IMGM/blobs/sha256/"* "$TAGS/blobs/sha256/"
cp "$IMG1.truth" "$W/ta.truth"
cp "$IMGM.truth" "$W/tb.truth"
jq -c --slurpfile m "$IMGM/index.json" --arg a "$TA" --arg b "$TB" '
  .manifests = ([.manifests[] | .annotations["org.opencontainers.image.ref.name"] = $a]
              + [$m[0].manifests[] | .annotations["org.opencontainers.image.ref.name"] = $b])' \
  "$IMG1/index.json" >"$TAGS/index.json"
insp "$W/tag-a" "oci:$TAGS:$TA"
t_rc "tags: oci:DIR:$TA exits 0" "$W/tag-a" 0
t_eqne "tags: oci:DIR:$TA selects its manifest" "$(jq -r .manifest_digest "$W/ta.truth")" "$(jqf "$W/tag-a.json" .artifact.manifest_digest)"
insp "$W/tag-b" "oci:$TAGS:$TB"
t_rc "tags: oci:DIR:$TB exits 0" "$W/tag-b" 0
t_eqne "tags: oci:DIR:$TB selects its index" "$(jq -r .manifest_digest "$W/tb.truth")" "$(jqf "$W/tag-b.json" .artifact.index_digest)"
t_eqne "tags: oci:DIR:$TB selects the host manifest in it" "$(plat_digest "$W/tb.truth" "$HOST_ARCH")" "$(jqf "$W/tag-b.json" .artifact.manifest_digest)"
t_run_expect "tags: bare oci:DIR exits 2" 2 "" -- "$BULWARK" inspect --format json "oci:$TAGS"
if grep -qF "$TA" "$T_ERR" && grep -qF "$TB" "$T_ERR"; then t_ok "tags: bare oci:DIR names both tags"
else t_fail "tags: bare oci:DIR names both tags" "stderr: $(head -c 300 "$T_ERR")"; fi
t_run_expect "tags: oci:DIR:nope exits 3" 3 "nope" -- "$BULWARK" inspect --format json "oci:$TAGS:nope"
if grep -qF "$TA" "$T_ERR" && grep -qF "$TB" "$T_ERR"; then t_ok "tags: oci:DIR:nope lists the tags"
else t_fail "tags: oci:DIR:nope lists the tags" "stderr: $(head -c 300 "$T_ERR")"; fi
# the same layout as an oci-archive, and as a bare absolute path with a tag
(cd "$TAGS" && tar -cf "$W/tags.tar" oci-layout index.json blobs)
insp "$W/tag-arch" "oci-archive:$W/tags.tar:$TA"
t_eqne "tags: oci-archive:FILE:$TA selects its manifest" "$(jq -r .manifest_digest "$W/ta.truth")" "$(jqf "$W/tag-arch.json" .artifact.manifest_digest)"
insp "$W/tag-bare" "$TAGS:$TA"
t_eqne "tags: bare DIR:$TA selects its manifest" "$(jq -r .manifest_digest "$W/ta.truth")" "$(jqf "$W/tag-bare.json" .artifact.manifest_digest)"

# ------------------------------------------------------------------ 9. dir: (unpacked root filesystem)
# umoci unpacks the item-1 layout (whiteouts applied); bulwark reads the tree with dir:.
# A hard link on disk is a plain file sharing the inode, so the OCI view's hard links are
# compared as files with their target's mode. Layer fields do not apply to dir:.
BUNDLE=$W/bundle
rootless=
[ "$(id -u)" = 0 ] || rootless=--rootless
if umoci unpack $rootless --image "$IMG1:latest" "$BUNDLE" >"$W/umoci.log" 2>&1; then
  insp "$W/d" --files "dir:$BUNDLE/rootfs"
  t_rc "dir: inspect exits 0" "$W/d" 0
  t_eq "dir: transport is dir" "dir" "$(jqf "$W/d.json" .artifact.transport)"
  jqf "$W/l1.json" '(.files | map({key: .path, value: .mode}) | from_entries) as $m | .files[]
    | if .type == "hardlink" then .type = "file" | .mode = $m[.link] else . end
    | [.path, .type, .mode, (.size | tostring)] | @tsv' | sort >"$W/d.want"
  jqf "$W/d.json" '.files[] | [.path, .type, .mode, (.size | tostring)] | @tsv' | sort >"$W/d.got"
  t_same "dir: paths/types/modes/sizes equal the OCI view" "$W/d.want" "$W/d.got"
else
  t_fail "dir: umoci unpack" "$(tail -3 "$W/umoci.log")"
fi

# ------------------------------------------------------------------ 10. -o FILE
OUT=$W/out/report.json
mkdir -p "$W/out"
# leftovers GLOB: names in $W/out matching GLOB, space-separated
leftovers() { find "$W/out" -mindepth 1 -maxdepth 1 -name "$1" -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//'; }
"$BULWARK" inspect --format json --files "oci:$IMG1" >"$W/o.stdout" 2>/dev/null
rc=0; "$BULWARK" inspect --format json --files -o "$OUT" "oci:$IMG1" >"$W/o.quiet" 2>"$W/o.err" || rc=$?
t_eq "-o: a successful run exits 0" 0 "$rc"
if [ -s "$W/o.stdout" ] && cmp -s "$W/o.stdout" "$OUT"; then t_ok "-o: FILE equals the stdout output"
else t_fail "-o: FILE equals the stdout output" "$(cmp "$W/o.stdout" "$OUT" 2>&1 | head -1)"; fi
t_eq "-o: nothing on stdout with -o" 0 "$(wc -c <"$W/o.quiet")"
t_eq "-o: no FILE.tmp.* after success" "" "$(leftovers 'report.json.tmp.*')"
python3 "$MK" hostile wrong-diff-id "$W/wrong-diff-id" >/dev/null 2>&1
BAD=$W/out/bad.json
t_run_expect "-o: a failing run exits 3" 3 "diff_id" -- "$BULWARK" inspect --format json --files -o "$BAD" "oci:$W/wrong-diff-id"
t_eq "-o: a failing run leaves no FILE and no FILE.tmp.*" "" "$(leftovers 'bad.json*')"
cp "$OUT" "$W/out/keep.json"
t_run_expect "-o: a failing run over an existing FILE exits 3" 3 "" -- "$BULWARK" inspect --format json -o "$W/out/keep.json" "oci:$W/wrong-diff-id"
if cmp -s "$OUT" "$W/out/keep.json" && [ -z "$(leftovers 'keep.json.tmp.*')" ]; then
  t_ok "-o: a failing run leaves an existing FILE untouched"
else
  t_fail "-o: a failing run leaves an existing FILE untouched" "$(leftovers '*')"
fi
t_run_expect "-o: into a missing directory exits 2" 2 "$W/missing-dir/r.json" -- \
  "$BULWARK" inspect --format json -o "$W/missing-dir/r.json" "oci:$IMG1"
t_eq "-o: nothing created for the missing directory" "no" "$([ -e "$W/missing-dir" ] && echo yes || echo no)"

# ------------------------------------------------------------------ 11. CLI
rc=0; "$BULWARK" >"$W/cli.out" 2>"$W/cli.err" || rc=$?
t_eq "cli: no arguments exits 2" 2 "$rc"
t_check "cli: no arguments prints usage on stderr" grep -qi usage "$W/cli.err"
t_run_expect "cli: unknown command exits 2 with one line" 2 nope -- "$BULWARK" nope
rc=0; out=$("$BULWARK" --version 2>&1) || rc=$?
t_eq "cli: --version exits 0" 0 "$rc"
t_eqne "cli: --version prints the meson project version" \
  "bulwark $(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$TOP/meson.build" | head -1)" "$out"
t_eq "cli: version command agrees with --version" "$out" "$("$BULWARK" version 2>&1)"
t_run_expect "cli: inspect of a missing path exits 3 naming it" 3 "$W/no-such-image" -- \
  "$BULWARK" inspect --format json "$W/no-such-image"
t_run_expect "cli: inspect oci: of a missing layout exits 3 naming it" 3 "$W/no-such-layout" -- \
  "$BULWARK" inspect --format json "oci:$W/no-such-layout"
t_run_expect "cli: --format xml exits 2" 2 "xml" -- "$BULWARK" inspect --format xml "oci:$IMG1"
rc=0; "$BULWARK" inspect --format json >/dev/null 2>&1 || rc=$?
t_eq "cli: inspect without an image exits 2" 2 "$rc"
