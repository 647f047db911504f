/*
 * sign/keyless.c: keyless (Fulcio certificate + Rekor entry) signatures and
 * attestations attached to images: `bulwark verify IMAGE --keyless` and
 * `verify-attestation IMAGE --keyless` (bulwark/sign.h, docs/keyless.md).
 *
 * Two places hold them, both are read:
 *  - cosign's classic layout: the tag sha256-<hex>.sig (.att) whose layers are
 *    the payloads, each annotated with the signature, the leaf certificate
 *    (dev.sigstore.cosign/certificate), the Rekor "bundle" (SET + the entry's
 *    body, integrated time, log index and log ID) and optionally an RFC 3161
 *    timestamp. Each layer is turned into the sigstore bundle v0.1 that says
 *    the same thing (bw_cosign_layer_bundle) and verified by the one bundle
 *    verifier (bundle_verify.c) over the payload bytes: signature, SET, body
 *    against signature/certificate/payload digest, chain to a trusted Fulcio
 *    CA at the integrated time, SCT, identity policy. Then the payload itself:
 *    its docker-manifest-digest must be the image's (cosign's claim check).
 *  - OCI 1.1 referrers of artifact type application/vnd.dev.sigstore.bundle.v0.3+json
 *    (cosign --new-bundle-format, GitHub attestations), through the referrers
 *    API or the fallback tag: the layer is a sigstore bundle verified over the
 *    image's manifest digest: a message signature of that digest, or a DSSE
 *    in-toto statement whose subject it is. For `verify` a DSSE bundle counts
 *    only with cosign's image-signature predicate https://sigstore.dev/cosign/sign/v1;
 *    other predicates are attestations.
 *
 * Blobs are checked against their descriptors by store.c before anything here
 * reads them. Every signature found gets one line (verified, or why not);
 * success needs one that verifies completely.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "bulwark/sign.h"
#include "sign/bundle.h"
#include "sign/cosign.h"
#include "util/json.h"
#include "util/log.h"

#define ARTIFACT_BUNDLE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define MT_BUNDLE_PREFIX "application/vnd.dev.sigstore.bundle"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define BUNDLE_V01 "application/vnd.dev.sigstore.bundle+json;version=0.1"
/* The Rekor entry body inside the annotation: hashedrekord/intoto/dsse, small. */
#define MAX_REKOR_BODY (BW_SIG_MAX_ANNOTATION)

