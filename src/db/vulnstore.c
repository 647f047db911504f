/*
 * db/vulnstore.c: the vulnerability database on SQLite (see vulnstore.h and
 * docs/vulndb.md for the schema and why it looks like this).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "bulwark/errors.h"
#include "db/vulnstore.h"
#include "util/buf.h"

/* Aliases of one advisory, and the bound on how many we keep. */
#define MAX_ALIASES 256

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS source("
	"  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, format TEXT NOT NULL,"
	"  location TEXT, imported_at TEXT NOT NULL,"
	"  records INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,"
	"  affected INTEGER NOT NULL DEFAULT 0);"
	/* aliases: newline-separated; they are only ever read with the advisory. */
	"CREATE TABLE IF NOT EXISTS advisory("
	"  id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL, vuln_id TEXT NOT NULL,"
	"  aliases TEXT, summary TEXT, severity TEXT, cvss TEXT, refs TEXT,"
	"  published TEXT, modified TEXT);"
	"CREATE INDEX IF NOT EXISTS advisory_source ON advisory(source_id);"
	"CREATE TABLE IF NOT EXISTS affected("
	"  advisory_id INTEGER NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL,"
	"  status TEXT NOT NULL, fixed TEXT, ranges TEXT, severity TEXT,"
	"  from_osv INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS affected_package ON affected(ecosystem, name);"
	"CREATE INDEX IF NOT EXISTS affected_advisory ON affected(advisory_id);";

enum stmt_id {
	ST_ADD_ADV, ST_ADD_AFF, ST_LOOKUP, ST_HAS_NATIVE, ST_HAS_ANY, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_ADD_ADV] = "INSERT INTO advisory(source_id, vuln_id, aliases, summary, severity, cvss, refs,"
		       " published, modified) VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_ADD_AFF] = "INSERT INTO affected(advisory_id, ecosystem, name, status, fixed, ranges,"
		       " severity, from_osv) VALUES(?,?,?,?,?,?,?,?)",
	[ST_LOOKUP] = "SELECT a.id, a.vuln_id, a.aliases, a.summary, a.severity, a.cvss,"
		      " f.status, f.fixed, f.ranges, f.severity, s.name, f.from_osv"
		      " FROM affected f JOIN advisory a ON a.id = f.advisory_id"
		      " JOIN source s ON s.id = a.source_id"
		      " WHERE f.ecosystem = ? AND f.name = ? ORDER BY a.id",
	[ST_HAS_NATIVE] = "SELECT 1 FROM affected WHERE ecosystem = ? AND from_osv = 0 LIMIT 1",
	[ST_HAS_ANY] = "SELECT 1 FROM affected WHERE ecosystem = ? LIMIT 1",
};

struct bw_vulnstore {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	/* the source being written */
	int64_t source_id;
	uint64_t n_affected;
	bool in_source;
	bool in_read;       /* bw_vulnstore_read_begin opened a read transaction */
};

static int db_fail(bw_vulnstore *s, int code, const char *doing)
{
	return bw_error_set(code, "%s: %s: %s", s->path, doing, sqlite3_errmsg(s->db));
}

static int exec(bw_vulnstore *s, const char *sql, const char *doing)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, BW_EINPUT, doing);
	return 0;
}

