#!/usr/bin/env bash
# rpm databases, against the real rpm: bulwark's readers (through the test-only
# program bw-rpmdb-dump, built beside the bulwark binary) and Debian's `rpm`
# must list the same packages, line for line, on
#   - the rpmdb.sqlite of the fixture image rpm-root (unpacked with umoci),
#   - each rpmdb.sqlite under ../shared/data/pkgdb/rpm/sqlite/,
#   - each Berkeley DB Packages under ../shared/data/pkgdb/rpm/bdb/ (rpm reads
#     those with its read-only "bdb_ro" backend).
# Debian's rpm has no NDB backend, so NDB is only checked by tests/unit/test_rpm.c.
#
#   BULWARK=build/bulwark TOP=$PWD bash tests/integration/rpmdb.sh
#
# Needs rpm and umoci (scripts/install-deps.sh installs both).
. "$(dirname "$0")/../lib/harness.sh"

DUMP=${RPMDB_DUMP:-$(dirname "$BULWARK")/bw-rpmdb-dump}
W=$TMPROOT/rpmdb
rm -rf "$W"
mkdir -p "$W"
QF='%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\t%{ARCH}\n'

# compare NAME DBDIR FILE [RPM-ARGS...]: rpm on DBDIR vs bw-rpmdb-dump on
# DBDIR/FILE, both sorted; equality of the whole lists, and not empty.
compare() {
  local name=$1 dir=$2 file=$3; shift 3
  if ! rpm --dbpath "$dir" "$@" -qa --qf "$QF" 2>"$W/rpm.err" | LC_ALL=C sort >"$W/rpm.out"; then
    t_fail "$name" "rpm failed: $(head -c 300 "$W/rpm.err")"
    return
  fi
  if ! "$DUMP" "$dir/$file" 2>"$W/dump.err" | LC_ALL=C sort >"$W/dump.out" || [ -s "$W/dump.err" ]; then
    t_fail "$name" "bw-rpmdb-dump failed: $(head -c 300 "$W/dump.err")"
    return
  fi
  if [ ! -s "$W/rpm.out" ]; then
    t_fail "$name" "rpm listed no packages: $(head -c 300 "$W/rpm.err")"
  elif ! diff "$W/rpm.out" "$W/dump.out" >"$W/diff"; then
    t_fail "$name" "differs from rpm: $(head -c 400 "$W/diff" | tr '\n' ' ')"
  else
    t_ok "$name ($(grep -c '' "$W/rpm.out") packages)"
  fi
}

if ! command -v rpm >/dev/null; then
  t_fail "rpmdb rpm tool" "rpm is not installed (scripts/install-deps.sh)"
  exit 0
fi
if [ ! -x "$DUMP" ]; then
  t_fail "rpmdb bw-rpmdb-dump" "$DUMP is missing (ninja builds it)"
  exit 0
fi

# --- the fixture image's rpmdb.sqlite
if need_shared "rpmdb fixture rpm-root"; then
  if ! FIXTURES=${FIXTURES:-$("$TOP/tests/lib/fixtures.sh" "$SHARED")}; then
    t_fail "rpmdb fixture rpm-root" "fixture images could not be built"
  elif ! umoci unpack --rootless --image "$FIXTURES/rpm-root/oci:latest" "$W/rpm-root" >"$W/umoci.log" 2>&1; then
    t_fail "rpmdb fixture rpm-root" "umoci unpack failed: $(tail -c 300 "$W/umoci.log")"
  else
    # rpm may touch the lock, -shm and -wal files: give it a copy of the whole folder
    mkdir -p "$W/fixture-db"
    cp -r "$W/rpm-root/rootfs/var/lib/rpm/." "$W/fixture-db/"
    compare "rpmdb fixture rpm-root rpmdb.sqlite" "$W/fixture-db" rpmdb.sqlite
  fi
fi

# --- the real databases in ../shared/data/pkgdb/rpm
if need_shared "rpmdb pkgdb"; then
  for f in "$SHARED"/data/pkgdb/rpm/sqlite/*/rpmdb.sqlite; do
    [ -f "$f" ] || continue
    d=$W/sqlite-$(basename "$(dirname "$f")")
    mkdir -p "$d"
    cp "$f" "$d/rpmdb.sqlite"
    compare "rpmdb sqlite $(basename "$(dirname "$f")")" "$d" rpmdb.sqlite --define '_db_backend sqlite'
  done
  for f in "$SHARED"/data/pkgdb/rpm/bdb/*/Packages; do
    [ -f "$f" ] || continue
    d=$W/bdb-$(basename "$(dirname "$f")")
    mkdir -p "$d"
    cp "$f" "$d/Packages"
    compare "rpmdb bdb $(basename "$(dirname "$f")")" "$d" Packages --define '_db_backend bdb_ro'
  done
fi

# --- a file that is no rpm database: one line on stderr, exit 3
printf 'not a database at all, just some text that is long enough\n%.0s' {1..20} >"$W/junk"
t_run_expect "rpmdb dump rejects junk" 3 "not an rpm database" -- "$DUMP" "$W/junk"
