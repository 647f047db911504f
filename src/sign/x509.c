/*
 * sign/x509.c: Fulcio identity policy and embedded SCTs (see x509.h).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/x509.h"

#define FULCIO_OID "1.3.6.1.4.1.57264.1."

int bw_fulcio_ext(const bw_pki_cert *c, const char *oid, char **out)
{
	uint8_t *v;
	size_t n;
	int rc, arc = 0;

	*out = NULL;
	rc = bw_pki_cert_ext(c, oid, &v, &n);
	if (rc < 0 || !v)
		return rc;
	if (!strncmp(oid, FULCIO_OID, strlen(FULCIO_OID)))
		arc = (int)strtol(oid + strlen(FULCIO_OID), NULL, 10); /* our constant */
	if (arc >= 8) {
		/* DER UTF8String: tag 0x0c, definite length (short or long form). */
		size_t len, hdr = 2;
		if (n < 2 || v[0] != 0x0c)
			goto bad;
		if (v[1] < 0x80) {
			len = v[1];
		} else if (v[1] == 0x81 && n >= 3) {
			len = v[2];
			hdr = 3;
		} else if (v[1] == 0x82 && n >= 4) {
			len = (size_t)v[2] << 8 | v[3];
			hdr = 4;
		} else {
			goto bad;
		}
		if (hdr + len != n)
			goto bad;
		memmove(v, v + hdr, len);
		n = len;
		v[n] = 0;
	}
	if (memchr(v, 0, n))
		goto bad;
	*out = (char *)v;
	return 0;
bad:
	free(v);
	return bw_error_set(BW_EINPUT, "certificate: extension %s is not a well-formed string", oid);
}

static int match_text(const char *what, const char *got, const char *exact, const char *re)
{
	if (exact && strcmp(got, exact) != 0)
		return bw_error_set(BW_EPOLICY, "%s \"%.200s\" is not the expected \"%.200s\"", what, got,
				    exact);
	if (re) {
		regex_t rx;
		int m;
		if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
			return bw_error_set(BW_EUSAGE, "%s: invalid regular expression \"%.200s\"", what, re);
		m = regexec(&rx, got, 0, NULL, 0);
		regfree(&rx);
		if (m != 0)
			return bw_error_set(BW_EPOLICY, "%s \"%.200s\" does not match /%.200s/", what, got, re);
	}
	return 0;
}

static int check_ext(const bw_pki_cert *leaf, const char *oid, const char *label, const char *want)
{
	char *got;
	int rc;
	if (!want)
		return 0;
	rc = bw_fulcio_ext(leaf, oid, &got);
	if (rc < 0)
		return rc;
	if (!got)
		return bw_error_set(BW_EPOLICY, "certificate has no %s extension (%s)", label, oid);
	rc = match_text(label, got, want, NULL);
	free(got);
	return rc;
}

int bw_x509_check_policy(const bw_pki_cert *leaf, const bw_bundle_policy *p,
			 bw_bundle_result *result)
{
	char **sans = NULL, *issuer = NULL;
	size_t n = 0;
	int rc;

	if (p->identity || p->identity_regexp) {
		rc = bw_pki_cert_sans(leaf, &sans, &n);
		if (rc < 0)
			return rc;
		if (n == 0) {
			rc = bw_error_set(BW_EPOLICY, "certificate has no URI or e-mail identity");
			goto done;
		}
		/* Fulcio issues one identity; any SAN matching is what cosign accepts. */
		rc = BW_EPOLICY;
		for (size_t i = 0; i < n && rc < 0; i++) {
			rc = match_text("certificate identity", sans[i], p->identity, p->identity_regexp);
			if (rc == BW_EUSAGE)
				goto done;
			if (rc == 0 && result)
				snprintf(result->identity, sizeof(result->identity), "%s", sans[i]);
		}
		if (rc < 0)
			goto done;
	}
	if (p->issuer || p->issuer_regexp) {
		rc = bw_fulcio_ext(leaf, FULCIO_OID "8", &issuer);
		if (rc == 0 && !issuer)
			rc = bw_fulcio_ext(leaf, FULCIO_OID "1", &issuer);
		if (rc < 0)
			goto done;
		if (!issuer) {
			rc = bw_error_set(BW_EPOLICY, "certificate has no OIDC issuer extension");
			goto done;
		}
		rc = match_text("certificate OIDC issuer", issuer, p->issuer, p->issuer_regexp);
		if (rc < 0)
			goto done;
		if (result)
			snprintf(result->issuer, sizeof(result->issuer), "%s", issuer);
	}
	rc = check_ext(leaf, FULCIO_OID "2", "GitHub workflow trigger", p->github_workflow_trigger);
	if (rc == 0)
		rc = check_ext(leaf, FULCIO_OID "3", "GitHub workflow SHA", p->github_workflow_sha);
	if (rc == 0)
		rc = check_ext(leaf, FULCIO_OID "4", "GitHub workflow name", p->github_workflow_name);
	if (rc == 0)
		rc = check_ext(leaf, FULCIO_OID "5", "GitHub workflow repository",
			       p->github_workflow_repository);
	if (rc == 0)
		rc = check_ext(leaf, FULCIO_OID "6", "GitHub workflow ref", p->github_workflow_ref);
done:
	bw_pki_strings_free(sans, n);
	free(issuer);
	return rc;
}

