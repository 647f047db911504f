/*
 * inventory/dpkg.c: Debian and Ubuntu packages.
 *
 * Per layer: the status file and status.d/ files that layer wrote, parsed;
 * the info/NAME.list (and distroless status.d/NAME.md5sums) file lists; the
 * machine-readable copyright files' License fields. finish() takes the
 * surviving copies from the merged filesystem. A package's layer is the one
 * that last wrote its info/NAME[:ARCH].list (what dpkg rewrites on every
 * install of that package), else the layer of its status.d file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "inventory/dpkg.h"
#include "inventory/package.h"
#include "util/limits.h"
#include "util/log.h"

#define STATUS_PATH "/var/lib/dpkg/status"
#define STATUS_D "/var/lib/dpkg/status.d/"
#define INFO_D "/var/lib/dpkg/info/"
#define DOC_D "/usr/share/doc/"
#define MAX_FIELD (1024 * 1024)

/* ------------------------------------------------------------ the parser */

static void pkg_clear(bw_dpkg_pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->source);
	free(p->source_version);
	free(p->maintainer);
	free(p->status);
	memset(p, 0, sizeof(*p));
}

void bw_dpkg_free(bw_dpkg_pkg *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		pkg_clear(&v[i]);
	free(v);
}

static char *dup_trim(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/* Finishes one stanza: validates it and appends it when it is a dpkg package. */
static int end_stanza(const char *what, bw_dpkg_pkg *cur, bool is_port, bool status_optional,
		      bw_dpkg_pkg **v, size_t *n, size_t *cap)
{
	if (!cur->name || !*cur->name) {
		/* dpkg refuses the whole file; the other stanzas are still real
		 * packages, so list them and say loudly what was skipped */
		bw_warn("%s: a stanza has %s Package field; skipped", what, cur->name ? "an empty" : "no");
		pkg_clear(cur);
		return 0;
	}
	if (is_port) { /* vcpkg's status file reuses the format: not a dpkg package */
		pkg_clear(cur);
		return 0;
	}
	if (cur->status) {
		const char *last = strrchr(cur->status, ' ');
		cur->installed = !strcmp(last ? last + 1 : cur->status, "installed");
	} else {
		cur->installed = status_optional;
	}
	if (cur->source) { /* "Source: name (version)" */
		char *paren = strchr(cur->source, '(');
		if (paren) {
			char *close = strchr(paren, ')');
			if (close)
				cur->source_version = dup_trim(paren + 1, (size_t)(close - paren - 1));
			*paren = '\0';
			char *t = dup_trim(cur->source, strlen(cur->source));
			free(cur->source);
			cur->source = t;
		}
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		bw_dpkg_pkg *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *cur;
	memset(cur, 0, sizeof(*cur));
	return 0;
}

int bw_dpkg_parse(const char *what, const char *data, size_t len, bool status_optional,
		  bw_dpkg_pkg **out, size_t *n_out)
{
	bw_dpkg_pkg cur = { 0 }, *v = NULL;
	size_t n = 0, cap = 0, line_no = 0;
	bool in_stanza = false, is_port = false;
	int rc = 0;
	const char *p = data, *end = data + len;

	*out = NULL;
	*n_out = 0;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);
		line_no++;
		if (ll > MAX_FIELD) {
			rc = bw_error_set(BW_EINPUT, "%s: line %zu is longer than %d bytes", what, line_no, MAX_FIELD);
			break;
		}
		if (memchr(p, '\0', ll)) {
			rc = bw_error_set(BW_EINPUT, "%s: NUL byte on line %zu", what, line_no);
			break;
		}
		bool blank = true;
		for (size_t i = 0; i < ll; i++)
			if (!isspace((unsigned char)p[i]))
				blank = false;
		if (blank) {
			if (in_stanza)
				rc = end_stanza(what, &cur, is_port, status_optional, &v, &n, &cap);
			in_stanza = is_port = false;
		} else if (p[0] == ' ' || p[0] == '\t') {
			if (!in_stanza) {
				rc = bw_error_set(BW_EINPUT, "%s: line %zu continues no field", what, line_no);
				break;
			}
			/* a continuation line: only multi-line fields (Description,
			 * Conffiles) use them, and we keep none of those */
		} else {
			const char *colon = memchr(p, ':', ll);
			if (!colon) {
				rc = bw_error_set(BW_EINPUT, "%s: line %zu is not a \"Field: value\" line", what, line_no);
				break;
			}
			in_stanza = true;
			size_t kl = (size_t)(colon - p);
			const char *val = colon + 1;
			size_t vl = (size_t)(le - val);
			char **dst = NULL;
#define FIELD(k, d) (kl == sizeof(k) - 1 && !strncasecmp(p, k, kl) && (dst = &(d)))
			if (FIELD("Package", cur.name) || FIELD("Version", cur.version) ||
			    FIELD("Architecture", cur.arch) || FIELD("Source", cur.source) ||
			    FIELD("Maintainer", cur.maintainer) || FIELD("Status", cur.status)) {
				free(*dst);
				if (!(*dst = dup_trim(val, vl)))
					rc = bw_error_set(BW_EINTERNAL, "out of memory");
			} else if (kl == 4 && !strncasecmp(p, "Type", 4)) {
				char *t = dup_trim(val, vl);
				is_port = t && !strcmp(t, "Port");
				free(t);
			}
#undef FIELD
		}
		p = nl ? nl + 1 : end;
	}
	if (rc == 0 && in_stanza)
		rc = end_stanza(what, &cur, is_port, status_optional, &v, &n, &cap);
	if (rc < 0) {
		pkg_clear(&cur);
		bw_dpkg_free(v, n);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* ------------------------------------------------------------ licenses */

/* Debian copyright short names -> SPDX identifiers (DEP-5 names them by
 * convention; unknown names are kept as written). */
static const char *spdx_of(const char *name)
{
	static const char *const map[][2] = {
		{ "GPL-1", "GPL-1.0-only" },       { "GPL-1+", "GPL-1.0-or-later" },
		{ "GPL-2", "GPL-2.0-only" },       { "GPL-2+", "GPL-2.0-or-later" },
		{ "GPL-3", "GPL-3.0-only" },       { "GPL-3+", "GPL-3.0-or-later" },
		{ "GPLv2", "GPL-2.0-only" },       { "GPLv2+", "GPL-2.0-or-later" },
		{ "GPLv3", "GPL-3.0-only" },       { "GPLv3+", "GPL-3.0-or-later" },
		{ "LGPL-2", "LGPL-2.0-only" },     { "LGPL-2+", "LGPL-2.0-or-later" },
		{ "LGPL-2.1", "LGPL-2.1-only" },   { "LGPL-2.1+", "LGPL-2.1-or-later" },
		{ "LGPLv2.1+", "LGPL-2.1-or-later" }, { "LGPL-3", "LGPL-3.0-only" },
		{ "LGPL-3+", "LGPL-3.0-or-later" }, { "LGPLv3+", "LGPL-3.0-or-later" },
		{ "AGPL-3", "AGPL-3.0-only" },     { "AGPL-3+", "AGPL-3.0-or-later" },
		{ "GFDL-1.2", "GFDL-1.2-only" },   { "GFDL-1.2+", "GFDL-1.2-or-later" },
		{ "GFDL-1.3", "GFDL-1.3-only" },   { "GFDL-1.3+", "GFDL-1.3-or-later" },
		{ "Apache-2", "Apache-2.0" },      { "Apache-2.0", "Apache-2.0" },
		{ "BSD-2-clause", "BSD-2-Clause" }, { "BSD-3-clause", "BSD-3-Clause" },
		{ "BSD-4-clause", "BSD-4-Clause" }, { "Expat", "MIT" },
		{ "MIT", "MIT" },                  { "X11", "X11" },
		{ "ISC", "ISC" },                  { "Zlib", "Zlib" },
		{ "CC0-1.0", "CC0-1.0" },          { "Artistic", "Artistic-1.0" },
		{ "Artistic-2.0", "Artistic-2.0" }, { "MPL-1.1", "MPL-1.1" },
		{ "MPL-2.0", "MPL-2.0" },          { "PSF-2", "PSF-2.0" },
		{ "Python-2.0", "Python-2.0" },    { "OpenSSL", "OpenSSL" },
		{ "FSFULLR", "FSFULLR" },          { "FSFAP", "FSFAP" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(name, map[i][0]))
			return map[i][1];
	return name;
}

/*
 * License names of a machine-readable (DEP-5) copyright file: every
 * "License:" field's first line, split at " or " / " and " / ",", with
 * " with ... exception" dropped; unique, in order of appearance. Files not in
 * the machine-readable format give none (free text cannot be trusted to map).
 */
static size_t copyright_licenses(const char *text, char **out, size_t max)
{
	size_t n = 0;
	if (strncmp(text, "Format:", 7) != 0 && !strstr(text, "\nFormat:"))
		return 0;
	for (const char *line = text; line && *line && n < max;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "License:", 8) != 0)
			continue;
		size_t ll = strcspn(line + 8, "\n");
		char *value = dup_trim(line + 8, ll);
		if (!value)
			break;
		char *with = strstr(value, " with ");
		if (with)
			*with = '\0';
		char *save = value;
		while (*save && n < max) {
			size_t cut = strlen(save);
			const char *seps[] = { " or ", " and ", "," };
			size_t seplen = 0;
			for (int k = 0; k < 3; k++) {
				char *f = strstr(save, seps[k]);
				if (f && (size_t)(f - save) < cut) {
					cut = (size_t)(f - save);
					seplen = strlen(seps[k]);
				}
			}
			char *tok = dup_trim(save, cut);
			save += cut + seplen;
			if (!tok)
				break;
			if (!*tok) {
				free(tok);
				continue;
			}
			const char *spdx = spdx_of(tok);
			bool dup = false;
			for (size_t i = 0; i < n; i++)
				dup = dup || !strcmp(out[i], spdx);
			if (!dup)
				out[n++] = strdup(spdx);
			free(tok);
		}
		free(value);
	}
	return n;
}

/* ------------------------------------------------------------ the analyzer */

/* One file a layer wrote; content NULL when the layer put a non-file there. */
typedef struct dpkg_file {
	char *path;
	char *content;
	size_t len;
} dpkg_file;

typedef struct dpkg_layer {
	bw_strmap files; /* path -> dpkg_file*, keyed by the file's own path */
} dpkg_layer;

static const char *const dpkg_paths[] = { STATUS_PATH, NULL };

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

static bool dpkg_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	if (has_prefix(e->path, STATUS_D))
		return true;
	if (has_prefix(e->path, INFO_D))
		return has_suffix(e->path, e->path_len, ".list");
	if (has_prefix(e->path, DOC_D)) { /* /usr/share/doc/PKG/copyright */
		const char *rest = e->path + strlen(DOC_D), *slash = strchr(rest, '/');
		return slash && slash > rest && !strcmp(slash, "/copyright");
	}
	return false;
}

