/* libFuzzer harness: the dpkg status parser (inventory/dpkg.h), both status modes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/dpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int optional = 0; optional < 2; optional++) {
		bw_dpkg_pkg *v = NULL;
		size_t n = 0;
		if (bw_dpkg_parse("fuzz", (const char *)data, size, optional, &v, &n) == 0) {
			for (size_t i = 0; i < n; i++) /* every string the parser returns is a C string */
				if (v[i].name && strlen(v[i].name) > size)
					abort();
			bw_dpkg_free(v, n);
		}
	}
	return 0;
}
