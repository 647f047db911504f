/*
 * Unit tests for src/image/fs: the merged filesystem, whiteouts, and link
 * resolution. Trees are built by hand with bw_fs_add / bw_fs_whiteout.
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
#include "image/analyzer.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "util/limits.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* ------------------------------------------------------------------ helpers */

static void add_full(bw_fs *fs, const char *path, char type, const char *link, size_t layer,
		     uint32_t mode, uint64_t size)
{
	/* the entry's strings are the caller's: copy them so the fs cannot rely
	 * on them outliving the call */
	char *p = strdup(path), *l = link ? strdup(link) : NULL;
	bw_entry e = {
		.path = p,
		.path_len = strlen(p),
		.name = strrchr(p, '/') + 1,
		.type = type,
		.mode = mode,
		.uid = 1000 + layer,
		.gid = 2000 + layer,
		.size = size,
		.link = l,
		.layer = layer,
	};
	int rc = bw_fs_add(fs, &e);
	if (rc != 0)
		fail_msg("bw_fs_add(%s): %d %s", path, rc, bw_error_last()->message);
	memset(p, 'X', strlen(p)); /* scribble: a kept pointer would show */
	if (l)
		memset(l, 'X', strlen(l));
	free(p);
	free(l);
}

static void add(bw_fs *fs, const char *path, char type, const char *link, size_t layer)
{
	add_full(fs, path, type, link, layer, type == BW_FT_DIR ? 0755 : 0644, 0);
}

static void file(bw_fs *fs, const char *path, size_t layer) { add(fs, path, BW_FT_FILE, NULL, layer); }
static void dir(bw_fs *fs, const char *path, size_t layer) { add(fs, path, BW_FT_DIR, NULL, layer); }
static void symlink_(bw_fs *fs, const char *path, const char *target, size_t layer)
{
	add(fs, path, BW_FT_SYMLINK, target, layer);
}

static void wh(bw_fs *fs, bw_rec_kind kind, const char *path, uint32_t layer)
{
	char *p = strdup(path);
	int rc = bw_fs_whiteout(fs, kind, p, layer);
	if (rc != 0)
		fail_msg("bw_fs_whiteout(%s): %d", path, rc);
	free(p);
}

/* The walk, as one string: "path:type:layer\n" per node. */
typedef struct listing {
	char buf[16384];
	size_t n;
	int calls;
	int stop_after;
} listing;

static int collect(const bw_fsnode *n, void *ctx)
{
	listing *l = ctx;
	l->n += (size_t)snprintf(l->buf + l->n, sizeof(l->buf) - l->n, "%s:%c:%u\n", n->path, n->type,
				 n->layer);
	assert_true(l->n < sizeof(l->buf));
	l->calls++;
	if (l->stop_after && l->calls == l->stop_after)
		return 42;
	return 0;
}

static const char *walk(const bw_fs *fs)
{
	static listing l;
	memset(&l, 0, sizeof(l));
	assert_int_equal(bw_fs_walk(fs, collect, &l), 0);
	return l.buf;
}

static int collect_deleted(const bw_fs_deleted *d, void *ctx)
{
	listing *l = ctx;
	l->n += (size_t)snprintf(l->buf + l->n, sizeof(l->buf) - l->n, "%s:%u<-%u\n", d->path, d->layer,
				 d->from_layer);
	assert_true(l->n < sizeof(l->buf));
	return 0;
}

static const char *walk_deleted(const bw_fs *fs)
{
	static listing l;
	memset(&l, 0, sizeof(l));
	assert_int_equal(bw_fs_walk_deleted(fs, collect_deleted, &l), 0);
	return l.buf;
}

static bw_fsnode *get(const bw_fs *fs, const char *path)
{
	return bw_fs_get(fs, path);
}

/* ------------------------------------------------------------------ tree */

