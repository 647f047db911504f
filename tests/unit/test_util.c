/*
 * Unit tests for src/util (buf, strmap, path, json, jsonw) and src/crypto/digest.
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
#include "crypto/digest.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/limits.h"
#include "util/path.h"
#include "util/strmap.h"
#include "util/utf8.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* ------------------------------------------------------------------ buf */

static void test_buf_ceiling(void **state)
{
	(void)state;
	bw_buf b = BW_BUF_INIT(10);

	assert_int_equal(bw_buf_append(&b, "abcdef", 6), 0);
	assert_int_equal(b.len, 6);
	assert_int_equal(bw_buf_append(&b, "ghij", 4), 0); /* exactly max */
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "abcdefghij", 10);
	assert_true(b.cap <= b.max + 1);

	/* one byte past max: -1, buffer unchanged */
	assert_int_equal(bw_buf_append(&b, "k", 1), -1);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "abcdefghij", 11);
	assert_int_equal(bw_buf_append_str(&b, "xyz"), -1);
	assert_int_equal(b.len, 10);
	/* an empty append still fits */
	assert_int_equal(bw_buf_append(&b, "", 0), 0);
	assert_int_equal(b.len, 10);
	/* a length that would wrap size_t is refused, not wrapped */
	assert_int_equal(bw_buf_append(&b, "x", SIZE_MAX), -1);
	assert_int_equal(b.len, 10);
	bw_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);

	/* a single append larger than max on an empty buffer */
	bw_buf c = BW_BUF_INIT(4);
	assert_int_equal(bw_buf_append(&c, "12345", 5), -1);
	assert_int_equal(c.len, 0);
	bw_buf_free(&c);

	/* max 0: only empty appends */
	bw_buf z = BW_BUF_INIT(0);
	assert_int_equal(bw_buf_append(&z, "a", 1), -1);
	assert_int_equal(bw_buf_append(&z, "", 0), 0);
	assert_non_null(z.data);
	assert_int_equal(z.data[0], '\0');
	bw_buf_free(&z);
}

static void test_buf_nul_and_growth(void **state)
{
	(void)state;
	bw_buf b = BW_BUF_INIT(1 << 20);
	char piece[37];

	for (size_t i = 0; i < sizeof(piece); i++)
		piece[i] = (char)('a' + i % 26);
	size_t total = 0;
	while (total + sizeof(piece) <= (1 << 20)) {
		assert_int_equal(bw_buf_append(&b, piece, sizeof(piece)), 0);
		total += sizeof(piece);
		assert_int_equal(b.len, total);
		assert_int_equal(b.data[b.len], '\0'); /* always terminated */
		assert_true(b.cap >= b.len + 1);
		assert_true(b.cap <= b.max + 1);
	}
	/* content is intact after all the reallocations */
	for (size_t i = 0; i < total; i++)
		if (b.data[i] != (uint8_t)piece[i % sizeof(piece)])
			fail_msg("byte %zu corrupted", i);
	assert_int_equal(bw_buf_append(&b, piece, sizeof(piece)), -1);
	assert_int_equal(b.len, total);

	bw_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.data[0], '\0');
	assert_int_equal(bw_buf_append_str(&b, "hello"), 0);
	assert_string_equal((char *)b.data, "hello");

	size_t len = 0;
	uint8_t *p = bw_buf_detach(&b, &len);
	assert_int_equal(len, 5);
	assert_string_equal((char *)p, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(p);
	/* the detached buffer can be reused, its ceiling kept */
	assert_int_equal(b.max, 1 << 20);
	assert_int_equal(bw_buf_append_str(&b, "again"), 0);
	assert_string_equal((char *)b.data, "again");
	bw_buf_free(&b);
}

/* ------------------------------------------------------------------ strmap */

static void test_strmap_basic(void **state)
{
	(void)state;
	bw_strmap m = { 0 };
	int a = 1, b = 2, c = 3;

	assert_null(bw_strmap_get(&m, "x"));     /* empty map */
	assert_null(bw_strmap_del(&m, "x"));
	assert_int_equal(bw_strmap_put(&m, "alpha", &a), 0);
	assert_int_equal(bw_strmap_put(&m, "beta", &b), 0);
	assert_int_equal(m.live, 2);
	assert_ptr_equal(bw_strmap_get(&m, "alpha"), &a);
	assert_ptr_equal(bw_strmap_get(&m, "beta"), &b);
	assert_null(bw_strmap_get(&m, "gamma"));
	assert_null(bw_strmap_get(&m, "alph"));
	assert_null(bw_strmap_get(&m, "alphab"));
	/* getn: a key given by length, not NUL-terminated */
	assert_ptr_equal(bw_strmap_getn(&m, "alphabet", 5), &a);
	assert_null(bw_strmap_getn(&m, "alphabet", 4));
	assert_null(bw_strmap_getn(&m, "alphabet", 6));

	/* replace keeps one entry */
	char key2[] = "alpha"; /* a different pointer, same text */
	assert_int_equal(bw_strmap_put(&m, key2, &c), 0);
	assert_int_equal(m.live, 2);
	assert_ptr_equal(bw_strmap_get(&m, "alpha"), &c);

	assert_ptr_equal(bw_strmap_del(&m, "alpha"), &c);
	assert_int_equal(m.live, 1);
	assert_null(bw_strmap_get(&m, "alpha"));
	assert_null(bw_strmap_del(&m, "alpha"));
	assert_ptr_equal(bw_strmap_get(&m, "beta"), &b);
	bw_strmap_free(&m);
	assert_null(m.slots);
	assert_int_equal(m.live, 0);
}

