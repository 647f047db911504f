/*
 * Unit tests for src/image/decompress: gzip (isa-l and zlib) and zstd
 * streaming decoders, fed in awkward pieces into small output buffers.
 * Test streams are made here with zlib's deflate and libzstd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "bulwark/errors.h"
#include "image/decompress.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

#define BIG (3u * 1024 * 1024)

static const bw_inflate_impl impls[] = { BW_INFLATE_ISAL, BW_INFLATE_ZLIB };
static const char *const impl_names[] = { "isa-l", "zlib" };

/* ------------------------------------------------------------------ helpers */

typedef struct bytes {
	uint8_t *p;
	size_t n;
} bytes;

/* Text-like data: words from a small vocabulary, numbers, newlines. Compresses
 * about 3:1, so the decoder sees both literals and long matches. */
static bytes make_data(size_t n, uint32_t seed)
{
	static const char *const words[] = {
		"layer", "sha256", "usr", "lib", "x86_64-linux-gnu", "etc", "passwd", "bin",
		"busybox", "alpine", "debian", "openssl", "zlib", "libc.so.6", "/", "-", " ",
		" ", "\n", "==", "0", "1", "package", "version", "release", "arch", "noarch",
	};
	bytes b = { malloc(n), n };
	uint64_t x = 0x9E3779B97F4A7C15ULL ^ seed;
	size_t o = 0;

	assert_non_null(b.p);
	while (o < n) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if ((x >> 60) == 0) { /* a run of random bytes now and then */
			for (int i = 0; i < 16 && o < n; i++)
				b.p[o++] = (uint8_t)(x >> (i * 3));
			continue;
		}
		const char *w = words[(x >> 20) % (sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w);
		for (size_t i = 0; i < wl && o < n; i++)
			b.p[o++] = (uint8_t)w[i];
		if (((x >> 40) & 7) == 0) {
			char num[24];
			int k = snprintf(num, sizeof(num), "%u", (unsigned)(x & 0xfffff));
			for (int i = 0; i < k && o < n; i++)
				b.p[o++] = (uint8_t)num[i];
		}
	}
	return b;
}

static bytes gzip_of(const void *data, size_t n, int level)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, n) + 64;
	bytes out = { malloc(cap), 0 };
	assert_non_null(out.p);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)n;
	z.next_out = out.p;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out.n = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static bytes zstd_of(const void *data, size_t n, int level)
{
	size_t cap = ZSTD_compressBound(n);
	bytes out = { malloc(cap), 0 };
	assert_non_null(out.p);
	out.n = ZSTD_compress(out.p, cap, data, n, level);
	assert_false(ZSTD_isError(out.n));
	return out;
}

static bytes concat(bytes a, bytes b)
{
	bytes c = { malloc(a.n + b.n + 1), a.n + b.n };
	assert_non_null(c.p);
	memcpy(c.p, a.p, a.n);
	memcpy(c.p + a.n, b.p, b.n);
	return c;
}

typedef struct result {
	int rc;          /* 0, or the failing call's code */
	int where;       /* 0 ok, 1 step failed, 2 finish failed, 3 stalled */
	char msg[1024];
	bytes out;
} result;

/*
 * Drives a decoder the way the layer pass does: input in pieces of `piece`
 * bytes, each fed until consumed into output space of `outsz` bytes, then a
 * drain with no input until nothing more comes out, then finish.
 */
