/*
 * sign/payload.c: the simple-signing payload cosign signs, and the cosign
 * signature manifest that carries payloads and signatures.
 *
 * Payload (containers/image docs/containers-signature.5.md, sigstore's
 * payload package):
 *   {"critical":{"identity":{"docker-reference":R},
 *                "image":{"docker-manifest-digest":D},
 *                "type":"cosign container image signature"},
 *    "optional":{...} or null}
 * Written with sorted keys and no spaces, which is byte for byte what Go's
 * encoding/json makes of cosign's structs. Parsed fail-closed as
 * containers/image does: exactly these keys in "critical" and its members,
 * only "critical" and "optional" at the top, every type checked, "creator"
 * (string) and "timestamp" (integer) in "optional" checked when present.
 * A verifier never re-serialises: signatures are checked on the stored bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/cosign.h"
#include "util/json.h"
#include "util/limits.h"

char *bw_sspayload_build(const char *docker_reference, const char *digest, const bw_sign_annotation *ann,
			 size_t n_ann, size_t *len)
{
	json_t *opt = json_null(), *j = NULL;
	char *text = NULL;

	if (n_ann) {
		opt = json_object();
		for (size_t i = 0; opt && i < n_ann; i++)
			if (json_object_set_new(opt, ann[i].key, json_string(ann[i].value)) < 0) {
				json_decref(opt);
				opt = NULL;
			}
	}
	if (!opt)
		return NULL;
	j = json_pack("{s:{s:{s:s},s:{s:s},s:s},s:o}", "critical", "identity", "docker-reference", docker_reference,
		      "image", "docker-manifest-digest", digest, "type", BW_SIMPLESIGNING_TYPE, "optional", opt);
	if (j)
		text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (text)
		*len = strlen(text);
	return text;
}

void bw_sspayload_free(bw_sspayload *p)
{
	free(p->docker_reference);
	free(p->manifest_digest);
	json_decref(p->optional);
	memset(p, 0, sizeof(*p));
}

/* obj must have exactly the keys listed (NULL-terminated), each present. */
static int exact_keys(const char *what, const char *where, json_t *obj, const char *const *keys)
{
	size_t want = 0;
	for (; keys[want]; want++)
		if (!json_object_get(obj, keys[want]))
			return bw_error_set(BW_EINPUT, "%s: %s lacks \"%s\"", what, where, keys[want]);
	if (json_object_size(obj) != want) {
		const char *k;
		json_t *v;
		json_object_foreach(obj, k, v) {
			bool known = false;
			for (size_t i = 0; keys[i]; i++)
				known |= !strcmp(k, keys[i]);
			if (!known)
				return bw_error_set(BW_EINPUT, "%s: unknown field \"%.60s\" in %s", what, k, where);
		}
	}
	return 0;
}

int bw_sspayload_parse(const char *what, const void *data, size_t len, bw_sspayload *out)
{
	static const char *const crit_keys[] = { "identity", "image", "type", NULL };
	static const char *const ident_keys[] = { "docker-reference", NULL };
	static const char *const image_keys[] = { "docker-manifest-digest", NULL };
	json_t *j = NULL, *crit, *ident, *image, *opt = NULL, *t;
	const char *s;
	bw_digest d;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > BW_SIG_MAX_PAYLOAD)
		return bw_error_set(BW_EINPUT, "%s: payload of %zu bytes, larger than %d", what, len, BW_SIG_MAX_PAYLOAD);
	if ((rc = bw_json_parse(what, data, len, BW_SIG_MAX_PAYLOAD, &j)) < 0)
		return rc;
	rc = BW_EINPUT;
	if (!json_is_object(j)) {
		bw_error_set(BW_EINPUT, "%s: the payload is not a JSON object", what);
		goto done;
	}
	/* "optional" may be absent; anything else at the top is unknown */
	{
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v) if (strcmp(k, "critical") && strcmp(k, "optional"))
		{
			bw_error_set(BW_EINPUT, "%s: unknown top-level field \"%.60s\" in the payload", what, k);
			goto done;
		}
	}
	opt = json_object_get(j, "optional");
	if (!json_object_get(j, "critical")) {
		bw_error_set(BW_EINPUT, "%s: the payload lacks \"critical\"", what);
		goto done;
	}
	crit = json_object_get(j, "critical");
	if (!json_is_object(crit)) {
		bw_error_set(BW_EINPUT, "%s: \"critical\" is not an object", what);
		goto done;
	}
	if (exact_keys(what, "\"critical\"", crit, crit_keys) < 0)
		goto done;
	t = json_object_get(crit, "type");
	if (!json_is_string(t)) {
		bw_error_set(BW_EINPUT, "%s: critical.type is not a string", what);
		goto done;
	}
	if (strcmp(json_string_value(t), BW_SIMPLESIGNING_TYPE)) {
		bw_error_set(BW_EINPUT, "%s: critical.type \"%.80s\" is not \"%s\"", what, json_string_value(t),
			     BW_SIMPLESIGNING_TYPE);
		goto done;
	}
	ident = json_object_get(crit, "identity");
	image = json_object_get(crit, "image");
	if (!json_is_object(ident) || !json_is_object(image)) {
		bw_error_set(BW_EINPUT, "%s: critical.identity and critical.image must be objects", what);
		goto done;
	}
	if (exact_keys(what, "critical.identity", ident, ident_keys) < 0 ||
	    exact_keys(what, "critical.image", image, image_keys) < 0)
		goto done;
	if (bw_json_string(what, ident, "docker-reference", &s) < 0)
		goto done;
	if (!*s || strlen(s) > 1024) {
		bw_error_set(BW_EINPUT, "%s: critical.identity.docker-reference is empty or too long", what);
		goto done;
	}
	out->docker_reference = strdup(s);
	if (bw_json_string(what, image, "docker-manifest-digest", &s) < 0)
		goto done;
	if (bw_digest_parse(what, s, &d) < 0)
		goto done;
	out->manifest_digest = strdup(s);
	if (opt && !json_is_null(opt)) {
		if (!json_is_object(opt)) {
			bw_error_set(BW_EINPUT, "%s: \"optional\" is neither an object nor null", what);
			goto done;
		}
		json_t *c = json_object_get(opt, "creator"), *ts = json_object_get(opt, "timestamp");
		if ((c && !json_is_string(c)) || (ts && !json_is_integer(ts))) {
			bw_error_set(BW_EINPUT, "%s: optional.creator must be a string and optional.timestamp an integer",
				     what);
			goto done;
		}
		out->optional = json_incref(opt);
	}
	if (!out->docker_reference || !out->manifest_digest) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = 0;