/* ------------------------------------------------------------ the classic layer as a bundle */

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int hex32(const char *hex, uint8_t out[32])
{
	if (strlen(hex) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static json_t *b64_json(const void *data, size_t len)
{
	char *t = bw_base64_encode(data, len);
	json_t *j = t ? json_string(t) : NULL;
	free(t);
	return j;
}

/* The Rekor bundle annotation: {"SignedEntryTimestamp":B64,"Payload":{"body":B64,"integratedTime":N,
 * "logIndex":N,"logID":HEX}} (cosign's bundle.RekorBundle). Builds the v0.1 tlog entry. */
static int rekor_entry(const char *what, const char *text, json_t **out)
{
	json_t *j = NULL, *p, *body_j = NULL, *kind, *ver, *it, *li;
	const char *set, *body, *log_id;
	uint8_t id[32], *raw = NULL;
	size_t raw_len = 0;
	char num[2][32];
	int rc;

	*out = NULL;
	if ((rc = bw_json_parse(what, text, strlen(text), BW_SIG_MAX_ANNOTATION, &j)) < 0)
		return rc;
	rc = BW_EINPUT;
	if (!json_is_object(j) || !json_is_object(p = json_object_get(j, "Payload"))) {
		bw_error_set(BW_EINPUT, "%s: the Rekor bundle annotation has no \"Payload\" object", what);
		goto done;
	}
	if (bw_json_string(what, j, "SignedEntryTimestamp", &set) < 0 || bw_json_string(what, p, "body", &body) < 0 ||
	    bw_json_string(what, p, "logID", &log_id) < 0)
		goto done;
	it = json_object_get(p, "integratedTime");
	li = json_object_get(p, "logIndex");
	if (!json_is_integer(it) || !json_is_integer(li) || json_integer_value(it) < 0 ||
	    json_integer_value(li) < 0) {
		bw_error_set(BW_EINPUT, "%s: the Rekor bundle's integratedTime and logIndex must be integers >= 0", what);
		goto done;
	}
	if (hex32(log_id, id) < 0) {
		bw_error_set(BW_EINPUT, "%s: the Rekor bundle's logID is not 64 lowercase hex digits", what);
		goto done;
	}
	/* kind and version of the entry are in its body */
	if (!(raw = bw_b64_decode(body, strlen(body), false, false, &raw_len)) || raw_len > MAX_REKOR_BODY) {
		bw_error_set(BW_EINPUT, "%s: the Rekor entry body is not base64 of at most %d bytes", what,
			     MAX_REKOR_BODY);
		goto done;
	}
	if (bw_json_parse(what, raw, raw_len, MAX_REKOR_BODY, &body_j) < 0)
		goto done;
	if (!json_is_object(body_j) || !json_is_string(kind = json_object_get(body_j, "kind")) ||
	    !json_is_string(ver = json_object_get(body_j, "apiVersion")) || json_string_length(kind) > 64 ||
	    json_string_length(ver) > 64) {
		bw_error_set(BW_EINPUT, "%s: the Rekor entry body lacks a kind and an apiVersion", what);
		goto done;
	}
	/* the bundle's int64 fields are strings (proto3 JSON) */
	snprintf(num[0], sizeof(num[0]), "%lld", (long long)json_integer_value(li));
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)json_integer_value(it));
	*out = json_pack("{s:s,s:{s:o},s:{s:s,s:s},s:s,s:{s:s},s:s}", "logIndex", num[0], "logId", "keyId",
			 b64_json(id, sizeof(id)), "kindVersion", "kind", json_string_value(kind), "version",
			 json_string_value(ver), "integratedTime", num[1], "inclusionPromise", "signedEntryTimestamp",
			 set, "canonicalizedBody", body);
	rc = *out ? 0 : bw_error_set(BW_EINTERNAL, "out of memory");
done:
	free(raw);
	json_decref(body_j);
	json_decref(j);
	return rc;
}

int bw_cosign_layer_bundle(const char *what, const char *sig_b64, const char *cert_pem, const char *rekor_bundle,
			   const char *rfc3161, const uint8_t payload_sha256[32], char **out, size_t *out_len)
{
	json_t *entry = NULL, *vm = NULL, *doc = NULL, *ts_j = NULL;
	char *label = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!sig_b64 || !cert_pem || !rekor_bundle)
		return bw_error_set(BW_EINPUT, "%s: a keyless signature needs the signature, certificate and "
					       "Rekor bundle annotations", what);
	if ((rc = bw_pem_decode(what, cert_pem, strlen(cert_pem), &label, &der, &der_len)) < 0)
		return rc;
	if (strcmp(label, "CERTIFICATE")) {
		rc = bw_error_set(BW_EINPUT, "%s: the certificate annotation holds a PEM \"%.40s\", not a CERTIFICATE",
				  what, label);
		goto done;
	}
	if ((rc = rekor_entry(what, rekor_bundle, &entry)) < 0)
		goto done;
	vm = json_pack("{s:{s:[{s:o}]},s:[O]}", "x509CertificateChain", "certificates", "rawBytes",
		       b64_json(der, der_len), "tlogEntries", entry);
	if (!vm) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if (rfc3161) {
		const char *ts;
		if ((rc = bw_json_parse(what, rfc3161, strlen(rfc3161), BW_SIG_MAX_ANNOTATION, &ts_j)) < 0)
			goto done;
		if (!json_is_object(ts_j)) {
			rc = bw_error_set(BW_EINPUT, "%s: the RFC 3161 timestamp annotation is not an object", what);
			goto done;
		}
		if ((rc = bw_json_string(what, ts_j, "SignedRFC3161Timestamp", &ts)) < 0)
			goto done;
		json_object_set_new(vm, "timestampVerificationData",
				    json_pack("{s:[{s:s}]}", "rfc3161Timestamps", "signedTimestamp", ts));
	}
	doc = json_pack("{s:s,s:O,s:{s:{s:s,s:o},s:s}}", "mediaType", BUNDLE_V01, "verificationMaterial", vm,
			"messageSignature", "messageDigest", "algorithm", "SHA2_256", "digest",
			b64_json(payload_sha256, 32), "signature", sig_b64);
	if (!doc || !(*out = json_dumps(doc, JSON_COMPACT))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	*out_len = strlen(*out);
	rc = 0;
done:
	free(label);
	free(der);
	json_decref(entry);
	json_decref(vm);
	json_decref(ts_j);
	json_decref(doc);
	return rc;
}

