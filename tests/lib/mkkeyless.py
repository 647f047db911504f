#!/usr/bin/python3
"""tests/lib/mkkeyless.py: an independent keyless signer for images in a registry.

    mkkeyless.py init DIR
        a test PKI: Fulcio-style root -> intermediate CA, a CT log key, a Rekor
        log key, and DIR/trusted_root.json naming them; also a second,
        untrusted CA (DIR/untrusted.*). Keys are PEM files in DIR.
    mkkeyless.py attach DIR URL REPO DIGEST [SIG...] [--referrers-only] [--raw-layers N]
        signs and attaches, replacing what the image had: the tag
        sha256-<hex>.sig gets one layer per classic SIG, and the referrers
        fallback tag sha256-<hex> an index of one bundle manifest per
        referrer SIG. Each SIG is a comma list of key=value:
          layout=classic|classic-att|referrer|referrer-dsse   where it goes (.sig, .att
                    with a Rekor dsse 0.0.1 entry, referrer bundles; referrer-dsse: cosign
                    v3's in-toto statement, predicate sign/v1)
          for=DIGEST        the image the payload / bundle names (default DIGEST)
          identity=URI      SAN (default https://example.com/ci/workflow@refs/heads/main)
          issuer=URL        OIDC issuer extension (default https://issuer.example.com)
          ca=trusted|untrusted
          certtime=now|expired     leaf validity around the integrated time
          sct=ok|none
          tamper=payload|set|body|none  change after signing (body: the logged entry is
                    of another payload signed by the same certificate)
          predicate=URI     referrer-dsse, classic-att: the statement's predicate type
          predicate_file=F  classic-att: the statement's predicate (JSON; default {})
          tsa=yes|other     classic: an RFC 3161 timestamp (openssl ts, the test TSA) over the
                            signature bytes (other: over other bytes)
        --raw-layers N writes N bogus signature layers instead (hostile).
        --big-annotation N puts an N-byte certificate annotation on the one layer.
        --raw-referrers N lists one junk bundle manifest N times in the referrers index.

Written from the formats alone (cosign's signature manifest and annotations,
the Rekor "bundle" annotation = SignedEntryTimestamp over the canonical JSON of
{body, integratedTime, logID, logIndex}, hashedrekord 0.0.1, RFC 6962 SCTs,
sigstore bundle v0.3, the OCI 1.1 referrers tag schema, DSSE, in-toto),
independent of src/. Pushes with plain HTTP requests (urllib) to the
distribution API: blobs by monolithic upload, manifests by PUT. TLS is checked
against $REG_CA.
"""
import base64
import datetime
import hashlib
import json
import os
import ssl
import sys
import time
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

b64 = lambda b: base64.b64encode(b).decode()
sha = lambda b: hashlib.sha256(b).digest()
sign = lambda key, data: key.sign(data, ec.ECDSA(hashes.SHA256()))
spki = lambda k: k.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
der = lambda c: c.public_bytes(serialization.Encoding.DER)
ID = "https://example.com/ci/workflow@refs/heads/main"
ISS = "https://issuer.example.com"
MT_SS = "application/vnd.dev.cosign.simplesigning.v1+json"
MT_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"
MT_MAN = "application/vnd.oci.image.manifest.v1+json"
MT_IDX = "application/vnd.oci.image.index.v1+json"


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bulwark-test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def save_key(path, k):
    open(path, "wb").write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))


def load_key(path):
    return serialization.load_pem_private_key(open(path, "rb").read(), None)


def ca_cert(subject, issuer, pub, key, serial):
    return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer)).public_key(pub)
            .serial_number(serial).not_valid_before(datetime.datetime(2020, 1, 1))
            .not_valid_after(datetime.datetime(2040, 1, 1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA384()))


