/*
 * sign/codec.c: strict base64 and PEM for signatures and key files. Strict
 * because a signature annotation that decodes to the same bytes from two
 * spellings gives an attacker room; only DSSE, whose spec asks for it,
 * accepts the URL-safe alphabet too.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/cosign.h"

static const char b64std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(unsigned char c, bool url_ok)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (url_ok && c == '-')
		return 62;
	if (url_ok && c == '_')
		return 63;
	return -1;
}

uint8_t *bw_b64_decode(const char *text, size_t len, bool url_ok, bool ws_ok, size_t *out_len)
{
	uint8_t *out = malloc(len / 4 * 3 + 4);
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, pad = 0, n = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (ws_ok && (c == '\n' || c == '\r' || c == ' ' || c == '\t'))
			continue;
		if (c == '=') {
			pad++;
			n++;
			continue;
		}
		int v = b64val(c, url_ok);
		if (pad || v < 0)
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		n++;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* leftover bits must be zero (one spelling per byte string), padding only to a multiple of 4 */
	if (pad > 2 || bits >= 6 || (acc & ((1u << bits) - 1)) || (pad && n % 4) ||
	    (pad && ((bits == 4 && pad != 2) || (bits == 2 && pad != 1) || bits == 0)))
		goto bad;
	out[o] = 0;
	*out_len = o;
	return out;
bad:
	free(out);
	return NULL;
}

char *bw_b64_encode(const void *data, size_t len)
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
		*o++ = b64std[v >> 18];
		*o++ = b64std[(v >> 12) & 63];
		*o++ = b64std[(v >> 6) & 63];
		*o++ = b64std[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
		*o++ = b64std[v >> 18];
		*o++ = b64std[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64std[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

int bw_pem_decode(const char *what, const void *text, size_t len, char **label, uint8_t **der, size_t *der_len)
{
	static const char begin[] = "-----BEGIN ", dashes[] = "-----";
	const char *t = text, *end = t + len;
	char endline[128];

	*label = NULL;
	*der = NULL;
	if (len > BW_SIG_MAX_KEYFILE)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than %d for a PEM file", what, len,
				    BW_SIG_MAX_KEYFILE);
	const char *b = memmem(t, len, begin, sizeof(begin) - 1);
	if (!b)
		return bw_error_set(BW_EINPUT, "%s: no PEM block", what);
	const char *ls = b + sizeof(begin) - 1;
	const char *le = memmem(ls, (size_t)(end - ls), dashes, sizeof(dashes) - 1);
	if (!le || le - ls == 0 || le - ls > 64 || memchr(ls, '\n', (size_t)(le - ls)))
		return bw_error_set(BW_EINPUT, "%s: malformed PEM BEGIN line", what);
	size_t ll = (size_t)(le - ls);
	const char *body = le + sizeof(dashes) - 1;
	snprintf(endline, sizeof(endline), "-----END %.*s-----", (int)ll, ls);
	const char *e = memmem(body, (size_t)(end - body), endline, strlen(endline));
	if (!e)
		return bw_error_set(BW_EINPUT, "%s: PEM block \"%.*s\" has no END line", what, (int)ll, ls);
	/* headers (Proc-Type, DEK-Info) mean OpenSSL-encrypted PEM: not a format cosign writes */
	if (memchr(body, ':', (size_t)(e - body)))
		return bw_error_set(BW_EINPUT, "%s: PEM headers are not supported", what);
	*der = bw_b64_decode(body, (size_t)(e - body), false, true, der_len);
	if (!*der)
		return bw_error_set(BW_EINPUT, "%s: the PEM body is not valid base64", what);
	*label = strndup(ls, ll);
	if (!*label) {
		free(*der);
		*der = NULL;
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	return 0;
}

char *bw_pem_encode(const char *label, const void *der, size_t len)
{
	char *b = bw_b64_encode(der, len);
	if (!b)
		return NULL;
	size_t bl = strlen(b), n = bl + bl / 64 + 2 * strlen(label) + 64;
	char *out = malloc(n), *o = out;
	if (out) {
		o += snprintf(o, n, "-----BEGIN %s-----\n", label);
		for (size_t i = 0; i < bl; i += 64) {
			size_t c = bl - i < 64 ? bl - i : 64;
			memcpy(o, b + i, c);
			o += c;
			*o++ = '\n';
		}
		snprintf(o, n - (size_t)(o - out), "-----END %s-----\n", label);
	}
	free(b);
	return out;
}
