#!/usr/bin/env bash
# bulwark record approve/list/rollback: approvals of images in a real registry (Debian's
# docker-registry, images pushed by skopeo, whose digests are the ground truth), the SQLite
# store (read back with the sqlite3 CLI), the verdict with a database, and rollback --pin
# rewriting a Deployment that PyYAML still reads the same way.
. "$(dirname "$0")/../lib/harness.sh"
. "$TOP/tests/lib/registry.sh"

need_shared "record" || exit 0
[ -n "${FIXTURES:-}" ] || FIXTURES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || {
  t_fail "record fixtures" "tests/lib/fixtures.sh failed"
  exit 0
}
for c in docker-registry skopeo openssl jq sqlite3; do
  command -v "$c" >/dev/null || { t_fail "record: $c" "not installed (scripts/install-deps.sh)"; exit 0; }
done
W=$TMPROOT/record
rm -rf "$W"
mkdir -p "$W"
REG_PKI=$W/pki
trap reg_stop_all EXIT
reg_pki "$REG_PKI" || { t_fail "record: registry pki" "openssl failed"; exit 0; }
reg_start "$W/reg" none || { t_fail "record: registry starts" "$(tail -3 "$W/reg/registry.log")"; exit 0; }
R=127.0.0.1:$REG_PORT
mkdir -p "$W/certs"
cp "$REG_PKI/ca.crt" "$W/certs/"
CA=(--ca-file "$REG_PKI/ca.crt")
skopeo copy -q --dest-cert-dir "$W/certs" "oci:$FIXTURES/debian-minbase/oci:latest" "docker://$R/shop/web:v1" &&
  skopeo copy -q --dest-cert-dir "$W/certs" "oci:$FIXTURES/rpm-root/oci:latest" "docker://$R/shop/web:v2" ||
  { t_fail "record: skopeo copy" "failed"; exit 0; }
D1=$(skopeo inspect --cert-dir "$W/certs" --format '{{.Digest}}' "docker://$R/shop/web:v1")
D2=$(skopeo inspect --cert-dir "$W/certs" --format '{{.Digest}}' "docker://$R/shop/web:v2")
export BULWARK_RECORDS=$W/store/records.sqlite
export BULWARK_DB=$W/no-db.sqlite

t_run_expect "record list before any approval: exit 3" 3 "no records store" -- "$BULWARK" record list web
t_run_expect "record approve v1" 0 "" -- "$BULWARK" record approve "${CA[@]}" "$R/shop/web:v1" --as web --note "first release"
t_eq "record approve prints skopeo's digest" "$D1" "$(cat "$T_OUT")"
t_run_expect "record rollback with one approval: nothing to roll back to (exit 3)" 3 "nothing to roll back to" -- \
  "$BULWARK" record rollback web

# a database for the verdict: a Debian tracker feed naming packages of debian-minbase
cat >"$W/feed.json" <<'JSON'
{"apt": {"CVE-2011-3374": {"description": "apt-key", "releases": {"bookworm": {"status": "open", "urgency": "unimportant", "repositories": {"bookworm": "2.6.1"}}}}},
 "tar": {"CVE-2099-1111": {"description": "test", "releases": {"bookworm": {"status": "resolved", "fixed_version": "99", "urgency": "high"}}}}}
JSON
BULWARK_DB=$W/v.sqlite "$BULWARK" -q db import "$W/feed.json" >/dev/null 2>&1 || t_fail "record: feed import" "failed"
t_run_expect "record approve v2 --db" 0 "" -- "$BULWARK" record approve "${CA[@]}" "$R/shop/web:v2" --as web --db "$W/v.sqlite"
t_eq "record approve v2 prints skopeo's digest" "$D2" "$(cat "$T_OUT")"
t_run_expect "record approve v1 --db (the verdict counts)" 0 "" -- \
  "$BULWARK" record approve "${CA[@]}" "$R/shop/web:v1" --as canary --db "$W/v.sqlite"
# the same scan verdict as `bulwark scan` with that database
want=$(BULWARK_DB=$W/v.sqlite "$BULWARK" scan --format json "${CA[@]}" "$R/shop/web:v1" 2>/dev/null |
  jq -c '[.vulnerabilities[].severity] | {CRITICAL: map(select(. == "CRITICAL")) | length, HIGH: map(select(. == "HIGH")) | length,
         MEDIUM: map(select(. == "MEDIUM")) | length, LOW: map(select(. == "LOW")) | length, UNKNOWN: map(select(. == "UNKNOWN")) | length}')
