/*
 * inventory/apk.c: Alpine-family packages. The database is one file; each
 * layer that wrote it leaves a snapshot, and a package's layer is where its
 * final version first appeared in the unbroken run of snapshots up to the
 * final one (inventory/package.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "inventory/apk.h"
#include "inventory/package.h"
#include "util/limits.h"
#include "util/log.h"

#define APK_DB "/lib/apk/db/installed"
#define MAX_FILES 1000000
#define MAX_LINE (1024 * 1024)

static void pkg_clear(bw_apk_pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->origin);
	free(p->license);
	free(p->maintainer);
	for (size_t i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->files);
	memset(p, 0, sizeof(*p));
}

void bw_apk_free(bw_apk_pkg *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		pkg_clear(&v[i]);
	free(v);
}

static int add_file(bw_apk_pkg *p, size_t *cap, const char *dir, const char *name, size_t nlen)
{
	if (p->n_files == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **f = realloc(p->files, c * sizeof(*f));
		if (!f)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		p->files = f;
		*cap = c;
	}
	size_t dl = dir ? strlen(dir) : 0, total = 1 + dl + 1 + nlen + 1;
	char *path = malloc(total);
	if (!path)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (dl)
		snprintf(path, total, "/%s/%.*s", dir, (int)nlen, name);
	else
		snprintf(path, total, "/%.*s", (int)nlen, name);
	p->files[p->n_files++] = path;
	return 0;
}

int bw_apk_parse(const char *what, const char *data, size_t len, bw_apk_pkg **out, size_t *n_out)
{
	bw_apk_pkg cur = { 0 }, *v = NULL;
	size_t n = 0, cap = 0, files_cap = 0, total_files = 0, line_no = 0;
	char *dir = NULL;
	bool in_record = false;
	int rc = 0;
	const char *p = data, *end = data + len;

	*out = NULL;
	*n_out = 0;
	for (;;) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		const char *le = p < end ? (nl ? nl : end) : p;
		size_t ll = (size_t)(le - p);
		line_no++;
		if (p >= end || ll == 0) { /* end of a record */
			if (in_record) {
				if (!cur.name || !*cur.name) {
					rc = bw_error_set(BW_EINPUT, "%s: the record ending at line %zu has no P: name", what, line_no);
					break;
				}
				if (n == cap) {
					size_t c = cap ? cap * 2 : 64;
					bw_apk_pkg *nv = realloc(v, c * sizeof(*nv));
					if (!nv) {
						rc = bw_error_set(BW_EINTERNAL, "out of memory");
						break;
					}
					v = nv;
					cap = c;
				}
				v[n++] = cur;
				memset(&cur, 0, sizeof(cur));
				files_cap = 0;
				free(dir);
				dir = NULL;
				in_record = false;
			}
			if (p >= end)
				break;
			p = nl + 1;
			continue;
		}
		if (ll > MAX_LINE) {
			rc = bw_error_set(BW_EINPUT, "%s: line %zu is longer than %d bytes", what, line_no, MAX_LINE);
			break;
		}
		if (ll < 2 || p[1] != ':' || memchr(p, '\0', ll)) {
			rc = bw_error_set(BW_EINPUT, "%s: line %zu is not a \"K:value\" line", what, line_no);
			break;
		}
		in_record = true;
		const char *val = p + 2;
		size_t vl = ll - 2;
		char **dst = NULL;
		switch (p[0]) {
		case 'P': dst = &cur.name; break;
		case 'V': dst = &cur.version; break;
		case 'A': dst = &cur.arch; break;
		case 'o': dst = &cur.origin; break;
		case 'L': dst = &cur.license; break;
		case 'm': dst = &cur.maintainer; break;
		case 'F':
			free(dir);
			if (!(dir = strndup(val, vl)))
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		case 'R':
			if (++total_files > MAX_FILES)
				rc = bw_error_set(BW_EINPUT, "%s: more than %d files", what, MAX_FILES);
			else
				rc = add_file(&cur, &files_cap, dir, val, vl);
			break;
		default:
			break;
		}
		if (dst) {
			free(*dst);
			if (!(*dst = strndup(val, vl)))
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
		}
		if (rc < 0)
			break;
		p = nl ? nl + 1 : end;
	}
	free(dir);
	if (rc < 0) {
		pkg_clear(&cur);
		bw_apk_free(v, n);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* ------------------------------------------------------------ the analyzer */

typedef struct apk_layer {
	char *content; /* the database as this layer wrote it, or NULL */
	size_t len;
	bool wrote;    /* this layer wrote the path (maybe as a non-file) */
} apk_layer;

static const char *const apk_paths[] = { APK_DB, NULL };

static void *apk_layer_new(void)
{
	return calloc(1, sizeof(apk_layer));
}

static void apk_layer_free(void *state)
{
	apk_layer *s = state;
	if (s)
		free(s->content);
	free(s);
}

static int apk_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	apk_layer *s = state;
	free(s->content);
	s->content = NULL;
	s->wrote = true;
	if (e->type != BW_FT_FILE)
		return 0;
	if (truncated)
		return bw_error_set(BW_EINPUT, "larger than %llu bytes: unreadable, its packages are not listed",
				    (unsigned long long)BW_MAX_ANALYZER_CONTENT);
	if (!(s->content = malloc(len + 1)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memcpy(s->content, content, len);
	s->content[len] = '\0';
	s->len = len;
	return 0;
}

static int apk_finish(bw_image *img, void *const *states, size_t n_layers)
{
	bw_fsnode *node = NULL;
	bw_pkg_snapshot **snaps = NULL;
	bw_apk_pkg *pk = NULL;
	size_t n = 0;
	char what[600], distro[128] = "";
	int rc = 0;

	if (bw_fs_resolve(bw_image_fs(img), APK_DB, true, &node) < 0)
		return BW_EINPUT;
	if (!node || !node->data_path || node->data_layer >= n_layers || !states[node->data_layer] ||
	    !((apk_layer *)states[node->data_layer])->content)
		return 0;
	size_t final = node->data_layer;
	const apk_layer *db = states[final];
	snprintf(what, sizeof(what), "%s: %s (layer %zu)", bw_image_name(img), APK_DB, final + 1);
	if (bw_apk_parse(what, db->content, db->len, &pk, &n) < 0) {
		if (bw_error_last()->code == BW_EINTERNAL)
			return BW_EINTERNAL;
		bw_warn("%s; its packages are not listed", bw_error_last()->message);
		return 0;
	}
	/* one snapshot per layer that wrote a readable database, for install layers */
	if (!(snaps = calloc(n_layers + 1, sizeof(*snaps)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i <= final && rc == 0; i++) {
		const apk_layer *s = states[i];
		bw_apk_pkg *lp = NULL;
		size_t ln = 0;
		if (!s || !s->content)
			continue;
		if (i == final) {
			lp = pk;
			ln = n;
		} else if (bw_apk_parse(what, s->content, s->len, &lp, &ln) < 0) {
			continue; /* an unreadable older copy just breaks the run */
		}
		if (!(snaps[i] = calloc(1, sizeof(**snaps))))
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
		for (size_t k = 0; k < ln && rc == 0; k++)
			rc = bw_pkg_snapshot_add(snaps[i], lp[k].name, lp[k].arch, lp[k].version);
		if (lp != pk)
			bw_apk_free(lp, ln);
	}
	const char *family = img->os_family && (!strcmp(img->os_family, "wolfi") || !strcmp(img->os_family, "chainguard"))
				     ? img->os_family : "alpine";
	if (img->os_version)
		snprintf(distro, sizeof(distro), "%s", img->os_version);
	for (size_t k = 0; k < n && rc == 0; k++) {
		const bw_apk_pkg *a = &pk[k];
		const char *lic[1] = { a->license };
		bw_pkg_new p = {
			.type = "apk", .name = a->name, .version = a->version, .arch = a->arch,
			.source_name = a->origin && *a->origin ? a->origin : a->name, .source_version = a->version,
			.maintainer = a->maintainer, .path = APK_DB,
			.licenses = lic, .n_licenses = a->license && *a->license ? 1 : 0,
			.files = (const char *const *)a->files, .n_files = a->n_files,
			.layer = bw_pkg_install_layer(snaps, final, a->name, a->arch, a->version),
			.purl_namespace = family, .purl_distro = distro[0] ? distro : NULL,
		};
		rc = bw_image_add_package(img, &p);
	}
done:
	bw_pkg_snapshots_free(snaps, n_layers);
	bw_apk_free(pk, n);
	return rc;
}

const bw_analyzer bw_analyzer_apk = {
	.name = "apk",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.paths = apk_paths,
	.content_max = BW_MAX_ANALYZER_CONTENT,
	.layer_new = apk_layer_new,
	.entry = apk_entry,
	.layer_free = apk_layer_free,
	.finish = apk_finish,
};
