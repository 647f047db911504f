#!/usr/bin/env bash
# tests/integration/vuln_pkgdb.sh: `bulwark scan dir:ROOT` of the real package databases of
# ../shared/data/pkgdb (Ubuntu 18.04 dpkg, Alpine 3.18 apk, Cargo, npm, Composer, .NET,
# PyPI, RubyGems), each placed in a root filesystem, against every shared feed; findings
# compared with the independent oracle fed the packages the upstream projects' tests expect
# (EXPECTED.json), not the packages bulwark found.
. "$(dirname "$0")/../lib/harness.sh"
need_shared "vuln_pkgdb: package databases and feeds" || exit 0
PY=/usr/bin/python3
W=$TMPROOT/vuln_pkgdb; mkdir -p "$W"
export BULWARK_DB=$W/db.sqlite
V=$SHARED/data/vulndb
feeds=("$V/osv/go-vulndb-data-osv.tar.gz" "$V/osv/rustsec-osv-branch-crates.tar.gz"
       "$V/osv/pypa-advisory-database-vulns.tar.gz" "$V/osv/ghsa-npm"
       "$V/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz"
       "$V/osv/ubuntu-osv-sample" "$V/osv/misc-osv-records"
       "$V/alpine-secdb/vunnel-fixture/v3.15/main.yaml")
"$BULWARK" -q db import "${feeds[@]}" || { t_fail "vuln_pkgdb: import" "db import failed"; exit 0; }
oracle_feeds=(); for f in "${feeds[@]}"; do oracle_feeds+=(--feed "$f"); done
total=0
for name in $("$PY" "$TOP/tests/lib/pkgdb_roots.py" "$SHARED/data/pkgdb" "$W"); do
  d=$W/$name
  "$PY" "$TOP/tests/oracles/vuln_oracle.py" match --packages "$d/pkgs.json" "${oracle_feeds[@]}" >"$d/oracle.json" 2>"$d/oracle.err" \
    || { t_fail "$name: oracle" "$(tail -2 "$d/oracle.err")"; continue; }
  if ! "$BULWARK" scan --format json "dir:$d/root" -o "$d/scan.json" 2>"$d/err"; then
    t_fail "$name: scan" "$(head -2 "$d/err")"; continue
  fi
  n=$(jq '.summary.vulnerabilities' "$d/scan.json"); total=$((total + n))
  if "$PY" "$TOP/tests/lib/compare_vulns.py" "$d/oracle.json" "$d/scan.json" >"$d/cmp"; then
    t_ok "$name: $n findings = oracle"
  else
    t_fail "$name: findings differ from the oracle" "$(head -8 "$d/cmp" | tr '\n' ' ')"
  fi
done
t_check "the package databases have findings at all (else the comparisons prove little): $total" test "$total" -gt 0
