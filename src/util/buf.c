#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "bulwark/errors.h"
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

int bw_buf_read_file(bw_buf *out, const char *path, int code, const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char chunk[65536];
	int rc = 0;

	if (fd < 0)
		return bw_error_set(code, "%s: cannot read %s: %s", path, what, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return bw_error_set(code, "%s: cannot read %s: not a regular file", path, what);
	}
	/* the size up front refuses a huge file before reading it; the append bound
	 * below still holds if it grows while being read */
	if ((uint64_t)sb.st_size > out->max) {
		close(fd);
		return bw_error_set(code, "%s: %s of %lld bytes is larger than the limit of %zu", path, what,
				    (long long)sb.st_size, out->max);
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = bw_error_set(code, "%s: cannot read %s: %s", path, what, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		int a = bw_buf_append(out, chunk, (size_t)n);
		if (a < 0) {
			rc = a == -1 ? bw_error_set(code, "%s: %s is larger than the limit of %zu", path, what, out->max)
				     : bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
	}
	close(fd);
	return rc;
}
