/*
 * util/json.h: parsing untrusted JSON with bounds, and typed getters.
 *
 * bw_json_parse() checks size and nesting depth before jansson sees the
 * text, rejects duplicate object keys (a signed or digested document with two
 * "config" keys means two things to two readers) and NUL bytes, and reports
 * errors as "WHAT: ..." with BW_EINPUT. The getters return BW_EINPUT with a
 * message naming WHAT and the field when a field has the wrong type.
 */
#ifndef BW_UTIL_JSON_H
#define BW_UTIL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int bw_json_parse(const char *what, const void *data, size_t len, size_t max_len,
		  json_t **out);

/* Optional string field: *out = NULL when absent. */
int bw_json_opt_string(const char *what, json_t *obj, const char *key, const char **out);
/* Required string field. */
int bw_json_string(const char *what, json_t *obj, const char *key, const char **out);
/* Required non-negative integer field. */
int bw_json_uint(const char *what, json_t *obj, const char *key, uint64_t *out);
/* Optional object / array: NULL when absent, error when of another type. */
int bw_json_opt_object(const char *what, json_t *obj, const char *key, json_t **out);
int bw_json_opt_array(const char *what, json_t *obj, const char *key, json_t **out);

#endif
