/*
 * tests/fuzz/fuzz_imagecache.c: the image result cache's payload as a later
 * scan reads it back (image/imagecache.c, util/wire.h).
 *
 * Entries are checksummed, but their payload is still parsed as input.
 * Arbitrary bytes must decode or be refused with BW_EINPUT, leaving the image
 * with no packages; whatever decodes must encode back to exactly the input
 * (the form is canonical). A broken promise prints "fuzz_imagecache: ..." and
 * aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/image_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LAYERS 3

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_imagecache: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_image *img = calloc(1, sizeof(*img));
	bw_buf again = BW_BUF_INIT(64u << 20);

	if (!img || !(img->layers = calloc(LAYERS, sizeof(*img->layers))))
		broken("out of memory");
	img->n_layers = LAYERS;
	int rc = bw_image_cache__decode(img, data, size);
	if (rc < 0) {
		if (rc != BW_EINPUT && rc != BW_EINTERNAL)
			broken("a refusal that is neither BW_EINPUT nor out of memory");
		if (img->n_packages != 0 || img->os_family)
			broken("a refused entry left packages or an OS behind");
	} else {
		if (bw_image_cache__encode(img, img->cached_n_files, &again) < 0)
			broken("a decoded entry does not encode");
		if (again.len != size || memcmp(again.data, data, size) != 0)
			broken("decode -> encode changed the bytes");
	}
	bw_image_cache__reset(img);
	bw_buf_free(&again);
	free(img->layers);
	free(img);
	return 0;
}
