/*
 * db/state.c: the local state store on SQLite (see state.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "bulwark/errors.h"
#include "db/state.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/path.h"

/* "bwst" */
#define STATE_APPLICATION_ID 0x62777374

struct bw_state {
	sqlite3 *db;
	char *path;
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS base_chain("
	"  name TEXT PRIMARY KEY, reference TEXT NOT NULL, manifest_digest TEXT,"
	"  added TEXT NOT NULL, diff_ids TEXT NOT NULL);";

static int fail(bw_state *st, int code, const char *doing)
{
	return bw_error_set(code, "%s: %s: %s", st->path, doing, sqlite3_errmsg(st->db));
}

const char *bw_state_default_path(void)
{
	static char path[4096];
	return bw_host_cache_path(path, sizeof(path), "BULWARK_STATE", "state.sqlite");
}

static int pragma_int(bw_state *st, const char *sql, int *out)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, BW_EINPUT, "not a bulwark state store");
	int rc = sqlite3_step(q);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, BW_EINPUT, "not a bulwark state store");
}

int bw_state_open(bw_state **out, const char *path)
{
	bw_state *st;
	int rc, app, version;
	char *err = NULL;

	*out = NULL;
	if (!path)
		path = bw_state_default_path();
	if ((rc = bw_host_mkdir_parents(path)) < 0)
		return rc;
	if (!(st = calloc(1, sizeof(*st))) || !(st->path = strdup(path))) {
		free(st);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot open the state store");
		goto fail;
	}
	/* several bulwark processes share the file: wait for a writer instead of failing */
	sqlite3_busy_timeout(st->db, 30000);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	/* WAL first (it needs no write transaction and is sticky), then the check and, for a
	 * new file, the creation inside one write transaction: two processes creating the
	 * store at once must not see each other's half-written header. */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; BEGIN IMMEDIATE;", NULL, NULL, &err) != SQLITE_OK) {
		rc = bw_error_set(BW_EINPUT, "%s: cannot open the state store: %s", path, err ? err : "?");
		goto fail;
	}
	if ((rc = pragma_int(st, "PRAGMA application_id", &app)) < 0 ||
	    (rc = pragma_int(st, "PRAGMA user_version", &version)) < 0)
		goto rollback;
	if (app == 0 && version == 0) {
		/* new (or empty) file: a table of someone else's would make it foreign */
		int tables;
		if ((rc = pragma_int(st, "SELECT count(*) FROM sqlite_master", &tables)) < 0)
			goto rollback;
		if (tables) {
			rc = bw_error_set(BW_EINPUT, "%s: not a bulwark state store (it has other tables)", path);
			goto rollback;
		}
		char sql[256];
		snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; PRAGMA user_version=%d;", STATE_APPLICATION_ID,
			 BW_STATE_SCHEMA);
		if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(st->db, schema_sql, NULL, NULL, &err) != SQLITE_OK) {
			rc = bw_error_set(BW_EINPUT, "%s: cannot create the state store: %s", path, err ? err : "?");
			goto rollback;
		}
	} else if (app != STATE_APPLICATION_ID) {
		rc = bw_error_set(BW_EINPUT, "%s: not a bulwark state store", path);
		goto rollback;
	} else if (version != BW_STATE_SCHEMA) {
		rc = bw_error_set(BW_EINPUT, "%s: state store schema %d, this bulwark reads %d", path, version,
				  BW_STATE_SCHEMA);
		goto rollback;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
		rc = bw_error_set(BW_EINPUT, "%s: cannot open the state store: %s", path, err ? err : "?");
		goto rollback;
	}
	*out = st;
	return 0;
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	sqlite3_free(err);
	bw_state_close(st);
	return rc;
}

