/*
 * image/decompress.h: streaming layer decompression.
 *
 * gzip is inflated with isa-l (measured ~4x zlib on this class of machine),
 * with zlib kept as a fallback selectable at run time
 * (BULWARK_INFLATE=zlib) so both paths stay tested; zstd with libzstd.
 * Multi-member gzip and multi-frame zstd streams are accepted, as the
 * formats allow. A stream that stops before its end is an error
 * ("truncated ... stream") at bw_decoder_finish().
 */
#ifndef BW_IMAGE_DECOMPRESS_H
#define BW_IMAGE_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "image/manifest.h"

typedef struct bw_decoder bw_decoder;

typedef enum bw_inflate_impl {
	BW_INFLATE_AUTO = 0, /* isa-l unless BULWARK_INFLATE=zlib */
	BW_INFLATE_ISAL,
	BW_INFLATE_ZLIB,
} bw_inflate_impl;

/* what: the input's name for messages. */
int bw_decoder_new(bw_decoder **out, bw_compression c, bw_inflate_impl impl, const char *what);

/*
 * Consumes input and produces output. Stops when either side is exhausted;
 * *in_used and *out_made say how far it got. Call again with the rest of the
 * input and more output space. Returns 0 or BW_EINPUT ("invalid gzip ...").
 */
int bw_decoder_step(bw_decoder *d, const uint8_t *in, size_t in_len, size_t *in_used,
		    uint8_t *out, size_t out_cap, size_t *out_made);

/* Call when the input has ended: BW_EINPUT if the stream is incomplete. */
int bw_decoder_finish(bw_decoder *d);
void bw_decoder_free(bw_decoder *d);

/* Sniffs the compression from the first bytes (gzip 1f 8b, zstd 28 b5 2f fd, else none). */
bw_compression bw_compression_sniff(const uint8_t *p, size_t len);

#endif
