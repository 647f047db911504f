#!/usr/bin/env bash
# tests/integration/secrets.sh: `bulwark scan --scanners secret` against ground truth.
#  - kitchen-sink: every planted secret, card number, config Env entry and history entry
#    is found at the right path, line and layer, with the right deleted flag, and the
#    Luhn-invalid look-alike is not (tests/lib/secrets_check.py reads the fixture's
#    expected/kitchen-sink/secrets.json, written by the fixture builder);
#  - debian-minbase: no HIGH or CRITICAL finding;
#  - no report format holds a planted value in full (grep of every format's output);
#  - SARIF valid against the official schema, JUnit well-formed, policy gate, --exit-code,
#    --secret-config (custom rule, allow rule, disable), usage errors;
#  - hostile content: a 200 MB file of near-matches, a 100 MB line, binary junk with
#    partial key headers, in bounded time and peak RSS (GNU time).
. "$(dirname "$0")/../lib/harness.sh"
need_shared "secrets: fixture images" || exit 0
PY=/usr/bin/python3
W=$TMPROOT/secrets; mkdir -p "$W"
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "secrets: fixtures" "cannot build the fixture images"; exit 0; }
EXPECTED=${IMAGES%/images}/expected
KS="oci:$IMAGES/kitchen-sink/oci:latest"
MB="oci:$IMAGES/debian-minbase/oci:latest"
export BULWARK_DB=$W/no-db.sqlite   # secret-only scans must not need a database
jqe() { jq -e "$@" >/dev/null; }

# ---------------------------------------------------------------- ground truth
if "$BULWARK" -q scan --scanners secret --format json "$KS" -o "$W/ks.json" 2>"$W/ks.err"; then
  if "$PY" "$TOP/tests/lib/secrets_check.py" "$EXPECTED" "$W/ks.json" >"$W/ks.check"; then
    t_ok "kitchen-sink: every planted item found with path, line, layer diff_id and deleted flag ($(grep -c '^ok' "$W/ks.check") items)"
  else
    t_fail "kitchen-sink: planted items" "$(grep -v '^ok' "$W/ks.check" | head -5 | tr '\n' ' ')"
  fi
else
  t_fail "kitchen-sink: scan" "$(head -3 "$W/ks.err")"
fi
t_check "kitchen-sink: JSON findings carry exactly the DESIGN §6 keys (plus title, layer_index)" \
  jqe '[.secrets[] | keys == ["category","deleted_in_later_layer","layer","layer_index","line","match","path","rule","severity","title"]] | all' "$W/ks.json"
t_check "kitchen-sink: summary counts = findings" \
  jqe '.summary.secrets == (.secrets | length) and (.summary.secrets_by_severity | add) == .summary.secrets' "$W/ks.json"
t_check "kitchen-sink: secret-only scan reads no package database" jqe '.packages == []' "$W/ks.json"

"$BULWARK" -q scan --scanners secret --format json "$MB" -o "$W/mb.json" 2>"$W/mb.err"
t_eq "debian-minbase: no HIGH or CRITICAL finding" "0" \
  "$(jq '[.secrets[] | select(.severity == "HIGH" or .severity == "CRITICAL")] | length' "$W/mb.json" 2>/dev/null)"

# ---------------------------------------------------------------- no format holds a secret
jq -r '.[].value' "$EXPECTED/kitchen-sink/secrets.json" >"$W/values"
leaks=
for fmt in json table sarif junit html cyclonedx; do
  if ! "$BULWARK" -q scan --scanners secret,license --format "$fmt" "$KS" -o "$W/ks.$fmt" 2>"$W/fmt.err"; then
    t_fail "format $fmt" "$(head -2 "$W/fmt.err")"; continue
  fi
  while IFS= read -r v; do
    [ -n "$v" ] && grep -qF -- "$v" "$W/ks.$fmt" && leaks="$leaks $fmt:${v:0:4}..."
  done <"$W/values"
done
# warnings and errors too: a scan with a tiny size limit, stderr kept
"$BULWARK" scan --scanners secret --secret-max-file-size 100 --format json "$KS" -o "$W/small.json" 2>"$W/small.err"
while IFS= read -r v; do
  [ -n "$v" ] && grep -qF -- "$v" "$W/small.err" "$W/ks.err" && leaks="$leaks stderr:${v:0:4}..."
done <"$W/values"
t_eq "no report format (json table sarif junit html cyclonedx) nor stderr holds a planted value" "" "$leaks"
t_check "the planted values were in the image to be leaked (the check above can fail)" \
  test "$(grep -c . "$W/values")" -ge 8
t_check "--secret-max-file-size 100: the planted files (> 100 bytes) are skipped, the config still scanned" \
  jqe '([.secrets[] | select(.path | test("^/app/([.]env|config|data|build-cache)"))] | length) == 0 and ([.secrets[] | select(.path | startswith("config:"))] | length) >= 3' "$W/small.json"

