/*
 * vulndb/import.c: `bulwark db import PATH`: finds the documents in a feed
 * (a directory tree, an archive, or one file), recognises each one's format
 * by its content, and hands it to its parser; all of it inside one source
 * transaction of the store.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/vulndb.h"
#include "db/vulnstore.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/path.h"
#include "vulndb/import_int.h"
#include "vulndb/vulndb_int.h"
#include "util/yaml.h"

struct bw_vulndb {
	bw_vulnstore *store;
};

/* Records in one {"vulns": [...]} wrapper or top-level array. */
#define MAX_RECORDS_PER_DOCUMENT 1000000

void bw_import_skip(bw_import *imp, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (imp->skipped++ == 0)
		snprintf(imp->first_skip, sizeof(imp->first_skip), "%s", msg);
	bw_debug("skipped: %s", msg);
}

void bw_import_set_format(bw_import *imp, const char *format)
{
	if (!imp->format)
		imp->format = format;
	else if (strcmp(imp->format, format) != 0)
		imp->mixed = true;
}

const char *bw_vulndb_default_path(void)
{
	static char path[4096];
	return bw_host_cache_path(path, sizeof(path), "BULWARK_DB", "vulndb.sqlite");
}

int bw_vulndb_open(bw_vulndb **out, const char *path, int mode)
{
	bw_vulndb *db;
	int rc;

	*out = NULL;
	if (!path)
		path = bw_vulndb_default_path();
	if (mode == BW_VULNDB_WRITE && (rc = bw_host_mkdir_parents(path)) < 0)
		return rc;
	if (!(db = calloc(1, sizeof(*db))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if ((rc = bw_vulnstore_open(path, mode == BW_VULNDB_WRITE ? BW_VULNSTORE_WRITE : BW_VULNSTORE_READ,
				    &db->store)) < 0) {
		free(db);
		return rc;
	}
	*out = db;
	return 0;
}

void bw_vulndb_close(bw_vulndb *db)
{
	if (!db)
		return;
	bw_vulnstore_close(db->store);
	free(db);
}

bw_vulnstore *bw_vulndb_store(bw_vulndb *db)
{
	return db->store;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Files a directory walk or an archive member list considers. */
static bool feed_file_name(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	return ends_with(base, ".json") || ends_with(base, ".yaml") || ends_with(base, ".yml") ||
	       strcmp(base, "list") == 0;
}

static int import_json_doc(bw_import *imp, const char *what, json_t *doc)
{
	json_t *list = NULL, *v;
	size_t i;
	int rc = 0;

	if (json_is_array(doc))
		list = doc;
	else if (json_is_object(doc) && json_is_array(json_object_get(doc, "vulns")) && !json_object_get(doc, "id"))
		list = json_object_get(doc, "vulns");
	if (list) {
		if (json_array_size(list) > MAX_RECORDS_PER_DOCUMENT)
			return bw_error_set(BW_EINPUT, "%s: more than %d records in one document", what,
					    MAX_RECORDS_PER_DOCUMENT);
		bw_import_set_format(imp, "osv");
		json_array_foreach(list, i, v) {
			if (!bw_osv_looks_like(v)) {
				bw_import_skip(imp, "%s: element %zu is not an OSV record", what, i);
				continue;
			}
			if ((rc = bw_osv_import(imp, what, v)) < 0)
				return rc;
		}
		return 0;
	}
	if (bw_osv_looks_like(doc)) {
		bw_import_set_format(imp, "osv");
		return bw_osv_import(imp, what, doc);
	}
	if (bw_secdb_looks_like(doc)) {
		bw_import_set_format(imp, "secdb");
		return bw_secdb_import(imp, what, doc);
	}
	if (bw_debian_json_looks_like(doc)) {
		bw_import_set_format(imp, "debian-tracker-json");
		return bw_debian_json_import(imp, what, doc);
	}
	return bw_error_set(BW_EINPUT, "%s: not a known advisory format (OSV, Debian tracker JSON, "
			    "Alpine/Wolfi secdb)", what);
}

/*
 * One document. In a multi-document source (directory, archive) a document
 * that cannot be parsed is skipped and counted; as the whole input it is an
 * error (single is true).
 */
static int import_document(bw_import *imp, const char *what, const char *name,
			   const uint8_t *data, size_t len, bool single)
{
	json_t *doc = NULL;
	size_t i = 0;
	int rc;

	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	if (bw_debian_list_looks_like((const char *)data + i, len - i)) {
		bw_import_set_format(imp, "debian-list");
		return bw_debian_list_import(imp, what, (const char *)data, len);
	}
	if (ends_with(name, ".yaml") || ends_with(name, ".yml") || (i < len && data[i] != '{' && data[i] != '[')) {
		rc = bw_yaml_parse(what, data, len, BW_FEED_MAX_FILE_BYTES, 0, &doc);
	} else {
		rc = bw_json_parse(what, data, len, BW_FEED_MAX_FILE_BYTES, &doc);
	}
	if (rc == 0)
		rc = import_json_doc(imp, what, doc);
	json_decref(doc);
	if (rc < 0 && !single && bw_error_last()->code == BW_EINPUT) {
		bw_import_skip(imp, "%s", bw_error_last()->message);
		bw_error_clear();
		return 0;
	}
	return rc;
}

typedef struct walk {
	bw_import *imp;
	uint64_t files;
} walk;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int import_file(walk *w, const char *path, bool single);

static int walk_dir(walk *w, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (depth > BW_FEED_MAX_DIR_DEPTH)
		return bw_error_set(BW_EINPUT, "%s: directories nested deeper than %d", dir, BW_FEED_MAX_DIR_DEPTH);
	if (!(d = opendir(dir)))
		return bw_error_set(BW_EINPUT, "%s: cannot open directory: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				break;
			}
			names = grown;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n)
		qsort(names, n, sizeof(*names), cmp_names); /* the same feed imports the same way */
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[BW_MAX_PATH_BYTES];
		struct stat sb;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
			rc = bw_error_set(BW_EINPUT, "%s/%s: path too long", dir, names[i]);
			break;
		}
		if (lstat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = walk_dir(w, path, depth + 1);
		else if (S_ISREG(sb.st_mode) && feed_file_name(names[i]))
			rc = import_file(w, path, false);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static bool is_archive_magic(const uint8_t *h, size_t n)
{
	return (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) ||                    /* gzip */
	       (n >= 4 && memcmp(h, "PK\3\4", 4) == 0) ||                       /* zip */
	       (n >= 6 && memcmp(h, "\xfd" "7zXZ", 5) == 0) ||                   /* xz */
	       (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0) ||             /* zstd */
	       (n >= 3 && memcmp(h, "BZh", 3) == 0) ||                           /* bzip2 */
	       (n >= 262 && memcmp(h + 257, "ustar", 5) == 0);                  /* tar */
}

static int import_archive(walk *w, const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bw_buf member = BW_BUF_INIT(BW_FEED_MAX_MEMBER_BYTES);
	int rc = 0, r;

	if (!a)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_raw(a); /* a single gzip-compressed JSON file */
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		rc = bw_error_set(BW_EINPUT, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	bool raw = false;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		if (!raw && (archive_entry_filetype(e) != AE_IFREG || !name || !feed_file_name(name)))
			continue;
		if (++w->files > BW_FEED_MAX_FILES) {
			rc = bw_error_set(BW_EINPUT, "%s: more than %d files", path, BW_FEED_MAX_FILES);
			goto out;
		}
		char what[BW_MAX_PATH_BYTES + 64];
		snprintf(what, sizeof(what), "%s:%s", path, raw ? "(decompressed)" : name);
		bw_buf_reset(&member);
		bool too_big = false;
		for (;;) {
			char chunk[65536];
			la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));
			if (n < 0) {
				rc = bw_error_set(BW_EINPUT, "%s: %s", what, archive_error_string(a));
				goto out;
			}
			if (n == 0)
				break;
			int ar = bw_buf_append(&member, chunk, (size_t)n);
			if (ar == -2) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto out;
			}
			if (ar == -1) {
				too_big = true;
				break;
			}
		}
		if (too_big) {
			if (raw) {
				rc = bw_error_set(BW_EINPUT, "%s: decompresses to more than %llu bytes", what,
						  (unsigned long long)BW_FEED_MAX_MEMBER_BYTES);
				goto out;
			}
			bw_import_skip(w->imp, "%s: larger than %llu bytes", what,
				       (unsigned long long)BW_FEED_MAX_MEMBER_BYTES);
			continue;
		}
		if ((rc = import_document(w->imp, what, raw ? ".json" : name, member.data, member.len, raw)) < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF)
		rc = bw_error_set(BW_EINPUT, "%s: %s", path, archive_error_string(a));
out:
	bw_buf_free(&member);
	archive_read_free(a);
	return rc;
}

static int import_file(walk *w, const char *path, bool single)
{
	bw_buf data = BW_BUF_INIT(BW_FEED_MAX_FILE_BYTES);
	int rc;

	if (++w->files > BW_FEED_MAX_FILES)
		return bw_error_set(BW_EINPUT, "%s: more than %d files", path, BW_FEED_MAX_FILES);
	data.max = single ? BW_FEED_MAX_FILE_BYTES : BW_FEED_MAX_MEMBER_BYTES;
	if ((rc = bw_buf_read_file(&data, path, BW_EINPUT, "a feed file")) < 0) {
		bw_buf_free(&data);
		if (!single && bw_error_last()->code == BW_EINPUT) {
			bw_import_skip(w->imp, "%s", bw_error_last()->message);
			bw_error_clear();
			return 0;
		}
		return rc;
	}
	if (is_archive_magic(data.data, data.len)) {
		bw_buf_free(&data);
		return import_archive(w, path);
	}
	rc = import_document(w->imp, path, path, data.data, data.len, single);
	bw_buf_free(&data);
	return rc;
}

/* "…/go-vulndb-data-osv.tar.gz" -> "go-vulndb-data-osv" */
static void default_name(const char *path, char *out, size_t cap)
{
	char buf[BW_MAX_PATH_BYTES];
	snprintf(buf, sizeof(buf), "%s", path);
	size_t n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	const char *base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	snprintf(out, cap, "%s", base);
	static const char *const exts[] = { ".tar.gz", ".tgz", ".tar.xz", ".tar.zst", ".tar", ".zip",
					    ".json.gz", ".json", ".yaml", ".yml", ".gz" };
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(out, exts[i])) {
			out[strlen(out) - strlen(exts[i])] = '\0';
			break;
		}
	/* A bare "list" or "main" says little: keep the parent directory too. */
	if (strcmp(out, "list") == 0 || strcmp(out, "main") == 0 || strcmp(out, "community") == 0 ||
	    strcmp(out, "security") == 0) {
		const char *slash = strrchr(buf, '/');
		if (slash) {
			char parent[BW_MAX_PATH_BYTES];
			snprintf(parent, sizeof(parent), "%.*s", (int)(slash - buf), buf);
			const char *pb = strrchr(parent, '/');
			char tmp[256];
			snprintf(tmp, sizeof(tmp), "%s/%s", pb ? pb + 1 : parent, out);
			snprintf(out, cap, "%s", tmp);
		}
	}
}

