/*
 * db/records.c: the store of approved digests (bulwark/records.h) in SQLite.
 *
 * One table, append-only from bulwark's side. Every statement is prepared
 * with bound parameters (names and notes are user text). Text read back is
 * bounded by BW_RECORD_MAX_TEXT like text written, so a store edited by hand
 * cannot hand a report a megabyte "name".
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bulwark/records.h"
#include "bulwark/vulndb.h"

#define SCHEMA_VERSION 1

struct bw_records {
	sqlite3 *db;
	char *path;
};

const char *bw_records_default_path(void)
{
	static char path[4096];
	const char *env = getenv("BULWARK_RECORDS");
	if (env && *env) {
		snprintf(path, sizeof(path), "%s", env);
		return path;
	}
	const char *db = bw_vulndb_default_path();
	const char *slash = strrchr(db, '/');
	if (!slash)
		snprintf(path, sizeof(path), "records.sqlite");
	else
		snprintf(path, sizeof(path), "%.*s/records.sqlite", (int)(slash - db), db);
	return path;
}

static int db_error(bw_records *r, const char *doing)
{
	return bw_error_set(BW_EINPUT, "%s: %s: %s", r->path, doing, sqlite3_errmsg(r->db));
}

static int make_parent(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int bw_records_open(bw_records **out, const char *path, bool write)
{
	bw_records *r = calloc(1, sizeof(*r));
	int rc = 0;
	struct stat st;

	*out = NULL;
	if (!r || !(r->path = strdup(path))) {
		free(r);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (!write && stat(path, &st) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: no records store (approve an image first): %s", path, strerror(errno));
		goto fail;
	}
	if (write && make_parent(path) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: cannot create its directory: %s", path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(path, &r->db, write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY,
			    NULL) != SQLITE_OK) {
		rc = r->db ? db_error(r, "opening") : bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(r->db, 5000);
	sqlite3_db_config(r->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(r->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(r->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	if (write) {
		static const char schema[] =
			"CREATE TABLE IF NOT EXISTS bulwark_records_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
			"INSERT OR IGNORE INTO bulwark_records_meta VALUES('schema', 1);"
			"CREATE TABLE IF NOT EXISTS records("
			" id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, digest TEXT NOT NULL,"
			" reference TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL, verdict TEXT, note TEXT);"
			"CREATE INDEX IF NOT EXISTS records_by_name ON records(name, id);";
		if (sqlite3_exec(r->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
			rc = db_error(r, "not a records store");
			goto fail;
		}
	}
	sqlite3_stmt *st_v = NULL;
	if (sqlite3_prepare_v2(r->db, "SELECT value FROM bulwark_records_meta WHERE key = 'schema'", -1, &st_v, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st_v) != SQLITE_ROW || sqlite3_column_int(st_v, 0) != SCHEMA_VERSION) {
		sqlite3_finalize(st_v);
		rc = bw_error_set(BW_EINPUT, "%s: not a bulwark records store (schema %d)", path, SCHEMA_VERSION);
		goto fail;
	}
	sqlite3_finalize(st_v);
	*out = r;
	return 0;
fail:
	bw_records_close(r);
	return rc;
}

void bw_records_close(bw_records *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	free(r->path);
	free(r);
}

static bool text_ok(const char *s, bool optional)
{
	if (!s)
		return optional;
	size_t n = strnlen(s, BW_RECORD_MAX_TEXT + 1);
	if (n == 0 || n > BW_RECORD_MAX_TEXT)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return false;
	return true;
}

int bw_records_approve(bw_records *r, const bw_record *rec, int64_t *id_out)
{
	char when[32], who_buf[64];
	const char *who = rec->who;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (!text_ok(rec->name, false) || !text_ok(rec->reference, false) || !text_ok(rec->note, true) ||
	    !text_ok(rec->digest, false) || strncmp(rec->digest, "sha", 3) != 0)
		return bw_error_set(BW_EUSAGE, "record approve: a name, reference and digest of at most %d printable "
				    "characters are needed (and a note as short)", BW_RECORD_MAX_TEXT);
	if (!who) {
		struct passwd *pw = getpwuid(geteuid());
		who = pw && pw->pw_name ? pw->pw_name : getenv("USER");
		if (!who || !*who) {
			snprintf(who_buf, sizeof(who_buf), "uid %u", (unsigned)geteuid());
			who = who_buf;
		}
	}
	if (rec->when) {
		snprintf(when, sizeof(when), "%s", rec->when);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO records(name, digest, reference, who, at, verdict, note) VALUES(?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(r, "recording");
	sqlite3_bind_text(st, 1, rec->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rec->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, when, -1, SQLITE_STATIC);
	if (rec->verdict)
		sqlite3_bind_text(st, 6, rec->verdict, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	if (rec->note)
		sqlite3_bind_text(st, 7, rec->note, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(r, "recording");
	else if (id_out)
		*id_out = sqlite3_last_insert_rowid(r->db);
	sqlite3_finalize(st);
	return rc;
}

/* A column as bounded text (NULL stays NULL). */
static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	if (s && (size_t)sqlite3_column_bytes(st, i) > BW_RECORD_MAX_TEXT)
		return "(too long)";
	return s;
}

static int each(bw_records *r, const char *sql, const char *name, int limit,
		int (*fn)(const bw_record *rec, void *ctx), void *ctx, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, s;

	*n = 0;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(r, "reading");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (limit)
		sqlite3_bind_int(st, 2, limit);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		bw_record rec = {
			.id = sqlite3_column_int64(st, 0), .name = col(st, 1), .digest = col(st, 2),
			.reference = col(st, 3), .who = col(st, 4), .when = col(st, 5), .verdict = col(st, 6),
			.note = col(st, 7),
		};
		(*n)++;
		if ((rc = fn(&rec, ctx)) != 0)
			break;
	}
	if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
		rc = db_error(r, "reading");
	sqlite3_finalize(st);
	return rc;
}

#define COLUMNS "id, name, digest, reference, who, at, verdict, note"

int bw_records_list(bw_records *r, const char *name, int (*fn)(const bw_record *rec, void *ctx), void *ctx)
{
	size_t n;
	return each(r, "SELECT " COLUMNS " FROM records WHERE name = ?1 ORDER BY id DESC", name, 0, fn, ctx, &n);
}

int bw_records_previous(bw_records *r, const char *name, int (*fn)(const bw_record *rec, void *ctx), void *ctx)
{
	size_t n;
	int rc = each(r,
		      "SELECT " COLUMNS " FROM records WHERE name = ?1 AND digest != "
		      "(SELECT digest FROM records WHERE name = ?1 ORDER BY id DESC LIMIT 1) ORDER BY id DESC LIMIT ?2",
		      name, 1, fn, ctx, &n);
	if (rc == 0 && n == 0)
		return bw_error_set(BW_EINPUT, "%s: no approval of \"%.100s\" with a digest other than its latest: "
				    "nothing to roll back to", r->path, name);
	return rc;
}
