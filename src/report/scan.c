/*
 * report/scan.c: `bulwark scan` results. Owns what every scan format shares
 * (the report view: findings in report order, rules, counts; targets; CVSS
 * entries), the `json` document (DESIGN.md §6, docs/json-report.md) and the
 * `table` for people, and dispatches the other formats to their files
 * (sarif.c, junit.c, html.c, cyclonedx.c with sbom_std.c). The license
 * scanner's sections come from licenses.c; a scanner that did not run has
 * no section.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/bulwark.h"
#include "bulwark/misconfig.h"
#include "bulwark/scan.h"
#include "bulwark/secrets.h"
#include "report/report_int.h"
#include "util/json.h"
#include "util/strmap.h"

const char *const bw_report__severities[BW_REPORT_NSEV] = { "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN" };

int bw_report__severity_rank(const char *s)
{
	for (int i = 0; i < BW_REPORT_NSEV; i++)
		if (s && strcmp(s, bw_report__severities[i]) == 0)
			return i;
	return BW_REPORT_NSEV - 1;
}

const char *bw_report__layer_id(const bw_image_info *in, size_t layer)
{
	return layer < in->n_layers ? in->layers[layer].diff_id : NULL;
}

bool bw_report__is_os(const bw_package *p)
{
	return p->type && (!strcmp(p->type, "deb") || !strcmp(p->type, "apk") || !strcmp(p->type, "rpm"));
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

size_t bw_report__target_len(const char *path)
{
	const char *p;
	if (!path)
		return 0;
	size_t n = strlen(path);
	/* npm: the outermost node_modules tree; nested copies belong to it */
	if (!strncmp(path, "node_modules/", 13))
		return 12;
	if ((p = strstr(path, "/node_modules/")))
		return (size_t)(p - path) + 13;
	/* maven: the outer archive of "outer.jar!/BOOT-INF/lib/inner.jar" */
	if ((p = strchr(path, '!')))
		return (size_t)(p - path);
	/* gems: the gem home holding specifications/ */
	if ((p = strstr(path, "/specifications/")))
		return (size_t)(p - path);
	/* python: the directory holding NAME.dist-info/METADATA or NAME.egg-info[/PKG-INFO] */
	const char *slash = strrchr(path, '/');
	if (slash && slash > path) {
		size_t dir_len = (size_t)(slash - path);
		if (ends_with(path, dir_len, ".dist-info") || ends_with(path, dir_len, ".egg-info")) {
			const char *up = memrchr(path, '/', dir_len);
			return up ? (size_t)(up - path) : dir_len;
		}
		if (ends_with(path, n, ".egg-info"))
			return dir_len;
	}
	return n;
}

bool bw_report__advisory_url(const char *id, char *url, size_t n, const char **source)
{
	const char *base;
	bool plain = id && *id && strlen(id) < 128;

	for (const char *p = id; plain && *p; p++)
		plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			*p == '-' || *p == '_' || *p == '.' || *p == ':';
	if (id && !strncmp(id, "CVE-", 4)) {
		*source = "NVD";
		base = "https://nvd.nist.gov/vuln/detail/";
	} else if (id && !strncmp(id, "GHSA-", 5)) {
		*source = "GitHub Advisories";
		base = "https://github.com/advisories/";
	} else if (id && (!strncmp(id, "DSA-", 4) || !strncmp(id, "DLA-", 4))) {
		*source = "Debian Security Tracker";
		base = "https://security-tracker.debian.org/tracker/";
	} else {
		*source = "OSV";
		base = "https://osv.dev/vulnerability/";
	}
	if (!plain || n == 0) {
		if (n)
			url[0] = '\0';
		return false;
	}
	snprintf(url, n, "%s%s", base, id);
	return true;
}

