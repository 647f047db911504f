#!/usr/bin/env bash
# tests/integration/policy.sh: the policy gate (`bulwark scan --policy FILE`, docs/policy.md).
#
# A matrix: for each policy key, an image that passes and one that fails, with the reason text
# expected in the report. The images are built here with tests/lib/mkimage.py from specs that
# differ from one clean image in exactly the thing a key looks at, and a vulnerability feed of
# three OSV records is written here too, so every expected verdict follows from what the test
# itself put in. Then: the exit codes (1, --exit-code N, warn and info do not fail), the table
# and json reports, bad policy files (exit 2 naming file:line and key), and the fixture images'
# ground truth (runs_as_root, labels, created) against forbid_root_user, required_labels and
# max_age_days.
. "$(dirname "$0")/../lib/harness.sh"
PY=/usr/bin/python3
jqq() { jq -e "$@" >/dev/null; }
W=$TMPROOT/policy
mkdir -p "$W/img" "$W/feed" "$W/p"
export BULWARK_DB=$W/db.sqlite
export BULWARK_TODAY=2024-01-01   # the images are created 2023-11-14 (mkimage.py): 48 days old

# ---------------------------------------------------------------- the feed
# vulnlib < 1.2.0: CRITICAL, CVSS 9.8, fixed in 1.2.0; lowlib: LOW, no fix; denylib < 1.0.1: MEDIUM
"$PY" - "$W/feed" <<'PY'
import json, sys
def rec(ghsa, cve, pkg, sev, vector, fixed):
    events = [{"introduced": "0"}] + ([{"fixed": fixed}] if fixed else [])
    return {"schema_version": "1.6.0", "id": ghsa, "aliases": [cve], "modified": "2024-01-01T00:00:00Z",
            "published": "2023-06-01T00:00:00Z", "summary": "test advisory for " + pkg,
            "severity": [{"type": "CVSS_V3", "score": vector}],
            "database_specific": {"severity": sev},
            "affected": [{"package": {"ecosystem": "npm", "name": pkg},
                          "ranges": [{"type": "SEMVER", "events": events}]}]}