/* ------------------------------------------------------------ SCTs */

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int bw_sct_list_parse(const char *what, const uint8_t *data, size_t len, bw_sct *out, size_t max,
		      size_t *n)
{
	const uint8_t *p, *end;
	size_t list_len;

	*n = 0;
	/* The extension value is an OCTET STRING wrapping the TLS structure. */
	if (len < 2 || data[0] != 0x04)
		return bw_error_set(BW_EINPUT, "%s: SCT extension is not an OCTET STRING", what);
	if (data[1] < 0x80) {
		list_len = data[1];
		p = data + 2;
	} else if (data[1] == 0x81 && len >= 3) {
		list_len = data[2];
		p = data + 3;
	} else if (data[1] == 0x82 && len >= 4) {
		list_len = (size_t)be(data + 2, 2);
		p = data + 4;
	} else {
		return bw_error_set(BW_EINPUT, "%s: SCT extension length is malformed", what);
	}
	if ((size_t)(p - data) + list_len != len)
		return bw_error_set(BW_EINPUT, "%s: SCT extension length does not fit", what);
	end = p + list_len;
	if (end - p < 2 || be(p, 2) != (size_t)(end - p - 2))
		return bw_error_set(BW_EINPUT, "%s: SCT list length does not fit", what);
	p += 2;
	while (p < end) {
		bw_sct *s;
		size_t sl, el, gl;
		const uint8_t *q, *qend;
		if (end - p < 2 || (sl = (size_t)be(p, 2)) > (size_t)(end - p - 2))
			return bw_error_set(BW_EINPUT, "%s: SCT length does not fit", what);
		q = p + 2;
		qend = q + sl;
		p = qend;
		if (*n >= max)
			return bw_error_set(BW_EINPUT, "%s: more than %zu SCTs", what, max);
		s = &out[*n];
		/* version(1) log_id(32) timestamp(8) ext_len(2) */
		if (qend - q < 43 || q[0] != 0)
			return bw_error_set(BW_EINPUT, "%s: SCT is not a v1 SCT", what);
		memcpy(s->log_id, q + 1, 32);
		s->timestamp_ms = be(q + 33, 8);
		el = (size_t)be(q + 41, 2);
		q += 43;
		if ((size_t)(qend - q) < el + 4)
			return bw_error_set(BW_EINPUT, "%s: SCT extensions do not fit", what);
		s->extensions = q;
		s->extensions_len = el;
		q += el;
		s->hash_alg = q[0];
		s->sig_alg = q[1];
		gl = (size_t)be(q + 2, 2);
		q += 4;
		if ((size_t)(qend - q) != gl || gl == 0)
			return bw_error_set(BW_EINPUT, "%s: SCT signature length does not fit", what);
		s->sig = q;
		s->sig_len = gl;
		(*n)++;
	}
	return 0;
}

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

int bw_x509_verify_scts(const char *what, const bw_pki_cert *leaf,
			const uint8_t issuer_key_hash[32], const bw_trustroot *tr,
			size_t *n_verified)
{
	uint8_t *ext = NULL, *tbs = NULL, *msg = NULL;
	size_t ext_len, tbs_len, n = 0;
	bw_sct scts[BW_MAX_SCTS];
	int rc;

	*n_verified = 0;
	rc = bw_pki_cert_ext(leaf, "1.3.6.1.4.1.11129.2.4.2", &ext, &ext_len);
	if (rc < 0)
		return rc;
	if (!ext)
		return bw_error_set(BW_EPOLICY, "%s: certificate has no embedded SCT", what);
	rc = bw_sct_list_parse(what, ext, ext_len, scts, BW_MAX_SCTS, &n);
	if (rc < 0)
		goto done;
	rc = bw_pki_cert_precert_tbs(leaf, &tbs, &tbs_len);
	if (rc < 0)
		goto done;
	if (tbs_len >= (1u << 24)) {
		rc = bw_error_set(BW_EINPUT, "%s: TBSCertificate too large for an SCT", what);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const bw_sct *s = &scts[i];
		const bw_tr_log *log = bw_trustroot_find_log(tr->ctlogs, tr->n_ctlogs, s->log_id, 32);
		/* A CT log counts only inside its trusted window. */
		if (!log || !bw_time_in_range(&log->valid, (int64_t)(s->timestamp_ms / 1000)))
			continue;
		/* RFC 6962 §3.2 digitally-signed struct for a precert_entry. */
		size_t mlen = 1 + 1 + 8 + 2 + 32 + 3 + tbs_len + 2 + s->extensions_len;
		uint8_t *m = realloc(msg, mlen);
		if (!m) {
			rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
			goto done;
		}
		msg = m;
		m[0] = 0;                       /* sct_version v1 */
		m[1] = 0;                       /* signature_type certificate_timestamp */
		put_be(m + 2, s->timestamp_ms, 8);
		put_be(m + 10, 1, 2);           /* entry_type precert_entry */
		memcpy(m + 12, issuer_key_hash, 32);
		put_be(m + 44, tbs_len, 3);
		memcpy(m + 47, tbs, tbs_len);
		put_be(m + 47 + tbs_len, s->extensions_len, 2);
		memcpy(m + 49 + tbs_len, s->extensions, s->extensions_len);
		if (bw_pki_verify(what, log->key, m, mlen, s->sig, s->sig_len) == 0)
			(*n_verified)++;
	}
	bw_error_clear();
	rc = *n_verified ? 0
			 : bw_error_set(BW_EPOLICY,
					"%s: no embedded SCT verifies with a CT log of the trusted root",
					what);
done:
	free(ext);
	free(tbs);
	free(msg);
	return rc;
}
