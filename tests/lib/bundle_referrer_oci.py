#!/usr/bin/python3
"""tests/lib/bundle_referrer_oci.py: an OCI layout whose "image" is a given blob and whose
OCI 1.1 referrers are given sigstore bundles (cosign's BUNDLE_SPEC layout).

    bundle_referrer_oci.py SUBJECT_FILE OUT_DIR BUNDLE...

The subject's bytes stand for the image manifest (tagged "v1"): a bundle made
for that file by another implementation (the sigstore-conformance cases) is
then a signature of this "image", as a bundle over a real manifest digest would
be. Each bundle becomes a manifest of artifactType
application/vnd.dev.sigstore.bundle.v0.3+json with the subject descriptor,
listed in index.json with its artifactType as layouts index referrers.
"""
import hashlib
import json
import os
import sys

subject, out, bundles = sys.argv[1], sys.argv[2], sys.argv[3:]
MT_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"
MT_MAN = "application/vnd.oci.image.manifest.v1+json"
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)


def blob(data):
    h = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{h}", "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}


subj = dict(blob(open(subject, "rb").read()), mediaType=MT_MAN)
entries = [dict(subj, annotations={"org.opencontainers.image.ref.name": "v1"})]
empty = dict(blob(b"{}"), mediaType="application/vnd.oci.empty.v1+json")
for b in bundles:
    layer = dict(blob(open(b, "rb").read()), mediaType=MT_BUNDLE)
    m = {"schemaVersion": 2, "mediaType": MT_MAN, "artifactType": MT_BUNDLE, "config": empty, "layers": [layer],
         "subject": subj}
    entries.append(dict(blob(json.dumps(m).encode()), mediaType=MT_MAN, artifactType=MT_BUNDLE))
json.dump({"schemaVersion": 2, "manifests": entries}, open(f"{out}/index.json", "w"))
open(f"{out}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
