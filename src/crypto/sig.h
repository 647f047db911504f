/*
 * crypto/sig.h: public-key signatures and the primitives of cosign's key
 * format, behind one small interface so OpenSSL and libsodium stay in
 * src/crypto (issue 10). Owns: key generation, PKCS#8 / SPKI (de)serialising
 * with the key-type policy cosign applies, signing and verifying, the ECDSA
 * raw r||s <-> DER conversion (PKCS#11 tokens and DSSE's spec vector use raw),
 * scrypt (EVP_PBE_scrypt) and NaCl secretbox (XSalsa20-Poly1305, libsodium).
 *
 * Key policy (as cosign's import and load checks): ECDSA on P-256, P-384 or
 * P-521, Ed25519, RSA of 2048 to 4096 bits. Anything else is BW_EINPUT.
 *
 * Hashes: ECDSA signs with SHA-256 on every curve, as cosign's key signing
 * and containers/image's verifier (which hardcodes SHA-256) do, and verifies
 * with SHA-256 or the curve's own hash (SHA-384, SHA-512: sigstore's newer
 * algorithm registry). RSA is PKCS#1 v1.5 with SHA-256; Ed25519 is pure
 * Ed25519 over the message.
 */
#ifndef BW_CRYPTO_SIG_H
#define BW_CRYPTO_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum bw_key_alg {
	BW_KEY_ECDSA_P256 = 0,
	BW_KEY_ECDSA_P384,
	BW_KEY_ECDSA_P521,
	BW_KEY_ED25519,
	BW_KEY_RSA_2048, /* read, never generated */
	BW_KEY_RSA_3072,
	BW_KEY_RSA_4096,
} bw_key_alg;

typedef struct bw_pkey bw_pkey;

/* "ecdsa-p256" ... "rsa-4096" <-> enum; -1 when the name is unknown. */
int bw_key_alg_parse(const char *name);
const char *bw_key_alg_name(bw_key_alg alg);

int bw_pkey_generate(bw_key_alg alg, bw_pkey **out);
/* PKCS#8 DER private key only (cosign refuses SEC1 and PKCS#1 inside its format). */
int bw_pkey_parse_pkcs8(const char *what, const void *der, size_t len, bw_pkey **out);
/*
 * A plain PEM private key to import: "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY"
 * (PKCS#1) or "EC PRIVATE KEY" (SEC1); encrypted PEM and other blocks are
 * refused. The key policy applies (BW_EINPUT naming the size or curve).
 */
int bw_pkey_parse_private_pem(const char *what, const void *pem, size_t len, bw_pkey **out);
/* A PEM "PUBLIC KEY" (SPKI). The first PEM block must be it; nothing else is accepted. */
int bw_pkey_parse_public_pem(const char *what, const void *pem, size_t len, bw_pkey **out);
/* An EC public key from PKCS#11 attributes: CKA_EC_PARAMS (DER OID) and CKA_EC_POINT (DER OCTET STRING or raw). */
int bw_pkey_from_ec_point(const char *what, const void *params, size_t params_len, const void *point,
			  size_t point_len, bw_pkey **out);
void bw_pkey_free(bw_pkey *k);

bw_key_alg bw_pkey_alg(const bw_pkey *k);
bool bw_pkey_is_private(const bw_pkey *k);
/* Same public key? */
bool bw_pkey_public_equal(const bw_pkey *a, const bw_pkey *b);

/* malloc'd PKCS#8 DER of a private key; wipe and free it. */
int bw_pkey_pkcs8(const bw_pkey *k, uint8_t **der, size_t *len);
/* malloc'd NUL-terminated PEM "PUBLIC KEY". */
int bw_pkey_public_pem(const bw_pkey *k, char **pem);

/* Signs msg; *sig malloc'd (DER for ECDSA). */
int bw_pkey_sign(bw_pkey *k, const void *msg, size_t len, uint8_t **sig, size_t *sig_len);
/*
 * 0 when sig is k's signature over msg; BW_EPOLICY ("signature does not
 * verify") otherwise, including for garbage. ECDSA signatures may be DER or
 * raw r||s.
 */
int bw_pkey_verify(const bw_pkey *k, const void *msg, size_t len, const void *sig, size_t sig_len);

/* The digest an ECDSA signature made by a PKCS#11 token must cover (SHA-256 of msg, as bw_pkey_sign). */
int bw_ec_digest_for_curve(int coord_bytes, const void *msg, size_t len, uint8_t out[64], size_t *out_len);
/* Raw r||s (2 * coordinate bytes) -> DER ECDSA-Sig-Value, malloc'd. */
int bw_ecdsa_raw_to_der(const void *raw, size_t raw_len, uint8_t **der, size_t *der_len);

/* scrypt (RFC 7914) with bounded memory: N a power of two <= 2^20, r*p small. */
int bw_scrypt(const char *pass, size_t pass_len, const uint8_t *salt, size_t salt_len, uint64_t N, uint32_t r,
	      uint32_t p, uint8_t *out, size_t out_len);
#define BW_SECRETBOX_KEY 32
#define BW_SECRETBOX_NONCE 24
#define BW_SECRETBOX_MAC 16
/* out gets MAC || ciphertext (len + 16 bytes), NaCl's crypto_secretbox_easy layout. */
int bw_secretbox_seal(const uint8_t *msg, size_t len, const uint8_t nonce[24], const uint8_t key[32], uint8_t *out);
/* 0, or BW_EPOLICY when the MAC does not verify (wrong password or altered data). */
int bw_secretbox_open(const uint8_t *box, size_t len, const uint8_t nonce[24], const uint8_t key[32], uint8_t *out);
int bw_random_bytes(void *buf, size_t len);
void bw_wipe(void *p, size_t len);

#endif
