/*
 * sign/sign.c: the calls of bulwark/sign.h: sign, verify, attest,
 * verify-attestation, on top of keys.c, payload.c, dsse.c and store.c.
 *
 * Verification order for one signature, as containers/image does it: the
 * signature over the stored payload bytes first (an unsigned payload is
 * never parsed), then the payload fail-closed, then its claims: the manifest
 * digest must be the image's, the identity must match the repository (or the
 * exact reference asked for), the required annotations must be present.
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "bulwark/sign.h"
#include "sign/cosign.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"

/* ------------------------------------------------------------ identity */

/* "docker.io/x", "index.docker.io/x", "registry-1.docker.io/x" are one registry. */
static const char *strip_hub(const char *r)
{
	static const char *const hubs[] = { "docker.io/", "index.docker.io/", "registry-1.docker.io/" };
	for (size_t i = 0; i < 3; i++)
		if (!strncmp(r, hubs[i], strlen(hubs[i])))
			return r + strlen(hubs[i]);
	return NULL;
}

/* Length of the repository part of a docker reference (before :tag or @digest). */
static size_t repo_len(const char *r)
{
	const char *at = strchr(r, '@');
	size_t n = at ? (size_t)(at - r) : strlen(r);
	const char *slash = memrchr(r, '/', n);
	const char *colon = memrchr(slash ? slash : r, ':', n - (size_t)((slash ? slash : r) - r));
	if (colon && (!slash || colon > slash))
		n = (size_t)(colon - r);
	return n;
}

static bool same_repo(const char *a, size_t an, const char *b, size_t bn)
{
	const char *ha = strip_hub(a), *hb = strip_hub(b);
	if (ha && hb) {
		an -= (size_t)(ha - a);
		bn -= (size_t)(hb - b);
		a = ha;
		b = hb;
	}
	return an == bn && !memcmp(a, b, an);
}

/* expected: a repository (any tag matches) or a full reference (exact). */
bool bw_sign_identity_matches(const char *expected, const char *signed_ref)
{
	size_t en = repo_len(expected), sn = repo_len(signed_ref);
	if (!same_repo(expected, en, signed_ref, sn))
		return false;
	if (expected[en] == '\0')
		return true;
	return !strcmp(expected + en, signed_ref + sn);
}

/* ------------------------------------------------------------ sign */

static int predicate_read(const char *path, json_t **out)
{
	bw_buf b = BW_BUF_INIT(BW_SIG_MAX_ENVELOPE / 2);
	int rc;
	*out = NULL;
	if ((rc = bw_buf_read_file(&b, path, BW_EUSAGE, "the predicate file")) < 0)
		return rc;
	rc = bw_json_parse(path, b.data, b.len, b.max, out);
	bw_buf_free(&b);
	if (rc == 0 && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = bw_error_set(BW_EINPUT, "%s: the predicate is not a JSON object", path);
	}
	return rc;
}

int bw_sign_image(const char *image, const bw_sign_options *o, char *digest_out, char *sig_out)
{
	bw_signer signer = { 0 };
	bw_sigstore *st = NULL;
	char *payload = NULL, *sig64 = NULL;
	uint8_t *sig = NULL;
	size_t plen = 0, slen = 0;
	char dig[160];
	int rc;

	digest_out[0] = 0;
	if ((rc = bw_signer_open(o->key_ref, o->password, &signer)) < 0)
		return rc;
	if ((rc = bw_sigstore_open(image, o->registry, &st)) < 0)
		goto done;
	const char *identity = o->identity ? o->identity : bw_sigstore_identity(st);
	if (!(payload = bw_sspayload_build(identity, bw_sigstore_digest(st)->text, o->annotations, o->n_annotations,
					   &plen))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = bw_signer_sign(&signer, payload, plen, &sig, &slen)) < 0)
		goto done;
	/* a token or key that signs wrongly must not publish a signature nobody can verify */
	if ((rc = bw_pkey_verify(signer.pub, payload, plen, sig, slen)) < 0) {
		rc = bw_error_set(BW_EINTERNAL, "%s: the new signature does not verify with the key's public half",
				  o->key_ref);
		goto done;
	}
	if (!(sig64 = bw_base64_encode(sig, slen))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	const char *k[] = { BW_ANN_SIGNATURE }, *v[] = { sig64 };
	if ((rc = bw_sigstore_append(st, "sig", o->referrers, BW_MT_SIMPLESIGNING, payload, plen, k, v, 1, dig)) < 0)
		goto done;
	snprintf(digest_out, 160, "%s", bw_sigstore_digest(st)->text);
	if (sig_out)
		snprintf(sig_out, 160, "%s", dig);
done:
	bw_signer_close(&signer);
	bw_sigstore_close(st);
	free(payload);
	free(sig);
	free(sig64);
	return rc;
}

