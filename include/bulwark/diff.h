/*
 * bulwark/diff.h: what changed between two images (`bulwark diff`) and between
 * an image and a root filesystem on the host (`bulwark drift`).
 *
 * Both images must have been scanned (bw_image_scan) with
 * BW_ANALYZE_OS | BW_ANALYZE_PACKAGES | BW_ANALYZE_DIGESTS in
 * bw_image_options.analyzers, so that file contents compare by digest.
 */
#ifndef BULWARK_DIFF_H
#define BULWARK_DIFF_H

#include <stdio.h>

#include "bulwark/image.h"
#include "bulwark/report.h"
#include "bulwark/vulndb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What bw_diff_report / bw_drift_report need from bw_image_open. */
#define BW_DIFF_ANALYZERS (BW_ANALYZE_OS | BW_ANALYZE_PACKAGES | BW_ANALYZE_DIGESTS)

typedef struct bw_diff_summary {
	size_t packages_added, packages_removed, packages_upgraded, packages_downgraded;
	size_t vulns_fixed, vulns_introduced;
	size_t files_added, files_removed, files_changed;
	size_t config_changes;
	size_t layers_shared;
} bw_diff_summary;

/*
 * Writes the difference FROM -> TO as a table or JSON (the schema in
 * docs/immutability.md): packages added/removed/upgraded/downgraded (version
 * order of each package type, version/version.h), vulnerabilities fixed and
 * introduced when db is not NULL, files added/removed/changed (content digest,
 * mode, owner, type, link target), config changes (user, working dir, env,
 * entrypoint, cmd, exposed ports, volumes, labels) and the layers shared.
 * *summary (may be NULL) gets the counts; no change at all: every count 0.
 */
BW_EXTERN int bw_diff_report(FILE *out, const bw_image *from, const bw_image *to, bw_vulndb *db, bw_format format,
			     bw_diff_summary *summary);

typedef struct bw_drift_summary {
	size_t added, removed, modified;
	size_t sensitive;      /* of those, under bin, sbin, lib*, etc, usr/bin, usr/sbin, usr/lib*, boot */
	size_t executables;    /* of those, with an execute bit */
	size_t skipped;        /* entries not compared (too deep, unreadable), reported as warnings */
} bw_drift_summary;

/*
 * Compares the directory ROOTFS (a container's /proc/PID/root, an exported or
 * unpacked root filesystem) with IMG's merged filesystem: entries added,
 * removed or modified (type, content digest, mode, owner, symlink target).
 * The directory is walked once, relative to a directory descriptor, with
 * O_NOFOLLOW and fstatat(AT_SYMLINK_NOFOLLOW): symlinks are compared as links,
 * never followed, so a link out of the tree or a loop is harmless. Directory
 * modes and times are not compared (a runtime changes them); only contents,
 * modes of non-directories, owners and links. Device numbers are not compared.
 */
BW_EXTERN int bw_drift_report(FILE *out, const bw_image *img, const char *rootfs, bw_format format,
			      bw_drift_summary *summary);

#ifdef __cplusplus
}
#endif
#endif
