/*
 * inventory/node.c: Node.js packages (inventory/node.h).
 *
 * Two analyzers:
 *   - node: every node_modules/<name>/package.json (and @scope/<name>), one
 *     package per installed copy, kept through the per-file store;
 *   - node-lock: package-lock.json, npm-shrinkwrap.json, yarn.lock and
 *     pnpm-lock.yaml outside node_modules. A lock file only says what would be
 *     installed, so finish() uses it only for a project directory that has no
 *     installed node_modules (installed copies win; a project is never listed
 *     twice), and only the highest-priority lock file of a directory.
 * Development-only entries of lock files are parsed but not listed (they are
 * not in the image's runtime); yarn.lock does not record them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "inventory/node.h"
#include "inventory/package.h"
#include "util/json.h"
#include "util/jsonstream.h"
#include "util/limits.h"
#include "util/strmap.h"
#include "util/wire.h"

/* ------------------------------------------------------------ collections */

static void pkg_clear(bw_node_pkg *p)
{
	free(p->name);
	free(p->version);
	for (size_t i = 0; i < p->n_licenses; i++)
		free(p->licenses[i]);
	free(p->licenses);
	for (size_t i = 0; i < p->n_deps; i++)
		free(p->deps[i]);
	free(p->deps);
	memset(p, 0, sizeof(*p));
}

void bw_node_free(bw_node_pkg *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		pkg_clear(&v[i]);
	free(v);
}

/* The packages of one file, each (name, version) once. */
typedef struct pkgvec {
	const char *what;
	bw_node_pkg *v;
	size_t n, cap;
	bw_strmap seen; /* "name@version" (malloc'd key) -> index + 1, or flags offset + 1 when packed */
	bw_buf *packed; /* when set, packages are packed here (pack_pkg) instead of kept in v */
} pkgvec;

static int pack_pkg(bw_buf *out, const bw_node_pkg *p);

static void pkgvec_free(pkgvec *pv)
{
	bw_node_free(pv->v, pv->n);
	pv->v = NULL;
	pv->n = pv->cap = 0;
	for (size_t i = 0; i < pv->seen.cap; i++)
		free((char *)pv->seen.slots[i].key); /* never deleted from: no tombstones */
	bw_strmap_free(&pv->seen);
}

static int pkgvec_done(pkgvec *pv, bw_node_pkg **out, size_t *n_out)
{
	*out = pv->v;
	*n_out = pv->n;
	pv->v = NULL;
	pv->n = pv->cap = 0;
	pkgvec_free(pv);
	return 0;
}

static int str_ok(const char *what, const char *field, const char *s, size_t len)
{
	if (len == 0)
		return bw_error_set(BW_EINPUT, "%s: empty %s", what, field);
	if (len > BW_NODE_MAX_STRING)
		return bw_error_set(BW_EINPUT, "%s: %s longer than %d bytes", what, field, BW_NODE_MAX_STRING);
	if (memchr(s, '\0', len))
		return bw_error_set(BW_EINPUT, "%s: NUL byte in %s", what, field);
	return 0;
}

static int push_str(char ***v, size_t *n, size_t max, const char *what, const char *field, const char *s,
		    size_t len)
{
	if (*n >= max)
		return bw_error_set(BW_EINPUT, "%s: more than %zu %s", what, max, field);
	if (str_ok(what, field, s, len) < 0)
		return BW_EINPUT;
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	(*n)++;
	return 0;
}

/*
 * Appends *p (taking its strings) unless the same name@version is there:
 * then the two merge (dev only if both are dev) and *p is cleared. *p is
 * always empty afterwards, also on failure.
 */
static int pkgvec_add(pkgvec *pv, bw_node_pkg *p)
{
	int rc = 0;
	size_t nl = strlen(p->name), vl = strlen(p->version);
	char *key = malloc(nl + vl + 2);
	if (!key) {
		pkg_clear(p);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	memcpy(key, p->name, nl);
	key[nl] = '@';
	memcpy(key + nl + 1, p->version, vl + 1);
	uintptr_t at = (uintptr_t)bw_strmap_get(&pv->seen, key);
	if (at) {
		if (pv->packed) {
			if (!p->dev) /* dev only if both are */
				pv->packed->data[at - 1] &= (uint8_t)~1u;
		} else {
			bw_node_pkg *q = &pv->v[at - 1];
			q->dev = q->dev && p->dev;
		}
		free(key);
		pkg_clear(p);
		return 0;
	}
	if (pv->n >= BW_NODE_MAX_PACKAGES) {
		rc = bw_error_set(BW_EINPUT, "%s: more than %d packages", pv->what, BW_NODE_MAX_PACKAGES);
		goto fail;
	}
	if (pv->packed) {
		size_t flags_at = pv->packed->len + 4 + nl + 4 + vl; /* after the two strings (bw_wire_str) */
		if (pack_pkg(pv->packed, p) < 0 || bw_strmap_put(&pv->seen, key, (void *)(uintptr_t)(flags_at + 1)) < 0) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto fail;
		}
		pv->n++;
		pkg_clear(p);
		return 0;
	}
	if (pv->n == pv->cap) {
		size_t c = pv->cap ? pv->cap * 2 : 32;
		bw_node_pkg *nv = realloc(pv->v, c * sizeof(*nv));
		if (!nv) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto fail;
		}
		pv->v = nv;
		pv->cap = c;
	}
	if (bw_strmap_put(&pv->seen, key, (void *)(uintptr_t)(pv->n + 1)) < 0) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	pv->v[pv->n++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
fail:
	free(key);
	pkg_clear(p);
	return rc;
}

/* ------------------------------------------------------------ JSON helpers */

/* Adds a license once: packages often say the same in "license" and "licenses". */
static int add_license(const char *what, bw_node_pkg *p, json_t *s)
{
	size_t len = json_string_length(s);
	if (!len)
		return 0;
	for (size_t i = 0; i < p->n_licenses; i++)
		if (strlen(p->licenses[i]) == len && !memcmp(p->licenses[i], json_string_value(s), len))
			return 0;
	return push_str(&p->licenses, &p->n_licenses, BW_NODE_MAX_LICENSES, what, "license", json_string_value(s),
			len);
}

/* A license value: "MIT", {"type": "MIT"}, or an array of those (legacy). */
static int add_license_value(const char *what, bw_node_pkg *p, json_t *v, int depth)
{
	if (json_is_string(v))
		return add_license(what, p, v);
	if (json_is_object(v)) {
		json_t *t = json_object_get(v, "type");
		return json_is_string(t) ? add_license(what, p, t) : 0;
	}
	if (json_is_array(v) && depth == 0) { /* only one level: [[...]] is not a license list */
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (add_license_value(what, p, e, 1) < 0)
				return BW_EINPUT;
		}
	}
	return 0; /* other shapes carry no license we can name */
}

/* The keys of obj[field] (an object of name -> range), as dependency names. */
static int add_dep_keys(const char *what, bw_node_pkg *p, json_t *obj, const char *field)
{
	json_t *d = json_object_get(obj, field);
	const char *k;
	json_t *v;
	if (!json_is_object(d))
		return 0;
	json_object_foreach(d, k, v) {
		if (push_str(&p->deps, &p->n_deps, BW_NODE_MAX_DEPS, what, "dependencies", k, strlen(k)) < 0)
			return bw_error_last()->code;
	}
	return 0;
}

