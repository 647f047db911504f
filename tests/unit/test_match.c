/*
 * Unit tests for src/match/ with src/vulndb/: advisories imported into an
 * in-memory database, packages given as a CycloneDX SBOM (sbom:FILE), and
 * the findings checked against what docs/matching.md and the OSV schema's
 * evaluation rules say (https://ossf.github.io/osv-schema/#evaluation):
 * range events, last_affected, limit, versions lists, unordered events,
 * alias merging, PEP 503 names, Debian tracker statuses, the native feed
 * winning over OSV for a distribution, withdrawn records, and the filters.
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
#include "bulwark/image.h"
#include "bulwark/scan.h"
#include "bulwark/vulndb.h"
#include "vulndb/vulndb_int.h"

static void import(bw_vulndb *db, const char *name, const char *doc)
{
	bw_vulndb_import_result r;
	int rc = bw_vulndb_import_buffer(db, name, strstr(name, ".yaml") ? name : "x.json",
					 (const uint8_t *)doc, strlen(doc), &r);
	if (rc < 0)
		fail_msg("import %s: %s", name, bw_error_last()->message);
}

/* An image holding the given purls (and an OS), through the SBOM reader. */
static bw_image *image_of(const char *os, const char *const *purls, size_t n)
{
	char path[] = "/tmp/bw-test-match-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[");
	if (os) {
		char fam[32], ver[32];
		sscanf(os, "%31[^:]:%31s", fam, ver);
		fprintf(f, "{\"type\":\"operating-system\",\"name\":\"%s\",\"version\":\"%s\"}%s", fam, ver,
			n ? "," : "");
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{\"type\":\"library\",\"name\":\"x\",\"purl\":\"%s\"}", i ? "," : "", purls[i]);
	fprintf(f, "]}");
	fclose(f);
	char ref[64];
	snprintf(ref, sizeof(ref), "sbom:%s", path);
	bw_image *img = NULL;
	if (bw_image_open(&img, ref, NULL) < 0)
		fail_msg("open %s: %s", ref, bw_error_last()->message);
	unlink(path);
	return img;
}

/* "pkg id fixed status; ..." of every finding, in report order, into out. */
static void findings(bw_vulndb *db, bw_image *img, const bw_vuln_options *o, char *out, size_t cap)
{
	bw_vulns *v = NULL;
	if (bw_vulns_match(&v, img, db, o) < 0)
		fail_msg("match: %s", bw_error_last()->message);
	out[0] = '\0';
	for (size_t i = 0; i < bw_vulns_count(v); i++) {
		const bw_vuln *x = bw_vulns_at(v, i);
		size_t l = strlen(out);
		snprintf(out + l, cap - l, "%s%s@%s %s", l ? "; " : "", x->package->name, x->installed_version, x->id);
		for (size_t k = 0; k < x->n_aliases; k++) {
			l = strlen(out);
			snprintf(out + l, cap - l, "%s%s", k ? "," : "(", x->aliases[k]);
			if (k + 1 == x->n_aliases)
				strncat(out, ")", cap - strlen(out) - 1);
		}
		l = strlen(out);
		snprintf(out + l, cap - l, " %s %s %s", x->fixed_version ? x->fixed_version : "-", x->status,
			 x->severity);
	}
	bw_vulns_free(v);
}

/* Each {purl, expected findings} pair, one image per purl. */
static void check_cases(bw_vulndb *db, const char *const (*cases)[2], size_t n)
{
	char got[4096];
	for (size_t i = 0; i < n; i++) {
		bw_image *img = image_of(NULL, &cases[i][0], 1);
		findings(db, img, NULL, got, sizeof(got));
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i][0], got, cases[i][1]);
		bw_image_free(img);
	}
}

static bw_vulndb *fresh(void)
{
	bw_vulndb *db = NULL;
	if (bw_vulndb_open(&db, ":memory:", BW_VULNDB_WRITE) < 0)
		fail_msg("open: %s", bw_error_last()->message);
	return db;
}

