/* license/license_int.h: the compiled tables of license.c (license_data.c is generated). */
#ifndef BW_LICENSE_INT_H
#define BW_LICENSE_INT_H

#include <stddef.h>

#include "license/license.h"

typedef struct bw_license_cat_entry {
	const char *id;                   /* canonical SPDX spelling */
	bw_license_category category;
} bw_license_cat_entry;

typedef struct bw_license_alias_entry {
	const char *key;                  /* lower case, white space runs as one space */
	const char *spdx;                 /* "ID" or "ID WITH EXCEPTION" */
} bw_license_alias_entry;

/* sorted by strcasecmp of id */
extern const bw_license_cat_entry bw_license_cats[];
extern const size_t bw_license_cats_count;
/* sorted by strcmp of key */
extern const bw_license_alias_entry bw_license_aliases[];
extern const size_t bw_license_aliases_count;

#endif