static int set_str(const char *what, const char *field, char **dst, const char *s, size_t len)
{
	if (str_ok(what, field, s, len) < 0)
		return BW_EINPUT;
	free(*dst);
	if (!(*dst = strndup(s, len)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

/* ------------------------------------------------------------ package.json */

int bw_node_parse_package_json(const char *what, const char *data, size_t len, bw_node_pkg **out,
			       size_t *n_out)
{
	json_t *root = NULL;
	pkgvec pv = { .what = what };
	bw_node_pkg p = { 0 };
	const char *name, *version;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((rc = bw_json_parse(what, data, len, BW_NODE_PACKAGE_JSON_MAX, &root)) < 0)
		return rc;
	if (!json_is_object(root)) {
		rc = bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
	if ((rc = bw_json_opt_string(what, root, "name", &name)) < 0 ||
	    (rc = bw_json_opt_string(what, root, "version", &version)) < 0)
		goto done;
	if (!name || !*name || !version || !*version) { /* a marker file, not a package */
		rc = 0;
		goto done;
	}
	if ((rc = set_str(what, "name", &p.name, name, strlen(name))) < 0 ||
	    (rc = set_str(what, "version", &p.version, version, strlen(version))) < 0)
		goto done;
	json_t *lic = json_object_get(root, "license");
	if (lic && (rc = add_license_value(what, &p, lic, 0)) < 0)
		goto done;
	lic = json_object_get(root, "licenses");
	if (lic && (rc = add_license_value(what, &p, lic, 0)) < 0)
		goto done;
	if ((rc = add_dep_keys(what, &p, root, "dependencies")) < 0 ||
	    (rc = add_dep_keys(what, &p, root, "optionalDependencies")) < 0)
		goto done;
	if ((rc = pkgvec_add(&pv, &p)) < 0)
		goto done;
	rc = pkgvec_done(&pv, out, n_out);
done:
	pkg_clear(&p);
	pkgvec_free(&pv);
	json_decref(root);
	return rc;
}

/* ------------------------------------------------------------ package-lock.json */

/*
 * The lock file is read as a stream of JSON events (util/jsonstream.h), so a
 * file of any size is read with memory bounded by the entries kept, never by
 * the file: for each entry only the fields used below (name, version,
 * license, dev, link and the names of its dependencies). The entries are
 * then walked in document order exactly as the tree walk of jansson's days
 * did, with the same checks and messages: v2/v3 "packages" when present
 * (every entry, since dependencies resolve to any of them), else the v1
 * nested "dependencies" in pre-order.
 */

enum { LK_NAME, LK_VERSION, LK_LICENSE, LK_FIELDS };

typedef struct lk_entry {
	char *key;                /* v2: the node_modules path; v1: the dependency's name */
	char *f[LK_FIELDS];       /* strings as written, cut after BW_NODE_MAX_STRING + 1 bytes */
	uint8_t t[LK_FIELDS];     /* 0 absent or null, 's' a string, 'x' another type */
	bool not_object;          /* the entry's value is not an object */
	bool link, dev;
	char **deps;              /* v2 "dependencies", v1 "requires": names (cut like f) */
	size_t n_deps;
	char **opt;               /* v2 "optionalDependencies" */
	size_t n_opt;
	bool too_many;            /* more than BW_NODE_MAX_DEPS names in one of them */
	size_t seq;               /* v1: pre-order position */
} lk_entry;

/* What the container opened at a depth is. */
enum lk_ctx { C_SKIP, C_ROOT, C_PACKAGES, C_V2_ENTRY, C_V1_DEPS, C_V1_ENTRY, C_DEPS, C_OPT, C_REQUIRES };

/* What the last key read at a depth names. */
enum lk_key { K_OTHER, K_PACKAGES, K_DEPENDENCIES, K_NAME, K_VERSION, K_LICENSE, K_DEV, K_LINK, K_OPT,
	      K_REQUIRES, K_ENTRY };

#define LK_MAX_KEPT_BYTES (1024u * 1024u * 1024u) /* strings kept from one lock file */

struct bw_node_lock_stream {
	const char *what;
	bw_js_parser *js;
	int failed;                         /* a top-level shape error (BW_EINPUT), reported after the parse */
	bw_error failed_err;
	bool root_seen, packages_seen, v1_seen;
	uint8_t ctx[BW_MAX_JSON_DEPTH + 2];
	uint8_t key[BW_MAX_JSON_DEPTH + 2];
	char *entry_key;                    /* the key of the entry whose value comes next */
	lk_entry *cur[BW_MAX_JSON_DEPTH + 2]; /* the entry open at each depth */
	lk_entry **v2, **v1;                /* in document order (v1: by seq after sorting) */
	size_t n_v2, cap_v2, n_v1, cap_v1, seq;
	size_t kept;                        /* bytes of strings kept */
	bw_strmap by_key;                   /* v2 entry key (owned by the entry) -> entry; also the duplicate check */
	bool project_seen;                  /* the "" key of "packages" */
};

static void lk_entry_free(lk_entry *e)
{
	if (!e)
		return;
	free(e->key);
	for (int i = 0; i < LK_FIELDS; i++)
		free(e->f[i]);
	for (size_t i = 0; i < e->n_deps; i++)
		free(e->deps[i]);
	free(e->deps);
	for (size_t i = 0; i < e->n_opt; i++)
		free(e->opt[i]);
	free(e->opt);
	free(e);
}

static void lk_list_free(lk_entry **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lk_entry_free(v[i]);
	free(v);
}

void bw_node_lock_stream_free(bw_node_lock_stream *s)
{
	if (!s)
		return;
	bw_js_free(s->js); /* NULL after finish */
	bw_strmap_free(&s->by_key);
	free(s->entry_key);
	lk_list_free(s->v2, s->n_v2);
	lk_list_free(s->v1, s->n_v1);
	free(s);
}

/* A copy of text, cut after BW_NODE_MAX_STRING + 1 bytes: str_ok() still sees it is too long. */
static char *lk_keep(bw_node_lock_stream *s, const char *text, size_t len)
{
	if (len > BW_NODE_MAX_STRING + 1)
		len = BW_NODE_MAX_STRING + 1;
	if (len + 16 > LK_MAX_KEPT_BYTES - s->kept) {
		bw_error_set(BW_EINPUT, "%s: more than %u bytes of package data", s->what, LK_MAX_KEPT_BYTES);
		return NULL;
	}
	s->kept += len + 16;
	char *c = strndup(text, len);
	if (!c)
		bw_error_set(BW_EINTERNAL, "out of memory");
	return c;
}

static int lk_append(bw_node_lock_stream *s, lk_entry ***v, size_t *n, size_t *cap, lk_entry *e)
{
	if (*n >= BW_NODE_MAX_PACKAGES) {
		lk_entry_free(e);
		return bw_error_set(BW_EINPUT, "%s: more than %d packages", s->what, BW_NODE_MAX_PACKAGES);
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		lk_entry **nv = realloc(*v, c * sizeof(*nv));
		if (!nv) {
			lk_entry_free(e);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = e;
	return 0;
}

/* A new entry named by the pending key; its value starts (an object or not). */
static int lk_open_entry(bw_node_lock_stream *s, bool v2, bool is_object, size_t depth)
{
	lk_entry *e = calloc(1, sizeof(*e));
	int rc;
	if (!e)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	e->key = s->entry_key;
	s->entry_key = NULL;
	e->not_object = !is_object;
	if (v2) {
		rc = lk_append(s, &s->v2, &s->n_v2, &s->cap_v2, e);
		if (rc == 0 && bw_strmap_put(&s->by_key, e->key, e) < 0)
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
	} else {
		e->seq = s->seq++;
		rc = lk_append(s, &s->v1, &s->n_v1, &s->cap_v1, e);
	}
	if (rc == 0 && is_object)
		s->cur[depth] = e;
	return rc;
}

static int lk_push_name(bw_node_lock_stream *s, lk_entry *e, char ***v, size_t *n, const char *text, size_t len)
{
	if (*n >= BW_NODE_MAX_DEPS) {
		e->too_many = true;
		return 0;
	}
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*v = nv;
	if (!(nv[*n] = lk_keep(s, text, len)))
		return bw_error_last()->code;
	(*n)++;
	return 0;
}

static enum lk_key lk_classify(enum lk_ctx in, const char *k, size_t len)
{
	static const struct { const char *s; enum lk_key k; } names[] = {
		{ "name", K_NAME }, { "version", K_VERSION }, { "license", K_LICENSE }, { "dev", K_DEV },
		{ "link", K_LINK }, { "dependencies", K_DEPENDENCIES }, { "optionalDependencies", K_OPT },
		{ "requires", K_REQUIRES },
	};
	if (in == C_ROOT) {
		if (len == 8 && !memcmp(k, "packages", 8))
			return K_PACKAGES;
		if (len == 12 && !memcmp(k, "dependencies", 12))
			return K_DEPENDENCIES;
		return K_OTHER;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strlen(names[i].s) == len && !memcmp(names[i].s, k, len))
			return names[i].k;
	return K_OTHER;
}

/* The first shape error of the document; the JSON is still read to its end (a syntax error wins). */
static void lk_fail(bw_node_lock_stream *s, const char *field)
{
	if (s->failed)
		return;
	if (field)
		s->failed = bw_error_set(BW_EINPUT, "%s: \"%s\" is not an object", s->what, field);
	else
		s->failed = bw_error_set(BW_EINPUT, "%s: not a JSON object", s->what);
	s->failed_err = *bw_error_last();
}

static int lk_event(void *ctx, const bw_js_event *ev)
{
	bw_node_lock_stream *s = ctx;
	size_t d = ev->depth;
	bool start = ev->type == BW_JS_OBJECT_START || ev->type == BW_JS_ARRAY_START;
	bool object = ev->type == BW_JS_OBJECT_START;
	int rc = 0;

	if (ev->type == BW_JS_OBJECT_END || ev->type == BW_JS_ARRAY_END) {
		s->cur[d] = NULL;
		return 0;
	}
	if (d == 0) { /* the document itself */
		s->root_seen = true;
		if (!object) {
			lk_fail(s, NULL);
			if (start)
				s->ctx[0] = C_SKIP;
			return 0;
		}
		s->ctx[0] = C_ROOT;
		return 0;
	}
	enum lk_ctx in = s->ctx[d - 1];
	if (ev->type == BW_JS_KEY) {
		if (in == C_SKIP)
			return 0;
		if (in == C_PACKAGES || in == C_V1_DEPS) {
			/* "packages" is the one object whose keys the parser leaves to us (BW_JS_OWN_KEYS) */
			if (in == C_PACKAGES && (ev->len ? bw_strmap_getn(&s->by_key, ev->text, ev->len) != NULL
						      : s->project_seen))
				return bw_error_set(BW_EINPUT, "%s: invalid JSON: duplicate object key \"%.60s\" at offset %llu",
						    s->what, ev->text, (unsigned long long)bw_js_offset(s->js));
			if (in == C_PACKAGES && !ev->len)
				s->project_seen = true;
			free(s->entry_key);
			if (!(s->entry_key = (in == C_PACKAGES ? strndup(ev->text, ev->len) : lk_keep(s, ev->text, ev->len))))
				return in == C_PACKAGES ? bw_error_set(BW_EINTERNAL, "out of memory") : bw_error_last()->code;
			if (in == C_PACKAGES && ev->len + 16 > LK_MAX_KEPT_BYTES - s->kept)
				return bw_error_set(BW_EINPUT, "%s: more than %u bytes of package data", s->what,
						    LK_MAX_KEPT_BYTES);
			if (in == C_PACKAGES)
				s->kept += ev->len + 16;
			s->key[d] = K_ENTRY;
			return 0;
		}
		if (in == C_DEPS || in == C_OPT || in == C_REQUIRES) {
			lk_entry *e = s->cur[d - 2];
			return in == C_OPT ? lk_push_name(s, e, &e->opt, &e->n_opt, ev->text, ev->len)
					   : lk_push_name(s, e, &e->deps, &e->n_deps, ev->text, ev->len);
		}
		s->key[d] = (uint8_t)lk_classify(in, ev->text, ev->len);
		return 0;
	}
	/* a value at depth d, inside the container `in` */
	enum lk_ctx opens = C_SKIP;
	switch (in) {
	case C_ROOT:
		if (s->key[d] == K_PACKAGES) {
			if (!object) {
				lk_fail(s, "packages");
				break;
			}
			s->packages_seen = true;
			lk_list_free(s->v1, s->n_v1); /* "packages" is the complete one: v1 is not needed */
			s->v1 = NULL;
			s->n_v1 = s->cap_v1 = 0;
			s->ctx[d] = C_PACKAGES;
			return BW_JS_OWN_KEYS;
		} else if (s->key[d] == K_DEPENDENCIES) {
			if (!object) {
				lk_fail(s, "dependencies");
				break;
			}
			s->v1_seen = true;
			opens = s->packages_seen ? C_SKIP : C_V1_DEPS;
		}
		break;
	case C_PACKAGES:
	case C_V1_DEPS:
		if (in == C_PACKAGES && !*s->entry_key) /* the project itself: not a package, never looked up */
			break;
		if ((rc = lk_open_entry(s, in == C_PACKAGES, object, d)) < 0)
			return rc;
		if (object)
			opens = in == C_PACKAGES ? C_V2_ENTRY : C_V1_ENTRY;
		break;
	case C_V2_ENTRY:
	case C_V1_ENTRY: {
		lk_entry *e = s->cur[d - 1];
		int f = -1;
		switch (s->key[d]) {
		case K_NAME: f = in == C_V2_ENTRY ? LK_NAME : -1; break;
		case K_VERSION: f = LK_VERSION; break;
		case K_LICENSE: f = in == C_V2_ENTRY ? LK_LICENSE : -1; break;
		case K_DEV: e->dev = ev->type == BW_JS_TRUE; break;
		case K_LINK: e->link = in == C_V2_ENTRY && ev->type == BW_JS_TRUE; break;
		case K_DEPENDENCIES:
			if (object)
				opens = in == C_V2_ENTRY ? C_DEPS : C_V1_DEPS;
			break;
		case K_OPT: opens = object && in == C_V2_ENTRY ? C_OPT : C_SKIP; break;
		case K_REQUIRES: opens = object && in == C_V1_ENTRY ? C_REQUIRES : C_SKIP; break;
		default: break;
		}
		if (f >= 0) {
			if (ev->type == BW_JS_STRING) {
				e->t[f] = 's';
				if (!(e->f[f] = lk_keep(s, ev->text, ev->len)))
					return bw_error_last()->code;
			} else {
				e->t[f] = ev->type == BW_JS_NULL ? 0 : 'x';
			}
		}
		break;
	}
	default:
		break;
	}
	if (start)
		s->ctx[d] = (uint8_t)opens;
	return 0;
}

bw_node_lock_stream *bw_node_lock_stream_new(const char *what)
{
	bw_node_lock_stream *s = calloc(1, sizeof(*s));
	/* as strict as bw_json_parse was (jansson: no \u0000; duplicates and depth checked) */
	bw_js_limits lim = { .max_depth = BW_MAX_JSON_DEPTH, .max_string = 8u * 1024u * 1024u,
			     .max_number = 4096, .max_events = 200000000ULL, .flags = BW_JS_REJECT_NUL };
	if (!s)
		return NULL;
	s->what = what;
	if (!(s->js = bw_js_new(what, &lim, lk_event, s))) {
		free(s);
		return NULL;
	}
	return s;
}

int bw_node_lock_stream_feed(bw_node_lock_stream *s, const void *data, size_t len)
{
	if (!s->js)
		return bw_error_set(BW_EINTERNAL, "%s: lock stream fed after its end", s->what);
	return bw_js_feed(s->js, data, len);
}

/* The v2 entry at a node_modules path that dependencies resolve to: an object without "link": true. */
static const lk_entry *lk_lookup(const bw_strmap *by_key, const char *key)
{
	const lk_entry *e = bw_strmap_get(by_key, key);
	return e && !e->not_object && !e->link ? e : NULL;
}

/*
 * package-lock v2/v3 name the packages a package depends on, not where they
 * are: resolve each the way node does, from the package's own node_modules up
 * to the project's, and rewrite it as "name@version" (SBOM relationships).
 * Names that resolve to nothing installed (optional, link) are dropped.
 */
static int resolve_v2_deps(const bw_strmap *by_key, const char *key, bw_node_pkg *p)
{
	static const char nm[] = "node_modules/";
	size_t kept = 0;
	for (size_t i = 0; i < p->n_deps; i++) {
		const char *d = p->deps[i], *found_name = NULL, *found_ver = NULL;
		size_t base = strlen(key);
		for (;;) {
			char cand[4096];
			int w = snprintf(cand, sizeof(cand), "%.*s%s%s%s", (int)base, key, base ? "/" : "", nm, d);
			if (w < 0 || (size_t)w >= sizeof(cand))
				break;
			const lk_entry *e = lk_lookup(by_key, cand);
			if (e) {
				found_ver = e->t[LK_VERSION] == 's' ? e->f[LK_VERSION] : NULL;
				found_name = e->t[LK_NAME] == 's' ? e->f[LK_NAME] : d;
				break;
			}
			if (base == 0)
				break;
			/* up one level: cut the last "node_modules/NAME" segment of key[0, base) */
			size_t cut = 0;
			bool any = false;
			for (size_t k = 0; k + sizeof(nm) - 1 <= base; k++)
				if (!memcmp(key + k, nm, sizeof(nm) - 1) && (k == 0 || key[k - 1] == '/'))
					cut = k, any = true;
			if (!any)
				break;
			base = cut ? cut - 1 : 0;
		}
		char *r = NULL;
		if (found_ver && *found_ver) {
			size_t len = strlen(found_name) + strlen(found_ver) + 2;
			if (!(r = malloc(len)))
				return bw_error_set(BW_EINTERNAL, "out of memory");
			snprintf(r, len, "%s@%s", found_name, found_ver);
		}
		free(p->deps[i]);
		if (r)
			p->deps[kept++] = r;
	}
	p->n_deps = kept;
	p->deps_resolved = true;
	return 0;
}

/* A string field as bw_json_opt_string reads it: NULL when absent or null, an error for another type. */
static int lk_field(const char *what, const lk_entry *e, int f, const char **out)
{
	static const char *const names[] = { "name", "version", "license" };
	*out = e->t[f] == 's' ? e->f[f] : NULL;
	if (e->t[f] == 'x')
		return bw_error_set(BW_EINPUT, "%s: field \"%s\" is not a string", what, names[f]);
	return 0;
}

static int lk_add_names(const char *what, bw_node_pkg *p, const lk_entry *e, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (push_str(&p->deps, &p->n_deps, BW_NODE_MAX_DEPS, what, "dependencies", v[i], strlen(v[i])) < 0)
			return bw_error_last()->code;
	if (e->too_many)
		return bw_error_set(BW_EINPUT, "%s: more than %d dependencies", what, BW_NODE_MAX_DEPS);
	return 0;
}

/* v2/v3: {"node_modules/a/node_modules/@s/b": {"version", "name"?, "dev", "license", "link"}} */
static int lock_v2(pkgvec *pv, const bw_strmap *by_key, lk_entry **v, size_t n)
{
	static const char nm[] = "node_modules/";
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		lk_entry *e = v[i];
		bw_node_pkg p = { 0 };
		const char *name, *ver, *lic, *last = NULL, *key = e->key;
		if (e->not_object) {
			rc = bw_error_set(BW_EINPUT, "%s: package \"%.200s\" is not an object", pv->what, key);
			break;
		}
		if (e->link)
			continue; /* points at a folder listed under its own key */
		for (const char *s = key; (s = strstr(s, nm)) != NULL; s += sizeof(nm) - 1)
			if (s == key || s[-1] == '/')
				last = s + sizeof(nm) - 1;
		if (!last || !*last)
			continue; /* a workspace folder: the project's own code */
		if ((rc = lk_field(pv->what, e, LK_NAME, &name)) < 0 || (rc = lk_field(pv->what, e, LK_VERSION, &ver)) < 0 ||
		    (rc = lk_field(pv->what, e, LK_LICENSE, &lic)) < 0)
			break;
		if (!ver || !*ver)
			continue; /* nothing to identify it by */
		if (!name || !*name)
			name = last; /* aliases carry "name"; otherwise it is the folder */
		if ((rc = set_str(pv->what, "name", &p.name, name, strlen(name))) < 0 ||
		    (rc = set_str(pv->what, "version", &p.version, ver, strlen(ver))) < 0 ||
		    (lic && *lic &&
		     (rc = push_str(&p.licenses, &p.n_licenses, BW_NODE_MAX_LICENSES, pv->what, "license", lic,
				    strlen(lic))) < 0) ||
		    (rc = lk_add_names(pv->what, &p, e, e->deps, e->n_deps)) < 0 ||
		    (rc = lk_add_names(pv->what, &p, e, e->opt, e->n_opt)) < 0 ||
		    (rc = resolve_v2_deps(by_key, key, &p)) < 0) {
			pkg_clear(&p);
			break;
		}
		p.dev = e->dev;
		rc = pkgvec_add(pv, &p);
		/* copied: only the key, name and version are looked up again */
		free(e->f[LK_LICENSE]);
		e->f[LK_LICENSE] = NULL;
		for (size_t k = 0; k < e->n_deps; k++)
			free(e->deps[k]);
		for (size_t k = 0; k < e->n_opt; k++)
			free(e->opt[k]);
		free(e->deps);
		free(e->opt);
		e->deps = e->opt = NULL;
		e->n_deps = e->n_opt = 0;
	}
	return rc;
}

static int by_seq(const void *a, const void *b)
{
	const lk_entry *x = *(lk_entry *const *)a, *y = *(lk_entry *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* v1: {"name": {"version", "dev", "requires": {...}, "dependencies": {nested}}}, in pre-order */
static int lock_v1(pkgvec *pv, lk_entry **v, size_t n)
{
	int rc = 0;
	if (n)
		qsort(v, n, sizeof(*v), by_seq);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const lk_entry *e = v[i];
		const char *key = e->key, *ver;
		bw_node_pkg p = { 0 };
		if (e->not_object)
			return bw_error_set(BW_EINPUT, "%s: dependency \"%.200s\" is not an object", pv->what, key);
		if ((rc = lk_field(pv->what, e, LK_VERSION, &ver)) < 0)
			return rc;
		/* "file:" / "link:" versions are the project's own folders, not packages */
		if (!ver || !*ver || !strncmp(ver, "file:", 5) || !strncmp(ver, "link:", 5))
			continue;
		const char *name = key, *vv = ver;
		size_t name_len = strlen(key);
		if (!strncmp(ver, "npm:", 4)) { /* an alias: "npm:real-name@1.2.3" */
			const char *real = ver + 4, *at = strrchr(real + (real[0] == '@'), '@');
			if (!at || at == real)
				return bw_error_set(BW_EINPUT, "%s: dependency \"%.200s\": bad alias \"%.200s\"", pv->what,
						    key, ver);
			name = real;
			name_len = (size_t)(at - real);
			vv = at + 1;
		}
		if ((rc = set_str(pv->what, "name", &p.name, name, name_len)) < 0 ||
		    (rc = set_str(pv->what, "version", &p.version, vv, strlen(vv))) < 0 ||
		    (rc = lk_add_names(pv->what, &p, e, e->deps, e->n_deps)) < 0) {
			pkg_clear(&p);
			return rc;
		}
		p.dev = e->dev;
		rc = pkgvec_add(pv, &p);
	}
	return rc;
}

static int lock_stream_run(bw_node_lock_stream *s, pkgvec *pv)
{
	int rc;
	if ((rc = bw_js_finish(s->js)) < 0)
		return rc;
	bw_js_free(s->js); /* its buffers are not needed any more */
	s->js = NULL;
	if (s->failed)
		return bw_error_restore(&s->failed_err);
	return s->packages_seen ? lock_v2(pv, &s->by_key, s->v2, s->n_v2) : s->v1_seen ? lock_v1(pv, s->v1, s->n_v1) : 0;
}

int bw_node_lock_stream_finish(bw_node_lock_stream *s, bw_node_pkg **out, size_t *n_out)
{
	pkgvec pv = { .what = s->what };
	int rc;

	*out = NULL;
	*n_out = 0;
	if (!s->js)
		return bw_error_set(BW_EINTERNAL, "%s: lock stream finished twice", s->what);
	rc = lock_stream_run(s, &pv);
	if (rc == 0)
		rc = pkgvec_done(&pv, out, n_out);
	pkgvec_free(&pv);
	return rc;
}

/*
 * The same packages, packed into *out (pack_pkg's records, the analyzer's
 * form) without ever holding them as vectors: a fifth of the memory.
 */
static int lock_stream_finish_packed(bw_node_lock_stream *s, bw_buf *out, size_t *n_out)
{
	pkgvec pv = { .what = s->what, .packed = out };
	int rc;

	*n_out = 0;
	if (!s->js)
		return bw_error_set(BW_EINTERNAL, "%s: lock stream finished twice", s->what);
	rc = lock_stream_run(s, &pv);
	if (rc == 0)
		*n_out = pv.n;
	pkgvec_free(&pv);
	return rc;
}

int bw_node_parse_package_lock(const char *what, const char *data, size_t len, bw_node_pkg **out,
			       size_t *n_out)
{
	bw_node_lock_stream *s = bw_node_lock_stream_new(what);
	int rc;

	*out = NULL;
	*n_out = 0;
	if (!s)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	rc = bw_node_lock_stream_feed(s, data, len);
	if (rc == 0)
		rc = bw_node_lock_stream_finish(s, out, n_out);
	bw_node_lock_stream_free(s);
	return rc;
}

/* ------------------------------------------------------------ line parsing */

typedef struct line_reader {
	const char *what;
	const char *p, *end;
	size_t no;
} line_reader;

/* Next line without its "\n" / "\r\n": 1, 0 at the end, or BW_EINPUT. */
static int next_line(line_reader *r, const char **line, size_t *len)
{
	if (r->p >= r->end)
		return 0;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	const char *le = nl ? nl : r->end;
	size_t l = (size_t)(le - r->p);
	r->no++;
	if (l > BW_NODE_MAX_LINE)
		return bw_error_set(BW_EINPUT, "%s: line %zu is longer than %u bytes", r->what, r->no,
				    BW_NODE_MAX_LINE);
	if (memchr(r->p, '\0', l))
		return bw_error_set(BW_EINPUT, "%s: NUL byte on line %zu", r->what, r->no);
	if (l && r->p[l - 1] == '\r')
		l--;
	*line = r->p;
	*len = l;
	r->p = nl ? nl + 1 : r->end;
	return 1;
}

static size_t indent_of(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/* s[0..*len) without surrounding blanks and one pair of matching quotes. */
static const char *unquote(const char *s, size_t *len)
{
	size_t l = *len;
	while (l && (*s == ' ' || *s == '\t'))
		s++, l--;
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
		l--;
	if (l >= 2 && (s[0] == '"' || s[0] == '\'') && s[l - 1] == s[0])
		s++, l -= 2;
	*len = l;
	return s;
}

/* Where the '@' between a name and what follows is: the first one after an optional scope "@". */
static const char *name_at(const char *s, size_t len)
{
	if (len < 2)
		return NULL;
	return memchr(s + 1, '@', len - 1);
}

/* The dependency name at the start of an indented "name range" / "name: range" line. */
static int add_dep_line(const char *what, bw_node_pkg *p, const char *s, size_t len)
{
	size_t i = indent_of(s, len), n;
	s += i;
	len -= i;
	if (len && (s[0] == '"' || s[0] == '\'')) {
		const char *q = memchr(s + 1, s[0], len - 1);
		if (!q)
			return bw_error_set(BW_EINPUT, "%s: unterminated quote in a dependency", what);
		s++;
		n = (size_t)(q - s);
	} else {
		for (n = 0; n < len && s[n] != ' ' && s[n] != ':'; n++)
			;
	}
	if (!n)
		return 0;
	return push_str(&p->deps, &p->n_deps, BW_NODE_MAX_DEPS, what, "dependencies", s, n);
}

/* ------------------------------------------------------------ yarn.lock */

typedef struct yarn_entry {
	bool open, skip, in_deps;
	bw_node_pkg p;
} yarn_entry;

static int yarn_close(pkgvec *pv, yarn_entry *e)
{
	int rc = 0;
	if (e->open && !e->skip && e->p.name && e->p.version)
		rc = pkgvec_add(pv, &e->p);
	pkg_clear(&e->p);
	memset(e, 0, sizeof(*e));
	return rc;
}

/* A header: "a@^1", a@~1.2: (v1) or "a@npm:^1, a@npm:~1.2": (berry); the first spec names it. */
static int yarn_header(pkgvec *pv, yarn_entry *e, const char *s, size_t len, size_t line_no)
{
	e->open = true;
	len--; /* the ':' */
	while (len && (*s == '"' || *s == ' '))
		s++, len--;
	size_t n = 0;
	while (n < len && s[n] != ',' && s[n] != '"')
		n++;
	if (n == 10 && !memcmp(s, "__metadata", 10)) { /* berry's own header */
		e->skip = true;
		return 0;
	}
	const char *at = name_at(s, n);
	if (!at)
		return bw_error_set(BW_EINPUT, "%s: line %zu: \"%.*s\" is not name@range", pv->what, line_no,
				    (int)(n > 200 ? 200 : n), s);
	size_t rest = n - (size_t)(at + 1 - s);
	static const char *const local[] = { "workspace:", "link:", "portal:", "patch:" };
	for (size_t i = 0; i < sizeof(local) / sizeof(*local); i++) {
		size_t ll = strlen(local[i]);
		/* the project's own folders, and patched copies of packages listed on their own */
		if (rest >= ll && !memcmp(at + 1, local[i], ll))
			e->skip = true;
	}
	return set_str(pv->what, "name", &e->p.name, s, (size_t)(at - s));
}

int bw_node_parse_yarn_lock(const char *what, const char *data, size_t len, bw_node_pkg **out,
			    size_t *n_out)
{
	line_reader r = { what, data, data + len, 0 };
	pkgvec pv = { .what = what };
	yarn_entry e = { 0 };
	const char *s = NULL;
	size_t l = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (len > BW_NODE_LOCK_MAX)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than the limit of %u", what, len,
				    BW_NODE_LOCK_MAX);
	while ((rc = next_line(&r, &s, &l)) > 0) {
		size_t ind = indent_of(s, l);
		if (ind == l || s[ind] == '#')
			continue;
		if (ind == 0) {
			if ((rc = yarn_close(&pv, &e)) < 0)
				break;
			if (s[l - 1] != ':') {
				rc = bw_error_set(BW_EINPUT, "%s: line %zu is not an entry header", what, r.no);
				break;
			}
			if ((rc = yarn_header(&pv, &e, s, l, r.no)) < 0)
				break;
			continue;
		}
		if (!e.open) {
			rc = bw_error_set(BW_EINPUT, "%s: line %zu is indented outside an entry", what, r.no);
			break;
		}
		if (e.skip)
			continue;
		if (ind == 2) {
			const char *k = s + 2;
			size_t kl = l - 2;
			e.in_deps = false;
			if (kl > 8 && !memcmp(k, "version", 7) && (k[7] == ' ' || k[7] == ':')) {
				size_t vl = kl - 8;
				const char *v = unquote(k + 8, &vl);
				if ((rc = set_str(what, "version", &e.p.version, v, vl)) < 0)
					break;
			} else if ((kl == 13 && !memcmp(k, "dependencies:", 13)) ||
				   (kl == 21 && !memcmp(k, "optionalDependencies:", 21))) {
				e.in_deps = true;
			}
		} else if (ind >= 4 && e.in_deps) {
			if ((rc = add_dep_line(what, &e.p, s, l)) < 0)
				break;
		}
	}
	if (rc == 0)
		rc = yarn_close(&pv, &e);
	if (rc == 0)
		rc = pkgvec_done(&pv, out, n_out);
	pkg_clear(&e.p);
	pkgvec_free(&pv);
	return rc;
}

/* ------------------------------------------------------------ pnpm-lock.yaml */

typedef struct pnpm_entry {
	bool open, in_deps;
	char *key;
	bw_node_pkg p;   /* name/version from fields, when the key is a URL */
} pnpm_entry;

static void pnpm_entry_clear(pnpm_entry *e)
{
	free(e->key);
	pkg_clear(&e->p);
	memset(e, 0, sizeof(*e));
}

/* Derives name and version from the key unless fields gave them, and adds a non-empty result. */
static int pnpm_close(pkgvec *pv, pnpm_entry *e, int major)
{
	int rc = 0;
	if (!e->open)
		return 0;
	const char *k = e->key;
	size_t kl = strlen(k);
	if (kl && k[0] == '/')
		k++, kl--;
	const char *paren = memchr(k, '(', kl); /* 6.x / 9.x peer suffix: name@1.0.0(react@18.0.0) */
	if (paren)
		kl = (size_t)(paren - k);
	const char *name = NULL, *ver = NULL;
	size_t name_len = 0, ver_len = 0;
	const char *at = name_at(k, kl);
	bool at_form = major >= 6;
	if (major < 1 && at) { /* no usable lockfileVersion: name@ver has no '/' before the '@' but a scope's */
		size_t slashes = 0;
		for (const char *c = k; c < at; c++)
			slashes += *c == '/';
		at_form = slashes == (k[0] == '@' ? 1u : 0u);
	}
	if (at_form) {
		if (at) {
			name = k;
			name_len = (size_t)(at - k);
			ver = at + 1;
			ver_len = kl - name_len - 1;
		}
	} else { /* 5.x: name/1.0.0 or @scope/name/1.0.0, peers as 1.0.0_react@18.0.0 */
		const char *slash = NULL;
		for (size_t i = kl; i-- > 0;)
			if (k[i] == '/') {
				slash = k + i;
				break;
			}
		if (slash) {
			name = k;
			name_len = (size_t)(slash - k);
			ver = slash + 1;
			ver_len = kl - name_len - 1;
			const char *us = memchr(ver, '_', ver_len);
			if (us)
				ver_len = (size_t)(us - ver);
		}
	}
	if (!e->p.name && name && name_len && (rc = set_str(pv->what, "name", &e->p.name, name, name_len)) < 0)
		goto done;
	if (!e->p.version && ver && ver_len && (rc = set_str(pv->what, "version", &e->p.version, ver, ver_len)) < 0)
		goto done;
	if (e->p.name && e->p.version)
		rc = pkgvec_add(pv, &e->p);
done:
	pnpm_entry_clear(e);
	return rc;
}

int bw_node_parse_pnpm_lock(const char *what, const char *data, size_t len, bw_node_pkg **out,
			    size_t *n_out)
{
	line_reader r = { what, data, data + len, 0 };
	pkgvec pv = { .what = what };
	pnpm_entry e = { 0 };
	bool in_packages = false;
	int major = 0, rc;
	const char *s = NULL;
	size_t l = 0;

	*out = NULL;
	*n_out = 0;
	if (len > BW_NODE_LOCK_MAX)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than the limit of %u", what, len,
				    BW_NODE_LOCK_MAX);
	while ((rc = next_line(&r, &s, &l)) > 0) {
		size_t ind = indent_of(s, l);
		if (ind == l || s[ind] == '#')
			continue;
		if (ind == 0) {
			if ((rc = pnpm_close(&pv, &e, major)) < 0)
				break;
			in_packages = l == 9 && !memcmp(s, "packages:", 9);
			if (l > 16 && !memcmp(s, "lockfileVersion:", 16)) {
				size_t vl = l - 16;
				const char *v = unquote(s + 16, &vl);
				major = 0;
				for (size_t i = 0; i < vl && i < 4 && v[i] >= '0' && v[i] <= '9'; i++)
					major = major * 10 + (v[i] - '0');
				if (major == 0)
					major = -1; /* present but unreadable: guess per key below */
			}
			continue;
		}
		if (!in_packages)
			continue;
		if (ind == 2) {
			if ((rc = pnpm_close(&pv, &e, major)) < 0)
				break;
			if (s[l - 1] != ':')
				continue; /* "key: {flow}" is not written by pnpm; nothing to read */
			size_t kl = l - 3;
			const char *k = unquote(s + 2, &kl);
			if ((rc = str_ok(what, "package key", k, kl)) < 0)
				break;
			if (!(e.key = strndup(k, kl))) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				break;
			}
			e.open = true;
			continue;
		}
		if (!e.open)
			continue;
		if (ind == 4) {
			const char *k = s + 4, *colon = memchr(k, ':', l - 4);
			size_t kl = colon ? (size_t)(colon - k) : l - 4, vl = colon ? l - 4 - kl - 1 : 0;
			const char *v = colon ? unquote(colon + 1, &vl) : NULL;
			e.in_deps = vl == 0 && ((kl == 12 && !memcmp(k, "dependencies", 12)) ||
						(kl == 20 && !memcmp(k, "optionalDependencies", 20)));
			if (kl == 3 && !memcmp(k, "dev", 3))
				e.p.dev = vl == 4 && !memcmp(v, "true", 4);
			else if (kl == 4 && !memcmp(k, "name", 4) && vl)
				rc = set_str(what, "name", &e.p.name, v, vl);
			else if (kl == 7 && !memcmp(k, "version", 7) && vl)
				rc = set_str(what, "version", &e.p.version, v, vl);
			if (rc < 0)
				break;
		} else if (ind >= 6 && e.in_deps) {
			if ((rc = add_dep_line(what, &e.p, s, l)) < 0)
				break;
		}
	}
	if (rc == 0)
		rc = pnpm_close(&pv, &e, major);
	if (rc == 0)
		rc = pkgvec_done(&pv, out, n_out);
	pnpm_entry_clear(&e);
	pkgvec_free(&pv);
	return rc;
}

/* ------------------------------------------------------------ the analyzers */

/* Fills p for one npm package; ns receives the purl namespace ("@scope") and *name the rest. */
static void npm_pkg(bw_pkg_new *p, const bw_node_pkg *k, char *ns, size_t nssz)
{
	const char *slash = k->name[0] == '@' ? strchr(k->name, '/') : NULL;
	memset(p, 0, sizeof(*p));
	p->type = "npm";
	p->name = k->name;
	p->version = k->version;
	p->licenses = (const char *const *)k->licenses;
	p->n_licenses = k->n_licenses;
	ns[0] = '\0';
	if (slash && slash[1] && (size_t)(slash - k->name) < nssz) {
		memcpy(ns, k->name, (size_t)(slash - k->name));
		ns[slash - k->name] = '\0';
		p->purl_namespace = ns;
	}
}

/*
 * An installed copy's package.json is node_modules/<name>/package.json or
 * node_modules/@scope/<name>/package.json; other package.json files (the
 * project's own, a package's lib/package.json markers, test fixtures) are not.
 */
static bool installed_path(const char *path, size_t len)
{
	static const char tail[] = "/package.json";
	size_t tl = sizeof(tail) - 1;
	if (len <= tl || memcmp(path + len - tl, tail, tl))
		return false;
	/* segments, right to left: the package folder, then "@scope" or node_modules */
	size_t end = len - tl, a = end;
	while (a > 0 && path[a - 1] != '/')
		a--;
	if (a == end || a == 0 || path[a] == '.')
		return false;
	size_t pe = a - 1, pa = pe; /* the parent segment is path[pa..pe) */
	while (pa > 0 && path[pa - 1] != '/')
		pa--;
	if (pe > pa + 1 && path[pa] == '@') { /* scoped: node_modules is one further up */
		if (pa == 0)
			return false;
		pe = pa - 1;
		pa = pe;
		while (pa > 0 && path[pa - 1] != '/')
			pa--;
	}
	return pe - pa == 12 && !memcmp(path + pa, "node_modules", 12);
}

static bool node_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	return !strcmp(e->name, "package.json") && installed_path(e->path, e->path_len);
}

static int node_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	bw_node_pkg *v = NULL;
	size_t n = 0;
	char ns[BW_NODE_MAX_STRING + 1];
	bw_pkg_new p;
	int rc;

	if (e->type != BW_FT_FILE || truncated) {
		if ((rc = bw_pkgstore_put(state, e->path, NULL, 0)) < 0)
			return rc;
		if (truncated)
			return bw_error_set(BW_EINPUT, "larger than %u bytes: not read, its package is not listed",
					    BW_NODE_PACKAGE_JSON_MAX);
		return 0;
	}
	if (bw_node_parse_package_json("package.json", (const char *)content, len, &v, &n) < 0) {
		rc = bw_error_last()->code;
		if (bw_pkgstore_put(state, e->path, NULL, 0) < 0)
			return BW_EINTERNAL;
		return rc;
	}
	if (n) {
		npm_pkg(&p, &v[0], ns, sizeof(ns));
		rc = bw_pkgstore_put(state, e->path, &p, 1);
	} else {
		rc = bw_pkgstore_put(state, e->path, NULL, 0);
	}
	bw_node_free(v, n);
	return rc;
}

const bw_analyzer bw_analyzer_node = {
	.name = "node",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = node_wants,
	.content_max = BW_NODE_PACKAGE_JSON_MAX,
	.layer_new = bw_pkgstore_new,
	.save = bw_pkgstore_save,
	.load = bw_pkgstore_load,
	.entry = node_entry,
	.layer_free = bw_pkgstore_free,
	.finish = bw_pkgstore_finish,
};

/* Lock files by priority: the first one present in a directory is the one npm/pnpm/yarn used. */
static const char *const lock_names[] = { "npm-shrinkwrap.json", "package-lock.json", "pnpm-lock.yaml",
					  "yarn.lock" };
#define N_LOCK_NAMES (sizeof(lock_names) / sizeof(*lock_names))

/*
 * A lock file's packages, packed (pack_pkg) as soon as it is parsed: a lock
 * file of 400,000 packages is ~20 MB so, where the parsed vectors are five
 * times that, and the layer cache saves these bytes as they are.
 */
typedef struct lock_file {
	char *path;
	uint8_t *packed; /* NULL / 0 when the entry held no packages */
	size_t packed_len;
	size_t n;
} lock_file;

/* name, version, u8 flags (1 dev, 2 deps resolved), u32 licenses, u32 deps */
static int pack_pkg(bw_buf *out, const bw_node_pkg *p)
{
	int rc = bw_wire_str(out, p->name) | bw_wire_str(out, p->version);
	rc |= bw_wire_u8(out, (uint8_t)((p->dev ? 1 : 0) | (p->deps_resolved ? 2 : 0)));
	rc |= bw_wire_u32(out, (uint32_t)p->n_licenses);
	for (size_t j = 0; j < p->n_licenses; j++)
		rc |= bw_wire_str(out, p->licenses[j]);
	rc |= bw_wire_u32(out, (uint32_t)p->n_deps);
	for (size_t j = 0; j < p->n_deps; j++)
		rc |= bw_wire_str(out, p->deps[j]);
	return rc ? -1 : 0;
}

/* One saved string into *dst (malloc'd); false when the cursor went bad or memory ran out. */
static bool load_str(bw_cursor *in, char *tmp, size_t cap, char **dst, bool *nomem)
{
	const char *v = bw_cursor_str(in, tmp, cap);
	if (!v) {
		in->bad = true;
		return false;
	}
	if (!(*dst = strdup(v)))
		*nomem = true;
	return !*nomem;
}

#define UNPACK_TMP (2 * BW_NODE_MAX_STRING + 16) /* the longest string: a resolved "name@version" */

/* The next packed package into *p (cleared by the caller with pkg_clear): 0, or in->bad / *nomem set. */
static void unpack_pkg(bw_cursor *in, bw_node_pkg *p, char *tmp, bool *nomem)
{
	memset(p, 0, sizeof(*p));
	if (!load_str(in, tmp, UNPACK_TMP, &p->name, nomem) || !load_str(in, tmp, UNPACK_TMP, &p->version, nomem))
		return;
	uint8_t flags = bw_cursor_u8(in);
	p->dev = flags & 1;
	p->deps_resolved = flags & 2;
	uint32_t nl = bw_cursor_u32(in);
	if (nl > BW_NODE_MAX_LICENSES || (nl && !(p->licenses = calloc(nl, sizeof(char *))))) {
		in->bad = in->bad || nl > BW_NODE_MAX_LICENSES;
		*nomem = !in->bad;
		return;
	}
	for (uint32_t j = 0; j < nl && load_str(in, tmp, UNPACK_TMP, &p->licenses[j], nomem); j++)
		p->n_licenses = j + 1;
	uint32_t nd = bw_cursor_u32(in);
	if (in->bad || *nomem)
		return;
	if (nd > BW_NODE_MAX_DEPS || (nd && !(p->deps = calloc(nd, sizeof(char *))))) {
		in->bad = in->bad || nd > BW_NODE_MAX_DEPS;
		*nomem = !in->bad;
		return;
	}
	for (uint32_t j = 0; j < nd && load_str(in, tmp, UNPACK_TMP, &p->deps[j], nomem); j++)
		p->n_deps = j + 1;
}

/* Packs v[0..n) into f (v is freed). */
static int lock_file_pack(lock_file *f, bw_node_pkg *v, size_t n)
{
	bw_buf b = BW_BUF_INIT((size_t)1 << 40); /* bounded by the packages already parsed */
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++)
		if (pack_pkg(&b, &v[k]) < 0)
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
	bw_node_free(v, n);
	if (rc < 0) {
		bw_buf_free(&b);
		return rc;
	}
	f->packed = bw_buf_detach(&b, &f->packed_len);
	f->n = f->packed ? n : 0;
	return 0;
}

/*
 * Lock files are streamed (analyzer chunk()): package-lock.json and
 * npm-shrinkwrap.json go through the JSON stream as they arrive, so their
 * size does not matter; yarn.lock and pnpm-lock.yaml are line formats parsed
 * whole, so their pieces are gathered here, up to BW_NODE_LOCK_MAX.
 */
typedef struct lock_layer {
	bw_strmap files; /* path (owned by the lock_file) -> lock_file* */
	bw_node_lock_stream *stream; /* the package-lock being read */
	bw_buf text;                 /* the yarn.lock / pnpm-lock.yaml being read */
	bool too_big;                /* ... and it passed BW_NODE_LOCK_MAX */
} lock_layer;

static void *lock_layer_new(void)
{
	lock_layer *s = calloc(1, sizeof(lock_layer));
	if (s)
		s->text = (bw_buf)BW_BUF_INIT(BW_NODE_LOCK_MAX);
	return s;
}

static void lock_layer_free(void *state)
{
	lock_layer *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->files.cap; i++) {
		lock_file *f = s->files.slots[i].value;
		if (s->files.slots[i].key && f) {
			free(f->packed);
			free(f->path);
			free(f);
		}
	}
	bw_strmap_free(&s->files);
	bw_node_lock_stream_free(s->stream);
	bw_buf_free(&s->text);
	free(s);
}

