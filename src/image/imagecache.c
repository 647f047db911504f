/*
 * image/imagecache.c: the image result cache (docs/layer-cache.md, "The image entry").
 *
 * The layer cache saves reading blobs, but a warm scan still replays every
 * layer's member records and rebuilds the merged tree: about a microsecond a
 * file, seconds for a million files. When the analyzers that ran keep nothing
 * but packages and the OS identity (scan for vulnerabilities and licenses,
 * sbom), the finished result of an image is small and depends only on the
 * image's manifest (which covers the config and every layer's digest) and on
 * the analyzer set. So after a full scan the finished result is stored too,
 * under (manifest digest, analyzer signature), and a later scan of the same
 * image loads it and builds no tree at all. If a caller then asks for the
 * files (bw_image_files), the tree is built on demand by reading the layers
 * again (image.c): the layer cache is borrowed only until bw_image_scan()
 * returns (bulwark/image.h), so it may be closed by then.
 *
 * Analyzers whose finished state is more than packages (misconfig accounts,
 * secret findings, file digests) turn it off: their finish() needs the tree.
 *
 * Entries share the layer cache's table: same checksum, same LRU cap.
 *
 * Payload (little-endian, util/wire.h), zstd-compressed:
 *   "BWIC" u32 format
 *   u64 n_layers, then per layer: u64 entries, file_bytes, tar_bytes
 *   u64 files in the merged tree
 *   os family, version, codename, pretty name (strings, may be NULL)
 *   u64 n_packages, then per package:
 *     type name version arch source_name source_version vendor maintainer purl path os_package
 *     u64 layer, then licenses, files, depends: u64 n + n strings each
 */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "db/state.h"
#include "image/image_int.h"
#include "inventory/package.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/wire.h"

#define IMAGE_CACHE_MAGIC "BWIC"
#define IMAGE_CACHE_FORMAT 1
#define DEFAULT_CACHE_BYTES BW_GiB
#define MAX_ENTRY_BYTES (512 * BW_MiB)    /* the payload, decompressed */
#define MAX_PACKAGES 4000000              /* bw_pkgstore keeps fewer per layer than this */
#define MAX_LIST 4000000                  /* files of one package, licenses, dependencies */
#define MAX_STRING (1u << 20)

#define PKG_STRINGS 11

static const char **pkg_string(bw_package *p, int i)
{
	switch (i) {
	case 0: return &p->type;
	case 1: return &p->name;
	case 2: return &p->version;
	case 3: return &p->arch;
	case 4: return &p->source_name;
	case 5: return &p->source_version;
	case 6: return &p->vendor;
	case 7: return &p->maintainer;
	case 8: return &p->purl;
	case 9: return &p->path;
	default: return &p->os_package;
	}
}

static void pkg_list(bw_package *p, int i, const char *const ***v, size_t **n)
{
	switch (i) {
	case 0: *v = &p->licenses, *n = &p->n_licenses; break;
	case 1: *v = &p->files, *n = &p->n_files; break;
	default: *v = &p->depends, *n = &p->n_depends; break;
	}
}

bool bw_image_cache_usable(const bw_image *img)
{
	if (!bw_layer_cache_usable(img) || !img->have_manifest_digest)
		return false;
	bool packages = false;
	for (size_t i = 0; i < img->n_analyzers; i++) {
		if (img->analyzers[i]->kind & ~(uint32_t)(BW_ANALYZE_OS | BW_ANALYZE_PACKAGES))
			return false;
		packages |= (img->analyzers[i]->kind & BW_ANALYZE_PACKAGES) != 0;
	}
	/* without packages there is little to save, and inspect (OS only) wants the tree */
	return packages;
}

static void cache_key(const bw_image *img, char *key, size_t n)
{
	char sig[17];
	bw_layer_cache_signature(img, sig);
	snprintf(key, n, "image/%s/%s", img->manifest_digest.text, sig);
}

/*
 * Writes the payload to b, calling step(ctx, b) after the header and after
 * each package (to count and drop, or to compress what has piled up), so a
 * result of a million packages never sits whole in memory.
 */
