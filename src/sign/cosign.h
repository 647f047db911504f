/*
 * sign/cosign.h: the internals of key-based signing (issue 10), shared by
 *
 *   codec.c    PEM blocks (base64 is util/base64.h)
 *   keys.c     cosign's encrypted private key format, key references
 *              (file, env://VAR, pkcs11:), the signer abstraction
 *   pkcs11.c   RFC 7512 URIs and a PKCS#11 module driven directly (dlopen)
 *   payload.c  the simple-signing payload: built, and parsed fail-closed;
 *              the cosign signature manifest (.sig / .att layers)
 *   dsse.c     DSSE envelopes (PAE) and in-toto Statements v1
 *   store.c    where signatures live: the sha256-<hex>.sig/.att tags and
 *              referrers of a registry, or the same tags inside an OCI layout
 *   sign.c     the public calls of bulwark/sign.h
 *
 * Everything read back from a registry or layout is hostile: each parser
 * bounds sizes and counts and reports BW_EINPUT naming the input; a
 * signature that does not verify is BW_EPOLICY with the reason.
 */
#ifndef BW_SIGN_COSIGN_H
#define BW_SIGN_COSIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/sign.h"
#include "crypto/digest.h"
#include "crypto/sig.h"
#include "util/base64.h"

#define BW_SIG_MAX_PAYLOAD (128 * 1024)        /* one simple-signing payload */
#define BW_SIG_MAX_ENVELOPE (32 * 1024 * 1024) /* one DSSE envelope (an SBOM inside) */
#define BW_SIG_MAX_LAYERS 1000                 /* signatures under one .sig tag */
#define BW_SIG_MAX_ANNOTATION (64 * 1024)      /* one annotation value (a signature, a cert chain) */
#define BW_SIG_MAX_MANIFEST (4 * 1024 * 1024)  /* the .sig manifest */
#define BW_SIG_MAX_KEYFILE (64 * 1024)

#define BW_MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define BW_MT_DSSE "application/vnd.dsse.envelope.v1+json"
#define BW_MT_INTOTO "application/vnd.in-toto+json"
#define BW_ANN_SIGNATURE "dev.cosignproject.cosign/signature"
#define BW_ANN_PREDICATE_TYPE "predicateType"
#define BW_ARTIFACT_SIG "application/vnd.dev.cosign.artifact.sig.v1+json"
#define BW_ARTIFACT_ATT "application/vnd.dsse.envelope.v1+json"
#define BW_SIMPLESIGNING_TYPE "cosign container image signature"

/* ------------------------------------------------------------ codec.c */

/* The body of the first PEM block; *label gets its label (malloc'd). BW_EINPUT when none. */
int bw_pem_decode(const char *what, const void *text, size_t len, char **label, uint8_t **der, size_t *der_len);
/* "-----BEGIN LABEL-----\n" + base64 in 64-column lines + END, malloc'd. */
char *bw_pem_encode(const char *label, const void *der, size_t len);

/* ------------------------------------------------------------ keys.c */

#define BW_PEM_COSIGN "ENCRYPTED COSIGN PRIVATE KEY"
#define BW_PEM_SIGSTORE "ENCRYPTED SIGSTORE PRIVATE KEY"

/* cosign's key file: checks the PEM, JSON and KDF/cipher parameters, decrypts nothing. */
int bw_cosign_key_check(const char *what, const void *text, size_t len, uint64_t *N);
/* Decrypts a cosign key file with pass; BW_EPOLICY for a wrong password, BW_EINPUT for a bad file. */
int bw_cosign_key_decrypt(const char *what, const void *text, size_t len, const char *pass, bw_pkey **out);
/* Encrypts k as cosign does (scrypt N=32768 r=8 p=1, 32-byte salt, secretbox); PEM malloc'd. */
int bw_cosign_key_encrypt(const bw_pkey *k, const char *pass, const char *label, char **pem);

typedef struct bw_p11 bw_p11;
int bw_p11_open(const char *uri, bw_p11 **out);
int bw_p11_sign(bw_p11 *t, const void *msg, size_t len, uint8_t **sig, size_t *sig_len);
int bw_p11_public(bw_p11 *t, bw_pkey **out);
void bw_p11_close(bw_p11 *t);

typedef struct bw_signer {
	bw_pkey *key; /* a file or env:// key, private */
	bw_p11 *p11;  /* or an HSM key */
	bw_pkey *pub; /* the public half either way */
} bw_signer;

