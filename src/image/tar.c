/*
 * image/tar.c: the layer tar reader (tar.h).
 *
 * Where writers disagree, it reads a layer as containerd does (Go's
 * archive/tar), since that is the filesystem the container will run on:
 * links, devices, directories and fifos carry no data whatever their size
 * field says; a '\0'-typed entry whose name ends in '/' is a directory; one
 * zero block followed by a non-zero one is an error, not an end; a header's
 * checksum may be the signed or the unsigned sum.
 */
#include <stdio.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/tar.h"

#define BLOCK 512u

void bw_tar_init(bw_tar *t, bw_tar_source source, void *ctx, const char *what)
{
	memset(t, 0, sizeof(*t));
	t->source = source;
	t->ctx = ctx;
	t->what = what;
	t->long_name = (bw_buf)BW_BUF_INIT(BW_MAX_TAR_EXT_BYTES);
	t->long_link = (bw_buf)BW_BUF_INIT(BW_MAX_TAR_EXT_BYTES);
	t->pax = (bw_buf)BW_BUF_INIT(BW_MAX_TAR_EXT_BYTES);
	t->pax_path = (bw_buf)BW_BUF_INIT(BW_MAX_TAR_EXT_BYTES);
	t->pax_link = (bw_buf)BW_BUF_INIT(BW_MAX_TAR_EXT_BYTES);
}

void bw_tar_free(bw_tar *t)
{
	bw_buf_free(&t->long_name);
	bw_buf_free(&t->long_link);
	bw_buf_free(&t->pax);
	bw_buf_free(&t->pax_path);
	bw_buf_free(&t->pax_link);
}

/* One message per archive: "WHAT: invalid tar data at offset N: PROBLEM". */
static int fail_at(bw_tar *t, uint64_t offset, const char *problem)
{
	t->failed = true;
	return bw_error_set(BW_EINPUT, "%s: invalid tar data at offset %llu: %s", t->what,
			    (unsigned long long)offset, problem);
}

/* Bytes available in the current chunk, fetching the next one if it is used up: >0, 0 end, <0 error. */
static ssize_t avail(bw_tar *t)
{
	while (t->chunk_off == t->chunk_len) {
		const uint8_t *data = NULL;
		ssize_t n = t->source(t->ctx, &data);
		if (n < 0) {
			t->failed = true;
			return BW_EINPUT; /* the source has said why */
		}
		if (n == 0)
			return 0;
		t->chunk = data;
		t->chunk_len = (size_t)n;
		t->chunk_off = 0;
	}
	return (ssize_t)(t->chunk_len - t->chunk_off);
}

/*
 * Consumes n bytes of the stream, copying them to dst or appending them to
 * buf when either is given (else they are skipped without being touched).
 * A stream that ends first is an error saying `ends`, at offset `at`.
 */
