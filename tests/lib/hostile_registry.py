#!/usr/bin/python3
"""tests/lib/hostile_registry.py: a small, deliberately misbehaving registry.

Plain HTTP on 127.0.0.1 (clients reach it with --insecure-registry). It serves
one small valid image (a gzip layer with /etc/hello, its config and an OCI
manifest, built here) under every repository, and the repository's first path
component chooses how it misbehaves:

  good          behaves (the control case)
  wrongblob     the layer blob's bytes do not hash to its digest
  wrongconfig   the config blob's bytes do not hash to its digest
  wrongdcd      the manifest is served with a Docker-Content-Digest that is not its digest
  bigmanifest   a manifest over 4 MiB, with Content-Length
  bigchunked    the same without Content-Length (chunked)
  badjson       a manifest that is not JSON
  redirectloop  manifest requests redirect to themselves, forever
  stall         the layer blob sends half its bytes, then nothing
  drop          the layer blob sends half its bytes and closes the connection; a Range
                request for the rest gets 206 with it (the client resumes)
  dropignore    the same, but a Range request gets 200 and the whole blob
  dropwrong     the same, but the 206 carries other bytes (the digest check must catch it)
  dropbadrange  the same, but the 206 starts somewhere else (Content-Range)
  badchallenge  401 with a malformed WWW-Authenticate header
  retry         429 (Retry-After: 1), then 503, then the manifest
  redirect      basic auth (alice:secret) required; blobs redirect to http://localhost:PORT/storage/
                (another host), which logs whether an Authorization header came along
  referrers     the referrers API, paged with Link headers (two artifacts, two pages)
  noreferrers   404 on the referrers API; the fallback tag sha256-<hex> lists one artifact

Every request is logged to --log as a JSON line: method, path, host, and whether an
Authorization header was present (never its value).

  hostile_registry.py --port-file F --log LOG
"""
import argparse, gzip, hashlib, io, json, os, re, socket, tarfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def build_image():
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = b"hello from the hostile registry\n" * 2048
        info = tarfile.TarInfo("etc/hello")
        info.size = len(data)
        info.mode = 0o644
        t.addfile(info, io.BytesIO(data))
    raw = tar.getvalue()
    layer = gzip.compress(raw, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/bin"]},
                         "rootfs": {"type": "layers", "diff_ids": [sha(raw)]},
                         "history": [{"created_by": "hostile"}]}, separators=(",", ":")).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MT_MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": sha(config), "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                       "digest": sha(layer), "size": len(layer)}]},
                          separators=(",", ":")).encode()
    return layer, config, manifest


LAYER, CONFIG, MANIFEST = build_image()
BLOBS = {sha(LAYER): LAYER, sha(CONFIG): CONFIG}


def artifact(n, atype):
    cfg = b"{}"
    body = ("artifact %d" % n).encode()
    m = json.dumps({"schemaVersion": 2, "mediaType": MT_MANIFEST, "artifactType": atype,
                    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha(cfg), "size": 2},
                    "layers": [{"mediaType": "text/plain", "digest": sha(body), "size": len(body)}],
                    "subject": {"mediaType": MT_MANIFEST, "digest": sha(MANIFEST), "size": len(MANIFEST)}},
                   separators=(",", ":")).encode()
    return {"mediaType": MT_MANIFEST, "digest": sha(m), "size": len(m), "artifactType": atype,
            "annotations": {"n": str(n)}}