int bw_attest_image(const char *image, const bw_sign_options *o, char *digest_out, char *att_out)
{
	bw_signer signer = { 0 };
	bw_sigstore *st = NULL;
	json_t *pred = NULL;
	char *stmt = NULL, *env = NULL;
	size_t slen = 0, elen = 0;
	char dig[160];
	int rc;

	digest_out[0] = 0;
	const char *uri = bw_predicate_type_uri(o->predicate_type);
	if (!uri)
		return bw_error_set(BW_EUSAGE, "--type %s: use cyclonedx, spdx, spdxjson, slsaprovenance, "
					       "slsaprovenance1, vuln, openvex, custom or a URI",
				    o->predicate_type ? o->predicate_type : "(none)");
	if (!o->predicate_path)
		return bw_error_set(BW_EUSAGE, "attest: --predicate FILE is needed");
	if ((rc = predicate_read(o->predicate_path, &pred)) < 0)
		return rc;
	if ((rc = bw_signer_open(o->key_ref, o->password, &signer)) < 0)
		goto done;
	if ((rc = bw_sigstore_open(image, o->registry, &st)) < 0)
		goto done;
	const bw_digest *d = bw_sigstore_digest(st);
	if (d->alg != BW_SHA256) {
		rc = bw_error_set(BW_EUSAGE, "%s: only sha256 image digests can be attested", image);
		goto done;
	}
	const char *name = o->identity ? o->identity : bw_sigstore_identity(st);
	stmt = bw_statement_build(name, bw_digest_hex(d), uri, pred, &slen);
	pred = NULL; /* taken over */
	if (!stmt) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = bw_dsse_sign(&signer, BW_MT_INTOTO, stmt, slen, &env, &elen)) < 0)
		goto done;
	const char *k[] = { BW_ANN_SIGNATURE, BW_ANN_PREDICATE_TYPE }, *v[] = { "", uri };
	if ((rc = bw_sigstore_append(st, "att", o->referrers, BW_MT_DSSE, env, elen, k, v, 2, dig)) < 0)
		goto done;
	snprintf(digest_out, 160, "%s", d->text);
	if (att_out)
		snprintf(att_out, 160, "%s", dig);
done:
	json_decref(pred);
	bw_signer_close(&signer);
	bw_sigstore_close(st);
	free(stmt);
	free(env);
	return rc;
}

/* ------------------------------------------------------------ verify */

int bw_sig_tally_report(bw_sig_tally *t, const char *where, bool ok, bool malformed, const char *reason,
			const char *payload, size_t plen)
{
	bw_sig_check c = { .where = where, .verified = ok, .reason = reason, .malformed = malformed,
			   .payload = payload ? payload : "", .payload_len = payload ? plen : 0 };
	if (ok)
		t->verified++;
	else if (malformed)
		t->malformed++;
	else
		t->failed++;
	return t->fn ? t->fn(&c, t->ctx) : 0;
}

int bw_sig_tally_skip(bw_sig_tally *t, const char *where, const char *reason)
{
	bw_sig_check c = { .where = where, .verified = false, .reason = reason };
	t->skipped++;
	return t->fn ? t->fn(&c, t->ctx) : 0;
}

int bw_sig_tally_verdict(const bw_sig_tally *t, const char *image, const char *kind, const char *what,
			 size_t found, const bw_digest *digest)
{
	if (t->verified > 0)
		return 0;
	if (found == 0 || t->failed + t->malformed == 0)
		return bw_error_set(BW_EPOLICY, "%s: no %s%ss found for %s", image, kind, what, digest->text);
	if (t->failed == 0)
		return bw_error_set(BW_EINPUT, "%s: no %s verified: %zu malformed", image, what, t->malformed);
	return bw_error_set(BW_EPOLICY, "%s: no %s verified (%zu checked)", image, what, t->failed + t->malformed);
}

typedef struct vctx {
	const bw_sign_options *o;
	bw_sigstore *st;
	bw_pkey *key;
	const char *expect_identity; /* NULL: not checked */
	const char *predicate_uri;   /* attestations: the type asked for */
	bw_sig_tally t;
} vctx;

static int report(vctx *x, const bw_sigitem *it, bool ok, bool malformed, const char *reason, const char *payload,
		  size_t plen)
{
	return bw_sig_tally_report(&x->t, it->where, ok, malformed, reason, payload, plen);
}

