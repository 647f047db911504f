/* inventory/apk.h: Alpine, Wolfi and Chainguard packages (/lib/apk/db/installed). */
#ifndef BW_INVENTORY_APK_H
#define BW_INVENTORY_APK_H

#include <stddef.h>

typedef struct bw_apk_pkg {
	char *name, *version, *arch, *origin, *license, *maintainer;
	char **files;
	size_t n_files;
} bw_apk_pkg;

/*
 * Parses an installed database: records of "K:value" lines separated by
 * blank lines; F: names a directory, R: a file in the last F:. A line that is
 * not "K:value", a record without P:, or more than 1,000,000 files in all is
 * BW_EINPUT for the whole file.
 */
int bw_apk_parse(const char *what, const char *data, size_t len, bw_apk_pkg **out, size_t *n_out);
void bw_apk_free(bw_apk_pkg *v, size_t n);

#endif
