/*
 * bulwark/package.h: the packages found in an image (after bw_image_scan).
 * Every string is owned by the image and lives until bw_image_free().
 */
#ifndef BULWARK_PACKAGE_H
#define BULWARK_PACKAGE_H

#include <stddef.h>

#include "bulwark/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_package {
	const char *type;            /* "deb", "apk", "rpm", ... (DESIGN.md §6) */
	const char *name;
	const char *version;         /* as the ecosystem writes it: deb [epoch:]upstream[-revision],
	                                rpm [epoch:]version-release, apk version-rN */
	const char *arch;            /* may be NULL */
	const char *source_name;     /* source package (deb Source, rpm source RPM name, apk origin) */
	const char *source_version;
	const char *const *licenses; /* SPDX identifiers where they map, else as written */
	size_t n_licenses;
	const char *vendor;          /* rpm vendor, or NULL */
	const char *maintainer;
	const char *purl;            /* package URL (purl spec) */
	const char *path;            /* the database file it was read from */
	size_t layer;                /* 0-based index of the layer that installed this version */
	const char *const *files;    /* files the package owns */
	size_t n_files;
	const char *const *depends;  /* "name@version" of packages from the same file it depends on */
	size_t n_depends;
	const char *os_package;      /* a language package whose files an OS package owns (Debian's
	                                python3-*, lib*-java): that OS package's name, so a flaw is
	                                not reported twice; NULL otherwise */
} bw_package;

BW_EXTERN size_t bw_image_package_count(const bw_image *img);
BW_EXTERN const bw_package *bw_image_package_at(const bw_image *img, size_t i);

#ifdef __cplusplus
}
#endif
#endif
