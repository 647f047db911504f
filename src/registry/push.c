/*
 * registry/push.c: writing blobs and manifests to a registry (OCI
 * distribution spec, "Push"). A blob the repository already has is skipped;
 * one in another repository of the same registry is mounted (POST
 * ?mount=&from=), which costs no transfer; the rest are uploaded in one PUT
 * (monolithic) or in PATCH chunks of bw_registry_options.chunk_size closed by
 * a PUT. The registry's Docker-Content-Digest, when sent, must be the digest
 * we pushed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "registry/registry.h"
#include "util/log.h"

static void scope_push(const bw_reg_ref *r, const char *from, char *out, size_t n)
{
	if (from)
		snprintf(out, n, "repository:%s:pull,push repository:%s:pull", r->name, from);
	else
		snprintf(out, n, "repository:%s:pull,push", r->name);
}

/* Location of an upload session: where the next request goes (kept as given, absolute or /v2/...). */
static int take_location(bw_http_stream *s, const char *what, char **loc)
{
	const char *l = bw_http_header(s, "Location");
	free(*loc);
	*loc = NULL;
	if (!l || !*l || strlen(l) > 8192)
		return bw_error_set(BW_ENET, "%s: the upload response has no usable Location", what);
	if (l[0] == '/') {
		*loc = strdup(l);
	} else {
		*loc = bw_http_resolve(bw_http_url(s), l);
		if (!*loc)
			return bw_error_set(BW_ENET, "%s: the upload Location \"%.200s\" is not an http(s) URL", what, l);
	}
	return *loc ? 0 : bw_error_set(BW_EINTERNAL, "out of memory");
}

static char *with_query(const char *loc, const char *key, const char *value)
{
	size_t n = strlen(loc) + strlen(key) + strlen(value) + 4;
	char *u = malloc(n);
	if (u)
		snprintf(u, n, "%s%c%s=%s", loc, strchr(loc, '?') ? '&' : '?', key, value);
	return u;
}

typedef struct limited {
	bw_http_body_fn fn;
	void *ctx;
	uint64_t left;
} limited;

static ssize_t limited_read(void *arg, void *buf, size_t cap)
{
	limited *l = arg;
	if (l->left == 0)
		return 0;
	if (cap > l->left)
		cap = (size_t)l->left;
	ssize_t n = l->fn(l->ctx, buf, cap);
	if (n > 0)
		l->left -= (uint64_t)n;
	else if (n == 0)
		return bw_error_set(BW_EINPUT, "the blob ended %llu bytes early", (unsigned long long)l->left);
	return n;
}

static int check_digest_header(bw_http_stream *s, const char *what, const bw_digest *want)
{
	const char *h = bw_http_header(s, "Docker-Content-Digest");
	bw_digest got;
	if (!h)
		return 0;
	if (bw_digest_parse(what, h, &got) < 0 || !bw_digest_equal(&got, want))
		return bw_error_set(BW_ENET, "%s: the registry stored %.140s, not %s", what, h, want->text);
	return 0;
}

