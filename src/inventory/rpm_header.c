/*
 * inventory/rpm_header.c: decoding one rpm header blob from an rpmdb.
 *
 * Layout (rpm's header format, all integers big-endian):
 *   be32 il            number of index entries
 *   be32 dl            bytes in the data store
 *   il x { be32 tag, be32 type, be32 offset, be32 count }
 *   dl bytes of data   (offsets are relative to its start)
 * Strings are NUL-terminated inside the data store; a STRING_ARRAY of count n
 * is n such strings back to back. Nothing in the blob is trusted: il and dl
 * are checked against the blob, each offset against dl, each string for a
 * NUL before the end of the data store, each array for fitting in it.
 *
 * Only the tags a scanner needs are decoded. When a tag appears more than
 * once the last entry wins, because rpm lets entries appended after the
 * immutable region ("dribbles") replace the ones inside it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/rpmdb.h"
#include "util/overflow.h"

/* rpm tag numbers (rpmtag.h) */
enum {
	TAG_NAME = 1000,
	TAG_VERSION = 1001,
	TAG_RELEASE = 1002,
	TAG_EPOCH = 1003,
	TAG_VENDOR = 1011,
	TAG_LICENSE = 1014,
	TAG_ARCH = 1022,
	TAG_OLDFILENAMES = 1027,
	TAG_SOURCERPM = 1044,
	TAG_DIRINDEXES = 1116,
	TAG_BASENAMES = 1117,
	TAG_DIRNAMES = 1118,
	TAG_MODULARITYLABEL = 5096,
};

/* rpm tag types (rpmtd.h) */
enum {
	TYPE_INT32 = 4,
	TYPE_STRING = 6,
	TYPE_STRING_ARRAY = 8,
	TYPE_I18NSTRING = 9,
};

typedef struct entry {
	uint32_t tag, type, offset, count;
} entry;

typedef struct hdr {
	const char *what;
	const uint8_t *index; /* il entries of 16 bytes */
	uint32_t il;
	const uint8_t *data;  /* dl bytes */
	uint32_t dl;
} hdr;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static entry entry_at(const hdr *h, uint32_t i)
{
	const uint8_t *p = h->index + (size_t)i * 16;
	entry e = { be32(p), be32(p + 4), be32(p + 8), be32(p + 12) };
	return e;
}

/* The last entry for tag, or false when absent. */
static bool find(const hdr *h, uint32_t tag, entry *out)
{
	bool found = false;
	for (uint32_t i = 0; i < h->il; i++) {
		entry e = entry_at(h, i);
		if (e.tag == tag) {
			*out = e;
			found = true;
		}
	}
	return found;
}

/* The NUL-terminated string starting at data offset off; its length without
 * the NUL in *slen. Fails when off is past the data or no NUL follows. */
static int str_at(const hdr *h, const entry *e, size_t off, const char **s, size_t *slen)
{
	*s = NULL;
	*slen = 0;
	if (off >= h->dl)
		return bw_error_set(BW_EINPUT, "%s: rpm header: tag %" PRIu32 " string at offset %zu is past the data store (%" PRIu32 " bytes)",
				    h->what, e->tag, off, h->dl);
	const uint8_t *nul = memchr(h->data + off, 0, h->dl - off);
	if (!nul)
		return bw_error_set(BW_EINPUT, "%s: rpm header: tag %" PRIu32 " string at offset %zu is not NUL-terminated",
				    h->what, e->tag, off);
	*s = (const char *)h->data + off;
	*slen = (size_t)(nul - (h->data + off));
	return 0;
}

static bool is_string_type(uint32_t type)
{
	return type == TYPE_STRING || type == TYPE_I18NSTRING || type == TYPE_STRING_ARRAY;
}

