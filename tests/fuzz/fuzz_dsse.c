/*
 * tests/fuzz/fuzz_dsse.c: DSSE envelopes (bw_dsse_parse, then PAE over what
 * parsed) and in-toto statements (bw_statement_parse), as an attestation
 * verifier reads them from a registry.
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
	bw_dsse e;
	bw_statement s;

	if (bw_dsse_parse("fuzz", data, size, &e) == 0) {
		size_t n;
		uint8_t *pae = bw_dsse_pae(e.payload_type, e.payload_type_len, e.payload, e.payload_len, &n);
		if (pae)
			sink += n;
		free(pae);
		for (size_t i = 0; i < e.n_sigs; i++)
			sink += e.sigs[i].sig_len;
		if (bw_statement_parse("fuzz payload", e.payload, e.payload_len, &s) == 0)
			bw_statement_free(&s);
		bw_dsse_free(&e);
	}
	if (bw_statement_parse("fuzz", data, size, &s) == 0) {
		sink += s.n_subjects + strlen(s.predicate_type);
		bw_statement_free(&s);
	}
	return 0;
}
