/*
 * registry/referrers.c: artifacts that refer to an image (OCI distribution
 * spec 1.1, "Listing Referrers"). The referrers API answers
 * /v2/<name>/referrers/<digest> with an image index, paged with Link
 * headers; a registry without it answers 404, and then the client reads (and
 * a pusher maintains) the fallback tag <alg>-<hex>, an index of the same shape.
 * The artifactType filter is applied here whether or not the registry did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "registry/registry.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/limits.h"
#include "util/log.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_EMPTY "application/vnd.oci.empty.v1+json"

static void fallback_tag(const bw_digest *d, char *out, size_t n)
{
	snprintf(out, n, "%s-%s", bw_digest_alg_name(d->alg), bw_digest_hex(d));
}

static void filter(bw_reg_referrers *list, const char *artifact_type)
{
	size_t o = 0;
	if (!artifact_type)
		return;
	for (size_t i = 0; i < list->n; i++) {
		bw_reg_referrer *r = &list->v[i];
		if (r->artifact_type && !strcmp(r->artifact_type, artifact_type)) {
			list->v[o++] = *r;
			continue;
		}
		free(r->media_type);
		free(r->artifact_type);
		for (size_t k = 0; k < r->n_annotations; k++) {
			free(r->keys[k]);
			free(r->values[k]);
		}
		free(r->keys);
		free(r->values);
	}
	list->n = o;
}

static int via_api(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *subject, const char *artifact_type,
		   bw_reg_referrers *out, bool *unsupported)
{
	char path[BW_REG_MAX_NAME + BW_DIGEST_TEXT_MAX + 512], scope[BW_REG_MAX_NAME + 32];
	char what[sizeof(r->display) + BW_DIGEST_TEXT_MAX + 32];
	const char *hdrs[] = { "Accept: " MT_OCI_INDEX };
	char *next = NULL;
	int rc = 0;

	*unsupported = false;
	snprintf(scope, sizeof(scope), "repository:%s:pull", r->name);
	snprintf(what, sizeof(what), "%s: referrers of %s", r->display, subject->text);
	if (artifact_type) {
		char *e = bw_http_escape(artifact_type);
		if (!e)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		snprintf(path, sizeof(path), "/v2/%s/referrers/%s?artifactType=%.400s", r->name, subject->text, e);
		free(e);
	} else {
		snprintf(path, sizeof(path), "/v2/%s/referrers/%s", r->name, subject->text);
	}
	for (int page = 0;; page++) {
		bw_http_stream *s = NULL;
		bw_buf body = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
		if (page >= BW_REG_MAX_REFERRERS_PAGES) {
			rc = bw_error_set(BW_EINPUT, "%s: more than %d pages", what, BW_REG_MAX_REFERRERS_PAGES);
			break;
		}
		bw_reg_request req = { .method = "GET", .path = next ? next : path, .scope = scope, .what = what,
				       .headers = hdrs, .n_headers = 1 };
		if ((rc = bw_reg_do(c, &req, &s)) < 0)
			break;
		long st = bw_http_status(s);
		if (st == 404 && page == 0) {
			*unsupported = true;
			bw_http_close(s);
			break;
		}
		if (st != 200) {
			rc = bw_reg_status_error(s, what, "listing referrers");
			bw_http_close(s);
			break;
		}
		if ((rc = bw_http_read_all(s, &body)) == -1)
			rc = bw_error_set(BW_EINPUT, "%s: the response is larger than %llu bytes", what,
					  (unsigned long long)BW_MAX_MANIFEST_BYTES);
		if (rc == 0)
			rc = bw_reg_referrers_parse(what, body.data, body.len, out);
		char *link = NULL;
		if (rc == 0 && bw_http_header(s, "Link"))
			link = bw_reg_link_next(bw_http_header(s, "Link"));
		bw_buf_free(&body);
		free(next);
		next = NULL;
		if (link) {
			/* a relative link is relative to this page's URL */
			next = link[0] == '/' ? link : bw_http_resolve(bw_http_url(s), link);
			if (next != link)
				free(link);
		}
		bw_http_close(s);
		if (rc < 0 || !next)
			break;
	}
	free(next);
	return rc;
}

