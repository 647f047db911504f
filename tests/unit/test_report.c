/*
 * Unit tests for the scan reporters (src/report): the escaping rules of
 * text.c with exact expected bytes, targets, CVSS entries, and every scan
 * format on a small image built here (a rootfs with a hostile npm package, a
 * nested one and a Python one) matched against an OSV feed written here,
 * with a policy result and an ignore-file suppression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "bulwark/bulwark.h"
#include "bulwark/policy.h"
#include "bulwark/scan.h"
#include "bulwark/vulndb.h"
#include "report/report_int.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%.400s\" does not contain \"%s\"", h_, n_);        \
	} while (0)
#define assert_lacks(hay, needle)                                                      \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (strstr(h_, n_))                                                    \
			fail_msg("output contains \"%s\"", n_);                        \
	} while (0)

/* Runs fn into a memory stream and returns the text (caller frees). */
#define CAPTURE(buf, expr)                                                             \
	do {                                                                           \
		size_t len_;                                                           \
		FILE *f_ = open_memstream(&(buf), &len_);                              \
		assert_non_null(f_);                                                   \
		expr;                                                                  \
		fclose(f_);                                                            \
	} while (0)

#define HOSTILE_NAME "<script>alert(1)</script>"

/* The widest line of text in terminal columns; the first line starts at first_col. */
static int max_line_width(const char *text, int first_col)
{
	int max = 0;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *line = strndup(l, n);
		int w = bw_report__width(line) + (l == text ? first_col : 0);
		free(line);
		if (w > max)
			max = w;
		l += n + (nl ? 1 : 0);
	}
	return max;
}

/* ------------------------------------------------------------------ text */

