/*
 * tests/fuzz/fuzz_secretscache.c: the secret scanner's findings as the layer
 * cache reads them back (secrets/analyzer.c save/load, util/wire.h).
 *
 * Entries are checksummed, but their payload is still parsed as input.
 * Arbitrary bytes must load or be refused with BW_EINPUT; whatever loads must
 * save to exactly the input (the form is canonical). A broken promise prints
 * "fuzz_secretscache: ..." and aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const bw_analyzer bw_analyzer_secrets;

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_secretscache: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const bw_analyzer *a = &bw_analyzer_secrets;
	void *state = a->layer_new();
	bw_buf again = BW_BUF_INIT(64u << 20);
	bw_cursor in = { data, size, false };

	if (!state)
		broken("no state (out of memory, or the built-in rules do not compile)");
	int rc = a->load(state, &in);
	if (rc < 0) {
		if (rc != BW_EINPUT && rc != BW_EINTERNAL)
			broken("a refusal that is neither BW_EINPUT nor out of memory");
	} else {
		if (a->save(state, &again) < 0)
			broken("loaded findings do not save");
		if (again.len != size - in.left || memcmp(again.data, data, again.len) != 0)
			broken("load -> save changed the bytes");
	}
	bw_buf_free(&again);
	a->layer_free(state);
	return 0;
}