static result decode(bw_compression c, bw_inflate_impl impl, const uint8_t *in, size_t n,
		     size_t piece, size_t outsz)
{
	result r = { 0 };
	bw_decoder *d = NULL;
	uint8_t *obuf = malloc(outsz);
	size_t cap = 1 << 16;

	assert_non_null(obuf);
	r.out.p = malloc(cap);
	assert_non_null(r.out.p);
	assert_int_equal(bw_decoder_new(&d, c, impl, "test.blob"), 0);
	assert_non_null(d);

#define COLLECT(made)                                                                  \
	do {                                                                           \
		if (r.out.n + (made) > cap) {                                          \
			while (r.out.n + (made) > cap)                                 \
				cap *= 2;                                              \
			r.out.p = realloc(r.out.p, cap);                               \
			assert_non_null(r.out.p);                                      \
		}                                                                      \
		memcpy(r.out.p + r.out.n, obuf, (made));                               \
		r.out.n += (made);                                                     \
	} while (0)

	for (size_t at = 0; at < n; at += piece) {
		size_t len = n - at < piece ? n - at : piece, off = 0;
		while (off < len) {
			size_t used = 0, made = 0;
			int rc = bw_decoder_step(d, in + at + off, len - off, &used, obuf, outsz, &made);
			if (rc < 0) {
				r.rc = rc;
				r.where = 1;
				goto out;
			}
			if (used > len - off || made > outsz)
				fail_msg("step reported used %zu of %zu, made %zu of %zu", used,
					 len - off, made, outsz);
			COLLECT(made);
			off += used;
			if (used == 0 && made == 0) {
				r.where = 3; /* input left but the decoder took none */
				r.rc = -100;
				goto out;
			}
		}
	}
	for (int guard = 0;; guard++) {
		size_t used = 99, made = 0;
		int rc = bw_decoder_step(d, NULL, 0, &used, obuf, outsz, &made);
		if (rc < 0) {
			r.rc = rc;
			r.where = 1;
			goto out;
		}
		assert_int_equal(used, 0);
		COLLECT(made);
		if (made == 0)
			break;
		assert_true(guard < 1000000);
	}
	r.rc = bw_decoder_finish(d);
	if (r.rc < 0)
		r.where = 2;
out:
	if (r.rc < 0 && r.rc != -100)
		snprintf(r.msg, sizeof(r.msg), "%s", bw_error_last()->message);
	bw_decoder_free(d);
	free(obuf);
	return r;
#undef COLLECT
}

static void expect_roundtrip(bw_compression c, bw_inflate_impl impl, const char *impl_name,
			     bytes comp, bytes plain, size_t piece, size_t outsz)
{
	result r = decode(c, impl, comp.p, comp.n, piece, outsz);
	if (r.rc != 0)
		fail_msg("%s %s, pieces of %zu, output %zu: rc %d at stage %d: %s",
			 bw_compression_name(c), impl_name, piece, outsz, r.rc, r.where, r.msg);
	if (r.out.n != plain.n)
		fail_msg("%s %s, pieces of %zu, output %zu: %zu bytes out, expected %zu",
			 bw_compression_name(c), impl_name, piece, outsz, r.out.n, plain.n);
	if (plain.n && memcmp(r.out.p, plain.p, plain.n) != 0)
		fail_msg("%s %s, pieces of %zu, output %zu: content differs",
			 bw_compression_name(c), impl_name, piece, outsz);
	free(r.out.p);
}

static void expect_error(bw_compression c, bw_inflate_impl impl, const char *impl_name,
			 bytes comp, size_t piece, size_t outsz, const char *needle)
{
	bw_error_clear();
	result r = decode(c, impl, comp.p, comp.n, piece, outsz);
	free(r.out.p); /* before any failure, so a failing case leaks nothing */
	if (r.rc != BW_EINPUT)
		fail_msg("%s %s: rc %d (stage %d, \"%s\"), expected BW_EINPUT with \"%s\"",
			 bw_compression_name(c), impl_name, r.rc, r.where, r.msg, needle);
	assert_int_equal(bw_error_last()->code, BW_EINPUT);
	if (!strstr(r.msg, needle) || !strstr(r.msg, "test.blob"))
		fail_msg("%s %s: message \"%s\" lacks \"%s\" or the input name",
			 bw_compression_name(c), impl_name, r.msg, needle);
}

/* ------------------------------------------------------------------ gzip */

