/*
 * bulwark/bundle.h: offline verification of sigstore bundles (keyless
 * Fulcio/Rekor signatures, or managed keys) against a trusted root.
 * What is checked is listed in docs/keyless.md.
 *
 * Both functions return 0 only when everything verifies; BW_EPOLICY when a
 * check fails, BW_EINPUT when the bundle, trusted root or key is malformed,
 * BW_EUSAGE for contradictory options; bw_error_last() holds one line naming
 * the reason.
 */
#ifndef BULWARK_BUNDLE_H
#define BULWARK_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "bulwark/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_bundle_options {
	const char *trusted_root;      /* path of trusted_root.json (required) */
	const char *key;               /* path of a PEM public key: managed-key bundles */
	/* Keyless identity policy (not with key): an identity and an issuer are required. */
	const char *identity;          /* exact SAN (URI or e-mail) */
	const char *identity_regexp;   /* POSIX ERE, unanchored */
	const char *issuer;            /* exact OIDC issuer */
	const char *issuer_regexp;
	const char *github_workflow_trigger;    /* optional Fulcio extensions */
	const char *github_workflow_sha;
	const char *github_workflow_name;
	const char *github_workflow_repository;
	const char *github_workflow_ref;
} bw_bundle_options;

typedef struct bw_bundle_report {
	char identity[512];       /* the SAN that matched (keyless) */
	char issuer[512];
	int64_t signed_at;        /* earliest verified time, seconds since the epoch */
	size_t n_tlog_entries;
	size_t n_timestamps;      /* RFC 3161 timestamps verified */
	size_t n_scts;            /* embedded SCTs verified */
} bw_bundle_report;

/*
 * Verifies the bundle file for `artifact`: a path, or "sha256:<64 hex>" when no
 * file of that name exists (the sigstore-conformance rule). report may be NULL.
 */
BW_EXTERN int bw_bundle_verify_file(const char *bundle_path, const char *artifact,
				    const bw_bundle_options *opts, bw_bundle_report *report);

/*
 * Verifies a bundle held in memory for an artifact known by its SHA-256 (for
 * bundles attached to images: the manifest digest). `what` names the bundle in
 * errors.
 */
BW_EXTERN int bw_bundle_verify_digest(const char *what, const void *bundle, size_t len,
				      const uint8_t sha256[32], const bw_bundle_options *opts,
				      bw_bundle_report *report);

#ifdef __cplusplus
}
#endif
#endif