static void test_implicit_parents(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);
	assert_non_null(fs);
	assert_int_equal(bw_fs_count(fs), 0);
	bw_fsnode *root = get(fs, "/");
	assert_non_null(root);
	assert_int_equal(root->type, BW_FT_DIR);

	add_full(fs, "/usr/bin/env", BW_FT_FILE, NULL, 2, 0755, 12345);
	assert_int_equal(bw_fs_count(fs), 3);
	bw_fsnode *usr = get(fs, "/usr"), *bin = get(fs, "/usr/bin"), *env = get(fs, "/usr/bin/env");
	assert_non_null(usr);
	assert_non_null(bin);
	assert_non_null(env);
	assert_int_equal(usr->type, BW_FT_DIR);
	assert_int_equal(bin->type, BW_FT_DIR);
	assert_int_equal(usr->layer, 2);
	assert_int_equal(bin->layer, 2);
	assert_int_equal(usr->mode, 0755);
	assert_int_equal(env->type, BW_FT_FILE);
	assert_int_equal(env->size, 12345);
	assert_int_equal(env->mode, 0755);
	assert_int_equal(env->uid, 1002);
	assert_int_equal(env->gid, 2002);
	assert_int_equal(env->layer, 2);
	assert_string_equal(env->path, "/usr/bin/env");
	assert_null(env->link);
	/* the tree links */
	assert_ptr_equal(bw_fs_parent(fs, env), bin);
	assert_ptr_equal(bw_fs_parent(fs, bin), usr);
	assert_ptr_equal(bw_fs_parent(fs, usr), root);
	assert_ptr_equal(bw_fs_first_child(fs, bin), env);
	assert_ptr_equal(bw_fs_first_child(fs, root), usr);
	assert_null(get(fs, "/usr/bin/en"));
	assert_null(get(fs, "/usr/bi"));
	assert_null(get(fs, "/usr/bin/env/x"));

	/* an explicit entry for an implicit directory takes over its metadata */
	add_full(fs, "/usr", BW_FT_DIR, NULL, 3, 0700, 0);
	assert_int_equal(bw_fs_count(fs), 3);
	assert_ptr_equal(get(fs, "/usr/bin/env"), env);
	assert_int_equal(get(fs, "/usr")->mode, 0700);
	assert_int_equal(get(fs, "/usr")->layer, 3);

	/* the root's own entry ("./") sets the root's metadata, adds no node */
	add_full(fs, "/", BW_FT_DIR, NULL, 1, 0700, 0);
	assert_int_equal(bw_fs_count(fs), 3);
	assert_int_equal(get(fs, "/")->mode, 0700);
	assert_int_equal(get(fs, "/")->uid, 1001);

	assert_string_equal(walk(fs), "/usr:d:3\n/usr/bin:d:2\n/usr/bin/env:f:2\n");
	bw_fs_free(fs);
	bw_fs_free(NULL);
}

static void test_replace(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);

	/* file by file */
	add_full(fs, "/etc/passwd", BW_FT_FILE, NULL, 0, 0644, 10);
	add_full(fs, "/etc/passwd", BW_FT_FILE, NULL, 1, 0600, 20);
	assert_int_equal(bw_fs_count(fs), 2);
	bw_fsnode *n = get(fs, "/etc/passwd");
	assert_int_equal(n->layer, 1);
	assert_int_equal(n->size, 20);
	assert_int_equal(n->mode, 0600);
	assert_int_equal(get(fs, "/etc")->layer, 0);

	/* symlink by file: the link target is gone */
	symlink_(fs, "/etc/localtime", "/usr/share/zoneinfo/UTC", 0);
	assert_string_equal(get(fs, "/etc/localtime")->link, "/usr/share/zoneinfo/UTC");
	file(fs, "/etc/localtime", 1);
	assert_int_equal(get(fs, "/etc/localtime")->type, BW_FT_FILE);
	assert_null(get(fs, "/etc/localtime")->link);

	/* dir over dir keeps the children, takes the new metadata */
	dir(fs, "/var", 0);
	file(fs, "/var/a", 0);
	add_full(fs, "/var/sub/b", BW_FT_FILE, NULL, 0, 0644, 5);
	add_full(fs, "/var", BW_FT_DIR, NULL, 1, 0700, 0);
	assert_non_null(get(fs, "/var/a"));
	assert_non_null(get(fs, "/var/sub/b"));
	assert_int_equal(get(fs, "/var")->mode, 0700);
	assert_int_equal(get(fs, "/var")->layer, 1);
	assert_int_equal(get(fs, "/var/a")->layer, 0);

	/* file over dir removes the whole subtree */
	dir(fs, "/opt", 0);
	file(fs, "/opt/x/y", 0);
	file(fs, "/opt/x/z", 0);
	file(fs, "/opt/w", 0);
	size_t before = bw_fs_count(fs);
	file(fs, "/opt", 1);
	assert_int_equal(bw_fs_count(fs), before - 4);
	assert_int_equal(get(fs, "/opt")->type, BW_FT_FILE);
	assert_null(bw_fs_first_child(fs, get(fs, "/opt")));
	assert_null(get(fs, "/opt/x"));
	assert_null(get(fs, "/opt/x/y"));
	assert_null(get(fs, "/opt/x/z"));
	assert_null(get(fs, "/opt/w"));

	/* symlink over dir likewise */
	file(fs, "/srv/data/f", 0);
	symlink_(fs, "/srv/data", "/mnt", 1);
	assert_int_equal(get(fs, "/srv/data")->type, BW_FT_SYMLINK);
	assert_null(get(fs, "/srv/data/f"));

	/* a path under a file: the file becomes a directory */
	file(fs, "/foo", 0);
	file(fs, "/foo/bar", 1);
	assert_int_equal(get(fs, "/foo")->type, BW_FT_DIR);
	assert_int_equal(get(fs, "/foo")->layer, 1);
	assert_int_equal(get(fs, "/foo/bar")->type, BW_FT_FILE);

	assert_string_equal(walk(fs), "/etc:d:0\n"
				      "/etc/localtime:f:1\n"
				      "/etc/passwd:f:1\n"
				      "/foo:d:1\n"
				      "/foo/bar:f:1\n"
				      "/opt:f:1\n"
				      "/srv:d:0\n"
				      "/srv/data:l:1\n"
				      "/var:d:1\n"
				      "/var/a:f:0\n"
				      "/var/sub:d:0\n"
				      "/var/sub/b:f:0\n");
	assert_int_equal(bw_fs_count(fs), 12);
	bw_fs_free(fs);
}

