/*
 * registry/pull.c: reading manifests and blobs from a registry.
 *
 * A manifest is bounded before it is read and hashed before anything trusts
 * it: fetched by digest, the content must hash to that digest; fetched by tag,
 * the digest is the content's own (the registry's Docker-Content-Digest, when
 * sent, must agree). Blobs are handed back as streams; their consumers verify
 * them as they read (image/layer.c for layers, the callers for the rest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "registry/registry.h"

void bw_reg_manifest_free(bw_reg_manifest *m)
{
	bw_buf_free(&m->body);
	free(m->media_type);
	m->media_type = NULL;
}

static void scope_pull(const bw_reg_ref *r, char *out, size_t n)
{
	snprintf(out, n, "repository:%s:pull", r->name);
}

/* "type/subtype; charset=..." -> "type/subtype", or NULL when it is not a media type. */
static char *media_type_of(const char *ct)
{
	if (!ct)
		return NULL;
	size_t n = strcspn(ct, "; \t");
	if (n == 0 || n > 255 || !memchr(ct, '/', n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)ct[i] <= 0x20 || (unsigned char)ct[i] >= 0x7f)
			return NULL;
	return strndup(ct, n);
}

int bw_reg_get_manifest(bw_reg_client *c, const bw_reg_ref *r, const char *reference, size_t max,
			bw_reg_manifest *out)
{
	char path[BW_REG_MAX_NAME + BW_DIGEST_TEXT_MAX + 32], scope[BW_REG_MAX_NAME + 32];
	char what[sizeof(r->display) + BW_DIGEST_TEXT_MAX + 32];
	const char *hdrs[] = { BW_REG_ACCEPT_MANIFESTS };
	bw_http_stream *s = NULL;
	bw_digest want, got;
	bool by_digest = !strncmp(reference, "sha256:", 7) || !strncmp(reference, "sha512:", 7);
	int rc;

	memset(out, 0, sizeof(*out));
	out->body = (bw_buf)BW_BUF_INIT(max);
	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", r->name, reference);
	snprintf(scope, sizeof(scope), "repository:%s:pull", r->name);
	snprintf(what, sizeof(what), "%s", r->display);
	if (by_digest && (rc = bw_digest_parse(what, reference, &want)) < 0)
		return rc;
	bw_reg_request req = { .method = "GET", .path = path, .scope = scope, .what = what, .headers = hdrs,
			       .n_headers = 1 };
	if ((rc = bw_reg_do(c, &req, &s)) < 0)
		return rc;
	char doing[BW_DIGEST_TEXT_MAX + 32];
	snprintf(doing, sizeof(doing), "manifest %s", reference);
	if (bw_http_status(s) != 200) {
		rc = bw_reg_status_error(s, what, doing);
		goto done;
	}
	int64_t cl = bw_http_content_length(s);
	if (cl >= 0 && (uint64_t)cl > max) {
		rc = bw_error_set(BW_EINPUT, "%s: manifest %s is %lld bytes, larger than the limit of %zu", what, reference,
				  (long long)cl, max);
		goto done;
	}
	if ((rc = bw_http_read_all(s, &out->body)) == -1) {
		rc = bw_error_set(BW_EINPUT, "%s: manifest %s is larger than the limit of %zu bytes", what, reference, max);
		goto done;
	}
	if (rc < 0)
		goto done;
	if (cl >= 0 && (uint64_t)cl != out->body.len) {
		rc = bw_error_set(BW_ENET, "%s: manifest %s: %zu bytes arrived of the %lld announced", what, reference,
				  out->body.len, (long long)cl);
		goto done;
	}
	bw_digest_alg alg = by_digest ? want.alg : BW_SHA256;
	const char *dcd = bw_http_header(s, "Docker-Content-Digest");
	bw_digest claimed;
	bool have_claim = false;
	if (!by_digest && dcd) {
		if (bw_digest_parse(what, dcd, &claimed) < 0) {
			rc = bw_error_set(BW_EINPUT, "%s: manifest %s: Docker-Content-Digest \"%.80s\" is not a digest", what,
					  reference, dcd);
			goto done;
		}
		have_claim = true;
		alg = claimed.alg;
	}
	if ((rc = bw_digest_buffer(alg, out->body.data, out->body.len, &got)) < 0)
		goto done;
	if (by_digest && !bw_digest_equal(&got, &want)) {
		rc = bw_error_set(BW_EINPUT, "%s: manifest %s: digest mismatch: content hashes to %s", what, reference,
				  got.text);
		goto done;
	}
	if (have_claim && !bw_digest_equal(&got, &claimed)) {
		rc = bw_error_set(BW_EINPUT, "%s: manifest %s: digest mismatch: the registry says %s, the content hashes to %s",
				  what, reference, claimed.text, got.text);
		goto done;
	}
	if (alg != BW_SHA256 && (rc = bw_digest_buffer(alg, out->body.data, out->body.len, &got)) < 0)
		goto done;
	out->digest = got;
	out->media_type = media_type_of(bw_http_header(s, "Content-Type"));
	rc = 0;
done:
	bw_http_close(s);
	if (rc < 0)
		bw_reg_manifest_free(out);
	return rc;
}

