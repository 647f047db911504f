/*
 * Unit tests for src/license: the SPDX license expression parser against the
 * examples of the SPDX 2.3 specification (Annex D, "SPDX License
 * Expressions"), its bounds, and the normalisation and categories of
 * license/license.h (categories as data/licenses/categories.tsv records them
 * from licenseclassifier / Trivy).
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
#include "license/expr.h"
#include "license/license.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* The tree in prefix form: "(OR A (AND B C))", "(WITH A+ E)". */
static void tree(const bw_lexpr *e, int i, char *out, size_t size)
{
	const bw_lexpr_node *n = &e->nodes[i];
	char a[1024], b[1024];

	switch (n->kind) {
	case BW_LEXPR_LICENSE:
		snprintf(out, size, "%s%s", n->id, n->or_later ? "+" : "");
		break;
	case BW_LEXPR_WITH:
		tree(e, n->left, a, sizeof(a));
		snprintf(out, size, "(WITH %s %s)", a, n->exception);
		break;
	default:
		tree(e, n->left, a, sizeof(a));
		tree(e, n->right, b, sizeof(b));
		snprintf(out, size, "(%s %s %s)", n->kind == BW_LEXPR_AND ? "AND" : "OR", a, b);
		break;
	}
}

static void expect_tree(const char *text, unsigned flags, const char *want_tree, const char *want_text)
{
	bw_lexpr *e = NULL;
	char got[2048], fmt[2048];

	if (bw_lexpr_parse(&e, "test", text, strlen(text), flags) != 0)
		fail_msg("\"%s\" did not parse: %s", text, bw_error_last()->message);
	tree(e, e->root, got, sizeof(got));
	if (strcmp(got, want_tree) != 0)
		fail_msg("\"%s\": tree %s, want %s", text, got, want_tree);
	size_t n = bw_lexpr_format(e, e->root, fmt, sizeof(fmt), NULL, NULL);
	assert_int_equal(n, strlen(fmt));
	if (strcmp(fmt, want_text) != 0)
		fail_msg("\"%s\": written back as \"%s\", want \"%s\"", text, fmt, want_text);
	bw_lexpr_free(e);
}

static void expect_error(const char *text, size_t len, unsigned flags, const char *want)
{
	bw_lexpr *e = (bw_lexpr *)1;

	assert_int_equal(bw_lexpr_parse(&e, "test", text, len, flags), BW_EINPUT);
	assert_null(e);
	assert_contains(bw_error_last()->message, want);
	assert_null(strchr(bw_error_last()->message, '\n'));
}

/* ------------------------------------------------------------------ Annex D */

static void test_spec_simple(void **state)
{
	(void)state;
	/* D.2 / D.3: simple expressions, "+", LicenseRefs with and without a DocumentRef */
	expect_tree("CDDL-1.0", 0, "CDDL-1.0", "CDDL-1.0");
	expect_tree("CDDL-1.0+", 0, "CDDL-1.0+", "CDDL-1.0+");
	expect_tree("LicenseRef-23", 0, "LicenseRef-23", "LicenseRef-23");
	expect_tree("LicenseRef-MIT-Style-1", 0, "LicenseRef-MIT-Style-1", "LicenseRef-MIT-Style-1");
	expect_tree("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", 0,
		    "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
		    "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2");
	/* D.3: identifiers match without regard to case, and get the list's spelling */
	expect_tree("mit", 0, "MIT", "MIT");
	expect_tree("apache-2.0 AND gpl-2.0-or-later", 0, "(AND Apache-2.0 GPL-2.0-or-later)",
		    "Apache-2.0 AND GPL-2.0-or-later");
}