static int lock_kind(const char *name)
{
	for (size_t i = 0; i < N_LOCK_NAMES; i++)
		if (!strcmp(name, lock_names[i]))
			return (int)i;
	return -1;
}

static bool lock_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	/* lock files shipped inside installed packages (of any ecosystem: a gem's
	 * editor extension, a wheel's bundled assets) describe their authors'
	 * development trees, not software installed in the image */
	static const char *const inside_packages[] = { "/node_modules/", "/ruby/gems/", "/site-packages/",
						       "/dist-packages/", NULL };
	if (lock_kind(e->name) < 0)
		return false;
	for (const char *const *p = inside_packages; *p; p++)
		if (strstr(e->path, *p))
			return false;
	return true;
}

static int lock_chunk(void *state, const bw_entry *e, const uint8_t *data, size_t len)
{
	lock_layer *s = state;
	int kind = lock_kind(e->name);

	if (kind == 0 || kind == 1) {
		/* the name outlives the stream: lock_names is static */
		if (!s->stream && !(s->stream = bw_node_lock_stream_new(lock_names[kind])))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		/* an error is kept by the stream and reported once, by lock_entry() */
		return bw_node_lock_stream_feed(s->stream, data, len) == BW_EINTERNAL ? BW_EINTERNAL : 0;
	}
	if (s->too_big)
		return 0;
	int rc = bw_buf_append(&s->text, data, len);
	if (rc == -2)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (rc < 0) {
		s->too_big = true;
		bw_buf_free(&s->text);
		s->text = (bw_buf)BW_BUF_INIT(BW_NODE_LOCK_MAX);
	}
	return 0;
}

