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
#include "util/limits.h"
#include "util/strmap.h"
#include "util/wire.h"

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

/*
 * For the layer cache (analyzer.h save/load): the analyzer streams, so the
 * cache keeps its finished map instead of the bytes it saw:
 *   u64 n, then n x { path, the digest's text } (util/wire.h), in hash order.
 */
static int digests_save(void *state, bw_buf *out)
{
	const digest_layer *d = state;
	int rc = bw_wire_u64(out, d->map.live);
	for (size_t i = 0; i < d->map.cap && rc == 0; i++) {
		const bw_strmap_slot *s = &d->map.slots[i];
		if (!s->key || !s->value) /* empty, or deleted (strmap.c clears a deleted slot's value) */
			continue;
		rc |= bw_wire_str(out, s->key);
		rc |= bw_wire_str(out, s->value);
	}
	return rc ? -1 : 0;
}

static int digests_load(void *state, bw_cursor *in)
{
	digest_layer *d = state;
	char path[BW_MAX_PATH_BYTES + 1], text[BW_DIGEST_TEXT_MAX + 1];
	uint64_t n = bw_cursor_u64(in);

	if (n > BW_DEFAULT_MAX_ENTRIES || d->map.live)
		in->bad = true;
	for (uint64_t i = 0; i < n && !in->bad; i++) {
		const char *p = bw_cursor_str(in, path, sizeof(path));
		const char *t = bw_cursor_str(in, text, sizeof(text));
		bw_digest check;
		/* a digest is data for the reports: it must read back as one */
		if (in->bad || !p || !t || bw_digest_parse("a cached file digest", t, &check) < 0 || check.alg != BW_SHA256) {
			in->bad = true;
			break;
		}
		char *key = bw_arena_strdup(&d->mem, p), *val = bw_arena_strdup(&d->mem, check.text);
		if (!key || !val || bw_strmap_put(&d->map, key, val) < 0)
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (!in->bad && d->map.live != n) /* a path twice */
		in->bad = true;
	return in->bad ? bw_error_set(BW_EINPUT, "layer cache: malformed file digests") : 0;
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
	.save = digests_save,
	.load = digests_load,
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
