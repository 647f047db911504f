#!/usr/bin/python3
"""tests/lib/mkbundle.py: builds a complete managed-key sigstore bundle from scratch.

    mkbundle.py OUTDIR [kind=hr2|hr1|intoto|dsse|dsse2|msg] [type=v1|v01|none|v2]
                       [subject=ok|other] [sigs=1|2] [payload=yes|no]

Written from the specs alone (sigstore protobuf-specs bundle and trusted root
JSON, Rekor entry schemas, RFC 6962 leaf hashing, the signed-note checkpoint
format, DSSE PAE, in-toto Statement), independent of src/: a second
implementation of the format whose output bulwark must accept, and which can
change one property at a time. Writes OUTDIR/{bundle.json, trusted_root.json,
key.pub, artifact}. The log is a fresh one-leaf log (root = SHA-256(0x00 ||
body)) with its own ECDSA key; the signature is over the DSSE PAE or, for
kind=msg, the artifact (hashedrekord 0.0.1 message signature).
"""
import base64
import hashlib
import json
import os
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

out = sys.argv[1]
opt = dict(a.split("=", 1) for a in sys.argv[2:])
kind = opt.get("kind", "hr2")
stype = opt.get("type", "v1")
b64 = lambda b: base64.b64encode(b).decode()
sha = lambda b: hashlib.sha256(b).digest()
os.makedirs(out, exist_ok=True)

artifact = b"hello from bulwark's bundle generator\n"
signer = ec.generate_private_key(ec.SECP256R1())
log = ec.generate_private_key(ec.SECP256R1())
spki = signer.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
pem = signer.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
log_spki = log.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
log_id = sha(log_spki)
sign = lambda key, data: key.sign(data, ec.ECDSA(hashes.SHA256()))

subject = sha(artifact) if opt.get("subject", "ok") == "ok" else sha(b"something else")
statement = {"subject": [{"name": "artifact", "digest": {"sha256": subject.hex()}}],
             "predicateType": "https://example.com/predicate/v1", "predicate": {}}
if stype != "none":
    statement["_type"] = {"v1": "https://in-toto.io/Statement/v1", "v01": "https://in-toto.io/Statement/v0.1",
                          "v2": "https://in-toto.io/Statement/v2"}[stype]
payload = json.dumps(statement).encode()
ptype = "application/vnd.in-toto+json"
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype.encode(), len(payload), payload)

if kind == "msg":
    sig = sign(signer, artifact)
    signed_digest = sha(artifact)
else:
    sig = sign(signer, pae)
    signed_digest = sha(pae)

if kind == "hr2":
    body = {"apiVersion": "0.0.2", "kind": "hashedrekord", "spec": {"hashedRekordV002": {
        "data": {"algorithm": "SHA2_256", "digest": b64(signed_digest)},
        "signature": {"content": b64(sig), "verifier": {"keyDetails": "PKIX_ECDSA_P256_SHA_256",
                                                        "publicKey": {"rawBytes": b64(spki)}}}}}}
elif kind in ("hr1", "msg"):
    body = {"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "data": {"hash": {"algorithm": "sha256", "value": signed_digest.hex()}},
        "signature": {"content": b64(sig), "publicKey": {"content": b64(pem)}}}}
elif kind == "intoto":
    env = {"payloadType": ptype, "signatures": [{"sig": b64(b64(sig).encode()), "publicKey": b64(pem)}]}
    if opt.get("payload", "no") == "yes":
        env["payload"] = b64(b64(payload).encode())
    body = {"apiVersion": "0.0.2", "kind": "intoto", "spec": {"content": {
        "envelope": env, "hash": {"algorithm": "sha256", "value": sha(b"envelope").hex()},
        "payloadHash": {"algorithm": "sha256", "value": sha(payload).hex()}}}}
elif kind == "dsse":
    body = {"apiVersion": "0.0.1", "kind": "dsse", "spec": {
        "envelopeHash": {"algorithm": "sha256", "value": sha(b"envelope").hex()},
        "payloadHash": {"algorithm": "sha256", "value": sha(payload).hex()},
        "signatures": [{"signature": b64(sig), "verifier": b64(pem)}]}}
elif kind == "dsse2":
    body = {"apiVersion": "0.0.2", "kind": "dsse", "spec": {"dsseV002": {
        "payloadHash": {"algorithm": "SHA2_256", "digest": b64(sha(payload))},
        "signatures": [{"content": b64(sig), "verifier": {"keyDetails": "PKIX_ECDSA_P256_SHA_256",
                                                          "publicKey": {"rawBytes": b64(spki)}}}]}}}
else:
    sys.exit("unknown kind " + kind)
body_bytes = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
body_b64 = b64(body_bytes)

integrated = int(time.time()) - 100
set_payload = json.dumps({"body": body_b64, "integratedTime": integrated, "logID": log_id.hex(), "logIndex": 0},
                         separators=(",", ":"), sort_keys=True).encode()
root = sha(b"\x00" + body_bytes)
origin = "bulwark-test.example/log"
note = "%s\n1\n%s\n" % (origin, b64(root))
checkpoint = note + "\n\u2014 %s %s\n" % (origin, b64(log_id[:4] + sign(log, note.encode())))

entry = {"logIndex": "0", "logId": {"keyId": b64(log_id)},
         "kindVersion": {"kind": body["kind"], "version": body["apiVersion"]},
         "integratedTime": str(integrated),
         "inclusionPromise": {"signedEntryTimestamp": b64(sign(log, set_payload))},
         "inclusionProof": {"logIndex": "0", "rootHash": b64(root), "treeSize": "1", "hashes": [],
                            "checkpoint": {"envelope": checkpoint}},
         "canonicalizedBody": body_b64}
bundle = {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
          "verificationMaterial": {"publicKey": {"hint": b64(sha(spki))}, "tlogEntries": [entry]}}
if kind == "msg":
    bundle["messageSignature"] = {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(sha(artifact))},
                                  "signature": b64(sig)}
else:
    sigs = [{"sig": b64(sig), "keyid": ""}]
    if opt.get("sigs", "1") == "2":
        sigs.append({"sig": b64(sig), "keyid": "again"})
    bundle["dsseEnvelope"] = {"payload": b64(payload), "payloadType": ptype, "signatures": sigs}

trusted_root = {"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                "tlogs": [{"baseUrl": "https://bulwark-test.example", "hashAlgorithm": "SHA2_256",
                           "publicKey": {"rawBytes": b64(log_spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                                         "validFor": {"start": "2020-01-01T00:00:00Z"}},
                           "logId": {"keyId": b64(log_id)}}],
                "certificateAuthorities": [], "ctlogs": [], "timestampAuthorities": []}
json.dump(bundle, open(f"{out}/bundle.json", "w"))
json.dump(trusted_root, open(f"{out}/trusted_root.json", "w"))
open(f"{out}/key.pub", "wb").write(pem)
open(f"{out}/artifact", "wb").write(artifact)