#define OSV(id, aliases, eco, name, ranges, extra) \
	"{\"id\":\"" id "\",\"aliases\":[" aliases "],\"modified\":\"2024-01-01T00:00:00Z\"," \
	"\"affected\":[{\"package\":{\"ecosystem\":\"" eco "\",\"name\":\"" name "\"}," ranges "}]" extra "}"

static void test_osv_ranges(void **state)
{
	(void)state;
	bw_vulndb *db = fresh();
	import(db, "a", OSV("GHSA-aaaa-0001", "", "npm", "lib",
			    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.2.0\"},"
			    "{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.2.0\"}]}]", ""));
	/* events out of order: the evaluation sorts them */
	import(db, "b", OSV("GHSA-aaaa-0002", "", "npm", "lib",
			    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixed\":\"3.0.1\"},{\"introduced\":\"3.0.0\"}]}]", ""));
	const char *const cases[][2] = {
		{ "pkg:npm/lib@0.9.0", "" },
		{ "pkg:npm/lib@1.0.0", "lib@1.0.0 GHSA-aaaa-0001 1.2.0 fixed UNKNOWN" },
		{ "pkg:npm/lib@1.1.9", "lib@1.1.9 GHSA-aaaa-0001 1.2.0 fixed UNKNOWN" },
		{ "pkg:npm/lib@1.2.0", "" },
		{ "pkg:npm/lib@1.9.9", "" },
		{ "pkg:npm/lib@2.1.0-rc.1", "lib@2.1.0-rc.1 GHSA-aaaa-0001 2.2.0 fixed UNKNOWN" },
		{ "pkg:npm/lib@2.2.0", "" },
		{ "pkg:npm/lib@3.0.0", "lib@3.0.0 GHSA-aaaa-0002 3.0.1 fixed UNKNOWN" },
	};
	check_cases(db, cases, sizeof(cases) / sizeof(cases[0]));
	bw_vulndb_close(db);
}

static void test_last_affected_limit_versions(void **state)
{
	(void)state;
	bw_vulndb *db = fresh();
	import(db, "la", OSV("GHSA-la", "", "PyPI", "Foo_Bar",
			     "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"last_affected\":\"1.4\"}]}]", ""));
	import(db, "lim", OSV("GHSA-lim", "", "PyPI", "limited",
			      "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"limit\":\"2.0\"}]}]", ""));
	import(db, "ver", OSV("GHSA-ver", "", "PyPI", "listed", "\"versions\":[\"3.0.0\"]", ""));
	import(db, "gone", OSV("GHSA-gone", "", "PyPI", "listed", "\"versions\":[\"3.0.0\"]", ",\"withdrawn\":\"2024-02-01T00:00:00Z\""));
	import(db, "git", OSV("GHSA-git", "", "PyPI", "listed",
			      "\"ranges\":[{\"type\":\"GIT\",\"repo\":\"https://x\",\"events\":[{\"introduced\":\"0\"}]}]", ""));
	const char *const cases[][2] = {
		{ "pkg:pypi/foo-bar@1.4", "foo-bar@1.4 GHSA-la - affected UNKNOWN" },  /* PEP 503 name */
		{ "pkg:pypi/foo.bar@1.4.post1", "" },                                   /* above last_affected */
		{ "pkg:pypi/limited@1.9", "limited@1.9 GHSA-lim - affected UNKNOWN" },
		{ "pkg:pypi/limited@2.0", "" },
		{ "pkg:pypi/listed@3.0.0", "listed@3.0.0 GHSA-ver - affected UNKNOWN" }, /* not the withdrawn one, not GIT */
		{ "pkg:pypi/listed@3.0.1", "" },
	};
	check_cases(db, cases, sizeof(cases) / sizeof(cases[0]));
	bw_vulndb_close(db);
}