static int consume(bw_tar *t, uint64_t n, uint8_t *dst, bw_buf *buf, uint64_t at, const char *ends)
{
	while (n) {
		ssize_t a = avail(t);
		if (a < 0)
			return (int)a;
		if (a == 0)
			return fail_at(t, at, ends);
		size_t take = (uint64_t)a < n ? (size_t)a : (size_t)n;
		const uint8_t *from = t->chunk + t->chunk_off;
		if (dst) {
			memcpy(dst, from, take);
			dst += take;
		} else if (buf && bw_buf_append(buf, from, take) != 0) {
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		t->chunk_off += take;
		t->offset += take;
		n -= take;
	}
	return 0;
}

/*
 * The next 512-byte block: 1 with *out pointing at it (into the chunk, or
 * t->block when it straddles two), 0 when the stream ends right here, <0 error.
 */
static int next_block(bw_tar *t, const uint8_t **out)
{
	ssize_t a = avail(t);
	if (a <= 0)
		return (int)a;
	if ((size_t)a >= BLOCK) {
		*out = t->chunk + t->chunk_off;
		t->chunk_off += BLOCK;
		t->offset += BLOCK;
		return 1;
	}
	int rc = consume(t, BLOCK, t->block, NULL, t->offset, "the archive ends inside a header block");
	if (rc < 0)
		return rc;
	*out = t->block;
	return 1;
}

/*
 * An extension header's data (and its padding): into b, replacing what b
 * held, or skipped when b is NULL; either way no larger than the bound.
 */
static int read_ext(bw_tar *t, bw_buf *b, uint64_t size, uint64_t at)
{
	static const char ends[] = "the archive ends inside an extended header";
	if (size > BW_MAX_TAR_EXT_BYTES)
		return fail_at(t, at, "an extended header is larger than 1 MiB");
	if (b)
		bw_buf_reset(b);
	int rc = consume(t, size, NULL, b, at, ends);
	return rc < 0 ? rc : consume(t, (BLOCK - size % BLOCK) % BLOCK, NULL, NULL, at, ends);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * A numeric header field: octal digits (leading spaces allowed, ended by a
 * space or NUL, only spaces and NULs after), or GNU base-256 when the high
 * bit of the first byte is set. An empty field is 0. False when it is none
 * of these, negative, or does not fit in 63 bits.
 */
static bool parse_number(const uint8_t *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] & 0x40)
			return false; /* negative */
		v = f[0] & 0x3f;
		for (i = 1; i < len; i++) {
			if (v > (UINT64_MAX >> 8))
				return false;
			v = (v << 8) | f[i];
		}
		if (v > INT64_MAX)
			return false;
		*out = v;
		return true;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return false;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	if (v > INT64_MAX)
		return false;
	*out = v;
	return true;
}

/*
 * The header's checksum: the sum of its bytes with the checksum field read as
 * spaces, unsigned (POSIX) or signed (some old writers). The unsigned sum is
 * one loop the compiler vectorises: it runs once per entry.
 */
static bool checksum_ok(const uint8_t *h)
{
	uint64_t want;
	if (!parse_number(h + 148, 8, &want))
		return false;
	uint32_t sum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		sum += h[i];
	for (size_t i = 148; i < 156; i++)
		sum += (uint32_t)' ' - h[i];
	if (want == sum)
		return true;
	int32_t ssum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		ssum += (i >= 148 && i < 156) ? ' ' : (int8_t)h[i];
	return ssum >= 0 && want == (uint64_t)ssum;
}

