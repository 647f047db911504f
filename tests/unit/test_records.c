/*
 * Unit tests for src/db/records.c (bulwark/records.h) and src/diff/files.c:
 * the approval store's order, rollback target and refusals; the file-list
 * comparison that diff and drift share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "bulwark/records.h"
#include "diff/files.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

typedef struct seen {
	size_t n;
	char digests[8][80];
	char who[64], when[32];
} seen;

static int collect(const bw_record *r, void *arg)
{
	seen *s = arg;
	if (s->n < 8)
		snprintf(s->digests[s->n], sizeof(s->digests[0]), "%s", r->digest);
	snprintf(s->who, sizeof(s->who), "%s", r->who);
	snprintf(s->when, sizeof(s->when), "%s", r->when);
	s->n++;
	return 0;
}

static void test_store(void **state)
{
	(void)state;
	char dir[] = "/tmp/bw-records-XXXXXX", path[128];
	bw_records *r;
	seen s;
	int64_t id1, id2;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/records.sqlite", dir);
	assert_int_equal(bw_records_open(&r, path, false), BW_EINPUT); /* reading a missing store */
	assert_int_equal(bw_records_open(&r, path, true), 0);
	bw_record a = { .name = "web", .digest = D1, .reference = "r/web:v1", .who = "alice", .when = "2026-01-01T00:00:00Z" };
	assert_int_equal(bw_records_approve(r, &a, &id1), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bw_records_previous(r, "web", collect, &s), BW_EINPUT); /* one approval only */
	bw_record b = { .name = "web", .digest = D2, .reference = "r/web:v2" };
	assert_int_equal(bw_records_approve(r, &b, &id2), 0);
	assert_true(id2 > id1);
	assert_int_equal(bw_records_approve(r, &b, NULL), 0); /* the same digest again */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bw_records_list(r, "web", collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.digests[0], D2);
	assert_string_equal(s.digests[2], D1);
	assert_string_equal(s.who, "alice");
	memset(&s, 0, sizeof(s));
	assert_int_equal(bw_records_previous(r, "web", collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.digests[0], D1);
	assert_int_equal(strlen(s.when), 20);
	/* other names are separate */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bw_records_list(r, "api", collect, &s), 0);
	assert_int_equal(s.n, 0);
	/* refused: control characters, empty or over-long text, a digest that is not one */
	bw_record bad = { .name = "web", .digest = D1, .reference = "r", .note = "a\nb" };
	assert_int_equal(bw_records_approve(r, &bad, NULL), BW_EUSAGE);
	bad.note = NULL;
	bad.digest = "latest";
	assert_int_equal(bw_records_approve(r, &bad, NULL), BW_EUSAGE);
	char *big = malloc(BW_RECORD_MAX_TEXT + 2);
	memset(big, 'n', BW_RECORD_MAX_TEXT + 1);
	big[BW_RECORD_MAX_TEXT + 1] = '\0';
	bad.digest = D1;
	bad.name = big;
	assert_int_equal(bw_records_approve(r, &bad, NULL), BW_EUSAGE);
	free(big);
	bw_records_close(r);
	/* reopened read-only: the rows are there */
	assert_int_equal(bw_records_open(&r, path, false), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bw_records_list(r, "web", collect, &s), 0);
	assert_int_equal(s.n, 3);
	bw_records_close(r);
	/* a file that is not a store */
	FILE *f = fopen(path, "w");
	fputs("garbage that is not sqlite, long enough to be read as a header.....................", f);
	fclose(f);
	assert_int_equal(bw_records_open(&r, path, false), BW_EINPUT);
	unlink(path);
	char sub[140];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	rmdir(sub);
	rmdir(dir);
}

typedef struct merged {
	char log[512];
} merged;

static int merge_cb(const bw_fentry *a, const bw_fentry *b, void *arg)
{
	merged *m = arg;
	char what[64];
	size_t n = strlen(m->log);
	const char *tag = !a ? "+" : !b ? "-" : "=";
	snprintf(m->log + n, sizeof(m->log) - n, "%s%s(%s) ", tag, (a ? a : b)->path,
		 a && b ? bw_fchange_text(bw_fentry_compare(a, b, false), what, sizeof(what)) : "");
	return 0;
}

static void test_flist(void **state)
{
	(void)state;
	bw_flist a = { 0 }, b = { 0 };
	merged m = { "" };

	assert_int_equal(bw_flist_add(&a, "/etc", 'd', 0755, 0, 0, 0, NULL, NULL), 0);
	assert_int_equal(bw_flist_add(&a, "/etc/passwd", 'f', 0644, 0, 0, 5, NULL, "sha256:aa"), 0);
	assert_int_equal(bw_flist_add(&a, "/bin/sh", 'l', 0777, 0, 0, 0, "dash", NULL), 0);
	assert_int_equal(bw_flist_add(&a, "/gone", 'f', 0644, 0, 0, 0, NULL, "sha256:00"), 0);
	assert_int_equal(bw_flist_add(&b, "/etc/passwd", 'f', 04755, 1, 0, 6, NULL, "sha256:bb"), 0);
	assert_int_equal(bw_flist_add(&b, "/etc", 'd', 0700, 0, 0, 0, NULL, NULL), 0);
	assert_int_equal(bw_flist_add(&b, "/bin/sh", 'l', 0777, 0, 0, 0, "bash", NULL), 0);
	assert_int_equal(bw_flist_add(&b, "/new", 'h', 0644, 0, 0, 0, NULL, "sha256:00"), 0);
	bw_flist_sort(&a);
	bw_flist_sort(&b);
	assert_int_equal(bw_flist_merge(&a, &b, merge_cb, &m), 0);
	/* a directory's mode is not compared for drift; a hard link is a file */
	assert_string_equal(m.log, "=/bin/sh(link) =/etc() =/etc/passwd(content,mode,owner) -/gone() +/new() ");
	assert_int_equal(b.v[3].type, 'f');
	/* the same entry of another type: type alone */
	bw_fentry x = a.v[1], y = a.v[1];
	y.type = 'l';
	assert_int_equal(bw_fentry_compare(&x, &y, true), BW_FCHANGE_TYPE);
	/* diff compares directory modes */
	assert_int_equal(bw_fentry_compare(&a.v[1], &b.v[1], true), BW_FCHANGE_MODE);
	bw_flist_free(&a);
	bw_flist_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_flist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