static void test_alias_merge_and_severity(void **state)
{
	(void)state;
	bw_vulndb *db = fresh();
	char got[4096];
	import(db, "ghsa", OSV("GHSA-mmmm-0001", "\"CVE-2024-1111\"", "PyPI", "lib",
			       "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.5\"}]}]",
			       ",\"database_specific\":{\"severity\":\"MODERATE\"}"));
	import(db, "pysec", OSV("PYSEC-2024-1", "\"CVE-2024-1111\"", "PyPI", "lib",
				"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.6\"}]}]", ""));
	import(db, "other", OSV("GHSA-mmmm-0002", "", "PyPI", "lib",
				"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]",
				",\"database_specific\":{\"severity\":\"CRITICAL\"}"));
	const char *purl = "pkg:pypi/lib@1.0";
	bw_image *img = image_of(NULL, &purl, 1);
	findings(db, img, NULL, got, sizeof(got));
	/* one finding per flaw: the CVE is the id, the others aliases; the highest fix; sorted by severity */
	assert_string_equal(got, "lib@1.0 GHSA-mmmm-0002 - affected CRITICAL; "
				 "lib@1.0 CVE-2024-1111(GHSA-mmmm-0001,PYSEC-2024-1) 1.6 fixed MEDIUM");
	bw_vuln_options o = { .ignore_unfixed = true };
	findings(db, img, &o, got, sizeof(got));
	assert_string_equal(got, "lib@1.0 CVE-2024-1111(GHSA-mmmm-0001,PYSEC-2024-1) 1.6 fixed MEDIUM");
	o = (bw_vuln_options){ .severities = BW_SEV_CRITICAL };
	findings(db, img, &o, got, sizeof(got));
	assert_string_equal(got, "lib@1.0 GHSA-mmmm-0002 - affected CRITICAL");
	bw_image_free(img);
	bw_vulndb_close(db);
}

static void test_debian_statuses(void **state)
{
	(void)state;
	bw_vulndb *db = fresh();
	char got[4096];
	import(db, "tracker", "{\"glibc\": {"
	       "\"CVE-1\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": \"2.36-9+deb12u4\", \"urgency\": \"high**\"}}},"
	       "\"CVE-2\": {\"releases\": {\"bookworm\": {\"status\": \"open\", \"urgency\": \"unimportant\"}}},"
	       "\"CVE-3\": {\"releases\": {\"bookworm\": {\"status\": \"open\", \"urgency\": \"low\", \"nodsa\": \"Minor issue\"}}},"
	       "\"CVE-4\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": \"0\", \"urgency\": \"low\"}}},"
	       "\"CVE-5\": {\"releases\": {\"bullseye\": {\"status\": \"open\", \"urgency\": \"low\"}}}}}");
	/* OSV data for Debian:12 is ignored while the tracker's is present */
	import(db, "osv-debian", OSV("DEBIAN-CVE-9", "", "Debian:12", "glibc",
				     "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]", ""));
	/* the binary package libc6 is matched by its source package glibc */
	const char *purl = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc";
	bw_image *img = image_of("debian:12", &purl, 1);
	findings(db, img, NULL, got, sizeof(got));
	assert_string_equal(got, "libc6@2.36-9+deb12u3 CVE-1 2.36-9+deb12u4 fixed HIGH; "
				 "libc6@2.36-9+deb12u3 CVE-2 - affected LOW; "
				 "libc6@2.36-9+deb12u3 CVE-3 - will_not_fix LOW");
	bw_image_free(img);
	/* a release without tracker data: the OSV record applies */
	import(db, "osv-debian11", OSV("DEBIAN-CVE-10", "", "Debian:11", "glibc",
				       "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.31-13+deb11u5\"}]}]", ""));
	purl = "pkg:deb/debian/libc6@2.31-13?distro=debian-11&upstream=glibc";
	img = image_of("debian:11", &purl, 1);
	findings(db, img, NULL, got, sizeof(got));
	/* CVE-5 is bullseye tracker data: the tracker has debian:11 rows, so OSV is not used */
	assert_string_equal(got, "libc6@2.31-13 CVE-5 - affected LOW");
	bw_image_free(img);
	bw_vulndb_close(db);
}

