/*
 * Unit tests for src/inventory/rpm_*.c (rpm header, BDB, NDB and SQLite
 * readers) and src/db/sqlite.c.
 *
 * Real databases come from ../shared/data/pkgdb/rpm/{bdb,ndb,sqlite}/NAME/,
 * checked against the EXPECTED.json beside each (and, for sqlite, the whole
 * RPM-QA.generated.tsv listing that Debian's rpm printed). The shared folder
 * is found as $BULWARK_SHARED when set, else $SHARED (tests/run.sh), else as "shared" beside the source
 * tree (from __FILE__, which meson makes relative to the build directory,
 * where `meson test` runs), else in the parents of the current directory.
 * Only when none exists are those tests skipped, with a printed message.
 *
 * Hostile inputs are built here: each must give BW_EINPUT, and nothing may
 * crash (this test also runs under ASan/UBSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "bulwark/errors.h"
#include "inventory/rpmdb.h"

#define RPMDATA "/data/pkgdb/rpm"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* ------------------------------------------------------------ helpers */

static char shared_dir[4096];

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool try_shared(const char *base)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s" RPMDATA, base);
	if (!is_dir(p))
		return false;
	snprintf(shared_dir, sizeof(shared_dir), "%s", base);
	return true;
}

/* Finds ../shared (see the comment at the top); false when absent. */
static bool find_shared(void)
{
	const char *env = getenv("BULWARK_SHARED");
	char p[4096];

	if (env && *env)
		return try_shared(env);
	env = getenv("SHARED"); /* tests/run.sh exports it */
	if (env && *env && try_shared(env))
		return true;
	/* __FILE__ = SRC/tests/unit/test_rpm.c, so SRC/../shared */
	snprintf(p, sizeof(p), "%s", __FILE__);
	char *slash = strrchr(p, '/');
	if (slash) {
		*slash = '\0';
		size_t n = strlen(p);
		snprintf(p + n, sizeof(p) - n, "/../../../shared");
		if (try_shared(p))
			return true;
	}
	return try_shared("../shared") || try_shared("../../shared") || try_shared("../../../shared");
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *d = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(d);
	if (n > 0 && fread(d, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", path);
	fclose(f);
	*len = (size_t)n;
	return d;
}

/* Parsed packages of one database. */
typedef struct pkgs {
	bw_rpm_header *v;
	size_t n;
} pkgs;

static int collect(const uint8_t *blob, size_t len, void *ctx)
{
	pkgs *p = ctx;
	bw_rpm_header h;
	int rc = bw_rpm_header_parse("test blob", blob, len, &h);
	if (rc < 0)
		return rc;
	p->v = realloc(p->v, (p->n + 1) * sizeof(*p->v));
	assert_non_null(p->v);
	p->v[p->n++] = h;
	return 0;
}

static void pkgs_free(pkgs *p)
{
	for (size_t i = 0; i < p->n; i++)
		bw_rpm_header_free(&p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Parses and throws away: the callback of the hostile tests, which also
 * must not crash whatever the reader hands over. */
static int parse_only(const uint8_t *blob, size_t len, void *ctx)
{
	bw_rpm_header h;
	(void)ctx;
	int rc = bw_rpm_header_parse("blob", blob, len, &h);
	bw_rpm_header_free(&h);
	(void)rc; /* keep walking whatever the parse says: the reader is under test */
	return 0;
}

typedef int (*each_fn)(const char *, const uint8_t *, size_t, bw_rpm_blob_cb, void *);

static const char *str_or(const char *s) { return s ? s : "(null)"; }

static void check_str(const char *field, const char *want, const char *got)
{
	if (!got || strcmp(want, got) != 0)
		fail_msg("%s: want \"%s\", got \"%s\"", field, want, str_or(got));
}

/* Compares a parsed package with an EXPECTED.json package object: every
 * field present there among the ones we decode. */
static void check_pkg(const bw_rpm_header *h, json_t *want)
{
	static const struct { const char *key; size_t off; } strs[] = {
		{ "name", offsetof(bw_rpm_header, name) },
		{ "version", offsetof(bw_rpm_header, version) },
		{ "release", offsetof(bw_rpm_header, release) },
		{ "arch", offsetof(bw_rpm_header, arch) },
		{ "source_rpm", offsetof(bw_rpm_header, sourcerpm) },
		{ "sourcerpm", offsetof(bw_rpm_header, sourcerpm) },
		{ "license", offsetof(bw_rpm_header, license) },
		{ "vendor", offsetof(bw_rpm_header, vendor) },
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		json_t *v = json_object_get(want, strs[i].key);
		if (v)
			check_str(strs[i].key, json_string_value(v), *(char *const *)((const char *)h + strs[i].off));
	}
	json_t *ep = json_object_get(want, "epoch");
	if (ep && json_is_null(ep))
		assert_false(h->has_epoch);
	else if (ep) {
		assert_true(h->has_epoch);
		assert_int_equal(h->epoch, json_integer_value(ep));
	}
	json_t *files = json_object_get(want, "installed_file_names");
	if (files) {
		assert_int_equal(h->n_files, json_array_size(files));
		for (size_t i = 0; i < h->n_files; i++)
			check_str("installed_file_names", json_string_value(json_array_get(files, i)), h->files[i]);
	}
}

static const bw_rpm_header *find_pkg(const pkgs *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole RPM-QA.generated.tsv (name epochnum version release arch
 * sourcerpm) against our parse: the same set of lines, not an overlap. */
static void check_rpm_qa(const char *tsv, const pkgs *p)
{
	size_t len;
	char *text = (char *)read_all(tsv, &len);
	text = realloc(text, len + 1);
	text[len] = '\0';
	char **want = calloc(len + 1, sizeof(char *)), **got = calloc(p->n + 1, sizeof(char *));
	size_t nw = 0;
	for (char *line = text, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (line[0] != '#' && line[0] != '\0')
			want[nw++] = line;
	}
	for (size_t i = 0; i < p->n; i++) {
		const bw_rpm_header *h = &p->v[i];
		assert_true(asprintf(&got[i], "%s\t%d\t%s\t%s\t%s\t%s", h->name, h->has_epoch ? h->epoch : 0, h->version,
				     h->release, str_or(h->arch), h->sourcerpm ? h->sourcerpm : "(none)") > 0);
	}
	qsort(want, nw, sizeof(char *), cmp_str);
	qsort(got, p->n, sizeof(char *), cmp_str);
	assert_int_equal(nw, p->n);
	for (size_t i = 0; i < nw; i++)
		check_str("RPM-QA line", want[i], got[i]);
	printf("# %s: %zu packages equal\n", tsv, nw);
	for (size_t i = 0; i < p->n; i++)
		free(got[i]);
	free(got);
	free(want);
	free(text);
}

/* Every folder NAME of SHARED/data/pkgdb/rpm/KIND/NAME/ with an EXPECTED.json. */
static void check_kind(const char *kind, each_fn each)
{
	char dir[4096], path[8192];
	if (!shared_dir[0]) {
		printf("# skip rpm %s: ../shared is absent (set BULWARK_SHARED)\n", kind);
		skip();
	}
	snprintf(dir, sizeof(dir), "%s" RPMDATA "/%s", shared_dir, kind);
	DIR *ls = opendir(dir);
	assert_non_null(ls);
	struct dirent *de;
	int n_dbs = 0;
	while ((de = readdir(ls))) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/EXPECTED.json", dir, name);
		json_error_t jerr;
		json_t *exp = json_load_file(path, 0, &jerr);
		if (!exp)
			fail_msg("%s: %s", path, jerr.text);
		json_t *c;
		size_t ci;
		json_array_foreach(json_object_get(exp, "cases"), ci, c) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, name, json_string_value(json_object_get(c, "input")));
			size_t len;
			uint8_t *db = read_all(path, &len);
			pkgs p = { 0 };
			int rc = each(path, db, len, collect, &p);
			if (rc != 0)
				fail_msg("%s: %d %s", path, rc, bw_error_last()->message);
			json_t *want = json_object_get(c, "packages");
			if (want) {
				/* the lists must be the same set: count, then each expected one */
				assert_int_equal(p.n, json_integer_value(json_object_get(c, "expected_count")));
				assert_int_equal(p.n, json_array_size(want));
				json_t *w;
				size_t wi;
				json_array_foreach(want, wi, w) {
					const bw_rpm_header *h = find_pkg(&p, json_string_value(json_object_get(w, "name")));
					if (!h)
						fail_msg("%s: no package %s", path, json_string_value(json_object_get(w, "name")));
					check_pkg(h, w);
				}
			}
			json_t *detail = json_object_get(c, "package_detail");
			if (detail) {
				const bw_rpm_header *h = find_pkg(&p, json_string_value(json_object_get(detail, "name")));
				assert_non_null(h);
				check_pkg(h, detail);
			}
			snprintf(path, sizeof(path), "%s/%s/RPM-QA.generated.tsv", dir, name);
			if (is_dir(dir) && access(path, R_OK) == 0)
				check_rpm_qa(path, &p);
			printf("# %s/%s: %zu packages checked\n", kind, name, p.n);
			pkgs_free(&p);
			free(db);
			n_dbs++;
		}
		json_decref(exp);
	}
	closedir(ls);
	assert_true(n_dbs > 0);
}

static void test_real_bdb(void **state) { (void)state; check_kind("bdb", bw_rpmdb_bdb_each); }
static void test_real_ndb(void **state) { (void)state; check_kind("ndb", bw_rpmdb_ndb_each); }
static void test_real_sqlite(void **state) { (void)state; check_kind("sqlite", bw_rpmdb_sqlite_each); }

/* ------------------------------------------------------- built headers */

typedef struct hb {
	uint32_t il;
	uint8_t index[16 * 32];
	uint8_t data[4096];
	uint32_t dl;
} hb;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Appends an entry whose data (n bytes) goes at the end of the store. */
static void hb_add(hb *h, uint32_t tag, uint32_t type, uint32_t count, const void *data, size_t n)
{
	uint8_t *e = h->index + 16 * h->il++;
	put_be32(e, tag);
	put_be32(e + 4, type);
	put_be32(e + 8, h->dl);
	put_be32(e + 12, count);
	memcpy(h->data + h->dl, data, n);
	h->dl += (uint32_t)n;
}

static void hb_str(hb *h, uint32_t tag, const char *s) { hb_add(h, tag, 6, 1, s, strlen(s) + 1); }

static size_t hb_blob(const hb *h, uint8_t *out)
{
	put_be32(out, h->il);
	put_be32(out + 4, h->dl);
	memcpy(out + 8, h->index, 16 * h->il);
	memcpy(out + 8 + 16 * h->il, h->data, h->dl);
	return 8 + 16 * h->il + h->dl;
}

static void hb_nvr(hb *h)
{
	memset(h, 0, sizeof(*h));
	hb_str(h, 1000, "pkg");
	hb_str(h, 1001, "1.2");
	hb_str(h, 1002, "3.el9");
}

static void expect_einput(int rc, const char *msg)
{
	assert_int_equal(rc, BW_EINPUT);
	assert_int_equal(bw_error_last()->code, BW_EINPUT);
	if (msg)
		assert_contains(bw_error_last()->message, msg);
}

static void test_header_built(void **state)
{
	(void)state;
	hb h;
	uint8_t blob[8192];
	bw_rpm_header r;
	char *evr;

	hb_nvr(&h);
	uint8_t ep[4];
	put_be32(ep, 7);
	hb_add(&h, 1003, 4, 1, ep, 4);
	hb_str(&h, 1022, "x86_64");
	hb_add(&h, 1118, 8, 2, "/usr/bin/\0/etc/", 16);
	hb_add(&h, 1117, 8, 3, "a\0b\0c", 6);
	uint8_t di[12];
	put_be32(di, 0);
	put_be32(di + 4, 1);
	put_be32(di + 8, 0);
	hb_add(&h, 1116, 4, 3, di, 12);
	size_t n = hb_blob(&h, blob);
	assert_int_equal(bw_rpm_header_parse("built", blob, n, &r), 0);
	assert_string_equal(r.name, "pkg");
	assert_string_equal(r.arch, "x86_64");
	assert_null(r.vendor);
	assert_true(r.has_epoch);
	assert_int_equal(r.epoch, 7);
	assert_int_equal(r.n_files, 3);
	assert_string_equal(r.files[0], "/usr/bin/a");
	assert_string_equal(r.files[1], "/etc/b");
	assert_string_equal(r.files[2], "/usr/bin/c");
	assert_int_equal(bw_rpm_header_evr(&r, &evr), 0);
	assert_string_equal(evr, "7:1.2-3.el9");
	free(evr);
	bw_rpm_header_free(&r);

	/* no epoch tag: no "0:" either; OLDFILENAMES as the file list */
	hb_nvr(&h);
	hb_add(&h, 1027, 8, 2, "/bin/x\0/bin/y", 14);
	n = hb_blob(&h, blob);
	assert_int_equal(bw_rpm_header_parse("built", blob, n, &r), 0);
	assert_false(r.has_epoch);
	assert_int_equal(r.n_files, 2);
	assert_string_equal(r.files[1], "/bin/y");
	assert_int_equal(bw_rpm_header_evr(&r, &evr), 0);
	assert_string_equal(evr, "1.2-3.el9");
	free(evr);
	bw_rpm_header_free(&r);
}

static void test_header_hostile(void **state)
{
	(void)state;
	hb h;
	uint8_t blob[8192];
	bw_rpm_header r;
	size_t n;

	/* index count past the blob */
	hb_nvr(&h);
	n = hb_blob(&h, blob);
	put_be32(blob, 1000);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "index count");
	assert_null(r.name);
	put_be32(blob, 0xffffffffu);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "index entries");
	/* data length past the blob */
	n = hb_blob(&h, blob);
	put_be32(blob + 4, h.dl + 1);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "data length");
	/* short of the preamble */
	expect_einput(bw_rpm_header_parse("t", blob, 7, &r), "preamble");
	expect_einput(bw_rpm_header_parse("t", NULL, 0, &r), NULL);

	/* an offset past the data store */
	hb_nvr(&h);
	n = hb_blob(&h, blob);
	put_be32(blob + 8 + 8, h.dl + 5); /* entry 0 (NAME) offset */
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "offset");

	/* a string without NUL (the last string of the store, NUL dropped) */
	hb_nvr(&h);
	h.dl--;
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "not NUL-terminated");

	/* an array that overruns the store */
	hb_nvr(&h);
	hb_add(&h, 1027, 8, 1000, "/a\0/b", 6);
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "overruns");
	/* count fits but the last string has no NUL */
	hb_nvr(&h);
	hb_add(&h, 1027, 8, 3, "/a\0/b", 5);
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "not NUL-terminated");

	/* a dir index past the dirnames; too few dir indexes */
	hb_nvr(&h);
	hb_add(&h, 1118, 8, 1, "/d/", 4);
	hb_add(&h, 1117, 8, 1, "f", 2);
	uint8_t di[4];
	put_be32(di, 1);
	hb_add(&h, 1116, 4, 1, di, 4);
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "DIRINDEXES");
	hb_nvr(&h);
	hb_add(&h, 1118, 8, 1, "/d/", 4);
	hb_add(&h, 1117, 8, 2, "f\0g", 4);
	put_be32(di, 0);
	hb_add(&h, 1116, 4, 1, di, 4);
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "DIRINDEXES");

	/* epoch of the wrong type, name of the wrong type, no name */
	hb_nvr(&h);
	hb_str(&h, 1003, "1");
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "EPOCH");
	memset(&h, 0, sizeof(h));
	hb_add(&h, 1000, 4, 1, "\0\0\0\1", 4);
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "want a string");
	memset(&h, 0, sizeof(h));
	hb_str(&h, 1001, "1");
	n = hb_blob(&h, blob);
	expect_einput(bw_rpm_header_parse("t", blob, n, &r), "no NAME");
	bw_rpm_header_free(&r);
	bw_rpm_header_free(NULL);
}