static void test_gzip_roundtrip(void **state)
{
	(void)state;
	bytes plain = make_data(BIG, 1);
	bytes gz = gzip_of(plain.p, plain.n, 6);
	assert_true(gz.n < plain.n / 2); /* compressible, as intended */
	assert_true(gz.n > plain.n / 20); /* but not trivially */

	static const size_t shapes[][2] = {
		{ 7, 1021 }, { 4093, 4096 }, { 1, 65536 }, { 65536, 1 }, { SIZE_MAX, 1 << 20 },
	};
	for (size_t k = 0; k < 2; k++)
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
			size_t piece = shapes[s][0], outsz = shapes[s][1];
			/* the 1-byte cases run on a 256 KiB prefix to keep the test quick */
			bytes in = gz, want = plain;
			bytes small_gz = { 0 }, small = { 0 };
			if (piece == 1 || outsz == 1) {
				small = (bytes){ plain.p, 256 * 1024 };
				small_gz = gzip_of(small.p, small.n, 6);
				in = small_gz;
				want = small;
			}
			expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], in, want, piece, outsz);
			free(small_gz.p);
		}
	/* level 1 and 9 streams (different block types and match shapes) */
	bytes gz1 = gzip_of(plain.p, plain.n, 1), gz9 = gzip_of(plain.p, 1 << 20, 9);
	for (size_t k = 0; k < 2; k++) {
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], gz1, plain, 4093, 8191);
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], gz9,
				 (bytes){ plain.p, 1 << 20 }, 7, 1021);
	}
	/* stored blocks (level 0) and an empty member */
	bytes gz0 = gzip_of(plain.p, 300000, 0), gze = gzip_of("", 0, 6);
	for (size_t k = 0; k < 2; k++) {
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], gz0,
				 (bytes){ plain.p, 300000 }, 4093, 1000);
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], gze, (bytes){ NULL, 0 }, 7, 64);
	}
	free(gz0.p);
	free(gze.p);
	free(gz1.p);
	free(gz9.p);
	free(gz.p);
	free(plain.p);
}

static void test_gzip_multi_member(void **state)
{
	(void)state;
	bytes a = gzip_of("hello, ", 7, 6), b = gzip_of("world\n", 6, 6);
	bytes ab = concat(a, b);
	bytes want = { (uint8_t *)"hello, world\n", 13 };

	for (size_t k = 0; k < 2; k++) {
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], ab, want, SIZE_MAX, 4096);
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], ab, want, 1, 4096);
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], ab, want, 7, 1);
		/* a piece boundary exactly at the member boundary */
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], ab, want, a.n, 3);
	}

	/* big members: the decoder must not swallow the next member's header */
	bytes p1 = make_data(1 << 20, 2), p2 = make_data(700001, 3), p3 = make_data(5, 4);
	bytes g1 = gzip_of(p1.p, p1.n, 6), g2 = gzip_of(p2.p, p2.n, 1), g3 = gzip_of(p3.p, p3.n, 9);
	bytes g12 = concat(g1, g2), g123 = concat(g12, g3);
	bytes p12 = concat(p1, p2), p123 = concat(p12, p3);
	for (size_t k = 0; k < 2; k++) {
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], g123, p123, 4093, 4096);
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], g123, p123, SIZE_MAX, 1 << 22);
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], g123, p123, 7, 65536);
	}
	/* three members, where the middle one is empty */
	bytes e = gzip_of("", 0, 6);
	bytes ae = concat(a, e), aeb = concat(ae, b);
	for (size_t k = 0; k < 2; k++)
		expect_roundtrip(BW_COMP_GZIP, impls[k], impl_names[k], aeb, want, 5, 2);

	/* truncation inside the second member is still truncation */
	bytes cut = { ab.p, a.n + 5 };
	for (size_t k = 0; k < 2; k++)
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], cut, 3, 64, "truncated");

	free(a.p); free(b.p); free(ab.p); free(e.p); free(ae.p); free(aeb.p);
	free(p1.p); free(p2.p); free(p3.p); free(g1.p); free(g2.p); free(g3.p);
	free(g12.p); free(g123.p); free(p12.p); free(p123.p);
}

