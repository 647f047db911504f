/*
 * Unit tests for src/policy: the YAML line table it reports errors with
 * (util/yaml.h bw_yaml_parse_lines), the policy loader's checks and their
 * "FILE:LINE: KEY: problem" messages, glob patterns, and dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "policy/glob.h"
#include "policy/policy_int.h"
#include "util/yaml.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* ------------------------------------------------------------------ yaml lines */

static void test_yaml_lines(void **state)
{
	(void)state;
	static const char doc[] =
		"version: 1\n"              /* 1 */
		"rules:\n"                  /* 2 */
		"  - name: a\n"             /* 3 */
		"    image:\n"              /* 4 */
		"      forbid_root_user: true\n" /* 5 */
		"  - {name: b, action: warn}\n"  /* 6 */
		"  -\n"                     /* 7 */
		"    - x\n"                 /* 8 */
		"    - y\n"                 /* 9 */
		"list: [p, q,\n"            /* 10 */
		"  r]\n";                   /* 11 */
	json_t *v = NULL;
	bw_yaml_lines *t = NULL;

	assert_int_equal(bw_yaml_parse_lines("doc", doc, strlen(doc), 4096, BW_YAML_TYPED, &v, &t), 0);
	assert_non_null(t);
	json_t *rules = json_object_get(v, "rules");
	assert_int_equal(bw_yaml_line_of_key(t, v, "version"), 1);
	assert_int_equal(bw_yaml_line_of_key(t, v, "rules"), 2);
	assert_int_equal(bw_yaml_line_of_key(t, v, "list"), 10);
	assert_int_equal(bw_yaml_line_of_key(t, v, "nope"), 0);
	assert_int_equal(bw_yaml_line_of_node(t, v), 1);
	assert_int_equal(bw_yaml_line_of_item(t, rules, 0), 3);
	assert_int_equal(bw_yaml_line_of_item(t, rules, 1), 6);
	assert_int_equal(bw_yaml_line_of_item(t, rules, 2), 8); /* a block sequence starts at its first item */
	assert_int_equal(bw_yaml_line_of_item(t, rules, 3), 0);
	json_t *r0 = json_array_get(rules, 0);
	assert_int_equal(bw_yaml_line_of_key(t, r0, "name"), 3);
	assert_int_equal(bw_yaml_line_of_key(t, json_object_get(r0, "image"), "forbid_root_user"), 5);
	assert_int_equal(bw_yaml_line_of_key(t, json_array_get(rules, 1), "action"), 6);
	json_t *inner = json_array_get(rules, 2);
	assert_int_equal(bw_yaml_line_of_item(t, inner, 1), 9);
	assert_int_equal(bw_yaml_line_of_item(t, json_object_get(v, "list"), 2), 11);
	/* the singletons true/false/null are values, never looked up as nodes */
	assert_int_equal(bw_yaml_line_of_node(t, json_true()), 0);
	assert_int_equal(bw_yaml_line_of_key(NULL, v, "version"), 0);
	bw_yaml_lines_free(t);
	json_decref(v);

	/* an error leaves no table and no value; the plain parser is unchanged */
	t = (bw_yaml_lines *)1;
	assert_int_equal(bw_yaml_parse_lines("doc", "a: [", 4, 4096, 0, &v, &t), BW_EINPUT);
	assert_null(t);
	assert_null(v);
	assert_int_equal(bw_yaml_parse("doc", "a: 1", 4, 4096, 0, &v), 0);
	assert_string_equal(json_string_value(json_object_get(v, "a")), "1");
	json_decref(v);
	bw_yaml_lines_free(NULL);
}

/* ------------------------------------------------------------------ loader */

static bw_policy *load_ok(const char *text)
{
	bw_policy *p = NULL;

	if (bw_policy__parse(&p, "p.yaml", text, strlen(text)) != 0)
		fail_msg("policy did not load: %s", bw_error_last()->message);
	return p;
}

static void expect_load_error(const char *text, const char *want)
{
	bw_policy *p = (bw_policy *)1;

	assert_int_equal(bw_policy__parse(&p, "p.yaml", text, strlen(text)), BW_EUSAGE);
	assert_null(p);
	assert_contains(bw_error_last()->message, want);
	assert_null(strchr(bw_error_last()->message, '\n'));
}

