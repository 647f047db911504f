/*
 * Unit tests for src/inventory/node.c: package.json, package-lock.json (v1,
 * v2/v3), yarn.lock (v1, berry) and pnpm-lock.yaml (5.x, 6.x, 9.x) parsers,
 * on small documents written here in each format, plus hostile inputs (each
 * must give BW_EINPUT and nothing may crash; this test also runs under
 * ASan/UBSan). The real upstream files of ../shared/data/pkgdb/npm are
 * checked end to end by tests/integration/lang_node.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "inventory/node.h"

typedef int (*parse_fn)(const char *, const char *, size_t, bw_node_pkg **, size_t *);

/* "name@version" of every package, sorted, space-separated, into out. */
static void summary(const bw_node_pkg *v, size_t n, char *out, size_t outsz)
{
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	char tmp[512];
	assert_non_null(keys);
	for (size_t i = 0; i < n; i++) {
		snprintf(tmp, sizeof(tmp), "%s@%s%s", v[i].name, v[i].version, v[i].dev ? "(dev)" : "");
		keys[i] = strdup(tmp);
	}
	for (size_t i = 1; i < n; i++) /* insertion sort: n is small */
		for (size_t k = i; k > 0 && strcmp(keys[k - 1], keys[k]) > 0; k--) {
			const char *t = keys[k];
			keys[k] = keys[k - 1];
			keys[k - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strncat(out, " ", outsz - strlen(out) - 1);
		strncat(out, keys[i], outsz - strlen(out) - 1);
		free((char *)keys[i]);
	}
	free(keys);
}

static void expect(parse_fn fn, const char *doc, const char *want)
{
	bw_node_pkg *v = NULL;
	size_t n = 0;
	char got[4096];
	int rc = fn("test", doc, strlen(doc), &v, &n);
	if (rc != 0)
		fail_msg("parse failed: %s", bw_error_last()->message);
	summary(v, n, got, sizeof(got));
	assert_string_equal(got, want);
	bw_node_free(v, n);
}

static void expect_error(parse_fn fn, const char *doc, size_t len, const char *msg)
{
	bw_node_pkg *v = NULL;
	size_t n = 0;
	assert_int_equal(fn("test", doc, len, &v, &n), BW_EINPUT);
	assert_null(v);
	assert_int_equal(n, 0);
	if (msg && !strstr(bw_error_last()->message, msg))
		fail_msg("message [%s] lacks [%s]", bw_error_last()->message, msg);
}

static const bw_node_pkg *find(const bw_node_pkg *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static void test_package_json(void **state)
{
	bw_node_pkg *v = NULL;
	size_t n = 0;
	const char *doc = "{\"name\": \"@hapi/hoek\", \"version\": \"8.2.0\", \"license\": \"BSD-3-Clause\","
			  " \"dependencies\": {\"a\": \"^1\"}, \"optionalDependencies\": {\"b\": \"*\"}}";
	assert_int_equal(bw_node_parse_package_json("t", doc, strlen(doc), &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "@hapi/hoek");
	assert_string_equal(v[0].version, "8.2.0");
	assert_int_equal(v[0].n_licenses, 1);
	assert_string_equal(v[0].licenses[0], "BSD-3-Clause");
	assert_int_equal(v[0].n_deps, 2);
	bw_node_free(v, n);

	/* legacy: license as an array of {type}, and "licenses" saying the same again */
	doc = "{\"name\": \"tv4\", \"version\": \"1.3.0\", \"license\": [{\"type\": \"Public Domain\", \"url\": \"u\"},"
	      " {\"type\": \"MIT\"}], \"licenses\": [{\"type\": \"MIT\"}, \"ISC\", 7, [\"x\"]]}";
	assert_int_equal(bw_node_parse_package_json("t", doc, strlen(doc), &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].n_licenses, 3);
	assert_string_equal(v[0].licenses[0], "Public Domain");
	assert_string_equal(v[0].licenses[1], "MIT");
	assert_string_equal(v[0].licenses[2], "ISC");
	bw_node_free(v, n);

	doc = "{\"name\": \"x\", \"version\": \"1.0.0\", \"license\": {\"type\": \"Apache-2.0\"}}";
	assert_int_equal(bw_node_parse_package_json("t", doc, strlen(doc), &v, &n), 0);
	assert_string_equal(v[0].licenses[0], "Apache-2.0");
	bw_node_free(v, n);

	/* markers without a name or a version are not packages */
	expect(bw_node_parse_package_json, "{\"type\": \"module\"}", "");
	expect(bw_node_parse_package_json, "{\"name\": \"x\"}", "");
	expect(bw_node_parse_package_json, "{\"name\": \"\", \"version\": \"1\"}", "");

	expect_error(bw_node_parse_package_json, "[1]", strlen("[1]"), "not a JSON object");
	expect_error(bw_node_parse_package_json, "{\"name\": 3, \"version\": \"1\"}", strlen("{\"name\": 3, \"version\": \"1\"}"), "\"name\"");
	expect_error(bw_node_parse_package_json, "{\"name\": \"a\", \"name\": \"b\"}", strlen("{\"name\": \"a\", \"name\": \"b\"}"), "duplicate");
	expect_error(bw_node_parse_package_json, "{\"name\": \"a\"", strlen("{\"name\": \"a\""), "invalid JSON");
}

static void test_package_lock_v1(void **state)
{
	const char *doc =
		"{\"name\": \"app\", \"version\": \"1.0.0\", \"lockfileVersion\": 1, \"dependencies\": {"
		" \"ms\": {\"version\": \"2.0.0\"},"
		" \"debug\": {\"version\": \"2.5.2\", \"dev\": true, \"requires\": {\"ms\": \"0.7.2\"},"
		"   \"dependencies\": {\"ms\": {\"version\": \"0.7.2\", \"dev\": true}}},"
		" \"send\": {\"version\": \"0.17.1\", \"dependencies\": {\"ms\": {\"version\": \"2.0.0\"}}},"
		" \"sw\": {\"version\": \"npm:string-width@4.2.3\"},"
		" \"scoped\": {\"version\": \"npm:@a/b@1.0.0\"},"
		" \"local\": {\"version\": \"file:../local\"}}}";
	expect(bw_node_parse_package_lock, doc,
	       "@a/b@1.0.0 debug@2.5.2(dev) ms@0.7.2(dev) ms@2.0.0 send@0.17.1 string-width@4.2.3");

	bw_node_pkg *v = NULL;
	size_t n = 0;
	assert_int_equal(bw_node_parse_package_lock("t", doc, strlen(doc), &v, &n), 0);
	const bw_node_pkg *d = find(v, n, "debug");
	assert_non_null(d);
	assert_int_equal(d->n_deps, 1);
	assert_string_equal(d->deps[0], "ms");
	bw_node_free(v, n);

	expect_error(bw_node_parse_package_lock, "{\"dependencies\": {\"a\": 1}}", strlen("{\"dependencies\": {\"a\": 1}}"), "not an object");
	expect_error(bw_node_parse_package_lock, "{\"dependencies\": []}", strlen("{\"dependencies\": []}"), "not an object");
}

static void test_package_lock_v3(void **state)
{
	const char *doc =
		"{\"name\": \"app\", \"lockfileVersion\": 3, \"packages\": {"
		" \"\": {\"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": {\"a\": \"^1\"}},"
		" \"node_modules/a\": {\"version\": \"1.0.0\", \"license\": \"MIT\", \"dependencies\": {\"@s/b\": \"^2\"}},"
		" \"node_modules/@s/b\": {\"version\": \"2.0.0\", \"dev\": true},"
		" \"node_modules/a/node_modules/@s/b\": {\"version\": \"2.1.0\"},"
		" \"node_modules/alias\": {\"name\": \"real\", \"version\": \"3.0.0\"},"
		" \"node_modules/ws\": {\"resolved\": \"packages/ws\", \"link\": true},"
		" \"packages/ws\": {\"name\": \"ws\", \"version\": \"0.0.1\"},"
		" \"node_modules/noversion\": {}},"
		" \"dependencies\": {\"ignored\": {\"version\": \"9.9.9\"}}}";
	expect(bw_node_parse_package_lock, doc, "@s/b@2.0.0(dev) @s/b@2.1.0 a@1.0.0 real@3.0.0");

	bw_node_pkg *v = NULL;
	size_t n = 0;
	assert_int_equal(bw_node_parse_package_lock("t", doc, strlen(doc), &v, &n), 0);
	const bw_node_pkg *a = find(v, n, "a");
	assert_non_null(a);
	assert_int_equal(a->n_licenses, 1);
	assert_string_equal(a->licenses[0], "MIT");
	assert_int_equal(a->n_deps, 1);
	/* resolved as node does: a's own nested copy (2.1.0), not the hoisted 2.0.0 */
	assert_string_equal(a->deps[0], "@s/b@2.1.0");
	assert_true(a->deps_resolved);
	bw_node_free(v, n);

	expect_error(bw_node_parse_package_lock, "{\"packages\": 1}", strlen("{\"packages\": 1}"), "not an object");
	expect_error(bw_node_parse_package_lock, "{\"packages\": {\"node_modules/a\": {\"version\": 1}}}", 48,
		     "\"version\"");
}

/* All of a package vector, deps and licenses included, as one string. */
static void full(const bw_node_pkg *v, size_t n, char *out, size_t outsz)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(out);
		snprintf(out + l, outsz - l, "%s@%s:%d%d[", v[i].name, v[i].version, v[i].dev, v[i].deps_resolved);
		for (size_t j = 0; j < v[i].n_licenses; j++)
			strncat(out, v[i].licenses[j], outsz - strlen(out) - 1);
		strncat(out, "][", outsz - strlen(out) - 1);
		for (size_t j = 0; j < v[i].n_deps; j++) {
			strncat(out, v[i].deps[j], outsz - strlen(out) - 1);
			strncat(out, ",", outsz - strlen(out) - 1);
		}
		strncat(out, "] ", outsz - strlen(out) - 1);
	}
}

/*
 * The analyzer feeds a lock file in pieces as the layer delivers them: any
 * cut, down to a byte at a time, gives what one whole feed gives, and an error
 * stays an error.
 */
static void test_package_lock_stream(void **state)
{
	const char *docs[] = {
		"{\"lockfileVersion\": 3, \"packages\": {\"\": {\"name\": \"app\"},"
		" \"node_modules/a\": {\"version\": \"1.0.0\", \"license\": \"MIT\", \"dependencies\": {\"@s/b\": \"^2\"}},"
		" \"node_modules/@s/b\": {\"version\": \"2.0.0\", \"dev\": true},"
		" \"node_modules/a/node_modules/@s/b\": {\"version\": \"2.1.0\"}}}",
		"{\"lockfileVersion\": 1, \"dependencies\": {\"x\": {\"version\": \"1.0.0\", \"requires\": {\"y\": \"1\"},"
		" \"dependencies\": {\"y\": {\"version\": \"npm:z@2.0.0\"}}}, \"w\": {\"version\": \"3.0.0\", \"dev\": true}}}",
		"{\"packages\": {\"node_modules/a\": {\"version\": \"1\"}, \"node_modules/a\": {\"version\": \"2\"}}}",
		"{\"packages\": {\"node_modules/a\": {\"version\": \"1\"}}",
	};
	char want[4096], got[4096];
	for (size_t d = 0; d < sizeof(docs) / sizeof(*docs); d++) {
		size_t len = strlen(docs[d]), n = 0;
		bw_node_pkg *v = NULL;
		int whole = bw_node_parse_package_lock("t", docs[d], len, &v, &n);
		full(v, n, want, sizeof(want));
		bw_node_free(v, n);
		assert_int_equal(whole == 0, d < 2);
		if (d == 0) /* the comparison below is only as good as what the whole parse found */
			assert_non_null(strstr(want, "a@1.0.0:01[MIT][@s/b@2.1.0,]"));
		if (d == 1)
			assert_non_null(strstr(want, "z@2.0.0:00[][]"));
		for (size_t step = 1; step <= 7; step += 3) {
			bw_node_lock_stream *s = bw_node_lock_stream_new("t");
			assert_non_null(s);
			int rc = 0;
			for (size_t at = 0; at < len && rc == 0; at += step)
				rc = bw_node_lock_stream_feed(s, docs[d] + at, len - at < step ? len - at : step);
			v = NULL;
			n = 0;
			if (rc == 0)
				rc = bw_node_lock_stream_finish(s, &v, &n);
			bw_node_lock_stream_free(s);
			assert_int_equal(rc, whole);
			full(v, n, got, sizeof(got));
			bw_node_free(v, n);
			assert_string_equal(got, want);
		}
	}
}

static void test_yarn_v1(void **state)
{
	const char *doc =
		"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
		"# yarn lockfile v1\n\n\n"
		"\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n"
		"  version \"7.12.13\"\n"
		"  resolved \"https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc\"\n"
		"  integrity sha512-abc\n"
		"  dependencies:\n"
		"    \"@babel/highlight\" \"^7.12.13\"\n"
		"    js-tokens \"^4.0.0\"\n\n"
		"abbrev@1, abbrev@^1.0.0:\r\n"
		"  version \"1.1.1\"\r\n\r\n"
		"abbrev@2:\n"
		"  version \"1.1.1\"\n\n"
		"local@file:./local:\n"
		"  version \"0.1.0\"\n";
	expect(bw_node_parse_yarn_lock, doc, "@babel/code-frame@7.12.13 abbrev@1.1.1 local@0.1.0");

	bw_node_pkg *v = NULL;
	size_t n = 0;
	assert_int_equal(bw_node_parse_yarn_lock("t", doc, strlen(doc), &v, &n), 0);
	const bw_node_pkg *b = find(v, n, "@babel/code-frame");
	assert_non_null(b);
	assert_int_equal(b->n_deps, 2);
	assert_string_equal(b->deps[0], "@babel/highlight");
	assert_string_equal(b->deps[1], "js-tokens");
	bw_node_free(v, n);

	expect_error(bw_node_parse_yarn_lock, "abbrev:\n  version \"1\"\n", strlen("abbrev:\n  version \"1\"\n"), "not name@range");
	expect_error(bw_node_parse_yarn_lock, "  version \"1\"\n", strlen("  version \"1\"\n"), "outside an entry");
	expect_error(bw_node_parse_yarn_lock, "abbrev@1\n", strlen("abbrev@1\n"), "not an entry header");
}

static void test_yarn_berry(void **state)
{
	const char *doc =
		"# This file is generated by running \"yarn install\" inside your project.\n\n"
		"__metadata:\n  version: 6\n  cacheKey: 8\n\n"
		"\"@babel/code-frame@npm:^7.0.0, @babel/code-frame@npm:^7.10.4\":\n"
		"  version: 7.12.13\n"
		"  resolution: \"@babel/code-frame@npm:7.12.13\"\n"
		"  dependencies:\n"
		"    \"@babel/highlight\": ^7.12.13\n"
		"  checksum: abc\n"
		"  languageName: node\n  linkType: hard\n\n"
		"\"app@workspace:.\":\n  version: 0.0.0-use.local\n  languageName: unknown\n  linkType: soft\n\n"
		"\"resolve@patch:resolve@npm%3A^1.20.0#~builtin<compat/resolve>\":\n  version: 1.20.0\n\n"
		"\"resolve@npm:^1.20.0\":\n  version: 1.20.0\n\n"
		"lodash@npm:4.17.21:\n  version: \"4.17.21\"\n";
	expect(bw_node_parse_yarn_lock, doc, "@babel/code-frame@7.12.13 lodash@4.17.21 resolve@1.20.0");
}

static void test_pnpm(void **state)
{
	const char *v5 =
		"lockfileVersion: 5.4\n\nspecifiers:\n  ms: ^2.1.2\n\ndependencies:\n  ms: 2.1.2\n\n"
		"packages:\n\n"
		"  /@babel/code-frame/7.12.13:\n"
		"    resolution: {integrity: sha512-abc}\n"
		"    dependencies:\n      '@babel/highlight': 7.13.10\n"
		"    dev: true\n\n"
		"  /ms/2.1.2:\n    resolution: {integrity: sha512-def}\n    dev: false\n\n"
		"  /react-dom/17.0.2_react@17.0.2:\n    resolution: {integrity: x}\n    dev: false\n\n"
		"  github.com/user/repo/abcdef:\n    resolution: {tarball: https://x}\n    name: repo\n"
		"    version: 1.0.0\n    dev: false\n";
	expect(bw_node_parse_pnpm_lock, v5, "@babel/code-frame@7.12.13(dev) ms@2.1.2 react-dom@17.0.2 repo@1.0.0");

	const char *v6 =
		"lockfileVersion: '6.0'\n\ndependencies:\n  ms:\n    specifier: ^2.1.2\n    version: 2.1.2\n\n"
		"packages:\n\n"
		"  /@babel/code-frame@7.12.13:\n    resolution: {integrity: sha512-abc}\n    dev: true\n\n"
		"  /ms@2.1.2:\n    resolution: {integrity: sha512-def}\n    dev: false\n\n"
		"  /react-dom@17.0.2(react@17.0.2):\n    resolution: {integrity: x}\n"
		"    dependencies:\n      react: 17.0.2\n    dev: false\n";
	expect(bw_node_parse_pnpm_lock, v6, "@babel/code-frame@7.12.13(dev) ms@2.1.2 react-dom@17.0.2");

	const char *v9 =
		"lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      ms:\n"
		"        specifier: ^2.1.2\n        version: 2.1.2\n\n"
		"packages:\n\n"
		"  '@babel/code-frame@7.12.13':\n    resolution: {integrity: sha512-abc}\n\n"
		"  ms@2.1.2:\n    resolution: {integrity: sha512-def}\n\n"
		"snapshots:\n\n  ms@2.1.2: {}\n";
	expect(bw_node_parse_pnpm_lock, v9, "@babel/code-frame@7.12.13 ms@2.1.2");

	/* no lockfileVersion: the key's shape decides */
	expect(bw_node_parse_pnpm_lock, "packages:\n  /@s/a/1.0.0:\n    dev: false\n  /b@2.0.0:\n    x: y\n",
	       "@s/a@1.0.0 b@2.0.0");
}

static void test_hostile(void **state)
{
	/* a package-lock.json nested 10,000 deep */
	size_t depth = 10000, len = depth * 2 + 64;
	char *doc = malloc(len);
	assert_non_null(doc);
	size_t o = (size_t)snprintf(doc, len, "{\"dependencies\":");
	for (size_t i = 0; i < depth; i++)
		doc[o++] = '[';
	for (size_t i = 0; i < depth; i++)
		doc[o++] = ']';
	doc[o++] = '}';
	expect_error(bw_node_parse_package_lock, doc, o, "nested deeper");
	free(doc);

	/* a yarn.lock line of 10 MB */
	len = 10 * 1024 * 1024;
	doc = malloc(len + 32);
	assert_non_null(doc);
	memcpy(doc, "a@1:\n  version \"", 16);
	memset(doc + 16, '1', len);
	memcpy(doc + 16 + len, "\"\n", 2);
	expect_error(bw_node_parse_yarn_lock, doc, len + 18, "longer than");
	expect_error(bw_node_parse_pnpm_lock, doc, len + 18, "longer than");
	free(doc);

	/* NUL bytes, a name past the string bound, an oversize document */
	expect_error(bw_node_parse_yarn_lock, "a@1:\n  version \"1\0\"\n", 20, "NUL");
	expect_error(bw_node_parse_package_json, "{\"name\": \"a\\u0000b\", \"version\": \"1\"}", strlen("{\"name\": \"a\\u0000b\", \"version\": \"1\"}"), "NUL");
	char big[BW_NODE_MAX_STRING + 64];
	memcpy(big, "x@1:\n  version \"", 16);
	memset(big + 16, '9', BW_NODE_MAX_STRING + 1);
	memcpy(big + 16 + BW_NODE_MAX_STRING + 1, "\"\n", 2);
	expect_error(bw_node_parse_yarn_lock, big, 16 + BW_NODE_MAX_STRING + 3, "longer than");
	expect_error(bw_node_parse_package_json, "{}", (size_t)BW_NODE_PACKAGE_JSON_MAX + 1, "larger than");
	expect_error(bw_node_parse_pnpm_lock, "", (size_t)BW_NODE_LOCK_MAX + 1, "larger than");
	/* empty inputs are fine for the text formats, not for JSON */
	expect(bw_node_parse_yarn_lock, "", "");
	expect(bw_node_parse_pnpm_lock, "", "");
	expect_error(bw_node_parse_package_lock, "", strlen(""), "invalid JSON");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_package_json),
		cmocka_unit_test(test_package_lock_v1),
		cmocka_unit_test(test_package_lock_v3),
		cmocka_unit_test(test_package_lock_stream),
		cmocka_unit_test(test_yarn_v1),
		cmocka_unit_test(test_yarn_berry),
		cmocka_unit_test(test_pnpm),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
