#!/usr/bin/env bash
# Real images from ../shared/fixtures/build-images.sh, checked against independent tools:
#   digests and layers  <- skopeo inspect --raw / --config --raw (containers/image)
#   the merged file list <- umoci unpack (applies the OCI whiteout rules itself)
#   per-layer counts, OS, setuid files, whiteouts <- ../shared/fixtures/expected (read back
#   from the built image with the real tools; see its README)
. "$(dirname "$0")/../lib/harness.sh"
need_shared "fixtures" || exit 0
if [ -z "${FIXTURES:-}" ]; then
  FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "fixtures" "cannot build the fixture images"; exit 0; }
fi
EXPECTED=$(dirname "$FIXTURES")/expected
[ -d "$EXPECTED" ] || EXPECTED=$SHARED/fixtures/expected

sha() { sha256sum | awk '{print "sha256:" $1}'; }

# files_tsv JSON: "path type mode uid gid size", hard links shown as the files they are on disk
files_tsv() {
  jq -r '.files[] | [.path, (if .type == "hardlink" then "file" else .type end), .mode,
         .uid, .gid, (if .type == "file" or .type == "hardlink" then .size else 0 end)] | @tsv' "$1" | LC_ALL=C sort
}

# rootfs_tsv DIR: the same listing from a real unpacked filesystem
rootfs_tsv() {
  python3 - "$1" <<'PY' | LC_ALL=C sort
import os, stat, sys
root = sys.argv[1]
kinds = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink", stat.S_IFCHR: "char",
         stat.S_IFBLK: "block", stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket"}
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        st = os.lstat(p)
        k = kinds[stat.S_IFMT(st.st_mode)]
        print("\t".join(["/" + os.path.relpath(p, root), k, "%04o" % (st.st_mode & 0o7777),
                         str(st.st_uid), str(st.st_gid), str(st.st_size if k == "file" else 0)]))
PY
}

for name in debian-minbase kitchen-sink rpm-root; do
  img=$FIXTURES/$name
  exp=$EXPECTED/$name
  [ -d "$img/oci" ] || { t_fail "$name" "fixture image missing at $img"; continue; }
  out=$TMPROOT/$name.json

  # --- OCI layout
  t_run_expect "$name oci inspect" 0 "" -- "$BULWARK" inspect --format json --files --deleted -o "$out" "oci:$img/oci:latest"
  raw=$TMPROOT/$name.manifest; skopeo inspect --raw "oci:$img/oci:latest" >"$raw"
  cfg=$TMPROOT/$name.config; skopeo inspect --config --raw "oci:$img/oci:latest" >"$cfg"
  t_eq "$name oci manifest digest = skopeo" "$(sha <"$raw")" "$(jq -r .artifact.manifest_digest "$out")"
  t_eq "$name oci config digest = skopeo" "$(sha <"$cfg")" "$(jq -r .artifact.config_digest "$out")"
  t_eq "$name oci layer digests = skopeo" "$(jq -c '[.layers[].digest]' "$raw")" "$(jq -c '[.artifact.layers[].digest]' "$out")"
  t_eq "$name oci layer sizes = skopeo" "$(jq -c '[.layers[].size]' "$raw")" "$(jq -c '[.artifact.layers[].size]' "$out")"
  t_eq "$name oci diff_ids = skopeo config" "$(jq -c '.rootfs.diff_ids' "$cfg")" "$(jq -c '[.artifact.layers[].diff_id]' "$out")"
  t_eq "$name entries per layer = expected" "$(jq -c '[.layers[].entries]' "$exp/image.json")" "$(jq -c '[.artifact.layers[].entries]' "$out")"
  t_eq "$name file bytes per layer = expected" "$(jq -c '[.layers[].uncompressed_bytes]' "$exp/image.json")" "$(jq -c '[.artifact.layers[].file_bytes]' "$out")"
  # created_by and env as in the config, but for masked secret values ('*')
  t_check "$name created_by and env = config, secrets masked" python3 - "$exp/image.json" "$cfg" "$out" <<'PY'
import json, sys
exp, cfg, out = (json.load(open(p)) for p in sys.argv[1:])
def same_but_masked(a, b):
    return a is None and b is None or (len(a) == len(b) and all(x == y or y == "*" for x, y in zip(a, b)))
pairs = list(zip([l["created_by"] for l in exp["layers"]], [l["created_by"] for l in out["artifact"]["layers"]]))
pairs += list(zip(cfg["config"].get("Env") or [], out["artifact"]["config"]["env"]))
ok = len(exp["layers"]) == len(out["artifact"]["layers"]) and all(same_but_masked(a, b) for a, b in pairs)
# no value of a secret-named variable may appear whole anywhere in the report
text = open(sys.argv[3]).read()
for e in cfg["config"].get("Env") or []:
    k, _, v = e.partition("=")
    if any(w in k.upper() for w in ("PASSWORD", "TOKEN", "SECRET")) and len(v) >= 8 and v in text:
        ok = False
