/*
 * match/match.c: packages x advisories -> findings (docs/matching.md).
 *
 * For each package: work out its ecosystem key, package key and version
 * scheme; fetch the affected rows of that key from the store; decide each
 * row (a fixed version to compare, a distribution status, or OSV ranges to
 * evaluate); then merge the hits that share an id or alias into one finding.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "bulwark/scan.h"
#include "bulwark/state.h"
#include "db/vulnstore.h"
#include "match/ranges.h"
#include "match/suppress.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strmap.h"
#include "version/version.h"
#include "vulndb/ecosystem.h"
#include "vulndb/vulndb_int.h"

#define MAX_HITS_PER_PACKAGE 4096
#define MAX_IDS_PER_FINDING  512

struct bw_vulns {
	bw_arena arena;
	bw_vuln *items;
	size_t n, cap;
	size_t unmatched;
	size_t suppressed;
	const char *manifest_digest, *index_digest;
};

typedef struct match_hit {
	const char *id;
	const char *const *ids;   /* id first, then aliases (interned per advisory) */
	size_t n_ids;
	const char *status;
	const char *fixed;
	const char *row_severity, *adv_severity;
	const char *cvss, *cvss_severity, *title, *source, *why;
	bool native;        /* from a distribution's own feed */
	size_t group;       /* union-find parent */
} match_hit;

typedef struct adv_intern {
	const char **ids;   /* id first, then aliases */
	size_t n_ids;
	const char *adv_severity, *cvss, *title, *source;
	const char *cvss_severity; /* from the highest CVSS score, or NULL */
	bool cvss_done;            /* cvss_severity is computed on the first hit */
} adv_intern;

enum row_kind { ROW_OSV, ROW_FIXED, ROW_AFFECTED, ROW_WILL_NOT_FIX };

/*
 * An affected row as the matcher keeps it for the whole scan: strings copied
 * once, OSV ranges parsed and sorted once. Every copy of a package (the same
 * name in three virtual environments, node_modules copies) reuses them.
 */
typedef struct cached_row {
	adv_intern *adv;
	enum row_kind kind;
	const char *fixed;      /* ROW_FIXED: the fixed version (result arena) */
	bool fixed_valid;       /* ... and the row's scheme can order it */
	const char *severity;   /* the row's own severity, or NULL (result arena) */
	const bw_osv_ranges *ranges; /* ROW_OSV: decoded and sorted (pkg_ctx.parsed_keys) */
	bool from_osv;
} cached_row;

/* The rows of one (scheme, ecosystem, package key), in the store's order. */
typedef struct row_set {
	cached_row *rows;
	size_t n;
} row_set;

typedef struct pkg_ctx {
	bw_vulns *out;
	const bw_package *pkg;
	bw_version_scheme scheme;
	const char *version;   /* what is compared */
	const char *eco;
	bool distro, native_only, osv_only;
	match_hit *hits;
	size_t n_hits;
	bool overflow;
	/* OSV ranges decoded once per scan: the same text comes from several sources
	 * (PyPA's YAML and its derived JSON); (scheme, text) -> bw_osv_ranges */
	struct text_slot {
		uint64_t hash;
		const char *text;   /* NULL: empty slot */
		size_t len;
		bw_version_scheme scheme;
		const bw_osv_ranges *doc;
	} *texts;
	size_t n_texts, cap_texts;
	bw_arena parsed_keys;  /* keys and row sets of the maps below */
	/* advisory-level strings copied once per scan: advisory rowid -> adv_intern */
	bw_strmap advisories;
	/* rows fetched once per scan: scheme, ecosystem, package key -> row_set;
	 * and whether an ecosystem has rows at all / from its native feed */
	bw_strmap row_sets;
	bw_strmap eco_rows;
	cached_row *fill;      /* rows of the lookup in progress */
	size_t n_fill, cap_fill;
	/* one copy of each id string per scan, so that ids compare as pointers */
	bw_strmap ids;
	/* merge: id -> first hit holding it, per package (open addressing on the pointer) */
	struct id_slot { const char *id; size_t hit; } *id_slots;
	size_t cap_id_slots;
} pkg_ctx;

/* The scan's one copy of an id string (in the result arena). */
static const char *canonical_id(pkg_ctx *c, const char *id)
{
	const char *v = bw_strmap_get(&c->ids, id);
	if (v)
		return v;
	char *copy = bw_arena_strdup(&c->out->arena, id);
	if (!copy || bw_strmap_put(&c->ids, copy, copy) < 0)
		return NULL;
	return copy;
}