REFERRERS = [artifact(1, "application/vnd.example.sbom"), artifact(2, "application/vnd.example.sig")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    lock = threading.Lock()
    counts = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def log(self):
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path,
                                    "host": self.headers.get("Host", ""),
                                    "range": self.headers.get("Range"),
                                    "authorization": "Authorization" in self.headers}) + "\n")

        def send(self, code, body=b"", ctype="application/json", headers=None, length=True):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            if length:
                self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD" and body:
                self.wfile.write(body)

        def send_half(self, body):
            """200 with the whole blob's Content-Length, and only its first half."""
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()

        def error(self, code, err, msg):
            self.send(code, json.dumps({"errors": [{"code": err, "message": msg}]}).encode())

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            self.log()
            path = self.path.split("?")[0]
            if path.startswith("/storage/"):
                d = path[len("/storage/"):]
                return self.send(200, BLOBS.get(d, b""), "application/octet-stream")
            if path == "/v2/" or path == "/v2":
                return self.send(200, b"{}")
            parts = path[4:].split("/")
            if len(parts) < 4:
                return self.error(404, "NAME_UNKNOWN", "no such repository")
            case = parts[0]
            kind, ref = parts[-2], parts[-1]
            name = "/".join(parts[:-2])
            if case == "badchallenge":
                return self.send(401, b"", headers={"WWW-Authenticate": 'Bearer realm="https://x/token,service'})
            if case == "redirect":
                if "Authorization" not in self.headers:
                    return self.send(401, b"", headers={"WWW-Authenticate": 'Basic realm="hostile"'})
            if case == "redirectloop" and kind == "manifests":
                return self.send(302, b"", headers={"Location": self.path})
            if case == "retry" and kind == "manifests":
                with lock:
                    counts[name] = counts.get(name, 0) + 1
                    n = counts[name]
                if n == 1:
                    return self.send(429, b"", headers={"Retry-After": "1"})
                if n == 2:
                    return self.error(503, "UNAVAILABLE", "try later")
            if kind == "manifests":
                body = MANIFEST
                headers = {"Docker-Content-Digest": sha(MANIFEST)}
                if ref.startswith("sha256-") and case == "noreferrers" and ref == sha(MANIFEST).replace(":", "-"):
                    idx = json.dumps({"schemaVersion": 2, "mediaType": MT_INDEX,
                                      "manifests": REFERRERS[:1]}).encode()
                    return self.send(200, idx, MT_INDEX, {"Docker-Content-Digest": sha(idx)})
                if ref.startswith("sha256-"):
                    return self.error(404, "MANIFEST_UNKNOWN", "no such tag")
                if ref.startswith("sha256:") and ref != sha(MANIFEST):
                    return self.error(404, "MANIFEST_UNKNOWN", "unknown digest")
                if case == "wrongdcd":
                    headers["Docker-Content-Digest"] = sha(b"something else")
                if case in ("bigmanifest", "bigchunked"):
                    body = b'{"schemaVersion":2,"pad":"' + b"x" * (5 * 1024 * 1024) + b'"}'
                    headers = {}
                if case == "badjson":
                    body = b'{"schemaVersion":2,"mediaType":"' + MT_MANIFEST.encode() + b'","config":{'
                    headers = {}
                if case == "bigchunked":
                    self.send_response(200)
                    self.send_header("Content-Type", MT_MANIFEST)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    try:
                        for i in range(0, len(body), 65536):
                            c = body[i:i + 65536]
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
                        self.wfile.write(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                return self.send(200, body, MT_MANIFEST, headers)
            if kind == "blobs":
                if ref not in BLOBS:
                    return self.error(404, "BLOB_UNKNOWN", "unknown blob")
                body = BLOBS[ref]
                if case == "wrongblob" and body is LAYER:
                    body = gzip.compress(b"not the layer", mtime=0)
                    body = body + b"\0" * (len(LAYER) - len(body)) if len(body) < len(LAYER) else body
                if case == "wrongconfig" and body is CONFIG:
                    body = CONFIG.replace(b"amd64", b"arm64")
                if case == "redirect":
                    port = self.server.server_address[1]
                    return self.send(307, b"", headers={"Location": "http://localhost:%d/storage/%s" % (port, ref)})
                if case.startswith("drop") and body is LAYER and self.command == "GET":
                    m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
                    if not m:
                        self.send_half(body)
                        self.close_connection = True
                        try:
                            self.connection.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                        return
                    start = int(m.group(1))
                    if case == "dropignore":
                        return self.send(200, body, "application/octet-stream")
                    rest = body[start:]
                    if case == "dropwrong":
                        rest = bytes(b ^ 0x5A for b in rest)
                    first = start - 1 if case == "dropbadrange" else start
                    return self.send(206, rest, "application/octet-stream",
                                     {"Content-Range": "bytes %d-%d/%d" % (first, first + len(rest) - 1, len(body))})
                if case == "stall" and body is LAYER and self.command == "GET":
                    self.send_half(body)
                    time.sleep(120)
                    return
                return self.send(200, body, "application/octet-stream")
            if kind == "referrers" and len(parts) >= 4:
                if case != "referrers":
                    return self.error(404, "NOT_FOUND", "no referrers API")
                q = self.path.split("?", 1)[1] if "?" in self.path else ""
                page = 2 if "page=2" in q else 1
                items = REFERRERS[:1] if page == 1 else REFERRERS[1:]
                headers = {}
                if page == 1:
                    headers["Link"] = '<%s?page=2>; rel="next"' % path
                body = json.dumps({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": items}).encode()
                return self.send(200, body, MT_INDEX, headers)
            return self.error(404, "NOT_FOUND", "unknown path")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