size_t bw_report__cvss(const char *cvss, bw_report_cvss *out, size_t max)
{
	json_t *doc = NULL, *e;
	size_t i, n = 0;

	if (!cvss || bw_json_parse("cvss", cvss, strlen(cvss), 1 << 20, &doc) < 0) {
		bw_error_clear();
		return 0;
	}
	if (json_is_array(doc)) {
		json_array_foreach(doc, i, e) {
			if (n == max)
				break;
			const char *version = json_string_value(json_object_get(e, "version"));
			const char *vector = json_string_value(json_object_get(e, "vector"));
			json_t *score = json_object_get(e, "score");
			bw_report_cvss *c = &out[n];
			memset(c, 0, sizeof(*c));
			if (!vector || strlen(vector) >= sizeof(c->vector) || (version && strlen(version) >= sizeof(c->version)))
				continue;
			if (score && (!json_is_number(score) || !isfinite(json_number_value(score)) ||
				      json_number_value(score) < 0 || json_number_value(score) > 10))
				continue;
			snprintf(c->vector, sizeof(c->vector), "%s", vector);
			snprintf(c->version, sizeof(c->version), "%s", version ? version : "");
			if (score) {
				c->score = json_number_value(score);
				c->has_score = true;
			}
			n++;
		}
	}
	json_decref(doc);
	return n;
}

void bw_report__policy_counts(const bw_policy_result *p, size_t counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	for (size_t i = 0; p && i < p->n_violations; i++) {
		const char *a = p->violations[i].action;
		counts[a && !strcmp(a, "fail") ? 0 : a && !strcmp(a, "warn") ? 1 : 2]++;
	}
}

/* ------------------------------------------------------------ the view */

typedef struct sort_item {
	const bw_vuln *v;
	size_t orig;
	size_t tlen;   /* target prefix of the package path */
	bool os;
	bool base;     /* inherited from the recorded base image: grouped after the image's own */
} sort_item;

typedef struct pkg_slot {
	const bw_package *p;
	size_t index;
} pkg_slot;

static int cmp_ptr(const void *a, const void *b)
{
	const pkg_slot *x = a, *y = b;
	return x->p < y->p ? -1 : x->p > y->p;
}

static int cmp_str0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_target(const sort_item *x, const sort_item *y)
{
	if (x->base != y->base)
		return x->base ? 1 : -1;
	if (x->os != y->os)
		return x->os ? -1 : 1;
	if (x->os)
		return 0;
	const char *a = x->v->package->path ? x->v->package->path : "";
	const char *b = y->v->package->path ? y->v->package->path : "";
	size_t n = x->tlen < y->tlen ? x->tlen : y->tlen;
	int r = memcmp(a, b, n);
	if (r || x->tlen != y->tlen)
		return r ? r : x->tlen < y->tlen ? -1 : 1;
	return cmp_str0(x->v->package->type, y->v->package->type);
}

static int cmp_items(const void *a, const void *b)
{
	const sort_item *x = a, *y = b;
	int r = cmp_target(x, y);
	if (r)
		return r;
	if ((r = bw_report__severity_rank(x->v->severity) - bw_report__severity_rank(y->v->severity)))
		return r;
	if ((r = cmp_str0(x->v->package->name, y->v->package->name)))
		return r;
	if ((r = cmp_str0(x->v->installed_version, y->v->installed_version)))
		return r;
	if ((r = cmp_str0(x->v->id, y->v->id)))
		return r;
	return x->orig < y->orig ? -1 : x->orig > y->orig;
}