/* ------------------------------------------------------------ verification */

typedef struct kctx {
	const bw_sign_options *o;
	bool att;
	bw_sigstore *st;
	bw_trustroot tr;
	bw_bundle_policy pol;
	uint8_t image_sha256[32];
	const char *expect_identity; /* docker-reference check of classic payloads; NULL: none */
	const char *predicate_uri;   /* verify-attestation --type */
	bw_sig_tally t;
} kctx;

static int report(kctx *x, const char *where, bool ok, bool malformed, const char *reason, const void *payload,
		  size_t plen)
{
	return bw_sig_tally_report(&x->t, where, ok, malformed, reason, payload, plen);
}

/* Not a signature of the kind asked for: said, not counted. */
static int skip(kctx *x, const char *where, const char *reason)
{
	return bw_sig_tally_skip(&x->t, where, reason);
}

/* The last error as a report line; policy failures are "not verified", the rest malformed. */
static int report_error(kctx *x, const char *where, const char *prefix)
{
	char reason[1400];
	const bw_error *e = bw_error_last();
	bool malformed = e->code != BW_EPOLICY;
	snprintf(reason, sizeof(reason), "%s%s", prefix ? prefix : "", e->message[0] ? e->message : "not verified");
	bw_error_clear();
	return report(x, where, false, malformed, reason, NULL, 0);
}

/* bw_bundle_verify of a parsed bundle; on success where_ok names the signer. */
static int verify_bundle(kctx *x, const char *where, const bw_bundle *b, const bw_artifact *a, char *where_ok,
			 size_t n)
{
	bw_bundle_result res;
	int rc = bw_bundle_verify(b, &x->tr, a, &x->pol, &res);
	if (rc == 0)
		snprintf(where_ok, n, "%.300s: signed by %.300s (issuer %.200s)", where, res.identity, res.issuer);
	return rc;
}

