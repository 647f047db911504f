/*
 * inventory/rpm_bdb.c: rpm's Berkeley DB backend ("var/lib/rpm/Packages").
 *
 * The file is a Berkeley DB hash database: fixed-size pages, page 0 the hash
 * metadata page. Integers are in the byte order of the machine that wrote the
 * file, which the metadata magic tells (0x00061561 read one way or the other).
 *
 * Metadata page (offsets in bytes): 12 magic, 16 version, 20 page size,
 * 24 encryption algorithm, 25 page type (8 = hash meta), 26 meta flags,
 * 32 last page number.
 * Every other page starts with a 26-byte header: 8 LSN, 8 page number,
 * 12 previous page, 16 next page, 20 entry count (u16), 22 free-area offset
 * (u16; on overflow pages, the bytes of data held), 24 level, 25 page type.
 * A hash page (type 13, or 2 for the old unsorted kind) then has an array of
 * u16 item offsets; items alternate key, data. An item starts with its kind:
 * 1 = the bytes follow on the page, 3 = "off-page": 3 pad bytes, u32 first
 * overflow page, u32 total length. Overflow pages (type 7) hold the bytes
 * after their header, chained through "next page".
 *
 * rpm's keys are 4-byte header numbers; key 0 holds rpm's own counter and is
 * not a package. Every hash page is visited once in file order (bucket chains
 * are hash pages too), which is what rpm's own "bdb_ro" reader does as well.
 *
 * Bounds: page numbers < the page count the file really has; item offsets
 * inside their page; overflow pages are budgeted globally -- in a sound file
 * each belongs to one item, so visiting more of them than the file has means
 * a cycle or shared pages, reported instead of looping.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/rpmdb.h"
#include "util/overflow.h"

#define HASH_MAGIC      0x00061561u
#define PAGE_HDR        26
#define P_HASH_UNSORTED 2
#define P_OVERFLOW      7
#define P_HASHMETA      8
#define P_HASH          13
#define H_KEYDATA       1
#define H_OFFPAGE       3
#define DBMETA_CHKSUM   0x01

/* A blob read from overflow pages: the header and its index, no more. */
#define MAX_BLOB_BYTES  (8 + 16 * (size_t)BW_RPM_MAX_HEADER_ENTRIES + BW_RPM_MAX_HEADER_BYTES)

typedef struct bdb {
	const char *what;
	const uint8_t *db;
	size_t len;
	bool swap;          /* true: big-endian file */
	uint32_t pagesize;
	uint32_t npages;    /* pages present in the file */
	uint32_t ovf_budget; /* overflow pages left to visit */
	size_t n_pkgs, bytes;
	bw_rpm_blob_cb cb;
	void *ctx;
} bdb;

