# tests/lib/scan_db.sh: source it to get scan_db_import DB: imports into DB the feeds of
# ../shared/data/vulndb that tests/integration/vuln_match.sh uses, plus the demo feed, so the
# report tests and `make golden` scan the fixture images against the same database.
# Needs BULWARK, SHARED and TOP (tests/lib/harness.sh sets them).
scan_db_feeds() {
  local V=$SHARED/data/vulndb
  SCAN_DB_FEEDS=("$V/osv/go-vulndb-data-osv.tar.gz" "$V/osv/rustsec-osv-branch-crates.tar.gz"
    "$V/osv/almalinux-osv-8.tar.gz" "$V/osv/almalinux-osv-9.tar.gz"
    "$V/osv/pypa-advisory-database-vulns.tar.gz"
    "$V/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz" "$V/osv/ghsa-npm"
    "$V/osv/ubuntu-osv-sample" "$V/osv/misc-osv-records"
    "$V/debian-security-tracker/data/DSA/list" "$V/debian-security-tracker/data/DLA/list"
    "$V/debian-security-tracker/vunnel-fixture/debian.json"
    "$V/alpine-secdb/v3.10/main.json" "$V/wolfi-secdb/vunnel-wolfi/security.json"
    "$TOP/data/demo-feed/debian-bookworm.json")
}
scan_db_import() { # DB
  scan_db_feeds
  BULWARK_DB=$1 "$BULWARK" -q db import "${SCAN_DB_FEEDS[@]}"
}
