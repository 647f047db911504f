/*
 * tests/fuzz/fuzz_advisory.c: the advisory feed parsers (src/vulndb/).
 *
 * Each input is imported into an in-memory database three ways: as a JSON
 * document (OSV record or {"vulns":[...]}, Debian tracker JSON, secdb), as
 * YAML, and as a Debian DSA/DLA list. The first byte picks which, so the
 * fuzzer can steer; the rest is the document. Every import either stores
 * records or fails with an error; what matters is that nothing crashes,
 * leaks or hangs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bulwark/errors.h"
#include "bulwark/vulndb.h"
#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bw_vulndb *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "record.json", "record.yaml", "list" };
	bw_vulndb_import_result res;

	if (!db && bw_vulndb_open(&db, ":memory:", BW_VULNDB_WRITE) < 0)
		abort();
	if (size < 1)
		return 0;
	const char *name = names[data[0] % 3];
	bw_vulndb_import_buffer(db, "fuzz", name, data + 1, size - 1, &res);
	bw_error_clear();
	return 0;
}