int bw_report__view_init(bw_report_view *v, const bw_scan_results *r)
{
	const bw_vulns *vulns = r->vulns;
	size_t n = bw_vulns_count(vulns);
	sort_item *items = NULL;
	pkg_slot *slots = NULL;
	bw_strmap ids = { 0 };
	int rc = BW_EINTERNAL;

	memset(v, 0, sizeof(*v));
	v->r = r;
	v->in = bw_image_get_info(r->img);
	v->n_packages = bw_image_package_count(r->img);
	v->n = n;
	items = calloc(n + 1, sizeof(*items));
	slots = calloc(v->n_packages + 1, sizeof(*slots));
	v->sorted = calloc(n + 1, sizeof(*v->sorted));
	v->pkg = calloc(n + 1, sizeof(*v->pkg));
	v->rule = calloc(n + 1, sizeof(*v->rule));
	v->rule_first = calloc(n + 1, sizeof(*v->rule_first));
	v->rule_rank = calloc(n + 1, sizeof(*v->rule_rank));
	if (!items || !slots || !v->sorted || !v->pkg || !v->rule || !v->rule_first || !v->rule_rank)
		goto done;

	for (size_t i = 0; i < v->n_packages; i++) {
		slots[i].p = bw_image_package_at(r->img, i);
		slots[i].index = i;
	}
	qsort(slots, v->n_packages, sizeof(*slots), cmp_ptr);

	for (size_t i = 0; i < n; i++) {
		const bw_vuln *x = bw_vulns_at(vulns, i);
		items[i].v = x;
		items[i].orig = i;
		items[i].os = bw_report__is_os(x->package);
		items[i].base = bw_package_base(v->in, x->package) != NULL;
		items[i].tlen = items[i].os ? 0 : bw_report__target_len(x->package->path);
		if (x->suppressed_by) {
			v->suppressed++;
		} else {
			v->shown++;
			v->counts[bw_report__severity_rank(x->severity)]++;
		}
	}
	qsort(items, n, sizeof(*items), cmp_items);

	for (size_t i = 0; i < n; i++) {
		const bw_vuln *x = items[i].v;
		pkg_slot key = { x->package, 0 }, *hit;
		v->sorted[i] = x;
		hit = bsearch(&key, slots, v->n_packages, sizeof(*slots), cmp_ptr);
		v->pkg[i] = hit ? hit->index : SIZE_MAX;
		uintptr_t rule = (uintptr_t)bw_strmap_get(&ids, x->id);
		if (!rule) {
			rule = ++v->n_rules;
			v->rule_first[rule - 1] = i;
			v->rule_rank[rule - 1] = BW_REPORT_NSEV - 1;
			if (bw_strmap_put(&ids, x->id, (void *)rule) < 0)
				goto done;
		}
		v->rule[i] = rule - 1;
		int rank = bw_report__severity_rank(x->severity);
		if (rank < v->rule_rank[rule - 1])
			v->rule_rank[rule - 1] = rank;
	}
	rc = 0;
done:
	if (rc < 0)
		bw_error_set(BW_EINTERNAL, "out of memory");
	free(items);
	free(slots);
	bw_strmap_free(&ids);
	if (rc < 0)
		bw_report__view_free(v);
	return rc;
}

void bw_report__view_free(bw_report_view *v)
{
	free(v->sorted);
	free(v->pkg);
	free(v->rule);
	free(v->rule_first);
	free(v->rule_rank);
	v->sorted = NULL;
	v->pkg = v->rule = v->rule_first = NULL;
	v->rule_rank = NULL;
}

bool bw_report__same_target(const bw_report_view *v, size_t i, size_t j)
{
	sort_item a = { v->sorted[i], 0, 0, bw_report__is_os(v->sorted[i]->package),
			bw_package_base(v->in, v->sorted[i]->package) != NULL };
	sort_item b = { v->sorted[j], 0, 0, bw_report__is_os(v->sorted[j]->package),
			bw_package_base(v->in, v->sorted[j]->package) != NULL };
	if (!a.os)
		a.tlen = bw_report__target_len(a.v->package->path);
	if (!b.os)
		b.tlen = bw_report__target_len(b.v->package->path);
	return cmp_target(&a, &b) == 0;
}

/* ------------------------------------------------------------ json */

static void cvss_json(bw_jsonw *w, const char *cvss)
{
	bw_report_cvss c[BW_REPORT_MAX_CVSS];
	size_t n = bw_report__cvss(cvss, c, BW_REPORT_MAX_CVSS);

	bw_jw_key(w, "cvss");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "version", c[i].version);
		bw_jw_kv_string(w, "vector", c[i].vector);
		if (c[i].has_score) {
			char buf[16];
			/* one decimal, as CVSS writes scores */
			snprintf(buf, sizeof(buf), "%.1f", c[i].score);
			bw_jw_key(w, "score");
			bw_jw_raw_number(w, buf);
		}
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);
}

