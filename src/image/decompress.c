#include <isa-l/igzip_lib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "bulwark/errors.h"
#include "image/decompress.h"

struct bw_decoder {
	bw_compression comp;
	bw_inflate_impl impl;
	char what[512];
	bool started;      /* any input seen */
	bool member_done;  /* gzip: the last member ended cleanly / zstd: frame complete */
	struct inflate_state *isal;
	z_stream *z;
	ZSTD_DStream *zstd;
};

bw_compression bw_compression_sniff(const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return BW_COMP_GZIP;
	if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return BW_COMP_ZSTD;
	return BW_COMP_NONE;
}

int bw_decoder_new(bw_decoder **out, bw_compression c, bw_inflate_impl impl, const char *what)
{
	bw_decoder *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	d->comp = c;
	snprintf(d->what, sizeof(d->what), "%s", what);
	if (impl == BW_INFLATE_AUTO) {
		const char *env = getenv("BULWARK_INFLATE");
		impl = env && !strcmp(env, "zlib") ? BW_INFLATE_ZLIB : BW_INFLATE_ISAL;
	}
	d->impl = impl;
	switch (c) {
	case BW_COMP_GZIP:
		if (impl == BW_INFLATE_ISAL) {
			if (!(d->isal = malloc(sizeof(*d->isal))))
				goto nomem;
			isal_inflate_init(d->isal);
			d->isal->crc_flag = ISAL_GZIP;
		} else {
			if (!(d->z = calloc(1, sizeof(*d->z))))
				goto nomem;
			if (inflateInit2(d->z, 16 + MAX_WBITS) != Z_OK)
				goto nomem;
		}
		break;
	case BW_COMP_ZSTD:
		if (!(d->zstd = ZSTD_createDStream()))
			goto nomem;
		ZSTD_initDStream(d->zstd);
		break;
	case BW_COMP_NONE:
		break;
	default:
		free(d);
		return bw_error_set(BW_EINTERNAL, "%s: unknown compression", what);
	}
	*out = d;
	return 0;
nomem:
	bw_decoder_free(d);
	return bw_error_set(BW_EINTERNAL, "out of memory");
}

static int step_isal(bw_decoder *d, const uint8_t *in, size_t in_len, size_t *in_used,
		     uint8_t *out, size_t out_cap, size_t *out_made)
{
	struct inflate_state *s = d->isal;
	size_t used = 0, made = 0;

	while (made < out_cap) {
		if (s->block_state == ISAL_BLOCK_FINISH) {
			/* A member ended; another may follow (multi-member gzip). */
			if (used == in_len)
				break;
			isal_inflate_reset(s);
			s->crc_flag = ISAL_GZIP;
			d->member_done = false;
		}
		s->next_in = (uint8_t *)in + used;
		s->avail_in = (uint32_t)((in_len - used) > UINT32_MAX ? UINT32_MAX : in_len - used);
		s->next_out = out + made;
		s->avail_out = (uint32_t)((out_cap - made) > UINT32_MAX ? UINT32_MAX : out_cap - made);
		uint32_t before_in = s->avail_in, before_out = s->avail_out;
		int r = isal_inflate(s);
		used += before_in - s->avail_in;
		made += before_out - s->avail_out;
		if (r == ISAL_INCORRECT_CHECKSUM)
			return bw_error_set(BW_EINPUT, "%s: gzip checksum mismatch (corrupt data)", d->what);
		if (r < 0)
			return bw_error_set(BW_EINPUT, "%s: invalid gzip stream (isa-l error %d)", d->what, r);
		if (s->block_state == ISAL_BLOCK_FINISH) {
			d->member_done = true;
			continue;
		}
		if (before_in == s->avail_in && before_out == s->avail_out)
			break; /* needs more input */
	}
	*in_used = used;
	*out_made = made;
	return 0;
}