static void test_load_full(void **state)
{
	(void)state;
	bw_policy *p = load_ok(
		"version: 1\n"
		"scope:\n"
		"  references: [\"registry.example.com/vendor/*\"]\n"
		"  labels: {com.example.origin: third-party}\n"
		"rules:\n"
		"  - name: crit\n"
		"    action: fail\n"
		"    vulnerabilities: {severity: [CRITICAL, high], fixable_only: true, cvss_at_least: 9,\n"
		"                      ids: [CVE-2021-44228], older_than_days: 30}\n"
		"  - action: warn\n"
		"    licenses: {deny: [GPLv3+, AGPL-3.0-only], deny_categories: [forbidden], allow: [MIT, Expat]}\n"
		"  - name: img\n"
		"    image: {forbid_root_user: true, required_labels: {org.opencontainers.image.vendor: \"Ex*\"},\n"
		"            allowed_registries: [registry.example.com], max_age_days: 180,\n"
		"            forbidden_packages: [\"netcat*\", \"pkg:npm/event-stream*\"],\n"
		"            allowed_base_images: [\"docker.io/library/debian:*\"]}\n"
		"  - {name: s, action: info, secrets: {min_severity: HIGH, categories: [aws]},\n"
		"     signature: {keys: [k.pub], attestations: [cyclonedx]}}\n"
		"exceptions:\n"
		"  - {id: CVE-2020-8203, package: lodash, reason: \"not reachable\", expires: 2027-01-31}\n");
	assert_int_equal(p->n_rules, 4);
	assert_true(p->has_scope);
	assert_string_equal(p->rules[0].name, "crit");
	assert_int_equal(p->rules[0].action, BW_ACT_FAIL);
	assert_int_equal(p->rules[0].vulns.severities, 0x18);
	assert_true(p->rules[0].vulns.fixable_only);
	assert_true(p->rules[0].vulns.cvss_at_least == 9.0);
	assert_int_equal(p->rules[0].vulns.older_than_days, 30);
	/* a rule without a name is named by its place; its licenses are normalised */
	assert_string_equal(p->rules[1].name, "rules[1]");
	assert_int_equal(p->rules[1].action, BW_ACT_WARN);
	assert_string_equal(p->rules[1].licenses.deny.v[0], "GPL-3.0-or-later");
	assert_string_equal(p->rules[1].licenses.allow.v[1], "MIT");
	assert_int_equal(p->rules[1].licenses.deny_categories, 1);
	assert_int_equal(p->rules[2].image.forbid_root_user, 1);
	assert_string_equal(p->rules[2].image.required_labels.patterns[0], "Ex*");
	assert_int_equal(p->rules[2].image.max_age_days, 180);
	assert_true(p->rules[3].secrets.present && p->rules[3].signature.present);
	assert_int_equal(p->n_exceptions, 1);
	assert_string_equal(p->exceptions[0].expires, "2027-01-31");
	assert_string_equal(p->exceptions[0].package, "lodash");
	assert_int_equal(bw_policy_set_today(p, "2026-02-30"), BW_EUSAGE);
	assert_int_equal(bw_policy_set_today(p, "2026-02-28"), 0);
	bw_policy_free(p);

	/* required_labels may also be a plain list of names */
	p = load_ok("version: 1\nrules: [{image: {required_labels: [a, b]}}]\n");
	assert_int_equal(p->rules[0].image.required_labels.n, 2);
	assert_null(p->rules[0].image.required_labels.patterns[1]);
	bw_policy_free(p);
}

