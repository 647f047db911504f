#include <string.h>

#include "bulwark/errors.h"
#include "util/json.h"
#include "util/limits.h"

/*
 * Walks the text once to find the deepest nesting, skipping strings. jansson
 * has its own recursion limit (2048), which is far more than any image format
 * needs; checking first keeps the parser's stack and the error message ours.
 */
static int check_depth(const char *what, const unsigned char *p, size_t len)
{
	size_t depth = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c == '\0')
			return bw_error_set(BW_EINPUT, "%s: NUL byte at offset %zu", what, i);
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > BW_MAX_JSON_DEPTH)
				return bw_error_set(BW_EINPUT,
						    "%s: JSON nested deeper than %d levels at offset %zu",
						    what, BW_MAX_JSON_DEPTH, i);
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

int bw_json_parse(const char *what, const void *data, size_t len, size_t max_len, json_t **out)
{
	json_error_t jerr;
	json_t *root;

	*out = NULL;
	if (len > max_len)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than the limit of %zu", what,
				    len, max_len);
	if (check_depth(what, data, len) < 0)
		return BW_EINPUT;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (strstr(jerr.text, "duplicate object key"))
			return bw_error_set(BW_EINPUT, "%s: %s (line %d)", what, jerr.text, jerr.line);
		return bw_error_set(BW_EINPUT, "%s: invalid JSON: %s (line %d, column %d)", what,
				    jerr.text, jerr.line, jerr.column);
	}
	*out = root;
	return 0;
}

int bw_json_opt_string(const char *what, json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bw_error_set(BW_EINPUT, "%s: field \"%s\" is not a string", what, key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bw_error_set(BW_EINPUT, "%s: field \"%s\" contains a NUL byte", what, key);
	*out = json_string_value(v);
	return 0;
}

int bw_json_string(const char *what, json_t *obj, const char *key, const char **out)
{
	if (bw_json_opt_string(what, obj, key, out) < 0)
		return BW_EINPUT;
	if (!*out)
		return bw_error_set(BW_EINPUT, "%s: missing field \"%s\"", what, key);
	return 0;
}

int bw_json_uint(const char *what, json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return bw_error_set(BW_EINPUT, "%s: missing field \"%s\"", what, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bw_error_set(BW_EINPUT, "%s: field \"%s\" is not a non-negative integer",
				    what, key);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int bw_json_opt_object(const char *what, json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bw_error_set(BW_EINPUT, "%s: field \"%s\" is not an object", what, key);
	*out = v;
	return 0;
}

int bw_json_opt_array(const char *what, json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bw_error_set(BW_EINPUT, "%s: field \"%s\" is not an array", what, key);
	*out = v;
	return 0;
}
