/*
 * image/layercache.c: the layer result cache (docs/layer-cache.md).
 *
 * What is cached is not the analyzers' results but their input: a layer's
 * member records (path, type, mode, owner, size, link, whiteouts) and, for
 * every member an analyzer took, which analyzers took it and the bytes they
 * were handed. Replaying that into fresh per-layer states gives exactly the
 * states the pass would have built, for every analyzer, with no analyzer
 * having to know how to serialise itself. A layer's results depend only on
 * its own bytes (docs/analyzers.md), so the key is the layer's diff_id (its
 * verified uncompressed digest) plus a signature of the analyzer set: names,
 * versions, content limits. Bump an analyzer's version when its results
 * change and old entries stop matching.
 *
 * Analyzers that stream content (chunk(): Go and Rust binaries, the secret
 * scanner, file digests) see every byte of a file; recording that would copy
 * the layer, so they save their finished per-layer state instead (save/load
 * in analyzer.h). Buffered analyzers may do the same, which is cheaper than
 * parsing the recorded files again (the language package stores do: a jar
 * is not inflated twice). An image scanned with a streaming analyzer that has
 * no save/load does not use the cache.
 *
 * Entries are zstd-compressed and stored with a SHA-256 checksum
 * (db/state.c): a corrupt or truncated entry is dropped and the layer read
 * again. The payload is parsed with bounds checks all the same, in a dry run
 * first, so a bad entry never leaves a half-replayed layer.
 *
 * Payload (little-endian), before compression:
 *   "BWLC" u32 format
 *   u64 entries, file_bytes, tar_bytes, n_recs
 *   n_recs x { u8 kind, u8 type, u32 mode, u64 uid, u64 gid, u64 size,
 *              u32 path_len, path, u32 link_len + 1 (0: none), link }
 *   u64 n_deliveries
 *   n_deliveries x { u64 rec, u64 analyzer mask, u8 truncated, u32 len, bytes }
 *   u32 n_saved
 *   n_saved x { u32 analyzer index, the analyzer's save() bytes }
 */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "db/state.h"
#include "image/image_int.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/wire.h"

#define CACHE_FORMAT 1
#define DEFAULT_CACHE_BYTES BW_GiB
/* A layer whose recorded deliveries pass this is not cached (memory bound). */
#define MAX_RECORDED_BYTES (256 * BW_MiB)
/* Bound on a stored entry's decompressed size. */
#define MAX_PAYLOAD_BYTES (1 * BW_GiB)

