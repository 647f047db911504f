#!/usr/bin/python3
"""bench/lib/mkimage.py KIND OUTDIR: writes a large synthetic OCI image layout for bench/scale.sh.

KIND is one of
  files1m   one layer of 1,000,000 small files (100 bytes each, 1,000 directories)
  big2g     four layers of 512 MiB each: 64 files of 8 MiB of pseudo-random text
  jars500   one layer of 500 jars (Maven pom.properties inside), plus a base layer
  lock100m  one layer holding a 100 MB package-lock.json (v3, ~250,000 packages)
Layers are gzip-compressed by igzip (-1), streamed: nothing is held in memory. The config's
diff_ids are computed while the tar is written, as a builder would.
"""
import hashlib, io, json, os, random, subprocess, sys, tarfile, zipfile


class HashingWriter:
    """Feeds bytes to igzip and hashes the uncompressed stream (the diff_id)."""
    def __init__(self, path):
        self.out = open(path, "wb")
        self.proc = subprocess.Popen(["igzip", "-1", "-c"], stdin=subprocess.PIPE, stdout=self.out)
        self.h = hashlib.sha256()

    def write(self, b):
        self.h.update(b)
        self.proc.stdin.write(b)
        return len(b)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
        self.out.close()
        return "sha256:" + self.h.hexdigest()


def add_bytes(tar, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = len(data), mode, 1700000000
    tar.addfile(ti, io.BytesIO(data))


def add_dir(tar, name):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1700000000
    tar.addfile(ti)


def layer_files1m(tar):
    payload = b"x" * 99 + b"\n"
    for d in range(1000):
        add_dir(tar, "data/d%04d" % d)
        for f in range(1000):
            add_bytes(tar, "data/d%04d/f%04d.txt" % (d, f), payload)


def layer_big(tar, seed):
    rnd = random.Random(seed)
    words = [("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))).encode()
             for _ in range(4096)]
    block = b" ".join(rnd.choice(words) for _ in range(250000))[:1 << 20]  # 1 MiB of text
    assert len(block) == 1 << 20
    add_dir(tar, "big")
    add_dir(tar, "big/l%d" % seed)
    for f in range(64):
        ti = tarfile.TarInfo("big/l%d/f%02d.txt" % (seed, f))
        ti.size, ti.mode, ti.mtime = 8 << 20, 0o644, 1700000000
        # 8 different 1 MiB slices rotated, so the content is not one repeated block
        data = b"".join(block[(i * 4099) % len(block):] + block[:(i * 4099) % len(block)] for i in range(8))
        tar.addfile(ti, io.BytesIO(data))


def jar_bytes(group, artifact, version):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Title: %s\n"
                   "Implementation-Version: %s\n" % (artifact, version))
        z.writestr("META-INF/maven/%s/%s/pom.properties" % (group, artifact),
                   "groupId=%s\nartifactId=%s\nversion=%s\n" % (group, artifact, version))
        for i in range(20):
            z.writestr("%s/C%d.class" % (group.replace(".", "/"), i), os.urandom(2048))
    return b.getvalue()


def layer_jars(tar):
    add_dir(tar, "app")
    add_dir(tar, "app/lib")
    for i in range(500):
        add_bytes(tar, "app/lib/lib%03d-1.%d.%d.jar" % (i, i % 7, i % 13),
                  jar_bytes("org.bench.g%d" % (i % 40), "lib%03d" % i, "1.%d.%d" % (i % 7, i % 13)))


def layer_lock(tar):
    pkgs = {"": {"name": "bench", "version": "1.0.0"}}
    i = 0
    while True:
        name = "pkg-%06d" % i
        pkgs["node_modules/" + name] = {
            "version": "1.%d.%d" % (i % 50, i % 17),
            "resolved": "https://registry.npmjs.org/%s/-/%s-1.%d.%d.tgz" % (name, name, i % 50, i % 17),
            "integrity": "sha512-" + hashlib.sha512(name.encode()).hexdigest()[:86] + "==",
            "license": "MIT"}
        i += 1
        if i % 10000 == 0 and len(json.dumps(pkgs)) > 100_000_000:
            break
    data = json.dumps({"name": "bench", "version": "1.0.0", "lockfileVersion": 3, "packages": pkgs},
                      indent=2).encode()
    add_dir(tar, "app")
    add_bytes(tar, "app/package.json", b'{"name":"bench","version":"1.0.0"}\n')
    add_bytes(tar, "app/package-lock.json", data)


def write_blob(root, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}


def main():
    kind, root = sys.argv[1], sys.argv[2]
    layers = {"files1m": [layer_files1m], "big2g": [lambda t, s=s: layer_big(t, s) for s in range(4)],
              "jars500": [layer_jars], "lock100m": [layer_lock]}[kind]
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    descs, diff_ids = [], []
    for fill in layers:
        tmp = os.path.join(root, "layer.tmp")
        w = HashingWriter(tmp)
        with tarfile.open(fileobj=w, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            fill(tar)
        diff_ids.append(w.close())
        h = hashlib.sha256()
        with open(tmp, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        size = os.path.getsize(tmp)
        os.rename(tmp, os.path.join(root, "blobs", "sha256", h.hexdigest()))
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": "sha256:" + h.hexdigest(), "size": size})
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "history": [{"created_by": "bench/lib/mkimage.py %s" % kind} for _ in diff_ids]}
    cdesc = write_blob(root, json.dumps(config).encode())
    cdesc["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": descs}
    mdesc = write_blob(root, json.dumps(manifest).encode())
    mdesc["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    json.dump({"schemaVersion": 2, "manifests": [mdesc]}, open(os.path.join(root, "index.json"), "w"))
    json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(root, "oci-layout"), "w"))


if __name__ == "__main__":
    main()
