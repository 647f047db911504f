/*
 * sign/trustroot.h: the sigstore trusted root (trusted_root.json,
 * application/vnd.dev.sigstore.trustedroot+json;version=0.1): Fulcio
 * certificate authorities, Rekor transparency logs, CT logs and timestamp
 * authorities, each with the window in which it may be trusted.
 *
 * Parsing fails closed: a key or certificate that does not parse, a validFor
 * without its start, or an unknown media type rejects the whole root; a
 * partial root would silently trust less (or more) than its author meant.
 */
#ifndef BW_SIGN_TRUSTROOT_H
#define BW_SIGN_TRUSTROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/pki.h"

#define BW_MAX_TRUSTROOT_BYTES   (1024 * 1024)
#define BW_MAX_TRUSTROOT_ENTRIES 64   /* per list: CAs, tlogs, ctlogs, TSAs */
#define BW_MAX_CHAIN_CERTS       10

/* A closed interval of seconds since the epoch; end absent = open-ended. */
typedef struct bw_time_range {
	int64_t start;
	int64_t end;
	bool has_end;
} bw_time_range;

static inline bool bw_time_in_range(const bw_time_range *r, int64_t t)
{
	return t >= r->start && (!r->has_end || t <= r->end);
}

typedef struct bw_tr_log {
	char *base_url;
	uint8_t log_id[32];
	size_t log_id_len;
	bw_pki_key *key;
	bw_time_range valid;
} bw_tr_log;

typedef struct bw_tr_ca {
	char *uri;
	bw_pki_cert **certs; /* leaf-side first, anchor last */
	size_t n_certs;
	bw_time_range valid;
} bw_tr_ca;

typedef struct bw_trustroot {
	bw_tr_log *tlogs;
	size_t n_tlogs;
	bw_tr_log *ctlogs;
	size_t n_ctlogs;
	bw_tr_ca *cas;
	size_t n_cas;
	bw_tr_ca *tsas;
	size_t n_tsas;
} bw_trustroot;

/* RFC 3339 UTC time ("2021-01-12T11:53:27Z", fractions allowed and dropped,
 * "+00:00" or another offset applied). */
int bw_rfc3339_parse(const char *what, const char *text, int64_t *out);

int bw_trustroot_parse(const char *what, const void *data, size_t len, bw_trustroot *out);
int bw_trustroot_load(const char *path, bw_trustroot *out);
void bw_trustroot_free(bw_trustroot *tr);

/* The log whose ID is log_id, or NULL. */
const bw_tr_log *bw_trustroot_find_log(const bw_tr_log *logs, size_t n, const uint8_t *log_id,
				       size_t log_id_len);

#endif