bool bw_layer_cache_usable(const bw_image *img)
{
	if (!img->opts.layer_cache || img->from_sbom)
		return false;
	/* docker-archive and directories have no content-addressed layer to key on */
	if (img->ref.transport != BW_TRANSPORT_OCI_DIR && img->ref.transport != BW_TRANSPORT_OCI_ARCHIVE &&
	    img->ref.transport != BW_TRANSPORT_REGISTRY)
		return false;
	for (size_t i = 0; i < img->n_analyzers; i++) {
		const bw_analyzer *a = img->analyzers[i];
		char cfg[80];
		if ((a->save != NULL) != (a->load != NULL) || (a->chunk && !a->save))
			return false;
		if (a->config_signature && !a->config_signature(cfg, sizeof(cfg)))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ recording */

int bw_layer_cache_record(bw_layer *l, size_t rec, uintptr_t mask, bool truncated, const uint8_t *content,
			  size_t len)
{
	bw_buf *b = &l->cache_deliveries;
	size_t before = b->len;

	if (!b->max)
		*b = (bw_buf)BW_BUF_INIT(MAX_RECORDED_BYTES);
	if (len > UINT32_MAX || bw_wire_u64(b, rec) < 0 || bw_wire_u64(b, mask) < 0 || bw_wire_u8(b, truncated) < 0 ||
	    bw_wire_u32(b, (uint32_t)len) < 0 || (len && bw_buf_append(b, content, len) < 0)) {
		/* past the bound (or out of memory): give up caching this layer, not the scan */
		b->len = before;
		l->cache_overflow = true;
		bw_buf_free(b);
		return 0;
	}
	l->cache_n_deliveries++;
	return 0;
}

/* The analyzer set's signature: two scans share entries only with the same analyzers. */
void bw_layer_cache_signature(const bw_image *img, char out[17])
{
	char sig[4096];
	size_t len = (size_t)snprintf(sig, sizeof(sig), "bwlc%d", CACHE_FORMAT);
	for (size_t i = 0; i < img->n_analyzers && len < sizeof(sig); i++) {
		const bw_analyzer *a = img->analyzers[i];
		char cfg[80] = "";
		if (a->config_signature && !a->config_signature(cfg, sizeof(cfg)))
			cfg[0] = '\0'; /* not reached: bw_layer_cache_usable() said no */
		len += (size_t)snprintf(sig + len, sizeof(sig) - len, "|%s/%u/%zu/%d/%s", a->name, a->version,
					a->content_max, a->wants != NULL, cfg);
	}
	if (len >= sizeof(sig))
		len = sizeof(sig) - 1;
	bw_digest d;
	if (bw_digest_buffer(BW_SHA256, sig, len, &d) < 0)
		d.text[0] = '\0';
	snprintf(out, 17, "%.16s", d.text[0] ? bw_digest_hex(&d) : "");
}

static void cache_key(const bw_image *img, const bw_layer *l, char *key, size_t n)
{
	char sig[17];
	bw_layer_cache_signature(img, sig);
	snprintf(key, n, "%s/%s", l->diff_id.text, sig);
}

/*
 * The payload is compressed as it is written, in batches: at a million
 * members it is some 60 MB, and holding it whole (and its growth by
 * doubling) next to the merged tree was most of a cache-filling scan's peak.
 * (The packer is shared with imagecache.c: image_int.h.)
 */
#define BATCH_BYTES BW_CACHE_BATCH_BYTES

static int pack_stream(bw_cache_packer *k, const void *data, size_t len, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = { data, len, 0 };
	for (;;) {
		size_t room = ZSTD_CStreamOutSize();
		if (k->out_cap - k->out_len < room) {
			size_t cap = k->out_cap ? k->out_cap * 2 : 4 * room;
			if (cap > MAX_PAYLOAD_BYTES)
				return -1;
			uint8_t *o = realloc(k->out, cap);
			if (!o)
				return -1;
			k->out = o;
			k->out_cap = cap;
		}
		ZSTD_outBuffer out = { k->out, k->out_cap, k->out_len };
		size_t left = ZSTD_compressStream2(k->cctx, &out, &in, end);
		k->out_len = out.pos;
		if (ZSTD_isError(left))
			return -1;
		if (end == ZSTD_e_end ? left == 0 : in.pos == in.size)
			break;
	}
	k->fed += len;
	return 0;
}

int bw_cache_pack_flush(bw_cache_packer *k, int end)
{
	int rc = pack_stream(k, k->batch.data, k->batch.len, (ZSTD_EndDirective)end);
	bw_buf_reset(&k->batch);
	return rc;
}

int bw_cache_pack_begin(bw_cache_packer *k, uint64_t total)
{
	if (total > MAX_PAYLOAD_BYTES || !(k->cctx = ZSTD_createCCtx()) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(k->cctx, ZSTD_c_compressionLevel, 3)) ||
	    ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(k->cctx, total)))
		return -1;
	return 0;
}

void bw_cache_pack_free(bw_cache_packer *k)
{
	ZSTD_freeCCtx(k->cctx);
	free(k->out);
	bw_buf_free(&k->batch);
	memset(k, 0, sizeof(*k));
}

/* Large runs (the recorded deliveries) go to the compressor without a copy. */
static int pack_bytes(bw_cache_packer *k, const void *data, size_t len)
{
	if (len < BATCH_BYTES)
		return bw_buf_append(&k->batch, data, len) < 0 ? -1 : 0;
	if (bw_cache_pack_flush(k, ZSTD_e_continue) < 0)
		return -1;
	return pack_stream(k, data, len, ZSTD_e_continue);
}

static size_t rec_wire_bytes(const bw_layer_rec *r)
{
	return 1 + 1 + 4 + 8 + 8 + 8 + 4 + r->path_len + 4 + (r->link ? strlen(r->link) : 0);
}