done:
	json_decref(j);
	if (rc < 0)
		bw_sspayload_free(out);
	return rc;
}

/* ------------------------------------------------------------ signature manifests */

void bw_sigmanifest_free(bw_sigmanifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->layers[i].media_type);
		free(m->layers[i].signature);
		free(m->layers[i].predicate_type);
		free(m->layers[i].certificate);
		free(m->layers[i].chain);
		free(m->layers[i].rekor_bundle);
		free(m->layers[i].rfc3161);
	}
	free(m->layers);
	json_decref(m->doc);
	memset(m, 0, sizeof(*m));
}

static int ann_string(const char *what, size_t idx, json_t *ann, const char *key, char **out)
{
	json_t *v = json_object_get(ann, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return bw_error_set(BW_EINPUT, "%s: layer %zu: annotation %s is not a string", what, idx + 1, key);
	if (json_string_length(v) > BW_SIG_MAX_ANNOTATION)
		return bw_error_set(BW_EINPUT, "%s: layer %zu: annotation %s of %zu bytes (limit %d)", what, idx + 1, key,
				    json_string_length(v), BW_SIG_MAX_ANNOTATION);
	if (!(*out = strdup(json_string_value(v))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

int bw_sigmanifest_parse(const char *what, const void *data, size_t len, bw_sigmanifest *out)
{
	json_t *j = NULL, *layers, *e;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = bw_json_parse(what, data, len, BW_SIG_MAX_MANIFEST, &j)) < 0)
		return rc;
	rc = BW_EINPUT;
	if (!json_is_object(j) || !json_is_array(layers = json_object_get(j, "layers"))) {
		bw_error_set(BW_EINPUT, "%s: not an image manifest with a \"layers\" array", what);
		goto done;
	}
	json_t *sv = json_object_get(j, "schemaVersion");
	if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
		bw_error_set(BW_EINPUT, "%s: schemaVersion is not 2", what);
		goto done;
	}
	if (json_array_size(layers) > BW_SIG_MAX_LAYERS) {
		bw_error_set(BW_EINPUT, "%s: %zu layers, more than the %d signatures allowed under one tag", what,
			     json_array_size(layers), BW_SIG_MAX_LAYERS);
		goto done;
	}
	if (!(out->layers = calloc(json_array_size(layers) + 1, sizeof(*out->layers)))) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	json_array_foreach(layers, i, e) {
		bw_siglayer *l = &out->layers[out->n++];
		const char *mt, *dg;
		uint64_t size;
		json_t *ann = NULL;
		if (!json_is_object(e)) {
			bw_error_set(BW_EINPUT, "%s: layer %zu is not an object", what, i + 1);
			goto done;
		}
		if (bw_json_string(what, e, "mediaType", &mt) < 0 || bw_json_string(what, e, "digest", &dg) < 0 ||
		    bw_json_uint(what, e, "size", &size) < 0 || bw_json_opt_object(what, e, "annotations", &ann) < 0)
			goto done;
		if (bw_digest_parse(what, dg, &l->digest) < 0)
			goto done;
		if (!(l->media_type = strdup(mt))) {
			bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		l->size = size;
		if (ann) {
			const char *k;
			json_t *v;
			if (json_object_size(ann) > 64) {
				bw_error_set(BW_EINPUT, "%s: layer %zu has %zu annotations (limit 64)", what, i + 1,
					     json_object_size(ann));
				goto done;
			}
			json_object_foreach(ann, k, v) if (!json_is_string(v))
			{
				bw_error_set(BW_EINPUT, "%s: layer %zu: annotation \"%.60s\" is not a string", what, i + 1, k);
				goto done;
			}
			if (ann_string(what, i, ann, BW_ANN_SIGNATURE, &l->signature) < 0 ||
			    ann_string(what, i, ann, BW_ANN_PREDICATE_TYPE, &l->predicate_type) < 0 ||
			    ann_string(what, i, ann, "dev.sigstore.cosign/certificate", &l->certificate) < 0 ||
			    ann_string(what, i, ann, "dev.sigstore.cosign/chain", &l->chain) < 0 ||
			    ann_string(what, i, ann, "dev.sigstore.cosign/bundle", &l->rekor_bundle) < 0 ||
			    ann_string(what, i, ann, "dev.sigstore.cosign/rfc3161timestamp", &l->rfc3161) < 0)
				goto done;
			l->has_cert = json_object_get(ann, "dev.sigstore.cosign/certificate") != NULL;
		}
	}
	out->doc = json_incref(j);
	rc = 0;
done:
	json_decref(j);
	if (rc < 0)
		bw_sigmanifest_free(out);
	return rc;
}
