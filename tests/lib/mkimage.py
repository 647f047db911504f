#!/usr/bin/env python3
"""mkimage.py: build small, exact container images for bulwark's tests.

    python3 tests/lib/mkimage.py build SPEC.json OUT   # image from a JSON spec
    python3 tests/lib/mkimage.py hostile CASE OUT      # one named hostile image
    python3 tests/lib/mkimage.py list-hostile          # hostile case names

Python 3.11 standard library only, plus the `zstd` command for zstd layers.
Output is reproducible: every mtime is 1700000000, owners are 0:0 unless the
spec says otherwise, gzip headers carry no name or time, JSON is written
compactly in a fixed key order.

OUT is a directory for the "oci" format (and for hostile cases, except the
docker-archive ones) and a file for the archive formats. An existing OUT is
replaced only when it is an OCI layout, an empty directory or a plain file.

`build` prints one JSON object on stdout describing what it wrote:

    format            the spec's format
    manifest_digest   what index.json points to (the manifest, or the image
                      index / manifest list when the spec has several images);
                      null for docker-archive, which has no manifest blob
    config_digest     the config of the first image
    layers            [{digest, diff_id, size, media_type}] of the first image
    files             final filesystem of the first image after whiteouts:
                      [{path, type, mode, size, layer}], sorted by path
    deleted           [{path, layer}]: lower-layer paths that a whiteout in
                      `layer` removed (descendants of a removed directory are
                      listed too), sorted by layer then path
    whiteouts         [{path, kind: "file"|"opaque", layer}]: every whiteout
                      entry as written, path being the whited-out path (for
                      "opaque", the directory), whether or not it hid anything
    images            the same per image: platform, manifest_digest,
                      config_digest, layers, files, deleted, whiteouts

Ground-truth rules for "files" (OCI image spec, "Applying changesets"):
  * layers are applied bottom (1) to top; within a layer, entries in order;
  * first every whiteout of a layer is applied to the LOWER layers only:
    `D/.wh.NAME` removes D/NAME and everything under it,
    `D/.wh..wh..opq` removes everything under D (D itself stays);
  * then each non-whiteout entry is added: a directory over a directory
    replaces only the directory's own attributes; anything else first
    removes whatever was at that path, with its descendants;
  * whiteout entries never appear in "files"; parent directories that the
    spec does not list are not invented;
  * paths are "/" + the tar name, normalised (no "./", no trailing "/");
  * "size" is the tar header size: the content length of a regular file,
    0 for directories, symlinks and hard links; "mode" is the permission
    and special bits as 4 octal digits; "layer" is the 1-based index of the
    layer whose entry is visible;
  * foreign (nondistributable) layers have no blob, so they are left out of
    files/deleted/whiteouts (they still count in layer numbering).

Spec details beyond the obvious:
  * entry defaults: type "file", mode 0644 (dir 0755, symlink 0777, a hard
    link the mode of its target when that comes earlier in the layer);
    "content_base64" may replace "content" for binary files;
  * "from_dir" entries come before "entries" in the layer's tar; files
    hard-linked inside from_dir become hardlink entries;
  * an image may carry "annotations" (manifest annotations); the spec may
    carry "name" (docker formats: RepoTags "fixtures/NAME:TAG", default the
    OUT file name up to its first dot);
  * docker-archive and docker-archive-oci write uncompressed layers whatever
    "compression" says; with digest_algorithm sha512 the diff_ids are
    sha512 too; Docker media types have no zstd layer type (an error).
"""

import base64
import gzip
import hashlib
import io
import json
import os
import posixpath
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

MTIME = 1700000000
CREATED = "2023-11-14T22:13:20Z"
CHUNK = 1 << 20
GIB = 1 << 30

MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_OCI_LAYER = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}
MT_OCI_FOREIGN = {
    "none": "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "gzip": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
}
MT_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_DOCKER_LAYER = {
    "none": "application/vnd.docker.image.rootfs.diff.tar",
    "gzip": "application/vnd.docker.image.rootfs.diff.tar.gzip",
}
MT_DOCKER_FOREIGN = {
    "gzip": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
}
MT_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"

REF_NAME = "org.opencontainers.image.ref.name"
FORMATS = ("oci", "oci-archive", "docker-archive", "docker-archive-oci")
DEFAULT_MODES = {"file": 0o644, "dir": 0o755, "symlink": 0o777, "hardlink": 0o644}


class SpecError(Exception):
    pass


# ---------------------------------------------------------------- helpers