int bw_signer_open(const char *ref, const char *password, bw_signer *out);
int bw_signer_sign(bw_signer *s, const void *msg, size_t len, uint8_t **sig, size_t *sig_len);
void bw_signer_close(bw_signer *s);
/* A verification key: a PEM public key file, env://VAR holding one, or a pkcs11: URI. */
int bw_verifier_open(const char *ref, bw_pkey **out);

/* ------------------------------------------------------------ payload.c */

typedef struct bw_sspayload {
	char *docker_reference;   /* critical.identity.docker-reference */
	char *manifest_digest;    /* critical.image.docker-manifest-digest */
	json_t *optional;         /* object or NULL */
} bw_sspayload;

/* The payload bytes, as cosign writes them (compact, keys in cosign's order). */
char *bw_sspayload_build(const char *docker_reference, const char *digest, const bw_sign_annotation *ann,
			 size_t n_ann, size_t *len);
/*
 * Parses payload bytes fail-closed: size bound, duplicate keys, unknown
 * fields inside "critical", wrong types, a type other than cosign's, a
 * malformed digest. BW_EINPUT naming what.
 */
int bw_sspayload_parse(const char *what, const void *data, size_t len, bw_sspayload *out);
void bw_sspayload_free(bw_sspayload *p);

/* One layer of a cosign signature (or attestation) manifest. */
typedef struct bw_siglayer {
	char *media_type;
	bw_digest digest;
	uint64_t size;
	char *signature;       /* dev.cosignproject.cosign/signature, or NULL */
	char *predicate_type;  /* predicateType (attestations), or NULL */
	bool has_cert;         /* a dev.sigstore.cosign/certificate annotation (keyless: not ours) */
	/* keyless (keyless.c): cosign's annotations as stored, or NULL */
	char *certificate;     /* dev.sigstore.cosign/certificate: the leaf, PEM */
	char *chain;           /* dev.sigstore.cosign/chain: intermediates and root, PEM */
	char *rekor_bundle;    /* dev.sigstore.cosign/bundle: SET + Rekor entry payload, JSON */
	char *rfc3161;         /* dev.sigstore.cosign/rfc3161timestamp: {"SignedRFC3161Timestamp":...} */
} bw_siglayer;

typedef struct bw_sigmanifest {
	size_t n;
	bw_siglayer *layers;
	json_t *doc;           /* the manifest as parsed, to append to */
} bw_sigmanifest;

int bw_sigmanifest_parse(const char *what, const void *data, size_t len, bw_sigmanifest *out);
void bw_sigmanifest_free(bw_sigmanifest *m);

/* ------------------------------------------------------------ dsse.c */

/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body; malloc'd. */
uint8_t *bw_dsse_pae(const char *type, size_t type_len, const void *body, size_t body_len, size_t *out_len);

typedef struct bw_dsse_sig {
	char *keyid;
	uint8_t *sig;
	size_t sig_len;
} bw_dsse_sig;

typedef struct bw_dsse {
	char *payload_type;
	size_t payload_type_len;
	uint8_t *payload;
	size_t payload_len;
	size_t n_sigs;
	bw_dsse_sig *sigs;
} bw_dsse;

/* Parses an envelope (standard or URL-safe base64). BW_EINPUT naming what. */
int bw_dsse_parse(const char *what, const void *data, size_t len, bw_dsse *out);
void bw_dsse_free(bw_dsse *e);
/* Number of distinct keys among keys[] with a valid signature over PAE(envelope). */
size_t bw_dsse_count_verified(const bw_dsse *e, bw_pkey *const *keys, size_t n_keys);
/* Signs body as payload type with s; the envelope JSON malloc'd. */
int bw_dsse_sign(bw_signer *s, const char *type, const void *body, size_t len, char **envelope, size_t *env_len);

typedef struct bw_statement {
	char *predicate_type;
	json_t *predicate;       /* borrowed from doc */
	size_t n_subjects;
	char **subject_sha256;   /* each subject's digest.sha256 (64 hex) */
	json_t *doc;
} bw_statement;

/* in-toto Statement v0.1 / v1, validated as in-toto-golang's Validate(). */
int bw_statement_parse(const char *what, const void *data, size_t len, bw_statement *out);
void bw_statement_free(bw_statement *s);
/* A v1 Statement: subject {name, digest{sha256}}, predicateType, predicate (taken over). */
char *bw_statement_build(const char *name, const char *digest_hex, const char *predicate_type, json_t *predicate,
			 size_t *len);
/* cyclonedx|spdx|spdxjson|slsaprovenance|slsaprovenance1|vuln|custom|URI -> predicate type URI. */
const char *bw_predicate_type_uri(const char *type);

/* ------------------------------------------------------------ keyless.c */

