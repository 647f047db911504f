/* report/report_int.h: pieces shared by the reporters. */
#ifndef BW_REPORT_INT_H
#define BW_REPORT_INT_H

#include "bulwark/bulwark.h"
#include "util/jsonw.h"

/* Writes the schema, tool and artifact members of the open top-level object. */
void bw_report__json_head(bw_jsonw *w, const bw_image *img);

#endif
