# tests/lib/harness.sh: the tiny test protocol shared by every integration script.
#
# Source it from a test script. Each check reports one line on stdout:
#   ok - NAME
#   not ok - NAME: WHY
#   skip - NAME: WHY        (only for tests that need ../shared when it is absent)
# tests/run.sh counts these lines across all scripts and prints the closing
# "N passed, N failed, N skipped" line. A script that exits non-zero without
# printing "not ok" is counted as one failure by the runner.
#
# Environment (set by tests/run.sh, defaults for running a script by hand):
#   BULWARK      the binary under test          (default: build/bulwark)
#   SHARED       the ../shared folder, if any    (default: ../shared beside the clone)
#   FIXTURES     built fixture images, if any    (set by tests/lib/fixtures.sh)
#   TMPROOT      a scratch folder for this run   (default: mktemp -d)

set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BULWARK=${BULWARK:-$TOP/build/bulwark}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
if [ -z "${TMPROOT:-}" ]; then
  TMPROOT=$(mktemp -d)
  trap 'rm -rf "$TMPROOT"' EXIT
fi

t_ok()   { printf 'ok - %s\n' "$1"; }
t_fail() { printf 'not ok - %s: %s\n' "$1" "$2"; }
t_skip() { printf 'skip - %s: %s\n' "$1" "$2"; }

# t_check NAME CONDITION-COMMAND... : ok when the command succeeds.
t_check() {
  local name=$1; shift
  if "$@"; then t_ok "$name"; else t_fail "$name" "failed: $*"; fi
}

# t_eq NAME EXPECTED ACTUAL
t_eq() {
  if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "expected [$2], got [$3]"; fi
}

# t_run_expect NAME EXIT-CODE STDERR-SUBSTRING -- CMD...
# Runs CMD, asserts its exit code and that stderr contains the substring
# (case-insensitive) and is a single line. stdout/stderr kept in $T_OUT/$T_ERR.
t_run_expect() {
  local name=$1 want_rc=$2 want_msg=$3; shift 4
  T_OUT=$TMPROOT/out.$$; T_ERR=$TMPROOT/err.$$
  local rc=0
  timeout 120 "$@" >"$T_OUT" 2>"$T_ERR" || rc=$?
  if [ "$rc" != "$want_rc" ]; then
    t_fail "$name" "exit $rc, want $want_rc; stderr: $(head -c 300 "$T_ERR")"
  elif [ -n "$want_msg" ] && ! grep -qiF -- "$want_msg" "$T_ERR"; then
    t_fail "$name" "stderr lacks [$want_msg]: $(head -c 300 "$T_ERR")"
  elif [ "$want_rc" != 0 ] && [ "$(grep -c '' "$T_ERR")" != 1 ]; then
    t_fail "$name" "error is not one line: $(head -c 300 "$T_ERR")"
  else
    t_ok "$name"
  fi
}

# need_shared NAME: prints a skip line and returns 1 when ../shared is absent.
need_shared() {
  if [ ! -d "$SHARED/fixtures" ]; then
    t_skip "$1" "../shared is not beside the clone"
    return 1
  fi
}