t_check "sarif: valid SARIF 2.1.0" bash -c "\"$PY\" \"$TOP/tests/lib/validate.py\" \"$SHARED/data/schemas\" sarif \"$W/ks.sarif\" >/dev/null"
t_eq "sarif: one result per finding, one rule per secret rule" \
  "$(jq '[(.secrets | length), ([.secrets[].rule] | unique | length)]' -c "$W/ks.json")" \
  "$(jq '[([.runs[0].results[] | select(.ruleId | startswith("secret/"))] | length), ([.runs[0].tool.driver.rules[] | select(.id | startswith("secret/"))] | length)]' -c "$W/ks.sarif")"
# with the misconfig scanner too: both sections, and every SARIF ruleIndex names its ruleId's rule
if "$BULWARK" -q scan --scanners secret,misconfig --format sarif "$KS" -o "$W/both.sarif" 2>"$W/both.err" &&
   "$BULWARK" -q scan --scanners secret,misconfig --format json "$KS" -o "$W/both.json" 2>>"$W/both.err"; then
  t_eq "secret+misconfig: the JSON has both sections, the secrets as in a secret-only scan" \
    "$(jq -c '[(.secrets | length), true]' "$W/ks.json")" \
    "$(jq -c '[(.secrets | length), ((.misconfigurations | length) > 0)]' "$W/both.json")"
  t_check "secret+misconfig: SARIF valid, every result's ruleIndex points at its rule" bash -c \
    "\"$PY\" \"$TOP/tests/lib/validate.py\" \"$SHARED/data/schemas\" sarif \"$W/both.sarif\" >/dev/null &&
     jq -e '.runs[0] as \$r | [\$r.results[] | select(\$r.tool.driver.rules[.ruleIndex].id != .ruleId)] | length == 0' \"$W/both.sarif\" >/dev/null"
else
  t_fail "secret+misconfig scan" "$(head -2 "$W/both.err")"
fi
t_check "junit: well-formed, a failing case per finding" \
  bash -c "xmllint --noout '$W/ks.junit' && test \"\$(xmllint --xpath 'count(//testsuite[@name=\"secrets\"]/testcase/failure)' '$W/ks.junit')\" = \"\$(jq '.secrets|length' '$W/ks.json')\""
t_check "table: the secrets section lists every finding" \
  test "$(grep -cE '^(CRITICAL|HIGH|MEDIUM|LOW) ' "$W/ks.table")" -ge "$(jq '.secrets|length' "$W/ks.json")"
t_check "html: a secrets section" grep -q 'id="secrets"' "$W/ks.html"

# ---------------------------------------------------------------- gates
cat >"$W/policy.yaml" <<'YAML'
version: 1
rules:
  - {name: no-keys, action: fail, secrets: {min_severity: HIGH, categories: [aws, private-key]}}
YAML
rc=0; "$BULWARK" -q scan --scanners secret --policy "$W/policy.yaml" --format json "$KS" -o "$W/pol.json" || rc=$?
t_eq "policy: AWS keys and private keys fail the gate (exit 1, 4 violations)" "1 4" \
  "$rc $(jq '[.policy.violations[] | select(.action == "fail")] | length' "$W/pol.json")"
rc=0; "$BULWARK" -q scan --scanners secret --policy "$W/policy.yaml" --format json "$MB" -o "$W/pol-mb.json" || rc=$?
t_eq "policy: debian-minbase passes" "0 pass" "$rc $(jq -r .policy.verdict "$W/pol-mb.json")"
rc=0; "$BULWARK" -q scan --scanners secret --exit-code 9 "$KS" >/dev/null || rc=$?
t_eq "--exit-code 9 with secrets found" "9" "$rc"
rc=0; "$BULWARK" -q scan --scanners secret --exit-code 9 "$MB" >/dev/null || rc=$?
t_eq "--exit-code 9 with no secrets" "0" "$rc"

# ---------------------------------------------------------------- --secret-config
cat >"$W/rules.yaml" <<'YAML'
rules:
  - {id: fixture-region, regex: 'eu-west-[0-9]', severity: LOW, category: custom, path: '/app/*'}
allow:
  - {id: not-github, rules: [github-pat-classic]}
disable: [credit-card]
YAML
"$BULWARK" -q scan --scanners secret --secret-config "$W/rules.yaml" --format json "$KS" -o "$W/cfg.json"
t_eq "--secret-config: custom rule found, allow rule and disable applied" "1 0 0" \
  "$(jq -r '[([.secrets[] | select(.rule == "fixture-region" and .path == "/app/.env" and .line == 3)] | length),
            ([.secrets[] | select(.rule == "github-pat-classic")] | length),
            ([.secrets[] | select(.rule == "credit-card")] | length)] | join(" ")' "$W/cfg.json")"
printf 'rules:\n  - {id: x, regex: "(a)\\\\1"}\n' >"$W/bad-regex.yaml"
t_run_expect "--secret-config: a regex Hyperscan cannot compile is exit 2 naming the rule" 2 "secret rule x" -- \
  "$BULWARK" scan --scanners secret --secret-config "$W/bad-regex.yaml" "$KS"