/* One layer under sha256-<hex>.sig. */
static int on_classic_sig(const bw_sigitem *it, const char *why, void *arg)
{
	kctx *x = arg;
	const bw_siglayer *l = it->layer;
	char reason[1400], ok_where[1000];
	bw_bundle b = { 0 };
	bw_sspayload p = { 0 };
	char *doc = NULL;
	size_t doc_len;
	bw_digest pd;
	bw_artifact a = { 0 };
	int rc;

	if (why)
		return report(x, it->where, false, true, why, NULL, 0);
	if (strcmp(l->media_type, BW_MT_SIMPLESIGNING)) {
		snprintf(reason, sizeof(reason), "%s: not a signature (media type %.100s)", it->where, l->media_type);
		return skip(x, it->where, reason);
	}
	if (!l->certificate) {
		snprintf(reason, sizeof(reason), "%s: no certificate: a key-based signature (verify it with --key)",
			 it->where);
		return report(x, it->where, false, false, reason, NULL, 0);
	}
	if (!l->rekor_bundle) {
		snprintf(reason, sizeof(reason), "%s: no Rekor bundle annotation: nothing proves when it was signed",
			 it->where);
		return report(x, it->where, false, false, reason, NULL, 0);
	}
	if (bw_digest_buffer(BW_SHA256, it->blob, it->blob_len, &pd) < 0 || hex32(bw_digest_hex(&pd), a.sha256) < 0)
		return report_error(x, it->where, NULL);
	a.data = it->blob;
	a.len = it->blob_len;
	if (bw_cosign_layer_bundle(it->where, l->signature, l->certificate, l->rekor_bundle, l->rfc3161, a.sha256,
				   &doc, &doc_len) < 0 ||
	    bw_bundle_parse(it->where, doc, doc_len, &b) < 0) {
		rc = report_error(x, it->where, NULL);
		goto done;
	}
	if (verify_bundle(x, it->where, &b, &a, ok_where, sizeof(ok_where)) < 0) {
		snprintf(reason, sizeof(reason), "%s: ", it->where);
		rc = report_error(x, it->where, reason);
		goto done;
	}
	/* signed by whom the policy wants: now what was signed */
	if (bw_sspayload_parse(it->where, it->blob, it->blob_len, &p) < 0) {
		rc = report_error(x, it->where, NULL);
		goto done;
	}
	char claim[1000];
	if (bw_sspayload_check_claims(&p, bw_sigstore_digest(x->st), x->expect_identity, x->o, claim,
				      sizeof(claim)) < 0) {
		snprintf(reason, sizeof(reason), "%s: %s", it->where, claim);
		rc = report(x, it->where, false, false, reason, it->blob, it->blob_len);
	} else {
		rc = report(x, ok_where, true, false, NULL, it->blob, it->blob_len);
	}
done:
	bw_sspayload_free(&p);
	bw_bundle_free(&b);
	free(doc);
	return rc;
}

/* One layer under sha256-<hex>.att: a DSSE envelope with the same annotations. */
static int on_classic_att(const bw_sigitem *it, const char *why, void *arg)
{
	kctx *x = arg;
	const bw_siglayer *l = it->layer;
	char reason[1400], ok_where[1000];
	bw_bundle b = { 0 };
	bw_statement s = { 0 };
	json_t *env = NULL, *doc_j = NULL;
	char *doc = NULL;
	bw_artifact a = { 0 };
	int rc;

	if (why)
		return report(x, it->where, false, true, why, NULL, 0);
	if (strcmp(l->media_type, BW_MT_DSSE)) {
		snprintf(reason, sizeof(reason), "%s: not a DSSE envelope (media type %.100s)", it->where, l->media_type);
		return report(x, it->where, false, true, reason, NULL, 0);
	}
	if (!l->certificate || !l->rekor_bundle) {
		snprintf(reason, sizeof(reason), "%s: no certificate or Rekor bundle annotation: not keyless", it->where);
		return report(x, it->where, false, false, reason, NULL, 0);
	}
	/* the bundle carries the envelope itself; the signature annotation of .att layers is empty */
	char *tmp = NULL;
	size_t tmp_len;
	uint8_t zero[32] = { 0 };
	if (bw_json_parse(it->where, it->blob, it->blob_len, BW_SIG_MAX_ENVELOPE, &env) < 0 ||
	    bw_cosign_layer_bundle(it->where, "", l->certificate, l->rekor_bundle, l->rfc3161, zero, &tmp,
				   &tmp_len) < 0 ||
	    bw_json_parse(it->where, tmp, tmp_len, BW_SIG_MAX_ENVELOPE, &doc_j) < 0) {
		free(tmp);
		rc = report_error(x, it->where, NULL);
		goto done;
	}
	free(tmp);
	json_object_del(doc_j, "messageSignature");
	json_object_set(doc_j, "dsseEnvelope", env);
	if (!(doc = json_dumps(doc_j, JSON_COMPACT))) {
		rc = report(x, it->where, false, true, "out of memory", NULL, 0);
		goto done;
	}
	memcpy(a.sha256, x->image_sha256, 32);
	if (bw_bundle_parse(it->where, doc, strlen(doc), &b) < 0) {
		rc = report_error(x, it->where, NULL);
		goto done;
	}
	if (bw_statement_parse(it->where, b.payload, b.payload_len, &s) < 0) {
		rc = report_error(x, it->where, NULL);
		goto done;
	}
	if (x->predicate_uri && strcmp(s.predicate_type, x->predicate_uri)) {
		snprintf(reason, sizeof(reason), "%s: predicate type %.200s, not %.200s", it->where, s.predicate_type,
			 x->predicate_uri);
		rc = skip(x, it->where, reason);
		goto done;
	}
	if (verify_bundle(x, it->where, &b, &a, ok_where, sizeof(ok_where)) < 0) {
		snprintf(reason, sizeof(reason), "%s: ", it->where);
		rc = report_error(x, it->where, reason);
		goto done;
	}
	rc = report(x, ok_where, true, false, NULL, b.payload, b.payload_len);
done:
	bw_statement_free(&s);
	bw_bundle_free(&b);
	json_decref(env);
	json_decref(doc_j);
	free(doc);
	return rc;
}

