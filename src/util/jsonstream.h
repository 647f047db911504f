/*
 * util/jsonstream.h: an incremental (push) JSON parser for documents too
 * large to hold as a tree: a 100 MB package-lock.json, a 1,000,000-component
 * SBOM. The caller feeds chunks as they arrive; the parser calls back once
 * per event (object/array start and end, key, string, number, true, false,
 * null) and keeps only a container stack, one string or number being read,
 * and the keys of the objects still open. Memory never depends on the size
 * of the document, only on the limits below.
 *
 * Strict RFC 8259: any value at the top (unless BW_JS_CONTAINER_TOP), only
 * the four whitespace bytes, no BOM, no comments, no trailing commas, no
 * leading zeros, no NaN/Infinity, UTF-8 validated (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), control bytes in strings rejected, and
 * \u escapes must pair surrogates. Duplicate keys in one object are REJECTED
 * (as bw_json_parse does: a document whose "version" says two things means
 * two things to two readers) unless BW_JS_ALLOW_DUPLICATES.
 *
 * Errors: BW_EINPUT with "WHAT: invalid JSON: ... at offset N" (or the
 * limit exceeded), BW_EINTERNAL on ENOMEM, or whatever negative code the
 * callback returned (it sets the error itself). After an error every further
 * call returns the same code.
 */
#ifndef BW_UTIL_JSONSTREAM_H
#define BW_UTIL_JSONSTREAM_H

#include <stddef.h>
#include <stdint.h>

typedef enum bw_js_type {
	BW_JS_OBJECT_START = 1,
	BW_JS_OBJECT_END,
	BW_JS_ARRAY_START,
	BW_JS_ARRAY_END,
	BW_JS_KEY,
	BW_JS_STRING,
	BW_JS_NUMBER,
	BW_JS_TRUE,
	BW_JS_FALSE,
	BW_JS_NULL,
} bw_js_type;

typedef struct bw_js_event {
	bw_js_type type;
	/*
	 * KEY, STRING: the decoded UTF-8 bytes, NUL-terminated; they may hold a
	 * NUL of their own (from \u0000) unless BW_JS_REJECT_NUL, so use len.
	 * NUMBER: the text as written (RFC 8259 grammar). Else NULL / 0.
	 * Valid only during the callback.
	 */
	const char *text;
	size_t len;
	/*
	 * Containers open around this event, not counting the one it starts or
	 * ends: the top-level value has depth 0, and an object's keys and its
	 * values (scalars or the starts of containers) have the object's depth + 1.
	 */
	size_t depth;
} bw_js_event;

/*
 * Returns 0 to go on, or a negative BW_E* code (after bw_error_set) to stop.
 * For an OBJECT_START it may return BW_JS_OWN_KEYS: the caller checks that
 * object's keys for duplicates itself (it keeps them anyway: a lock file's
 * 400,000 package paths), and the parser keeps no copy of them.
 */
typedef int (*bw_js_callback)(void *ctx, const bw_js_event *ev);
#define BW_JS_OWN_KEYS 1

enum {
	BW_JS_ALLOW_DUPLICATES = 1u << 0, /* do not track keys (no memory for them either) */
	BW_JS_REJECT_NUL = 1u << 1,       /* reject \u0000 (as jansson does by default) */
	BW_JS_CONTAINER_TOP = 1u << 2,    /* the top-level value must be an object or array */
};

typedef struct bw_js_limits {
	size_t max_depth;    /* open containers; 0: BW_MAX_JSON_DEPTH */
	size_t max_string;   /* decoded bytes of one string or key; 0: 1 MiB */
	size_t max_number;   /* characters of one number; 0: 256 */
	uint64_t max_events; /* events in the document; 0: 100,000,000 */
	unsigned flags;      /* BW_JS_* */
} bw_js_limits;

typedef struct bw_js_parser bw_js_parser;

/* what names the input in messages (kept by reference); lim may be NULL (all defaults). NULL on ENOMEM. */
bw_js_parser *bw_js_new(const char *what, const bw_js_limits *lim, bw_js_callback cb, void *ctx);
/* Feeds the next len bytes: 0, or a negative code. Events are delivered during the call. */
int bw_js_feed(bw_js_parser *p, const void *data, size_t len);
/* End of input: 0 when exactly one complete value was read (trailing whitespace only). */
int bw_js_finish(bw_js_parser *p);
/* Bytes consumed so far (for messages). */
uint64_t bw_js_offset(const bw_js_parser *p);
void bw_js_free(bw_js_parser *p);

/* new + one feed + finish + free. */
int bw_js_parse(const char *what, const void *data, size_t len, const bw_js_limits *lim, bw_js_callback cb,
		void *ctx);

#endif
