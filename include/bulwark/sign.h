/*
 * bulwark/sign.h: key-based image signing, verification and attestations in
 * the formats cosign and containers/image use (issue 10; docs/signing.md).
 *
 * Key references (key_ref): a file (cosign's encrypted private key, or a PEM
 * public key for verification), env://VAR (the same text in a variable), or
 * an RFC 7512 pkcs11: URI with module-path and pin-value / pin-source query
 * attributes (the key never leaves the token).
 *
 * Images: registry references and oci:DIR[:TAG] layouts. Signatures are the
 * layers of the manifest tagged sha256-<hex>.sig (attestations .att) beside
 * the image, or OCI 1.1 referrers with `referrers`.
 */
#ifndef BULWARK_SIGN_H
#define BULWARK_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "bulwark/bundle.h"
#include "bulwark/errors.h"
#include "bulwark/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_sign_annotation {
	const char *key, *value;
} bw_sign_annotation;

typedef struct bw_sign_options {
	const bw_registry_options *registry; /* NULL: defaults */
	const char *key_ref;                 /* see above; required */
	const char *password;                /* for an encrypted key file; NULL: none was given */
	const bw_sign_annotation *annotations; /* sign: written into "optional"; verify: required there */
	size_t n_annotations;
	bool referrers;                      /* sign/attest: attach as an OCI 1.1 referrer, not under the tag;
	                                        verify: also look at referrers */
	const char *identity;                /* docker-reference to write / expect. NULL: a registry image's
	                                        repository ("host/name"); for an oci: layout, sign writes
	                                        "localhost/<directory name>" and verify skips the identity
	                                        check (says so). An expected identity with a tag or digest
	                                        must match exactly; a bare repository matches any tag. */
	const char *predicate_type;          /* attest / verify-attestation: cyclonedx, spdx, vuln, ..., or a URI */
	const char *predicate_path;          /* attest: the predicate file (JSON) */
	const bw_bundle_options *keyless;    /* verify / verify-attestation: keyless instead of key_ref (the
	                                        trusted root and identity policy; key must be NULL). Both
	                                        cosign's .sig/.att tag (certificate + Rekor bundle
	                                        annotations) and sigstore-bundle referrers are read;
	                                        docs/keyless.md */
} bw_sign_options;

/*
 * Writes PREFIX.pub (PEM public key) and PREFIX.key (cosign's encrypted
 * private key, label ENCRYPTED COSIGN PRIVATE KEY, or ENCRYPTED SIGSTORE
 * PRIVATE KEY with sigstore_label). algorithm: ecdsa-p256 (NULL), ecdsa-p384,
 * ecdsa-p521, ed25519, rsa-3072, rsa-4096. Files are created exclusively
 * (an existing one is BW_EUSAGE), the key 0600.
 */
BW_EXTERN int bw_key_generate(const char *prefix, const char *algorithm, const char *password, bool sigstore_label);

/*
 * cosign import-key-pair: reads a plain PEM private key (PKCS#8, PKCS#1 RSA,
 * SEC1 EC) from pem_path, applies the key policy (ECDSA P-256/384/521, RSA
 * 2048-4096, Ed25519) and writes PREFIX.key / PREFIX.pub as bw_key_generate.
 */
BW_EXTERN int bw_key_import(const char *pem_path, const char *prefix, const char *password, bool sigstore_label);

/* Loads the key a reference names (decrypting it) and writes its PEM public key to *pem (malloc'd). */
BW_EXTERN int bw_key_public_pem(const char *key_ref, const char *password, char **pem);

/* true when key_ref names an encrypted key file (so the caller should get a password). */
BW_EXTERN bool bw_key_needs_password(const char *key_ref);

/*
 * Signs IMAGE: a simple-signing payload for its manifest digest, signed,
 * appended to its signatures. digest_out (>= 160 bytes): the image digest
 * signed; sig_out (>= 160 bytes, may be NULL): the signature manifest's digest.
 */
BW_EXTERN int bw_sign_image(const char *image, const bw_sign_options *o, char *digest_out, char *sig_out);

typedef struct bw_sig_check {
	const char *where;        /* which signature: "sha256-<hex>.sig layer 1" */
	bool verified;
	const char *reason;       /* why it failed, or NULL */
	bool malformed;           /* the failure was malformed data (not a wrong key or digest) */
	const char *payload;      /* the payload bytes as stored (NUL-terminated), when read */
	size_t payload_len;
} bw_sig_check;

typedef int (*bw_sig_check_fn)(const bw_sig_check *c, void *ctx);

/*
 * Verifies every signature of IMAGE with the key, calling fn for each. 0
 * when at least one verifies; otherwise BW_EPOLICY ("no signature
 * verified"), or BW_EINPUT when every failure was malformed data (the
 * signature manifest or payloads) and not one was a well-formed signature.
 */
BW_EXTERN int bw_verify_image(const char *image, const bw_sign_options *o, bw_sig_check_fn fn, void *ctx,
			      size_t *n_verified);

/* Wraps the predicate in an in-toto Statement v1 for IMAGE's digest, signs it as DSSE, attaches it (.att). */
BW_EXTERN int bw_attest_image(const char *image, const bw_sign_options *o, char *digest_out, char *att_out);

/*
 * Verifies IMAGE's attestations of predicate_type: envelope signature (DSSE
 * PAE), payload type, statement, subject digest = the image's. fn gets each;
 * for a verified one, payload is the statement. Same returns as bw_verify_image.
 */
BW_EXTERN int bw_verify_attestations(const char *image, const bw_sign_options *o, bw_sig_check_fn fn, void *ctx,
				     size_t *n_verified);

/*
 * The predicate of a verified statement (the payload bw_verify_attestations
 * hands over), written to a new file in dir (mode 0600) whose path goes to
 * *path (malloc'd; the caller unlinks it), so the SBOM inside can be read
 * as the image "sbom:PATH" and a policy evaluated on it.
 */
BW_EXTERN int bw_attestation_predicate_file(const char *statement, size_t len, const char *dir, char **path);

#ifdef __cplusplus
}
#endif
#endif
