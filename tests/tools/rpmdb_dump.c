/*
 * tests/tools/rpmdb_dump.c: bw-rpmdb-dump FILE -- a test-only program (not
 * installed) that lists the packages of an rpm database file, one per line,
 * in exactly the format of
 *   rpm -qa --qf '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\t%{ARCH}\n'
 * so tests/integration/rpmdb.sh can compare bulwark with the real rpm. The
 * backend is chosen from the file's magic: "SQLite format 3", "RpmP" (NDB) or
 * the Berkeley DB hash magic at offset 12. Errors: one line on stderr and the
 * exit status of the error code (3 for bad input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/rpmdb.h"
#include "util/buf.h"

#define MAX_DB_BYTES (1024ULL * 1024 * 1024)

static int print_pkg(const uint8_t *blob, size_t len, void *ctx)
{
	bw_rpm_header h;
	char *evr = NULL;
	int rc;
	(void)ctx;

	if ((rc = bw_rpm_header_parse("package header", blob, len, &h)) < 0)
		return rc;
	if ((rc = bw_rpm_header_evr(&h, &evr)) == 0)
		/* rpm prints "(none)" for an absent tag, e.g. ARCH of gpg-pubkey */
		printf("%s\t%s\t%s\n", h.name, evr, h.arch ? h.arch : "(none)");
	free(evr);
	bw_rpm_header_free(&h);
	return rc;
}

int main(int argc, char **argv)
{
	bw_buf b = BW_BUF_INIT(MAX_DB_BYTES);
	char chunk[65536];
	size_t n;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: bw-rpmdb-dump FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "bw-rpmdb-dump: %s: cannot open\n", argv[1]);
		return 3;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (bw_buf_append(&b, chunk, n) != 0) {
			fprintf(stderr, "bw-rpmdb-dump: %s: too large or out of memory\n", argv[1]);
			fclose(f);
			bw_buf_free(&b);
			return 3;
		}
	}
	fclose(f);

	const uint8_t *d = b.data;
	static const uint8_t bdb_le[4] = { 0x61, 0x15, 0x06, 0x00 }, bdb_be[4] = { 0x00, 0x06, 0x15, 0x61 };
	if (b.len >= 16 && memcmp(d, "SQLite format 3", 16) == 0)
		rc = bw_rpmdb_sqlite_each(argv[1], d, b.len, print_pkg, NULL);
	else if (b.len >= 4 && memcmp(d, "RpmP", 4) == 0)
		rc = bw_rpmdb_ndb_each(argv[1], d, b.len, print_pkg, NULL);
	else if (b.len >= 16 && (memcmp(d + 12, bdb_le, 4) == 0 || memcmp(d + 12, bdb_be, 4) == 0))
		rc = bw_rpmdb_bdb_each(argv[1], d, b.len, print_pkg, NULL);
	else
		rc = bw_error_set(BW_EINPUT, "%s: not an rpm database (no SQLite, NDB or Berkeley DB magic)", argv[1]);
	bw_buf_free(&b);
	if (rc < 0) {
		fprintf(stderr, "bw-rpmdb-dump: %s\n", bw_error_last()->message);
		return bw_exit_status(rc);
	}
	return 0;
}
