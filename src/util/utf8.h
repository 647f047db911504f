/*
 * util/utf8.h: UTF-8 well-formedness (RFC 3629), for the places that must
 * tell text from bytes.
 */
#ifndef BW_UTIL_UTF8_H
#define BW_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8: no overlongs, no surrogates, nothing past U+10FFFF. */
bool bw_utf8_valid(const void *s, size_t n);

#endif