static void test_spec_compound(void **state)
{
	(void)state;
	/* D.4.2 disjunctive, D.4.3 conjunctive: both group to the left */
	expect_tree("LGPL-2.1-only OR MIT", 0, "(OR LGPL-2.1-only MIT)", "LGPL-2.1-only OR MIT");
	expect_tree("LGPL-2.1-only OR MIT OR BSD-3-Clause", 0, "(OR (OR LGPL-2.1-only MIT) BSD-3-Clause)",
		    "LGPL-2.1-only OR MIT OR BSD-3-Clause");
	expect_tree("LGPL-2.1-only AND MIT", 0, "(AND LGPL-2.1-only MIT)", "LGPL-2.1-only AND MIT");
	expect_tree("LGPL-2.1-only AND MIT AND BSD-2-Clause", 0, "(AND (AND LGPL-2.1-only MIT) BSD-2-Clause)",
		    "LGPL-2.1-only AND MIT AND BSD-2-Clause");
	/* D.4.4 exceptions */
	expect_tree("GPL-2.0-or-later WITH Bison-exception-2.2", 0, "(WITH GPL-2.0-or-later Bison-exception-2.2)",
		    "GPL-2.0-or-later WITH Bison-exception-2.2");
	expect_tree("GPL-2.0+ WITH Bison-exception-2.2", 0, "(WITH GPL-2.0+ Bison-exception-2.2)",
		    "GPL-2.0+ WITH Bison-exception-2.2");
}

static void test_spec_precedence(void **state)
{
	(void)state;
	/* D.4.5: WITH, then AND, then OR; parentheses override */
	expect_tree("LGPL-2.1-only OR BSD-3-Clause AND MIT", 0, "(OR LGPL-2.1-only (AND BSD-3-Clause MIT))",
		    "LGPL-2.1-only OR BSD-3-Clause AND MIT");
	expect_tree("MIT AND (LGPL-2.1-or-later OR BSD-3-Clause)", 0,
		    "(AND MIT (OR LGPL-2.1-or-later BSD-3-Clause))", "MIT AND (LGPL-2.1-or-later OR BSD-3-Clause)");
	expect_tree("(MIT AND BSD-3-Clause)", 0, "(AND MIT BSD-3-Clause)", "MIT AND BSD-3-Clause");
	expect_tree("MIT OR Apache-2.0 WITH LLVM-exception AND ISC", 0,
		    "(OR MIT (AND (WITH Apache-2.0 LLVM-exception) ISC))",
		    "MIT OR Apache-2.0 WITH LLVM-exception AND ISC");
	/* a same-operator group on the right keeps its parentheses (the tree is kept as written) */
	expect_tree("MIT AND (ISC AND Zlib)", 0, "(AND MIT (AND ISC Zlib))", "MIT AND (ISC AND Zlib)");
	expect_tree(" ( ( MIT ) ) ", 0, "MIT", "MIT");
}

static void test_strict_rejects(void **state)
{
	(void)state;
	expect_error("", 0, 0, "empty");
	expect_error("   ", 3, 0, "empty");
	expect_error("MIT AND", 7, 0, "expected a license identifier, found the end");
	expect_error("AND MIT", 7, 0, "found AND");
	expect_error("MIT ISC", 7, 0, "expected AND, OR or the end, found an identifier");
	expect_error("(MIT", 4, 0, "expected \")\"");
	expect_error("MIT)", 4, 0, "\")\" without \"(\"");
	expect_error("()", 2, 0, "found \")\"");
	expect_error("NotALicense", 11, 0, "is not an SPDX license identifier");
	expect_error("MIT WITH NotAnException", 23, 0, "is not an SPDX exception identifier");
	expect_error("(MIT OR ISC) WITH LLVM-exception", 32, 0, "WITH must follow a license identifier");
	expect_error("LicenseRef-x WITH LLVM-exception", 32, 0, "not a LicenseRef");
	expect_error("MIT WITH", 8, 0, "after WITH");
	expect_error("LicenseRef-", 11, 0, "is not a LicenseRef");
	expect_error("DocumentRef-:LicenseRef-x", 25, 0, "is not a LicenseRef");
	expect_error("MIT++", 5, 0, "is not a license identifier");
	expect_error("MIT/ISC", 7, 0, "unexpected character 0x2f");
	expect_error("MIT \x01", 5, 0, "unexpected character 0x01");
	expect_error("MIT\0ISC", 7, 0, "NUL byte");
	/* D.2: operators are upper case; lower case is for package metadata only */
	expect_error("MIT and ISC", 11, 0, "found an identifier at offset 4");
	expect_tree("MIT and ISC", BW_LEXPR_LENIENT, "(AND MIT ISC)", "MIT AND ISC");
	expect_tree("GPLv2+ or Artistic", BW_LEXPR_LENIENT, "(OR GPLv2+ Artistic)", "GPLv2+ OR Artistic");
}