def init(d):
    os.makedirs(d, exist_ok=True)
    for prefix in ("", "untrusted."):
        root_k, inter_k = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
        root = ca_cert(prefix + "root", prefix + "root", root_k.public_key(), root_k, 1)
        inter = ca_cert(prefix + "intermediate", prefix + "root", inter_k.public_key(), root_k, 2)
        save_key(f"{d}/{prefix}inter.key", inter_k)
        open(f"{d}/{prefix}inter.crt", "wb").write(der(inter))
        open(f"{d}/{prefix}root.crt", "wb").write(der(root))
    # a timestamp authority: its own root and a leaf with the critical timeStamping EKU (RFC 3161 §2.3)
    tsa_root_k, tsa_k = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP256R1())
    tsa_root = ca_cert("tsa-root", "tsa-root", tsa_root_k.public_key(), tsa_root_k, 10)
    tsa = (x509.CertificateBuilder().subject_name(name("tsa")).issuer_name(name("tsa-root"))
           .public_key(tsa_k.public_key()).serial_number(11).not_valid_before(datetime.datetime(2020, 1, 1))
           .not_valid_after(datetime.datetime(2040, 1, 1))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
           .sign(tsa_root_k, hashes.SHA384()))
    save_key(f"{d}/tsa.key", tsa_k)
    open(f"{d}/tsa.crt", "wb").write(tsa.public_bytes(serialization.Encoding.PEM))
    open(f"{d}/ts.cnf", "w").write("[tsa]\ndefault_tsa = tsa1\n[tsa1]\nserial = %s/tsaserial\n"
                                   "signer_digest = sha256\ndefault_policy = 1.2.3.4.1\n"
                                   "digests = sha256\ness_cert_id_alg = sha256\n" % d)
    ct, rekor = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    save_key(f"{d}/ct.key", ct)
    save_key(f"{d}/rekor.key", rekor)
    key = lambda k: {"rawBytes": b64(spki(k)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                     "validFor": {"start": "2020-01-01T00:00:00Z"}}
    root = {"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [{"baseUrl": "https://rekor.bulwark-test.example", "hashAlgorithm": "SHA2_256",
                       "publicKey": key(rekor), "logId": {"keyId": b64(sha(spki(rekor)))}}],
            "certificateAuthorities": [{"subject": {"organization": "bulwark-test", "commonName": "root"},
                                        "uri": "https://fulcio.bulwark-test.example",
                                        "certChain": {"certificates": [
                                            {"rawBytes": b64(open(f"{d}/inter.crt", "rb").read())},
                                            {"rawBytes": b64(open(f"{d}/root.crt", "rb").read())}]},
                                        "validFor": {"start": "2020-01-01T00:00:00Z"}}],
            "ctlogs": [{"baseUrl": "https://ct.bulwark-test.example", "hashAlgorithm": "SHA2_256",
                        "publicKey": key(ct), "logId": {"keyId": b64(sha(spki(ct)))}}],
            "timestampAuthorities": [{"subject": {"organization": "bulwark-test", "commonName": "tsa"},
                                      "uri": "https://tsa.bulwark-test.example",
                                      "certChain": {"certificates": [{"rawBytes": b64(der(tsa))},
                                                                     {"rawBytes": b64(der(tsa_root))}]},
                                      "validFor": {"start": "2020-01-01T00:00:00Z"}}]}
    json.dump(root, open(f"{d}/trusted_root.json", "w"))


