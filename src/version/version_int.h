/*
 * version/version_int.h: what the scheme files of src/version share with the
 * dispatcher in version.c, and nothing else includes.
 *
 * Each scheme file exports two functions over a string of known length (at
 * most BW_VERSION_MAX_BYTES, checked by the dispatcher, no NUL inside):
 *
 *   bool bw_ver_X_valid(const char *s, size_t n)
 *       true when the ecosystem's reference implementation accepts s;
 *   int  bw_ver_X_cmp(const char *a, size_t an, const char *b, size_t bn)
 *       -1, 0 or 1; only called once both sides are valid.
 *
 * Neither allocates nor sets an error: the dispatcher words the message.
 * Numbers from input are compared as digit strings, never converted to a
 * machine integer that could overflow (bw_ver_digits_cmp).
 */
#ifndef BW_VERSION_VERSION_INT_H
#define BW_VERSION_VERSION_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Locale-independent ASCII classes: the reference tools run in the C locale
 * (or are specified on ASCII), and a byte >= 0x80 is never a digit or letter. */
static inline bool bw_ver_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline bool bw_ver_islower(int c) { return c >= 'a' && c <= 'z'; }
static inline bool bw_ver_isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline bool bw_ver_isalpha(int c) { return bw_ver_islower(c) || bw_ver_isupper(c); }
static inline bool bw_ver_isalnum(int c) { return bw_ver_isalpha(c) || bw_ver_isdigit(c); }
static inline int bw_ver_tolower(int c) { return bw_ver_isupper(c) ? c - 'A' + 'a' : c; }

/* Sign of the numeric comparison of two digit strings of any length
 * (leading zeros ignored; an empty string is zero). */
int bw_ver_digits_cmp(const char *a, size_t an, const char *b, size_t bn);

/* Byte-wise comparison in the manner of strcmp/memcmp-then-length:
 * a proper prefix orders first. Returns -1, 0 or 1. */
int bw_ver_bytes_cmp(const char *a, size_t an, const char *b, size_t bn);

/* Length of the UTF-8 encoded white space character at s (n bytes left)
 * in the given set, or 0. */
enum bw_ver_space_set {
	BW_VER_SPACE_JS,     /* String.prototype.trim: WhiteSpace + LineTerminator */
	BW_VER_SPACE_PYTHON, /* str.isspace(), what Python's re \s matches in str */
};
size_t bw_ver_space_len(const char *s, size_t n, enum bw_ver_space_set set);

#define BW_VER_SCHEME(x)                                                   \
	bool bw_ver_##x##_valid(const char *s, size_t n);                    \
	int bw_ver_##x##_cmp(const char *a, size_t an, const char *b, size_t bn)

BW_VER_SCHEME(dpkg);
BW_VER_SCHEME(rpm);
BW_VER_SCHEME(apk);
BW_VER_SCHEME(semver);
BW_VER_SCHEME(go);
BW_VER_SCHEME(pep440);
BW_VER_SCHEME(maven);
BW_VER_SCHEME(gem);
BW_VER_SCHEME(composer);
BW_VER_SCHEME(nuget);

#undef BW_VER_SCHEME

#endif
