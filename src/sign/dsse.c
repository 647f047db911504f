/*
 * sign/dsse.c: DSSE envelopes (secure-systems-lab/dsse protocol.md) and
 * in-toto Statements (in-toto/attestation spec/v1).
 *
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN
 * in ASCII decimal bytes (UTF-8 bytes for the type). Signatures cover PAE,
 * never the JSON. Envelopes accept standard and URL-safe base64, as the spec
 * asks; a key counts once however many signatures it made (threshold rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/cosign.h"
#include "util/json.h"

#define DSSE_MAX_SIGS 64
#define DSSE_MAX_TYPE 1024

uint8_t *bw_dsse_pae(const char *type, size_t type_len, const void *body, size_t body_len, size_t *out_len)
{
	char head[64 + DSSE_MAX_TYPE];
	if (type_len > DSSE_MAX_TYPE || body_len > SIZE_MAX - sizeof(head))
		return NULL;
	int h = snprintf(head, sizeof(head), "DSSEv1 %zu ", type_len);
	size_t hl = (size_t)h;
	memcpy(head + hl, type, type_len);
	hl += type_len;
	hl += (size_t)snprintf(head + hl, sizeof(head) - hl, " %zu ", body_len);
	uint8_t *out = malloc(hl + body_len + 1);
	if (!out)
		return NULL;
	memcpy(out, head, hl);
	if (body_len)
		memcpy(out + hl, body, body_len);
	out[hl + body_len] = 0;
	*out_len = hl + body_len;
	return out;
}

void bw_dsse_free(bw_dsse *e)
{
	free(e->payload_type);
	free(e->payload);
	for (size_t i = 0; i < e->n_sigs; i++) {
		free(e->sigs[i].keyid);
		free(e->sigs[i].sig);
	}
	free(e->sigs);
	memset(e, 0, sizeof(*e));
}

int bw_dsse_parse(const char *what, const void *data, size_t len, bw_dsse *out)
{
	json_t *j = NULL, *sigs, *e;
	const char *s;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = bw_json_parse(what, data, len, BW_SIG_MAX_ENVELOPE, &j)) < 0)
		return rc;
	rc = BW_EINPUT;
	if (!json_is_object(j)) {
		bw_error_set(BW_EINPUT, "%s: the DSSE envelope is not a JSON object", what);
		goto done;
	}
	json_t *pt = json_object_get(j, "payloadType");
	if (!json_is_string(pt)) {
		bw_error_set(BW_EINPUT, "%s: payloadType is missing or not a string", what);
		goto done;
	}
	if (json_string_length(pt) > DSSE_MAX_TYPE) {
		bw_error_set(BW_EINPUT, "%s: payloadType longer than %d bytes", what, DSSE_MAX_TYPE);
		goto done;
	}
	out->payload_type_len = json_string_length(pt);
	if (!(out->payload_type = malloc(out->payload_type_len + 1))) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	memcpy(out->payload_type, json_string_value(pt), out->payload_type_len + 1);
	if (bw_json_string(what, j, "payload", &s) < 0)
		goto done;
	if (!(out->payload = bw_b64_decode(s, strlen(s), true, false, &out->payload_len))) {
		bw_error_set(BW_EINPUT, "%s: payload is not valid base64", what);
		goto done;
	}
	sigs = json_object_get(j, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) == 0) {
		bw_error_set(BW_EINPUT, "%s: the envelope has no signatures", what);
		goto done;
	}
	if (json_array_size(sigs) > DSSE_MAX_SIGS) {
		bw_error_set(BW_EINPUT, "%s: %zu signatures (limit %d)", what, json_array_size(sigs), DSSE_MAX_SIGS);
		goto done;
	}
	if (!(out->sigs = calloc(json_array_size(sigs), sizeof(*out->sigs)))) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	json_array_foreach(sigs, i, e) {
		bw_dsse_sig *d = &out->sigs[out->n_sigs++];
		const char *kid = NULL;
		if (!json_is_object(e)) {
			bw_error_set(BW_EINPUT, "%s: signature %zu is not an object", what, i + 1);
			goto done;
		}
		if (bw_json_string(what, e, "sig", &s) < 0 || bw_json_opt_string(what, e, "keyid", &kid) < 0)
			goto done;
		if (strlen(s) > 8192 || !(d->sig = bw_b64_decode(s, strlen(s), true, false, &d->sig_len))) {
			bw_error_set(BW_EINPUT, "%s: signature %zu is not valid base64", what, i + 1);
			goto done;
		}
		if (kid && !(d->keyid = strndup(kid, 256))) {
			bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
	}
	rc = 0;
done:
	json_decref(j);
	if (rc < 0)
		bw_dsse_free(out);
	return rc;
}

size_t bw_dsse_count_verified(const bw_dsse *e, bw_pkey *const *keys, size_t n_keys)
{
	size_t pae_len, n = 0;
	uint8_t *pae = bw_dsse_pae(e->payload_type, e->payload_type_len, e->payload, e->payload_len, &pae_len);
	if (!pae)
		return 0;
	for (size_t k = 0; k < n_keys; k++) {
		/* a key counts once, whatever number of its signatures are present */
		for (size_t i = 0; i < e->n_sigs; i++)
			if (bw_pkey_verify(keys[k], pae, pae_len, e->sigs[i].sig, e->sigs[i].sig_len) == 0) {
				n++;
				break;
			}
	}
	bw_error_clear();
	free(pae);
	return n;
}