static const char *severity_from_cvss(const char *cvss)
{
	json_t *doc = NULL, *e;
	size_t i;
	double best = -1;

	if (!cvss || bw_json_parse("cvss", cvss, strlen(cvss), 1 << 20, &doc) < 0) {
		bw_error_clear();
		return NULL;
	}
	json_array_foreach(doc, i, e) {
		json_t *s = json_object_get(e, "score");
		if (json_is_number(s) && json_number_value(s) > best)
			best = json_number_value(s);
	}
	json_decref(doc);
	if (best < 0)
		return NULL;
	return best >= 9.0 ? "CRITICAL" : best >= 7.0 ? "HIGH" : best >= 4.0 ? "MEDIUM" : best > 0 ? "LOW" : NULL;
}


/* The advisory's strings, copied into the result's arena the first time it is hit. */
static adv_intern *intern_advisory(pkg_ctx *c, const bw_affected_row *row)
{
	bw_arena *a = &c->out->arena;
	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)row->advisory);
	adv_intern *v = bw_strmap_get(&c->advisories, key);
	if (v)
		return v;
	const char *k = bw_arena_strdup(&c->parsed_keys, key);
	if (!k || !(v = bw_arena_alloc(a, sizeof(*v))) ||
	    !(v->ids = bw_arena_alloc(a, (row->n_aliases + 1) * sizeof(*v->ids))))
		return NULL;
	v->n_ids = 0;
	if (!(v->ids[v->n_ids++] = canonical_id(c, row->id)))
		return NULL;
	for (size_t i = 0; i < row->n_aliases; i++)
		if (!(v->ids[v->n_ids++] = canonical_id(c, row->aliases[i])))
			return NULL;
	v->adv_severity = row->adv_severity ? bw_arena_strdup(a, row->adv_severity) : NULL;
	v->cvss = row->cvss ? bw_arena_strdup(a, row->cvss) : NULL;
	v->title = row->summary ? bw_arena_strdup(a, row->summary) : NULL;
	v->source = bw_arena_strdup(a, row->source);
	v->cvss_severity = NULL;
	v->cvss_done = false;
	if ((row->adv_severity && !v->adv_severity) || (row->cvss && !v->cvss) || (row->summary && !v->title) ||
	    !v->source || bw_strmap_put(&c->advisories, k, v) < 0)
		return NULL;
	return v;
}

static const char *const severity_names[] = { "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL" };

static int severity_rank(const char *s)
{
	for (int i = 4; i >= 0; i--)
		if (s && strcmp(s, severity_names[i]) == 0)
			return i;
	return 0;
}

int bw_severity_parse_list(const char *list, unsigned *out)
{
	char word[32];
	*out = 0;
	while (*list) {
		size_t n = strcspn(list, ",");
		if (n == 0 || n >= sizeof(word))
			return bw_error_set(BW_EUSAGE, "--severity: empty or unknown severity in \"%s\"", list);
		memcpy(word, list, n);
		word[n] = '\0';
		int i;
		for (i = 0; i < 5; i++)
			if (strcasecmp(word, severity_names[i]) == 0)
				break;
		if (i == 5)
			return bw_error_set(BW_EUSAGE, "--severity: unknown severity \"%s\" "
					    "(UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)", word);
		*out |= 1u << i;
		list += n;
		if (*list == ',')
			list++;
	}
	return 0;
}

/* ---- OSV ranges ------------------------------------------------------ */

/* The order of two versions known valid under the scheme: -1 / 0 / 1. */
static int vcmp_valid(bw_version_scheme scheme, const char *a, const char *b)
{
	int r = bw_version_compare_valid(scheme, a, b);
	return r < 0 ? -1 : r > 0;
}

/* -1 / 0 / 1, or 2 when a version does not parse under the scheme. */
static int vcmp(bw_version_scheme scheme, const char *a, const char *b)
{
	int r;
	if (bw_version_compare(scheme, a, b, &r) < 0) {
		bw_error_clear();
		return 2;
	}
	return r < 0 ? -1 : r > 0;
}

/*
 * One OSV range (its events, in version order: bw_osv_ranges_decode sorted
 * them): is v inside, and the smallest fixed event above v. The OSV
 * evaluation: an introduced at or below v opens, a fixed at or below v
 * closes, a last_affected below v closes, a limit at or below v closes.
 */
