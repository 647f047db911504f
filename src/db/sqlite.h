/*
 * db/sqlite.h: the one place that includes sqlite3.h (DESIGN.md §3).
 *
 * For now: reading an untrusted SQLite file held in memory (an rpmdb.sqlite
 * taken from an image). The file is never written to disk and never opened by
 * path; sqlite reads a private, read-only copy, with defensive mode on, no
 * triggers or views from the file's schema, small limits, and a cap on the
 * virtual-machine steps of each query, so a hostile file costs bounded time
 * and memory and gives BW_EINPUT, not a crash.
 */
#ifndef BW_DB_SQLITE_H
#define BW_DB_SQLITE_H

#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

/* Largest database file we load into memory, and largest single value. */
#define BW_SQLITE_MAX_DB_BYTES     (1 * BW_GiB)
#define BW_SQLITE_MAX_VALUE_BYTES  (64 * BW_MiB)
/* sqlite progress-handler ticks (each ~1000 VM instructions) per query. */
#define BW_SQLITE_MAX_STEPS_K      (10 * 1000 * 1000)

typedef struct bw_sqlite bw_sqlite;

/* Opens a read-only in-memory database from a copy of data/len. what names
 * the input in error messages and is kept by pointer (it must outlive db). */
int bw_sqlite_open_memory(const char *what, const uint8_t *data, size_t len, bw_sqlite **out);
void bw_sqlite_close(bw_sqlite *db);

/* Runs sql (no parameters) and calls cb with column 0 of each row as bytes
 * (a NULL column gives data NULL, len 0). A non-zero return from cb stops the
 * query and is returned. Errors from sqlite (corrupt file, no such table,
 * limits) are BW_EINPUT naming what. */
int bw_sqlite_each_blob(bw_sqlite *db, const char *sql,
			int (*cb)(const uint8_t *data, size_t len, void *ctx), void *ctx);

#endif