recs = [rec("GHSA-aaaa-bbbb-0001", "CVE-2099-0001", "vulnlib", "CRITICAL", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "1.2.0"),
        rec("GHSA-aaaa-bbbb-0002", "CVE-2099-0002", "lowlib", "LOW", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", None),
        rec("GHSA-aaaa-bbbb-0003", "CVE-2099-0003", "denylib", "MODERATE", "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N", "1.0.1")]
for r in recs:
    json.dump(r, open("%s/%s.json" % (sys.argv[1], r["id"]), "w"))
PY
"$BULWARK" -q db import "$W/feed" || { t_fail "policy: feed" "db import failed"; exit 0; }

# ---------------------------------------------------------------- the images
# clean: user 1000, vendor and origin labels, base debian:12, one MIT package.
# Every other image is clean with one change.
"$PY" - "$W" <<'PY'
import copy, json, sys
w = sys.argv[1]
def pkg(name, version, lic):
    d = {"name": name, "version": version}
    if lic is not None:
        d["license"] = lic
    return {"path": "app/node_modules/%s/package.json" % name, "content": json.dumps(d)}
clean = {"format": "oci", "images": [{
    "config": {"User": "1000", "Cmd": ["/app/run"],
               "Labels": {"org.opencontainers.image.vendor": "Example Corp", "com.example.origin": "third-party",
                          "org.opencontainers.image.base.name": "docker.io/library/debian:12"}},
    "layers": [{"entries": [{"path": "app", "type": "dir"}, {"path": "app/node_modules", "type": "dir"},
                            pkg("okpkg", "1.0.0", "MIT"), pkg("dual", "2.0.0", "(MIT OR GPL-3.0-only)")]}]}]}
def variant(name, fn, fmt="oci"):
    s = copy.deepcopy(clean)
    s["format"] = fmt
    s["name"] = name
    fn(s["images"][0])
    json.dump(s, open("%s/%s.%s.spec.json" % (w, name, fmt), "w"))
def add(*pkgs):
    return lambda i: i["layers"].append({"entries": list(pkgs)})
def cfg(**kv):
    def f(i):
        for k, v in kv.items():
            if v is None:
                i["config"].pop(k, None)
            else:
                i["config"][k] = v
    return f
def label(key, value):
    def f(i):
        if value is None:
            i["config"]["Labels"].pop(key)
        else:
            i["config"]["Labels"][key] = value
    return f
variant("clean", lambda i: None)
variant("clean", lambda i: None, "docker-archive")
variant("vulncrit", add(pkg("vulnlib", "1.0.0", "MIT")))
variant("vulnlow", add(pkg("lowlib", "1.0.0", "MIT")))
variant("vulndeny", add(pkg("denylib", "1.0.0", "MIT")))
variant("agpl", add(pkg("agpllib", "1.0.0", "AGPL-3.0-only")))
variant("gpl", add(pkg("gpllib", "1.0.0", "GPLv3+")))
variant("custom", add(pkg("customlib", "1.0.0", "Some Custom License")))
variant("nolicense", add(pkg("bare", "1.0.0", None)))
variant("commons", add(pkg("clause", "1.0.0", "Apache-2.0 WITH Commons-Clause")))
variant("root", cfg(User=None))
variant("rootuid", cfg(User="0:1000"))
variant("nolabel", label("org.opencontainers.image.vendor", None))
variant("badvendor", label("org.opencontainers.image.vendor", "Evil Inc"))
variant("forbidden", add(pkg("event-stream", "3.3.6", "MIT")))
variant("alpinebase", label("org.opencontainers.image.base.name", "docker.io/library/alpine:3.18"))
variant("nobase", label("org.opencontainers.image.base.name", None))
variant("inhouse", lambda i: (label("com.example.origin", "in-house")(i), cfg(User=None)(i)))
variant("inhouse", lambda i: (label("com.example.origin", "in-house")(i), cfg(User=None)(i)), "docker-archive")
PY
for spec in "$W"/*.spec.json; do
  name=$(jq -r .name "$spec")
  fmt=$(jq -r .format "$spec")
  if [ "$fmt" = docker-archive ]; then out=$W/img/$name.tar; else out=$W/img/$name; fi
  "$PY" "$TOP/tests/lib/mkimage.py" build "$spec" "$out" >/dev/null || { t_fail "policy: mkimage $name" "build failed"; exit 0; }
done
img() { [ -f "$W/img/$1.tar" ] && [ "${2:-}" = archive ] && echo "docker-archive:$W/img/$1.tar" || echo "oci:$W/img/$1:latest"; }

# ---------------------------------------------------------------- the matrix
# policy NAME: writes $W/p/NAME.yaml from stdin
policy() { cat >"$W/p/$1.yaml"; }

# gate NAME POLICY IMAGE-REF WANT-EXIT WANT-VERDICT [REASON-SUBSTRING [EXTRA-ARGS...]]
# Scans with --format json, checks the exit code, the verdict and, when given, that one
# violation's reason holds the substring (for a pass: that no fail/warn violation does).
gate() {
  local name=$1 pol=$2 ref=$3 want_rc=$4 want=$5 reason=${6:-} rc=0
  shift 6 2>/dev/null || shift $#
  local out=$W/out.$pol.json
  "$BULWARK" -q scan --format json --policy "$W/p/$pol.yaml" "$@" "$ref" -o "$out" 2>"$W/err" || rc=$?
  if [ "$rc" != "$want_rc" ]; then
    t_fail "$name" "exit $rc, want $want_rc: $(head -c 300 "$W/err")"
    return
  fi
  local got
  got=$(jq -r .policy.verdict "$out")
  if [ "$got" != "$want" ]; then
    t_fail "$name" "verdict $got, want $want: $(jq -c '[.policy.violations[] | [.action, .reason]]' "$out" | head -c 400)"
  elif [ -n "$reason" ] && ! jq -e --arg r "$reason" '[.policy.violations[].reason | contains($r)] | any' "$out" >/dev/null; then
    t_fail "$name" "no violation says [$reason]: $(jq -c '[.policy.violations[].reason]' "$out" | head -c 400)"
  else
    t_ok "$name"
  fi
}

# vulnerabilities.severity + fixable_only
policy crit <<'YAML'
version: 1
rules:
  - name: no-fixable-critical
    action: fail
    vulnerabilities: {severity: [CRITICAL, HIGH], fixable_only: true}
YAML
gate "severity+fixable_only: clean image passes" crit "$(img clean)" 0 pass
gate "severity+fixable_only: a fixable CRITICAL fails, with id, package and fix" crit "$(img vulncrit)" 1 fail \
  "CVE-2099-0001 (CRITICAL"
gate "severity+fixable_only: the reason names the fixed version" crit "$(img vulncrit)" 1 fail "in vulnlib 1.0.0: fixed in 1.2.0"
gate "severity: a LOW finding passes a CRITICAL/HIGH rule" crit "$(img vulnlow)" 0 pass
policy low <<'YAML'
version: 1
rules:
  - {name: low-fixable, vulnerabilities: {severity: [LOW], fixable_only: true}}
YAML
gate "fixable_only: a LOW finding with no fix passes" low "$(img vulnlow)" 0 pass
policy lowany <<'YAML'
version: 1
rules:
  - {name: low-any, vulnerabilities: {severity: [low]}}
YAML
gate "fixable_only absent: the same LOW finding fails, 'no fix yet'" lowany "$(img vulnlow)" 1 fail "CVE-2099-0002 (LOW"
gate "fixable_only absent: the reason says there is no fix" lowany "$(img vulnlow)" 1 fail "no fix yet"

# vulnerabilities.ids (deny list)
policy deny <<'YAML'
version: 1
rules:
  - name: blocked
    vulnerabilities: {ids: [cve-2099-0003]}
YAML
gate "ids: an image without the denied CVE passes (even with other findings)" deny "$(img vulncrit)" 0 pass
gate "ids: the denied CVE fails, matched through the GHSA's alias, any case" deny "$(img vulndeny)" 1 fail \
  "CVE-2099-0003 in denylib 1.0.0 is on the deny list"

# vulnerabilities.cvss_at_least: scores come from src/match/cvss.c when it is built in
policy cvss <<'YAML'
version: 1
rules:
  - {name: cvss9, vulnerabilities: {cvss_at_least: 9.0}}
YAML
gate "cvss_at_least: an image without findings passes" cvss "$(img clean)" 0 pass
"$BULWARK" -q scan --format json "$(img vulncrit)" -o "$W/vc.json"
if jq -e '[.vulnerabilities[].cvss[] | select(.score != null)] | length > 0' "$W/vc.json" >/dev/null; then
  gate "cvss_at_least 9.0: CVSS 9.8 fails" cvss "$(img vulncrit)" 1 fail "CVSS 9.8) in vulnlib"
  gate "cvss_at_least 9.0: a low score passes" cvss "$(img vulnlow)" 0 pass
else
  # no scorer in this build: the rule must say it could not judge, never pass silently
  gate "cvss_at_least: findings without a score are reported as not evaluated" cvss "$(img vulncrit)" 0 pass \
    "cvss_at_least: not evaluated for 1 finding that has no CVSS score"
  t_check "cvss_at_least: that report is an info line" \
    jqq '[.policy.violations[] | select(.action == "info")] | length == 1' "$W/out.cvss.json"
fi

# vulnerabilities.older_than_days: the database has no fix date yet
policy older <<'YAML'
version: 1
rules:
  - {name: old-fixes, vulnerabilities: {fixable_only: true, older_than_days: 30}}
YAML
gate "older_than_days: an image without findings passes, with nothing to say" older "$(img clean)" 0 pass
gate "older_than_days: a finding is reported as not evaluated (no fix date in the data)" older "$(img vulncrit)" 0 pass \
  "older_than_days: not evaluated for 1 finding"

# vulnerabilities with the vulnerability scanner off
gate "vulnerabilities with --scanners license: not evaluated, never a silent pass" crit "$(img vulncrit)" 0 pass \
  "not evaluated: the vulnerability scanner did not run" --scanners license

# exceptions: live (info, reason kept), expired (warn, stops applying)
policy exc <<'YAML'
version: 1
rules:
  - {name: no-fixable-critical, vulnerabilities: {severity: [CRITICAL], fixable_only: true}}
exceptions:
  - {id: CVE-2099-0001, package: vulnlib, reason: "not reachable from the entry point", expires: 2099-12-31}
YAML
gate "exceptions: a live exception lets the finding pass, as info with its reason" exc "$(img vulncrit)" 0 pass \
  "(excepted until 2099-12-31: not reachable from the entry point)"
policy excgh <<'YAML'
version: 1
rules:
  - {name: no-fixable-critical, vulnerabilities: {severity: [CRITICAL], fixable_only: true}}
exceptions:
  - {id: GHSA-aaaa-bbbb-0001, reason: "by the advisory id", expires: 2099-12-31}
YAML
gate "exceptions: an advisory alias matches too, and package is optional" excgh "$(img vulncrit)" 0 pass "excepted until"
policy excpkg <<'YAML'
version: 1
rules:
  - {name: no-fixable-critical, vulnerabilities: {severity: [CRITICAL], fixable_only: true}}
exceptions:
  - {id: CVE-2099-0001, package: otherlib, reason: "another package", expires: 2099-12-31}
YAML
gate "exceptions: an exception for another package does not apply" excpkg "$(img vulncrit)" 1 fail "CVE-2099-0001 (CRITICAL"
policy excold <<'YAML'
version: 1
rules:
  - {name: no-fixable-critical, vulnerabilities: {severity: [CRITICAL], fixable_only: true}}
exceptions:
  - {id: CVE-2099-0001, package: vulnlib, reason: "was accepted", expires: 2023-12-31}
YAML
gate "exceptions: an expired exception fails the finding again" excold "$(img vulncrit)" 1 fail "CVE-2099-0001 (CRITICAL"
gate "exceptions: and warns that it expired" excold "$(img vulncrit)" 1 fail \
  "the exception for CVE-2099-0001 in vulnlib expired on 2023-12-31 and no longer applies"
gate "exceptions: an expired exception warns on a clean image too" excold "$(img clean)" 0 warn "expired on 2023-12-31"
policy denyexc <<'YAML'
version: 1
rules:
  - {name: blocked, vulnerabilities: {ids: [CVE-2099-0003]}}
exceptions:
  - {id: CVE-2099-0003, reason: "try to lift a denied id", expires: 2099-12-31}
YAML
gate "ids: a denied id always fails, an exception does not lift it" denyexc "$(img vulndeny)" 1 fail "is on the deny list"

# licenses.deny, deny_categories, allow
policy licdeny <<'YAML'
version: 1
rules:
  - name: licenses
    licenses: {deny: [AGPL-3.0-only, AGPL-3.0-or-later]}
YAML
gate "licenses.deny: MIT and (MIT OR GPL) pass" licdeny "$(img clean)" 0 pass
gate "licenses.deny: AGPL-3.0-only fails, naming package and license" licdeny "$(img agpl)" 1 fail \
  "agpllib 1.0.0 (npm): license AGPL-3.0-only: AGPL-3.0-only (forbidden) is denied"
policy liccat <<'YAML'
version: 1
rules:
  - {name: no-copyleft, licenses: {deny_categories: [forbidden, restricted]}}
YAML
gate "licenses.deny_categories: (MIT OR GPL-3.0-only) passes: OR lets MIT be chosen" liccat "$(img clean)" 0 pass
gate "licenses.deny_categories: GPLv3+ (normalised GPL-3.0-or-later, restricted) fails" liccat "$(img gpl)" 1 fail \
  "license GPL-3.0-or-later: GPL-3.0-or-later (restricted) is a denied category"
gate "licenses.deny_categories: Apache-2.0 WITH Commons-Clause fails (the clause is forbidden)" liccat "$(img commons)" 1 fail \
  "Commons-Clause (forbidden) is a denied category"
policy licunknown <<'YAML'
version: 1
rules:
  - {name: known-licenses, action: warn, licenses: {deny_categories: [unknown]}}
YAML
gate "licenses.deny_categories [unknown]: SPDX licenses pass" licunknown "$(img clean)" 0 pass
gate "licenses.deny_categories [unknown]: free text warns" licunknown "$(img custom)" 0 warn \
  "license Some Custom License: Some Custom License (unknown) is a denied category"
gate "licenses.deny_categories [unknown]: no license at all warns" licunknown "$(img nolicense)" 0 warn \
  "bare 1.0.0 (npm): license no license declared: NOASSERTION (unknown)"
policy licallow <<'YAML'
version: 1
rules:
  - {name: allow-list, licenses: {allow: [MIT, Expat, Apache-2.0]}}
YAML
gate "licenses.allow: MIT and (MIT OR GPL-3.0-only) pass" licallow "$(img clean)" 0 pass
gate "licenses.allow: GPL-3.0-or-later fails" licallow "$(img gpl)" 1 fail "GPL-3.0-or-later (restricted) is not on the allow list"

# image.forbid_root_user
policy root <<'YAML'
version: 1
rules:
  - {name: no-root, image: {forbid_root_user: true}}
YAML
gate "forbid_root_user: User 1000 passes" root "$(img clean)" 0 pass
gate "forbid_root_user: no User (root) fails" root "$(img root)" 1 fail "the image runs as root (config User is empty"
gate "forbid_root_user: User 0:1000 fails" root "$(img rootuid)" 1 fail 'config User is "0:1000"'

# image.required_labels (names, and name: pattern)
policy labels <<'YAML'
version: 1
rules:
  - {name: vendor-label, image: {required_labels: [org.opencontainers.image.vendor]}}
YAML
gate "required_labels: present passes" labels "$(img clean)" 0 pass
gate "required_labels: missing fails" labels "$(img nolabel)" 1 fail "the required label org.opencontainers.image.vendor is missing"
policy labelpat <<'YAML'
version: 1
rules:
  - {name: vendor-label, image: {required_labels: {org.opencontainers.image.vendor: "Example *", com.example.origin: third-party}}}
YAML
gate "required_labels: a value matching its pattern passes" labelpat "$(img clean)" 0 pass
gate "required_labels: a value not matching fails" labelpat "$(img badvendor)" 1 fail \
  'the label org.opencontainers.image.vendor is "Evil Inc", which does not match "Example *"'

# image.allowed_registries (names from docker-archive RepoTags: docker.io/fixtures/NAME)
policy reg <<'YAML'
version: 1
rules:
  - {name: registries, image: {allowed_registries: ["docker.io/fixtures/*"]}}
YAML
policy regbad <<'YAML'
version: 1
rules:
  - {name: registries, image: {allowed_registries: [registry.example.com]}}
YAML
gate "allowed_registries: docker.io/fixtures/clean matches docker.io/fixtures/*" reg "$(img clean archive)" 0 pass
gate "allowed_registries: it is not from registry.example.com" regbad "$(img clean archive)" 1 fail \
  "docker.io/fixtures/clean is not from an allowed registry (registry.example.com)"
gate "allowed_registries: a local OCI layout has no registry name and fails" reg "$(img clean)" 1 fail "the image has no registry name"

# image.max_age_days (created 2023-11-14)
policy age <<'YAML'
version: 1
rules:
  - {name: fresh, image: {max_age_days: 180}}
YAML
gate "max_age_days 180: 48 days old passes" age "$(img clean)" 0 pass
BULWARK_TODAY=2025-01-01 gate "max_age_days 180: 414 days old fails" age "$(img clean)" 1 fail \
  "the image was created on 2023-11-14, 414 days ago, more than max_age_days 180"

# image.forbidden_packages (name globs and purl globs)
policy forbid <<'YAML'
version: 1
rules:
  - {name: forbidden, image: {forbidden_packages: ["event-*", "pkg:npm/left-pad@*"]}}
YAML
gate "forbidden_packages: clean passes" forbid "$(img clean)" 0 pass
gate "forbidden_packages: event-stream fails" forbid "$(img forbidden)" 1 fail "event-stream 3.3.6 (npm) is a forbidden package (event-*)"

# image.allowed_base_images (the OCI base-name label; else the image's own names)
policy base <<'YAML'
version: 1
rules:
  - {name: base, image: {allowed_base_images: ["docker.io/library/debian:*"]}}
YAML
gate "allowed_base_images: base debian:12 passes" base "$(img clean)" 0 pass
gate "allowed_base_images: base alpine:3.18 fails" base "$(img alpinebase)" 1 fail \
  "the base image docker.io/library/alpine:3.18 (label org.opencontainers.image.base.name) is not an allowed base image"
gate "allowed_base_images: no base label: judged by the image's own reference" base "$(img nobase)" 1 fail \
  "the image names no base image"

# secrets without the secret scanner: not evaluated, said so
policy later <<'YAML'
version: 1
rules:
  - {name: no-secrets, secrets: {min_severity: HIGH}}
YAML
gate "secrets: reported as not evaluated (info), verdict pass" later "$(img clean)" 0 pass \
  "not evaluated: the secret scanner did not run"

# signature: the image must carry a signature and a cyclonedx attestation that verify with the
# policy's key (its path relative to the policy file). Signed here with bulwark sign/attest.
export BULWARK_PASSWORD=policy-test
mkdir -p "$W/p/keys"
"$BULWARK" -q key generate --prefix "$W/p/keys/vendor" >/dev/null 2>&1
"$BULWARK" -q key generate --prefix "$W/other" >/dev/null 2>&1
cp -r "$W/img/clean" "$W/img/signed"; cp -r "$W/img/clean" "$W/img/sigonly"; cp -r "$W/img/clean" "$W/img/othersig"
"$BULWARK" -q sbom --format cyclonedx "oci:$W/img/signed:latest" -o "$W/signed.cdx.json"
for step in "sign oci:$W/img/signed:latest --key $W/p/keys/vendor.key" \
            "attest oci:$W/img/signed:latest --key $W/p/keys/vendor.key --type cyclonedx --predicate $W/signed.cdx.json" \
            "sign oci:$W/img/sigonly:latest --key $W/p/keys/vendor.key" \
            "sign oci:$W/img/othersig:latest --key $W/other.key" \
            "attest oci:$W/img/othersig:latest --key $W/other.key --type cyclonedx --predicate $W/signed.cdx.json"; do
  # shellcheck disable=SC2086
  "$BULWARK" -q $step >/dev/null 2>"$W/err" || t_fail "policy: signature setup: $step" "$(head -c 300 "$W/err")"
done
policy signed <<'YAML'
version: 1
rules:
  - {name: signed, signature: {keys: [keys/vendor.pub], attestations: [cyclonedx]}}
YAML
gate "signature: signed and attested with the policy's key passes" signed "oci:$W/img/signed:latest" 0 pass
gate "signature: an unsigned image fails" signed "$(img clean)" 1 fail \
  "no signature verified with the policy's keys: keys/vendor.pub"
gate "signature: signed but not attested fails on the attestation" signed "oci:$W/img/sigonly:latest" 1 fail \
  "no cyclonedx attestation verified with the policy's keys"
t_eq "signature: ... and only on the attestation" "cyclonedx" \
  "$(jq -r '[.policy.violations[] | select(.action == "fail") | .id // "signature"] | join(",")' "$W/out.signed.json")"
gate "signature: signed and attested with another key fails" signed "oci:$W/img/othersig:latest" 1 fail \
  "no signature verified with the policy's keys: keys/vendor.pub"
gate "signature: an SBOM input is reported as not evaluated (info)" signed "sbom:$W/signed.cdx.json" 0 pass \
  "not evaluated: a sbom: input carries no signatures"
unset BULWARK_PASSWORD

# an SBOM (scan sbom:FILE) has packages but no image config: config keys are not evaluated, said so
"$BULWARK" -q sbom --format cyclonedx "$(img root)" >"$W/root.cdx.json"
"$BULWARK" -q sbom --format cyclonedx "$(img forbidden)" >"$W/forbidden.cdx.json"
gate "sbom: input: forbid_root_user is reported as not evaluated, not failed" root "sbom:$W/root.cdx.json" 0 pass \
  "not evaluated: forbid_root_user (a sbom: input has no image config"
gate "sbom: input: forbidden_packages still applies to its packages" forbid "sbom:$W/forbidden.cdx.json" 1 fail \
  "event-stream 3.3.6 (npm) is a forbidden package"
"$BULWARK" -q sbom --format cyclonedx "$(img gpl)" >"$W/gpl.cdx.json"
gate "sbom: input: license rules apply to its packages" liccat "sbom:$W/gpl.cdx.json" 1 fail \
  "gpllib 1.0.0 (npm): license GPL-3.0-or-later"

# scope: references and labels; out of scope is a pass with in_scope false
policy scoped <<'YAML'
version: 1
scope:
  references: ["docker.io/fixtures/clean*"]
  labels: {com.example.origin: third-party}
rules:
  - {name: no-root, image: {forbid_root_user: true}}
  - {name: vendor, image: {required_labels: [org.opencontainers.image.vendor]}}
YAML
policy scopedref <<'YAML'
version: 1
scope: {references: ["docker.io/fixtures/inhouse:*"]}
rules:
  - {name: no-root, image: {forbid_root_user: true}}
YAML
gate "scope.labels: an in-house image is out of scope: pass" scoped "$(img inhouse)" 0 pass
t_eq "scope: out of scope says in_scope false and lists nothing" "false 0" \
  "$(jq -r '"\(.policy.in_scope) \(.policy.violations | length)"' "$W/out.scoped.json")"
gate "scope.labels: a third-party image is in scope and judged" scoped "$(img root)" 1 fail "runs as root"
gate "scope.references: the in-house image by its reference is in scope" scopedref "$(img inhouse archive)" 1 fail "runs as root"
gate "scope.references: another reference is out of scope" scopedref "$(img clean archive)" 0 pass

# actions: warn and info do not fail; the verdict is the worst action
policy warn <<'YAML'
version: 1
rules:
  - {name: no-root, action: warn, image: {forbid_root_user: true}}
  - {name: vendor, action: info, image: {required_labels: [no.such.label]}}
YAML
gate "action warn: verdict warn, exit 0" warn "$(img root)" 0 warn "runs as root"
t_eq "action info: listed with its action" "info" \
  "$(jq -r '.policy.violations[] | select(.rule == "vendor") | .action' "$W/out.warn.json")"
gate "--exit-code 9: a fail verdict exits 9" root "$(img root)" 9 fail "runs as root" --exit-code 9
gate "--exit-code 9: a pass still exits 0 (the policy decides, not the findings)" root "$(img vulncrit)" 0 pass "" --exit-code 9

# ---------------------------------------------------------------- reports
P=$W/p/root.yaml
"$BULWARK" -q scan --policy "$P" "$(img root)" >"$W/table.txt" 2>/dev/null
t_check "table: the verdict line names the policy file" grep -qF "Policy $P: FAIL (1 fail, 0 warn, 0 info)" "$W/table.txt"
t_check "table: one line per violation with action, rule and reason" grep -qE '^  fail  no-root: the image runs as root' "$W/table.txt"
"$BULWARK" -q scan --format json --policy "$P" "$(img root)" -o "$W/r.json" 2>/dev/null
t_check "json: policy has verdict, file, in_scope, violations[rule, action, reason]" \
  jqq '.policy | (.verdict == "fail") and (.file | endswith("root.yaml")) and .in_scope and
         (.violations[0] | (.rule == "no-root") and (.action == "fail") and (.reason | startswith("the image runs as root")))' "$W/r.json"
t_eq "json: summary.policy_verdict repeats the verdict" fail "$(jq -r .summary.policy_verdict "$W/r.json")"
"$BULWARK" -q scan --format json --policy "$W/p/crit.yaml" "$(img vulncrit)" -o "$W/r2.json" 2>/dev/null
t_check "json: a violation about a finding names its id and package" \
  jqq '[.policy.violations[] | select(.id == "CVE-2099-0001" and .package == "vulnlib")] | length == 1' "$W/r2.json"
t_eq "json: no policy member without --policy" null "$("$BULWARK" -q scan --format json "$(img root)" | jq -c .policy)"

# ---------------------------------------------------------------- bad policy files: exit 2, file:line and key
bad() { # NAME WANT-SUBSTRING, policy text on stdin
  cat >"$W/p/bad.yaml"
  t_run_expect "bad policy: $1" 2 "$W/p/bad.yaml:$2" -- "$BULWARK" scan --policy "$W/p/bad.yaml" "$(img clean)"
}
bad "unknown key names its line and path" '4: rules[0].image.forbid_root: unknown key' <<'YAML'
version: 1
rules:
  - image:
      forbid_root: true
YAML
bad "unknown top-level key" '3: colour: unknown key' <<'YAML'
version: 1
rules: [{image: {forbid_root_user: true}}]
colour: red
YAML
bad "wrong type (a string for a boolean)" '3: rules[0].image.forbid_root_user: wrong type: expected true or false, found a string' <<'YAML'
version: 1
rules:
  - image: {forbid_root_user: "yes"}
YAML
bad "wrong type (a scalar for a list)" '5: rules[0].vulnerabilities.severity: wrong type: expected a list of strings' <<'YAML'
version: 1
rules:
  - name: x
    vulnerabilities:
      severity: HIGH
YAML
bad "bad glob" '6: scope.references[1]: bad pattern "registry.example.com/[vendor": a "[" without its "]"' <<'YAML'
version: 1
scope:
  references:
    - registry.example.com/ok/*
    # the second one is broken
    - "registry.example.com/[vendor"
rules: [{image: {forbid_root_user: true}}]
YAML
bad "bad license id" '3: rules[0].licenses.deny[0]: "GPL3" is not an SPDX license identifier' <<'YAML'
version: 1
rules:
  - licenses: {deny: [GPL3]}
YAML
bad "bad date" '5: exceptions[0].expires: "2027-13-01" is not a date' <<'YAML'
version: 1
rules: [{image: {forbid_root_user: true}}]
exceptions:
  - id: CVE-1
    expires: 2027-13-01
    reason: r
YAML
bad "YAML syntax names line and column" ' line 3 column 1' <<'YAML'
version: 1
rules: [{image: {forbid_root_user: true}
YAML
t_run_expect "bad policy: a missing file is a usage error" 2 "cannot read the policy file" -- \
  "$BULWARK" scan --policy "$W/p/none.yaml" "$(img clean)"

# ---------------------------------------------------------------- the examples
for ex in "$TOP"/examples/policies/*.yaml; do
  t_run_expect "examples/policies/$(basename "$ex") loads and evaluates" 0 "" -- \
    "$BULWARK" -q scan --policy "$ex" --scanners vuln,license --exit-code 0 "$(img inhouse archive)"
done

# ---------------------------------------------------------------- fixture ground truth
need_shared "policy: fixture images" || exit 0
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "policy: fixtures" "cannot build the fixture images"; exit 0; }
EXPECTED=${IMAGES%/images}/expected
policy fix <<'YAML'
version: 1
rules:
  - {name: no-root, image: {forbid_root_user: true}}
  - {name: labels, image: {required_labels: [org.opencontainers.image.title]}}
  - {name: fresh, image: {max_age_days: 365}}
YAML
for f in debian-minbase kitchen-sink rpm-root; do
  created=$(jq -r .created "$EXPECTED/$f/image.json")
  BULWARK_TODAY=$(date -u -d "${created%%T*} + 400 days" +%F) \
    "$BULWARK" -q scan --scanners license --format json --policy "$W/p/fix.yaml" "oci:$IMAGES/$f/oci:latest" -o "$W/fix.json" 2>/dev/null
  t_eq "$f: forbid_root_user agrees with the ground truth's runs_as_root" \
    "$(jq -r .config.runs_as_root "$EXPECTED/$f/image.json")" \
    "$(jq -r '[.policy.violations[] | select(.rule == "no-root")] | length > 0' "$W/fix.json")"
  t_eq "$f: required_labels agrees with the ground truth's Labels" \
    "$(jq -r '(.config.Labels // {}) | has("org.opencontainers.image.title") | not' "$EXPECTED/$f/image.json")" \
    "$(jq -r '[.policy.violations[] | select(.rule == "labels")] | length > 0' "$W/fix.json")"
  t_check "$f: max_age_days: created ${created%%T*}, 400 days later, is past 365" \
    jqq --arg d "${created%%T*}" '[.policy.violations[] | select(.rule == "fresh" and (.reason | contains("created on " + $d + ", 400 days ago")))] | length == 1' "$W/fix.json"
done