int bw_sspayload_check_claims(const bw_sspayload *p, const bw_digest *image, const char *expect_identity,
			      const bw_sign_options *o, char *why, size_t n)
{
	if (strcmp(p->manifest_digest, image->text)) {
		snprintf(why, n, "the payload is for %.140s, the image is %s", p->manifest_digest, image->text);
		return -1;
	}
	if (expect_identity && !bw_sign_identity_matches(expect_identity, p->docker_reference)) {
		snprintf(why, n, "the payload's identity %.300s does not match %.300s", p->docker_reference,
			 expect_identity);
		return -1;
	}
	for (size_t i = 0; i < o->n_annotations; i++) {
		const bw_sign_annotation *a = &o->annotations[i];
		json_t *v = p->optional ? json_object_get(p->optional, a->key) : NULL;
		if (!json_is_string(v) || strcmp(json_string_value(v), a->value)) {
			snprintf(why, n, "annotation %.100s=%.200s is not in the payload", a->key, a->value);
			return -1;
		}
	}
	return 0;
}

static int on_signature(const bw_sigitem *it, const char *why, void *arg)
{
	vctx *x = arg;
	const bw_siglayer *l = it->layer;
	char reason[1200];
	uint8_t *sig = NULL;
	size_t sig_len;
	bw_sspayload p;
	int rc;

	if (why)
		return report(x, it, false, true, why, NULL, 0);
	if (strcmp(l->media_type, BW_MT_SIMPLESIGNING)) {
		snprintf(reason, sizeof(reason), "%s: not a signature (media type %.100s)", it->where, l->media_type);
		return bw_sig_tally_skip(&x->t, it->where, reason);
	}
	if (!l->signature) {
		snprintf(reason, sizeof(reason), "%s: no %s annotation", it->where, BW_ANN_SIGNATURE);
		return report(x, it, false, true, reason, NULL, 0);
	}
	if (!(sig = bw_b64_decode(l->signature, strlen(l->signature), false, false, &sig_len))) {
		snprintf(reason, sizeof(reason), "%s: the signature annotation is not valid base64", it->where);
		return report(x, it, false, true, reason, NULL, 0);
	}
	if (bw_pkey_verify(x->key, it->blob, it->blob_len, sig, sig_len) < 0) {
		free(sig);
		snprintf(reason, sizeof(reason), "%s: the signature does not verify with the key%s", it->where,
			 l->has_cert ? " (it carries a certificate: keyless, use --keyless)" : "");
		bw_error_clear();
		return report(x, it, false, false, reason, NULL, 0);
	}
	free(sig);
	if (bw_sspayload_parse(it->where, it->blob, it->blob_len, &p) < 0) {
		snprintf(reason, sizeof(reason), "%s", bw_error_last()->message);
		bw_error_clear();
		return report(x, it, false, true, reason, (const char *)it->blob, it->blob_len);
	}
	char claim[1000];
	if (bw_sspayload_check_claims(&p, bw_sigstore_digest(x->st), x->expect_identity, x->o, claim,
				      sizeof(claim)) < 0) {
		snprintf(reason, sizeof(reason), "%s: %s", it->where, claim);
		rc = report(x, it, false, false, reason, (const char *)it->blob, it->blob_len);
	} else {
		rc = report(x, it, true, false, NULL, (const char *)it->blob, it->blob_len);
	}
	bw_sspayload_free(&p);
	return rc;
}

static int on_attestation(const bw_sigitem *it, const char *why, void *arg)
{
	vctx *x = arg;
	const bw_siglayer *l = it->layer;
	char reason[1200];
	bw_dsse env;
	bw_statement s;
	int rc;

	if (why)
		return report(x, it, false, true, why, NULL, 0);
	if (strcmp(l->media_type, BW_MT_DSSE)) {
		snprintf(reason, sizeof(reason), "%s: not a DSSE envelope (media type %.100s)", it->where, l->media_type);
		return report(x, it, false, true, reason, NULL, 0);
	}
	if (bw_dsse_parse(it->where, it->blob, it->blob_len, &env) < 0) {
		snprintf(reason, sizeof(reason), "%s", bw_error_last()->message);
		bw_error_clear();
		return report(x, it, false, true, reason, NULL, 0);
	}
	if (strcmp(env.payload_type, BW_MT_INTOTO) || strlen(env.payload_type) != env.payload_type_len) {
		snprintf(reason, sizeof(reason), "%s: payload type \"%.100s\" is not %s", it->where, env.payload_type,
			 BW_MT_INTOTO);
		bw_dsse_free(&env);
		return report(x, it, false, false, reason, NULL, 0);
	}
	bw_pkey *keys[] = { x->key };
	if (bw_dsse_count_verified(&env, keys, 1) < 1) {
		snprintf(reason, sizeof(reason), "%s: the DSSE signature does not verify with the key", it->where);
		bw_dsse_free(&env);
		return report(x, it, false, false, reason, NULL, 0);
	}
	if (bw_statement_parse(it->where, env.payload, env.payload_len, &s) < 0) {
		snprintf(reason, sizeof(reason), "%s", bw_error_last()->message);
		bw_error_clear();
		bw_dsse_free(&env);
		return report(x, it, false, true, reason, NULL, 0);
	}
	const bw_digest *d = bw_sigstore_digest(x->st);
	bool subject_ok = false;
	for (size_t i = 0; i < s.n_subjects; i++)
		subject_ok |= d->alg == BW_SHA256 && s.subject_sha256[i] && !strcmp(s.subject_sha256[i], bw_digest_hex(d));
	if (x->predicate_uri && strcmp(s.predicate_type, x->predicate_uri)) {
		snprintf(reason, sizeof(reason), "%s: predicate type %.200s, not %.200s", it->where, s.predicate_type,
			 x->predicate_uri);
		rc = bw_sig_tally_skip(&x->t, it->where, reason);
	} else if (!subject_ok) {
		snprintf(reason, sizeof(reason), "%s: no subject of the statement has the image's digest %s", it->where,
			 d->text);
		rc = report(x, it, false, false, reason, (const char *)env.payload, env.payload_len);
	} else {
		rc = report(x, it, true, false, NULL, (const char *)env.payload, env.payload_len);
	}
	bw_statement_free(&s);
	bw_dsse_free(&env);
	return rc;
}

