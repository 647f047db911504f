/*
 * tests/fuzz/fuzz_rpm.c: the rpm database readers (inventory/rpmdb.h).
 *
 * Every input goes to bw_rpm_header_parse as a header blob, then to each of
 * the Berkeley DB, NDB and SQLite readers as a whole database; their callback
 * parses every blob they hand over and touches what it got, so ASan sees any
 * read past a blob and LeakSanitizer any leak on an error path. The readers
 * check their magic first, so one input usually exercises one backend; the
 * seeds in corpus/rpm/ cover all four entry points.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void parse_and_touch(const uint8_t *blob, size_t len)
{
	bw_rpm_header h;
	char *evr = NULL;

	if (bw_rpm_header_parse("fuzz header", blob, len, &h) == 0) {
		touch(h.name);
		touch(h.version);
		touch(h.release);
		touch(h.arch);
		touch(h.sourcerpm);
		touch(h.license);
		touch(h.vendor);
		touch(h.modularity_label);
		sink += (size_t)h.epoch + h.has_epoch;
		for (size_t i = 0; i < h.n_files; i++)
			touch(h.files[i]);
		if (bw_rpm_header_evr(&h, &evr) == 0)
			touch(evr);
		free(evr);
	}
	bw_rpm_header_free(&h);
}

static int each_blob(const uint8_t *blob, size_t len, void *ctx)
{
	(void)ctx;
	parse_and_touch(blob, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_and_touch(data, size);
	bw_rpmdb_bdb_each("fuzz bdb", data, size, each_blob, NULL);
	bw_rpmdb_ndb_each("fuzz ndb", data, size, each_blob, NULL);
	bw_rpmdb_sqlite_each("fuzz sqlite", data, size, each_blob, NULL);
	/* The error text is built with %s from input: make sure it is a string. */
	touch(bw_error_last()->message);
	bw_error_clear();
	return 0;
}