static void test_strmap_tombstones(void **state)
{
	(void)state;
	bw_strmap m = { 0 };
	static char keys[64][16];
	int vals[64];

	for (int i = 0; i < 64; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key-%d", i);
		vals[i] = i;
	}
	for (int i = 0; i < 40; i++)
		assert_int_equal(bw_strmap_put(&m, keys[i], &vals[i]), 0);
	/* delete every other one: tombstones in the probe chains */
	for (int i = 0; i < 40; i += 2)
		assert_ptr_equal(bw_strmap_del(&m, keys[i]), &vals[i]);
	assert_int_equal(m.live, 20);
	for (int i = 0; i < 40; i++) {
		if (i % 2)
			assert_ptr_equal(bw_strmap_get(&m, keys[i]), &vals[i]);
		else
			assert_null(bw_strmap_get(&m, keys[i]));
	}
	/* reinsert: found again, and no duplicate of a key that is past a tombstone */
	for (int i = 0; i < 40; i += 2)
		assert_int_equal(bw_strmap_put(&m, keys[i], &vals[(i + 1) % 64]), 0);
	assert_int_equal(m.live, 40);
	for (int i = 0; i < 40; i++)
		assert_ptr_equal(bw_strmap_get(&m, keys[i]), (i % 2) ? &vals[i] : &vals[i + 1]);
	for (int i = 1; i < 40; i += 2) {
		assert_int_equal(bw_strmap_put(&m, keys[i], &vals[0]), 0);
		assert_int_equal(m.live, 40);
	}
	bw_strmap_free(&m);

	/* Churn: many put/del cycles fill the table with tombstones; the map
	 * must keep working (no endless probe) and not grow without bound. */
	static char churn[100000][12];
	bw_strmap c = { 0 };
	int v = 7;
	for (int i = 0; i < 100000; i++) {
		snprintf(churn[i], sizeof(churn[i]), "c%d", i);
		assert_int_equal(bw_strmap_put(&c, churn[i], &v), 0);
		if (i >= 8)
			assert_ptr_equal(bw_strmap_del(&c, churn[i - 8]), &v);
		assert_true(c.used < c.cap);
	}
	assert_int_equal(c.live, 8);
	assert_true(c.cap <= 256);
	for (int i = 100000 - 8; i < 100000; i++)
		assert_ptr_equal(bw_strmap_get(&c, churn[i]), &v);
	assert_null(bw_strmap_get(&c, churn[100000 - 9]));
	bw_strmap_free(&c);
}

static void test_strmap_growth(void **state)
{
	(void)state;
	enum { N = 20000 };
	bw_strmap m = { 0 };
	char (*keys)[24] = malloc(N * sizeof(*keys));
	assert_non_null(keys);

	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "/usr/lib/f%zu", i);
		assert_int_equal(bw_strmap_put(&m, keys[i], (void *)(uintptr_t)(i + 1)), 0);
	}
	assert_int_equal(m.live, N);
	assert_true(m.cap >= N);
	assert_int_equal(m.cap & (m.cap - 1), 0); /* power of two */
	assert_true(m.used * 4 < m.cap * 3);      /* load factor kept */
	for (size_t i = 0; i < N; i++)
		assert_int_equal((uintptr_t)bw_strmap_get(&m, keys[i]), i + 1);
	assert_null(bw_strmap_get(&m, "/usr/lib/f20000"));
	for (size_t i = 0; i < N; i += 3)
		assert_int_equal((uintptr_t)bw_strmap_del(&m, keys[i]), i + 1);
	for (size_t i = 0; i < N; i++) {
		void *got = bw_strmap_get(&m, keys[i]);
		if (i % 3 == 0)
			assert_null(got);
		else
			assert_int_equal((uintptr_t)got, i + 1);
	}
	bw_strmap_free(&m);
	free(keys);
}

/* ------------------------------------------------------------------ path */

