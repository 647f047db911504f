/*
 * tests/fuzz/fuzz_sigpayload.c: what a verifier reads from a registry before
 * trusting anything: the cosign signature manifest (bw_sigmanifest_parse),
 * the simple-signing payload (bw_sspayload_parse), and the strict base64 of
 * the signature annotation. Results are touched and freed (LeakSanitizer
 * checks the error paths).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign/cosign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_sigmanifest m;
	bw_sspayload p;
	size_t n;

	if (bw_sigmanifest_parse("fuzz", data, size, &m) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			sink += strlen(m.layers[i].media_type) + m.layers[i].size;
			if (m.layers[i].signature)
				sink += strlen(m.layers[i].signature);
		}
		bw_sigmanifest_free(&m);
	}
	if (bw_sspayload_parse("fuzz", data, size, &p) == 0) {
		sink += strlen(p.docker_reference) + strlen(p.manifest_digest);
		bw_sspayload_free(&p);
	}
	uint8_t *d = bw_b64_decode((const char *)data, size, false, false, &n);
	if (d)
		sink += n;
	free(d);
	return 0;
}
