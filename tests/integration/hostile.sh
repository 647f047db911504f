#!/usr/bin/env bash
# Hostile images: each case (tests/lib/mkimage.py hostile CASE) is consistent but for one
# flaw. bulwark must exit with the documented code, in bounded time, with one line on
# stderr that names the problem. Run twice by tests/run.sh: release and ASan+UBSan builds.
. "$(dirname "$0")/../lib/harness.sh"
export BULWARK_NO_CACHE=1 # every case must read its (tampered) layers, whatever a cache holds
label=${LABEL:-release}
cases=$TMPROOT/hostile
mkdir -p "$cases"

# make CASE -> path of the built case (built once per run, shared by both builds)
make_case() {
  local c=$1 out
  case $c in docker-*) out=$cases/$c.tar ;; *) out=$cases/$c ;; esac
  if [ ! -e "$out.done" ]; then
    python3 "$TOP/tests/lib/mkimage.py" hostile "$c" "$out" >/dev/null && touch "$out.done"
  fi
  echo "$out"
}

# expect CASE EXIT MESSAGE [extra bulwark args]
expect() {
  local c=$1 rc=$2 msg=$3; shift 3
  local img; img=$(make_case "$c")
  t_run_expect "$label hostile $c${*:+ ($*)}" "$rc" "$msg" -- "$BULWARK" inspect --files "$@" "$img"
}

expect truncated-gzip          3 "truncated gzip stream"
expect wrong-blob-digest       3 "digest mismatch"
expect wrong-diff-id           3 "not to its diff_id"
expect missing-blob            3 "is missing"
expect dotdot-path             3 'entry "../../etc/evil" escapes the image root'
expect absolute-path           3 'entry "/etc/evil" is an absolute path'
expect dotdot-hardlink         3 "the target escapes the image root"
expect wide-uid                3 'entry "etc/shadow" has a uid or gid wider than 32 bits'
expect gzip-bomb               3 "more than the per-file limit" --max-file-size 64M
expect gzip-bomb               3 "decompresses to more than the limit" --max-layer-size 64M
expect trailing-zeros-bomb     3 "bytes of data after the end of the tar archive"
expect huge-manifest           3 "larger than the limit"
expect deep-json               3 "JSON nested deeper than 64 levels"
expect duplicate-keys          3 "duplicate object key"
expect index-self              3 "digest mismatch"
expect index-deep              3 "nested deeper than 8 levels"
expect many-layers             3 "more than the limit of 256"
expect platform-missing        3 "available: linux/arm64/v8, linux/s390x"
expect docker-manifest-dotdot  3 "escapes the image root"
expect docker-manifest-duplicate-keys 3 "duplicate object key"
expect schema1                 3 "schema 1 manifests are not supported"

# A symlink loop is a legal filesystem: the scan completes, the loop is reported
# as a warning naming the path, and the links are listed as they are.
img=$(make_case symlink-loop)
t_run_expect "$label hostile symlink-loop completes" 0 "" -- "$BULWARK" inspect --format json --files "$img"
if grep -q 'too many levels of symbolic links' "$T_ERR" && grep -q '/etc/os-release' "$T_ERR"; then
  t_ok "$label hostile symlink-loop warns"
else
  t_fail "$label hostile symlink-loop warns" "stderr: $(cat "$T_ERR")"
fi
links=$(jq -r '[.files[] | select(.type=="symlink") | .path + "->" + .link] | join(" ")' "$T_OUT")
t_eq "$label hostile symlink-loop lists links" "/etc/os-release->os-release2 /etc/os-release2->os-release" "$links"

# The same platform error when asked for a platform explicitly, and a usage error for a bad one.
img=$(make_case platform-missing)
t_run_expect "$label platform arm64 selected" 0 "" -- "$BULWARK" inspect --platform linux/arm64 "$img"
t_run_expect "$label platform syntax" 2 "expected os/arch" -- "$BULWARK" inspect --platform linux "$img"

# An archive with two members of one name means two things to two readers: refused.
# (the inputs are fuzz-corpus regressions; the same-size one used to read the first silently)
for f in duplicate-member duplicate-member-same-size; do
  t_run_expect "$label hostile docker-archive $f" 3 'two members are named "l.tar"' -- \
    "$BULWARK" inspect "docker-archive:$TOP/tests/fuzz/corpus/docker_archive/$f.tar"
done
