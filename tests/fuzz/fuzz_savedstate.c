/*
 * tests/fuzz/fuzz_savedstate.c: the states that streaming analyzers save for
 * the layer cache, as a later scan reads them back (analyzer.h save/load):
 * the secret scanner's findings (secrets/analyzer.c) and the file digests of
 * diff/drift (image/digests.c). The first byte picks the analyzer.
 *
 * Entries are checksummed, but their payload is still parsed as input.
 * Arbitrary bytes must load or be refused with BW_EINPUT; whatever loads must
 * save and load again to the same state: byte for byte for the secrets (kept
 * in order), the same size for the digests (saved in hash order). A broken
 * promise prints "fuzz_savedstate: ..." and aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const bw_analyzer bw_analyzer_secrets, bw_analyzer_digests;

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_savedstate: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool secrets = data[0] & 1;
	const bw_analyzer *a = secrets ? &bw_analyzer_secrets : &bw_analyzer_digests;
	void *state = a->layer_new(), *state2 = a->layer_new();
	bw_buf first = BW_BUF_INIT(64u << 20), second = BW_BUF_INIT(64u << 20);
	bw_cursor in = { data + 1, size - 1, false };

	if (!state || !state2)
		broken("no state (out of memory, or the built-in secret rules do not compile)");
	int rc = a->load(state, &in);
	if (rc < 0) {
		if (rc != BW_EINPUT && rc != BW_EINTERNAL)
			broken("a refusal that is neither BW_EINPUT nor out of memory");
	} else {
		size_t used = size - 1 - in.left;
		if (a->save(state, &first) < 0)
			broken("a loaded state does not save");
		bw_cursor again = { first.data, first.len, false };
		if (a->load(state2, &again) < 0 || again.left != 0)
			broken("what bulwark saved does not load");
		if (a->save(state2, &second) < 0 || second.len != first.len)
			broken("save -> load -> save changed the size");
		if (secrets && (first.len != used || memcmp(first.data, data + 1, used) != 0))
			broken("load -> save changed the bytes");
	}
	bw_buf_free(&first);
	bw_buf_free(&second);
	a->layer_free(state);
	a->layer_free(state2);
	return 0;
}
