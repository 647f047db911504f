#!/usr/bin/env bash
# tests/integration/vulndb.sh: `bulwark db import|info` on the real feeds of
# ../shared/data/vulndb, re-import replacing a source, and hostile feeds
# (docs/vulndb.md). Record counts are checked against counts taken here with
# jq/tar/grep from the same files, not against numbers written in the test.
. "$(dirname "$0")/../lib/harness.sh"

W=$TMPROOT/vulndb; mkdir -p "$W"
export BULWARK_DB=$W/db.sqlite
V=$SHARED/data/vulndb

# ---- hostile and malformed feeds (no ../shared needed) -------------------
H=$W/hostile; mkdir -p "$H/tree"
good() { printf '{"id":"%s","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"%s"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.1"}]}]}]}' "$1" "$2"; }
good GHSA-test-0001-aaaa left-pad >"$H/tree/a.json"
good GHSA-test-0002-aaaa right-pad >"$H/tree/b.json"
printf '{"id":"GHSA-test-0003-aaaa","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[]}]}]}' >"$H/tree/c-no-events.json"
printf '{"id":"GHSA-test-0004-aaaa","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"%s"}]}]}]}' "$(head -c 10000 /dev/zero | tr '\0' 1)" >"$H/tree/d-long-version.json"
printf '{"id": "GHSA-test-0005-aaaa", "affected": [' >"$H/tree/e-truncated.json"
python3 -c 'print("[" * 100000 + "]" * 100000)' >"$H/tree/f-deep.json"
t_run_expect "import: malformed records among good ones are skipped, counted and named" 0 "" -- \
  "$BULWARK" db import "$H/tree"
grep -q '2 advisories, 4 skipped' "$T_ERR" && t_ok "import: 2 good, 4 skipped reported" || t_fail "import: counts" "$(cat "$T_ERR")"
grep -q 'first: .*c-no-events.json.*no events' "$T_ERR" && t_ok "import: first skip reason names the file and the problem" \
  || t_fail "import: skip reason" "$(cat "$T_ERR")"
"$BULWARK" db info --format json >"$W/info.json"
t_eq "db info: the source holds the 2 good records" "2 4" "$(jq -r '.sources[] | select(.name=="tree") | "\(.records) \(.skipped)"' "$W/info.json")"

# a 600 MB single feed file (sparse): over the one-file bound, rejected before it is read
truncate -s 600M "$H/huge.json"
t_run_expect "import: a feed file over the size bound is refused" 3 "larger than the limit" -- \
  "$BULWARK" db import "$H/huge.json"
rm -f "$H/huge.json"
# a 1 GiB JSON string inside a gzip member: stopped at the per-member bound while streaming
python3 - "$H/bomb.tar.gz" <<'PY'
import io, sys, tarfile, zlib
class Zeros(io.RawIOBase):
    def __init__(s, n): s.left = n
    def readable(s): return True
    def readinto(s, b):
        n = min(len(b), s.left); b[:n] = b'x' * n; s.left -= n; return n
head, tail, n = b'{"id":"GHSA-big","summary":"', b'"}', 1 << 30
with tarfile.open(sys.argv[1], "w:gz", compresslevel=1) as t:
    ti = tarfile.TarInfo("big.json"); ti.size = len(head) + n + len(tail)
    class Body(io.RawIOBase):
        def __init__(s): s.parts = [io.BytesIO(head), Zeros(n), io.BytesIO(tail)]
        def readable(s): return True
        def readinto(s, b):
            while s.parts:
                k = s.parts[0].readinto(b)
                if k: return k
                s.parts.pop(0)
            return 0
    t.addfile(ti, io.BufferedReader(Body(), 1 << 20))
    g = b'{"id":"GHSA-small","affected":[{"package":{"ecosystem":"npm","name":"a"},"versions":["1.0.0"]}]}'
    ti = tarfile.TarInfo("small.json"); ti.size = len(g); t.addfile(ti, io.BytesIO(g))
PY
start=$(date +%s)
t_run_expect "import: a 1 GiB string in an archive member is skipped at the member bound" 0 "" -- \
  "$BULWARK" db import "$H/bomb.tar.gz"
grep -q '1 advisories, 1 skipped' "$T_ERR" && t_ok "import: the bomb is counted as skipped, the small record kept" \
  || t_fail "import: bomb counts" "$(cat "$T_ERR")"
