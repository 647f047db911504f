/*
 * db/sqlite.c: untrusted SQLite files, read in memory (see sqlite.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bulwark/errors.h"
#include "db/sqlite.h"

struct bw_sqlite {
	sqlite3 *db;
	const char *what;
	unsigned long ticks; /* progress-handler calls in the current query */
};

/* The 16-byte magic at the start of every SQLite 3 file. */
static const char sqlite_magic[16] = "SQLite format 3";

/* Returning non-zero interrupts the statement (SQLITE_INTERRUPT), which is
 * how a query over a hostile file that would run for ages is cut short. */
static int progress(void *p)
{
	bw_sqlite *s = p;
	return ++s->ticks > BW_SQLITE_MAX_STEPS_K;
}

static int fail(bw_sqlite *s, const char *doing)
{
	return bw_error_set(BW_EINPUT, "%s: sqlite: %s: %s", s->what, doing, sqlite3_errmsg(s->db));
}

/*
 * Locks the connection down before the file's schema is ever read: the
 * schema is input too (a view or trigger in it could run arbitrary SQL, and
 * defensive mode stops writes to the schema and shadow tables).
 */
static int harden(bw_sqlite *s)
{
	static const struct { int op, val; } cfg[] = {
		{ SQLITE_DBCONFIG_DEFENSIVE, 1 },
		{ SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0 },
		{ SQLITE_DBCONFIG_ENABLE_TRIGGER, 0 },
		{ SQLITE_DBCONFIG_ENABLE_VIEW, 0 },
		{ SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0 },
		{ SQLITE_DBCONFIG_ENABLE_FKEY, 0 },
	};
	static const struct { int id, val; } lim[] = {
		{ SQLITE_LIMIT_LENGTH, (int)BW_SQLITE_MAX_VALUE_BYTES },
		{ SQLITE_LIMIT_SQL_LENGTH, 100000 },
		{ SQLITE_LIMIT_COLUMN, 2000 },
		{ SQLITE_LIMIT_EXPR_DEPTH, 100 },
		{ SQLITE_LIMIT_COMPOUND_SELECT, 8 },
		{ SQLITE_LIMIT_VDBE_OP, 100000 },
		{ SQLITE_LIMIT_FUNCTION_ARG, 8 },
		{ SQLITE_LIMIT_ATTACHED, 0 },
		{ SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100 },
		{ SQLITE_LIMIT_VARIABLE_NUMBER, 32 },
		{ SQLITE_LIMIT_TRIGGER_DEPTH, 1 },
	};
	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		int got = -1;
		if (sqlite3_db_config(s->db, cfg[i].op, cfg[i].val, &got) != SQLITE_OK || got != cfg[i].val)
			return bw_error_set(BW_EINTERNAL, "%s: sqlite: cannot set db_config %d", s->what, cfg[i].op);
	}
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		sqlite3_limit(s->db, lim[i].id, lim[i].val);
	sqlite3_progress_handler(s->db, 1000, progress, s);
	return 0;
}

int bw_sqlite_open_memory(const char *what, const uint8_t *data, size_t len, bw_sqlite **out)
{
	bw_sqlite *s = NULL;
	unsigned char *copy = NULL;
	int rc = BW_EINPUT;

	*out = NULL;
	/* 100 bytes is the database header; checking the magic first gives a
	 * clear message for a file that is not SQLite at all. */
	if (len < 100 || memcmp(data, sqlite_magic, sizeof(sqlite_magic)) != 0)
		return bw_error_set(BW_EINPUT, "%s: not an SQLite 3 database (no \"SQLite format 3\" header)", what);
	if (len > BW_SQLITE_MAX_DB_BYTES)
		return bw_error_set(BW_EINPUT, "%s: SQLite database of %zu bytes, more than the limit %llu",
				    what, len, (unsigned long long)BW_SQLITE_MAX_DB_BYTES);

	s = calloc(1, sizeof(*s));
	if (!s)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	s->what = what;
	if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = bw_error_set(BW_EINTERNAL, "%s: sqlite: cannot open an in-memory database", what);
		goto done;
	}
	if ((rc = harden(s)) < 0)
		goto done;

	/* sqlite owns the copy from here on (FREEONCLOSE, freed even when
	 * deserialize fails), so the caller's buffer is never touched. */
	copy = sqlite3_malloc64(len);
	if (!copy) {
		rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
		goto done;
	}
	memcpy(copy, data, len);
	/* Bytes 18 and 19 are the write/read format versions; 2 means WAL. The
	 * in-memory VFS cannot do WAL (the -wal file is not ours to read anyway)
	 * and would refuse to open, so read the main file as a rollback-journal
	 * database, which is what it is without its WAL. */
	if (copy[18] == 2)
		copy[18] = 1;
	if (copy[19] == 2)
		copy[19] = 1;
	if (sqlite3_deserialize(s->db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		rc = fail(s, "cannot load the database");
		goto done;
	}

	*out = s;
	s = NULL;
	rc = 0;
done:
	bw_sqlite_close(s);
	return rc;
}

void bw_sqlite_close(bw_sqlite *s)
{
	if (!s)
		return;
	sqlite3_close(s->db); /* NULL is a no-op */
	free(s);
}

int bw_sqlite_each_blob(bw_sqlite *s, const char *sql,
			int (*cb)(const uint8_t *data, size_t len, void *ctx), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	s->ticks = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, "query failed");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		/* blob first, then bytes: sqlite3_column_bytes after _blob gives the
		 * length of that same representation. */
		const uint8_t *p = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		if (!p && sqlite3_errcode(s->db) == SQLITE_NOMEM) {
			rc = bw_error_set(BW_EINTERNAL, "%s: sqlite: out of memory", s->what);
			goto done;
		}
		if ((rc = cb(p, p && n > 0 ? (size_t)n : 0, ctx)) != 0)
			goto done;
	}
	if (src != SQLITE_DONE) {
		rc = s->ticks > BW_SQLITE_MAX_STEPS_K
			     ? bw_error_set(BW_EINPUT, "%s: sqlite: query took more than %d thousand steps", s->what, BW_SQLITE_MAX_STEPS_K)
			     : fail(s, "reading rows");
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}
