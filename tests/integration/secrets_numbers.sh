#!/usr/bin/env bash
# tests/integration/secrets_numbers.sh: src/secrets/numbers.c (credit-card, us-ssn and iban
# candidates without Hyperscan) against the regex path it replaced (`bw-secrets -R`: the three
# rules as Hyperscan expressions, the oracle), on generated text (tests/lib/numbers_gen.py:
# valid and invalid cards, SSNs and IBANs in every format and context, near-misses, items
# glued together, items across the 64 KiB piece boundary at every offset):
#  - the findings (rule, path, line, redacted match) are identical, for every digit search
#    (scalar, SSE2, AVX2 when the CPU has it) and every piece size fed (65536, 4096, 7, 1:
#    with 1 every byte is a boundary);
#  - the candidates handed to the validators, all rules, are the same (rule, end offset)
#    multiset (bw-secrets -T traces; Hyperscan's own order is not strictly by end offset:
#    a "$" before a newline may come after the next byte's match, so the order is not
#    compared; numbers.c's come merged by end offset).
. "$(dirname "$0")/../lib/harness.sh"
PY=/usr/bin/python3
TOOL=${BW_SECRETS:-$(dirname "$BULWARK")/bw-secrets}
W=$TMPROOT/secrets_numbers; mkdir -p "$W"
if [ ! -x "$TOOL" ]; then
  t_fail "numbers: bw-secrets" "$TOOL is missing (ninja builds it)"
  exit 0
fi
export BULWARK_SECRETS_CACHE=0
"$PY" "$TOP/tests/lib/numbers_gen.py" "$W/gen" "${NUMBERS_SEED:-8}" || { t_fail "numbers: generator" "failed"; exit 0; }
SMALL=("$W/gen/mixed.txt" "$W/gen/edge")
ALL=("${SMALL[@]}" "$W/gen/boundary")

impls="0 1"
grep -qw avx2 /proc/cpuinfo 2>/dev/null && impls="$impls 2"


run() { # NAME ARGS... -- PATHS: findings to $W/NAME.out, candidates to $W/NAME.trace
  local name=$1; shift
  "$TOOL" -m 100000000 -T "$W/$name.trace" "$@" >"$W/$name.out" 2>"$W/$name.err"
}

for piece in 65536 4096 7 1; do
  if [ "$piece" -le 7 ]; then paths=("${SMALL[@]}"); else paths=("${ALL[@]}"); fi
  if ! run "regex-$piece" -R -P "$piece" "${paths[@]}"; then
    t_fail "numbers: regex path, pieces of $piece" "$(head -3 "$W/regex-$piece.err")"
    continue
  fi
  sort "$W/regex-$piece.trace" >"$W/regex-$piece.cand"
  for impl in $impls; do
    name=new-$impl-$piece
    if ! run "$name" -I "$impl" -P "$piece" "${paths[@]}"; then
      t_fail "numbers: digit search $impl, pieces of $piece" "$(head -3 "$W/$name.err")"
      continue
    fi
    t_check "numbers: digit search $impl, pieces of $piece: the same findings as the regex path ($(grep -cE ' (credit-card|us-ssn|iban) ' "$W/$name.out") cards, SSNs, IBANs; $(grep -c . "$W/$name.out") in all)" \
      cmp -s "$W/regex-$piece.out" "$W/$name.out"
    sort "$W/$name.trace" >"$W/$name.cand"
    t_check "numbers: digit search $impl, pieces of $piece: the same candidates as Hyperscan ($(grep -cE ' (credit-card|us-ssn|iban)$' "$W/$name.cand") ends of the three, $(grep -c . "$W/$name.cand") in all)" \
      cmp -s "$W/regex-$piece.cand" "$W/$name.cand"
  done
done

# not vacuous: the generated text holds findings of all three rules, in the edge files and
# across the boundary, and the same with any piece size
for rule in credit-card us-ssn iban; do
  n=$(grep -c " $rule " "$W/regex-65536.out" || true)
  t_check "numbers: the generated text has $rule findings ($n)" test "$n" -ge 20
done
t_check "numbers: findings across the 64 KiB boundary ($(grep -c '/boundary/' "$W/regex-65536.out"))" \
  test "$(grep -c '/boundary/' "$W/regex-65536.out")" -ge 100
t_check "numbers: the regex path gives the same findings fed byte by byte" \
  cmp -s <(grep -v '/boundary/' "$W/regex-65536.out") "$W/regex-1.out"