def jdump(obj):
    """Compact JSON bytes, keys in insertion order (reproducible)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def digest_of(data, alg="sha256"):
    return alg + ":" + hashlib.new(alg, data).hexdigest()


def hexpart(digest):
    return digest.split(":", 1)[1]


def parse_mode(value, default):
    if value is None:
        return default
    if isinstance(value, int):
        return value
    return int(str(value), 8)


def det_text(n, seed="bulwark"):
    """n bytes of deterministic, poorly compressible printable text."""
    out = bytearray()
    block = seed.encode()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block.hex().encode()
    return bytes(out[:n])


# ---------------------------------------------------------------- tar

def entry_tarinfo(entry):
    """TarInfo for one entry dict (the spec's keys), names kept verbatim."""
    kind = entry.get("type", "file")
    if kind not in DEFAULT_MODES:
        raise SpecError("entry %r: unknown type %r" % (entry.get("path"), kind))
    ti = tarfile.TarInfo(entry["path"])
    ti.mtime = MTIME
    ti.mode = parse_mode(entry.get("mode"), DEFAULT_MODES[kind])
    ti.uid = int(entry.get("uid", 0))
    ti.gid = int(entry.get("gid", 0))
    ti.uname = ""
    ti.gname = ""
    if kind == "dir":
        ti.type = tarfile.DIRTYPE
    elif kind == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = entry["target"]
    elif kind == "hardlink":
        ti.type = tarfile.LNKTYPE
        ti.linkname = entry["target"]
    else:
        ti.type = tarfile.REGTYPE
    return ti


def entry_content(entry):
    """Bytes of a regular file entry: content, content_base64 or _file."""
    if "_file" in entry:
        with open(entry["_file"], "rb") as f:
            return f.read()
    if "content_base64" in entry:
        return base64.b64decode(entry["content_base64"])
    return entry.get("content", "").encode()


def tar_bytes(entries):
    """An uncompressed tar (pax/ustar) of the entries, in the order given."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            ti = entry_tarinfo(entry)
            if ti.type == tarfile.REGTYPE:
                data = entry_content(entry)
                ti.size = len(data)
                tar.addfile(ti, io.BytesIO(data))
            else:
                tar.addfile(ti)
    return buf.getvalue()


def dir_entries(root):
    """Entries for a directory tree: relative names, parents before children,
    sorted; hard-linked files after the first become hardlink entries."""
    if not os.path.isdir(root):
        raise SpecError("from_dir %r is not a directory" % root)
    names = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for n in dirnames + filenames:
            names.append(n if rel == "." else rel + "/" + n)
    names.sort(key=lambda p: p.split("/"))
    entries, seen = [], {}
    for name in names:
        full = os.path.join(root, name)
        st = os.lstat(full)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            entries.append({"path": name, "type": "dir", "mode": mode})
        elif stat.S_ISLNK(st.st_mode):
            entries.append({"path": name, "type": "symlink", "mode": mode,
                            "target": os.readlink(full)})
        elif stat.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in seen:
                entries.append({"path": name, "type": "hardlink", "mode": mode,
                                "target": seen[key]})
            else:
                seen[key] = name
                entries.append({"path": name, "type": "file", "mode": mode,
                                "_file": full})
        else:
            raise SpecError("from_dir: unsupported file type: %s" % full)
    return entries


def layer_entries(layer):
    """A layer's entries (from_dir first, then the listed ones), each with an
    explicit integer mode: a hard link without one takes its target's mode
    when the target comes earlier in the same layer, as tar would write it."""
    entries = []
    if layer.get("from_dir"):
        entries += dir_entries(layer["from_dir"])
    entries += layer.get("entries", [])
    modes, out = {}, []
    for entry in entries:
        kind = entry.get("type", "file")
        default = DEFAULT_MODES.get(kind, 0o644)
        if kind == "hardlink":
            default = modes.get(norm(entry.get("target", "")), default)
        entry = dict(entry, mode=parse_mode(entry.get("mode"), default))
        modes[norm(entry["path"])] = entry["mode"]
        out.append(entry)
    return out


# ---------------------------------------------------------------- compression

def gzip_bytes(data, level=6):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0,
                       compresslevel=level) as gz:
        gz.write(data)
    return buf.getvalue()


def zstd_bytes(data):
    try:
        proc = subprocess.run(["zstd", "-q", "-c", "-3", "-T1"], input=data,
                              stdout=subprocess.PIPE, check=True)
    except FileNotFoundError:
        raise SpecError("the zstd command is needed for zstd layers")
    return proc.stdout


def compress(data, kind):
    if kind == "gzip":
        return gzip_bytes(data)
    if kind == "zstd":
        return zstd_bytes(data)
    if kind == "none":
        return data
    raise SpecError("unknown compression %r" % kind)


# ---------------------------------------------------------------- ground truth

def is_whiteout(path):
    return posixpath.basename(path).startswith(".wh.")


def norm(path):
    return posixpath.normpath("/" + path.strip("/"))


def under(path, parent):
    """True when path is strictly inside directory parent."""
    if parent == "/":
        return path != "/"
    return path.startswith(parent + "/")


def apply_layers(layers_entries):
    """The final filesystem after applying each layer's entries (a list of
    lists, None for a layer to skip) with OCI whiteout rules.
    Returns (files, deleted, whiteouts) as described in the module doc."""
    fs = {}          # path -> {"path","type","mode","size","layer"}
    deleted, whiteouts = [], []
    for index, entries in enumerate(layers_entries, 1):
        if entries is None:
            continue
        # 1. whiteouts of this layer act on the lower layers only
        lower = dict(fs)
        for entry in entries:
            path = norm(entry["path"])
            if not is_whiteout(path):
                continue
            parent, base = posixpath.split(path)
            if base == ".wh..wh..opq":
                whiteouts.append({"path": parent, "kind": "opaque", "layer": index})
                gone = [p for p in lower if under(p, parent)]
            else:
                target = posixpath.join(parent, base[len(".wh."):])
                whiteouts.append({"path": target, "kind": "file", "layer": index})
                gone = [p for p in lower if p == target or under(p, target)]
            for p in gone:
                if p in fs:
                    del fs[p]
                    deleted.append({"path": p, "layer": index})
        # 2. the layer's own entries, in order
        for entry in entries:
            path = norm(entry["path"])
            if is_whiteout(path):
                continue
            kind = entry.get("type", "file")
            old = fs.get(path)
            if not (old and old["type"] == "dir" and kind == "dir"):
                for p in [p for p in fs if p == path or under(p, path)]:
                    del fs[p]
            size = len(entry_content(entry)) if kind == "file" else 0
            mode = parse_mode(entry.get("mode"), DEFAULT_MODES.get(kind, 0o644))
            fs[path] = {"path": path, "type": kind, "mode": "%04o" % (mode & 0o7777),
                        "size": size, "layer": index}
    files = [fs[p] for p in sorted(fs)]
    deleted.sort(key=lambda d: (d["layer"], d["path"]))
    return files, deleted, whiteouts


# ---------------------------------------------------------------- layout writer

class Layout:
    """An OCI image layout being written in directory `root`."""

    def __init__(self, root, alg="sha256"):
        self.root = root
        self.alg = alg
        os.makedirs(os.path.join(root, "blobs", alg), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "wb") as f:
            f.write(jdump({"imageLayoutVersion": "1.0.0"}))

    def blob_path(self, digest):
        alg, hexd = digest.split(":", 1)
        return os.path.join(self.root, "blobs", alg, hexd)

    def put(self, data, media_type=None):
        """Write a blob; returns its descriptor."""
        digest = digest_of(data, self.alg)
        with open(self.blob_path(digest), "wb") as f:
            f.write(data)
        return descriptor(media_type, digest, len(data))

    def put_named(self, digest, data, media_type=None):
        """Write data under a chosen (possibly wrong) digest name."""
        with open(self.blob_path(digest), "wb") as f:
            f.write(data)
        return descriptor(media_type, digest, len(data))

    def put_parts(self, parts, media_type=None):
        """Write a blob given as a stream of byte strings, without joining
        them in memory. Returns its descriptor."""
        tmp = os.path.join(self.root, "blobs", self.alg, ".tmp")
        h, size = hashlib.new(self.alg), 0
        with open(tmp, "wb") as f:
            for part in parts:
                h.update(part)
                f.write(part)
                size += len(part)
        digest = self.alg + ":" + h.hexdigest()
        os.replace(tmp, self.blob_path(digest))
        return descriptor(media_type, digest, size)

    def put_stream(self, chunks, media_type=None, level=6):
        """Gzip a stream of uncompressed chunks into a blob without holding it
        in memory. Returns (descriptor, diff_id of the uncompressed stream)."""
        tmp = os.path.join(self.root, "blobs", self.alg, ".tmp")
        raw = hashlib.new(self.alg)
        with open(tmp, "wb") as f:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0,
                               compresslevel=level) as gz:
                for chunk in chunks:
                    raw.update(chunk)
                    gz.write(chunk)
        packed = hashlib.new(self.alg)
        with open(tmp, "rb") as f:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                packed.update(chunk)
        digest = self.alg + ":" + packed.hexdigest()
        os.replace(tmp, self.blob_path(digest))
        size = os.path.getsize(self.blob_path(digest))
        return descriptor(media_type, digest, size), self.alg + ":" + raw.hexdigest()

    def write_index(self, manifests):
        with open(os.path.join(self.root, "index.json"), "wb") as f:
            f.write(jdump({"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                           "manifests": manifests}))


def descriptor(media_type, digest, size, **extra):
    d = {}
    if media_type:
        d["mediaType"] = media_type
    d["digest"] = digest
    d["size"] = size
    d.update(extra)
    return d


def tagged(desc, tag):
    return dict(desc, annotations={REF_NAME: tag})


def make_config(arch="amd64", os_name="linux", variant=None, config=None,
                diff_ids=(), created_by=(), cmd_history=True):
    """An image config (OCI and Docker share this shape)."""
    cfg = {"architecture": arch, "os": os_name}
    if variant:
        cfg["variant"] = variant
    cfg["created"] = CREATED
    inner = {k: v for k, v in (config or {}).items() if v is not None}
    cfg["config"] = inner
    cfg["rootfs"] = {"type": "layers", "diff_ids": list(diff_ids)}
    history = [{"created": CREATED, "created_by": c} for c in created_by]
    if cmd_history and inner.get("Cmd"):
        history.append({"created": CREATED,
                        "created_by": "/bin/sh -c #(nop)  CMD " + json.dumps(inner["Cmd"]),
                        "empty_layer": True})
    cfg["history"] = history
    return cfg


def make_manifest(config_desc, layer_descs, docker=False, annotations=None):
    m = {"schemaVersion": 2,
         "mediaType": MT_DOCKER_MANIFEST if docker else MT_OCI_MANIFEST,
         "config": config_desc, "layers": layer_descs}
    if annotations:
        m["annotations"] = annotations
    return m


def simple_image(layout, layer_tars, config=None, arch="amd64", variant=None,
                 compression="gzip"):
    """Layers (uncompressed tars) + config + manifest into layout.
    Returns (manifest descriptor, manifest dict, config dict)."""
    layers, diff_ids = [], []
    for tar in layer_tars:
        diff_ids.append(digest_of(tar, layout.alg))
        layers.append(layout.put(compress(tar, compression), MT_OCI_LAYER[compression]))
    cfg = make_config(arch=arch, variant=variant, config=config, diff_ids=diff_ids,
                      created_by=["COPY layer %d" % i for i in range(1, len(layers) + 1)])
    cdesc = layout.put(jdump(cfg), MT_OCI_CONFIG)
    man = make_manifest(cdesc, layers)
    return layout.put(jdump(man), MT_OCI_MANIFEST), man, cfg


# ---------------------------------------------------------------- build

def build_image(image, spec, alg, put, force_compression=None):
    """Write one image's layers and config via put(data, media_type) and
    return a record with its descriptors and ground truth."""
    docker = bool(spec.get("docker_media_types"))
    layers_out, diff_ids, created_by, truth, descs = [], [], [], [], []
    for i, layer in enumerate(image.get("layers", []), 1):
        comp = force_compression or layer.get("compression", "gzip")
        foreign = bool(layer.get("foreign"))
        table = (MT_DOCKER_FOREIGN if foreign else MT_DOCKER_LAYER) if docker else \
                (MT_OCI_FOREIGN if foreign else MT_OCI_LAYER)
        if comp not in table:
            raise SpecError("layer %d: compression %r has no %s media type"
                            % (i, comp, "Docker" if docker else "OCI"))
        entries = layer_entries(layer)
        tar = tar_bytes(entries)
        blob = compress(tar, comp)
        diff_id = digest_of(tar, alg)
        if foreign:
            digest = digest_of(blob, alg)
            desc = descriptor(table[comp], digest, len(blob),
                              urls=["https://foreign.example/blobs/" + digest])
            truth.append(None)
        else:
            desc = put(blob, table[comp])
            truth.append(entries)
        descs.append(desc)
        diff_ids.append(diff_id)
        created_by.append(layer.get("created_by", "COPY layer %d" % i))
        layers_out.append({"digest": desc["digest"], "diff_id": diff_id,
                           "size": desc["size"], "media_type": desc["mediaType"],
                           "_tar": tar})
    cfg = make_config(arch=image.get("architecture", "amd64"),
                      os_name=image.get("os", "linux"),
                      variant=image.get("variant"),
                      config=image.get("config"),
                      diff_ids=diff_ids, created_by=created_by)
    cdesc = put(jdump(cfg), MT_DOCKER_CONFIG if docker else MT_OCI_CONFIG)
    files, deleted, whiteouts = apply_layers(truth)
    platform = {"architecture": cfg["architecture"], "os": cfg["os"]}
    if cfg.get("variant"):
        platform["variant"] = cfg["variant"]
    return {"platform": platform, "config_desc": cdesc, "config": cfg,
            "layer_descs": descs, "layers": layers_out, "docker": docker,
            "annotations": image.get("annotations"),
            "files": files, "deleted": deleted, "whiteouts": whiteouts}


def write_layout(spec, root, alg, force_compression=None):
    """Write spec's images as an OCI layout in root; returns (top descriptor
    that index.json lists, per-image records)."""
    layout = Layout(root, alg)
    docker = bool(spec.get("docker_media_types"))
    tag = spec.get("tag", "latest")
    records = []
    for image in spec["images"]:
        rec = build_image(image, spec, alg, layout.put, force_compression)
        man = make_manifest(rec["config_desc"], rec["layer_descs"], docker,
                            rec["annotations"])
        rec["manifest_desc"] = layout.put(jdump(man), man["mediaType"])
        records.append(rec)
    if len(records) == 1:
        top = records[0]["manifest_desc"]
    else:
        index = {"schemaVersion": 2,
                 "mediaType": MT_DOCKER_LIST if docker else MT_OCI_INDEX,
                 "manifests": [dict(r["manifest_desc"], platform=r["platform"])
                               for r in records]}
        top = layout.put(jdump(index), index["mediaType"])
    layout.write_index([tagged(top, tag)])
    return top, records


def tar_tree(root, out_file, names):
    """Write the given relative paths under root into an uncompressed tar,
    in that order, deterministically (directories get a trailing /)."""
    tmp = out_file + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in names:
            full = os.path.join(root, name)
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 0, 0, "", ""
            if os.path.isdir(full):
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(ti)
            else:
                ti.mode = 0o644
                ti.size = os.path.getsize(full)
                with open(full, "rb") as f:
                    tar.addfile(ti, f)
    os.replace(tmp, out_file)


def layout_names(root):
    """Archive member order for an OCI layout: oci-layout, index.json, blobs."""
    names = ["oci-layout", "index.json"]
    for alg in sorted(os.listdir(os.path.join(root, "blobs"))):
        names += ["blobs/" + alg + "/" + h
                  for h in sorted(os.listdir(os.path.join(root, "blobs", alg)))]
    return names


def repo_name(spec, out):
    name = spec.get("name")
    if not name:
        name = os.path.basename(os.path.normpath(out)).split(".")[0]
    name = "".join(c for c in name.lower() if c.isalnum() or c in "._-")
    return "fixtures/" + (name or "image")


def build_docker_archive(spec, out, tmp):
    """The pre-Docker-25 `docker save` form (one image)."""
    image = spec["images"][0]
    files = {}      # archive name -> bytes, kept in insertion order

    def put(data, media_type):
        return descriptor(media_type, digest_of(data), len(data))

    # no media types are stored here; report the ones `docker load` implies
    rec = build_image(image, dict(spec, docker_media_types=True), "sha256", put,
                      force_compression="none")
    layer_paths, parent = [], ""
    for layer in rec["layers"]:
        lid = hashlib.sha256((parent + " " + layer["diff_id"]).encode()).hexdigest()
        v1 = {"id": lid}
        if parent:
            v1["parent"] = parent
        v1.update({"created": CREATED, "os": rec["config"]["os"],
                   "architecture": rec["config"]["architecture"]})
        files[lid + "/"] = None
        files[lid + "/VERSION"] = b"1.0"
        files[lid + "/json"] = jdump(v1)
        files[lid + "/layer.tar"] = layer["_tar"]
        layer_paths.append(lid + "/layer.tar")
        parent = lid
    config_bytes = jdump(rec["config"])
    config_name = hexpart(rec["config_desc"]["digest"]) + ".json"
    files[config_name] = config_bytes
    repo, tag = repo_name(spec, out), spec.get("tag", "latest")
    files["manifest.json"] = jdump([{"Config": config_name,
                                     "RepoTags": [repo + ":" + tag],
                                     "Layers": layer_paths}])
    files["repositories"] = jdump({repo: {tag: parent}}) if parent else b"{}"
    write_member_dict(tmp, out, files)
    rec["manifest_desc"] = None
    return rec


def write_member_dict(tmp, out, files):
    """Materialise {name: bytes|None(dir)} under tmp/tree and tar it to out."""
    tree = os.path.join(tmp, "tree")
    os.makedirs(tree, exist_ok=True)
    for name, data in files.items():
        path = os.path.join(tree, name)
        if data is None:
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    tar_tree(tree, out, [n.rstrip("/") for n in files])


def build_docker_archive_oci(spec, out, tmp):
    """The Docker 25+ `docker save` form: OCI layout plus manifest.json."""
    tree = os.path.join(tmp, "tree")
    top, records = write_layout(spec, tree, "sha256", force_compression="none")
    rec = records[0]
    repo, tag = repo_name(spec, out), spec.get("tag", "latest")
    index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
             "manifests": [dict(top, annotations={
                 "io.containerd.image.name": "docker.io/" + repo + ":" + tag,
                 REF_NAME: tag})]}
    with open(os.path.join(tree, "index.json"), "wb") as f:
        f.write(jdump(index))
    with open(os.path.join(tree, "manifest.json"), "wb") as f:
        f.write(jdump([{"Config": "blobs/sha256/" + hexpart(rec["config_desc"]["digest"]),
                        "RepoTags": [repo + ":" + tag],
                        "Layers": ["blobs/sha256/" + hexpart(l["digest"])
                                   for l in rec["layers"]]}]))
    with open(os.path.join(tree, "repositories"), "wb") as f:
        f.write(jdump({repo: {tag: hexpart(rec["layers"][-1]["digest"])}}
                      if rec["layers"] else {}))
    blobs = sorted(os.listdir(os.path.join(tree, "blobs", "sha256")))
    names = ["blobs", "blobs/sha256"] + ["blobs/sha256/" + b for b in blobs] + \
            ["index.json", "manifest.json", "oci-layout", "repositories"]
    tar_tree(tree, out, names)
    return top, records


def check_spec(spec):
    fmt = spec.get("format", "oci")
    if fmt not in FORMATS:
        raise SpecError("format must be one of %s" % ", ".join(FORMATS))
    alg = spec.get("digest_algorithm", "sha256")
    if alg not in ("sha256", "sha512"):
        raise SpecError("digest_algorithm must be sha256 or sha512")
    if not spec.get("images"):
        raise SpecError("spec has no images")
    if fmt.startswith("docker"):
        if len(spec["images"]) != 1:
            raise SpecError("%s holds exactly one image" % fmt)
        if alg != "sha256":
            raise SpecError("%s is sha256 only" % fmt)
        if any(l.get("foreign") for l in spec["images"][0].get("layers", [])):
            raise SpecError("%s cannot hold foreign layers" % fmt)
    return fmt, alg


def record_json(rec):
    return {"platform": rec["platform"],
            "manifest_digest": rec["manifest_desc"]["digest"] if rec["manifest_desc"] else None,
            "config_digest": rec["config_desc"]["digest"],
            "layers": [{k: l[k] for k in ("digest", "diff_id", "size", "media_type")}
                       for l in rec["layers"]],
            "files": rec["files"], "deleted": rec["deleted"],
            "whiteouts": rec["whiteouts"]}


def cmd_build(spec_path, out):
    with open(spec_path, "rb") as f:
        spec = json.load(f)
    fmt, alg = check_spec(spec)
    with tempfile.TemporaryDirectory(prefix="mkimage.") as tmp:
        if fmt == "oci":
            prepare_out_dir(out)
            top, records = write_layout(spec, out, alg)
        elif fmt == "oci-archive":
            prepare_out_file(out)
            tree = os.path.join(tmp, "tree")
            top, records = write_layout(spec, tree, alg)
            tar_tree(tree, out, layout_names(tree))
        elif fmt == "docker-archive":
            prepare_out_file(out)
            records, top = [build_docker_archive(spec, out, tmp)], None
        else:
            prepare_out_file(out)
            top, records = build_docker_archive_oci(spec, out, tmp)
    first = record_json(records[0])
    result = {"format": fmt,
              "manifest_digest": top["digest"] if top else None,
              "config_digest": first["config_digest"],
              "layers": first["layers"], "files": first["files"],
              "deleted": first["deleted"], "whiteouts": first["whiteouts"],
              "images": [record_json(r) for r in records]}
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


def prepare_out_dir(out):
    """Make out an empty directory; an existing OCI layout is replaced."""
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.exists(os.path.join(out, "oci-layout")):
            raise SpecError("%s exists and is not an OCI layout: not replacing it" % out)
        for name in os.listdir(out):
            path = os.path.join(out, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
    elif os.path.exists(out) and not os.path.isdir(out):
        raise SpecError("%s exists and is not a directory" % out)
    os.makedirs(out, exist_ok=True)


def prepare_out_file(out):
    if os.path.isdir(out):
        raise SpecError("%s is a directory; this format writes a file" % out)
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)


# ---------------------------------------------------------------- hostile cases
#
# Each case writes an OCI layout (docker-archive file where said) in which
# every digest and size is consistent except for the one named flaw.

def small_layer(name="etc/os-release", content="ID=debian\nVERSION_ID=12\n"):
    return tar_bytes([{"path": "etc", "type": "dir"},
                      {"path": name, "type": "file", "content": content}])


def one_layer_image(out, tar, compression="gzip"):
    layout = Layout(out)
    mdesc, _, _ = simple_image(layout, [tar], compression=compression)
    layout.write_index([tagged(mdesc, "latest")])
    return layout


def hostile_truncated_gzip(out):
    """The only layer's gzip stream is cut in the middle; the descriptor
    describes the cut blob, diff_id the full tar."""
    layout = Layout(out)
    tar = small_layer("etc/data.txt", det_text(64 * 1024).decode())
    blob = gzip_bytes(tar)
    cut = blob[:len(blob) // 2]
    ldesc = layout.put(cut, MT_OCI_LAYER["gzip"])
    cfg = make_config(diff_ids=[digest_of(tar)], created_by=["COPY data"])
    cdesc = layout.put(jdump(cfg), MT_OCI_CONFIG)
    mdesc = layout.put(jdump(make_manifest(cdesc, [ldesc])), MT_OCI_MANIFEST)
    layout.write_index([tagged(mdesc, "latest")])


def hostile_wrong_blob_digest(out):
    """The layer blob's bytes change after its digest was taken: the gzip
    header's MTIME field is rewritten, so the blob keeps its size, still
    decompresses to the same tar (diff_id right), but no longer hashes to the
    name it is stored under."""
    tar = small_layer()
    blob = gzip_bytes(tar)
    layout = Layout(out)
    mdesc, man, _ = simple_image(layout, [tar])
    layout.write_index([tagged(mdesc, "latest")])
    path = layout.blob_path(man["layers"][0]["digest"])
    changed = blob[:4] + (MTIME).to_bytes(4, "little") + blob[8:]
    assert len(changed) == len(blob) and changed != blob
    with open(path, "wb") as f:
        f.write(changed)


def hostile_wrong_diff_id(out):
    """config rootfs.diff_ids[0] is a well-formed sha256 of something else."""
    layout = Layout(out)
    tar = small_layer()
    ldesc = layout.put(gzip_bytes(tar), MT_OCI_LAYER["gzip"])
    cfg = make_config(diff_ids=[digest_of(b"not the layer\n")], created_by=["COPY os-release"])
    cdesc = layout.put(jdump(cfg), MT_OCI_CONFIG)
    mdesc = layout.put(jdump(make_manifest(cdesc, [ldesc])), MT_OCI_MANIFEST)
    layout.write_index([tagged(mdesc, "latest")])


def hostile_missing_blob(out):
    """The layer blob file is removed from blobs/."""
    layout = Layout(out)
    mdesc, man, _ = simple_image(layout, [small_layer()])
    layout.write_index([tagged(mdesc, "latest")])
    os.remove(layout.blob_path(man["layers"][0]["digest"]))


def hostile_dotdot_path(out):
    """A tar entry named ../../etc/evil after a normal etc/ok."""
    one_layer_image(out, tar_bytes([
        {"path": "etc", "type": "dir"},
        {"path": "etc/ok", "type": "file", "content": "ok\n"},
        {"path": "../../etc/evil", "type": "file", "content": "evil\n"}]))


def hostile_absolute_path(out):
    """A tar entry named /etc/evil after a normal etc/ok."""
    one_layer_image(out, tar_bytes([
        {"path": "etc", "type": "dir"},
        {"path": "etc/ok", "type": "file", "content": "ok\n"},
        {"path": "/etc/evil", "type": "file", "content": "evil\n"}]))


def hostile_dotdot_hardlink(out):
    """A hard link etc/link whose target is ../../etc/shadow."""
    one_layer_image(out, tar_bytes([
        {"path": "etc", "type": "dir"},
        {"path": "etc/ok", "type": "file", "content": "ok\n"},
        {"path": "etc/link", "type": "hardlink", "target": "../../etc/shadow"}]))


def hostile_wide_uid(out):
    """etc/shadow owned by uid 2^32 (a pax header carries it): no Linux id, and a runtime that
    truncates it to 32 bits would make the file root's."""
    one_layer_image(out, tar_bytes([
        {"path": "etc", "type": "dir"},
        {"path": "etc/shadow", "type": "file", "content": "root:*:19000::::::\n", "uid": 2 ** 32}]))


