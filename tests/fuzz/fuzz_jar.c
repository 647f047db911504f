/* libFuzzer harness: Java archives, nested ones included (inventory/java.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/java.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_jar_pkg *v = NULL;
	size_t n = 0;
	int rc = bw_jar_parse("/f.jar", data, size, &v, &n);
	if (rc != 0 && rc != BW_EINPUT)
		abort(); /* only ENOMEM may give another code, and the fuzzer does not run out */
	for (size_t i = 0; i < n; i++)
		if (!v[i].artifact || !v[i].version || strncmp(v[i].location, "/f.jar", 6))
			abort();
	bw_jar_free(v, n);
	/* the text readers on raw bytes */
	int oom = 0;
	free(bw_jar_property((const char *)data, size, "version", &oom));
	free(bw_jar_manifest_attr((const char *)data, size, "Implementation-Version", &oom));
	return 0;
}
