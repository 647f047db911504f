/*
 * Unit tests for src/util/jsonstream.c: the limits (depth, string, number,
 * events), the flags (duplicates, \u0000, container top), callback aborts,
 * sticky errors, and keys of sibling objects. The grammar itself is checked
 * against Python's json module by tests/integration/jsonstream.sh.
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
#include "util/jsonstream.h"

typedef struct counts {
	size_t n[16];
	size_t max_depth;
	char last_key[64];
	int stop_at; /* abort on this event number (1-based); 0 never */
	size_t seen;
} counts;

static int count(void *ctx, const bw_js_event *ev)
{
	counts *c = ctx;
	c->n[ev->type]++;
	if (ev->depth > c->max_depth)
		c->max_depth = ev->depth;
	if (ev->type == BW_JS_KEY)
		snprintf(c->last_key, sizeof(c->last_key), "%s", ev->text);
	if (c->stop_at && (int)++c->seen == c->stop_at)
		return bw_error_set(BW_EINTERNAL, "stopped by the callback");
	return 0;
}

static int parse(const char *doc, const bw_js_limits *lim, counts *c)
{
	return bw_js_parse("doc", doc, strlen(doc), lim, count, c);
}

static void test_limits(void **state)
{
	counts c = { 0 };
	bw_js_limits lim = { .max_depth = 3 };
	assert_int_equal(parse("[[[1]]]", &lim, &c), 0);
	assert_int_equal(parse("[[[[1]]]]", &lim, &c), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "nested deeper than 3"));

	lim = (bw_js_limits){ .max_string = 4 };
	assert_int_equal(parse("[\"abcd\"]", &lim, &c), 0);
	assert_int_equal(parse("[\"abcde\"]", &lim, &c), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "string longer than 4"));
	assert_int_equal(parse("{\"abcde\":1}", &lim, &c), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "key longer than 4"));
	/* the bound is on decoded bytes: "\u00e9" is 2 bytes, 3 of them are 6 */
	assert_int_equal(parse("[\"\\u00e9\\u00e9\"]", &lim, &c), 0);
	assert_int_equal(parse("[\"\\u00e9\\u00e9\\u00e9\"]", &lim, &c), BW_EINPUT);

	lim = (bw_js_limits){ .max_number = 3 };
	assert_int_equal(parse("[-12]", &lim, &c), 0);
	assert_int_equal(parse("[-123]", &lim, &c), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "number longer than 3"));

	lim = (bw_js_limits){ .max_events = 4 };
	assert_int_equal(parse("[1,2]", &lim, &c), 0);     /* [ 1 2 ] */
	assert_int_equal(parse("[1,2,3]", &lim, &c), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "more than 4 tokens"));
}

static void test_flags(void **state)
{
	counts c = { 0 };
	bw_js_limits lim = { 0 };
	assert_int_equal(parse("{\"a\":1,\"b\":{\"a\":2},\"c\":{\"a\":3}}", NULL, &c), 0); /* siblings' keys are theirs */
	assert_int_equal(parse("{\"a\":1,\"b\":{\"a\":2},\"a\":3}", NULL, &c), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "duplicate object key \"a\""));
	lim.flags = BW_JS_ALLOW_DUPLICATES;
	assert_int_equal(parse("{\"a\":1,\"a\":3}", &lim, &c), 0);

	assert_int_equal(parse("[\"a\\u0000b\"]", NULL, &c), 0);
	lim.flags = BW_JS_REJECT_NUL;
	assert_int_equal(parse("[\"a\\u0000b\"]", &lim, &c), BW_EINPUT);

	assert_int_equal(parse(" 12 ", NULL, &c), 0);
	lim.flags = BW_JS_CONTAINER_TOP;
	assert_int_equal(parse(" 12 ", &lim, &c), BW_EINPUT);
	assert_int_equal(parse(" {} ", &lim, &c), 0);
}

/* Many keys in one object: the duplicate index grows, and still finds the first key. */
static void test_big_object(void **state)
{
	size_t n = 100000, cap = n * 16 + 16;
	char *doc = malloc(cap);
	size_t len = 0;
	assert_non_null(doc);
	doc[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	len += (size_t)snprintf(doc + len, cap - len, "}");
	counts c = { 0 };
	assert_int_equal(bw_js_parse("doc", doc, len, NULL, count, &c), 0);
	assert_int_equal(c.n[BW_JS_KEY], n);
	assert_int_equal(c.n[BW_JS_NUMBER], n);
	snprintf(doc + len - 1, cap - len + 1, ",\"k0\":1}");
	assert_int_equal(bw_js_parse("doc", doc, strlen(doc), NULL, count, &c), BW_EINPUT);
	free(doc);
}

static void test_callback_and_sticky(void **state)
{
	counts c = { .stop_at = 3 };
	bw_js_parser *p = bw_js_new("doc", NULL, count, &c);
	assert_non_null(p);
	assert_int_equal(bw_js_feed(p, "[1,", 3), 0);
	assert_int_equal(bw_js_feed(p, "2,3]", 4), BW_EINTERNAL); /* the callback's code */
	assert_int_equal(bw_js_feed(p, "", 0), BW_EINTERNAL);
	assert_int_equal(bw_js_finish(p), BW_EINTERNAL);
	bw_js_free(p);

	/* incomplete documents */
	const char *cut[] = { "", "[", "{\"a\"", "{\"a\":", "\"abc", "tru", "-", "1e", "[\"\\u12", "[\"\\ud800\"]" };
	for (size_t i = 0; i < sizeof(cut) / sizeof(*cut); i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(parse(cut[i], NULL, &c), BW_EINPUT);
	}
	/* a number at the top ends at the end of input, not before */
	memset(&c, 0, sizeof(c));
	p = bw_js_new("doc", NULL, count, &c);
	assert_int_equal(bw_js_feed(p, "12", 2), 0);
	assert_int_equal(bw_js_feed(p, "34", 2), 0);
	assert_int_equal(c.n[BW_JS_NUMBER], 0);
	assert_int_equal(bw_js_finish(p), 0);
	assert_int_equal(c.n[BW_JS_NUMBER], 1);
	bw_js_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_big_object),
		cmocka_unit_test(test_callback_and_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