static void test_markup(void **state)
{
	(void)state;
	char *out = NULL;
	/* markup, quotes, tab/LF as references, a bidi override, a bell, an invalid byte */
	CAPTURE(out, bw_report__markup(f_, "<a href=\"x\">'&'</a>\t\n\xE2\x80\xAE\x07\xFF ok \xC3\xA9"));
	assert_string_equal(out, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;&#9;&#10;"
				 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD ok \xC3\xA9");
	free(out);
	/* overlong '<' and a surrogate are invalid UTF-8, not markup */
	CAPTURE(out, bw_report__markup(f_, "\xC0\xBC|\xED\xA0\x80|\xEF\xBF\xBE"));
	assert_string_equal(out, "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD");
	free(out);
	CAPTURE(out, bw_report__markup(f_, NULL));
	assert_string_equal(out, "");
	free(out);
}

static void test_markdown(void **state)
{
	(void)state;
	char *out = NULL;
	CAPTURE(out, bw_report__markdown(f_, "<b>x</b> [a](javascript:x) *y* `z` a|b ~s~ \\ & http://e\nnext"));
	assert_string_equal(out, "&lt;b&gt;x&lt;/b&gt; \\[a\\](javascript\\:x) \\*y\\* \\`z\\` a\\|b \\~s\\~ \\\\ "
				 "&amp; http\\://e next");
	free(out);
	/* versions and ids stay readable */
	CAPTURE(out, bw_report__markdown(f_, "CVE-2021-44228 2.14.1-1+deb12u1"));
	assert_string_equal(out, "CVE-2021-44228 2.14.1-1+deb12u1");
	free(out);
}

static void test_uri_path(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } cases[] = {
		{ "/var/lib/dpkg/status", "var/lib/dpkg/status" },
		{ "/app/a b/<x>.json", "app/a%20b/%3Cx%3E.json" },
		{ "/c:x/y", "c%3Ax/y" },               /* not a scheme */
		{ "/app/caf\xC3\xA9", "app/caf%C3%A9" }, /* UTF-8 bytes encoded */
		{ "/lib/a.jar!/BOOT-INF/b.jar", "lib/a.jar!/BOOT-INF/b.jar" },
		{ "//x'\"%", "x%27%22%25" },
		{ NULL, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *u = bw_report__uri_path(cases[i].in);
		assert_non_null(u);
		assert_string_equal(u, cases[i].want);
		free(u);
	}
}

static void test_cells(void **state)
{
	(void)state;
	char *out = NULL;
	int cols;

	assert_int_equal(bw_report__width("abc"), 3);
	assert_int_equal(bw_report__width("\xE4\xB8\xAD\xE6\x96\x87"), 4); /* two wide CJK characters */
	assert_int_equal(bw_report__width("e\xCC\x81"), 1);                 /* e + combining acute */
	assert_int_equal(bw_report__width("\x1b[31m"), 5);                  /* ESC shown as '?' */
	assert_int_equal(bw_report__width(NULL), 0);

	CAPTURE(out, cols = bw_report__cell(f_, "abcdef", 4, true));
	assert_string_equal(out, "abc\xE2\x80\xA6");
	assert_int_equal(cols, 4);
	free(out);
	CAPTURE(out, cols = bw_report__cell(f_, "ab", 4, true));
	assert_string_equal(out, "ab  ");
	free(out);
	CAPTURE(out, cols = bw_report__cell(f_, "ab", 4, false));
	assert_string_equal(out, "ab");
	assert_int_equal(cols, 2);
	free(out);
	/* terminal escapes never reach the terminal */
	CAPTURE(out, bw_report__cell(f_, "\x1b]0;pwned\x07\xE2\x80\xAE", 20, false));
	assert_string_equal(out, "?]0;pwned??");
	free(out);
	/* a wide character that does not fit the last column is not split */
	CAPTURE(out, cols = bw_report__cell(f_, "a\xE4\xB8\xAD\xE6\x96\x87", 4, true));
	assert_string_equal(out, "a\xE4\xB8\xAD\xE2\x80\xA6");
	assert_int_equal(cols, 4);
	free(out);

	/* wrapping: no line wider than the width, words kept whole when they fit */
	CAPTURE(out, bw_report__wrap(f_, "alpha beta gamma delta epsilon zeta eta theta "
					  "averyveryveryveryveryverylongword end", 10, 4, 24));
	assert_true(max_line_width(out, 10) <= 24);
	assert_contains(out, "alpha beta\n    gamma delta epsilon\n");
	assert_contains(out, "\n    averyveryveryveryver\n    yverylongword end");
	free(out);
}

static void test_targets(void **state)
{
	(void)state;
	static const struct { const char *path, *target; } cases[] = {
		{ "/app/node_modules/a/package.json", "/app/node_modules" },
		{ "/app/node_modules/a/node_modules/b/package.json", "/app/node_modules" },
		{ "node_modules/a/package.json", "node_modules" },
		{ "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", "/usr/lib/python3/dist-packages" },
		{ "/usr/lib/python3.11/site-packages/pip-23.0.dist-info/METADATA", "/usr/lib/python3.11/site-packages" },
		{ "/usr/lib/python3/dist-packages/foo.egg-info", "/usr/lib/python3/dist-packages" },
		{ "/app/lib/outer.jar!/BOOT-INF/lib/inner.jar", "/app/lib/outer.jar" },
		{ "/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec", "/usr/lib/ruby/gems/3.1.0" },
		{ "/app/bin/server", "/app/bin/server" },
		{ "/srv/app/package-lock.json", "/srv/app/package-lock.json" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = bw_report__target_len(cases[i].path);
		char got[256];
		snprintf(got, sizeof(got), "%.*s", (int)n, cases[i].path);
		assert_string_equal(got, cases[i].target);
	}
}

static void test_cvss_and_urls(void **state)
{
	(void)state;
	bw_report_cvss c[BW_REPORT_MAX_CVSS];
	char url[256];
	const char *source;

	assert_int_equal(bw_report__cvss("[{\"version\":\"3.1\",\"vector\":\"CVSS:3.1/AV:N\",\"score\":9.8},"
					 "{\"version\":\"2.0\",\"vector\":\"AV:N/AC:L\"},"
					 "{\"version\":\"3.1\",\"vector\":\"x\",\"score\":11},"
					 "{\"version\":\"3.1\",\"score\":5},"
					 "{\"version\":\"3.1\",\"vector\":\"y\",\"score\":\"7\"}]",
					 c, BW_REPORT_MAX_CVSS),
			 2);
	assert_string_equal(c[0].vector, "CVSS:3.1/AV:N");
	assert_true(c[0].has_score && c[0].score > 9.79 && c[0].score < 9.81);
	assert_string_equal(c[1].version, "2.0");
	assert_false(c[1].has_score);
	assert_int_equal(bw_report__cvss("{\"not\":\"an array\"}", c, BW_REPORT_MAX_CVSS), 0);
	assert_int_equal(bw_report__cvss("[", c, BW_REPORT_MAX_CVSS), 0);
	assert_int_equal(bw_report__cvss(NULL, c, BW_REPORT_MAX_CVSS), 0);
	assert_int_equal(bw_error_last()->code, BW_OK); /* a bad entry is not an error of the report */

	assert_true(bw_report__advisory_url("CVE-2021-44228", url, sizeof(url), &source));
	assert_string_equal(url, "https://nvd.nist.gov/vuln/detail/CVE-2021-44228");
	assert_string_equal(source, "NVD");
	assert_true(bw_report__advisory_url("GHSA-jfh8-c2jp-5v3q", url, sizeof(url), &source));
	assert_string_equal(url, "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q");
	assert_true(bw_report__advisory_url("RUSTSEC-2021-0001", url, sizeof(url), &source));
	assert_string_equal(url, "https://osv.dev/vulnerability/RUSTSEC-2021-0001");
	assert_false(bw_report__advisory_url("GHSA-x\"><script>", url, sizeof(url), &source));
	assert_string_equal(url, "");
}

/* ------------------------------------------------------- whole reports */

typedef struct fixture {
	char dir[64];
	bw_image *img;
	bw_vulndb *db;
	bw_vulns *vulns;
	bw_suppressions *sup;
	bw_policy_result policy;
	bw_violation violations[3];
} fixture;

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	/* mkdir -p of the parent */
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	char path[256];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/bw-report-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	write_file(fx->dir, "root/app/node_modules/evil/package.json",
		   "{\"name\": \"" HOSTILE_NAME "\", \"version\": \"1.0.0\"}");
	write_file(fx->dir, "root/app/node_modules/evil/node_modules/lodash/package.json",
		   "{\"name\": \"lodash\", \"version\": \"4.17.20\"}");
	write_file(fx->dir, "root/app/node_modules/clean/package.json", "{\"name\": \"clean\", \"version\": \"1.0.0\"}");
	write_file(fx->dir, "root/usr/lib/python3/dist-packages/requests-2.0.0.dist-info/METADATA",
		   "Metadata-Version: 2.1\nName: requests\nVersion: 2.0.0\n");
	write_file(fx->dir, "feed/evil.json",
		   "{\"id\": \"GHSA-aaaa-bbbb-cccc\", \"modified\": \"2024-01-01T00:00:00Z\","
		   " \"summary\": \"<img src=x onerror=alert(2)> & \\\"q\\\" ]]> \\u202e \\u0007\","
		   " \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": \"" HOSTILE_NAME "\"},"
		   " \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.0.1\"}]}]}],"
		   " \"database_specific\": {\"severity\": \"HIGH\"}}");
	write_file(fx->dir, "feed/lodash.json",
		   "{\"id\": \"GHSA-35jh-r3h4-6jhm\", \"aliases\": [\"CVE-2021-23337\"], \"modified\": \"2024-01-01T00:00:00Z\","
		   " \"summary\": \"Command Injection in lodash\","
		   " \"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H\"}],"
		   " \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": \"lodash\"},"
		   " \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"4.17.21\"}]}]}],"
		   " \"database_specific\": {\"severity\": \"HIGH\"}}");
	write_file(fx->dir, "feed/requests.json",
		   "{\"id\": \"PYSEC-2099-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"summary\": \"requests leaks\","
		   " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"requests\"},"
		   " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"2.31.0\"}]}]}],"
		   " \"database_specific\": {\"severity\": \"CRITICAL\"}}");
	write_file(fx->dir, "ignore.yaml", "- id: PYSEC-2099-1\n  reason: not reachable in this image\n");

	snprintf(path, sizeof(path), "%s/db.sqlite", fx->dir);
	if (bw_vulndb_open(&fx->db, path, BW_VULNDB_WRITE) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/feed", fx->dir);
	bw_vulndb_import_result res;
	if (bw_vulndb_import(fx->db, path, "unit", &res) < 0 || res.records != 3)
		return -1;
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	snprintf(path, sizeof(path), "dir:%s/root", fx->dir);
	if (bw_image_open(&fx->img, path, &opts) < 0 || bw_image_scan(fx->img) < 0)
		return -1;
	if (bw_suppressions_new(&fx->sup) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/ignore.yaml", fx->dir);
	if (bw_suppressions_load_ignore(fx->sup, path, "2026-01-01") < 0)
		return -1;
	bw_vuln_options vo = { .suppress = fx->sup };
	if (bw_vulns_match(&fx->vulns, fx->img, fx->db, &vo) < 0)
		return -1;

	fx->violations[0] = (bw_violation){ "no-high", "fail", "GHSA-aaaa-bbbb-cccc in " HOSTILE_NAME " is HIGH",
					    "GHSA-aaaa-bbbb-cccc", HOSTILE_NAME };
	fx->violations[1] = (bw_violation){ "no-high", "fail", "CVE-2021-23337 in lodash 4.17.20 is HIGH",
					    "CVE-2021-23337", "lodash" };
	fx->violations[2] = (bw_violation){ "labels", "warn", "label org.opencontainers.image.vendor is missing",
					    NULL, NULL };
	fx->policy = (bw_policy_result){ "fail", fx->violations, 3, "policies/strict.yaml", true };
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	char cmd[128];
	bw_vulns_free(fx->vulns);
	bw_suppressions_free(fx->sup);
	bw_image_free(fx->img);
	bw_vulndb_close(fx->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* noinline: GCC 12 otherwise takes the result for a pointer into render's frame (-Wdangling-pointer) */
__attribute__((noinline)) static char *render(fixture *fx, bw_format format, bool with_policy, bool color)
{
	bw_scan_results r = { .img = fx->img, .vulns = fx->vulns, .policy = with_policy ? &fx->policy : NULL,
			      .color = color };
	char *out = NULL;
	int rc;
	CAPTURE(out, rc = bw_report_scan(f_, &r, format));
	if (rc != 0)
		fail_msg("format %d: %s", format, bw_error_last()->message);
	return out;
}

static void test_findings_fixture(void **state)
{
	fixture *fx = *state;
	/* the fixture itself: three findings, one suppressed by the ignore file */
	assert_int_equal(bw_vulns_count(fx->vulns), 3);
	assert_int_equal(bw_vulns_suppressed(fx->vulns), 1);
}

static void test_json(void **state)
{
	fixture *fx = *state;
	char *out = render(fx, BW_FORMAT_JSON, true, false);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err);
	assert_non_null(doc);
	json_t *pol = json_object_get(doc, "policy");
	assert_string_equal(json_string_value(json_object_get(pol, "verdict")), "fail");
	assert_string_equal(json_string_value(json_object_get(pol, "file")), "policies/strict.yaml");
	assert_int_equal(json_array_size(json_object_get(pol, "violations")), 3);
	json_t *v2 = json_array_get(json_object_get(pol, "violations"), 2);
	assert_string_equal(json_string_value(json_object_get(v2, "action")), "warn");
	assert_null(json_object_get(v2, "id")); /* absent, not null */
	json_t *sum = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "vulnerabilities")), 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "suppressed")), 1);
	assert_string_equal(json_string_value(json_object_get(sum, "policy_verdict")), "fail");
	json_decref(doc);
	free(out);
	/* no policy: no policy member */
	out = render(fx, BW_FORMAT_JSON, false, false);
	assert_lacks(out, "\"policy\"");
	free(out);
}

