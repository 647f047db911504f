/*
 * diff/diff.c: `bulwark diff FROM TO` (bulwark/diff.h): packages, their
 * vulnerabilities, files, config and layers of two scanned images, written as
 * a table for reviewers or JSON for machines.
 *
 * Packages are keyed by (type, name, arch). A key with one version on each
 * side is upgraded or downgraded by the version order of its type; a key
 * with several versions on a side (npm's nested copies, say) is compared as
 * sets: versions only in FROM are removed, only in TO added.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/bulwark.h"
#include "bulwark/diff.h"
#include "bulwark/package.h"
#include "bulwark/scan.h"
#include "diff/files.h"
#include "util/jsonw.h"
#include "util/redact.h"
#include "version/version.h"

typedef struct pkg {
	const char *type, *name, *arch, *version;
} pkg;

typedef enum pkg_change { PKG_ADDED, PKG_REMOVED, PKG_UPGRADED, PKG_DOWNGRADED } pkg_change;

typedef struct pkg_delta {
	pkg_change change;
	const char *type, *name, *arch, *from, *to;
} pkg_delta;

typedef struct vec {
	void *v;
	size_t n, cap, size;
} vec;

static void *vec_push(vec *x)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		void *v = realloc(x->v, cap * x->size);
		if (!v)
			return NULL;
		x->v = v;
		x->cap = cap;
	}
	return (char *)x->v + x->size * x->n++;
}

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_pkg(const void *pa, const void *pb)
{
	const pkg *a = pa, *b = pb;
	int c;
	if ((c = strcmp0(a->type, b->type)) || (c = strcmp0(a->name, b->name)) || (c = strcmp0(a->arch, b->arch)))
		return c;
	return strcmp0(a->version, b->version);
}

static bool same_key(const pkg *a, const pkg *b)
{
	return !strcmp0(a->type, b->type) && !strcmp0(a->name, b->name) && !strcmp0(a->arch, b->arch);
}

static int collect_pkgs(const bw_image *img, vec *out)
{
	size_t n = bw_image_package_count(img);
	for (size_t i = 0; i < n; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		pkg *x = vec_push(out);
		if (!x)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		x->type = p->type;
		x->name = p->name;
		x->arch = p->arch;
		x->version = p->version;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(pkg), cmp_pkg);
	/* one entry per (key, version): the same package found twice is one */
	size_t w = 0;
	pkg *v = out->v;
	for (size_t i = 0; i < out->n; i++)
		if (!w || cmp_pkg(&v[w - 1], &v[i]))
			v[w++] = v[i];
	out->n = w;
	return 0;
}

static int push_delta(vec *d, pkg_change c, const pkg *key, const char *from, const char *to)
{
	pkg_delta *x = vec_push(d);
	if (!x)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*x = (pkg_delta){ c, key->type, key->name, key->arch, from, to };
	return 0;
}