void bw_layer_cache_store(bw_image *img, bw_layer *l)
{
	bw_cache_packer k = { .batch = BW_BUF_INIT(2 * BATCH_BYTES + 2 * BW_MAX_PATH_BYTES + 64) };
	bw_buf saved = BW_BUF_INIT(MAX_PAYLOAD_BYTES);
	char key[BW_DIGEST_TEXT_MAX + 32];
	bw_reclog_iter it;
	bw_layer_rec rec, *r = &rec;
	int rc = 0;

	if (!l->cache_recording || l->cache_overflow || l->rc < 0)
		goto out;
	/* the streaming analyzers' finished states, first: their size goes in the frame header */
	uint32_t n_saved = 0;
	for (size_t i = 0; i < img->n_analyzers; i++)
		n_saved += img->analyzers[i]->save != NULL;
	rc |= bw_wire_u32(&saved, n_saved);
	for (size_t i = 0; i < img->n_analyzers && rc == 0; i++) {
		const bw_analyzer *a = img->analyzers[i];
		if (!a->save)
			continue;
		rc |= bw_wire_u32(&saved, (uint32_t)i);
		rc |= a->save(l->states[i], &saved) < 0 ? -1 : 0;
	}
	uint64_t total = 4 + 4 + 4 * 8 + 8 + l->cache_deliveries.len + saved.len;
	bw_reclog_iter_init(&l->recs, &it);
	while (bw_reclog_next(&it, &rec))
		total += rec_wire_bytes(r);
	if (rc != 0 || bw_cache_pack_begin(&k, total) < 0)
		goto out; /* too big to cache, or no memory: not an error */

	rc |= bw_buf_append(&k.batch, "BWLC", 4);
	rc |= bw_wire_u32(&k.batch, CACHE_FORMAT);
	rc |= bw_wire_u64(&k.batch, l->entries);
	rc |= bw_wire_u64(&k.batch, l->file_bytes);
	rc |= bw_wire_u64(&k.batch, l->tar_bytes);
	rc |= bw_wire_u64(&k.batch, l->n_recs);
	bw_reclog_iter_init(&l->recs, &it);
	while (rc == 0 && bw_reclog_next(&it, &rec)) {
		size_t link_len = r->link ? strlen(r->link) : 0;
		rc |= bw_wire_u8(&k.batch, r->kind);
		rc |= bw_wire_u8(&k.batch, (uint8_t)r->type);
		rc |= bw_wire_u32(&k.batch, r->mode);
		rc |= bw_wire_u64(&k.batch, r->uid);
		rc |= bw_wire_u64(&k.batch, r->gid);
		rc |= bw_wire_u64(&k.batch, r->size);
		rc |= bw_wire_u32(&k.batch, r->path_len);
		rc |= bw_buf_append(&k.batch, r->path, r->path_len);
		rc |= bw_wire_u32(&k.batch, r->link ? (uint32_t)link_len + 1 : 0);
		if (link_len)
			rc |= bw_buf_append(&k.batch, r->link, link_len);
		if (rc == 0 && k.batch.len >= BATCH_BYTES)
			rc |= bw_cache_pack_flush(&k, ZSTD_e_continue);
	}
	rc |= bw_wire_u64(&k.batch, l->cache_n_deliveries);
	if (rc == 0 && l->cache_deliveries.len)
		rc |= pack_bytes(&k, l->cache_deliveries.data, l->cache_deliveries.len);
	if (rc == 0)
		rc |= pack_bytes(&k, saved.data, saved.len);
	if (rc == 0)
		rc |= bw_cache_pack_flush(&k, ZSTD_e_end);
	if (rc != 0 || k.fed != total)
		goto out; /* the size promised in the frame header is checked by zstd, and here */
	cache_key(img, l, key, sizeof(key));
	if (bw_state_cache_put(img->opts.layer_cache, key, l->diff_id.text, k.out, k.out_len,
			       img->opts.cache_max_bytes ? img->opts.cache_max_bytes : DEFAULT_CACHE_BYTES) < 0)
		bw_warn("%s: layer %zu: not cached: %s", img->name, l->index + 1, bw_error_last()->message);
out:
	bw_cache_pack_free(&k);
	bw_buf_free(&saved);
	bw_buf_free(&l->cache_deliveries);
}

/* ------------------------------------------------------------ replay */

/*
 * One record of the payload into r, its strings copied (NUL-terminated) into
 * path and link; -1 when it is malformed.
 */
static int next_rec(bw_cursor *c, bw_layer_rec *r, char *path, char *link)
{
	r->kind = bw_cursor_u8(c);
	r->type = (char)bw_cursor_u8(c);
	r->mode = bw_cursor_u32(c);
	r->uid = bw_cursor_u64(c);
	r->gid = bw_cursor_u64(c);
	r->size = bw_cursor_u64(c);
	r->path_len = bw_cursor_u32(c);
	const uint8_t *p = r->path_len <= BW_MAX_PATH_BYTES ? bw_cursor_take(c, r->path_len) : NULL;
	uint32_t link_len = bw_cursor_u32(c);
	const uint8_t *lk = link_len && link_len - 1 <= BW_MAX_PATH_BYTES ? bw_cursor_take(c, link_len - 1) : NULL;
	if (c->bad || !p || r->path_len == 0 || p[0] != '/' || memchr(p, 0, r->path_len) || r->kind > BW_REC_OPAQUE ||
	    (link_len && (!lk || memchr(lk, 0, link_len - 1))))
		return -1;
	memcpy(path, p, r->path_len);
	path[r->path_len] = '\0';
	r->path = path;
	r->link = NULL;
	if (link_len) {
		memcpy(link, lk, link_len - 1);
		link[link_len - 1] = '\0';
		r->link = link;
	}
	return 0;
}