static void expect_tar(const char *name, bw_path_status st, const char *canon)
{
	char out[BW_MAX_PATH_BYTES + 2];
	size_t len = 12345;
	bw_path_status got = bw_path_from_tar(name, out, &len);
	if (got != st)
		fail_msg("bw_path_from_tar(\"%.60s\"): status %d, expected %d", name, got, st);
	if (canon) {
		assert_string_equal(out, canon);
		assert_int_equal(len, strlen(canon));
	}
}

static void test_path_from_tar(void **state)
{
	(void)state;
	expect_tar("./a//b/", BW_PATH_OK, "/a/b");
	expect_tar(".", BW_PATH_OK, "/");
	expect_tar("./", BW_PATH_OK, "/");
	expect_tar("etc/os-release", BW_PATH_OK, "/etc/os-release");
	expect_tar("a/./b/.", BW_PATH_OK, "/a/b");
	expect_tar("usr/lib/", BW_PATH_OK, "/usr/lib");
	expect_tar("...", BW_PATH_OK, "/...");      /* a name, not a parent */
	expect_tar("a/..b/c..", BW_PATH_OK, "/a/..b/c..");
	expect_tar("", BW_PATH_EMPTY, NULL);
	expect_tar("../x", BW_PATH_DOTDOT, NULL);
	expect_tar("a/../b", BW_PATH_DOTDOT, NULL);
	expect_tar("a/..", BW_PATH_DOTDOT, NULL);
	expect_tar("./..", BW_PATH_DOTDOT, NULL);
	expect_tar("/etc", BW_PATH_ABSOLUTE, NULL);
	expect_tar("/", BW_PATH_ABSOLUTE, NULL);
	assert_int_equal(bw_path_from_tar(NULL, (char[8]){ 0 }, &(size_t){ 0 }), BW_PATH_EMPTY);
	assert_string_equal(bw_path_status_str(BW_PATH_DOTDOT),
			    "escapes the image root (a \"..\" component)");
	assert_contains(bw_path_status_str(BW_PATH_TOO_LONG), "4096");
	assert_contains(bw_path_status_str(BW_PATH_NAME_TOO_LONG), "255");
}

static void test_path_limits(void **state)
{
	(void)state;
	char name[6000], canon[6000];

	/* a 255-byte component is fine, 256 is not */
	memset(name, 'n', 255);
	name[255] = '\0';
	canon[0] = '/';
	memcpy(canon + 1, name, 256);
	expect_tar(name, BW_PATH_OK, canon);
	memset(name, 'n', 256);
	name[256] = '\0';
	expect_tar(name, BW_PATH_NAME_TOO_LONG, NULL);
	snprintf(canon, sizeof(canon), "dir/%s/x", name);
	expect_tar(canon, BW_PATH_NAME_TOO_LONG, NULL);

	/* 16 components of 255 bytes: canonical form is exactly 4096 bytes */
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i)
			name[o++] = '/';
		memset(name + o, 'a' + i, 255);
		o += 255;
	}
	name[o] = '\0';
	char out[BW_MAX_PATH_BYTES + 2];
	size_t len = 0;
	assert_int_equal(bw_path_from_tar(name, out, &len), BW_PATH_OK);
	assert_int_equal(len, 4096);
	assert_int_equal(strlen(out), 4096);

	/* 17 components of 240 bytes: 17 * 241 = 4097 bytes canonical */
	o = 0;
	for (int i = 0; i < 17; i++) {
		if (i)
			name[o++] = '/';
		memset(name + o, 'a' + i, 240);
		o += 240;
	}
	name[o] = '\0';
	expect_tar(name, BW_PATH_TOO_LONG, NULL);

	/* a long name that canonicalizes short is fine */
	o = 0;
	for (int i = 0; i < 2000; i++) {
		name[o++] = '.';
		name[o++] = '/';
	}
	memcpy(name + o, "x", 2);
	expect_tar(name, BW_PATH_OK, "/x");
}

static void expect_join(const char *dir, const char *target, const char *want)
{
	char out[BW_MAX_PATH_BYTES + 2];
	assert_int_equal(bw_path_join_link(dir, target, out, sizeof(out)), 0);
	if (strcmp(out, want) != 0)
		fail_msg("join(\"%s\", \"%s\") = \"%s\", expected \"%s\"", dir, target, out, want);
}