/* bw_verify_image / bw_verify_attestations with o->keyless set (docs/keyless.md). */
int bw_keyless_verify(const char *image, const bw_sign_options *o, bool att, bw_sig_check_fn fn, void *ctx,
		      size_t *n_verified);

/*
 * cosign's classic keyless layer as the equivalent sigstore bundle v0.1
 * (JSON, malloc'd): leaf certificate, the Rekor entry of the
 * dev.sigstore.cosign/bundle annotation (SET + body as given), the optional
 * RFC 3161 timestamp, and a message signature over payload_sha256.
 * BW_EINPUT naming what when an annotation is malformed.
 */
int bw_cosign_layer_bundle(const char *what, const char *sig_b64, const char *cert_pem, const char *rekor_bundle,
			   const char *rfc3161, const uint8_t payload_sha256[32], char **out, size_t *out_len);

/* Whether a docker-reference signed in a payload matches the one expected (sign.c). */
bool bw_sign_identity_matches(const char *expected, const char *signed_ref);

/*
 * What verification tells its caller (sign.c; key-based and keyless): every
 * signature through fn (may be NULL), and the counts that decide the verdict.
 */
typedef struct bw_sig_tally {
	bw_sig_check_fn fn;
	void *ctx;
	size_t verified, failed, malformed, skipped;
} bw_sig_tally;
/* One signature checked: counted as verified, malformed or failed, and handed to fn. */
int bw_sig_tally_report(bw_sig_tally *t, const char *where, bool ok, bool malformed, const char *reason,
			const char *payload, size_t plen);
/* Not a signature of the kind asked for: handed to fn, counted apart. */
int bw_sig_tally_skip(bw_sig_tally *t, const char *where, const char *reason);
/*
 * The verdict once every signature was seen: 0 when one verified; else
 * BW_EPOLICY "no KIND<what>s found" (found == 0 or nothing checked),
 * BW_EINPUT when every failure was malformed data, BW_EPOLICY otherwise.
 */
int bw_sig_tally_verdict(const bw_sig_tally *t, const char *image, const char *kind, const char *what,
			 size_t found, const bw_digest *digest);

/*
 * What a verified simple-signing payload claims, against what the verifier
 * expects (sign.c; key-based and keyless verification both): the image digest,
 * the identity (NULL: not checked) and every annotation of o. 0, or -1 with
 * why written.
 */
int bw_sspayload_check_claims(const bw_sspayload *p, const bw_digest *image, const char *expect_identity,
			      const bw_sign_options *o, char *why, size_t n);

/* ------------------------------------------------------------ store.c */

typedef struct bw_sigstore bw_sigstore;

/* An image (registry reference or oci: layout) whose signatures we read or write. */
int bw_sigstore_open(const char *image, const bw_registry_options *reg, bw_sigstore **out);
void bw_sigstore_close(bw_sigstore *s);
/* The digest the reference resolves to, and the repository identity ("host/name") for payloads. */
const bw_digest *bw_sigstore_digest(const bw_sigstore *s);
const char *bw_sigstore_identity(const bw_sigstore *s);
bool bw_sigstore_is_layout(const bw_sigstore *s);

typedef struct bw_sigitem {
	const char *where;       /* "sha256-<hex>.sig layer 2", "referrer sha256:..." */
	const bw_siglayer *layer;
	const uint8_t *blob;
	size_t blob_len;
} bw_sigitem;

/*
 * Calls fn for every layer under the tag (suffix "sig" or "att") and, with
 * referrers, every referrer manifest of that artifact type. The blob is
 * fetched and checked against the layer digest first (a mismatch is passed
 * as blob NULL with the reason in *why). BW_EINPUT when the manifest itself
 * is malformed.
 */
typedef int (*bw_sigitem_fn)(const bw_sigitem *it, const char *why, void *ctx);
int bw_sigstore_each(bw_sigstore *s, const char *suffix, bool referrers, size_t max_blob, bw_sigitem_fn fn,
		     void *ctx, size_t *n_found);

/* Only the OCI 1.1 referrers of the given artifact type (sigstore bundles: keyless.c). */
int bw_sigstore_each_referrer(bw_sigstore *s, const char *artifact_type, size_t max_blob, bw_sigitem_fn fn,
			      void *ctx, size_t *n_found);

/* Appends a layer (blob + annotations) under the tag, or pushes it as a referrer. */
int bw_sigstore_append(bw_sigstore *s, const char *suffix, bool referrers, const char *layer_media_type,
		       const void *blob, size_t len, const char *const *ann_keys, const char *const *ann_values,
		       size_t n_ann, char *digest_out);

#endif