static int diff_pkgs(const vec *va, const vec *vb, vec *out)
{
	const pkg *a = va->v, *b = vb->v;
	size_t i = 0, k = 0;
	int rc = 0;

	while ((i < va->n || k < vb->n) && rc == 0) {
		int c = i >= va->n ? 1 : k >= vb->n ? -1 : 0;
		if (!c) {
			pkg ka = a[i], kb = b[k];
			ka.version = kb.version = NULL;
			c = cmp_pkg(&ka, &kb);
		}
		if (c < 0) {
			rc = push_delta(out, PKG_REMOVED, &a[i], a[i].version, NULL);
			i++;
			continue;
		}
		if (c > 0) {
			rc = push_delta(out, PKG_ADDED, &b[k], NULL, b[k].version);
			k++;
			continue;
		}
		size_t ie = i, ke = k;
		while (ie < va->n && same_key(&a[i], &a[ie]))
			ie++;
		while (ke < vb->n && same_key(&b[k], &b[ke]))
			ke++;
		if (ie - i == 1 && ke - k == 1) {
			if (strcmp0(a[i].version, b[k].version)) {
				int order = 0;
				bw_version_scheme s = bw_version_scheme_for(a[i].type);
				if (s == BW_VER_UNKNOWN || !a[i].version || !b[k].version ||
				    bw_version_compare(s, a[i].version, b[k].version, &order) < 0)
					order = strcmp0(a[i].version, b[k].version); /* no order known: text */
				rc = push_delta(out, order <= 0 ? PKG_UPGRADED : PKG_DOWNGRADED, &a[i], a[i].version,
						b[k].version);
			}
		} else {
			/* several versions under one key: set difference (both runs sorted by version text) */
			size_t x = i, y = k;
			while ((x < ie || y < ke) && rc == 0) {
				int cv = x >= ie ? 1 : y >= ke ? -1 : strcmp0(a[x].version, b[y].version);
				if (cv < 0)
					rc = push_delta(out, PKG_REMOVED, &a[x], a[x].version, NULL), x++;
				else if (cv > 0)
					rc = push_delta(out, PKG_ADDED, &b[y], NULL, b[y].version), y++;
				else
					x++, y++;
			}
		}
		i = ie;
		k = ke;
	}
	bw_error_clear();
	return rc;
}

/* ------------------------------------------------------------ vulnerabilities */

typedef struct vkey {
	const char *id, *package, *version, *severity;
} vkey;

static int cmp_vkey(const void *pa, const void *pb)
{
	const vkey *a = pa, *b = pb;
	int c;
	if ((c = strcmp0(a->id, b->id)) || (c = strcmp0(a->package, b->package)))
		return c;
	return 0;
}

static int collect_vulns(const bw_vulns *vs, vec *out)
{
	for (size_t i = 0; i < bw_vulns_count(vs); i++) {
		const bw_vuln *v = bw_vulns_at(vs, i);
		if (v->suppressed_by)
			continue;
		vkey *x = vec_push(out);
		if (!x)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		*x = (vkey){ v->id, v->package ? v->package->name : NULL, v->installed_version, v->severity };
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(vkey), cmp_vkey);
	return 0;
}

/* ------------------------------------------------------------ config */

typedef struct cfg_change {
	const char *field;          /* "user", "env", ... */
	const char *key;            /* env name / label key / port, or NULL */
	const char *from, *to;      /* NULL: absent */
} cfg_change;

static int add_cfg(vec *out, const char *field, const char *key, const char *from, const char *to)
{
	cfg_change *c = vec_push(out);
	if (!c)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*c = (cfg_change){ field, key, from, to };
	return 0;
}

/* Lists compared as a whole ("entrypoint", "cmd"): one change with the joined texts. */
static char *join(const char *const *v, size_t n)
{
	size_t len = 3;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 4;
	char *s = malloc(len);
	size_t used = 1;
	if (!s)
		return NULL;
	s[0] = '[';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(s + used, len - used, "%s\"%s\"", i ? ", " : "", v[i]);
	snprintf(s + used, len - used, "]");
	return s;
}

static bool list_eq(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static const char *env_value(const char *const *env, size_t n, const char *name, size_t name_len)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(env[i], name, name_len) && env[i][name_len] == '=')
			return env[i] + name_len + 1;
	return NULL;
}

static const char *in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return v[i];
	return NULL;
}

static const char *label_value(const bw_image_info *in, const char *key)
{
	for (size_t i = 0; i < in->n_labels; i++)
		if (!strcmp(in->label_keys[i], key))
			return in->label_values[i];
	return NULL;
}

typedef struct owned {
	vec strs; /* char * to free */
	vec keys;
} owned;

static const char *keep(owned *o, char *s)
{
	char **x;
	if (!s || !(x = vec_push(&o->strs))) {
		free(s);
		return NULL;
	}
	*x = s;
	return s;
}

