#!/usr/bin/env bash
# tests/fuzz/make-corpus.sh: (re)generate the seed corpora of the fuzz harnesses.
#
#   bash tests/fuzz/make-corpus.sh
#
# Writes tests/fuzz/corpus/manifest/      JSON documents: OCI index / manifest / config,
#                                          Docker manifest list / v2 manifest / manifest.json,
#                                          schema 1, and a few near misses
#        tests/fuzz/corpus/layer/         small layer tars (python tarfile): files, dirs,
#                                          symlinks, hard links, devices, .wh. whiteouts,
#                                          .wh..wh..opq, pax and GNU long names, gzip, zstd
#        tests/fuzz/corpus/tar/           uncompressed layer seeds and tests/lib/tarcases.py cases
#        tests/fuzz/corpus/docker_archive/ `docker save` archives: tests/lib/mkimage.py builds
#                                          and hostile cases, plus hand-made ones (layer
#                                          members symlinked as docker save shares them,
#                                          gzip layers, Docker 25 OCI form)
# Every generated file is replaced; files named crash-* (regression inputs for
# bugs the fuzzers found) are kept. Output is deterministic (fixed mtimes, gzip
# without name or time), each seed is under 64 KiB and the whole corpus under 2 MB.
# Needs python3 (3.8+) and, for the zstd seed, the zstd command (skipped without it).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=$TOP/tests/fuzz/corpus
MKIMAGE=$TOP/tests/lib/mkimage.py
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for d in manifest layer docker_archive; do
  mkdir -p "$CORPUS/$d"
  find "$CORPUS/$d" -maxdepth 1 -type f ! -name 'crash-*' -delete
done

# ---- images built by mkimage.py: their JSON documents seed the manifest corpus,
#      the docker-archive files the docker_archive corpus.
cat >"$WORK/base.json" <<'EOF'
{"format": "oci",
 "images": [
  {"architecture": "amd64", "os": "linux",
   "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"],
              "Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"],
              "User": "101:101", "WorkingDir": "/srv",
              "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}, "Volumes": {"/var/cache": {}},
              "Labels": {"org.opencontainers.image.title": "fuzz", "maintainer": "bulwark"},
              "Healthcheck": {"Test": ["CMD", "true"]}},
   "annotations": {"org.opencontainers.image.source": "https://example.invalid/fuzz"},
   "layers": [
    {"compression": "gzip", "created_by": "ADD rootfs /",
     "entries": [{"path": "etc", "type": "dir"},
                 {"path": "usr/lib/os-release", "content": "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"},
                 {"path": "etc/os-release", "type": "symlink", "target": "../usr/lib/os-release"},
                 {"path": "etc/passwd", "content": "root:x:0:0:root:/root:/bin/sh\n"},
                 {"path": "bin/sh", "content": "#!", "mode": "0755"},
                 {"path": "bin/su", "content": "x", "mode": "4755"},
                 {"path": "tmp", "type": "dir", "mode": "1777"},
                 {"path": "var/cache/a", "content": "a"}]},
    {"compression": "none", "created_by": "RUN rm -rf /var/cache/* && ln /bin/sh /bin/ash",
     "entries": [{"path": "var/cache/.wh..wh..opq", "content": ""},
                 {"path": "etc/.wh.passwd", "content": ""},
                 {"path": "bin/ash", "type": "hardlink", "target": "bin/sh"},
                 {"path": "srv/app", "content": "hello\n", "uid": 1000, "gid": 1000}]}
   ]},
  {"architecture": "arm64", "variant": "v8", "os": "linux",
   "layers": [{"compression": "zstd", "entries": [{"path": "etc/alpine-release", "content": "3.19.0\n"}]}]}
 ]}
EOF
python3 "$MKIMAGE" build "$WORK/base.json" "$WORK/oci" >/dev/null

cat >"$WORK/docker1.json" <<'EOF'
{"format": "docker-archive", "name": "fuzz", "tag": "v1",
 "images": [
  {"config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"], "Labels": {"a": "b"}},
   "layers": [
    {"entries": [{"path": "etc/os-release", "content": "ID=alpine\nVERSION_ID=3.19.0\n"},
                 {"path": "bin/busybox", "content": "\u007fELF", "mode": "0755"},
                 {"path": "bin/sh", "type": "symlink", "target": "/bin/busybox"}]},
    {"entries": [{"path": "etc/.wh.os-release", "content": ""},
                 {"path": "etc/os-release", "type": "symlink", "target": "../usr/lib/os-release"},
                 {"path": "usr/lib/os-release", "content": "ID=wolfi\n"}]}
   ]}]}
