/*
 * util/yaml_scan.h: where the scalars of a YAML stream are, byte for byte, so
 * that a caller can rewrite one value in place and keep every other byte
 * (comments, quoting, indentation) as written. bulwark pin uses it to replace
 * image tags with digests in Kubernetes and compose files.
 *
 * The stream is read with libyaml's event parser (as util/yaml.c does); no
 * value is built. For every scalar that is a value (not a mapping key) the
 * callback sees its path from the document root, its text, its byte range in
 * the input (quotes included for a quoted scalar), its style and its line.
 *
 * Hostile input: anchors and aliases are refused (a "billion laughs" file is an
 * error at its first anchor), containers nest at most BW_MAX_JSON_DEPTH deep,
 * at most BW_MAX_YAML_NODES nodes and BW_MAX_YAML_DOCUMENTS documents, keys at
 * most BW_MAX_YAML_KEY_BYTES, complex keys refused, input UTF-8 only and at
 * most max_len bytes. Errors: BW_EINPUT "WHAT: line L: problem".
 */
#ifndef BW_UTIL_YAML_SCAN_H
#define BW_UTIL_YAML_SCAN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum bw_yaml_style {
	BW_YAML_PLAIN, BW_YAML_SINGLE_QUOTED, BW_YAML_DOUBLE_QUOTED, BW_YAML_LITERAL, BW_YAML_FOLDED,
} bw_yaml_style;

/* One step of a path: a mapping key, or (key NULL) a sequence index. */
typedef struct bw_yaml_seg {
	const char *key;
	size_t index;
} bw_yaml_seg;

typedef struct bw_yaml_scalar {
	size_t document;          /* 0-based */
	const bw_yaml_seg *path;  /* path[0..depth): from the root to this value */
	size_t depth;
	const char *value;        /* the scalar's text (escapes resolved), NUL-terminated */
	size_t value_len;
	size_t start, end;        /* byte range in the input */
	size_t line;              /* 1-based */
	bw_yaml_style style;
} bw_yaml_scalar;

/* Calls fn for every scalar value in document order; fn's non-zero return
 * stops the walk and is returned. */
int bw_yaml_scan_scalars(const char *what, const void *data, size_t len, size_t max_len,
			 int (*fn)(const bw_yaml_scalar *s, void *ctx), void *ctx);

#endif