static int prepare(bw_vulnstore *s, enum stmt_id id, sqlite3_stmt **out)
{
	if (!s->st[id] && sqlite3_prepare_v2(s->db, stmt_sql[id], -1, &s->st[id], NULL) != SQLITE_OK)
		return bw_error_set(BW_EINPUT, "%s: not a bulwark vulnerability database (%s); "
				    "re-import it with `bulwark db import`", s->path, sqlite3_errmsg(s->db));
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	*out = s->st[id];
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Reads meta.schema; a file without it was not written by bulwark. */
static int check_schema(bw_vulnstore *s)
{
	sqlite3_stmt *st = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = (int)sqlite3_column_int(st, 0); /* a non-number reads as 0: not our schema */
	sqlite3_finalize(st);
	if (version != BW_VULNSTORE_SCHEMA)
		return bw_error_set(BW_EINPUT, "%s: %s; re-import the feeds with `bulwark db import`", s->path,
				    version < 0 ? "not a bulwark vulnerability database"
					    : "written by another version of bulwark (schema differs)");
	return 0;
}

/* A corrupt file is found here rather than as odd results mid-scan. */
static int check_integrity(bw_vulnstore *s)
{
	sqlite3_stmt *st = NULL;
	char verdict[160] = "";

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && col_text(st, 0))
		snprintf(verdict, sizeof(verdict), "%s", col_text(st, 0));
	else
		snprintf(verdict, sizeof(verdict), "%s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	if (strcmp(verdict, "ok") != 0)
		return bw_error_set(BW_EINPUT, "%s: database is corrupt (%s); delete it and re-import "
				    "the feeds with `bulwark db import`", s->path, verdict);
	return 0;
}

int bw_vulnstore_open(const char *path, int mode, bw_vulnstore **out)
{
	bw_vulnstore *s;
	struct stat sb;
	int rc;

	*out = NULL;
	if (mode == BW_VULNSTORE_READ && stat(path, &sb) != 0)
		return bw_error_set(BW_EINPUT, "%s: no vulnerability database here (%s); "
				    "create it with `bulwark db import` or `bulwark db update`", path, strerror(errno));
	if (!(s = calloc(1, sizeof(*s))) || !(s->path = strdup(path))) {
		free(s);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	int flags = mode == BW_VULNSTORE_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = db_fail(s, BW_EINPUT, "cannot open the vulnerability database");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 30000);
	sqlite3_extended_result_codes(s->db, 1);
	/* Nothing in the file may run code: it is ours, but it sits in a cache directory. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);

	if (mode == BW_VULNSTORE_WRITE) {
		bool fresh = stat(path, &sb) != 0 || sb.st_size == 0;
		if ((rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
			       "cannot open the vulnerability database")) < 0)
			goto fail;
		if (!fresh && ((rc = check_integrity(s)) < 0 || (rc = check_schema(s)) < 0))
			goto fail;
		if ((rc = exec(s, schema_sql, "cannot create the schema")) < 0)
			goto fail;
		char sql[128];
		snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO meta(key, value) VALUES('schema', '%d')",
			 BW_VULNSTORE_SCHEMA);
		if ((rc = exec(s, sql, "cannot write the schema version")) < 0)
			goto fail;
	} else if ((rc = check_integrity(s)) < 0 || (rc = check_schema(s)) < 0) {
		goto fail;
	}
	*out = s;
	return 0;
fail:
	bw_vulnstore_close(s);
	return rc;
}

void bw_vulnstore_close(bw_vulnstore *s)
{
	if (!s)
		return;
	if (s->in_source)
		bw_vulnstore_abort_source(s);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static void utc_now(char *out, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int bw_vulnstore_begin_source(bw_vulnstore *s, const char *name, const char *location)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	if ((rc = exec(s, "BEGIN IMMEDIATE", "cannot start the import")) < 0)
		return rc;
	s->in_source = true;
	s->n_affected = 0;
	/* The old copy of the source goes in the same transaction that adds the new one. */
	static const char *const drop[] = {
		"DELETE FROM affected WHERE advisory_id IN (SELECT a.id FROM advisory a JOIN source s"
		" ON s.id = a.source_id WHERE s.name = ?1)",
		"DELETE FROM advisory WHERE source_id IN (SELECT id FROM source WHERE name = ?1)",
		"DELETE FROM source WHERE name = ?1",
	};
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		if (sqlite3_prepare_v2(s->db, drop[i], -1, &st, NULL) != SQLITE_OK)
			goto fail;
		bind_text(st, 1, name);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
	}
	utc_now(now, sizeof(now));
	if (sqlite3_prepare_v2(s->db, "INSERT INTO source(name, format, location, imported_at) VALUES(?,'',?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	bind_text(st, 1, name);
	bind_text(st, 2, location);
	bind_text(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	s->source_id = sqlite3_last_insert_rowid(s->db);
	return 0;
fail:
	rc = db_fail(s, BW_EINTERNAL, "cannot replace the source");
	sqlite3_finalize(st);
	bw_vulnstore_abort_source(s);
	return rc;
}

int bw_vulnstore_add(bw_vulnstore *s, const bw_adv_rec *adv, const bw_affected_rec *aff, size_t n_aff)
{
	sqlite3_stmt *st = NULL;
	bw_buf aliases = BW_BUF_INIT(1 * 1024 * 1024);
	int rc;

	for (size_t i = 0; i < adv->n_aliases && i < MAX_ALIASES; i++) {
		if (strchr(adv->aliases[i], '\n'))
			continue;
		if ((aliases.len && bw_buf_append(&aliases, "\n", 1) < 0) ||
		    bw_buf_append_str(&aliases, adv->aliases[i]) < 0) {
			bw_buf_free(&aliases);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
	}
	if ((rc = prepare(s, ST_ADD_ADV, &st)) < 0) {
		bw_buf_free(&aliases);
		return rc;
	}
	sqlite3_bind_int64(st, 1, s->source_id);
	bind_text(st, 2, adv->id);
	bind_text(st, 3, aliases.len ? (const char *)aliases.data : NULL);
	bind_text(st, 4, adv->summary);
	bind_text(st, 5, adv->severity);
	bind_text(st, 6, adv->cvss);
	bind_text(st, 7, adv->refs);
	bind_text(st, 8, adv->published);
	bind_text(st, 9, adv->modified);
	int step = sqlite3_step(st);
	bw_buf_free(&aliases);
	if (step != SQLITE_DONE)
		return db_fail(s, BW_EINTERNAL, "cannot store an advisory");
	int64_t adv_id = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < n_aff; i++) {
		if ((rc = prepare(s, ST_ADD_AFF, &st)) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, adv_id);
		bind_text(st, 2, aff[i].ecosystem);
		bind_text(st, 3, aff[i].name);
		bind_text(st, 4, aff[i].status);
		bind_text(st, 5, aff[i].fixed);
		bind_text(st, 6, aff[i].ranges);
		bind_text(st, 7, aff[i].severity);
		sqlite3_bind_int(st, 8, aff[i].from_osv);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(s, BW_EINTERNAL, "cannot store an affected package");
		s->n_affected++;
	}
	return 0;
}

int bw_vulnstore_commit_source(bw_vulnstore *s, const char *format, uint64_t records, uint64_t skipped)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, "UPDATE source SET records = ?, skipped = ?, affected = ?, format = ?"
			       " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)records);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)skipped);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)s->n_affected);
	bind_text(st, 4, format);
	sqlite3_bind_int64(st, 5, s->source_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	s->in_source = false;
	return 0;
fail:
	sqlite3_finalize(st);
	int rc = db_fail(s, BW_EINTERNAL, "cannot commit the import");
	bw_vulnstore_abort_source(s);
	return rc;
}

void bw_vulnstore_abort_source(bw_vulnstore *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_source = false;
}

int bw_vulnstore_each_source(bw_vulnstore *s, int (*cb)(const bw_source_row *, void *), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db, "SELECT name, format, location, imported_at, records, skipped, affected"
			       " FROM source ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, BW_EINPUT, "cannot list sources");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		bw_source_row r = {
			.name = col_text(st, 0), .format = col_text(st, 1), .location = col_text(st, 2),
			.imported_at = col_text(st, 3),
			.records = (uint64_t)sqlite3_column_int64(st, 4),
			.skipped = (uint64_t)sqlite3_column_int64(st, 5),
			.affected = (uint64_t)sqlite3_column_int64(st, 6),
		};
		if ((rc = cb(&r, ctx)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(s, BW_EINPUT, "cannot list sources");
	sqlite3_finalize(st);
	return rc;
}

static int count(bw_vulnstore *s, const char *sql, uint64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		rc = db_fail(s, BW_EINPUT, "cannot count records");
	else
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

int bw_vulnstore_stats(bw_vulnstore *s, int *schema, uint64_t *advisories, uint64_t *affected)
{
	int rc;
	*schema = BW_VULNSTORE_SCHEMA;
	if ((rc = count(s, "SELECT count(*) FROM advisory", advisories)) < 0)
		return rc;
	return count(s, "SELECT count(*) FROM affected", affected);
}

int bw_vulnstore_lookup(bw_vulnstore *s, const char *ecosystem, const char *name,
			int (*cb)(const bw_affected_row *, void *), void *ctx)
{
	sqlite3_stmt *st = NULL;
	const char *alias_ptrs[MAX_ALIASES];
	char *alias_copy = NULL;
	int rc, step;

	if ((rc = prepare(s, ST_LOOKUP, &st)) < 0)
		return rc;
	bind_text(st, 1, ecosystem);
	bind_text(st, 2, name);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		bw_affected_row r = {
			.advisory = sqlite3_column_int64(st, 0),
			.id = col_text(st, 1),
			.summary = col_text(st, 3),
			.adv_severity = col_text(st, 4),
			.cvss = col_text(st, 5),
			.status = col_text(st, 6),
			.fixed = col_text(st, 7),
			.ranges = col_text(st, 8),
			.severity = col_text(st, 9),
			.source = col_text(st, 10),
			.from_osv = sqlite3_column_int(st, 11) != 0,
		};
		const char *aliases = col_text(st, 2);
		free(alias_copy);
		alias_copy = NULL;
		if (aliases && *aliases) {
			if (!(alias_copy = strdup(aliases))) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				break;
			}
			for (char *p = alias_copy, *nl; p && r.n_aliases < MAX_ALIASES; p = nl) {
				if ((nl = strchr(p, '\n')))
					*nl++ = '\0';
				alias_ptrs[r.n_aliases++] = p;
			}
			r.aliases = alias_ptrs;
		}
		if (!r.id || !r.status) {
			rc = bw_error_set(BW_EINPUT, "%s: advisory row %lld is incomplete; re-import the feeds",
					  s->path, (long long)r.advisory);
			break;
		}
		if ((rc = cb(&r, ctx)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = db_fail(s, BW_EINPUT, "cannot read advisories (corrupt database? re-import the feeds)");
	free(alias_copy);
	sqlite3_reset(st);
	return rc;
}

int bw_vulnstore_has_rows(bw_vulnstore *s, const char *ecosystem, bool native_only, bool *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(s, native_only ? ST_HAS_NATIVE : ST_HAS_ANY, &st)) < 0)
		return rc;
	bind_text(st, 1, ecosystem);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_fail(s, BW_EINPUT, "cannot read advisories");
	*out = step == SQLITE_ROW;
	sqlite3_reset(st);
	return 0;
}

/*
 * One read transaction around many lookups: each statement outside a
 * transaction takes and drops SQLite's shared lock (fcntl calls and a check of
 * the WAL index) on its own, which was a tenth of the matching time. The
 * snapshot also means one scan sees one version of every source.
 */
int bw_vulnstore_read_begin(bw_vulnstore *s)
{
	if (s->in_read || s->in_source || !sqlite3_get_autocommit(s->db))
		return 0; /* already inside a transaction: its snapshot serves */
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, BW_EINPUT, "cannot read advisories");
	s->in_read = true;
	return 0;
}

void bw_vulnstore_read_end(bw_vulnstore *s)
{
	if (!s->in_read)
		return;
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	s->in_read = false;
}