static void test_load_errors(void **state)
{
	(void)state;
	/* unknown keys, at every level, with their line */
	expect_load_error("version: 1\nrules: [{image: {forbid_root_user: true}}]\ncolour: red\n",
			  "p.yaml:3: colour: unknown key (known here: version, scope, rules, exceptions)");
	expect_load_error("version: 1\nrules:\n  - name: x\n    image:\n      forbid_root: true\n",
			  "p.yaml:5: rules[0].image.forbid_root: unknown key");
	expect_load_error("version: 1\nrules:\n  - vulnerabilities:\n      severty: [HIGH]\n",
			  "p.yaml:4: rules[0].vulnerabilities.severty: unknown key (known here: severity,");
	expect_load_error("version: 1\nrules: [{licenses: {deny: [MIT]}}]\nexceptions:\n"
			  "  - {id: CVE-1, reason: r, expires: 2030-01-01, until: x}\n",
			  "p.yaml:4: exceptions[0].until: unknown key");
	expect_load_error("version: 1\nscope: {refs: [a]}\nrules: [{image: {max_age_days: 1}}]\n",
			  "p.yaml:2: scope.refs: unknown key");
	/* wrong types */
	expect_load_error("version: 1\nrules:\n  - image: {forbid_root_user: \"yes\"}\n",
			  "p.yaml:3: rules[0].image.forbid_root_user: wrong type: expected true or false, found a string");
	expect_load_error("version: 1\nrules:\n  - vulnerabilities:\n      severity: HIGH\n",
			  "p.yaml:4: rules[0].vulnerabilities.severity: wrong type: expected a list of strings, found a string");
	expect_load_error("version: 1\nrules:\n  - vulnerabilities:\n      ids:\n        - CVE-1\n        - 7\n",
			  "p.yaml:6: rules[0].vulnerabilities.ids[1]: wrong type: expected a string, found an integer");
	expect_load_error("version: 1\nrules:\n  - image: {max_age_days: 1.5}\n",
			  "p.yaml:3: rules[0].image.max_age_days: wrong type: expected a whole number of days, found a number");
	expect_load_error("version: 1\nrules: {a: 1}\n", "p.yaml:2: rules: wrong type: expected a list of rules, found a mapping");
	expect_load_error("version: 1\nrules:\n  - 5\n", "p.yaml:3: rules[0]: wrong type: expected a mapping (a rule), found an integer");
	expect_load_error("version: \"1\"\nrules: [{image: {max_age_days: 1}}]\n",
			  "p.yaml:1: version: wrong type: expected the number 1, found a string");
	expect_load_error("- a\n", "p.yaml:1: the policy must be a mapping");
	/* bad values */
	expect_load_error("version: 2\nrules: [{image: {max_age_days: 1}}]\n", "p.yaml:1: version: this bulwark reads policy version 1, not 2");
	expect_load_error("rules: [{image: {max_age_days: 1}}]\n", "version: missing");
	expect_load_error("version: 1\n", "rules: missing");
	expect_load_error("version: 1\nrules: []\n", "p.yaml:2: rules: needs 1 to 1000 rules");
	expect_load_error("version: 1\nrules:\n  - name: x\n", "p.yaml:3: rules[0]: the rule checks nothing");
	expect_load_error("version: 1\nrules:\n  - action: block\n    image: {max_age_days: 1}\n",
			  "p.yaml:3: rules[0].action: \"block\" is not an action (fail, warn or info)");
	expect_load_error("version: 1\nrules:\n  - vulnerabilities: {severity: [SEVERE]}\n",
			  "p.yaml:3: rules[0].vulnerabilities.severity[0]: \"SEVERE\" is not a severity");
	expect_load_error("version: 1\nrules:\n  - vulnerabilities: {cvss_at_least: 11}\n",
			  "rules[0].vulnerabilities.cvss_at_least: 11 is not a CVSS score");
	expect_load_error("version: 1\nrules:\n  - image: {max_age_days: -1}\n", "max_age_days: -1 is out of the range");
	expect_load_error("version: 1\nrules:\n  - licenses: {deny: [GPL3]}\n",
			  "p.yaml:3: rules[0].licenses.deny[0]: \"GPL3\" is not an SPDX license identifier");
	expect_load_error("version: 1\nrules:\n  - licenses: {deny: [MIT OR ISC]}\n", "is not one license");
	expect_load_error("version: 1\nrules:\n  - licenses: {deny_categories: [copyleft]}\n",
			  "rules[0].licenses.deny_categories[0]: \"copyleft\" is not a license category");
	expect_load_error("version: 1\nrules:\n  - licenses: {allow: []}\n", "an empty allow list");
	/* bad patterns */
	expect_load_error("version: 1\nrules:\n  - image:\n      allowed_registries:\n        - ok.example.com\n        - \"bad[.example.com\"\n",
			  "p.yaml:6: rules[0].image.allowed_registries[1]: bad pattern \"bad[.example.com\": a \"[\" without its \"]\" at offset 3");
	expect_load_error("version: 1\nscope: {labels: {origin: \"[z-a]\"}}\nrules: [{image: {max_age_days: 1}}]\n",
			  "p.yaml:2: scope.labels.origin: bad pattern \"[z-a]\": a reversed range");
	expect_load_error("version: 1\nscope: {references: [\"\"]}\nrules: [{image: {max_age_days: 1}}]\n",
			  "scope.references[0]: must be 1 to 1024 bytes long");
	/* exceptions need an id, a reason and a real date */
	expect_load_error("version: 1\nrules: [{image: {max_age_days: 1}}]\nexceptions:\n  - {id: CVE-1, reason: r}\n",
			  "p.yaml:4: exceptions[0]: an exception needs expires");
	expect_load_error("version: 1\nrules: [{image: {max_age_days: 1}}]\nexceptions:\n  - {id: CVE-1, reason: r, expires: 2027-02-29}\n",
			  "p.yaml:4: exceptions[0].expires: \"2027-02-29\" is not a date YYYY-MM-DD");
	/* YAML faults are usage errors too, with the YAML module's position */
	expect_load_error("version: 1\nrules: [\n", "p.yaml: line 3 column 1");
	expect_load_error("version: 1\nrules: &a [{image: {max_age_days: 1}}]\n", "anchors and aliases are not allowed");
	expect_load_error("version: 1\nversion: 1\n", "duplicate mapping key");
}

