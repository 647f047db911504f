/* vulndb/vulndb_int.h: the store behind a bw_vulndb, for the matcher (src/match/). */
#ifndef BW_VULNDB_VULNDB_INT_H
#define BW_VULNDB_VULNDB_INT_H

#include "bulwark/vulndb.h"
#include "db/vulnstore.h"

bw_vulnstore *bw_vulndb_store(bw_vulndb *db);

#endif