/* ------------------------------------------------------------------ whiteouts */

static void test_whiteout(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(true);

	/* layer 0 */
	file(fs, "/etc/a", 0);
	file(fs, "/etc/b", 0);
	file(fs, "/var/lib/apt/lists/x", 0);
	file(fs, "/var/lib/dpkg/status", 0);
	/* layer 1 */
	file(fs, "/var/lib/apt/y", 1);
	wh(fs, BW_REC_WHITEOUT, "/etc/a", 1);
	assert_null(get(fs, "/etc/a"));
	assert_non_null(get(fs, "/etc/b"));
	assert_non_null(get(fs, "/etc"));
	/* layer 2: a directory and everything under it */
	wh(fs, BW_REC_WHITEOUT, "/var/lib/apt", 2);
	assert_null(get(fs, "/var/lib/apt"));
	assert_null(get(fs, "/var/lib/apt/lists"));
	assert_null(get(fs, "/var/lib/apt/lists/x"));
	assert_null(get(fs, "/var/lib/apt/y"));
	assert_non_null(get(fs, "/var/lib"));
	assert_non_null(get(fs, "/var/lib/dpkg/status"));
	/* layer 3: /etc/a comes back, layer 4 deletes it again */
	file(fs, "/etc/a", 3);
	assert_int_equal(get(fs, "/etc/a")->layer, 3);
	wh(fs, BW_REC_WHITEOUT, "/etc/a", 4);
	assert_null(get(fs, "/etc/a"));

	/* whiteouts of missing paths, and of the root, change nothing */
	size_t count = bw_fs_count(fs);
	wh(fs, BW_REC_WHITEOUT, "/nonexistent", 5);
	wh(fs, BW_REC_WHITEOUT, "/etc/a", 5);
	wh(fs, BW_REC_WHITEOUT, "/etc/b/c", 5);
	wh(fs, BW_REC_WHITEOUT, "/", 5);
	assert_int_equal(bw_fs_count(fs), count);
	assert_non_null(get(fs, "/etc/b"));

	assert_string_equal(walk(fs), "/etc:d:0\n"
				      "/etc/b:f:0\n"
				      "/var:d:0\n"
				      "/var/lib:d:0\n"
				      "/var/lib/dpkg:d:0\n"
				      "/var/lib/dpkg/status:f:0\n");
	assert_int_equal(bw_fs_count(fs), 6);
	/* every removed path, with the whiteout's layer and the layer it came
	 * from, sorted by path then layer */
	assert_string_equal(walk_deleted(fs), "/etc/a:1<-0\n"
					      "/etc/a:4<-3\n"
					      "/var/lib/apt:2<-0\n"
					      "/var/lib/apt/lists:2<-0\n"
					      "/var/lib/apt/lists/x:2<-0\n"
					      "/var/lib/apt/y:2<-1\n");
	/* the deleted list survives later changes to the tree */
	file(fs, "/var/lib/apt/z", 6);
	for (int i = 0; i < 50; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/tmp/f%02d", i);
		file(fs, p, 6);
	}
	assert_string_equal(walk_deleted(fs), "/etc/a:1<-0\n"
					      "/etc/a:4<-3\n"
					      "/var/lib/apt:2<-0\n"
					      "/var/lib/apt/lists:2<-0\n"
					      "/var/lib/apt/lists/x:2<-0\n"
					      "/var/lib/apt/y:2<-1\n");
	bw_fs_free(fs);

}

/*
 * Without keep_deleted nothing is listed. Under UBSan this reports
 * src/image/fs.c's qsort(NULL, 0, ...) in bw_fs_walk_deleted (qsort's base
 * is declared nonnull), as does any fs in which nothing was deleted.
 */
static void test_walk_deleted_none(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);
	file(fs, "/a/b", 0);
	wh(fs, BW_REC_WHITEOUT, "/a", 1);
	assert_null(get(fs, "/a"));
	assert_int_equal(bw_fs_count(fs), 0);
	assert_string_equal(walk_deleted(fs), "");
	assert_string_equal(walk(fs), "");
	bw_fs_free(fs);
}

