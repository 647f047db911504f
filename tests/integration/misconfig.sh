#!/usr/bin/env bash
# tests/integration/misconfig.sh: `scan --scanners misconfig` and `bulwark dockerfile`.
#  - the fixture images: kitchen-sink's root user, setuid binary, secret ENV and history
#    entries against ../shared/fixtures/expected; the setuid/setgid, world-writable and
#    orphan-uid lists against the image unpacked by umoci (find, and Python's own reading of
#    its /etc/passwd); debian-minbase's findings listed (# lines) and pinned;
#  - an image of our own (tests/lib/mkimage.py) with one planted case per filesystem and
#    config check, a whiteout that removes a sudoers file, and a user name that is uid 0;
#  - end of life by date, the policy gate, every report format, the Dockerfile CLI;
#  - hostile inputs: an /etc/passwd of 1,000,000 lines, a Dockerfile over 100 MB, one of
#    100,001 continued lines, one with invalid UTF-8: each bounded, with one warning.
. "$(dirname "$0")/../lib/harness.sh"
PY=/usr/bin/python3
W=$TMPROOT/misconfig; mkdir -p "$W"
export BULWARK_TODAY=2026-01-15

ids_targets() { jq -r '.misconfigurations[] | "\(.id) \(.target)"' "$1" | sort; }
jqe() { jq -e "$@" >/dev/null; }

# ------------------------------------------------------------------ account files vs glibc
# bw-passwd (the parsers of src/misconfig/accounts.c) against the host glibc's own
# fgetpwent/fgetgrent/fgetspent (tests/oracles/glibc_accounts.py), over generated files of
# 3,000 lines each: odd numbers (signs, blanks, overflow), short and long lines, CRs,
# comments, NIS "+name" entries, non-UTF-8 bytes. (NUL bytes are left out: what glibc's
# line reader makes of them depends on its buffering; bulwark ends the line there.)
BWPW=$(dirname "$BULWARK")/bw-passwd
cat >"$W/gen_accounts.py" <<'GEN'
import random, sys
kind, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = random.Random(seed)
def num():
    return r.choice(["0", "1", "1000", "65534", "4294967295", "4294967296", "-0", "-1", "+5", " 7", "\t8",
                     "5 ", "", "x", "0x10", "007", "99999999999999999999", "12a", str(r.randrange(0, 1 << 33))])
def word():
    return r.choice(["root", "daemon", "app", "", "a b", "#x", " lead", "+nis", "-nis", "ü", "x\r",
                     "/bin/sh", "/home/u", "c:d", "\xff", "*", "!", "$6$salt$hash", "$1$ab$cd"])
lines = []
for i in range(3000):
    t = r.random()
    if t < 0.05:
        lines.append(r.choice(["", "   ", "# comment", "\t# indented comment", "#root:x:0:0::/:/bin/sh"]))
        continue
    if kind == "passwd":
        f = [word(), word(), num(), num(), word(), word(), word()]
    elif kind == "group":
        f = [word(), word(), num(), r.choice(["", "a", "a,b", "a,,b", "a, b", " a", "a,", word()])]
    else:
        f = [word(), word()] + [r.choice(["", num()]) for _ in range(7)]
    n = len(f)
    if r.random() < 0.2:
        n = r.randrange(1, len(f) + 3)
    f = (f + [word() for _ in range(3)])[:n]
    line = ":".join(f)
    if r.random() < 0.1:
        line = r.choice(["  ", "\t", " \v"]) + line
    if r.random() < 0.05:
        line += "\r"
    lines.append(line)
open(out, "wb").write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
GEN
if [ -x "$BWPW" ]; then
  for kind in passwd group shadow; do
    bad=""
    for seed in 1 2 3 4 5; do
      "$PY" "$W/gen_accounts.py" "$kind" "$seed" "$W/acc.txt"
      "$PY" "$TOP/tests/oracles/glibc_accounts.py" "$kind" "$W/acc.txt" >"$W/acc.want"
      "$BWPW" "$kind" "$W/acc.txt" | grep -av '^warning' | cut -f2- |
        if [ "$kind" = shadow ]; then cut -f1,2; else cat; fi |
        "$PY" -c 'import sys; sys.stdout.write(sys.stdin.buffer.read().decode("utf-8", "backslashreplace"))' >"$W/acc.got"
      diff -q "$W/acc.want" "$W/acc.got" >/dev/null || bad="$bad seed $seed: $(diff "$W/acc.want" "$W/acc.got" | head -3 | tr '\n' ' ')"
    done
    echo "# $kind: $(grep -c '' "$W/acc.want") entries of the last file, as glibc reads it"
    t_eq "$kind parser = glibc's fgetXXent over 5 generated files" "" "$bad"
  done