sys.exit(0 if ok else 1)
PY
  t_eq "$name os = os-release" "$(jq -r '.os_release.ID + " " + .os_release.VERSION_ID' "$exp/image.json")" \
    "$(jq -r '.artifact.os.family + " " + .artifact.os.version' "$out")"
  t_eq "$name config = skopeo config" \
    "$(jq -c '[.config.User // "", .config.Cmd // [], (.config.ExposedPorts // {} | keys), .config.WorkingDir // ""]' "$cfg")" \
    "$(jq -c '.artifact.config | [.user, .cmd, (.exposed_ports | sort), .working_dir]' "$out")"
  t_eq "$name setuid/setgid files = expected" \
    "$(jq -r '.setuid_setgid_files_final[] | [.path, .mode, .uid, .gid] | @tsv' "$exp/files.json" | LC_ALL=C sort)" \
    "$(jq -r '.files[] | select(.type == "file" and ((.mode | .[0:1]) != "0")) | [.path, .mode, .uid, .gid] | @tsv' "$out" | LC_ALL=C sort)"
  # deleted = exactly the whiteout targets (files here) plus the lower children of opaque dirs
  want_del=$(jq -r '.per_layer[] | .index as $i | (.whiteouts[] | [., $i] | @tsv)' "$exp/files.json" | LC_ALL=C sort)
  opaque_re=$(jq -r '[.per_layer[] | .opaque_dirs[] | "^" + . + "/"] | join("|")' "$exp/files.json")
  got_del=$(jq -r '.deleted[] | [.path, .layer_index] | @tsv' "$out" | { [ -n "$opaque_re" ] && grep -Ev "$opaque_re" || cat; } | LC_ALL=C sort)
  t_eq "$name deleted by whiteouts = expected" "$want_del" "$got_del"
  for od in $(jq -r '.per_layer[] | .opaque_dirs[]' "$exp/files.json"); do
    n=$(jq --arg d "$od/" '[.deleted[] | select(.path | startswith($d))] | length' "$out")
    t_check "$name opaque dir $od removed its $n lower children" test "$n" -gt 0
  done

  # --- the merged filesystem equals umoci's unpack
  bundle=$TMPROOT/$name.bundle
  if umoci unpack --image "$img/oci:latest" "$bundle" >/dev/null 2>"$TMPROOT/umoci.err"; then
    diff <(rootfs_tsv "$bundle/rootfs") <(files_tsv "$out") >"$TMPROOT/$name.diff"
    t_check "$name files = umoci unpack ($(grep -c '' <(files_tsv "$out")) paths)" test ! -s "$TMPROOT/$name.diff"
    [ -s "$TMPROOT/$name.diff" ] && head -20 "$TMPROOT/$name.diff"
    # --- dir: transport on that same tree
    dirjson=$TMPROOT/$name.dir.json
    t_run_expect "$name dir: inspect" 0 "" -- "$BULWARK" inspect --format json --files -o "$dirjson" "dir:$bundle/rootfs"
    diff <(files_tsv "$out") <(files_tsv "$dirjson") >"$TMPROOT/$name.dir.diff"
    t_check "$name dir: files = oci files" test ! -s "$TMPROOT/$name.dir.diff"
    t_eq "$name dir: os" "$(jq -c .artifact.os "$out")" "$(jq -c .artifact.os "$dirjson")"
    rm -rf "$bundle"
  else
    t_fail "$name umoci unpack" "$(head -c 300 "$TMPROOT/umoci.err")"
  fi

  # --- docker-archive (skopeo copy of the same image)
  dout=$TMPROOT/$name.docker.json
  t_run_expect "$name docker-archive inspect" 0 "" -- "$BULWARK" inspect --format json --files -o "$dout" "docker-archive:$img/docker-archive.tar"
  t_eq "$name docker-archive manifest digest = skopeo" \
    "$(skopeo inspect "docker-archive:$img/docker-archive.tar" | jq -r .Digest)" "$(jq -r .artifact.manifest_digest "$dout")"
  t_eq "$name docker-archive config digest = skopeo" \
    "$(skopeo inspect --config --raw "docker-archive:$img/docker-archive.tar" | sha)" "$(jq -r .artifact.config_digest "$dout")"
  t_eq "$name docker-archive diff_ids" "$(jq -c '[.artifact.layers[].diff_id]' "$out")" "$(jq -c '[.artifact.layers[].diff_id]' "$dout")"
  t_eq "$name docker-archive repo tags" "$(jq -c .docker_archive.repo_tags "$exp/image.json")" "$(jq -c .artifact.repo_tags "$dout")"
  t_check "$name docker-archive files = oci files" cmp -s <(files_tsv "$out") <(files_tsv "$dout")
  t_eq "$name docker-archive auto-detected" "docker-archive" "$("$BULWARK" inspect --format json "$img/docker-archive.tar" | jq -r .artifact.transport)"

  # --- oci-archive written by skopeo
  arch=$TMPROOT/$name.oci.tar
  skopeo copy --quiet "oci:$img/oci:latest" "oci-archive:$arch:latest"
  aout=$TMPROOT/$name.ociarchive.json
  t_run_expect "$name oci-archive inspect" 0 "" -- "$BULWARK" inspect --format json --files -o "$aout" "oci-archive:$arch:latest"
  t_eq "$name oci-archive manifest digest = skopeo" "$(skopeo inspect --raw "oci-archive:$arch:latest" | sha)" "$(jq -r .artifact.manifest_digest "$aout")"
  t_check "$name oci-archive files = oci files" cmp -s <(files_tsv "$out") <(files_tsv "$aout")
  rm -f "$arch"
done
