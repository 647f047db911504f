#!/usr/bin/env bash
# bulwark drift IMAGE ROOTFS: a fixture image unpacked by umoci (an independent OCI
# implementation) is the "running container". Unmodified: no drift, exit 0. Then a binary
# added, /etc/passwd modified and a file deleted: exactly those three, flagged (executable,
# sensitive), exit 1; more changes (mode, owner, type, symlink target) agree with
# tests/oracles/tree_diff.py over the unpacked trees. Hostile trees: symlink loops, links
# out of the tree, a FIFO, deep nesting - bounded, nothing followed, no hang.
. "$(dirname "$0")/../lib/harness.sh"

need_shared "drift" || exit 0
[ -n "${FIXTURES:-}" ] || FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || {
  t_fail "drift fixtures" "tests/lib/fixtures.sh failed"
  exit 0
}
command -v umoci >/dev/null || { t_fail "drift: umoci" "not installed (scripts/install-deps.sh)"; exit 0; }
W=$TMPROOT/drift
rm -rf "$W"
mkdir -p "$W"
IMG="oci:$FIXTURES/debian-minbase/oci:latest"
rootless=
[ "$(id -u)" = 0 ] || rootless=--rootless
umoci unpack $rootless --image "$FIXTURES/debian-minbase/oci:latest" "$W/b" >"$W/umoci.log" 2>&1 ||
  { t_fail "drift: umoci unpack" "$(tail -3 "$W/umoci.log")"; exit 0; }
R=$W/b/rootfs
if [ -n "$rootless" ]; then
  # a rootless unpack owns every file: owners would all differ
  t_skip "drift" "needs root for umoci to keep file owners"
  exit 0
fi

drift() { # OUT ARGS...: sets RC
  local out=$1
  shift
  RC=0
  "$BULWARK" drift "$@" >"$out" 2>"$out.err" || RC=$?
}
# ---------------------------------------------------------------- unmodified
start=$(date +%s%N)
drift "$W/clean.out" --format json -o "$W/clean.json" "$IMG" "$R"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_eq "drift: an unmodified unpack is no drift (exit 0) [${ms} ms]" 0 "$RC"
t_eq "drift: an unmodified unpack reports nothing" "0 0 0 0" \
  "$(jq -r '[(.changes | length), .summary.added, .summary.removed, .summary.modified] | map(tostring) | join(" ")' "$W/clean.json" 2>&1)"
"$BULWARK" drift "$IMG" "$R" >"$W/clean.txt" 2>&1
t_check "drift table: says no drift" grep -q '^no drift$' "$W/clean.txt"
t_check "drift: umoci's bundle files are outside the rootfs (not drift)" test -f "$W/b/umoci.json"

# ---------------------------------------------------------------- the three changes
cp -a "$R" "$W/pristine"
cp "$R/usr/bin/ls" "$R/usr/local/bin/implant"
echo 'evil:x:0:0::/root:/bin/sh' >>"$R/etc/passwd"
rm "$R/usr/bin/tac"
touch -d '2001-01-01' "$R/etc" "$R/usr/bin" # times are not drift
drift "$W/three.json" --format json "$IMG" "$R"
t_eq "drift: exit 1 on drift" 1 "$RC"
t_eq "drift: exactly the three changes" \
  "$(printf '%s\n' '/etc/passwd modified ["content"] true false' '/usr/bin/tac removed null true true' '/usr/local/bin/implant added null true true')" \
  "$(jq -r '.changes[] | [.path, .change, (.what | tojson), .sensitive, .executable] | map(tostring) | join(" ")' "$W/three.json")"
t_eq "drift: the added binary's digest is sha256sum's" "sha256:$(sha256sum "$R/usr/local/bin/implant" | cut -c1-64)" \
  "$(jq -r '.changes[] | select(.path == "/usr/local/bin/implant") | .rootfs.digest' "$W/three.json")"
t_eq "drift: /etc/passwd's image digest is the pristine file's" "sha256:$(sha256sum "$W/pristine/etc/passwd" | cut -c1-64)" \
  "$(jq -r '.changes[] | select(.path == "/etc/passwd") | .image.digest' "$W/three.json")"
"$BULWARK" drift "$IMG" "$R" >"$W/three.txt" 2>&1
t_check "drift table: executables and sensitive paths flagged" grep -q '^added .*/usr/local/bin/implant  \[sensitive\]  \[executable\]' "$W/three.txt"
t_check "drift table: the summary line" grep -q '^1 added, 1 removed, 1 modified (3 in sensitive paths, 2 executable)' "$W/three.txt"

# ---------------------------------------------------------------- more kinds, against the oracle
chmod u+s "$R/usr/bin/date"
chown 1000:1000 "$R/etc/hostname" 2>/dev/null || echo x >"$R/etc/hostname"
rm "$R/usr/bin/head" && ln -s /bin/busybox "$R/usr/bin/head"
first_link=$(cd "$R" && find usr/bin -type l | sort | head -1)
ln -sfn /elsewhere "$R/$first_link"
mkdir "$R/opt/newdir"
chmod 0700 "$R/tmp" # a directory's mode: not compared (runtimes change them)
drift "$W/more.json" --format json "$IMG" "$R"
/usr/bin/python3 "$TOP/tests/oracles/tree_diff.py" diff "$W/pristine" "$R" --no-dir-modes >"$W/truth.json"
t_check "drift: every change as tree_diff.py finds it between the pristine and changed trees" \
  diff <(jq -S . "$W/truth.json") <(jq -S '{added: [.changes[] | select(.change == "added") | .path],
        removed: [.changes[] | select(.change == "removed") | .path],
        changed: ([.changes[] | select(.change == "modified") | {key: .path, value: .what}] | from_entries)}' "$W/more.json")
