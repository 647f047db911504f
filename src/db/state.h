/*
 * db/state.h: the local state store (SQLite, WAL): what the user has told
 * bulwark, kept apart from the vulnerability database, which is downloaded
 * data and is replaced wholesale by `db update`. Tables and why:
 * docs/base-images.md. The only code that knows the tables.
 *
 * The public handle and open/close are in bulwark/base.h.
 */
#ifndef BW_DB_STATE_H
#define BW_DB_STATE_H

#include <stddef.h>
#include "bulwark/base.h"

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

#endif
