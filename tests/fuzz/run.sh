#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS: build the libFuzzer harnesses and run each briefly.
#
# Builds once in build-fuzz/ (clang, ASan+UBSan, -Dfuzzers=true), then for each
# harness (manifest, layer, docker_archive):
#   1. replays every file of tests/fuzz/corpus/NAME/ (seeds and crash-* regression
#      inputs) through the binary, as a regression test, with every sanitizer check
#      fatal; when that fails, each file alone, to name the ones that fail;
#   2. fuzzes for SECONDS seconds from a scratch copy of that corpus (the repo's
#      corpus never grows; corpus files that failed the replay are left out),
#      FUZZ_JOBS harnesses at once (default: one per CPU), no -jobs/-workers. Only here, the known, not yet
#      fixed bugs listed in tests/fuzz/known-bugs are tolerated (UBSan
#      suppressions, BW_FUZZ_KNOWN for the harnesses' own checks), so that
#      fuzzing looks past them for new ones.
# Prints exactly one line per harness:
#   ok - fuzz NAME: N runs
#   not ok - fuzz NAME: REASON      (followed by the last 20 log lines, as "# ...")
# A failing replay is reported with the fuzzing outcome in the same line.
# or a single "not ok - fuzz build: ..." when clang or the build fails. The
# fuzzers' own output goes to build-fuzz/fuzz-logs/NAME.log; inputs that crash
# while fuzzing are kept in build-fuzz/fuzz-artifacts/NAME/. Always exits 0:
# the lines carry the result (tests/run.sh counts them).
#
# meson.build compiles the library with -fsanitize=fuzzer-no-link when
# -Dfuzzers=true, so libFuzzer gets coverage from libbulwark, not only the harness.
set -uo pipefail