static void test_table(void **state)
{
	fixture *fx = *state;
	char *out = render(fx, BW_FORMAT_TABLE, true, false);

	assert_true(max_line_width(out, 0) <= 100);
	assert_contains(out, "2 vulnerabilities in 4 packages: HIGH 2\n");
	assert_contains(out, "1 suppressed by VEX or ignore rules");
	assert_contains(out, "npm /app/node_modules: 2 vulnerabilities (HIGH 2)");
	assert_lacks(out, "PYSEC-2099-1"); /* suppressed ones are not in the table */
	assert_contains(out, HOSTILE_NAME);  /* a table is plain text: shown as it is */
	assert_contains(out, "4.17.21");     /* fixed versions shown */
	assert_contains(out, "Policy policies/strict.yaml: FAIL (2 fail, 1 warn, 0 info)");
	assert_contains(out, "  warn  labels: label org.opencontainers.image.vendor is missing");
	assert_lacks(out, "\x1b[");
	assert_lacks(out, "\x07");
	assert_lacks(out, "\xE2\x80\xAE");
	free(out);
	out = render(fx, BW_FORMAT_TABLE, true, true);
	assert_contains(out, "\x1b[31mHIGH    \x1b[0m");
	assert_contains(out, "\x1b[1;31mFAIL\x1b[0m");
	free(out);
}

