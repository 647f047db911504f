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
#include <stddef.h>
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

/* ---- `db update` --------------------------------------------------------- */

typedef struct bw_vulndb_feed {
	const char *name;   /* the source name it is imported as */
	const char *url;    /* https URL of the feed file */
} bw_vulndb_feed;

/* The official feeds (Debian tracker, Alpine secdb, Wolfi, OSV per ecosystem). */
BW_EXTERN const bw_vulndb_feed *bw_vulndb_default_feeds(size_t *n);

/* A feed list from a file (YAML or JSON: [{name, url}, ...]), to point
 * `db update` at other locations (a proxy, an internal mirror server). */
typedef struct bw_vulndb_feeds bw_vulndb_feeds;
BW_EXTERN int bw_vulndb_feeds_load(const char *path, bw_vulndb_feeds **out);
BW_EXTERN const bw_vulndb_feed *bw_vulndb_feeds_list(const bw_vulndb_feeds *f, size_t *n);
BW_EXTERN void bw_vulndb_feeds_free(bw_vulndb_feeds *f);

typedef struct bw_vulndb_update_options {
	const bw_vulndb_feed *feeds;  /* NULL: the defaults */
	size_t n_feeds;
	const char *mirror;           /* air-gapped: read NAME.EXT files from this directory instead */
	const char *cache_dir;        /* NULL: $XDG_CACHE_HOME/bulwark/feeds */
	bool offline;                 /* never touch the network (mirror only) */
} bw_vulndb_update_options;

typedef struct bw_vulndb_update_event {
	const bw_vulndb_feed *feed;
	bool unchanged;               /* 304 Not Modified: not re-imported */
	bool skipped;                 /* not in the mirror */
	const char *error;            /* this feed failed (the others go on), or NULL */
	bw_vulndb_import_result result;
} bw_vulndb_update_event;

/*
 * Fetches every feed (conditional requests against the cached copy; TLS
 * verified) and imports the changed ones. A feed that fails is reported
 * through progress and the others continue; the result is BW_ENET when any
 * failed, naming how many, with the database holding what succeeded.
 */
BW_EXTERN int bw_vulndb_update(bw_vulndb *db, const bw_vulndb_update_options *opts,
			       int (*progress)(const bw_vulndb_update_event *, void *), void *ctx);

#ifdef __cplusplus
}
#endif
#endif