int bw_reg_head_manifest(bw_reg_client *c, const bw_reg_ref *r, const char *reference, bw_digest *digest)
{
	char path[BW_REG_MAX_NAME + BW_DIGEST_TEXT_MAX + 32], scope[BW_REG_MAX_NAME + 32];
	const char *hdrs[] = { BW_REG_ACCEPT_MANIFESTS };
	bw_http_stream *s = NULL;
	int rc;

	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", r->name, reference);
	scope_pull(r, scope, sizeof(scope));
	bw_reg_request req = { .method = "HEAD", .path = path, .scope = scope, .what = r->display, .headers = hdrs,
			       .n_headers = 1 };
	if ((rc = bw_reg_do(c, &req, &s)) < 0)
		return rc;
	long st = bw_http_status(s);
	if (st == 200) {
		const char *d = bw_http_header(s, "Docker-Content-Digest");
		rc = 1;
		if (digest && (!d || bw_digest_parse(r->display, d, digest) < 0))
			memset(digest, 0, sizeof(*digest));
	} else if (st == 404) {
		rc = 0;
	} else {
		char doing[BW_DIGEST_TEXT_MAX + 32];
		snprintf(doing, sizeof(doing), "manifest %s", reference);
		rc = bw_reg_status_error(s, r->display, doing);
	}
	bw_http_close(s);
	return rc;
}

int bw_reg_blob_open(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, bw_http_stream **out)
{
	bool partial;
	return bw_reg_blob_open_at(c, r, d, 0, out, &partial);
}

/* "bytes START-END/TOTAL": START, or -1 when the header is not that */
static int64_t content_range_start(const char *v)
{
	unsigned long long start;
	int used = 0;
	if (!v || sscanf(v, "bytes %llu-%*u/%*[0-9*]%n", &start, &used) != 1 || used == 0 || start > INT64_MAX)
		return -1;
	return (int64_t)start;
}

int bw_reg_blob_open_at(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, uint64_t offset,
			bw_http_stream **out, bool *partial)
{
	char path[BW_REG_MAX_NAME + BW_DIGEST_TEXT_MAX + 32], scope[BW_REG_MAX_NAME + 32], range[64];
	const char *hdrs[1] = { range };
	bw_http_stream *s = NULL;
	int rc;

	*out = NULL;
	*partial = false;
	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", r->name, d->text);
	snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)offset);
	scope_pull(r, scope, sizeof(scope));
	bw_reg_request req = { .method = "GET", .path = path, .scope = scope, .what = r->display,
			       .headers = offset ? hdrs : NULL, .n_headers = offset ? 1 : 0 };
	if ((rc = bw_reg_do(c, &req, &s)) < 0)
		return rc;
	if (offset && bw_http_status(s) == 206) {
		if (content_range_start(bw_http_header(s, "Content-Range")) != (int64_t)offset) {
			rc = bw_error_set(BW_ENET, "%s: blob %s: resuming at byte %llu, the registry sent another range (%.80s)",
					  r->display, d->text, (unsigned long long)offset,
					  bw_http_header(s, "Content-Range") ? bw_http_header(s, "Content-Range") : "none");
			bw_http_close(s);
			return rc;
		}
		*partial = true;
		*out = s;
		return 0;
	}
	if (bw_http_status(s) != 200) {
		char doing[BW_DIGEST_TEXT_MAX + 32];
		snprintf(doing, sizeof(doing), "blob %s", d->text);
		rc = bw_reg_status_error(s, r->display, doing);
		bw_http_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int bw_reg_blob_exists(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, uint64_t *size)
{
	char path[BW_REG_MAX_NAME + BW_DIGEST_TEXT_MAX + 32], scope[BW_REG_MAX_NAME + 32];
	bw_http_stream *s = NULL;
	int rc;

	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", r->name, d->text);
	scope_pull(r, scope, sizeof(scope));
	bw_reg_request req = { .method = "HEAD", .path = path, .scope = scope, .what = r->display };
	if ((rc = bw_reg_do(c, &req, &s)) < 0)
		return rc;
	long st = bw_http_status(s);
	if (st == 200) {
		int64_t cl = bw_http_content_length(s);
		if (size)
			*size = cl >= 0 ? (uint64_t)cl : 0;
		rc = 1;
	} else if (st == 404) {
		rc = 0;
	} else {
		char doing[BW_DIGEST_TEXT_MAX + 32];
		snprintf(doing, sizeof(doing), "blob %s", d->text);
		rc = bw_reg_status_error(s, r->display, doing);
	}
	bw_http_close(s);
	return rc;
}
