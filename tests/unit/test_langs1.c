/*
 * Unit tests for the Python, Ruby, PHP and .NET parsers
 * (src/inventory/{python,ruby,php,dotnet,langpkg}.c) on inputs written here:
 * the shapes each format takes in practice, and hostile ones that must give
 * BW_EINPUT (or no package) without crashing (this test also runs under
 * ASan/UBSan). The real files of ../shared/data/pkgdb are checked end to end
 * by tests/integration/lang_langs1.sh.
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
#include "inventory/dotnet.h"
#include "inventory/langpkg.h"
#include "inventory/php.h"
#include "inventory/python.h"
#include "inventory/ruby.h"

typedef int (*parse_fn)(const char *, const char *, size_t, bw_lang_pkgs *);

/* Parses a NUL-terminated text; the list is left in *l for the caller to check and free. */
static int run(parse_fn fn, const char *text, bw_lang_pkgs *l)
{
	memset(l, 0, sizeof(*l));
	return fn("test", text, strlen(text), l);
}

static void assert_pkg(const bw_lang_pkgs *l, size_t i, const char *name, const char *version)
{
	assert_true(i < l->n);
	assert_string_equal(l->v[i].name, name);
	assert_string_equal(l->v[i].version, version);
}

/* ------------------------------------------------------------ python */

static void test_python_metadata(void **state)
{
	bw_lang_pkgs l;
	assert_int_equal(run(bw_python_parse_metadata,
			     "Metadata-Version: 2.1\r\nName: Foo.Bar \r\nVersion: 1.0rc1\r\n"
			     "License: Some long\r\n  license text\r\n"
			     "Classifier: License :: OSI Approved :: MIT License\r\n"
			     "Classifier: License :: OSI Approved :: BSD License\r\n"
			     "Classifier: License :: OSI Approved\r\n"
			     "Classifier: Programming Language :: Python\r\n\r\nName: body-is-not-read\n",
			     &l), 0);
	assert_int_equal(l.n, 1);
	assert_pkg(&l, 0, "Foo.Bar", "1.0rc1");
	assert_int_equal(l.v[0].n_licenses, 2);
	assert_string_equal(l.v[0].licenses[0], "MIT");
	assert_string_equal(l.v[0].licenses[1], "BSD License");
	bw_lang_pkgs_free(&l);

	/* License-Expression wins over classifiers; UNKNOWN is no license */
	assert_int_equal(run(bw_python_parse_metadata,
			     "Name: a\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\n"
			     "Classifier: License :: OSI Approved :: MIT License\n", &l), 0);
	assert_int_equal(l.v[0].n_licenses, 1);
	assert_string_equal(l.v[0].licenses[0], "MIT OR Apache-2.0");
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_python_parse_metadata, "Name: a\nVersion: 1\nLicense: UNKNOWN\n", &l), 0);
	assert_int_equal(l.v[0].n_licenses, 0);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_python_parse_metadata, "Name: a\nVersion: 1\nLicense: Apache 2.0\n", &l), 0);
	assert_string_equal(l.v[0].licenses[0], "Apache-2.0");
	bw_lang_pkgs_free(&l);
}

