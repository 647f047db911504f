/* match/suppress.h: VEX statements and ignore rules (the loaders are in bulwark/scan.h). */
#ifndef BW_MATCH_SUPPRESS_H
#define BW_MATCH_SUPPRESS_H

#include <stddef.h>

#include "bulwark/scan.h"

/* The reason text of the first statement or rule covering the finding, or NULL. */
const char *bw_suppressions_match(const bw_suppressions *s, const char *id, const char *const *aliases,
				  size_t n_aliases, const bw_package *pkg, const char *manifest_digest,
				  const char *index_digest);

#endif
