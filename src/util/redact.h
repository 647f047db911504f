/*
 * util/redact.h: never print a full secret. Image configs carry credentials
 * in ENV, labels and build history (`RUN NPM_TOKEN=... npm ci`); reports show
 * them masked, keeping at most the first and last four characters
 * (DESIGN.md §6): "glpat-oebYaLDmSO8QldgKXTcc" -> "glpa******************XTcc".
 */
#ifndef BW_UTIL_REDACT_H
#define BW_UTIL_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* true when a variable or label name suggests its value is a credential. */
bool bw_secret_name(const char *name, size_t len);

/* Masks value in place (same length; short values become all '*'). */
void bw_mask_value(char *value, size_t len);

/*
 * Copies text to out (outsz bytes, always NUL-terminated, cut if needed) with
 * the value of every NAME=VALUE whose NAME passes bw_secret_name masked; a
 * value runs to the next blank or quote. whole_value: the text is a single
 * assignment (an ENV entry) whose value runs to the end.
 */
void bw_redact(const char *text, bool whole_value, char *out, size_t outsz);

#endif