else
  t_fail "account parsers vs glibc" "no $BWPW"
fi

# ------------------------------------------------------------------ our own image
mkdir -p "$W/spec"
"$PY" - "$W/spec/own.json" <<'EOF'
import json, sys
passwd = "root:x:0:0:root:/root:/bin/bash\nadmin:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"
shadow = "root:*:19000:0:99999:7:::\nadmin:!:19000::::::\nguest::19000::::::\nold:$1$ab$0123456789abcdefghijkl:19000::::::\n"
spec = {"format": "oci", "name": "own", "images": [{
  "architecture": "amd64", "os": "linux",
  "config": {"User": "admin", "ExposedPorts": {"2375/tcp": {}, "8080/tcp": {}},
             "Env": ["PATH=/usr/bin:/bin", "GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", "TOKEN_FILE=/run/t"],
             "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:latest",
                        "org.opencontainers.image.source": "https://example.com/src",
                        "org.opencontainers.image.revision": "abc", "org.opencontainers.image.vendor": "Example",
                        "com.example.flavor": "distroless"},
             "Healthcheck": {"Test": ["CMD", "true"]}},
  "layers": [
    {"created_by": "RUN /bin/sh -c curl -fsSL https://get.example.com/i.sh | sh",
     "entries": [
      {"path": "etc", "type": "dir"}, {"path": "etc/passwd", "content": passwd},
      {"path": "etc/shadow", "content": shadow, "mode": "0640"},
      {"path": "etc/sudoers", "content": "root ALL=(ALL:ALL) ALL\n#includedir /etc/sudoers.d\n", "mode": "0440"},
      {"path": "etc/sudoers.d", "type": "dir"},
      {"path": "etc/sudoers.d/app", "content": "app ALL=(ALL) NOPASSWD: ALL\n", "mode": "0440"},
      {"path": "etc/sudoers.d/gone", "content": "old ALL=(ALL) NOPASSWD: ALL\n", "mode": "0440"},
      {"path": "etc/ssh", "type": "dir"},
      {"path": "etc/ssh/ssh_host_ed25519_key", "content": "FAKE KEY\n", "mode": "0600"},
      {"path": "etc/ssh/ssh_host_ed25519_key.pub", "content": "ssh-ed25519 AAAA\n"},
      {"path": "home", "type": "dir"}, {"path": "home/app", "type": "dir", "uid": 1000},
      {"path": "home/app/.ssh", "type": "dir", "uid": 1000},
      {"path": "home/app/.ssh/authorized_keys", "content": "ssh-ed25519 AAAA x\n", "uid": 1000},
      {"path": "var", "type": "dir"}, {"path": "var/lib", "type": "dir"}, {"path": "var/lib/apt", "type": "dir"},
      {"path": "var/lib/apt/lists", "type": "dir"}, {"path": "var/lib/apt/lists/lock", "content": ""},
      {"path": "var/lib/apt/lists/deb.debian.org_Packages", "content": "x" * 1000},
      {"path": "var/lib/apt/lists/deb.debian.org_Release", "content": "y" * 24},
      {"path": "tmp", "type": "dir", "mode": "1777"},
      {"path": "srv", "type": "dir"}, {"path": "srv/drop", "type": "dir", "mode": "0777"},
      {"path": "srv/orphan", "content": "o\n", "uid": 4242},
      {"path": "bin", "type": "dir"}, {"path": "bin/sh", "content": "not really a program\n", "mode": "0755"},
      {"path": "bin/ping", "content": "not really a program\n", "mode": "4755"},
      {"path": "bin/wall", "content": "not really a program\n", "mode": "2755"},
      {"path": "bin/link", "type": "symlink", "target": "sh"}]},
    {"created_by": "ADD https://example.com/tool.tgz /opt/ # buildkit",
     "entries": [{"path": "etc/sudoers.d/.wh.gone"}, {"path": "opt", "type": "dir"}]},
    {"created_by": "RUN |1 API_KEY=k-0123456789abcdef /bin/sh -c true # buildkit",
     "entries": [{"path": "opt/ok", "content": "ok\n"}]}]}]}
