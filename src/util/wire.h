/*
 * util/wire.h: a little-endian byte format for bulwark's own caches (the layer
 * cache). Writers append to a bounded bw_buf; readers take from a cursor that
 * never reads past its end and remembers that it tried (bad), so a parser can
 * read a whole record and check once. Cached data is checksummed, but it is
 * still read as input: every length is checked against what is left.
 */
#ifndef BW_UTIL_WIRE_H
#define BW_UTIL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

static inline int bw_wire_u8(bw_buf *b, uint8_t v) { return bw_buf_append(b, &v, 1); }

static inline int bw_wire_u32(bw_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	return bw_buf_append(b, x, 4);
}

static inline int bw_wire_u64(bw_buf *b, uint64_t v)
{
	return bw_wire_u32(b, (uint32_t)v) < 0 || bw_wire_u32(b, (uint32_t)(v >> 32)) < 0 ? -1 : 0;
}

/* A string that may be NULL: u32 length + 1 (0: NULL), then the bytes. */
static inline int bw_wire_str(bw_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= UINT32_MAX)
		return -1;
	if (bw_wire_u32(b, s ? (uint32_t)n + 1 : 0) < 0)
		return -1;
	return n ? bw_buf_append(b, s, n) : 0;
}

typedef struct bw_cursor {
	const uint8_t *p;
	size_t left;
	bool bad;
} bw_cursor;

static inline const uint8_t *bw_cursor_take(bw_cursor *c, size_t n)
{
	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *at = c->p;
	c->p += n;
	c->left -= n;
	return at;
}

static inline uint8_t bw_cursor_u8(bw_cursor *c)
{
	const uint8_t *p = bw_cursor_take(c, 1);
	return p ? p[0] : 0;
}

static inline uint32_t bw_cursor_u32(bw_cursor *c)
{
	const uint8_t *p = bw_cursor_take(c, 4);
	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

static inline uint64_t bw_cursor_u64(bw_cursor *c)
{
	uint64_t lo = bw_cursor_u32(c);
	return lo | (uint64_t)bw_cursor_u32(c) << 32;
}

/*
 * A string written by bw_wire_str, copied NUL-terminated into out (cap bytes);
 * returns out, or NULL for a NULL string. A string with a NUL byte, or longer
 * than cap - 1, makes the cursor bad.
 */
static inline const char *bw_cursor_str(bw_cursor *c, char *out, size_t cap)
{
	uint32_t n = bw_cursor_u32(c);
	if (c->bad || n == 0)
		return NULL;
	if (n - 1 >= cap) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = bw_cursor_take(c, n - 1);
	if (!p || memchr(p, 0, n - 1)) {
		c->bad = true;
		return NULL;
	}
	memcpy(out, p, n - 1);
	out[n - 1] = '\0';
	return out;
}

#endif
