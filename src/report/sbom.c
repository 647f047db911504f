/*
 * report/sbom.c: `bulwark sbom --format json|table`: the inspect document plus
 * `packages` (DESIGN.md §6); the standard formats are in sbom_std.c.
 */
#include <string.h>

#include "bulwark/bulwark.h"
#include "report/report_int.h"

static void package_json(bw_jsonw *w, const bw_image_info *in, const bw_package *p)
{
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "name", p->name);
	bw_jw_kv_string(w, "version", p->version);
	bw_jw_kv_string(w, "type", p->type);
	bw_jw_kv_string(w, "purl", p->purl);
	if (p->arch)
		bw_jw_kv_string(w, "arch", p->arch);
	bw_jw_kv_string(w, "source_name", p->source_name);
	bw_jw_kv_string(w, "source_version", p->source_version);
	bw_jw_key(w, "licenses");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < p->n_licenses; i++)
		bw_jw_string(w, p->licenses[i]);
	bw_jw_array_end(w);
	if (p->vendor)
		bw_jw_kv_string(w, "vendor", p->vendor);
	if (p->os_package)
		bw_jw_kv_string(w, "os_package", p->os_package);
	bw_jw_kv_string(w, "layer", p->layer < in->n_layers ? in->layers[p->layer].diff_id : NULL);
	bw_jw_kv_uint(w, "layer_index", p->layer + 1);
	if (bw_package_base(in, p))
		bw_jw_kv_string(w, "base", bw_package_base(in, p));
	bw_jw_kv_string(w, "path", p->path);
	bw_jw_kv_uint(w, "files_count", p->n_files);
	bw_jw_object_end(w);
}

void bw_report__packages_json(bw_jsonw *w, const bw_image *img)
{
	const bw_image_info *in = bw_image_get_info(img);
	size_t n = bw_image_package_count(img);

	bw_jw_key(w, "packages");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		package_json(w, in, bw_image_package_at(img, i));
	bw_jw_array_end(w);
}

int bw_report_sbom(FILE *out, const bw_image *img, bw_format format)
{
	const bw_image_info *in = bw_image_get_info(img);
	size_t n = bw_image_package_count(img);

	if (format == BW_FORMAT_CYCLONEDX || format == BW_FORMAT_SPDX)
		return bw_report__sbom_standard(out, img, format, NULL);
	if (format != BW_FORMAT_JSON && format != BW_FORMAT_TABLE)
		return bw_error_set(BW_EUSAGE, "sbom: formats are table, json, cyclonedx and spdx "
				    "(sarif, junit and html are scan reports)");
	if (format == BW_FORMAT_JSON) {
		bw_jsonw w;
		bw_jw_init(&w, out, true);
		bw_jw_object_begin(&w);
		bw_report__json_head(&w, img);
		bw_report__packages_json(&w, img);
		bw_jw_object_end(&w);
		if (bw_jw_finish(&w) < 0)
			return bw_error_set(BW_EINTERNAL, "writing the report failed");
		return 0;
	}
	fprintf(out, "%s  (%s%s%s)\n", in->reference, in->os_family ? in->os_family : "unknown OS",
		in->os_version ? " " : "", in->os_version ? in->os_version : "");
	fprintf(out, "%-5s %-40s %-32s %-7s %s\n", "TYPE", "NAME", "VERSION", "LAYER", "LICENSES");
	for (size_t i = 0; i < n; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		fprintf(out, "%-5s %-40s %-32s L%-6zu ", p->type, p->name, p->version ? p->version : "", p->layer + 1);
		for (size_t k = 0; k < p->n_licenses; k++)
			fprintf(out, "%s%s", k ? ", " : "", p->licenses[k]);
		fputc('\n', out);
	}
	fprintf(out, "\n%zu packages\n", n);
	if (ferror(out))
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return 0;
}
