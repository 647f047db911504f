/*
 * tests/fuzz/fuzz_jsonstream.c: util/jsonstream.h, the incremental JSON parser.
 *
 * The first byte picks a chunk size (1-256), the rest is the document. It is
 * parsed whole and in chunks of that size: the outcome and the events (a
 * hash of them) must be the same, since chunking must not matter. With the
 * flags that make it as strict as jansson's defaults (\u0000 rejected,
 * object or array at the top, duplicates rejected), it must accept exactly
 * what json_loadb(JSON_REJECT_DUPLICATES) accepts, except where the two are
 * meant to differ: jansson refuses numbers out of its integer/double range
 * (ours are text) and nests to 2048 levels (ours to the limit given).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "util/jsonstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hash_event(void *ctx, const bw_js_event *ev)
{
	uint64_t *h = ctx;
	*h = (*h ^ (uint64_t)ev->type) * 1099511628211ULL;
	*h = (*h ^ (uint64_t)ev->depth) * 1099511628211ULL;
	for (size_t i = 0; i < ev->len; i++)
		*h = (*h ^ (uint8_t)ev->text[i]) * 1099511628211ULL;
	if (ev->text && ev->text[ev->len] != '\0')
		abort();
	return 0;
}

static int run(const uint8_t *doc, size_t len, size_t chunk, const bw_js_limits *lim, uint64_t *h)
{
	*h = 1469598103934665603ULL;
	bw_js_parser *p = bw_js_new("fuzz", lim, hash_event, h);
	if (!p)
		return BW_EINTERNAL;
	int rc = 0;
	for (size_t at = 0; at < len && rc == 0; at += chunk)
		rc = bw_js_feed(p, doc + at, len - at < chunk ? len - at : chunk);
	if (rc == 0)
		rc = bw_js_finish(p);
	bw_js_free(p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)data[0] + 1;
	const uint8_t *doc = data + 1;
	size_t len = size - 1;
	bw_js_limits lim = { .max_depth = 64, .max_string = 1u << 20, .max_number = 1u << 16,
			     .flags = BW_JS_REJECT_NUL | BW_JS_CONTAINER_TOP };
	uint64_t h1, h2;
	int whole = run(doc, len, len ? len : 1, &lim, &h1);
	int chunked = run(doc, len, chunk, &lim, &h2);
	if (whole != chunked || (whole == 0 && h1 != h2))
		abort();
	bool ours_limit = whole < 0 && strstr(bw_error_last()->message, "nested deeper");

	/* bw_json_parse refuses NUL bytes before jansson sees them (jansson takes some, e.g. "[1\0]") */
	if (memchr(doc, '\0', len)) {
		if (whole == 0)
			abort();
		return 0;
	}
	json_error_t jerr;
	json_t *j = json_loadb((const char *)doc, len, JSON_REJECT_DUPLICATES, &jerr);
	bool range = !j && (strstr(jerr.text, "too big") || strstr(jerr.text, "overflow"));
	if (!range && !ours_limit && (whole == 0) != (j != NULL))
		abort();
	json_decref(j);

	/* the default (RFC 8259) settings and small limits: no crash, same both ways */
	bw_js_limits small = { .max_depth = 4, .max_string = 16, .max_number = 8, .max_events = 64 };
	whole = run(doc, len, len ? len : 1, &small, &h1);
	chunked = run(doc, len, chunk, &small, &h2);
	if (whole != chunked || (whole == 0 && h1 != h2))
		abort();
	return 0;
}