static void test_load_file(void **state)
{
	(void)state;
	bw_policy *p = (bw_policy *)1;
	char path[] = "/tmp/bw-test-policy-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("version: 1\nrules:\n  - image: {forbid_root_user: maybe}\n", f);
	fclose(f);
	assert_int_equal(bw_policy_load(&p, path), BW_EUSAGE);
	assert_null(p);
	assert_contains(bw_error_last()->message, ":3: rules[0].image.forbid_root_user: wrong type");
	assert_contains(bw_error_last()->message, path);
	unlink(path);
	assert_int_equal(bw_policy_load(&p, "/nonexistent/policy.yaml"), BW_EUSAGE);
	assert_contains(bw_error_last()->message, "/nonexistent/policy.yaml: cannot read the policy file");
	bw_policy_free(NULL);
}

/* ------------------------------------------------------------------ globs, dates */

static void test_glob(void **state)
{
	(void)state;
	static const struct { const char *pattern, *text; bool match; } cases[] = {
		{ "registry.example.com/vendor/*", "registry.example.com/vendor/app", true },
		{ "registry.example.com/vendor/*", "registry.example.com/vendor/team/app", true },
		{ "registry.example.com/vendor/*", "registry.example.com/vendorx/app", false },
		{ "registry.example.com", "registry.example.com", true },
		{ "registry.example.com", "registry.example.com.evil.org", false },
		{ "*.example.com", "a.b.example.com", true },
		{ "*.example.com", "example.com", false },
		{ "a*b*c", "aXbYbZc", true },
		{ "a*b*c", "aXbYbZ", false },
		{ "?", "", false },
		{ "a?c", "abc", true },
		{ "[abc]x", "bx", true },
		{ "[!abc]x", "bx", false },
		{ "[a-z]*", "q1", true },
		{ "[a-z]*", "Q1", false },
		{ "\\*", "*", true },
		{ "\\*", "x", false },
		{ "*", "", true },
		{ "**", "anything/at/all", true },
		{ "Ex*", "Example Corp", true },
		{ "ex*", "Example Corp", false }, /* case-sensitive */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off;
		assert_null(bw_glob_check(cases[i].pattern, &off));
		if (bw_glob_match(cases[i].pattern, cases[i].text) != cases[i].match)
			fail_msg("glob \"%s\" on \"%s\": want %d", cases[i].pattern, cases[i].text, cases[i].match);
	}
	static const struct { const char *pattern; const char *why; size_t off; } bad[] = {
		{ "", "an empty pattern", 0 },
		{ "ab[cd", "without its", 2 },
		{ "[]", "an empty set", 0 },
		{ "x[b-a]", "a reversed range", 1 },
		{ "abc\\", "at the end", 3 },
		{ "a\tb", "a control character", 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t off = 99;
		const char *why = bw_glob_check(bad[i].pattern, &off);
		assert_non_null(why);
		assert_contains(why, bad[i].why);
		assert_int_equal(off, bad[i].off);
	}
	/* the matcher's cost is bounded: a pathological pattern ends at once */
	char text[2001];
	memset(text, 'a', 2000);
	text[2000] = '\0';
	assert_false(bw_glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
}

static void test_dates(void **state)
{
	(void)state;
	int64_t d;

	assert_true(bw_policy__date_days("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(bw_policy__date_days("2000-03-01", &d));
	assert_int_equal(d, 11017);
	assert_true(bw_policy__date_days("2024-02-29", &d));
	assert_int_equal(d, 19782);
	assert_true(bw_policy__date_days("2023-11-14", &d));
	assert_int_equal(d, 1700000000 / 86400);
	assert_false(bw_policy__date_days("2023-02-29", &d));
	assert_false(bw_policy__date_days("1900-02-29", &d));
	assert_false(bw_policy__date_days("2023-13-01", &d));
	assert_false(bw_policy__date_days("2023-1-01", &d));
	assert_false(bw_policy__date_days("2023-01-01T", &d));
	assert_false(bw_policy__date_days(NULL, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_lines),
		cmocka_unit_test(test_load_full),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