int bw_vulndb_import(bw_vulndb *db, const char *path, const char *source_name, bw_vulndb_import_result *res)
{
	bw_import imp = { .store = db->store };
	walk w = { .imp = &imp };
	char name[256], location[BW_MAX_PATH_BYTES];
	struct stat sb;
	int rc;

	memset(res, 0, sizeof(*res));
	if (stat(path, &sb) != 0)
		return bw_error_set(BW_EINPUT, "%s: %s", path, strerror(errno));
	if (!realpath(path, location))
		snprintf(location, sizeof(location), "%s", path);
	if (source_name)
		snprintf(name, sizeof(name), "%s", source_name);
	else
		default_name(path, name, sizeof(name));
	if ((rc = bw_vulnstore_begin_source(db->store, name, location)) < 0)
		return rc;
	if (S_ISDIR(sb.st_mode))
		rc = walk_dir(&w, path, 0);
	else
		rc = import_file(&w, path, true);
	if (rc == 0 && imp.records == 0 && imp.ignored == 0)
		rc = bw_error_set(BW_EINPUT, "%s: no advisories found%s%s", path,
				  imp.skipped ? "; first problem: " : "", imp.first_skip);
	if (rc < 0) {
		bw_vulnstore_abort_source(db->store);
		return rc;
	}
	const char *format = imp.mixed ? "mixed" : imp.format ? imp.format : "none";
	if ((rc = bw_vulnstore_commit_source(db->store, format, imp.records, imp.skipped)) < 0)
		return rc;
	snprintf(res->source, sizeof(res->source), "%s", name);
	snprintf(res->format, sizeof(res->format), "%s", format);
	res->records = imp.records;
	res->skipped = imp.skipped;
	res->ignored = imp.ignored;
	snprintf(res->first_skip, sizeof(res->first_skip), "%s", imp.first_skip);
	return 0;
}

