/* vulndb/vulndb_int.h: the store behind a bw_vulndb, for the matcher (src/match/). */
#ifndef BW_VULNDB_VULNDB_INT_H
#define BW_VULNDB_VULNDB_INT_H

#include "bulwark/vulndb.h"
#include <stddef.h>
#include <stdint.h>

#include "db/vulnstore.h"

bw_vulnstore *bw_vulndb_store(bw_vulndb *db);

/* Imports one document held in memory as source `what` (name: its file
 * name, for the YAML/JSON choice). For fuzzers and unit tests. */
int bw_vulndb_import_buffer(bw_vulndb *db, const char *what, const char *name, const uint8_t *data,
			    size_t len, bw_vulndb_import_result *res);

#endif