static void test_opaque(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(true);

	/* layer 0 */
	file(fs, "/d/a", 0);
	file(fs, "/d/sub/b", 0);
	file(fs, "/other/keep", 0);
	/* layer 1: /d made opaque, then its own entries */
	wh(fs, BW_REC_OPAQUE, "/d", 1);
	assert_non_null(get(fs, "/d"));              /* the directory itself stays */
	assert_null(bw_fs_first_child(fs, get(fs, "/d")));
	dir(fs, "/d", 1);
	file(fs, "/d/c", 1);
	file(fs, "/d/sub/new", 1);
	assert_null(get(fs, "/d/a"));
	assert_null(get(fs, "/d/sub/b"));
	assert_non_null(get(fs, "/d/c"));
	assert_non_null(get(fs, "/d/sub/new"));
	assert_non_null(get(fs, "/other/keep"));

	/* opaque on a file, and on a missing path: no-ops */
	size_t count = bw_fs_count(fs);
	wh(fs, BW_REC_OPAQUE, "/other/keep", 2);
	wh(fs, BW_REC_OPAQUE, "/missing", 2);
	assert_int_equal(bw_fs_count(fs), count);
	assert_non_null(get(fs, "/other/keep"));
	/* opaque on an empty directory */
	dir(fs, "/empty", 2);
	wh(fs, BW_REC_OPAQUE, "/empty", 3);
	assert_non_null(get(fs, "/empty"));

	assert_string_equal(walk(fs), "/d:d:1\n"
				      "/d/c:f:1\n"
				      "/d/sub:d:1\n"
				      "/d/sub/new:f:1\n"
				      "/empty:d:2\n"
				      "/other:d:0\n"
				      "/other/keep:f:0\n");
	assert_string_equal(walk_deleted(fs), "/d/a:1<-0\n"
					      "/d/sub:1<-0\n"
					      "/d/sub/b:1<-0\n");
	bw_fs_free(fs);
}

typedef struct order {
	char prev[64];
	int n;
} order;

static int check_order(const bw_fsnode *n, void *ctx)
{
	order *o = ctx;
	if (o->n && strcmp(o->prev, n->path) >= 0)
		fail_msg("walk order: \"%s\" after \"%s\"", n->path, o->prev);
	snprintf(o->prev, sizeof(o->prev), "%s", n->path);
	o->n++;
	return 0;
}

static void test_count_and_walk_order(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);
	static const char *const paths[] = {
		"/z", "/a/b", "/a", "/m/n/o", "/a-b", "/a/b/c", "/A", "/a.b", "/m/n",
		"/\xc3\xa9", "/0",
	};
	size_t counts[] = { 1, 3, 2, 5, 6, 8, 9, 10, 9, 10, 11 };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		file(fs, paths[i], i);
		if (bw_fs_count(fs) != counts[i])
			fail_msg("after adding %s: count %zu, expected %zu", paths[i], bw_fs_count(fs),
				 counts[i]);
	}
	/* /a/b made /a an implicit dir, the file /a replaced it (and /a/b), then
	 * /a/b/c turned /a back into a directory; /m/n the file dropped /m/n/o.
	 * The walk is in strcmp order: '-' < '.' < '/', and bytes >= 0x80 last. */
	assert_string_equal(walk(fs), "/0:f:10\n"
				      "/A:f:6\n"
				      "/a:d:5\n"
				      "/a-b:f:4\n"
				      "/a.b:f:7\n"
				      "/a/b:d:5\n"
				      "/a/b/c:f:5\n"
				      "/m:d:3\n"
				      "/m/n:f:8\n"
				      "/z:f:0\n"
				      "/\xc3\xa9:f:9\n");
	assert_int_equal(bw_fs_count(fs), 11);
	bw_fs_free(fs);

	/* a larger tree: sorted by path, every node once */
	fs = bw_fs_new(false);
	for (int i = 999; i >= 0; i--) {
		char p[64];
		snprintf(p, sizeof(p), "/d%d/f%03d", i % 7, i);
		file(fs, p, 0);
	}
	assert_int_equal(bw_fs_count(fs), 1007);
	listing *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	/* an early stop returns the callback's value */
	l->stop_after = 3;
	assert_int_equal(bw_fs_walk(fs, collect, l), 42);
	assert_int_equal(l->calls, 3);
	assert_string_equal(l->buf, "/d0:d:0\n/d0/f000:f:0\n/d0/f007:f:0\n");
	free(l);

	order ord = { "", 0 };
	assert_int_equal(bw_fs_walk(fs, check_order, &ord), 0);
	assert_int_equal(ord.n, 1007);
	/* removing most of it keeps the count and the walk right */
	for (int i = 1; i < 7; i++) {
		char p[16];
		snprintf(p, sizeof(p), "/d%d", i);
		wh(fs, BW_REC_WHITEOUT, p, 1);
	}
	assert_int_equal(bw_fs_count(fs), 1 + 143);
	order ord2 = { "", 0 };
	assert_int_equal(bw_fs_walk(fs, check_order, &ord2), 0);
	assert_int_equal(ord2.n, 144);
	bw_fs_free(fs);
}

/* ------------------------------------------------------------------ scale */

/*
 * A tree big enough to leave the small arena for huge-page blocks and to map
 * its path table (fs.c): lookups, deletions (tombstones), re-adds and the
 * sorted walk still agree with what was added.
 */
