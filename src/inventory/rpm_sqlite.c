/*
 * inventory/rpm_sqlite.c: rpm's SQLite backend ("rpmdb.sqlite").
 *
 * rpm >= 4.16 keeps one row per package in
 *   CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)
 * where blob is the header as rpmdb stores it (see rpm_header.c); the other
 * tables are indexes we do not need. The file is opened through db/sqlite.h,
 * read-only and in memory; ordering by hnum gives installation order, as
 * `rpm -qa` lists it.
 */
#include <stddef.h>
#include <stdint.h>

#include "bulwark/errors.h"
#include "db/sqlite.h"
#include "inventory/rpmdb.h"
#include "util/overflow.h"

typedef struct walk {
	const char *what;
	bw_rpm_blob_cb cb;
	void *ctx;
	size_t n, bytes;
} walk;

static int each_row(const uint8_t *data, size_t len, void *p)
{
	walk *w = p;

	if (++w->n > BW_RPM_MAX_PACKAGES)
		return bw_error_set(BW_EINPUT, "%s: more than %d packages", w->what, BW_RPM_MAX_PACKAGES);
	if (bw_add_overflow(w->bytes, len, &w->bytes) || w->bytes > BW_RPM_MAX_DB_BLOB_BYTES)
		return bw_error_set(BW_EINPUT, "%s: package headers take more than %llu bytes",
				    w->what, (unsigned long long)BW_RPM_MAX_DB_BLOB_BYTES);
	if (!data || len == 0)
		return bw_error_set(BW_EINPUT, "%s: package row %zu has an empty blob", w->what, w->n);
	return w->cb(data, len, w->ctx);
}

int bw_rpmdb_sqlite_each(const char *what, const uint8_t *db, size_t len, bw_rpm_blob_cb cb, void *ctx)
{
	bw_sqlite *s = NULL;
	walk w = { what, cb, ctx, 0, 0 };
	int rc;

	if ((rc = bw_sqlite_open_memory(what, db, len, &s)) < 0)
		return rc;
	rc = bw_sqlite_each_blob(s, "SELECT blob FROM Packages ORDER BY hnum", each_row, &w);
	bw_sqlite_close(s);
	return rc;
}