static int verify_common(const char *image, const bw_sign_options *o, bool att, bw_sig_check_fn fn, void *ctx,
			 size_t *n_verified)
{
	vctx x = { .o = o, .t = { .fn = fn, .ctx = ctx } };
	size_t found = 0;
	int rc;

	if (n_verified)
		*n_verified = 0;
	if (att && o->predicate_type && !(x.predicate_uri = bw_predicate_type_uri(o->predicate_type)))
		return bw_error_set(BW_EUSAGE, "--type %s: not a known predicate type or a URI", o->predicate_type);
	if (o->keyless)
		return bw_keyless_verify(image, o, att, fn, ctx, n_verified);
	if ((rc = bw_verifier_open(o->key_ref, &x.key)) < 0)
		return rc;
	if ((rc = bw_sigstore_open(image, o->registry, &x.st)) < 0)
		goto done;
	x.expect_identity = o->identity ? o->identity : bw_sigstore_is_layout(x.st) ? NULL : bw_sigstore_identity(x.st);
	if (!x.expect_identity && !att)
		bw_info("%s: an oci: layout has no repository: the payloads' identity is not checked (--identity REF checks it)",
			image);
	rc = bw_sigstore_each(x.st, att ? "att" : "sig", o->referrers, att ? BW_SIG_MAX_ENVELOPE : BW_SIG_MAX_PAYLOAD,
			      att ? on_attestation : on_signature, &x, &found);
	if (rc < 0)
		goto done;
	if (n_verified)
		*n_verified = x.t.verified;
	rc = bw_sig_tally_verdict(&x.t, image, "", att ? "attestation" : "signature", found, bw_sigstore_digest(x.st));
done:
	bw_pkey_free(x.key);
	bw_sigstore_close(x.st);
	return rc;
}

int bw_verify_image(const char *image, const bw_sign_options *o, bw_sig_check_fn fn, void *ctx, size_t *n_verified)
{
	return verify_common(image, o, false, fn, ctx, n_verified);
}

int bw_verify_attestations(const char *image, const bw_sign_options *o, bw_sig_check_fn fn, void *ctx,
			   size_t *n_verified)
{
	return verify_common(image, o, true, fn, ctx, n_verified);
}

int bw_attestation_predicate_file(const char *statement, size_t len, const char *dir, char **path)
{
	bw_statement s;
	char *text = NULL;
	int rc, fd = -1;

	*path = NULL;
	if ((rc = bw_statement_parse("the attested statement", statement, len, &s)) < 0)
		return rc;
	size_t plen = strlen(dir ? dir : "/tmp") + 32;
	if (!(text = json_dumps(s.predicate, JSON_COMPACT)) || !(*path = malloc(plen))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	snprintf(*path, plen, "%s/bw-predicate.XXXXXX", dir ? dir : "/tmp");
	if ((fd = mkstemp(*path)) < 0) {
		rc = bw_error_set(BW_EUSAGE, "%s: cannot create a temporary file", dir ? dir : "/tmp");
		free(*path);
		*path = NULL;
		goto done;
	}
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w <= 0) {
			rc = bw_error_set(BW_EINPUT, "%s: write failed", *path);
			unlink(*path);
			free(*path);
			*path = NULL;
			goto done;
		}
		off += (size_t)w;
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	free(text);
	bw_statement_free(&s);
	return rc;
}