json.dump(spec, open(sys.argv[1], "w"))
EOF
if "$PY" "$TOP/tests/lib/mkimage.py" build "$W/spec/own.json" "$W/own" >"$W/own.truth.json" 2>"$W/own.err"; then
  "$BULWARK" scan --scanners misconfig --format json "oci:$W/own:latest" -o "$W/own.json" 2>"$W/own.scan.err"
  t_eq "own image: scan exits 0" 0 $?
  cat >"$W/own.want" <<'EOF'
BW-FS-001 /bin/ping
BW-FS-001 /bin/wall
BW-FS-002 /srv/drop
BW-FS-003 /srv/orphan
BW-FS-004 /etc/shadow
BW-FS-005 /etc/shadow
BW-FS-006 /etc/ssh/ssh_host_ed25519_key
BW-FS-007 /home/app/.ssh/authorized_keys
BW-FS-008 /var/lib/apt/lists
BW-FS-009 /bin/sh
BW-FS-010 /etc/sudoers.d/app
BW-IMG-001 config
BW-IMG-003 config
BW-IMG-004 config:env:GITHUB_TOKEN
BW-IMG-004 config:history:2
BW-IMG-005 config:history:1
BW-IMG-006 config:history:0
BW-IMG-007 config:label:org.opencontainers.image.base.name
BW-IMG-008 config
EOF
  ids_targets "$W/own.json" >"$W/own.got"
  if diff -u "$W/own.want" "$W/own.got" >"$W/own.diff"; then
    t_ok "own image: every planted case is reported, nothing else (sudoers.d/gone is whited out)"
  else
    t_fail "own image: findings" "$(head -c 600 "$W/own.diff")"
  fi
  t_eq "own image: the root user is a name that /etc/passwd maps to uid 0" \
    'config User is "admin", uid 0 in /etc/passwd' \
    "$(jq -r '.misconfigurations[] | select(.id=="BW-IMG-001") | .evidence' "$W/own.json")"
  t_eq "own image: empty and MD5 hashes named with their line" "guest@3 old@4" \
    "$(jq -r '[.misconfigurations[] | select(.id=="BW-FS-004" or .id=="BW-FS-005") | "\(.evidence|split(" ")[1])@\(.line)"] | join(" ")' "$W/own.json")"
  t_eq "own image: apt lists counted without the lock file" "apt lists: 2 files, 1024 bytes" \
    "$(jq -r '.misconfigurations[] | select(.id=="BW-FS-008") | .evidence' "$W/own.json")"
  t_check "own image: no secret value in the report" bash -c "! grep -q 'ghp_abcdefghij\|k-0123456789abcdef' '$W/own.json'"
  N=$(grep -c '' "$W/own.want")
  t_check "own image: the layer pass gave no warning" test ! -s "$W/own.scan.err"
  # the policy: forbid_root_user resolves the name through /etc/passwd; misconfigurations gate
  cat >"$W/policy.yaml" <<'EOF'
version: 1
rules:
  - name: no-root
    image: {forbid_root_user: true}
  - name: no-critical-misconfig
    misconfigurations: {min_severity: CRITICAL}
  - name: no-sudo
    action: warn
    misconfigurations: {ids: ["BW-FS-01*"]}