/* One referrer layer: a sigstore bundle about the image's manifest digest. */
static int on_bundle(const bw_sigitem *it, const char *why, void *arg)
{
	kctx *x = arg;
	const bw_siglayer *l = it->layer;
	char reason[1400], ok_where[1000];
	bw_bundle b = { 0 };
	bw_statement s = { 0 };
	bool have_statement = false;
	bw_artifact a = { 0 };
	int rc;

	if (why)
		return report(x, it->where, false, true, why, NULL, 0);
	if (strncmp(l->media_type, MT_BUNDLE_PREFIX, strlen(MT_BUNDLE_PREFIX))) {
		snprintf(reason, sizeof(reason), "%s: not a sigstore bundle (media type %.100s)", it->where,
			 l->media_type);
		return skip(x, it->where, reason);
	}
	if (bw_bundle_parse(it->where, it->blob, it->blob_len, &b) < 0)
		return report_error(x, it->where, NULL);
	if (b.is_dsse) {
		if (!b.payload_type || strcmp(b.payload_type, BW_MT_INTOTO)) {
			snprintf(reason, sizeof(reason), "%s: DSSE payload type \"%.100s\" is not %s", it->where,
				 b.payload_type ? b.payload_type : "", BW_MT_INTOTO);
			rc = report(x, it->where, false, false, reason, NULL, 0);
			goto done;
		}
		if (bw_statement_parse(it->where, b.payload, b.payload_len, &s) < 0) {
			rc = report_error(x, it->where, NULL);
			goto done;
		}
		have_statement = true;
		bool is_sig = !strcmp(s.predicate_type, COSIGN_SIGN_PREDICATE);
		if (!x->att && !is_sig) {
			snprintf(reason, sizeof(reason), "%s: an attestation (predicate %.200s), not a signature", it->where,
				 s.predicate_type);
			rc = skip(x, it->where, reason);
			goto done;
		}
		if (x->att && (is_sig || (x->predicate_uri && strcmp(s.predicate_type, x->predicate_uri)))) {
			snprintf(reason, sizeof(reason), "%s: predicate type %.200s, not %.200s", it->where,
				 s.predicate_type, x->predicate_uri ? x->predicate_uri : "an attestation");
			rc = skip(x, it->where, reason);
			goto done;
		}
	} else if (x->att) {
		snprintf(reason, sizeof(reason), "%s: a message signature, not an attestation", it->where);
		rc = skip(x, it->where, reason);
		goto done;
	}
	/* the artifact is the image manifest: its digest, no bytes */
	memcpy(a.sha256, x->image_sha256, 32);
	if (verify_bundle(x, it->where, &b, &a, ok_where, sizeof(ok_where)) < 0) {
		snprintf(reason, sizeof(reason), "%s: ", it->where);
		rc = report_error(x, it->where, reason);
		goto done;
	}
	rc = have_statement ? report(x, ok_where, true, false, NULL, b.payload, b.payload_len)
			    : report(x, ok_where, true, false, NULL, NULL, 0);
done:
	bw_statement_free(&s);
	bw_bundle_free(&b);
	return rc;
}