int bw_reg_push_blob(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, uint64_t size,
		     bw_http_body_fn body_fn, void *body_ctx, const char *mount_from, bool known_missing,
		     const char **how)
{
	const bw_registry_options *o = bw_reg_client_options(c);
	char path[BW_REG_MAX_NAME * 2 + BW_DIGEST_TEXT_MAX + 64], scope[BW_REG_MAX_NAME * 2 + 64];
	char what[sizeof(r->display) + BW_DIGEST_TEXT_MAX + 16];
	bw_http_stream *s = NULL;
	char *loc = NULL, *url = NULL;
	int rc;

	*how = NULL;
	snprintf(what, sizeof(what), "%s: blob %s", r->display, d->text);
	if (!known_missing && (rc = bw_reg_blob_exists(c, r, d, NULL)) < 0)
		return rc;
	if (!known_missing && rc == 1) {
		*how = "exists";
		return 0;
	}
	if (mount_from && !strcmp(mount_from, r->name))
		mount_from = NULL;
	scope_push(r, mount_from, scope, sizeof(scope));
	if (mount_from)
		snprintf(path, sizeof(path), "/v2/%s/blobs/uploads/?mount=%s&from=%s", r->name, d->text, mount_from);
	else
		snprintf(path, sizeof(path), "/v2/%s/blobs/uploads/", r->name);
	bw_reg_request post = { .method = "POST", .path = path, .scope = scope, .what = what };
	if ((rc = bw_reg_do(c, &post, &s)) < 0)
		goto done;
	if (mount_from && bw_http_status(s) == 201) {
		rc = check_digest_header(s, what, d);
		*how = "mounted";
		goto done;
	}
	if (bw_http_status(s) != 202) {
		rc = bw_reg_status_error(s, what, "starting an upload");
		goto done;
	}
	if ((rc = take_location(s, what, &loc)) < 0)
		goto done;
	bw_http_close(s);
	s = NULL;

	uint64_t chunk = o->chunk_size;
	if (chunk && size > 0) {
		/* chunked: PATCH with Content-Range, each answer says where the next goes */
		for (uint64_t off = 0; off < size;) {
			uint64_t n = size - off < chunk ? size - off : chunk;
			char range[80], clen[64];
			snprintf(range, sizeof(range), "Content-Range: %llu-%llu", (unsigned long long)off,
				 (unsigned long long)(off + n - 1));
			snprintf(clen, sizeof(clen), "Content-Type: application/octet-stream");
			const char *hdrs[] = { range, clen };
			limited lim = { body_fn, body_ctx, n };
			bw_reg_request patch = { .method = "PATCH", .path = loc, .scope = scope, .what = what,
						 .headers = hdrs, .n_headers = 2, .body_fn = limited_read,
						 .body_ctx = &lim, .body_size = n };
			if ((rc = bw_reg_do(c, &patch, &s)) < 0)
				goto done;
			if (bw_http_status(s) != 202) {
				rc = bw_reg_status_error(s, what, "uploading a chunk");
				goto done;
			}
			if ((rc = take_location(s, what, &loc)) < 0)
				goto done;
			bw_http_close(s);
			s = NULL;
			off += n;
		}
		if (!(url = with_query(loc, "digest", d->text))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		bw_reg_request put = { .method = "PUT", .path = url, .scope = scope, .what = what };
		if ((rc = bw_reg_do(c, &put, &s)) < 0)
			goto done;
	} else {
		const char *hdrs[] = { "Content-Type: application/octet-stream" };
		limited lim = { body_fn, body_ctx, size };
		if (!(url = with_query(loc, "digest", d->text))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		bw_reg_request put = { .method = "PUT", .path = url, .scope = scope, .what = what, .headers = hdrs,
				       .n_headers = 1, .body_fn = limited_read, .body_ctx = &lim, .body_size = size };
		if ((rc = bw_reg_do(c, &put, &s)) < 0)
			goto done;
	}
	if (bw_http_status(s) != 201) {
		rc = bw_reg_status_error(s, what, "completing the upload");
		goto done;
	}
	rc = check_digest_header(s, what, d);
	*how = "uploaded";
done:
	free(loc);
	free(url);
	bw_http_close(s);
	return rc;
}

int bw_reg_put_manifest(bw_reg_client *c, const bw_reg_ref *r, const char *reference, const char *media_type,
			const void *data, size_t len, bool *subject_indexed)
{
	char path[BW_REG_MAX_NAME + BW_DIGEST_TEXT_MAX + 32], scope[BW_REG_MAX_NAME * 2 + 64], ct[300];
	char what[sizeof(r->display) + BW_DIGEST_TEXT_MAX + 32];
	bw_http_stream *s = NULL;
	bw_digest d;
	int rc;

	if (subject_indexed)
		*subject_indexed = false;
	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", r->name, reference);
	snprintf(what, sizeof(what), "%s: manifest %s", r->display, reference);
	snprintf(ct, sizeof(ct), "Content-Type: %s", media_type);
	scope_push(r, NULL, scope, sizeof(scope));
	if ((rc = bw_digest_buffer(BW_SHA256, data, len, &d)) < 0)
		return rc;
	const char *hdrs[] = { ct };
	bw_reg_request put = { .method = "PUT", .path = path, .scope = scope, .what = what, .headers = hdrs,
			       .n_headers = 1, .body = data, .body_len = len };
	if ((rc = bw_reg_do(c, &put, &s)) < 0)
		return rc;
	if (bw_http_status(s) != 201) {
		rc = bw_reg_status_error(s, what, "pushing the manifest");
		goto done;
	}
	if ((rc = check_digest_header(s, what, &d)) < 0)
		goto done;
	if (subject_indexed && bw_http_header(s, "OCI-Subject"))
		*subject_indexed = true;
done:
	bw_http_close(s);
	return rc;
}
