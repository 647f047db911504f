/*
 * inventory/rpmdb.h: reading rpm's package database.
 *
 * rpm keeps one "header" blob per installed package, the same tag/type/offset
 * index format as in a .rpm file. Three storage backends wrap those blobs:
 *   - Berkeley DB hash ("var/lib/rpm/Packages"; RHEL <= 8, old Fedora, SLES 12)
 *   - NDB, rpm's own format ("var/lib/rpm/Packages.db"; SLES 15, openSUSE)
 *   - SQLite ("var/lib/rpm/rpmdb.sqlite"; Fedora >= 33, RHEL 9, Mariner)
 * Each backend reader here only finds the blobs and hands them to a callback;
 * bw_rpm_header_parse decodes one blob. Everything read is untrusted: every
 * count, offset and page number is checked against the buffer before use,
 * and each problem is BW_EINPUT with a message naming WHAT.
 */
#ifndef BW_INVENTORY_RPMDB_H
#define BW_INVENTORY_RPMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

/* Bounds for one header blob. rpm itself refuses more than 0xffffff index
 * entries and 256 MiB of data (hdrchkTags/hdrchkData); real headers have a
 * few hundred entries and well under 16 MiB, so ours are tighter. */
#define BW_RPM_MAX_HEADER_ENTRIES   65536
#define BW_RPM_MAX_HEADER_BYTES     (64 * BW_MiB)
/* The file list of one package: the largest real packages (kernel sources,
 * texlive) have ~100k files; the byte bound counts the joined paths. */
#define BW_RPM_MAX_FILES            1000000
#define BW_RPM_MAX_FILE_BYTES       (64 * BW_MiB)
/* A whole database: packages and the sum of all blob bytes handed out. */
#define BW_RPM_MAX_PACKAGES         200000
#define BW_RPM_MAX_DB_BLOB_BYTES    (4 * BW_GiB)

typedef struct bw_rpm_header {
	/* NUL-terminated copies; name, version and release are never NULL after a
	 * successful parse, the others are NULL when the tag is absent (as ARCH is
	 * for gpg-pubkey entries). */
	char *name, *version, *release, *arch, *sourcerpm, *license, *vendor, *modularity_label;
	bool has_epoch;   /* false when the EPOCH tag is absent (not the same as 0 for rpm -q) */
	int32_t epoch;
	/* Full paths, joined from DIRNAMES/BASENAMES/DIRINDEXES (or OLDFILENAMES).
	 * files and the strings share one allocation owned by the struct. */
	char **files;
	size_t n_files;
} bw_rpm_header;

/* Decodes one header blob as rpmdb stores it (no lead, no signature header):
 * be32 index count, be32 data length, index entries of 16 bytes
 * (tag, type, offset, count; big-endian), then the data store. Trailing bytes
 * after the data store are ignored (NDB and BDB may pad). On failure *out is
 * zeroed, so bw_rpm_header_free(out) is always safe. */
int bw_rpm_header_parse(const char *what, const uint8_t *blob, size_t len, bw_rpm_header *out);
void bw_rpm_header_free(bw_rpm_header *h);

/* "[epoch:]version-release" as rpm prints it, epoch only when the tag is
 * present. *out is malloc'd; BW_EINTERNAL on ENOMEM. */
int bw_rpm_header_evr(const bw_rpm_header *h, char **out);

/* A reader calls cb once per package blob, in storage order. The blob is only
 * valid during the call. A non-zero return from cb stops the walk and is
 * returned as is. db/len is the whole database file. */
typedef int (*bw_rpm_blob_cb)(const uint8_t *blob, size_t blob_len, void *ctx);

int bw_rpmdb_bdb_each(const char *what, const uint8_t *db, size_t len, bw_rpm_blob_cb cb, void *ctx);
int bw_rpmdb_ndb_each(const char *what, const uint8_t *db, size_t len, bw_rpm_blob_cb cb, void *ctx);
int bw_rpmdb_sqlite_each(const char *what, const uint8_t *db, size_t len, bw_rpm_blob_cb cb, void *ctx);

#endif
