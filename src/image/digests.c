/*
 * image/digests.c: the content digest of every regular file (BW_ANALYZE_DIGESTS),
 * for `bulwark diff` and `bulwark drift`: a streamed analyzer that SHA-256s
 * each file's bytes as the layer pass delivers them (docs/analyzers.md), so
 * the digests cost one hash over data that is being read anyway, and nothing
 * is held but the digests themselves.
 *
 * Per layer: path -> "sha256:<hex>" of the last entry of that path in the
 * layer. bw_image_files() reads the digest of a merged node from the layer its
 * content came from (fs.h data_path/data_layer, so a hard link reports its
 * target's content). Not selected unless asked for: scans do not pay for it.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "crypto/digest.h"
#include "image/analyzer.h"
#include "image/image_int.h"
#include "util/arena.h"
#include "util/strmap.h"

typedef struct digest_layer {
	bw_arena mem;
	bw_strmap map;       /* path -> digest text, both in mem */
	bw_hasher *current;  /* the file being read */
} digest_layer;

static void *digests_layer_new(void)
{
	return calloc(1, sizeof(digest_layer));
}

static void digests_layer_free(void *state)
{
	digest_layer *d = state;
	if (!d)
		return;
	bw_hasher_free(d->current);
	bw_strmap_free(&d->map);
	bw_arena_free(&d->mem);
	free(d);
}

static bool digests_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	(void)head;
	(void)head_len;
	return e->type == BW_FT_FILE;
}

static int digests_chunk(void *state, const bw_entry *e, const uint8_t *data, size_t len)
{
	digest_layer *d = state;
	(void)e;
	if (!d->current && !(d->current = bw_hasher_new(BW_SHA256)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	bw_hasher_update(d->current, data, len);
	return 0;
}

static int digests_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	digest_layer *d = state;
	bw_digest dg;
	(void)content;
	(void)len;
	(void)truncated;

	if (!d->current && !(d->current = bw_hasher_new(BW_SHA256))) /* an empty file */
		return bw_error_set(BW_EINTERNAL, "out of memory");
	bw_hasher_final(d->current, &dg);
	bw_hasher_free(d->current);
	d->current = NULL;
	char *key = bw_arena_strndup(&d->mem, e->path, e->path_len);
	char *val = bw_arena_strdup(&d->mem, dg.text);
	if (!key || !val || bw_strmap_put(&d->map, key, val) < 0)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

const bw_analyzer bw_analyzer_digests = {
	.name = "digests",
	.version = 1,
	.kind = BW_ANALYZE_DIGESTS,
	.wants = digests_wants,
	.layer_new = digests_layer_new,
	.chunk = digests_chunk,
	.entry = digests_entry,
	.layer_free = digests_layer_free,
};

const char *bw_image_file_digest(const bw_image *img, const char *data_path, size_t data_layer)
{
	for (size_t a = 0; a < img->n_analyzers; a++) {
		if (img->analyzers[a] != &bw_analyzer_digests)
			continue;
		if (!data_path || data_layer >= img->n_layers || !img->layers[data_layer].states)
			return NULL;
		digest_layer *d = img->layers[data_layer].states[a];
		return d ? bw_strmap_get(&d->map, data_path) : NULL;
	}
	return NULL;
}