# single documents that are unreadable as a whole: exit 3, the old source stays
good GHSA-keep-0001-aaaa keep >"$H/one.json"
"$BULWARK" -q db import "$H/one.json" --source keep
printf '{"id": "GHSA-x", "affected": [' >"$H/bad.json"
t_run_expect "import: a malformed single file is exit 3 naming it" 3 "bad.json" -- \
  "$BULWARK" db import "$H/bad.json" --source keep
t_eq "import: a failed re-import leaves the old source in place" "1" \
  "$("$BULWARK" db info --format json | jq '.sources[] | select(.name=="keep") | .records')"
echo '{"hello": 1}' >"$H/unknown.json"
t_run_expect "import: a file in no known format is exit 3" 3 "not a known advisory format" -- \
  "$BULWARK" db import "$H/unknown.json"
t_run_expect "import: a missing path is exit 3" 3 "no-such-feed" -- "$BULWARK" db import "$H/no-such-feed"

# corrupt and foreign database files
cp "$BULWARK_DB" "$W/corrupt.sqlite"
python3 - "$W/corrupt.sqlite" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
for off in range(4096, len(b), 4096):   # scribble over every b-tree page header after the first
    b[off:off + 12] = b'\xa5' * 12
open(p, 'wb').write(b)
PY
t_run_expect "db: a corrupt database is detected at open, exit 3, says to re-import" 3 "re-import" -- \
  "$BULWARK" db info --db "$W/corrupt.sqlite"
sqlite3 "$W/foreign.sqlite" 'CREATE TABLE t(x); INSERT INTO t VALUES(1);' 2>/dev/null || \
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()' "$W/foreign.sqlite"
t_run_expect "db: a database bulwark did not write is refused" 3 "not a bulwark vulnerability database" -- \
  "$BULWARK" db info --db "$W/foreign.sqlite"
t_run_expect "db: a missing database says how to create it" 3 "bulwark db import" -- \
  "$BULWARK" db info --db "$W/none.sqlite"

# ---- db update from a local server (conditional requests), a mirror dir, offline -------------
U=$W/update; mkdir -p "$U/srv"
(cd "$H/tree" && python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); [z.write(f) for f in ("a.json","b.json")]' "$U/srv/all.zip")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$U/srv" && exec python3 -m http.server --bind 127.0.0.1 "$port") >"$U/server.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/all.zip" -o /dev/null && break; sleep 0.1; done
printf -- '- name: local-osv\n  url: http://127.0.0.1:%s/all.zip\n' "$port" >"$U/feeds.yaml"
export XDG_CACHE_HOME=$U/cache
export BULWARK_DB=$U/db.sqlite
t_run_expect "db update: fetches and imports a feed (plain HTTP warned about)" 0 "plain HTTP" -- \
  "$BULWARK" db update --feeds "$U/feeds.yaml"
grep -q 'local-osv .*2 advisories' "$T_ERR" && t_ok "db update: the feed's 2 advisories imported" || t_fail "db update: import" "$(cat "$T_ERR")"
t_run_expect "db update: a second run sends If-Modified-Since and gets 304 (not re-imported)" 0 "unchanged" -- \
  "$BULWARK" db update --feeds "$U/feeds.yaml"
t_eq "db update: the server saw the conditional request answered 304" "1" "$(grep -c '"GET /all.zip HTTP/1.1" 304' "$U/server.log")"
kill $srv; wait $srv 2>/dev/null
rc=0; "$BULWARK" db update --feeds "$U/feeds.yaml" 2>"$U/gone.err" || rc=$?
t_eq "db update: a server that is gone is exit 4" 4 "$rc"
t_check "db update: ... and the last line says the database is unchanged" grep -q 'the database is unchanged' <(tail -1 "$U/gone.err")
mkdir -p "$U/mirror"; cp "$U/srv/all.zip" "$U/mirror/local-osv.zip"
t_run_expect "db update --mirror DIR: air-gapped, from files named after the feeds" 0 "2 advisories" -- \
  "$BULWARK" --offline db update --feeds "$U/feeds.yaml" --mirror "$U/mirror"
t_run_expect "db update --offline without a mirror is exit 4" 4 "offline" -- "$BULWARK" --offline db update
printf -- '- name: ../evil\n  url: https://example.com/x.json\n' >"$U/bad-feeds.yaml"
t_run_expect "db update: a feed name that is not a plain file name is refused" 3 "must be 1-64" -- \
  "$BULWARK" db update --feeds "$U/bad-feeds.yaml"

