/*
 * Unit tests for src/pin (bulwark/pin.h) and src/util/yaml_scan.c: which
 * references the finders report and where (byte ranges checked against the
 * text), what they skip (stage names, scratch, heredocs, env values), quoting
 * and non-ASCII text before a reference, the reference check, the pinned text,
 * byte-range edits and the unified diff (hunks written out by hand from diff -u).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "bulwark/pin.h"

#define MAX_FOUND 16

typedef struct found {
	size_t n;
	char text[MAX_FOUND][256];   /* the bytes of the range */
	char ref[MAX_FOUND][256];    /* the reference */
	const char *where[MAX_FOUND];
	size_t line[MAX_FOUND];
	bool pinned[MAX_FOUND], in_place[MAX_FOUND], variable[MAX_FOUND];
	const char *input;
} found;

static int collect(const bw_pin_ref *r, void *arg)
{
	found *f = arg;
	assert_true(f->n < MAX_FOUND);
	assert_true(r->end >= r->start && r->end - r->start < 256);
	memcpy(f->text[f->n], f->input + r->start, r->end - r->start);
	f->text[f->n][r->end - r->start] = '\0';
	snprintf(f->ref[f->n], 256, "%s", r->reference);
	f->where[f->n] = r->where;
	f->line[f->n] = r->line;
	f->pinned[f->n] = r->pinned;
	f->in_place[f->n] = r->in_place;
	f->variable[f->n] = r->variable;
	f->n++;
	return 0;
}

static int find(const char *text, bw_pin_kind kind, found *f)
{
	memset(f, 0, sizeof(*f));
	f->input = text;
	return bw_pin_find("test", text, strlen(text), kind, collect, f);
}

static void test_kubernetes(void **state)
{
	(void)state;
	found f;
	const char *y =
		"# héllo wörld: non-ASCII before the references moves bytes, not characters\n"
		"apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
		"        spec:\n          initContainers:\n          - image: \"a.io/init:1\"  # c\n"
		"          containers:\n          - name: x\n            image: a.io/app:2\n"
		"            env: [{name: image, value: \"not/this:1\"}]\n"
		"          ephemeralContainers: [{image: 'a.io/dbg:3'}]\n"
		"---\nkind: Pod\nmetadata: {image: not/this:either}\nspec: {containers: [{image: \"a.io/x:1@sha256:"
		"0000000000000000000000000000000000000000000000000000000000000000\"}]}\n";
	assert_int_equal(find(y, BW_PIN_YAML, &f), 0);
	assert_int_equal(f.n, 4);
	assert_string_equal(f.text[0], "a.io/init:1");
	assert_string_equal(f.where[0], "initContainers");
	assert_int_equal(f.line[0], 10);
	assert_string_equal(f.text[1], "a.io/app:2");
	assert_string_equal(f.where[1], "containers");
	assert_string_equal(f.text[2], "a.io/dbg:3");
	assert_string_equal(f.where[2], "ephemeralContainers");
	assert_true(f.pinned[3]);
	assert_false(f.pinned[0]);
	for (size_t i = 0; i < f.n; i++) {
		assert_true(f.in_place[i]);
		assert_string_equal(f.text[i], f.ref[i]);
	}
}

static void test_yaml_not_in_place(void **state)
{
	(void)state;
	found f;
	assert_int_equal(find("spec:\n  containers:\n  - image: \"a.io/\\x61pp:1\"\n", BW_PIN_YAML, &f), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.ref[0], "a.io/app:1");
	assert_false(f.in_place[0]);
	assert_int_equal(find("spec:\n  containers:\n  - image: >-\n      a.io/app:1\n", BW_PIN_YAML, &f), 0);
	assert_false(f.in_place[0]);
}

static void test_compose(void **state)
{
	(void)state;
	found f;
	assert_int_equal(find("services:\n  web:\n    image: a.io/web:1 # x\n  db:\n    build: .\n"
			      "x-other:\n  image: not/this:1\n", BW_PIN_YAML, &f), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.text[0], "a.io/web:1");
	assert_string_equal(f.where[0], "services");
}

static void test_yaml_hostile(void **state)
{
	(void)state;
	found f;
	assert_int_equal(find("a: &x [1]\nb: *x\n", BW_PIN_YAML, &f), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "anchors are not accepted"));
	assert_int_equal(find("b: *x\n", BW_PIN_YAML, &f), BW_EINPUT);
	assert_int_equal(find("spec: {containers: [{image: \"x;id\"}]}\n", BW_PIN_YAML, &f), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "test:1: image reference \"x...\": shell metacharacter ';'"));
	assert_int_equal(find("{[a]: b}\n", BW_PIN_YAML, &f), BW_EINPUT);
	assert_int_equal(find("a: [\n", BW_PIN_YAML, &f), BW_EINPUT);
	char *deep = malloc(1000);
	memset(deep, '[', 999);
	deep[999] = '\0';
	assert_int_equal(find(deep, BW_PIN_YAML, &f), BW_EINPUT);
	free(deep);
	assert_int_equal(bw_pin_find("big", "", (size_t)BW_PIN_MAX_FILE_BYTES + 1, BW_PIN_YAML, collect, &f), BW_EINPUT);
}

