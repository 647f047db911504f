/*
 * util/strmap.h: an open-addressing hash map from NUL-terminated strings to
 * pointers. Keys are not copied: they must outlive their entry (the image
 * filesystem keeps them in its own arena). Deletion leaves a tombstone.
 */
#ifndef BW_UTIL_STRMAP_H
#define BW_UTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct bw_strmap_slot {
	const char *key; /* NULL: empty; BW_STRMAP_TOMB: deleted */
	void *value;
	uint64_t hash;
} bw_strmap_slot;

typedef struct bw_strmap {
	bw_strmap_slot *slots;
	size_t cap;   /* power of two */
	size_t used;  /* live + tombstones */
	size_t live;
} bw_strmap;

uint64_t bw_strhash(const char *s, size_t len);

/* NULL when absent. */
void *bw_strmap_get(const bw_strmap *m, const char *key);
void *bw_strmap_getn(const bw_strmap *m, const char *key, size_t len);
/* Inserts or replaces; 0, or -1 on ENOMEM. */
int bw_strmap_put(bw_strmap *m, const char *key, void *value);
/* Returns the removed value, or NULL. */
void *bw_strmap_del(bw_strmap *m, const char *key);
void bw_strmap_free(bw_strmap *m);

#endif