def leaf_cert(d, signer, o, integrated):
    prefix = "untrusted." if o.get("ca") == "untrusted" else ""
    inter_k = load_key(f"{d}/{prefix}inter.key")
    inter = x509.load_der_x509_certificate(open(f"{d}/{prefix}inter.crt", "rb").read())
    now = datetime.datetime.utcfromtimestamp(integrated)
    if o.get("certtime") == "expired":
        nb, na = now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=2)
    else:
        nb, na = now - datetime.timedelta(minutes=1), now + datetime.timedelta(minutes=10)
    ident, iss = o.get("identity", ID), o.get("issuer", ISS)
    utf8 = lambda t: b"\x0c" + bytes([len(t)]) + t.encode()
    fulcio = lambda n: x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.%d" % n)
    lb = (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(inter.subject)
          .public_key(signer.public_key()).serial_number(int.from_bytes(os.urandom(8), "big"))
          .not_valid_before(nb).not_valid_after(na)
          .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
          .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
          .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(ident)]), critical=True)
          .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
          .add_extension(x509.UnrecognizedExtension(fulcio(1), iss.encode()), critical=False)
          .add_extension(x509.UnrecognizedExtension(fulcio(5), b"example/repo"), critical=False)
          .add_extension(x509.UnrecognizedExtension(fulcio(6), b"refs/heads/main"), critical=False)
          .add_extension(x509.UnrecognizedExtension(fulcio(8), utf8(iss)), critical=False))
    if o.get("sct", "ok") == "ok":
        # RFC 6962 §3.2: the log signs the precertificate's TBS (without the SCT list) and the issuer key hash.
        ct = load_key(f"{d}/ct.key")
        tbs = lb.sign(inter_k, hashes.SHA384()).tbs_certificate_bytes
        ts = (integrated - 30) * 1000
        signed = (b"\x00\x00" + ts.to_bytes(8, "big") + b"\x00\x01" + sha(spki(inter_k)) +
                  len(tbs).to_bytes(3, "big") + tbs + b"\x00\x00")
        ct_sig = sign(ct, signed)
        one = b"\x00" + sha(spki(ct)) + ts.to_bytes(8, "big") + b"\x00\x00\x04\x03" + len(ct_sig).to_bytes(2, "big") + ct_sig
        lst = len(one).to_bytes(2, "big") + one
        lst = len(lst).to_bytes(2, "big") + lst
        lb = lb.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"),
                                                         b"\x04" + bytes([len(lst)]) + lst), critical=False)
    return lb.sign(inter_k, hashes.SHA384())


def rekor_entry(d, signed_digest, sig, leaf, integrated, o):
    """hashedrekord 0.0.1 with the certificate as the verifier, and its SET."""
    rekor = load_key(f"{d}/rekor.key")
    leaf_pem = leaf.public_bytes(serialization.Encoding.PEM)
    body = {"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "data": {"hash": {"algorithm": "sha256", "value": signed_digest.hex()}},
        "signature": {"content": b64(sig), "publicKey": {"content": b64(leaf_pem)}}}}
    body_b64 = b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    log_id = sha(spki(rekor)).hex()
    log_index = int.from_bytes(os.urandom(3), "big")
    set_payload = json.dumps({"body": body_b64, "integratedTime": integrated, "logID": log_id,
                              "logIndex": log_index}, separators=(",", ":"), sort_keys=True).encode()
    set_sig = sign(rekor, set_payload)
    if o.get("tamper") == "set":
        set_sig = sign(rekor, set_payload + b" ")
    return body_b64, log_id, log_index, set_sig


