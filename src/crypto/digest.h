/*
 * crypto/digest.h: content digests ("sha256:<hex>", "sha512:<hex>") and
 * streaming hashers. The only image-side code that touches OpenSSL.
 */
#ifndef BW_CRYPTO_DIGEST_H
#define BW_CRYPTO_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum bw_digest_alg {
	BW_SHA256 = 0,
	BW_SHA512 = 1,
} bw_digest_alg;

/* "sha512:" + 128 hex digits + NUL */
#define BW_DIGEST_TEXT_MAX 136

typedef struct bw_digest {
	bw_digest_alg alg;
	char text[BW_DIGEST_TEXT_MAX]; /* canonical text form */
} bw_digest;

/*
 * Parses and validates a digest string taken from input: a registered
 * algorithm and exactly the right number of lowercase hex digits (the OCI
 * spec's rule; uppercase would give a second name to the same blob).
 * Errors are BW_EINPUT and name `what`.
 */
int bw_digest_parse(const char *what, const char *text, bw_digest *out);

/* The hex part of a parsed digest (points into d->text). */
const char *bw_digest_hex(const bw_digest *d);
const char *bw_digest_alg_name(bw_digest_alg alg);

typedef struct bw_hasher bw_hasher;

bw_hasher *bw_hasher_new(bw_digest_alg alg);
void bw_hasher_update(bw_hasher *h, const void *data, size_t len);
void bw_hasher_final(bw_hasher *h, bw_digest *out);
void bw_hasher_free(bw_hasher *h);

/* One-shot digest of a buffer; 0, or BW_EINTERNAL. */
int bw_digest_buffer(bw_digest_alg alg, const void *data, size_t len, bw_digest *out);

static inline bool bw_digest_equal(const bw_digest *a, const bw_digest *b)
{
	return a->alg == b->alg && __builtin_strcmp(a->text, b->text) == 0;
}

#endif
