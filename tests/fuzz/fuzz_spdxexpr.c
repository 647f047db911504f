/*
 * tests/fuzz/fuzz_spdxexpr.c: SPDX license expressions (license/expr.h) and
 * the normalisation of package license text (license/license.h).
 *
 * Each input is parsed in strict and lenient mode; a parsed tree is written
 * back and the text parsed again, which must give the same text (the writer
 * puts parentheses exactly where precedence needs them); the normaliser must
 * return text for anything and never an error but out-of-memory. Errors must
 * be one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bulwark/errors.h"
#include "license/expr.h"
#include "license/license.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_spdxexpr: %s: %s\n", what, detail);
	abort();
}

static void one_line(void)
{
	if (strchr(bw_error_last()->message, '\n'))
		die("an error of more than one line", bw_error_last()->message);
	bw_error_clear();
}

static void round_trip(const bw_lexpr *e, unsigned flags)
{
	char *text = NULL, *again = NULL;
	bw_lexpr *e2 = NULL;
	size_t n = bw_lexpr_format(e, e->root, NULL, 0, NULL, NULL);

	if (!(text = malloc(n + 1)))
		return;
	if (bw_lexpr_format(e, e->root, text, n + 1, NULL, NULL) != n || strlen(text) != n)
		die("format length", text);
	/* written text may be longer than the input ("a and b" -> "a AND b", added
	 * parentheses), so it can pass the input bound; only check what fits */
	if (n <= BW_LEXPR_MAX_BYTES) {
		if (bw_lexpr_parse(&e2, "again", text, n, flags) < 0)
			die("written text does not parse again", bw_error_last()->message);
		size_t n2 = bw_lexpr_format(e2, e2->root, NULL, 0, NULL, NULL);
		if ((again = malloc(n2 + 1))) {
			bw_lexpr_format(e2, e2->root, again, n2 + 1, NULL, NULL);
			if (strcmp(text, again) != 0)
				die("written twice differently", again);
		}
	}
	free(again);
	free(text);
	bw_lexpr_free(e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned modes[] = { 0, BW_LEXPR_LENIENT };
	bw_lexpr *e;
	bw_license l;

	for (size_t m = 0; m < 2; m++) {
		if (bw_lexpr_parse(&e, "fuzz", (const char *)data, size, modes[m]) == 0) {
			if (e->root < 0 || (size_t)e->root >= e->n)
				die("root", "out of range");
			round_trip(e, modes[m]);
			(void)bw_license_expr_category(e, e->root);
			bw_lexpr_free(e);
		} else {
			if (e)
				die("error", "*out set on error");
			one_line();
		}
	}
	/* the normaliser takes C strings */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (bw_license_normalize(&l, s) != 0)
		die("normalize", bw_error_last()->message);
	if (!l.text || (unsigned)l.category >= BW_LCAT_COUNT)
		die("normalize", "no text or a bad category");
	(void)bw_license_alias(s);
	bw_license_clear(&l);
	free(s);
	return 0;
}