static void vuln_json(bw_jsonw *w, const bw_image_info *in, const bw_vuln *v)
{
	const bw_package *p = v->package;
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "id", v->id);
	bw_jw_key(w, "aliases");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < v->n_aliases; i++)
		bw_jw_string(w, v->aliases[i]);
	bw_jw_array_end(w);
	bw_jw_kv_string(w, "package", p->name);
	bw_jw_kv_string(w, "type", p->type);
	bw_jw_kv_string(w, "purl", p->purl);
	bw_jw_kv_string(w, "package_version", p->version);
	bw_jw_kv_string(w, "installed_version", v->installed_version);
	bw_jw_kv_string(w, "fixed_version", v->fixed_version);
	bw_jw_kv_string(w, "status", v->status);
	bw_jw_kv_string(w, "severity", v->severity);
	cvss_json(w, v->cvss);
	bw_jw_kv_string(w, "title", v->title);
	bw_jw_kv_string(w, "data_source", v->data_source);
	bw_jw_kv_string(w, "why", v->why);
	if (v->suppressed_by)
		bw_jw_kv_string(w, "suppressed_by", v->suppressed_by);
	bw_jw_kv_string(w, "layer", bw_report__layer_id(in, p->layer));
	bw_jw_kv_uint(w, "layer_index", p->layer + 1);
	if (bw_package_base(in, p))
		bw_jw_kv_string(w, "base", bw_package_base(in, p));
	bw_jw_kv_string(w, "path", p->path);
	bw_jw_object_end(w);
}

static void policy_json(bw_jsonw *w, const bw_policy_result *p)
{
	bw_jw_key(w, "policy");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "verdict", p->verdict);
	bw_jw_kv_string(w, "file", p->policy);
	bw_jw_kv_bool(w, "in_scope", p->in_scope);
	bw_jw_key(w, "violations");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < p->n_violations; i++) {
		const bw_violation *x = &p->violations[i];
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "rule", x->rule);
		bw_jw_kv_string(w, "action", x->action);
		bw_jw_kv_string(w, "reason", x->reason);
		if (x->id)
			bw_jw_kv_string(w, "id", x->id);
		if (x->package)
			bw_jw_kv_string(w, "package", x->package);
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);
	bw_jw_object_end(w);
}

static int scan_json(FILE *out, const bw_report_view *view)
{
	const bw_scan_results *r = view->r;
	const bw_vulns *v = r->vulns;
	bw_jsonw w;
	int rc = 0;

	bw_jw_init(&w, out, true);
	bw_jw_object_begin(&w);
	bw_report__json_head(&w, r->img);
	bw_report__packages_json(&w, r->img);
	if (v) {
		bw_jw_key(&w, "vulnerabilities");
		bw_jw_array_begin(&w);
		for (size_t i = 0; i < bw_vulns_count(v); i++)
			vuln_json(&w, view->in, bw_vulns_at(v, i));
		bw_jw_array_end(&w);
	}
	if (r->licenses && rc == 0)
		rc = bw_report__licenses_json(&w, r->img);
	if (r->misconfigs)
		bw_report__misconfig_json(&w, r->misconfigs);
	if (r->secrets)
		bw_report__secrets_json(&w, r->secrets);
	if (r->policy)
		policy_json(&w, r->policy);
	bw_jw_key(&w, "summary");
	bw_jw_object_begin(&w);
	bw_jw_kv_uint(&w, "packages", view->n_packages);
	if (v) {
		bw_jw_kv_uint(&w, "packages_not_matched", bw_vulns_unmatched(v));
		bw_jw_kv_uint(&w, "vulnerabilities", view->shown);
		bw_jw_kv_uint(&w, "suppressed", view->suppressed);
		bw_jw_key(&w, "by_severity");
		bw_jw_object_begin(&w);
		for (int s = 0; s < BW_REPORT_NSEV; s++)
			bw_jw_kv_uint(&w, bw_report__severities[s], view->counts[s]);
		bw_jw_object_end(&w);
	}
	if (r->licenses && rc == 0)
		rc = bw_report__licenses_summary_json(&w, r->img);
	if (r->misconfigs)
		bw_report__misconfig_summary_json(&w, r->misconfigs);
	if (r->secrets)
		bw_report__secrets_summary_json(&w, r->secrets);
	if (r->policy)
		bw_jw_kv_string(&w, "policy_verdict", r->policy->verdict);
	bw_jw_object_end(&w);
	bw_jw_object_end(&w);
	if (bw_jw_finish(&w) < 0 && rc == 0)
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return rc;
}

