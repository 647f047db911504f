/*
 * sign/bundle.c: the sigstore bundle parser (see bundle.h). Structure only:
 * every field is type-checked, bounded and base64-decoded here so that the
 * verifier works on bytes; nothing here decides trust.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/bundle.h"
#include "util/buf.h"
#include "util/json.h"

/* protobuf-JSON int64: a decimal string (a bare JSON integer is tolerated). */
static int json_int64(const char *what, json_t *obj, const char *key, bool required, bool *has,
		      int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	int64_t n = 0;

	if (has)
		*has = false;
	*out = 0;
	if (!v || json_is_null(v)) {
		if (required)
			return bw_error_set(BW_EINPUT, "%s: missing field \"%s\"", what, key);
		return 0;
	}
	if (json_is_integer(v)) {
		n = (int64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		size_t len = strlen(s);
		if (len == 0 || len > 19 || len != json_string_length(v))
			return bw_error_set(BW_EINPUT, "%s: \"%s\" is not an int64 string", what, key);
		for (size_t i = 0; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return bw_error_set(BW_EINPUT, "%s: \"%s\" is not a non-negative int64",
						    what, key);
			if (n > (INT64_MAX - (s[i] - '0')) / 10)
				return bw_error_set(BW_EINPUT, "%s: \"%s\" overflows int64", what, key);
			n = n * 10 + (s[i] - '0');
		}
	} else {
		return bw_error_set(BW_EINPUT, "%s: \"%s\" is not an int64", what, key);
	}
	if (n < 0)
		return bw_error_set(BW_EINPUT, "%s: \"%s\" is negative", what, key);
	*out = n;
	if (has)
		*has = true;
	return 0;
}

static int b64_field(const char *what, json_t *obj, const char *key, bool required, size_t max,
		     uint8_t **out, size_t *len, char **keep_text)
{
	const char *s;
	int rc;

	*out = NULL;
	*len = 0;
	rc = required ? bw_json_string(what, obj, key, &s) : bw_json_opt_string(what, obj, key, &s);
	if (rc < 0 || !s)
		return rc;
	rc = bw_b64_strict_decode(what, s, max, out, len);
	if (rc < 0)
		return bw_error_prefix("field \"%s\"", key);
	if (keep_text) {
		*keep_text = strdup(s);
		if (!*keep_text)
			return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	}
	return 0;
}

static int get_object(const char *what, json_t *obj, const char *key, json_t **out)
{
	if (bw_json_opt_object(what, obj, key, out) < 0)
		return BW_EINPUT;
	if (!*out)
		return bw_error_set(BW_EINPUT, "%s: missing object \"%s\"", what, key);
	return 0;
}

static int parse_cert(const char *what, json_t *obj, bw_pki_cert **out)
{
	uint8_t *der;
	size_t len;
	int rc;

	if (!json_is_object(obj))
		return bw_error_set(BW_EINPUT, "%s: certificate is not an object", what);
	rc = b64_field(what, obj, "rawBytes", true, BW_PKI_MAX_CERT_BYTES, &der, &len, NULL);
	if (rc < 0)
		return rc;
	rc = bw_pki_cert_from_der(what, der, len, out);
	free(der);
	return rc;
}

static int parse_material(const char *what, json_t *vm, bw_bundle *b)
{
	json_t *cert, *chain, *pk;
	int present;

	if (bw_json_opt_object(what, vm, "certificate", &cert) < 0 ||
	    bw_json_opt_object(what, vm, "x509CertificateChain", &chain) < 0 ||
	    bw_json_opt_object(what, vm, "publicKey", &pk) < 0)
		return BW_EINPUT;
	present = !!cert + !!chain + !!pk;
	if (present != 1)
		return bw_error_set(BW_EINPUT,
				    "%s: verificationMaterial needs exactly one of certificate, "
				    "x509CertificateChain, publicKey (found %d)", what, present);
	if (cert) {
		b->material = BW_BUNDLE_CERT;
		return parse_cert(what, cert, &b->leaf);
	}
	if (chain) {
		json_t *certs;
		/* v0.3 carries the leaf alone ("certificate"), as sigstore-go insists. */
		if (b->minor >= 3)
			return bw_error_set(BW_EINPUT, "%s: a v0.3 bundle must not carry x509CertificateChain",
					    what);
		if (bw_json_opt_array(what, chain, "certificates", &certs) < 0)
			return BW_EINPUT;
		size_t n = certs ? json_array_size(certs) : 0;
		if (n == 0)
			return bw_error_set(BW_EINPUT, "%s: empty x509CertificateChain", what);
		if (n > BW_MAX_CHAIN_CERTS)
			return bw_error_set(BW_EINPUT, "%s: x509CertificateChain of %zu certificates (limit %d)",
					    what, n, BW_MAX_CHAIN_CERTS);
		b->material = BW_BUNDLE_CERT;
		if (parse_cert(what, json_array_get(certs, 0), &b->leaf) < 0)
			return BW_EINPUT;
		for (size_t i = 1; i < n; i++) {
			bw_pki_cert *c;
			if (parse_cert(what, json_array_get(certs, i), &c) < 0)
				return BW_EINPUT;
			if (bw_pki_cert_is_self_signed(c))
				b->chain_has_root = true;
			bw_pki_cert_free(c);
			b->n_chain_extra++;
		}
		return 0;
	}
	const char *hint;
	if (bw_json_opt_string(what, pk, "hint", &hint) < 0)
		return BW_EINPUT;
	b->material = BW_BUNDLE_KEY;
	if (hint) {
		b->key_hint = strdup(hint);
		if (!b->key_hint)
			return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	}
	return 0;
}

static int parse_entry(const char *what, json_t *e, bw_tlog_entry *t)
{
	json_t *lid, *kv, *promise, *proof;
	const char *kind, *ver, *kid;
	uint8_t *raw;
	size_t raw_len;
	int rc;

	if (!json_is_object(e))
		return bw_error_set(BW_EINPUT, "%s: not an object", what);
	if (json_int64(what, e, "logIndex", true, NULL, &t->log_index) < 0 ||
	    get_object(what, e, "logId", &lid) < 0 || get_object(what, e, "kindVersion", &kv) < 0 ||
	    bw_json_string(what, lid, "keyId", &kid) < 0 ||
	    bw_json_string(what, kv, "kind", &kind) < 0 ||
	    bw_json_string(what, kv, "version", &ver) < 0)
		return BW_EINPUT;
	rc = bw_b64_strict_decode(what, kid, 64, &raw, &raw_len);
	if (rc < 0)
		return rc;
	if (raw_len == 0 || raw_len > sizeof(t->log_id)) {
		free(raw);
		return bw_error_set(BW_EINPUT, "%s: log ID of %zu bytes", what, raw_len);
	}
	memcpy(t->log_id, raw, raw_len);
	t->log_id_len = raw_len;
	free(raw);
	t->kind = strdup(kind);
	t->kind_version = strdup(ver);
	if (!t->kind || !t->kind_version)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	if (json_int64(what, e, "integratedTime", false, &t->has_integrated_time,
		       &t->integrated_time) < 0)
		return BW_EINPUT;
	/* Rekor v2 writes no integrated time; protobuf-JSON may spell that as "0". */
	if (t->has_integrated_time && t->integrated_time == 0)
		t->has_integrated_time = false;
	if (bw_json_opt_object(what, e, "inclusionPromise", &promise) < 0 ||
	    bw_json_opt_object(what, e, "inclusionProof", &proof) < 0)
		return BW_EINPUT;
	if (promise && b64_field(what, promise, "signedEntryTimestamp", true, BW_MAX_SIGNATURE_BYTES,
				 &t->set, &t->set_len, NULL) < 0)
		return BW_EINPUT;
	if (proof) {
		json_t *hashes, *cp;
		const char *env;
		t->has_proof = true;
		if (json_int64(what, proof, "logIndex", true, NULL, &t->proof_index) < 0 ||
		    json_int64(what, proof, "treeSize", true, NULL, &t->tree_size) < 0 ||
		    b64_field(what, proof, "rootHash", true, 64, &raw, &raw_len, NULL) < 0)
			return BW_EINPUT;
		if (raw_len != 32) {
			free(raw);
			return bw_error_set(BW_EINPUT, "%s: root hash of %zu bytes, not 32", what, raw_len);
		}
		memcpy(t->root_hash, raw, 32);
		free(raw);
		if (bw_json_opt_array(what, proof, "hashes", &hashes) < 0)
			return BW_EINPUT;
		size_t n = hashes ? json_array_size(hashes) : 0;
		/* Depth is bounded before anything is decoded: a 10,000-hash path
		 * cannot describe any tree a log can hold. */
		if (n > 64)
			return bw_error_set(BW_EINPUT, "%s: inclusion proof of %zu hashes (at most 64)",
					    what, n);
		if (n) {
			t->hashes = calloc(n, sizeof(*t->hashes));
			if (!t->hashes)
				return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
		}
		for (size_t i = 0; i < n; i++) {
			json_t *h = json_array_get(hashes, i);
			if (!json_is_string(h))
				return bw_error_set(BW_EINPUT, "%s: proof hash %zu is not a string", what, i);
			rc = bw_b64_strict_decode(what, json_string_value(h), 64, &raw, &raw_len);
			if (rc < 0)
				return rc;
			if (raw_len != 32) {
				free(raw);
				return bw_error_set(BW_EINPUT, "%s: proof hash %zu of %zu bytes", what, i,
						    raw_len);
			}
			memcpy(t->hashes[i], raw, 32);
			free(raw);
			t->n_hashes++;
		}
		if (bw_json_opt_object(what, proof, "checkpoint", &cp) < 0)
			return BW_EINPUT;
		/* Early v0.1 bundles carry proofs without checkpoints; the verifier
		 * then leans on the SET and says so. */
		if (cp) {
			if (bw_json_string(what, cp, "envelope", &env) < 0)
				return BW_EINPUT;
			t->checkpoint = strdup(env);
			if (!t->checkpoint)
				return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
		}
	}
	return b64_field(what, e, "canonicalizedBody", true, BW_MAX_BUNDLE_BODY, &t->body,
			 &t->body_len, &t->body_b64);
}

static int parse_minor(const char *what, const char *mt, int *minor)
{
	static const struct {
		const char *mt;
		int minor;
	} known[] = {
		{ "application/vnd.dev.sigstore.bundle+json;version=0.1", 1 },
		{ "application/vnd.dev.sigstore.bundle+json;version=0.2", 2 },
		{ "application/vnd.dev.sigstore.bundle+json;version=0.3", 3 },
		{ "application/vnd.dev.sigstore.bundle.v0.3+json", 3 },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(mt, known[i].mt)) {
			*minor = known[i].minor;
			return 0;
		}
	return bw_error_set(BW_EINPUT, "%s: unsupported bundle media type \"%.100s\"", what, mt);
}

static int parse_content(const char *what, json_t *root, bw_bundle *b)
{
	json_t *ms, *env;

	if (bw_json_opt_object(what, root, "messageSignature", &ms) < 0 ||
	    bw_json_opt_object(what, root, "dsseEnvelope", &env) < 0)
		return BW_EINPUT;
	if (!!ms + !!env != 1)
		return bw_error_set(BW_EINPUT,
				    "%s: needs exactly one of messageSignature and dsseEnvelope", what);
	if (ms) {
		json_t *md;
		if (bw_json_opt_object(what, ms, "messageDigest", &md) < 0)
			return BW_EINPUT;
		if (md) {
			const char *alg;
			uint8_t *d;
			size_t dl;
			if (bw_json_string(what, md, "algorithm", &alg) < 0)
				return BW_EINPUT;
			if (strcmp(alg, "SHA2_256") != 0)
				return bw_error_set(BW_EINPUT, "%s: unsupported message digest algorithm \"%.40s\"",
						    what, alg);
			if (b64_field(what, md, "digest", true, 64, &d, &dl, NULL) < 0)
				return BW_EINPUT;
			if (dl != 32) {
				free(d);
				return bw_error_set(BW_EINPUT, "%s: SHA2_256 digest of %zu bytes", what, dl);
			}
			memcpy(b->message_digest, d, 32);
			free(d);
			b->has_message_digest = true;
		}
		if (b64_field(what, ms, "signature", true, BW_MAX_SIGNATURE_BYTES, &b->sig, &b->sig_len,
			      &b->sig_b64) < 0)
			return BW_EINPUT;
		if (b->sig_len == 0)
			return bw_error_set(BW_EINPUT, "%s: empty signature", what);
		return 0;
	}
	json_t *sigs;
	const char *pt;
	b->is_dsse = true;
	if (bw_json_string(what, env, "payloadType", &pt) < 0 ||
	    b64_field(what, env, "payload", true, BW_MAX_BUNDLE_PAYLOAD, &b->payload, &b->payload_len,
		      &b->payload_b64) < 0 ||
	    bw_json_opt_array(what, env, "signatures", &sigs) < 0)
		return BW_EINPUT;
	b->payload_type = strdup(pt);
	if (!b->payload_type)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	/* Sigstore bundles carry exactly one DSSE signature. */
	if (!sigs || json_array_size(sigs) != 1)
		return bw_error_set(BW_EINPUT, "%s: DSSE envelope must hold exactly one signature", what);
	json_t *s = json_array_get(sigs, 0);
	if (!json_is_object(s))
		return bw_error_set(BW_EINPUT, "%s: DSSE signature is not an object", what);
	if (b64_field(what, s, "sig", true, BW_MAX_SIGNATURE_BYTES, &b->sig, &b->sig_len,
		      &b->sig_b64) < 0)
		return BW_EINPUT;
	if (b->sig_len == 0)
		return bw_error_set(BW_EINPUT, "%s: empty DSSE signature", what);
	return 0;
}

int bw_bundle_parse(const char *what, const void *data, size_t len, bw_bundle *out)
{
	json_t *root = NULL, *vm, *entries, *tvd;
	const char *mt;
	char name[128];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = bw_json_parse(what, data, len, BW_MAX_BUNDLE_BYTES, &root);
	if (rc < 0)
		return rc;
	rc = BW_EINPUT;
	if (!json_is_object(root)) {
		bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
	if (bw_json_string(what, root, "mediaType", &mt) < 0 || parse_minor(what, mt, &out->minor) < 0)
		goto done;
	if (get_object(what, root, "verificationMaterial", &vm) < 0 || parse_material(what, vm, out) < 0)
		goto done;
	if (bw_json_opt_array(what, vm, "tlogEntries", &entries) < 0)
		goto done;
	size_t n = entries ? json_array_size(entries) : 0;
	if (n > BW_MAX_BUNDLE_TLOG) {
		bw_error_set(BW_EINPUT, "%s: %zu tlog entries (limit %d)", what, n, BW_MAX_BUNDLE_TLOG);
		goto done;
	}
	if (n) {
		out->entries = calloc(n, sizeof(*out->entries));
		if (!out->entries) {
			rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
			goto done;
		}
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s: tlogEntries[%zu]", what, i);
		out->n_entries = i + 1;
		if (parse_entry(name, json_array_get(entries, i), &out->entries[i]) < 0)
			goto done;
	}
	if (bw_json_opt_object(what, vm, "timestampVerificationData", &tvd) < 0)
		goto done;
	if (tvd) {
		json_t *ts;
		if (bw_json_opt_array(what, tvd, "rfc3161Timestamps", &ts) < 0)
			goto done;
		size_t m = ts ? json_array_size(ts) : 0;
		if (m > BW_MAX_BUNDLE_TIMESTAMPS) {
			bw_error_set(BW_EINPUT, "%s: %zu timestamps (limit %d)", what, m,
				     BW_MAX_BUNDLE_TIMESTAMPS);
			goto done;
		}
		if (m) {
			out->timestamps = calloc(m, sizeof(*out->timestamps));
			out->timestamp_lens = calloc(m, sizeof(*out->timestamp_lens));
			if (!out->timestamps || !out->timestamp_lens) {
				rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
				goto done;
			}
		}
		for (size_t i = 0; i < m; i++) {
			json_t *t = json_array_get(ts, i);
			snprintf(name, sizeof(name), "%s: rfc3161Timestamps[%zu]", what, i);
			if (!json_is_object(t)) {
				bw_error_set(BW_EINPUT, "%s: not an object", name);
				goto done;
			}
			out->n_timestamps = i + 1;
			if (b64_field(name, t, "signedTimestamp", true, BW_PKI_MAX_TIMESTAMP_BYTES,
				      &out->timestamps[i], &out->timestamp_lens[i], NULL) < 0)
				goto done;
		}
	}
	if (parse_content(what, root, out) < 0)
		goto done;
	rc = 0;
done:
	json_decref(root);
	if (rc < 0)
		bw_bundle_free(out);
	return rc;
}

int bw_bundle_load(const char *path, bw_bundle *out)
{
	bw_buf b = BW_BUF_INIT(BW_MAX_BUNDLE_BYTES);
	int rc;

	memset(out, 0, sizeof(*out));
	rc = bw_buf_read_file(&b, path, BW_EINPUT, "the bundle");
	if (rc == 0)
		rc = bw_bundle_parse(path, b.data, b.len, out);
	bw_buf_free(&b);
	return rc;
}

void bw_bundle_free(bw_bundle *b)
{
	bw_pki_cert_free(b->leaf);
	free(b->key_hint);
	for (size_t i = 0; i < b->n_entries; i++) {
		bw_tlog_entry *t = &b->entries[i];
		free(t->kind);
		free(t->kind_version);
		free(t->set);
		free(t->hashes);
		free(t->checkpoint);
		free(t->body_b64);
		free(t->body);
	}
	free(b->entries);
	for (size_t i = 0; i < b->n_timestamps; i++)
		free(b->timestamps[i]);
	free(b->timestamps);
	free(b->timestamp_lens);
	free(b->payload_type);
	free(b->payload);
	free(b->payload_b64);
	free(b->sig);
	free(b->sig_b64);
	memset(b, 0, sizeof(*b));
}
