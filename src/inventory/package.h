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

/* Appends a percent-encoded purl component (purl spec: unreserved characters kept). */
void bw_purl_escape(char *out, size_t outsz, const char *s);

#endif
