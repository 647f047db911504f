/*
 * util/buf.h: a growable byte buffer with a hard ceiling (curl's dynbuf idea).
 *
 * Every buffer that holds input is created with the largest size it may ever
 * reach; an append past it fails instead of growing. The content is always
 * NUL-terminated (not counted in len) so text can be handed to C string APIs.
 */
#ifndef BW_UTIL_BUF_H
#define BW_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct bw_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
} bw_buf;

#define BW_BUF_INIT(maxbytes) { NULL, 0, 0, (maxbytes) }

/* 0, or -1 when the append would pass max (errno-free: caller names the input),
 * or -2 when memory ran out. The buffer is unchanged on failure. */
int bw_buf_append(bw_buf *b, const void *data, size_t len);
int bw_buf_append_str(bw_buf *b, const char *s);
void bw_buf_reset(bw_buf *b);
void bw_buf_free(bw_buf *b);
/*
 * Reads the regular file at path into out (which must be empty), refusing a
 * file larger than out->max. Errors carry `code` (BW_EINPUT for data,
 * BW_EUSAGE for a file the user names as configuration) and one line naming
 * the path and `what` it was ("a feed file", "the policy file").
 */
int bw_buf_read_file(bw_buf *out, const char *path, int code, const char *what);

/* Hands the data to the caller (free() it); the buffer becomes empty. */
uint8_t *bw_buf_detach(bw_buf *b, size_t *len);

#endif