static void test_python_metadata_hostile(void **state)
{
	bw_lang_pkgs l;
	assert_int_equal(run(bw_python_parse_metadata, "", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_python_parse_metadata, "Name: a\n", &l), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "test: no Version"));
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_python_parse_metadata, "Name: a b\nVersion: 1\n", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_python_parse_metadata, "Name: a\nVersion: 1 2\n", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	/* a NUL byte in the headers */
	static const char nul[] = "Name: a\nVer\0sion: 1\n";
	memset(&l, 0, sizeof(l));
	assert_int_equal(bw_python_parse_metadata("t", nul, sizeof(nul) - 1, &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	/* a version longer than any real one */
	size_t n = BW_LANG_MAX_FIELD + 64;
	char *big = malloc(n + 32);
	assert_non_null(big);
	int o = snprintf(big, n + 32, "Name: a\nVersion: ");
	memset(big + o, '1', n);
	big[o + n] = '\0';
	assert_int_equal(run(bw_python_parse_metadata, big, &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	free(big);
}

static void test_python_normalize(void **state)
{
	char out[64];
	bw_python_normalize(out, sizeof(out), "Zope.Interface__x--Y");
	assert_string_equal(out, "zope-interface-x-y");
	bw_python_normalize(out, 4, "abcdef");
	assert_string_equal(out, "abc");
	assert_string_equal(bw_python_classifier_spdx("MIT License", 11), "MIT");
	assert_null(bw_python_classifier_spdx("BSD License", 11));
}

static void test_python_locks(void **state)
{
	bw_lang_pkgs l;
	assert_int_equal(run(bw_python_parse_requirements,
			     "a==1.0\nb[x,y] == 2.0 ; python_version<'3' \\\n  --hash=sha256:00\nc>=1\nd==1.*\n"
			     "e==1,<2\n-e .\n# f==1\na==1.0\ng===3\n", &l), 0);
	assert_int_equal(l.n, 2);
	assert_pkg(&l, 0, "a", "1.0");
	assert_pkg(&l, 1, "b", "2.0");
	bw_lang_pkgs_free(&l);

	assert_int_equal(run(bw_python_parse_pipfile_lock,
			     "{\"default\": {\"x\": {\"version\": \"==1\"}, \"y\": {\"git\": \"u\"}}, \"develop\": {}}", &l), 0);
	assert_int_equal(l.n, 1);
	assert_pkg(&l, 0, "x", "1");
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_python_parse_pipfile_lock, "{\"default\": {\"x\": 1}}", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_python_parse_pipfile_lock, "[[[[", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);

	assert_int_equal(run(bw_python_parse_toml_lock,
			     "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.extras]\nname = \"no\"\n"
			     "[[package]]\nname = 'b'\n[[package]]\nversion = \"3\"\nname = \"c\"", &l), 0);
	assert_int_equal(l.n, 2);
	assert_pkg(&l, 0, "a", "1");
	assert_pkg(&l, 1, "c", "3");
	bw_lang_pkgs_free(&l);
}

/* ------------------------------------------------------------ ruby */

static void test_ruby_gemspec(void **state)
{
	bw_lang_pkgs l;
	assert_int_equal(run(bw_ruby_parse_gemspec,
			     "# stub: x 1 ruby lib\n\nGem::Specification.new do |g|\n"
			     "  g.name = \"x\".freeze\n  g.version = \"1.2.3\"\n"
			     "  g.licenses = [\"MIT\".freeze, 'Ruby'.freeze]\n  g.name == \"y\"\nend\n", &l), 0);
	assert_int_equal(l.n, 1);
	assert_pkg(&l, 0, "x", "1.2.3");
	assert_int_equal(l.v[0].n_licenses, 2);
	assert_string_equal(l.v[0].licenses[1], "Ruby");
	bw_lang_pkgs_free(&l);

	/* assignments to another variable than the block's: not a gemspec RubyGems would load */
	assert_int_equal(run(bw_ruby_parse_gemspec,
			     "Gem::Specification.new do |spec|\n  s.name = \"a\"\n  s.version = \"1\"\nend\n", &l),
			 BW_EINPUT);
	assert_int_equal(l.n, 0);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_ruby_parse_gemspec, "s.name = \"a\"\ns.version = \"1\"\n", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_ruby_parse_gemspec, "Gem::Specification.new do |s", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_ruby_parse_gemspec, "Gem::Specification.new do |s|\ns.name = \"a\n", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
}

static void test_ruby_gemfile_lock(void **state)
{
	bw_lang_pkgs l;
	assert_int_equal(run(bw_ruby_parse_gemfile_lock,
			     "PATH\n  remote: .\n  specs:\n    app (0.1)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n"
			     "    a (1.0)\n      b (>= 1)\n    b (2.0-java)\n\nPLATFORMS\n  ruby\n", &l), 0);
	assert_int_equal(l.n, 2);
	assert_pkg(&l, 0, "a", "1.0");
	assert_pkg(&l, 1, "b", "2.0");
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_ruby_parse_gemfile_lock, "GEM\n  specs:\n    broken 1.0\n", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
}

/* ------------------------------------------------------------ php */

static void test_php(void **state)
{
	bw_lang_pkgs l;
	assert_int_equal(run(bw_php_parse_composer, "[{\"name\": \"a/b\", \"version\": \"1.0\", \"license\": [\"MIT\"]}]", &l), 0);
	assert_int_equal(l.n, 1);
	assert_pkg(&l, 0, "a/b", "1.0");
	assert_string_equal(l.v[0].licenses[0], "MIT");
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_php_parse_composer,
			     "{\"packages\": [{\"name\": \"a/b\", \"version\": \"1\", \"license\": \"BSD-3-Clause\"}],"
			     " \"packages-dev\": [{\"name\": \"c/d\", \"version\": \"v2\"}]}", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].licenses[0], "BSD-3-Clause");
	assert_pkg(&l, 1, "c/d", "v2");
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_php_parse_composer, "[{\"name\": \"a/b\"}]", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_php_parse_composer, "[1]", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_php_parse_composer, "{\"packages\": {}}", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_php_parse_composer, "\"x\"", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	/* nesting deeper than JSON may go */
	char deep[4001];
	memset(deep, '[', 2000);
	memset(deep + 2000, ']', 2000);
	deep[4000] = '\0';
	assert_int_equal(run(bw_php_parse_composer, deep, &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
}

/* ------------------------------------------------------------ dotnet */

static void test_dotnet(void **state)
{
	bw_lang_pkgs l;
	assert_int_equal(run(bw_dotnet_parse_deps_json,
			     "{\"runtimeTarget\": {\"name\": \"T\"},"
			     " \"targets\": {\"T\": {\"App/1.0\": {\"runtime\": {\"App.dll\": {}}},"
			     "   \"Build/2.0\": {\"dependencies\": {}}, \"Native/3.0\": {\"native\": {\"x.so\": {}}}}},"
			     " \"libraries\": {\"App/1.0\": {\"type\": \"project\"}, \"Build/2.0\": {\"type\": \"package\"},"
			     "   \"Native/3.0\": {\"type\": \"package\"}, \"Unlisted/4.0\": {\"type\": \"package\"},"
			     "   \"Ref/5.0\": {\"type\": \"referenceassembly\"}}}", &l), 0);
	assert_int_equal(l.n, 3);
	assert_pkg(&l, 0, "App", "1.0");
	assert_pkg(&l, 1, "Native", "3.0");
	assert_pkg(&l, 2, "Unlisted", "4.0");
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_dotnet_parse_deps_json,
			     "{\"libraries\": {\"A/1\": {\"type\": \"package\"}, \"A/1\": {\"type\": \"package\"}}}", &l),
			 BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_dotnet_parse_deps_json, "{\"libraries\": {\"NoVersion\": {\"type\": \"package\"}}}", &l),
			 BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_dotnet_parse_deps_json, "{\"targets\": {}}", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
	assert_int_equal(run(bw_dotnet_parse_deps_json, "{\"libraries\": {\"A/1\": []}}", &l), BW_EINPUT);
	bw_lang_pkgs_free(&l);
}