t_eq "drift: a symlink replacing a file is a type change" '["type"]' "$(jq -c '.changes[] | select(.path == "/usr/bin/head") | .what' "$W/more.json")"
t_eq "drift: setuid added is a mode change" '["mode"]' "$(jq -c '.changes[] | select(.path == "/usr/bin/date") | .what' "$W/more.json")"

# ---------------------------------------------------------------- hostile trees
rm -rf "$R"
cp -a "$W/pristine" "$R"
ln -s loop2 "$R/tmp/loop1"; ln -s loop1 "$R/tmp/loop2"; ln -s . "$R/tmp/self"; ln -s / "$R/tmp/hostroot"
ln -s /etc/shadow "$R/tmp/shadow"; ln -s ../../../../../../.. "$R/tmp/up"
mkfifo "$R/tmp/fifo"
d="$R/tmp/deep"; mkdir -p "$d"
( cd "$d" && for i in $(seq 1 300); do mkdir a && cd a || break; done )
truncate -s 1T "$R/tmp/sparse" && truncate -s 1T "$R/etc/passwd" || t_fail "drift: sparse files" "truncate failed"
start=$(date +%s%N)
drift "$W/hostile.json" --format json "$IMG" "$R"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_check "drift hostile: 1 TB sparse files cost a stat, not a read (${ms} ms)" [ "$ms" -lt 60000 ]
t_eq "drift hostile: the sparse /etc/passwd is modified (size), the new one added without a digest" \
  'modified ["content"] added null' \
  "$(jq -r '[(.changes[] | select(.path == "/etc/passwd") | .change, (.what | tojson)), (.changes[] | select(.path == "/tmp/sparse") | .change, (.rootfs.digest | tojson))] | join(" ")' "$W/hostile.json")"
t_eq "drift hostile: exit 1 (things were added), no hang" 1 "$RC"
t_eq "drift hostile: links recorded as links, never followed" \
  "$(printf '%s\n' '/tmp/hostroot /' '/tmp/loop1 loop2' '/tmp/loop2 loop1' '/tmp/self .' '/tmp/shadow /etc/shadow' '/tmp/up ../../../../../../..')" \
  "$(jq -r '.changes[] | select(.rootfs.type == "symlink") | .path + " " + .rootfs.link' "$W/hostile.json")"
t_eq "drift hostile: the FIFO is an added entry (not opened)" added "$(jq -r '.changes[] | select(.path == "/tmp/fifo") | .change' "$W/hostile.json")"
t_check "drift hostile: nothing of the host's tree reported" bash -c "! jq -r '.changes[].path' '$W/hostile.json' | grep -v '^/etc/passwd$' | grep -qv '^/tmp/'"
t_check "drift hostile: nesting past the depth bound is a warning, counted" \
  bash -c "grep -q 'nested deeper than' '$W/hostile.json.err' && [ \$(jq .summary.not_compared '$W/hostile.json') -ge 1 ]"

t_run_expect "drift: a missing directory is exit 3" 3 "" -- "$BULWARK" drift "$IMG" "$W/nope"
t_run_expect "drift: a file instead of a directory is exit 3" 3 "" -- "$BULWARK" drift "$IMG" "$W/clean.json"
t_run_expect "drift --format sarif refused" 2 "" -- "$BULWARK" drift --format sarif "$IMG" "$R"

# an image whose layer lists files without their parent directories (mkimage writes none):
# umoci creates them on unpack; they are not drift, a new directory beside them is
cat >"$W/implicit.json" <<'JSON'
{"format": "oci", "images": [{"architecture": "amd64", "os": "linux", "config": {},
 "layers": [{"compression": "gzip", "entries": [
  {"path": "opt/app/bin/run", "content": "#!/bin/sh\n", "mode": "0755"},
  {"path": "etc/", "type": "dir"}, {"path": "etc/x.conf", "content": "x\n"}]}]}]}
JSON
python3 "$TOP/tests/lib/mkimage.py" build "$W/implicit.json" "$W/imp" >/dev/null &&
  umoci unpack $rootless --image "$W/imp:latest" "$W/impb" >"$W/umoci.log" 2>&1 || t_fail "drift: implicit-parent image" "$(tail -3 "$W/umoci.log")"
drift "$W/imp.out" --format json "oci:$W/imp" "$W/impb/rootfs"
t_eq "drift: directories the image implies (no tar entry) are not drift" "0 0" "$RC $(jq '.changes | length' "$W/imp.out")"
mkdir "$W/impb/rootfs/opt/extra"
drift "$W/imp2.out" --format json "oci:$W/imp" "$W/impb/rootfs"
t_eq "drift: a new directory beside them is" "1 /opt/extra" "$RC $(jq -r '[.changes[].path] | join(" ")' "$W/imp2.out")"
