/*
 * image/image_int.h: the image object shared by the files of src/image and
 * by analyzers' finish() callbacks. Outside src/image, use bulwark/image.h.
 */
#ifndef BW_IMAGE_IMAGE_INT_H
#define BW_IMAGE_IMAGE_INT_H

#include <pthread.h>

#include "bulwark/image.h"
#include "bulwark/package.h"
#include "crypto/digest.h"
#include "image/analyzer.h"
#include "image/fs.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/source.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/strmap.h"

/*
 * One record per tar member, kept from the layer pass until the merge. The
 * records live in a log of varint-packed bytes (layer.c): about 10 bytes plus
 * the path per member instead of a 56-byte struct and an arena string, read
 * back in order as bw_layer_rec views whose strings point into the log.
 */
typedef struct bw_layer_rec {
	const char *path;  /* NUL-terminated, in the log */
	const char *link;
	uint64_t size, uid, gid;
	uint32_t mode;
	uint32_t path_len;
	char type;
	unsigned char kind; /* bw_rec_kind */
} bw_layer_rec;

typedef struct bw_reclog_block bw_reclog_block;

typedef struct bw_reclog {
	bw_reclog_block *head, *tail;
} bw_reclog;

typedef struct bw_reclog_iter {
	const bw_reclog_block *block;
	size_t off;
} bw_reclog_iter;

void bw_reclog_iter_init(const bw_reclog *log, bw_reclog_iter *it);
/* The next record in the order they were added; false at the end. */
bool bw_reclog_next(bw_reclog_iter *it, bw_layer_rec *out);

typedef struct bw_layer {
	size_t index;
	char *member;            /* source member holding the blob */
	bool have_digest;        /* the blob's digest is known in advance (OCI) */
	bw_digest digest;        /* expected, or computed (docker-archive layer.tar) */
	bw_digest diff_id;       /* from the config */
	char *media_type;
	bw_compression comp;
	uint64_t size;
	bool size_known;
	bool foreign;
	char *created_by;
	char *skipped;           /* why the layer was not read, or NULL */

	/* results of the layer pass */
	uint64_t entries, file_bytes, tar_bytes;
	bw_reclog recs;
	size_t n_recs;
	/* Layer 0 (nothing below it, so its whiteouts remove nothing): entries go
	 * straight into the merged filesystem during the pass instead of into recs
	 * (which then only fill when the layer cache records). NULL otherwise. */
	bw_fs *direct_fs;
	void **states;           /* one per analyzer */
	int rc;
	bw_error err;

	/* the layer cache (layercache.c): deliveries recorded during the pass */
	bool cache_recording;
	bool cache_overflow;     /* too much to record: this layer is not cached */
	bool from_cache;
	bw_buf cache_deliveries;
	uint64_t cache_n_deliveries;
} bw_layer;

struct bw_image {
	bw_image_options opts;
	char *reference;
	bw_ref ref;
	bw_source *src;
	char name[512];          /* for messages: the reference as given */

	char *manifest_media_type;
	bw_digest manifest_digest;
	bool have_manifest_digest;
	bw_digest index_digest;
	bool have_index_digest;
	bw_digest config_digest;
	bool have_config_digest;
	bw_config config;
	bw_strlist repo_tags;
	size_t docker_config_size;

	size_t n_layers;
	bw_layer *layers;

	bw_fs *fs;
	bool scanned;
	bool tree_deferred;      /* scanned from the image cache: fs not built yet (imagecache.c) */
	uint64_t cached_n_files; /* the tree's size as the image cache recorded it */
	bool from_sbom;  /* sbom:FILE: packages from an SBOM, no layers */

	/* analyzer dispatch, built once per image (image.c) */
	const bw_analyzer **analyzers; /* the selected ones (opts.analyzers), in dispatch order */
	size_t n_analyzers;
	bw_strmap analyzer_paths; /* path -> (uintptr_t) bit mask of analyzers */
	bool analyzers_peek;      /* some analyzer has wants(): read heads of files */

	/* packages, added by analyzers' finish() (inventory/package.c) */
	bw_arena pkg_mem;
	bw_package *packages;
	size_t n_packages, cap_packages;

	/* secret findings, set by the secret analyzer's finish() (secrets/analyzer.c) */
	void *secrets;
	void (*secrets_free)(void *secrets);

	/* os-release, set by the analyzer */
	char *os_family, *os_version, *os_codename, *os_pretty_name;

	/* base-image attribution (base.c): manifest annotations, and the recorded
	 * chain that prefixes this image's layers */
	char *base_annotation_name, *base_annotation_digest;
	char *base_name;
	size_t base_layers;

