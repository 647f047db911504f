/*
 * report/baselist.c: `bulwark base list`: the recorded base images, as a
 * table or JSON (docs/base-images.md).
 */
#include "bulwark/state.h"
#include "bulwark/report.h"
#include "report/report_int.h"

typedef struct list_ctx {
	FILE *out;
	bw_jsonw *w;   /* NULL for the table */
	size_t rows;
} list_ctx;

static int chain_row(const bw_base_chain *c, void *p)
{
	list_ctx *l = p;
	l->rows++;
	if (!l->w) {
		fprintf(l->out, "%-28s %6zu  %-20s  %-71s  %s\n", c->name, c->n_layers, c->added ? c->added : "-",
			c->manifest_digest ? c->manifest_digest : "-", c->reference ? c->reference : "-");
		return 0;
	}
	bw_jw_object_begin(l->w);
	bw_jw_kv_string(l->w, "name", c->name);
	bw_jw_kv_string(l->w, "reference", c->reference);
	bw_jw_kv_string(l->w, "manifest_digest", c->manifest_digest);
	bw_jw_kv_string(l->w, "added", c->added);
	bw_jw_key(l->w, "diff_ids");
	bw_jw_array_begin(l->w);
	for (size_t i = 0; i < c->n_layers; i++)
		bw_jw_string(l->w, c->diff_ids[i]);
	bw_jw_array_end(l->w);
	bw_jw_object_end(l->w);
	return 0;
}

int bw_report_base_list(FILE *out, bw_state *st, bw_format format)
{
	bw_jsonw w;
	list_ctx l = { .out = out };
	int rc;

	if (format != BW_FORMAT_JSON && format != BW_FORMAT_TABLE)
		return bw_error_set(BW_EUSAGE, "base list: table or json");
	if (format == BW_FORMAT_JSON) {
		bw_jw_init(&w, out, true);
		l.w = &w;
		bw_jw_array_begin(&w);
	} else {
		fprintf(out, "%-28s %6s  %-20s  %-71s  %s\n", "NAME", "LAYERS", "ADDED", "MANIFEST DIGEST", "REFERENCE");
	}
	if ((rc = bw_base_each(st, chain_row, &l)) < 0)
		return rc;
	if (l.w) {
		bw_jw_array_end(&w);
		if (bw_jw_finish(&w) < 0)
			return bw_error_set(BW_EINTERNAL, "writing the report failed");
	} else if (l.rows == 0) {
		fputs("(no base images recorded: bulwark base add IMAGE --name NAME)\n", out);
	}
	return ferror(out) ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
}
