#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/overflow.h"

int bw_buf_append(bw_buf *b, const void *data, size_t len)
{
	size_t need;

	if (bw_add_overflow(b->len, len, &need) || need > b->max)
		return -1;
	if (need + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < need + 1)
			cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		uint8_t *p = realloc(b->data, cap);
		if (!p)
			return -2;
		b->data = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len = need;
	b->data[b->len] = '\0';
	return 0;
}

int bw_buf_append_str(bw_buf *b, const char *s)
{
	return bw_buf_append(b, s, strlen(s));
}

void bw_buf_reset(bw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void bw_buf_free(bw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

uint8_t *bw_buf_detach(bw_buf *b, size_t *len)
{
	uint8_t *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
