/*
 * util/arena.h: append-only memory for many small, long-lived strings and
 * records. Allocations never move (pointers into the arena stay valid until
 * bw_arena_free), which lets hash maps key on them without copies.
 */
#ifndef BW_UTIL_ARENA_H
#define BW_UTIL_ARENA_H

#include <stddef.h>

typedef struct bw_arena_block bw_arena_block;

typedef struct bw_arena {
	bw_arena_block *head;
	size_t total; /* bytes handed out */
} bw_arena;

#define BW_ARENA_INIT { NULL, 0 }

/* NULL on ENOMEM. Memory is 8-byte aligned and not zeroed. */
void *bw_arena_alloc(bw_arena *a, size_t len);
/* Copies len bytes and a terminating NUL. */
char *bw_arena_strndup(bw_arena *a, const char *s, size_t len);
char *bw_arena_strdup(bw_arena *a, const char *s);
void bw_arena_free(bw_arena *a);

#endif