static void test_dockerfile(void **state)
{
	(void)state;
	found f;
	const char *d =
		"# syntax=docker/dockerfile:1\n"
		"ARG V=1\n"
		"FROM a.io/base:1 AS build\n"
		"from --platform=$BUILDPLATFORM a.io/tool:2 as tool\n"
		"FROM build AS again\n"
		"FROM scratch\n"
		"COPY --from=build /a /a\n"
		"COPY --from=1 /a /a\n"
		"COPY --chmod=644 \\\n"
		"  --from=a.io/other:3 /b /b\n"
		"RUN <<EOF\nFROM not/this:1\nEOF\n"
		"FROM a.io/x:$V\n"
		"FROM a.io/base:1\n";
	assert_int_equal(find(d, BW_PIN_DOCKERFILE, &f), 0);
	assert_int_equal(f.n, 5);
	assert_string_equal(f.text[0], "a.io/base:1");
	assert_int_equal(f.line[0], 3);
	assert_string_equal(f.text[1], "a.io/tool:2");
	assert_string_equal(f.text[2], "a.io/other:3");
	assert_string_equal(f.where[2], "COPY --from");
	assert_int_equal(f.line[2], 10);
	assert_true(f.variable[3]);
	assert_string_equal(f.text[4], "a.io/base:1");
	assert_int_equal(f.line[4], 15);

	/* "FROM x AS x": x is an image, not the stage it names */
	assert_int_equal(find("FROM a.io/x AS a.io/x\n", BW_PIN_DOCKERFILE, &f), 0);
	assert_int_equal(f.n, 1);
	/* escape directive: a backtick continues lines, a backslash is ordinary */
	assert_int_equal(find("# escape=`\nCOPY `\n --from=a.io/w:1 c:\\a c:\\b\n", BW_PIN_DOCKERFILE, &f), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.text[0], "a.io/w:1");
	assert_int_equal(find("FROM alpine|sh\n", BW_PIN_DOCKERFILE, &f), BW_EINPUT);
}

static void test_templates(void **state)
{
	(void)state;
	found f;
	assert_true(bw_pin_is_template("$IMAGE"));
	assert_true(bw_pin_is_template("a.io/app:${TAG}"));
	assert_true(bw_pin_is_template("${REG:-a.io}/app:${TAG:-1.0}"));
	assert_true(bw_pin_is_template("a.io/$NAME:1"));
	assert_false(bw_pin_is_template("a.io/app:1"));
	assert_false(bw_pin_is_template("nginx$(reboot)"));
	assert_false(bw_pin_is_template("${TAG};id"));
	assert_false(bw_pin_is_template("${TAG"));
	assert_false(bw_pin_is_template("${1x}"));
	assert_false(bw_pin_is_template("${T:-`id`}"));
	assert_int_equal(find("services:\n  a:\n    image: \"x/y:${TAG:-1}\"\n  b:\n    image: x/z:1\n", BW_PIN_YAML, &f), 0);
	assert_int_equal(f.n, 2);
	assert_true(f.variable[0]);
	assert_false(f.in_place[0]);
	assert_false(f.variable[1]);
	assert_int_equal(find("services:\n  a:\n    image: \"x/y:$(id)\"\n", BW_PIN_YAML, &f), BW_EINPUT);
	assert_int_equal(find("FROM x/y:$(id)\n", BW_PIN_DOCKERFILE, &f), BW_EINPUT);
}

static void test_check_reference(void **state)
{
	(void)state;
	assert_int_equal(bw_pin_check_reference("f", 1, "nginx"), 0);
	assert_int_equal(bw_pin_check_reference("f", 1, "127.0.0.1:5000/a/b:v1.2_3"), 0);
	assert_int_equal(bw_pin_check_reference("f", 1, "a@sha256:0000000000000000000000000000000000000000000000000000000000000000"), 0);
	assert_int_equal(bw_pin_check_reference("f", 1, ""), BW_EINPUT);
	assert_int_equal(bw_pin_check_reference("f", 7, "a\nb"), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "f:7:"));
	assert_non_null(strstr(bw_error_last()->message, "\\x0a"));
	assert_int_equal(bw_pin_check_reference("f", 1, "a b"), BW_EINPUT);
	assert_int_equal(bw_pin_check_reference("f", 1, "x/Upper"), BW_EINPUT);
	assert_int_equal(bw_pin_check_reference("f", 1, "a:b:c"), BW_EINPUT);
	char long_ref[700];
	memset(long_ref, 'a', sizeof(long_ref) - 1);
	long_ref[sizeof(long_ref) - 1] = '\0';
	assert_int_equal(bw_pin_check_reference("f", 1, long_ref), BW_EINPUT);
}

