/*
 * inventory/sbom_in.c: `sbom:FILE` — an image's packages read from a
 * CycloneDX (1.4-1.6) or SPDX 2.3 JSON SBOM instead of from the image, so a
 * vendor's SBOM can be scanned without the image.
 *
 * Packages come from package URLs (CycloneDX `purl`, SPDX externalRefs of
 * type purl); a component without one is counted and skipped, since nothing
 * could be matched for it. The distribution comes from an operating-system
 * component (CycloneDX) or the purls' `distro` qualifier ("debian-12").
 * Source packages, which Debian and Alpine advisories are keyed by, come
 * from bulwark's and Trivy's properties, SPDX sourceInfo written by bulwark,
 * or the purl's `upstream` qualifier (Syft); else the binary package.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "image/image_int.h"
#include "inventory/package.h"
#include "inventory/sbom_in.h"
#include "util/buf.h"
#include "util/jsonstream.h"
#include "util/log.h"

#define PURL_MAX 4096

/* Percent-decodes src[0..n) into out; false when it does not fit or has a NUL. */
static bool pct_decode(const char *src, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '%' && i + 2 < n && isxdigit((unsigned char)src[i + 1]) &&
		    isxdigit((unsigned char)src[i + 2])) {
			char hex[3] = { src[i + 1], src[i + 2], 0 };
			c = (char)strtol(hex, NULL, 16);
			i += 2;
		}
		if (c == '\0' || o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

typedef struct purl {
	char type[32];
	char ns[512];
	char name[512];
	char version[512];
	char distro[128];
	char upstream[512];
	char arch[64];
	char epoch[32];
} purl;

/* pkg:TYPE/NAMESPACE.../NAME@VERSION?QUALIFIERS#SUBPATH (purl spec) */
static bool purl_parse(const char *s, purl *p)
{
	memset(p, 0, sizeof(*p));
	if (strncmp(s, "pkg:", 4) != 0 || strlen(s) >= PURL_MAX)
		return false;
	s += 4;
	while (*s == '/')
		s++;
	size_t end = strcspn(s, "#");
	size_t q = strcspn(s, "?");
	if (q > end)
		q = end;
	/* qualifiers */
	for (const char *k = s + q + (q < end ? 1 : 0); k < s + end;) {
		size_t len = strcspn(k, "&#");
		if (k + len > s + end)
			len = (size_t)(s + end - k);
		const char *eq = memchr(k, '=', len);
		if (eq) {
			size_t kl = (size_t)(eq - k), vl = len - kl - 1;
			char *dst = NULL;
			size_t cap = 0;
			if (kl == 6 && !strncmp(k, "distro", 6)) { dst = p->distro; cap = sizeof(p->distro); }
			else if (kl == 8 && !strncmp(k, "upstream", 8)) { dst = p->upstream; cap = sizeof(p->upstream); }
			else if (kl == 4 && !strncmp(k, "arch", 4)) { dst = p->arch; cap = sizeof(p->arch); }
			else if (kl == 5 && !strncmp(k, "epoch", 5)) { dst = p->epoch; cap = sizeof(p->epoch); }
			if (dst && !pct_decode(eq + 1, vl, dst, cap))
				return false;
		}
		k += len;
		if (*k == '&')
			k++;
		else
			break;
	}
	/* type / namespace / name @ version */
	size_t t = strcspn(s, "/");
	if (t == 0 || t >= q || t >= sizeof(p->type))
		return false;
	for (size_t i = 0; i < t; i++)
		p->type[i] = (char)tolower((unsigned char)s[i]);
	const char *rest = s + t + 1;
	size_t rl = (size_t)(s + q - rest);
	const char *at = NULL;
	for (size_t i = rl; i > 0; i--)
		if (rest[i - 1] == '@') {
			at = rest + i - 1;
			break;
		}
	const char *slash = NULL;
	for (const char *c = rest; c < (at ? at : rest + rl); c++)
		if (*c == '/')
			slash = c;
	const char *name = slash ? slash + 1 : rest;
	size_t nl = (size_t)((at ? at : rest + rl) - name);
	if (nl == 0 || !pct_decode(name, nl, p->name, sizeof(p->name)))
		return false;
	if (slash && !pct_decode(rest, (size_t)(slash - rest), p->ns, sizeof(p->ns)))
		return false;
	if (at && !pct_decode(at + 1, (size_t)(rest + rl - at - 1), p->version, sizeof(p->version)))
		return false;
	return true;
}

/* purl type -> bulwark package type */
static const char *package_type(const char *t)
{
	static const char *const same[] = { "deb", "apk", "rpm", "pypi", "npm", "golang", "cargo", "maven",
					    "gem", "composer", "nuget" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (!strcmp(t, same[i]))
			return same[i];
	return NULL;
}

typedef struct sbom_ctx {
	bw_image *img;
	const char *what;
	char os_family[64], os_version[64];
	uint64_t components, without_purl, unsupported;
} sbom_ctx;

/* "debian-12" -> ("debian", "12"); "rocky-9.1" -> ("rocky", "9.1") */
static void distro_from_qualifier(sbom_ctx *c, const char *d)
{
	const char *dash = strrchr(d, '-');
	if (c->os_family[0] || !dash || dash == d || !dash[1])
		return;
	snprintf(c->os_family, sizeof(c->os_family), "%.*s", (int)(dash - d), d);
	snprintf(c->os_version, sizeof(c->os_version), "%s", dash + 1);
}

static int add_from_purl(sbom_ctx *c, const char *purl_text, const char *src_name, const char *src_version,
			 const char *const *licenses, size_t n_licenses, const char *os_package)
{
	purl p;
	char version[1100], sname[512] = "", sversion[600] = "";

	c->components++;
	if (!purl_parse(purl_text, &p)) {
		bw_debug("%s: cannot parse purl \"%.100s\"", c->what, purl_text);
		c->unsupported++;
		return 0;
	}
	const char *type = package_type(p.type);
	if (!type) {
		c->unsupported++;
		return 0;
	}
	if (p.distro[0])
		distro_from_qualifier(c, p.distro);
	/* rpm purls carry the epoch as a qualifier; bulwark versions spell it E:V-R */
	if (!strcmp(type, "rpm") && p.epoch[0] && strcmp(p.epoch, "0") != 0)
		snprintf(version, sizeof(version), "%s:%s", p.epoch, p.version);
	else
		snprintf(version, sizeof(version), "%s", p.version);
	if (src_name && *src_name) {
		snprintf(sname, sizeof(sname), "%s", src_name);
		if (src_version)
			snprintf(sversion, sizeof(sversion), "%s", src_version);
	} else if (p.upstream[0]) {
		/* Syft: upstream=NAME or NAME@VERSION */
		char *at = strchr(p.upstream, '@');
		if (at) {
			*at = '\0';
			snprintf(sversion, sizeof(sversion), "%s", at + 1);
		}
		snprintf(sname, sizeof(sname), "%s", p.upstream);
	}
	if (sname[0] && !sversion[0])
		snprintf(sversion, sizeof(sversion), "%s", version);
	char name[1100];
	/* npm scopes and Go module paths live in the namespace but are part of the name */
	if ((!strcmp(type, "npm") || !strcmp(type, "golang") || !strcmp(type, "composer")) && p.ns[0])
		snprintf(name, sizeof(name), "%s/%s", p.ns, p.name);
	else
		snprintf(name, sizeof(name), "%s", p.name);
	bw_pkg_new n = {
		.type = type, .name = name, .version = version,
		.arch = p.arch[0] ? p.arch : NULL,
		.source_name = sname[0] ? sname : NULL, .source_version = sname[0] ? sversion : NULL,
		.licenses = licenses, .n_licenses = n_licenses,
		.purl = purl_text,
		.os_package = os_package && *os_package ? os_package : NULL,
	};
	return bw_image_add_package(c->img, &n);
}

/*
 * The SBOM is read as a stream of JSON events (util/jsonstream.h), never as a
 * tree: each component (CycloneDX, nested ones included) or package (SPDX)
 * is gathered into a small record of the fields used here, and handled as
 * soon as it is complete, in document pre-order as the tree walk did (a
 * component's children wait for their parent). Records are only held back
 * when the document names its format after its list (bomFormat or
 * spdxVersion after "components" / "packages"), which no tool writes.
 */

/* The component properties read, first occurrence wins (as a lookup would find it). */
static const char *const cdx_props[] = {
	"bulwark:package:source_name", "bulwark:package:source_version", "bulwark:package:os_package",
	"aquasecurity:trivy:SrcName", "aquasecurity:trivy:SrcVersion", "aquasecurity:trivy:SrcRelease",
	"aquasecurity:trivy:SrcEpoch",
};
enum { P_SRC_NAME, P_SRC_VERSION, P_OS_PACKAGE, P_TRIVY_NAME, P_TRIVY_VERSION, P_TRIVY_RELEASE, P_TRIVY_EPOCH,
       N_PROPS };

#define MAX_LICENSES 32
#define FIELD_MAX 65536 /* a string field kept; longer ones are cut (a purl is refused past PURL_MAX anyway) */

/* One CycloneDX component or SPDX package, with what the scan uses of it. */
typedef struct rec {
	uint64_t seq;             /* pre-order position */
	bool not_object;
	bool os;                  /* CycloneDX type / SPDX primaryPackagePurpose says operating system */
	char *purl, *name, *version;
	char *source_info, *comment;          /* SPDX */
	char *licenses[MAX_LICENSES];         /* CycloneDX choices / SPDX licenseDeclared */
	size_t n_licenses;
	char *props[N_PROPS];
	bool prop_seen[N_PROPS];
	size_t nesting;           /* CycloneDX: 0 for a top-level component */
} rec;

static void rec_free(rec *r)
{
	if (!r)
		return;
	free(r->purl);
	free(r->name);
	free(r->version);
	free(r->source_info);
	free(r->comment);
	for (size_t i = 0; i < r->n_licenses; i++)
		free(r->licenses[i]);
	for (int i = 0; i < N_PROPS; i++)
		free(r->props[i]);
	free(r);
}

typedef struct reclist {
	rec **v;
	size_t n, cap;
} reclist;

static void reclist_clear(reclist *l)
{
	for (size_t i = 0; i < l->n; i++)
		rec_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int reclist_push(reclist *l, rec *r)
{
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 64;
		rec **nv = realloc(l->v, c * sizeof(*nv));
		if (!nv)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		l->v = nv;
		l->cap = c;
	}
	l->v[l->n++] = r;
	return 0;
}

/* Where an event is, by what the containers around it are. */
enum ctx {
	X_SKIP, X_ROOT, X_METADATA, X_META_COMPONENT, X_CDX_LIST, X_CDX_COMP, X_LICENSES, X_LICENSE_CHOICE,
	X_LICENSE, X_PROPS, X_PROP, X_SPDX_LIST, X_SPDX_PKG, X_REFS, X_REF,
};

typedef enum fmt { F_UNKNOWN, F_CDX, F_SPDX } fmt;

typedef struct stream {
	sbom_ctx *c;
	const char *path;
	fmt mode;                 /* decided as soon as the document says */
	char *bom_format;         /* "bomFormat" when a string */
	bool bom_format_seen, spdx_version_seen;
	char *spdx_version, *doc_name, *meta_name;
	uint64_t n_top[2];        /* elements of the top-level "components" / "packages" */
	uint64_t seq;
	uint8_t ctx[BW_MAX_JSON_DEPTH + 2];
	char key[BW_MAX_JSON_DEPTH + 2][24]; /* the last key at each depth, cut (only short ones matter) */
	rec *cur[BW_MAX_JSON_DEPTH + 2];     /* the component / package open at a depth */
	size_t comp_nesting;      /* CycloneDX components open */
	/* the license choice or property or external ref being read */
	char *choice_id, *choice_name, *choice_expr;
	char *prop_name, *prop_value;
	bool prop_value_string;
	char *ref_type, *ref_locator;
	bool ref_locator_string;
	reclist subtree;          /* completed components of the open top-level one */
	reclist held[2];          /* records of a list whose format is not known yet */
	bool held_over[2];        /* ... more than BW_SBOM_MAX_COMPONENTS of them: not kept */
	bool not_array[2];        /* the top-level list is there but not an array */
} stream;

static char *keep(const char *text, size_t len)
{
	if (len > FIELD_MAX)
		len = FIELD_MAX;
	char *s = strndup(text, len);
	if (!s)
		bw_error_set(BW_EINTERNAL, "out of memory");
	return s;
}

/* Replaces *dst by a copy of text. */
static int set_field(char **dst, const char *text, size_t len)
{
	free(*dst);
	return (*dst = keep(text, len)) ? 0 : BW_EINTERNAL;
}

static int cdx_handle(stream *s, const rec *r)
{
	sbom_ctx *c = s->c;
	if (r->not_object)
		return bw_error_set(BW_EINPUT, "%s: a component is not an object", c->what);
	if (r->os) {
		const char *n = r->name, *v = r->version;
		if (n && v && strlen(n) < sizeof(c->os_family) && strlen(v) < sizeof(c->os_version)) {
			snprintf(c->os_family, sizeof(c->os_family), "%s", n);
			snprintf(c->os_version, sizeof(c->os_version), "%s", v);
			for (char *q = c->os_family; *q; q++)
				*q = (char)tolower((unsigned char)*q);
		}
	} else if (r->purl) {
		const char *sn = r->props[P_SRC_NAME], *sv = r->props[P_SRC_VERSION];
		char trivy_v[600];
		if (!sn && (sn = r->props[P_TRIVY_NAME])) {
			const char *tv = r->props[P_TRIVY_VERSION], *tr = r->props[P_TRIVY_RELEASE];
			const char *te = r->props[P_TRIVY_EPOCH];
			snprintf(trivy_v, sizeof(trivy_v), "%s%s%s%s%s", te && strcmp(te, "0") ? te : "",
				 te && strcmp(te, "0") ? ":" : "", tv ? tv : "", tr ? "-" : "", tr ? tr : "");
			sv = trivy_v;
		}
		int rc = add_from_purl(c, r->purl, sn, sv, (const char *const *)r->licenses, r->n_licenses,
				       r->props[P_OS_PACKAGE]);
		if (rc < 0)
			return rc;
	} else {
		c->components++;
		c->without_purl++;
	}
	/* BW_SBOM_MAX_NESTING (32) cannot be passed: 32 levels of components are 64 JSON levels,
	 * the parser's limit */
	return 0;
}

static int spdx_handle(stream *s, const rec *r)
{
	sbom_ctx *c = s->c;
	if (r->os) {
		const char *n = r->name, *v = r->version;
		if (n && v && strlen(n) < sizeof(c->os_family) && strlen(v) < sizeof(c->os_version)) {
			snprintf(c->os_family, sizeof(c->os_family), "%s", n);
			snprintf(c->os_version, sizeof(c->os_version), "%s", v);
		}
		return 0;
	}
	if (!r->purl) {
		c->components++;
		c->without_purl++;
		return 0;
	}
	/* bulwark writes "source package NAME VERSION" */
	char sn[512] = "", sv[600] = "";
	if (r->source_info && sscanf(r->source_info, "source package %511s %599s", sn, sv) < 1)
		sn[0] = '\0';
	const char *declared = r->n_licenses ? r->licenses[0] : NULL;
	size_t nl = declared && strcmp(declared, "NOASSERTION") && strcmp(declared, "NONE") ? 1 : 0;
	/* bulwark writes "...; installed by the OS package NAME" in the comment */
	char osp[256] = "";
	const char *mark = r->comment ? strstr(r->comment, "; installed by the OS package ") : NULL;
	if (mark)
		snprintf(osp, sizeof(osp), "%s", mark + strlen("; installed by the OS package "));
	return add_from_purl(c, r->purl, sn[0] ? sn : NULL, sv[0] ? sv : NULL, (const char *const *)&declared, nl,
			     osp[0] ? osp : NULL);
}

static int by_seq(const void *a, const void *b)
{
	const rec *x = *(rec *const *)a, *y = *(rec *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A record is complete: handle it now, hold it (format unknown), or wait for its parent. */
static int rec_done(stream *s, rec *r, int list)
{
	int rc = 0;
	if ((list == 0 && s->mode == F_SPDX) || (list == 1 && s->mode == F_CDX)) { /* a list of the other format */
		rec_free(r);
		return 0;
	}
	if (s->mode == F_UNKNOWN) {
		if (s->held_over[list] || s->n_top[list] > BW_SBOM_MAX_COMPONENTS) {
			s->held_over[list] = true;
			reclist_clear(&s->held[list]);
			rec_free(r);
			return 0;
		}
		if ((rc = reclist_push(&s->held[list], r)) < 0)
			rec_free(r);
		return rc;
	}
	if (list == 1) {
		rc = spdx_handle(s, r);
		rec_free(r);
		return rc;
	}
	if (r->nesting > 0) { /* its parent is still open: it comes after it */
		if ((rc = reclist_push(&s->subtree, r)) < 0)
			rec_free(r);
		return rc;
	}
	if ((rc = reclist_push(&s->subtree, r)) < 0) {
		rec_free(r);
		return rc;
	}
	qsort(s->subtree.v, s->subtree.n, sizeof(*s->subtree.v), by_seq);
	for (size_t i = 0; i < s->subtree.n && rc == 0; i++)
		rc = cdx_handle(s, s->subtree.v[i]);
	reclist_clear(&s->subtree);
	return rc;
}

/* The format is known: check the list as the tree walk did, and handle what was held. */
static int run_held(stream *s, fmt mode)
{
	int list = mode == F_CDX ? 0 : 1, counted = s->bom_format ? 0 : 1, rc = 0;
	s->mode = mode;
	if (s->held_over[counted] || s->n_top[counted] > BW_SBOM_MAX_COMPONENTS)
		return bw_error_set(BW_EINPUT, "sbom:%s: more than %d components", s->path, BW_SBOM_MAX_COMPONENTS);
	if (s->not_array[list])
		return bw_error_set(BW_EINPUT, "%s: \"%s\" is not an array", s->c->what,
				    list == 0 ? "components" : "packages");
	reclist held = s->held[list];
	memset(&s->held[list], 0, sizeof(held));
	reclist_clear(&s->held[1 - list]);
	if (held.n)
		qsort(held.v, held.n, sizeof(*held.v), by_seq);
	for (size_t i = 0; i < held.n && rc == 0; i++)
		rc = list == 0 ? cdx_handle(s, held.v[i]) : spdx_handle(s, held.v[i]);
	reclist_clear(&held);
	return rc;
}

/* While reading: the document just said its format. */
static int decide(stream *s)
{
	if (s->mode != F_UNKNOWN)
		return 0;
	if (s->bom_format && !strcmp(s->bom_format, "CycloneDX"))
		return run_held(s, F_CDX);
	if (!s->bom_format && s->spdx_version && !strncmp(s->spdx_version, "SPDX-2.", 7))
		return run_held(s, F_SPDX);
	return 0;
}

static bool key_is(const stream *s, size_t d, const char *k)
{
	return !strcmp(s->key[d], k);
}

static int sbom_event(void *ctx, const bw_js_event *ev)
{
	stream *s = ctx;
	size_t d = ev->depth;
	bool object = ev->type == BW_JS_OBJECT_START, array = ev->type == BW_JS_ARRAY_START;
	bool str = ev->type == BW_JS_STRING;
	int rc = 0;

	if (ev->type == BW_JS_OBJECT_END || ev->type == BW_JS_ARRAY_END) {
		enum ctx was = s->ctx[d];
		rec *r = s->cur[d];
		s->cur[d] = NULL;
		s->ctx[d] = X_SKIP;
		switch (was) {
		case X_CDX_COMP:
			s->comp_nesting--;
			return rec_done(s, r, 0);
		case X_SPDX_PKG:
			return rec_done(s, r, 1);
		case X_LICENSE_CHOICE: {
			rec *c = s->cur[d - 2];
			const char *v = s->choice_id ? s->choice_id : s->choice_name ? s->choice_name : s->choice_expr;
			if (v && c->n_licenses < MAX_LICENSES && !(c->licenses[c->n_licenses++] = keep(v, strlen(v))))
				rc = BW_EINTERNAL;
			free(s->choice_id);
			free(s->choice_name);
			free(s->choice_expr);
			s->choice_id = s->choice_name = s->choice_expr = NULL;
			return rc;
		}
		case X_PROP: {
			rec *c = s->cur[d - 2];
			for (int i = 0; s->prop_name && i < N_PROPS; i++)
				if (!c->prop_seen[i] && !strcmp(s->prop_name, cdx_props[i])) {
					c->prop_seen[i] = true;
					c->props[i] = s->prop_value_string ? s->prop_value : NULL;
					if (s->prop_value_string)
						s->prop_value = NULL;
				}
			free(s->prop_name);
			free(s->prop_value);
			s->prop_name = s->prop_value = NULL;
			s->prop_value_string = false;
			return 0;
		}
		case X_REF: {
			rec *c = s->cur[d - 2];
			if (s->ref_type && !strcmp(s->ref_type, "purl")) { /* the last purl reference wins */
				free(c->purl);
				c->purl = s->ref_locator_string ? s->ref_locator : NULL;
				if (s->ref_locator_string)
					s->ref_locator = NULL;
			}
			free(s->ref_type);
			free(s->ref_locator);
			s->ref_type = s->ref_locator = NULL;
			s->ref_locator_string = false;
			return 0;
		}
		default:
			return 0;
		}
	}
	if (d == 0) {
		s->ctx[0] = object ? X_ROOT : X_SKIP;
		return 0;
	}
	enum ctx in = s->ctx[d - 1];
	if (ev->type == BW_JS_KEY) {
		snprintf(s->key[d], sizeof(s->key[d]), "%.*s", (int)(ev->len < 23 ? ev->len : 23), ev->text);
		if (ev->len >= 23 || memchr(ev->text, '\0', ev->len))
			s->key[d][0] = '\0'; /* no key read here is that long */
		return 0;
	}
	enum ctx opens = X_SKIP;
	rec *r = NULL;
	switch (in) {
	case X_ROOT:
		if (key_is(s, d, "bomFormat")) {
			s->bom_format_seen = true;
			if (str && (rc = set_field(&s->bom_format, ev->text, ev->len)) < 0)
				return rc;
			if (str && s->mode == F_SPDX) /* read as SPDX already: refuse rather than guess */
				return bw_error_set(BW_EINPUT, "sbom:%s: bomFormat after an SPDX spdxVersion", s->path);
			if ((rc = decide(s)) < 0)
				return rc;
		} else if (key_is(s, d, "spdxVersion")) {
			s->spdx_version_seen = str;
			if (str && (rc = set_field(&s->spdx_version, ev->text, ev->len)) < 0)
				return rc;
			if ((rc = decide(s)) < 0)
				return rc;
		} else if (key_is(s, d, "name") && str) {
			if ((rc = set_field(&s->doc_name, ev->text, ev->len)) < 0)
				return rc;
		} else if (key_is(s, d, "metadata") && object) {
			opens = X_METADATA;
		} else if (key_is(s, d, "components") || key_is(s, d, "packages")) {
			bool cdx = key_is(s, d, "components");
			if (array)
				opens = cdx ? X_CDX_LIST : X_SPDX_LIST;
			else if ((cdx && s->mode == F_CDX) || (!cdx && s->mode == F_SPDX))
				return bw_error_set(BW_EINPUT, "%s: \"%s\" is not an array", s->c->what,
						    cdx ? "components" : "packages");
			else
				s->not_array[cdx ? 0 : 1] = true;
		}
		break;
	case X_METADATA:
		if (key_is(s, d, "component") && object)
			opens = X_META_COMPONENT;
		break;
	case X_META_COMPONENT:
		if (key_is(s, d, "name") && str && (rc = set_field(&s->meta_name, ev->text, ev->len)) < 0)
			return rc;
		break;
	case X_CDX_LIST:
	case X_SPDX_LIST: {
		int list = in == X_CDX_LIST ? 0 : 1;
		bool top = d == 2;
		if (top && ++s->n_top[list] > BW_SBOM_MAX_COMPONENTS &&
		    ((list == 0 && s->mode == F_CDX) || (list == 1 && s->mode == F_SPDX)))
			return bw_error_set(BW_EINPUT, "sbom:%s: more than %d components", s->path,
					    BW_SBOM_MAX_COMPONENTS);
		if (!(r = calloc(1, sizeof(*r))))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		r->seq = s->seq++;
		r->not_object = !object;
		r->nesting = list == 0 ? s->comp_nesting : 0;
		if (!object) {
			if (array) /* its contents are not read */
				s->ctx[d] = X_SKIP;
			return rec_done(s, r, list);
		}
		s->cur[d] = r;
		if (list == 0)
			s->comp_nesting++;
		s->ctx[d] = list == 0 ? X_CDX_COMP : X_SPDX_PKG;
		return 0;
	}
	case X_CDX_COMP:
	case X_SPDX_PKG: {
		rec *c = s->cur[d - 1];
		bool cdx = in == X_CDX_COMP;
		if (str && key_is(s, d, cdx ? "type" : "primaryPackagePurpose"))
			c->os = ev->len == 16 &&
				!memcmp(ev->text, cdx ? "operating-system" : "OPERATING-SYSTEM", 16);
		else if (str && key_is(s, d, "name"))
			rc = set_field(&c->name, ev->text, ev->len);
		else if (str && key_is(s, d, cdx ? "version" : "versionInfo"))
			rc = set_field(&c->version, ev->text, ev->len);
		else if (cdx && str && key_is(s, d, "purl"))
			rc = set_field(&c->purl, ev->text, ev->len);
		else if (!cdx && str && key_is(s, d, "sourceInfo"))
			rc = set_field(&c->source_info, ev->text, ev->len);
		else if (!cdx && str && key_is(s, d, "comment"))
			rc = set_field(&c->comment, ev->text, ev->len);
		else if (!cdx && str && key_is(s, d, "licenseDeclared"))
			rc = (c->licenses[0] = keep(ev->text, ev->len)) ? (c->n_licenses = 1, 0) : BW_EINTERNAL;
		else if (cdx && array && key_is(s, d, "licenses"))
			opens = X_LICENSES;
		else if (cdx && array && key_is(s, d, "properties"))
			opens = X_PROPS;
		else if (cdx && array && key_is(s, d, "components"))
			opens = X_CDX_LIST;
		else if (!cdx && array && key_is(s, d, "externalRefs"))
			opens = X_REFS;
		if (rc < 0)
			return rc;
		break;
	}
	case X_LICENSES:
		if (object)
			opens = X_LICENSE_CHOICE;
		break;
	case X_LICENSE_CHOICE:
		if (object && key_is(s, d, "license"))
			opens = X_LICENSE;
		else if (str && key_is(s, d, "expression"))
			rc = set_field(&s->choice_expr, ev->text, ev->len);
		break;
	case X_LICENSE:
		if (str && key_is(s, d, "id"))
			rc = set_field(&s->choice_id, ev->text, ev->len);
		else if (str && key_is(s, d, "name"))
			rc = set_field(&s->choice_name, ev->text, ev->len);
		break;
	case X_PROPS:
		if (object)
			opens = X_PROP;
		break;
	case X_PROP:
		if (str && key_is(s, d, "name")) {
			rc = set_field(&s->prop_name, ev->text, ev->len);
		} else if (key_is(s, d, "value")) {
			s->prop_value_string = str;
			if (str)
				rc = set_field(&s->prop_value, ev->text, ev->len);
		}
		break;
	case X_REFS:
		if (object)
			opens = X_REF;
		break;
	case X_REF:
		if (str && key_is(s, d, "referenceType")) {
			rc = set_field(&s->ref_type, ev->text, ev->len);
		} else if (key_is(s, d, "referenceLocator")) {
			s->ref_locator_string = str;
			if (str)
				rc = set_field(&s->ref_locator, ev->text, ev->len);
		}
		break;
	default:
		break;
	}
	if (rc < 0)
		return rc;
	if (object || array) {
		s->ctx[d] = (uint8_t)opens;
		if (opens == X_CDX_COMP || opens == X_SPDX_PKG)
			s->cur[d] = r;
	}
	return 0;
}

static void stream_free(stream *s)
{
	for (size_t d = 0; d < sizeof(s->cur) / sizeof(*s->cur); d++)
		rec_free(s->cur[d]);
	free(s->bom_format);
	free(s->spdx_version);
	free(s->doc_name);
	free(s->meta_name);
	free(s->choice_id);
	free(s->choice_name);
	free(s->choice_expr);
	free(s->prop_name);
	free(s->prop_value);
	free(s->ref_type);
	free(s->ref_locator);
	reclist_clear(&s->subtree);
	reclist_clear(&s->held[0]);
	reclist_clear(&s->held[1]);
}

/* Feeds the file at path to p, at most BW_SBOM_MAX_BYTES of it. */
static int feed_file(bw_js_parser *p, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	static const char what[] = "the SBOM";
	char *chunk;
	uint64_t total = 0;
	int rc = 0;

	if (fd < 0)
		return bw_error_set(BW_EINPUT, "%s: cannot read %s: %s", path, what, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return bw_error_set(BW_EINPUT, "%s: cannot read %s: not a regular file", path, what);
	}
	if ((uint64_t)sb.st_size > BW_SBOM_MAX_BYTES) {
		close(fd);
		return bw_error_set(BW_EINPUT, "%s: %s of %lld bytes is larger than the limit of %llu", path, what,
				    (long long)sb.st_size, (unsigned long long)BW_SBOM_MAX_BYTES);
	}
	if (!(chunk = malloc(1 << 20))) {
		close(fd);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	for (;;) {
		ssize_t n = read(fd, chunk, 1 << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = bw_error_set(BW_EINPUT, "%s: cannot read %s: %s", path, what, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > BW_SBOM_MAX_BYTES) {
			rc = bw_error_set(BW_EINPUT, "%s: %s is larger than the limit of %llu", path, what,
					  (unsigned long long)BW_SBOM_MAX_BYTES);
			break;
		}
		if ((rc = bw_js_feed(p, chunk, (size_t)n)) < 0)
			break;
	}
	free(chunk);
	close(fd);
	return rc;
}

int bw_sbom_image_open(bw_image *img, const char *image_path)
{
	/* the caller's path points into img->name, which is rewritten below: keep a copy */
	char path[sizeof(img->name)];
	snprintf(path, sizeof(path), "%s", image_path);
	sbom_ctx c = { .img = img, .what = path };
	stream s = { .c = &c, .path = path };
	/* as strict as bw_json_parse was: jansson refused \u0000 and anything but an object or array */
	bw_js_limits lim = { .max_depth = BW_MAX_JSON_DEPTH, .max_string = 16u * 1024u * 1024u, .max_number = 4096,
			     .max_events = 1000000000ULL, .flags = BW_JS_REJECT_NUL | BW_JS_CONTAINER_TOP };
	bw_js_parser *p = bw_js_new(path, &lim, sbom_event, &s);
	int rc;

	if (!p)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	rc = feed_file(p, path);
	if (rc == 0)
		rc = bw_js_finish(p);
	bw_js_free(p);
	if (rc == 0 && s.mode == F_UNKNOWN) {
		/* the format comes from the whole document, checked in the tree walk's order */
		int counted = s.bom_format ? 0 : 1;
		if (s.held_over[counted] || s.n_top[counted] > BW_SBOM_MAX_COMPONENTS)
			rc = bw_error_set(BW_EINPUT, "sbom:%s: more than %d components", path, BW_SBOM_MAX_COMPONENTS);
		else if (s.bom_format && !strcmp(s.bom_format, "CycloneDX"))
			rc = run_held(&s, F_CDX);
		else if (s.spdx_version)
			rc = strncmp(s.spdx_version, "SPDX-2.", 7) == 0
				     ? run_held(&s, F_SPDX)
				     : bw_error_set(BW_EINPUT, "sbom:%s: %s is not supported (SPDX 2.x JSON)", path,
						    s.spdx_version);
		else
			rc = bw_error_set(BW_EINPUT,
					  "sbom:%s: neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)", path);
	}
	if (rc == 0) {
		const char *label = s.mode == F_CDX ? s.meta_name : s.doc_name;
		if (label)
			snprintf(img->name, sizeof(img->name), "%s (from %s)", label, path);
	}
	stream_free(&s);
	if (rc < 0)
		return rc;
	if (c.os_family[0])
		bw_image_set_os(img, c.os_family, c.os_version, NULL, NULL);
	if (c.without_purl || c.unsupported)
		bw_warn("sbom:%s: %llu of %llu components have no package URL bulwark can match (%llu without one, "
			"%llu of other types); they are not scanned", path,
			(unsigned long long)(c.without_purl + c.unsupported), (unsigned long long)c.components,
			(unsigned long long)c.without_purl, (unsigned long long)c.unsupported);
	return 0;
}
