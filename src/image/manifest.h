/*
 * image/manifest.h: the JSON documents of an image, parsed and validated.
 *
 * Parses OCI image index / Docker manifest list, OCI image manifest / Docker
 * v2 schema 2 manifest, the image config, and the manifest.json of a
 * docker-archive. Every parser takes the raw bytes (already size-bounded and
 * digest-verified by the caller where a digest exists), applies
 * bw_json_parse's bounds, and checks every field it returns: types, digest
 * syntax, counts against util/limits.h. Nothing returned points into the
 * JSON; each *_free() releases what its parser allocated.
 */
#ifndef BW_IMAGE_MANIFEST_H
#define BW_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"

#define BW_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define BW_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define BW_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define BW_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define BW_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define BW_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define BW_MT_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

typedef enum bw_doc_kind {
	BW_DOC_UNKNOWN = 0,
	BW_DOC_INDEX,
	BW_DOC_MANIFEST,
	BW_DOC_SCHEMA1, /* Docker v2 schema 1: recognised only to be refused clearly */
} bw_doc_kind;

typedef enum bw_compression {
	BW_COMP_UNKNOWN = 0,
	BW_COMP_NONE,
	BW_COMP_GZIP,
	BW_COMP_ZSTD,
} bw_compression;

typedef struct bw_strlist {
	size_t n;
	char **v;
} bw_strlist;

typedef struct bw_kvlist {
	size_t n;
	char **keys;
	char **values;
} bw_kvlist;

typedef struct bw_descriptor {
	char *media_type;   /* may be NULL in docker-archive derived descriptors */
	bw_digest digest;
	uint64_t size;
	bool has_urls;      /* foreign / non-distributable layers name external URLs */
	char *ref_name;     /* org.opencontainers.image.ref.name annotation, if any */
	char *os, *architecture, *variant; /* platform, for index entries */
} bw_descriptor;

typedef struct bw_index {
	size_t n;
	bw_descriptor *manifests;
} bw_index;

typedef struct bw_manifest {
	char *media_type;
	bw_descriptor config;
	size_t n_layers;
	bw_descriptor *layers;
	/* OCI annotations naming the image this one was built FROM (BuildKit sets them), or NULL */
	char *base_name, *base_digest;
} bw_manifest;

typedef struct bw_history {
	char *created;
	char *created_by;
	bool empty_layer;
} bw_history;

typedef struct bw_config {
	char *architecture, *os, *variant, *created;
	char *user, *working_dir;
	bw_strlist env, entrypoint, cmd, exposed_ports, volumes;
	bw_kvlist labels;
	bool has_healthcheck;
	size_t n_diff_ids;
	bw_digest *diff_ids;
	size_t n_history;
	bw_history *history;
} bw_config;

/* docker save's manifest.json (first image only: one image per archive). */
typedef struct bw_docker_manifest {
	char *config;        /* member name of the config */
	bw_strlist layers;   /* member names of the layer tars */
	bw_strlist repo_tags;
} bw_docker_manifest;

/* What kind of document this is, from its mediaType or, when absent, its shape. */
bw_doc_kind bw_doc_kind_of(const char *what, const void *data, size_t len, const char *desc_media_type);
bool bw_media_type_is_index(const char *mt);
bool bw_media_type_is_manifest(const char *mt);

/*
 * Layer media type -> compression. Returns BW_COMP_UNKNOWN for a media type
 * that is not a layer. *foreign is set for non-distributable/foreign types.
 */
bw_compression bw_layer_compression(const char *media_type, bool *foreign);
const char *bw_compression_name(bw_compression c);

int bw_index_parse(const char *what, const void *data, size_t len, bw_index *out);
int bw_manifest_parse(const char *what, const void *data, size_t len, bw_manifest *out);
int bw_config_parse(const char *what, const void *data, size_t len, bw_config *out);
int bw_docker_manifest_parse(const char *what, const void *data, size_t len, bw_docker_manifest *out);

void bw_descriptor_free(bw_descriptor *d);
void bw_index_free(bw_index *x);
void bw_manifest_free(bw_manifest *m);
void bw_config_free(bw_config *c);
void bw_docker_manifest_free(bw_docker_manifest *m);
void bw_strlist_free(bw_strlist *l);
/* Appends a copy of s unless the list holds it already; BW_EINPUT past max entries. */
int bw_strlist_add_unique(bw_strlist *l, const char *s, size_t max);
void bw_kvlist_free(bw_kvlist *l);

#endif