/* ------------------------------------------------------------ the shared list */

static void test_langpkg_limits(void **state)
{
	bw_lang_pkgs l = { 0 };
	assert_int_equal(bw_lang_pkgs_license(&l, "t", "MIT", 3), 0); /* no package yet: ignored */
	assert_int_equal(bw_lang_pkgs_add(&l, "t", "a", 1, "1", 1), 0);
	for (int i = 0; i < BW_LANG_MAX_LICENSES; i++) {
		char lic[16];
		int n = snprintf(lic, sizeof(lic), "L%d", i);
		assert_int_equal(bw_lang_pkgs_license(&l, "t", lic, (size_t)n), 0);
	}
	assert_int_equal(bw_lang_pkgs_license(&l, "t", "L0", 2), 0); /* a duplicate is skipped */
	assert_int_equal(bw_lang_pkgs_license(&l, "t", "one more", 8), BW_EINPUT);
	assert_int_equal(bw_lang_pkgs_add(&l, "t", "", 0, "1", 1), BW_EINPUT);
	assert_int_equal(bw_lang_pkgs_add(&l, "t", "a\tb", 3, "1", 1), BW_EINPUT);
	assert_true(bw_lang_pkgs_has(&l, "a", "1"));
	assert_false(bw_lang_pkgs_has(&l, "a", "2"));
	bw_lang_pkgs_free(&l);
	bw_lang_pkgs_free(&l); /* freeing twice is harmless: the list is reset */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_metadata),
		cmocka_unit_test(test_python_metadata_hostile),
		cmocka_unit_test(test_python_normalize),
		cmocka_unit_test(test_python_locks),
		cmocka_unit_test(test_ruby_gemspec),
		cmocka_unit_test(test_ruby_gemfile_lock),
		cmocka_unit_test(test_php),
		cmocka_unit_test(test_dotnet),
		cmocka_unit_test(test_langpkg_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