EOF
  "$BULWARK" scan --scanners misconfig --policy "$W/policy.yaml" --format json "oci:$W/own:latest" -o "$W/own.pol.json"
  t_eq "policy: a fail verdict exits 1" 1 $?
  t_eq "policy: violations by rule" "no-critical-misconfig:fail:BW-FS-004 no-root:fail:null no-sudo:warn:BW-FS-010" \
    "$(jq -r '[.policy.violations[] | "\(.rule):\(.action):\(.id)"] | sort | join(" ")' "$W/own.pol.json")"
  t_check "policy: the root user's reason names /etc/passwd" \
    jqe '.policy.violations[] | select(.rule=="no-root") | .reason | test("uid 0 in the image.s /etc/passwd")' "$W/own.pol.json"
  "$BULWARK" scan --scanners license --policy "$W/policy.yaml" --format json "oci:$W/own:latest" -o "$W/own.pol2.json"
  t_eq "policy: without the misconfig scanner the rules say \"not evaluated\"" 2 \
    "$(jq '[.policy.violations[] | select(.action=="info" and (.reason|test("not evaluated: the misconfig scanner")))] | length' "$W/own.pol2.json")"
  printf 'version: 1\nrules:\n  - misconfigurations: {ids: [BW-FS-999]}\n' >"$W/bad-policy.yaml"
  t_run_expect "policy: an unknown check id is a policy error" 2 "names no misconfiguration check" -- \
    "$BULWARK" scan --scanners misconfig --policy "$W/bad-policy.yaml" "oci:$W/own:latest"
  # every report format carries the findings
  for f in table sarif junit html; do
    "$BULWARK" scan --scanners misconfig --format $f "oci:$W/own:latest" -o "$W/own.$f" 2>/dev/null
  done
  t_check "table: a misconfiguration section with the counts" grep -q "^$N misconfigurations: CRITICAL 1, HIGH" "$W/own.table"
  t_eq "sarif: a result per finding" "$N" "$(jq '[.runs[0].results[] | select(.ruleId|startswith("BW-"))] | length' "$W/own.sarif")"
  t_check "sarif: every result's ruleIndex names its rule" \
    jqe '.runs[0] as $r | all($r.results[]; $r.tool.driver.rules[.ruleIndex].id == .ruleId)' "$W/own.sarif"
  if [ -f "$SHARED/data/schemas/sarif-schema-2.1.0.json" ]; then
    t_eq "sarif: valid against the SARIF 2.1.0 schema" valid \
      "$("$PY" "$TOP/tests/lib/validate.py" "$SHARED/data/schemas" sarif "$W/own.sarif" 2>&1 | tail -1)"
  fi
  t_check "junit: well-formed, a failing case per check that fired" bash -c \
    "xmllint --noout '$W/own.junit' && [ \$(xmllint --xpath 'count(//testsuite[@name=\"misconfigurations\"]/testcase[failure])' '$W/own.junit') = 17 ]"
  t_check "html: a misconfigurations section with a row per finding" bash -c \
    "[ \$(grep -o '<tr><td>BW-' '$W/own.html' | wc -l) = $N ]"
else
  t_fail "own image: mkimage" "$(head -3 "$W/own.err")"
fi

# ------------------------------------------------------------------ fixtures
if need_shared "misconfig: fixture images"; then
  IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "misconfig: fixtures" "cannot build the fixture images"; exit 0; }
  EXPECTED=${IMAGES%/images}/expected
  for img in kitchen-sink debian-minbase; do
    "$BULWARK" scan --scanners misconfig --format json "oci:$IMAGES/$img/oci:latest" -o "$W/$img.json" 2>"$W/$img.err"
    t_eq "$img: scan exits 0 with no warning" "0:" "$?:$(head -c 200 "$W/$img.err")"
    # the oracle: the image unpacked by umoci, read with find and Python (not bulwark)
    if command -v umoci >/dev/null; then
      rm -rf "$W/$img.unpack"
      if umoci unpack --image "$IMAGES/$img/oci:latest" "$W/$img.unpack" >/dev/null 2>&1; then
        R=$W/$img.unpack/rootfs
        (cd "$R" && find . -xdev -perm /6000 ! -type l ! -type d | sed 's/^\.//' | sort) >"$W/$img.suid.want"
        jq -r '.misconfigurations[] | select(.id=="BW-FS-001") | .target' "$W/$img.json" | sort >"$W/$img.suid.got"
        t_check "$img: setuid/setgid files = find -perm /6000 on the umoci-unpacked image" diff -u "$W/$img.suid.want" "$W/$img.suid.got"
        (cd "$R" && find . -xdev -perm -0002 ! -type l ! \( -type d -perm -1000 \) | sed 's/^\.//' | sort) >"$W/$img.ww.want"
        jq -r '.misconfigurations[] | select(.id=="BW-FS-002") | .target' "$W/$img.json" | sort >"$W/$img.ww.got"
        t_check "$img: world-writable paths = find -perm -0002 (no sticky dirs, no links)" diff -u "$W/$img.ww.want" "$W/$img.ww.got"
        # orphan uids: Python reads /etc/passwd as nss_files does (7 fields, numeric ids,
        # '#' and blank lines skipped) and lstat()s every path
        "$PY" - "$R" >"$W/$img.orphans.want" <<'EOF'