static void test_gzip_truncated(void **state)
{
	(void)state;
	bytes plain = make_data(200000, 5);
	bytes gz = gzip_of(plain.p, plain.n, 6);
	/* cut in the header, in the middle of the data, in the trailer, 1 byte short */
	const size_t cuts[] = { 1, 5, 10, gz.n / 2, gz.n - 8, gz.n - 4, gz.n - 1 };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			bytes t = { gz.p, cuts[i] };
			result r = decode(BW_COMP_GZIP, impls[k], t.p, t.n, 4093, 4096);
			if (r.rc != BW_EINPUT || r.where != 2)
				fail_msg("%s: gzip cut at %zu of %zu: rc %d stage %d \"%s\", expected "
					 "a finish error", impl_names[k], cuts[i], gz.n, r.rc, r.where,
					 r.msg);
			assert_contains(r.msg, "truncated gzip stream");
			assert_contains(r.msg, "test.blob");
			/* what came out before the cut is a prefix of the data */
			assert_true(r.out.n <= plain.n);
			assert_memory_equal(r.out.p, plain.p, r.out.n);
			free(r.out.p);
		}
	free(gz.p);
	free(plain.p);
}

static void test_gzip_corrupt(void **state)
{
	(void)state;
	bytes plain = make_data(100000, 6);
	bytes gz = gzip_of(plain.p, plain.n, 6);

	for (size_t k = 0; k < 2; k++) {
		/* CRC32 of the trailer */
		bytes bad = { malloc(gz.n), gz.n };
		memcpy(bad.p, gz.p, gz.n);
		bad.p[gz.n - 8] ^= 0x01;
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], bad, 4093, 4096, "checksum");
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], bad, SIZE_MAX, 1 << 20, "checksum");
		/* ISIZE of the trailer */
		memcpy(bad.p, gz.p, gz.n);
		bad.p[gz.n - 1] ^= 0x40;
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], bad, 4093, 4096, "checksum");
		free(bad.p);
	}
	free(gz.p);
	free(plain.p);
}

static void test_gzip_empty_and_garbage(void **state)
{
	(void)state;
	/* the gzip magic, then an unknown compression method (9) */
	static const uint8_t badmethod[] = { 0x1f, 0x8b, 0x09, 0x00, 0, 0, 0, 0, 0, 0x03,
					     1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	/* a valid header, then a deflate block of the reserved type 3 */
	static const uint8_t badblock[] = { 0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03,
					    0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	for (size_t k = 0; k < 2; k++) {
		/* no input at all */
		bw_decoder *d = NULL;
		assert_int_equal(bw_decoder_new(&d, BW_COMP_GZIP, impls[k], "empty.blob"), 0);
		bw_error_clear();
		assert_int_equal(bw_decoder_finish(d), BW_EINPUT);
		assert_contains(bw_error_last()->message, "empty.blob");
		assert_contains(bw_error_last()->message, "empty gzip stream");
		bw_decoder_free(d);
		/* the same through a step with no input */
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], (bytes){ NULL, 0 }, 7, 64, "empty");

		expect_error(BW_COMP_GZIP, impls[k], impl_names[k],
			     (bytes){ (uint8_t *)badmethod, sizeof(badmethod) }, SIZE_MAX, 4096, "invalid");
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k],
			     (bytes){ (uint8_t *)badblock, sizeof(badblock) }, SIZE_MAX, 4096, "invalid");
	}
}

/* Text that does not start with the gzip magic is "invalid", not a checksum
 * error: nothing was checksummed. */
