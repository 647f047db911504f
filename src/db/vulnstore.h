/*
 * db/vulnstore.h: the vulnerability database file (SQLite; schema in
 * docs/vulndb.md). The only code that knows its tables.
 *
 * Writers replace one source at a time inside a transaction: a reader (a scan
 * running meanwhile) sees the old source or the new one, never half of it.
 * The file is opened in WAL mode so readers do not block the importer.
 *
 * Records come in as plain structs from the importers (src/vulndb/) and go out
 * to the matcher (src/match/) through bw_vulnstore_lookup().
 */
#ifndef BW_DB_VULNSTORE_H
#define BW_DB_VULNSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bumped when the tables change incompatibly; an older file must be re-imported. */
#define BW_VULNSTORE_SCHEMA 1

typedef struct bw_vulnstore bw_vulnstore;

enum { BW_VULNSTORE_READ = 0, BW_VULNSTORE_WRITE = 1 };

/* Opens (and with WRITE creates) the database at path. A file that is not a
 * bulwark database, is corrupt (quick_check) or has another schema version is
 * BW_EINPUT with a message saying to re-import. */
int bw_vulnstore_open(const char *path, int mode, bw_vulnstore **out);
void bw_vulnstore_close(bw_vulnstore *s);

/* --- writing one source ------------------------------------------------ */

typedef struct bw_adv_rec {
	const char *id;            /* the record's own id: CVE-..., GHSA-..., DSA-1234-1 */
	const char *summary;       /* may be NULL */
	const char *severity;      /* CRITICAL/HIGH/MEDIUM/LOW/UNKNOWN or NULL */
	const char *cvss;          /* JSON array [{"version","vector","score"}] or NULL */
	const char *refs;          /* JSON array of URLs or NULL */
	const char *published, *modified;
	const char *const *aliases;
	size_t n_aliases;
} bw_adv_rec;

typedef struct bw_affected_rec {
	const char *ecosystem;     /* key of docs/matching.md: "debian:12", "alpine:3.10", "pypi", ... */
	const char *name;          /* normalised package key */
	const char *status;        /* "fixed", "affected", "will_not_fix"; "osv" for range data */
	const char *fixed;         /* fixed version for distribution rows, or NULL */
	const char *ranges;        /* OSV: {"ranges":[...],"versions":[...]} compact JSON, or NULL */
	const char *severity;      /* per-package severity (distribution urgency), or NULL */
	bool from_osv;             /* an OSV record for a distribution (used only without the native feed) */
} bw_affected_rec;

/* Starts replacing source name (location is recorded for `db info`). */
int bw_vulnstore_begin_source(bw_vulnstore *s, const char *name, const char *location);
/* Adds one advisory and its affected packages. */
int bw_vulnstore_add(bw_vulnstore *s, const bw_adv_rec *adv, const bw_affected_rec *aff, size_t n_aff);
/* Commits the source (format and counts from the caller) or rolls it back. */
int bw_vulnstore_commit_source(bw_vulnstore *s, const char *format, uint64_t records, uint64_t skipped);
void bw_vulnstore_abort_source(bw_vulnstore *s);

/* --- reading ----------------------------------------------------------- */

typedef struct bw_source_row {
	const char *name, *format, *location, *imported_at;
	uint64_t records, skipped, affected;
} bw_source_row;

int bw_vulnstore_each_source(bw_vulnstore *s, int (*cb)(const bw_source_row *, void *), void *ctx);
/* The schema version and the number of advisories, for `db info`. */
int bw_vulnstore_stats(bw_vulnstore *s, int *schema, uint64_t *advisories, uint64_t *affected);

typedef struct bw_affected_row {
	int64_t advisory;          /* row id, stable while the store is open */
	const char *id;
	const char *const *aliases;
	size_t n_aliases;
	const char *summary, *adv_severity, *cvss;
	const char *status, *fixed, *ranges, *severity;
	const char *source;
	bool from_osv;
} bw_affected_row;

/* Calls cb for every affected row of (ecosystem, name). Strings are valid
 * only during the callback. */
int bw_vulnstore_lookup(bw_vulnstore *s, const char *ecosystem, const char *name,
			int (*cb)(const bw_affected_row *, void *), void *ctx);
/* *out: the store has rows for ecosystem (only from a native, non-OSV feed
 * when native_only). */
int bw_vulnstore_has_rows(bw_vulnstore *s, const char *ecosystem, bool native_only, bool *out);
/* Lookups between these two share one read transaction (one snapshot, one lock);
 * a no-op inside a transaction already open. read_end after every successful begin. */
int bw_vulnstore_read_begin(bw_vulnstore *s);
void bw_vulnstore_read_end(bw_vulnstore *s);

#endif
