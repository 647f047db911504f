/*
 * util/yaml.h: parsing untrusted YAML into jansson values, so that YAML inputs
 * (OSV advisories serialised as YAML, Alpine secdb, policy and ignore files,
 * Kubernetes manifests) go down the same code paths as JSON (util/json.h).
 *
 * The YAML text is read with libyaml's event parser; this module owns the
 * construction of the value and every bound on it. The contract:
 *
 * Scalars. By default every scalar becomes a JSON string, whatever its style
 * or tag, exactly as PyYAML's BaseLoader does: advisory data needs versions
 * such as 1.10 or 0 and dates to stay text. With BW_YAML_TYPED, plain
 * (unquoted, untagged) scalars are resolved by the YAML 1.2 core schema:
 * null/Null/NULL/~/empty -> null, true/false (and the capitalised forms) ->
 * boolean, decimal, 0o octal and 0x hex -> integer (past int64 is an error),
 * floats -> real (.inf and .nan are errors: JSON cannot hold them); quoted and
 * block scalars stay strings. Explicit tags in typed mode must be core ones
 * (!!str !!int !!float !!bool !!null !!seq !!map, or the non-specific "!"),
 * and the value must fit the tag; any other tag is an error. In the default
 * mode tags are ignored, as BaseLoader ignores them.
 *
 * Mapping keys are always JSON strings holding the key's text as written
 * (so "1: a" and "'1': a" are the same key). A duplicate key is an error, as
 * in util/json.c: a document with two "severity" keys means two things to two
 * readers. Keys must be scalars (no "? [a, b]" complex keys, no alias as key)
 * of at most BW_MAX_YAML_KEY_BYTES bytes.
 *
 * Merge keys: a plain "<<" key is an ordinary key in the default mode (as
 * BaseLoader, which does not merge) and an error in typed mode, where YAML 1.1
 * readers such as kubectl would merge and so read a different document.
 *
 * Anchors and aliases are rejected unless BW_YAML_ALLOW_ALIASES is given (the
 * billion-laughs expansion). With it, an alias becomes another reference to
 * its anchored node's jansson value (shared, not copied, so an expansion costs
 * no memory); every node an alias expands to still counts against
 * BW_MAX_YAML_NODES and against the depth bound at the place of the alias, so
 * a caller walking the result visits a bounded number of nodes. Treat a value
 * parsed with aliases as read-only (or json_deep_copy it): changing a shared
 * node changes every place that aliases it.
 * An alias must name a node defined and completed earlier in the same
 * document (no recursion); a repeated anchor name is an error (as in PyYAML).
 *
 * Bounds: len <= max_len; containers nested at most BW_MAX_JSON_DEPTH deep;
 * at most BW_MAX_YAML_NODES nodes in the stream (keys, values and alias
 * expansions); at most BW_MAX_YAML_DOCUMENTS documents. Input is UTF-8 only;
 * a NUL byte, in the text or produced by an escape ("\0"), is an error.
 *
 * Errors: BW_EINPUT with one line "WHAT: line L column C: problem" (1-based),
 * or "WHAT: N bytes, larger than the limit of M"; BW_EINTERNAL when memory
 * runs out. *out is NULL on error; on success the caller owns it (json_decref).
 */
#ifndef BW_UTIL_YAML_H
#define BW_UTIL_YAML_H

#include <jansson.h>
#include <stddef.h>

/* Resolve plain scalars by the YAML 1.2 core schema (policy files). */
#define BW_YAML_TYPED          (1u << 0)
/* Accept anchors and aliases, expanding aliases into copies under the node bound. */
#define BW_YAML_ALLOW_ALIASES  (1u << 1)

/*
 * One-document stream. An empty stream (no document at all) gives JSON null,
 * as PyYAML's yaml.load(''); a second document is an error.
 */
int bw_yaml_parse(const char *what, const void *data, size_t len, size_t max_len,
		  unsigned flags, json_t **out);

/*
 * Multi-document stream ("---" separated): *out_array is a JSON array with one
 * value per document, in order (empty for an empty stream). Anchors do not
 * reach across documents.
 */
int bw_yaml_parse_all(const char *what, const void *data, size_t len, size_t max_len,
		      unsigned flags, json_t **out_array);

#endif