static void test_path_join_link(void **state)
{
	(void)state;
	expect_join("/usr/bin", "python3.11", "/usr/bin/python3.11");
	expect_join("/usr/bin", "./x/./y/", "/usr/bin/x/y");
	expect_join("/usr/bin", "/etc/alternatives/java", "/etc/alternatives/java");
	expect_join("/usr/bin", "//etc//passwd", "/etc/passwd");
	expect_join("/usr/bin", "../lib/libc.so", "/usr/lib/libc.so");
	expect_join("/usr/lib/x86_64", "../../../../../../etc/shadow", "/etc/shadow");
	expect_join("/", "..", "/");
	expect_join("/", "../..", "/");
	expect_join("/a", "..", "/");
	expect_join("/a/b", "..", "/a");
	expect_join("/a/b", "../..", "/");
	expect_join("/a/b", "/..", "/");
	expect_join("/a/b", "c/../../d", "/a/d");
	expect_join("/", "usr/lib", "/usr/lib");
	expect_join("/", "/", "/");
	expect_join("/a", ".", "/a");

	/* output too small */
	char small[8];
	assert_int_equal(bw_path_join_link("/usr/bin", "python3", small, sizeof(small)), -1);
	assert_int_equal(bw_path_join_link("/", "ab", small, sizeof(small)), 0);
	assert_string_equal(small, "/ab");
	assert_int_equal(bw_path_join_link("/", "abcdef", small, sizeof(small)), 0);
	assert_string_equal(small, "/abcdef");
	assert_int_equal(bw_path_join_link("/", "abcdefg", small, sizeof(small)), -1);
	assert_int_equal(bw_path_join_link("/", "x", small, 1), -1);
}

static void test_path_dirname(void **state)
{
	(void)state;
	char p[64];
	strcpy(p, "/a/b/c");
	bw_path_dirname(p);
	assert_string_equal(p, "/a/b");
	bw_path_dirname(p);
	assert_string_equal(p, "/a");
	bw_path_dirname(p);
	assert_string_equal(p, "/");
	bw_path_dirname(p);
	assert_string_equal(p, "/");
	strcpy(p, "/etc/os-release");
	bw_path_dirname(p);
	assert_string_equal(p, "/etc");
}

/* ------------------------------------------------------------------ json */

static char *nested(int depth, const char *inner)
{
	size_t n = strlen(inner);
	char *s = malloc(2 * (size_t)depth + n + 1);
	assert_non_null(s);
	for (int i = 0; i < depth; i++)
		s[i] = '[';
	memcpy(s + depth, inner, n);
	for (int i = 0; i < depth; i++)
		s[depth + n + i] = ']';
	s[2 * depth + n] = '\0';
	return s;
}

static void test_json_parse_ok_and_size(void **state)
{
	(void)state;
	json_t *j = (json_t *)1;
	const char *doc = "{\"a\": [1, 2, {\"b\": \"c\"}]}";

	assert_int_equal(bw_json_parse("doc", doc, strlen(doc), 100, &j), 0);
	assert_non_null(j);
	assert_true(json_is_object(j));
	assert_int_equal(json_array_size(json_object_get(j, "a")), 3);
	json_decref(j);

	/* exactly at the limit is fine, one byte over is not */
	assert_int_equal(bw_json_parse("doc", doc, strlen(doc), strlen(doc), &j), 0);
	json_decref(j);
	j = (json_t *)1;
	bw_error_clear();
	assert_int_equal(bw_json_parse("the-index.json", doc, strlen(doc), strlen(doc) - 1, &j),
			 BW_EINPUT);
	assert_null(j);
	assert_int_equal(bw_error_last()->code, BW_EINPUT);
	assert_true(strncmp(bw_error_last()->message, "the-index.json: ", 16) == 0);
	assert_contains(bw_error_last()->message, "limit");

	/* syntax error */
	assert_int_equal(bw_json_parse("broken doc", "{\"a\":", 5, 100, &j), BW_EINPUT);
	assert_null(j);
	assert_true(strncmp(bw_error_last()->message, "broken doc: ", 12) == 0);
	assert_contains(bw_error_last()->message, "invalid JSON");
	/* only the first len bytes are parsed */
	assert_int_equal(bw_json_parse("prefix", "[1]garbage", 3, 100, &j), 0);
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
}