SECS=${1:-20}
case $SECS in '' | *[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 0 ;; esac
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 0
BUILD=$TOP/build-fuzz
HARNESSES="manifest layer docker_archive rpm dpkg apk packagejson packagelock yarnlock pnpmlock python gemspec composer depsjson jar gobuildinfo cargolock version cvss advisory sbomin suppress yaml registry report spdxexpr policy layercache pin sigpayload dsse keyfile bundle checkpoint dockerfile passwd secrets keyless ranges jsonstream secrets_numbers imagecache savedstate tar"
LOGS=$BUILD/fuzz-logs
ARTIFACTS=$BUILD/fuzz-artifacts
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/bw-fuzz-run.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

# Sanitizers: any report is fatal; UBSan does not just print and go on.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

build_fail() {
  echo "not ok - fuzz build: $1"
  if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -20 "$2" | sed 's/^/# /'; fi
  exit 0
}

# ---------------------------------------------------------------- build
if ! command -v clang >/dev/null 2>&1; then
  build_fail "clang not found (libFuzzer needs clang)"
fi
mkdir -p "$SCRATCH"
blog=$SCRATCH/build.log
if [ ! -f "$BUILD/build.ninja" ]; then
  if ! CC=clang meson setup "$BUILD" -Dfuzzers=true -Db_sanitize=address,undefined -Db_lundef=false \
       -Dtests=disabled -Dbuildtype=debugoptimized >"$blog" 2>&1; then
    rm -rf "$BUILD" # a half-configured directory would be taken as built next time
    build_fail "meson setup failed" "$blog"
  fi
fi
targets=()
for h in $HARNESSES; do
  [ -f "tests/fuzz/fuzz_$h.c" ] && targets+=("fuzz_$h")
done
[ ${#targets[@]} -gt 0 ] || build_fail "no harness sources in tests/fuzz/"
# meson checks for the harness sources at configure time: pick up new ones
for t in "${targets[@]}"; do
  if ! ninja -C "$BUILD" -t targets all 2>/dev/null | grep -q "^$t:"; then
    meson setup --reconfigure "$BUILD" >>"$blog" 2>&1 || build_fail "meson reconfigure failed" "$blog"
    break
  fi
done
if ! ninja -C "$BUILD" "${targets[@]}" >>"$blog" 2>&1; then
  build_fail "ninja failed: $(grep -m1 -E 'error|FAILED' "$blog" | cut -c1-200)" "$blog"
fi
mkdir -p "$LOGS" "$ARTIFACTS"

# ---------------------------------------------------------------- run
# The first sanitizer / libFuzzer verdict in a log, for the one-line reason.
reason_of() {
  local log=$1 r
  # the harnesses' own checks say what is wrong before they abort
  r=$(grep -m1 -E '^fuzz_[a-z_]+: ' "$log" | cut -c1-200)
  [ -n "$r" ] || r=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|^SUMMARY:|ALARM: working on the last Unit|==[0-9]+== ?ERROR' "$log" |
      sed -E 's/^==[0-9]+==//; s/^[[:space:]]+//' | cut -c1-200)
  [ -n "$r" ] || r=$(grep -v '^[[:space:]]*$' "$log" | tail -1 | cut -c1-200)
  printf '%s' "${r:-no output}"
}

fail_line() { # NAME REASON LOG
  echo "not ok - fuzz $1: $2"
  tail -20 "$3" | sed 's/^/# /'
}

# Replays files (one process); on failure, each file alone to name every one
# that fails. Sets replay_failed (count), replay_first, replay_reason, replay_log
# and replay_bad (names of the failing files, one per line).
replay() { # NAME LOG FILES...
  local h=$1 log=$2 f flog rc
  shift 2
  replay_failed=0 replay_first= replay_reason= replay_log= replay_bad=
  echo "== replay of $# corpus files" >>"$log"
  timeout $((60 + 15 * $#)) "$BUILD/fuzz_$h" -rss_limit_mb=1024 -timeout=10 "$@" >>"$log" 2>&1 && return 0
  echo "== replay failed: each file alone" >>"$log"
  for f in "$@"; do
    flog=$SCRATCH/replay-$h-$(basename "$f").log
    timeout 60 "$BUILD/fuzz_$h" -rss_limit_mb=1024 -timeout=10 "$f" >"$flog" 2>&1
    rc=$?
    [ $rc = 0 ] && continue
    echo "-- $(basename "$f"): exit $rc: $(reason_of "$flog")" >>"$log"
    replay_failed=$((replay_failed + 1))
    replay_bad+="$(basename "$f")"$'\n'
    if [ -z "$replay_first" ]; then
      replay_first=$(basename "$f") replay_reason=$(reason_of "$flog") replay_log=$flog
    fi
  done
  if [ $replay_failed = 0 ]; then # failed together, never alone (state across inputs)
    replay_failed=1 replay_first="the corpus run together" replay_reason=$(reason_of "$log") replay_log=$log
  fi
  return 1
}

# tests/fuzz/known-bugs -> a UBSan suppressions file and BW_FUZZ_KNOWN
# the harnesses' temporary directories go under $SCRATCH, removed on exit even
# when a harness crashes before cleaning up
export TMPDIR=$SCRATCH/tmp
mkdir -p "$TMPDIR"
SUPP=$SCRATCH/ubsan-known.supp
: >"$SUPP"
KNOWN=
if [ -f tests/fuzz/known-bugs ]; then
  while read -r word rest; do
    case $word in
      '' | '#'*) ;;
      ubsan) echo "${rest%%#*}" >>"$SUPP" ;;
      *) KNOWN=${KNOWN:+$KNOWN,}$word ;;
    esac
  done <tests/fuzz/known-bugs
fi

# One harness: replay, fuzz, and its result lines on stdout. Harnesses run FUZZ_JOBS at a time
# (default: one per CPU; each fuzzer is single-threaded), their lines printed in HARNESSES order.
run_one() {
  local h=$1 bin corpus log files work f fuzz_ubsan flog rc runs art fuzz_result
  bin=$BUILD/fuzz_$h
  corpus=$TOP/tests/fuzz/corpus/$h
  log=$LOGS/$h.log
  : >"$log"
  if [ ! -x "$bin" ]; then
    echo "not ok - fuzz $h: $bin was not built (tests/fuzz/fuzz_$h.c missing?)"
    return
  fi
  files=()
  if [ -d "$corpus" ]; then
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$corpus" -maxdepth 1 -type f -print0 | sort -z)
  fi

  # 1. regression: every corpus file (seeds and crash-* inputs), sanitizers at full strength
  replay_failed=0
  [ ${#files[@]} -gt 0 ] && replay "$h" "$log" "${files[@]}"

  # 2. fuzz from a scratch copy of the corpus; UBSan reports of known bugs
  #    (ubsan-known.supp) are suppressed here only, so fuzzing can go past them
  work=$SCRATCH/$h
  mkdir -p "$work/corpus" "$ARTIFACTS/$h"
  for f in "${files[@]}"; do
    [ "$replay_failed" != 0 ] && grep -qxF "$(basename "$f")" <<<"$replay_bad" && continue
    cp "$f" "$work/corpus/"
  done
  echo "== fuzzing for $SECS s${KNOWN:+ (BW_FUZZ_KNOWN=$KNOWN)}" >>"$log"
  fuzz_ubsan=$UBSAN_OPTIONS
  [ -s "$SUPP" ] && fuzz_ubsan="$UBSAN_OPTIONS:suppressions=$SUPP"
  flog=$SCRATCH/fuzz-$h.log
  (cd "$work" && BW_FUZZ_KNOWN=$KNOWN UBSAN_OPTIONS=$fuzz_ubsan timeout $((SECS + 120)) "$bin" -max_total_time="$SECS" \
      -max_len=65536 -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$ARTIFACTS/$h/" "$work/corpus") >"$flog" 2>&1
  rc=$?
  cat "$flog" >>"$log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$flog" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$flog" | tail -1)
  if [ $rc != 0 ]; then
    art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$flog" | tail -1)
    fuzz_result="fuzzing failed: $(reason_of "$flog")${art:+ (input: ${art#"$TOP"/})}"
  elif [ -z "$runs" ]; then
    fuzz_result="fuzzing failed: no run count in the fuzzer output"
  else
    fuzz_result=
  fi

  if [ "$replay_failed" != 0 ]; then
    echo "not ok - fuzz $h: replay: $replay_failed of ${#files[@]} corpus files fail, first $replay_first: $replay_reason (then ${fuzz_result:-fuzzing with known bugs suppressed: ${runs:-?} runs, no new failure})"
    tail -20 "$replay_log" | sed 's/^/# /'
  elif [ -n "$fuzz_result" ]; then
    fail_line "$h" "$fuzz_result" "$flog"
  else
    echo "ok - fuzz $h: $runs runs"
  fi
}

JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $JOBS in '' | *[!0-9]* | 0) JOBS=1 ;; esac
running=0
for h in $HARNESSES; do
  run_one "$h" >"$SCRATCH/result-$h" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
for h in $HARNESSES; do
  cat "$SCRATCH/result-$h"
done
exit 0
