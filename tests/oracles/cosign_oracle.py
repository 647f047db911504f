#!/usr/bin/python3
"""An independent cosign-format signer and verifier for bulwark's signing tests.

Written from the published formats, never from bulwark's src/ (which it must not
read or import):
  - cosign's encrypted private key: PEM "ENCRYPTED COSIGN PRIVATE KEY" (or SIGSTORE)
    around JSON {kdf: scrypt N/r/p + salt, cipher: nacl/secretbox + nonce, ciphertext};
    plaintext PKCS#8 DER.
  - the simple-signing payload (containers-signature(5), sigstore payload package).
  - cosign's signature manifest: the tag sha256-<hex>.sig, OCI manifest, one layer
    per signature, media type application/vnd.dev.cosign.simplesigning.v1+json, the
    signature as standard base64 of DER ECDSA over the exact payload bytes in the
    annotation dev.cosignproject.cosign/signature.
  - DSSE PAE and in-toto Statement v1 (for attestations).

Images and signature manifests are exchanged as OCI layouts that skopeo copies to
and from the registry, so the registry side is skopeo's, not bulwark's.

Commands (exit 0 on success, 1 on a failed check, with one line saying why):
  decrypt KEY PUB            decrypt KEY with $ORACLE_PASSWORD; its public key must equal PUB
  verify-sig LAYOUT TAG PUB DIGEST IDENTITY
                             every layer of the .sig manifest tagged TAG in LAYOUT is checked;
                             prints "verified N"
  sign-sig KEY DIGEST IDENTITY OUT
                             writes an OCI layout OUT holding a .sig manifest (tag "sig")
  verify-att LAYOUT TAG PUB DIGEST PREDICATE_TYPE
  fixture2oci FIXTUREDIR OUT containers/image dir: fixture -> OCI layout with the image at tag
                             "latest" and its signatures at sha256-<hex>.sig
"""
import base64
import hashlib
import json
import os
import sys

import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE = "application/vnd.dsse.envelope.v1+json"
SIG_ANN = "dev.cosignproject.cosign/signature"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def fail(msg):
    print("oracle: " + msg)
    sys.exit(1)


def pem_body(text, labels):
    lines = text.strip().splitlines()
    begin = lines[0]
    label = begin[len("-----BEGIN "):-5]
    if label not in labels:
        fail("unexpected PEM label " + label)
    end = lines.index("-----END %s-----" % label)
    return base64.b64decode("".join(lines[1:end]), validate=True)


def decrypt_key(path, password):
    body = pem_body(open(path).read(), ("ENCRYPTED COSIGN PRIVATE KEY", "ENCRYPTED SIGSTORE PRIVATE KEY"))
    doc = json.loads(body)
    kdf, cipher = doc["kdf"], doc["cipher"]
    if kdf["name"] != "scrypt" or cipher["name"] != "nacl/secretbox":
        fail("unexpected kdf/cipher")
    p = kdf["params"]
    key = hashlib.scrypt(password.encode(), salt=base64.b64decode(kdf["salt"]), n=p["N"], r=p["r"], p=p["p"],
                         dklen=32, maxmem=256 * 1024 * 1024)
    box = nacl.secret.SecretBox(key)
    der = box.decrypt(base64.b64decode(doc["ciphertext"]), base64.b64decode(cipher["nonce"]))
    return serialization.load_der_private_key(der, password=None)


def load_pub(path):
    return serialization.load_pem_public_key(open(path, "rb").read())