int bw_dsse_sign(bw_signer *s, const char *type, const void *body, size_t len, char **envelope, size_t *env_len)
{
	size_t pae_len, sig_len;
	uint8_t *sig = NULL, *pae = bw_dsse_pae(type, strlen(type), body, len, &pae_len);
	char *p64 = NULL, *s64 = NULL;
	json_t *j = NULL;
	int rc;

	*envelope = NULL;
	if (!pae)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if ((rc = bw_signer_sign(s, pae, pae_len, &sig, &sig_len)) < 0)
		goto done;
	p64 = bw_base64_encode(body, len);
	s64 = bw_base64_encode(sig, sig_len);
	/* cosign's layout: payloadType, payload, signatures [{keyid "", sig}] */
	j = json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "payloadType", type, "payload", p64 ? p64 : "", "signatures", "keyid",
		      "", "sig", s64 ? s64 : "");
	if (!p64 || !s64 || !j || !(*envelope = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	*env_len = strlen(*envelope);
	rc = 0;
done:
	free(pae);
	free(sig);
	free(p64);
	free(s64);
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------------ in-toto statements */

void bw_statement_free(bw_statement *s)
{
	free(s->predicate_type);
	for (size_t i = 0; i < s->n_subjects; i++)
		free(s->subject_sha256[i]);
	free(s->subject_sha256);
	json_decref(s->doc);
	memset(s, 0, sizeof(*s));
}

static bool lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int bw_statement_parse(const char *what, const void *data, size_t len, bw_statement *out)
{
	json_t *j = NULL, *subj, *e;
	const char *type, *pt;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = bw_json_parse(what, data, len, BW_SIG_MAX_ENVELOPE, &j)) < 0)
		return rc;
	rc = BW_EINPUT;
	if (!json_is_object(j)) {
		bw_error_set(BW_EINPUT, "%s: the statement is not a JSON object", what);
		goto done;
	}
	if (bw_json_string(what, j, "_type", &type) < 0)
		goto done;
	if (strcmp(type, "https://in-toto.io/Statement/v1") && strcmp(type, "https://in-toto.io/Statement/v0.1")) {
		bw_error_set(BW_EINPUT, "%s: _type \"%.80s\" is not an in-toto Statement v1 or v0.1", what, type);
		goto done;
	}
	subj = json_object_get(j, "subject");
	if (!json_is_array(subj) || json_array_size(subj) == 0) {
		bw_error_set(BW_EINPUT, "%s: the statement has no subject", what);
		goto done;
	}
	if (json_array_size(subj) > 10000) {
		bw_error_set(BW_EINPUT, "%s: more than 10000 subjects", what);
		goto done;
	}
	if (!(out->subject_sha256 = calloc(json_array_size(subj), sizeof(char *)))) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	json_array_foreach(subj, i, e) {
		json_t *dg, *v;
		const char *k;
		if (!json_is_object(e)) {
			bw_error_set(BW_EINPUT, "%s: subject %zu is not an object", what, i + 1);
			goto done;
		}
		if (!json_object_get(e, "name") && !json_object_get(e, "uri") && !json_object_get(e, "digest")) {
			bw_error_set(BW_EINPUT, "%s: subject %zu has none of name, uri, digest", what, i + 1);
			goto done;
		}
		dg = json_object_get(e, "digest");
		if (!json_is_object(dg) || json_object_size(dg) == 0) {
			bw_error_set(BW_EINPUT, "%s: subject %zu has no digest", what, i + 1);
			goto done;
		}
		json_object_foreach(dg, k, v) {
			if (!json_is_string(v) || json_string_length(v) == 0) {
				bw_error_set(BW_EINPUT, "%s: subject %zu: digest \"%.40s\" is not a non-empty string", what,
					     i + 1, k);
				goto done;
			}
		}
		v = json_object_get(dg, "sha256");
		out->n_subjects++;
		if (v) {
			if (!lower_hex(json_string_value(v), 64)) {
				bw_error_set(BW_EINPUT, "%s: subject %zu: sha256 is not 64 lowercase hex digits", what, i + 1);
				goto done;
			}
			if (!(out->subject_sha256[i] = strdup(json_string_value(v)))) {
				bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
		}
	}
	if (bw_json_string(what, j, "predicateType", &pt) < 0)
		goto done;
	if (!*pt) {
		bw_error_set(BW_EINPUT, "%s: predicateType is empty", what);
		goto done;
	}
	out->predicate = json_object_get(j, "predicate");
	if (!json_is_object(out->predicate)) {
		bw_error_set(BW_EINPUT, "%s: the statement has no predicate object", what);
		goto done;
	}
	if (!(out->predicate_type = strdup(pt))) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	out->doc = json_incref(j);
	rc = 0;
done:
	json_decref(j);
	if (rc < 0)
		bw_statement_free(out);
	return rc;
}

char *bw_statement_build(const char *name, const char *digest_hex, const char *predicate_type, json_t *predicate,
			 size_t *len)
{
	json_t *j = json_pack("{s:s,s:[{s:s,s:{s:s}}],s:s,s:o}", "_type", "https://in-toto.io/Statement/v1", "subject",
			      "name", name, "digest", "sha256", digest_hex, "predicateType", predicate_type, "predicate",
			      predicate);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (text)
		*len = strlen(text);
	return text;
}

const char *bw_predicate_type_uri(const char *type)
{
	static const struct {
		const char *name, *uri;
	} map[] = {
		{ "custom", "https://cosign.sigstore.dev/attestation/v1" },
		{ "slsaprovenance", "https://slsa.dev/provenance/v0.2" },
		{ "slsaprovenance02", "https://slsa.dev/provenance/v0.2" },
		{ "slsaprovenance1", "https://slsa.dev/provenance/v1" },
		{ "spdx", "https://spdx.dev/Document" },
		{ "spdxjson", "https://spdx.dev/Document" },
		{ "cyclonedx", "https://cyclonedx.org/bom" },
		{ "vuln", "https://cosign.sigstore.dev/attestation/vuln/v1" },
		{ "openvex", "https://openvex.dev/ns" },
	};
	if (!type)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(type, map[i].name))
			return map[i].uri;
	if (strstr(type, "://") && strlen(type) < 1024)
		return type;
	return NULL;
}