# ---- the real feeds --------------------------------------------------------
need_shared "vulndb: real feeds" || exit 0
rm -f "$BULWARK_DB"*
X=$W/x; mkdir -p "$X"
feeds=("$V/osv/go-vulndb-data-osv.tar.gz" "$V/osv/rustsec-osv-branch-crates.tar.gz"
       "$V/osv/almalinux-osv-8.tar.gz" "$V/osv/almalinux-osv-9.tar.gz"
       "$V/osv/pypa-advisory-database-vulns.tar.gz"
       "$V/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz" "$V/osv/ghsa-npm"
       "$V/osv/ubuntu-osv-sample" "$V/osv/misc-osv-records"
       "$V/debian-security-tracker/data/DSA/list" "$V/debian-security-tracker/data/DLA/list"
       "$V/debian-security-tracker/data/DTSA/list" "$V/debian-security-tracker/vunnel-fixture/debian.json"
       "$V/alpine-secdb" "$V/wolfi-secdb/vunnel-wolfi/security.json")
start=$(date +%s.%N)
t_run_expect "import: every shared feed" 0 "" -- "$BULWARK" db import "${feeds[@]}"
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "# imported all shared feeds in ${secs}s, database $(du -k "$BULWARK_DB" | cut -f1) KiB"
"$BULWARK" db info --format json >"$W/info.json"

# counts from the files themselves
tar -xzf "$V/osv/go-vulndb-data-osv.tar.gz" -C "$X"
go_total=$(find "$X" -name 'GO-*.json' | wc -l)
go_withdrawn=$(find "$X" -name 'GO-*.json' -exec jq -r 'select(.withdrawn) | .id' {} + | wc -l)
go_no_pkg=$(find "$X" -name 'GO-*.json' -exec jq -r 'select(.withdrawn | not) | select([.affected[]?.package.ecosystem] | index("Go") | not) | .id' {} + | wc -l)
t_eq "import: Go records = files - withdrawn - without a Go package" "$((go_total - go_withdrawn - go_no_pkg))" \
  "$(jq '.sources[] | select(.name=="go-vulndb-data-osv") | .records' "$W/info.json")"
mkdir -p "$X/pypa"; tar -xzf "$V/osv/pypa-advisory-database-vulns.derived-json.tar.gz" -C "$X/pypa"
pypa_live=$(find "$X/pypa" -name '*.json' -exec jq -r 'select(.withdrawn | not) | select([.affected[]?.package.ecosystem] | index("PyPI")) | .id' {} + | wc -l)
t_eq "import: PyPA YAML records = JSON copies with a PyPI package, none skipped" "$pypa_live 0" \
  "$(jq -r '.sources[] | select(.name=="pypa-advisory-database-vulns") | "\(.records) \(.skipped)"' "$W/info.json")"
# Debian release codenames with a number (woody 3.0 ... duke 15), a published fact
rel='woody|sarge|etch|lenny|squeeze|wheezy|jessie|stretch|buster|bullseye|bookworm|trixie|forky|duke'
dsa_with_fix=$(awk -v rel="$rel" '/^\[/{if (h && f) n++; h=1; f=0; next}
  $0 ~ "^[\t ]+\\[(" rel ")\\] - [^ ]+ +[^< ]" {f=1} END{if (h && f) n++; print n}' "$V/debian-security-tracker/data/DSA/list")
t_eq "import: DSA advisories with a release fix line are stored" "$dsa_with_fix" \
  "$(jq '.sources[] | select(.name=="DSA/list") | .records' "$W/info.json")"
refs() { jq -r '(.packages | arrays | .[]).pkg.secfixes // {} | to_entries[] | select(.key != "0") | .value | arrays | .[]' "$@" | wc -l; }
twice=$(refs "$V"/alpine-secdb/v3.*/*.json "$V"/alpine-secdb/vunnel-fixture/v3.15/*.json)
once=$(refs "$V"/alpine-secdb/claircore-fixture-json/v3.10/*.json)
t_eq "import: every Alpine secfix id stored (JSON and YAML copies both read)" "$((twice * 2 + once))" \
  "$(jq '.sources[] | select(.name=="alpine-secdb") | .records' "$W/info.json")"
t_eq "import: no record of the real feeds is skipped" "0" "$(jq '[.sources[].skipped] | add' "$W/info.json")"

# re-import replaces: same counts, no duplicates
before=$(jq '.advisories' "$W/info.json")
"$BULWARK" -q db import "$V/osv/ghsa-npm" "$V/debian-security-tracker/data/DSA/list"
t_eq "import: re-importing sources replaces them (advisory count unchanged)" "$before" \
  "$("$BULWARK" db info --format json | jq '.advisories')"
