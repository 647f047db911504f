/*
 * util/base64.h: RFC 4648 base64, one implementation for every module (registry
 * credentials, cosign signatures and keys, sigstore bundles). Decoding is a single
 * loop whose strictness the caller chooses; the three callers' contracts are the
 * wrappers below.
 */
#ifndef BW_UTIL_BASE64_H
#define BW_UTIL_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Standard alphabet, '=' padded; malloc'd, NUL-terminated; NULL when out of memory. */
char *bw_base64_encode(const void *data, size_t len);

enum {
	BW_B64_URL = 1 << 0,       /* also accept '-' and '_' (base64url) */
	BW_B64_SPACE = 1 << 1,     /* skip ASCII white space */
	BW_B64_CANONICAL = 1 << 2, /* unused bits zero, padding (when present) exactly right */
	BW_B64_PADDED = 1 << 3,    /* length a multiple of 4, padding required (and canonical) */
};

typedef enum bw_b64_status {
	BW_B64_OK = 0,
	BW_B64_BAD_CHAR,     /* *bad_at: a byte outside the alphabet, or '=' not at the end */
	BW_B64_BAD_LENGTH,   /* a length no encoding has */
	BW_B64_NONCANONICAL, /* bits set that the encoding leaves zero */
	BW_B64_NOMEM,
} bw_b64_status;

/* The decoder: *out malloc'd (NUL-terminated, not counted in *out_len). */
bw_b64_status bw_base64_decode_flags(const char *text, size_t len, unsigned flags, uint8_t **out, size_t *out_len,
				     size_t *bad_at);

/* Lenient (docker config "auth", Basic credentials): padding optional, unused bits
 * not checked. NULL when invalid. */
char *bw_base64_decode(const char *text, size_t *len);
/* Canonical, padding optional, (url_ok) base64url too, (ws_ok) white space skipped. NULL when invalid. */
uint8_t *bw_b64_decode(const char *text, size_t len, bool url_ok, bool ws_ok, size_t *out_len);
/* Strict RFC 4648 (padding required, canonical, no white space), at most max_out
 * decoded bytes. BW_EINPUT naming what and the problem. */
int bw_b64_strict_decode(const char *what, const char *text, size_t max_out, uint8_t **out, size_t *out_len);

#endif