def hostile_symlink_loop(out):
    """etc/os-release -> os-release2 -> os-release, plus etc/hostname."""
    one_layer_image(out, tar_bytes([
        {"path": "etc", "type": "dir"},
        {"path": "etc/hostname", "type": "file", "content": "bulwark\n"},
        {"path": "etc/os-release", "type": "symlink", "target": "os-release2"},
        {"path": "etc/os-release2", "type": "symlink", "target": "os-release"}]))


def zeros(n):
    """n zero bytes as a stream of chunks."""
    block = bytes(CHUNK)
    while n > 0:
        yield block[:min(n, CHUNK)]
        n -= CHUNK


def bomb_image(out, chunks):
    layout = Layout(out)
    ldesc, diff_id = layout.put_stream(chunks, MT_OCI_LAYER["gzip"], level=6)
    cfg = make_config(diff_ids=[diff_id], created_by=["COPY big"])
    cdesc = layout.put(jdump(cfg), MT_OCI_CONFIG)
    mdesc = layout.put(jdump(make_manifest(cdesc, [ldesc])), MT_OCI_MANIFEST)
    layout.write_index([tagged(mdesc, "latest")])


def hostile_gzip_bomb(out):
    """One layer: a tar holding one regular file `big`, 1 GiB of zeros
    (honest header size), gzipped as a stream (about 1 MiB of blob)."""
    def chunks():
        ti = tarfile.TarInfo("big")
        ti.size, ti.mtime, ti.mode, ti.uname, ti.gname = GIB, MTIME, 0o644, "", ""
        yield ti.tobuf(tarfile.PAX_FORMAT)
        yield from zeros(GIB)              # a multiple of 512: no padding
        yield bytes(2 * tarfile.BLOCKSIZE)  # end-of-archive
    bomb_image(out, chunks())