void bw_state_close(bw_state *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int bw_state_base_put(bw_state *st, const char *name, const char *reference, const char *manifest_digest,
		      const char *const *diff_ids, size_t n)
{
	bw_buf ids = BW_BUF_INIT((size_t)BW_MAX_LAYERS * 72 + 1);
	sqlite3_stmt *q = NULL;
	char added[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc = 0;

	gmtime_r(&now, &tm);
	strftime(added, sizeof(added), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n > BW_MAX_LAYERS)
		return bw_error_set(BW_EINPUT, "base image \"%.128s\": more than %d layers", name, BW_MAX_LAYERS);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = (i ? bw_buf_append_str(&ids, "\n") : 0) < 0 || bw_buf_append_str(&ids, diff_ids[i]) < 0 ? -1 : 0;
	if (rc < 0) {
		bw_buf_free(&ids);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR REPLACE INTO base_chain(name, reference, manifest_digest, added, diff_ids)"
			       " VALUES(?,?,?,?,?)", -1, &q, NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot record the base image");
		goto out;
	}
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, reference, -1, SQLITE_STATIC);
	if (manifest_digest)
		sqlite3_bind_text(q, 3, manifest_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, added, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, ids.data ? (const char *)ids.data : "", -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = fail(st, BW_EINPUT, "cannot record the base image");
out:
	sqlite3_finalize(q);
	bw_buf_free(&ids);
	return rc;
}

int bw_state_base_delete(bw_state *st, const char *name)
{
	sqlite3_stmt *q;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM base_chain WHERE name = ?", -1, &q, NULL) != SQLITE_OK)
		return fail(st, BW_EINPUT, "cannot remove the base image");
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = fail(st, BW_EINPUT, "cannot remove the base image");
	else if (sqlite3_changes(st->db) == 0)
		rc = bw_error_set(BW_EUSAGE, "no base image called \"%.128s\" (see `bulwark base list`)", name);
	sqlite3_finalize(q);
	return rc;
}

static bool is_diff_id(const char *s, size_t len)
{
	if (len != 71 || memcmp(s, "sha256:", 7) != 0)
		return false;
	for (size_t i = 7; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Splits the stored newline-separated chain in place; every line must be a diff_id. */
static int split_chain(bw_state *st, const char *name, char *ids, const char ***out, size_t *n)
{
	size_t count = 1, cap;
	for (const char *p = ids; *p; p++)
		count += *p == '\n';
	if (count > BW_MAX_LAYERS)
		return bw_error_set(BW_EINPUT, "%s: base image \"%.128s\": more than %d layers", st->path, name,
				    BW_MAX_LAYERS);
	cap = count;
	const char **v = calloc(cap, sizeof(*v));
	if (!v)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*n = 0;
	for (char *p = ids;;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (!is_diff_id(p, len)) {
			free(v);
			return bw_error_set(BW_EINPUT, "%s: base image \"%.128s\": a stored layer is not a sha256 "
					    "diff_id (the file was altered; remove and re-add it)", st->path, name);
		}
		v[(*n)++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*out = v;
	return 0;
}

int bw_state_base_each(bw_state *st, int (*fn)(const bw_base_chain *c, void *ctx), void *ctx)
{
	sqlite3_stmt *q;
	int rc = 0, step;

	if (sqlite3_prepare_v2(st->db, "SELECT name, reference, manifest_digest, added, diff_ids FROM base_chain"
			       " ORDER BY name", -1, &q, NULL) != SQLITE_OK)
		return fail(st, BW_EINPUT, "cannot read base images");
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		const char *ids_text = (const char *)sqlite3_column_text(q, 4);
		char *ids = strdup(ids_text ? ids_text : "");
		const char **v = NULL;
		size_t n = 0;
		if (!ids)
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
		else if ((rc = split_chain(st, name ? name : "", ids, &v, &n)) == 0) {
			bw_base_chain c = {
				.name = name ? name : "",
				.reference = (const char *)sqlite3_column_text(q, 1),
				.manifest_digest = (const char *)sqlite3_column_text(q, 2),
				.added = (const char *)sqlite3_column_text(q, 3),
				.n_layers = n,
				.diff_ids = v,
			};
			rc = fn(&c, ctx);
		}
		free(v);
		free(ids);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = fail(st, BW_EINPUT, "cannot read base images");
	sqlite3_finalize(q);
	return rc;
}