/* ------------------------------------------------------------ table */

#define TABLE_WIDTH 100
#define COLOR_RESET "\033[0m"
#define COLOR_BOLD "\033[1m"

static const char *const severity_color[BW_REPORT_NSEV] = {
	"\033[1;31m", /* CRITICAL: bold red */
	"\033[31m",   /* HIGH: red */
	"\033[33m",   /* MEDIUM: yellow */
	"\033[34m",   /* LOW: blue */
	"\033[2m",    /* UNKNOWN: dim */
};

static const char *fixed_text(const bw_vuln *x)
{
	if (x->fixed_version)
		return x->fixed_version;
	return x->status && !strcmp(x->status, "will_not_fix") ? "(will not fix)" : "(no fix yet)";
}

/* One line of at most TABLE_WIDTH columns (cut with an ellipsis), optionally bold. */
static void table_line(FILE *out, bool color, const char *style, const char *text)
{
	if (color && style)
		fputs(style, out);
	bw_report__cell(out, text, TABLE_WIDTH, false);
	if (color && style)
		fputs(COLOR_RESET, out);
	fputc('\n', out);
}

static void counts_text(char *buf, size_t n, const size_t counts[BW_REPORT_NSEV])
{
	size_t o = 0;
	buf[0] = '\0';
	for (int s = 0; s < BW_REPORT_NSEV; s++) {
		if (!counts[s])
			continue;
		int k = snprintf(buf + o, n - o, "%s%s %zu", o ? ", " : "", bw_report__severities[s], counts[s]);
		if (k < 0 || (size_t)k >= n - o)
			break;
		o += (size_t)k;
	}
}

enum { COL_PACKAGE, COL_ID, COL_SEVERITY, COL_INSTALLED, COL_FIXED, COL_TITLE, NCOLS };

/*
 * Column widths: each as wide as its widest cell up to a cap; while the row is
 * wider than the table, the widest of package / installed / fixed gives a
 * column; the title gets what is left (at least TITLE_MIN).
 */
static void table_widths(const bw_report_view *v, int w[NCOLS])
{
	static const char *const head[NCOLS] = { "PACKAGE", "ID", "SEVERITY", "INSTALLED", "FIXED", "TITLE" };
	static const int cap[NCOLS] = { 30, 20, 8, 26, 26, 0 };
	enum { TITLE_MIN = 20 };

	for (int c = 0; c < NCOLS; c++)
		w[c] = (int)strlen(head[c]);
	w[COL_FIXED] = 12; /* "(no fix yet)" */
	for (size_t i = 0; i < v->n; i++) {
		const bw_vuln *x = v->sorted[i];
		int cw;
		if (x->suppressed_by)
			continue;
		if ((cw = bw_report__width(x->package->name)) > w[COL_PACKAGE])
			w[COL_PACKAGE] = cw;
		if ((cw = bw_report__width(x->id)) > w[COL_ID])
			w[COL_ID] = cw;
		if ((cw = bw_report__width(x->installed_version)) > w[COL_INSTALLED])
			w[COL_INSTALLED] = cw;
		if ((cw = bw_report__width(fixed_text(x))) > w[COL_FIXED])
			w[COL_FIXED] = cw;
	}
	for (int c = 0; c < COL_TITLE; c++)
		if (w[c] > cap[c])
			w[c] = cap[c];
	for (;;) {
		int used = NCOLS - 1; /* one space between columns */
		for (int c = 0; c < COL_TITLE; c++)
			used += w[c];
		if (TABLE_WIDTH - used >= TITLE_MIN) {
			w[COL_TITLE] = TABLE_WIDTH - used;
			return;
		}
		int widest = COL_PACKAGE;
		if (w[COL_INSTALLED] > w[widest])
			widest = COL_INSTALLED;
		if (w[COL_FIXED] > w[widest])
			widest = COL_FIXED;
		w[widest]--;
	}
}

