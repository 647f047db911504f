/* libFuzzer harness: Cargo.lock, cargo-auditable JSON and the .dep-v0 stream scanner (inventory/rust.h). */
#include <stdint.h>
#include <stdlib.h>

#include "bulwark/errors.h"
#include "inventory/rust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_cargo_pkg *v = NULL;
	size_t n = 0;
	if (bw_cargo_lock_parse("fuzz", (const char *)data, size, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!v[i].name || !v[i].version)
				abort();
		bw_cargo_free(v, n);
	}
	if (bw_cargo_audit_parse("fuzz", (const char *)data, size, &v, &n) == 0)
		bw_cargo_free(v, n);
	bw_cargo_scanner *s = bw_cargo_scanner_new();
	if (!s)
		return 0;
	for (size_t o = 0; o < size; o += 61)
		if (bw_cargo_scanner_feed(s, data + o, size - o < 61 ? size - o : 61) < 0)
			abort();
	char *json = NULL;
	size_t jl = 0;
	if (bw_cargo_scanner_finish(s, "fuzz", &json, &jl) == 0 && json) {
		if (bw_cargo_audit_parse("fuzz", json, jl, &v, &n) == 0)
			bw_cargo_free(v, n);
		free(json);
	}
	bw_cargo_scanner_free(s);
	return 0;
}