static void test_big_tree(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);
	char p[64];
	enum { DIRS = 300, FILES = 1000 };

	for (int d = 0; d < DIRS; d++)
		for (int f = 0; f < FILES; f++) {
			snprintf(p, sizeof(p), "/data/d%04d/f%04d.txt", d, f);
			add_full(fs, p, BW_FT_FILE, NULL, 0, 0644, (uint64_t)f);
		}
	assert_int_equal(bw_fs_count(fs), 1 + DIRS + DIRS * FILES);
	bw_fsnode *n = bw_fs_get(fs, "/data/d0123/f0456.txt");
	assert_non_null(n);
	assert_int_equal(n->size, 456);
	assert_string_equal(bw_fs_parent(fs, n)->path, "/data/d0123");
	assert_null(bw_fs_get(fs, "/data/d0123/f0456.tx"));
	assert_null(bw_fs_get(fs, "/data/d0300/f0000.txt"));
	/* every other directory whited out, then half of those added back */
	for (int d = 0; d < DIRS; d += 2) {
		snprintf(p, sizeof(p), "/data/d%04d", d);
		wh(fs, BW_REC_WHITEOUT, p, 1);
	}
	assert_int_equal(bw_fs_count(fs), 1 + (DIRS / 2) * (1 + FILES));
	assert_null(bw_fs_get(fs, "/data/d0000/f0000.txt"));
	for (int d = 0; d < DIRS; d += 4) {
		snprintf(p, sizeof(p), "/data/d%04d/new", d);
		add_full(fs, p, BW_FT_FILE, NULL, 2, 0600, 7);
	}
	assert_int_equal(bw_fs_count(fs), 1 + (DIRS / 2) * (1 + FILES) + 2 * (DIRS / 4));
	n = bw_fs_get(fs, "/data/d0004/new");
	assert_non_null(n);
	assert_int_equal(n->layer, 2);
	assert_null(bw_fs_get(fs, "/data/d0004/f0001.txt"));
	assert_non_null(bw_fs_get(fs, "/data/d0005/f0001.txt"));
	order ord = { "", 0 };
	assert_int_equal(bw_fs_walk(fs, check_order, &ord), 0);
	assert_int_equal((size_t)ord.n, bw_fs_count(fs));
	bw_fs_free(fs);
}

/* The layer's record log (layer.c) gives back exactly what was added, in order. */
static void test_layer_records(void **state)
{
	(void)state;
	bw_layer *l = calloc(1, sizeof(*l));
	char *longp = malloc(BW_MAX_PATH_BYTES + 1), p[64];
	assert_non_null(l);
	assert_non_null(longp);
	longp[0] = '/';
	memset(longp + 1, 'x', BW_MAX_PATH_BYTES - 1);
	longp[BW_MAX_PATH_BYTES] = '\0';

	bw_entry big = { .type = BW_FT_SYMLINK, .mode = 07777, .uid = UINT64_MAX, .gid = (uint64_t)1 << 35,
			 .size = 0, .link = longp };
	assert_int_equal(bw_layer_add_record(l, BW_REC_ENTRY, &big, longp, BW_MAX_PATH_BYTES), 0);
	bw_entry wo = { .type = BW_FT_FILE };
	assert_int_equal(bw_layer_add_record(l, BW_REC_WHITEOUT, &wo, "/gone", 5), 0);
	/* enough records to span several blocks */
	for (int i = 0; i < 50000; i++) {
		snprintf(p, sizeof(p), "/d/f%d", i);
		bw_entry e = { .type = BW_FT_FILE, .mode = 0644, .uid = (uint64_t)i, .gid = 0, .size = (uint64_t)i * 1000003 };
		assert_int_equal(bw_layer_add_record(l, BW_REC_ENTRY, &e, p, strlen(p)), 0);
	}
	/* a path over the limit is refused, not truncated */
	char *toolong = malloc(BW_MAX_PATH_BYTES + 2);
	assert_non_null(toolong);
	memset(toolong, 'y', BW_MAX_PATH_BYTES + 1);
	toolong[0] = '/';
	toolong[BW_MAX_PATH_BYTES + 1] = '\0';
	assert_true(bw_layer_add_record(l, BW_REC_ENTRY, &wo, toolong, BW_MAX_PATH_BYTES + 1) < 0);
	assert_int_equal(l->n_recs, 50002);

	bw_reclog_iter it;
	bw_layer_rec r;
	bw_reclog_iter_init(&l->recs, &it);
	assert_true(bw_reclog_next(&it, &r));
	assert_int_equal(r.kind, BW_REC_ENTRY);
	assert_int_equal(r.type, BW_FT_SYMLINK);
	assert_int_equal(r.mode, 07777);
	assert_true(r.uid == UINT64_MAX);
	assert_true(r.gid == (uint64_t)1 << 35);
	assert_int_equal(r.path_len, BW_MAX_PATH_BYTES);
	assert_string_equal(r.path, longp);
	assert_string_equal(r.link, longp);
	assert_true(bw_reclog_next(&it, &r));
	assert_int_equal(r.kind, BW_REC_WHITEOUT);
	assert_string_equal(r.path, "/gone");
	assert_null(r.link);
	for (int i = 0; i < 50000; i++) {
		assert_true(bw_reclog_next(&it, &r));
		snprintf(p, sizeof(p), "/d/f%d", i);
		assert_string_equal(r.path, p);
		assert_int_equal(r.path_len, strlen(p));
		assert_true(r.uid == (uint64_t)i && r.size == (uint64_t)i * 1000003 && r.mode == 0644);
	}
	assert_false(bw_reclog_next(&it, &r));
	bw_layer_release(l);
	assert_int_equal(l->n_recs, 0);
	bw_reclog_iter_init(&l->recs, &it);
	assert_false(bw_reclog_next(&it, &r));
	free(l);
	free(longp);
	free(toolong);
}

