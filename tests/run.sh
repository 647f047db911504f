#!/usr/bin/env bash
# tests/run.sh: every test, in one run, ending with "N passed, N failed, N skipped".
#
#   1. unit tests (cmocka) on the release build
#   2. the same unit tests and the hostile-input integration tests built with ASan+UBSan
#   3. each libFuzzer harness for a short time on its seed corpus (clang)
#   4. integration tests (tests/integration/*.sh) against real images, skopeo and umoci
#
# Environment: FUZZ_SECONDS (default 10 per harness, FUZZ_JOBS of them at once: 43 harnesses must fit CI's budget), TESTS (globs of integration
# scripts to run, space-separated, default all), SKIP_SANITIZERS=1 / SKIP_FUZZ=1 for quick local runs
# (CI sets neither).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export TOP
export SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
export TMPROOT=$(mktemp -d)
trap 'rm -rf "$TMPROOT"' EXIT
# Every test gets a state store of its own and no layer cache: a cache warmed by one check
# (or by the user's own scans) would let a later one pass without reading the layers it
# means to test (tampered blobs, hostile tars). layer_cache.sh, base.sh and platforms.sh
# turn it back on.
export BULWARK_NO_CACHE=1 BULWARK_STATE=$TMPROOT/state.sqlite
results=$TMPROOT/results
: >"$results"

say() { printf '%s\n' "$*" | tee -a "$results"; }

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
run_unit_dir() {
  local dir=$1 label=$2 t out
  for t in "$dir"/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    out=$TMPROOT/unit.out
    if "$t" >"$out" 2>&1; then rc=0; else rc=$?; fi
    local passed failed
    passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    for ((i = 0; i < ${passed:-0}; i++)); do say "ok - $label $(basename "$t") #$((i + 1))"; done
    if [ "${failed:-0}" != 0 ] || [ "$rc" != 0 ] || [ -z "$passed$failed" ]; then
      say "not ok - $label $(basename "$t"): exit $rc"
      grep -E 'FAILED|ERROR|error|runtime error|Sanitizer' "$out" | head -20
    fi
  done
}

echo "== unit tests"
run_unit_dir build "unit"

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== ASan+UBSan build"
  if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
  fi
  if ninja -C build-asan >"$TMPROOT/asan-build.log" 2>&1; then
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    run_unit_dir build-asan "asan"
    BULWARK=$TOP/build-asan/bulwark LABEL=asan bash tests/integration/hostile.sh | tee -a "$results"
    TARLIST=$TOP/build-asan/bw-tarlist LABEL=asan bash tests/integration/tar_reader.sh | tee -a "$results"
  else
    say "not ok - asan build: $(tail -5 "$TMPROOT/asan-build.log")"
  fi
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzers"
  bash tests/fuzz/run.sh "${FUZZ_SECONDS:-10}" | tee -a "$results"
fi

echo "== integration tests"
export BULWARK=$TOP/build/bulwark
if [ -d "$SHARED/fixtures" ]; then
  if FIXTURES=$(tests/lib/fixtures.sh "$SHARED"); then
    export FIXTURES
  else
    say "not ok - fixtures: build-images.sh failed"
  fi
fi
# TESTS may hold several globs, space-separated; each must match a script
read -r -a patterns <<<"${TESTS:-*}"
scripts=()
shopt -s nullglob
for pat in "${patterns[@]}"; do
  matched=()
  for t in tests/integration/$pat.sh; do
    # a word without glob characters survives nullglob: keep only real files
    [ -f "$t" ] && matched+=("$t")
  done
  if [ ${#matched[@]} = 0 ]; then
    say "not ok - TESTS glob '$pat' matches no script in tests/integration/"
  fi
  scripts+=("${matched[@]}")
done
shopt -u nullglob
for t in "${scripts[@]}"; do
  echo "-- $t"
  out=$TMPROOT/integ.out
  # each script gets a scratch folder of its own: names inside cannot collide
  mkdir -p "$TMPROOT/$(basename "$t" .sh)"
  BULWARK_STATE=$TMPROOT/$(basename "$t" .sh)/state.sqlite TMPROOT=$TMPROOT/$(basename "$t" .sh) \
    bash "$t" >"$out" 2>"$TMPROOT/integ.err"
  rc=$?
  cat "$out"
  grep -E '^(ok|not ok|skip) - ' "$out" >>"$results"
  if [ $rc != 0 ] && ! grep -q '^not ok - ' "$out"; then
    say "not ok - $t: exited $rc: $(tail -3 "$TMPROOT/integ.err" | tr '\n' ' ')"
  fi
done

passed=$(grep -c '^ok - ' "$results")
failed=$(grep -c '^not ok - ' "$results")
skipped=$(grep -c '^skip - ' "$results")
echo
grep '^not ok - ' "$results" | head -50
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
