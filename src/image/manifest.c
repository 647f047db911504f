#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/manifest.h"
#include "util/json.h"
#include "util/limits.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

bool bw_media_type_is_index(const char *mt)
{
	return mt && (!strcmp(mt, BW_MT_OCI_INDEX) || !strcmp(mt, BW_MT_DOCKER_LIST));
}

bool bw_media_type_is_manifest(const char *mt)
{
	return mt && (!strcmp(mt, BW_MT_OCI_MANIFEST) || !strcmp(mt, BW_MT_DOCKER_MANIFEST));
}

bw_doc_kind bw_doc_kind_of(const char *what, const void *data, size_t len, const char *desc_mt)
{
	json_t *root = NULL;
	const char *mt = NULL;
	bw_doc_kind kind = BW_DOC_UNKNOWN;

	if (bw_media_type_is_index(desc_mt))
		return BW_DOC_INDEX;
	if (bw_media_type_is_manifest(desc_mt))
		return BW_DOC_MANIFEST;
	if (bw_json_parse(what, data, len, BW_MAX_MANIFEST_BYTES, &root) < 0)
		return BW_DOC_UNKNOWN;
	if (!json_is_object(root))
		goto done;
	if (bw_json_opt_string(what, root, "mediaType", &mt) < 0)
		goto done;
	if (bw_media_type_is_index(mt))
		kind = BW_DOC_INDEX;
	else if (bw_media_type_is_manifest(mt))
		kind = BW_DOC_MANIFEST;
	else if (mt && strstr(mt, "manifest.v1"))
		kind = BW_DOC_SCHEMA1;
	else if (json_integer_value(json_object_get(root, "schemaVersion")) == 1)
		kind = BW_DOC_SCHEMA1;
	else if (!mt && json_is_array(json_object_get(root, "manifests")))
		kind = BW_DOC_INDEX;
	else if (!mt && json_is_object(json_object_get(root, "config")))
		kind = BW_DOC_MANIFEST;
done:
	json_decref(root);
	return kind;
}

bw_compression bw_layer_compression(const char *mt, bool *foreign)
{
	static const struct {
		const char *mt;
		bw_compression c;
		bool foreign;
	} table[] = {
		{ "application/vnd.oci.image.layer.v1.tar", BW_COMP_NONE, false },
		{ "application/vnd.oci.image.layer.v1.tar+gzip", BW_COMP_GZIP, false },
		{ "application/vnd.oci.image.layer.v1.tar+zstd", BW_COMP_ZSTD, false },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", BW_COMP_NONE, true },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", BW_COMP_GZIP, true },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", BW_COMP_ZSTD, true },
		{ "application/vnd.docker.image.rootfs.diff.tar", BW_COMP_NONE, false },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", BW_COMP_GZIP, false },
		{ "application/vnd.docker.image.rootfs.diff.tar.zstd", BW_COMP_ZSTD, false },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", BW_COMP_GZIP, true },
	};
	*foreign = false;
	if (!mt)
		return BW_COMP_UNKNOWN;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(mt, table[i].mt)) {
			*foreign = table[i].foreign;
			return table[i].c;
		}
	return BW_COMP_UNKNOWN;
}

const char *bw_compression_name(bw_compression c)
{
	switch (c) {
	case BW_COMP_NONE: return "none";
	case BW_COMP_GZIP: return "gzip";
	case BW_COMP_ZSTD: return "zstd";
	default: return "unknown";
	}
}

/* ---- lists ---- */

int bw_strlist_add_unique(bw_strlist *l, const char *s, size_t max)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 0;
	if (l->n >= max)
		return bw_error_set(BW_EINPUT, "more than %zu entries", max);
	char **grown = realloc(l->v, (l->n + 2) * sizeof(*grown));
	if (!grown)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	l->v = grown;
	if (!(l->v[l->n] = strdup(s)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	l->v[++l->n] = NULL;
	return 0;
}

void bw_strlist_free(bw_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void bw_kvlist_free(bw_kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->values[i]);
	}
	free(l->keys);
	free(l->values);
	memset(l, 0, sizeof(*l));
}