int bw_vulndb_import_buffer(bw_vulndb *db, const char *what, const char *name, const uint8_t *data,
			    size_t len, bw_vulndb_import_result *res)
{
	bw_import imp = { .store = db->store };
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = bw_vulnstore_begin_source(db->store, what, what)) < 0)
		return rc;
	if ((rc = import_document(&imp, what, name, data, len, true)) < 0) {
		bw_vulnstore_abort_source(db->store);
		return rc;
	}
	if ((rc = bw_vulnstore_commit_source(db->store, imp.format ? imp.format : "none", imp.records,
					     imp.skipped)) < 0)
		return rc;
	res->records = imp.records;
	res->skipped = imp.skipped;
	res->ignored = imp.ignored;
	return 0;
}

typedef struct each_ctx {
	int (*cb)(const bw_vulndb_source_info *, void *);
	void *ctx;
} each_ctx;

static int each_source(const bw_source_row *r, void *p)
{
	each_ctx *e = p;
	bw_vulndb_source_info info = {
		.name = r->name, .format = r->format, .location = r->location, .imported_at = r->imported_at,
		.records = r->records, .skipped = r->skipped, .affected = r->affected,
	};
	return e->cb(&info, e->ctx);
}

int bw_vulndb_each_source(bw_vulndb *db, int (*cb)(const bw_vulndb_source_info *, void *), void *ctx)
{
	each_ctx e = { cb, ctx };
	return bw_vulnstore_each_source(db->store, each_source, &e);
}

int bw_vulndb_stats(bw_vulndb *db, int *schema, uint64_t *advisories, uint64_t *affected)
{
	return bw_vulnstore_stats(db->store, schema, advisories, affected);
}
