/*
 * tests/fuzz/fuzz_tar.c: the layer tar reader (src/image/tar.h) alone.
 *
 * The input is an uncompressed tar stream, handed to the reader in chunks
 * whose size comes from the input's last byte (1..256, or 64 KiB when it is
 * 0), so that headers and extension headers straddle chunk boundaries.
 * Every entry's data is read (odd entries) or skipped (even ones), and the
 * reader's promises are checked, aborting when one is broken:
 *   - a name is non-empty and path_len bytes long with no NUL in it; so is a
 *     link target, which only links have;
 *   - reading an entry's data yields exactly its size, never more;
 *   - entries come at increasing offsets, the reader never consumes more
 *     bytes than the input has, and an error ends the archive for good.
 * fuzz_layer covers the same reader through the whole scan; this harness gets
 * many more executions per second on the reader's own code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct feed {
	const uint8_t *data;
	size_t size, off, chunk;
} feed;

static ssize_t next(void *ctx, const uint8_t **out)
{
	feed *f = ctx;
	size_t take = f->size - f->off < f->chunk ? f->size - f->off : f->chunk;
	*out = f->data + f->off;
	f->off += take;
	return (ssize_t)take;
}

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_tar: broken promise: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed f = { data, size, 0, 65536 };
	bw_tar t;
	bw_tar_entry e;
	static uint8_t buf[4096];
	uint64_t last = 0;
	unsigned n = 0;
	int r;

	if (size && data[size - 1])
		f.chunk = data[size - 1];
	bw_tar_init(&t, next, &f, "fuzz");
	while ((r = bw_tar_next(&t, &e)) > 0) {
		check(e.path && e.path_len > 0 && strlen(e.path) == e.path_len, "name");
		check(!e.link == !(e.type == BW_FT_HARDLINK || e.type == BW_FT_SYMLINK), "link presence");
		check(!e.link || strlen(e.link) == e.link_len, "link length");
		check(n == 0 || e.offset > last, "offsets increase");
		check(e.offset + 512 <= t.offset && t.offset <= size, "consumed within the input");
		last = e.offset;
		if (n++ % 2) {
			uint64_t got = 0;
			ssize_t k;
			while ((k = bw_tar_read(&t, buf, sizeof(buf))) > 0) {
				check((size_t)k <= sizeof(buf), "read within the buffer");
				got += (uint64_t)k;
			}
			check(got <= e.size, "data no longer than the size");
			if (k < 0) {
				r = (int)k;
				break;
			}
			check(got == e.size, "data as long as the size");
		}
	}
	if (r < 0)
		check(bw_tar_next(&t, &e) < 0, "an error ends the archive");
	else
		check(bw_tar_next(&t, &e) == 0, "the end stays the end");
	bw_tar_free(&t);
	return 0;
}
