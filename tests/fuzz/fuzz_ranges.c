/*
 * tests/fuzz/fuzz_ranges.c: the OSV ranges decoder of the matcher
 * (src/match/ranges.c), on the text of a store's "ranges" column.
 *
 * The first byte picks the version scheme; the rest is the text. Besides not
 * crashing, leaking or hanging, the two readers must agree: the text is also
 * decoded with a leading space, which the fast reader refuses and jansson
 * accepts as the same document, and both results must be equal, range by
 * range and version by version.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "match/ranges.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const bw_osv_ranges *a, const bw_osv_ranges *b)
{
	if (!a || !b) {
		if (a != b)
			abort();
		return;
	}
	if (a->n_ranges != b->n_ranges || a->n_listed != b->n_listed)
		abort();
	for (size_t i = 0; i < a->n_ranges; i++) {
		const bw_osv_range *x = &a->ranges[i], *y = &b->ranges[i];
		if (x->usable != y->usable)
			abort();
		if (!x->usable)
			continue;
		if (x->n != y->n)
			abort();
		for (size_t j = 0; j < x->n; j++)
			if (x->ev[j].kind != y->ev[j].kind || strcmp(x->ev[j].version, y->ev[j].version) != 0)
				abort();
	}
	for (size_t i = 0; i < a->n_listed; i++)
		if (strcmp(a->listed[i], b->listed[i]) != 0 || bw_osv_listed_valid(a, i) != bw_osv_listed_valid(b, i))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const bw_version_scheme schemes[] = { BW_VER_PEP440, BW_VER_SEMVER, BW_VER_DPKG, BW_VER_MAVEN,
						     BW_VER_GO, BW_VER_APK, BW_VER_RPM, BW_VER_GEM };
	const bw_osv_ranges *fast = NULL, *slow = NULL;
	bw_arena arena = BW_ARENA_INIT;

	if (size < 1 || size > 1 << 16)
		return 0;
	bw_version_scheme scheme = schemes[data[0] % (sizeof(schemes) / sizeof(schemes[0]))];
	/* the store hands the matcher NUL-terminated text: it ends at the first NUL */
	size_t len = strnlen((const char *)data + 1, size - 1);
	char *text = malloc(len + 2);
	if (!text)
		return 0;
	text[0] = ' ';
	memcpy(text + 1, data + 1, len);
	text[len + 1] = '\0';
	if (bw_osv_ranges_decode(&arena, text + 1, len, scheme, &fast) < 0 ||
	    bw_osv_ranges_decode(&arena, text, len + 1, scheme, &slow) < 0)
		abort(); /* only out of memory fails */
	same(fast, slow);
	bw_error_clear();
	bw_arena_free(&arena);
	free(text);
	return 0;
}
