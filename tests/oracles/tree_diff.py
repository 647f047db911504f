#!/usr/bin/python3
"""tree_diff.py: the ground truth for `bulwark diff` files and `bulwark drift`,
from real directories (root filesystems unpacked by umoci), written without
reading src/.

    tree_diff.py manifest ROOT            one JSON object per entry: path, type,
                                          mode, uid, gid, size, digest, link
    tree_diff.py diff ROOT_A ROOT_B [--no-dir-modes]
                                          {"added": [...], "removed": [...],
                                           "changed": {path: [what...]}}

Types: file, dir, symlink, char, block, fifo, socket. Digests: sha256 of a
regular file's bytes. Symlinks are never followed (os.lstat, os.readlink).
"what" names: type, content, mode, owner, link (type alone when the type
differs; directories compare mode and owner, or owner only with --no-dir-modes;
symlinks compare their target, not their mode).
"""
import hashlib
import json
import os
import stat
import sys


def kind(m):
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
                       (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISFIFO, "fifo")):
        if test(m):
            return name
    return "socket"


def manifest(root):
    out = {}
    for d, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            full = os.path.join(d, name)
            st = os.lstat(full)
            path = "/" + os.path.relpath(full, root)
            e = {"type": kind(st.st_mode), "mode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(full, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                e["digest"] = "sha256:" + h.hexdigest()
                e["size"] = st.st_size
            if stat.S_ISLNK(st.st_mode):
                e["link"] = os.readlink(full)
            out[path] = e
    return out


def what(a, b, dir_modes):
    if a["type"] != b["type"]:
        return ["type"]
    w = []
    if a["type"] == "file" and a.get("digest") != b.get("digest"):
        w.append("content")
    if a["type"] != "symlink" and (a["type"] != "dir" or dir_modes) and a["mode"] != b["mode"]:
        w.append("mode")
    if (a["uid"], a["gid"]) != (b["uid"], b["gid"]):
        w.append("owner")
    if a["type"] == "symlink" and a["link"] != b["link"]:
        w.append("link")
    order = ["type", "content", "mode", "owner", "link"]
    return sorted(w, key=order.index)


def main():
    if sys.argv[1] == "manifest":
        for p, e in sorted(manifest(sys.argv[2]).items()):
            print(json.dumps(dict(path=p, **e), sort_keys=True))
        return
    a, b = manifest(sys.argv[2]), manifest(sys.argv[3])
    dir_modes = "--no-dir-modes" not in sys.argv
    changed = {}
    for p in sorted(set(a) & set(b)):
        w = what(a[p], b[p], dir_modes)
        if w:
            changed[p] = w
    print(json.dumps({"added": sorted(set(b) - set(a)), "removed": sorted(set(a) - set(b)), "changed": changed},
                     indent=1, sort_keys=True))


main()
