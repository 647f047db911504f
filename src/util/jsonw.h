/*
 * util/jsonw.h: a streaming JSON writer.
 *
 * Reports are written as they are produced, so a file listing of a million
 * entries costs no memory. Strings are escaped, and bytes that are not valid
 * UTF-8 (tar names need not be) are written as U+FFFD so the output is always
 * valid JSON. Write errors are sticky: check bw_jw_error() once at the end.
 */
#ifndef BW_UTIL_JSONW_H
#define BW_UTIL_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BW_JW_MAX_DEPTH 32

typedef struct bw_jsonw {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[BW_JW_MAX_DEPTH];
	bool after_key;
	bool failed;
	bool html_safe; /* also escape < > & (\u003c...): for documents that viewers render in a
	                   browser (SARIF, CycloneDX); set after bw_jw_init */
} bw_jsonw;

void bw_jw_init(bw_jsonw *w, FILE *f, bool pretty);
void bw_jw_object_begin(bw_jsonw *w);
void bw_jw_object_end(bw_jsonw *w);
void bw_jw_array_begin(bw_jsonw *w);
void bw_jw_array_end(bw_jsonw *w);
void bw_jw_key(bw_jsonw *w, const char *key);
void bw_jw_string(bw_jsonw *w, const char *s);
void bw_jw_stringn(bw_jsonw *w, const char *s, size_t len);
void bw_jw_uint(bw_jsonw *w, uint64_t v);
void bw_jw_int(bw_jsonw *w, int64_t v);
/* A number already formatted by the caller (e.g. "9.8"); must be valid JSON. */
void bw_jw_raw_number(bw_jsonw *w, const char *number);
void bw_jw_bool(bw_jsonw *w, bool v);
void bw_jw_null(bw_jsonw *w);
/* Ends the document with a newline; returns 0, or -1 if any write failed. */
int bw_jw_finish(bw_jsonw *w);

/* Shorthands for one member of the current object. A NULL string writes null. */
void bw_jw_kv_string(bw_jsonw *w, const char *key, const char *value);
void bw_jw_kv_uint(bw_jsonw *w, const char *key, uint64_t value);
void bw_jw_kv_bool(bw_jsonw *w, const char *key, bool value);

/* Writes the escaped form of s (without quotes) to f; shared with other
 * writers that need JSON string escaping. */
void bw_json_escape(FILE *f, const char *s, size_t len);

#endif
