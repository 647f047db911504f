/*
 * sign/merkle.c: RFC 9162 inclusion proof verification (see merkle.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "crypto/pki.h"
#include "sign/merkle.h"

void bw_merkle_leaf_hash(const void *leaf, size_t len, uint8_t out[32])
{
	/* Hash 0x00 || leaf without copying the leaf: two-part input via a small
	 * prefix buffer is not offered by bw_sha256, so build it once. */
	uint8_t stackbuf[1 + 4096];
	if (len <= sizeof(stackbuf) - 1) {
		stackbuf[0] = 0;
		memcpy(stackbuf + 1, leaf, len);
		bw_sha256(stackbuf, len + 1, out);
		return;
	}
	uint8_t *buf = malloc(len + 1);
	if (!buf) {
		memset(out, 0, 32); /* can match no root */
		return;
	}
	buf[0] = 0;
	memcpy(buf + 1, leaf, len);
	bw_sha256(buf, len + 1, out);
	free(buf);
}

static void node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32])
{
	uint8_t buf[65];
	buf[0] = 1;
	memcpy(buf + 1, left, 32);
	memcpy(buf + 33, right, 32);
	bw_sha256(buf, sizeof(buf), out);
}

int bw_merkle_verify_inclusion(const char *what, uint64_t index, uint64_t tree_size,
			       const uint8_t leaf_hash[32], const uint8_t (*path)[32], size_t n_path,
			       const uint8_t root[32])
{
	uint64_t fn = index, sn;
	uint8_t r[32];

	if (tree_size == 0 || index >= tree_size)
		return bw_error_set(BW_EINPUT, "%s: log index %llu outside a tree of %llu leaves", what,
				    (unsigned long long)index, (unsigned long long)tree_size);
	if (n_path > BW_MERKLE_MAX_PROOF)
		return bw_error_set(BW_EINPUT, "%s: inclusion proof of %zu hashes (at most %d)", what,
				    n_path, BW_MERKLE_MAX_PROOF);
	sn = tree_size - 1;
	memcpy(r, leaf_hash, 32);
	for (size_t i = 0; i < n_path; i++) {
		if (sn == 0)
			return bw_error_set(BW_EPOLICY, "%s: inclusion proof is longer than the tree is deep",
					    what);
		if ((fn & 1) || fn == sn) {
			node_hash(path[i], r, r);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			node_hash(r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return bw_error_set(BW_EPOLICY, "%s: inclusion proof is shorter than the tree is deep",
				    what);
	if (memcmp(r, root, 32) != 0)
		return bw_error_set(BW_EPOLICY, "%s: inclusion proof does not lead to the root hash",
				    what);
	return 0;
}
