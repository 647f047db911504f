/*
 * sign/trustroot.c: reads trusted_root.json (see trustroot.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulwark/errors.h"
#include "sign/trustroot.h"
#include "util/buf.h"
#include "util/json.h"

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int bw_rfc3339_parse(const char *what, const char *text, int64_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, s, off = 0;
	const char *p = text;

	if (strlen(text) < 20 || digits(p, 4, &y) || p[4] != '-' || digits(p + 5, 2, &mo) ||
	    p[7] != '-' || digits(p + 8, 2, &d) || (p[10] != 'T' && p[10] != 't') ||
	    digits(p + 11, 2, &h) || p[13] != ':' || digits(p + 14, 2, &mi) || p[16] != ':' ||
	    digits(p + 17, 2, &s))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		goto bad;
	p += 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			goto bad;
		for (int n = 0; *p >= '0' && *p <= '9'; p++)
			if (++n > 9)
				goto bad;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
			goto bad;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		goto bad;
	}
	if (*p)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	*out = (int64_t)timegm(&tm) - off;
	return 0;
bad:
	return bw_error_set(BW_EINPUT, "%s: \"%.40s\" is not an RFC 3339 time", what, text);
}

static int parse_range(const char *what, json_t *obj, bool required, bw_time_range *r)
{
	json_t *vf;
	const char *start, *end;

	r->start = INT64_MIN;
	r->end = INT64_MAX;
	r->has_end = false;
	if (bw_json_opt_object(what, obj, "validFor", &vf) < 0)
		return BW_EINPUT;
	if (!vf) {
		if (required)
			return bw_error_set(BW_EINPUT, "%s: missing validFor", what);
		return 0;
	}
	if (bw_json_opt_string(what, vf, "start", &start) < 0 ||
	    bw_json_opt_string(what, vf, "end", &end) < 0)
		return BW_EINPUT;
	/* A window without a start is malformed, not "since forever". */
	if (!start)
		return bw_error_set(BW_EINPUT, "%s: validFor has no start", what);
	if (bw_rfc3339_parse(what, start, &r->start) < 0)
		return BW_EINPUT;
	if (end) {
		if (bw_rfc3339_parse(what, end, &r->end) < 0)
			return BW_EINPUT;
		r->has_end = true;
		if (r->end < r->start)
			return bw_error_set(BW_EINPUT, "%s: validFor ends before it starts", what);
	}
	return 0;
}

static int parse_raw_bytes(const char *what, json_t *obj, size_t max, uint8_t **out, size_t *len)
{
	const char *b64;
	if (bw_json_string(what, obj, "rawBytes", &b64) < 0)
		return BW_EINPUT;
	return bw_b64_strict_decode(what, b64, max, out, len);
}

static int parse_log(const char *what, json_t *obj, bw_tr_log *log)
{
	json_t *pk, *lid;
	const char *url, *kid;
	uint8_t *der = NULL, *id = NULL;
	size_t der_len, id_len;
	int rc;

	if (!json_is_object(obj))
		return bw_error_set(BW_EINPUT, "%s: not an object", what);
	if (bw_json_opt_string(what, obj, "baseUrl", &url) < 0 ||
	    bw_json_opt_object(what, obj, "publicKey", &pk) < 0 ||
	    bw_json_opt_object(what, obj, "logId", &lid) < 0)
		return BW_EINPUT;
	if (!pk || !lid)
		return bw_error_set(BW_EINPUT, "%s: missing publicKey or logId", what);
	if (bw_json_string(what, lid, "keyId", &kid) < 0)
		return BW_EINPUT;
	rc = bw_b64_strict_decode(what, kid, 64, &id, &id_len);
	if (rc < 0)
		return rc;
	if (id_len == 0 || id_len > sizeof(log->log_id)) {
		free(id);
		return bw_error_set(BW_EINPUT, "%s: log ID of %zu bytes", what, id_len);
	}
	memcpy(log->log_id, id, id_len);
	log->log_id_len = id_len;
	free(id);
	if (url) {
		log->base_url = strdup(url);
		if (!log->base_url)
			return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	}
	rc = parse_raw_bytes(what, pk, BW_PKI_MAX_KEY_BYTES, &der, &der_len);
	if (rc < 0)
		return rc;
	const char *details;
	if (bw_json_opt_string(what, pk, "keyDetails", &details) < 0) {
		free(der);
		return BW_EINPUT;
	}
	/* PKCS1_RSA_* keys are PKCS#1 RSAPublicKey, every other form SPKI. */
	if (details && !strncmp(details, "PKCS1_RSA_", 10))
		rc = bw_pki_key_from_pkcs1_rsa(what, der, der_len, &log->key);
	else
		rc = bw_pki_key_from_der(what, der, der_len, &log->key);
	free(der);
	if (rc < 0)
		return rc;
	return parse_range(what, pk, true, &log->valid);
}