/*
 * A replayed direct layer (layer 0, image_int.h): its entries into the tree,
 * once the whole replay has succeeded. Its markers remove nothing.
 */
static int replay_direct(bw_layer *l, const uint8_t *data, size_t len)
{
	bw_cursor c = { data, len, false };
	char path[BW_MAX_PATH_BYTES + 2], link[BW_MAX_PATH_BYTES + 2];
	bw_layer_rec r;

	bw_cursor_take(&c, 8 + 3 * 8);
	uint64_t n_recs = bw_cursor_u64(&c);
	for (uint64_t i = 0; i < n_recs; i++) {
		if (next_rec(&c, &r, path, link) < 0)
			return -1;
		if (r.kind != BW_REC_ENTRY)
			continue;
		bw_entry e = { .path = r.path, .path_len = r.path_len, .type = r.type, .mode = r.mode,
			       .uid = r.uid, .gid = r.gid, .size = r.size, .link = r.link, .layer = l->index };
		if (bw_fs_add(l->direct_fs, &e) < 0)
			return BW_EINTERNAL;
	}
	return 0;
}

/*
 * One walk over the payload. With apply false it only checks that every
 * record and delivery is well formed and in bounds; with apply true it
 * rebuilds the layer's records and hands the deliveries to the analyzers.
 */
static int replay(bw_image *img, bw_layer *l, const uint8_t *data, size_t len, bool apply)
{
	bw_cursor c = { data, len, false };
	char path[BW_MAX_PATH_BYTES + 2], link[BW_MAX_PATH_BYTES + 2];
	const uint8_t *magic = bw_cursor_take(&c, 4);
	int rc;

	if (!magic || memcmp(magic, "BWLC", 4) != 0 || bw_cursor_u32(&c) != CACHE_FORMAT)
		return -1;
	uint64_t entries = bw_cursor_u64(&c), file_bytes = bw_cursor_u64(&c), tar_bytes = bw_cursor_u64(&c), n_recs = bw_cursor_u64(&c);
	if (c.bad || n_recs > BW_DEFAULT_MAX_ENTRIES + 1ULL)
		return -1;
	bw_cursor recs_at = c; /* deliveries find their record again from here */
	for (uint64_t i = 0; i < n_recs; i++) {
		bw_layer_rec r;
		if (next_rec(&c, &r, path, link) < 0)
			return -1;
		if (!apply || l->direct_fs)
			continue; /* a direct layer's records go to the tree after the replay succeeded */
		bw_entry e = { .type = r.type, .mode = r.mode, .uid = r.uid, .gid = r.gid, .size = r.size,
			       .link = r.link };
		if ((rc = bw_layer_add_record(l, (bw_rec_kind)r.kind, &e, r.path, r.path_len)) < 0)
			return rc;
	}
	uint64_t n_del = bw_cursor_u64(&c), at = 0; /* recs_at is before record number at */
	bool have_prev = false;
	uint64_t prev = 0;
	for (uint64_t i = 0; i < n_del; i++) {
		uint64_t rec = bw_cursor_u64(&c), mask = bw_cursor_u64(&c);
		bool truncated = bw_cursor_u8(&c) != 0;
		uint32_t n = bw_cursor_u32(&c);
		const uint8_t *content = bw_cursor_take(&c, n);
		/* the pass records deliveries in member order, one per member at most */
		if (c.bad || rec >= n_recs || (have_prev && rec <= prev) ||
		    (img->n_analyzers < 64 && mask >> img->n_analyzers) || n > BW_MAX_ANALYZER_CONTENT)
			return -1;
		have_prev = true;
		prev = rec;
		if (!apply)
			continue;
		bw_layer_rec r;
		do {
			if (next_rec(&recs_at, &r, path, link) < 0)
				return -1;
		} while (at++ < rec);
		const char *slash = strrchr(r.path, '/');
		bw_entry e = {
			.path = r.path, .path_len = r.path_len, .name = slash ? slash + 1 : r.path,
			.type = r.type, .mode = r.mode, .uid = r.uid, .gid = r.gid, .size = r.size,
			.link = r.link, .layer = l->index,
		};
		/* exactly what dispatch() in layer.c hands each analyzer */
		for (size_t a = 0; a < img->n_analyzers; a++) {
			const bw_analyzer *an = img->analyzers[a];
			if (!(mask & ((uint64_t)1 << a)) || !an->entry)
				continue;
			bool give = an->content_max > 0 && e.type == BW_FT_FILE;
			size_t len_a = give ? (n < an->content_max ? n : an->content_max) : 0;
			bool trunc = give && (truncated || n > an->content_max);
			const uint8_t *bytes = give ? (n ? content : (const uint8_t *)"") : NULL;
			rc = an->entry(l->states[a], &e, bytes, len_a, trunc);
			if (rc == BW_EINTERNAL)
				return rc;
			if (rc < 0)
				bw_warn("%s: layer %zu: %s: analyzer %s: %s", img->name, l->index + 1, e.path, an->name,
					bw_error_last()->message);
		}
	}
	uint32_t n_saved = bw_cursor_u32(&c);
	if (c.bad || n_saved > img->n_analyzers)
		return -1;
	for (uint32_t k = 0; k < n_saved; k++) {
		uint32_t a = bw_cursor_u32(&c);
		if (c.bad || a >= img->n_analyzers || !img->analyzers[a]->load)
			return -1;
		if (!apply) {
			/* the dry run stops here: load() is the only reader of its bytes */
			c.left = 0;
			break;
		}
		if ((rc = img->analyzers[a]->load(l->states[a], &c)) < 0)
			return rc == BW_EINTERNAL ? rc : -1;
	}
	if (c.bad || c.left != 0)
		return -1;
	if (apply) {
		l->entries = entries;
		l->file_bytes = file_bytes;
		l->tar_bytes = tar_bytes;
	}
	return 0;
}