static void range_contains(bw_version_scheme scheme, const bw_osv_range *r, const char *v, bool *inside,
			   const char **fixed, const char **why_intro, const char **why_end)
{
	const char *intro = NULL;
	bool affected = false;

	*fixed = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const bw_osv_event *ev = &r->ev[i];
		const char *ver = ev->version;
		bool zero = ev->kind == 'i' && strcmp(ver, "0") == 0;
		int c = zero ? 1 : vcmp_valid(scheme, v, ver); /* v vs event: both checked valid */
		switch (ev->kind) {
		case 'i':
			if (c >= 0) {
				affected = true;
				intro = ver;
			}
			break;
		case 'f':
			if (c >= 0)
				affected = false;
			else if (!*fixed && affected)
				*fixed = ver;
			break;
		case 'l':
			if (c > 0)
				affected = false;
			else if (affected && !*why_end)
				*why_end = ver;
			break;
		case 'm':
			if (c >= 0)
				affected = false;
			break;
		}
	}
	*inside = affected;
	if (affected)
		*why_intro = intro;
	else
		*fixed = NULL;
}

/*
 * The explanation of a hit is built by concatenation into a 1 KiB buffer,
 * cut where snprintf into that buffer would cut it (it was two snprintf
 * calls per hit, a tenth of the matching time): the NULL-terminated list of
 * strings is appended to b.
 */
typedef struct why_buf {
	char text[1024];
	size_t len;
} why_buf;

static void why_add(why_buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	for (const char *s; (s = va_arg(ap, const char *));) {
		size_t n = strlen(s), room = sizeof(b->text) - 1 - b->len;
		if (n > room)
			n = room;
		memcpy(b->text + b->len, s, n);
		b->len += n;
	}
	va_end(ap);
	b->text[b->len] = '\0';
}

/*
 * A cheap necessary condition for two versions to be equal under any scheme
 * bulwark knows: the same first number (after a 'v' and leading zeros), so a
 * list of hundreds of versions costs string scans, not parses. Epochs (':',
 * '!') can make "0:1.0" equal "1.0": then it says maybe.
 */
static bool same_leading_number(const char *a, const char *b)
{
	if (strpbrk(a, ":!") || strpbrk(b, ":!"))
		return true;
	if (*a == 'v' || *a == 'V')
		a++;
	if (*b == 'v' || *b == 'V')
		b++;
	while (*a == '0' && a[1] >= '0' && a[1] <= '9')
		a++;
	while (*b == '0' && b[1] >= '0' && b[1] <= '9')
		b++;
	size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
	return na == nb && strncmp(a, b, na) == 0;
}

/* A 64-bit hash of the ranges text, eight bytes at a step (the texts run to kilobytes). */
static uint64_t text_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/*
 * The decoded and sorted form of an OSV row's ranges text, once per scan and
 * scheme: PyPA's YAML and its derived JSON give the same text twice. *out is
 * NULL when the text is not a document: such a row never matches.
 */
static int decode_ranges(pkg_ctx *c, const char *ranges_text, const bw_osv_ranges **out)
{
	size_t len = strlen(ranges_text);
	uint64_t h = text_hash(ranges_text, len) ^ (uint64_t)c->scheme;
	int rc;

	*out = NULL;
	if (2 * (c->n_texts + 1) > c->cap_texts) {
		size_t cap = c->cap_texts ? 2 * c->cap_texts : 1024;
		struct text_slot *grown = calloc(cap, sizeof(*grown));
		if (!grown)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		for (size_t i = 0; i < c->cap_texts; i++) {
			if (!c->texts[i].text)
				continue;
			size_t at = c->texts[i].hash & (cap - 1);
			while (grown[at].text)
				at = (at + 1) & (cap - 1);
			grown[at] = c->texts[i];
		}
		free(c->texts);
		c->texts = grown;
		c->cap_texts = cap;
	}
	size_t at = h & (c->cap_texts - 1);
	for (struct text_slot *t; (t = &c->texts[at])->text; at = (at + 1) & (c->cap_texts - 1))
		if (t->hash == h && t->len == len && t->scheme == c->scheme && memcmp(t->text, ranges_text, len) == 0) {
			*out = t->doc;
			return 0;
		}
	if ((rc = bw_osv_ranges_decode(&c->parsed_keys, ranges_text, len, c->scheme, out)) < 0 || !*out)
		return rc;
	const char *kept = bw_arena_strndup(&c->parsed_keys, ranges_text, len);
	if (!kept)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	c->texts[at] = (struct text_slot){ h, kept, len, c->scheme, *out };
	c->n_texts++;
	return 0;
}

