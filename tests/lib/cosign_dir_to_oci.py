#!/usr/bin/python3
"""tests/lib/cosign_dir_to_oci.py: containers/image's on-disk cosign fixtures as an OCI layout.

    cosign_dir_to_oci.py FIXTURE_DIR OUT_DIR [--drop KEY] [--set KEY=VALUE] [--bundle-from DIR]

FIXTURE_DIR holds manifest.json (the image manifest) and signature-N files in
containers/image's form (b"\\x00sigstore-json\\n" + {"mimeType","payload","annotations"}),
each one layer of cosign's .sig manifest. OUT_DIR becomes an OCI layout with the
image manifest tagged "v1" and, tagged sha256-<hex>.sig, a cosign signature
manifest whose layers are those payloads with their annotations (byte for byte
as cosign pushed them). Only the manifests and signature blobs are written: the
image's own layers are not needed to verify its signatures. --drop / --set
change one annotation of every layer; --bundle-from grafts the
dev.sigstore.cosign/bundle annotation of another fixture's first signature.
"""
import base64
import hashlib
import json
import os
import sys

src, out = sys.argv[1], sys.argv[2]
edits = sys.argv[3:]


def read_sig(path):
    raw = open(path, "rb").read()
    return json.loads(raw[raw.index(b"\n") + 1:])


def edit(ann):
    for flag, arg in zip(edits[::2], edits[1::2]):
        if flag == "--drop":
            ann.pop(arg, None)
        elif flag == "--set":
            k, v = arg.split("=", 1)
            ann[k] = v
        elif flag == "--bundle-from":
            ann["dev.sigstore.cosign/bundle"] = read_sig(f"{arg}/signature-1")["annotations"]["dev.sigstore.cosign/bundle"]
        else:
            sys.exit("unknown option " + flag)
    return ann
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)


def blob(data):
    h = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{h}", "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}


man = open(f"{src}/manifest.json", "rb").read()
img = blob(man)
img["mediaType"] = json.loads(man).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
img["annotations"] = {"org.opencontainers.image.ref.name": "v1"}
layers = []
for name in sorted(n for n in os.listdir(src) if n.startswith("signature-")):
    sig = read_sig(f"{src}/{name}")
    d = blob(base64.b64decode(sig["payload"]))
    d["mediaType"] = sig["mimeType"]
    d["annotations"] = edit(sig["annotations"])
    layers.append(d)
cfg = blob(json.dumps({"architecture": "", "os": "", "config": {},
                       "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode())
cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
sigman = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "config": cfg, "layers": layers}).encode())
sigman["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
sigman["annotations"] = {"org.opencontainers.image.ref.name": img["digest"].replace(":", "-") + ".sig"}
json.dump({"schemaVersion": 2, "manifests": [img, sigman]}, open(f"{out}/index.json", "w"))
open(f"{out}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
print(img["digest"])
