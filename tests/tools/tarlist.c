/*
 * tests/tools/tarlist.c: bw-tarlist, a test-only driver of the layer tar
 * reader (src/image/tar.h). `bw-tarlist [CHUNK]` reads an uncompressed tar
 * from stdin, hands it to the reader in chunks of CHUNK bytes (default
 * 1 MiB, at most 1 MiB; small odd sizes make headers straddle chunks), and prints one line
 * per entry:
 *
 *   TYPE PATH LINK MODE UID GID SIZE SHA256-OF-DATA
 *
 * TYPE one of f h l c b d p; PATH and LINK with bytes outside 0x21..0x7e
 * (and '%') written %XX, LINK "-" when there is none; MODE octal; the data
 * hash over what bw_tar_read returned (files only; "-" otherwise). Every
 * other file (the first, third, ...) is read, the rest skipped ("skipped"),
 * so both paths are used.
 * A reader error is printed on stderr and the exit status is 3.
 * tests/integration/tar_reader.sh compares the output with Python's tarfile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "crypto/digest.h"
#include "image/tar.h"

typedef struct src {
	uint8_t buf[1 << 20];
	size_t len, off;   /* read from stdin, handed out */
	size_t chunk;
} src;

/* Reads stdin in big blocks and hands it out in slices of s->chunk bytes. */
static ssize_t from_stdin(void *ctx, const uint8_t **data)
{
	src *s = ctx;
	if (s->off == s->len) {
		ssize_t n;
		do
			n = read(0, s->buf, sizeof(s->buf));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return bw_error_set(BW_EINPUT, "stdin: read failed");
		s->len = (size_t)n;
		s->off = 0;
		if (n == 0)
			return 0;
	}
	size_t take = s->len - s->off < s->chunk ? s->len - s->off : s->chunk;
	*data = s->buf + s->off;
	s->off += take;
	return (ssize_t)take;
}

static void print_escaped(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x21 || c > 0x7e || c == '%')
			printf("%%%02X", c);
		else
			putchar(c);
	}
}

int main(int argc, char **argv)
{
	static src s;
	bw_tar t;
	bw_tar_entry e;
	int r;
	unsigned long n = 0;

	s.chunk = argc > 1 ? strtoul(argv[1], NULL, 10) : (1u << 20);
	if (s.chunk == 0)
		return 2;
	bw_tar_init(&t, from_stdin, &s, "stdin");
	while ((r = bw_tar_next(&t, &e)) > 0) {
		printf("%c ", (char)e.type); /* bw_ftype: the letters below */
		print_escaped(e.path, e.path_len);
		putchar(' ');
		if (e.link)
			print_escaped(e.link, e.link_len);
		else
			putchar('-');
		printf(" %o %llu %llu %llu ", e.mode, (unsigned long long)e.uid, (unsigned long long)e.gid,
		       (unsigned long long)e.size);
		if (e.type == BW_FT_FILE && n++ % 2 == 0) {
			bw_hasher *h = bw_hasher_new(BW_SHA256);
			uint8_t buf[1000];
			ssize_t got;
			uint64_t total = 0;
			while ((got = bw_tar_read(&t, buf, sizeof(buf))) > 0) {
				bw_hasher_update(h, buf, (size_t)got);
				total += (uint64_t)got;
			}
			bw_digest d;
			bw_hasher_final(h, &d);
			bw_hasher_free(h);
			if (got < 0) {
				r = (int)got;
				break;
			}
			if (total != e.size) {
				fprintf(stderr, "bw-tarlist: read %llu of %llu bytes\n", (unsigned long long)total,
					(unsigned long long)e.size);
				return 5;
			}
			printf("%s\n", d.text + 7);
		} else if (e.type == BW_FT_FILE) {
			printf("skipped\n");
		} else {
			printf("-\n");
		}
	}
	bw_tar_free(&t);
	if (r < 0) {
		fprintf(stderr, "bulwark: %s\n", bw_error_last()->message);
		return 3;
	}
	return 0;
}
