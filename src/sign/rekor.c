/*
 * sign/rekor.c: SETs and logged-body consistency for Rekor entries (see
 * rekor.h). The body is compared field by field with what the bundle holds;
 * a body that is well formed but names another signature, key, certificate
 * or digest is a mismatch (BW_EPOLICY), never a pass.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/rekor.h"
#include "util/json.h"

int bw_rekor_set_payload(const bw_tlog_entry *e, char **out, size_t *len)
{
	char hex[65];
	size_t n;

	*out = NULL;
	for (size_t i = 0; i < e->log_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", e->log_id[i]);
	hex[2 * e->log_id_len] = 0;
	/* body_b64 passed strict base64 decoding: no character needs escaping. */
	n = strlen(e->body_b64) + 256;
	*out = malloc(n);
	if (!*out)
		return bw_error_set(BW_EINTERNAL, "SET payload: out of memory");
	int w = snprintf(*out, n, "{\"body\":\"%s\",\"integratedTime\":%lld,\"logID\":\"%s\",\"logIndex\":%lld}",
			 e->body_b64, (long long)e->integrated_time, hex, (long long)e->log_index);
	if (w < 0 || (size_t)w >= n) {
		free(*out);
		*out = NULL;
		return bw_error_set(BW_EINTERNAL, "SET payload: formatting failed");
	}
	*len = (size_t)w;
	return 0;
}

int bw_rekor_verify_set(const char *what, const bw_tlog_entry *e, const bw_pki_key *log_key)
{
	char *payload;
	size_t len;
	int rc;

	if (!e->set)
		return bw_error_set(BW_EPOLICY, "%s: no signed entry timestamp", what);
	if (!e->has_integrated_time)
		return bw_error_set(BW_EPOLICY, "%s: signed entry timestamp without an integrated time",
				    what);
	rc = bw_rekor_set_payload(e, &payload, &len);
	if (rc < 0)
		return rc;
	rc = bw_pki_verify(what, log_key, payload, len, e->set, e->set_len);
	free(payload);
	if (rc == BW_EPOLICY)
		return bw_error_set(BW_EPOLICY, "%s: signed entry timestamp does not verify", what);
	return rc;
}

/* ------------------------------------------------------------ body helpers */

/* obj.k1.k2... or NULL; the key list ends with NULL. */
static json_t *jpath(json_t *obj, ...)
{
	va_list ap;
	const char *k;
	va_start(ap, obj);
	while (obj && (k = va_arg(ap, const char *)))
		obj = json_is_object(obj) ? json_object_get(obj, k) : NULL;
	va_end(ap);
	return obj;
}

