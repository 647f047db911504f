/*
 * inventory/package.h: how analyzers record packages.
 *
 * Analyzers parse their database once per layer (a snapshot per layer that
 * wrote it) and, in finish(), add the packages of the database that survived
 * to the image with bw_image_add_package(). The layer a package's final
 * version came from is found by bw_pkg_install_layer() from those snapshots.
 */
#ifndef BW_INVENTORY_PACKAGE_H
#define BW_INVENTORY_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "bulwark/package.h"
#include "util/strmap.h"
#include "util/wire.h"

typedef struct bw_image bw_image;

/*
 * A package under construction: plain C strings the caller owns; the image
 * copies what it keeps. files may be NULL.
 */
typedef struct bw_pkg_new {
	const char *type, *name, *version, *arch, *source_name, *source_version;
	const char *vendor, *maintainer, *path;
	const char *const *licenses;
	size_t n_licenses;
	const char *const *files;
	size_t n_files;
	size_t layer;
	/* purl pieces: namespace (e.g. "debian", "alpine", "rocky"), distro qualifier ("debian-12") */
	const char *purl_namespace, *purl_distro, *purl_epoch;
	const char *purl_version; /* when the purl's version differs (rpm: no epoch, it is a qualifier) */
	const char *purl;         /* a purl given as is (SBOM input); the pieces above are then unused */
	const char *os_package;   /* SBOM input: the OS package that installed this one, as the SBOM says */
	/* Dependencies as the source states them (package-lock, go build info,
	 * Cargo.lock): "name@version" of packages read from the same file. */
	const char *const *depends;
	size_t n_depends;
} bw_pkg_new;

int bw_image_add_package(bw_image *img, const bw_pkg_new *p);

/*
 * One layer's view of a package database: the set of "name\tarch\tversion"
 * keys it held. Layers that did not write the database have no snapshot.
 */
typedef struct bw_pkg_snapshot {
	bw_strmap keys;   /* key -> (void *)1; keys owned by the snapshot */
	char **owned;
	size_t n_owned, cap_owned;
} bw_pkg_snapshot;

int bw_pkg_snapshot_add(bw_pkg_snapshot *s, const char *name, const char *arch, const char *version);
void bw_pkg_snapshot_free(bw_pkg_snapshot *s);
/* Frees an array of n snapshot pointers (NULL entries allowed) and the array. */
void bw_pkg_snapshots_free(bw_pkg_snapshot **snaps, size_t n);

/*
 * The layer that installed the final version: walking down from `final_layer`
 * over the layers that have a snapshot, the lowest one of the unbroken run
 * whose snapshots all contain the package.
 */
size_t bw_pkg_install_layer(bw_pkg_snapshot *const *snaps, size_t final_layer, const char *name,
			    const char *arch, const char *version);

/*
 * The store behind file-based analyzers (language packages): per layer, the
 * packages parsed from each file; finish() keeps those whose file survived
 * in the final filesystem, with the layer it came from. A language analyzer
 * is then: wants() by name, entry() parses and calls bw_pkgstore_put(),
 *   .layer_new = bw_pkgstore_new, .layer_free = bw_pkgstore_free,
 *   .finish = bw_pkgstore_finish
 */
typedef struct bw_pkgstore bw_pkgstore;

void *bw_pkgstore_new(void);
void bw_pkgstore_free(void *store);
/*
 * Records the packages parsed from the file at path (an image path) in this
 * layer, replacing what an earlier tar entry of the same path in this layer
 * recorded; n may be 0 (the file holds no package, or was replaced by one
 * that does not). Strings are copied; layer and path of each bw_pkg_new are
 * ignored (the path given here and the surviving layer are used, unless
 * p->path is set: then it is kept, e.g. "/app/x.jar!/BOOT-INF/lib/y.jar").
 */
int bw_pkgstore_put(void *store, const char *path, const bw_pkg_new *pkgs, size_t n);
int bw_pkgstore_finish(bw_image *img, void *const *states, size_t n_layers);
/* The store as bytes for the layer cache, and back into an empty store (util/wire.h). */
int bw_pkgstore_save(void *store, bw_buf *out);
int bw_pkgstore_load(void *store, bw_cursor *in);

/*
 * After all analyzers: marks language packages whose file (the metadata or
 * archive they were read from) belongs to an OS package (bw_package.os_package).
 */
int bw_packages_mark_os_owned(bw_image *img);

/* Appends a percent-encoded purl component (purl spec: unreserved characters kept). */
void bw_purl_escape(char *out, size_t outsz, const char *s);

#endif