/* ------------------------------------------------------------------ resolve */

static bw_fsnode *resolve(const bw_fs *fs, const char *path, bool follow_last)
{
	bw_fsnode *out = (bw_fsnode *)1;
	int rc = bw_fs_resolve(fs, path, follow_last, &out);
	if (rc != 0)
		fail_msg("resolve(%s): rc %d %s", path, rc, bw_error_last()->message);
	return out;
}

static void expect_resolves_to(const bw_fs *fs, const char *path, bool follow_last, const char *want)
{
	bw_fsnode *n = resolve(fs, path, follow_last);
	if (!want) {
		if (n)
			fail_msg("resolve(%s) = %s, expected nothing", path, n->path);
		return;
	}
	if (!n)
		fail_msg("resolve(%s) = NULL, expected %s", path, want);
	if (strcmp(n->path, want) != 0)
		fail_msg("resolve(%s) = %s, expected %s", path, n->path, want);
}

static void test_resolve_symlinks(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);

	file(fs, "/bin/bash", 0);
	symlink_(fs, "/bin/sh", "/bin/bash", 0);          /* absolute */
	file(fs, "/usr/bin/python3.11", 0);
	symlink_(fs, "/usr/bin/python3", "python3.11", 0); /* relative */
	symlink_(fs, "/usr/bin/python", "./python3", 0);   /* relative to a relative link */
	file(fs, "/usr/lib/x", 0);
	file(fs, "/usr/lib/sub/y", 0);
	symlink_(fs, "/lib", "usr/lib", 0);               /* a directory link at the top */
	symlink_(fs, "/lib64", "/lib", 0);
	file(fs, "/etc/passwd", 0);
	symlink_(fs, "/usr/lib/evil", "../../../../../../etc/passwd", 0); /* .. stops at / */
	symlink_(fs, "/usr/lib/evil2", "/../../etc/./passwd", 0);
	symlink_(fs, "/usr/lib/up", "..", 0);
	symlink_(fs, "/rootlink", "/", 0);
	symlink_(fs, "/dot", ".", 0);
	symlink_(fs, "/usr/bin/libdir", "../../lib/sub", 0); /* .. then through a link */

	expect_resolves_to(fs, "/", true, "/");
	expect_resolves_to(fs, "/bin/sh", true, "/bin/bash");
	expect_resolves_to(fs, "/bin/sh", false, "/bin/sh");
	assert_int_equal(resolve(fs, "/bin/sh", false)->type, BW_FT_SYMLINK);
	expect_resolves_to(fs, "/bin/bash", true, "/bin/bash");
	expect_resolves_to(fs, "/usr/bin/python3", true, "/usr/bin/python3.11");
	expect_resolves_to(fs, "/usr/bin/python", true, "/usr/bin/python3.11");
	expect_resolves_to(fs, "/lib/x", true, "/usr/lib/x");
	expect_resolves_to(fs, "/lib/x", false, "/usr/lib/x"); /* middle links always followed */
	expect_resolves_to(fs, "/lib/sub/y", false, "/usr/lib/sub/y");
	expect_resolves_to(fs, "/lib64/sub/y", true, "/usr/lib/sub/y");
	expect_resolves_to(fs, "/lib", true, "/usr/lib");
	expect_resolves_to(fs, "/lib", false, "/lib");
	expect_resolves_to(fs, "/lib/evil", true, "/etc/passwd");
	expect_resolves_to(fs, "/usr/lib/evil", true, "/etc/passwd");
	expect_resolves_to(fs, "/usr/lib/evil2", true, "/etc/passwd");
	expect_resolves_to(fs, "/usr/lib/up/lib/x", true, "/usr/lib/x");
	expect_resolves_to(fs, "/rootlink/etc/passwd", true, "/etc/passwd");
	expect_resolves_to(fs, "/rootlink", true, "/");
	expect_resolves_to(fs, "/dot/dot/dot/bin/bash", true, "/bin/bash");
	expect_resolves_to(fs, "/usr/bin/libdir/y", true, "/usr/lib/sub/y");
	/* missing: nothing, and no error */
	expect_resolves_to(fs, "/nope", true, NULL);
	expect_resolves_to(fs, "/lib/nope", true, NULL);
	expect_resolves_to(fs, "/bin/bash/x", true, NULL); /* a file is not a directory */
	expect_resolves_to(fs, "/lib/x/y", true, NULL);
	/* not canonical */
	bw_fsnode *out = (bw_fsnode *)1;
	assert_int_equal(bw_fs_resolve(fs, "bin/sh", true, &out), BW_EINPUT);
	assert_null(out);
	bw_fs_free(fs);
}

