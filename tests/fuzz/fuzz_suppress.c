/*
 * tests/fuzz/fuzz_suppress.c: VEX documents (OpenVEX, CycloneDX) and ignore
 * files (src/match/suppress.c). The first byte picks the loader; the rest is
 * written to a private temporary file, as the loaders read paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "bulwark/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_suppressions *s = NULL;

	if (size < 1)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-suppress-%d", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	if (bw_suppressions_new(&s) < 0)
		abort();
	if (data[0] & 1)
		bw_suppressions_load_ignore(s, path, "2026-01-01");
	else
		bw_suppressions_load_vex(s, path);
	bw_suppressions_free(s);
	bw_error_clear();
	return 0;
}
