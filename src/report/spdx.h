/* report/spdx.h: SPDX license identifiers, for the SBOM writers. */
#ifndef BW_REPORT_SPDX_H
#define BW_REPORT_SPDX_H

#include <stdbool.h>
#include <stddef.h>

extern const char *const bw_spdx_ids[]; /* sorted case-insensitively (spdx_ids.c, generated) */
extern const size_t bw_spdx_ids_count;

/* The canonical spelling of an SPDX license or exception id (matched without
 * regard to case, as SPDX specifies), or NULL when s is not one. */
const char *bw_spdx_canonical(const char *s);

/* true when s looks like a compound SPDX expression ("A AND B", "A OR B", "A WITH E")
 * whose every identifier is known. */
bool bw_spdx_is_expression(const char *s);

#endif