static void test_json_depth(void **state)
{
	(void)state;
	json_t *j = NULL;

	char *s = nested(64, "1");
	assert_int_equal(bw_json_parse("deep", s, strlen(s), 1 << 20, &j), 0);
	assert_non_null(j);
	json_decref(j);
	free(s);

	s = nested(65, "1");
	bw_error_clear();
	assert_int_equal(bw_json_parse("deeper.json", s, strlen(s), 1 << 20, &j), BW_EINPUT);
	assert_null(j);
	assert_int_equal(bw_error_last()->code, BW_EINPUT);
	assert_true(strncmp(bw_error_last()->message, "deeper.json: ", 13) == 0);
	assert_contains(bw_error_last()->message, "deeper than 64");
	free(s);

	/* objects count as well as arrays */
	char obj[1024] = "";
	for (int i = 0; i < 65; i++)
		strcat(obj, "{\"k\":");
	strcat(obj, "1");
	for (int i = 0; i < 65; i++)
		strcat(obj, "}");
	assert_int_equal(bw_json_parse("objs", obj, strlen(obj), 1 << 20, &j), BW_EINPUT);
	assert_contains(bw_error_last()->message, "deeper than 64");

	/* siblings do not add up: depth is nesting, not bracket count */
	char flat[2048] = "[";
	for (int i = 0; i < 200; i++)
		strcat(flat, i ? ",[]" : "[]");
	strcat(flat, "]");
	assert_int_equal(bw_json_parse("flat", flat, strlen(flat), 1 << 20, &j), 0);
	assert_int_equal(json_array_size(j), 200);
	json_decref(j);

	/* brackets inside strings (and after escaped quotes) are not nesting */
	s = nested(64, "\"[[[[{{{{ \\\" [[[[{{{{ \\\\\"");
	assert_int_equal(bw_json_parse("strings", s, strlen(s), 1 << 20, &j), 0);
	json_t *x = j;
	for (int i = 0; i < 64; i++)
		x = json_array_get(x, 0);
	assert_string_equal(json_string_value(x), "[[[[{{{{ \" [[[[{{{{ \\");
	json_decref(j);
	free(s);

	/* stray closing brackets in strings do not lower the count either:
	 * 60 levels, a string of "]", then 5 more levels = 65 */
	char tricky[1024] = "";
	for (int i = 0; i < 60; i++)
		strcat(tricky, "[");
	strcat(tricky, "\"]]]]]]]]]]]]]]]]]]]]\",");
	char *more = nested(5, "1");
	strcat(tricky, more);
	free(more);
	for (int i = 0; i < 60; i++)
		strcat(tricky, "]");
	assert_int_equal(bw_json_parse("tricky", tricky, strlen(tricky), 1 << 20, &j), BW_EINPUT);
	assert_null(j);
	assert_contains(bw_error_last()->message, "deeper than 64");
	/* and the same with 59 levels is accepted */
	memmove(tricky, tricky + 1, strlen(tricky));
	tricky[strlen(tricky) - 1] = '\0';
	assert_int_equal(bw_json_parse("tricky", tricky, strlen(tricky), 1 << 20, &j), 0);
	json_decref(j);
}

static void test_json_duplicates_and_nul(void **state)
{
	(void)state;
	json_t *j = NULL;
	const char *dup = "{\"config\": {\"digest\": \"a\"}, \"config\": {\"digest\": \"b\"}}";

	bw_error_clear();
	assert_int_equal(bw_json_parse("manifest.json", dup, strlen(dup), 1000, &j), BW_EINPUT);
	assert_null(j);
	assert_true(strncmp(bw_error_last()->message, "manifest.json: ", 15) == 0);
	assert_contains(bw_error_last()->message, "duplicate");

	const char *nested_dup = "{\"a\": {\"x\": 1, \"x\": 1}}";
	assert_int_equal(bw_json_parse("inner", nested_dup, strlen(nested_dup), 1000, &j), BW_EINPUT);
	assert_contains(bw_error_last()->message, "duplicate");

	/* same key in different objects is fine */
	const char *ok = "{\"a\": {\"x\": 1}, \"b\": {\"x\": 2}}";
	assert_int_equal(bw_json_parse("ok", ok, strlen(ok), 1000, &j), 0);
	json_decref(j);

	static const char in_string[] = "{\"a\": \"b\0c\"}";
	j = (json_t *)1;
	assert_int_equal(bw_json_parse("nul-doc", in_string, sizeof(in_string) - 1, 1000, &j),
			 BW_EINPUT);
	assert_null(j);
	assert_true(strncmp(bw_error_last()->message, "nul-doc: ", 9) == 0);
	assert_contains(bw_error_last()->message, "NUL");

	static const char outside[] = "{\"a\": 1}\0";
	assert_int_equal(bw_json_parse("trailing-nul", outside, sizeof(outside) - 1, 1000, &j),
			 BW_EINPUT);
	assert_contains(bw_error_last()->message, "trailing-nul: ");
	assert_contains(bw_error_last()->message, "NUL");

	/* a NUL right after a backslash inside a string: still rejected */
	static const char esc[] = "[\"\\\0\"]";
	assert_int_equal(bw_json_parse("esc-nul", esc, sizeof(esc) - 1, 1000, &j), BW_EINPUT);
	assert_null(j);
	assert_contains(bw_error_last()->message, "esc-nul: ");

	/* the \u0000 escape is refused too */
	const char *u0 = "[\"a\\u0000b\"]";
	assert_int_equal(bw_json_parse("u0", u0, strlen(u0), 1000, &j), BW_EINPUT);
	assert_null(j);
}

