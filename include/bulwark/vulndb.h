/*
 * bulwark/vulndb.h: the local vulnerability database (docs/vulndb.md).
 *
 *   bw_vulndb *db;
 *   bw_vulndb_open(&db, bw_vulndb_default_path(), BW_VULNDB_WRITE);
 *   bw_vulndb_import(db, "osv/go.tar.gz", NULL, &result);
 *
 * Importing a feed replaces the source of the same name in one transaction:
 * a scan running meanwhile sees the old records or the new, never a mix.
 */
#ifndef BULWARK_VULNDB_H
#define BULWARK_VULNDB_H

#include <stdbool.h>
#include <stdint.h>

#include "bulwark/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_vulndb bw_vulndb;

enum { BW_VULNDB_READ = 0, BW_VULNDB_WRITE = 1 };

/* The database path: $BULWARK_DB, else $XDG_CACHE_HOME/bulwark/vulndb.sqlite,
 * else ~/.cache/bulwark/vulndb.sqlite. The string is static. */
BW_EXTERN const char *bw_vulndb_default_path(void);

/* Opens the database; WRITE creates it (and its directory). A missing,
 * corrupt or foreign file is BW_EINPUT with a message saying to re-import. */
BW_EXTERN int bw_vulndb_open(bw_vulndb **out, const char *path, int mode);
BW_EXTERN void bw_vulndb_close(bw_vulndb *db);

typedef struct bw_vulndb_import_result {
	char source[256];    /* name the source was stored under */
	char format[64];     /* "osv", "debian-tracker-json", "debian-list", "secdb", or "mixed" */
	uint64_t records;    /* advisories stored */
	uint64_t skipped;    /* malformed records skipped */
	uint64_t ignored;    /* records with nothing to match (withdrawn, other ecosystems) */
	char first_skip[512];/* why the first skipped record was skipped, or "" */
} bw_vulndb_import_result;

/*
 * Imports the feed at path: a directory tree of OSV JSON/YAML or secdb
 * files, a .tar.gz/.zip of them, one OSV record or {"vulns":[...]} file,
 * the Debian tracker JSON export, a DSA/DLA/DTSA list, or an Alpine/Wolfi
 * secdb JSON or YAML file. source_name NULL derives a name from the path
 * and format. Malformed records are skipped and counted; a feed that is
 * unreadable as a whole is BW_EINPUT and leaves the old source in place.
 */
BW_EXTERN int bw_vulndb_import(bw_vulndb *db, const char *path, const char *source_name,
			       bw_vulndb_import_result *result);

typedef struct bw_vulndb_source_info {
	const char *name, *format, *location, *imported_at;
	uint64_t records, skipped, affected;
} bw_vulndb_source_info;

BW_EXTERN int bw_vulndb_each_source(bw_vulndb *db,
				    int (*cb)(const bw_vulndb_source_info *, void *), void *ctx);
BW_EXTERN int bw_vulndb_stats(bw_vulndb *db, int *schema, uint64_t *advisories, uint64_t *affected);

#ifdef __cplusplus
}
#endif
#endif