static void test_bounds(void **state)
{
	(void)state;
	char buf[BW_LEXPR_MAX_BYTES + 64];
	size_t n;

	/* nesting: exactly the limit parses, one more does not */
	n = 0;
	for (int i = 0; i < BW_LEXPR_MAX_DEPTH; i++)
		buf[n++] = '(';
	n += (size_t)sprintf(buf + n, "MIT");
	for (int i = 0; i < BW_LEXPR_MAX_DEPTH; i++)
		buf[n++] = ')';
	buf[n] = '\0';
	expect_tree(buf, 0, "MIT", "MIT");
	memmove(buf + 1, buf, n + 1);
	buf[0] = '(';
	strcat(buf, ")");
	expect_error(buf, strlen(buf), 0, "nested deeper than 32");

	/* terms */
	n = 0;
	for (int i = 0; i < BW_LEXPR_MAX_TERMS + 1 && n < BW_LEXPR_MAX_BYTES - 16; i++)
		n += (size_t)sprintf(buf + n, "%sMIT", i ? " OR " : "");
	expect_error(buf, n, 0, "more than 256 terms");

	/* length */
	memset(buf, 'A', BW_LEXPR_MAX_BYTES + 1);
	expect_error(buf, BW_LEXPR_MAX_BYTES + 1, BW_LEXPR_LENIENT, "longer than the limit of 4096");
	expect_error(buf, BW_LEXPR_MAX_ID_BYTES + 1, BW_LEXPR_LENIENT, "an identifier longer than 256");
	/* the message quotes at most 80 bytes of the input */
	assert_true(strlen(bw_error_last()->message) < 200);
}

/* ------------------------------------------------------------------ normalisation */

static void expect_norm(const char *text, const char *want, const char *category, bool spdx)
{
	bw_license l;

	assert_int_equal(bw_license_normalize(&l, text), 0);
	if (strcmp(l.text, want) != 0)
		fail_msg("\"%s\" normalised to \"%s\", want \"%s\"", text, l.text, want);
	if (strcmp(bw_license_category_name(l.category), category) != 0)
		fail_msg("\"%s\": category %s, want %s", text, bw_license_category_name(l.category), category);
	if (l.spdx != spdx)
		fail_msg("\"%s\": spdx %d, want %d", text, l.spdx, spdx);
	bw_license_clear(&l);
}