/* A copy of the tag's (first) string, or NULL in *out when the tag is absent. */
static int get_string(const hdr *h, uint32_t tag, char **out)
{
	entry e;
	const char *s = NULL;
	size_t slen = 0;
	int rc;

	*out = NULL;
	if (!find(h, tag, &e))
		return 0;
	if (!is_string_type(e.type))
		return bw_error_set(BW_EINPUT, "%s: rpm header: tag %" PRIu32 " has type %" PRIu32 ", want a string",
				    h->what, tag, e.type);
	if (e.count < 1)
		return bw_error_set(BW_EINPUT, "%s: rpm header: tag %" PRIu32 " has no strings", h->what, tag);
	if ((rc = str_at(h, &e, e.offset, &s, &slen)) < 0)
		return rc;
	*out = strndup(s, slen);
	if (!*out)
		return bw_error_set(BW_EINTERNAL, "%s: rpm header: out of memory", h->what);
	return 0;
}

/* The tag's STRING_ARRAY entry, checked for type and a count that can fit
 * (each string takes at least one byte, so count <= bytes left). */
static int get_array(const hdr *h, uint32_t tag, uint32_t type, size_t elem_min, size_t max_count, entry *e, bool *found)
{
	*found = find(h, tag, e);
	if (!*found)
		return 0;
	if (e->type != type)
		return bw_error_set(BW_EINPUT, "%s: rpm header: tag %" PRIu32 " has type %" PRIu32 ", want %" PRIu32,
				    h->what, tag, e->type, type);
	if (e->count > max_count)
		return bw_error_set(BW_EINPUT, "%s: rpm header: tag %" PRIu32 " has %" PRIu32 " elements, more than the limit %zu",
				    h->what, tag, e->count, max_count);
	/* offset <= dl was checked for every entry when the header was opened */
	size_t need;
	if (bw_mul_overflow(e->count, elem_min, &need) || need > h->dl - e->offset)
		return bw_error_set(BW_EINPUT, "%s: rpm header: tag %" PRIu32 " array of %" PRIu32 " elements overruns the data store",
				    h->what, tag, e->count);
	return 0;
}

/* One string after another: *pos is advanced past the string and its NUL. */
static int next_str(const hdr *h, const entry *e, size_t *pos, const char **s, size_t *slen)
{
	int rc = str_at(h, e, *pos, s, slen);
	if (rc < 0)
		return rc;
	*pos += *slen + 1; /* cannot wrap: the NUL is inside dl */
	return 0;
}

/* Adds n to *total, failing on overflow or past BW_RPM_MAX_FILE_BYTES. */
static int add_bytes(const hdr *h, size_t *total, size_t n)
{
	if (bw_add_overflow(*total, n, total) || *total > BW_RPM_MAX_FILE_BYTES)
		return bw_error_set(BW_EINPUT, "%s: rpm header: file names take more than %llu bytes",
				    h->what, (unsigned long long)BW_RPM_MAX_FILE_BYTES);
	return 0;
}

/*
 * The file list. Modern headers split each path into a directory (DIRNAMES,
 * with a trailing '/') and a base name (BASENAMES), linked by DIRINDEXES;
 * headers from before rpm 4.0 carry whole paths in OLDFILENAMES. The result
 * is one allocation: n pointers followed by the joined strings, so that
 * free(files) releases it all. Two passes: measure (with every bound
 * checked), then copy.
 */
