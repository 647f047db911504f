/*
 * bulwark/state.h: the local state store, and what lives in it: recorded base
 * images (attribution, offline) and the layer result cache.
 *
 * Base images.
 * `bulwark base add IMAGE --name NAME` records the base image's layer chain
 * (its diff_ids, in order) in the local state store. A later scan asks which
 * recorded chain is the longest prefix of the scanned image's diff_ids; the
 * packages and findings that come from those first layers are "inherited
 * from base NAME", the rest were "added by this image" (docs/base-images.md).
 *
 *   bw_state *st;
 *   bw_state_open(&st, NULL);              // $BULWARK_STATE or the cache dir
 *   bw_base_add(st, base_img, "debian-12");
 *   bw_base_attribute(st, img);            // sets info->base_name / base_layers
 *   bw_state_close(st);
 */
#ifndef BULWARK_STATE_H
#define BULWARK_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "bulwark/errors.h"
#include "bulwark/image.h"
#include "bulwark/package.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The local state store: what the user told bulwark (base chains), as opposed
 * to the vulnerability database, which is downloaded data and is replaced. */
typedef struct bw_state bw_state;

/* $BULWARK_STATE, else $XDG_CACHE_HOME/bulwark/state.sqlite, else ~/.cache/bulwark/state.sqlite */
BW_EXTERN const char *bw_state_default_path(void);
/* Opens or creates the store (NULL path: the default). A corrupt or foreign
 * file is BW_EINPUT naming it. */
BW_EXTERN int bw_state_open(bw_state **out, const char *path);
BW_EXTERN void bw_state_close(bw_state *st);

typedef struct bw_base_chain {
	const char *name;
	const char *reference;       /* as given to `base add` */
	const char *manifest_digest; /* may be NULL (docker-archive without one) */
	const char *added;           /* UTC, ISO 8601 */
	size_t n_layers;
	const char *const *diff_ids; /* n_layers "sha256:..." strings */
} bw_base_chain;

/* Records img's diff_id chain under name (replacing a chain of that name).
 * img needs only bw_image_open(). name: 1..128 printable characters; NULL:
 * the reference as given. */
BW_EXTERN int bw_base_add(bw_state *st, const bw_image *img, const char *name);
/* BW_EUSAGE when no chain has that name. */
BW_EXTERN int bw_base_remove(bw_state *st, const char *name);
/* Every chain, by name; a non-zero return of fn stops and is returned. */
BW_EXTERN int bw_base_each(bw_state *st, int (*fn)(const bw_base_chain *c, void *ctx), void *ctx);

/*
 * Finds the recorded chain that is the longest prefix of img's diff_ids (the
 * whole image counts: an image is its own base when recorded) and marks the
 * image with it (bw_image_info base_name, base_layers). Between chains of the
 * same length, the one recorded from the digest that the manifest's
 * org.opencontainers.image.base.digest annotation names wins. No match leaves
 * the image unmarked (returns 0). A chain that does not read back intact is
 * BW_EINPUT: an altered store is never trusted.
 */
BW_EXTERN int bw_base_attribute(bw_state *st, bw_image *img);

/* The base image p was inherited from (its layer is one of the base's), or NULL. */
BW_EXTERN const char *bw_package_base(const bw_image_info *in, const bw_package *p);

/*
 * The layer result cache (docs/layer-cache.md). Scans use it when
 * bw_image_options.layer_cache is set; these manage it.
 */
typedef struct bw_cache_stats {
	uint64_t entries;
	uint64_t bytes;        /* compressed entry bytes */
	uint64_t images;       /* of entries, finished image results (the others are layers) */
} bw_cache_stats;
BW_EXTERN int bw_cache_stats_get(bw_state *st, bw_cache_stats *out);
/* Evicts least-recently-used entries down to max_bytes (0: all) and compacts the file. */
BW_EXTERN int bw_cache_prune(bw_state *st, uint64_t max_bytes);

/* Marks the first n_layers layers of img as the base `name` (used by
 * bw_base_attribute; name is copied). n_layers 0 clears the mark. */
BW_EXTERN int bw_image_set_base(bw_image *img, const char *name, size_t n_layers);

#ifdef __cplusplus
}
#endif
#endif
