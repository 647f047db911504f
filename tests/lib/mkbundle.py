#!/usr/bin/python3
"""tests/lib/mkbundle.py: builds a complete managed-key sigstore bundle from scratch.

    mkbundle.py OUTDIR [kind=hr2|hr1|intoto|dsse|dsse2|msg] [type=v1|v01|none|v2]
                       [subject=ok|other] [sigs=1|2] [payload=yes|no]
                       [material=key|cert] [san=uri|email] [chain=leaf|root]
                       [leafca=no|yes] [eku=yes|no] [sct=ok|bad|none|unknownlog]
                       [certtime=now|expired]

Written from the specs alone (sigstore protobuf-specs bundle and trusted root
JSON, Rekor entry schemas, RFC 6962 leaf hashing, the signed-note checkpoint
format, DSSE PAE, in-toto Statement), independent of src/: a second
implementation of the format whose output bulwark must accept, and which can
change one property at a time. Writes OUTDIR/{bundle.json, trusted_root.json,
key.pub, artifact}. With material=cert the signing key gets a Fulcio-style
certificate instead (root -> intermediate -> leaf with SAN, OIDC issuer
extensions .1.1/.1.8, GitHub repository/ref .1.5/.1.6, code-signing EKU and an
embedded RFC 6962 SCT from a CT log of the trusted root); identity and issuer
are then https://example.com/ci/workflow@refs/heads/main (or
signer@example.com) and https://issuer.example.com. The log is a fresh one-leaf log (root = SHA-256(0x00 ||
body)) with its own ECDSA key; the signature is over the DSSE PAE or, for
kind=msg, the artifact (hashedrekord 0.0.1 message signature).
"""
import base64
import datetime
import hashlib
import json
import os
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

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
ctlogs, cas = [], []
if opt.get("material", "key") == "cert":
    bundle["verificationMaterial"].pop("publicKey")
    now = datetime.datetime.utcfromtimestamp(integrated + 100)
    name = lambda cn: x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bulwark-test"),
                                 x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    root_key, inter_key, ct_key = (ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1()),
                                   ec.generate_private_key(ec.SECP256R1()))
    def ca(subject, issuer, pub, key, serial):
        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer)).public_key(pub)
                .serial_number(serial).not_valid_before(datetime.datetime(2020, 1, 1))
                .not_valid_after(datetime.datetime(2040, 1, 1))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
                .sign(key, hashes.SHA384()))
    root_cert = ca("test-root", "test-root", root_key.public_key(), root_key, 1)
    inter_cert = ca("test-intermediate", "test-root", inter_key.public_key(), root_key, 2)
    der = lambda c: c.public_bytes(serialization.Encoding.DER)
    if opt.get("certtime", "now") == "expired":
        nb, na = now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=2)
    else:
        nb, na = now - datetime.timedelta(minutes=5), now + datetime.timedelta(minutes=10)
    ident = "signer@example.com" if opt.get("san") == "email" else "https://example.com/ci/workflow@refs/heads/main"
    utf8 = lambda t: b"\x0c" + bytes([len(t)]) + t.encode()
    fulcio = lambda n: x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.%d" % n)
    lb = (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(name("test-intermediate"))
          .public_key(signer.public_key()).serial_number(3).not_valid_before(nb).not_valid_after(na)
          .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
          .add_extension(x509.BasicConstraints(ca=opt.get("leafca") == "yes", path_length=None), critical=True)
          .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(ident) if "@" in ident and "://" not in ident
                                                      else x509.UniformResourceIdentifier(ident)]), critical=True)
          .add_extension(x509.UnrecognizedExtension(fulcio(1), b"https://issuer.example.com"), critical=False)
          .add_extension(x509.UnrecognizedExtension(fulcio(5), b"example/repo"), critical=False)
          .add_extension(x509.UnrecognizedExtension(fulcio(6), b"refs/heads/main"), critical=False)
          .add_extension(x509.UnrecognizedExtension(fulcio(8), utf8("https://issuer.example.com")), critical=False))
    if opt.get("eku", "yes") == "yes":
        lb = lb.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    if opt.get("sct", "ok") != "none":
        # RFC 6962 §3.2: the log signs the precertificate entry, i.e. the TBS without this extension.
        tbs = lb.sign(inter_key, hashes.SHA384()).tbs_certificate_bytes
        ct_spki = ct_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        inter_spki = inter_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        ts = (integrated - 50) * 1000
        signed = (b"\x00\x00" + ts.to_bytes(8, "big") + b"\x00\x01" + sha(inter_spki) +
                  len(tbs).to_bytes(3, "big") + tbs + b"\x00\x00")
        if opt.get("sct") == "bad":
            signed = signed[:-3] + b"\xff" + signed[-2:]
        ct_sig = sign(ct_key, signed)
        ct_id = sha(ct_spki) if opt.get("sct") != "unknownlog" else sha(b"another log")
        one = b"\x00" + ct_id + ts.to_bytes(8, "big") + b"\x00\x00\x04\x03" + len(ct_sig).to_bytes(2, "big") + ct_sig
        lst = len(one).to_bytes(2, "big") + one
        lst = len(lst).to_bytes(2, "big") + lst
        lb = lb.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"),
                                                         b"\x04" + bytes([len(lst)]) + lst), critical=False)
        ctlogs = [{"baseUrl": "https://ct.bulwark-test.example", "hashAlgorithm": "SHA2_256",
                   "publicKey": {"rawBytes": b64(ct_spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                                 "validFor": {"start": "2020-01-01T00:00:00Z"}},
                   "logId": {"keyId": b64(sha(ct_spki))}}]
    leaf = lb.sign(inter_key, hashes.SHA384())
    leaf_pem = leaf.public_bytes(serialization.Encoding.PEM)
    if opt.get("chain", "leaf") == "root":
        bundle["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2"
        bundle["verificationMaterial"]["x509CertificateChain"] = {"certificates": [
            {"rawBytes": b64(der(c))} for c in (leaf, inter_cert, root_cert)]}
    else:
        bundle["verificationMaterial"]["certificate"] = {"rawBytes": b64(der(leaf))}
    cas = [{"subject": {"organization": "bulwark-test", "commonName": "test-root"},
            "uri": "https://fulcio.bulwark-test.example",
            "certChain": {"certificates": [{"rawBytes": b64(der(inter_cert))}, {"rawBytes": b64(der(root_cert))}]},
            "validFor": {"start": "2020-01-01T00:00:00Z"}}]
    open(f"{out}/identity", "w").write(ident)
    # The logged verifier is the certificate, not the bare key.
    cert_verifier = {"keyDetails": "PKIX_ECDSA_P256_SHA_256", "x509Certificate": {"rawBytes": b64(der(leaf))}}
    if kind == "hr2":
        body["spec"]["hashedRekordV002"]["signature"]["verifier"] = cert_verifier
    elif kind == "dsse2":
        body["spec"]["dsseV002"]["signatures"][0]["verifier"] = cert_verifier
    else:
        body = json.loads(json.dumps(body).replace(b64(pem), b64(leaf_pem)))
    body_bytes = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    body_b64 = b64(body_bytes)
    set_payload = json.dumps({"body": body_b64, "integratedTime": integrated, "logID": log_id.hex(), "logIndex": 0},
                             separators=(",", ":"), sort_keys=True).encode()
    root = sha(b"\x00" + body_bytes)
    note = "%s\n1\n%s\n" % (origin, b64(root))
    entry["inclusionPromise"]["signedEntryTimestamp"] = b64(sign(log, set_payload))
    entry["inclusionProof"]["rootHash"] = b64(root)
    entry["inclusionProof"]["checkpoint"]["envelope"] = note + "\n\u2014 %s %s\n" % (origin, b64(log_id[:4] + sign(log, note.encode())))
    entry["canonicalizedBody"] = body_b64
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
                "certificateAuthorities": cas, "ctlogs": ctlogs, "timestampAuthorities": []}
json.dump(bundle, open(f"{out}/bundle.json", "w"))
json.dump(trusted_root, open(f"{out}/trusted_root.json", "w"))
open(f"{out}/key.pub", "wb").write(pem)
open(f"{out}/artifact", "wb").write(artifact)
