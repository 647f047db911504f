/*
 * tests/fuzz/fuzz_sbomin.c: SBOM input (`sbom:FILE`, src/inventory/sbom_in.c).
 *
 * The input is written to a private temporary file and opened as an image;
 * CycloneDX and SPDX documents, purls and qualifiers all come from the fuzzer.
 * Every package the reader returns is touched so ASan sees stale pointers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "bulwark/image.h"
#include "bulwark/package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz-sbomin-%d.json", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	char ref[96];
	snprintf(ref, sizeof(ref), "sbom:%s", path);
	bw_image *img = NULL;
	if (bw_image_open(&img, ref, NULL) == 0) {
		for (size_t i = 0; i < bw_image_package_count(img); i++) {
			const bw_package *p = bw_image_package_at(img, i);
			sink += strlen(p->name) + strlen(p->purl) + (p->version ? strlen(p->version) : 0);
		}
		sink += bw_image_get_info(img)->os_family ? 1 : 0;
	}
	bw_image_free(img);
	bw_error_clear();
	return 0;
}
