/*
 * sign/rekor.h: Rekor transparency-log entries inside a bundle: the signed
 * entry timestamp (SET) over the entry's canonical JSON, and whether the
 * logged body (hashedrekord 0.0.1/0.0.2, dsse 0.0.1/0.0.2, intoto 0.0.2)
 * describes the same signature, key or certificate and artifact as the bundle.
 */
#ifndef BW_SIGN_REKOR_H
#define BW_SIGN_REKOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/pki.h"
#include "sign/bundle.h"

/*
 * The SET payload: {"body":B,"integratedTime":T,"logID":"<hex>","logIndex":I}
 * (keys sorted, no whitespace: RFC 8785 for this shape), malloc'd.
 */
int bw_rekor_set_payload(const bw_tlog_entry *e, char **out, size_t *len);
/* 0 when the entry's SET verifies with the log key; BW_EPOLICY otherwise. */
int bw_rekor_verify_set(const char *what, const bw_tlog_entry *e, const bw_pki_key *log_key);

/* What the bundle says was logged. */
typedef struct bw_rekor_expect {
	const bw_bundle *bundle;
	const bw_pki_cert *cert;    /* the leaf, for certificate bundles */
	const bw_pki_key *key;      /* the managed key, for key bundles */
	const uint8_t *digest;      /* SHA-256 of the artifact (message signatures) */
} bw_rekor_expect;

/*
 * 0 when the entry's canonicalized body has the entry's kind and version and
 * names exactly the bundle's signature, verifier and artifact/payload digest;
 * BW_EPOLICY with the first mismatch otherwise; BW_EINPUT for an unreadable
 * body or an unsupported kind.
 */
int bw_rekor_body_matches(const char *what, const bw_tlog_entry *e, const bw_rekor_expect *x);

#endif