static int get_files(const hdr *h, bw_rpm_header *out)
{
	entry be, de, ie, oe;
	bool has_b, has_d, has_i, has_o;
	const char **dirs = NULL;
	size_t *dirlen = NULL;
	char **files = NULL;
	size_t total = 0, pos;
	const char *s = NULL;
	size_t slen = 0;
	int rc;

	if ((rc = get_array(h, TAG_BASENAMES, TYPE_STRING_ARRAY, 1, BW_RPM_MAX_FILES, &be, &has_b)) < 0 ||
	    (rc = get_array(h, TAG_DIRNAMES, TYPE_STRING_ARRAY, 1, BW_RPM_MAX_FILES, &de, &has_d)) < 0 ||
	    (rc = get_array(h, TAG_DIRINDEXES, TYPE_INT32, 4, BW_RPM_MAX_FILES, &ie, &has_i)) < 0 ||
	    (rc = get_array(h, TAG_OLDFILENAMES, TYPE_STRING_ARRAY, 1, BW_RPM_MAX_FILES, &oe, &has_o)) < 0)
		return rc;

	if (has_b && be.count > 0) {
		if (!has_d || !has_i)
			return bw_error_set(BW_EINPUT, "%s: rpm header: BASENAMES without DIRNAMES or DIRINDEXES", h->what);
		if (ie.count != be.count)
			return bw_error_set(BW_EINPUT, "%s: rpm header: %" PRIu32 " DIRINDEXES for %" PRIu32 " BASENAMES",
					    h->what, ie.count, be.count);
		dirs = calloc(de.count ? de.count : 1, sizeof(*dirs));
		dirlen = calloc(de.count ? de.count : 1, sizeof(*dirlen));
		if (!dirs || !dirlen) {
			rc = bw_error_set(BW_EINTERNAL, "%s: rpm header: out of memory", h->what);
			goto done;
		}
		pos = de.offset;
		for (uint32_t i = 0; i < de.count; i++)
			if ((rc = next_str(h, &de, &pos, &dirs[i], &dirlen[i])) < 0)
				goto done;
		/* measure */
		pos = be.offset;
		for (uint32_t i = 0; i < be.count; i++) {
			uint32_t di = be32(h->data + ie.offset + (size_t)i * 4);
			if (di >= de.count) {
				rc = bw_error_set(BW_EINPUT, "%s: rpm header: DIRINDEXES[%" PRIu32 "] = %" PRIu32 " is past the %" PRIu32 " DIRNAMES",
						  h->what, i, di, de.count);
				goto done;
			}
			if ((rc = next_str(h, &be, &pos, &s, &slen)) < 0 ||
			    (rc = add_bytes(h, &total, dirlen[di])) < 0 ||
			    (rc = add_bytes(h, &total, slen + 1)) < 0)
				goto done;
		}
		/* copy */
		size_t ptrs = (size_t)be.count * sizeof(char *);
		files = malloc(ptrs + total);
		if (!files) {
			rc = bw_error_set(BW_EINTERNAL, "%s: rpm header: out of memory", h->what);
			goto done;
		}
		char *w = (char *)files + ptrs;
		pos = be.offset;
		for (uint32_t i = 0; i < be.count; i++) {
			uint32_t di = be32(h->data + ie.offset + (size_t)i * 4);
			next_str(h, &be, &pos, &s, &slen); /* cannot fail: measured above */
			files[i] = w;
			memcpy(w, dirs[di], dirlen[di]);
			w += dirlen[di];
			memcpy(w, s, slen);
			w += slen;
			*w++ = '\0';
		}
		out->files = files;
		out->n_files = be.count;
		files = NULL;
	} else if (has_o && oe.count > 0) {
		pos = oe.offset;
		for (uint32_t i = 0; i < oe.count; i++)
			if ((rc = next_str(h, &oe, &pos, &s, &slen)) < 0 || (rc = add_bytes(h, &total, slen + 1)) < 0)
				goto done;
		size_t ptrs = (size_t)oe.count * sizeof(char *);
		files = malloc(ptrs + total);
		if (!files) {
			rc = bw_error_set(BW_EINTERNAL, "%s: rpm header: out of memory", h->what);
			goto done;
		}
		char *w = (char *)files + ptrs;
		pos = oe.offset;
		for (uint32_t i = 0; i < oe.count; i++) {
			next_str(h, &oe, &pos, &s, &slen);
			files[i] = w;
			memcpy(w, s, slen + 1);
			w += slen + 1;
		}
		out->files = files;
		out->n_files = oe.count;
		files = NULL;
	}
	rc = 0;
done:
	free(files);
	free(dirs);
	free(dirlen);
	return rc;
}