static void test_pinned_text(void **state)
{
	(void)state;
	char out[300];
	assert_int_equal(bw_pin_pinned_text("a.io:5000/x/y:1", "sha256:ab", out, sizeof(out)), 0);
	assert_string_equal(out, "a.io:5000/x/y:1@sha256:ab");
	assert_int_equal(bw_pin_pinned_text("a.io:5000/x/y", "sha256:ab", out, sizeof(out)), 0);
	assert_string_equal(out, "a.io:5000/x/y:latest@sha256:ab");
	assert_int_equal(bw_pin_pinned_text("nginx", "sha256:ab", out, 10), BW_EINPUT);
}

static void test_apply_and_diff(void **state)
{
	(void)state;
	const char *old = "1\n2\n3\n4\nimage: a\n6\n7\n8\n9\n10\n11\n12\nimage: b\n14";
	size_t oa = strstr(old, "a\n") - old, ob = strstr(old, "b\n") - old;
	bw_pin_edit e[2] = { { oa, oa + 1, "a@x" }, { ob, ob + 1, "b@y" } };
	char *neu, *diff;
	size_t nlen, dlen;

	assert_int_equal(bw_pin_apply("t", old, strlen(old), e, 2, &neu, &nlen), 0);
	assert_string_equal(neu, "1\n2\n3\n4\nimage: a@x\n6\n7\n8\n9\n10\n11\n12\nimage: b@y\n14");
	assert_int_equal(nlen, strlen(neu));
	assert_int_equal(bw_pin_unified_diff("f.yaml", old, strlen(old), neu, nlen, &diff, &dlen), 0);
	/* as GNU diff -u writes it: 7 unchanged lines between the changes make two hunks */
	assert_string_equal(diff, "--- a/f.yaml\n+++ b/f.yaml\n"
				  "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-image: a\n+image: a@x\n 6\n 7\n 8\n"
				  "@@ -10,5 +10,5 @@\n 10\n 11\n 12\n-image: b\n+image: b@y\n 14\n\\ No newline at end of file\n");
	free(diff);
	free(neu);
	/* 6 unchanged lines between them: one hunk (GNU diff -u) */
	const char *old2 = "image: a\n2\n3\n4\n5\n6\n7\nimage: b\n9\n";
	bw_pin_edit e2[2] = { { 7, 8, "a@x" }, { 28, 29, "b@y" } };
	assert_int_equal(bw_pin_apply("t", old2, strlen(old2), e2, 2, &neu, &nlen), 0);
	assert_int_equal(bw_pin_unified_diff("f", old2, strlen(old2), neu, nlen, &diff, &dlen), 0);
	assert_string_equal(diff, "--- a/f\n+++ b/f\n@@ -1,9 +1,9 @@\n-image: a\n+image: a@x\n 2\n 3\n 4\n 5\n 6\n 7\n"
				  "-image: b\n+image: b@y\n 9\n");
	free(diff);
	free(neu);
	/* overlapping edits are refused */
	bw_pin_edit bad[2] = { { 2, 5, "x" }, { 3, 4, "y" } };
	assert_int_equal(bw_pin_apply("t", old, strlen(old), bad, 2, &neu, &nlen), BW_EINTERNAL);
	assert_int_equal(bw_pin_unified_diff("f", old, strlen(old), old, strlen(old), &diff, &dlen), 0);
	assert_string_equal(diff, "");
	free(diff);
}

static void test_kind_of(void **state)
{
	(void)state;
	assert_int_equal(bw_pin_kind_of("x/Dockerfile"), BW_PIN_DOCKERFILE);
	assert_int_equal(bw_pin_kind_of("Dockerfile.prod"), BW_PIN_DOCKERFILE);
	assert_int_equal(bw_pin_kind_of("app.Containerfile"), BW_PIN_DOCKERFILE);
	assert_int_equal(bw_pin_kind_of("deploy/app.yaml"), BW_PIN_YAML);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_yaml_not_in_place),
		cmocka_unit_test(test_compose),
		cmocka_unit_test(test_yaml_hostile),
		cmocka_unit_test(test_dockerfile),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_check_reference),
		cmocka_unit_test(test_pinned_text),
		cmocka_unit_test(test_apply_and_diff),
		cmocka_unit_test(test_kind_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