static int parse_ca(const char *what, json_t *obj, bw_tr_ca *ca)
{
	json_t *chain, *certs = NULL;
	const char *uri;
	int rc;

	if (!json_is_object(obj))
		return bw_error_set(BW_EINPUT, "%s: not an object", what);
	if (bw_json_opt_string(what, obj, "uri", &uri) < 0 ||
	    bw_json_opt_object(what, obj, "certChain", &chain) < 0)
		return BW_EINPUT;
	if (chain && bw_json_opt_array(what, chain, "certificates", &certs) < 0)
		return BW_EINPUT;
	/* An empty chain is kept (it can verify nothing) rather than rejecting the root. */
	size_t n = certs ? json_array_size(certs) : 0;
	if (n > BW_MAX_CHAIN_CERTS)
		return bw_error_set(BW_EINPUT, "%s: certChain holds %zu certificates (limit %d)", what, n,
				    BW_MAX_CHAIN_CERTS);
	if (uri) {
		ca->uri = strdup(uri);
		if (!ca->uri)
			return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	}
	ca->certs = calloc(n ? n : 1, sizeof(*ca->certs));
	if (!ca->certs)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(certs, i);
		uint8_t *der;
		size_t len;
		if (!json_is_object(c))
			return bw_error_set(BW_EINPUT, "%s: certificate %zu is not an object", what, i);
		rc = parse_raw_bytes(what, c, BW_PKI_MAX_CERT_BYTES, &der, &len);
		if (rc < 0)
			return rc;
		rc = bw_pki_cert_from_der(what, der, len, &ca->certs[i]);
		free(der);
		if (rc < 0)
			return rc;
		ca->n_certs++;
	}
	return parse_range(what, obj, false, &ca->valid);
}

static int parse_list(const char *what, json_t *root, const char *key, bool logs, void **out,
		      size_t *n_out)
{
	json_t *arr;
	char name[96];
	size_t n;

	*out = NULL;
	*n_out = 0;
	if (bw_json_opt_array(what, root, key, &arr) < 0)
		return BW_EINPUT;
	if (!arr)
		return 0;
	n = json_array_size(arr);
	if (n > BW_MAX_TRUSTROOT_ENTRIES)
		return bw_error_set(BW_EINPUT, "%s: %zu %s, limit %d", what, n, key,
				    BW_MAX_TRUSTROOT_ENTRIES);
	if (n == 0)
		return 0;
	*out = calloc(n, logs ? sizeof(bw_tr_log) : sizeof(bw_tr_ca));
	if (!*out)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	for (size_t i = 0; i < n; i++) {
		int rc;
		snprintf(name, sizeof(name), "%s: %s[%zu]", what, key, i);
		*n_out = i + 1; /* so free sees the partly filled entry */
		if (logs)
			rc = parse_log(name, json_array_get(arr, i), (bw_tr_log *)*out + i);
		else
			rc = parse_ca(name, json_array_get(arr, i), (bw_tr_ca *)*out + i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int bw_trustroot_parse(const char *what, const void *data, size_t len, bw_trustroot *out)
{
	json_t *root = NULL;
	const char *mt;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = bw_json_parse(what, data, len, BW_MAX_TRUSTROOT_BYTES, &root);
	if (rc < 0)
		return rc;
	if (!json_is_object(root)) {
		rc = bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
	rc = bw_json_opt_string(what, root, "mediaType", &mt);
	if (rc < 0)
		goto done;
	if (mt && strcmp(mt, "application/vnd.dev.sigstore.trustedroot+json;version=0.1") != 0 &&
	    strcmp(mt, "application/vnd.dev.sigstore.trustedroot.v0.2+json") != 0) {
		rc = bw_error_set(BW_EINPUT, "%s: unsupported media type \"%.80s\"", what, mt);
		goto done;
	}
	rc = parse_list(what, root, "tlogs", true, (void **)&out->tlogs, &out->n_tlogs);
	if (rc == 0)
		rc = parse_list(what, root, "ctlogs", true, (void **)&out->ctlogs, &out->n_ctlogs);
	if (rc == 0)
		rc = parse_list(what, root, "certificateAuthorities", false, (void **)&out->cas,
				&out->n_cas);
	if (rc == 0)
		rc = parse_list(what, root, "timestampAuthorities", false, (void **)&out->tsas,
				&out->n_tsas);
done:
	json_decref(root);
	if (rc < 0)
		bw_trustroot_free(out);
	return rc;
}

int bw_trustroot_load(const char *path, bw_trustroot *out)
{
	bw_buf b = BW_BUF_INIT(BW_MAX_TRUSTROOT_BYTES);
	int rc;

	memset(out, 0, sizeof(*out));
	rc = bw_buf_read_file(&b, path, BW_EINPUT, "the trusted root");
	if (rc == 0)
		rc = bw_trustroot_parse(path, b.data, b.len, out);
	bw_buf_free(&b);
	return rc;
}

static void free_logs(bw_tr_log *logs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(logs[i].base_url);
		bw_pki_key_free(logs[i].key);
	}
	free(logs);
}

static void free_cas(bw_tr_ca *cas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < cas[i].n_certs; j++)
			bw_pki_cert_free(cas[i].certs[j]);
		free(cas[i].certs);
		free(cas[i].uri);
	}
	free(cas);
}

void bw_trustroot_free(bw_trustroot *tr)
{
	free_logs(tr->tlogs, tr->n_tlogs);
	free_logs(tr->ctlogs, tr->n_ctlogs);
	free_cas(tr->cas, tr->n_cas);
	free_cas(tr->tsas, tr->n_tsas);
	memset(tr, 0, sizeof(*tr));
}

const bw_tr_log *bw_trustroot_find_log(const bw_tr_log *logs, size_t n, const uint8_t *log_id,
				       size_t log_id_len)
{
	for (size_t i = 0; i < n; i++)
		if (logs[i].log_id_len == log_id_len && memcmp(logs[i].log_id, log_id, log_id_len) == 0)
			return &logs[i];
	return NULL;
}
