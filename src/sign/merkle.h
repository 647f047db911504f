/*
 * sign/merkle.h: RFC 6962 / RFC 9162 Merkle tree hashing and inclusion proof
 * verification (the transparency-log audit path of a Rekor entry).
 */
#ifndef BW_SIGN_MERKLE_H
#define BW_SIGN_MERKLE_H

#include <stddef.h>
#include <stdint.h>

/* A proof for a tree of at most 2^64 leaves has at most 64 hashes. */
#define BW_MERKLE_MAX_PROOF 64

/* SHA-256(0x00 || leaf) */
void bw_merkle_leaf_hash(const void *leaf, size_t len, uint8_t out[32]);

/*
 * RFC 9162 §2.1.3.2: verifies that leaf_hash is leaf number `index` of the
 * tree of `tree_size` leaves whose root is `root`, given the audit path.
 * 0 when it does; BW_EPOLICY (with a reason naming `what`) when not;
 * BW_EINPUT when index/size/path length cannot describe a proof.
 */
int bw_merkle_verify_inclusion(const char *what, uint64_t index, uint64_t tree_size,
			       const uint8_t leaf_hash[32], const uint8_t (*path)[32], size_t n_path,
			       const uint8_t root[32]);

#endif
