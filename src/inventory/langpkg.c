/* inventory/langpkg.c: package lists of the language parsers (inventory/langpkg.h). */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/image_int.h"
#include "inventory/langpkg.h"
#include "inventory/package.h"

void bw_lang_trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t' || **s == '\r')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
		(*len)--;
}

/* Names and versions are single tokens: a blank or control byte means the parser read garbage. */
static bool token_ok(const char *s, size_t len)
{
	if (!len || len > BW_LANG_MAX_FIELD)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f)
			return false;
	}
	return true;
}

int bw_lang_pkgs_add(bw_lang_pkgs *l, const char *what, const char *name, size_t nlen, const char *version,
		     size_t vlen)
{
	if (!token_ok(name, nlen))
		return bw_error_set(BW_EINPUT, "%s: a package name is empty, longer than %d bytes or holds a blank or control byte",
				    what, BW_LANG_MAX_FIELD);
	if (!token_ok(version, vlen))
		return bw_error_set(BW_EINPUT, "%s: the version of %.*s is empty, longer than %d bytes or holds a blank or control byte",
				    what, (int)nlen, name, BW_LANG_MAX_FIELD);
	if (l->n >= BW_LANG_MAX_PKGS)
		return bw_error_set(BW_EINPUT, "%s: more than %d packages", what, BW_LANG_MAX_PKGS);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		bw_lang_pkg *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	bw_lang_pkg *p = &l->v[l->n];
	memset(p, 0, sizeof(*p));
	p->name = strndup(name, nlen);
	p->version = strndup(version, vlen);
	if (!p->name || !p->version) {
		free(p->name);
		free(p->version);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	l->n++;
	return 0;
}

int bw_lang_pkgs_license(bw_lang_pkgs *l, const char *what, const char *s, size_t len)
{
	if (!l->n)
		return 0;
	bw_lang_pkg *p = &l->v[l->n - 1];
	bw_lang_trim(&s, &len);
	if (!len || len > BW_LANG_MAX_LICENSE)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return 0;
	for (size_t i = 0; i < p->n_licenses; i++)
		if (strlen(p->licenses[i]) == len && !memcmp(p->licenses[i], s, len))
			return 0;
	if (p->n_licenses >= BW_LANG_MAX_LICENSES)
		return bw_error_set(BW_EINPUT, "%s: %s has more than %d licenses", what, p->name, BW_LANG_MAX_LICENSES);
	char **v = realloc(p->licenses, (p->n_licenses + 1) * sizeof(*v));
	if (!v)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	p->licenses = v;
	if (!(v[p->n_licenses] = strndup(s, len)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	p->n_licenses++;
	return 0;
}

void bw_lang_pkgs_free(bw_lang_pkgs *l)
{
	for (size_t i = 0; l && i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].version);
		for (size_t k = 0; k < l->v[i].n_licenses; k++)
			free(l->v[i].licenses[k]);
		free(l->v[i].licenses);
	}
	if (l) {
		free(l->v);
		memset(l, 0, sizeof(*l));
	}
}

bool bw_lang_pkgs_has(const bw_lang_pkgs *l, const char *name, const char *version)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name) && !strcmp(l->v[i].version, version))
			return true;
	return false;
}

int bw_lang_pkgs_put(void *store, const char *path, const char *type, const bw_lang_pkgs *l)
{
	bw_pkg_new *v = NULL;
	int rc;

	if (l->n && !(v = calloc(l->n, sizeof(*v))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		v[i].type = type;
		v[i].name = l->v[i].name;
		v[i].version = l->v[i].version;
		v[i].licenses = (const char *const *)l->v[i].licenses;
		v[i].n_licenses = l->v[i].n_licenses;
	}
	rc = bw_pkgstore_put(store, path, v, l->n);
	free(v);
	return rc;
}

int bw_lang_too_large(void)
{
	return bw_error_set(BW_EINPUT, "larger than %llu bytes: unreadable, its packages are not listed",
			    (unsigned long long)BW_LANG_CONTENT_MAX);
}

int bw_lang_entry_done(void *store, const char *path, const char *type, bool truncated, int parse_rc,
		       bw_lang_pkgs *l)
{
	int rc;
	if (truncated)
		parse_rc = bw_lang_too_large();
	if (parse_rc == BW_EINTERNAL) {
		bw_lang_pkgs_free(l);
		return parse_rc;
	}
	if (parse_rc < 0) {
		bw_error prev = *bw_error_last();
		bw_lang_pkgs_free(l);
		if (bw_pkgstore_put(store, path, NULL, 0) < 0)
			return BW_EINTERNAL;
		return bw_error_restore(&prev);
	}
	rc = bw_lang_pkgs_put(store, path, type, l);
	bw_lang_pkgs_free(l);
	return rc;
}

int bw_lang_set_purls(bw_image *img, size_t from, bw_lang_purl_fn fn)
{
	char purl[2048];
	for (size_t i = from; i < img->n_packages; i++) {
		bw_package *p = &img->packages[i];
		purl[0] = '\0';
		fn(p, purl, sizeof(purl));
		char *c = bw_arena_strdup(&img->pkg_mem, purl);
		if (!c)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		p->purl = c;
	}
	return 0;
}
