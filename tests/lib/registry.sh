# tests/lib/registry.sh: real registries on 127.0.0.1 for the tests (source it).
#
#   reg_pki DIR                  a CA, a server certificate for 127.0.0.1 signed by it, and a
#                                token-signing key and self-signed certificate (openssl)
#   reg_start DIR basic|token|none [USER:PASS]
#                                starts Debian's docker-registry (TLS with DIR's certificate,
#                                storage in DIR/data, logs in DIR/registry.log) on a free port;
#                                "token" also starts tests/lib/token_server.py. Sets REG_PORT;
#                                the pids go to REG_PIDS, stopped by reg_stop_all (trap EXIT).
#   reg_htpasswd FILE USER PASS  bcrypt htpasswd entry (apache2-utils)
set -u
REG_PIDS=${REG_PIDS:-}

reg_stop_all() {
  local p
  for p in $REG_PIDS; do kill "$p" 2>/dev/null; done
  for p in $REG_PIDS; do wait "$p" 2>/dev/null; done
  REG_PIDS=
}

reg_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

reg_pki() {
  local d=$1
  mkdir -p "$d"
  [ -f "$d/ca.crt" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bulwark test CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
    -out "$d/server.csr" 2>/dev/null || return 1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null || return 1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bulwark test token signer" \
    -keyout "$d/token.key" -out "$d/token.crt" 2>/dev/null || return 1
}

reg_htpasswd() {
  htpasswd -Bbn "$2" "$3" >>"$1" 2>/dev/null
}

# reg_wait PORT: until something answers TLS on the port (10 s at most)
reg_wait() {
  local i
  for i in $(seq 1 100); do
    if curl -s -o /dev/null --cacert "$REG_PKI/ca.crt" "https://127.0.0.1:$1/v2/" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

reg_start() {
  local d=$1 auth=$2 creds=${3:-alice:secret} port tport authyaml=""
  REG_PKI=${REG_PKI:-$d/../pki}
  mkdir -p "$d/data"
  port=$(reg_free_port)
  case $auth in
    basic)
      : >"$d/htpasswd"
      reg_htpasswd "$d/htpasswd" "${creds%%:*}" "${creds#*:}"
      authyaml="auth:
  htpasswd:
    realm: bulwark-test
    path: $d/htpasswd"
      ;;
    token)
      rm -f "$d/token.port"
      # the OAuth2 refresh token (docker config "identitytoken") the issuer accepts for USER
      REG_REFRESH_TOKEN=${REG_REFRESH_TOKEN:-rt-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
      /usr/bin/python3 "$TOP/tests/lib/token_server.py" --port-file "$d/token.port" \
        --cert "$REG_PKI/token.crt" --key "$REG_PKI/token.key" --tls-cert "$REG_PKI/server.crt" \
        --tls-key "$REG_PKI/server.key" --user "$creds" --issuer bulwark-test-issuer \
        --refresh-token "$REG_REFRESH_TOKEN" --log "$d/token.log" 2>"$d/token.err" &
      REG_PIDS="$REG_PIDS $!"
      local i
      for i in $(seq 1 100); do [ -f "$d/token.port" ] && break; sleep 0.1; done
      tport=$(cat "$d/token.port" 2>/dev/null) || return 1
      TOKEN_PORT=$tport
      authyaml="auth:
  token:
    realm: https://127.0.0.1:$tport/token
    service: bulwark-test
    issuer: bulwark-test-issuer
    rootcertbundle: $REG_PKI/token.crt"
      ;;
  esac
  cat >"$d/config.yml" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: bulwark-test-secret
  tls:
    certificate: $REG_PKI/server.crt
    key: $REG_PKI/server.key
$authyaml
YAML
  docker-registry serve "$d/config.yml" >"$d/registry.log" 2>&1 &
  REG_PIDS="$REG_PIDS $!"
  REG_PORT=$port
  reg_wait "$port"
}