def verify_raw(pub, sig, data):
    """True when sig is pub's signature over data (cosign's choice of hash per key type)."""
    try:
        if isinstance(pub, ec.EllipticCurvePublicKey):
            # containers/image verifies cosign signatures with SHA-256 whatever the curve
            pub.verify(sig, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(pub, ed25519.Ed25519PublicKey):
            pub.verify(sig, data)
        elif isinstance(pub, rsa.RSAPublicKey):
            pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
        return True
    except Exception:
        return False


def sign_raw(priv, data):
    if isinstance(priv, ec.EllipticCurvePrivateKey):
        return priv.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(priv, ed25519.Ed25519PrivateKey):
        return priv.sign(data)
    return priv.sign(data, padding.PKCS1v15(), hashes.SHA256())


def blob(layout, digest):
    alg, hexd = digest.split(":")
    data = open(os.path.join(layout, "blobs", alg, hexd), "rb").read()
    if hashlib.sha256(data).hexdigest() != hexd:
        fail("blob %s does not hash to its digest" % digest)
    return data


def tagged_manifest(layout, tag):
    idx = json.load(open(os.path.join(layout, "index.json")))
    for m in idx["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return json.loads(blob(layout, m["digest"]))
    # skopeo copy to oci:DIR without a tag writes a single untagged entry
    if len(idx["manifests"]) == 1:
        return json.loads(blob(layout, idx["manifests"][0]["digest"]))
    fail("no manifest tagged %s" % tag)


def cmd_verify_sig(layout, tag, pub_path, digest, identity):
    pub = load_pub(pub_path)
    man = tagged_manifest(layout, tag)
    if man.get("mediaType") != OCI_MANIFEST or man.get("schemaVersion") != 2:
        fail("the signature manifest is not an OCI manifest")
    verified = 0
    for layer in man["layers"]:
        if layer["mediaType"] != SIMPLESIGNING:
            fail("layer media type %s" % layer["mediaType"])
        payload = blob(layout, layer["digest"])
        if len(payload) != layer["size"]:
            fail("layer size")
        sig = base64.b64decode(layer["annotations"][SIG_ANN], validate=True)
        if isinstance(pub, ec.EllipticCurvePublicKey) and not sig.startswith(b"\x30"):
            fail("the ECDSA signature is not DER")
        if not verify_raw(pub, sig, payload):
            continue
        doc = json.loads(payload)
        crit = doc["critical"]
        if set(doc) - {"critical", "optional"} or set(crit) != {"identity", "image", "type"}:
            fail("payload fields: %s" % sorted(doc))
        if crit["type"] != "cosign container image signature":
            fail("critical.type")
        if crit["image"]["docker-manifest-digest"] != digest:
            fail("payload digest %s != %s" % (crit["image"]["docker-manifest-digest"], digest))
        if crit["identity"]["docker-reference"] != identity:
            fail("payload identity %s != %s" % (crit["identity"]["docker-reference"], identity))
        verified += 1
    print("verified %d" % verified)
    sys.exit(0 if verified else 1)


def write_blob(out, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d


def write_layout(out, entries):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": entries}, f)


def sig_manifest(out, layers):
    """layers: [(payload bytes, media type, annotations)] -> manifest descriptor entry fields."""
    descs = []
    for payload, mt, ann in layers:
        descs.append({"mediaType": mt, "size": len(payload), "digest": write_blob(out, payload), "annotations": ann})
    config = json.dumps({"architecture": "", "os": "", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descs]}}).encode()
    man = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config),
                                 "digest": write_blob(out, config)},
                      "layers": descs}).encode()
    return {"mediaType": OCI_MANIFEST, "size": len(man), "digest": write_blob(out, man)}


def cmd_sign_sig(key_path, digest, identity, out):
    priv = decrypt_key(key_path, os.environ.get("ORACLE_PASSWORD", ""))
    payload = json.dumps({"critical": {"identity": {"docker-reference": identity},
                                       "image": {"docker-manifest-digest": digest},
                                       "type": "cosign container image signature"},
                          "optional": {"signer": "python-oracle"}}).encode()
    sig = base64.b64encode(sign_raw(priv, payload)).decode()
    entry = sig_manifest(out, [(payload, SIMPLESIGNING, {SIG_ANN: sig})])
    entry["annotations"] = {"org.opencontainers.image.ref.name": "sig"}
    write_layout(out, [entry])