/* The value as a report may show it: masked when the name suggests a credential (DESIGN.md §6). */
static const char *shown(owned *o, const char *name, const char *value)
{
	if (!value || !name || !bw_secret_name(name, strlen(name)))
		return value;
	char *m = strdup(value);
	if (m)
		bw_mask_value(m, strlen(m));
	return keep(o, m) ? m : "(masked)";
}

static int diff_config(const bw_image_info *a, const bw_image_info *b, vec *out, owned *o)
{
	int rc = 0;
	if (strcmp0(a->user, b->user))
		rc = add_cfg(out, "user", NULL, a->user ? a->user : "", b->user ? b->user : "");
	if (!rc && strcmp0(a->working_dir, b->working_dir))
		rc = add_cfg(out, "working_dir", NULL, a->working_dir ? a->working_dir : "", b->working_dir ? b->working_dir : "");
	if (!rc && !list_eq(a->entrypoint, a->n_entrypoint, b->entrypoint, b->n_entrypoint))
		rc = add_cfg(out, "entrypoint", NULL, keep(o, join(a->entrypoint, a->n_entrypoint)),
			     keep(o, join(b->entrypoint, b->n_entrypoint)));
	if (!rc && !list_eq(a->cmd, a->n_cmd, b->cmd, b->n_cmd))
		rc = add_cfg(out, "cmd", NULL, keep(o, join(a->cmd, a->n_cmd)), keep(o, join(b->cmd, b->n_cmd)));
	/* env by name */
	for (size_t i = 0; i < a->n_env && !rc; i++) {
		const char *eq = strchr(a->env[i], '=');
		size_t nl = eq ? (size_t)(eq - a->env[i]) : strlen(a->env[i]);
		const char *vb = env_value(b->env, b->n_env, a->env[i], nl);
		const char *key = keep(o, strndup(a->env[i], nl));
		if (!vb || strcmp(vb, eq ? eq + 1 : ""))
			rc = add_cfg(out, "env", key, shown(o, key, eq ? eq + 1 : ""), shown(o, key, vb));
	}
	for (size_t i = 0; i < b->n_env && !rc; i++) {
		const char *eq = strchr(b->env[i], '=');
		size_t nl = eq ? (size_t)(eq - b->env[i]) : strlen(b->env[i]);
		if (!env_value(a->env, a->n_env, b->env[i], nl)) {
			const char *key = keep(o, strndup(b->env[i], nl));
			rc = add_cfg(out, "env", key, NULL, shown(o, key, eq ? eq + 1 : ""));
		}
	}
	for (size_t i = 0; i < a->n_exposed_ports && !rc; i++)
		if (!in_list(b->exposed_ports, b->n_exposed_ports, a->exposed_ports[i]))
			rc = add_cfg(out, "exposed_ports", a->exposed_ports[i], a->exposed_ports[i], NULL);
	for (size_t i = 0; i < b->n_exposed_ports && !rc; i++)
		if (!in_list(a->exposed_ports, a->n_exposed_ports, b->exposed_ports[i]))
			rc = add_cfg(out, "exposed_ports", b->exposed_ports[i], NULL, b->exposed_ports[i]);
	for (size_t i = 0; i < a->n_volumes && !rc; i++)
		if (!in_list(b->volumes, b->n_volumes, a->volumes[i]))
			rc = add_cfg(out, "volumes", a->volumes[i], a->volumes[i], NULL);
	for (size_t i = 0; i < b->n_volumes && !rc; i++)
		if (!in_list(a->volumes, a->n_volumes, b->volumes[i]))
			rc = add_cfg(out, "volumes", b->volumes[i], NULL, b->volumes[i]);
	for (size_t i = 0; i < a->n_labels && !rc; i++) {
		const char *vb = label_value(b, a->label_keys[i]);
		if (!vb || strcmp(vb, a->label_values[i]))
			rc = add_cfg(out, "labels", a->label_keys[i], shown(o, a->label_keys[i], a->label_values[i]),
				     shown(o, a->label_keys[i], vb));
	}
	for (size_t i = 0; i < b->n_labels && !rc; i++)
		if (!label_value(a, b->label_keys[i]))
			rc = add_cfg(out, "labels", b->label_keys[i], NULL, shown(o, b->label_keys[i], b->label_values[i]));
	return rc;
}