static int step_zlib(bw_decoder *d, const uint8_t *in, size_t in_len, size_t *in_used,
		     uint8_t *out, size_t out_cap, size_t *out_made)
{
	z_stream *z = d->z;
	size_t used = 0, made = 0;

	while (made < out_cap) {
		if (d->member_done) {
			if (used == in_len)
				break;
			if (inflateReset(z) != Z_OK)
				return bw_error_set(BW_EINTERNAL, "%s: zlib reset failed", d->what);
			d->member_done = false;
		}
		z->next_in = (Bytef *)in + used;
		z->avail_in = (uInt)((in_len - used) > UINT32_MAX ? UINT32_MAX : in_len - used);
		z->next_out = out + made;
		z->avail_out = (uInt)((out_cap - made) > UINT32_MAX ? UINT32_MAX : out_cap - made);
		uInt before_in = z->avail_in, before_out = z->avail_out;
		int r = inflate(z, Z_NO_FLUSH);
		used += before_in - z->avail_in;
		made += before_out - z->avail_out;
		if (r == Z_STREAM_END) {
			d->member_done = true;
			continue;
		}
		/* zlib's words for a bad gzip trailer; "incorrect header check" is not one */
		if (r == Z_DATA_ERROR && z->msg &&
		    (!strcmp(z->msg, "incorrect data check") || !strcmp(z->msg, "incorrect length check")))
			return bw_error_set(BW_EINPUT, "%s: gzip checksum mismatch (corrupt data)", d->what);
		if (r != Z_OK && r != Z_BUF_ERROR)
			return bw_error_set(BW_EINPUT, "%s: invalid gzip stream (%s)", d->what,
					    z->msg ? z->msg : "zlib error");
		if (before_in == z->avail_in && before_out == z->avail_out)
			break;
	}
	*in_used = used;
	*out_made = made;
	return 0;
}

static int step_zstd(bw_decoder *d, const uint8_t *in, size_t in_len, size_t *in_used,
		     uint8_t *out, size_t out_cap, size_t *out_made)
{
	ZSTD_inBuffer ib = { in, in_len, 0 };
	ZSTD_outBuffer ob = { out, out_cap, 0 };

	while (ob.pos < ob.size) {
		size_t before_in = ib.pos, before_out = ob.pos;
		size_t r = ZSTD_decompressStream(d->zstd, &ob, &ib);
		if (ZSTD_isError(r))
			return bw_error_set(BW_EINPUT, "%s: invalid zstd stream (%s)", d->what,
					    ZSTD_getErrorName(r));
		if (before_in != ib.pos || before_out != ob.pos)
			d->member_done = (r == 0);
		if (before_in == ib.pos && before_out == ob.pos)
			break;
	}
	*in_used = ib.pos;
	*out_made = ob.pos;
	return 0;
}

int bw_decoder_step(bw_decoder *d, const uint8_t *in, size_t in_len, size_t *in_used,
		    uint8_t *out, size_t out_cap, size_t *out_made)
{
	/* The end-of-input call passes NULL; pointer arithmetic on NULL is undefined,
	 * so every step below sees a real (empty) buffer instead. */
	static const uint8_t no_input[1];
	if (!in) {
		in = no_input;
		in_len = 0;
	}
	if (in_len)
		d->started = true;
	switch (d->comp) {
	case BW_COMP_NONE: {
		size_t n = in_len < out_cap ? in_len : out_cap;
		if (n)
			memcpy(out, in, n);
		*in_used = *out_made = n;
		return 0;
	}
	case BW_COMP_GZIP:
		return d->isal ? step_isal(d, in, in_len, in_used, out, out_cap, out_made)
			       : step_zlib(d, in, in_len, in_used, out, out_cap, out_made);
	case BW_COMP_ZSTD:
		return step_zstd(d, in, in_len, in_used, out, out_cap, out_made);
	default:
		return bw_error_set(BW_EINTERNAL, "%s: unknown compression", d->what);
	}
}

int bw_decoder_finish(bw_decoder *d)
{
	if (d->comp == BW_COMP_NONE)
		return 0;
	if (!d->started)
		return bw_error_set(BW_EINPUT, "%s: empty %s stream", d->what, bw_compression_name(d->comp));
	if (!d->member_done)
		return bw_error_set(BW_EINPUT, "%s: truncated %s stream", d->what,
				    bw_compression_name(d->comp));
	return 0;
}

void bw_decoder_free(bw_decoder *d)
{
	if (!d)
		return;
	free(d->isal);
	if (d->z) {
		inflateEnd(d->z);
		free(d->z);
	}
	ZSTD_freeDStream(d->zstd);
	free(d);
}