static int via_tag(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *subject, bw_reg_referrers *out)
{
	char tag[BW_DIGEST_TEXT_MAX + 8], what[sizeof(r->display) + BW_DIGEST_TEXT_MAX + 64];
	bw_reg_manifest m;
	int rc;

	fallback_tag(subject, tag, sizeof(tag));
	if ((rc = bw_reg_head_manifest(c, r, tag, NULL)) <= 0)
		return rc; /* 0: no referrers */
	if ((rc = bw_reg_get_manifest(c, r, tag, BW_MAX_MANIFEST_BYTES, &m)) < 0)
		return rc;
	snprintf(what, sizeof(what), "%s: referrers tag %s", r->display, tag);
	rc = bw_reg_referrers_parse(what, m.body.data, m.body.len, out);
	bw_reg_manifest_free(&m);
	return rc;
}

int bw_reg_list_referrers(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *subject, const char *artifact_type,
		     bw_reg_referrers *out)
{
	bool unsupported;
	int rc = via_api(c, r, subject, artifact_type, out, &unsupported);
	if (rc == 0 && unsupported) {
		bw_debug("%s: no referrers API; reading the fallback tag", r->display);
		rc = via_tag(c, r, subject, out);
	}
	if (rc == 0)
		filter(out, artifact_type);
	return rc;
}

/* ------------------------------------------------------------ public calls */

/* The digest, size and media type of what ref names. */
static int resolve_subject(bw_reg_client *c, const bw_reg_ref *r, bw_digest *d, uint64_t *size, char **mt)
{
	bw_reg_manifest m;
	int rc = bw_reg_get_manifest(c, r, bw_reg_ref_reference(r), BW_MAX_MANIFEST_BYTES, &m);
	if (rc < 0)
		return rc;
	*d = m.digest;
	if (size)
		*size = m.body.len;
	if (mt) {
		*mt = m.media_type;
		m.media_type = NULL;
		if (!*mt) {
			/* no Content-Type: the document's own mediaType */
			json_t *j = NULL;
			const char *dm = NULL;
			if (bw_json_parse(r->display, m.body.data, m.body.len, BW_MAX_MANIFEST_BYTES, &j) == 0 &&
			    bw_json_opt_string(r->display, j, "mediaType", &dm) == 0 && dm)
				*mt = strdup(dm);
			json_decref(j);
			if (!*mt)
				*mt = strdup(MT_OCI_MANIFEST);
		}
	}
	bw_reg_manifest_free(&m);
	return 0;
}

int bw_referrers(const char *reference, const char *artifact_type, const bw_registry_options *opts,
		 int (*fn)(const bw_referrer *r, void *ctx), void *ctx)
{
	bw_reg_ref ref;
	bw_reg_client *c = NULL;
	bw_reg_referrers list = { 0 };
	bw_digest subject;
	int rc;

	if ((rc = bw_reg_ref_parse(reference, &ref)) < 0)
		return rc;
	if ((rc = bw_reg_client_new(&c, ref.host, opts)) < 0)
		return rc;
	if (ref.has_digest)
		subject = ref.digest;
	else if ((rc = resolve_subject(c, &ref, &subject, NULL, NULL)) < 0)
		goto done;
	if ((rc = bw_reg_list_referrers(c, &ref, &subject, artifact_type, &list)) < 0)
		goto done;
	for (size_t i = 0; i < list.n && rc == 0; i++) {
		const bw_reg_referrer *x = &list.v[i];
		bw_referrer pub = { .digest = x->digest.text, .media_type = x->media_type,
				    .artifact_type = x->artifact_type, .size = x->size,
				    .n_annotations = x->n_annotations,
				    .annotation_keys = (const char *const *)x->keys,
				    .annotation_values = (const char *const *)x->values };
		rc = fn(&pub, ctx);
	}
done:
	bw_reg_referrers_free(&list);
	bw_reg_client_free(c);
	return rc;
}

static ssize_t mem_read(void *arg, void *buf, size_t cap)
{
	bw_buf *b = arg; /* len counts down, data moves forward */
	size_t n = b->len < cap ? b->len : cap;
	memcpy(buf, b->data, n);
	b->data += n;
	b->len -= n;
	return (ssize_t)n;
}

static int push_bytes(bw_reg_client *c, const bw_reg_ref *r, const void *data, size_t len, bw_digest *d)
{
	const char *how;
	int rc;
	if ((rc = bw_digest_buffer(BW_SHA256, data, len, d)) < 0)
		return rc;
	bw_buf cur = { (uint8_t *)data, len, len, len };
	return bw_reg_push_blob(c, r, d, len, mem_read, &cur, NULL, false, &how);
}

