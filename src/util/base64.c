/*
 * util/base64.c: RFC 4648 base64 (see base64.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "util/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *bw_base64_encode(const void *data, size_t len)
{
	const uint8_t *in = data;
	if (len > (SIZE_MAX - 8) / 4 * 3)
		return NULL;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	size_t i = 0;
	for (; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int value_of(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (url && c == '-'))
		return 62;
	if (c == '/' || (url && c == '_'))
		return 63;
	return -1;
}

bw_b64_status bw_base64_decode_flags(const char *text, size_t len, unsigned flags, uint8_t **out, size_t *out_len,
				     size_t *bad_at)
{
	bool url = flags & BW_B64_URL, space = flags & BW_B64_SPACE;
	bool canonical = flags & (BW_B64_CANONICAL | BW_B64_PADDED);
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, pad = 0, n = 0, first_pad = 0;
	bw_b64_status st = BW_B64_OK;

	*out = NULL;
	*out_len = 0;
	*bad_at = 0;
	if ((flags & BW_B64_PADDED) && len % 4)
		return BW_B64_BAD_LENGTH;
	uint8_t *buf = malloc(len / 4 * 3 + 4);
	if (!buf)
		return BW_B64_NOMEM;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (space && (c == '\n' || c == '\r' || c == ' ' || c == '\t'))
			continue;
		n++;
		if (c == '=') {
			if (!pad++)
				first_pad = i;
			continue;
		}
		int v = value_of(c, url);
		if (pad || v < 0) {
			*bad_at = pad ? first_pad : i; /* data after padding: blame the padding */
			st = BW_B64_BAD_CHAR;
			goto done;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2) {
		*bad_at = first_pad;
		st = BW_B64_BAD_CHAR;
	} else if (bits >= 6) {
		st = BW_B64_BAD_LENGTH;
	} else if (canonical && (pad && n % 4)) {
		st = BW_B64_BAD_LENGTH;
	} else if (canonical && ((acc & ((1u << bits) - 1)) ||
				 (pad && ((bits == 4 && pad != 2) || (bits == 2 && pad != 1) || bits == 0)))) {
		st = BW_B64_NONCANONICAL;
	}
done:
	if (st != BW_B64_OK) {
		free(buf);
		return st;
	}
	buf[o] = 0;
	*out = buf;
	*out_len = o;
	return BW_B64_OK;
}

char *bw_base64_decode(const char *text, size_t *len)
{
	uint8_t *out;
	size_t n, at;
	if (bw_base64_decode_flags(text, strlen(text), 0, &out, &n, &at) != BW_B64_OK)
		return NULL;
	if (len)
		*len = n;
	return (char *)out;
}

uint8_t *bw_b64_decode(const char *text, size_t len, bool url_ok, bool ws_ok, size_t *out_len)
{
	uint8_t *out;
	size_t at;
	unsigned flags = BW_B64_CANONICAL | (url_ok ? BW_B64_URL : 0) | (ws_ok ? BW_B64_SPACE : 0);
	return bw_base64_decode_flags(text, len, flags, &out, out_len, &at) == BW_B64_OK ? out : NULL;
}

int bw_b64_strict_decode(const char *what, const char *text, size_t max_out, uint8_t **out, size_t *out_len)
{
	size_t n = strlen(text), pad = 0, at;

	*out = NULL;
	*out_len = 0;
	if (n % 4 != 0)
		return bw_error_set(BW_EINPUT, "%s: base64 text of %zu characters (not a multiple of 4)", what, n);
	/* the size before decoding: an oversized value is refused without allocating for it */
	if (n >= 1 && text[n - 1] == '=')
		pad++;
	if (n >= 2 && text[n - 2] == '=')
		pad++;
	if (n / 4 * 3 - pad > max_out)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes after base64 decoding, limit %zu", what, n / 4 * 3 - pad,
				    max_out);
	switch (bw_base64_decode_flags(text, n, BW_B64_PADDED, out, out_len, &at)) {
	case BW_B64_OK:
		return 0;
	case BW_B64_NOMEM:
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	case BW_B64_NONCANONICAL:
		return bw_error_set(BW_EINPUT, "%s: non-canonical base64 padding", what);
	case BW_B64_BAD_LENGTH:
		return bw_error_set(BW_EINPUT, "%s: base64 text of %zu characters is no encoding", what, n);
	default:
		return bw_error_set(BW_EINPUT, "%s: invalid base64 character at offset %zu", what, at);
	}
}