static void test_gzip_garbage(void **state)
{
	(void)state;
	static const char text[] = "This is not a gzip stream at all, it is plain text. "
				   "It goes on for a while so that no decoder can wait for more.";
	bytes garbage = { (uint8_t *)text, sizeof(text) - 1 };
	for (size_t k = 0; k < 2; k++) {
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], garbage, SIZE_MAX, 4096, "invalid");
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], garbage, 7, 64, "invalid");
		/* a tar header fed to the gzip decoder (a mislabelled layer) */
		static const uint8_t tar[512] = { 'e', 't', 'c', '/', 0 };
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], (bytes){ (uint8_t *)tar, 512 },
			     4093, 4096, "invalid");
	}
}

static void test_gzip_trailing_garbage(void **state)
{
	(void)state;
	static uint8_t buf[256];
	bytes gz = gzip_of("payload", 7, 6);
	assert_true(gz.n + 24 <= sizeof(buf));
	memcpy(buf, gz.p, gz.n);
	memcpy(buf + gz.n, "JUNKJUNKJUNKJUNKJUNKJUNK", 24);
	bytes t = { buf, gz.n + 24 };
	free(gz.p);
	for (size_t k = 0; k < 2; k++)
		expect_error(BW_COMP_GZIP, impls[k], impl_names[k], t, SIZE_MAX, 4096, "invalid");
}