/* Adds desc to the fallback tag's index (read, append unless present, write back). */
static int update_fallback(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *subject, const char *desc_json,
			   const bw_digest *artifact)
{
	char tag[BW_DIGEST_TEXT_MAX + 8];
	bw_reg_manifest m = { 0 };
	json_t *idx = NULL, *arr, *entry = NULL;
	char *text = NULL;
	int rc;

	fallback_tag(subject, tag, sizeof(tag));
	if ((rc = bw_reg_head_manifest(c, r, tag, NULL)) < 0)
		return rc;
	if (rc == 1) {
		if ((rc = bw_reg_get_manifest(c, r, tag, BW_MAX_MANIFEST_BYTES, &m)) < 0)
			return rc;
		if ((rc = bw_json_parse(r->display, m.body.data, m.body.len, BW_MAX_MANIFEST_BYTES, &idx)) < 0)
			goto done;
	} else {
		idx = json_pack("{s:i,s:s,s:[]}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests");
	}
	if (!idx || !json_is_object(idx) || !json_is_array(arr = json_object_get(idx, "manifests"))) {
		rc = bw_error_set(BW_EINPUT, "%s: the referrers tag %s is not an image index", r->display, tag);
		goto done;
	}
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		json_t *dg = json_object_get(e, "digest");
		if (json_is_string(dg) && !strcmp(json_string_value(dg), artifact->text))
			goto done; /* already listed */
	}
	if (!(entry = json_loads(desc_json, 0, NULL)) || json_array_append(arr, entry) < 0 ||
	    !(text = json_dumps(idx, JSON_COMPACT))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = bw_reg_put_manifest(c, r, tag, MT_OCI_INDEX, text, strlen(text), NULL);
done:
	json_decref(entry);
	json_decref(idx);
	free(text);
	bw_reg_manifest_free(&m);
	return rc;
}

int bw_registry_attach(const char *reference, const char *artifact_type, const char *blob_media_type,
		       const void *blob, size_t blob_len, const bw_registry_options *opts, char *digest_out)
{
	bw_reg_ref ref;
	bw_reg_client *c = NULL;
	bw_digest subject, blob_d, cfg_d, man_d;
	uint64_t subject_size;
	char *subject_mt = NULL, *man = NULL, *desc = NULL;
	json_t *j = NULL, *dj = NULL;
	bool indexed;
	int rc;

	digest_out[0] = '\0';
	if ((rc = bw_reg_ref_parse(reference, &ref)) < 0)
		return rc;
	if ((rc = bw_reg_client_new(&c, ref.host, opts)) < 0)
		return rc;
	if ((rc = resolve_subject(c, &ref, &subject, &subject_size, &subject_mt)) < 0)
		goto done;
	if ((rc = push_bytes(c, &ref, "{}", 2, &cfg_d)) < 0 || (rc = push_bytes(c, &ref, blob, blob_len, &blob_d)) < 0)
		goto done;
	j = json_pack("{s:i,s:s,s:s,s:{s:s,s:s,s:i},s:[{s:s,s:s,s:I}],s:{s:s,s:s,s:I}}", "schemaVersion", 2,
		      "mediaType", MT_OCI_MANIFEST, "artifactType", artifact_type, "config", "mediaType", MT_EMPTY,
		      "digest", cfg_d.text, "size", 2, "layers", "mediaType", blob_media_type, "digest", blob_d.text,
		      "size", (json_int_t)blob_len, "subject", "mediaType", subject_mt, "digest", subject.text, "size",
		      (json_int_t)subject_size);
	if (!j || !(man = json_dumps(j, JSON_COMPACT))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = bw_digest_buffer(BW_SHA256, man, strlen(man), &man_d)) < 0 ||
	    (rc = bw_reg_put_manifest(c, &ref, man_d.text, MT_OCI_MANIFEST, man, strlen(man), &indexed)) < 0)
		goto done;
	if (!indexed) {
		dj = json_pack("{s:s,s:s,s:I,s:s}", "mediaType", MT_OCI_MANIFEST, "digest", man_d.text, "size",
			       (json_int_t)strlen(man), "artifactType", artifact_type);
		if (!dj || !(desc = json_dumps(dj, JSON_COMPACT))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if ((rc = update_fallback(c, &ref, &subject, desc, &man_d)) < 0)
			goto done;
	}
	snprintf(digest_out, 160, "%s", man_d.text);
done:
	json_decref(j);
	json_decref(dj);
	free(man);
	free(desc);
	free(subject_mt);
	bw_reg_client_free(c);
	return rc;
}

/* For artifacts pushed elsewhere (sign/store.c: signatures as referrers, with layer annotations). */
int bw_reg_fallback_add(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *subject, const char *desc_json,
			const bw_digest *artifact)
{
	return update_fallback(c, r, subject, desc_json, artifact);
}
