#!/usr/bin/env bash
# Hostile signature data from a registry (tests/lib/hostile_sigserver.py, plain HTTP on
# 127.0.0.1): signature manifests with 10,000 layers, a 100 MB annotation, base64 junk,
# certificates that do not parse, blobs that lie about their size or digest, JSON nested
# 100,000 deep. `bulwark verify` must answer each with exit 1 or 3, a reason, in bounded
# time and memory. Also the sha256-<hex>.sig layers of a 10,000-layer manifest in a layout.
. "$(dirname "$0")/../lib/harness.sh"

W=$TMPROOT/sign_hostile
mkdir -p "$W"
/usr/bin/python3 "$TOP/tests/lib/hostile_sigserver.py" --port-file "$W/port" --log "$W/requests.log" 2>"$W/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -f "$W/port" ] && break; sleep 0.1; done
if [ ! -f "$W/port" ]; then
  t_fail "hostile signature server starts" "$(head -c 300 "$W/server.err")"
  exit 0
fi
H=127.0.0.1:$(cat "$W/port")
OPTS=(--insecure-registry "$H" --timeout 5 --retries 0)
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$W/k.pub" 2>/dev/null

# expect CASE EXIT MESSAGE: verify H/CASE/img:t within 20 s and 200 MB of memory
expect() {
  local c=$1 want=$2 msg=$3 rc=0 start end
  start=$(date +%s)
  /usr/bin/time -f '%M' -o "$W/$c.rss" timeout 60 "$BULWARK" verify "${OPTS[@]}" --key "$W/k.pub" "$H/$c/img:t" \
    >"$W/$c.out" 2>"$W/$c.err" || rc=$?
  end=$(date +%s)
  local rss
  rss=$(tail -1 "$W/$c.rss" 2>/dev/null)
  if [ "$rc" != "$want" ]; then
    t_fail "sign hostile $c" "exit $rc, want $want: $(head -c 300 "$W/$c.err")"
  elif ! grep -qiF -- "$msg" "$W/$c.err"; then
    t_fail "sign hostile $c" "stderr lacks [$msg]: $(head -c 300 "$W/$c.err")"
  elif [ $((end - start)) -gt 20 ]; then
    t_fail "sign hostile $c" "took $((end - start)) s"
  elif [ -n "$rss" ] && [ "$rss" -gt 200000 ]; then
    t_fail "sign hostile $c" "peak RSS ${rss} KB"
  else
    t_ok "sign hostile $c: exit $rc ($(tail -1 "$W/$c.err" | head -c 150)), $((end - start)) s, ${rss:-?} KB"
  fi
}

expect layers10k 3 "10000 layers, more than the 1000"
expect bigann 3 "larger than"
expect junk 3 "not valid base64"
expect badcert 1 "does not verify with the key (it carries a certificate"
expect hugeblob 3 "more than"
expect wrongblob 3 "hashes to"
expect deep 3 "nested deeper"
expect notjson 1 "does not verify"
expect nosig 3 "no dev.cosignproject.cosign/signature annotation"
t_check "sign hostile: the 100 MB manifest was not downloaded whole" \
  bash -c "[ \$(grep -c 'GET /v2/bigann/img/manifests/sha256-' '$W/requests.log') -le 5 ]"