EOF
cat >"$WORK/docker2.json" <<'EOF'
{"format": "docker-archive", "name": "empty",
 "images": [{"layers": [{"entries": [{"path": "a", "type": "dir"}]}]}]}
EOF
cat >"$WORK/docker3.json" <<'EOF'
{"format": "docker-archive-oci", "name": "oci25",
 "images": [{"config": {"Cmd": ["/app"]},
   "layers": [{"entries": [{"path": "app", "content": "bin", "mode": "0755"},
                           {"path": "etc/os-release", "content": "ID=distroless\n"}]},
              {"entries": [{"path": ".wh.app", "content": ""}]}]}]}
EOF
DA=$CORPUS/docker_archive
python3 "$MKIMAGE" build "$WORK/docker1.json" "$DA/mkimage-two-layers.tar" >/dev/null
python3 "$MKIMAGE" build "$WORK/docker2.json" "$DA/mkimage-one-dir.tar" >/dev/null
python3 "$MKIMAGE" build "$WORK/docker3.json" "$DA/mkimage-docker25-oci.tar" >/dev/null
python3 "$MKIMAGE" hostile docker-manifest-dotdot "$DA/hostile-manifest-dotdot.tar"
python3 "$MKIMAGE" hostile docker-manifest-duplicate-keys "$DA/hostile-manifest-duplicate-keys.tar"

# ---- everything else, in Python
python3 - "$CORPUS" "$WORK/oci" <<'PYEOF'
import gzip, hashlib, io, json, os, shutil, subprocess, sys, tarfile

corpus, oci = sys.argv[1], sys.argv[2]
MTIME = 1700000000

def jdump(o):
    return json.dumps(o, separators=(",", ":")).encode()

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def put(sub, name, data):
    assert len(data) < 64 * 1024, (sub, name, len(data))
    with open(os.path.join(corpus, sub, name), "wb") as f:
        f.write(data)

def gz(b):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(b)
    return buf.getvalue()

# ------------------------------------------------------------- manifest corpus
M = "manifest"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MAN = "application/vnd.oci.image.manifest.v1+json"
MT_CFG = "application/vnd.oci.image.config.v1+json"
MT_DLIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_DMAN = "application/vnd.docker.distribution.manifest.v2+json"
MT_DCFG = "application/vnd.docker.container.image.v1+json"

# the documents of the mkimage layout, as written
blobs = os.path.join(oci, "blobs", "sha256")
put(M, "oci-index-json.json", open(os.path.join(oci, "index.json"), "rb").read())
seen = {"index": 0, "manifest": 0, "config": 0}
for h in sorted(os.listdir(blobs)):
    data = open(os.path.join(blobs, h), "rb").read()
    if not data.startswith(b"{"):
        continue
    doc = json.loads(data)
    kind = ("index" if "manifests" in doc else "manifest" if "layers" in doc
            else "config" if "rootfs" in doc else None)
    if kind:
        seen[kind] += 1
        put(M, "mkimage-%s-%d.json" % (kind, seen[kind]), data)

