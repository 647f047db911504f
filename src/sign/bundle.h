/*
 * sign/bundle.h: sigstore bundles (v0.1, v0.2, v0.3; JSON form of
 * dev.sigstore.bundle.v1.Bundle) and their offline verification against a
 * trusted root (sign/trustroot.h).
 *
 * bw_bundle_parse() reads and bounds the document and decodes every base64
 * field; it checks structure only. bw_bundle_verify() does the cryptography
 * and the policy and says yes only when everything holds:
 *  - verification material: a Fulcio leaf certificate (never a chain with a
 *    root in it) or, for managed keys, the caller's public key;
 *  - verified times: the integrated time of each tlog entry whose signed
 *    entry timestamp (SET) verifies, and the genTime of each RFC 3161
 *    timestamp that verifies with a trusted TSA valid at that time; at least
 *    one is required;
 *  - certificate: chains to a trusted Fulcio CA (valid per the trusted root)
 *    at every verified time; an embedded SCT from a trusted CT log verifies;
 *  - tlog entries: known log, key valid at the entry time, body matches the
 *    bundle (hashedrekord 0.0.1/0.0.2, dsse 0.0.1/0.0.2, intoto 0.0.2), SET
 *    and/or inclusion proof with a signed checkpoint (v0.2+ requires the proof);
 *  - the signature over the artifact digest or the DSSE PAE, and for DSSE the
 *    artifact digest among the in-toto statement's subjects;
 *  - the identity policy (SAN, OIDC issuer, GitHub workflow extensions).
 */
#ifndef BW_SIGN_BUNDLE_H
#define BW_SIGN_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/pki.h"
#include "sign/trustroot.h"

#define BW_MAX_BUNDLE_BYTES       (8 * 1024 * 1024)
#define BW_MAX_BUNDLE_TLOG        16
#define BW_MAX_BUNDLE_TIMESTAMPS  16
#define BW_MAX_BUNDLE_PAYLOAD     (4 * 1024 * 1024)
#define BW_MAX_BUNDLE_BODY        (4 * 1024 * 1024)
#define BW_MAX_SIGNATURE_BYTES    4096

typedef struct bw_tlog_entry {
	int64_t log_index;
	uint8_t log_id[32];
	size_t log_id_len;
	char *kind;          /* kindVersion.kind */
	char *kind_version;  /* kindVersion.version */
	bool has_integrated_time;
	int64_t integrated_time;
	uint8_t *set;        /* inclusionPromise.signedEntryTimestamp */
	size_t set_len;
	bool has_proof;
	int64_t proof_index;
	int64_t tree_size;
	uint8_t root_hash[32];
	uint8_t (*hashes)[32];
	size_t n_hashes;
	char *checkpoint;    /* inclusionProof.checkpoint.envelope */
	char *body_b64;      /* canonicalizedBody as given (the SET covers this text) */
	uint8_t *body;
	size_t body_len;
} bw_tlog_entry;

typedef enum bw_bundle_material {
	BW_BUNDLE_CERT = 1,  /* certificate or x509CertificateChain */
	BW_BUNDLE_KEY = 2,   /* publicKey hint: the verifier supplies the key */
} bw_bundle_material;

typedef struct bw_bundle {
	int minor;                  /* 1, 2 or 3 (bundle v0.N) */
	bw_bundle_material material;
	bw_pki_cert *leaf;
	size_t n_chain_extra;       /* certificates after the leaf in x509CertificateChain */
	bool chain_has_root;        /* one of them is self-signed: refused at verify */
	char *key_hint;
	bw_tlog_entry *entries;
	size_t n_entries;
	uint8_t **timestamps;
	size_t *timestamp_lens;
	size_t n_timestamps;
	bool is_dsse;
	/* messageSignature */
	bool has_message_digest;
	uint8_t message_digest[32];
	/* dsseEnvelope */
	char *payload_type;
	uint8_t *payload;
	size_t payload_len;
	char *payload_b64;
	/* the one signature (message or DSSE) */
	uint8_t *sig;
	size_t sig_len;
	char *sig_b64;
} bw_bundle;

int bw_bundle_parse(const char *what, const void *data, size_t len, bw_bundle *out);
int bw_bundle_load(const char *path, bw_bundle *out);
void bw_bundle_free(bw_bundle *b);

/* The identity policy; NULL fields are not checked. */
typedef struct bw_bundle_policy {
	const char *identity;          /* exact SAN (URI or e-mail) */
	const char *identity_regexp;   /* POSIX ERE over the SAN (unanchored, as cosign) */
	const char *issuer;            /* exact OIDC issuer (.1.8, else .1.1) */
	const char *issuer_regexp;
	const char *github_workflow_trigger;     /* 1.3.6.1.4.1.57264.1.2 */
	const char *github_workflow_sha;         /* .1.3 */
	const char *github_workflow_name;        /* .1.4 */
	const char *github_workflow_repository;  /* .1.5 */
	const char *github_workflow_ref;         /* .1.6 */
	const bw_pki_key *key;         /* managed key: verify with this, no certificate */
} bw_bundle_policy;

/* What was signed: always its SHA-256, and the bytes when the caller has them. */
typedef struct bw_artifact {
	uint8_t sha256[32];
	const uint8_t *data;
	size_t len;
} bw_artifact;

typedef struct bw_bundle_result {
	char identity[512];   /* the SAN that matched */
	char issuer[512];
	int64_t verified_time;  /* earliest verified time */
	size_t n_verified_times;
	size_t n_tlog_entries;
	size_t n_timestamps;
	size_t n_scts;
} bw_bundle_result;

/*
 * 0 when the bundle verifies for artifact under policy and trust root;
 * BW_EPOLICY with a one-line reason when it does not; BW_EINPUT when part of
 * it is malformed in a way the parser does not see (a body, a statement).
 * result may be NULL.
 */
int bw_bundle_verify(const bw_bundle *b, const bw_trustroot *tr, const bw_artifact *artifact,
		     const bw_bundle_policy *policy, bw_bundle_result *result);

/* DSSE pre-authentication encoding (sign/pae.c over sign/dsse.c): "DSSEv1 LEN TYPE LEN BODY",
 * malloc'd into *out. */
int bw_bundle_pae(const char *payload_type, const uint8_t *payload, size_t len, uint8_t **out,
		size_t *out_len);

#endif