/* A decimal pax value: digits only, no sign, fits in 63 bits. */
static bool parse_decimal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (uint64_t)(INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static int set_pax_string(bw_tar *t, bw_buf *b, const char *v, size_t len, uint64_t at)
{
	if (memchr(v, '\0', len))
		return fail_at(t, at, "a pax path or linkpath holds a NUL byte");
	bw_buf_reset(b);
	if (len && bw_buf_append(b, v, len) != 0)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

/* The records of a pax 'x' header, "LEN KEY=VALUE\n" each, into the pending overrides. */
static int parse_pax(bw_tar *t, uint64_t at)
{
	const char *d = (const char *)t->pax.data;
	size_t len = t->pax.len, off = 0;

	while (off < len) {
		if (d[off] == '\0' && all_zero((const uint8_t *)d + off, len - off))
			break; /* NUL padding some writers leave after the last record */
		size_t i = off, rec = 0;
		while (i < len && d[i] >= '0' && d[i] <= '9') {
			if (rec > BW_MAX_TAR_EXT_BYTES)
				return fail_at(t, at, "a pax record length is out of range");
			rec = rec * 10 + (size_t)(d[i] - '0');
			i++;
		}
		if (i == off || i >= len || d[i] != ' ' || rec > len - off || rec < (i - off) + 4 ||
		    d[off + rec - 1] != '\n')
			return fail_at(t, at, "a pax record is malformed");
		const char *key = d + i + 1, *end = d + off + rec - 1;
		const char *eq = memchr(key, '=', (size_t)(end - key));
		if (!eq || eq == key)
			return fail_at(t, at, "a pax record has no key");
		size_t klen = (size_t)(eq - key), vlen = (size_t)(end - eq - 1);
		const char *v = eq + 1;
		int rc = 0;
#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
		if (KEY_IS("path")) {
			rc = set_pax_string(t, &t->pax_path, v, vlen, at);
		} else if (KEY_IS("linkpath")) {
			rc = set_pax_string(t, &t->pax_link, v, vlen, at);
		} else if (KEY_IS("size")) {
			if (!parse_decimal(v, vlen, &t->pax_size))
				return fail_at(t, at, "the pax size is not a number");
			t->have_pax_size = true;
		} else if (KEY_IS("uid")) {
			if (!parse_decimal(v, vlen, &t->pax_uid))
				return fail_at(t, at, "the pax uid is not a number");
			t->have_pax_uid = true;
		} else if (KEY_IS("gid")) {
			if (!parse_decimal(v, vlen, &t->pax_gid))
				return fail_at(t, at, "the pax gid is not a number");
			t->have_pax_gid = true;
		} else if (klen > 11 && memcmp(key, "GNU.sparse.", 11) == 0) {
			return fail_at(t, at, "sparse files are not supported in a layer");
		}
#undef KEY_IS
		if (rc < 0)
			return rc;
		off += rec;
	}
	return 0;
}

static void clear_pending(bw_tar *t)
{
	bw_buf_reset(&t->long_name);
	bw_buf_reset(&t->long_link);
	bw_buf_reset(&t->pax_path);
	bw_buf_reset(&t->pax_link);
	t->have_pax_size = t->have_pax_uid = t->have_pax_gid = false;
}

/*
 * A name (or link target) given by an extension header: the pax record wins
 * over the GNU long name, which ends at its first NUL. False when neither is
 * there and the header's own field applies.
 */
static bool extended_name(const bw_buf *pax, bw_buf *gnu, const char **out, size_t *len)
{
	if (pax->len) {
		*out = (const char *)pax->data;
		*len = pax->len;
		return true;
	}
	if (!gnu->len)
		return false;
	const void *nul = memchr(gnu->data, '\0', gnu->len);
	*len = nul ? (size_t)((const uint8_t *)nul - gnu->data) : gnu->len;
	gnu->data[*len] = '\0';
	*out = (const char *)gnu->data;
	return true;
}

int bw_tar_next(bw_tar *t, bw_tar_entry *e)
{
	if (t->failed)
		return bw_error_set(BW_EINPUT, "%s: invalid tar data", t->what);
	if (t->at_end)
		return 0;
	int rc = consume(t, t->data_left + t->pad_left, NULL, NULL, t->entry_at,
			 "the archive ends inside an entry's data");
	if (rc < 0)
		return rc;
	t->data_left = t->pad_left = 0;
	clear_pending(t);

	for (unsigned ext = 0;;) { /* ext: extension headers read for this entry */
		uint64_t at = t->offset;
		const uint8_t *h;
		int r = next_block(t, &h);
		if (r < 0)
			return r;
		if (r == 0) {
			if (ext)
				return fail_at(t, at, "the archive ends after an extended header");
			t->at_end = true;
			return 0;
		}
		if (all_zero(h, BLOCK)) {
			/* End of archive: a second zero block, or the end of the stream, must follow. */
			r = next_block(t, &h);
			if (r < 0)
				return r;
			if (r == 1 && !all_zero(h, BLOCK))
				return fail_at(t, at + BLOCK, "a header follows an end-of-archive block");
			if (ext)
				return fail_at(t, at, "the archive ends after an extended header");
			t->at_end = true;
			return 0;
		}
		if (!checksum_ok(h))
			return fail_at(t, at, "header checksum mismatch");

		uint64_t size, mode, uid, gid;
		if (!parse_number(h + 124, 12, &size) || !parse_number(h + 100, 8, &mode) ||
		    !parse_number(h + 108, 8, &uid) || !parse_number(h + 116, 8, &gid))
			return fail_at(t, at, "a numeric header field is not a number");
		char flag = (char)h[156];

		if (flag && strchr("xXgLK", flag) && ++ext > BW_MAX_TAR_EXT_HEADERS)
			return fail_at(t, at, "too many extended headers before one entry");
		switch (flag) {
		case 'x':
		case 'X': /* Solaris' name for the same thing */
			if ((rc = read_ext(t, &t->pax, size, at)) < 0 || (rc = parse_pax(t, at)) < 0)
				return rc;
			continue;
		case 'g': /* global pax header: nothing in it changes what the entries are */
			if ((rc = read_ext(t, NULL, size, at)) < 0)
				return rc;
			continue;
		case 'L':
			if ((rc = read_ext(t, &t->long_name, size, at)) < 0)
				return rc;
			continue;
		case 'K':
			if ((rc = read_ext(t, &t->long_link, size, at)) < 0)
				return rc;
			continue;
		default:
			break;
		}

		memset(e, 0, sizeof(*e));
		e->offset = t->entry_at = at;
		bool data = false;
		switch (flag) {
		case '0': case '\0': case '7': e->type = BW_FT_FILE; data = true; break;
		case '1': e->type = BW_FT_HARDLINK; break;
		case '2': e->type = BW_FT_SYMLINK; break;
		case '3': e->type = BW_FT_CHAR; break;
		case '4': e->type = BW_FT_BLOCK; break;
		case '5': e->type = BW_FT_DIR; break;
		case '6': e->type = BW_FT_FIFO; break;
		case 'D': e->type = BW_FT_DIR; data = true; break; /* GNU dumpdir: a listing as data */
		case 'S':
			return fail_at(t, at, "sparse files are not supported in a layer");
		default: {
			char msg[64];
			snprintf(msg, sizeof(msg), "unknown entry type 0x%02x", (unsigned)(uint8_t)flag);
			return fail_at(t, at, msg);
		}
		}

		/* The name: pax path, else GNU long name, else the header's (with the ustar prefix). */
		bool ustar = memcmp(h + 257, "ustar\0", 6) == 0; /* POSIX; GNU's "ustar  " has no prefix */
		if (!extended_name(&t->pax_path, &t->long_name, &e->path, &e->path_len)) {
			size_t n = strnlen((const char *)h, 100), p = ustar ? strnlen((const char *)h + 345, 155) : 0;
			size_t off = 0;
			if (p) {
				memcpy(t->name, h + 345, p);
				t->name[p] = '/';
				off = p + 1;
			}
			memcpy(t->name + off, h, n);
			t->name[off + n] = '\0';
			e->path = t->name;
			e->path_len = off + n;
		}
		if (e->path_len == 0)
			return fail_at(t, at, "an entry has an empty name");
		if (flag == '\0' && e->path[e->path_len - 1] == '/') {
			e->type = BW_FT_DIR; /* pre-POSIX directory */
			data = false;
		}
		if (e->type == BW_FT_HARDLINK || e->type == BW_FT_SYMLINK) {
			if (!extended_name(&t->pax_link, &t->long_link, &e->link, &e->link_len)) {
				e->link_len = strnlen((const char *)h + 157, 100);
				memcpy(t->linkname, h + 157, e->link_len);
				t->linkname[e->link_len] = '\0';
				e->link = t->linkname;
			}
		}
		e->mode = (uint32_t)(mode & 07777);
		e->uid = t->have_pax_uid ? t->pax_uid : uid;
		e->gid = t->have_pax_gid ? t->pax_gid : gid;
		if (t->have_pax_size)
			size = t->pax_size;
		e->size = data ? size : 0;
		t->data_left = e->size;
		t->pad_left = (BLOCK - e->size % BLOCK) % BLOCK;
		return 1;
	}
}

ssize_t bw_tar_read(bw_tar *t, void *buf, size_t cap)
{
	if (t->failed)
		return bw_error_set(BW_EINPUT, "%s: invalid tar data", t->what);
	if (!t->data_left || !cap)
		return 0;
	ssize_t a = avail(t);
	if (a < 0)
		return a;
	/* what this chunk holds, at most: one copy, no waiting on the next chunk */
	size_t take = a > 0 && (size_t)a < cap ? (size_t)a : cap;
	if (take > t->data_left)
		take = (size_t)t->data_left;
	int rc = consume(t, take, buf, NULL, t->entry_at, "the archive ends inside an entry's data");
	if (rc < 0)
		return rc;
	t->data_left -= take;
	return (ssize_t)take;
}