static const char *jstr(json_t *v)
{
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static int hex_sha256(const char *s, uint8_t out[32])
{
	if (!s || strlen(s) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = s[2 * i + j];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned)(c - 'A' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* {"algorithm":"sha256","value":"<hex>"} equals digest */
static int check_hex_hash(const char *what, const char *field, json_t *h, const uint8_t want[32])
{
	uint8_t got[32];
	const char *alg = jstr(jpath(h, "algorithm", NULL));
	if (!alg || strcmp(alg, "sha256") != 0 || hex_sha256(jstr(jpath(h, "value", NULL)), got) < 0)
		return bw_error_set(BW_EINPUT, "%s: logged %s is not a sha256 hash", what, field);
	if (memcmp(got, want, 32) != 0)
		return bw_error_set(BW_EPOLICY, "%s: logged %s does not match the bundle", what, field);
	return 0;
}

/* {"algorithm":"SHA2_256","digest":"<base64>"} equals digest */
static int check_b64_hash(const char *what, const char *field, json_t *h, const uint8_t want[32])
{
	uint8_t *got = NULL;
	size_t n = 0;
	const char *alg = jstr(jpath(h, "algorithm", NULL));
	const char *d = jstr(jpath(h, "digest", NULL));
	if (!alg || strcmp(alg, "SHA2_256") != 0 || !d || bw_b64_strict_decode(what, d, 64, &got, &n) < 0 ||
	    n != 32) {
		free(got);
		return bw_error_set(BW_EINPUT, "%s: logged %s is not a SHA2_256 digest", what, field);
	}
	int same = memcmp(got, want, 32) == 0;
	free(got);
	if (!same)
		return bw_error_set(BW_EPOLICY, "%s: logged %s does not match the bundle", what, field);
	return 0;
}

/*
 * base64 text equals bytes. With twice, Rekor's intoto 0.0.2 form is also
 * accepted: base64 of the base64 text (its Go type base64-encodes the
 * already-encoded string). Either way the bytes must be exactly the bundle's.
 */
static int check_b64_bytes(const char *what, const char *field, const char *text, bool twice,
			   const uint8_t *want, size_t want_len)
{
	uint8_t *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	int rc;

	if (!text || bw_b64_strict_decode(what, text, BW_MAX_BUNDLE_PAYLOAD * 2, &a, &al) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: logged %s is not base64", what, field);
		goto done;
	}
	if (al == want_len && memcmp(a, want, al) == 0) {
		rc = 0;
		goto done;
	}
	if (twice && !memchr(a, 0, al) &&
	    bw_b64_strict_decode(what, (const char *)a, BW_MAX_BUNDLE_PAYLOAD, &b, &bl) == 0 &&
	    bl == want_len && memcmp(b, want, bl) == 0) {
		rc = 0;
		goto done;
	}
	bw_error_clear();
	rc = bw_error_set(BW_EPOLICY, "%s: logged %s does not match the bundle", what, field);
done:
	free(a);
	free(b);
	return rc;
}

/* The logged verifier, given as base64 of a PEM certificate or public key. */
static int check_pem_verifier(const char *what, const char *b64, const bw_rekor_expect *x)
{
	uint8_t *pem = NULL;
	size_t n = 0;
	bw_pki_cert *c = NULL;
	bw_pki_key *k = NULL;
	int rc;

	if (!b64 || bw_b64_strict_decode(what, b64, 2 * BW_PKI_MAX_CERT_BYTES, &pem, &n) < 0)
		return bw_error_set(BW_EINPUT, "%s: logged verifier is not base64", what);
	if (memmem(pem, n, "-----BEGIN CERTIFICATE-----", 27)) {
		rc = bw_pki_cert_from_pem(what, pem, n, &c);
		if (rc == 0)
			rc = (x->cert ? bw_pki_cert_equal(c, x->cert)
				      : bw_pki_key_equal(bw_pki_cert_key(c), x->key))
				     ? 0
				     : bw_error_set(BW_EPOLICY,
						    "%s: logged certificate is not the bundle's", what);
	} else {
		rc = bw_pki_key_from_pem(what, pem, n, &k);
		if (rc == 0)
			rc = (!x->cert && bw_pki_key_equal(k, x->key))
				     ? 0
				     : bw_error_set(BW_EPOLICY, "%s: logged public key is not the bundle's",
						    what);
	}
	bw_pki_cert_free(c);
	bw_pki_key_free(k);
	free(pem);
	return rc;
}

/* Rekor v2 verifier: {"x509Certificate":{"rawBytes":..}} or {"publicKey":{"rawBytes":..}} */
static int check_der_verifier(const char *what, json_t *v, const bw_rekor_expect *x)
{
	const char *cert_b64 = jstr(jpath(v, "x509Certificate", "rawBytes", NULL));
	const char *key_b64 = jstr(jpath(v, "publicKey", "rawBytes", NULL));
	uint8_t *der = NULL;
	size_t n = 0;
	int rc;

	if (!!cert_b64 == !!key_b64)
		return bw_error_set(BW_EINPUT, "%s: logged verifier needs one certificate or key", what);
	if (bw_b64_strict_decode(what, cert_b64 ? cert_b64 : key_b64, BW_PKI_MAX_CERT_BYTES, &der, &n) < 0)
		return BW_EINPUT;
	if (cert_b64) {
		bw_pki_cert *c;
		rc = bw_pki_cert_from_der(what, der, n, &c);
		if (rc == 0) {
			rc = (x->cert ? bw_pki_cert_equal(c, x->cert)
				      : bw_pki_key_equal(bw_pki_cert_key(c), x->key))
				     ? 0
				     : bw_error_set(BW_EPOLICY,
						    "%s: logged certificate is not the bundle's", what);
			bw_pki_cert_free(c);
		}
	} else {
		bw_pki_key *k;
		rc = bw_pki_key_from_der(what, der, n, &k);
		if (rc == 0) {
			rc = (!x->cert && bw_pki_key_equal(k, x->key))
				     ? 0
				     : bw_error_set(BW_EPOLICY, "%s: logged public key is not the bundle's",
						    what);
			bw_pki_key_free(k);
		}
	}
	free(der);
	return rc;
}

/* ------------------------------------------------------------ per kind */

/*
 * What a hashedrekord commits to: the artifact digest for a message
 * signature; for a DSSE bundle SHA-256(PAE), the bytes the signature covers
 * (the client spec allows hashedrekord entries for DSSE content).
 */
static int hashedrekord_digest(const bw_rekor_expect *x, uint8_t out[32])
{
	const bw_bundle *b = x->bundle;
	if (b->is_dsse) {
		uint8_t *pae;
		size_t n;
		int rc = bw_bundle_pae(b->payload_type, b->payload, b->payload_len, &pae, &n);
		if (rc < 0)
			return rc;
		bw_sha256(pae, n, out);
		free(pae);
	} else {
		memcpy(out, x->digest, 32);
	}
	return 0;
}

static int hashedrekord_001(const char *what, json_t *spec, const bw_rekor_expect *x)
{
	const bw_bundle *b = x->bundle;
	uint8_t want[32];
	int rc;

	rc = hashedrekord_digest(x, want);
	if (rc < 0)
		return rc;
	rc = check_hex_hash(what, "artifact hash", jpath(spec, "data", "hash", NULL), want);
	if (rc == 0)
		rc = check_b64_bytes(what, "signature", jstr(jpath(spec, "signature", "content", NULL)),
				     false, b->sig, b->sig_len);
	if (rc == 0)
		rc = check_pem_verifier(what,
					jstr(jpath(spec, "signature", "publicKey", "content", NULL)), x);
	return rc;
}

static int hashedrekord_002(const char *what, json_t *spec, const bw_rekor_expect *x)
{
	const bw_bundle *b = x->bundle;
	json_t *h = jpath(spec, "hashedRekordV002", NULL);
	uint8_t want[32];
	int rc;

	if (!h)
		return bw_error_set(BW_EINPUT, "%s: hashedrekord 0.0.2 body without hashedRekordV002", what);
	rc = hashedrekord_digest(x, want);
	if (rc < 0)
		return rc;
	rc = check_b64_hash(what, "artifact digest", jpath(h, "data", NULL), want);
	if (rc == 0)
		rc = check_b64_bytes(what, "signature", jstr(jpath(h, "signature", "content", NULL)),
				     false, b->sig, b->sig_len);
	if (rc == 0)
		rc = check_der_verifier(what, jpath(h, "signature", "verifier", NULL), x);
	return rc;
}

static int dsse_sig_list(const char *what, json_t *sigs, const bw_rekor_expect *x, bool v2)
{
	const bw_bundle *b = x->bundle;
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return bw_error_set(BW_EPOLICY, "%s: logged DSSE entry does not hold exactly one signature",
				    what);
	json_t *s = json_array_get(sigs, 0);
	int rc;
	if (v2) {
		rc = check_b64_bytes(what, "DSSE signature", jstr(jpath(s, "content", NULL)), false,
				     b->sig, b->sig_len);
		if (rc == 0)
			rc = check_der_verifier(what, jpath(s, "verifier", NULL), x);
	} else {
		rc = check_b64_bytes(what, "DSSE signature", jstr(jpath(s, "signature", NULL)), false,
				     b->sig, b->sig_len);
		if (rc == 0)
			rc = check_pem_verifier(what, jstr(jpath(s, "verifier", NULL)), x);
	}
	return rc;
}

static int dsse_001(const char *what, json_t *spec, const bw_rekor_expect *x)
{
	const bw_bundle *b = x->bundle;
	uint8_t ph[32];
	int rc;

	if (!b->is_dsse)
		return bw_error_set(BW_EPOLICY, "%s: dsse entry for a message-signature bundle", what);
	bw_sha256(b->payload, b->payload_len, ph);
	rc = check_hex_hash(what, "payload hash", jpath(spec, "payloadHash", NULL), ph);
	if (rc == 0)
		rc = dsse_sig_list(what, jpath(spec, "signatures", NULL), x, false);
	return rc;
}

static int dsse_002(const char *what, json_t *spec, const bw_rekor_expect *x)
{
	const bw_bundle *b = x->bundle;
	json_t *d = jpath(spec, "dsseV002", NULL);
	uint8_t ph[32];
	int rc;

	if (!b->is_dsse)
		return bw_error_set(BW_EPOLICY, "%s: dsse entry for a message-signature bundle", what);
	if (!d)
		return bw_error_set(BW_EINPUT, "%s: dsse 0.0.2 body without dsseV002", what);
	bw_sha256(b->payload, b->payload_len, ph);
	rc = check_b64_hash(what, "payload hash", jpath(d, "payloadHash", NULL), ph);
	if (rc == 0)
		rc = dsse_sig_list(what, jpath(d, "signatures", NULL), x, true);
	return rc;
}

static int intoto_002(const char *what, json_t *spec, const bw_rekor_expect *x)
{
	const bw_bundle *b = x->bundle;
	json_t *env = jpath(spec, "content", "envelope", NULL);
	const char *pt = jstr(jpath(env, "payloadType", NULL));
	json_t *sigs = jpath(env, "signatures", NULL);
	uint8_t ph[32];
	int rc;

	if (!b->is_dsse)
		return bw_error_set(BW_EPOLICY, "%s: intoto entry for a message-signature bundle", what);
	if (!pt || strcmp(pt, b->payload_type) != 0)
		return bw_error_set(BW_EPOLICY, "%s: logged payload type does not match the bundle", what);
	bw_sha256(b->payload, b->payload_len, ph);
	rc = check_hex_hash(what, "payload hash", jpath(spec, "content", "payloadHash", NULL), ph);
	if (rc == 0 && jpath(env, "payload", NULL))
		rc = check_b64_bytes(what, "payload", jstr(jpath(env, "payload", NULL)), true,
				     b->payload, b->payload_len);
	if (rc < 0)
		return rc;
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return bw_error_set(BW_EPOLICY, "%s: logged envelope does not hold exactly one signature",
				    what);
	json_t *s = json_array_get(sigs, 0);
	rc = check_b64_bytes(what, "DSSE signature", jstr(jpath(s, "sig", NULL)), true, b->sig,
			     b->sig_len);
	if (rc == 0)
		rc = check_pem_verifier(what, jstr(jpath(s, "publicKey", NULL)), x);
	return rc;
}

int bw_rekor_body_matches(const char *what, const bw_tlog_entry *e, const bw_rekor_expect *x)
{
	static const struct {
		const char *kind, *version;
		int (*check)(const char *, json_t *, const bw_rekor_expect *);
	} kinds[] = {
		{ "hashedrekord", "0.0.1", hashedrekord_001 },
		{ "hashedrekord", "0.0.2", hashedrekord_002 },
		{ "dsse", "0.0.1", dsse_001 },
		{ "dsse", "0.0.2", dsse_002 },
		{ "intoto", "0.0.2", intoto_002 },
	};
	json_t *body = NULL, *spec;
	const char *kind, *ver;
	int rc;

	rc = bw_json_parse(what, e->body, e->body_len, BW_MAX_BUNDLE_BODY, &body);
	if (rc < 0)
		return rc;
	kind = jstr(jpath(body, "kind", NULL));
	ver = jstr(jpath(body, "apiVersion", NULL));
	spec = jpath(body, "spec", NULL);
	if (!kind || !ver || !json_is_object(spec)) {
		rc = bw_error_set(BW_EINPUT, "%s: logged body lacks kind, apiVersion or spec", what);
		goto done;
	}
	if (strcmp(kind, e->kind) != 0 || strcmp(ver, e->kind_version) != 0) {
		rc = bw_error_set(BW_EPOLICY, "%s: logged body is %s %s but the entry says %s %s", what,
				  kind, ver, e->kind, e->kind_version);
		goto done;
	}
	rc = bw_error_set(BW_EINPUT, "%s: unsupported log entry kind %s %s", what, kind, ver);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].kind) && !strcmp(ver, kinds[i].version)) {
			rc = kinds[i].check(what, spec, x);
			break;
		}
done:
	json_decref(body);
	return rc;
}
