/*
 * sign/store.c: where an image's signatures and attestations live.
 *
 * cosign's layout: beside the image, the tag sha256-<hex>.sig (.att) names an
 * OCI manifest whose layers are the payloads, each with its signature in a
 * layer annotation; the config lists the layers' digests as diff_ids, as
 * cosign's does, so any registry and skopeo accept it. A new signature is
 * appended to the layers already there. With referrers, each signature is
 * its own manifest with a subject (OCI 1.1), indexed by the registry or by
 * the fallback tag sha256-<hex>.
 *
 * The same tags work inside an OCI layout (index.json entries named by
 * org.opencontainers.image.ref.name), so `skopeo inspect oci:DIR:sha256-<hex>.sig`
 * sees what a registry would hold.
 *
 * Everything read back is checked: the signature manifest is bounded and
 * parsed fail-closed (payload.c), every blob is bounded and must hash to its
 * descriptor's digest before anyone looks at it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "registry/registry.h"
#include "sign/cosign.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"

#define MT_EMPTY "application/vnd.oci.empty.v1+json"

struct bw_sigstore {
	bool layout;
	char *dir;             /* layout */
	bw_reg_ref ref;        /* registry */
	bw_reg_client *client;
	bw_digest digest;      /* what the reference resolves to */
	char *media_type;      /* of that manifest */
	uint64_t size;
	char identity[BW_REG_MAX_HOST + BW_REG_MAX_NAME + 16];
};

const bw_digest *bw_sigstore_digest(const bw_sigstore *s)
{
	return &s->digest;
}

const char *bw_sigstore_identity(const bw_sigstore *s)
{
	return s->identity;
}

bool bw_sigstore_is_layout(const bw_sigstore *s)
{
	return s->layout;
}

void bw_sigstore_close(bw_sigstore *s)
{
	if (!s)
		return;
	free(s->dir);
	free(s->media_type);
	bw_reg_client_free(s->client);
	free(s);
}

/* ------------------------------------------------------------ OCI layout files */

/* A whole file of the layout; out->max bounds it. */
static int read_file(const char *path, bw_buf *out, const char *what)
{
	return bw_buf_read_file(out, path, BW_EINPUT, what);
}

static int layout_blob_path(const bw_sigstore *s, const bw_digest *d, char *out, size_t n)
{
	if ((size_t)snprintf(out, n, "%s/blobs/%s/%s", s->dir, bw_digest_alg_name(d->alg), bw_digest_hex(d)) >= n)
		return bw_error_set(BW_EUSAGE, "%s: path too long", s->dir);
	return 0;
}

/* A blob of the layout, bounded and checked against its digest. */
static int layout_read_blob(const bw_sigstore *s, const bw_digest *d, size_t max, bw_buf *out)
{
	char path[PATH_MAX];
	bw_digest got;
	int rc;
	out->max = max;
	if ((rc = layout_blob_path(s, d, path, sizeof(path))) < 0 ||
	    (rc = read_file(path, out, "a layout blob")) < 0)
		return rc;
	if ((rc = bw_digest_buffer(d->alg == BW_SHA512 ? BW_SHA512 : BW_SHA256, out->data, out->len, &got)) < 0)
		return rc;
	if (!bw_digest_equal(&got, d))
		return bw_error_set(BW_EINPUT, "%s: blob %s hashes to %s", s->dir, d->text, got.text);
	return 0;
}

static int write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%d", dir, strrchr(name, '/') ? strrchr(name, '/') + 1 : name,
			     (int)getpid()) >= sizeof(tmp))
		return bw_error_set(BW_EUSAGE, "%s: path too long", dir);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return bw_error_set(BW_EINPUT, "%s: %s", tmp, strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			return bw_error_set(BW_EINPUT, "%s: %s", tmp, strerror(errno));
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return bw_error_set(BW_EINPUT, "%s: %s", path, strerror(errno));
	}
	return 0;
}

