#!/usr/bin/python3
"""A registry (plain HTTP on 127.0.0.1) whose images carry hostile cosign signature data,
for tests/integration/sign_hostile.sh. Every repository CASE/img has one small image at tag
"t"; its signature tag sha256-<hex>.sig holds, per CASE:

  layers10k   a signature manifest with 10,000 layers
  bigann      a 100 MB manifest (one annotation of 100 MB), streamed slowly enough to matter
  junk        a layer whose signature annotation is not base64
  badcert     a layer with a certificate annotation that does not parse and a signature of junk bytes
  hugeblob    a layer whose descriptor says 1 GiB
  wrongblob   a layer whose blob does not hash to its digest
  deep        a manifest nested 100,000 levels deep
  notjson     a payload that is not JSON (signature junk)
  nosig       a simple-signing layer with no signature annotation
"""
import argparse
import base64
import hashlib
import http.server
import json
import socketserver
import sys

IMAGE = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2,
                               "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest()},
                    "layers": []}).encode()
IMAGE_D = "sha256:" + hashlib.sha256(IMAGE).hexdigest()
SIG_TAG = IMAGE_D.replace(":", "-") + ".sig"
PAYLOAD = json.dumps({"critical": {"identity": {"docker-reference": "x/y"},
                                   "image": {"docker-manifest-digest": IMAGE_D},
                                   "type": "cosign container image signature"}, "optional": None}).encode()
PAYLOAD_D = "sha256:" + hashlib.sha256(PAYLOAD).hexdigest()
BLOBS = {PAYLOAD_D: PAYLOAD, "sha256:" + hashlib.sha256(b"{}").hexdigest(): b"{}",
         "sha256:" + hashlib.sha256(b"not json at all").hexdigest(): b"not json at all"}
JUNK_SIG = base64.b64encode(b"\x30\x06\x02\x01\x01\x02\x01\x01").decode()


def layer(ann, digest=PAYLOAD_D, size=None, mt="application/vnd.dev.cosign.simplesigning.v1+json"):
    return {"mediaType": mt, "digest": digest, "size": len(BLOBS.get(digest, b"")) if size is None else size,
            "annotations": ann}


def sig_manifest(layers):
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2,
                                  "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest()},
                       "layers": layers}).encode()


def case_body(case):
    if case == "layers10k":
        return sig_manifest([layer({"dev.cosignproject.cosign/signature": JUNK_SIG})] * 10000)
    if case == "junk":
        return sig_manifest([layer({"dev.cosignproject.cosign/signature": "%%% not base64 %%%"})])
    if case == "badcert":
        return sig_manifest([layer({"dev.cosignproject.cosign/signature": JUNK_SIG,
                                    "dev.sigstore.cosign/certificate":
                                        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
                                    "dev.sigstore.cosign/chain": "garbage"})])
    if case == "hugeblob":
        return sig_manifest([layer({"dev.cosignproject.cosign/signature": JUNK_SIG}, size=1 << 30)])
    if case == "wrongblob":
        return sig_manifest([layer({"dev.cosignproject.cosign/signature": JUNK_SIG},
                                   digest="sha256:" + "ab" * 32, size=len(PAYLOAD))])
    if case == "deep":
        return b"[" * 100000 + b"]" * 100000
    if case == "notjson":
        d = "sha256:" + hashlib.sha256(b"not json at all").hexdigest()
        return sig_manifest([layer({"dev.cosignproject.cosign/signature": JUNK_SIG}, digest=d)])
    if case == "nosig":
        return sig_manifest([layer({})])
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.logf:
            self.server.logf.write("%s %s\n" % (self.command, self.path))
            self.server.logf.flush()

    def send(self, code, body=b"", ctype="application/json", digest=None, length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if self.command != "HEAD" and length is None:
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/v2/":
            return self.send(200, b"{}")
        parts = p.split("/")
        # /v2/CASE/img/manifests/REF or /v2/CASE/img/blobs/DIGEST
        if len(parts) != 6 or parts[4] not in ("manifests", "blobs"):
            return self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')
        case, kind, ref = parts[2], parts[4], parts[5]
        mt = "application/vnd.oci.image.manifest.v1+json"
        if kind == "manifests":
            if ref in ("t", IMAGE_D):
                return self.send(200, IMAGE, mt, IMAGE_D)
            if ref != SIG_TAG:
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            if case == "bigann":
                # 100 MB announced; streamed in 1 MB pieces until the client hangs up
                size = 100 * 1024 * 1024
                self.send(200, ctype=mt, length=size)
                if self.command == "HEAD":
                    return
                head = b'{"schemaVersion":2,"layers":[{"mediaType":"x","digest":"' + PAYLOAD_D.encode() + \
                       b'","size":1,"annotations":{"dev.cosignproject.cosign/signature":"'
                try:
                    self.wfile.write(head)
                    sent = len(head)
                    while sent < size:
                        n = min(1 << 20, size - sent)
                        self.wfile.write(b"A" * n)
                        sent += n
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            body = case_body(case)
            if body is None:
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            return self.send(200, body, mt, "sha256:" + hashlib.sha256(body).hexdigest())
        if ref == "sha256:" + "ab" * 32:
            return self.send(200, b"this is not the blob you are looking for", "application/octet-stream")
        if ref in BLOBS:
            return self.send(200, BLOBS[ref], "application/octet-stream")
        return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.logf = open(a.log, "a") if a.log else None
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