def cmd_decrypt(key_path, pub_path):
    priv = decrypt_key(key_path, os.environ.get("ORACLE_PASSWORD", ""))
    mine = priv.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = load_pub(pub_path).public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine != theirs:
        fail("the decrypted key's public half differs from " + pub_path)
    kind = "ec" if isinstance(priv, ec.EllipticCurvePrivateKey) else \
        "ed25519" if isinstance(priv, ed25519.Ed25519PrivateKey) else "rsa"
    print("ok %s" % kind)


def pae(ptype, body):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def cmd_verify_att(layout, tag, pub_path, digest, predicate_type):
    pub = load_pub(pub_path)
    man = tagged_manifest(layout, tag)
    verified = 0
    for layer in man["layers"]:
        if layer["mediaType"] != DSSE:
            fail("layer media type %s" % layer["mediaType"])
        env = json.loads(blob(layout, layer["digest"]))
        body = base64.b64decode(env["payload"])
        if env["payloadType"] != "application/vnd.in-toto+json":
            fail("payloadType")
        ok = any(verify_raw(pub, base64.b64decode(s["sig"]), pae(env["payloadType"], body)) for s in env["signatures"])
        if not ok:
            continue
        st = json.loads(body)
        if st["_type"] != "https://in-toto.io/Statement/v1":
            fail("statement type")
        if st["predicateType"] != layer["annotations"].get("predicateType"):
            fail("statement predicate type %s differs from the layer annotation" % st["predicateType"])
        if st["predicateType"] != predicate_type:
            continue
        if not any(s["digest"].get("sha256") == digest.split(":")[1] for s in st["subject"]):
            fail("subject")
        verified += 1
    print("verified %d" % verified)
    sys.exit(0 if verified else 1)


def cmd_fixture2oci(fixture, out):
    """containers/image's dir: fixture: manifest.json plus signature-N files, each
    b"\\x00sigstore-json\\n" + {"mimeType","payload","annotations"}."""
    entries = []
    mpath = os.path.join(fixture, "manifest.json")
    layers = []
    for n in range(1, 10):
        p = os.path.join(fixture, "signature-%d" % n)
        if not os.path.exists(p):
            break
        raw = open(p, "rb").read()
        prefix = b"\x00sigstore-json\n"
        if not raw.startswith(prefix):
            fail("%s: not a sigstore signature file" % p)
        doc = json.loads(raw[len(prefix):])
        layers.append((base64.b64decode(doc["payload"]), doc["mimeType"], doc.get("annotations", {})))
    if os.path.exists(mpath):
        man = open(mpath, "rb").read()
        mt = json.loads(man).get("mediaType", "application/vnd.docker.distribution.manifest.v1+prettyjws")
        digest = write_blob(out, man)
    else:
        # the image's manifest is absent: the index names the digest the payload signed, with no blob
        crit = json.loads(layers[0][0])["critical"]
        digest, mt = crit["image"]["docker-manifest-digest"], "application/vnd.docker.distribution.manifest.v2+json"
        man = b"{}"
    entries.append({"mediaType": mt, "size": len(man), "digest": digest,
                    "annotations": {"org.opencontainers.image.ref.name": "latest"}})
    sig = sig_manifest(out, layers)
    sig["annotations"] = {"org.opencontainers.image.ref.name": digest.replace(":", "-") + ".sig"}
    entries.append(sig)
    write_layout(out, entries)


def main():
    a = sys.argv[1:]
    cmds = {"decrypt": (cmd_decrypt, 2), "verify-sig": (cmd_verify_sig, 5), "sign-sig": (cmd_sign_sig, 4),
            "verify-att": (cmd_verify_att, 5), "fixture2oci": (cmd_fixture2oci, 2)}
    if not a or a[0] not in cmds or len(a) - 1 != cmds[a[0]][1]:
        print(__doc__)
        sys.exit(2)
    cmds[a[0]][0](*a[1:])


if __name__ == "__main__":
    main()