/* ------------------------------------------------------ hostile files */

static uint8_t *load_shared(const char *rel, size_t *len)
{
	char p[8192];
	snprintf(p, sizeof(p), "%s" RPMDATA "/%s", shared_dir, rel);
	return read_all(p, len);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Every prefix and a spread of single-byte changes: an error or a result,
 * never a crash or a hang (ASan/UBSan catch the rest). */
static void shake(each_fn each, const uint8_t *orig, size_t len, size_t step)
{
	uint8_t *d = malloc(len);
	assert_non_null(d);
	for (size_t cut = 0; cut < len; cut += step) {
		memcpy(d, orig, cut);
		int rc = each("cut", d, cut, parse_only, NULL);
		assert_true(rc == 0 || rc == BW_EINPUT);
	}
	unsigned seed = 1;
	for (int i = 0; i < 300; i++) {
		memcpy(d, orig, len);
		seed = seed * 1103515245u + 12345u;
		size_t at = (seed >> 8) % len;
		d[at] ^= (uint8_t)(1u << (seed % 8));
		int rc = each("flip", d, len, parse_only, NULL);
		assert_true(rc == 0 || rc == BW_EINPUT);
	}
	free(d);
}

/* --------------------------------------------- built databases (no ../shared) */

/* A small valid header for the built databases. */
static size_t small_header(uint8_t *out)
{
	hb h;
	hb_nvr(&h);
	hb_str(&h, 1022, "noarch");
	return hb_blob(&h, out);
}

static void put32(uint8_t *p, uint32_t v, bool be)
{
	if (be)
		put_be32(p, v);
	else {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
	}
}

static void put16(uint8_t *p, uint16_t v, bool be)
{
	p[be ? 1 : 0] = (uint8_t)v;
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
}

#define BPS 512 /* page size of the built Berkeley DB files */

/*
 * A Berkeley DB hash file in the layout rpm_bdb.c documents: page 0 meta,
 * page 1 a hash page with rpm's key-0 record (on-page) and one package whose
 * header is off-page, pages 2.. its overflow chain. Returns the length;
 * *item_at is the file offset of the off-page item.
 */
static size_t mk_bdb(uint8_t *db, size_t cap, bool be, size_t *item_at)
{
	uint8_t blob[2048];
	size_t bl = small_header(blob);
	size_t per = BPS - 26, novf = (bl + per - 1) / per;
	size_t npages = 2 + novf;
	assert_true(npages * BPS <= cap);
	memset(db, 0, npages * BPS);
	put32(db + 12, 0x00061561, be);
	put32(db + 16, 9, be);
	put32(db + 20, BPS, be);
	db[25] = 8;
	put32(db + 32, (uint32_t)(npages - 1), be);

	uint8_t *p = db + BPS;
	put32(p + 8, 1, be);
	p[25] = 13;
	put16(p + 20, 4, be);
	/* items from the end down: key 0, its 4-byte datum, key 1, off-page datum */
	size_t o0 = BPS - 5, o1 = o0 - 5, o2 = o1 - 5, o3 = o2 - 12;
	p[o0] = 1;             /* key 0 */
	p[o1] = 1;             /* rpm's counter */
	p[o1 + 1] = 2;
	p[o2] = 1;             /* key 1 */
	p[o2 + 1] = 1;
	p[o3] = 3;             /* off-page: page 2, bl bytes */
	put32(p + o3 + 4, 2, be);
	put32(p + o3 + 8, (uint32_t)bl, be);
	put16(p + 26, (uint16_t)o0, be);
	put16(p + 28, (uint16_t)o1, be);
	put16(p + 30, (uint16_t)o2, be);
	put16(p + 32, (uint16_t)o3, be);
	*item_at = BPS + o3;

	for (size_t i = 0, done = 0; i < novf; i++) {
		uint8_t *q = db + (2 + i) * BPS;
		size_t n = bl - done < per ? bl - done : per;
		put32(q + 8, (uint32_t)(2 + i), be);
		put32(q + 16, i + 1 < novf ? (uint32_t)(3 + i) : 0, be);
		put16(q + 22, (uint16_t)n, be);
		q[25] = 7;
		memcpy(q + 26, blob + done, n);
		done += n;
	}
	return npages * BPS;
}

static void test_bdb_built(void **state)
{
	(void)state;
	uint8_t db[8 * BPS], d[8 * BPS];
	size_t item, len;
	pkgs p = { 0 };

	for (int be = 0; be <= 1; be++) {
		len = mk_bdb(db, sizeof(db), be, &item);
		assert_int_equal(bw_rpmdb_bdb_each("bdb", db, len, collect, &p), 0);
		assert_int_equal(p.n, 1);
		assert_string_equal(p.v[0].name, "pkg");
		assert_string_equal(p.v[0].arch, "noarch");
		pkgs_free(&p);

		/* cyclic overflow chain: the last overflow page points back at the
		 * first, and the item asks for more bytes than one lap gives */
		memcpy(d, db, len);
		put32(d + (len - BPS) + 16, 2, be);
		put32(d + item + 8, (uint32_t)len - 10, be);
		expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "cycle");
		/* a page number past the end */
		memcpy(d, db, len);
		put32(d + item + 4, 99, be);
		expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "past the last page");
		/* an overflow page claiming more bytes than a page holds */
		memcpy(d, db, len);
		put16(d + 2 * BPS + 22, BPS, be);
		expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "holds");
		/* truncated */
		expect_einput(bw_rpmdb_bdb_each("bdb", db, len - BPS, collect, &p), "truncated");
		expect_einput(bw_rpmdb_bdb_each("bdb", db, 100, collect, &p), "too short");
		assert_int_equal(p.n, 0);
		shake(bw_rpmdb_bdb_each, db, len, 1);
	}
}