static uint32_t u32(const bdb *b, const uint8_t *p)
{
	if (b->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

static uint16_t u16(const bdb *b, const uint8_t *p)
{
	return b->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Callers have checked pg < npages. */
static const uint8_t *page(const bdb *b, uint32_t pg)
{
	return b->db + (size_t)pg * b->pagesize;
}

static int emit(bdb *b, const uint8_t *blob, size_t len)
{
	if (++b->n_pkgs > BW_RPM_MAX_PACKAGES)
		return bw_error_set(BW_EINPUT, "%s: more than %d packages", b->what, BW_RPM_MAX_PACKAGES);
	if (bw_add_overflow(b->bytes, len, &b->bytes) || b->bytes > BW_RPM_MAX_DB_BLOB_BYTES)
		return bw_error_set(BW_EINPUT, "%s: package headers take more than %llu bytes",
				    b->what, (unsigned long long)BW_RPM_MAX_DB_BLOB_BYTES);
	return b->cb(blob, len, b->ctx);
}

/* Reassembles an off-page item of tlen bytes starting at page pg. */
static int read_overflow(bdb *b, uint32_t pg, uint32_t tlen, uint8_t **out)
{
	uint8_t *buf;
	size_t have = 0;

	*out = NULL;
	if (tlen == 0 || tlen > MAX_BLOB_BYTES || tlen > b->len)
		return bw_error_set(BW_EINPUT, "%s: off-page item of %" PRIu32 " bytes (file is %zu bytes)", b->what, tlen, b->len);
	buf = malloc(tlen);
	if (!buf)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", b->what);
	while (have < tlen) {
		if (pg == 0 || pg >= b->npages) {
			free(buf);
			return pg == 0 ? bw_error_set(BW_EINPUT, "%s: overflow chain ends after %zu of %" PRIu32 " bytes", b->what, have, tlen)
				       : bw_error_set(BW_EINPUT, "%s: overflow page %" PRIu32 " is past the last page %" PRIu32,
						      b->what, pg, b->npages - 1);
		}
		if (b->ovf_budget == 0) {
			free(buf);
			return bw_error_set(BW_EINPUT, "%s: overflow chains visit more pages than the file has (a cycle at page %" PRIu32 "?)",
					    b->what, pg);
		}
		b->ovf_budget--;
		const uint8_t *p = page(b, pg);
		if (p[25] != P_OVERFLOW) {
			free(buf);
			return bw_error_set(BW_EINPUT, "%s: page %" PRIu32 " in an overflow chain has type %u", b->what, pg, p[25]);
		}
		uint16_t n = u16(b, p + 22);
		if (n == 0 || n > b->pagesize - PAGE_HDR || n > tlen - have) {
			free(buf);
			return bw_error_set(BW_EINPUT, "%s: overflow page %" PRIu32 " holds %u bytes (page size %" PRIu32 ", %zu left of the item)",
					    b->what, pg, n, b->pagesize, tlen - have);
		}
		memcpy(buf + have, p + PAGE_HDR, n);
		have += n;
		pg = u32(b, p + 16);
	}
	*out = buf;
	return 0;
}

static int hash_page(bdb *b, uint32_t pg)
{
	const uint8_t *p = page(b, pg);
	uint16_t n = u16(b, p + 20);
	size_t idx_end = PAGE_HDR + (size_t)n * 2;
	int rc;

	if (idx_end > b->pagesize || n % 2 != 0)
		return bw_error_set(BW_EINPUT, "%s: hash page %" PRIu32 " has %u items (page size %" PRIu32 ")", b->what, pg, n, b->pagesize);
	for (uint16_t i = 0; i < n; i += 2) {
		/* Items are laid out downward from the end of the page in index
		 * order, so each ends where the previous one starts. */
		size_t kend = i == 0 ? b->pagesize : u16(b, p + PAGE_HDR + (size_t)(i - 1) * 2);
		size_t koff = u16(b, p + PAGE_HDR + (size_t)i * 2);
		size_t doff = u16(b, p + PAGE_HDR + (size_t)(i + 1) * 2);
		size_t dend = koff;
		if (koff < idx_end || kend > b->pagesize || koff >= kend || doff < idx_end || doff >= dend)
			return bw_error_set(BW_EINPUT, "%s: hash page %" PRIu32 " item %u has offsets outside the page", b->what, pg, i);
		const uint8_t *key = p + koff, *data = p + doff;
		size_t klen = kend - koff, dlen = dend - doff;

		if (data[0] == H_OFFPAGE) {
			if (dlen < 12)
				return bw_error_set(BW_EINPUT, "%s: hash page %" PRIu32 " item %u: off-page item of %zu bytes", b->what, pg, i + 1, dlen);
			uint8_t *blob;
			uint32_t tlen = u32(b, data + 8);
			if ((rc = read_overflow(b, u32(b, data + 4), tlen, &blob)) < 0)
				return rc;
			rc = emit(b, blob, tlen);
			free(blob);
			if (rc != 0)
				return rc;
		} else if (data[0] == H_KEYDATA) {
			/* Key 0 is rpm's own record (the next header number), not a
			 * package; every other on-page datum is a small header. */
			bool key0 = key[0] == H_KEYDATA && klen == 5 && memcmp(key + 1, "\0\0\0\0", 4) == 0;
			if (!key0 && (rc = emit(b, data + 1, dlen - 1)) != 0)
				return rc;
		} else {
			return bw_error_set(BW_EINPUT, "%s: hash page %" PRIu32 " item %u has kind %u (duplicates are not used by rpm)",
					    b->what, pg, i + 1, data[0]);
		}
	}
	return 0;
}

int bw_rpmdb_bdb_each(const char *what, const uint8_t *db, size_t len, bw_rpm_blob_cb cb, void *ctx)
{
	bdb b = { .what = what, .db = db, .len = len, .cb = cb, .ctx = ctx };
	uint32_t last;
	int rc;

	if (!db || len < 512)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, too short for a Berkeley DB file", what, len);
	b.swap = false;
	if (u32(&b, db + 12) != HASH_MAGIC) {
		b.swap = true;
		if (u32(&b, db + 12) != HASH_MAGIC)
			return bw_error_set(BW_EINPUT, "%s: not a Berkeley DB hash database (bad magic)", what);
	}
	uint32_t version = u32(&b, db + 16);
	if (version < 8 || version > 10)
		return bw_error_set(BW_EINPUT, "%s: Berkeley DB hash version %" PRIu32 " is not supported (want 8 to 10)", what, version);
	b.pagesize = u32(&b, db + 20);
	if (b.pagesize < 512 || b.pagesize > 65536 || (b.pagesize & (b.pagesize - 1)) != 0)
		return bw_error_set(BW_EINPUT, "%s: Berkeley DB page size %" PRIu32 " is invalid", what, b.pagesize);
	if (db[24] != 0)
		return bw_error_set(BW_EINPUT, "%s: encrypted Berkeley DB databases are not supported", what);
	if (db[25] != P_HASHMETA)
		return bw_error_set(BW_EINPUT, "%s: first page has type %u, not hash metadata", what, db[25]);
	/* A checksum moves the item array behind the page header; rpm does not
	 * enable it, and reading such a file as if it had none would misparse. */
	if (db[26] & DBMETA_CHKSUM)
		return bw_error_set(BW_EINPUT, "%s: checksummed Berkeley DB databases are not supported", what);
	if (len / b.pagesize > UINT32_MAX)
		return bw_error_set(BW_EINPUT, "%s: Berkeley DB file of %zu bytes has too many pages", what, len);
	b.npages = (uint32_t)(len / b.pagesize);
	last = u32(&b, db + 32);
	if (last >= b.npages)
		return bw_error_set(BW_EINPUT, "%s: last page %" PRIu32 " is past the end of the file (%" PRIu32 " pages; truncated?)",
				    what, last, b.npages);
	b.ovf_budget = b.npages;

	for (uint32_t pg = 1; pg <= last; pg++) {
		uint8_t type = page(&b, pg)[25];
		if (type != P_HASH && type != P_HASH_UNSORTED)
			continue; /* overflow pages are read from their items; free pages hold nothing */
		if ((rc = hash_page(&b, pg)) != 0)
			return rc;
	}
	return 0;
}