/* Back to the state before any replay: no records, no analyzer states. */
static void reset_layer(bw_image *img, bw_layer *l)
{
	if (l->states)
		for (size_t a = 0; a < img->n_analyzers; a++)
			if (l->states[a] && img->analyzers[a]->layer_free)
				img->analyzers[a]->layer_free(l->states[a]);
	free(l->states);
	l->states = NULL;
	bw_layer_release(l);
	l->entries = l->file_bytes = l->tar_bytes = 0;
}

int bw_layer_cache_load(bw_image *img, bw_layer *l)
{
	uint8_t *packed = NULL, *data = NULL;
	size_t packed_len;
	char key[BW_DIGEST_TEXT_MAX + 32];
	int rc, hit = 0;

	cache_key(img, l, key, sizeof(key));
	rc = bw_state_cache_get(img->opts.layer_cache, key, &packed, &packed_len);
	if (rc == 1)
		bw_warn("%s: layer %zu: the cached entry failed its checksum; reading the layer again", img->name,
			l->index + 1);
	if (rc != 0 || !packed) {
		if (rc < 0) /* an unreadable cache costs time, not the scan */
			bw_warn("%s: layer %zu: layer cache: %s", img->name, l->index + 1, bw_error_last()->message);
		goto miss;
	}
	unsigned long long size = ZSTD_getFrameContentSize(packed, packed_len);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > MAX_PAYLOAD_BYTES ||
	    !(data = malloc(size ? (size_t)size : 1)))
		goto bad;
	size_t got = ZSTD_decompress(data, (size_t)size, packed, packed_len);
	if (ZSTD_isError(got) || got != size || replay(img, l, data, got, false) < 0)
		goto bad;
	if ((rc = bw_layer_states_new(img, l)) < 0 || (rc = replay(img, l, data, got, true)) < 0 ||
	    (l->direct_fs && (rc = replay_direct(l, data, got)) < 0)) {
		if (rc == BW_EINTERNAL) {
			l->rc = rc;
			l->err = *bw_error_last();
			hit = 1; /* out of memory: the layer failed, as its pass would have */
			goto done;
		}
		reset_layer(img, l); /* a saved state did not load: start again from the blob */
		goto bad;
	}
	l->from_cache = true;
	hit = 1;
	goto done;
bad:
	bw_warn("%s: layer %zu: the cached entry is malformed; reading the layer again", img->name, l->index + 1);
miss:
	l->cache_recording = true;
done:
	free(data);
	free(packed);
	return hit;
}