static void test_sarif(void **state)
{
	fixture *fx = *state;
	char *out = render(fx, BW_FORMAT_SARIF, true, false);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err), *run, *rules, *results, *r;
	size_t i, suppressed = 0, policy = 0;

	assert_non_null(doc);
	assert_lacks(out, "<"); /* html_safe: markup only as \u003c */
	run = json_array_get(json_object_get(doc, "runs"), 0);
	rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	results = json_object_get(run, "results");
	assert_int_equal(json_array_size(rules), 3 + 2);   /* advisories + policy rules */
	assert_int_equal(json_array_size(results), 3 + 3); /* findings + violations */
	json_array_foreach(results, i, r) {
		const char *rule = json_string_value(json_object_get(r, "ruleId"));
		json_t *rd = json_array_get(rules, (size_t)json_integer_value(json_object_get(r, "ruleIndex")));
		assert_string_equal(json_string_value(json_object_get(rd, "id")), rule);
		if (json_object_get(r, "suppressions"))
			suppressed++;
		if (!strncmp(rule, "policy/", 7))
			policy++;
		json_t *loc = json_array_get(json_object_get(r, "locations"), 0);
		assert_non_null(json_object_get(json_object_get(loc, "physicalLocation"), "artifactLocation"));
	}
	assert_int_equal(suppressed, 1);
	assert_int_equal(policy, 3);
	/* the hostile package: its name is data, intact after parsing */
	bool found = false;
	json_array_foreach(results, i, r) {
		const char *pkg = json_string_value(json_object_get(json_object_get(r, "properties"), "package"));
		if (pkg && !strcmp(pkg, HOSTILE_NAME)) {
			found = true;
			const char *uri = json_string_value(json_object_get(json_object_get(json_object_get(
				json_array_get(json_object_get(r, "locations"), 0), "physicalLocation"), "artifactLocation"),
				"uri"));
			assert_string_equal(uri, "app/node_modules/evil/package.json");
			assert_string_equal(json_string_value(json_object_get(r, "level")), "error");
		}
	}
	assert_true(found);
	json_array_foreach(rules, i, r) {
		const char *md = json_string_value(json_object_get(json_object_get(r, "help"), "markdown"));
		if (md)
			assert_lacks(md, "<");
	}
	json_decref(doc);
	free(out);
}

