/*
 * image/base.c: base-image attribution (bulwark/state.h, docs/base-images.md).
 *
 * A base image is known by its layer chain: the diff_ids of its layers, in
 * order. An image built FROM it starts with exactly that chain, so the longest
 * recorded chain that prefixes the image's diff_ids names its base, and every
 * layer below that length is inherited. diff_ids are digests of the
 * uncompressed layers, verified during the layer pass, so the attribution
 * holds whatever compression or registry the two images came from.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/state.h"
#include "db/state.h"
#include "image/image_int.h"
#include "util/limits.h"

const char *bw_package_base(const bw_image_info *in, const bw_package *p)
{
	return in->base_name && p->layer < in->base_layers ? in->base_name : NULL;
}

int bw_image_set_base(bw_image *img, const char *name, size_t n_layers)
{
	char *copy = NULL;

	if (n_layers > img->n_layers)
		return bw_error_set(BW_EUSAGE, "%s: base \"%.128s\" has %zu layers, the image only %zu", img->name,
				    name ? name : "", n_layers, img->n_layers);
	if (n_layers && name && !(copy = strdup(name)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	free(img->base_name);
	img->base_name = copy;
	img->base_layers = copy ? n_layers : 0;
	return 0;
}

static int check_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > 128)
		return bw_error_set(BW_EUSAGE, "base image name: 1 to 128 characters, not %zu", len);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return bw_error_set(BW_EUSAGE, "base image name: control character at byte %zu", i);
	return 0;
}

int bw_base_add(bw_state *st, const bw_image *img, const char *name)
{
	const char **ids;
	int rc;

	if (!name)
		name = img->reference;
	if ((rc = check_name(name)) < 0)
		return rc;
	if (img->from_sbom || img->ref.transport == BW_TRANSPORT_ROOTFS_DIR || img->n_layers == 0)
		return bw_error_set(BW_EUSAGE, "%s: a base image needs layers with diff_ids (an image, not an "
				    "SBOM or a directory)", img->name);
	if (!(ids = calloc(img->n_layers, sizeof(*ids))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < img->n_layers; i++)
		ids[i] = img->layers[i].diff_id.text;
	rc = bw_state_base_put(st, name, img->reference, img->have_manifest_digest ? img->manifest_digest.text : NULL,
			       ids, img->n_layers);
	free(ids);
	return rc;
}

int bw_base_remove(bw_state *st, const char *name)
{
	return bw_state_base_delete(st, name);
}

int bw_base_each(bw_state *st, int (*fn)(const bw_base_chain *c, void *ctx), void *ctx)
{
	return bw_state_base_each(st, fn, ctx);
}

typedef struct best_match {
	const bw_image *img;
	char *name;
	size_t layers;
	bool by_annotation;
} best_match;

static int consider(const bw_base_chain *c, void *arg)
{
	best_match *b = arg;
	const bw_image *img = b->img;

	if (c->n_layers == 0 || c->n_layers > img->n_layers)
		return 0;
	for (size_t i = 0; i < c->n_layers; i++)
		if (strcmp(c->diff_ids[i], img->layers[i].diff_id.text) != 0)
			return 0;
	/* The annotation, when it names this chain's digest, settles a tie; otherwise
	 * the longest chain is the nearest base (debian -> python:3 -> the image). */
	bool annotated = img->base_annotation_digest && c->manifest_digest &&
			 !strcmp(img->base_annotation_digest, c->manifest_digest);
	if (c->n_layers < b->layers || (c->n_layers == b->layers && (b->by_annotation || !annotated)))
		return 0;
	char *copy = strdup(c->name);
	if (!copy)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	free(b->name);
	b->name = copy;
	b->layers = c->n_layers;
	b->by_annotation = annotated;
	return 0;
}

int bw_base_attribute(bw_state *st, bw_image *img)
{
	best_match b = { .img = img };
	int rc;

	if (img->from_sbom || img->ref.transport == BW_TRANSPORT_ROOTFS_DIR)
		return 0;
	if ((rc = bw_state_base_each(st, consider, &b)) == 0)
		rc = bw_image_set_base(img, b.name, b.layers);
	free(b.name);
	return rc;
}

int bw_cache_stats_get(bw_state *st, bw_cache_stats *out)
{
	return bw_state_cache_stats(st, &out->entries, &out->bytes, &out->images);
}

int bw_cache_prune(bw_state *st, uint64_t max_bytes)
{
	return bw_state_cache_prune(st, max_bytes);
}
