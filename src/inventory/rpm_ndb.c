/*
 * inventory/rpm_ndb.c: rpm's NDB backend ("var/lib/rpm/Packages.db").
 *
 * rpm's own format (lib/backend/ndb), little-endian throughout:
 *   file header, 32 bytes: "RpmP", u32 version (0), u32 generation,
 *     u32 slot pages, u32 next package index
 *   slot area: (slot pages x 4096) bytes of 16-byte slots starting right after
 *     the header: "Slot", u32 package index (0 = free), u32 first block,
 *     u32 block count; a block is 16 bytes from the start of the file
 *   a blob, at its first block: "BlbS", u32 package index, u32 generation,
 *     u32 length, the header bytes, padding, and in its last 12 bytes the
 *     tail: u32 adler32, u32 length, "BlbE".
 * Each used slot is checked: its blocks inside the file and past the slot
 * area, the blob head naming the same package, the length fitting the blocks,
 * the tail repeating the length. The checksum is not verified: a bad one only
 * means the header is damaged, and the header parser checks what it reads.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/rpmdb.h"
#include "util/overflow.h"

#define NDB_HEADER_SIZE 32
#define NDB_PAGE_SIZE   4096
#define SLOT_SIZE       16
#define BLK_SIZE        16
#define BLOBHEAD_SIZE   16
#define BLOBTAIL_SIZE   12
/* Enough slot pages for BW_RPM_MAX_PACKAGES slots. */
#define MAX_SLOT_PAGES  ((BW_RPM_MAX_PACKAGES * SLOT_SIZE) / NDB_PAGE_SIZE + 1)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

int bw_rpmdb_ndb_each(const char *what, const uint8_t *db, size_t len, bw_rpm_blob_cb cb, void *ctx)
{
	size_t n_pkgs = 0, bytes = 0;
	int rc;

	if (!db || len < NDB_HEADER_SIZE)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, too short for an rpm NDB file", what, len);
	if (memcmp(db, "RpmP", 4) != 0)
		return bw_error_set(BW_EINPUT, "%s: not an rpm NDB database (no \"RpmP\" magic)", what);
	uint32_t version = le32(db + 4);
	if (version != 0)
		return bw_error_set(BW_EINPUT, "%s: rpm NDB version %" PRIu32 " is not supported", what, version);
	uint32_t slotnpages = le32(db + 12);
	if (slotnpages == 0 || slotnpages > MAX_SLOT_PAGES || (size_t)slotnpages * NDB_PAGE_SIZE > len)
		return bw_error_set(BW_EINPUT, "%s: rpm NDB slot area of %" PRIu32 " pages does not fit the %zu-byte file (truncated?)",
				    what, slotnpages, len);
	size_t slot_end = (size_t)slotnpages * NDB_PAGE_SIZE;

	for (size_t off = NDB_HEADER_SIZE; off < slot_end; off += SLOT_SIZE) {
		const uint8_t *s = db + off;
		if (memcmp(s, "Slot", 4) != 0)
			return bw_error_set(BW_EINPUT, "%s: rpm NDB slot at offset %zu has no \"Slot\" magic", what, off);
		uint32_t pkgidx = le32(s + 4), blkoff = le32(s + 8), blkcnt = le32(s + 12);
		if (pkgidx == 0)
			continue; /* free slot */

		/* 64-bit products: blkoff and blkcnt are u32, times 16 fits */
		uint64_t start = (uint64_t)blkoff * BLK_SIZE, size = (uint64_t)blkcnt * BLK_SIZE;
		if (start < slot_end || start > len || size > len - start ||
		    size < BLOBHEAD_SIZE + BLOBTAIL_SIZE)
			return bw_error_set(BW_EINPUT, "%s: rpm NDB slot for package %" PRIu32 " points at bytes %" PRIu64 "+%" PRIu64
					    " outside the %zu-byte file's blob area", what, pkgidx, start, size, len);
		const uint8_t *blob = db + start;
		uint32_t bloblen = le32(blob + 12);
		if (memcmp(blob, "BlbS", 4) != 0 || le32(blob + 4) != pkgidx)
			return bw_error_set(BW_EINPUT, "%s: rpm NDB blob for package %" PRIu32 " at offset %" PRIu64 " has a bad head",
					    what, pkgidx, start);
		if (bloblen > size - BLOBHEAD_SIZE - BLOBTAIL_SIZE)
			return bw_error_set(BW_EINPUT, "%s: rpm NDB blob for package %" PRIu32 " of %" PRIu32 " bytes overruns its %" PRIu64 " bytes of blocks",
					    what, pkgidx, bloblen, size);
		const uint8_t *tail = blob + size - BLOBTAIL_SIZE;
		if (memcmp(tail + 8, "BlbE", 4) != 0 || le32(tail + 4) != bloblen)
			return bw_error_set(BW_EINPUT, "%s: rpm NDB blob for package %" PRIu32 " has a bad tail", what, pkgidx);

		if (++n_pkgs > BW_RPM_MAX_PACKAGES)
			return bw_error_set(BW_EINPUT, "%s: more than %d packages", what, BW_RPM_MAX_PACKAGES);
		if (bw_add_overflow(bytes, bloblen, &bytes) || bytes > BW_RPM_MAX_DB_BLOB_BYTES)
			return bw_error_set(BW_EINPUT, "%s: package headers take more than %llu bytes",
					    what, (unsigned long long)BW_RPM_MAX_DB_BLOB_BYTES);
		if ((rc = cb(blob + BLOBHEAD_SIZE, bloblen, ctx)) != 0)
			return rc;
	}
	return 0;
}