static void test_junit(void **state)
{
	fixture *fx = *state;
	char *out = render(fx, BW_FORMAT_JUNIT, true, false);
	/* 4 packages + verdict + 3 violations; failures: 2 packages, verdict, 2 fail violations */
	assert_contains(out, "<testsuites name=\"bulwark scan dir:");
	assert_contains(out, "tests=\"8\" failures=\"5\"");
	assert_contains(out, "<testsuite name=\"policy\" tests=\"4\" failures=\"3\"");
	assert_contains(out, "name=\"&lt;script&gt;alert(1)&lt;/script&gt;@1.0.0\"");
	assert_contains(out, "suppressed PYSEC-2099-1: ");
	assert_lacks(out, HOSTILE_NAME);
	assert_lacks(out, "<img");
	assert_lacks(out, "\x07");
	free(out);
}

static void test_html(void **state)
{
	fixture *fx = *state;
	char *out = render(fx, BW_FORMAT_HTML, true, false);
	const char *script = strstr(out, "<script");
	/* exactly one script element: ours, at the end, allowed by its hash */
	assert_non_null(script);
	assert_null(strstr(script + 1, "<script"));
	assert_int_equal(strncmp(script, "<script>document.querySelectorAll", 33), 0);
	assert_lacks(out, HOSTILE_NAME);
	assert_lacks(out, "<img");
	assert_contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_contains(out, "script-src 'sha256-");
	assert_contains(out, "<div class=\"banner verdict-fail\" id=\"policy\">");
	/* nothing that would fetch */
	assert_lacks(out, "<img");
	assert_lacks(out, "<link");
	assert_lacks(out, "<iframe");
	assert_lacks(out, "url(");
	free(out);
}