/* An OSV affected row: 1 and the fixed version (or NULL) when v is affected. */
static int osv_decide(pkg_ctx *c, const bw_osv_ranges *doc, bool *hit_out, const char **fixed_out,
		      why_buf *why)
{
	const char *best_fixed = NULL, *intro = NULL, *last = NULL;
	bool hit = false, listed = false, no_fix = false;

	*hit_out = false;
	for (size_t i = 0; i < doc->n_ranges; i++) {
		bool inside;
		const char *fixed = NULL, *in = NULL, *end = NULL;
		if (!doc->ranges[i].usable)
			continue;
		range_contains(c->scheme, &doc->ranges[i], c->version, &inside, &fixed, &in, &end);
		if (!inside)
			continue;
		/* every range holding the version must be left: the highest next fix, and none
		 * at all when one of them has no fix */
		if (!hit)
			best_fixed = fixed;
		else if (!fixed || !best_fixed)
			best_fixed = NULL, no_fix = true;
		else if (vcmp_valid(c->scheme, fixed, best_fixed) > 0)
			best_fixed = fixed;
		if (!fixed)
			no_fix = true;
		hit = true;
		if (!intro)
			intro = in;
		if (!last)
			last = end;
	}
	if (no_fix)
		best_fixed = NULL;
	/* listed versions are equal by the ecosystem's order, not only as strings (Maven 1.0 =
	 * 1.0.0); a range already holding the version makes the list moot. One the scheme
	 * cannot parse equals only itself. The installed version goes on the left, where the
	 * version schemes keep its parse from the comparison before. */
	for (size_t i = 0; !hit && i < doc->n_listed; i++) {
		const char *lv = doc->listed[i];
		if (strcmp(lv, c->version) == 0 ||
		    (same_leading_number(lv, c->version) && bw_osv_listed_valid(doc, i) &&
		     vcmp_valid(c->scheme, c->version, lv) == 0)) {
			listed = true;
			break;
		}
	}
	if (hit || listed) {
		bw_arena *a = &c->out->arena;
		*hit_out = true;
		*fixed_out = hit && best_fixed ? bw_arena_strdup(a, best_fixed) : NULL;
		if (!hit)
			why_add(why, c->version, " is listed as affected", NULL);
		else if (best_fixed)
			why_add(why, c->version, " is in [", intro ? intro : "0", ", ", best_fixed, ")", NULL);
		else if (last)
			why_add(why, c->version, " is in [", intro ? intro : "0", ", ", last, "]", NULL);
		else
			why_add(why, c->version, " is at or above ", intro ? intro : "0", ", no fix", NULL);
	}
	return 0;
}

/* ---- the rows of a package key, once per scan -------------------------------- */

