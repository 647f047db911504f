#!/usr/bin/env bash
# bench/secrets.sh: the secret scanner, measured in one run (issue 8):
#  - engine throughput, all rules on, one core (build/bw-secrets, the engine without the
#    layer pass): bytes of file content scanned per second, on the text files of
#    kitchen-sink's layers, on one large text file of them (no per-file cost) and on a
#    64 MB text file of Perl modules and documentation (PERL_TEXT=0 skips it); the same
#    with `bw-secrets -R`, the regex path (credit-card, us-ssn, iban in Hyperscan instead
#    of src/secrets/numbers.c); ENGINE_ONLY=1 stops after these;
#  - a full `bulwark scan --scanners secret` of kitchen-sink against the decompression floor
#    (igzip -dc of its layers, one core) — target: within 1.2x the floor;
#  - bulwark vs secretlint (npm, @secretlint/secretlint-rule-preset-recommend, installed
#    into ~/.cache/bulwark-bench/secretlint) on the same extracted tree: findings and time;
#  - hostile: HOSTILE_GB (default 2) GB of repeated near-matches in one file, scanned
#    through `scan dir:` (the layer pass for a root filesystem), time and peak RSS.
set -euo pipefail
# timings are of reading the layers: the layer and image result caches would answer repeat runs
export BULWARK_NO_CACHE=1
TOP=$(cd "$(dirname "$0")/.." && pwd)
BULWARK=${BULWARK:-$TOP/build/bulwark}
TOOL=${TOOL:-$TOP/build/bw-secrets}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
RUNS=${RUNS:-3}
HOSTILE_GB=${HOSTILE_GB:-2}
PY=/usr/bin/python3
[ -d "$SHARED/fixtures" ] || { echo "bench/secrets.sh: needs $SHARED/fixtures" >&2; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BULWARK_DB=$tmp/none.sqlite

timeit() {
  local t=()
  for ((i = 0; i < RUNS; i++)); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

layout=$("$TOP/tests/lib/fixtures.sh" "$SHARED")/kitchen-sink/oci
manifest=$(skopeo inspect --raw "oci:$layout:latest")
mapfile -t blobs < <(jq -r '.layers[] | .digest | sub(":"; "/")' <<<"$manifest")
paths=(); for b in "${blobs[@]}"; do paths+=("$layout/blobs/$b"); done
cat "${paths[@]}" >/dev/null

# ---------------------------------------------------------------- the extracted tree
tree=$tmp/tree; mkdir -p "$tree"
for p in "${paths[@]}"; do tar -xzf "$p" -C "$tree" --exclude='.wh.*' 2>/dev/null || true; done
chmod -R u+rwX "$tree"
# the text files only (what the scanner reads: no NUL in the first 4 KiB), for both tools
text=$tmp/text; mkdir -p "$text"
"$PY" - "$tree" "$text" <<'PY'
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for root, dirs, files in os.walk(src):
    for f in files:
        p = os.path.join(root, f)
        if os.path.islink(p) or not os.path.isfile(p) or os.path.getsize(p) > 16 << 20:
            continue
        with open(p, "rb") as fh:
            if b"\0" in fh.read(4096):
                continue
        d = os.path.join(dst, os.path.relpath(root, src))
        os.makedirs(d, exist_ok=True)
        shutil.copy(p, d)
PY
text_bytes=$(du -sb "$text" | cut -f1)
text_files=$(find "$text" -type f | wc -l)
find "$text" -type f -size +4k -print0 | head -z -n 3000 | xargs -0 cat >"$tmp/big.txt" 2>/dev/null || true
while [ "$(stat -c %s "$tmp/big.txt")" -lt 200000000 ]; do cat "$tmp/big.txt" "$tmp/big.txt" >"$tmp/big2" && mv "$tmp/big2" "$tmp/big.txt"; done

engine_rate() { # FILE|DIR... -> MB/s reported by bw-secrets (one thread), best of RUNS
  local best=0
  for ((i = 0; i < RUNS; i++)); do
    local r; r=$(taskset -c 0 "$TOOL" -q -m 1000000000 "$@" 2>&1 | sed -n 's/.*MB\/s \([0-9.]*\).*/\1/p')
    best=$(echo "if ($r > $best) $r else $best" | bc -l)
  done
  echo "$best"
}
printf '%-60s %8.0f MB/s  (%s text files, %s MB; %s rules)\n' "engine, all rules, 1 core: kitchen-sink text files" \
  "$(engine_rate "$text")" "$text_files" "$((text_bytes / 1000000))" "$("$TOOL" -l | wc -l)"
printf '%-60s %8.0f MB/s  (%s MB)\n' "engine, all rules, 1 core: one large text file" \
  "$(engine_rate "$tmp/big.txt")" "$(( $(stat -c %s "$tmp/big.txt") / 1000000 ))"
if [ "${PERL_TEXT:-1}" != 0 ] && [ -d /usr/share/perl ]; then
  find /usr/share/perl /usr/share/perl5 -type f \( -name '*.pm' -o -name '*.pod' -o -name '*.pl' \) -print0 2>/dev/null |
    sort -z | xargs -0 cat >"$tmp/perl1.txt"
  while [ "$(stat -c %s "$tmp/perl1.txt")" -lt 64000000 ]; do cat "$tmp/perl1.txt" "$tmp/perl1.txt" >"$tmp/perl2" && mv "$tmp/perl2" "$tmp/perl1.txt"; done
  head -c 64000000 "$tmp/perl1.txt" >"$tmp/perl.txt"; rm -f "$tmp/perl1.txt"
  printf '%-60s %8.0f MB/s  (64 MB)\n' "engine, all rules, 1 core: Perl modules and docs" "$(engine_rate "$tmp/perl.txt")"
fi
# before src/secrets/numbers.c: the three literal-less rules in Hyperscan
printf '%-60s %8.0f MB/s\n' "  the same, regex path (-R): kitchen-sink text files" "$(engine_rate -R "$text")"
printf '%-60s %8.0f MB/s\n' "  the same, regex path (-R): one large text file" "$(engine_rate -R "$tmp/big.txt")"
[ -f "$tmp/perl.txt" ] && printf '%-60s %8.0f MB/s\n' "  the same, regex path (-R): Perl modules and docs" "$(engine_rate -R "$tmp/perl.txt")"
[ "${ENGINE_ONLY:-0}" = 1 ] && exit 0

# ---------------------------------------------------------------- the image against the floor
floor=$(timeit taskset -c 0 igzip -dc "${paths[@]}")
floor2=$(timeit bash -c 'for p in "$@"; do igzip -dc "$p" >/dev/null & done; wait' _ "${paths[@]}")
inspect=$(timeit "$BULWARK" inspect --format json "oci:$layout:latest")
scan=$(timeit "$BULWARK" scan --scanners secret --format json "oci:$layout:latest")
scan1=$(timeit taskset -c 0 "$BULWARK" scan --scanners secret --format json "oci:$layout:latest")
printf '%-60s %8.3f s\n' "igzip -dc of kitchen-sink's layers (1 core, floor)" "$floor"
printf '%-60s %8.3f s\n' "igzip -dc of kitchen-sink's layers (all cores, in parallel)" "$floor2"
printf '%-60s %8.3f s   ratio to floor %s\n' "bulwark inspect kitchen-sink (all cores, no analyzers)" "$inspect" "$(ratio "$inspect" "$floor")"
printf '%-60s %8.3f s   ratio to floor %s\n' "bulwark scan --scanners secret kitchen-sink (1 core)" "$scan1" "$(ratio "$scan1" "$floor")"
printf '%-60s %8.3f s   ratio to floor %s, to parallel floor %s\n' "bulwark scan --scanners secret kitchen-sink (all cores)" \
  "$scan" "$(ratio "$scan" "$floor")" "$(ratio "$scan" "$floor2")"

# ---------------------------------------------------------------- secretlint, same tree
SL=$HOME/.cache/bulwark-bench/secretlint
if [ ! -x "$SL/node_modules/.bin/secretlint" ]; then
  mkdir -p "$SL"
  [ -f "$SL/package.json" ] || echo '{"name": "bench-secretlint", "private": true}' >"$SL/package.json"
  (cd "$SL" && npm install --no-audit --no-fund secretlint @secretlint/secretlint-rule-preset-recommend >/dev/null 2>&1) || true
fi
if [ -x "$SL/node_modules/.bin/secretlint" ]; then
  echo '{"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}' >"$tmp/.secretlintrc.json"
  s=$(date +%s.%N)
  # secretlint took 857 s on this tree in the first measured run: bounded by SECRETLINT_TIMEOUT
  (cd "$text" && NODE_PATH=$SL/node_modules timeout "${SECRETLINT_TIMEOUT:-1800}" "$SL/node_modules/.bin/secretlint" \
     --secretlintrc "$tmp/.secretlintrc.json" --format json --output "$tmp/sl.json" "**/*" >/dev/null 2>"$tmp/sl.err") || true
  e=$(date +%s.%N); sl_t=$(echo "$e - $s" | bc -l)
  s=$(date +%s.%N); "$TOOL" "$text" >"$tmp/bw.txt" 2>"$tmp/bw.err"; e=$(date +%s.%N); bw_t=$(echo "$e - $s" | bc -l)
  sl_n=$(jq '[.[].messages[]] | length' "$tmp/sl.json" 2>/dev/null || echo "?")
  sl_files=$(jq '[.[] | select(.messages | length > 0)] | length' "$tmp/sl.json" 2>/dev/null || echo "?")
  bw_n=$(grep -c . "$tmp/bw.txt" || true)
  bw_files=$(cut -d: -f1 "$tmp/bw.txt" | sort -u | grep -c . || true)
  printf '%-60s %8.3f s   %s findings in %s files (secretlint %s)\n' "secretlint, preset-recommend, kitchen-sink text files" \
    "$sl_t" "$sl_n" "$sl_files" "$("$SL/node_modules/.bin/secretlint" --version)"
  printf '%-60s %8.3f s   %s findings in %s files\n' "bulwark engine (bw-secrets), same files" "$bw_t" "$bw_n" "$bw_files"
  echo "  secretlint rules that fired: $(jq -r '[.[].messages[].ruleId] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$tmp/sl.json" 2>/dev/null)"
  echo "  bulwark rules that fired:    $(awk '{print $2}' "$tmp/bw.txt" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}' | sed 's/, $//')"
  # the planted files, side by side (same paths in both)
  for f in app/.env app/config/settings.yml app/config/server-key.pem app/build-cache/id_ed25519 app/data/customers.csv; do
    printf '  %-34s secretlint %-3s bulwark %s\n' "/$f" \
      "$(jq --arg f "$text/$f" '[.[] | select(.filePath == $f) | .messages[]] | length' "$tmp/sl.json" 2>/dev/null)" \
      "$(grep -c "^$text/$f:" "$tmp/bw.txt" || true)"
  done
else
  echo "secretlint: not installed (npm install failed); comparison skipped"
fi

# ---------------------------------------------------------------- hostile, 2 GB
if [ "$HOSTILE_GB" -gt 0 ]; then
  root=$tmp/hostile; mkdir -p "$root/etc" "$root/data"
  "$PY" - "$root/data/near-matches.txt" "$HOSTILE_GB" <<'PY'
import random, sys
rng = random.Random(8)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
tok = lambda n, al=B62: "".join(rng.choice(al) for _ in range(n))
lines = []
for i in range(2000):
    lines += ["AK" + "IA" + tok(15, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") + "\n", "token: gh" + "p_" + tok(30) + "zzzzzz\n",
              "card 4" + tok(15, "0123456789") + "\n", "password=changeme%d\n" % i,
              "-----BEG" + "IN RSA PRIVATE KEY-----\n", "postgres://u:${PASS}@db/x\n"]
block = "".join(lines).encode()
with open(sys.argv[1], "wb") as f:
    for _ in range(int(sys.argv[2]) * 1024 ** 3 // len(block)):
        f.write(block)
PY
  size=$(stat -c %s "$root/data/near-matches.txt")
  /usr/bin/time -f "%e %M" -o "$tmp/h.time" "$BULWARK" -q scan --scanners secret --secret-max-file-size 64G \
    --format json "dir:$root" -o "$tmp/h.json" || true
  read -r secs rss <"$tmp/h.time"
  printf '%-60s %8.1f s   %.0f MB/s, peak RSS %s MiB, %s findings\n' "hostile: ${HOSTILE_GB} GB of near-matches (scan dir:)" \
    "$secs" "$(echo "$size / $secs / 1000000" | bc -l)" "$((rss / 1024))" "$(jq '.secrets | length' "$tmp/h.json")"
fi