static void test_normalize(void **state)
{
	(void)state;
	/* SPDX ids, any case */
	expect_norm("MIT", "MIT", "notice", true);
	expect_norm("apache-2.0", "Apache-2.0", "notice", true);
	expect_norm("  0bsd ", "0BSD", "unencumbered", true);
	/* deprecated ids and their successors (SPDX license list 3.0) */
	expect_norm("GPL-2.0", "GPL-2.0-only", "restricted", true);
	expect_norm("GPL-2.0+", "GPL-2.0-or-later", "restricted", true);
	expect_norm("LGPL-2.1+ OR MIT", "LGPL-2.1-or-later OR MIT", "notice", true);
	expect_norm("AGPL-3.0", "AGPL-3.0-only", "forbidden", true);
	expect_norm("GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0", "restricted",
		    true);
	/* DEP-5 and RPM short names, written-out names */
	expect_norm("GPL-2+", "GPL-2.0-or-later", "restricted", true);
	expect_norm("Expat", "MIT", "notice", true);
	expect_norm("GPLv3+", "GPL-3.0-or-later", "restricted", true);
	expect_norm("ASL 2.0", "Apache-2.0", "notice", true);
	expect_norm("Apache License, Version 2.0", "Apache-2.0", "notice", true);
	expect_norm("the  MIT   license", "MIT", "notice", true);
	expect_norm("Artistic or GPL-1+", "Artistic-1.0 OR GPL-1.0-or-later", "notice", true);
	/* expressions: AND takes the most encumbering, OR the least */
	expect_norm("MIT AND GPL-3.0-only", "MIT AND GPL-3.0-only", "restricted", true);
	expect_norm("MIT OR GPL-3.0-only", "MIT OR GPL-3.0-only", "notice", true);
	expect_norm("(MPL-2.0 OR AGPL-3.0-only) AND CC0-1.0", "(MPL-2.0 OR AGPL-3.0-only) AND CC0-1.0",
		    "reciprocal", true);
	/* a clause written where an exception goes is what decides (Commons-Clause is forbidden) */
	expect_norm("Apache-2.0 WITH Commons-Clause", "Apache-2.0 WITH Commons-Clause", "forbidden", false);
	/* not SPDX: kept as written, unknown */
	expect_norm("public-domain", "public-domain", "unknown", false);
	expect_norm("GFDL-1.3-only", "GFDL-1.3-only", "unknown", true);
	expect_norm("Some Custom License v2", "Some Custom License v2", "unknown", false);
	expect_norm("LicenseRef-Proprietary", "LicenseRef-Proprietary", "unknown", true);
	expect_norm("MIT AND LicenseRef-x", "MIT AND LicenseRef-x", "unknown", true);
	/* a free-text leaf inside an expression keeps its text */
	expect_norm("MIT OR custom-thing", "MIT OR custom-thing", "notice", false);
}

static void test_categories(void **state)
{
	(void)state;
	/* one of each category, as the published lists have them */
	assert_int_equal(bw_license_id_category("AGPL-3.0-or-later"), BW_LCAT_FORBIDDEN);
	assert_int_equal(bw_license_id_category("CC-BY-NC-4.0"), BW_LCAT_FORBIDDEN);
	assert_int_equal(bw_license_id_category("WTFPL"), BW_LCAT_FORBIDDEN);
	assert_int_equal(bw_license_id_category("GPL-3.0-only"), BW_LCAT_RESTRICTED);
	assert_int_equal(bw_license_id_category("CC-BY-SA-4.0"), BW_LCAT_RESTRICTED);
	assert_int_equal(bw_license_id_category("MPL-2.0"), BW_LCAT_RECIPROCAL);
	assert_int_equal(bw_license_id_category("EPL-2.0"), BW_LCAT_RECIPROCAL);
	assert_int_equal(bw_license_id_category("BSD-3-Clause"), BW_LCAT_NOTICE);
	assert_int_equal(bw_license_id_category("zlib"), BW_LCAT_NOTICE);
	assert_int_equal(bw_license_id_category("Unlicense"), BW_LCAT_UNENCUMBERED);
	assert_int_equal(bw_license_id_category("EUPL-1.2"), BW_LCAT_UNKNOWN);
	assert_int_equal(bw_license_id_category("OFL-1.1"), BW_LCAT_UNKNOWN); /* by_exception_only: not taken */
	assert_int_equal(bw_license_id_category(NULL), BW_LCAT_UNKNOWN);
	for (int c = 0; c < BW_LCAT_COUNT; c++)
		assert_int_equal(bw_license_category_parse(bw_license_category_name((bw_license_category)c)), c);
	assert_int_equal(bw_license_category_parse("copyleft"), -1);
	assert_string_equal(bw_license_alias("Apache  License 2.0"), "Apache-2.0");
	assert_null(bw_license_alias("BSD"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_simple),
		cmocka_unit_test(test_spec_compound),
		cmocka_unit_test(test_spec_precedence),
		cmocka_unit_test(test_strict_rejects),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_categories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
