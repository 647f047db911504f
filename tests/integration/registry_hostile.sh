#!/usr/bin/env bash
# A misbehaving registry (tests/lib/hostile_registry.py, plain HTTP on 127.0.0.1): every
# flaw gives exit 4 (network/registry) or 3 (bad content), in bounded time, with one line
# on stderr naming the registry, the repository and the problem. Also: retries honour
# Retry-After, redirects to another host carry no Authorization, the referrers API is
# read page by page and filtered, and the fallback tag is read when the API is missing.
. "$(dirname "$0")/../lib/harness.sh"

W=$TMPROOT/registry_hostile
mkdir -p "$W"
LOG=$W/requests.log
: >"$LOG"
/usr/bin/python3 "$TOP/tests/lib/hostile_registry.py" --port-file "$W/port" --log "$LOG" 2>"$W/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -f "$W/port" ] && break; sleep 0.1; done
if [ ! -f "$W/port" ]; then
  t_fail "hostile registry starts" "$(head -c 300 "$W/server.err")"
  exit 0
fi
PORT=$(cat "$W/port")
H=127.0.0.1:$PORT
OPTS=(--insecure-registry "$H" --timeout 2 --retries 2)

# expect CASE EXIT MESSAGE [MAX-SECONDS]: inspect H/CASE/img:t
expect() {
  local c=$1 rc=$2 msg=$3 max=${4:-20} start end
  start=$(date +%s)
  t_run_expect "registry hostile $c" "$rc" "$msg" -- "$BULWARK" inspect "${OPTS[@]}" "$H/$c/img:t"
  end=$(date +%s)
  if ! grep -qF "$H/$c/img" "$T_ERR" && [ "$rc" != 0 ]; then
    t_fail "registry hostile $c names the registry and repository" "$(head -c 300 "$T_ERR")"
  fi
  if [ $((end - start)) -gt "$max" ]; then
    t_fail "registry hostile $c within ${max}s" "took $((end - start))s"
  fi
}

expect good          0 ""
expect wrongblob     3 "digest mismatch"
expect wrongconfig   3 "digest mismatch"
expect wrongdcd      3 "digest mismatch"
expect bigmanifest   3 "larger than the limit"
expect bigchunked    3 "larger than the limit"
expect badjson       3 "invalid JSON"
expect redirectloop  4 "redirect"
expect stall         4 "timed out" 8
expect badchallenge  4 "malformed WWW-Authenticate"

# a download that breaks halfway is resumed with Range (and the whole blob still verified)
expect drop          0 ""
t_check "registry hostile drop: the rest was asked for with Range: bytes=N-" \
  grep -qE '"path": "/v2/drop/img/blobs/sha256:[0-9a-f]+", "host": "[^"]+", "range": "bytes=[1-9][0-9]*-"' "$LOG"
t_eq "registry hostile drop: resumed = the good registry's result" \
  "$("$BULWARK" inspect --format json --files "${OPTS[@]}" "$H/good/img:t" | jq -c '[.files, .artifact.layers[0].diff_id]')" \
  "$("$BULWARK" inspect --format json --files "${OPTS[@]}" "$H/drop/img:t" | jq -c '[.files, .artifact.layers[0].diff_id]')"
expect dropignore    0 ""
expect dropwrong     3 "digest mismatch"
expect dropbadrange  4 "another range"

# a manifest named by a digest it does not have: the content is refused, not trusted
good_digest=$("$BULWARK" inspect --format json "${OPTS[@]}" "$H/good/img:t" | jq -r .artifact.manifest_digest)
t_run_expect "registry hostile: unknown digest is a registry error" 4 "not found" -- \
  "$BULWARK" inspect "${OPTS[@]}" "$H/good/img@sha256:$(printf x | sha256sum | cut -c1-64)"
t_run_expect "registry hostile: by digest" 0 "" -- "$BULWARK" inspect "${OPTS[@]}" "$H/good/img@$good_digest"

# 429 with Retry-After: 1, then 503, then success: three manifest GETs, at least a second
start=$(date +%s%N)
t_run_expect "registry hostile retry: 429 and 503 are retried" 0 "" -- \
  "$BULWARK" inspect "${OPTS[@]}" "$H/retry/img:t"
elapsed=$((($(date +%s%N) - start) / 1000000))
gets=$(grep -c '"method": "GET", "path": "/v2/retry/img/manifests/t"' "$LOG")
t_eq "registry hostile retry: three manifest requests" 3 "$gets"
t_check "registry hostile retry: Retry-After honoured (${elapsed} ms >= 1000)" [ "$elapsed" -ge 1000 ]
t_run_expect "registry hostile retry: --retries 0 gives up at once" 4 "HTTP 429" -- \
  "$BULWARK" inspect --insecure-registry "$H" --retries 0 "$H/retry/zero:t"

# blobs redirect to another host: followed, and the credentials stay behind
t_run_expect "registry hostile redirect: followed" 0 "" -- \
  "$BULWARK" inspect "${OPTS[@]}" --creds alice:secret "$H/redirect/img:t"
storage=$(grep -c '"path": "/storage/' "$LOG")
leaked=$(grep '"path": "/storage/' "$LOG" | grep -c '"authorization": true')
authed=$(grep '/v2/redirect/img/blobs/' "$LOG" | grep -c '"authorization": true')
t_check "registry hostile redirect: blobs fetched from the other host ($storage)" [ "$storage" -ge 2 ]
t_check "registry hostile redirect: the registry got credentials ($authed)" [ "$authed" -ge 2 ]
t_eq "registry hostile redirect: no Authorization sent to the other host" 0 "$leaked"

# referrers API: two pages, client-side filter
out=$("$BULWARK" referrers --format json "${OPTS[@]}" "$H/referrers/img:t" 2>"$W/ref.err")
t_eq "registry hostile referrers: both pages listed" \
  "application/vnd.example.sbom application/vnd.example.sig" "$(jq -r '[.referrers[].artifactType] | join(" ")' <<<"$out" 2>/dev/null)"
out=$("$BULWARK" referrers --format json --artifact-type application/vnd.example.sig "${OPTS[@]}" "$H/referrers/img:t" 2>>"$W/ref.err")
t_eq "registry hostile referrers: artifactType filter" "2" "$(jq -r '.referrers[0].annotations.n + "" + (.referrers | length | tostring | if . == "1" then "" else "x" end)' <<<"$out" 2>/dev/null)"
t_check "registry hostile referrers: artifactType sent to the API" \
  grep -q 'referrers/sha256:[0-9a-f]*?artifactType=application%2Fvnd.example.sig' "$LOG"
out=$("$BULWARK" referrers --format json "${OPTS[@]}" "$H/noreferrers/img:t" 2>>"$W/ref.err")
t_eq "registry hostile referrers: fallback tag read when the API is missing" \
  "application/vnd.example.sbom" "$(jq -r '[.referrers[].artifactType] | join(" ")' <<<"$out" 2>/dev/null)"

# a registry reference with --offline never touches the network
before=$(grep -c . "$LOG")
t_run_expect "registry --offline: exit 4" 4 "--offline" -- "$BULWARK" --offline inspect "$H/good/img:t"
t_eq "registry --offline: no request made" "$before" "$(grep -c . "$LOG")"