static void test_resolve_dangling_and_loops(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);
	bw_fsnode *out;

	symlink_(fs, "/dangling", "/does/not/exist", 0);
	symlink_(fs, "/rel-dangling", "nothing-here", 0);
	expect_resolves_to(fs, "/dangling", true, NULL);
	expect_resolves_to(fs, "/rel-dangling", true, NULL);
	expect_resolves_to(fs, "/dangling", false, "/dangling");
	expect_resolves_to(fs, "/dangling/x", true, NULL);

	/* a two-link loop */
	symlink_(fs, "/a", "b", 0);
	symlink_(fs, "/b", "/a", 0);
	out = (bw_fsnode *)1;
	bw_error_clear();
	assert_int_equal(bw_fs_resolve(fs, "/a", true, &out), BW_EINPUT);
	assert_null(out);
	assert_int_equal(bw_error_last()->code, BW_EINPUT);
	assert_contains(bw_error_last()->message, "too many levels of symbolic links");
	assert_contains(bw_error_last()->message, "/a");
	assert_int_equal(bw_fs_resolve(fs, "/b/x", false, &out), BW_EINPUT);
	assert_contains(bw_error_last()->message, "too many levels of symbolic links");
	/* not following the last component does not touch the loop */
	expect_resolves_to(fs, "/a", false, "/a");

	/* a link to itself, and one that grows the path each time */
	symlink_(fs, "/self", "self", 0);
	assert_int_equal(bw_fs_resolve(fs, "/self", true, &out), BW_EINPUT);
	assert_contains(bw_error_last()->message, "too many levels of symbolic links");
	dir(fs, "/g", 0);
	symlink_(fs, "/g/g", "../g/g/g", 0);
	assert_int_equal(bw_fs_resolve(fs, "/g/g", true, &out), BW_EINPUT);
	assert_null(out);
	bw_fs_free(fs);
}

static void make_chain(bw_fs *fs, const char *prefix, int links)
{
	char p[64], t[64];
	for (int i = 0; i < links; i++) {
		snprintf(p, sizeof(p), "/%s%d", prefix, i);
		if (i + 1 < links)
			snprintf(t, sizeof(t), i % 2 ? "/%s%d" : "%s%d", prefix, i + 1);
		else
			snprintf(t, sizeof(t), "/%s-target", prefix);
		symlink_(fs, p, t, 0);
	}
	snprintf(p, sizeof(p), "/%s-target", prefix);
	file(fs, p, 0);
}

static void test_resolve_hop_limit(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);
	bw_fsnode *out;

	assert_int_equal(BW_MAX_LINK_HOPS, 40);
	make_chain(fs, "ok", 40);   /* 40 links: 40 hops */
	make_chain(fs, "bad", 41);  /* 41 links: one too many */
	expect_resolves_to(fs, "/ok0", true, "/ok-target");
	expect_resolves_to(fs, "/ok1", true, "/ok-target");
	out = (bw_fsnode *)1;
	assert_int_equal(bw_fs_resolve(fs, "/bad0", true, &out), BW_EINPUT);
	assert_null(out);
	assert_contains(bw_error_last()->message, "too many levels of symbolic links");
	/* starting one link further in, 40 hops remain: fine */
	expect_resolves_to(fs, "/bad1", true, "/bad-target");

	/* hops count across the whole path, not per component */
	dir(fs, "/d", 0);
	file(fs, "/d/f", 0);
	char p[32], t[32];
	for (int i = 0; i < 21; i++) {
		snprintf(p, sizeof(p), "/x%d", i);
		snprintf(t, sizeof(t), i + 1 < 21 ? "/x%d" : "/d", i + 1);
		symlink_(fs, p, t, 0);
	}
	symlink_(fs, "/d/l0", "l1", 0);
	for (int i = 1; i < 20; i++) {
		snprintf(p, sizeof(p), "/d/l%d", i);
		snprintf(t, sizeof(t), i + 1 < 20 ? "l%d" : "f", i + 1);
		symlink_(fs, p, t, 0);
	}
	/* 21 hops for /x0, 20 for /d/l0: 41 */
	assert_int_equal(bw_fs_resolve(fs, "/x0/l0", true, &out), BW_EINPUT);
	assert_contains(bw_error_last()->message, "too many levels of symbolic links");
	/* 20 + 20 = 40 */
	expect_resolves_to(fs, "/x1/l0", true, "/d/f");
	bw_fs_free(fs);
}