/* An NDB file in the layout rpm_ndb.c documents: one slot page, one package. */
static size_t mk_ndb(uint8_t *db, size_t cap)
{
	uint8_t blob[2048];
	size_t bl = small_header(blob);
	size_t blocks = (16 + bl + 12 + 15) / 16;
	size_t len = 4096 + blocks * 16;
	assert_true(len <= cap);
	memset(db, 0, len);
	memcpy(db, "RpmP", 4);
	put32(db + 8, 1, false);
	put32(db + 12, 1, false);
	put32(db + 16, 2, false);
	for (size_t off = 32; off < 4096; off += 16)
		memcpy(db + off, "Slot", 4);
	put32(db + 32 + 4, 1, false);
	put32(db + 32 + 8, 4096 / 16, false);
	put32(db + 32 + 12, (uint32_t)blocks, false);
	uint8_t *b = db + 4096;
	memcpy(b, "BlbS", 4);
	put32(b + 4, 1, false);
	put32(b + 8, 1, false);
	put32(b + 12, (uint32_t)bl, false);
	memcpy(b + 16, blob, bl);
	put32(db + len - 8, (uint32_t)bl, false);
	memcpy(db + len - 4, "BlbE", 4);
	return len;
}

static void test_ndb_built(void **state)
{
	(void)state;
	static uint8_t db[8192], d[8192];
	size_t len = mk_ndb(db, sizeof(db));
	pkgs p = { 0 };

	assert_int_equal(bw_rpmdb_ndb_each("ndb", db, len, collect, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].name, "pkg");
	pkgs_free(&p);

	/* the slot points past the file, into the slot area, or overruns it */
	memcpy(d, db, len);
	put32(d + 32 + 8, 0x10000000, false);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "points at");
	memcpy(d, db, len);
	put32(d + 32 + 8, 2, false);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "points at");
	memcpy(d, db, len);
	put32(d + 32 + 12, 0xffffffff, false);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "points at");
	/* blob length past its blocks; head naming another package; bad tail */
	memcpy(d, db, len);
	put32(d + 4096 + 12, 4000, false);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "overruns");
	memcpy(d, db, len);
	put32(d + 4096 + 4, 7, false);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "bad head");
	memcpy(d, db, len);
	d[len - 1] = 'X';
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "bad tail");
	/* truncated */
	expect_einput(bw_rpmdb_ndb_each("ndb", db, len - 1, collect, &p), "points at");
	expect_einput(bw_rpmdb_ndb_each("ndb", db, 4000, collect, &p), "truncated");
	expect_einput(bw_rpmdb_ndb_each("ndb", db, 16, collect, &p), "too short");
	assert_int_equal(p.n, 0);
	shake(bw_rpmdb_ndb_each, db, len, 1);
}