/* An array of strings (or null/absent: empty list). */
static int strlist_from_array(const char *what, json_t *obj, const char *key, size_t max,
			      bw_strlist *out)
{
	json_t *arr, *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (bw_json_opt_array(what, obj, key, &arr) < 0)
		return BW_EINPUT;
	if (!arr)
		return 0;
	if (json_array_size(arr) > max)
		return bw_error_set(BW_EINPUT, "%s: \"%s\" has %zu entries, more than the limit of %zu",
				    what, key, json_array_size(arr), max);
	out->v = calloc(json_array_size(arr) + 1, sizeof(char *));
	if (!out->v)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
			bw_strlist_free(out);
			return bw_error_set(BW_EINPUT, "%s: \"%s\"[%zu] is not a string", what, key, i);
		}
		if (!(out->v[out->n++] = strdup(json_string_value(v)))) {
			bw_strlist_free(out);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
	}
	return 0;
}

/* The keys of an object such as ExposedPorts or Volumes ({"22/tcp": {}}). */
static int strlist_from_keys(const char *what, json_t *obj, const char *key, bw_strlist *out)
{
	json_t *o, *v;
	const char *k;

	memset(out, 0, sizeof(*out));
	if (bw_json_opt_object(what, obj, key, &o) < 0)
		return BW_EINPUT;
	if (!o)
		return 0;
	if (json_object_size(o) > 65536)
		return bw_error_set(BW_EINPUT, "%s: \"%s\" has too many entries", what, key);
	out->v = calloc(json_object_size(o) + 1, sizeof(char *));
	if (!out->v)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	json_object_foreach(o, k, v) {
		if (!(out->v[out->n++] = strdup(k))) {
			bw_strlist_free(out);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
	}
	return 0;
}

static int kvlist_from_object(const char *what, json_t *obj, const char *key, bw_kvlist *out)
{
	json_t *o, *v;
	const char *k;

	memset(out, 0, sizeof(*out));
	if (bw_json_opt_object(what, obj, key, &o) < 0)
		return BW_EINPUT;
	if (!o)
		return 0;
	if (json_object_size(o) > 65536)
		return bw_error_set(BW_EINPUT, "%s: \"%s\" has too many entries", what, key);
	out->keys = calloc(json_object_size(o) + 1, sizeof(char *));
	out->values = calloc(json_object_size(o) + 1, sizeof(char *));
	if (!out->keys || !out->values)
		goto nomem;
	json_object_foreach(o, k, v) {
		if (!json_is_string(v)) {
			bw_kvlist_free(out);
			return bw_error_set(BW_EINPUT, "%s: \"%s\".\"%.80s\" is not a string", what, key, k);
		}
		out->keys[out->n] = strdup(k);
		out->values[out->n] = strdup(json_string_value(v));
		out->n++;
		if (!out->keys[out->n - 1] || !out->values[out->n - 1])
			goto nomem;
	}
	return 0;
nomem:
	bw_kvlist_free(out);
	return bw_error_set(BW_EINTERNAL, "out of memory");
}

/* ---- descriptors ---- */

void bw_descriptor_free(bw_descriptor *d)
{
	free(d->media_type);
	free(d->ref_name);
	free(d->os);
	free(d->architecture);
	free(d->variant);
	memset(d, 0, sizeof(*d));
}

static int descriptor_parse(const char *what, json_t *o, bw_descriptor *d)
{
	const char *mt, *digest, *s;
	json_t *platform, *annotations, *urls;
	char field[160];

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o))
		return bw_error_set(BW_EINPUT, "%s is not an object", what);
	if (bw_json_opt_string(what, o, "mediaType", &mt) < 0 ||
	    bw_json_string(what, o, "digest", &digest) < 0 ||
	    bw_json_uint(what, o, "size", &d->size) < 0)
		return BW_EINPUT;
	snprintf(field, sizeof(field), "%s", what);
	if (bw_digest_parse(field, digest, &d->digest) < 0)
		return BW_EINPUT;
	if (bw_json_opt_object(what, o, "platform", &platform) < 0 ||
	    bw_json_opt_object(what, o, "annotations", &annotations) < 0 ||
	    bw_json_opt_array(what, o, "urls", &urls) < 0)
		return BW_EINPUT;
	d->has_urls = urls && json_array_size(urls) > 0;
	if (mt && !(d->media_type = strdup(mt)))
		goto nomem;
	if (platform) {
		if (bw_json_opt_string(what, platform, "os", &s) < 0)
			goto bad;
		if (s && !(d->os = strdup(s)))
			goto nomem;
		if (bw_json_opt_string(what, platform, "architecture", &s) < 0)
			goto bad;
		if (s && !(d->architecture = strdup(s)))
			goto nomem;
		if (bw_json_opt_string(what, platform, "variant", &s) < 0)
			goto bad;
		if (s && !(d->variant = strdup(s)))
			goto nomem;
	}
	if (annotations) {
		if (bw_json_opt_string(what, annotations, "org.opencontainers.image.ref.name", &s) < 0)
			goto bad;
		if (s && !(d->ref_name = strdup(s)))
			goto nomem;
	}
	return 0;
