/* libFuzzer harness: the apk installed-database parser (inventory/apk.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/apk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_apk_pkg *v = NULL;
	size_t n = 0;
	if (bw_apk_parse("fuzz", (const char *)data, size, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (!v[i].name)
				abort(); /* the parser promises a name on every package */
			for (size_t k = 0; k < v[i].n_files; k++)
				if (v[i].files[k][0] != '/')
					abort();
		}
		bw_apk_free(v, n);
	}
	return 0;
}
