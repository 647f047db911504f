/*
 * inventory/rpm.c: RPM-based distributions. Finds the rpm database in any of
 * its backends and places (SQLite, Berkeley DB hash, NDB; /var/lib/rpm or
 * /usr/lib/sysimage/rpm), reads every header with the bounded readers of
 * inventory/rpmdb.h, and records the packages. gpg-pubkey pseudo-packages
 * (imported signing keys, no arch) are not packages and are left out, as
 * `rpm -qa` users expect from scanners. A package's layer comes from the
 * per-layer snapshots of the database (inventory/package.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "inventory/package.h"
#include "inventory/rpmdb.h"
#include "util/limits.h"
#include "util/log.h"

typedef enum { RPM_SQLITE, RPM_NDB, RPM_BDB } rpm_backend;

static const char *const rpm_paths[] = {
	"/var/lib/rpm/rpmdb.sqlite",        "/usr/lib/sysimage/rpm/rpmdb.sqlite",
	"/var/lib/rpm/Packages.db",         "/usr/lib/sysimage/rpm/Packages.db",
	"/var/lib/rpm/Packages",            "/usr/lib/sysimage/rpm/Packages",
	NULL,
};
#define N_PATHS 6

static rpm_backend backend_of(int slot)
{
	return slot < 2 ? RPM_SQLITE : slot < 4 ? RPM_NDB : RPM_BDB;
}

typedef struct rpm_layer {
	char *content[N_PATHS];
	size_t len[N_PATHS];
} rpm_layer;

static int slot_of(const char *path)
{
	for (int i = 0; i < N_PATHS; i++)
		if (!strcmp(path, rpm_paths[i]))
			return i;
	return -1;
}

static void *rpm_layer_new(void)
{
	return calloc(1, sizeof(rpm_layer));
}

static void rpm_layer_free(void *state)
{
	rpm_layer *s = state;
	for (int i = 0; s && i < N_PATHS; i++)
		free(s->content[i]);
	free(s);
}

static int rpm_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	rpm_layer *s = state;
	int slot = slot_of(e->path);
	if (slot < 0)
		return 0;
	free(s->content[slot]);
	s->content[slot] = NULL;
	if (e->type != BW_FT_FILE)
		return 0;
	if (truncated)
		return bw_error_set(BW_EINPUT, "larger than %llu bytes: unreadable, its packages are not listed",
				    (unsigned long long)BW_MAX_ANALYZER_CONTENT);
	if (!(s->content[slot] = malloc(len ? len : 1)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memcpy(s->content[slot], content, len);
	s->len[slot] = len;
	return 0;
}

typedef struct collect {
	const char *what;
	bw_rpm_header *v;
	size_t n, cap;
} collect;

static int collect_cb(const uint8_t *blob, size_t len, void *ctx)
{
	collect *c = ctx;
	bw_rpm_header h;
	int rc = bw_rpm_header_parse(c->what, blob, len, &h);
	if (rc < 0)
		return rc;
	if (!strcmp(h.name, "gpg-pubkey")) {
		bw_rpm_header_free(&h);
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		bw_rpm_header *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			bw_rpm_header_free(&h);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = h;
	return 0;
}

static void collect_free(collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		bw_rpm_header_free(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static int read_db(const char *what, rpm_backend b, const char *data, size_t len, collect *out)
{
	out->what = what;
	switch (b) {
	case RPM_SQLITE: return bw_rpmdb_sqlite_each(what, (const uint8_t *)data, len, collect_cb, out);
	case RPM_NDB: return bw_rpmdb_ndb_each(what, (const uint8_t *)data, len, collect_cb, out);
	default: return bw_rpmdb_bdb_each(what, (const uint8_t *)data, len, collect_cb, out);
	}
}

/* "curl-7.76.1-23.el9.src.rpm" -> "curl", "7.76.1-23.el9" */
static void split_srpm(const char *srpm, char *name, char *ver, size_t n)
{
	name[0] = ver[0] = '\0';
	if (!srpm)
		return;
	size_t len = strlen(srpm);
	if (len > 8 && !strcmp(srpm + len - 8, ".src.rpm"))
		len -= 8;
	else if (len > 10 && !strcmp(srpm + len - 10, ".nosrc.rpm"))
		len -= 10;
	char buf[1024];
	if (len >= sizeof(buf))
		return;
	memcpy(buf, srpm, len);
	buf[len] = '\0';
	char *rel = strrchr(buf, '-');
	if (!rel)
		return;
	*rel = '\0';
	char *v = strrchr(buf, '-');
	if (!v)
		return;
	*v = '\0';
	snprintf(name, n, "%s", buf);
	snprintf(ver, n, "%s-%s", v + 1, rel + 1);
}

