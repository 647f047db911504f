/*
 * policy/glob.h: the patterns of policy files (image references, registries,
 * label values, package names). A star matches any run of characters, "/"
 * included ("registry.example.com/vendor/" and a star cover every repository
 * under vendor); "?" one character; "[abc]", "[a-z]", "[!a-z]" one character of
 * (or not of) a set; "\" makes the next character literal. Matching is by
 * bytes and case-sensitive, and takes at most pattern x text steps.
 */
#ifndef BW_POLICY_GLOB_H
#define BW_POLICY_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#define BW_GLOB_MAX_BYTES 1024

/* NULL when pattern is well formed; else why not (a static string), and
 * *offset where. Empty patterns, unterminated or empty sets, reversed
 * ranges, a trailing "\" and control characters are errors. */
const char *bw_glob_check(const char *pattern, size_t *offset);

/* Matches the whole text; pattern must have passed bw_glob_check(). */
bool bw_glob_match(const char *pattern, const char *text);

#endif
