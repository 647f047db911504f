/*
 * report/policy.c: the parts of the scan report that the policy gate and the
 * license scanner add (DESIGN.md §6): the `policy` object and the `licenses`
 * array in JSON, and their sections of the table. Shared by the reporters
 * through report_int.h, so every format prints the same verdict.
 */
#include <string.h>

#include "bulwark/bulwark.h"
#include "bulwark/package.h"
#include "bulwark/policy.h"
#include "license/license.h"
#include "report/report_int.h"

void bw_report__policy_json(bw_jsonw *w, const bw_policy_result *p)
{
	bw_jw_key(w, "policy");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "verdict", p->verdict);
	bw_jw_kv_string(w, "policy", p->policy);
	bw_jw_kv_bool(w, "in_scope", p->in_scope);
	bw_jw_key(w, "violations");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < p->n_violations; i++) {
		const bw_violation *v = &p->violations[i];
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "rule", v->rule);
		bw_jw_kv_string(w, "action", v->action);
		bw_jw_kv_string(w, "reason", v->reason);
		bw_jw_kv_string(w, "id", v->id);
		bw_jw_kv_string(w, "package", v->package);
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);
	bw_jw_object_end(w);
}

/* Calls fn for each (package, normalised license) of the image; a package
 * without a license gets one call with l NULL. Stops at the first error. */
static int each_license(const bw_image *img, void (*fn)(void *ctx, const bw_package *p, const bw_license *l),
			void *ctx)
{
	for (size_t i = 0; i < bw_image_package_count(img); i++) {
		const bw_package *p = bw_image_package_at(img, i);
		if (p->n_licenses == 0)
			fn(ctx, p, NULL);
		for (size_t k = 0; k < p->n_licenses; k++) {
			bw_license l;
			if (bw_license_normalize(&l, p->licenses[k]) < 0)
				return -1;
			fn(ctx, p, &l);
			bw_license_clear(&l);
		}
	}
	return 0;
}

typedef struct entry_ctx {
	bw_jsonw *w;
	size_t index; /* of the license in the package's list */
	const bw_package *last;
} entry_ctx;

static void license_entry_json(void *ctx, const bw_package *p, const bw_license *l)
{
	entry_ctx *c = ctx;
	bw_jsonw *w = c->w;

	c->index = c->last == p ? c->index + 1 : 0;
	c->last = p;

	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "package", p->name);
	bw_jw_kv_string(w, "version", p->version);
	bw_jw_kv_string(w, "type", p->type);
	bw_jw_kv_string(w, "license", l ? l->text : NULL);
	bw_jw_kv_string(w, "declared", l ? p->licenses[c->index] : NULL);
	bw_jw_kv_string(w, "category", bw_license_category_name(l ? l->category : BW_LCAT_UNKNOWN));
	bw_jw_kv_bool(w, "spdx", l && l->spdx);
	bw_jw_object_end(w);
}

int bw_report__licenses_json(bw_jsonw *w, const bw_image *img)
{
	int rc;

	entry_ctx c = { .w = w };

	bw_jw_key(w, "licenses");
	bw_jw_array_begin(w);
	rc = each_license(img, license_entry_json, &c);
	bw_jw_array_end(w);
	return rc;
}

typedef struct license_counts {
	size_t by_category[BW_LCAT_COUNT];
	size_t entries, packages_without;
} license_counts;

static void count_entry(void *ctx, const bw_package *p, const bw_license *l)
{
	license_counts *c = ctx;

	(void)p;
	if (!l) {
		c->packages_without++;
		return;
	}
	c->entries++;
	c->by_category[l->category]++;
}

int bw_report__licenses_summary_json(bw_jsonw *w, const bw_image *img)
{
	license_counts c = { 0 };
	int rc = each_license(img, count_entry, &c);

	bw_jw_key(w, "licenses");
	bw_jw_object_begin(w);
	bw_jw_kv_uint(w, "licenses", c.entries);
	bw_jw_kv_uint(w, "packages_without_license", c.packages_without);
	bw_jw_key(w, "by_category");
	bw_jw_object_begin(w);
	for (int k = 0; k < BW_LCAT_COUNT; k++)
		bw_jw_kv_uint(w, bw_license_category_name((bw_license_category)k), c.by_category[k]);
	bw_jw_object_end(w);
	bw_jw_object_end(w);
	return rc;
}

/* Table cells: control characters from package metadata are not sent to a terminal. */
static void cell(FILE *out, const char *s, int width)
{
	int n = 0;
	for (; s && *s && (width <= 0 || n < width); s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

static void license_row(void *ctx, const bw_package *p, const bw_license *l)
{
	FILE *out = ctx;

	if (!l)
		return; /* counted in the summary line */
	cell(out, p->name, 28);
	fputc(' ', out);
	cell(out, p->type, 6);
	fputc(' ', out);
	cell(out, p->version, 24);
	fputc(' ', out);
	cell(out, bw_license_category_name(l->category), 12);
	fputc(' ', out);
	cell(out, l->text, 0);
	fputc('\n', out);
}

int bw_report__licenses_table(FILE *out, const bw_image *img)
{
	license_counts c = { 0 };

	if (each_license(img, count_entry, &c) < 0)
		return -1;
	fprintf(out, "Licenses: %zu in %zu packages:", c.entries, bw_image_package_count(img));
	for (int k = 0; k < BW_LCAT_COUNT; k++)
		fprintf(out, "%s %s %zu", k ? "," : "", bw_license_category_name((bw_license_category)k),
			c.by_category[k]);
	fprintf(out, " (%zu packages declare none)\n\n", c.packages_without);
	if (c.entries == 0)
		return 0;
	fprintf(out, "%-28s %-6s %-24s %-12s %s\n", "PACKAGE", "TYPE", "VERSION", "CATEGORY", "LICENSE");
	if (each_license(img, license_row, out) < 0)
		return -1;
	fputc('\n', out);
	return 0;
}

void bw_report__policy_table(FILE *out, const bw_policy_result *p)
{
	size_t counts[3] = { 0 };

	for (size_t i = 0; i < p->n_violations; i++) {
		const char *a = p->violations[i].action;
		counts[!strcmp(a, "fail") ? 0 : !strcmp(a, "warn") ? 1 : 2]++;
	}
	fprintf(out, "Policy %s: %s", p->policy ? p->policy : "", !strcmp(p->verdict, "fail") ? "FAIL"
								   : !strcmp(p->verdict, "warn") ? "WARN" : "PASS");
	if (!p->in_scope) {
		fputs(" (the image is outside the policy's scope)\n", out);
		return;
	}
	fprintf(out, " (%zu fail, %zu warn, %zu info)\n", counts[0], counts[1], counts[2]);
	for (size_t i = 0; i < p->n_violations; i++) {
		const bw_violation *v = &p->violations[i];
		fputs("  ", out);
		cell(out, v->action, 5);
		fputc(' ', out);
		cell(out, v->rule, 0);
		fputs(": ", out);
		cell(out, v->reason, 0);
		fputc('\n', out);
	}
}