int bw_keyless_verify(const char *image, const bw_sign_options *o, bool att, bw_sig_check_fn fn, void *ctx,
		      size_t *n_verified)
{
	const bw_bundle_options *k = o->keyless;
	kctx x = { .o = o, .att = att, .t = { .fn = fn, .ctx = ctx } };
	size_t found = 0, found_ref = 0;
	int rc;

	if (n_verified)
		*n_verified = 0;
	if (o->key_ref || k->key)
		return bw_error_set(BW_EUSAGE, "--keyless and a key exclude each other");
	if (!(k->identity || k->identity_regexp) || !(k->issuer || k->issuer_regexp))
		return bw_error_set(BW_EUSAGE, "keyless verification needs a certificate identity and an OIDC issuer");
	if (!k->trusted_root)
		return bw_error_set(BW_EUSAGE, "keyless verification needs a trusted root");
	if (att && o->predicate_type && !(x.predicate_uri = bw_predicate_type_uri(o->predicate_type)))
		return bw_error_set(BW_EUSAGE, "--type %s: not a known predicate type or a URI", o->predicate_type);
	x.pol = (bw_bundle_policy){
		.identity = k->identity, .identity_regexp = k->identity_regexp,
		.issuer = k->issuer, .issuer_regexp = k->issuer_regexp,
		.github_workflow_trigger = k->github_workflow_trigger,
		.github_workflow_sha = k->github_workflow_sha,
		.github_workflow_name = k->github_workflow_name,
		.github_workflow_repository = k->github_workflow_repository,
		.github_workflow_ref = k->github_workflow_ref,
	};
	/* the trusted root first: a bad one is reported before any network */
	if ((rc = bw_trustroot_load(k->trusted_root, &x.tr)) < 0)
		return rc;
	if ((rc = bw_sigstore_open(image, o->registry, &x.st)) < 0)
		goto done;
	const bw_digest *d = bw_sigstore_digest(x.st);
	if (d->alg != BW_SHA256 || hex32(bw_digest_hex(d), x.image_sha256) < 0) {
		rc = bw_error_set(BW_EUSAGE, "%s: keyless verification needs a sha256 image digest, not %s", image,
				  d->text);
		goto done;
	}
	x.expect_identity = o->identity ? o->identity : bw_sigstore_is_layout(x.st) ? NULL : bw_sigstore_identity(x.st);
	if (!x.expect_identity && !att)
		bw_info("%s: an oci: layout has no repository: the payloads' identity is not checked (--identity REF checks it)",
			image);
	rc = bw_sigstore_each(x.st, att ? "att" : "sig", false, att ? BW_SIG_MAX_ENVELOPE : BW_SIG_MAX_PAYLOAD,
			      att ? on_classic_att : on_classic_sig, &x, &found);
	if (rc < 0)
		goto done;
	rc = bw_sigstore_each_referrer(x.st, ARTIFACT_BUNDLE, BW_MAX_BUNDLE_BYTES, on_bundle, &x, &found_ref);
	if (rc < 0)
		goto done;
	found += found_ref;
	if (n_verified)
		*n_verified = x.t.verified;
	rc = bw_sig_tally_verdict(&x.t, image, "keyless ", att ? "attestation" : "signature", found, d);
done:
	bw_sigstore_close(x.st);
	bw_trustroot_free(&x.tr);
	return rc;
}
