/*
 * tests/fuzz/fuzz_checkpoint.c: the signed-note checkpoint parser and the
 * TLS-framed SCT list parser (both read bytes a log or CA wrote), plus the
 * Merkle verifier over whatever root and path the input spells.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/checkpoint.h"
#include "sign/merkle.h"
#include "sign/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_checkpoint cp;
	bw_sct scts[BW_MAX_SCTS];
	size_t n;

	if (bw_checkpoint_parse("fuzz cp", (const char *)data, size, &cp) == 0) {
		for (size_t i = 0; i < cp.n_sigs; i++)
			sink += strlen(cp.sigs[i].name) + cp.sigs[i].sig_len + cp.sigs[i].hint[0];
		sink += strlen(cp.origin) + cp.signed_len + cp.root_hash[31];
		/* The checkpoint's own root as a one-leaf tree, and a path cut from the input. */
		uint8_t leaf[32];
		bw_merkle_leaf_hash(data, size, leaf);
		sink += (size_t)bw_merkle_verify_inclusion("fuzz proof", cp.tree_size ? cp.tree_size - 1 : 0,
							   cp.tree_size, leaf,
							   (const uint8_t (*)[32])data, size / 32 > 70 ? 70 : size / 32,
							   cp.root_hash);
		bw_checkpoint_free(&cp);
	}
	if (bw_sct_list_parse("fuzz sct", data, size, scts, BW_MAX_SCTS, &n) == 0)
		for (size_t i = 0; i < n; i++)
			sink += scts[i].sig_len + scts[i].extensions_len + (size_t)scts[i].timestamp_ms;
	sink += strlen(bw_error_last()->message);
	bw_error_clear();
	return 0;
}