static int lock_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	lock_layer *s = state;
	lock_file *f = bw_strmap_get(&s->files, e->path);
	bw_node_lock_stream *stream = s->stream;
	bool too_big = s->too_big;
	int rc = 0;

	(void)content;
	(void)len;
	(void)truncated;
	s->stream = NULL; /* this file's pieces are all in: the next file starts afresh */
	s->too_big = false;
	if (!f) {
		if (!(f = calloc(1, sizeof(*f))) || !(f->path = strdup(e->path))) {
			free(f);
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if (bw_strmap_put(&s->files, f->path, f) < 0) {
			free(f->path);
			free(f);
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
	}
	free(f->packed); /* a later tar entry of the same path replaces it */
	f->packed = NULL;
	f->packed_len = f->n = 0;
	if (e->type != BW_FT_FILE)
		goto done;
	bw_node_pkg *v = NULL;
	size_t n = 0;
	switch (lock_kind(e->name)) {
	case 0:
	case 1:
		if (!stream && !(stream = bw_node_lock_stream_new(e->name))) { /* an empty file: no pieces */
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		{
			bw_buf b = BW_BUF_INIT((size_t)1 << 40); /* bounded by the packages parsed */
			rc = lock_stream_finish_packed(stream, &b, &n);
			if (rc == 0 && n) {
				f->packed = bw_buf_detach(&b, &f->packed_len);
				f->n = n;
			}
			bw_buf_free(&b);
			n = 0;
		}
		break;
	case 2:
	case 3:
		if (too_big) {
			rc = bw_error_set(BW_EINPUT, "larger than %u bytes: not read, its packages are not listed",
					  BW_NODE_LOCK_MAX);
			break;
		}
		content = s->text.data ? s->text.data : (const uint8_t *)"";
		if (lock_kind(e->name) == 2)
			rc = bw_node_parse_pnpm_lock(e->name, (const char *)content, s->text.len, &v, &n);
		else
			rc = bw_node_parse_yarn_lock(e->name, (const char *)content, s->text.len, &v, &n);
		break;
	}
	if (rc == 0 && v) /* yarn.lock, pnpm-lock.yaml: package-lock is packed as it is parsed */
		rc = lock_file_pack(f, v, n);
	else
		bw_node_free(v, n);
done:
	bw_node_lock_stream_free(stream);
	bw_buf_reset(&s->text);
	return rc;
}

/*
 * The layer cache keeps a streaming analyzer's finished state (analyzer.h):
 * u64 files, then per file its path, u64 packages and the packed bytes
 * (u64 length, then pack_pkg's records), checked record by record on load.
 */
static int lock_save(void *state, bw_buf *out)
{
	lock_layer *s = state;
	uint64_t n_files = 0;
	int rc = 0;

	for (size_t i = 0; i < s->files.cap; i++)
		n_files += s->files.slots[i].key && s->files.slots[i].value;
	rc |= bw_wire_u64(out, n_files);
	for (size_t i = 0; i < s->files.cap && rc == 0; i++) {
		const lock_file *f = s->files.slots[i].value;
		if (!s->files.slots[i].key || !f)
			continue;
		rc |= bw_wire_str(out, f->path);
		rc |= bw_wire_u64(out, f->n);
		rc |= bw_wire_u64(out, f->packed_len);
		if (f->packed_len)
			rc |= bw_buf_append(out, f->packed, f->packed_len);
	}
	return rc ? bw_error_set(BW_EINTERNAL, "layer cache: cannot save the lock files") : 0;
}

static int lock_load(void *state, bw_cursor *in)
{
	lock_layer *s = state;
	char *tmp = malloc(UNPACK_TMP);
	bool nomem = !tmp;
	uint64_t n_files = tmp ? bw_cursor_u64(in) : 0;

	if (n_files > BW_DEFAULT_MAX_ENTRIES)
		in->bad = true;
	for (uint64_t i = 0; i < n_files && !in->bad && !nomem; i++) {
		lock_file *f = calloc(1, sizeof(*f));
		if (!f || !load_str(in, tmp, UNPACK_TMP, &f->path, &nomem) || bw_strmap_get(&s->files, f->path)) {
			in->bad = in->bad || (f && f->path);
			nomem = nomem || !f;
			if (f)
				free(f->path);
			free(f);
			break;
		}
		if (bw_strmap_put(&s->files, f->path, f) < 0) {
			free(f->path);
			free(f);
			nomem = true;
			break;
		}
		uint64_t n = bw_cursor_u64(in), len = bw_cursor_u64(in);
		const uint8_t *bytes = n <= BW_NODE_MAX_PACKAGES ? bw_cursor_take(in, len) : NULL;
		if (!bytes || (n == 0) != (len == 0)) {
			in->bad = true;
			break;
		}
		/* every record must read back whole, and the records must fill the bytes exactly */
		bw_cursor c = { bytes, len, false };
		for (uint64_t k = 0; k < n && !c.bad && !nomem; k++) {
			bw_node_pkg p;
			unpack_pkg(&c, &p, tmp, &nomem);
			pkg_clear(&p);
		}
		if (c.bad || c.left) {
			in->bad = true;
			break;
		}
		if (len && !nomem) {
			if (!(f->packed = malloc(len))) {
				nomem = true;
				break;
			}
			memcpy(f->packed, bytes, len);
			f->packed_len = len;
			f->n = n;
		}
	}
	free(tmp);
	if (nomem)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (in->bad)
		return bw_error_set(BW_EINPUT, "layer cache: malformed lock file state");
	return 0;
}

/* A file that is in the final image as written by layer l at that same path. */
static bool survives(const bw_fs *fs, const char *path, size_t l)
{
	const bw_fsnode *node = bw_fs_get(fs, path);
	return node && node->data_path && node->data_layer == l && !strcmp(node->data_path, path);
}

/* dir/node_modules holds at least one installed package folder (not only .bin, .cache, ...). */
static bool has_node_modules(const bw_fs *fs, const char *dir, size_t dir_len)
{
	char p[BW_MAX_PATH_BYTES + 32];
	if (dir_len + sizeof("/node_modules") > sizeof(p))
		return false;
	snprintf(p, sizeof(p), "%.*s/node_modules", (int)dir_len, dir);
	const bw_fsnode *nm = bw_fs_get(fs, p);
	if (!nm || nm->type != BW_FT_DIR)
		return false;
	for (const bw_fsnode *c = bw_fs_first_child(fs, nm); c; c = bw_fs_next_sibling(fs, c)) {
		const char *slash = strrchr(c->path, '/');
		const char *name = slash ? slash + 1 : c->path;
		if (name[0] && name[0] != '.')
			return true;
	}
	return false;
}

/* A lock file of higher priority is in the same directory of the final image. */
static bool better_lock(const bw_fs *fs, const char *dir, size_t dir_len, int kind)
{
	char p[BW_MAX_PATH_BYTES + 32];
	for (int i = 0; i < kind; i++) {
		if (dir_len + 2 + strlen(lock_names[i]) > sizeof(p))
			return false;
		snprintf(p, sizeof(p), "%.*s/%s", (int)dir_len, dir, lock_names[i]);
		const bw_fsnode *n = bw_fs_get(fs, p);
		if (n && n->data_path && n->type == BW_FT_FILE)
			return true;
	}
	return false;
}

static int lock_finish(bw_image *img, void *const *states, size_t n_layers)
{
	const bw_fs *fs = bw_image_fs(img);
	char ns[BW_NODE_MAX_STRING + 1];
	char *tmp = malloc(UNPACK_TMP);
	int rc = tmp ? 0 : bw_error_set(BW_EINTERNAL, "out of memory");

	for (size_t l = 0; l < n_layers && rc == 0; l++) {
		const lock_layer *s = states[l];
		if (!s)
			continue;
		for (size_t i = 0; i < s->files.cap && rc == 0; i++) {
			const lock_file *f = s->files.slots[i].value;
			if (!s->files.slots[i].key || !f || !f->n || !survives(fs, f->path, l))
				continue;
			const char *slash = strrchr(f->path, '/');
			size_t dir_len = slash ? (size_t)(slash - f->path) : 0;
			if (has_node_modules(fs, f->path, dir_len) ||
			    better_lock(fs, f->path, dir_len, lock_kind(slash ? slash + 1 : f->path)))
				continue;
			bw_cursor c = { f->packed, f->packed_len, false };
			bool nomem = false;
			for (size_t k = 0; k < f->n && rc == 0; k++) {
				bw_pkg_new p;
				bw_node_pkg q;
				unpack_pkg(&c, &q, tmp, &nomem);
				if (c.bad || nomem) {
					pkg_clear(&q);
					rc = bw_error_set(BW_EINTERNAL, "%s: packed packages do not read back", f->path);
					break;
				}
				if (!q.dev) {
					npm_pkg(&p, &q, ns, sizeof(ns));
					p.path = f->path;
					p.layer = l;
					if (q.deps_resolved) {
						p.depends = (const char *const *)q.deps;
						p.n_depends = q.n_deps;
					}
					rc = bw_image_add_package(img, &p);
				}
				pkg_clear(&q);
			}
		}
	}
	free(tmp);
	return rc;
}

const bw_analyzer bw_analyzer_node_lock = {
	.name = "node-lock",
	.version = 2, /* 2: streamed, package-lock of any size; saved state instead of recorded files */
	.kind = BW_ANALYZE_PACKAGES,
	.wants = lock_wants,
	.layer_new = lock_layer_new,
	.chunk = lock_chunk,
	.entry = lock_entry,
	.save = lock_save,
	.load = lock_load,
	.layer_free = lock_layer_free,
	.finish = lock_finish,
};