static void *dpkg_layer_new(void)
{
	return calloc(1, sizeof(dpkg_layer));
}

static void dpkg_layer_free(void *state)
{
	dpkg_layer *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->files.cap; i++) {
		dpkg_file *f = s->files.slots[i].value;
		if (s->files.slots[i].key && f) {
			free(f->content);
			free(f->path);
			free(f);
		}
	}
	bw_strmap_free(&s->files);
	free(s);
}

static int dpkg_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	dpkg_layer *s = state;

	if (e->type == BW_FT_DIR)
		return 0;
	if (e->type == BW_FT_FILE && truncated)
		return bw_error_set(BW_EINPUT, "larger than %llu bytes: unreadable, its packages are not listed",
				    (unsigned long long)BW_MAX_ANALYZER_CONTENT);
	dpkg_file *f = bw_strmap_getn(&s->files, e->path, e->path_len);
	if (!f) { /* tar may hold a path twice: the later one replaces the content */
		if (!(f = calloc(1, sizeof(*f))) || !(f->path = strdup(e->path))) {
			free(f);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		if (bw_strmap_put(&s->files, f->path, f) < 0) {
			free(f->path);
			free(f);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
	}
	free(f->content);
	f->content = NULL;
	f->len = 0;
	if (e->type != BW_FT_FILE)
		return 0;
	if (!(f->content = malloc(len + 1)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memcpy(f->content, content, len);
	f->content[len] = '\0';
	f->len = len;
	return 0;
}

/* The content of the surviving file at path, or NULL; *layer gets its layer. */
static const dpkg_file *final_file(bw_image *img, void *const *states, size_t n_layers, const char *path,
				   size_t *layer)
{
	bw_fsnode *node = NULL;
	if (bw_fs_resolve(bw_image_fs(img), path, true, &node) < 0 || !node || !node->data_path ||
	    node->data_layer >= n_layers || !states[node->data_layer])
		return NULL;
	if (layer)
		*layer = node->data_layer;
	const dpkg_file *f = bw_strmap_get(&((dpkg_layer *)states[node->data_layer])->files, node->data_path);
	return f && f->content ? f : NULL;
}

/*
 * Splits a .list file into paths (the "/." line of the root is dropped), or
 * an md5sums file ("<md5>  path/relative/to/root") when md5sums is set.
 */
static size_t list_files(const dpkg_file *f, bool md5sums, char ***out)
{
	size_t n = 0, cap = 0;
	char **v = NULL;
	for (char *line = f->content; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		if (md5sums) {
			char *sp = memchr(line, ' ', ll);
			if (!sp || (size_t)(sp - line) + 2 >= ll || sp[1] != ' ') {
				line = nl ? nl + 1 : NULL;
				continue;
			}
			size_t skip = (size_t)(sp - line) + 2;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **nv = realloc(v, cap * sizeof(*nv));
				if (!nv)
					break;
				v = nv;
			}
			if (!(v[n] = malloc(ll - skip + 2)))
				break;
			v[n][0] = '/';
			memcpy(v[n] + 1, line + skip, ll - skip);
			v[n][ll - skip + 1] = '\0';
			n++;
			line = nl ? nl + 1 : NULL;
			continue;
		}
		if (ll && !(ll == 2 && line[0] == '/' && line[1] == '.')) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **nv = realloc(v, cap * sizeof(*nv));
				if (!nv)
					break;
				v = nv;
			}
			if (!(v[n] = strndup(line, ll)))
				break;
			n++;
		}
		line = nl ? nl + 1 : NULL;
	}
	*out = v;
	return n;
}

