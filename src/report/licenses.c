/*
 * report/licenses.c: what the license scanner adds to the scan report
 * (DESIGN.md §6, docs/licenses.md): the `licenses` array and
 * `summary.licenses` in JSON, and the license section of the table. Every
 * license is normalised and categorised by license/license.h.
 */
#include <string.h>

#include "bulwark/bulwark.h"
#include "bulwark/package.h"
#include "license/license.h"
#include "report/report_int.h"

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

/* Column widths of the license rows: 100 columns in all, the license gets the rest. */
enum { W_PACKAGE = 28, W_TYPE = 6, W_VERSION = 20, W_CATEGORY = 12,
       W_LICENSE = 100 - W_PACKAGE - W_TYPE - W_VERSION - W_CATEGORY - 4 };

static void license_row(void *ctx, const bw_package *p, const bw_license *l)
{
	FILE *out = ctx;

	if (!l)
		return; /* counted in the summary line */
	bw_report__cell(out, p->name, W_PACKAGE, true);
	fputc(' ', out);
	bw_report__cell(out, p->type, W_TYPE, true);
	fputc(' ', out);
	bw_report__cell(out, p->version, W_VERSION, true);
	fputc(' ', out);
	bw_report__cell(out, bw_license_category_name(l->category), W_CATEGORY, true);
	fputc(' ', out);
	bw_report__cell(out, l->text, W_LICENSE, false);
	fputc('\n', out);
}

int bw_report__licenses_table(FILE *out, const bw_image *img, bool color)
{
	license_counts c = { 0 };
	char line[512];
	size_t n;

	if (each_license(img, count_entry, &c) < 0)
		return -1;
	snprintf(line, sizeof(line), "Licenses: %zu in %zu packages; %zu packages declare none", c.entries,
		 bw_image_package_count(img), c.packages_without);
	fputc('\n', out);
	if (color)
		fputs("\033[1m", out);
	bw_report__cell(out, line, 100, false);
	if (color)
		fputs("\033[0m", out);
	fputc('\n', out);
	n = 0;
	for (int k = 0; k < BW_LCAT_COUNT && n < sizeof(line); k++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s %zu", k ? ", " : "",
				      bw_license_category_name((bw_license_category)k), c.by_category[k]);
	bw_report__cell(out, line, 100, false);
	fputc('\n', out);
	if (c.entries == 0)
		return 0;
	fputc('\n', out);
	bw_report__cell(out, "PACKAGE", W_PACKAGE, true);
	fputc(' ', out);
	bw_report__cell(out, "TYPE", W_TYPE, true);
	fputc(' ', out);
	bw_report__cell(out, "VERSION", W_VERSION, true);
	fputc(' ', out);
	bw_report__cell(out, "CATEGORY", W_CATEGORY, true);
	fputs(" LICENSE\n", out);
	return each_license(img, license_row, out);
}