def hostile_trailing_zeros_bomb(out):
    """A valid one-file tar followed by 1 GiB of zeros after its
    end-of-archive blocks, gzipped; diff_id covers the whole stream."""
    def chunks():
        yield small_layer()
        yield from zeros(GIB)
    bomb_image(out, chunks())


def hostile_huge_manifest(out):
    """The manifest is ~100 MB of valid JSON: one huge annotation value."""
    layout = Layout(out)
    tar = small_layer()
    ldesc = layout.put(gzip_bytes(tar), MT_OCI_LAYER["gzip"])
    cfg = make_config(diff_ids=[digest_of(tar)], created_by=["COPY os-release"])
    cdesc = layout.put(jdump(cfg), MT_OCI_CONFIG)
    head = jdump(make_manifest(cdesc, [ldesc], annotations={"fixtures.pad": ""}))
    head = head[:-len(b'"}}')]       # reopen the empty annotation string

    def parts():
        yield head
        for _ in range(100):
            yield b"x" * 1_000_000
        yield b'"}}'
    mdesc = layout.put_parts(parts(), MT_OCI_MANIFEST)
    layout.write_index([tagged(mdesc, "latest")])


def hostile_deep_json(out):
    """The manifest carries an extra field "x-deep" whose value is arrays
    nested 10,000 levels deep; everything else is a normal manifest."""
    layout = Layout(out)
    tar = small_layer()
    ldesc = layout.put(gzip_bytes(tar), MT_OCI_LAYER["gzip"])
    cfg = make_config(diff_ids=[digest_of(tar)], created_by=["COPY os-release"])
    cdesc = layout.put(jdump(cfg), MT_OCI_CONFIG)
    text = jdump(make_manifest(cdesc, [ldesc]))
    deep = b"[" * 10000 + b"]" * 10000
    text = text[:-1] + b',"x-deep":' + deep + b"}"
    mdesc = layout.put(text, MT_OCI_MANIFEST)
    layout.write_index([tagged(mdesc, "latest")])