static void test_bdb_hostile(void **state)
{
	(void)state;
	if (!shared_dir[0]) {
		printf("# skip rpm bdb hostile: ../shared is absent\n");
		skip();
	}
	size_t len;
	uint8_t *orig = load_shared("bdb/syft-dive/Packages", &len);
	uint8_t *d = malloc(len);
	pkgs p = { 0 };
	assert_int_equal(len, 16384);

	/* page 2 holds the off-page item: 12 bytes at the offset in its index
	 * slot 1 (kind 3, pad, u32 page, u32 length); page 3 is its overflow page */
	const size_t pg2 = 2 * 4096, pg3 = 3 * 4096;
	size_t item = pg2 + (orig[pg2 + 28] | orig[pg2 + 29] << 8);
	assert_int_equal(orig[item], 3);
	assert_int_equal(orig[item + 4], 3);
	assert_int_equal(orig[pg3 + 25], 7);

	/* cyclic overflow chain: page 3 points at itself, item wants more bytes */
	memcpy(d, orig, len);
	put_le32(d + pg3 + 16, 3);
	put_le32(d + item + 8, 10 * 1324); /* fits the file, so only the cycle stops it */
	expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "cycle");
	/* page number past the end */
	memcpy(d, orig, len);
	put_le32(d + item + 4, 99);
	expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "past the last page");
	/* chain that ends early */
	memcpy(d, orig, len);
	put_le32(d + item + 8, 5000);
	expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "ends after");
	/* truncated files */
	expect_einput(bw_rpmdb_bdb_each("bdb", orig, 8192, collect, &p), "truncated");
	expect_einput(bw_rpmdb_bdb_each("bdb", orig, 100, collect, &p), "too short");
	/* bad magic, bad page size */
	memcpy(d, orig, len);
	d[12] = 0;
	expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "magic");
	memcpy(d, orig, len);
	put_le32(d + 20, 4095);
	expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "page size");
	/* item offsets outside the page */
	memcpy(d, orig, len);
	d[pg2 + 28] = 0xff;
	d[pg2 + 29] = 0xff;
	expect_einput(bw_rpmdb_bdb_each("bdb", d, len, collect, &p), "outside the page");
	assert_int_equal(p.n, 0);

	shake(bw_rpmdb_bdb_each, orig, len, 7);
	free(d);
	free(orig);
}

