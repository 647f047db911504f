/*
 * sign/bundle_verify.c: offline verification of a parsed sigstore bundle
 * against a trusted root (the steps are listed in bundle.h). Any step that
 * cannot be completed fails the bundle: there is no "could not check, so
 * skip" path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulwark/errors.h"
#include "sign/bundle.h"
#include "sign/checkpoint.h"
#include "sign/merkle.h"
#include "sign/rekor.h"
#include "sign/x509.h"
#include "util/json.h"

#define MAX_TIMES (BW_MAX_BUNDLE_TLOG + BW_MAX_BUNDLE_TIMESTAMPS)
/* How far in the future a log may claim to have integrated an entry (clock skew). */
#define FUTURE_SLACK_SECONDS 300

typedef struct vtimes {
	int64_t t[MAX_TIMES];
	size_t n;
	size_t n_tsa;
	int64_t tsa[BW_MAX_BUNDLE_TIMESTAMPS];
} vtimes;

static int verify_artifact_signature(const bw_bundle *b, const bw_pki_key *key,
				     const bw_artifact *a)
{
	int rc;

	if (!b->is_dsse) {
		if (b->has_message_digest && memcmp(b->message_digest, a->sha256, 32) != 0)
			return bw_error_set(BW_EPOLICY,
					    "bundle: messageDigest is not the artifact's SHA-256");
		if (bw_pki_key_is_ed25519(key)) {
			if (!a->data)
				return bw_error_set(BW_EUSAGE,
						    "bundle: an Ed25519 signature needs the artifact, not its digest");
			rc = bw_pki_verify("bundle: message signature", key, a->data, a->len, b->sig,
					   b->sig_len);
		} else {
			rc = bw_pki_verify_sha256_digest("bundle: message signature", key, a->sha256,
							 b->sig, b->sig_len);
		}
		return rc;
	}

	uint8_t *pae;
	size_t n;
	rc = bw_bundle_pae(b->payload_type, b->payload, b->payload_len, &pae, &n);
	if (rc < 0)
		return rc;
	rc = bw_pki_verify("bundle: DSSE signature", key, pae, n, b->sig, b->sig_len);
	free(pae);
	if (rc < 0)
		return rc;

	/* The artifact must be a subject of the in-toto statement. */
	json_t *st = NULL, *subjects;
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", a->sha256[i]);
	if (strcmp(b->payload_type, "application/vnd.in-toto+json") != 0)
		return bw_error_set(BW_EPOLICY, "bundle: DSSE payload type \"%.80s\" is not in-toto",
				    b->payload_type);
	rc = bw_json_parse("bundle: in-toto statement", b->payload, b->payload_len,
			   BW_MAX_BUNDLE_PAYLOAD, &st);
	if (rc < 0)
		return rc;
	/* Only statement versions whose meaning we know: a subject list under
	 * another _type need not name what was signed. */
	json_t *type = json_is_object(st) ? json_object_get(st, "_type") : NULL;
	if (!json_is_string(type) ||
	    (strcmp(json_string_value(type), "https://in-toto.io/Statement/v1") != 0 &&
	     strcmp(json_string_value(type), "https://in-toto.io/Statement/v0.1") != 0)) {
		rc = bw_error_set(BW_EPOLICY, "bundle: in-toto statement has %s _type",
				  json_is_string(type) ? "an unknown" : "no");
		json_decref(st);
		return rc;
	}
	subjects = json_object_get(st, "subject");
	rc = bw_error_set(BW_EPOLICY, "bundle: artifact sha256:%s is not a subject of the statement",
			  hex);
	for (size_t i = 0; json_is_array(subjects) && i < json_array_size(subjects); i++) {
		json_t *d = json_object_get(json_array_get(subjects, i), "digest");
		json_t *h = json_is_object(d) ? json_object_get(d, "sha256") : NULL;
		if (json_is_string(h) && json_string_length(h) == 64 &&
		    strcasecmp(json_string_value(h), hex) == 0) {
			rc = 0;
			break;
		}
	}
	json_decref(st);
	return rc;
}

