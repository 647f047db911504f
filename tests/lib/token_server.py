#!/usr/bin/python3
"""tests/lib/token_server.py: a Docker registry token server for the tests.

Implements the token auth flow of the distribution spec ("Token Authentication
Specification"): GET REALM?service=S&scope=repository:NAME:ACTIONS..., with
HTTP Basic credentials or none, answers {"token", "access_token", "expires_in",
"issued_at"} with a JWT signed (RS256) by the key whose certificate the
registry trusts (its auth.token.rootcertbundle); the certificate travels in the
JWT header's x5c so the registry can check it against that bundle.

Also the OAuth2 flow of the spec ("Token Authentication Implementation using
OAuth2"): POST REALM with a form grant_type=refresh_token&refresh_token=T&
service=S&scope=...&client_id=C; T must equal --refresh-token and makes the
caller USER. Answers {"access_token", "expires_in", "scope"}; a wrong or
missing refresh token is 401 {"error": "invalid_grant"}.

Policy: USER:PASS (from --user) may pull and push everywhere; anonymous callers
may pull repositories whose name starts with "public/" and nothing else.
Every request is appended to --log as one JSON line (the Authorization header
only as "basic"/"none", never its value), so tests can count token fetches.

  token_server.py --port-file F --cert token.crt --key token.key --tls-cert srv.crt
                  --tls-key srv.key --user alice:secret --issuer ISS --log LOG
"""
import argparse, base64, json, os, ssl, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    ap = argparse.ArgumentParser()
    for a in ("port-file", "cert", "key", "tls-cert", "tls-key", "user", "issuer", "log"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--expires", type=int, default=300)
    ap.add_argument("--refresh-token", default=None)
    args = ap.parse_args()

    key = serialization.load_pem_private_key(open(args.key, "rb").read(), password=None)
    cert = x509.load_pem_x509_certificate(open(args.cert, "rb").read())
    x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    user, password = args.user.split(":", 1)

    def sign(claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": x5c}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            u = urlparse(self.path)
            q = parse_qs(u.query)
            auth = self.headers.get("Authorization", "")
            who = None
            if auth.startswith("Basic "):
                try:
                    u_, p_ = base64.b64decode(auth[6:]).decode().split(":", 1)
                except Exception:
                    u_, p_ = "", ""
                if (u_, p_) != (user, password):
                    self.send_response(401)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
                    self._log(q, "basic-bad")
                    return
                who = user
            access = []
            for s in q.get("scope", []):
                parts = s.split(":")
                if len(parts) != 3 or parts[0] != "repository":
                    continue
                actions = parts[2].split(",")
                if who is None:
                    actions = [a for a in actions if a == "pull" and parts[1].startswith("public/")]
                access.append({"type": "repository", "name": parts[1], "actions": actions})
            now = int(time.time())
            claims = {"iss": args.issuer, "sub": who or "", "aud": q.get("service", [""])[0],
                      "exp": now + args.expires, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()),
                      "access": access}
            tok = sign(claims)
            body = json.dumps({"token": tok, "access_token": tok, "expires_in": args.expires,
                               "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self._log(q, "basic" if who else "none")

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0") or 0)
            form = parse_qs(self.rfile.read(n).decode("utf-8", "replace")) if n else {}
            grant = form.get("grant_type", [""])[0]
            given = form.get("refresh_token", [""])[0]
            if grant != "refresh_token" or args.refresh_token is None or given != args.refresh_token:
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error":"invalid_grant"}')
                self._log(form, "refresh-bad")
                return
            access = []
            for s in form.get("scope", []):
                for one in s.split(" "):
                    parts = one.split(":")
                    if len(parts) == 3 and parts[0] == "repository":
                        access.append({"type": "repository", "name": parts[1], "actions": parts[2].split(",")})
            now = int(time.time())
            claims = {"iss": args.issuer, "sub": user, "aud": form.get("service", [""])[0],
                      "exp": now + args.expires, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()),
                      "access": access}
            tok = sign(claims)
            body = json.dumps({"access_token": tok, "expires_in": args.expires,
                               "scope": " ".join(form.get("scope", []))}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self._log(form, "refresh:" + form.get("client_id", [""])[0])

        def _log(self, q, auth):
            with open(args.log, "a") as f:
                f.write(json.dumps({"scope": q.get("scope", []), "service": q.get("service", []),
                                    "auth": auth}) + "\n")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls_cert, args.tls_key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