static int add_dpkg_packages(bw_image *img, void *const *states, size_t n_layers, const char *db_path,
			     const dpkg_file *db, size_t db_layer, bool status_optional)
{
	bw_dpkg_pkg *pk = NULL;
	size_t n = 0;
	char what[600];
	const char *family = img->os_family && (!strcmp(img->os_family, "debian") || !strcmp(img->os_family, "ubuntu"))
				     ? img->os_family : "debian";
	char distro[128] = "";

	if (img->os_family && img->os_version)
		snprintf(distro, sizeof(distro), "%s-%s", family, img->os_version);
	snprintf(what, sizeof(what), "%s: %s (layer %zu)", bw_image_name(img), db_path, db_layer + 1);
	if (bw_dpkg_parse(what, db->content, db->len, status_optional, &pk, &n) < 0) {
		if (bw_error_last()->code == BW_EINTERNAL)
			return BW_EINTERNAL;
		bw_warn("%s; its packages are not listed", bw_error_last()->message);
		return 0;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		bw_dpkg_pkg *d = &pk[i];
		if (!d->installed)
			continue;
		char list[BW_MAX_PATH_BYTES], doc[BW_MAX_PATH_BYTES];
		size_t layer = db_layer;
		const dpkg_file *lf = NULL;
		if (d->arch) {
			snprintf(list, sizeof(list), INFO_D "%s:%s.list", d->name, d->arch);
			lf = final_file(img, states, n_layers, list, &layer);
		}
		if (!lf) {
			snprintf(list, sizeof(list), INFO_D "%s.list", d->name);
			lf = final_file(img, states, n_layers, list, &layer);
		}
		bool md5 = false;
		if (!lf && status_optional) { /* distroless: status.d/NAME.md5sums beside the status file */
			snprintf(list, sizeof(list), STATUS_D "%s.md5sums", d->name);
			md5 = (lf = final_file(img, states, n_layers, list, NULL)) != NULL;
		}
		if (!lf || md5)
			layer = db_layer;
		char **files = NULL, *licenses[32];
		size_t n_files = lf ? list_files(lf, md5, &files) : 0, n_lic = 0;
		snprintf(doc, sizeof(doc), DOC_D "%s/copyright", d->name);
		const dpkg_file *cf = final_file(img, states, n_layers, doc, NULL);
		if (cf)
			n_lic = copyright_licenses(cf->content, licenses, 32);
		bw_pkg_new p = {
			.type = "deb", .name = d->name, .version = d->version, .arch = d->arch,
			.source_name = d->source ? d->source : d->name,
			.source_version = d->source_version ? d->source_version : d->version,
			.maintainer = d->maintainer, .path = db_path,
			.licenses = (const char *const *)licenses, .n_licenses = n_lic,
			.files = (const char *const *)files, .n_files = n_files, .layer = layer,
			.purl_namespace = family, .purl_distro = distro[0] ? distro : NULL,
		};
		rc = bw_image_add_package(img, &p);
		for (size_t k = 0; k < n_files; k++)
			free(files[k]);
		free(files);
		for (size_t k = 0; k < n_lic; k++)
			free(licenses[k]);
	}
	bw_dpkg_free(pk, n);
	return rc;
}