printf 'rules:\n  - {id: x, regex: a, colour: red}\n' >"$W/bad-key.yaml"
t_run_expect "--secret-config: an unknown key is exit 2 with file and line" 2 "bad-key.yaml:2" -- \
  "$BULWARK" scan --scanners secret --secret-config "$W/bad-key.yaml" "$KS"
t_run_expect "--secret-config without --scanners secret is a usage error" 2 "need --scanners secret" -- \
  "$BULWARK" scan --scanners license --secret-config "$W/rules.yaml" "$KS"
t_run_expect "--secret-max-file-size junk is a usage error" 2 "--secret-max-file-size" -- \
  "$BULWARK" scan --scanners secret --secret-max-file-size 12Q "$KS"

# ---------------------------------------------------------------- hostile content
H=$W/hostile; mkdir -p "$H/tree/data"
"$PY" - "$H/tree/data" <<'PY'
import os, random, sys, zlib
d = sys.argv[1]
rng = random.Random(8)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def tok(n, al=B62): return "".join(rng.choice(al) for _ in range(n))
# near-matches: each line looks like a secret and fails one check (length, checksum, Luhn,
# placeholder, missing body); built from pieces, never a real secret
lines = []
for i in range(2000):
    lines.append("AK" + "IA" + tok(15, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") + "\n")
    lines.append("token: gh" + "p_" + tok(30) + "zzzzzz\n")
    lines.append("card 4%015d\n" % rng.randrange(10**15) if False else "card 4" + "".join(rng.choice("0123456789") for _ in range(14)) + "x\n")
    lines.append("password=changeme%d\n" % i)
    lines.append("-----BEG" + "IN RSA PRIVATE KEY-----\n-----END\n")
    lines.append("postgres://u:${PASS}@db/x sk" + "_live_short\n")
block = "".join(lines).encode()
size = 200 * 1024 * 1024
with open(os.path.join(d, "near-matches.txt"), "wb") as f:
    n = 0
    while n + len(block) <= size:
        f.write(block); n += len(block)
    body = tok(30)
    f.write(b"last: gh" + b"p_" + (body + "%06s" % "").encode()[:30] + b"\n")  # not a valid token either
    sec = body + "".join(B62[(zlib.crc32(body.encode()) // 62 ** k) % 62] for k in range(5, -1, -1))
    f.write(b"real: gh" + b"p_" + sec.encode() + b"\n")
    lines_total = block.count(b"\n") * (n // len(block)) + 2
open(os.path.join(d, "near-matches.line"), "w").write(str(lines_total))
# one line of 100 MB: key= then base64-ish characters, no newline
chunk = ("key=" + tok(4096, B62 + "+/")).encode()
with open(os.path.join(d, "one-line.txt"), "wb") as f:
    for _ in range(100 * 1024 * 1024 // len(chunk)):
        f.write(chunk)
# binary junk after a text head, partial key headers every 64 KiB
with open(os.path.join(d, "junk.bin"), "wb") as f:
    f.write(("# not binary at first\n" * 200).encode())
    for _ in range(800):
        f.write(os.urandom(65536 - 40) + b"-----BEGIN RSA PRIV" + b"ATE KEY-----\nMIIB")
PY
want_line=$(cat "$H/tree/data/near-matches.line"); rm -f "$H/tree/data/near-matches.line"
sed "s|@TREE@|$H/tree|" >"$H/spec.json" <<'JSON'
{"format": "oci", "images": [{"architecture": "amd64", "os": "linux",
  "layers": [{"compression": "none", "created_by": "ADD hostile /", "from_dir": "@TREE@"}]}]}
JSON
if "$PY" "$TOP/tests/lib/mkimage.py" build "$H/spec.json" "$H/oci" >/dev/null 2>"$H/mk.err"; then
  rc=0
  /usr/bin/time -f "%e %M" -o "$H/time" timeout 300 "$BULWARK" -q scan --scanners secret --secret-max-file-size 300M \
    --format json "oci:$H/oci" -o "$H/out.json" 2>"$H/err" || rc=$?
  read -r secs rss <"$H/time" 2>/dev/null || { secs=999; rss=999999999; }
  echo "# hostile: 310 MB of hostile text scanned in ${secs}s, peak RSS ${rss} KiB"
  t_eq "hostile: the scan succeeds" 0 "$rc"
  t_check "hostile: bounded time (${secs}s < 240s)" awk "BEGIN{exit !($secs < 240)}"
  t_check "hostile: bounded memory (peak RSS ${rss} KiB < 256 MiB, files of 200 and 100 MB not held)" \
    test "$rss" -lt 262144
  t_eq "hostile: only the one valid token among the near-matches, on its line" \
    "github-pat-classic /data/near-matches.txt $want_line" \
    "$(jq -r '[.secrets[] | select(.path | startswith("/data/near"))] | map("\(.rule) \(.path) \(.line)") | join(",")' "$H/out.json")"
  t_eq "hostile: no finding in the 100 MB line or the junk" "0" \
    "$(jq '[.secrets[] | select(.path == "/data/one-line.txt" or .path == "/data/junk.bin")] | length' "$H/out.json")"
else
  t_fail "hostile: build the image" "$(tail -2 "$H/mk.err")"
fi
rm -rf "$H"