def hostile_duplicate_keys(out):
    """The manifest has "config" twice: two different, both valid config
    blobs (labels differ), so only the duplicate key is wrong."""
    layout = Layout(out)
    tar = small_layer()
    ldesc = layout.put(gzip_bytes(tar), MT_OCI_LAYER["gzip"])
    descs = []
    for which in ("first", "second"):
        cfg = make_config(config={"Labels": {"fixtures.config": which}},
                          diff_ids=[digest_of(tar)], created_by=["COPY os-release"])
        descs.append(jdump(layout.put(jdump(cfg), MT_OCI_CONFIG)))
    text = (b'{"schemaVersion":2,"mediaType":"' + MT_OCI_MANIFEST.encode() + b'",'
            b'"config":' + descs[0] + b',"config":' + descs[1] +
            b',"layers":[' + jdump(ldesc) + b"]}")
    mdesc = layout.put(text, MT_OCI_MANIFEST)
    layout.write_index([tagged(mdesc, "latest")])


def hostile_index_self(out):
    """index.json points to an index blob stored under name D whose content
    lists D itself (content cannot hash to D; sizes are right)."""
    layout = Layout(out)
    d = digest_of(b"bulwark index-self")
    size = 0
    while True:   # the size appears inside the content: find the fixpoint
        content = jdump({"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                         "manifests": [descriptor(MT_OCI_INDEX, d, size)]})
        if len(content) == size:
            break
        size = len(content)
    layout.put_named(d, content)
    layout.write_index([tagged(descriptor(MT_OCI_INDEX, d, size), "latest")])


def hostile_index_deep(out):
    """index.json -> 20 nested image index blobs -> a real linux/amd64
    manifest; every digest correct."""
    layout = Layout(out)
    mdesc, _, _ = simple_image(layout, [small_layer()])
    desc = dict(mdesc, platform={"architecture": "amd64", "os": "linux"})
    for _ in range(20):
        index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": [desc]}
        desc = layout.put(jdump(index), MT_OCI_INDEX)
    layout.write_index([tagged(desc, "latest")])


def hostile_many_layers(out):
    """A manifest with 1,000 tiny gzip layers, each adding one file fNNNN."""
    tars = [tar_bytes([{"path": "f%04d" % i, "type": "file", "content": "%d\n" % i}])
            for i in range(1, 1001)]
    layout = Layout(out)
    mdesc, _, _ = simple_image(layout, tars)
    layout.write_index([tagged(mdesc, "latest")])


def hostile_platform_missing(out):
    """An index with only linux/arm64/v8 and linux/s390x manifests."""
    layout = Layout(out)
    descs = []
    for arch, variant in (("arm64", "v8"), ("s390x", None)):
        mdesc, _, _ = simple_image(layout, [small_layer()], arch=arch, variant=variant)
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        descs.append(dict(mdesc, platform=platform))
    index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": descs}
    layout.write_index([tagged(layout.put(jdump(index), MT_OCI_INDEX), "latest")])


def docker_archive_members(manifest_text, configs, tar):
    """Members of an old-form docker-archive with one layer and the given
    config bodies; manifest.json text given verbatim."""
    lid = hashlib.sha256((" " + digest_of(tar)).encode()).hexdigest()
    files = {lid + "/": None, lid + "/VERSION": b"1.0",
             lid + "/json": jdump({"id": lid, "created": CREATED, "os": "linux",
                                   "architecture": "amd64"}),
             lid + "/layer.tar": tar}
    for body in configs:
        files[hexpart(digest_of(body)) + ".json"] = body
    files["manifest.json"] = manifest_text
    files["repositories"] = jdump({"fixtures/hostile": {"latest": lid}})
    return lid, files


def docker_config(tar, label="first"):
    return jdump(make_config(config={"Labels": {"fixtures.config": label}},
                             diff_ids=[digest_of(tar)], created_by=["COPY os-release"]))


def hostile_docker_manifest_dotdot(out):
    """docker-archive: manifest.json Layers[0] is ../../etc/passwd (the real
    layer is still in the archive, unreferenced)."""
    tar = small_layer()
    cfg = docker_config(tar)
    man = jdump([{"Config": hexpart(digest_of(cfg)) + ".json",
                  "RepoTags": ["fixtures/hostile:latest"],
                  "Layers": ["../../etc/passwd"]}])
    _, files = docker_archive_members(man, [cfg], tar)
    with tempfile.TemporaryDirectory(prefix="mkimage.") as tmp:
        write_member_dict(tmp, out, files)


def hostile_docker_manifest_duplicate_keys(out):
    """docker-archive: manifest.json has "Config" twice, naming two different
    config files that are both present and valid."""
    tar = small_layer()
    cfgs = [docker_config(tar, "first"), docker_config(tar, "second")]
    lid = hashlib.sha256((" " + digest_of(tar)).encode()).hexdigest()
    names = [json.dumps(hexpart(digest_of(c)) + ".json").encode() for c in cfgs]
    man = (b'[{"Config":' + names[0] + b',"Config":' + names[1] +
           b',"RepoTags":["fixtures/hostile:latest"],"Layers":["' +
           lid.encode() + b'/layer.tar"]}]')
    _, files = docker_archive_members(man, cfgs, tar)
    with tempfile.TemporaryDirectory(prefix="mkimage.") as tmp:
        write_member_dict(tmp, out, files)


def hostile_schema1(out):
    """A Docker schema 1 manifest (schemaVersion 1, descriptor and body
    mediaType ...manifest.v1+prettyjws) whose one fsLayer blob exists.
    It carries no "signatures"."""
    layout = Layout(out)
    tar = small_layer()
    ldesc = layout.put(gzip_bytes(tar))
    v1 = {"id": hashlib.sha256(b"schema1").hexdigest(), "created": CREATED,
          "architecture": "amd64", "os": "linux",
          "container_config": {"Cmd": ["/bin/sh -c #(nop) COPY os-release"]}}
    man = {"schemaVersion": 1, "mediaType": MT_SCHEMA1_SIGNED,
           "name": "fixtures/schema1", "tag": "latest", "architecture": "amd64",
           "fsLayers": [{"blobSum": ldesc["digest"]}],
           "history": [{"v1Compatibility": json.dumps(v1, separators=(",", ":"))}]}
    mdesc = layout.put(jdump(man), MT_SCHEMA1_SIGNED)
    layout.write_index([tagged(mdesc, "latest")])


HOSTILE = {
    "truncated-gzip": hostile_truncated_gzip,
    "wrong-blob-digest": hostile_wrong_blob_digest,
    "wrong-diff-id": hostile_wrong_diff_id,
    "missing-blob": hostile_missing_blob,
    "dotdot-path": hostile_dotdot_path,
    "absolute-path": hostile_absolute_path,
    "dotdot-hardlink": hostile_dotdot_hardlink,
    "wide-uid": hostile_wide_uid,
    "symlink-loop": hostile_symlink_loop,
    "gzip-bomb": hostile_gzip_bomb,
    "trailing-zeros-bomb": hostile_trailing_zeros_bomb,
    "huge-manifest": hostile_huge_manifest,
    "deep-json": hostile_deep_json,
    "duplicate-keys": hostile_duplicate_keys,
    "index-self": hostile_index_self,
    "index-deep": hostile_index_deep,
    "many-layers": hostile_many_layers,
    "platform-missing": hostile_platform_missing,
    "docker-manifest-dotdot": hostile_docker_manifest_dotdot,
    "docker-manifest-duplicate-keys": hostile_docker_manifest_duplicate_keys,
    "schema1": hostile_schema1,
}
ARCHIVE_CASES = ("docker-manifest-dotdot", "docker-manifest-duplicate-keys")


def cmd_hostile(case, out):
    if case not in HOSTILE:
        raise SpecError("unknown hostile case %r (see list-hostile)" % case)
    if case in ARCHIVE_CASES:
        prepare_out_file(out)
    else:
        prepare_out_dir(out)
    HOSTILE[case](out)


# ---------------------------------------------------------------- main

USAGE = """usage: mkimage.py build SPEC.json OUT
       mkimage.py hostile CASE OUT
       mkimage.py list-hostile"""


def main(argv):
    try:
        if len(argv) == 3 and argv[0] == "build":
            cmd_build(argv[1], argv[2])
        elif len(argv) == 3 and argv[0] == "hostile":
            cmd_hostile(argv[1], argv[2])
        elif len(argv) == 1 and argv[0] == "list-hostile":
            for name in HOSTILE:
                print(name)
        else:
            print(USAGE, file=sys.stderr)
            return 2
    except (SpecError, OSError, ValueError, KeyError, json.JSONDecodeError) as e:
        print("mkimage: error: %s" % (e if not isinstance(e, KeyError)
                                      else "missing key %s" % e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
