/*
 * match/match.c: packages x advisories -> findings (docs/matching.md).
 *
 * For each package: work out its ecosystem key, package key and version
 * scheme; fetch the affected rows of that key from the store; decide each
 * row (a fixed version to compare, a distribution status, or OSV ranges to
 * evaluate); then merge the hits that share an id or alias into one finding.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "bulwark/scan.h"
#include "bulwark/state.h"
#include "db/vulnstore.h"
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
#define MAX_RANGES_JSON      (8 * 1024 * 1024)

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
	/* OSV ranges parsed once per scan: the same advisory rows come back for every copy
	 * of a package (node_modules, virtual environments); text -> json_t */
	bw_strmap parsed;
	bw_arena parsed_keys;
	/* advisory-level strings copied once per scan: advisory rowid -> adv_intern */
	bw_strmap advisories;
} pkg_ctx;

typedef struct adv_intern {
	const char **ids;   /* id first, then aliases */
	size_t n_ids;
	const char *adv_severity, *cvss, *title, *source;
	const char *cvss_severity; /* from the highest CVSS score, or NULL */
} adv_intern;

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
static const adv_intern *intern_advisory(pkg_ctx *c, const bw_affected_row *row)
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
	if (!(v->ids[v->n_ids++] = bw_arena_strdup(a, row->id)))
		return NULL;
	for (size_t i = 0; i < row->n_aliases; i++)
		if (!(v->ids[v->n_ids++] = bw_arena_strdup(a, row->aliases[i])))
			return NULL;
	v->adv_severity = row->adv_severity ? bw_arena_strdup(a, row->adv_severity) : NULL;
	v->cvss = row->cvss ? bw_arena_strdup(a, row->cvss) : NULL;
	v->title = row->summary ? bw_arena_strdup(a, row->summary) : NULL;
	v->source = bw_arena_strdup(a, row->source);
	v->cvss_severity = severity_from_cvss(v->cvss); /* a static string */
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

typedef struct event {
	char kind;          /* i f l m (introduced fixed last_affected limit) */
	const char *version;
	size_t index;       /* position in the JSON array (sort_ranges) */
} event;

typedef struct sort_ctx {
	bw_version_scheme scheme;
	bool bad;
} sort_ctx;

