/*
 * inventory/dpkg.h: the dpkg database (/var/lib/dpkg/status, the distroless
 * /var/lib/dpkg/status.d/ files) and the per-package file lists.
 */
#ifndef BW_INVENTORY_DPKG_H
#define BW_INVENTORY_DPKG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct bw_dpkg_pkg {
	char *name, *version, *arch, *source, *source_version, *maintainer, *status;
	bool installed;
} bw_dpkg_pkg;

/*
 * Parses a status file (deb822 stanzas). status_optional: a stanza with no
 * Status field counts as installed (distroless status.d files have none).
 * A line that is neither "Field: value" nor a continuation, or a line longer
 * than 1 MiB makes the whole file BW_EINPUT: a half-understood database is
 * not passed off as whole. A stanza with no or an empty Package field is
 * skipped with a warning (dpkg would refuse the file; its other stanzas are
 * still installed packages). Stanzas of other
 * tools that reuse the format (vcpkg's "Type: Port") are left out.
 */
int bw_dpkg_parse(const char *what, const char *data, size_t len, bool status_optional,
		  bw_dpkg_pkg **out, size_t *n_out);
void bw_dpkg_free(bw_dpkg_pkg *v, size_t n);

#endif