static void test_inflate_auto(void **state)
{
	(void)state;
	static const uint8_t badmethod[] = { 0x1f, 0x8b, 0x09, 0x00, 0, 0, 0, 0, 0, 0x03,
					     1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	bytes in = { (uint8_t *)badmethod, sizeof(badmethod) };
	bytes plain = make_data(50000, 9), gz = gzip_of(plain.p, plain.n, 6);

	/* isa-l by default, zlib when BULWARK_INFLATE=zlib: the error text tells which */
	unsetenv("BULWARK_INFLATE");
	result r = decode(BW_COMP_GZIP, BW_INFLATE_AUTO, in.p, in.n, SIZE_MAX, 4096);
	assert_int_equal(r.rc, BW_EINPUT);
	assert_contains(r.msg, "isa-l");
	free(r.out.p);
	expect_roundtrip(BW_COMP_GZIP, BW_INFLATE_AUTO, "auto", gz, plain, 4093, 4096);

	setenv("BULWARK_INFLATE", "zlib", 1);
	r = decode(BW_COMP_GZIP, BW_INFLATE_AUTO, in.p, in.n, SIZE_MAX, 4096);
	assert_int_equal(r.rc, BW_EINPUT);
	assert_null(strstr(r.msg, "isa-l"));
	assert_contains(r.msg, "invalid gzip stream");
	free(r.out.p);
	expect_roundtrip(BW_COMP_GZIP, BW_INFLATE_AUTO, "auto(zlib)", gz, plain, 4093, 4096);
	unsetenv("BULWARK_INFLATE");
	free(gz.p);
	free(plain.p);
}

/* ------------------------------------------------------------------ zstd */

static void test_zstd(void **state)
{
	(void)state;
	bytes plain = make_data(BIG, 7);
	bytes zs = zstd_of(plain.p, plain.n, 3);
	assert_true(zs.n < plain.n / 2);

	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", zs, plain, 7, 1021);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", zs, plain, 4093, 4096);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", zs, plain, SIZE_MAX, 1 << 20);
	/* the gzip implementation choice does not matter for zstd */
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_ZLIB, "zstd", zs, plain, 4093, 4096);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_ISAL, "zstd", zs, plain, 4093, 4096);

	/* multi-frame: frames concatenated decode to the concatenation */
	bytes a = zstd_of("hello, ", 7, 3), b = zstd_of("world\n", 6, 19);
	bytes ab = concat(a, b);
	bytes want = { (uint8_t *)"hello, world\n", 13 };
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", ab, want, SIZE_MAX, 4096);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", ab, want, 1, 1);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", ab, want, a.n, 5);
	bytes big2 = concat(zs, ab), pbig2 = concat(plain, want);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", big2, pbig2, 4093, 4096);
	/* an empty frame */
	bytes e = zstd_of("", 0, 3);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", e, (bytes){ NULL, 0 }, 1, 16);

	/* truncated: in the frame header, in the data, one byte short, in frame 2 */
	const size_t cuts[] = { 3, 6, zs.n / 2, zs.n - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		result r = decode(BW_COMP_ZSTD, BW_INFLATE_AUTO, zs.p, cuts[i], 4093, 4096);
		if (r.rc != BW_EINPUT || r.where != 2)
			fail_msg("zstd cut at %zu of %zu: rc %d stage %d \"%s\"", cuts[i], zs.n, r.rc,
				 r.where, r.msg);
		assert_contains(r.msg, "truncated zstd stream");
		assert_contains(r.msg, "test.blob");
		assert_memory_equal(r.out.p, plain.p, r.out.n);
		free(r.out.p);
	}
	expect_error(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", (bytes){ ab.p, a.n + 4 }, 3, 64,
		     "truncated");
	expect_error(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", (bytes){ ab.p, ab.n - 1 }, 3, 64,
		     "truncated");

	/* empty and garbage */
	expect_error(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", (bytes){ NULL, 0 }, 3, 64, "empty zstd");
	static const char text[] = "plain text is not a zstd frame, not even close to one.";
	expect_error(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", (bytes){ (uint8_t *)text, sizeof(text) - 1 },
		     SIZE_MAX, 4096, "invalid zstd");
	/* a corrupted frame body (content checksum on) */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	assert_non_null(cc);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	bytes zc = { malloc(ZSTD_compressBound(100000)), 0 };
	zc.n = ZSTD_compress2(cc, zc.p, ZSTD_compressBound(100000), plain.p, 100000);
	assert_false(ZSTD_isError(zc.n));
	ZSTD_freeCCtx(cc);
	expect_roundtrip(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", zc, (bytes){ plain.p, 100000 }, 4093, 4096);
	zc.p[zc.n - 2] ^= 0xff; /* in the 4-byte content checksum */
	expect_error(BW_COMP_ZSTD, BW_INFLATE_AUTO, "zstd", zc, 4093, 4096, "invalid zstd");

	free(zc.p);
	free(e.p);
	free(big2.p);
	free(pbig2.p);
	free(a.p);
	free(b.p);
	free(ab.p);
	free(zs.p);
	free(plain.p);
}

/* ------------------------------------------------------------------ none, sniff */

/*
 * The layer pass flushes every decoder with bw_decoder_step(d, NULL, 0, ...)
 * once the input has ended (src/image/layer.c), uncompressed layers too.
 * Under UBSan this reports src/image/decompress.c's memcpy(out, in, 0) with
 * in == NULL (undefined behaviour even for 0 bytes).
 */
static void test_none_drain_null(void **state)
{
	(void)state;
	bw_decoder *d = NULL;
	uint8_t out[16];
	size_t used = 99, made = 99;

	assert_int_equal(bw_decoder_new(&d, BW_COMP_NONE, BW_INFLATE_AUTO, "raw"), 0);
	assert_int_equal(bw_decoder_step(d, (const uint8_t *)"abc", 3, &used, out, sizeof(out), &made), 0);
	assert_int_equal(used, 3);
	assert_int_equal(made, 3);
	assert_int_equal(bw_decoder_step(d, NULL, 0, &used, out, sizeof(out), &made), 0);
	assert_int_equal(used, 0);
	assert_int_equal(made, 0);
	assert_int_equal(bw_decoder_finish(d), 0);
	bw_decoder_free(d);
}

static void test_none_passthrough(void **state)
{
	(void)state;
	bytes plain = make_data(100003, 8);

	expect_roundtrip(BW_COMP_NONE, BW_INFLATE_AUTO, "none", plain, plain, 7, 1021);
	expect_roundtrip(BW_COMP_NONE, BW_INFLATE_AUTO, "none", plain, plain, 4093, 13);
	expect_roundtrip(BW_COMP_NONE, BW_INFLATE_AUTO, "none", plain, plain, SIZE_MAX, 1 << 20);

	bw_decoder *d = NULL;
	uint8_t out[8];
	size_t used = 0, made = 0;
	assert_int_equal(bw_decoder_new(&d, BW_COMP_NONE, BW_INFLATE_AUTO, "raw"), 0);
	assert_int_equal(bw_decoder_step(d, (const uint8_t *)"0123456789", 10, &used, out, 8, &made), 0);
	assert_int_equal(used, 8);
	assert_int_equal(made, 8);
	assert_memory_equal(out, "01234567", 8);
	assert_int_equal(bw_decoder_step(d, (const uint8_t *)"89", 2, &used, out, 8, &made), 0);
	assert_int_equal(used, 2);
	assert_int_equal(made, 2);
	assert_memory_equal(out, "89", 2);
	assert_int_equal(bw_decoder_finish(d), 0);
	bw_decoder_free(d);

	/* no input is fine for an uncompressed layer (an empty tar is a valid blob) */
	assert_int_equal(bw_decoder_new(&d, BW_COMP_NONE, BW_INFLATE_AUTO, "raw"), 0);
	assert_int_equal(bw_decoder_finish(d), 0);
	bw_decoder_free(d);

	/* an unknown compression is refused at creation */
	d = (bw_decoder *)1;
	assert_int_equal(bw_decoder_new(&d, BW_COMP_UNKNOWN, BW_INFLATE_AUTO, "x"), BW_EINTERNAL);
	assert_null(d);
	bw_decoder_free(NULL);
	free(plain.p);
}

static void test_sniff(void **state)
{
	(void)state;
	static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0x00 };
	static const uint8_t zs[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00 };
	static const uint8_t tar[512] = { 'e', 't', 'c', '/' };

	assert_int_equal(bw_compression_sniff(gz, sizeof(gz)), BW_COMP_GZIP);
	assert_int_equal(bw_compression_sniff(gz, 2), BW_COMP_GZIP);
	assert_int_equal(bw_compression_sniff(gz, 1), BW_COMP_NONE);
	assert_int_equal(bw_compression_sniff(gz, 0), BW_COMP_NONE);
	assert_int_equal(bw_compression_sniff(zs, sizeof(zs)), BW_COMP_ZSTD);
	assert_int_equal(bw_compression_sniff(zs, 4), BW_COMP_ZSTD);
	assert_int_equal(bw_compression_sniff(zs, 3), BW_COMP_NONE);
	assert_int_equal(bw_compression_sniff(tar, sizeof(tar)), BW_COMP_NONE);
	assert_int_equal(bw_compression_sniff((const uint8_t *)"\x1f\x8c", 2), BW_COMP_NONE);
	assert_int_equal(bw_compression_sniff((const uint8_t *)"\x28\xb5\x2f\xfe", 4), BW_COMP_NONE);
	/* real streams */
	bytes g = gzip_of("x", 1, 6), z = zstd_of("x", 1, 3);
	assert_int_equal(bw_compression_sniff(g.p, g.n), BW_COMP_GZIP);
	assert_int_equal(bw_compression_sniff(z.p, z.n), BW_COMP_ZSTD);
	free(g.p);
	free(z.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_roundtrip),
		cmocka_unit_test(test_gzip_multi_member),
		cmocka_unit_test(test_gzip_truncated),
		cmocka_unit_test(test_gzip_corrupt),
		cmocka_unit_test(test_gzip_empty_and_garbage),
		cmocka_unit_test(test_gzip_garbage),
		cmocka_unit_test(test_gzip_trailing_garbage),
		cmocka_unit_test(test_inflate_auto),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_none_drain_null),
		cmocka_unit_test(test_none_passthrough),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