d1 = sha(b"1"); d2 = sha(b"2"); d3 = sha(b"3")
d512 = "sha512:" + hashlib.sha512(b"x").hexdigest()
docs = {
 "oci-index-platforms.json": {
   "schemaVersion": 2, "mediaType": MT_INDEX,
   "manifests": [
     {"mediaType": MT_MAN, "digest": d1, "size": 1234,
      "platform": {"architecture": "amd64", "os": "linux"}},
     {"mediaType": MT_MAN, "digest": d2, "size": 99,
      "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}},
     {"mediaType": MT_INDEX, "digest": d3, "size": 7},
     {"mediaType": "application/vnd.in-toto+json", "digest": d512, "size": 1,
      "platform": {"architecture": "unknown", "os": "unknown"},
      "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}],
   "annotations": {"org.opencontainers.image.ref.name": "latest"}},
 "oci-index-layout-tags.json": {
   "schemaVersion": 2,
   "manifests": [
     {"mediaType": MT_MAN, "digest": d1, "size": 10,
      "annotations": {"org.opencontainers.image.ref.name": "latest"}},
     {"mediaType": MT_MAN, "digest": d2, "size": 20,
      "annotations": {"org.opencontainers.image.ref.name": "v1.2.3", "io.containerd.image.name": "docker.io/x/y:v1.2.3"}}]},
 "docker-manifest-list.json": {
   "schemaVersion": 2, "mediaType": MT_DLIST,
   "manifests": [{"mediaType": MT_DMAN, "digest": d1, "size": 528,
                  "platform": {"architecture": "amd64", "os": "linux"}},
                 {"mediaType": MT_DMAN, "digest": d2, "size": 528,
                  "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}]},
 "oci-manifest.json": {
   "schemaVersion": 2, "mediaType": MT_MAN,
   "config": {"mediaType": MT_CFG, "digest": d1, "size": 1469},
   "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d2, "size": 3370706},
              {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": d3, "size": 12},
              {"mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
               "digest": d512, "size": 5, "urls": ["https://example.invalid/layer"]}],
   "annotations": {"org.opencontainers.image.created": "2023-11-14T22:13:20Z"}},
 "oci-manifest-no-mediatype.json": {
   "schemaVersion": 2,
   "config": {"mediaType": MT_CFG, "digest": d1, "size": 2},
   "layers": []},
 "docker-manifest-v2.json": {
   "schemaVersion": 2, "mediaType": MT_DMAN,
   "config": {"mediaType": MT_DCFG, "size": 7023, "digest": d1},
   "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": d2},
              {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "size": 1, "digest": d3,
               "urls": ["https://example.invalid/foreign"]}]},
 "docker-schema1.json": {
   "schemaVersion": 1, "name": "library/x", "tag": "latest", "architecture": "amd64",
   "fsLayers": [{"blobSum": d1}],
   "history": [{"v1Compatibility": "{\"id\":\"1\"}"}]},
 "oci-config-full.json": {
   "created": "2023-11-14T22:13:20.123456789Z", "architecture": "arm", "variant": "v7", "os": "linux",
   "config": {"User": "nobody", "WorkingDir": "/", "Env": ["A=1", "B="],
              "Entrypoint": ["/init"], "Cmd": None,
              "ExposedPorts": {"53/udp": {}, "8080": {}}, "Volumes": {"/data": {}},
              "Labels": {"k": "v", "": ""}, "StopSignal": "SIGTERM",
              "Healthcheck": {"Test": ["NONE"]}},
   "rootfs": {"type": "layers", "diff_ids": [d1, d2, d512]},
   "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "/bin/sh -c #(nop) ADD file:x in /"},
               {"created_by": "ENV A=1", "empty_layer": True},
               {"created": "2023-11-14T22:13:20Z", "comment": "buildkit"},
               {"created_by": "RUN x", "empty_layer": False, "author": "me"}]},
 "docker-config-minimal.json": {
   "architecture": "amd64", "os": "linux",
   "rootfs": {"type": "layers", "diff_ids": []}},
 "docker-archive-manifest.json": [
   {"Config": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.json",
    "RepoTags": ["fixtures/x:latest", "x:1"],
    "Layers": ["aaaa/layer.tar", "blobs/sha256/" + "b" * 64, "./c/layer.tar"],
    "LayerSources": {d1: {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                          "size": 1, "digest": d1}}}],
 "docker-archive-manifest-untagged.json": [{"Config": "c.json", "RepoTags": None, "Layers": []}],
 # near misses: each fails one check
 "bad-duplicate-key.json": None,
 "bad-schema-version.json": {"schemaVersion": 3, "manifests": []},
 "bad-digest-uppercase.json": {"schemaVersion": 2, "config": {"digest": "sha256:" + "A" * 64, "size": 1}, "layers": []},
 "bad-digest-short.json": {"schemaVersion": 2, "manifests": [{"digest": "sha256:abc", "size": 1}]},
 "bad-negative-size.json": {"schemaVersion": 2, "manifests": [{"digest": d1, "size": -1}]},
 "bad-rootfs-type.json": {"architecture": "amd64", "os": "linux", "rootfs": {"type": "fs", "diff_ids": [d1]}},
 "bad-two-images.json": [{"Config": "a.json", "Layers": []}, {"Config": "b.json", "Layers": []}],
}
for name, doc in docs.items():
    if doc is None:
        continue
    put(M, name, jdump(doc))
put(M, "bad-duplicate-key.json",
    b'{"schemaVersion":2,"config":{"digest":"' + d1.encode() + b'","size":1},"config":{"digest":"'
    + d2.encode() + b'","size":2},"layers":[]}')
put(M, "bad-nul-in-string.json", b'{"architecture":"amd\\u0000","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
put(M, "bad-deep.json", b"[" * 70 + b"]" * 70)
put(M, "pretty-printed.json", json.dumps(docs["oci-manifest.json"], indent=3).encode() + b"\n")

# ------------------------------------------------------------- layer corpus
L = "layer"

def ti(name, kind="file", mode=None, size=0, target="", uid=0, gid=0, uname="", gname=""):
    t = tarfile.TarInfo(name)
    t.mtime, t.uid, t.gid, t.uname, t.gname = MTIME, uid, gid, uname, gname
    t.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
              "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE,
              "fifo": tarfile.FIFOTYPE}[kind]
    t.mode = mode if mode is not None else (0o755 if kind == "dir" else 0o777 if kind == "symlink" else 0o644)
    t.linkname = target
    t.size = size
    return t

def tar(entries, fmt=tarfile.PAX_FORMAT, trim=True):
    """entries: (name, kind, content_or_target, extra dict). trim: end right
    after the two zero blocks instead of padding to tarfile's 10 KiB record."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for e in entries:
            name, kind = e[0], e[1]
            arg = e[2] if len(e) > 2 else None
            extra = e[3] if len(e) > 3 else {}
            if kind == "file":
                data = arg.encode() if isinstance(arg, str) else (arg or b"")
                t.addfile(ti(name, kind, size=len(data), **extra), io.BytesIO(data))
            elif kind in ("symlink", "hardlink"):
                t.addfile(ti(name, kind, target=arg, **extra))
            else:
                t.addfile(ti(name, kind, **extra))
        end = t.offset
    data = buf.getvalue()
    return data[:end + 1024] if trim else data

OS_DEB = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n"
basic = [("etc", "dir"), ("etc/os-release", "file", OS_DEB), ("etc/hostname", "file", "fuzz\n"),
         ("bin", "dir"), ("bin/sh", "file", "#!/bin/true\n", {"mode": 0o755}),
         ("bin/bash", "hardlink", "bin/sh"), ("usr/bin/env", "symlink", "../../bin/sh"),
         ("tmp", "dir", None, {"mode": 0o1777}), ("usr/bin/passwd", "file", "x", {"mode": 0o4755})]
layers = {
 "basic-pax.tar": tar(basic),
 "basic-ustar.tar": tar(basic, tarfile.USTAR_FORMAT),
 "basic-gnu.tar": tar(basic, tarfile.GNU_FORMAT),
 "dot-slash-names.tar": tar([("./", "dir"), ("./etc/", "dir"), ("./etc/os-release", "file", "ID=alpine\nVERSION_ID=3.19.0\n"),
                             ("./etc//./hosts", "file", "127.0.0.1 localhost\n")]),
 "os-release-symlink.tar": tar([("usr/lib/os-release", "file", "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n"),
                                ("etc/os-release", "symlink", "../usr/lib/os-release")]),
 "os-release-abs-symlink-chain.tar": tar([("usr/lib/os-release", "file", "ID='fedora'\nVERSION_ID=39\n"),
                                          ("etc/os-release", "symlink", "/etc/os-release.d/x"),
                                          ("etc/os-release.d", "symlink", "../usr/lib"),
                                          ("usr/lib/x", "hardlink", "usr/lib/os-release")]),
 "symlink-loop.tar": tar([("etc/os-release", "symlink", "os-release2"), ("etc/os-release2", "symlink", "os-release")]),
 "whiteouts.tar": tar([("etc/.wh.passwd", "file", ""), ("var/lib/apt/.wh..wh..opq", "file", ""),
                       (".wh..wh..opq", "file", ""), ("usr/.wh..wh.plnk", "dir"),
                       ("usr/.wh..wh.aufs", "file", ""), (".wh.tmp", "file", ""),
                       ("var/lib/apt/lists/x", "file", "y")]),
 "whiteout-then-recreate.tar": tar([("a", "dir"), ("a/b", "file", "1"), ("a/.wh.b", "file", ""),
                                    ("a/b", "dir"), ("a/b/c", "symlink", "/a"), ("a/b", "file", "over dir"),
                                    ("a", "file", "over parent")]),
 "bad-whiteout-dotdot.tar": tar([("etc/.wh...", "file", "")]),
 "pax-long-names.tar": tar([("d" * 90 + "/" + "e" * 90 + "/" + "f" * 90 + "/os-release", "file", "ID=x\n"),
                            ("l" * 150, "symlink", "t" * 300),
                            ("h" * 120, "hardlink", "d" * 90 + "/" + "e" * 90 + "/" + "f" * 90 + "/os-release"),
                            ("big-ids", "file", "x", {"uid": 3000000000, "gid": 2 ** 40, "uname": "u" * 40})]),
 "gnu-long-names.tar": tar([("g" * 200 + "/file", "file", "z"), ("g" * 200 + "/link", "symlink", "x" * 200)],
                           tarfile.GNU_FORMAT),
 "name-too-long-component.tar": tar([("n" * 256, "file", "")]),
 "devices.tar": tar([("dev", "dir"), ("dev/null", "char", None, {"mode": 0o666}),
                     ("dev/sda", "block", None, {"mode": 0o660}), ("run/fifo", "fifo")]),
 "dotdot.tar": tar([("etc/ok", "file", "ok"), ("../../etc/evil", "file", "evil")]),
 "absolute.tar": tar([("etc/ok", "file", "ok"), ("/etc/evil", "file", "evil")]),
 "hardlink-dotdot.tar": tar([("etc/link", "hardlink", "../../etc/shadow")]),
 "root-entry.tar": tar([(".", "dir", None, {"mode": 0o700, "uid": 5}), ("./x", "file", "1")]),
 "dir-over-file.tar": tar([("a", "file", "1"), ("a/b", "file", "2"), ("a", "dir"), ("a", "symlink", "b")]),
 "empty.tar": b"\0" * 1024,
 "padded-record.tar": tar([("etc/os-release", "file", "ID=arch\n")], trim=False),
 "trailing-garbage.tar": tar([("x", "file", "1")]) + b"not a tar block" * 10,
}
for name, data in layers.items():
    put(L, name, data)
put(L, "basic-pax.tar.gz", gz(layers["basic-pax.tar"]))
put(L, "whiteouts.tar.gz", gz(layers["whiteouts.tar"]))
put(L, "multi-member.tar.gz", gz(layers["os-release-symlink.tar"][:1536]) + gz(layers["os-release-symlink.tar"][1536:]))
try:
    z = subprocess.run(["zstd", "-q", "-c", "-3"], input=layers["pax-long-names.tar"],
                       stdout=subprocess.PIPE, check=True).stdout
    put(L, "pax-long-names.tar.zst", z)
except (FileNotFoundError, subprocess.CalledProcessError):
    print("make-corpus: no zstd command; skipping the zstd layer seed", file=sys.stderr)

# ------------------------------------------------------------- docker_archive corpus
D = "docker_archive"

def config_for(diff_ids, **cfg):
    return jdump({"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
                  "config": cfg, "rootfs": {"type": "layers", "diff_ids": diff_ids},
                  "history": [{"created_by": "layer %d" % i} for i in range(len(diff_ids))]})

def archive(members, fmt=tarfile.PAX_FORMAT):
    """members: list of (name, bytes | None for a dir | ("symlink", target))."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, data in members:
            if data is None:
                t.addfile(ti(name, "dir"))
            elif isinstance(data, tuple):
                t.addfile(ti(name, data[0], target=data[1]))
            else:
                t.addfile(ti(name, "file", size=len(data)), io.BytesIO(data))
        end = t.offset
    return buf.getvalue()[:end + 1024]

l1 = layers["os-release-symlink.tar"]
l2 = layers["whiteouts.tar"]
# docker save before Docker 25: <id>/layer.tar, and a layer shared by two
# images (or repeated) written once and symlinked from the other directory
cfg = config_for([sha(l1), sha(l2), sha(l1)], Cmd=["/bin/sh"])
cname = hashlib.sha256(cfg).hexdigest() + ".json"
man = jdump([{"Config": cname, "RepoTags": ["fuzz/shared:latest"],
              "Layers": ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"]}])
put(D, "symlinked-layer.tar", archive([
    ("aaa", None), ("aaa/VERSION", b"1.0"), ("aaa/layer.tar", l1),
    ("bbb", None), ("bbb/layer.tar", l2),
    ("ccc", None), ("ccc/layer.tar", ("symlink", "../aaa/layer.tar")),
    (cname, cfg), ("manifest.json", man), ("repositories", b"{}")]))
# a symlink chain, a dangling one and a loop among members
cfg = config_for([sha(l1)])
cname = hashlib.sha256(cfg).hexdigest() + ".json"
put(D, "symlink-chain.tar", archive([
    ("real.tar", l1), ("x/layer.tar", ("symlink", "/y/layer.tar")), ("y/layer.tar", ("symlink", "../real.tar")),
    ("loop1", ("symlink", "loop2")), ("loop2", ("symlink", "loop1")), ("dangling", ("symlink", "nowhere")),
    (cname, cfg), ("manifest.json", jdump([{"Config": cname, "RepoTags": None, "Layers": ["./x/layer.tar"]}]))]))
# gzip and zstd-sniffed layers, sha256-named members (digests promised by name)
gl = gz(l2)
cfg = config_for([sha(l2), sha(l1)], Env=["A=1"])
put(D, "gzip-layer-digest-names.tar", archive([
    ("blobs", None), ("blobs/sha256", None),
    ("blobs/sha256/" + hashlib.sha256(gl).hexdigest(), gl),
    (hashlib.sha256(l1).hexdigest() + ".tar", l1),
    ("config.json", cfg),
    ("manifest.json", jdump([{"Config": "config.json", "RepoTags": ["a:b"],
                              "Layers": ["blobs/sha256/" + hashlib.sha256(gl).hexdigest(),
                                         hashlib.sha256(l1).hexdigest() + ".tar"]}]))]))
# a config whose name promises a digest it does not have
put(D, "config-digest-mismatch.tar", archive([
    ("l.tar", l1), ("0" * 64 + ".json", config_for([sha(l1)])),
    ("manifest.json", jdump([{"Config": "0" * 64 + ".json", "Layers": ["l.tar"]}]))]))
# two members with one name
put(D, "duplicate-member.tar", archive([
    ("l.tar", l1), ("c.json", config_for([sha(l1)])), ("./l.tar", l2),
    ("manifest.json", jdump([{"Config": "c.json", "Layers": ["l.tar"]}]))]))
# two members with one name and the same size: which one is read must not be
# a matter of chance (source.c means to refuse such archives)
la = tar([("etc/os-release", "file", "ID=aaaa\n")], tarfile.USTAR_FORMAT)
lb = tar([("etc/os-release", "file", "ID=bbbb\n")], tarfile.USTAR_FORMAT)
put(D, "duplicate-member-same-size.tar", archive([
    ("l.tar", la), ("c.json", config_for([sha(la)])), ("./l.tar", lb),
    ("manifest.json", jdump([{"Config": "c.json", "Layers": ["l.tar"]}]))]))
# whole archive gzip-compressed (libarchive's outer filter)
cfg = config_for([sha(l1)])
put(D, "outer-gzip.tar.gz", gz(archive([("l.tar", l1), ("c.json", cfg),
                                         ("manifest.json", jdump([{"Config": "c.json", "Layers": ["l.tar"]}]))])))
# no layers at all
cfg = config_for([])
put(D, "no-layers.tar", archive([("c.json", cfg), ("manifest.json", jdump([{"Config": "c.json", "Layers": []}]))]))
PYEOF

# ---- the tar reader's own harness: the uncompressed layer seeds, and the small
#      archives of tests/lib/tarcases.py (old-style headers, a pax global header, and
#      malformed ones, each broken in one way)
mkdir -p "$CORPUS/tar"
find "$CORPUS/tar" -maxdepth 1 -type f ! -name 'crash-*' -delete
find "$CORPUS/layer" -maxdepth 1 -name '*.tar' -size -64k -exec cp {} "$CORPUS/tar/" \;
python3 "$TOP/tests/lib/tarcases.py" make "$WORK/tarcases"
for c in good-oldstyle good-paxglobal bad-checksum bad-header-after-end bad-pax-bad-length bad-pax-sparse \
         bad-ext-at-end bad-unknown-type bad-size-overflow; do
  cp "$WORK/tarcases/$c.tar" "$CORPUS/tar/"
done

# ---- the limits the fuzzers rely on
big=$(find "$CORPUS" -type f -size +64k | head -5)
if [ -n "$big" ]; then
  echo "make-corpus: seeds of 64 KiB or more: $big" >&2
  exit 1
fi
total=$(du -sb "$CORPUS" | cut -f1)
if [ "$total" -gt $((2 * 1024 * 1024)) ]; then
  echo "make-corpus: corpus is $total bytes, more than 2 MB" >&2
  exit 1
fi
for d in manifest layer docker_archive tar; do
  printf 'make-corpus: %-15s %3d files\n' "$d" "$(find "$CORPUS/$d" -type f | wc -l)"
done
echo "make-corpus: $total bytes in all"