static void test_ndb_hostile(void **state)
{
	(void)state;
	if (!shared_dir[0]) {
		printf("# skip rpm ndb hostile: ../shared is absent\n");
		skip();
	}
	size_t len;
	uint8_t *orig = load_shared("ndb/go-rpmdb-sle15-bci/Packages.db", &len);
	uint8_t *d = malloc(len);
	pkgs p = { 0 };

	/* slot 1 is at offset 32: "Slot", pkgidx, blkoff, blkcnt */
	memcpy(d, orig, len);
	put_le32(d + 32 + 8, 0x7fffffff);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "points at");
	memcpy(d, orig, len);
	put_le32(d + 32 + 12, 0xffffffff);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "points at");
	/* a slot pointing into the slot area itself */
	memcpy(d, orig, len);
	put_le32(d + 32 + 8, 1);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "points at");
	/* blob length past its blocks */
	memcpy(d, orig, len);
	put_le32(d + 4096 + 12, 0x10000000);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "overruns");
	/* truncated: inside the slot area, inside a blob */
	expect_einput(bw_rpmdb_ndb_each("ndb", orig, 2000, collect, &p), "truncated");
	expect_einput(bw_rpmdb_ndb_each("ndb", orig, 4096 + 100, collect, &p), "points at");
	expect_einput(bw_rpmdb_ndb_each("ndb", orig, 10, collect, &p), "too short");
	/* slot area bigger than the file */
	memcpy(d, orig, len);
	put_le32(d + 12, 100000);
	expect_einput(bw_rpmdb_ndb_each("ndb", d, len, collect, &p), "slot area");
	assert_int_equal(p.n, 0);

	/* the shake over the first 64 KiB: the slot area and several blobs */
	shake(bw_rpmdb_ndb_each, orig, 65536, 97);
	free(d);
	free(orig);
}