static void table_policy(FILE *out, const bw_policy_result *p, bool color)
{
	size_t c[3];
	char buf[1024];
	const char *verdict = p->verdict ? p->verdict : "fail";
	const char *style = !strcmp(verdict, "fail") ? "\033[1;31m" : !strcmp(verdict, "warn") ? "\033[1;33m"
											   : "\033[1;32m";

	bw_report__policy_counts(p, c);
	fputc('\n', out);
	if (color)
		fputs(COLOR_BOLD, out);
	int col = bw_report__cell(out, "Policy ", 7, false);
	col += bw_report__cell(out, p->policy ? p->policy : "(policy)", 50, false);
	fputs(": ", out);
	if (color) {
		fputs(COLOR_RESET, out);
		fputs(style, out);
	}
	char upper[16];
	size_t k = 0;
	for (; verdict[k] && k + 1 < sizeof(upper); k++)
		upper[k] = verdict[k] >= 'a' && verdict[k] <= 'z' ? (char)(verdict[k] - 32) : verdict[k];
	upper[k] = '\0';
	col += 2 + bw_report__cell(out, upper, 8, false);
	if (color)
		fputs(COLOR_RESET, out);
	if (!p->in_scope)
		snprintf(buf, sizeof(buf), " (the image is outside the policy's scope)");
	else
		snprintf(buf, sizeof(buf), " (%zu fail, %zu warn, %zu info)", c[0], c[1], c[2]);
	bw_report__cell(out, buf, TABLE_WIDTH - col, false);
	fputc('\n', out);
	for (size_t i = 0; i < p->n_violations; i++) {
		const bw_violation *x = &p->violations[i];
		fputs("  ", out);
		bw_report__cell(out, x->action, 4, true);
		fputs("  ", out);
		col = 8 + bw_report__cell(out, x->rule, 40, false);
		fputs(": ", out);
		bw_report__wrap(out, x->reason, col + 2, 8, TABLE_WIDTH);
		fputc('\n', out);
	}
}

