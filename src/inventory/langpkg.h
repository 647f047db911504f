/*
 * inventory/langpkg.h: the package lists returned by the Python, Ruby, PHP
 * and .NET parsers, and the glue between them and the per-file store
 * (inventory/package.h, bw_pkgstore).
 *
 * A parser appends to a bw_lang_pkgs the caller zero-initialises and frees
 * with bw_lang_pkgs_free(), also after an error. Every name, version and
 * license taken from a file goes through bw_lang_pkgs_add() /
 * bw_lang_pkgs_license(), which bound their length and count and refuse
 * control bytes, so the parsers need not repeat those checks.
 */
#ifndef BW_INVENTORY_LANGPKG_H
#define BW_INVENTORY_LANGPKG_H

#include <stdbool.h>
#include <stddef.h>

#include "bulwark/package.h"
#include "util/limits.h"

#define BW_LANG_CONTENT_MAX  (8 * BW_MiB) /* one metadata, gemspec, lock or deps file */
#define BW_LANG_MAX_PKGS     100000       /* packages listed by one file */
#define BW_LANG_MAX_LICENSES 64           /* licenses of one package */
#define BW_LANG_MAX_FIELD    1024         /* bytes of one name or version */
#define BW_LANG_MAX_LICENSE  256          /* longer "licenses" are whole license texts: dropped */

typedef struct bw_lang_pkg {
	char *name, *version;
	char **licenses;
	size_t n_licenses;
} bw_lang_pkg;

typedef struct bw_lang_pkgs {
	bw_lang_pkg *v;
	size_t n, cap;
} bw_lang_pkgs;

/*
 * Appends a package (name and version copied). BW_EINPUT naming WHAT when
 * either is empty, longer than BW_LANG_MAX_FIELD or holds a control byte or
 * a space, or when the file lists more than BW_LANG_MAX_PKGS packages.
 */
int bw_lang_pkgs_add(bw_lang_pkgs *l, const char *what, const char *name, size_t nlen, const char *version,
		     size_t vlen);
/*
 * Adds a license to the last package added: surrounding blanks trimmed;
 * empty ones, duplicates, ones longer than BW_LANG_MAX_LICENSE or with
 * control bytes are skipped (they are prose, not identifiers); more than
 * BW_LANG_MAX_LICENSES is BW_EINPUT.
 */
int bw_lang_pkgs_license(bw_lang_pkgs *l, const char *what, const char *s, size_t len);
void bw_lang_pkgs_free(bw_lang_pkgs *l);

/* true when (name, version) is already in the list (lock files repeat entries). */
bool bw_lang_pkgs_has(const bw_lang_pkgs *l, const char *name, const char *version);

/* Records the list in a bw_pkgstore for the file at path, with this type (0 packages allowed). */
int bw_lang_pkgs_put(void *store, const char *path, const char *type, const bw_lang_pkgs *l);

/* The entry() error for a file larger than the analyzer's content_max. */
int bw_lang_too_large(void);

/*
 * The end of every language analyzer's entry(): given what its parser
 * returned, records the file's packages in the store (or, when the file is
 * truncated or did not parse, records that it holds none, so an older copy
 * of the same path in this layer does not survive) and returns the result
 * to report. Frees l.
 */
int bw_lang_entry_done(void *store, const char *path, const char *type, bool truncated, int parse_rc,
		       bw_lang_pkgs *l);

/*
 * Replaces the purl of the image's packages [from, n_packages) with what
 * fn writes (the purl spec wants names that differ from the reported name:
 * PEP 503 normalised for pypi, vendor/name split for composer).
 */
typedef void (*bw_lang_purl_fn)(const bw_package *p, char *out, size_t outsz);
typedef struct bw_image bw_image;
int bw_lang_set_purls(bw_image *img, size_t from, bw_lang_purl_fn fn);

/* Trims ASCII blanks (space, tab, CR) at both ends of [*s, *s + *len). */
void bw_lang_trim(const char **s, size_t *len);

#endif