static void test_cyclonedx(void **state)
{
	fixture *fx = *state;
	char *out = render(fx, BW_FORMAT_CYCLONEDX, true, false);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err), *vulns, *v, *comps, *c;
	size_t i, j, analysed = 0;

	assert_non_null(doc);
	vulns = json_object_get(doc, "vulnerabilities");
	comps = json_object_get(doc, "components");
	assert_int_equal(json_array_size(vulns), 3);
	json_array_foreach(vulns, i, v) {
		/* every affects ref names a component */
		const char *ref = json_string_value(json_object_get(json_array_get(json_object_get(v, "affects"), 0), "ref"));
		bool hit = false;
		json_array_foreach(comps, j, c)
			hit = hit || !strcmp(json_string_value(json_object_get(c, "bom-ref")), ref);
		assert_true(hit);
		json_t *an = json_object_get(v, "analysis");
		if (an) {
			analysed++;
			assert_string_equal(json_string_value(json_object_get(an, "state")), "not_affected");
			assert_string_equal(json_string_value(json_object_get(v, "id")), "PYSEC-2099-1");
		}
		if (!strcmp(json_string_value(json_object_get(v, "id")), "CVE-2021-23337")) {
			json_t *r1 = json_array_get(json_object_get(v, "ratings"), 1);
			assert_string_equal(json_string_value(json_object_get(r1, "method")), "CVSSv31");
			assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "references"), 0), "id")),
					    "GHSA-35jh-r3h4-6jhm");
			json_t *vers = json_object_get(json_array_get(json_object_get(v, "affects"), 0), "versions");
			assert_string_equal(json_string_value(json_object_get(json_array_get(vers, 1), "version")), "4.17.21");
			assert_string_equal(json_string_value(json_object_get(json_array_get(vers, 1), "status")), "unaffected");
		}
	}
	assert_int_equal(analysed, 1);
	json_t *props = json_object_get(doc, "properties");
	assert_string_equal(json_string_value(json_object_get(json_array_get(props, 0), "name")), "bulwark:policy:verdict");
	assert_string_equal(json_string_value(json_object_get(json_array_get(props, 0), "value")), "fail");
	json_decref(doc);
	free(out);
}

