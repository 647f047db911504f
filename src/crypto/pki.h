/*
 * crypto/pki.h: the public-key side of OpenSSL for keyless verification
 * (sigstore bundles): public keys, X.509 certificates, chain building at a
 * given time, RFC 3161 timestamp tokens, signature checks, SHA-256 (base64 is
 * util/base64.h). Everything above this header (src/sign/) stays free of OpenSSL.
 *
 * Conventions: functions return 0 or a negative BW_E* with bw_error_set()
 * naming `what`. A signature that does not verify is BW_EPOLICY (the input
 * was well formed but says no); malformed DER/PEM is BW_EINPUT. Times are
 * seconds since the epoch (UTC).
 */
#ifndef BW_CRYPTO_PKI_H
#define BW_CRYPTO_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/base64.h"

/* Hard ceilings on what one certificate may be: a Fulcio leaf is ~2.5 KiB with
 * ~20 extensions; 10,000 extensions is hostile, never a real certificate. */
#define BW_PKI_MAX_CERT_BYTES   (32 * 1024)
#define BW_PKI_MAX_EXTENSIONS   128
#define BW_PKI_MAX_KEY_BYTES    (16 * 1024)
#define BW_PKI_MAX_SANS         64
#define BW_PKI_MAX_TIMESTAMP_BYTES (64 * 1024)

typedef struct bw_pki_key bw_pki_key;
typedef struct bw_pki_cert bw_pki_cert;

/* ---- hashing and encoding ---- */
void bw_sha256(const void *data, size_t len, uint8_t out[32]);


/* ---- public keys ---- */
/* SubjectPublicKeyInfo DER; trailing bytes are an error. */
int bw_pki_key_from_der(const char *what, const uint8_t *der, size_t len, bw_pki_key **out);
/* PKCS#1 RSAPublicKey DER (trusted roots' PKCS1_RSA_* key details). */
int bw_pki_key_from_pkcs1_rsa(const char *what, const uint8_t *der, size_t len, bw_pki_key **out);
/* "-----BEGIN PUBLIC KEY-----" PEM. */
int bw_pki_key_from_pem(const char *what, const void *pem, size_t len, bw_pki_key **out);
void bw_pki_key_free(bw_pki_key *k);
bool bw_pki_key_equal(const bw_pki_key *a, const bw_pki_key *b);
bool bw_pki_key_is_ed25519(const bw_pki_key *k);
/* SHA-256 of the key's SubjectPublicKeyInfo DER (the sigstore log ID form). */
int bw_pki_key_id(const bw_pki_key *k, uint8_t out[32]);

/*
 * Verifies sig over msg with the hash the key type implies: ECDSA P-256 ->
 * SHA-256, P-384 -> SHA-384, P-521 -> SHA-512, RSA (PKCS#1 v1.5) -> SHA-256,
 * Ed25519 -> pure. 0 when it verifies, BW_EPOLICY when not.
 */
int bw_pki_verify(const char *what, const bw_pki_key *k, const void *msg, size_t len,
		  const uint8_t *sig, size_t sig_len);
/* The same for a message given only as its SHA-256 digest (not for Ed25519). */
int bw_pki_verify_sha256_digest(const char *what, const bw_pki_key *k, const uint8_t digest[32],
				const uint8_t *sig, size_t sig_len);

/* ---- certificates ---- */
int bw_pki_cert_from_der(const char *what, const uint8_t *der, size_t len, bw_pki_cert **out);
int bw_pki_cert_from_pem(const char *what, const void *pem, size_t len, bw_pki_cert **out);
void bw_pki_cert_free(bw_pki_cert *c);
bool bw_pki_cert_equal(const bw_pki_cert *a, const bw_pki_cert *b);
const bw_pki_key *bw_pki_cert_key(const bw_pki_cert *c);
int64_t bw_pki_cert_not_before(const bw_pki_cert *c);
int64_t bw_pki_cert_not_after(const bw_pki_cert *c);
/* Subject equals issuer and the certificate's own key verifies it. */
bool bw_pki_cert_is_self_signed(const bw_pki_cert *c);
/* basicConstraints cA=TRUE, or anything else OpenSSL would accept as a CA. */
bool bw_pki_cert_is_ca(const bw_pki_cert *c);
/* Extended key usage includes id-kp-codeSigning. */
bool bw_pki_cert_has_code_signing(const bw_pki_cert *c);
/*
 * The URI and e-mail subject alternative names, each a malloc'd string
 * (names with NUL bytes are an error). Free with bw_pki_strings_free.
 */
int bw_pki_cert_sans(const bw_pki_cert *c, char ***out, size_t *n);
void bw_pki_strings_free(char **v, size_t n);
/*
 * The value (OCTET STRING content) of the extension with dotted OID, copied
 * into a malloc'd buffer; 0 with *out NULL when absent. A certificate with the
 * extension twice is an error (two readers, two answers).
 */
int bw_pki_cert_ext(const bw_pki_cert *c, const char *oid, uint8_t **out, size_t *len);
/*
 * The DER TBSCertificate with the embedded SCT list extension
 * (1.3.6.1.4.1.11129.2.4.2) removed: what a CT log signed (RFC 6962 §3.2).
 */
int bw_pki_cert_precert_tbs(const bw_pki_cert *c, uint8_t **out, size_t *len);

/*
 * Verifies that leaf chains to chain[n-1] (the trust anchor; the others are
 * intermediates, in order leaf-side first) at time `at`. On success, when
 * issuer_key_hash is not NULL it receives SHA-256 of the issuing
 * certificate's SubjectPublicKeyInfo (for SCT checks). BW_EPOLICY when the
 * chain does not verify.
 */
int bw_pki_chain_verify(const char *what, const bw_pki_cert *leaf, bw_pki_cert *const *chain,
			size_t n, int64_t at, uint8_t issuer_key_hash[32]);

/* ---- RFC 3161 ---- */
/*
 * Reads a DER TimeStampResp and returns its genTime (seconds; fractions
 * dropped). No verification.
 */
int bw_pki_timestamp_time(const char *what, const uint8_t *der, size_t len, int64_t *gen_time);
/*
 * Verifies a DER TimeStampResp: status granted, the CMS signature by a
 * certificate chaining to chain[n-1] at the token's genTime (chain[0..n-2]
 * are offered as intermediates, chain[0] usually the TSA's own certificate),
 * the timestamping EKU, and the message imprint over `data`.
 */
int bw_pki_timestamp_verify(const char *what, const uint8_t *der, size_t len, const void *data,
			    size_t data_len, bw_pki_cert *const *chain, size_t n);

#endif
