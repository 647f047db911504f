/*
 * tests/fuzz/fuzz_pin.c: the finders of bulwark pin (src/pin/find.c over
 * util/yaml_scan.c) on hostile YAML, Dockerfile and compose text, and the
 * rewrite that follows them.
 *
 * The input is read both as YAML and as a Dockerfile. Beyond the sanitizers,
 * the harness checks the promises of bulwark/pin.h and aborts with a
 * "fuzz_pin: ..." line when one is broken:
 *   - the return code is 0, BW_EINPUT or BW_EINTERNAL; an error is one line
 *     naming the input;
 *   - every reported range lies inside the input, ranges come in order and do
 *     not overlap; an in-place reference's bytes are exactly its text, and
 *     every reference (not a build-argument one) passes bw_pin_check_reference;
 *   - replacing every in-place reference and diffing old against new works,
 *     and the new text is the old one outside the ranges.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "bulwark/pin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1024 * 1024)
#define MAX_EDITS 256

static void broken(const char *why)
{
	fprintf(stderr, "fuzz_pin: %s\n", why);
	abort();
}

typedef struct state {
	const uint8_t *data;
	size_t size, last_end, n;
	bw_pin_edit edits[MAX_EDITS];
} state;

static int seen(const bw_pin_ref *r, void *arg)
{
	state *s = arg;

	if (r->start > r->end || r->end > s->size)
		broken("a range outside the input");
	if (r->start < s->last_end)
		broken("ranges out of order or overlapping");
	s->last_end = r->end;
	if (r->in_place) {
		size_t n = strlen(r->reference);
		if (r->end - r->start != n || memcmp(s->data + r->start, r->reference, n))
			broken("an in-place reference whose bytes are not its text");
		if (s->n < MAX_EDITS) {
			s->edits[s->n].start = r->start;
			s->edits[s->n].end = r->end;
			s->edits[s->n].text = "example.com/pinned:1@sha256:0000";
			s->n++;
		}
	}
	if (!r->variable && bw_pin_check_reference("again", 1, r->reference) != 0)
		broken("a reported reference fails the reference check");
	return 0;
}

static void run(const uint8_t *data, size_t size, bw_pin_kind kind)
{
	state s = { .data = data, .size = size };
	int rc = bw_pin_find("fuzz pin", data, size, kind, seen, &s);

	if (rc != 0) {
		const char *msg = bw_error_last()->message;
		if (rc != BW_EINPUT && rc != BW_EINTERNAL)
			broken("unexpected return code");
		if (strncmp(msg, "fuzz pin", 8) != 0 || strchr(msg, '\n'))
			broken("error message not one line naming the input");
		return;
	}
	char *out, *diff;
	size_t out_len, diff_len;
	if (bw_pin_apply("fuzz pin", data, size, s.edits, s.n, &out, &out_len) != 0)
		broken("apply failed on the finder's own ranges");
	if (s.n == 0 && (out_len != size || memcmp(out, data, size)))
		broken("apply without edits changed the text");
	if (bw_pin_unified_diff("fuzz", (const char *)data, size, out, out_len, &diff, &diff_len) != 0)
		broken("diff failed");
	if ((diff_len == 0) != (out_len == size && !memcmp(out, data, size)))
		broken("an empty diff for different texts, or a diff for equal ones");
	free(diff);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	run(data, size, BW_PIN_YAML);
	run(data, size, BW_PIN_DOCKERFILE);
	bw_error_clear();
	return 0;
}