/* A policy whose scope leaves the image out: pass everywhere, and said so. */
static void test_policy_out_of_scope(void **state)
{
	fixture *fx = *state;
	bw_policy_result pass = { "pass", NULL, 0, "baseline.yaml", false };
	bw_scan_results r = { .img = fx->img, .vulns = fx->vulns, .policy = &pass };
	char *out = NULL;
	int rc;

	CAPTURE(out, rc = bw_report_scan(f_, &r, BW_FORMAT_TABLE));
	assert_int_equal(rc, 0);
	assert_contains(out, "Policy baseline.yaml: PASS (the image is outside the policy's scope)");
	free(out);
	CAPTURE(out, rc = bw_report_scan(f_, &r, BW_FORMAT_JUNIT));
	assert_contains(out, "<testsuite name=\"policy\" tests=\"1\" failures=\"0\"");
	assert_contains(out, "verdict pass (the image is outside the policy's scope)");
	free(out);
	CAPTURE(out, rc = bw_report_scan(f_, &r, BW_FORMAT_HTML));
	assert_contains(out, "banner verdict-pass");
	free(out);
	CAPTURE(out, rc = bw_report_scan(f_, &r, BW_FORMAT_SARIF));
	assert_contains(out, "\"policy_verdict\": \"pass\"");
	free(out);
	/* a result without a verdict is reported as failing, not a crash */
	bw_policy_result none = { NULL, NULL, 0, NULL, true };
	r.policy = &none;
	CAPTURE(out, rc = bw_report_scan(f_, &r, BW_FORMAT_TABLE));
	assert_int_equal(rc, 0);
	assert_contains(out, ": FAIL (0 fail, 0 warn, 0 info)");
	free(out);
}

static void test_formats(void **state)
{
	fixture *fx = *state;
	bw_format f;
	bw_scan_results r = { .img = fx->img, .vulns = fx->vulns };
	assert_int_equal(bw_format_parse("sarif", &f), 0);
	assert_int_equal(f, BW_FORMAT_SARIF);
	assert_int_equal(bw_format_parse("junit", &f), 0);
	assert_int_equal(bw_format_parse("html", &f), 0);
	assert_int_equal(bw_format_parse("xml", &f), BW_EUSAGE);
	/* spdx is an SBOM format; sarif is not one */
	assert_int_equal(bw_report_scan(stdout, &r, BW_FORMAT_SPDX), BW_EUSAGE);
	assert_int_equal(bw_report_sbom(stdout, fx->img, BW_FORMAT_SARIF), BW_EUSAGE);
	/* no scanner ran: an empty report, not a crash */
	bw_scan_results empty = { .img = fx->img };
	char *out = NULL;
	int rc;
	CAPTURE(out, rc = bw_report_scan(f_, &empty, BW_FORMAT_HTML));
	assert_int_equal(rc, 0);
	assert_contains(out, "No vulnerabilities found.");
	free(out);
}

int main(void)
{
	const struct CMUnitTest text[] = {
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_uri_path),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_cvss_and_urls),
	};
	const struct CMUnitTest reports[] = {
		cmocka_unit_test(test_findings_fixture),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sarif),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_cyclonedx),
		cmocka_unit_test(test_policy_out_of_scope),
		cmocka_unit_test(test_formats),
	};
	int failed = cmocka_run_group_tests_name("report text", text, NULL, NULL);
	return failed + cmocka_run_group_tests_name("scan reports", reports, setup, teardown);
}
