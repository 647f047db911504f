/*
 * db/state.h: the local state store (SQLite, WAL): what the user has told
 * bulwark, kept apart from the vulnerability database, which is downloaded
 * data and is replaced wholesale by `db update`. Tables and why:
 * docs/base-images.md. The only code that knows the tables.
 *
 * The public handle and open/close are in bulwark/state.h.
 */
#ifndef BW_DB_STATE_H
#define BW_DB_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "bulwark/state.h"

/* Bumped when the tables change incompatibly (PRAGMA user_version). */
#define BW_STATE_SCHEMA 1

/* Inserts or replaces the chain called name. */
int bw_state_base_put(bw_state *st, const char *name, const char *reference, const char *manifest_digest,
		      const char *const *diff_ids, size_t n);
/* 0 when removed, BW_EUSAGE when no chain has that name. */
int bw_state_base_delete(bw_state *st, const char *name);
/* Every chain, ordered by name. A row that does not read back as a chain of
 * "sha256:<64 hex>" lines is BW_EINPUT (the file was altered): never trusted. */
int bw_state_base_each(bw_state *st, int (*fn)(const bw_base_chain *c, void *ctx), void *ctx);

/* --- layer cache (image/layercache.c decides what goes in) --- */

/* 0 and *data (malloc'd) on a hit, 0 and *data NULL on a miss, 1 when the entry's
 * checksum did not match (the entry is deleted: recompute). */
int bw_state_cache_get(bw_state *st, const char *key, uint8_t **data, size_t *len);
/* Stores an entry and evicts least-recently-used ones beyond max_bytes, in one transaction. */
int bw_state_cache_put(bw_state *st, const char *key, const char *diff_id, const uint8_t *data, size_t len,
		       uint64_t max_bytes);
/* images: how many of the entries are image results (keys "image/...", image/imagecache.c) */
int bw_state_cache_stats(bw_state *st, uint64_t *entries, uint64_t *bytes, uint64_t *images);
/* Evicts down to max_bytes (0: everything) and compacts the file. */
int bw_state_cache_prune(bw_state *st, uint64_t max_bytes);

#endif