static int layout_write_blob(const bw_sigstore *s, const void *data, size_t len, bw_digest *d)
{
	char name[BW_DIGEST_TEXT_MAX + 16], dir[PATH_MAX];
	int rc;
	if ((rc = bw_digest_buffer(BW_SHA256, data, len, d)) < 0)
		return rc;
	snprintf(dir, sizeof(dir), "%s/blobs", s->dir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/blobs/sha256", s->dir);
	mkdir(dir, 0755);
	snprintf(name, sizeof(name), "blobs/sha256/%s", bw_digest_hex(d));
	return write_atomic(s->dir, name, data, len);
}

static int layout_index(const bw_sigstore *s, json_t **idx)
{
	char path[PATH_MAX];
	bw_buf b = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	int rc;
	*idx = NULL;
	snprintf(path, sizeof(path), "%s/index.json", s->dir);
	if ((rc = read_file(path, &b, "the layout's index.json")) < 0)
		return rc;
	rc = bw_json_parse(path, b.data, b.len, BW_MAX_MANIFEST_BYTES, idx);
	bw_buf_free(&b);
	if (rc == 0 && (!json_is_object(*idx) || !json_is_array(json_object_get(*idx, "manifests")))) {
		json_decref(*idx);
		*idx = NULL;
		rc = bw_error_set(BW_EINPUT, "%s: not an image index", path);
	}
	return rc;
}

static const char *entry_tag(json_t *e)
{
	json_t *ann = json_object_get(e, "annotations");
	json_t *rn = json_is_object(ann) ? json_object_get(ann, "org.opencontainers.image.ref.name") : NULL;
	return json_is_string(rn) ? json_string_value(rn) : NULL;
}

/* The index.json entry tagged tag (NULL: the only entry that is not a signature tag). */
static json_t *layout_find(json_t *idx, const char *tag, const char **why)
{
	json_t *arr = json_object_get(idx, "manifests"), *e, *found = NULL;
	size_t i, n = 0;
	json_array_foreach(arr, i, e) {
		const char *t = entry_tag(e);
		if (tag) {
			if (t && !strcmp(t, tag))
				return e;
			continue;
		}
		if (json_object_get(e, "artifactType") || (t && !strncmp(t, "sha256-", 7)))
			continue;
		found = e;
		n++;
	}
	if (!tag && n > 1) {
		*why = "the layout holds several images: name one with oci:DIR:TAG";
		return NULL;
	}
	*why = "no such tag in the layout";
	return found;
}

static int desc_of(const char *what, json_t *e, bw_digest *d, uint64_t *size, const char **mt)
{
	const char *dg;
	int rc;
	if ((rc = bw_json_string(what, e, "digest", &dg)) < 0 || (rc = bw_digest_parse(what, dg, d)) < 0 ||
	    (rc = bw_json_uint(what, e, "size", size)) < 0 || (rc = bw_json_string(what, e, "mediaType", mt)) < 0)
		return rc;
	return 0;
}

/* ------------------------------------------------------------ open */

static void identity_of(const bw_reg_ref *r, char *out, size_t n)
{
	/* go-containerregistry's Context().Name(): Docker Hub is index.docker.io */
	if (!strcmp(r->host, "registry-1.docker.io") || !strcmp(r->host, "docker.io"))
		snprintf(out, n, "index.docker.io/%s", r->name);
	else
		snprintf(out, n, "%s/%s", r->host, r->name);
}

int bw_sigstore_open(const char *image, const bw_registry_options *reg, bw_sigstore **out)
{
	bw_ref ref = { 0 };
	bw_sigstore *s = NULL;
	json_t *idx = NULL;
	bw_buf b = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	int rc;

	*out = NULL;
	if ((rc = bw_ref_parse(image, &ref)) < 0)
		return rc;
	if (!(s = calloc(1, sizeof(*s)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if (ref.transport == BW_TRANSPORT_REGISTRY) {
		bw_reg_manifest m = { 0 };
		if ((rc = bw_reg_ref_parse(ref.path, &s->ref)) < 0 ||
		    (rc = bw_reg_client_new(&s->client, s->ref.host, reg)) < 0 ||
		    (rc = bw_reg_get_manifest(s->client, &s->ref, bw_reg_ref_reference(&s->ref), BW_MAX_MANIFEST_BYTES,
					      &m)) < 0)
			goto done;
		s->digest = m.digest;
		s->size = m.body.len;
		s->media_type = m.media_type ? strdup(m.media_type) : NULL;
		if (!s->media_type) {
			json_t *j = NULL;
			const char *mt = NULL;
			if (bw_json_parse(s->ref.display, m.body.data, m.body.len, BW_MAX_MANIFEST_BYTES, &j) == 0)
				bw_json_opt_string(s->ref.display, j, "mediaType", &mt);
			s->media_type = strdup(mt ? mt : BW_MT_OCI_MANIFEST);
			json_decref(j);
			bw_error_clear();
		}
		bw_reg_manifest_free(&m);
		identity_of(&s->ref, s->identity, sizeof(s->identity));
	} else if (ref.transport == BW_TRANSPORT_OCI_DIR) {
		const char *why = NULL, *mt;
		s->layout = true;
		if (!(s->dir = strdup(ref.path))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if ((rc = layout_index(s, &idx)) < 0)
			goto done;
		json_t *e = layout_find(idx, ref.tag, &why);
		if (!e) {
			rc = bw_error_set(BW_EUSAGE, "%s: %s%s%s", image, why, ref.tag ? ": " : "", ref.tag ? ref.tag : "");
			goto done;
		}
		if ((rc = desc_of(image, e, &s->digest, &s->size, &mt)) < 0)
			goto done;
		if (!(s->media_type = strdup(mt))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		/* the manifest must be what the index says: an image altered on disk fails here */
		if ((rc = layout_read_blob(s, &s->digest, BW_MAX_MANIFEST_BYTES, &b)) < 0)
			goto done;
		const char *base = strrchr(s->dir, '/');
		base = base && base[1] ? base + 1 : s->dir;
		snprintf(s->identity, sizeof(s->identity), "localhost/%.200s", base);
		for (char *p = s->identity; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	} else {
		rc = bw_error_set(BW_EUSAGE, "%s: signatures are stored in registries and oci: layouts, not %s", image,
				  bw_transport_name(ref.transport));
		goto done;
	}
	*out = s;
	s = NULL;
	rc = 0;
done:
	bw_buf_free(&b);
	json_decref(idx);
	bw_ref_free(&ref);
	bw_sigstore_close(s);
	return rc;
}

/* ------------------------------------------------------------ reading */

static void sig_tag(const bw_digest *d, const char *suffix, char *out, size_t n)
{
	snprintf(out, n, "%s-%s%s%s", bw_digest_alg_name(d->alg), bw_digest_hex(d), suffix ? "." : "",
		 suffix ? suffix : "");
}

static int reg_read_blob(bw_sigstore *s, const bw_digest *d, size_t max, bw_buf *out)
{
	bw_http_stream *st = NULL;
	bw_digest got;
	int rc;
	out->max = max;
	if ((rc = bw_reg_blob_open(s->client, &s->ref, d, &st)) < 0)
		return rc;
	rc = bw_http_read_all(st, out);
	bw_http_close(st);
	if (rc == -1)
		return bw_error_set(BW_EINPUT, "%s: blob %s is larger than %zu bytes", s->ref.display, d->text, max);
	if (rc < 0)
		return rc;
	if ((rc = bw_digest_buffer(d->alg, out->data, out->len, &got)) < 0)
		return rc;
	if (!bw_digest_equal(&got, d))
		return bw_error_set(BW_EINPUT, "%s: blob %s hashes to %s", s->ref.display, d->text, got.text);
	return 0;
}

static int read_blob(bw_sigstore *s, const bw_digest *d, size_t max, bw_buf *out)
{
	return s->layout ? layout_read_blob(s, d, max, out) : reg_read_blob(s, d, max, out);
}

/* The manifest tagged tag: 1 found (out filled), 0 absent, <0 error. */
static int read_tagged(bw_sigstore *s, const char *tag, bw_buf *out)
{
	int rc;
	if (s->layout) {
		json_t *idx = NULL, *e;
		const char *why, *mt;
		bw_digest d;
		uint64_t size;
		if ((rc = layout_index(s, &idx)) < 0)
			return rc;
		e = layout_find(idx, tag, &why);
		if (!e) {
			json_decref(idx);
			return 0;
		}
		rc = desc_of(tag, e, &d, &size, &mt);
		json_decref(idx);
		if (rc < 0)
			return rc;
		if (size > BW_SIG_MAX_MANIFEST)
			return bw_error_set(BW_EINPUT, "%s: %s: the signature manifest has %llu bytes (limit %d)", s->dir,
					    tag, (unsigned long long)size, BW_SIG_MAX_MANIFEST);
		rc = layout_read_blob(s, &d, BW_SIG_MAX_MANIFEST, out);
		return rc < 0 ? rc : 1;
	}
	if ((rc = bw_reg_head_manifest(s->client, &s->ref, tag, NULL)) <= 0)
		return rc;
	bw_reg_manifest m = { 0 };
	if ((rc = bw_reg_get_manifest(s->client, &s->ref, tag, BW_SIG_MAX_MANIFEST, &m)) < 0)
		return rc;
	*out = m.body;
	m.body = (bw_buf)BW_BUF_INIT(0);
	bw_reg_manifest_free(&m);
	return 1;
}

static int each_layer(bw_sigstore *s, const char *where, const bw_sigmanifest *m, size_t max_blob, bw_sigitem_fn fn,
		      void *ctx, size_t *n_found)
{
	int rc = 0;
	for (size_t i = 0; i < m->n && rc == 0; i++) {
		const bw_siglayer *l = &m->layers[i];
		char w[512], why[1100] = "";
		bw_buf blob = BW_BUF_INIT(max_blob);
		snprintf(w, sizeof(w), "%s layer %zu", where, i + 1);
		(*n_found)++;
		if (l->size > max_blob) {
			snprintf(why, sizeof(why), "%s: the layer has %llu bytes, more than %zu", w, (unsigned long long)l->size,
				 max_blob);
		} else if (read_blob(s, &l->digest, max_blob, &blob) < 0) {
			snprintf(why, sizeof(why), "%s", bw_error_last()->message);
			if (bw_error_last()->code == BW_ENET) {
				rc = bw_error_last()->code;
				bw_buf_free(&blob);
				break;
			}
		} else if (blob.len != l->size) {
			snprintf(why, sizeof(why), "%s: the blob has %zu bytes, the descriptor says %llu", w, blob.len,
				 (unsigned long long)l->size);
		}
		bw_error_clear();
		bw_sigitem it = { .where = w, .layer = l, .blob = why[0] ? NULL : blob.data, .blob_len = blob.len };
		rc = fn(&it, why[0] ? why : NULL, ctx);
		bw_buf_free(&blob);
	}
	return rc;
}

static int each_manifest(bw_sigstore *s, const char *where, const bw_buf *body, size_t max_blob, bw_sigitem_fn fn,
			 void *ctx, size_t *n_found)
{
	bw_sigmanifest m;
	int rc = bw_sigmanifest_parse(where, body->data, body->len, &m);
	if (rc < 0)
		return rc;
	rc = each_layer(s, where, &m, max_blob, fn, ctx, n_found);
	bw_sigmanifest_free(&m);
	return rc;
}

static int layout_referrers(bw_sigstore *s, const char *artifact_type, size_t max_blob, bw_sigitem_fn fn, void *ctx,
			    size_t *n_found)
{
	json_t *idx = NULL, *e;
	size_t i;
	int rc;
	if ((rc = layout_index(s, &idx)) < 0)
		return rc;
	json_array_foreach(json_object_get(idx, "manifests"), i, e) {
		json_t *at = json_object_get(e, "artifactType");
		if (!json_is_string(at) || strcmp(json_string_value(at), artifact_type))
			continue;
		bw_digest d;
		uint64_t size;
		const char *mt;
		bw_buf body = BW_BUF_INIT(BW_SIG_MAX_MANIFEST);
		char where[BW_DIGEST_TEXT_MAX + 32];
		if ((rc = desc_of("index.json", e, &d, &size, &mt)) < 0 ||
		    (rc = layout_read_blob(s, &d, BW_SIG_MAX_MANIFEST, &body)) < 0) {
			bw_buf_free(&body);
			break;
		}
		/* only those whose subject is this image */
		json_t *j = NULL, *subj;
		bool mine = false;
		if (bw_json_parse("referrer", body.data, body.len, BW_SIG_MAX_MANIFEST, &j) == 0 &&
		    json_is_object(subj = json_object_get(j, "subject"))) {
			json_t *sd = json_object_get(subj, "digest");
			mine = json_is_string(sd) && !strcmp(json_string_value(sd), s->digest.text);
		}
		json_decref(j);
		bw_error_clear();
		snprintf(where, sizeof(where), "referrer %s", d.text);
		if (mine)
			rc = each_manifest(s, where, &body, max_blob, fn, ctx, n_found);
		bw_buf_free(&body);
		if (rc)
			break;
	}
	json_decref(idx);
	return rc;
}

int bw_sigstore_each(bw_sigstore *s, const char *suffix, bool referrers, size_t max_blob, bw_sigitem_fn fn,
		     void *ctx, size_t *n_found)
{
	char tag[BW_DIGEST_TEXT_MAX + 16];
	bw_buf body = BW_BUF_INIT(BW_SIG_MAX_MANIFEST);
	int rc;

	*n_found = 0;
	sig_tag(&s->digest, suffix, tag, sizeof(tag));
	if ((rc = read_tagged(s, tag, &body)) < 0)
		goto done;
	char label[sizeof(s->ref.display) + sizeof(tag) + 8];
	snprintf(label, sizeof(label), "%.300s:%s", s->layout ? s->dir : s->ref.display, tag);
	if (rc == 1 && (rc = each_manifest(s, label, &body, max_blob, fn, ctx, n_found)) != 0)
		goto done;
	rc = 0;
	if (!referrers)
		goto done;
	size_t n_ref = 0;
	rc = bw_sigstore_each_referrer(s, !strcmp(suffix, "sig") ? BW_ARTIFACT_SIG : BW_ARTIFACT_ATT, max_blob, fn, ctx,
				       &n_ref);
	*n_found += n_ref;
done:
	bw_buf_free(&body);
	return rc;
}

int bw_sigstore_each_referrer(bw_sigstore *s, const char *artifact_type, size_t max_blob, bw_sigitem_fn fn,
			      void *ctx, size_t *n_found)
{
	int rc = 0;

	*n_found = 0;
	if (s->layout)
		return layout_referrers(s, artifact_type, max_blob, fn, ctx, n_found);
	bw_reg_referrers list = { 0 };
	if ((rc = bw_reg_list_referrers(s->client, &s->ref, &s->digest, artifact_type, &list)) < 0)
		return rc;
	for (size_t i = 0; i < list.n && rc == 0; i++) {
		bw_reg_manifest m = { 0 };
		char where[BW_DIGEST_TEXT_MAX + 32];
		snprintf(where, sizeof(where), "referrer %s", list.v[i].digest.text);
		if ((rc = bw_reg_get_manifest(s->client, &s->ref, list.v[i].digest.text, BW_SIG_MAX_MANIFEST, &m)) < 0)
			break;
		rc = each_manifest(s, where, &m.body, max_blob, fn, ctx, n_found);
		bw_reg_manifest_free(&m);
	}
	bw_reg_referrers_free(&list);
	return rc;
}

/* ------------------------------------------------------------ writing */

static ssize_t mem_read(void *arg, void *buf, size_t cap)
{
	bw_buf *b = arg; /* len counts down, data moves forward */
	size_t n = b->len < cap ? b->len : cap;
	memcpy(buf, b->data, n);
	b->data += n;
	b->len -= n;
	return (ssize_t)n;
}

static int put_blob(bw_sigstore *s, const void *data, size_t len, bw_digest *d)
{
	const char *how;
	int rc;
	if (s->layout)
		return layout_write_blob(s, data, len, d);
	if ((rc = bw_digest_buffer(BW_SHA256, data, len, d)) < 0)
		return rc;
	bw_buf cur = { (uint8_t *)data, len, len, len };
	return bw_reg_push_blob(s->client, &s->ref, d, len, mem_read, &cur, NULL, false, &how);
}

/* Puts a manifest under tag (NULL: by digest only); layouts record it in index.json. */
static int put_manifest(bw_sigstore *s, const char *tag, const char *text, const char *artifact_type,
			bw_digest *d, bool *indexed)
{
	int rc;
	size_t len = strlen(text);
	*indexed = false;
	if (!s->layout) {
		if ((rc = bw_digest_buffer(BW_SHA256, text, len, d)) < 0)
			return rc;
		return bw_reg_put_manifest(s->client, &s->ref, tag ? tag : d->text, BW_MT_OCI_MANIFEST, text, len,
					   indexed);
	}
	json_t *idx = NULL, *entry = NULL, *arr;
	char *out = NULL;
	if ((rc = layout_write_blob(s, text, len, d)) < 0 || (rc = layout_index(s, &idx)) < 0)
		return rc;
	arr = json_object_get(idx, "manifests");
	entry = json_pack("{s:s,s:s,s:I}", "mediaType", BW_MT_OCI_MANIFEST, "digest", d->text, "size", (json_int_t)len);
	if (!entry) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if (tag) {
		json_object_set_new(entry, "annotations", json_pack("{s:s}", "org.opencontainers.image.ref.name", tag));
		for (size_t i = json_array_size(arr); i-- > 0;) {
			const char *t = entry_tag(json_array_get(arr, i));
			if (t && !strcmp(t, tag))
				json_array_remove(arr, i);
		}
	} else {
		json_object_set_new(entry, "artifactType", json_string(artifact_type));
	}
	if (json_array_append(arr, entry) < 0 || !(out = json_dumps(idx, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = write_atomic(s->dir, "index.json", out, strlen(out));
	*indexed = true;
done:
	free(out);
	json_decref(entry);
	json_decref(idx);
	return rc;
}

int bw_sigstore_append(bw_sigstore *s, const char *suffix, bool referrers, const char *layer_media_type,
		       const void *blob, size_t len, const char *const *ann_keys, const char *const *ann_values,
		       size_t n_ann, char *digest_out)
{
	char tag[BW_DIGEST_TEXT_MAX + 16];
	bw_buf old = BW_BUF_INIT(BW_SIG_MAX_MANIFEST);
	bw_digest blob_d, cfg_d, man_d;
	json_t *layers = NULL, *layer = NULL, *ann = NULL, *man = NULL, *cfg = NULL, *diff = NULL;
	char *man_text = NULL, *cfg_text = NULL, *desc = NULL;
	bool indexed;
	int rc;

	digest_out[0] = 0;
	sig_tag(&s->digest, suffix, tag, sizeof(tag));
	if ((rc = put_blob(s, blob, len, &blob_d)) < 0)
		return rc;
	if (!(ann = json_object())) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_ann; i++)
		json_object_set_new(ann, ann_keys[i], json_string(ann_values[i]));
	layer = json_pack("{s:s,s:I,s:s,s:O}", "mediaType", layer_media_type, "size", (json_int_t)len, "digest",
			  blob_d.text, "annotations", ann);
	if (!layer || !(layers = json_array())) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if (!referrers) {
		/* append to what the tag holds; the same layer twice is one signature */
		if ((rc = read_tagged(s, tag, &old)) < 0)
			goto done;
		if (rc == 1) {
			bw_sigmanifest m;
			if ((rc = bw_sigmanifest_parse(tag, old.data, old.len, &m)) < 0)
				goto done;
			json_decref(layers);
			layers = json_deep_copy(json_object_get(m.doc, "layers"));
			bw_sigmanifest_free(&m);
			if (!layers) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
		}
		size_t i;
		json_t *e;
		bool dup = false;
		json_array_foreach(layers, i, e) dup |= json_equal(e, layer);
		if (!dup && json_array_size(layers) >= BW_SIG_MAX_LAYERS) {
			rc = bw_error_set(BW_EINPUT, "%s: already %d signatures under the tag", tag, BW_SIG_MAX_LAYERS);
			goto done;
		}
		if (!dup)
			json_array_append(layers, layer);
		/* cosign's config: the payloads as diff_ids */
		if (!(diff = json_array())) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		json_array_foreach(layers, i, e) json_array_append(diff, json_object_get(e, "digest"));
		cfg = json_pack("{s:s,s:s,s:[{s:s}],s:s,s:{s:s,s:O},s:{}}", "architecture", "", "created",
				"0001-01-01T00:00:00Z", "history", "created", "0001-01-01T00:00:00Z", "os", "", "rootfs",
				"type", "layers", "diff_ids", diff, "config");
		if (!cfg || !(cfg_text = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if ((rc = put_blob(s, cfg_text, strlen(cfg_text), &cfg_d)) < 0)
			goto done;
		man = json_pack("{s:i,s:s,s:{s:s,s:I,s:s},s:O}", "schemaVersion", 2, "mediaType", BW_MT_OCI_MANIFEST,
				"config", "mediaType", BW_MT_OCI_CONFIG, "size", (json_int_t)strlen(cfg_text), "digest",
				cfg_d.text, "layers", layers);
	} else {
		const char *at = !strcmp(suffix, "sig") ? BW_ARTIFACT_SIG : BW_ARTIFACT_ATT;
		json_array_append(layers, layer);
		if ((rc = put_blob(s, "{}", 2, &cfg_d)) < 0)
			goto done;
		man = json_pack("{s:i,s:s,s:s,s:{s:s,s:I,s:s},s:O,s:{s:s,s:s,s:I}}", "schemaVersion", 2, "mediaType",
				BW_MT_OCI_MANIFEST, "artifactType", at, "config", "mediaType", MT_EMPTY, "size",
				(json_int_t)2, "digest", cfg_d.text, "layers", layers, "subject", "mediaType", s->media_type,
				"digest", s->digest.text, "size", (json_int_t)s->size);
	}
	if (!man || !(man_text = json_dumps(man, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = put_manifest(s, referrers ? NULL : tag, man_text, !strcmp(suffix, "sig") ? BW_ARTIFACT_SIG : BW_ARTIFACT_ATT,
			       &man_d, &indexed)) < 0)
		goto done;
	if (referrers && !indexed) {
		json_t *dj = json_pack("{s:s,s:s,s:I,s:s}", "mediaType", BW_MT_OCI_MANIFEST, "digest", man_d.text, "size",
				       (json_int_t)strlen(man_text), "artifactType",
				       !strcmp(suffix, "sig") ? BW_ARTIFACT_SIG : BW_ARTIFACT_ATT);
		desc = dj ? json_dumps(dj, JSON_COMPACT) : NULL;
		json_decref(dj);
		if (!desc) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if ((rc = bw_reg_fallback_add(s->client, &s->ref, &s->digest, desc, &man_d)) < 0)
			goto done;
	}
	snprintf(digest_out, 160, "%s", man_d.text);
	rc = 0;
done:
	bw_buf_free(&old);
	json_decref(layers);
	json_decref(layer);
	json_decref(ann);
	json_decref(man);
	json_decref(cfg);
	json_decref(diff);
	free(man_text);
	free(cfg_text);
	free(desc);
	return rc;
}
