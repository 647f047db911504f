/*
 * db/state.c: the local state store on SQLite (see state.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "bulwark/errors.h"
#include "db/state.h"
#include "crypto/digest.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/path.h"

/* "bwst" */
#define STATE_APPLICATION_ID 0x62777374

struct bw_state {
	sqlite3 *db;
	char *path;
	/* layers are read by several threads at once; one connection, used one at a time */
	pthread_mutex_t mu;
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS base_chain("
	"  name TEXT PRIMARY KEY, reference TEXT NOT NULL, manifest_digest TEXT,"
	"  added TEXT NOT NULL, diff_ids TEXT NOT NULL);"
	/* key: diff_id + analyzer signature; checksum: sha256 of data as stored */
	"CREATE TABLE IF NOT EXISTS layer_cache("
	"  key TEXT PRIMARY KEY, diff_id TEXT NOT NULL, bytes INTEGER NOT NULL,"
	"  last_used INTEGER NOT NULL, checksum TEXT NOT NULL, data BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS layer_cache_lru ON layer_cache(last_used);";

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
	pthread_mutex_init(&st->mu, NULL);
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
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; BEGIN IMMEDIATE;", NULL, NULL, &err) != SQLITE_OK) {
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
	pthread_mutex_destroy(&st->mu);
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

/* ------------------------------------------------------------ layer cache */

static int64_t now_micros(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000; /* LRU order within a second too */
}

int bw_state_cache_get(bw_state *st, const char *key, uint8_t **data, size_t *len)
{
	sqlite3_stmt *q = NULL;
	int rc = 0, step;

	*data = NULL;
	*len = 0;
	pthread_mutex_lock(&st->mu);
	if (sqlite3_prepare_v2(st->db, "SELECT checksum, data FROM layer_cache WHERE key = ?", -1, &q, NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot read the layer cache");
		goto out;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(q)) == SQLITE_DONE)
		goto out; /* a miss */
	if (step != SQLITE_ROW) {
		rc = fail(st, BW_EINPUT, "cannot read the layer cache");
		goto out;
	}
	const char *sum = (const char *)sqlite3_column_text(q, 0);
	const void *blob = sqlite3_column_blob(q, 1);
	size_t n = (size_t)sqlite3_column_bytes(q, 1);
	bw_digest want, got;
	/* A corrupt or truncated entry is dropped and recomputed, never trusted. */
	if (!sum || !blob || bw_digest_parse("layer cache checksum", sum, &want) < 0 ||
	    bw_digest_buffer(BW_SHA256, blob, n, &got) < 0 || !bw_digest_equal(&want, &got)) {
		bw_error_clear();
		sqlite3_finalize(q);
		q = NULL;
		if (sqlite3_prepare_v2(st->db, "DELETE FROM layer_cache WHERE key = ?", -1, &q, NULL) == SQLITE_OK) {
			sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
			sqlite3_step(q);
		}
		rc = 1;
		goto out;
	}
	if (!(*data = malloc(n ? n : 1))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto out;
	}
	memcpy(*data, blob, n);
	*len = n;
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(st->db, "UPDATE layer_cache SET last_used = ? WHERE key = ?", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, now_micros());
		sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
		sqlite3_step(q); /* best effort: a busy store only ages the entry */
	}
out:
	sqlite3_finalize(q);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

/* Deletes least-recently-used entries until at most max_bytes remain. Caller holds mu. */
static int evict(bw_state *st, uint64_t max_bytes)
{
	sqlite3_stmt *sum = NULL, *oldest = NULL, *del = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(sum(bytes), 0) FROM layer_cache", -1, &sum, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT key, bytes FROM layer_cache ORDER BY last_used LIMIT 1", -1, &oldest,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM layer_cache WHERE key = ?", -1, &del, NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot evict from the layer cache");
		goto out;
	}
	if (sqlite3_step(sum) != SQLITE_ROW) {
		rc = fail(st, BW_EINPUT, "cannot evict from the layer cache");
		goto out;
	}
	int64_t total = sqlite3_column_int64(sum, 0);
	while (total > 0 && (uint64_t)total > max_bytes) {
		sqlite3_reset(oldest);
		if (sqlite3_step(oldest) != SQLITE_ROW)
			break;
		sqlite3_reset(del);
		sqlite3_bind_text(del, 1, (const char *)sqlite3_column_text(oldest, 0), -1, SQLITE_TRANSIENT);
		total -= sqlite3_column_int64(oldest, 1);
		if (sqlite3_step(del) != SQLITE_DONE) {
			rc = fail(st, BW_EINPUT, "cannot evict from the layer cache");
			break;
		}
	}
out:
	sqlite3_finalize(sum);
	sqlite3_finalize(oldest);
	sqlite3_finalize(del);
	return rc;
}

int bw_state_cache_put(bw_state *st, const char *key, const char *diff_id, const uint8_t *data, size_t len,
		       uint64_t max_bytes)
{
	sqlite3_stmt *q = NULL;
	bw_digest sum;
	int rc = 0;

	if (len > max_bytes)
		return 0; /* would evict everything and still not fit */
	if (bw_digest_buffer(BW_SHA256, data, len, &sum) < 0)
		return BW_EINTERNAL;
	pthread_mutex_lock(&st->mu);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot write the layer cache");
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO layer_cache(key, diff_id, bytes, last_used, checksum, data)"
			       " VALUES(?,?,?,?,?,?)", -1, &q, NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot write the layer cache");
		goto rollback;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, diff_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)len);
	sqlite3_bind_int64(q, 4, now_micros());
	sqlite3_bind_text(q, 5, sum.text, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(q, 6, data, len, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rc = fail(st, BW_EINPUT, "cannot write the layer cache");
		goto rollback;
	}
	if ((rc = evict(st, max_bytes)) < 0)
		goto rollback;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot write the layer cache");
		goto rollback;
	}
	goto out;
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(q);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int bw_state_cache_stats(bw_state *st, uint64_t *entries, uint64_t *bytes, uint64_t *images)
{
	sqlite3_stmt *q;
	int rc = 0;

	pthread_mutex_lock(&st->mu);
	if (sqlite3_prepare_v2(st->db, "SELECT count(*), coalesce(sum(bytes), 0), "
				       "coalesce(sum(key LIKE 'image/%'), 0) FROM layer_cache", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW) {
		rc = fail(st, BW_EINPUT, "cannot read the layer cache");
	} else {
		*entries = (uint64_t)sqlite3_column_int64(q, 0);
		*bytes = (uint64_t)sqlite3_column_int64(q, 1);
		*images = (uint64_t)sqlite3_column_int64(q, 2);
	}
	sqlite3_finalize(q);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int bw_state_cache_prune(bw_state *st, uint64_t max_bytes)
{
	int rc;
	pthread_mutex_lock(&st->mu);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail(st, BW_EINPUT, "cannot write the layer cache");
	} else if ((rc = evict(st, max_bytes)) < 0 || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		if (rc == 0)
			rc = fail(st, BW_EINPUT, "cannot write the layer cache");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	/* give the space back to the file system, not only to SQLite's free list */
	if (rc == 0)
		sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;", NULL, NULL, NULL);
	pthread_mutex_unlock(&st->mu);
	return rc;
}