/* bw_vulnstore_lookup's callback: one row into c->fill, with its strings copied. */
static int collect_row(const bw_affected_row *row, void *p)
{
	pkg_ctx *c = p;
	bw_arena *a = &c->out->arena;
	cached_row r = { .from_osv = row->from_osv };

	if (strcmp(row->status, "osv") == 0) {
		if (!row->ranges)
			return 0;
		int rc = decode_ranges(c, row->ranges, &r.ranges);
		if (rc < 0)
			return rc;
		if (!r.ranges)
			return 0; /* does not parse: never a hit */
		r.kind = ROW_OSV;
	} else if (strcmp(row->status, "fixed") == 0) {
		if (!row->fixed)
			return 0;
		if (!(r.fixed = bw_arena_strdup(a, row->fixed)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		r.fixed_valid = bw_version_valid(c->scheme, r.fixed);
		r.kind = ROW_FIXED;
	} else if (strcmp(row->status, "affected") == 0) {
		r.kind = ROW_AFFECTED;
	} else if (strcmp(row->status, "will_not_fix") == 0) {
		r.kind = ROW_WILL_NOT_FIX;
	} else {
		return 0;
	}
	if (row->severity && !(r.severity = bw_arena_strdup(a, row->severity)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (!(r.adv = intern_advisory(c, row)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (c->n_fill == c->cap_fill) {
		size_t cap = c->cap_fill ? c->cap_fill * 2 : 64;
		cached_row *grown = realloc(c->fill, cap * sizeof(*grown));
		if (!grown)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		c->fill = grown;
		c->cap_fill = cap;
	}
	c->fill[c->n_fill++] = r;
	return 0;
}

/* The rows of (scheme, eco, name): from the store the first time, then from the cache. */
static int rows_of(bw_vulnstore *store, pkg_ctx *c, const char *eco, const char *name, const row_set **out)
{
	char key[1 + 24 + BW_ECO_KEY_MAX + BW_PKG_KEY_MAX + 1];
	row_set *set;
	/* the ecosystem's length first: an os-release value cannot make two pairs one key */
	int n = snprintf(key, sizeof(key), "%c%zu:%s%s", 'A' + (int)c->scheme, strlen(eco), eco, name);

	if (n < 0 || (size_t)n >= sizeof(key))
		return bw_error_set(BW_EINTERNAL, "package key too long");
	if ((set = bw_strmap_get(&c->row_sets, key))) {
		*out = set;
		return 0;
	}
	c->n_fill = 0;
	int rc = bw_vulnstore_lookup(store, eco, name, collect_row, c);
	if (rc < 0)
		return rc;
	const char *kept = bw_arena_strdup(&c->parsed_keys, key);
	set = bw_arena_alloc(&c->parsed_keys, sizeof(*set));
	cached_row *rows = c->n_fill ? bw_arena_alloc(&c->parsed_keys, c->n_fill * sizeof(*rows)) : NULL;
	if (!kept || !set || (c->n_fill && !rows))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (c->n_fill)
		memcpy(rows, c->fill, c->n_fill * sizeof(*rows));
	set->rows = rows;
	set->n = c->n_fill;
	if (bw_strmap_put(&c->row_sets, kept, set) < 0)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*out = set;
	return 0;
}

/* bw_vulnstore_has_rows, asked once per scan and ecosystem. */
static int eco_has_rows(bw_vulnstore *store, pkg_ctx *c, const char *eco, bool native_only, bool *out)
{
	char key[BW_ECO_KEY_MAX + 2];
	static const char yes = 'y', no = 'n';

	snprintf(key, sizeof(key), "%c%s", native_only ? 'N' : 'A', eco);
	const char *v = bw_strmap_get(&c->eco_rows, key);
	if (v) {
		*out = v == &yes;
		return 0;
	}
	int rc = bw_vulnstore_has_rows(store, eco, native_only, out);
	if (rc < 0)
		return rc;
	const char *kept = bw_arena_strdup(&c->parsed_keys, key);
	if (!kept || bw_strmap_put(&c->eco_rows, kept, (void *)(*out ? &yes : &no)) < 0)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

/* ---- collecting hits --------------------------------------------------- */

/* One cached row against the package in c: a hit is added to c->hits. */
static int decide_row(pkg_ctx *c, const cached_row *row)
{
	bw_arena *a = &c->out->arena;
	const char *fixed = NULL, *status;
	why_buf why = { .len = 0 };
	bool hit = false;

	if (c->distro && ((c->native_only && row->from_osv) || (c->osv_only && !row->from_osv)))
		return 0;
	switch (row->kind) {
	case ROW_OSV: {
		int rc = osv_decide(c, row->ranges, &hit, &fixed, &why);
		if (rc < 0)
			return rc;
		status = fixed ? "fixed" : "affected";
		break;
	}
	case ROW_FIXED: {
		int r = row->fixed_valid ? vcmp_valid(c->scheme, c->version, row->fixed)
					 : vcmp(c->scheme, c->version, row->fixed); /* 2, and says why */
		if (r == 2) {
			bw_debug("%s %s: cannot compare with fixed version %s of %s", c->pkg->name, c->version,
				 row->fixed, row->adv->ids[0]);
			return 0;
		}
		hit = r < 0;
		status = "fixed";
		fixed = row->fixed;
		if (hit)
			why_add(&why, c->version, " < ", row->fixed, NULL);
		break;
	}
	default:
		hit = true;
		status = row->kind == ROW_AFFECTED ? "affected" : "will_not_fix";
		why_add(&why, "open in ", c->eco, ", ",
			status[0] == 'a' ? "no fix yet" : "the distribution will not fix it", NULL);
		break;
	}
	if (!hit)
		return 0;
	if (c->n_hits == MAX_HITS_PER_PACKAGE) {
		c->overflow = true;
		return 0;
	}
	match_hit *h = &c->hits[c->n_hits];
	adv_intern *adv = row->adv;
	if (!adv->cvss_done) {
		adv->cvss_severity = severity_from_cvss(adv->cvss); /* a static string */
		adv->cvss_done = true;
	}
	memset(h, 0, sizeof(*h));
	h->ids = adv->ids;
	h->n_ids = adv->n_ids;
	h->id = adv->ids[0];
	h->status = status;
	h->fixed = fixed;
	h->row_severity = row->severity;
	h->adv_severity = adv->adv_severity;
	h->cvss = adv->cvss;
	h->cvss_severity = adv->cvss_severity;
	h->title = adv->title;
	h->source = adv->source;
	why_add(&why, " (", adv->source, ", ", bw_version_scheme_name(c->scheme), " order)", NULL);
	h->why = bw_arena_strndup(a, why.text, why.len);
	h->native = !row->from_osv;
	h->group = c->n_hits;
	c->n_hits++;
	return 0;
}

/* ---- merging ------------------------------------------------------------ */

static size_t find(match_hit *h, size_t i)
{
	while (h[i].group != i)
		i = h[i].group = h[h[i].group].group;
	return i;
}

/* Preference for the finding's id: CVE, GHSA, PYSEC, GO, RUSTSEC, the rest. */
static int id_rank(const char *id)
{
	static const char *const prefixes[] = { "CVE-", "GHSA-", "PYSEC-", "GO-", "RUSTSEC-" };
	for (int i = 0; i < 5; i++)
		if (strncmp(id, prefixes[i], strlen(prefixes[i])) == 0)
			return i;
	return 5;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}


static int add_finding(pkg_ctx *c, size_t root, const bw_vuln_options *opts)
{
	bw_vulns *out = c->out;
	bw_arena *a = &out->arena;
	const char *ids[MAX_IDS_PER_FINDING];
	size_t n_ids = 0;
	const char *fixed = NULL, *status = "will_not_fix", *title = NULL, *why = NULL;
	const char *severity = NULL, *adv_sev = NULL, *cvss = NULL, *cvss_sev = NULL;
	char sources[512] = "";
	int status_rank = 0;

	for (size_t i = 0; i < c->n_hits; i++) {
		match_hit *h = &c->hits[i];
		if (find(c->hits, i) != root)
			continue;
		for (size_t j = 0; j < h->n_ids; j++) {
			bool dup = false;
			for (size_t k = 0; k < n_ids && !dup; k++)
				dup = ids[k] == h->ids[j]; /* canonical_id: one pointer per string */
			if (!dup && n_ids < MAX_IDS_PER_FINDING)
				ids[n_ids++] = h->ids[j];
		}
		int rank = strcmp(h->status, "fixed") == 0 ? 2 : strcmp(h->status, "affected") == 0 ? 1 : 0;
		if (!why || rank > status_rank)
			why = h->why; /* explain the strongest status */
		if (rank > status_rank)
			status_rank = rank;
		if (h->fixed && (!fixed || vcmp(c->scheme, h->fixed, fixed) == 1))
			fixed = h->fixed;
		if (!title && h->title)
			title = h->title;
		/* OS packages: the distribution's own rating wins */
		if (h->row_severity && (c->distro ? h->native || !severity : true) &&
		    severity_rank(h->row_severity) > severity_rank(severity))
			severity = h->row_severity;
		if (h->adv_severity && severity_rank(h->adv_severity) > severity_rank(adv_sev))
			adv_sev = h->adv_severity;
		if (h->cvss && !cvss)
			cvss = h->cvss;
		if (h->cvss_severity && severity_rank(h->cvss_severity) > severity_rank(cvss_sev))
			cvss_sev = h->cvss_severity;
		if (!strstr(sources, h->source)) {
			size_t len = strlen(sources);
			snprintf(sources + len, sizeof(sources) - len, "%s%s", len ? ", " : "", h->source);
		}
	}
	status = status_rank == 2 ? "fixed" : status_rank == 1 ? "affected" : "will_not_fix";
	if (status_rank != 2)
		fixed = NULL;
	if (!severity)
		severity = adv_sev;
	if (!severity)
		severity = cvss_sev;
	if (!severity)
		severity = "UNKNOWN";
	/* the id: best-ranked, ties broken by order */
	size_t best = 0;
	for (size_t i = 1; i < n_ids; i++)
		if (id_rank(ids[i]) < id_rank(ids[best]) ||
		    (id_rank(ids[i]) == id_rank(ids[best]) && strcmp(ids[i], ids[best]) < 0))
			best = i;
	const char *id = ids[best];
	ids[best] = ids[--n_ids];
	qsort(ids, n_ids, sizeof(ids[0]), cmp_str);

	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 64;
		bw_vuln *grown = realloc(out->items, cap * sizeof(*grown));
		if (!grown)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		out->items = grown;
		out->cap = cap;
	}
	const char **aliases = bw_arena_alloc(a, (n_ids ? n_ids : 1) * sizeof(*aliases));
	if (!aliases)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memcpy(aliases, ids, n_ids * sizeof(*aliases));
	const char *suppressed_by = bw_suppressions_match(opts->suppress, id, aliases, n_ids, c->pkg,
							  out->manifest_digest, out->index_digest);
	/* Filters drop what the user asked not to see; a suppressed finding is kept, marked. */
	if (!suppressed_by && opts->ignore_unfixed && status_rank != 2)
		return 0;
	if (!suppressed_by && opts->severities && !(opts->severities & (1u << severity_rank(severity))))
		return 0;
	if (suppressed_by) {
		status = "not_affected";
		out->suppressed++;
	}
	out->items[out->n++] = (bw_vuln){
		.id = id, .aliases = aliases, .n_aliases = n_ids, .package = c->pkg,
		.installed_version = c->version, .fixed_version = fixed, .status = status,
		.severity = severity, .cvss = cvss, .title = title,
		.data_source = bw_arena_strdup(a, sources), .why = why,
		.suppressed_by = suppressed_by ? bw_arena_strdup(a, suppressed_by) : NULL,
	};
	return 0;
}

/*
 * Hits that share an id or alias (transitively) become one finding: each id
 * is looked up in a table of the ids seen so far in this package, and a hit
 * holding one joins the group of the hit that held it first. Which hit ends
 * up as a group's root only decides the order findings are added in; the
 * report sorts them by keys a package's findings never share.
 */
static int merge(pkg_ctx *c, const bw_vuln_options *opts)
{
	size_t total = 0;
	for (size_t i = 0; i < c->n_hits; i++)
		total += c->hits[i].n_ids;
	size_t cap = 64;
	while (cap < 2 * total)
		cap *= 2;
	if (cap > c->cap_id_slots) {
		struct id_slot *grown = realloc(c->id_slots, cap * sizeof(*grown));
		if (!grown)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		c->id_slots = grown;
		c->cap_id_slots = cap;
	}
	memset(c->id_slots, 0, cap * sizeof(*c->id_slots));
	for (size_t i = 0; i < c->n_hits; i++) {
		const match_hit *h = &c->hits[i];
		for (size_t j = 0; j < h->n_ids; j++) {
			uint64_t k = (uint64_t)(uintptr_t)h->ids[j] * 0x9e3779b97f4a7c15ULL;
			size_t at = (size_t)(k >> 32) & (cap - 1);
			while (c->id_slots[at].id && c->id_slots[at].id != h->ids[j])
				at = (at + 1) & (cap - 1);
			if (!c->id_slots[at].id) {
				c->id_slots[at] = (struct id_slot){ h->ids[j], i };
				continue;
			}
			size_t ri = find(c->hits, i), rj = find(c->hits, c->id_slots[at].hit);
			if (ri != rj)
				c->hits[ri].group = rj;
		}
	}
	for (size_t i = 0; i < c->n_hits; i++) {
		if (find(c->hits, i) != i)
			continue;
		int rc = add_finding(c, i, opts);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- per package ------------------------------------------------------- */

/* "pkg:maven/org.apache.commons/commons-text@1.10.0" -> "org.apache.commons:commons-text" */
static bool maven_key(const bw_package *p, char *out, size_t cap)
{
	const char *purl = p->purl;
	if (!purl || strncmp(purl, "pkg:maven/", 10) != 0)
		return false;
	const char *ns = purl + 10, *slash = strchr(ns, '/');
	if (!slash)
		return false;
	int n = snprintf(out, cap, "%.*s:%s", (int)(slash - ns), ns, p->name);
	return n > 0 && (size_t)n < cap;
}

static int match_package(bw_vulnstore *store, pkg_ctx *c, const bw_image_info *info, const bw_vuln_options *opts)
{
	const bw_package *p = c->pkg;
	char eco[BW_ECO_KEY_MAX], key[BW_PKG_KEY_MAX];
	const char *name = p->name;

	c->distro = false;
	c->version = p->version;
	if (!strcmp(p->type, "deb") || !strcmp(p->type, "apk") || !strcmp(p->type, "rpm")) {
		if (!bw_eco_for_distro(info->os_family, info->os_version && *info->os_version ? info->os_version
							     : info->os_codename, eco, sizeof(eco)))
			return 1;
		c->distro = true;
		if (strcmp(p->type, "rpm") != 0 && p->source_name && *p->source_name)
			name = p->source_name;
		if (!strcmp(p->type, "deb") && p->source_version && *p->source_version)
			c->version = p->source_version;
	} else {
		const char *e = bw_eco_for_package_type(p->type);
		if (!e || p->os_package)
			return p->os_package ? 0 : 1; /* a Debian python3-* is matched as the deb */
		snprintf(eco, sizeof(eco), "%s", e);
		if (!strcmp(p->type, "maven") && !maven_key(p, key, sizeof(key)))
			return 1;
		if (!strcmp(p->type, "maven"))
			name = key;
		if (!strcmp(p->type, "golang")) {
			if (!strcmp(p->version, "(devel)") || !*p->version)
				return 1;
			if (!strcmp(p->name, "stdlib") && !strncmp(p->version, "go", 2))
				c->version = p->version + 2;
		}
	}
	c->eco = eco;
	c->scheme = bw_version_scheme_for(p->type);
	if (!c->version || !bw_version_valid(c->scheme, c->version)) {
		bw_debug("%s %s: not a valid %s version; not matched", p->name, c->version ? c->version : "",
			 bw_version_scheme_name(c->scheme));
		return 1;
	}
	char norm[BW_PKG_KEY_MAX];
	if (name != key) {
		if (!bw_eco_package_key(eco, name, norm, sizeof(norm)))
			return 1;
	} else {
		snprintf(norm, sizeof(norm), "%s", key);
	}
	if (c->distro) {
		bool native;
		int rc;
		/* RHEL rebuilds share their el N builds: without data for the release itself,
		 * AlmaLinux's advisories for the same major release apply (docs/matching.md). */
		if (!strcmp(p->type, "rpm") && strncmp(eco, "almalinux:", 10) != 0) {
			bool any;
			if ((rc = eco_has_rows(store, c, eco, false, &any)) < 0)
				return rc;
			const char *colon = strchr(eco, ':');
			if (!any && colon) {
				char alma[BW_ECO_KEY_MAX];
				snprintf(alma, sizeof(alma), "almalinux%s", colon);
				snprintf(eco, sizeof(eco), "%s", alma);
			}
		}
		rc = eco_has_rows(store, c, eco, true, &native);
		if (rc < 0)
			return rc;
		c->native_only = native;
		c->osv_only = !native;
	}
	c->n_hits = 0;
	c->overflow = false;
	const row_set *set = NULL;
	int rc = rows_of(store, c, eco, norm, &set);
	for (size_t i = 0; i < set->n && rc >= 0; i++)
		rc = decide_row(c, &set->rows[i]);
	if (rc < 0)
		return rc;
	if (c->overflow)
		bw_warn("%s %s: more than %d advisories match; the rest are not reported",
			p->name, c->version, MAX_HITS_PER_PACKAGE);
	return merge(c, opts);
}

static int cmp_vulns(const void *a, const void *b)
{
	const bw_vuln *x = a, *y = b;
	int r = strcmp(x->package->name, y->package->name);
	if (r)
		return r;
	if ((r = strcmp(x->installed_version, y->installed_version)))
		return r;
	if ((r = severity_rank(y->severity) - severity_rank(x->severity)))
		return r;
	return strcmp(x->id, y->id);
}

int bw_vulns_match(bw_vulns **out, const bw_image *img, bw_vulndb *db, const bw_vuln_options *opts)
{
	static const bw_vuln_options defaults = { 0 };
	bw_vulns *v = calloc(1, sizeof(*v));
	pkg_ctx c = { 0 };
	int rc = 0;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!v || !(c.hits = calloc(MAX_HITS_PER_PACKAGE, sizeof(*c.hits)))) {
		free(v);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	c.out = v;
	const bw_image_info *info = bw_image_get_info(img);
	v->manifest_digest = info->manifest_digest;
	v->index_digest = info->index_digest;
	size_t n = bw_image_package_count(img);
	bw_vulnstore *store = bw_vulndb_store(db);
	if ((rc = bw_vulnstore_read_begin(store)) < 0) {
		free(c.hits);
		free(v);
		return rc;
	}
	for (size_t i = 0; i < n && rc >= 0; i++) {
		c.pkg = bw_image_package_at(img, i);
		if (opts->base != BW_BASE_ALL && (bw_package_base(info, c.pkg) != NULL) != (opts->base == BW_BASE_ONLY))
			continue;
		rc = match_package(store, &c, info, opts);
		if (rc == 1) {
			v->unmatched++;
			rc = 0;
		}
	}
	bw_vulnstore_read_end(store);
	free(c.hits);
	free(c.fill);
	free(c.id_slots);
	bw_strmap_free(&c.ids);
	free(c.texts);
	bw_strmap_free(&c.advisories);
	bw_strmap_free(&c.row_sets);
	bw_strmap_free(&c.eco_rows);
	bw_arena_free(&c.parsed_keys);
	if (rc < 0) {
		bw_vulns_free(v);
		return rc;
	}
	if (v->n)
		qsort(v->items, v->n, sizeof(*v->items), cmp_vulns);
	*out = v;
	return 0;
}

size_t bw_vulns_count(const bw_vulns *v)
{
	return v ? v->n : 0;
}

const bw_vuln *bw_vulns_at(const bw_vulns *v, size_t i)
{
	return v && i < v->n ? &v->items[i] : NULL;
}

size_t bw_vulns_suppressed(const bw_vulns *v)
{
	return v ? v->suppressed : 0;
}

size_t bw_vulns_unmatched(const bw_vulns *v)
{
	return v ? v->unmatched : 0;
}

void bw_vulns_free(bw_vulns *v)
{
	if (!v)
		return;
	bw_arena_free(&v->arena);
	free(v->items);
	free(v);
}
