/*
 * sign/bundle_api.c: the public face of bundle verification (bulwark/bundle.h):
 * loads the trusted root, the key and the artifact, then runs
 * bw_bundle_parse + bw_bundle_verify (sign/bundle.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bulwark/bundle.h"
#include "crypto/digest.h"
#include "crypto/pki.h"
#include "sign/bundle.h"
#include "util/buf.h"

/* Files larger than this are hashed as a stream and not kept (Ed25519 message
 * signatures, which need the bytes, then need a smaller artifact). */
#define KEEP_ARTIFACT_MAX (64 * 1024 * 1024)

static int hex_to_bytes(const char *hex, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int load_artifact(const char *arg, bw_artifact *a, uint8_t **keep)
{
	struct stat st;
	bw_digest d;

	*keep = NULL;
	memset(a, 0, sizeof(*a));
	if (strncmp(arg, "sha256:", 7) == 0 && strlen(arg) == 71 && stat(arg, &st) != 0) {
		int rc = bw_digest_parse("artifact digest", arg, &d);
		if (rc < 0)
			return rc;
		hex_to_bytes(bw_digest_hex(&d), a->sha256);
		return 0;
	}
	FILE *f = fopen(arg, "rb");
	if (!f)
		return bw_error_set(BW_EINPUT, "%s: cannot open the artifact", arg);
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	bw_buf data = BW_BUF_INIT(KEEP_ARTIFACT_MAX);
	bool keeping = true;
	uint8_t chunk[65536];
	size_t n;
	int rc = 0;
	if (!h) {
		fclose(f);
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", arg);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		bw_hasher_update(h, chunk, n);
		if (keeping && bw_buf_append(&data, chunk, n) < 0) {
			keeping = false;
			bw_buf_free(&data);
		}
	}
	if (ferror(f))
		rc = bw_error_set(BW_EINPUT, "%s: read error", arg);
	fclose(f);
	bw_hasher_final(h, &d);
	bw_hasher_free(h);
	if (rc == 0) {
		hex_to_bytes(bw_digest_hex(&d), a->sha256);
		if (keeping) {
			*keep = bw_buf_detach(&data, &a->len);
			a->data = *keep;
		}
	}
	bw_buf_free(&data);
	return rc;
}

static int verify_loaded(const char *what, const void *bundle, size_t len, const bw_artifact *a,
			 const bw_bundle_options *o, bw_bundle_report *report)
{
	bw_bundle_policy pol = {
		.identity = o->identity, .identity_regexp = o->identity_regexp,
		.issuer = o->issuer, .issuer_regexp = o->issuer_regexp,
		.github_workflow_trigger = o->github_workflow_trigger,
		.github_workflow_sha = o->github_workflow_sha,
		.github_workflow_name = o->github_workflow_name,
		.github_workflow_repository = o->github_workflow_repository,
		.github_workflow_ref = o->github_workflow_ref,
	};
	bool has_id = o->identity || o->identity_regexp, has_iss = o->issuer || o->issuer_regexp;
	bw_trustroot tr = { 0 };
	bw_bundle b = { 0 };
	bw_pki_key *key = NULL;
	bw_bundle_result res;
	int rc;

	if (o->key && (has_id || has_iss))
		return bw_error_set(BW_EUSAGE, "a public key and a certificate identity exclude each other");
	if (!o->key && (!has_id || !has_iss))
		return bw_error_set(BW_EUSAGE,
				    "keyless verification needs a certificate identity and an OIDC issuer");
	if (!o->trusted_root)
		return bw_error_set(BW_EUSAGE, "no trusted root given");
	rc = bw_trustroot_load(o->trusted_root, &tr);
	if (rc < 0)
		goto done;
	if (o->key) {
		bw_buf kb = BW_BUF_INIT(BW_PKI_MAX_KEY_BYTES * 2);
		rc = bw_buf_read_file(&kb, o->key, BW_EUSAGE, "the public key");
		if (rc == 0)
			rc = bw_pki_key_from_pem(o->key, kb.data, kb.len, &key);
		bw_buf_free(&kb);
		if (rc < 0)
			goto done;
		pol.key = key;
	}
	rc = bw_bundle_parse(what, bundle, len, &b);
	if (rc < 0)
		goto done;
	rc = bw_bundle_verify(&b, &tr, a, &pol, &res);
	if (rc == 0 && report) {
		memset(report, 0, sizeof(*report));
		snprintf(report->identity, sizeof(report->identity), "%s", res.identity);
		snprintf(report->issuer, sizeof(report->issuer), "%s", res.issuer);
		report->signed_at = res.verified_time;
		report->n_tlog_entries = res.n_tlog_entries;
		report->n_timestamps = res.n_timestamps;
		report->n_scts = res.n_scts;
	}
done:
	bw_bundle_free(&b);
	bw_pki_key_free(key);
	bw_trustroot_free(&tr);
	return rc;
}

int bw_bundle_verify_file(const char *bundle_path, const char *artifact,
			  const bw_bundle_options *opts, bw_bundle_report *report)
{
	bw_buf b = BW_BUF_INIT(BW_MAX_BUNDLE_BYTES);
	bw_artifact a;
	uint8_t *keep = NULL;
	int rc;

	rc = bw_buf_read_file(&b, bundle_path, BW_EINPUT, "the bundle");
	if (rc == 0)
		rc = load_artifact(artifact, &a, &keep);
	if (rc == 0)
		rc = verify_loaded(bundle_path, b.data, b.len, &a, opts, report);
	free(keep);
	bw_buf_free(&b);
	return rc;
}

int bw_bundle_verify_digest(const char *what, const void *bundle, size_t len,
			    const uint8_t sha256[32], const bw_bundle_options *opts,
			    bw_bundle_report *report)
{
	bw_artifact a = { 0 };
	memcpy(a.sha256, sha256, 32);
	return verify_loaded(what, bundle, len, &a, opts, report);
}