static void test_alpine_secdb_yaml(void **state)
{
	(void)state;
	bw_vulndb *db = fresh();
	char got[4096];
	import(db, "main.yaml", "distroversion: v3.18\nreponame: main\npackages:\n"
	       "  - pkg:\n      name: openssl\n      secfixes:\n        3.1.1-r0:\n          - CVE-2023-2650\n"
	       "        3.1.0-r2:\n          - CVE-2023-0464 XSA-1\n        \"0\":\n          - CVE-2022-0001\n");
	const char *purl = "pkg:apk/alpine/libssl3@3.1.0-r4?distro=alpine-3.18.2&upstream=openssl";
	bw_image *img = image_of(NULL, &purl, 1);
	findings(db, img, NULL, got, sizeof(got));
	assert_string_equal(got, "libssl3@3.1.0-r4 CVE-2023-2650 3.1.1-r0 fixed UNKNOWN");
	bw_image_free(img);
	bw_vulndb_close(db);
}

static void test_suppressions(void **state)
{
	(void)state;
	bw_vulndb *db = fresh();
	bw_suppressions *s = NULL;
	char got[4096], path[] = "/tmp/bw-test-ign-XXXXXX";
	import(db, "a", OSV("GHSA-ssss-0001", "\"CVE-2024-7\"", "npm", "lib",
			    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.0.0\"}]}]", ""));
	int fd = mkstemp(path);
	const char *rules = "- id: CVE-2024-7\n  package: lib\n  expires: 2030-01-01\n  reason: not reachable\n";
	assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
	close(fd);
	assert_int_equal(bw_suppressions_new(&s), 0);
	assert_int_equal(bw_suppressions_load_ignore(s, path, "2029-12-31"), 0);
	const char *purl = "pkg:npm/lib@1.0.0";
	bw_image *img = image_of(NULL, &purl, 1);
	bw_vuln_options o = { .suppress = s };
	findings(db, img, &o, got, sizeof(got));
	assert_string_equal(got, "lib@1.0.0 CVE-2024-7(GHSA-ssss-0001) 2.0.0 not_affected UNKNOWN");
	bw_suppressions_free(s);
	/* the day after expiry the rule no longer applies */
	assert_int_equal(bw_suppressions_new(&s), 0);
	assert_int_equal(bw_suppressions_load_ignore(s, path, "2030-01-02"), 0);
	assert_int_equal(bw_suppressions_count(s), 0);
	bw_suppressions_free(s);
	unlink(path);
	bw_image_free(img);
	bw_vulndb_close(db);
}

static void test_hostile_records(void **state)
{
	(void)state;
	bw_vulndb *db = fresh();
	bw_vulndb_import_result r;
	static char big[12000];
	memset(big, '1', sizeof(big) - 1);
	char *doc = malloc(sizeof(big) + 512);
	snprintf(doc, sizeof(big) + 512, OSV("GHSA-long", "", "npm", "x",
					     "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"%s\"}]}]", ""), big);
	/* a 10,000+ character version: the record is skipped and counted */
	assert_int_equal(bw_vulndb_import_buffer(db, "long", "x.json", (uint8_t *)doc, strlen(doc), &r), 0);
	assert_int_equal(r.records, 0);
	assert_int_equal(r.skipped, 1);
	free(doc);
	const char *empty = OSV("GHSA-empty", "", "npm", "x", "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[]}]", "");
	assert_int_equal(bw_vulndb_import_buffer(db, "empty", "x.json", (const uint8_t *)empty, strlen(empty), &r), 0);
	assert_int_equal(r.skipped, 1);
	const char *deep = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
	assert_int_equal(bw_vulndb_import_buffer(db, "deep", "x.json", (const uint8_t *)deep, strlen(deep), &r),
			 BW_EINPUT);
	bw_vulndb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osv_ranges),
		cmocka_unit_test(test_last_affected_limit_versions),
		cmocka_unit_test(test_alias_merge_and_severity),
		cmocka_unit_test(test_debian_statuses),
		cmocka_unit_test(test_alpine_secdb_yaml),
		cmocka_unit_test(test_suppressions),
		cmocka_unit_test(test_hostile_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