static void test_json_getters(void **state)
{
	(void)state;
	json_t *j = NULL;
	const char *doc = "{\"s\": \"str\", \"n\": 42, \"neg\": -1, \"f\": 1.5, \"o\": {}, \"a\": [],"
			  " \"nul\": null}";
	const char *s;
	uint64_t u;
	json_t *o;

	assert_int_equal(bw_json_parse("getters", doc, strlen(doc), 1000, &j), 0);
	assert_int_equal(bw_json_string("getters", j, "s", &s), 0);
	assert_string_equal(s, "str");
	assert_int_equal(bw_json_opt_string("getters", j, "missing", &s), 0);
	assert_null(s);
	assert_int_equal(bw_json_opt_string("getters", j, "nul", &s), 0);
	assert_null(s);
	assert_int_equal(bw_json_string("getters", j, "missing", &s), BW_EINPUT);
	assert_contains(bw_error_last()->message, "getters: ");
	assert_contains(bw_error_last()->message, "\"missing\"");
	assert_int_equal(bw_json_string("getters", j, "n", &s), BW_EINPUT);
	assert_contains(bw_error_last()->message, "\"n\" is not a string");

	assert_int_equal(bw_json_uint("getters", j, "n", &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(bw_json_uint("getters", j, "neg", &u), BW_EINPUT);
	assert_contains(bw_error_last()->message, "\"neg\"");
	assert_int_equal(bw_json_uint("getters", j, "f", &u), BW_EINPUT);
	assert_int_equal(bw_json_uint("getters", j, "s", &u), BW_EINPUT);
	assert_int_equal(bw_json_uint("getters", j, "missing", &u), BW_EINPUT);

	assert_int_equal(bw_json_opt_object("getters", j, "o", &o), 0);
	assert_true(json_is_object(o));
	assert_int_equal(bw_json_opt_object("getters", j, "a", &o), BW_EINPUT);
	assert_contains(bw_error_last()->message, "\"a\" is not an object");
	assert_int_equal(bw_json_opt_object("getters", j, "missing", &o), 0);
	assert_null(o);
	assert_int_equal(bw_json_opt_array("getters", j, "a", &o), 0);
	assert_true(json_is_array(o));
	assert_int_equal(bw_json_opt_array("getters", j, "o", &o), BW_EINPUT);
	assert_contains(bw_error_last()->message, "\"o\" is not an array");
	json_decref(j);
}

/* ------------------------------------------------------------------ jsonw */

typedef struct memout {
	char *buf;
	size_t len;
	FILE *f;
} memout;

static void mem_open(memout *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

static void mem_close(memout *m)
{
	assert_int_equal(fclose(m->f), 0);
	m->f = NULL;
}

static void expect_escaped(const char *in, size_t len, const char *want)
{
	memout m;
	mem_open(&m);
	bw_json_escape(m.f, in, len);
	mem_close(&m);
	if (m.len != strlen(want) || memcmp(m.buf, want, m.len) != 0)
		fail_msg("escape gave \"%s\", expected \"%s\"", m.buf, want);
	free(m.buf);
}

static void test_jsonw_escaping(void **state)
{
	(void)state;
	expect_escaped("plain", 5, "plain");
	expect_escaped("a\"b\\c/d", 7, "a\\\"b\\\\c/d");
	expect_escaped("\n\t\r", 3, "\\n\\t\\r");
	expect_escaped("\x01\x1f\b\f\x7f", 5, "\\u0001\\u001f\\u0008\\u000c\x7f");
	expect_escaped("a\0b", 3, "a\\u0000b");
	/* invalid UTF-8: every bad byte becomes U+FFFD */
	expect_escaped("\xff", 1, "\\ufffd");
	expect_escaped("x\xc3", 2, "x\\ufffd");                 /* truncated 2-byte */
	expect_escaped("\xe2\x82", 2, "\\ufffd\\ufffd");        /* truncated 3-byte */
	expect_escaped("\xc0\xaf", 2, "\\ufffd\\ufffd");        /* overlong '/' */
	expect_escaped("\xe0\x80\xaf", 3, "\\ufffd\\ufffd\\ufffd"); /* overlong 3-byte */
	expect_escaped("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"); /* surrogate D800 */
	expect_escaped("\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"); /* > U+10FFFF */
	expect_escaped("\x80z", 2, "\\ufffdz");                 /* lone continuation */
	expect_escaped("\xc3(", 2, "\\ufffd(");                 /* bad continuation */
	/* valid multibyte kept byte for byte */
	expect_escaped("\xc3\xa9", 2, "\xc3\xa9");              /* é */
	expect_escaped("\xe2\x82\xac", 3, "\xe2\x82\xac");      /* € */
	expect_escaped("\xf0\x9d\x84\x9e", 4, "\xf0\x9d\x84\x9e"); /* 𝄞 */
	expect_escaped("\xef\xbf\xbd", 3, "\xef\xbf\xbd");      /* U+FFFD itself */
	expect_escaped("\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	expect_escaped("caf\xc3\xa9\xff!", 7, "caf\xc3\xa9\\ufffd!");
	/* only len bytes are read */
	expect_escaped("abcdef", 3, "abc");
}

static void test_jsonw_document(void **state)
{
	(void)state;
	memout m;
	bw_jsonw w;

	mem_open(&m);
	bw_jw_init(&w, m.f, false);
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "name", "say \"hi\"\n");
	bw_jw_kv_uint(&w, "size", 18446744073709551615ULL);
	bw_jw_kv_bool(&w, "ok", true);
	bw_jw_kv_string(&w, "none", NULL);
	bw_jw_key(&w, "k\"ey");
	bw_jw_array_begin(&w);
	bw_jw_int(&w, -42);
	bw_jw_bool(&w, false);
	bw_jw_null(&w);
	bw_jw_stringn(&w, "bad\xff\x01", 5);
	bw_jw_object_begin(&w);
	bw_jw_object_end(&w);
	bw_jw_array_begin(&w);
	bw_jw_array_end(&w);
	bw_jw_array_end(&w);
	bw_jw_object_end(&w);
	assert_int_equal(bw_jw_finish(&w), 0);
	mem_close(&m);
	assert_string_equal(m.buf,
			    "{\"name\":\"say \\\"hi\\\"\\n\",\"size\":18446744073709551615,\"ok\":true,"
			    "\"none\":null,\"k\\\"ey\":[-42,false,null,\"bad\\ufffd\\u0001\",{},[]]}\n");
	/* whatever was written must be valid JSON */
	json_error_t err;
	json_t *j = json_loads(m.buf, JSON_DECODE_INT_AS_REAL, &err); /* 2^64-1 > json_int_t */
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "say \"hi\"\n");
	json_decref(j);
	free(m.buf);

	/* pretty form */
	mem_open(&m);
	bw_jw_init(&w, m.f, true);
	bw_jw_object_begin(&w);
	bw_jw_kv_uint(&w, "a", 1);
	bw_jw_key(&w, "b");
	bw_jw_array_begin(&w);
	bw_jw_string(&w, "x");
	bw_jw_array_end(&w);
	bw_jw_key(&w, "c");
	bw_jw_object_begin(&w);
	bw_jw_object_end(&w);
	bw_jw_object_end(&w);
	assert_int_equal(bw_jw_finish(&w), 0);
	mem_close(&m);
	assert_string_equal(m.buf, "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ],\n  \"c\": {}\n}\n");
	free(m.buf);

	/* unbalanced: finish reports failure */
	mem_open(&m);
	bw_jw_init(&w, m.f, false);
	bw_jw_array_begin(&w);
	assert_int_equal(bw_jw_finish(&w), -1);
	mem_close(&m);
	free(m.buf);
	mem_open(&m);
	bw_jw_init(&w, m.f, false);
	bw_jw_array_end(&w);
	assert_int_equal(bw_jw_finish(&w), -1);
	mem_close(&m);
	free(m.buf);
}

/* ------------------------------------------------------------------ digest */

#define HEX64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC512                                                                         \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"             \
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

static void test_digest_parse(void **state)
{
	(void)state;
	bw_digest d;

	assert_int_equal(bw_digest_parse("layer", "sha256:" HEX64, &d), 0);
	assert_int_equal(d.alg, BW_SHA256);
	assert_string_equal(d.text, "sha256:" HEX64);
	assert_string_equal(bw_digest_hex(&d), HEX64);
	assert_string_equal(bw_digest_alg_name(d.alg), "sha256");

	assert_int_equal(bw_digest_parse("layer", "sha512:" ABC512, &d), 0);
	assert_int_equal(d.alg, BW_SHA512);
	assert_string_equal(d.text, "sha512:" ABC512);
	assert_string_equal(bw_digest_hex(&d), ABC512);
	assert_string_equal(bw_digest_alg_name(d.alg), "sha512");

	bw_digest e;
	assert_int_equal(bw_digest_parse("x", "sha512:" ABC512, &e), 0);
	assert_true(bw_digest_equal(&d, &e));
	assert_int_equal(bw_digest_parse("x", "sha256:" HEX64, &e), 0);
	assert_false(bw_digest_equal(&d, &e));

	static const char *const bad[] = {
		"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", /* upper */
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852B855", /* one upper */
		"sha256:" HEX64 "0",                                                     /* 65 */
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", /* 63 */
		"sha256:",
		"sha512:" HEX64,                                                         /* 64 for 512 */
		"sha256:" ABC512,                                                        /* 128 for 256 */
		"sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", /* not hex */
		"sha256:" HEX64 "\n",
		"md5:d41d8cd98f00b204e9800998ecf8427e",
		"sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
		"SHA256:" HEX64,
		"sha25:" HEX64,
		"sha2566:" HEX64,
		":" HEX64,
		HEX64,
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bw_error_clear();
		if (bw_digest_parse("manifest layers[3]", bad[i], &d) != BW_EINPUT)
			fail_msg("digest \"%s\" accepted", bad[i]);
		assert_int_equal(bw_error_last()->code, BW_EINPUT);
		assert_true(strncmp(bw_error_last()->message, "manifest layers[3]: ", 20) == 0);
	}
	assert_int_equal(bw_digest_parse("nul", NULL, &d), BW_EINPUT);

	bw_digest_parse("m", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", &d);
	assert_contains(bw_error_last()->message, "lowercase hex");
	bw_digest_parse("m", "sha256:abc", &d);
	assert_contains(bw_error_last()->message, "3 hex digits, not 64");
	bw_digest_parse("m", "md5:d41d8cd98f00b204e9800998ecf8427e", &d);
	assert_contains(bw_error_last()->message, "unsupported digest algorithm");
}

static void test_digest_buffer(void **state)
{
	(void)state;
	bw_digest d;

	assert_int_equal(bw_digest_buffer(BW_SHA256, "abc", 3, &d), 0);
	assert_int_equal(d.alg, BW_SHA256);
	assert_string_equal(d.text, "sha256:" ABC256);
	assert_int_equal(bw_digest_buffer(BW_SHA512, "abc", 3, &d), 0);
	assert_int_equal(d.alg, BW_SHA512);
	assert_string_equal(d.text, "sha512:" ABC512);
	assert_int_equal(bw_digest_buffer(BW_SHA256, "", 0, &d), 0);
	assert_string_equal(d.text, "sha256:" HEX64);

	/* a computed digest parses back to itself */
	bw_digest p;
	assert_int_equal(bw_digest_buffer(BW_SHA512, "abc", 3, &d), 0);
	assert_int_equal(bw_digest_parse("self", d.text, &p), 0);
	assert_true(bw_digest_equal(&d, &p));

	/* streaming in pieces gives the same digest as one shot */
	/* FIPS 180-2 two-block message */
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	assert_non_null(h);
	for (size_t i = 0; i < strlen(msg); i += 5)
		bw_hasher_update(h, msg + i, strlen(msg) - i < 5 ? strlen(msg) - i : 5);
	bw_hasher_final(h, &d);
	bw_hasher_free(h);
	assert_string_equal(d.text,
			    "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	bw_hasher_free(NULL);
}

/* RFC 3629 section 3 and its examples: the one decoder dockerfile.c, jsonw.c, yaml.c and the
 * secrets validator share. */
static void test_utf8(void **state)
{
	(void)state;
	static const struct { const char *bytes; size_t len, seq, prefix; } cases[] = {
		{ "A", 1, 1, 1 },
		{ "\xC2\xA9", 2, 2, 2 },                 /* U+00A9 */
		{ "\xE2\x82\xAC", 3, 3, 3 },             /* U+20AC */
		{ "\xF0\x9F\x98\x80", 4, 4, 4 },         /* U+1F600 */
		{ "\xF4\x8F\xBF\xBF", 4, 4, 4 },         /* U+10FFFF, the last */
		{ "\xF4\x90\x80\x80", 4, 0, 0 },         /* past U+10FFFF */
		{ "\xC0\x80", 2, 0, 0 },                 /* overlong NUL */
		{ "\xE0\x80\xAF", 3, 0, 0 },             /* overlong '/' */
		{ "\xED\xA0\x80", 3, 0, 0 },             /* surrogate U+D800 */
		{ "\xE2\x82", 2, 0, 0 },                 /* cut short */
		{ "\x80", 1, 0, 0 },                     /* a continuation byte alone */
		{ "\xF8\x88\x80\x80\x80", 5, 0, 0 },     /* 5-byte form */
		{ "ok\xC3\xA9\xFF!", 6, 1, 4 },           /* valid up to the 0xFF */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const unsigned char *b = (const unsigned char *)cases[i].bytes;
		assert_int_equal(bw_utf8_seq_len(b, cases[i].len), cases[i].seq);
		assert_int_equal(bw_utf8_valid_prefix(b, cases[i].len), cases[i].prefix);
		assert_int_equal(bw_utf8_valid(b, cases[i].len), cases[i].prefix == cases[i].len);
	}
	assert_int_equal(bw_utf8_seq_len((const unsigned char *)"", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_ceiling),
		cmocka_unit_test(test_buf_nul_and_growth),
		cmocka_unit_test(test_strmap_basic),
		cmocka_unit_test(test_strmap_tombstones),
		cmocka_unit_test(test_strmap_growth),
		cmocka_unit_test(test_path_from_tar),
		cmocka_unit_test(test_path_limits),
		cmocka_unit_test(test_path_join_link),
		cmocka_unit_test(test_path_dirname),
		cmocka_unit_test(test_json_parse_ok_and_size),
		cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_json_duplicates_and_nul),
		cmocka_unit_test(test_json_getters),
		cmocka_unit_test(test_jsonw_escaping),
		cmocka_unit_test(test_jsonw_document),
		cmocka_unit_test(test_digest_parse),
		cmocka_unit_test(test_digest_buffer),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
