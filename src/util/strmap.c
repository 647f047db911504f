#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"

static const char tomb_marker;
#define TOMB (&tomb_marker)

/* FNV-1a, then a final mix so that low bits are usable as an index. */
uint64_t bw_strhash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static bw_strmap_slot *find(const bw_strmap *m, const char *key, size_t len, uint64_t h)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		bw_strmap_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->key != TOMB && s->hash == h && strncmp(s->key, key, len) == 0 &&
		    s->key[len] == '\0')
			return s;
	}
}

void *bw_strmap_getn(const bw_strmap *m, const char *key, size_t len)
{
	bw_strmap_slot *s = find(m, key, len, bw_strhash(key, len));
	return s ? s->value : NULL;
}

void *bw_strmap_get(const bw_strmap *m, const char *key)
{
	return bw_strmap_getn(m, key, strlen(key));
}

static int grow(bw_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	/* Rehash in place of tombstones when they are the reason we are full. */
	if (m->cap && m->live * 2 < m->cap)
		cap = m->cap;
	bw_strmap_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		bw_strmap_slot *s = &m->slots[i];
		if (!s->key || s->key == TOMB)
			continue;
		size_t j = s->hash & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->used = m->live;
	return 0;
}

int bw_strmap_put(bw_strmap *m, const char *key, void *value)
{
	size_t len = strlen(key);
	uint64_t h = bw_strhash(key, len);
	bw_strmap_slot *s = find(m, key, len, h);
	if (s) {
		s->key = key;
		s->value = value;
		return 0;
	}
	if ((m->used + 1) * 4 >= m->cap * 3 && grow(m) < 0)
		return -1;
	size_t mask = m->cap - 1;
	size_t i = h & mask;
	while (m->slots[i].key && m->slots[i].key != TOMB)
		i = (i + 1) & mask;
	if (!m->slots[i].key)
		m->used++;
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->slots[i].hash = h;
	m->live++;
	return 0;
}

void *bw_strmap_del(bw_strmap *m, const char *key)
{
	size_t len = strlen(key);
	bw_strmap_slot *s = find(m, key, len, bw_strhash(key, len));
	if (!s)
		return NULL;
	void *v = s->value;
	s->key = TOMB;
	s->value = NULL;
	m->live--;
	return v;
}

void bw_strmap_free(bw_strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