import os, sys
root = sys.argv[1]
uids = set()
for line in open(os.path.join(root, "etc/passwd"), encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    f = line.split(":")
    if len(f) == 7 and f[2].isdigit():
        uids.add(int(f[2]))
count = {}
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        st = os.lstat(os.path.join(d, n))
        if st.st_uid not in uids:
            count[st.st_uid] = count.get(st.st_uid, 0) + 1
for u in sorted(count):
    print(u, count[u])
EOF
        jq -r '.misconfigurations[] | select(.id=="BW-FS-003") | .evidence | capture("uid (?<u>[0-9]+) .* owns (?<n>[0-9]+) files") | "\(.u) \(.n)"' \
          "$W/$img.json" | sort -n >"$W/$img.orphans.got"
        t_check "$img: files of uids missing from /etc/passwd = Python's count over the unpacked image" \
          diff -u "$W/$img.orphans.want" "$W/$img.orphans.got"
        rm -rf "$W/$img.unpack"
      else
        t_fail "$img: umoci unpack" "umoci could not unpack the image"
      fi
    fi
    # the ground truth of expected.sh (files.json) agrees too
    jq -r '.setuid_setgid_files_final[].path' "$EXPECTED/$img/files.json" | sort >"$W/$img.suid.truth"
    t_check "$img: setuid/setgid files = expected/files.json" diff -u "$W/$img.suid.truth" "$W/$img.suid.got"
    root=$(jq -r '.config.runs_as_root' "$EXPECTED/$img/image.json")
    t_eq "$img: root user reported as expected/image.json says" "$root" \
      "$(jq '[.misconfigurations[] | select(.id=="BW-IMG-001")] | length == 1' "$W/$img.json")"
  done
  K=$W/kitchen-sink.json
  t_check "kitchen-sink: the planted setuid-root find is reported with its owner" \
    jqe '.misconfigurations[] | select(.id=="BW-FS-001" and .target=="/usr/local/bin/suid-find" and (.evidence|test("setuid.*owner root \\(uid 0\\)")))' "$K"
  # secret-looking Env of the config (expected/image.json), each by name
  jq -r '.config.Env[] | select(test("^[A-Z_]*(PASSWORD|TOKEN|SECRET)[A-Z_]*=")) | "config:env:" + split("=")[0]' \
    "$EXPECTED/kitchen-sink/image.json" | sort >"$W/ks.env.want"
  jq -r '.misconfigurations[] | select(.id=="BW-IMG-004" and (.target|startswith("config:env:"))) | .target' "$K" | sort >"$W/ks.env.got"
  t_check "kitchen-sink: every secret-looking Env is reported (DB_PASSWORD, API_TOKEN)" diff -u "$W/ks.env.want" "$W/ks.env.got"
  # the history entry with the npm token, by its index in the config history
  want=$(jq -r '[.history | to_entries[] | select(.value.created_by|test("NPM_TOKEN=npm_")) | "config:history:\(.key)"] | join(" ")' \
    "$EXPECTED/kitchen-sink/image.json")
  t_eq "kitchen-sink: the history entry carrying NPM_TOKEN is reported" "$want" \
    "$(jq -r '[.misconfigurations[] | select(.id=="BW-IMG-004" and (.target|startswith("config:history:"))) | .target] | join(" ")' "$K")"
  t_check "kitchen-sink: port 22 exposed is reported" jqe '.misconfigurations[] | select(.id=="BW-IMG-003" and (.evidence|test("22/tcp")))' "$K"
  t_check "kitchen-sink: no secret value in the report" bash -c \
    "! grep -q -e Wk4NwvKF4EkNeT7HKL9A -e glpat-oebYaLDmSO8QldgKXTcc -e npm_Vy6euvjt4ml '$K'"
  t_check "kitchen-sink: the debootstrap comment's URL is not an ADD of a URL" \
    jqe '[.misconfigurations[] | select(.id=="BW-IMG-005")] | length == 0' "$K"
  # debian-minbase: the whole list, pinned (the closing note says which are true positives)
  M=$W/debian-minbase.json
  jq -r '.misconfigurations[] | "# debian-minbase: \(.id) \(.severity) \(.target): \(.evidence)"' "$M"
  t_eq "debian-minbase: findings by id" "BW-FS-001 x11, BW-IMG-001 x1, BW-IMG-002 x1, BW-IMG-008 x1, BW-IMG-009 x1" \
    "$(jq -r '[.misconfigurations | group_by(.id)[] | "\(.[0].id) x\(length)"] | join(", ")' "$M")"
  # end of life: Debian 12 is supported until 2028-06-30 (data/eol/SOURCES.md)
  BULWARK_TODAY=2028-05-01 "$BULWARK" scan --scanners misconfig --format json "oci:$IMAGES/debian-minbase/oci:latest" -o "$W/eol1.json"
  t_eq "end of life: 60 days before, a warning" "BW-IMG-011" \
    "$(jq -r '[.misconfigurations[] | select(.id|test("BW-IMG-01[01]")) | .id] | join(" ")' "$W/eol1.json")"
  BULWARK_TODAY=2028-07-01 "$BULWARK" scan --scanners misconfig --format json "oci:$IMAGES/debian-minbase/oci:latest" -o "$W/eol2.json"
  t_eq "end of life: a day after, past end of life" "BW-IMG-010" \
    "$(jq -r '[.misconfigurations[] | select(.id|test("BW-IMG-01[01]")) | .id] | join(" ")' "$W/eol2.json")"
  t_eq "end of life: rpm-root (Rocky 9.1) is supported in 2026" "" \
    "$("$BULWARK" scan --scanners misconfig --format json "oci:$IMAGES/rpm-root/oci:latest" | jq -r '[.misconfigurations[] | select(.id|test("BW-IMG-01[01]"))] | map(.id) | join(" ")')"
fi

# ------------------------------------------------------------------ Dockerfiles
DF=$TOP/tests/data/dockerfiles
"$BULWARK" dockerfile --format json "$DF/bad-BW-DF-006.Dockerfile" -o "$W/df.json"
t_eq "dockerfile: findings exit 0 without --exit-code" 0 $?
t_eq "dockerfile: the finding carries its line" "BW-DF-006:2" \
  "$(jq -r '.misconfigurations[] | select(.id=="BW-DF-006") | "\(.id):\(.line)"' "$W/df.json")"
"$BULWARK" dockerfile --exit-code 9 "$DF/bad-BW-DF-001.Dockerfile" >/dev/null
t_eq "dockerfile: --exit-code N when anything is reported" 9 $?
"$BULWARK" dockerfile --exit-code 9 --severity CRITICAL "$DF/bad-BW-DF-001.Dockerfile" >/dev/null
t_eq "dockerfile: --severity filters before --exit-code" 0 $?
"$BULWARK" dockerfile --exit-code 9 "$DF/clean-heredoc.Dockerfile" >/dev/null
t_eq "dockerfile: a clean file exits 0 with --exit-code" 0 $?
"$BULWARK" scan --scanners misconfig --format json "$DF/bad-BW-DF-006.Dockerfile" -o "$W/df2.json"
t_check "scan --scanners misconfig of a Dockerfile = bulwark dockerfile" \
  diff <(jq -S .misconfigurations "$W/df.json") <(jq -S .misconfigurations "$W/df2.json")
"$BULWARK" dockerfile --format sarif "$DF/bad-BW-DF-013.Dockerfile" -o "$W/df.sarif"
t_eq "dockerfile: sarif region.startLine" 2 "$(jq '.runs[0].results[] | select(.ruleId=="BW-DF-013") | .locations[0].physicalLocation.region.startLine' "$W/df.sarif")"
if [ -f "$SHARED/data/schemas/sarif-schema-2.1.0.json" ]; then
  t_eq "dockerfile: sarif valid against the schema" valid \
    "$("$PY" "$TOP/tests/lib/validate.py" "$SHARED/data/schemas" sarif "$W/df.sarif" 2>&1 | tail -1)"
fi
t_run_expect "dockerfile: a missing file is exit 3, one line" 3 "cannot open the Dockerfile" -- \
  "$BULWARK" dockerfile "$W/nope/Dockerfile"
t_run_expect "dockerfile: junit is a usage error" 2 "table, json or sarif" -- \
  "$BULWARK" dockerfile --format junit "$DF/bad-BW-DF-001.Dockerfile"

# ------------------------------------------------------------------ hostile
"$PY" - "$W" <<'EOF'
import os, sys
w = sys.argv[1]
# over 100 MB: 100 MB of comment lines, then a finding that must be cut off
with open(os.path.join(w, "big.Dockerfile"), "w") as f:
    f.write("FROM a@sha256:00\nUSER 1\nHEALTHCHECK CMD true\n")
    line = "# " + "x" * 1021 + "\n"
    for _ in range(100 * 1024 + 8):
        f.write(line)
    f.write("USER root\n")
# 100,001 continued lines
with open(os.path.join(w, "cont.Dockerfile"), "w") as f:
    f.write("FROM a@sha256:00\nUSER 1\nHEALTHCHECK CMD true\nRUN true")
    for i in range(100001):
        f.write(" \\\n  x")
    f.write("\n")
# invalid UTF-8 in the middle
with open(os.path.join(w, "utf8.Dockerfile"), "wb") as f:
    f.write(b"FROM a@sha256:00\nLABEL x=\"\xff\xc3\x28\"\nUSER root\nHEALTHCHECK CMD true\n")
EOF
for c in big cont utf8; do
  start=$(date +%s%N)
  "$BULWARK" dockerfile --format json "$W/$c.Dockerfile" -o "$W/$c.json" 2>"$W/$c.err"
  rc=$?; ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "# hostile $c: exit $rc, $ms ms, $(grep -c '' "$W/$c.err") warning line(s)"
  t_eq "hostile Dockerfile $c: exit 0 with exactly one warning line" "0:1" "$rc:$(grep -c 'warning' "$W/$c.err")"
done
t_check "hostile Dockerfile big: the part after 100 MB is not read" jqe '.misconfigurations | length == 0' "$W/big.json"
t_check "hostile Dockerfile utf8: the rest of the file is still checked" \
  jqe '[.misconfigurations[] | select(.id=="BW-DF-001" and .line==3)] | length == 1' "$W/utf8.json"
# an image whose /etc/passwd has 1,000,000 lines
"$PY" - "$W/spec/bigpasswd.json" <<'EOF'
import json, sys
# u3 is uid 0: found only if the part of the file before the bound is read
lines = "".join("u%d:x:%d:100::/home/u:/bin/sh\n" % (i, 0 if i == 3 else i + 1000) for i in range(1000000))
spec = {"format": "oci", "name": "bigpasswd", "images": [{"architecture": "amd64", "os": "linux",
  "config": {"User": "u3"}, "layers": [{"created_by": "ADD", "entries": [
    {"path": "etc", "type": "dir"}, {"path": "etc/passwd", "content": "root:x:0:0::/root:/bin/sh\n" + lines}]}]}]}
json.dump(spec, open(sys.argv[1], "w"))
EOF
if "$PY" "$TOP/tests/lib/mkimage.py" build "$W/spec/bigpasswd.json" "$W/bigpasswd" >/dev/null 2>"$W/bp.err"; then
  start=$(date +%s%N)
  "$BULWARK" scan --scanners misconfig --format json "oci:$W/bigpasswd:latest" -o "$W/bp.json" 2>"$W/bp.scan.err"
  rc=$?; ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "# hostile /etc/passwd of 1,000,000 lines: exit $rc, $ms ms"
  t_eq "hostile /etc/passwd of 1,000,000 lines: exit 0, one warning naming it" "0:1" \
    "$rc:$(grep -c 'warning: .*/etc/passwd: larger than' "$W/bp.scan.err")"
  t_eq "hostile /etc/passwd: the lines before the bound still resolve users (u3 is uid 0)" \
    'config User is "u3", uid 0 in /etc/passwd' \
    "$(jq -r '.misconfigurations[] | select(.id=="BW-IMG-001") | .evidence' "$W/bp.json")"
else
  t_fail "hostile /etc/passwd: mkimage" "$(head -3 "$W/bp.err")"
fi