static int verify_timestamps(const bw_bundle *b, const bw_trustroot *tr, vtimes *vt)
{
	char what[64];
	for (size_t i = 0; i < b->n_timestamps; i++) {
		int64_t t;
		int rc;
		snprintf(what, sizeof(what), "bundle: rfc3161Timestamps[%zu]", i);
		rc = bw_pki_timestamp_time(what, b->timestamps[i], b->timestamp_lens[i], &t);
		if (rc < 0)
			return rc;
		rc = bw_error_set(BW_EPOLICY, "%s: no timestamp authority of the trusted root is valid at its time",
				  what);
		for (size_t k = 0; k < tr->n_tsas; k++) {
			/* An entry without certificates can authenticate nothing, so its
			 * window must not lend validity to another TSA's token. */
			if (tr->tsas[k].n_certs == 0 || !bw_time_in_range(&tr->tsas[k].valid, t))
				continue;
			rc = bw_pki_timestamp_verify(what, b->timestamps[i], b->timestamp_lens[i], b->sig,
						     b->sig_len, tr->tsas[k].certs, tr->tsas[k].n_certs);
			if (rc == 0)
				break;
		}
		if (rc < 0)
			return rc;
		vt->t[vt->n++] = t;
		vt->tsa[vt->n_tsa++] = t;
	}
	return 0;
}

static int verify_entry(const bw_bundle *b, size_t i, const bw_trustroot *tr,
			const bw_rekor_expect *x, vtimes *vt)
{
	const bw_tlog_entry *e = &b->entries[i];
	const bw_tr_log *log;
	char what[64];
	int rc;

	snprintf(what, sizeof(what), "bundle: tlogEntries[%zu]", i);
	log = bw_trustroot_find_log(tr->tlogs, tr->n_tlogs, e->log_id, e->log_id_len);
	if (!log)
		return bw_error_set(BW_EPOLICY, "%s: the entry's log is not in the trusted root", what);
	rc = bw_rekor_body_matches(what, e, x);
	if (rc < 0)
		return rc;

	if (e->set) {
		rc = bw_rekor_verify_set(what, e, log->key);
		if (rc < 0)
			return rc;
		if (!bw_time_in_range(&log->valid, e->integrated_time))
			return bw_error_set(BW_EPOLICY,
					    "%s: integrated time is outside the log key's validity", what);
		if (e->integrated_time > (int64_t)time(NULL) + FUTURE_SLACK_SECONDS)
			return bw_error_set(BW_EPOLICY, "%s: integrated time is in the future", what);
		vt->t[vt->n++] = e->integrated_time;
	} else if (b->minor == 1) {
		return bw_error_set(BW_EPOLICY, "%s: a v0.1 bundle needs an inclusion promise", what);
	} else {
		/* No SET (Rekor v2): the log key must have been valid when the TSA saw the signature. */
		bool ok = false;
		for (size_t k = 0; k < vt->n_tsa; k++)
			ok |= bw_time_in_range(&log->valid, vt->tsa[k]);
		if (!ok)
			return bw_error_set(BW_EPOLICY,
					    "%s: no verified timestamp within the log key's validity", what);
	}

	if (e->has_proof) {
		uint8_t leaf[32];
		bw_checkpoint cp;
		bw_merkle_leaf_hash(e->body, e->body_len, leaf);
		rc = bw_merkle_verify_inclusion(what, (uint64_t)e->proof_index, (uint64_t)e->tree_size,
						leaf, (const uint8_t (*)[32])e->hashes, e->n_hashes,
						e->root_hash);
		if (rc < 0)
			return rc;
		if (!e->checkpoint) {
			/* Only a v0.1 bundle with a verified SET may lack it (see bundle.c). */
			if (b->minor == 1 && e->set)
				return 0;
			return bw_error_set(BW_EPOLICY, "%s: inclusion proof without a checkpoint", what);
		}
		rc = bw_checkpoint_parse(what, e->checkpoint, strlen(e->checkpoint), &cp);
		if (rc < 0)
			return rc;
		if (cp.tree_size != (uint64_t)e->tree_size || memcmp(cp.root_hash, e->root_hash, 32) != 0)
			rc = bw_error_set(BW_EPOLICY,
					  "%s: checkpoint tree size or root hash differs from the inclusion proof",
					  what);
		else
			rc = bw_checkpoint_verify(what, &cp, log->key, log->log_id, log->log_id_len);
		bw_checkpoint_free(&cp);
		if (rc < 0)
			return rc;
	} else if (b->minor >= 2) {
		return bw_error_set(BW_EPOLICY, "%s: a v0.%d bundle needs an inclusion proof", what,
				    b->minor);
	}
	return 0;
}