/* ------------------------------------------------------------ files */

typedef struct fdelta {
	const bw_fentry *a, *b;
	unsigned changes;
} fdelta;

static int file_cb(const bw_fentry *a, const bw_fentry *b, void *arg)
{
	vec *out = arg;
	unsigned c = a && b ? bw_fentry_compare(a, b, true) : 0;
	if (a && b && !c)
		return 0;
	fdelta *d = vec_push(out);
	if (!d)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*d = (fdelta){ a, b, c };
	return 0;
}

static const char *type_name(char t)
{
	switch (t) {
	case 'f': return "file";
	case 'd': return "dir";
	case 'l': return "symlink";
	case 'c': return "char";
	case 'b': return "block";
	case 'p': return "fifo";
	case 's': return "socket";
	default: return "other";
	}
}

static void json_fentry(bw_jsonw *w, const bw_fentry *e)
{
	char mode[8];
	snprintf(mode, sizeof(mode), "%04o", e->mode);
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "type", type_name(e->type));
	bw_jw_kv_string(w, "mode", mode);
	bw_jw_kv_uint(w, "uid", e->uid);
	bw_jw_kv_uint(w, "gid", e->gid);
	bw_jw_kv_uint(w, "size", e->size);
	if (e->digest)
		bw_jw_kv_string(w, "digest", e->digest);
	if (e->link)
		bw_jw_kv_string(w, "link", e->link);
	bw_jw_object_end(w);
}

static void json_image(bw_jsonw *w, const char *key, const bw_image_info *in)
{
	bw_jw_key(w, key);
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "reference", in->reference);
	bw_jw_kv_string(w, "manifest_digest", in->manifest_digest);
	bw_jw_kv_string(w, "config_digest", in->config_digest);
	bw_jw_kv_uint(w, "layers", in->n_layers);
	bw_jw_object_end(w);
}

static const char *change_name(pkg_change c)
{
	return c == PKG_ADDED ? "added" : c == PKG_REMOVED ? "removed" : c == PKG_UPGRADED ? "upgraded" : "downgraded";
}

static size_t shared_layers(const bw_image_info *a, const bw_image_info *b)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n_layers; i++)
		for (size_t k = 0; k < b->n_layers; k++)
			if (a->layers[i].diff_id && b->layers[k].diff_id && !strcmp(a->layers[i].diff_id, b->layers[k].diff_id)) {
				n++;
				break;
			}
	return n;
}

