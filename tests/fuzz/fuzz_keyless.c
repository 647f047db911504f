/*
 * tests/fuzz/fuzz_keyless.c: cosign's classic keyless signature layers.
 *
 * The input is a signature manifest (sha256-<hex>.sig / .att). It goes to
 * bw_sigmanifest_parse (which bounds and reads the certificate, chain, Rekor
 * bundle and RFC 3161 annotations), and each layer's annotations go through
 * bw_cosign_layer_bundle (the Rekor bundle JSON, the base64 entry body and its
 * JSON, the PEM certificate) and, when that yields a document, through
 * bw_bundle_parse: the path `verify --keyless` takes before any signature is
 * checked. Results are freed so LeakSanitizer sees the error paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/bundle.h"
#include "sign/cosign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_sigmanifest m;
	uint8_t digest[32] = { 1 };

	if (bw_sigmanifest_parse("fuzz manifest", data, size, &m) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			const bw_siglayer *l = &m.layers[i];
			char *doc = NULL;
			size_t len = 0;
			bw_bundle b;
			if (bw_cosign_layer_bundle("fuzz layer", l->signature, l->certificate, l->rekor_bundle,
						   l->rfc3161, digest, &doc, &len) == 0) {
				if (bw_bundle_parse("fuzz bundle", doc, len, &b) == 0) {
					sink += b.n_entries + b.n_timestamps;
					bw_bundle_free(&b);
				}
				free(doc);
			}
		}
		bw_sigmanifest_free(&m);
	}
	sink += strlen(bw_error_last()->message);
	bw_error_clear();
	return 0;
}
