/*
 * report/platforms.c: `scan --platform all`: the per-platform scan reports
 * (already written, one file each) put together in one document.
 *   json   {"schema": 1, "tool", "reference", "platforms": [P...],
 *           "results": [the scan document of each platform, in order]}
 *   table  each platform's table under "=== platform P (i of n)"
 */
#include <stdio.h>
#include <string.h>

#include "bulwark/report.h"
#include "report/report_int.h"

static int copy_file(FILE *to, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[65536];
	size_t n;

	if (!f)
		return bw_error_set(BW_EINTERNAL, "%s: cannot read a platform's report", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			break;
	int bad = ferror(f) || ferror(to);
	fclose(f);
	return bad ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	bw_json_escape(out, s, strlen(s));
	fputc('"', out);
}

int bw_report_platforms(FILE *out, bw_format format, const char *reference, const char *const *platforms,
			const char *const *files, size_t n)
{
	int rc = 0;

	if (format == BW_FORMAT_JSON) {
		fprintf(out, "{\n  \"schema\": 1,\n  \"tool\": {\"name\": \"bulwark\", \"version\": ");
		json_string(out, bw_version());
		fputs("},\n  \"reference\": ", out);
		json_string(out, reference);
		fputs(",\n  \"platforms\": [", out);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ", " : "", out);
			json_string(out, platforms[i]);
		}
		fputs("],\n  \"results\": [\n", out);
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (i)
				fputs(",\n", out);
			rc = copy_file(out, files[i]); /* each one complete JSON from bw_report_scan */
		}
		fputs("]\n}\n", out);
	} else if (format == BW_FORMAT_TABLE) {
		for (size_t i = 0; i < n && rc == 0; i++) {
			fprintf(out, "%s=== platform %s (%zu of %zu)\n", i ? "\n" : "", platforms[i], i + 1, n);
			rc = copy_file(out, files[i]);
		}
	} else {
		return bw_error_set(BW_EUSAGE, "scan: --platform all writes table or json");
	}
	if (rc == 0 && ferror(out))
		rc = bw_error_set(BW_EINTERNAL, "writing the report failed");
	return rc;
}