int bw_diff_report(FILE *out, const bw_image *from, const bw_image *to, bw_vulndb *db, bw_format format,
		   bw_diff_summary *summary)
{
	vec pa = { .size = sizeof(pkg) }, pb = { .size = sizeof(pkg) }, pd = { .size = sizeof(pkg_delta) };
	vec va = { .size = sizeof(vkey) }, vb = { .size = sizeof(vkey) };
	vec fixed = { .size = sizeof(vkey) }, introduced = { .size = sizeof(vkey) };
	vec cfg = { .size = sizeof(cfg_change) }, fd = { .size = sizeof(fdelta) };
	owned o = { .strs = { .size = sizeof(char *) } };
	bw_flist fa = { 0 }, fb = { 0 };
	bw_vulns *vsa = NULL, *vsb = NULL;
	bw_diff_summary s = { 0 };
	int rc;

	if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON)
		return bw_error_set(BW_EUSAGE, "diff: formats are table and json");
	const bw_image_info *ia = bw_image_get_info(from), *ib = bw_image_get_info(to);
	/* bw_image_get_info reuses one struct per image: a and b are distinct images */
	if ((rc = collect_pkgs(from, &pa)) < 0 || (rc = collect_pkgs(to, &pb)) < 0 || (rc = diff_pkgs(&pa, &pb, &pd)) < 0)
		goto done;
	if (db) {
		bw_vuln_options vo = { 0 };
		if ((rc = bw_vulns_match(&vsa, from, db, &vo)) < 0 || (rc = bw_vulns_match(&vsb, to, db, &vo)) < 0 ||
		    (rc = collect_vulns(vsa, &va)) < 0 || (rc = collect_vulns(vsb, &vb)) < 0)
			goto done;
		const vkey *x = va.v, *y = vb.v;
		size_t i = 0, k = 0;
		while (i < va.n || k < vb.n) {
			int c = i >= va.n ? 1 : k >= vb.n ? -1 : cmp_vkey(&x[i], &y[k]);
			vkey *slot = NULL;
			if (c < 0 && !(slot = vec_push(&fixed)))
				goto oom;
			if (c > 0 && !(slot = vec_push(&introduced)))
				goto oom;
			if (c < 0)
				*slot = x[i++];
			else if (c > 0)
				*slot = y[k++];
			else
				i++, k++;
		}
	}
	if ((rc = diff_config(ia, ib, &cfg, &o)) < 0)
		goto done;
	if ((rc = bw_flist_from_image(from, &fa)) < 0 || (rc = bw_flist_from_image(to, &fb)) < 0 ||
	    (rc = bw_flist_merge(&fa, &fb, file_cb, &fd)) < 0)
		goto done;

	const pkg_delta *d = pd.v;
	for (size_t i = 0; i < pd.n; i++) {
		if (d[i].change == PKG_ADDED) s.packages_added++;
		else if (d[i].change == PKG_REMOVED) s.packages_removed++;
		else if (d[i].change == PKG_UPGRADED) s.packages_upgraded++;
		else s.packages_downgraded++;
	}
	const fdelta *f = fd.v;
	for (size_t i = 0; i < fd.n; i++) {
		if (!f[i].a) s.files_added++;
		else if (!f[i].b) s.files_removed++;
		else s.files_changed++;
	}
	s.vulns_fixed = fixed.n;
	s.vulns_introduced = introduced.n;
	s.config_changes = cfg.n;
	s.layers_shared = shared_layers(ia, ib);
	const cfg_change *cc = cfg.v;
	char buf[64];

	if (format == BW_FORMAT_JSON) {
		bw_jsonw w;
		bw_jw_init(&w, out, true);
		bw_jw_object_begin(&w);
		bw_jw_kv_uint(&w, "schema", 1);
		bw_jw_key(&w, "tool");
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "name", "bulwark");
		bw_jw_kv_string(&w, "version", bw_version());
		bw_jw_object_end(&w);
		json_image(&w, "from", ia);
		json_image(&w, "to", ib);
		bw_jw_key(&w, "summary");
		bw_jw_object_begin(&w);
		bw_jw_kv_uint(&w, "packages_added", s.packages_added);
		bw_jw_kv_uint(&w, "packages_removed", s.packages_removed);
		bw_jw_kv_uint(&w, "packages_upgraded", s.packages_upgraded);
		bw_jw_kv_uint(&w, "packages_downgraded", s.packages_downgraded);
		if (db) {
			bw_jw_kv_uint(&w, "vulnerabilities_fixed", s.vulns_fixed);
			bw_jw_kv_uint(&w, "vulnerabilities_introduced", s.vulns_introduced);
		}
		bw_jw_kv_uint(&w, "files_added", s.files_added);
		bw_jw_kv_uint(&w, "files_removed", s.files_removed);
		bw_jw_kv_uint(&w, "files_changed", s.files_changed);
		bw_jw_kv_uint(&w, "config_changes", s.config_changes);
		bw_jw_kv_uint(&w, "layers_shared", s.layers_shared);
		bw_jw_object_end(&w);
		bw_jw_key(&w, "packages");
		bw_jw_array_begin(&w);
		for (size_t i = 0; i < pd.n; i++) {
			bw_jw_object_begin(&w);
			bw_jw_kv_string(&w, "change", change_name(d[i].change));
			bw_jw_kv_string(&w, "type", d[i].type);
			bw_jw_kv_string(&w, "name", d[i].name);
			if (d[i].arch)
				bw_jw_kv_string(&w, "arch", d[i].arch);
			if (d[i].from)
				bw_jw_kv_string(&w, "from", d[i].from);
			if (d[i].to)
				bw_jw_kv_string(&w, "to", d[i].to);
			bw_jw_object_end(&w);
		}
		bw_jw_array_end(&w);
		if (db) {
			bw_jw_key(&w, "vulnerabilities");
			bw_jw_object_begin(&w);
			for (int side = 0; side < 2; side++) {
				vec *list = side ? &introduced : &fixed;
				const vkey *v = list->v;
				bw_jw_key(&w, side ? "introduced" : "fixed");
				bw_jw_array_begin(&w);
				for (size_t i = 0; i < list->n; i++) {
					bw_jw_object_begin(&w);
					bw_jw_kv_string(&w, "id", v[i].id);
					bw_jw_kv_string(&w, "package", v[i].package);
					bw_jw_kv_string(&w, "installed_version", v[i].version);
					bw_jw_kv_string(&w, "severity", v[i].severity);
					bw_jw_object_end(&w);
				}
				bw_jw_array_end(&w);
			}
			bw_jw_object_end(&w);
		}
		bw_jw_key(&w, "files");
		bw_jw_array_begin(&w);
		for (size_t i = 0; i < fd.n; i++) {
			bw_jw_object_begin(&w);
			bw_jw_kv_string(&w, "path", f[i].a ? f[i].a->path : f[i].b->path);
			bw_jw_kv_string(&w, "change", !f[i].a ? "added" : !f[i].b ? "removed" : "changed");
			if (f[i].a && f[i].b) {
				bw_jw_key(&w, "what");
				bw_jw_array_begin(&w);
				char *p = (char *)bw_fchange_text(f[i].changes, buf, sizeof(buf)), *e;
				for (; *p; p = *e ? e + 1 : e) {
					e = strchrnul(p, ',');
					bw_jw_stringn(&w, p, (size_t)(e - p));
				}
				bw_jw_array_end(&w);
			}
			if (f[i].a) {
				bw_jw_key(&w, "from");
				json_fentry(&w, f[i].a);
			}
			if (f[i].b) {
				bw_jw_key(&w, "to");
				json_fentry(&w, f[i].b);
			}
			bw_jw_object_end(&w);
		}
		bw_jw_array_end(&w);
		bw_jw_key(&w, "config");
		bw_jw_array_begin(&w);
		for (size_t i = 0; i < cfg.n; i++) {
			bw_jw_object_begin(&w);
			bw_jw_kv_string(&w, "field", cc[i].field);
			if (cc[i].key)
				bw_jw_kv_string(&w, "key", cc[i].key);
			bw_jw_key(&w, "from");
			if (cc[i].from) bw_jw_string(&w, cc[i].from); else bw_jw_null(&w);
			bw_jw_key(&w, "to");
			if (cc[i].to) bw_jw_string(&w, cc[i].to); else bw_jw_null(&w);
			bw_jw_object_end(&w);
		}
		bw_jw_array_end(&w);
		bw_jw_key(&w, "layers");
		bw_jw_object_begin(&w);
		bw_jw_kv_uint(&w, "from", ia->n_layers);
		bw_jw_kv_uint(&w, "to", ib->n_layers);
		bw_jw_kv_uint(&w, "shared", s.layers_shared);
		bw_jw_object_end(&w);
		bw_jw_object_end(&w);
		if (bw_jw_finish(&w) < 0)
			rc = bw_error_set(BW_EINTERNAL, "writing the report failed");
		goto done;
	}

	fprintf(out, "FROM %s (%s)\nTO   %s (%s)\n", ia->reference, ia->manifest_digest ? ia->manifest_digest : "-",
		ib->reference, ib->manifest_digest ? ib->manifest_digest : "-");
	fprintf(out, "\nPackages: %zu added, %zu removed, %zu upgraded, %zu downgraded\n", s.packages_added,
		s.packages_removed, s.packages_upgraded, s.packages_downgraded);
	if (pd.n)
		fprintf(out, "  %-10s %-8s %-40s %s\n", "CHANGE", "TYPE", "NAME", "VERSION");
	for (size_t i = 0; i < pd.n; i++) {
		fprintf(out, "  %-10s %-8s %-40s ", change_name(d[i].change), d[i].type, d[i].name);
		if (d[i].from && d[i].to)
			fprintf(out, "%s -> %s\n", d[i].from, d[i].to);
		else
			fprintf(out, "%s\n", d[i].from ? d[i].from : d[i].to ? d[i].to : "");
	}
	if (db) {
		fprintf(out, "\nVulnerabilities: %zu fixed, %zu introduced\n", fixed.n, introduced.n);
		for (int side = 0; side < 2; side++) {
			vec *list = side ? &introduced : &fixed;
			const vkey *v = list->v;
			for (size_t i = 0; i < list->n; i++)
				fprintf(out, "  %-10s %-20s %-9s %s %s\n", side ? "introduced" : "fixed", v[i].id,
					v[i].severity ? v[i].severity : "", v[i].package ? v[i].package : "",
					v[i].version ? v[i].version : "");
		}
	}
	fprintf(out, "\nFiles: %zu added, %zu removed, %zu changed\n", s.files_added, s.files_removed, s.files_changed);
	for (size_t i = 0; i < fd.n; i++) {
		const bw_fentry *e = f[i].b ? f[i].b : f[i].a;
		fprintf(out, "  %-8s %04o %5llu:%-5llu %s%s%s", !f[i].a ? "added" : !f[i].b ? "removed" : "changed", e->mode,
			(unsigned long long)e->uid, (unsigned long long)e->gid, e->path, e->link ? " -> " : "",
			e->link ? e->link : "");
		if (f[i].a && f[i].b)
			fprintf(out, "  (%s)", bw_fchange_text(f[i].changes, buf, sizeof(buf)));
		fputc('\n', out);
	}
	fprintf(out, "\nConfig: %zu changes\n", cfg.n);
	for (size_t i = 0; i < cfg.n; i++)
		fprintf(out, "  %s%s%s: %s -> %s\n", cc[i].field, cc[i].key ? " " : "", cc[i].key ? cc[i].key : "",
			cc[i].from ? cc[i].from : "(none)", cc[i].to ? cc[i].to : "(none)");
	fprintf(out, "\nLayers: %zu shared (%zu in FROM, %zu in TO)\n", s.layers_shared, ia->n_layers, ib->n_layers);
	if (ferror(out))
		rc = bw_error_set(BW_EINTERNAL, "writing the report failed");
	goto done;
oom:
	rc = bw_error_set(BW_EINTERNAL, "out of memory");
done:
	if (summary)
		*summary = s;
	bw_vulns_free(vsa);
	bw_vulns_free(vsb);
	for (size_t i = 0; i < o.strs.n; i++)
		free(((char **)o.strs.v)[i]);
	free(o.strs.v);
	free(pa.v);
	free(pb.v);
	free(pd.v);
	free(va.v);
	free(vb.v);
	free(fixed.v);
	free(introduced.v);
	free(cfg.v);
	free(fd.v);
	bw_flist_free(&fa);
	bw_flist_free(&fb);
	return rc;
}