static void test_sqlite_hostile(void **state)
{
	(void)state;
	uint8_t garbage[8192];
	pkgs p = { 0 };

	/* not SQLite at all */
	memset(garbage, 'x', sizeof(garbage));
	expect_einput(bw_rpmdb_sqlite_each("sq", garbage, sizeof(garbage), collect, &p), "not an SQLite");
	expect_einput(bw_rpmdb_sqlite_each("sq", garbage, 0, collect, &p), "not an SQLite");
	/* SQLite magic then noise */
	unsigned seed = 7;
	for (size_t i = 0; i < sizeof(garbage); i++) {
		seed = seed * 1103515245u + 12345u;
		garbage[i] = (uint8_t)(seed >> 16);
	}
	memcpy(garbage, "SQLite format 3", 16);
	expect_einput(bw_rpmdb_sqlite_each("sq", garbage, sizeof(garbage), collect, &p), "sq: sqlite");
	/* a plausible header (4096-byte pages) then noise */
	garbage[16] = 0x10;
	garbage[17] = 0x00;
	garbage[18] = garbage[19] = 1;
	expect_einput(bw_rpmdb_sqlite_each("sq", garbage, sizeof(garbage), collect, &p), "sq: sqlite");
	assert_int_equal(p.n, 0);

	if (!shared_dir[0]) {
		printf("# skip rpm sqlite hostile (real file): ../shared is absent\n");
		return;
	}
	size_t len;
	uint8_t *orig = load_shared("sqlite/go-rpmdb-cbl-mariner-2.0/rpmdb.sqlite", &len);
	/* truncated: the Packages table's pages are gone */
	int rc = bw_rpmdb_sqlite_each("sq", orig, 16384, parse_only, NULL);
	expect_einput(rc, NULL);
	/* damaged pages: errors or results, never a crash */
	uint8_t *d = malloc(len);
	seed = 3;
	for (int i = 0; i < 40; i++) {
		memcpy(d, orig, len);
		for (int k = 0; k < 64; k++) {
			seed = seed * 1103515245u + 12345u;
			d[100 + (seed >> 4) % (len - 100)] ^= 0xff;
		}
		rc = bw_rpmdb_sqlite_each("sq", d, len, parse_only, NULL);
		assert_true(rc == 0 || rc == BW_EINPUT);
	}
	free(d);
	free(orig);
}