def timestamp(d, data):
    """An RFC 3161 TimeStampResp over data (what cosign stores), made by `openssl ts` with the test TSA."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as t:
        open(f"{t}/data", "wb").write(data)
        if not os.path.exists(f"{d}/tsaserial"):
            open(f"{d}/tsaserial", "w").write("01\n")
        subprocess.run(["openssl", "ts", "-query", "-data", f"{t}/data", "-sha256", "-cert", "-out", f"{t}/q"],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "ts", "-reply", "-config", f"{d}/ts.cnf", "-section", "tsa1", "-queryfile",
                        f"{t}/q", "-signer", f"{d}/tsa.crt", "-inkey", f"{d}/tsa.key", "-out",
                        f"{t}/tok"], check=True, capture_output=True)
        return open(f"{t}/tok", "rb").read()


class Registry:
    def __init__(self, url, repo):
        self.url, self.repo = url.rstrip("/"), repo
        self.ctx = ssl.create_default_context(cafile=os.environ.get("REG_CA"))

    def req(self, method, path, data=None, headers=None):
        r = urllib.request.Request(path if path.startswith("http") else self.url + path, data=data,
                                   method=method, headers=headers or {})
        return urllib.request.urlopen(r, context=self.ctx)

    def blob(self, data):
        dg = "sha256:" + hashlib.sha256(data).hexdigest()
        loc = self.req("POST", f"/v2/{self.repo}/blobs/uploads/").headers["Location"]
        if not loc.startswith("http"):
            loc = self.url + loc
        loc += ("&" if "?" in loc else "?") + "digest=" + dg
        self.req("PUT", loc, data, {"Content-Type": "application/octet-stream"})
        return {"digest": dg, "size": len(data)}

    def manifest(self, ref, doc, mt):
        data = json.dumps(doc, separators=(",", ":")).encode()
        self.req("PUT", f"/v2/{self.repo}/manifests/{ref}", data, {"Content-Type": mt})
        return {"mediaType": mt, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}

    def image_manifest(self, digest):
        r = self.req("GET", f"/v2/{self.repo}/manifests/{digest}", headers={"Accept": MT_MAN + ", " + MT_IDX +
                     ", application/vnd.docker.distribution.manifest.v2+json"})
        return r.headers["Content-Type"], len(r.read())


def attach(d, url, repo, digest, specs, referrers_only=False, raw_layers=0, big=0, raw_refs=0):
    reg = Registry(url, repo)
    hexd = digest.split(":", 1)[1]
    classic, refs, atts = [], [], []
    for spec in specs:
        o = dict(kv.split("=", 1) for kv in spec.split(",") if kv)
        target = o.get("for", digest)
        integrated = int(time.time()) - 60
        signer = ec.generate_private_key(ec.SECP256R1())
        leaf = leaf_cert(d, signer, o, integrated)
        layout = o.get("layout", "classic")
        if layout == "classic":
            payload = json.dumps({"critical": {"identity": {"docker-reference": reg.url.split("//")[1] + "/" + repo},
                                               "image": {"docker-manifest-digest": target},
                                               "type": "cosign container image signature"}, "optional": None},
                                 separators=(",", ":"), sort_keys=True).encode()
            sig = sign(signer, payload)
            if o.get("tamper") == "body":
                other = payload.replace(b'"optional":null', b'"optional":{"other":"payload"}')
                body_b64, log_id, log_index, set_sig = rekor_entry(d, sha(other), sign(signer, other), leaf,
                                                                   integrated, o)
            else:
                body_b64, log_id, log_index, set_sig = rekor_entry(d, sha(payload), sig, leaf, integrated, o)
            if o.get("tamper") == "payload":
                payload = payload.replace(b'"optional":null', b'"optional":{"x":"y"}')
            rb = {"SignedEntryTimestamp": b64(set_sig), "Payload": {"body": body_b64, "integratedTime": integrated,
                                                                   "logIndex": log_index, "logID": log_id}}
            tsa_ann = None
            if o.get("tsa") in ("yes", "other"):
                tsa_ann = json.dumps({"SignedRFC3161Timestamp": b64(timestamp(d, sig if o["tsa"] == "yes" else b"x" + sig))})
            desc = reg.blob(payload)
            desc["mediaType"] = MT_SS
            desc["annotations"] = {"dev.cosignproject.cosign/signature": b64(sig),
                                   "dev.sigstore.cosign/certificate": leaf.public_bytes(serialization.Encoding.PEM).decode(),
                                   "dev.sigstore.cosign/chain": "",
                                   "dev.sigstore.cosign/bundle": json.dumps(rb, separators=(",", ":"))}
            if tsa_ann:
                desc["annotations"]["dev.sigstore.cosign/rfc3161timestamp"] = tsa_ann
            classic.append(desc)
        elif layout == "classic-att":
            stmt = json.dumps({"_type": "https://in-toto.io/Statement/v1",
                               "subject": [{"name": repo, "digest": {"sha256": target.split(":")[1]}}],
                               "predicateType": o.get("predicate", "https://slsa.dev/provenance/v1"),
                               "predicate": json.load(open(o["predicate_file"])) if "predicate_file" in o else {}}
                              ).encode()
            ptype = "application/vnd.in-toto+json"
            pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype.encode(), len(stmt), stmt)
            sig = sign(signer, pae)
            envelope = json.dumps({"payloadType": ptype, "payload": b64(stmt),
                                   "signatures": [{"keyid": "", "sig": b64(sig)}]}).encode()
            # Rekor dsse 0.0.1: the envelope's payload hash and signature with the certificate as verifier
            rekor = load_key(f"{d}/rekor.key")
            body = {"apiVersion": "0.0.1", "kind": "dsse", "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": hashlib.sha256(envelope).hexdigest()},
                "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(stmt).hexdigest()},
                "signatures": [{"signature": b64(sig),
                                "verifier": b64(leaf.public_bytes(serialization.Encoding.PEM))}]}}
            body_b64 = b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
            log_id, log_index = sha(spki(rekor)).hex(), 7
            set_sig = sign(rekor, json.dumps({"body": body_b64, "integratedTime": integrated, "logID": log_id,
                                              "logIndex": log_index}, separators=(",", ":"), sort_keys=True).encode())
            rb = {"SignedEntryTimestamp": b64(set_sig), "Payload": {"body": body_b64, "integratedTime": integrated,
                                                                   "logIndex": log_index, "logID": log_id}}
            desc = reg.blob(envelope)
            desc["mediaType"] = "application/vnd.dsse.envelope.v1+json"
            desc["annotations"] = {"dev.cosignproject.cosign/signature": "",
                                   "dev.sigstore.cosign/certificate": leaf.public_bytes(serialization.Encoding.PEM).decode(),
                                   "dev.sigstore.cosign/chain": "",
                                   "dev.sigstore.cosign/bundle": json.dumps(rb, separators=(",", ":")),
                                   "predicateType": o.get("predicate", "https://slsa.dev/provenance/v1")}
            atts.append(desc)
        else:
            if layout == "referrer-dsse":
                stmt = json.dumps({"_type": "https://in-toto.io/Statement/v1",
                                   "subject": [{"name": repo, "digest": {"sha256": target.split(":")[1]}}],
                                   "predicateType": o.get("predicate", "https://sigstore.dev/cosign/sign/v1"),
                                   "predicate": {}}).encode()
                ptype = "application/vnd.in-toto+json"
                pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype.encode(), len(stmt), stmt)
                sig = sign(signer, pae)
                signed_digest = sha(pae)
                content = {"dsseEnvelope": {"payload": b64(stmt), "payloadType": ptype,
                                            "signatures": [{"sig": b64(sig), "keyid": ""}]}}
            else:
                signed_digest = bytes.fromhex(target.split(":")[1])
                sig = signer.sign(signed_digest, ec.ECDSA(Prehashed(hashes.SHA256())))
                content = {"messageSignature": {"messageDigest": {"algorithm": "SHA2_256",
                                                                  "digest": b64(signed_digest)},
                                                "signature": b64(sig)}}
            body_b64, log_id, log_index, set_sig = rekor_entry(d, signed_digest, sig, leaf, integrated, o)
            body = base64.b64decode(body_b64)
            root = sha(b"\x00" + body)
            rekor = load_key(f"{d}/rekor.key")
            origin = "rekor.bulwark-test.example"
            note = "%s\n1\n%s\n" % (origin, b64(root))
            checkpoint = note + "\n\u2014 %s %s\n" % (origin, b64(sha(spki(rekor))[:4] + sign(rekor, note.encode())))
            entry = {"logIndex": str(log_index), "logId": {"keyId": b64(bytes.fromhex(log_id))},
                     "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
                     "integratedTime": str(integrated),
                     "inclusionPromise": {"signedEntryTimestamp": b64(set_sig)},
                     "inclusionProof": {"logIndex": "0", "rootHash": b64(root), "treeSize": "1", "hashes": [],
                                        "checkpoint": {"envelope": checkpoint}},
                     "canonicalizedBody": body_b64}
            bundle = {"mediaType": MT_BUNDLE,
                      "verificationMaterial": {"certificate": {"rawBytes": b64(der(leaf))}, "tlogEntries": [entry]}}
            bundle.update(content)
            if o.get("tamper") == "payload" and "dsseEnvelope" in bundle:
                bundle["dsseEnvelope"]["payload"] = b64(stmt.replace(b'"predicate": {}', b'"predicate": {"x": 1}'))
            desc = reg.blob(json.dumps(bundle).encode())
            desc["mediaType"] = MT_BUNDLE
            refs.append(desc)
    empty = reg.blob(b"{}")
    empty["mediaType"] = "application/vnd.oci.empty.v1+json"
    if raw_layers:
        junk = reg.blob(b"not a payload")
        classic = [dict(junk, mediaType=MT_SS, annotations={"dev.cosignproject.cosign/signature": "AAAA",
                                                             "dev.sigstore.cosign/certificate": "not a PEM %d" % i,
                                                             "dev.sigstore.cosign/bundle": "{}"})
                   for i in range(raw_layers)]
    if big:
        classic = [dict(reg.blob(b"{}"), mediaType=MT_SS,
                        annotations={"dev.cosignproject.cosign/signature": "AAAA",
                                     "dev.sigstore.cosign/certificate": "A" * big})]
    if not referrers_only:
        cfg = reg.blob(json.dumps({"architecture": "", "os": "", "rootfs": {"type": "layers",
                       "diff_ids": [c["digest"] for c in classic]}, "config": {}}).encode())
        cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
        reg.manifest(f"sha256-{hexd}.sig", {"schemaVersion": 2, "mediaType": MT_MAN, "config": cfg,
                                            "layers": classic}, MT_MAN)
        cfg = reg.blob(json.dumps({"architecture": "", "os": "", "rootfs": {"type": "layers",
                       "diff_ids": [c["digest"] for c in atts]}, "config": {}}).encode())
        cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
        reg.manifest(f"sha256-{hexd}.att", {"schemaVersion": 2, "mediaType": MT_MAN, "config": cfg,
                                            "layers": atts}, MT_MAN)
    subj_mt, subj_size = reg.image_manifest(digest)
    index = []
    for r in refs:
        m = {"schemaVersion": 2, "mediaType": MT_MAN, "artifactType": MT_BUNDLE, "config": empty,
             "layers": [dict(r, annotations={"org.opencontainers.image.title": r["digest"].replace(":", "-") +
                                             ".sigstore.json"})],
             "subject": {"mediaType": subj_mt, "digest": digest, "size": subj_size}}
        desc = reg.manifest("sha256:" + hashlib.sha256(json.dumps(m, separators=(",", ":")).encode()).hexdigest(),
                            m, MT_MAN)
        desc["artifactType"] = MT_BUNDLE
        index.append(desc)
    if raw_refs:
        junk = dict(reg.blob(b'{"mediaType":"junk"}'), mediaType=MT_BUNDLE)
        m = {"schemaVersion": 2, "mediaType": MT_MAN, "artifactType": MT_BUNDLE, "config": empty, "layers": [junk],
             "subject": {"mediaType": subj_mt, "digest": digest, "size": subj_size}}
        desc = reg.manifest("sha256:" + hashlib.sha256(json.dumps(m, separators=(",", ":")).encode()).hexdigest(),
                            m, MT_MAN)
        desc["artifactType"] = MT_BUNDLE
        index = [desc] * raw_refs
    # the referrers tag schema (the test registry has no referrers API)
    reg.manifest(f"sha256-{hexd}", {"schemaVersion": 2, "mediaType": MT_IDX, "manifests": index}, MT_IDX)


if __name__ == "__main__":
    if sys.argv[1] == "init":
        init(sys.argv[2])
    elif sys.argv[1] == "attach":
        args = sys.argv[2:]
        flags = {"--referrers-only": False}
        raw = big = 0
        if "--referrers-only" in args:
            args.remove("--referrers-only")
            flags["--referrers-only"] = True
        if "--raw-layers" in args:
            i = args.index("--raw-layers")
            raw = int(args[i + 1])
            del args[i:i + 2]
        if "--big-annotation" in args:
            i = args.index("--big-annotation")
            big = int(args[i + 1])
            del args[i:i + 2]
        refs = 0
        if "--raw-referrers" in args:
            i = args.index("--raw-referrers")
            refs = int(args[i + 1])
            del args[i:i + 2]
        d, url, repo, digest = args[:4]
        attach(d, url, repo, digest, args[4:], flags["--referrers-only"], raw, big, refs)
    else:
        sys.exit(__doc__)
