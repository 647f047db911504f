/*
 * util/utf8.h: UTF-8 well-formedness (RFC 3629), for the places that must
 * tell text from bytes. One decoder: no overlongs, no surrogates, nothing
 * past U+10FFFF.
 */
#ifndef BW_UTIL_UTF8_H
#define BW_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the well-formed sequence at s[0..n), 0 when it is not one (or n is 0). */
size_t bw_utf8_seq_len(const unsigned char *s, size_t n);

/* Offset of the first byte that does not start a well-formed sequence, or n. */
size_t bw_utf8_valid_prefix(const void *s, size_t n);

/* True when s[0..n) is well-formed UTF-8. */
bool bw_utf8_valid(const void *s, size_t n);

#endif
