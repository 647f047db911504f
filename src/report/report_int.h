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

#endif
