/*
 * tests/tools/jsonstream.c: bw-jsonstream, a driver of util/jsonstream.h for
 * the differential test (tests/oracles/jsonstream_diff.py).
 *
 * stdin holds documents framed as "LENGTH\n" + LENGTH bytes. For each, one
 * line on stdout: "OK " + the events ("{@0 K:6b@1 N:1@1 }@0", strings in hex),
 * or "ERR " + the message. Each document is parsed whole, one byte at a time,
 * and (when at most -s bytes) split in two at every offset; any disagreement
 * between those prints "MISMATCH" instead, since chunking must not matter.
 * Options: -d MAX_DEPTH, -l MAX_STRING, -n MAX_NUMBER, -f FLAGS, -s SPLIT_MAX.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "util/buf.h"
#include "util/jsonstream.h"

typedef struct out {
	char *s;
	size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->s = realloc(o->s, o->cap);
		if (!o->s)
			abort();
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static int on_event(void *ctx, const bw_js_event *ev)
{
	static const char *const names[] = { "", "{", "}", "[", "]", "K:", "S:", "N:", "T", "F", "Z" };
	out *o = ctx;
	char tmp[32];
	if (o->len)
		put(o, " ", 1);
	put(o, names[ev->type], strlen(names[ev->type]));
	if (ev->type == BW_JS_KEY || ev->type == BW_JS_STRING) {
		for (size_t i = 0; i < ev->len; i++) {
			snprintf(tmp, sizeof(tmp), "%02x", (unsigned char)ev->text[i]);
			put(o, tmp, 2);
		}
		if (ev->text[ev->len] != '\0')
			abort(); /* the contract: NUL-terminated */
	} else if (ev->type == BW_JS_NUMBER) {
		put(o, ev->text, ev->len);
	}
	snprintf(tmp, sizeof(tmp), "@%zu", ev->depth);
	put(o, tmp, strlen(tmp));
	return 0;
}

/* Parses doc in pieces cut at cuts[0..n); returns the canonical result (malloc'd). */
static char *run(const bw_js_limits *lim, const char *doc, size_t len, const size_t *cuts, size_t n)
{
	out o = { 0 };
	put(&o, "", 0);
	bw_js_parser *p = bw_js_new("doc", lim, on_event, &o);
	if (!p)
		abort();
	int rc = 0;
	size_t at = 0;
	for (size_t i = 0; i <= n && rc == 0; i++) {
		size_t end = i < n ? cuts[i] : len;
		rc = bw_js_feed(p, doc + at, end - at);
		at = end;
	}
	if (rc == 0)
		rc = bw_js_finish(p);
	bw_js_free(p);
	char *r;
	size_t rn;
	if (rc == 0) {
		rn = o.len + 4;
		if (!(r = malloc(rn)))
			abort();
		snprintf(r, rn, "OK %s", o.s);
	} else {
		/* the message, without its offset: a byte-wise feed may stop at the same byte anyway */
		const char *m = bw_error_last()->message;
		rn = strlen(m) + 5;
		if (!(r = malloc(rn)))
			abort();
		snprintf(r, rn, "ERR %s", m);
		if (rc != BW_EINPUT)
			abort();
	}
	free(o.s);
	return r;
}

int main(int argc, char **argv)
{
	bw_js_limits lim = { 0 };
	size_t split_max = 256;
	int opt;
	while ((opt = getopt(argc, argv, "d:l:n:f:s:")) != -1) {
		switch (opt) {
		case 'd': lim.max_depth = strtoul(optarg, NULL, 10); break;
		case 'l': lim.max_string = strtoul(optarg, NULL, 10); break;
		case 'n': lim.max_number = strtoul(optarg, NULL, 10); break;
		case 'f': lim.flags = (unsigned)strtoul(optarg, NULL, 0); break;
		case 's': split_max = strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	size_t len;
	while (scanf("%zu", &len) == 1) {
		if (getchar() != '\n' || len > 64u << 20)
			return 2;
		char *doc = malloc(len + 1);
		size_t *cuts = malloc((len + 1) * sizeof(*cuts));
		if (!doc || !cuts || fread(doc, 1, len, stdin) != len)
			return 2;
		char *whole = run(&lim, doc, len, NULL, 0);
		bool same = true;
		for (size_t i = 0; i < len; i++)
			cuts[i] = i + 1;
		char *bytewise = run(&lim, doc, len, cuts, len ? len - 1 : 0);
		same = (strncmp(whole, "OK", 2) == 0) == (strncmp(bytewise, "OK", 2) == 0) &&
		       (whole[0] == 'E' || !strcmp(whole, bytewise));
		free(bytewise);
		for (size_t k = 1; same && len <= split_max && k < len; k++) {
			char *two = run(&lim, doc, len, &k, 1);
			same = (whole[0] == 'E') == (two[0] == 'E') && (whole[0] == 'E' || !strcmp(whole, two));
			free(two);
		}
		if (same)
			printf("%s\n", whole);
		else
			printf("MISMATCH\n");
		free(whole);
		free(doc);
		free(cuts);
	}
	return 0;
}