static int encode(const bw_image *img, uint64_t n_files, bw_buf *b, int (*step)(void *ctx, bw_buf *b), void *ctx)
{
	int rc = bw_buf_append(b, IMAGE_CACHE_MAGIC, 4);
	rc |= bw_wire_u32(b, IMAGE_CACHE_FORMAT);
	rc |= bw_wire_u64(b, img->n_layers);
	for (size_t i = 0; i < img->n_layers; i++) {
		rc |= bw_wire_u64(b, img->layers[i].entries);
		rc |= bw_wire_u64(b, img->layers[i].file_bytes);
		rc |= bw_wire_u64(b, img->layers[i].tar_bytes);
	}
	rc |= bw_wire_u64(b, n_files);
	rc |= bw_wire_str(b, img->os_family);
	rc |= bw_wire_str(b, img->os_version);
	rc |= bw_wire_str(b, img->os_codename);
	rc |= bw_wire_str(b, img->os_pretty_name);
	rc |= bw_wire_u64(b, img->n_packages);
	if (rc == 0 && step)
		rc |= step(ctx, b);
	for (size_t k = 0; k < img->n_packages && rc == 0; k++) {
		bw_package *p = &img->packages[k];
		for (int j = 0; j < PKG_STRINGS; j++)
			rc |= bw_wire_str(b, *pkg_string(p, j));
		rc |= bw_wire_u64(b, p->layer);
		for (int j = 0; j < 3; j++) {
			const char *const **v;
			size_t *nv;
			pkg_list(p, j, &v, &nv);
			rc |= bw_wire_u64(b, *nv);
			for (size_t m = 0; m < *nv && rc == 0; m++)
				rc |= bw_wire_str(b, (*v)[m]);
		}
		if (rc == 0 && step)
			rc |= step(ctx, b);
	}
	return rc ? -1 : 0;
}

int bw_image_cache__encode(const bw_image *img, uint64_t n_files, bw_buf *out)
{
	return encode(img, n_files, out, NULL, NULL);
}

static int count_step(void *ctx, bw_buf *b)
{
	*(uint64_t *)ctx += b->len;
	bw_buf_reset(b);
	return 0;
}

static int pack_step(void *ctx, bw_buf *b)
{
	(void)b; /* it is the packer's batch */
	bw_cache_packer *k = ctx;
	return k->batch.len >= BW_CACHE_BATCH_BYTES ? bw_cache_pack_flush(k, 0) : 0;
}

void bw_image_cache__reset(bw_image *img)
{
	free(img->packages);
	img->packages = NULL;
	img->n_packages = img->cap_packages = 0;
	bw_arena_free(&img->pkg_mem);
	memset(&img->pkg_mem, 0, sizeof(img->pkg_mem));
	bw_image_set_os(img, NULL, NULL, NULL, NULL);
	for (size_t i = 0; i < img->n_layers; i++)
		img->layers[i].entries = img->layers[i].file_bytes = img->layers[i].tar_bytes = 0;
	img->cached_n_files = 0;
}

/* A string written by bw_wire_str straight into the image's arena (NULL for NULL). */
static const char *take_string(bw_cursor *in, bw_image *img, int *fail)
{
	uint32_t n = bw_cursor_u32(in);
	if (in->bad || n == 0)
		return NULL;
	const uint8_t *p = n - 1 <= MAX_STRING ? bw_cursor_take(in, n - 1) : NULL;
	if (!p || memchr(p, 0, n - 1)) {
		in->bad = true;
		return NULL;
	}
	char *kept = bw_arena_strndup(&img->pkg_mem, (const char *)p, n - 1);
	if (!kept)
		*fail = 1;
	return kept;
}

/*
 * Decodes a payload into an image that has no packages yet. 0 on success;
 * BW_EINPUT for anything malformed (the image is left as it was);
 * BW_EINTERNAL when out of memory.
 */