int bw_rpm_header_parse(const char *what, const uint8_t *blob, size_t len, bw_rpm_header *out)
{
	bw_rpm_header r = { 0 };
	hdr h = { .what = what };
	entry e;
	int rc = BW_EINPUT;

	memset(out, 0, sizeof(*out));
	if (!blob || len < 8)
		return bw_error_set(BW_EINPUT, "%s: rpm header: %zu bytes, shorter than the 8-byte preamble", what, len);
	h.il = be32(blob);
	h.dl = be32(blob + 4);
	if (h.il > BW_RPM_MAX_HEADER_ENTRIES)
		return bw_error_set(BW_EINPUT, "%s: rpm header: %" PRIu32 " index entries, more than the limit %d",
				    what, h.il, BW_RPM_MAX_HEADER_ENTRIES);
	if (h.dl > BW_RPM_MAX_HEADER_BYTES)
		return bw_error_set(BW_EINPUT, "%s: rpm header: data store of %" PRIu32 " bytes, more than the limit %llu",
				    what, h.dl, (unsigned long long)BW_RPM_MAX_HEADER_BYTES);
	/* compare by subtraction: 8 <= len here, il*16 cannot wrap (il <= 65536) */
	if ((size_t)h.il * 16 > len - 8)
		return bw_error_set(BW_EINPUT, "%s: rpm header: index count %" PRIu32 " runs past the %zu-byte blob", what, h.il, len);
	if (h.dl > len - 8 - (size_t)h.il * 16)
		return bw_error_set(BW_EINPUT, "%s: rpm header: data length %" PRIu32 " runs past the %zu-byte blob", what, h.dl, len);
	h.index = blob + 8;
	h.data = h.index + (size_t)h.il * 16;

	for (uint32_t i = 0; i < h.il; i++) {
		e = entry_at(&h, i);
		if (e.offset > h.dl)
			return bw_error_set(BW_EINPUT, "%s: rpm header: entry %" PRIu32 " (tag %" PRIu32 ") offset %" PRIu32 " is past the %" PRIu32 "-byte data store",
					    what, i, e.tag, e.offset, h.dl);
	}

	if ((rc = get_string(&h, TAG_NAME, &r.name)) < 0 ||
	    (rc = get_string(&h, TAG_VERSION, &r.version)) < 0 ||
	    (rc = get_string(&h, TAG_RELEASE, &r.release)) < 0 ||
	    (rc = get_string(&h, TAG_ARCH, &r.arch)) < 0 ||
	    (rc = get_string(&h, TAG_SOURCERPM, &r.sourcerpm)) < 0 ||
	    (rc = get_string(&h, TAG_LICENSE, &r.license)) < 0 ||
	    (rc = get_string(&h, TAG_VENDOR, &r.vendor)) < 0 ||
	    (rc = get_string(&h, TAG_MODULARITYLABEL, &r.modularity_label)) < 0)
		goto done;
	/* Every package rpm installs has these three; without them the blob is
	 * not a package header (or not one a version match could use). */
	if (!r.name || !r.version || !r.release) {
		rc = bw_error_set(BW_EINPUT, "%s: rpm header: no %s tag", what,
				  !r.name ? "NAME" : !r.version ? "VERSION" : "RELEASE");
		goto done;
	}
	if (find(&h, TAG_EPOCH, &e)) {
		if (e.type != TYPE_INT32 || e.count < 1 || h.dl - e.offset < 4) {
			rc = bw_error_set(BW_EINPUT, "%s: rpm header: EPOCH is not an int32 inside the data store", what);
			goto done;
		}
		r.has_epoch = true;
		r.epoch = (int32_t)be32(h.data + e.offset);
	}
	if ((rc = get_files(&h, &r)) < 0)
		goto done;

	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
done:
	bw_rpm_header_free(&r);
	return rc;
}

void bw_rpm_header_free(bw_rpm_header *h)
{
	if (!h)
		return;
	free(h->name);
	free(h->version);
	free(h->release);
	free(h->arch);
	free(h->sourcerpm);
	free(h->license);
	free(h->vendor);
	free(h->modularity_label);
	free(h->files); /* the strings live in the same block */
	memset(h, 0, sizeof(*h));
}

int bw_rpm_header_evr(const bw_rpm_header *h, char **out)
{
	const char *v = h->version ? h->version : "";
	const char *r = h->release ? h->release : "";
	char ep[16] = "";
	int n;

	*out = NULL;
	/* rpm formats int32 tags as unsigned numbers; do the same so the text
	 * matches `rpm -q --qf '%{EPOCH}'` even for a hostile negative epoch. */
	if (h->has_epoch)
		snprintf(ep, sizeof(ep), "%" PRIu32 ":", (uint32_t)h->epoch);
	n = asprintf(out, "%s%s-%s", ep, v, r);
	if (n < 0) {
		*out = NULL;
		return bw_error_set(BW_EINTERNAL, "rpm header: out of memory");
	}
	return 0;
}