nomem:
	bw_descriptor_free(d);
	return bw_error_set(BW_EINTERNAL, "out of memory");
bad:
	bw_descriptor_free(d);
	return BW_EINPUT;
}

static int check_schema_version(const char *what, json_t *root, bool required)
{
	json_t *v = json_object_get(root, "schemaVersion");
	if (!v && !required)
		return 0;
	if (!json_is_integer(v))
		return bw_error_set(BW_EINPUT, "%s: missing or non-integer schemaVersion", what);
	if (json_integer_value(v) != 2)
		return bw_error_set(BW_EINPUT, "%s: schemaVersion %lld is not supported (only 2)", what,
				    (long long)json_integer_value(v));
	return 0;
}

/*
 * The descriptors of root[key] (a required array of at most max entries),
 * parsed into a new array; *n counts the ones parsed, also on failure, so the
 * caller's free function releases exactly those.
 */
static int descriptor_array(const char *what, json_t *root, const char *key, size_t max,
			    bw_descriptor **out, size_t *n)
{
	json_t *arr, *v;
	size_t i;
	char name[256];
	int rc;

	if (bw_json_opt_array(what, root, key, &arr) < 0)
		return BW_EINPUT;
	if (!arr)
		return bw_error_set(BW_EINPUT, "%s: missing \"%s\" array", what, key);
	if (json_array_size(arr) > max)
		return bw_error_set(BW_EINPUT, "%s: %zu %s, more than the limit of %zu", what,
				    json_array_size(arr), key, max);
	if (!(*out = calloc(json_array_size(arr) + 1, sizeof(**out))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	json_array_foreach(arr, i, v) {
		snprintf(name, sizeof(name), "%s: %s[%zu]", what, key, i);
		if ((rc = descriptor_parse(name, v, &(*out)[i])) < 0)
			return rc;
		(*n)++;
	}
	return 0;
}

/* ---- index ---- */

void bw_index_free(bw_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		bw_descriptor_free(&x->manifests[i]);
	free(x->manifests);
	memset(x, 0, sizeof(*x));
}

int bw_index_parse(const char *what, const void *data, size_t len, bw_index *out)
{
	json_t *root = NULL;
	int rc = BW_EINPUT;

	memset(out, 0, sizeof(*out));
	if (bw_json_parse(what, data, len, BW_MAX_MANIFEST_BYTES, &root) < 0)
		return BW_EINPUT;
	if (!json_is_object(root)) {
		bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
	if (check_schema_version(what, root, true) < 0)
		goto done;
	const char *mt;
	if (bw_json_opt_string(what, root, "mediaType", &mt) < 0)
		goto done;
	if (mt && !bw_media_type_is_index(mt)) {
		/* The document says what it is; believing the descriptor instead is
		 * the confusion behind CVE-2021-41190. */
		bw_error_set(BW_EINPUT, "%s: mediaType \"%.100s\" is not an image index", what, mt);
		goto done;
	}
	if ((rc = descriptor_array(what, root, "manifests", BW_MAX_INDEX_ENTRIES, &out->manifests, &out->n)) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0)
		bw_index_free(out);
	json_decref(root);
	return rc;
}

/* ---- manifest ---- */

void bw_manifest_free(bw_manifest *m)
{
	free(m->media_type);
	bw_descriptor_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		bw_descriptor_free(&m->layers[i]);
	free(m->layers);
	free(m->base_name);
	free(m->base_digest);
	memset(m, 0, sizeof(*m));
}

int bw_manifest_parse(const char *what, const void *data, size_t len, bw_manifest *out)
{
	json_t *root = NULL;
	const char *mt;
	int rc = BW_EINPUT;
	char name[256];

	memset(out, 0, sizeof(*out));
	if (bw_json_parse(what, data, len, BW_MAX_MANIFEST_BYTES, &root) < 0)
		return BW_EINPUT;
	if (!json_is_object(root)) {
		bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
	if (check_schema_version(what, root, true) < 0 ||
	    bw_json_opt_string(what, root, "mediaType", &mt) < 0)
		goto done;
	if (mt && !bw_media_type_is_manifest(mt)) {
		bw_error_set(BW_EINPUT, "%s: mediaType \"%.100s\" is not an image manifest", what, mt);
		goto done;
	}
	if (mt && !(out->media_type = strdup(mt))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	snprintf(name, sizeof(name), "%s: config", what);
	if (!json_object_get(root, "config")) {
		bw_error_set(BW_EINPUT, "%s: missing \"config\"", what);
		goto done;
	}
	if ((rc = descriptor_parse(name, json_object_get(root, "config"), &out->config)) < 0)
		goto done;
	if ((rc = descriptor_array(what, root, "layers", BW_MAX_LAYERS, &out->layers, &out->n_layers)) < 0)
		goto done;
	json_t *annotations;
	const char *base_name = NULL, *base_digest = NULL;
	rc = BW_EINPUT;
	if (bw_json_opt_object(what, root, "annotations", &annotations) < 0 ||
	    (annotations && (bw_json_opt_string(what, annotations, "org.opencontainers.image.base.name", &base_name) < 0 ||
			     bw_json_opt_string(what, annotations, "org.opencontainers.image.base.digest", &base_digest) < 0)))
		goto done;
	if ((base_name && strlen(base_name) > 512) || (base_digest && strlen(base_digest) > 200)) {
		bw_error_set(BW_EINPUT, "%s: org.opencontainers.image.base annotation too long", what);
		goto done;
	}
	if ((base_name && !(out->base_name = strdup(base_name))) ||
	    (base_digest && !(out->base_digest = strdup(base_digest)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		bw_manifest_free(out);
	json_decref(root);
	return rc;
}

/* ---- config ---- */

void bw_config_free(bw_config *c)
{
	free(c->architecture);
	free(c->os);
	free(c->variant);
	free(c->created);
	free(c->user);
	free(c->working_dir);
	bw_strlist_free(&c->env);
	bw_strlist_free(&c->entrypoint);
	bw_strlist_free(&c->cmd);
	bw_strlist_free(&c->exposed_ports);
	bw_strlist_free(&c->volumes);
	bw_kvlist_free(&c->labels);
	free(c->diff_ids);
	for (size_t i = 0; i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
	}
	free(c->history);
	memset(c, 0, sizeof(*c));
}

int bw_config_parse(const char *what, const void *data, size_t len, bw_config *out)
{
	json_t *root = NULL, *cfg, *rootfs, *arr, *v;
	const char *s;
	size_t i;
	int rc = BW_EINPUT;
	char name[256];

	memset(out, 0, sizeof(*out));
	if (bw_json_parse(what, data, len, BW_MAX_CONFIG_BYTES, &root) < 0)
		return BW_EINPUT;
	if (!json_is_object(root)) {
		bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
#define DUP_FIELD(obj, key, dst, required)                                           \
	do {                                                                         \
		if ((required ? bw_json_string(what, obj, key, &s)                  \
			      : bw_json_opt_string(what, obj, key, &s)) < 0)         \
			goto done;                                                   \
		if (s && !(dst = strdup(s))) {                                       \
			rc = bw_error_set(BW_EINTERNAL, "out of memory");            \
			goto done;                                                   \
		}                                                                    \
	} while (0)
	DUP_FIELD(root, "architecture", out->architecture, true);
	DUP_FIELD(root, "os", out->os, true);
	DUP_FIELD(root, "variant", out->variant, false);
	DUP_FIELD(root, "created", out->created, false);

	if (bw_json_opt_object(what, root, "config", &cfg) < 0)
		goto done;
	if (cfg) {
		DUP_FIELD(cfg, "User", out->user, false);
		DUP_FIELD(cfg, "WorkingDir", out->working_dir, false);
		if ((rc = strlist_from_array(what, cfg, "Env", 65536, &out->env)) < 0 ||
		    (rc = strlist_from_array(what, cfg, "Entrypoint", 65536, &out->entrypoint)) < 0 ||
		    (rc = strlist_from_array(what, cfg, "Cmd", 65536, &out->cmd)) < 0 ||
		    (rc = strlist_from_keys(what, cfg, "ExposedPorts", &out->exposed_ports)) < 0 ||
		    (rc = strlist_from_keys(what, cfg, "Volumes", &out->volumes)) < 0 ||
		    (rc = kvlist_from_object(what, cfg, "Labels", &out->labels)) < 0)
			goto done;
		rc = BW_EINPUT;
		v = json_object_get(cfg, "Healthcheck");
		out->has_healthcheck = v && json_is_object(v);
	}
#undef DUP_FIELD

	if (bw_json_opt_object(what, root, "rootfs", &rootfs) < 0)
		goto done;
	if (!rootfs) {
		bw_error_set(BW_EINPUT, "%s: missing \"rootfs\"", what);
		goto done;
	}
	if (bw_json_string(what, rootfs, "type", &s) < 0)
		goto done;
	if (strcmp(s, "layers") != 0) {
		bw_error_set(BW_EINPUT, "%s: rootfs.type \"%.40s\" is not \"layers\"", what, s);
		goto done;
	}
	if (bw_json_opt_array(what, rootfs, "diff_ids", &arr) < 0)
		goto done;
	if (!arr) {
		bw_error_set(BW_EINPUT, "%s: missing rootfs.diff_ids", what);
		goto done;
	}
	if (json_array_size(arr) > BW_MAX_LAYERS) {
		bw_error_set(BW_EINPUT, "%s: %zu diff_ids, more than the limit of %d", what,
			     json_array_size(arr), BW_MAX_LAYERS);
		goto done;
	}
	out->diff_ids = calloc(json_array_size(arr) + 1, sizeof(*out->diff_ids));
	if (!out->diff_ids) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	json_array_foreach(arr, i, v) {
		snprintf(name, sizeof(name), "%s: rootfs.diff_ids[%zu]", what, i);
		if (!json_is_string(v)) {
			bw_error_set(BW_EINPUT, "%s is not a string", name);
			goto done;
		}
		if (bw_digest_parse(name, json_string_value(v), &out->diff_ids[i]) < 0)
			goto done;
		out->n_diff_ids++;
	}

	if (bw_json_opt_array(what, root, "history", &arr) < 0)
		goto done;
	if (arr) {
		if (json_array_size(arr) > BW_MAX_HISTORY) {
			bw_error_set(BW_EINPUT, "%s: %zu history entries, more than the limit of %d",
				     what, json_array_size(arr), BW_MAX_HISTORY);
			goto done;
		}
		out->history = calloc(json_array_size(arr) + 1, sizeof(*out->history));
		if (!out->history) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		json_array_foreach(arr, i, v) {
			bw_history *h = &out->history[out->n_history++];
			snprintf(name, sizeof(name), "%s: history[%zu]", what, i);
			if (!json_is_object(v)) {
				bw_error_set(BW_EINPUT, "%s is not an object", name);
				goto done;
			}
			if (bw_json_opt_string(name, v, "created_by", &s) < 0)
				goto done;
			h->created_by = dup_or_null(s);
			if (bw_json_opt_string(name, v, "created", &s) < 0)
				goto done;
			h->created = dup_or_null(s);
			json_t *e = json_object_get(v, "empty_layer");
			if (e && !json_is_boolean(e)) {
				bw_error_set(BW_EINPUT, "%s: empty_layer is not a boolean", name);
				goto done;
			}
			h->empty_layer = e && json_is_true(e);
		}
	}
	rc = 0;
done:
	if (rc < 0)
		bw_config_free(out);
	json_decref(root);
	return rc;
}

/* ---- docker-archive manifest.json ---- */

void bw_docker_manifest_free(bw_docker_manifest *m)
{
	free(m->config);
	bw_strlist_free(&m->layers);
	bw_strlist_free(&m->repo_tags);
	memset(m, 0, sizeof(*m));
}

int bw_docker_manifest_parse(const char *what, const void *data, size_t len, bw_docker_manifest *out)
{
	json_t *root = NULL, *first;
	const char *s;
	int rc = BW_EINPUT;

	memset(out, 0, sizeof(*out));
	if (bw_json_parse(what, data, len, BW_MAX_ARCHIVE_MANIFEST, &root) < 0)
		return BW_EINPUT;
	if (!json_is_array(root) || json_array_size(root) == 0) {
		bw_error_set(BW_EINPUT, "%s: not a non-empty JSON array", what);
		goto done;
	}
	if (json_array_size(root) > 1) {
		bw_error_set(BW_EINPUT,
			     "%s: holds %zu images; bulwark reads archives of one image (docker save IMAGE)",
			     what, json_array_size(root));
		goto done;
	}
	first = json_array_get(root, 0);
	if (!json_is_object(first)) {
		bw_error_set(BW_EINPUT, "%s: [0] is not an object", what);
		goto done;
	}
	if (bw_json_string(what, first, "Config", &s) < 0)
		goto done;
	if (!(out->config = strdup(s))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = strlist_from_array(what, first, "Layers", BW_MAX_LAYERS, &out->layers)) < 0 ||
	    (rc = strlist_from_array(what, first, "RepoTags", 4096, &out->repo_tags)) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0)
		bw_docker_manifest_free(out);
	json_decref(root);
	return rc;
}
