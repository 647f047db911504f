/*
 * report/dbinfo.c: `bulwark db info`: the vulnerability database's sources,
 * as a table or JSON (through the JSON writer, so any path or source name,
 * whatever its bytes, gives valid JSON).
 */
#include <string.h>

#include "bulwark/report.h"
#include "bulwark/vulndb.h"
#include "report/report_int.h"

typedef struct info_ctx {
	FILE *out;
	bw_jsonw *w;   /* NULL for the table */
} info_ctx;

static int source_row(const bw_vulndb_source_info *s, void *p)
{
	info_ctx *c = p;
	if (c->w) {
		bw_jw_object_begin(c->w);
		bw_jw_kv_string(c->w, "name", s->name);
		bw_jw_kv_string(c->w, "format", s->format);
		bw_jw_kv_string(c->w, "location", s->location);
		bw_jw_kv_string(c->w, "imported_at", s->imported_at);
		bw_jw_kv_uint(c->w, "records", s->records);
		bw_jw_kv_uint(c->w, "skipped", s->skipped);
		bw_jw_kv_uint(c->w, "affected", s->affected);
		bw_jw_object_end(c->w);
	} else {
		fprintf(c->out, "%-44s %-20s %9llu %9llu %8llu  %s\n", s->name, s->format,
			(unsigned long long)s->records, (unsigned long long)s->affected,
			(unsigned long long)s->skipped, s->imported_at);
	}
	return 0;
}

int bw_report_db_info(FILE *out, bw_vulndb *db, const char *path, bw_format format)
{
	uint64_t advisories, affected;
	int schema, rc;
	bw_jsonw w;
	info_ctx c = { .out = out };

	if (format != BW_FORMAT_JSON && format != BW_FORMAT_TABLE)
		return bw_error_set(BW_EUSAGE, "db info: table or json");
	if ((rc = bw_vulndb_stats(db, &schema, &advisories, &affected)) < 0)
		return rc;
	if (format == BW_FORMAT_JSON) {
		bw_jw_init(&w, out, true);
		c.w = &w;
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "path", path);
		bw_jw_kv_uint(&w, "schema", (uint64_t)schema);
		bw_jw_kv_uint(&w, "advisories", advisories);
		bw_jw_kv_uint(&w, "affected", affected);
		bw_jw_key(&w, "sources");
		bw_jw_array_begin(&w);
	} else {
		fprintf(out, "database  %s\nschema    %d\nrecords   %llu advisories, %llu affected packages\n\n", path,
			schema, (unsigned long long)advisories, (unsigned long long)affected);
		fprintf(out, "%-44s %-20s %9s %9s %8s  %s\n", "SOURCE", "FORMAT", "RECORDS", "AFFECTED", "SKIPPED",
			"IMPORTED");
	}
	if ((rc = bw_vulndb_each_source(db, source_row, &c)) < 0)
		return rc;
	if (c.w) {
		bw_jw_array_end(&w);
		bw_jw_object_end(&w);
		if (bw_jw_finish(&w) < 0)
			return bw_error_set(BW_EINTERNAL, "writing the report failed");
	}
	return ferror(out) ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
}
