/* report/report_int.h: pieces shared by the reporters. */
#ifndef BW_REPORT_INT_H
#define BW_REPORT_INT_H

#include "bulwark/bulwark.h"
#include "util/jsonw.h"

/* Writes the schema, tool and artifact members of the open top-level object. */
void bw_report__json_head(bw_jsonw *w, const bw_image *img);

/* Writes the `packages` member (report/sbom.c). */
void bw_report__packages_json(bw_jsonw *w, const bw_image *img);

/* CycloneDX 1.6 or SPDX 2.3 JSON (report/sbom_std.c). */
int bw_report__sbom_standard(FILE *out, const bw_image *img, bw_format format);

/* The `policy` member: verdict, scope and every violation (report/policy.c). */
typedef struct bw_policy_result bw_policy_result;
void bw_report__policy_json(bw_jsonw *w, const bw_policy_result *p);
/* "Policy FILE: FAIL (...)" and one line per violation. */
void bw_report__policy_table(FILE *out, const bw_policy_result *p);

/* The `licenses` member: one entry per package and license, normalised and
 * categorised; a package without a license has one entry with license null.
 * 0, or -1 when memory ran out (the error is set). */
int bw_report__licenses_json(bw_jsonw *w, const bw_image *img);
/* `summary.licenses`: counts by category. */
int bw_report__licenses_summary_json(bw_jsonw *w, const bw_image *img);
/* A summary line and one row per package and license. */
int bw_report__licenses_table(FILE *out, const bw_image *img);

#endif