static int verify_certificate(const bw_bundle *b, const bw_trustroot *tr, const vtimes *vt,
			      bw_bundle_result *res)
{
	uint8_t issuer_hash[32];
	bool have_issuer = false;
	const bw_pki_cert *leaf = b->leaf;
	size_t n_scts;
	int rc;

	if (b->chain_has_root)
		return bw_error_set(BW_EPOLICY,
				    "bundle: the certificate chain carries a root certificate; trust comes only from the trusted root");
	if (bw_pki_cert_is_ca(leaf))
		return bw_error_set(BW_EPOLICY, "bundle: the signing certificate is a CA certificate");
	if (!bw_pki_cert_has_code_signing(leaf))
		return bw_error_set(BW_EPOLICY, "bundle: the signing certificate lacks the code-signing usage");
	for (size_t i = 0; i < vt->n; i++) {
		int64_t t = vt->t[i];
		if (t < bw_pki_cert_not_before(leaf) || t > bw_pki_cert_not_after(leaf))
			return bw_error_set(BW_EPOLICY,
					    "bundle: verified time %lld is outside the certificate's validity",
					    (long long)t);
		rc = bw_error_set(BW_EPOLICY,
				  "bundle: no certificate authority of the trusted root is valid at time %lld",
				  (long long)t);
		for (size_t k = 0; k < tr->n_cas; k++) {
			if (tr->cas[k].n_certs == 0 || !bw_time_in_range(&tr->cas[k].valid, t))
				continue;
			rc = bw_pki_chain_verify("bundle: signing certificate", leaf, tr->cas[k].certs,
						 tr->cas[k].n_certs, t, issuer_hash);
			if (rc == 0) {
				have_issuer = true;
				break;
			}
		}
		if (rc < 0)
			return rc;
	}
	if (!have_issuer)
		return bw_error_set(BW_EPOLICY, "bundle: no verified time to check the certificate at");
	rc = bw_x509_verify_scts("bundle: signing certificate", leaf, issuer_hash, tr, &n_scts);
	if (rc < 0)
		return rc;
	if (res)
		res->n_scts = n_scts;
	return 0;
}

int bw_bundle_verify(const bw_bundle *b, const bw_trustroot *tr, const bw_artifact *artifact,
		     const bw_bundle_policy *policy, bw_bundle_result *result)
{
	const bw_pki_key *key;
	bw_rekor_expect x = { .bundle = b, .digest = artifact->sha256 };
	vtimes vt = { .n = 0 };
	int rc;

	if (result)
		memset(result, 0, sizeof(*result));
	if (policy->key) {
		if (b->material != BW_BUNDLE_KEY)
			return bw_error_set(BW_EPOLICY,
					    "bundle: signed with a certificate, but a public key was given");
		key = policy->key;
		x.key = key;
	} else {
		if (b->material != BW_BUNDLE_CERT)
			return bw_error_set(BW_EPOLICY,
					    "bundle: signed with a managed key, but no key was given (--key)");
		if (!policy->identity && !policy->identity_regexp)
			return bw_error_set(BW_EUSAGE, "bundle: an identity policy is required for certificates");
		key = bw_pki_cert_key(b->leaf);
		x.cert = b->leaf;
	}

	rc = verify_artifact_signature(b, key, artifact);
	if (rc < 0)
		return rc;
	rc = verify_timestamps(b, tr, &vt);
	if (rc < 0)
		return rc;
	if (b->n_entries == 0)
		return bw_error_set(BW_EPOLICY, "bundle: no transparency log entry");
	for (size_t i = 0; i < b->n_entries; i++) {
		rc = verify_entry(b, i, tr, &x, &vt);
		if (rc < 0)
			return rc;
	}
	if (vt.n == 0)
		return bw_error_set(BW_EPOLICY,
				    "bundle: no verified time (neither a signed entry timestamp nor an RFC 3161 timestamp)");
	if (b->material == BW_BUNDLE_CERT) {
		rc = verify_certificate(b, tr, &vt, result);
		if (rc < 0)
			return rc;
		rc = bw_x509_check_policy(b->leaf, policy, result);
		if (rc < 0)
			return rc;
	}
	if (result) {
		result->n_verified_times = vt.n;
		result->verified_time = vt.t[0];
		for (size_t i = 1; i < vt.n; i++)
			if (vt.t[i] < result->verified_time)
				result->verified_time = vt.t[i];
		result->n_tlog_entries = b->n_entries;
		result->n_timestamps = vt.n_tsa;
	}
	return 0;
}
