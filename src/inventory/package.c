/* inventory/package.c: recording packages on the image, install layers, package URLs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/image_int.h"
#include "inventory/package.h"
#include "util/limits.h"

void bw_purl_escape(char *out, size_t outsz, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = strlen(out);
	for (; s && *s && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '-' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static void purl_of(const bw_pkg_new *p, char *out, size_t n)
{
	out[0] = '\0';
	snprintf(out, n, "pkg:%s/", p->type);
	if (p->purl_namespace) {
		/* a namespace has segments ("github.com/gorilla"): each is escaped, the '/' kept */
		char seg[512];
		for (const char *ns = p->purl_namespace; *ns;) {
			size_t len = strcspn(ns, "/");
			snprintf(seg, sizeof(seg), "%.*s", (int)len, ns);
			bw_purl_escape(out, n, seg);
			strncat(out, "/", n - strlen(out) - 1);
			ns += len;
			while (*ns == '/')
				ns++;
		}
	}
	/* a name that spells its namespace ("@hapi/hoek", "github.com/x/y") gives the purl only the rest */
	const char *pname = p->name;
	size_t nsl = p->purl_namespace ? strlen(p->purl_namespace) : 0;
	if (pname && nsl && !strncmp(pname, p->purl_namespace, nsl) && pname[nsl] == '/' && pname[nsl + 1])
		pname += nsl + 1;
	bw_purl_escape(out, n, pname);
	const char *version = p->purl_version ? p->purl_version : p->version;
	if (version) {
		strncat(out, "@", n - strlen(out) - 1);
		bw_purl_escape(out, n, version);
	}
	/* qualifiers in lexical order, as the purl spec's canonical form wants */
	const char *keys[] = { "arch", "distro", "epoch" };
	const char *vals[] = { p->arch, p->purl_distro, p->purl_epoch };
	char sep = '?';
	for (int i = 0; i < 3; i++) {
		if (!vals[i] || !*vals[i])
			continue;
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%c%s=", sep, keys[i]);
		bw_purl_escape(out, n, vals[i]);
		sep = '&';
	}
}

static const char *keep(bw_image *img, const char *s, int *fail)
{
	if (!s)
		return NULL;
	char *c = bw_arena_strdup(&img->pkg_mem, s);
	if (!c)
		*fail = 1;
	return c;
}

int bw_image_add_package(bw_image *img, const bw_pkg_new *p)
{
	int fail = 0;
	char purl[2048];

	if (img->n_packages == img->cap_packages) {
		size_t cap = img->cap_packages ? img->cap_packages * 2 : 64;
		bw_package *v = realloc(img->packages, cap * sizeof(*v));
		if (!v)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		img->packages = v;
		img->cap_packages = cap;
	}
	bw_package *q = &img->packages[img->n_packages];
	memset(q, 0, sizeof(*q));
	if (p->purl)
		snprintf(purl, sizeof(purl), "%s", p->purl);
	else
		purl_of(p, purl, sizeof(purl));
	q->type = keep(img, p->type, &fail);
	q->name = keep(img, p->name, &fail);
	q->version = keep(img, p->version, &fail);
	q->arch = keep(img, p->arch, &fail);
	q->source_name = keep(img, p->source_name, &fail);
	q->source_version = keep(img, p->source_version, &fail);
	q->vendor = keep(img, p->vendor, &fail);
	q->maintainer = keep(img, p->maintainer, &fail);
	q->path = keep(img, p->path, &fail);
	q->purl = keep(img, purl, &fail);
	q->os_package = keep(img, p->os_package, &fail);
	q->layer = p->layer;
	if (p->n_licenses) {
		const char **l = bw_arena_alloc(&img->pkg_mem, p->n_licenses * sizeof(char *));
		if (!l)
			fail = 1;
		for (size_t i = 0; l && i < p->n_licenses; i++)
			l[i] = keep(img, p->licenses[i], &fail);
		q->licenses = l;
		q->n_licenses = l ? p->n_licenses : 0;
	}
	if (p->n_depends) {
		const char **d = bw_arena_alloc(&img->pkg_mem, p->n_depends * sizeof(char *));
		if (!d)
			fail = 1;
		for (size_t i = 0; d && i < p->n_depends; i++)
			d[i] = keep(img, p->depends[i], &fail);
		q->depends = d;
		q->n_depends = d ? p->n_depends : 0;
	}
	if (p->n_files) {
		const char **f = bw_arena_alloc(&img->pkg_mem, p->n_files * sizeof(char *));
		if (!f)
			fail = 1;
		for (size_t i = 0; f && i < p->n_files; i++)
			f[i] = keep(img, p->files[i], &fail);
		q->files = f;
		q->n_files = f ? p->n_files : 0;
	}
	if (fail)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	img->n_packages++;
	return 0;
}

