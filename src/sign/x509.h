/*
 * sign/x509.h: what sigstore reads out of a Fulcio certificate beyond plain
 * X.509: the OIDC identity policy (SAN, issuer and the GitHub workflow
 * extensions under 1.3.6.1.4.1.57264.1) and the embedded signed certificate
 * timestamps (RFC 6962 §3.3, verified over the reconstructed precertificate).
 */
#ifndef BW_SIGN_X509_H
#define BW_SIGN_X509_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/pki.h"
#include "sign/bundle.h"
#include "sign/trustroot.h"

#define BW_MAX_SCTS 32

/*
 * A Fulcio extension value as text: OIDs .1.1 to .1.6 hold the raw string,
 * .1.8 and later a DER UTF8String. *out malloc'd, NULL when absent.
 */
int bw_fulcio_ext(const bw_pki_cert *c, const char *oid, char **out);

/* 0 when the certificate satisfies every non-NULL field of policy (result
 * gets the matching identity and issuer); BW_EPOLICY with a reason if not. */
int bw_x509_check_policy(const bw_pki_cert *leaf, const bw_bundle_policy *policy,
			 bw_bundle_result *result);

/* One SCT from the TLS-encoded SignedCertificateTimestampList. */
typedef struct bw_sct {
	uint8_t log_id[32];
	uint64_t timestamp_ms;
	const uint8_t *extensions; /* points into the list */
	size_t extensions_len;
	uint8_t hash_alg, sig_alg;
	const uint8_t *sig;
	size_t sig_len;
} bw_sct;

/*
 * Parses the extension value (an OCTET STRING holding the TLS list) into at
 * most max SCTs; pointers refer into data. Bounded and strict: every length
 * must fit exactly.
 */
int bw_sct_list_parse(const char *what, const uint8_t *data, size_t len, bw_sct *out, size_t max,
		      size_t *n);

/*
 * Verifies the leaf's embedded SCTs against the CT logs of the trusted root:
 * 0 and *n_verified >= 1 when at least one SCT from a known log verifies over
 * the precertificate entry (issuer_key_hash: SHA-256 of the issuing CA's
 * SubjectPublicKeyInfo); BW_EPOLICY otherwise.
 */
int bw_x509_verify_scts(const char *what, const bw_pki_cert *leaf,
			const uint8_t issuer_key_hash[32], const bw_trustroot *tr,
			size_t *n_verified);

#endif