static int dpkg_finish(bw_image *img, void *const *states, size_t n_layers)
{
	size_t layer = 0;
	const dpkg_file *st = final_file(img, states, n_layers, STATUS_PATH, &layer);
	int rc = 0;

	if (st && (rc = add_dpkg_packages(img, states, n_layers, STATUS_PATH, st, layer, false)) < 0)
		return rc;
	/* distroless: one file per package in status.d/ (and NAME.md5sums beside it) */
	bw_fsnode *dir = bw_fs_get(bw_image_fs(img), "/var/lib/dpkg/status.d");
	if (!dir || dir->type != BW_FT_DIR)
		return 0;
	const bw_fs *fs = bw_image_fs(img);
	for (bw_fsnode *c = bw_fs_first_child(fs, dir); c && rc == 0; c = bw_fs_next_sibling(fs, c)) {
		if (c->type != BW_FT_FILE || has_suffix(c->path, strlen(c->path), ".md5sums"))
			continue;
		const dpkg_file *f = final_file(img, states, n_layers, c->path, &layer);
		if (f)
			rc = add_dpkg_packages(img, states, n_layers, c->path, f, layer, true);
	}
	return rc;
}

const bw_analyzer bw_analyzer_dpkg = {
	.name = "dpkg",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.paths = dpkg_paths,
	.wants = dpkg_wants,
	.content_max = BW_MAX_ANALYZER_CONTENT,
	.layer_new = dpkg_layer_new,
	.entry = dpkg_entry,
	.layer_free = dpkg_layer_free,
	.finish = dpkg_finish,
};