t_eq "record: the verdict is bulwark scan's counts by severity" "$want" \
  "$("$BULWARK" record list canary --format json | jq -c '.records[0].verdict')"
t_check "record: the verdict is not empty (the feed matches debian-minbase)" bash -c "[ \$(jq '[.[]] | add' <<<'$want') -ge 1 ]"

"$BULWARK" record list web --format json >"$W/list.json"
t_eq "record list: newest first" "$D2 $D1" "$(jq -r '[.records[].digest] | join(" ")' "$W/list.json")"
t_eq "record list: who is the user" "$(id -un)" "$(jq -r '.records[0].who' "$W/list.json")"
t_check "record list: when is UTC ISO 8601, today" bash -c "jq -r '.records[0].when' '$W/list.json' | grep -q '^$(date -u +%Y-%m-%d)T[0-9:]*Z$'"
t_eq "record list: the note" "first release" "$(jq -r '.records[1].note' "$W/list.json")"
t_eq "record list: the reference" "$R/shop/web:v1" "$(jq -r '.records[1].reference' "$W/list.json")"
t_eq "record list: no verdict without --db" null "$(jq -c '.records[1].verdict' "$W/list.json")"
t_eq "record: the SQLite store holds the rows (sqlite3 CLI)" "web|$D1|first release" \
  "$(sqlite3 "$BULWARK_RECORDS" "SELECT name, digest, note FROM records WHERE name = 'web' ORDER BY id LIMIT 1")"
"$BULWARK" record list web >"$W/list.txt"
t_check "record list table" grep -q "$D1" "$W/list.txt"

# rollback: the newest approval with another digest than the latest
t_run_expect "record rollback web" 0 "" -- "$BULWARK" record rollback web
t_eq "record rollback prints the previous known-good digest" "$D1" "$(cat "$T_OUT")"
t_run_expect "record approve v2 again" 0 "" -- "$BULWARK" record approve "${CA[@]}" "$R/shop/web:v2" --as web
t_eq "record rollback after re-approving the same digest: still v1" "$D1" "$("$BULWARK" -q record rollback web)"

cat >"$W/deploy.yaml" <<YAML
# the web deployment
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        image: "$R/shop/web:v2@$D2"   # promoted
      - name: proxy
        image: $R/shop/proxy:v9
YAML
cp "$W/deploy.yaml" "$W/deploy.orig"
t_run_expect "record rollback web --pin deploy.yaml" 0 "" -- "$BULWARK" record rollback web --pin "$W/deploy.yaml"
t_check "record rollback --pin: the web image is the approved v1 by digest" grep -qF "image: \"$R/shop/web:v1@$D1\"   # promoted" "$W/deploy.yaml"
t_check "record rollback --pin: other images untouched" grep -qF "image: $R/shop/proxy:v9" "$W/deploy.yaml"
t_eq "record rollback --pin: PyYAML reads the same structure" "ok" "$(/usr/bin/python3 - "$W/deploy.orig" "$W/deploy.yaml" <<'PY'
import sys, yaml
a = yaml.safe_load(open(sys.argv[1])); b = yaml.safe_load(open(sys.argv[2]))
b["spec"]["template"]["spec"]["containers"][0]["image"] = a["spec"]["template"]["spec"]["containers"][0]["image"]
print("ok" if a == b else "differs")
PY
)"

# hostile and wrong input
t_run_expect "record approve: a note with a newline is refused" 2 "" -- \
  "$BULWARK" record approve "${CA[@]}" "$R/shop/web:v1" --as web --note "$(printf 'a\nb')"
t_run_expect "record approve: a name with SQL in it is just a name" 0 "" -- \
  "$BULWARK" record approve "${CA[@]}" "$R/shop/web:v1" --as "x'); DROP TABLE records; --"
t_eq "record: the table survived" 1 "$("$BULWARK" record list "x'); DROP TABLE records; --" --format json | jq '.records | length')"
t_run_expect "record approve without --as: usage" 2 "" -- "$BULWARK" record approve "$R/shop/web:v1"
t_run_expect "record approve of a missing tag: exit 4" 4 "" -- "$BULWARK" record approve "${CA[@]}" "$R/shop/web:nope" --as web
printf 'not a database' >"$W/bad.sqlite"
t_run_expect "record: a file that is not a store is exit 3" 3 "" -- "$BULWARK" record list web --store "$W/bad.sqlite"