size_t bw_image_package_count(const bw_image *img)
{
	return img->n_packages;
}

const bw_package *bw_image_package_at(const bw_image *img, size_t i)
{
	return i < img->n_packages ? &img->packages[i] : NULL;
}

static char *snap_key(const char *name, const char *arch, const char *version)
{
	size_t n = strlen(name) + (arch ? strlen(arch) : 0) + (version ? strlen(version) : 0) + 3;
	char *k = malloc(n);
	if (k)
		snprintf(k, n, "%s\t%s\t%s", name, arch ? arch : "", version ? version : "");
	return k;
}

int bw_pkg_snapshot_add(bw_pkg_snapshot *s, const char *name, const char *arch, const char *version)
{
	char *k = snap_key(name, arch, version);
	if (!k)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (s->n_owned == s->cap_owned) {
		size_t cap = s->cap_owned ? s->cap_owned * 2 : 64;
		char **o = realloc(s->owned, cap * sizeof(*o));
		if (!o) {
			free(k);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		s->owned = o;
		s->cap_owned = cap;
	}
	s->owned[s->n_owned++] = k;
	if (bw_strmap_put(&s->keys, k, (void *)1) < 0)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

void bw_pkg_snapshot_free(bw_pkg_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_owned; i++)
		free(s->owned[i]);
	free(s->owned);
	bw_strmap_free(&s->keys);
	memset(s, 0, sizeof(*s));
}

void bw_pkg_snapshots_free(bw_pkg_snapshot **snaps, size_t n)
{
	for (size_t i = 0; snaps && i < n; i++) {
		bw_pkg_snapshot_free(snaps[i]);
		free(snaps[i]);
	}
	free(snaps);
}

size_t bw_pkg_install_layer(bw_pkg_snapshot *const *snaps, size_t final_layer, const char *name,
			    const char *arch, const char *version)
{
	char *k = snap_key(name, arch, version);
	size_t found = final_layer;
	if (!k)
		return final_layer;
	for (size_t i = final_layer + 1; i-- > 0;) {
		if (!snaps[i])
			continue;
		if (!bw_strmap_get(&snaps[i]->keys, k))
			break;
		found = i;
	}
	free(k);
	return found;
}

/* ------------------------------------------------------------ the per-file store */

#include "image/fs.h"

typedef struct pkgstore_file {
	char *path;
	bw_pkg_new *pkgs;
	size_t n;
	bw_arena mem; /* the strings of pkgs */
} pkgstore_file;

struct bw_pkgstore {
	bw_strmap files; /* path -> pkgstore_file*, keyed by the record's own path */
};

void *bw_pkgstore_new(void)
{
	return calloc(1, sizeof(bw_pkgstore));
}

static void pkgstore_file_clear(pkgstore_file *f)
{
	free(f->pkgs);
	bw_arena_free(&f->mem);
	f->pkgs = NULL;
	f->n = 0;
}

void bw_pkgstore_free(void *store)
{
	bw_pkgstore *s = store;
	if (!s)
		return;
	for (size_t i = 0; i < s->files.cap; i++) {
		pkgstore_file *f = s->files.slots[i].value;
		if (s->files.slots[i].key && f) {
			pkgstore_file_clear(f);
			free(f->path);
			free(f);
		}
	}
	bw_strmap_free(&s->files);
	free(s);
}

static const char *arena_dup(bw_arena *a, const char *s, int *fail)
{
	if (!s)
		return NULL;
	char *c = bw_arena_strdup(a, s);
	if (!c)
		*fail = 1;
	return c;
}

static const char *const *arena_dup_list(bw_arena *a, const char *const *v, size_t n, int *fail)
{
	if (!n)
		return NULL;
	const char **out = bw_arena_alloc(a, n * sizeof(*out));
	if (!out) {
		*fail = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = arena_dup(a, v[i], fail);
	return out;
}

int bw_pkgstore_put(void *store, const char *path, const bw_pkg_new *pkgs, size_t n)
{
	bw_pkgstore *s = store;
	pkgstore_file *f = bw_strmap_get(&s->files, path);
	int fail = 0;

	if (!f) {
		if (!(f = calloc(1, sizeof(*f))) || !(f->path = strdup(path))) {
			free(f);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		if (bw_strmap_put(&s->files, f->path, f) < 0) {
			free(f->path);
			free(f);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
	}
	pkgstore_file_clear(f);
	if (!n)
		return 0;
	if (!(f->pkgs = calloc(n, sizeof(*f->pkgs))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const bw_pkg_new *p = &pkgs[i];
		bw_pkg_new *q = &f->pkgs[i];
		bw_arena *a = &f->mem;
		q->type = arena_dup(a, p->type, &fail);
		q->name = arena_dup(a, p->name, &fail);
		q->version = arena_dup(a, p->version, &fail);
		q->arch = arena_dup(a, p->arch, &fail);
		q->source_name = arena_dup(a, p->source_name, &fail);
		q->source_version = arena_dup(a, p->source_version, &fail);
		q->vendor = arena_dup(a, p->vendor, &fail);
		q->maintainer = arena_dup(a, p->maintainer, &fail);
		q->path = arena_dup(a, p->path, &fail);
		q->purl_namespace = arena_dup(a, p->purl_namespace, &fail);
		q->purl_distro = arena_dup(a, p->purl_distro, &fail);
		q->purl_epoch = arena_dup(a, p->purl_epoch, &fail);
		q->purl_version = arena_dup(a, p->purl_version, &fail);
		q->licenses = arena_dup_list(a, p->licenses, p->n_licenses, &fail);
		q->n_licenses = q->licenses ? p->n_licenses : 0;
		q->files = arena_dup_list(a, p->files, p->n_files, &fail);
		q->n_files = q->files ? p->n_files : 0;
		q->depends = arena_dup_list(a, p->depends, p->n_depends, &fail);
		q->n_depends = q->depends ? p->n_depends : 0;
	}
	f->n = n;
	if (fail)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

/* ---- the store in the layer cache (image/layercache.c) ---- */

#define PKG_STRINGS 13
#define PKG_LISTS 3
#define MAX_SAVED_PKGS_PER_FILE (1u << 20)
#define MAX_SAVED_LIST (1u << 20)
#define MAX_SAVED_STRING (1u << 20)

static const char **pkg_string(bw_pkg_new *p, int i)
{
	const char **f[PKG_STRINGS] = { &p->type, &p->name, &p->version, &p->arch, &p->source_name,
					&p->source_version, &p->vendor, &p->maintainer, &p->path,
					&p->purl_namespace, &p->purl_distro, &p->purl_epoch, &p->purl_version };
	return f[i];
}

static void pkg_list(bw_pkg_new *p, int i, const char *const ***v, size_t **n)
{
	switch (i) {
	case 0: *v = &p->licenses, *n = &p->n_licenses; break;
	case 1: *v = &p->files, *n = &p->n_files; break;
	default: *v = &p->depends, *n = &p->n_depends; break;
	}
}

int bw_pkgstore_save(void *store, bw_buf *out)
{
	const bw_pkgstore *s = store;
	uint64_t n_files = 0;
	for (size_t i = 0; i < s->files.cap; i++)
		n_files += s->files.slots[i].key && s->files.slots[i].value;
	int rc = bw_wire_u64(out, n_files);
	for (size_t i = 0; i < s->files.cap && rc == 0; i++) {
		pkgstore_file *f = s->files.slots[i].value;
		if (!s->files.slots[i].key || !f)
			continue;
		rc |= bw_wire_str(out, f->path);
		rc |= bw_wire_u64(out, f->n);
		for (size_t k = 0; k < f->n && rc == 0; k++) {
			bw_pkg_new *p = &f->pkgs[k];
			for (int j = 0; j < PKG_STRINGS; j++)
				rc |= bw_wire_str(out, *pkg_string(p, j));
			for (int j = 0; j < PKG_LISTS; j++) {
				const char *const **v;
				size_t *n;
				pkg_list(p, j, &v, &n);
				rc |= bw_wire_u64(out, *n);
				for (size_t m = 0; m < *n; m++)
					rc |= bw_wire_str(out, (*v)[m]);
			}
		}
	}
	return rc ? -1 : 0; /* -1: the buffer's bound; the caller does not cache */
}

/* One saved string into the arena; the cursor turns bad on anything malformed. */
static const char *load_string(bw_cursor *in, bw_arena *a, char *tmp, int *fail)
{
	const char *s = bw_cursor_str(in, tmp, MAX_SAVED_STRING);
	return s ? arena_dup(a, s, fail) : NULL;
}

int bw_pkgstore_load(void *store, bw_cursor *in)
{
	char *tmp = malloc(MAX_SAVED_STRING);
	char path[BW_MAX_PATH_BYTES + 2];
	int rc = 0, fail = 0;

	if (!tmp)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	uint64_t n_files = bw_cursor_u64(in);
	if (n_files > BW_DEFAULT_MAX_ENTRIES)
		in->bad = true;
	for (uint64_t i = 0; i < n_files && !in->bad && rc == 0; i++) {
		bw_arena a = { 0 };
		if (!bw_cursor_str(in, path, sizeof(path)))
			in->bad = true;
		uint64_t n = bw_cursor_u64(in);
		bw_pkg_new *pkgs = NULL;
		if (in->bad || n > MAX_SAVED_PKGS_PER_FILE || (n && !(pkgs = calloc(n, sizeof(*pkgs))))) {
			in->bad = in->bad || n > MAX_SAVED_PKGS_PER_FILE;
			if (!in->bad)
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
		for (uint64_t k = 0; k < n && !in->bad; k++) {
			bw_pkg_new *p = &pkgs[k];
			for (int j = 0; j < PKG_STRINGS; j++)
				*pkg_string(p, j) = load_string(in, &a, tmp, &fail);
			for (int j = 0; j < PKG_LISTS && !in->bad; j++) {
				const char *const **v;
				size_t *nv;
				uint64_t m = bw_cursor_u64(in);
				pkg_list(p, j, &v, &nv);
				if (m > MAX_SAVED_LIST) {
					in->bad = true;
					break;
				}
				const char **list = m ? bw_arena_alloc(&a, (size_t)m * sizeof(*list)) : NULL;
				if (m && !list)
					fail = 1;
				for (uint64_t x = 0; x < m && list; x++)
					list[x] = load_string(in, &a, tmp, &fail);
				*v = list;
				*nv = list ? (size_t)m : 0;
			}
		}
		if (fail)
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
		else if (!in->bad)
			rc = bw_pkgstore_put(store, path, pkgs, (size_t)n);
		free(pkgs);
		bw_arena_free(&a);
	}
	free(tmp);
	if (rc == 0 && in->bad)
		rc = bw_error_set(BW_EINPUT, "layer cache: malformed package store");
	return rc;
}

int bw_pkgstore_finish(bw_image *img, void *const *states, size_t n_layers)
{
	const bw_fs *fs = bw_image_fs(img);
	int rc = 0;

	for (size_t l = 0; l < n_layers && rc == 0; l++) {
		const bw_pkgstore *s = states[l];
		if (!s)
			continue;
		for (size_t i = 0; i < s->files.cap && rc == 0; i++) {
			const pkgstore_file *f = s->files.slots[i].value;
			if (!s->files.slots[i].key || !f || !f->n)
				continue;
			/* only the copy of the file that is in the final image counts */
			const bw_fsnode *node = bw_fs_get(fs, f->path);
			if (!node || !node->data_path || node->data_layer != l || strcmp(node->data_path, f->path))
				continue;
			for (size_t k = 0; k < f->n && rc == 0; k++) {
				bw_pkg_new p = f->pkgs[k];
				p.layer = l;
				if (!p.path)
					p.path = f->path;
				rc = bw_image_add_package(img, &p);
			}
		}
	}
	return rc;
}

static bool is_os_package(const bw_package *p)
{
	return p->type && (!strcmp(p->type, "deb") || !strcmp(p->type, "rpm") || !strcmp(p->type, "apk"));
}

int bw_packages_mark_os_owned(bw_image *img)
{
	bw_strmap owner = { 0 }; /* file path -> owning OS package name */
	int rc = 0;

	for (size_t i = 0; i < img->n_packages && rc == 0; i++) {
		const bw_package *p = &img->packages[i];
		if (!is_os_package(p))
			continue;
		for (size_t k = 0; k < p->n_files && rc == 0; k++)
			if (bw_strmap_put(&owner, p->files[k], (void *)p->name) < 0)
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
	}
	for (size_t i = 0; i < img->n_packages && rc == 0 && owner.live; i++) {
		bw_package *p = &img->packages[i];
		if (is_os_package(p) || !p->path)
			continue;
		/* "/usr/share/java/x.jar!/inner.jar" is owned when the outer archive is */
		size_t len = strcspn(p->path, "!");
		const char *name = bw_strmap_getn(&owner, p->path, len);
		if (!name) { /* a metadata directory (dist-info, egg-info) may be listed without its files */
			const char *slash = memrchr(p->path, '/', len);
			if (slash && slash > p->path)
				name = bw_strmap_getn(&owner, p->path, (size_t)(slash - p->path));
		}
		p->os_package = name;
	}
	bw_strmap_free(&owner);
	return rc;
}
