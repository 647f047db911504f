/*
 * bulwark/image.h: reading an image.
 *
 *   bw_image *img;
 *   bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
 *   if (bw_image_open(&img, "oci:./layout:latest", &opts) < 0) ... bw_error_last()
 *   if (bw_image_scan(img) < 0) ...            // the one streaming pass over all layers
 *   const bw_image_info *info = bw_image_get_info(img);
 *   bw_image_free(img);
 *
 * bw_image_open() resolves the reference, selects the platform and reads and
 * verifies the manifest and config. bw_image_scan() streams every layer once
 * (hash, decompress, tar), feeds the analyzers, verifies every blob digest
 * and diff_id, and builds the merged filesystem view. Nothing is extracted to
 * disk. A digest mismatch anywhere fails the whole call: no partial result.
 */
#ifndef BULWARK_IMAGE_H
#define BULWARK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_image bw_image;
struct bw_registry_options;

#define BW_IMAGE_OPTIONS_VERSION 1

typedef struct bw_image_options {
	unsigned version;
	const char *platform;      /* "os/arch[/variant]"; NULL: linux/<host arch> */
	unsigned threads;          /* layers read at once; 0: one per CPU */
	uint64_t max_layer_bytes;  /* decompressed bytes per layer; 0: default (32 GiB) */
	uint64_t max_file_bytes;   /* one file in a layer; 0: default (16 GiB) */
	bool keep_deleted;         /* remember paths removed by whiteouts (bw_image_deleted) */
	uint32_t analyzers;        /* BW_ANALYZE_* mask of what the layer pass feeds; 0: all but the opt-in
	                              ones (BW_ANALYZE_DIGESTS, BW_ANALYZE_SECRETS) */
	/* how to reach registries, for registry references (bulwark/registry.h); NULL: defaults.
	 * Borrowed: it and its strings must outlive the image. */
	const struct bw_registry_options *registry;
	/* The layer result cache (bulwark/state.h: the state store), or NULL for none.
	 * Borrowed: it must stay open until bw_image_scan() returns. */
	struct bw_state *layer_cache;
	uint64_t cache_max_bytes;  /* LRU cap of the cache; 0: default (1 GiB) */
} bw_image_options;

/* What the layer pass analyzes (the file list and whiteouts are always built). */
#define BW_ANALYZE_OS       (1u << 0)  /* artifact.os */
#define BW_ANALYZE_PACKAGES (1u << 1)  /* OS and language packages (bulwark/package.h) */
#define BW_ANALYZE_DIGESTS  (1u << 16) /* SHA-256 of every regular file (bw_file_info.digest); only when asked */
#define BW_ANALYZE_MISCONFIG (1u << 3) /* account files for the misconfig checks (bulwark/misconfig.h) */
#define BW_ANALYZE_SECRETS  (1u << 6)  /* secrets (bulwark/secrets.h); opt-in: not part of 0 ("all") */

#define BW_IMAGE_OPTIONS_INIT { BW_IMAGE_OPTIONS_VERSION, NULL, 0, 0, 0, false, 0, NULL, NULL, 0 }

typedef struct bw_layer_info {
	const char *digest;       /* blob digest as stored (compressed) */
	const char *diff_id;      /* uncompressed digest, from the config, verified */
	const char *media_type;
	const char *compression;  /* "gzip", "zstd", "none" */
	uint64_t size;            /* blob bytes */
	const char *created_by;   /* from the config history, or NULL */
	uint64_t entries;         /* tar members */
	uint64_t file_bytes;      /* bytes of regular files */
	const char *skipped;      /* NULL, or why the layer was not read (foreign layer) */
} bw_layer_info;

typedef struct bw_image_info {
	const char *reference;     /* as given */
	const char *transport;     /* "oci", "oci-archive", "docker-archive", "dir", "docker" (registry) */
	const char *manifest_digest;
	const char *manifest_media_type;
	const char *index_digest;  /* when the reference named an index, its digest */
	const char *config_digest;
	const char *os, *architecture, *variant, *created;
	const char *user, *working_dir;
	const char *const *env, *const *entrypoint, *const *cmd, *const *exposed_ports,
		*const *volumes;
	size_t n_env, n_entrypoint, n_cmd, n_exposed_ports, n_volumes;
	const char *const *label_keys, *const *label_values;
	size_t n_labels;
	bool has_healthcheck;
	const char *const *repo_tags; /* docker-archive RepoTags */
	size_t n_repo_tags;
	size_t n_layers;
	const bw_layer_info *layers;
	/* filled by bw_image_scan() (os-release); NULL when unknown */
	const char *os_family, *os_version, *os_codename, *os_pretty_name;
	uint64_t n_files;          /* entries in the merged filesystem, after scan */
	/* the manifest's org.opencontainers.image.base.name / .digest annotations, or NULL */
	const char *base_annotation_name, *base_annotation_digest;
	/* the recorded base image whose layers are the first base_layers of this one
	 * (bulwark/state.h, bw_base_attribute), or NULL / 0 */
	const char *base_name;
	size_t base_layers;
} bw_image_info;

BW_EXTERN int bw_image_open(bw_image **out, const char *reference, const bw_image_options *opts);
/*
 * The platforms ("os/arch[/variant]", index order, nested indexes flattened,
 * attestation entries left out) of the index the reference names, for
 * `--platform all`; *n 0 (and *out NULL) when it names a single image. Free
 * each string and the array.
 */
BW_EXTERN int bw_image_platforms(const char *reference, const bw_image_options *opts, char ***out, size_t *n);
BW_EXTERN int bw_image_scan(bw_image *img);
BW_EXTERN const bw_image_info *bw_image_get_info(const bw_image *img);
BW_EXTERN void bw_image_free(bw_image *img);

typedef struct bw_file_info {
	const char *path;         /* "/etc/passwd" */
	char type;                /* 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c', 'b', 'p' fifo, 's' */
	uint32_t mode;            /* permission and setuid/setgid/sticky bits (07777) */
	uint64_t uid, gid;
	uint64_t size;            /* for a hard link, its target's size */
	const char *link;         /* symlink target as written, or hard link target path */
	size_t layer;             /* 0-based index of the layer the entry came from */
	const char *digest;       /* "sha256:<hex>" of a regular file's (or hard link's) content when
	                             the image was scanned with BW_ANALYZE_DIGESTS, else NULL */
} bw_file_info;

/* Calls fn for every path of the merged filesystem in byte order of path
 * (the root "/" excluded); a non-zero return from fn stops and is returned. */
BW_EXTERN int bw_image_files(const bw_image *img, int (*fn)(const bw_file_info *f, void *ctx), void *ctx);

typedef struct bw_deleted_info {
	const char *path;
	size_t layer;             /* the layer whose whiteout removed it */
	size_t from_layer;        /* the layer the removed entry came from */
} bw_deleted_info;

/* Paths removed by whiteouts or opaque directories (needs keep_deleted), sorted. */
BW_EXTERN int bw_image_deleted(const bw_image *img, int (*fn)(const bw_deleted_info *d, void *ctx), void *ctx);

#ifdef __cplusplus
}
#endif
#endif