static int scan_table(FILE *out, const bw_report_view *v)
{
	const bw_image_info *in = v->in;
	const bw_scan_results *r = v->r;
	bool color = r->color;
	char buf[4096], counts[256];
	int w[NCOLS];

	snprintf(buf, sizeof(buf), "%s  (%s%s%s)", in->reference, in->os_family ? in->os_family : "unknown OS",
		 in->os_version ? " " : "", in->os_version ? in->os_version : "");
	table_line(out, color, COLOR_BOLD, buf);
	if (!r->vulns)
		goto after_vulns; /* the vulnerability scanner did not run */
	counts_text(counts, sizeof(counts), v->counts);
	snprintf(buf, sizeof(buf), "%zu vulnerabilit%s in %zu packages%s%s", v->shown, v->shown == 1 ? "y" : "ies",
		 v->n_packages, v->shown ? ": " : "", counts);
	table_line(out, color, NULL, buf);
	if (v->suppressed) {
		snprintf(buf, sizeof(buf), "%zu suppressed by VEX or ignore rules (listed with --format json)",
			 v->suppressed);
		table_line(out, color, NULL, buf);
	}

	table_widths(v, w);
	for (size_t start = 0; start < v->n;) {
		size_t end = start + 1, group_counts[BW_REPORT_NSEV] = { 0 }, shown = 0;
		while (end < v->n && bw_report__same_target(v, start, end))
			end++;
		for (size_t i = start; i < end; i++)
			if (!v->sorted[i]->suppressed_by) {
				group_counts[bw_report__severity_rank(v->sorted[i]->severity)]++;
				shown++;
			}
		if (!shown) {
			start = end;
			continue;
		}
		const bw_package *p = v->sorted[start]->package;
		const char *base = bw_package_base(in, p);
		counts_text(counts, sizeof(counts), group_counts);
		if (in->base_name && (start == 0 || (base && !bw_package_base(in, v->sorted[start - 1]->package)))) {
			/* the image's own findings first, then what it inherited */
			if (base)
				snprintf(buf, sizeof(buf), "== inherited from base %s (%zu of %zu layers)", base,
					 in->base_layers, in->n_layers);
			else
				snprintf(buf, sizeof(buf), "== added by this image (above base %s)", in->base_name);
			fputc('\n', out);
			table_line(out, color, COLOR_BOLD, buf);
		}
		if (bw_report__is_os(p))
			snprintf(buf, sizeof(buf), "OS packages (%s%s%s): %zu vulnerabilit%s (%s)",
				 in->os_family ? in->os_family : p->type, in->os_version ? " " : "",
				 in->os_version ? in->os_version : "", shown, shown == 1 ? "y" : "ies", counts);
		else
			snprintf(buf, sizeof(buf), "%s %.*s: %zu vulnerabilit%s (%s)", p->type,
				 (int)bw_report__target_len(p->path), p->path ? p->path : "", shown,
				 shown == 1 ? "y" : "ies", counts);
		fputc('\n', out);
		table_line(out, color, COLOR_BOLD, buf);
		fputc('\n', out);
		bw_report__cell(out, "PACKAGE", w[COL_PACKAGE], true);
		fputc(' ', out);
		bw_report__cell(out, "ID", w[COL_ID], true);
		fputc(' ', out);
		bw_report__cell(out, "SEVERITY", w[COL_SEVERITY], true);
		fputc(' ', out);
		bw_report__cell(out, "INSTALLED", w[COL_INSTALLED], true);
		fputc(' ', out);
		bw_report__cell(out, "FIXED", w[COL_FIXED], true);
		fputs(" TITLE\n", out);
		for (size_t i = start; i < end; i++) {
			const bw_vuln *x = v->sorted[i];
			int rank = bw_report__severity_rank(x->severity);
			if (x->suppressed_by)
				continue;
			bw_report__cell(out, x->package->name, w[COL_PACKAGE], true);
			fputc(' ', out);
			bw_report__cell(out, x->id, w[COL_ID], true);
			fputc(' ', out);
			if (color)
				fputs(severity_color[rank], out);
			bw_report__cell(out, bw_report__severities[rank], w[COL_SEVERITY], true);
			if (color)
				fputs(COLOR_RESET, out);
			fputc(' ', out);
			bw_report__cell(out, x->installed_version, w[COL_INSTALLED], true);
			fputc(' ', out);
			bw_report__cell(out, fixed_text(x), w[COL_FIXED], !!x->title);
			if (x->title) {
				fputc(' ', out);
				bw_report__cell(out, x->title, w[COL_TITLE], false);
			}
			fputc('\n', out);
		}
		start = end;
	}
after_vulns:
	if (r->licenses && bw_report__licenses_table(out, r->img, color) < 0)
		return -1;
	if (r->misconfigs && bw_report__misconfig_table(out, r->misconfigs, color) < 0)
		return -1;
	if (r->secrets && bw_report__secrets_table(out, r->secrets, color) < 0)
		return -1;
	if (r->policy)
		table_policy(out, r->policy, color);
	if (ferror(out))
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return 0;
}

int bw_report_scan(FILE *out, const bw_scan_results *r, bw_format format)
{
	bw_report_view view;
	int rc;

	if (format == BW_FORMAT_SPDX)
		return bw_error_set(BW_EUSAGE, "scan: spdx is an SBOM format (bulwark sbom --format spdx); "
				    "scan writes table, json, sarif, junit, cyclonedx or html");
	if ((rc = bw_report__view_init(&view, r)) < 0)
		return rc;
	switch (format) {
	case BW_FORMAT_JSON: rc = scan_json(out, &view); break;
	case BW_FORMAT_TABLE: rc = scan_table(out, &view); break;
	case BW_FORMAT_SARIF: rc = bw_report__sarif(out, &view); break;
	case BW_FORMAT_JUNIT: rc = bw_report__junit(out, &view); break;
	case BW_FORMAT_HTML: rc = bw_report__html(out, &view); break;
	case BW_FORMAT_CYCLONEDX: rc = bw_report__sbom_standard(out, r->img, format, &view); break;
	default: rc = bw_error_set(BW_EUSAGE, "scan: unknown format");
	}
	if (rc == 0 && ferror(out))
		rc = bw_error_set(BW_EINTERNAL, "writing the report failed");
	bw_report__view_free(&view);
	return rc;
}