/* Real header blobs cut at every length: always BW_EINPUT before the end. */
static int cut_every(const uint8_t *blob, size_t len, void *ctx)
{
	bw_rpm_header h;
	(void)ctx;
	for (size_t cut = 0; cut < len && cut < 4096; cut++) {
		int rc = bw_rpm_header_parse("cut", blob, cut, &h);
		bw_rpm_header_free(&h);
		/* any cut loses part of the data store dl promises */
		assert_int_equal(rc, BW_EINPUT);
	}
	return 1; /* the first package is enough */
}

static void test_header_truncations(void **state)
{
	(void)state;
	if (!shared_dir[0]) {
		printf("# skip rpm header truncations: ../shared is absent\n");
		skip();
	}
	size_t len;
	uint8_t *db = load_shared("bdb/syft-dive/Packages", &len);
	assert_int_equal(bw_rpmdb_bdb_each("bdb", db, len, cut_every, NULL), 1);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_built),
		cmocka_unit_test(test_header_hostile),
		cmocka_unit_test(test_real_bdb),
		cmocka_unit_test(test_real_ndb),
		cmocka_unit_test(test_real_sqlite),
		cmocka_unit_test(test_bdb_built),
		cmocka_unit_test(test_ndb_built),
		cmocka_unit_test(test_bdb_hostile),
		cmocka_unit_test(test_ndb_hostile),
		cmocka_unit_test(test_sqlite_hostile),
		cmocka_unit_test(test_header_truncations),
	};
	if (!find_shared())
		printf("# ../shared not found (set BULWARK_SHARED): tests of real rpm databases are skipped\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