static void test_resolve_hardlinks(void **state)
{
	(void)state;
	bw_fs *fs = bw_fs_new(false);

	add_full(fs, "/bin/busybox", BW_FT_FILE, NULL, 0, 0755, 1000);
	add(fs, "/bin/ls", BW_FT_HARDLINK, "/bin/busybox", 0);
	add(fs, "/sbin/init", BW_FT_HARDLINK, "/bin/ls", 0);      /* a link to a link */
	add(fs, "/bin/gone", BW_FT_HARDLINK, "/bin/missing", 0);
	symlink_(fs, "/usr/bin/ls", "/bin/ls", 0);

	expect_resolves_to(fs, "/bin/ls", true, "/bin/busybox");
	expect_resolves_to(fs, "/bin/ls", false, "/bin/busybox");
	expect_resolves_to(fs, "/sbin/init", true, "/bin/busybox");
	expect_resolves_to(fs, "/usr/bin/ls", true, "/bin/busybox");
	expect_resolves_to(fs, "/bin/gone", true, NULL);
	assert_int_equal(resolve(fs, "/bin/ls", true)->size, 1000);
	/* the hard link node itself keeps its target */
	assert_int_equal(get(fs, "/bin/ls")->type, BW_FT_HARDLINK);
	assert_string_equal(get(fs, "/bin/ls")->link, "/bin/busybox");

	/* a hard link cycle (only hostile input makes one) is an error, not a hang */
	add(fs, "/h1", BW_FT_HARDLINK, "/h2", 0);
	add(fs, "/h2", BW_FT_HARDLINK, "/h1", 0);
	bw_fsnode *out = (bw_fsnode *)1;
	assert_int_equal(bw_fs_resolve(fs, "/h1", true, &out), BW_EINPUT);
	assert_null(out);
	bw_fs_free(fs);
}

/*
 * A tar hard link names a member written earlier in the same layer: after
 * extraction both paths are one inode. A later layer that deletes or replaces
 * the target path does not change what the hard link holds (overlayfs keeps
 * the lower inode), so the link must still resolve, to the content of its
 * own layer.
 */
static int free_fs(void **state)
{
	bw_fs_free(*state);
	*state = NULL;
	return 0;
}

static void test_resolve_hardlink_target_deleted_later(void **state)
{
	bw_fs *fs = *state = bw_fs_new(false); /* freed by free_fs, even on failure */

	/* layer 0: busybox and a hard link to it */
	add_full(fs, "/bin/busybox", BW_FT_FILE, NULL, 0, 0755, 1000);
	add(fs, "/bin/ls", BW_FT_HARDLINK, "/bin/busybox", 0);
	/* layer 1: `rm /bin/busybox` */
	wh(fs, BW_REC_WHITEOUT, "/bin/busybox", 1);
	assert_null(get(fs, "/bin/busybox"));
	assert_non_null(get(fs, "/bin/ls"));
	bw_fsnode *n = resolve(fs, "/bin/ls", true);
	if (!n)
		fail_msg("/bin/ls (a hard link made in layer 0) resolves to nothing once layer 1 "
			 "deletes /bin/busybox; it still holds busybox's content");
	assert_int_equal(n->layer, 0);
	assert_int_equal(n->size, 1000);
}

static void test_resolve_hardlink_target_replaced_later(void **state)
{
	bw_fs *fs = *state = bw_fs_new(false);
	bw_fsnode *n;

	add_full(fs, "/bin/busybox", BW_FT_FILE, NULL, 0, 0755, 1000);
	add(fs, "/bin/ls", BW_FT_HARDLINK, "/bin/busybox", 0);
	/* layer 1: a new busybox at the same path */
	add_full(fs, "/bin/busybox", BW_FT_FILE, NULL, 1, 0755, 2222);
	n = resolve(fs, "/bin/ls", true);
	assert_non_null(n);
	if (n->layer != 0 || n->size != 1000)
		fail_msg("/bin/ls (hard link, layer 0) resolves to layer %u size %llu: the layer-1 "
			 "replacement of its target, not the content it was linked to",
			 n->layer, (unsigned long long)n->size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_implicit_parents),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_whiteout),
		cmocka_unit_test(test_walk_deleted_none),
		cmocka_unit_test(test_opaque),
		cmocka_unit_test(test_count_and_walk_order),
		cmocka_unit_test(test_resolve_symlinks),
		cmocka_unit_test(test_resolve_dangling_and_loops),
		cmocka_unit_test(test_resolve_hop_limit),
		cmocka_unit_test(test_resolve_hardlinks),
		cmocka_unit_test_teardown(test_resolve_hardlink_target_deleted_later, free_fs),
		cmocka_unit_test_teardown(test_resolve_hardlink_target_replaced_later, free_fs),
		cmocka_unit_test(test_big_tree),
		cmocka_unit_test(test_layer_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
