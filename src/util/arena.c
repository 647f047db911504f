#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/overflow.h"

/*
 * Blocks start small and double up to BLOCK_BYTES: an arena that holds one
 * package's strings (a pkgstore per METADATA or package.json) costs a few KiB
 * of heap, not a 256 KiB mmap and its page faults, while a big arena still
 * gets big blocks after a few doublings.
 */
#define FIRST_BLOCK_BYTES (4 * 1024)
#define BLOCK_BYTES (256 * 1024)

struct bw_arena_block {
	bw_arena_block *next;
	size_t used, cap;
	_Alignas(8) unsigned char data[];
};

void *bw_arena_alloc(bw_arena *a, size_t len)
{
	size_t need;

	if (bw_add_overflow(len, 7, &need))
		return NULL;
	need &= ~(size_t)7;
	if (!a->head || a->head->cap - a->head->used < need) {
		size_t grow = a->head ? a->head->cap * 2 : FIRST_BLOCK_BYTES;
		if (grow > BLOCK_BYTES)
			grow = BLOCK_BYTES;
		size_t cap = need > grow ? need : grow;
		size_t bytes;
		if (bw_add_overflow(sizeof(bw_arena_block), cap, &bytes))
			return NULL;
		bw_arena_block *b = malloc(bytes);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		/* A big one-off allocation goes behind the current block so the
		 * current block's free space is not wasted. */
		if (a->head && need > BLOCK_BYTES) {
			b->next = a->head->next;
			a->head->next = b;
			b->used = need;
			a->total += len;
			return b->data;
		}
		b->next = a->head;
		a->head = b;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += need;
	a->total += len;
	return p;
}

char *bw_arena_strndup(bw_arena *a, const char *s, size_t len)
{
	size_t n;
	if (bw_add_overflow(len, 1, &n))
		return NULL;
	char *p = bw_arena_alloc(a, n);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *bw_arena_strdup(bw_arena *a, const char *s)
{
	return bw_arena_strndup(a, s, strlen(s));
}

void bw_arena_free(bw_arena *a)
{
	bw_arena_block *b = a->head;
	while (b) {
		bw_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->total = 0;
}