static int rpm_finish(bw_image *img, void *const *states, size_t n_layers)
{
	bw_fsnode *node = NULL;
	int slot = -1;
	for (int i = 0; i < N_PATHS && slot < 0; i++) {
		if (bw_fs_resolve(bw_image_fs(img), rpm_paths[i], true, &node) < 0)
			return BW_EINPUT;
		if (node && node->data_path && node->data_layer < n_layers && states[node->data_layer]) {
			int s = slot_of(node->data_path);
			if (s >= 0 && ((rpm_layer *)states[node->data_layer])->content[s])
				slot = s;
		}
	}
	if (slot < 0)
		return 0;
	size_t final = node->data_layer;
	const rpm_layer *db = states[final];
	char what[600];
	collect c = { 0 };
	bw_pkg_snapshot **snaps = NULL;
	int rc = 0;

	snprintf(what, sizeof(what), "%s: %s (layer %zu)", bw_image_name(img), rpm_paths[slot], final + 1);
	if (read_db(what, backend_of(slot), db->content[slot], db->len[slot], &c) < 0) {
		collect_free(&c);
		if (bw_error_last()->code == BW_EINTERNAL)
			return BW_EINTERNAL;
		bw_warn("%s; its packages are not listed", bw_error_last()->message);
		return 0;
	}
	if (!(snaps = calloc(n_layers + 1, sizeof(*snaps)))) {
		collect_free(&c);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	/* snapshots of the same database path in the layers below, for install layers */
	for (size_t i = 0; i <= final && rc == 0; i++) {
		const rpm_layer *s = states[i];
		collect lc = { 0 };
		if (!s || !s->content[slot])
			continue;
		collect *use = &lc;
		if (i == final)
			use = &c;
		else if (read_db(what, backend_of(slot), s->content[slot], s->len[slot], &lc) < 0) {
			collect_free(&lc);
			continue;
		}
		if (!(snaps[i] = calloc(1, sizeof(**snaps))))
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
		for (size_t k = 0; k < use->n && rc == 0; k++) {
			char *evr = NULL;
			if ((rc = bw_rpm_header_evr(&use->v[k], &evr)) == 0)
				rc = bw_pkg_snapshot_add(snaps[i], use->v[k].name, use->v[k].arch, evr);
			free(evr);
		}
		if (use == &lc)
			collect_free(&lc);
	}
	char distro[128] = "";
	const char *ns = img->os_family ? img->os_family : NULL;
	if (img->os_family && img->os_version)
		snprintf(distro, sizeof(distro), "%s-%s", img->os_family, img->os_version);
	for (size_t k = 0; k < c.n && rc == 0; k++) {
		const bw_rpm_header *h = &c.v[k];
		char *evr = NULL, epoch[16] = "", sname[512], sver[512];
		if ((rc = bw_rpm_header_evr(h, &evr)) < 0)
			break;
		if (h->has_epoch)
			snprintf(epoch, sizeof(epoch), "%d", h->epoch);
		split_srpm(h->sourcerpm, sname, sver, sizeof(sname));
		const char *lic[1] = { h->license };
		char purl_version[1024];
		snprintf(purl_version, sizeof(purl_version), "%s-%s", h->version, h->release);
		bw_pkg_new p = {
			.type = "rpm", .name = h->name, .version = evr, .arch = h->arch,
			.source_name = sname[0] ? sname : NULL, .source_version = sver[0] ? sver : NULL,
			.vendor = h->vendor, .path = rpm_paths[slot],
			.licenses = lic, .n_licenses = h->license && *h->license ? 1 : 0,
			.files = (const char *const *)h->files, .n_files = h->n_files,
			.layer = bw_pkg_install_layer(snaps, final, h->name, h->arch, evr),
			.purl_namespace = ns ? ns : "rpm", .purl_distro = distro[0] ? distro : NULL,
			.purl_epoch = epoch[0] ? epoch : NULL, .purl_version = purl_version,
		};
		rc = bw_image_add_package(img, &p);
		free(evr);
	}
	bw_pkg_snapshots_free(snaps, n_layers);
	collect_free(&c);
	return rc;
}

const bw_analyzer bw_analyzer_rpm = {
	.name = "rpm",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.paths = rpm_paths,
	.content_max = BW_MAX_ANALYZER_CONTENT,
	.layer_new = rpm_layer_new,
	.entry = rpm_entry,
	.layer_free = rpm_layer_free,
	.finish = rpm_finish,
};