	bw_strlist *collect_platforms; /* bw_image_platforms(): list instead of choosing */

	bw_image_info info;
	bw_layer_info *layer_infos;
	char platform_text[128];

	/* what the misconfig analyzer keeps for bw_misconfig_check_image() (misconfig/analyzer.c) */
	void *misconfig;
	void (*misconfig_free)(void *);
};

/* Streams one layer: verifies digests, records entries, runs analyzers (layer.c). */
int bw_layer_pass(bw_image *img, bw_layer *layer);
/* The same for a root filesystem directory on the host (layer.c). */
int bw_rootfs_pass(bw_image *img, bw_layer *layer);
void bw_layer_release(bw_layer *layer);
/* Appends one tar member's record to the layer (layer.c; also the cache's replay). */
int bw_layer_add_record(bw_layer *l, bw_rec_kind kind, const bw_entry *e, const char *path, size_t path_len);
/* Applies a layer's records to fs: its whiteouts first, then its entries (image.c). */
int bw_layer_merge_into(bw_fs *fs, bw_layer *l);
/* Creates the analyzers' per-layer states (layer.c). */
int bw_layer_states_new(bw_image *img, bw_layer *l);

/*
 * The layer result cache (layercache.c, docs/layer-cache.md). A layer's pass is
 * recorded (its member records and what each analyzer was handed) and stored
 * under (diff_id, analyzer set); a later scan replays it into fresh analyzer
 * states instead of reading the blob.
 */
bool bw_layer_cache_usable(const bw_image *img);
/* 1: the layer was replayed from the cache; 0: not cached (read it). */
int bw_layer_cache_load(bw_image *img, bw_layer *l);
/* After a successful pass: stores what was recorded (failures are warnings). */
void bw_layer_cache_store(bw_image *img, bw_layer *l);
/*
 * A cache entry compressed as it is written (layercache.c): append to batch,
 * flush when it passes BW_CACHE_BATCH_BYTES, flush with end = 2 (ZSTD_e_end)
 * once; begin() promises the total size (it goes in the frame header, and the
 * reader bounds its buffer by it). out/out_len: the compressed entry.
 */
#define BW_CACHE_BATCH_BYTES (256u << 10)
typedef struct bw_cache_packer {
	struct ZSTD_CCtx_s *cctx;
	bw_buf batch;        /* written, not yet compressed */
	uint8_t *out;
	size_t out_len, out_cap;
	uint64_t fed;
} bw_cache_packer;
int bw_cache_pack_begin(bw_cache_packer *k, uint64_t total);
int bw_cache_pack_flush(bw_cache_packer *k, int end);
void bw_cache_pack_free(bw_cache_packer *k);

/* 16 hex digits naming the analyzer set (names, versions, limits): part of every cache key. */
void bw_layer_cache_signature(const bw_image *img, char out[17]);

/*
 * The image result cache (imagecache.c): the finished packages and OS identity
 * of an image, keyed by its manifest digest and the analyzer set, for scans
 * whose analyzers keep nothing else. A hit leaves the tree unbuilt
 * (tree_deferred); bw_image_files() builds it on demand.
 */
bool bw_image_cache_usable(const bw_image *img);
/* 1: the result was loaded (packages, OS, layer counts); 0: not cached. */
int bw_image_cache_load(bw_image *img);
/* After a successful scan: stores the result (failures are warnings). */
void bw_image_cache_store(bw_image *img);
/* For the fuzz harness and tests: the payload codec, and undoing a load. */
int bw_image_cache__encode(const bw_image *img, uint64_t n_files, bw_buf *out);
int bw_image_cache__decode(bw_image *img, const uint8_t *data, size_t len);
void bw_image_cache__reset(bw_image *img);

/* During the pass: one delivery to the analyzers in mask (layer.c). */
int bw_layer_cache_record(bw_layer *l, size_t rec, uintptr_t mask, bool truncated, const uint8_t *content,
			  size_t len);

/* For analyzers: the merged filesystem, and setting the OS identity. */
const bw_fs *bw_image_fs(const bw_image *img);
int bw_image_set_os(bw_image *img, const char *family, const char *version,
		    const char *codename, const char *pretty);
const char *bw_image_name(const bw_image *img);
/* The content digest of a merged node (image/digests.c), NULL unless BW_ANALYZE_DIGESTS. */
const char *bw_image_file_digest(const bw_image *img, const char *data_path, size_t data_layer);

#endif