static int cmp_events(const void *a, const void *b, void *p)
{
	const event *x = a, *y = b;
	sort_ctx *c = p;
	int r = 0;
	bool x0 = x->kind == 'i' && strcmp(x->version, "0") == 0;
	bool y0 = y->kind == 'i' && strcmp(y->version, "0") == 0;
	if (x0 && y0)
		return 0;
	if (x0 || y0)
		return x0 ? -1 : 1; /* introduced "0" is below every version */
	if (bw_version_compare(c->scheme, x->version, y->version, &r) < 0) {
		c->bad = true;
		bw_error_clear();
		return 0;
	}
	return r;
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
 * One OSV range (the events of one range): is v inside, and the smallest
 * fixed event above v. The OSV evaluation: events in version order; an
 * introduced at or below v opens, a fixed at or below v closes, a
 * last_affected below v closes, a limit at or below v closes.
 */
static int range_contains(bw_version_scheme scheme, json_t *evs, const char *v, bool *inside,
			  const char **fixed, const char **why_intro, const char **why_end)
{
	const char *intro = NULL;
	bool affected = false;
	size_t i;
	json_t *ev;

	*inside = false;
	*fixed = NULL;
	if (!json_is_array(evs))
		return 1; /* a range whose versions this scheme cannot order (sort_ranges) */
	/* the events are in version order already: sort_ranges put them so when parsing */
	json_array_foreach(evs, i, ev) {
		const char *k = json_string_value(json_array_get(ev, 0));
		const char *ver = json_string_value(json_array_get(ev, 1));
		if (!k || !ver)
			return 1; /* written by us; a damaged row is ignored */
		bool zero = k[0] == 'i' && strcmp(ver, "0") == 0;
		int c = zero ? 1 : vcmp(scheme, v, ver); /* v vs event */
		if (c == 2)
			return 1;
		switch (k[0]) {
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
	return 0;
}

static char *arena_printf(bw_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *arena_printf(bw_arena *a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return bw_arena_strdup(a, buf);
}

/*
 * Puts the events of every range of a parsed ranges document in version order,
 * once per scan; a range with a version the scheme cannot order becomes null
 * and is ignored.
 */
static int sort_ranges(json_t *doc, bw_version_scheme scheme)
{
	json_t *ranges = json_object_get(doc, "r"), *evs, *ev;
	size_t i, j;

	json_array_foreach(ranges, i, evs) {
		size_t n = json_array_size(evs);
		event *e = calloc(n ? n : 1, sizeof(*e));
		json_t **keep = calloc(n ? n : 1, sizeof(*keep));
		sort_ctx sc = { scheme, false };
		if (!e || !keep) {
			free(e);
			free(keep);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		json_array_foreach(evs, j, ev) {
			const char *k = json_string_value(json_array_get(ev, 0));
			const char *ver = json_string_value(json_array_get(ev, 1));
			if (!k || !ver)
				sc.bad = true;
			e[j] = (event){ k ? k[0] : 0, ver ? ver : "", (size_t)j };
		}
		if (!sc.bad)
			qsort_r(e, n, sizeof(*e), cmp_events, &sc);
		if (sc.bad) {
			json_array_set_new(ranges, i, json_null());
		} else {
			for (j = 0; j < n; j++)
				keep[j] = json_incref(json_array_get(evs, e[j].index));
			json_array_clear(evs);
			for (j = 0; j < n; j++)
				json_array_append_new(evs, keep[j]);
		}
		free(e);
		free(keep);
	}
	return 0;
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

/* An OSV affected row: 1 and the fixed version (or NULL) when v is affected. */
static int osv_decide(pkg_ctx *c, const char *ranges_text, bool *hit_out, const char **fixed_out,
		      const char **why_out)
{
	json_t *doc = NULL, *r, *v;
	size_t i;
	const char *best_fixed = NULL, *intro = NULL, *last = NULL;
	bool hit = false, listed = false, no_fix = false;

	*hit_out = false;
	/* keyed by scheme and text: the events are sorted in the scheme's order */
	size_t tlen = strlen(ranges_text);
	char *key = malloc(tlen + 2);
	if (!key)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	key[0] = (char)('A' + (int)c->scheme);
	memcpy(key + 1, ranges_text, tlen + 1);
	if (!(doc = bw_strmap_get(&c->parsed, key))) {
		const char *kept = NULL;
		if (bw_json_parse("advisory ranges", ranges_text, tlen, MAX_RANGES_JSON, &doc) < 0) {
			bw_error_clear();
			free(key);
			return 0;
		}
		int rc = sort_ranges(doc, c->scheme);
		if (rc == 0 && (!(kept = bw_arena_strdup(&c->parsed_keys, key)) || bw_strmap_put(&c->parsed, kept, doc) < 0))
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
		if (rc < 0) {
			json_decref(doc);
			free(key);
			return rc;
		}
	}
	free(key);
	json_array_foreach(json_object_get(doc, "r"), i, r) {
		bool inside;
		const char *fixed = NULL, *in = NULL, *end = NULL;
		int rc = range_contains(c->scheme, r, c->version, &inside, &fixed, &in, &end);
		if (rc < 0)
			return rc;
		if (rc > 0 || !inside)
			continue;
		/* every range holding the version must be left: the highest next fix, and none
		 * at all when one of them has no fix */
		if (!hit)
			best_fixed = fixed;
		else if (!fixed || !best_fixed)
			best_fixed = NULL, no_fix = true;
		else if (vcmp(c->scheme, fixed, best_fixed) > 0)
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
	 * 1.0.0); a range already holding the version makes the list moot */
	if (!hit) {
		json_array_foreach(json_object_get(doc, "v"), i, v) {
			const char *lv = json_string_value(v);
			if (lv && (strcmp(lv, c->version) == 0 ||
				   (same_leading_number(lv, c->version) && vcmp(c->scheme, lv, c->version) == 0))) {
				listed = true;
				break;
			}
		}
	}
	if (hit || listed) {
		bw_arena *a = &c->out->arena;
		*hit_out = true;
		*fixed_out = hit && best_fixed ? bw_arena_strdup(a, best_fixed) : NULL;
		if (!hit)
			*why_out = arena_printf(a, "%s is listed as affected", c->version);
		else if (best_fixed)
			*why_out = arena_printf(a, "%s is in [%s, %s)", c->version, intro ? intro : "0", best_fixed);
		else if (last)
			*why_out = arena_printf(a, "%s is in [%s, %s]", c->version, intro ? intro : "0", last);
		else
			*why_out = arena_printf(a, "%s is at or above %s, no fix", c->version, intro ? intro : "0");
	}
	return 0;
}

/* ---- collecting hits --------------------------------------------------- */

static int on_row(const bw_affected_row *row, void *p)
{
	pkg_ctx *c = p;
	bw_arena *a = &c->out->arena;
	const char *fixed = NULL, *why = NULL, *status;
	bool hit = false;

	if (c->distro && ((c->native_only && row->from_osv) || (c->osv_only && !row->from_osv)))
		return 0;
	if (strcmp(row->status, "osv") == 0) {
		if (!row->ranges)
			return 0;
		int rc = osv_decide(c, row->ranges, &hit, &fixed, &why);
		if (rc < 0)
			return rc;
		status = fixed ? "fixed" : "affected";
	} else if (strcmp(row->status, "fixed") == 0) {
		if (!row->fixed)
			return 0;
		int r = vcmp(c->scheme, c->version, row->fixed);
		if (r == 2) {
			bw_debug("%s %s: cannot compare with fixed version %s of %s", c->pkg->name, c->version,
				 row->fixed, row->id);
			return 0;
		}
		hit = r < 0;
		status = "fixed";
		fixed = bw_arena_strdup(a, row->fixed);
		why = arena_printf(a, "%s < %s", c->version, row->fixed);
	} else if (strcmp(row->status, "affected") == 0 || strcmp(row->status, "will_not_fix") == 0) {
		hit = true;
		status = strcmp(row->status, "affected") == 0 ? "affected" : "will_not_fix";
		why = arena_printf(a, "open in %s, %s", c->eco,
				   status[0] == 'a' ? "no fix yet" : "the distribution will not fix it");
	} else {
		return 0;
	}
	if (!hit)
		return 0;
	if (c->n_hits == MAX_HITS_PER_PACKAGE) {
		c->overflow = true;
		return 0;
	}
	match_hit *h = &c->hits[c->n_hits];
	const adv_intern *adv = intern_advisory(c, row);
	if (!adv)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memset(h, 0, sizeof(*h));
	h->ids = adv->ids;
	h->n_ids = adv->n_ids;
	h->id = adv->ids[0];
	h->status = status;
	h->fixed = fixed;
	h->row_severity = row->severity ? bw_arena_strdup(a, row->severity) : NULL;
	h->adv_severity = adv->adv_severity;
	h->cvss = adv->cvss;
	h->cvss_severity = adv->cvss_severity;
	h->title = adv->title;
	h->source = adv->source;
	h->why = why ? arena_printf(a, "%s (%s, %s order)", why, row->source, bw_version_scheme_name(c->scheme)) : NULL;
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

static bool share_id(const match_hit *a, const match_hit *b)
{
	for (size_t i = 0; i < a->n_ids; i++)
		for (size_t j = 0; j < b->n_ids; j++)
			if (strcmp(a->ids[i], b->ids[j]) == 0)
				return true;
	return false;
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
				dup = strcmp(ids[k], h->ids[j]) == 0;
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

static int merge(pkg_ctx *c, const bw_vuln_options *opts)
{
	for (size_t i = 0; i < c->n_hits; i++)
		for (size_t j = 0; j < i; j++)
			if (find(c->hits, i) != find(c->hits, j) && share_id(&c->hits[i], &c->hits[j]))
				c->hits[find(c->hits, i)].group = find(c->hits, j);
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
			if ((rc = bw_vulnstore_has_rows(store, eco, false, &any)) < 0)
				return rc;
			const char *colon = strchr(eco, ':');
			if (!any && colon) {
				char alma[BW_ECO_KEY_MAX];
				snprintf(alma, sizeof(alma), "almalinux%s", colon);
				snprintf(eco, sizeof(eco), "%s", alma);
			}
		}
		rc = bw_vulnstore_has_rows(store, eco, true, &native);
		if (rc < 0)
			return rc;
		c->native_only = native;
		c->osv_only = !native;
	}
	c->n_hits = 0;
	c->overflow = false;
	int rc = bw_vulnstore_lookup(store, eco, norm, on_row, c);
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
	for (size_t i = 0; i < n && rc >= 0; i++) {
		c.pkg = bw_image_package_at(img, i);
		if (opts->base != BW_BASE_ALL && (bw_package_base(info, c.pkg) != NULL) != (opts->base == BW_BASE_ONLY))
			continue;
		rc = match_package(bw_vulndb_store(db), &c, info, opts);
		if (rc == 1) {
			v->unmatched++;
			rc = 0;
		}
	}
	free(c.hits);
	for (size_t i = 0; i < c.parsed.cap; i++)
		if (c.parsed.slots[i].key && c.parsed.slots[i].value)
			json_decref(c.parsed.slots[i].value);
	bw_strmap_free(&c.parsed);
	bw_strmap_free(&c.advisories);
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