int bw_image_cache__decode(bw_image *img, const uint8_t *data, size_t len)
{
	bw_cursor in = { data, len, false };
	char os[4][BW_MAX_PATH_BYTES];
	int fail = 0, rc = 0;

	const uint8_t *magic = bw_cursor_take(&in, 4);
	if (!magic || memcmp(magic, IMAGE_CACHE_MAGIC, 4) != 0 || bw_cursor_u32(&in) != IMAGE_CACHE_FORMAT ||
	    bw_cursor_u64(&in) != img->n_layers)
		in.bad = true;
	for (size_t i = 0; i < img->n_layers && !in.bad; i++) {
		img->layers[i].entries = bw_cursor_u64(&in);
		img->layers[i].file_bytes = bw_cursor_u64(&in);
		img->layers[i].tar_bytes = bw_cursor_u64(&in);
	}
	img->cached_n_files = bw_cursor_u64(&in);
	const char *os_s[4];
	for (int i = 0; i < 4; i++)
		os_s[i] = bw_cursor_str(&in, os[i], sizeof(os[i]));
	uint64_t n = bw_cursor_u64(&in);
	/* a package takes at least 76 bytes (11 string lengths, its layer, 3 list counts):
	 * a count beyond what is left is a lie, refused before anything is allocated for it */
	if (n > MAX_PACKAGES || n > in.left / (PKG_STRINGS * 4 + 8 + 3 * 8))
		in.bad = true;
	if (!in.bad && n && !(img->packages = calloc((size_t)n, sizeof(*img->packages))))
		fail = 1;
	img->cap_packages = img->packages ? (size_t)n : 0;
	for (uint64_t k = 0; k < n && !in.bad && !fail; k++) {
		bw_package *p = &img->packages[k];
		for (int j = 0; j < PKG_STRINGS; j++)
			*pkg_string(p, j) = take_string(&in, img, &fail);
		uint64_t layer = bw_cursor_u64(&in);
		if (layer >= img->n_layers || !p->type || !p->name || !p->version || !p->purl)
			in.bad = true;
		p->layer = (size_t)layer;
		for (int j = 0; j < 3 && !in.bad && !fail; j++) {
			const char *const **v;
			size_t *nv;
			uint64_t m = bw_cursor_u64(&in);
			pkg_list(p, j, &v, &nv);
			/* each string takes at least 4 bytes: a count beyond what is left is a lie */
			if (m > MAX_LIST || m > in.left / 4) {
				in.bad = true;
				break;
			}
			const char **list = m ? bw_arena_alloc(&img->pkg_mem, (size_t)m * sizeof(*list)) : NULL;
			if (m && !list)
				fail = 1;
			for (uint64_t x = 0; x < m && list && !in.bad; x++)
				if (!(list[x] = take_string(&in, img, &fail)) && !fail)
					in.bad = true; /* no NULL in a list */
			*v = list;
			*nv = list ? (size_t)m : 0;
		}
		img->n_packages = (size_t)k + 1;
	}
	if (!in.bad && in.left != 0)
		in.bad = true;
	if (fail || in.bad) {
		bw_image_cache__reset(img);
		return fail ? bw_error_set(BW_EINTERNAL, "out of memory")
			    : bw_error_set(BW_EINPUT, "image cache: malformed entry");
	}
	if (bw_image_set_os(img, os_s[0], os_s[1], os_s[2], os_s[3]) < 0)
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
	return rc;
}

int bw_image_cache_load(bw_image *img)
{
	uint8_t *packed = NULL, *data = NULL;
	size_t packed_len;
	char key[BW_DIGEST_TEXT_MAX + 32];
	int rc, hit = 0;

	cache_key(img, key, sizeof(key));
	rc = bw_state_cache_get(img->opts.layer_cache, key, &packed, &packed_len);
	if (rc == 1)
		bw_warn("%s: the cached image result failed its checksum; scanning the layers", img->name);
	if (rc != 0 || !packed) {
		if (rc < 0)
			bw_warn("%s: image cache: %s", img->name, bw_error_last()->message);
		goto done;
	}
	unsigned long long size = ZSTD_getFrameContentSize(packed, packed_len);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > MAX_ENTRY_BYTES ||
	    !(data = malloc(size ? (size_t)size : 1))) {
		bw_warn("%s: the cached image result is malformed; scanning the layers", img->name);
		goto done;
	}
	size_t got = ZSTD_decompress(data, (size_t)size, packed, packed_len);
	if (ZSTD_isError(got) || got != size) {
		bw_warn("%s: the cached image result is malformed; scanning the layers", img->name);
		goto done;
	}
	rc = bw_image_cache__decode(img, data, got);
	if (rc == BW_EINPUT)
		bw_warn("%s: the cached image result is malformed; scanning the layers", img->name);
	else if (rc < 0)
		bw_warn("%s: image cache: %s", img->name, bw_error_last()->message);
	hit = rc == 0;
done:
	free(data);
	free(packed);
	return hit;
}

void bw_image_cache_store(bw_image *img)
{
	bw_cache_packer k = { .batch = BW_BUF_INIT(MAX_ENTRY_BYTES) };
	char key[BW_DIGEST_TEXT_MAX + 32];
	uint64_t n_files = img->fs ? bw_fs_count(img->fs) : 0, total = 0;

	/* the size first: it goes in the frame header, and bounds the reader */
	if (encode(img, n_files, &k.batch, count_step, &total) < 0 || total > MAX_ENTRY_BYTES ||
	    bw_cache_pack_begin(&k, total) < 0)
		goto out; /* too big to cache, or no memory: not an error */
	if (encode(img, n_files, &k.batch, pack_step, &k) < 0 || bw_cache_pack_flush(&k, 2 /* ZSTD_e_end */) < 0 ||
	    k.fed != total)
		goto out;
	cache_key(img, key, sizeof(key));
	if (bw_state_cache_put(img->opts.layer_cache, key, img->manifest_digest.text, k.out, k.out_len,
			       img->opts.cache_max_bytes ? img->opts.cache_max_bytes : DEFAULT_CACHE_BYTES) < 0)
		bw_warn("%s: image result not cached: %s", img->name, bw_error_last()->message);
out:
	bw_cache_pack_free(&k);
}
