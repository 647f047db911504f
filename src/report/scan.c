/*
 * report/scan.c: `bulwark scan --format json|table`: the inspect document plus
 * `packages`, `vulnerabilities`, `licenses`, `policy` and a summary (DESIGN.md §6,
 * docs/json-report.md). Sections of scanners that did not run are left out.
 */
#include <string.h>

#include "bulwark/bulwark.h"
#include "bulwark/policy.h"
#include "bulwark/scan.h"
#include "report/report_int.h"
#include "util/json.h"

static const char *const severities[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN" };

static void count_severities(const bw_vulns *v, size_t counts[5])
{
	memset(counts, 0, 5 * sizeof(counts[0]));
	for (size_t i = 0; i < bw_vulns_count(v); i++) {
		const bw_vuln *x = bw_vulns_at(v, i);
		if (x->suppressed_by)
			continue;
		for (int s = 0; s < 5; s++)
			if (strcmp(x->severity, severities[s]) == 0)
				counts[s]++;
	}
}

/* cvss is JSON we wrote at import; re-emit its members through the writer. */
static void cvss_json(bw_jsonw *w, const char *cvss)
{
	json_t *doc = NULL, *e;
	size_t i;

	bw_jw_key(w, "cvss");
	bw_jw_array_begin(w);
	if (cvss && bw_json_parse("cvss", cvss, strlen(cvss), 1 << 20, &doc) == 0) {
		json_array_foreach(doc, i, e) {
			json_t *score = json_object_get(e, "score");
			bw_jw_object_begin(w);
			bw_jw_kv_string(w, "version", json_string_value(json_object_get(e, "version")));
			bw_jw_kv_string(w, "vector", json_string_value(json_object_get(e, "vector")));
			if (json_is_number(score)) {
				char buf[16];
				/* one decimal, as CVSS writes scores */
				snprintf(buf, sizeof(buf), "%.1f", json_number_value(score));
				bw_jw_key(w, "score");
				bw_jw_raw_number(w, buf);
			}
			bw_jw_object_end(w);
		}
	}
	bw_error_clear();
	json_decref(doc);
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
	bw_jw_kv_string(w, "layer", p->layer < in->n_layers ? in->layers[p->layer].diff_id : NULL);
	bw_jw_kv_string(w, "path", p->path);
	bw_jw_object_end(w);
}

static int scan_json(FILE *out, const bw_scan_results *r)
{
	const bw_image *img = r->img;
	const bw_vulns *v = r->vulns;
	const bw_image_info *in = bw_image_get_info(img);
	size_t counts[5];
	bw_jsonw w;
	int rc = 0;

	bw_jw_init(&w, out, true);
	bw_jw_object_begin(&w);
	bw_report__json_head(&w, img);
	bw_report__packages_json(&w, img);
	if (v) {
		bw_jw_key(&w, "vulnerabilities");
		bw_jw_array_begin(&w);
		for (size_t i = 0; i < bw_vulns_count(v); i++)
			vuln_json(&w, in, bw_vulns_at(v, i));
		bw_jw_array_end(&w);
	}
	if (r->licenses && rc == 0)
		rc = bw_report__licenses_json(&w, img);
	if (r->policy)
		bw_report__policy_json(&w, r->policy);
	bw_jw_key(&w, "summary");
	bw_jw_object_begin(&w);
	bw_jw_kv_uint(&w, "packages", bw_image_package_count(img));
	if (v) {
		count_severities(v, counts);
		bw_jw_kv_uint(&w, "packages_not_matched", bw_vulns_unmatched(v));
		bw_jw_kv_uint(&w, "vulnerabilities", bw_vulns_count(v) - bw_vulns_suppressed(v));
		bw_jw_kv_uint(&w, "suppressed", bw_vulns_suppressed(v));
		bw_jw_key(&w, "by_severity");
		bw_jw_object_begin(&w);
		for (int s = 0; s < 5; s++)
			bw_jw_kv_uint(&w, severities[s], counts[s]);
		bw_jw_object_end(&w);
	}
	if (r->licenses && rc == 0)
		rc = bw_report__licenses_summary_json(&w, img);
	if (r->policy)
		bw_jw_kv_string(&w, "policy", r->policy->verdict);
	bw_jw_object_end(&w);
	bw_jw_object_end(&w);
	if (bw_jw_finish(&w) < 0 && rc == 0)
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return rc;
}

/* Table cells: control characters from advisory text are not sent to a terminal. */
static void cell(FILE *out, const char *s, int width)
{
	int n = 0;
	for (; s && *s && (width <= 0 || n < width); s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

/* The vulnerability section of the table; true when it ended with a row. */
static bool vulns_table(FILE *out, const bw_image *img, const bw_vulns *v)
{
	size_t counts[5];

	count_severities(v, counts);
	size_t shown = bw_vulns_count(v) - bw_vulns_suppressed(v);
	fprintf(out, "%zu vulnerabilities in %zu packages: CRITICAL %zu, HIGH %zu, MEDIUM %zu, LOW %zu, UNKNOWN %zu",
		shown, bw_image_package_count(img), counts[0], counts[1], counts[2], counts[3], counts[4]);
	if (bw_vulns_suppressed(v))
		fprintf(out, " (%zu suppressed by VEX or ignore rules, listed with --format json)",
			bw_vulns_suppressed(v));
	fputs("\n\n", out);
	if (shown == 0)
		return false;
	fprintf(out, "%-28s %-6s %-24s %-24s %-20s %-8s %s\n", "PACKAGE", "TYPE", "INSTALLED", "FIXED", "ID",
		"SEVERITY", "TITLE");
	for (size_t i = 0; i < bw_vulns_count(v); i++) {
		const bw_vuln *x = bw_vulns_at(v, i);
		char fixed[64];
		if (x->suppressed_by)
			continue;
		snprintf(fixed, sizeof(fixed), "%s", x->fixed_version ? x->fixed_version
						     : strcmp(x->status, "will_not_fix") == 0 ? "(will not fix)"
						     : "(no fix yet)");
		cell(out, x->package->name, 28); fputc(' ', out);
		cell(out, x->package->type, 6); fputc(' ', out);
		cell(out, x->installed_version, 24); fputc(' ', out);
		cell(out, fixed, 24); fputc(' ', out);
		cell(out, x->id, 20); fputc(' ', out);
		cell(out, x->severity, 8); fputc(' ', out);
		cell(out, x->title ? x->title : "", 60);
		fputc('\n', out);
	}
	return true;
}

static int scan_table(FILE *out, const bw_scan_results *r)
{
	const bw_image_info *in = bw_image_get_info(r->img);

	fprintf(out, "%s  (%s%s%s)\n", in->reference, in->os_family ? in->os_family : "unknown OS",
		in->os_version ? " " : "", in->os_version ? in->os_version : "");
	if (r->vulns && vulns_table(out, r->img, r->vulns) && (r->licenses || r->policy))
		fputc('\n', out);
	if (r->licenses && bw_report__licenses_table(out, r->img) < 0)
		return -1;
	if (r->policy)
		bw_report__policy_table(out, r->policy);
	if (ferror(out))
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return 0;
}

int bw_report_scan(FILE *out, const bw_scan_results *r, bw_format format)
{
	switch (format) {
	case BW_FORMAT_JSON:
		return scan_json(out, r);
	case BW_FORMAT_TABLE:
		return scan_table(out, r);
	default:
		return bw_error_set(BW_EUSAGE, "scan: this format is not available for scan results yet "
				    "(table or json)");
	}
}
