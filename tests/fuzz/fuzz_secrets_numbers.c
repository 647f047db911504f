/*
 * tests/fuzz/fuzz_secrets_numbers.c: differential fuzzing of src/secrets/numbers.c
 * (credit-card, us-ssn and iban candidates without Hyperscan) against the regex path
 * (the three rules as Hyperscan expressions, SECRET_ENGINE_ALL_REGEX). The first byte
 * picks the piece size (low 6 bits: 1 to 63 bytes, or 4096) and the digit search
 * (top 2 bits: scalar, SSE2, AVX2 when the CPU has it, the default); the rest is
 * the file. Both engines must hand the same
 * multiset of candidates (rule, end offset) to the validators and end with the same
 * hits; any difference aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "secrets/secrets_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_CAND 65536

typedef struct trace {
	struct { uint64_t end, rule; } c[MAX_CAND];
	size_t n;
	bool overflow;
} trace;

static secret_engine *eng_new, *eng_re;
static secret_scanner *sc_new, *sc_re;
static trace t_new, t_re;
static secret_hit hits_new[SECRETS_MAX_PER_FILE];

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_secrets_numbers: %s\n", why);
	abort();
}

static void on_cand(void *arg, unsigned rule, uint64_t end)
{
	trace *t = arg;
	if (t->n == MAX_CAND) {
		t->overflow = true;
		return;
	}
	t->c[t->n].end = end;
	t->c[t->n].rule = rule;
	t->n++;
}

static int cmp_cand(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y; /* end, then rule */
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

static size_t scan(secret_scanner *sc, trace *t, const uint8_t *data, size_t size, size_t piece,
		   const secret_hit **hits)
{
	size_t n;
	t->n = 0;
	t->overflow = false;
	if (bw_secret_scanner_begin(sc, "/fuzz/file") < 0)
		fail("begin failed");
	for (size_t off = 0; off < size; off += piece)
		if (bw_secret_scanner_feed(sc, data + off, size - off < piece ? size - off : piece) < 0)
			fail(bw_error_last()->message);
	if (bw_secret_scanner_end(sc, hits, &n) < 0)
		fail(bw_error_last()->message);
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (bw_secret_engine_new(&eng_new, NULL, 0) < 0 || bw_secret_scanner_new(&sc_new, eng_new) < 0 ||
	    bw_secret_engine_new_ex(&eng_re, NULL, 0, SECRET_ENGINE_ALL_REGEX) < 0 ||
	    bw_secret_scanner_new(&sc_re, eng_re) < 0)
		fail("cannot set up the engines");
	bw_secret_scanner_trace(sc_new, on_cand, &t_new);
	bw_secret_scanner_trace(sc_re, on_cand, &t_re);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const secret_hit *hits;
	if (size == 0)
		return 0;
	size_t piece = (data[0] & 0x3f) == 0x3f ? 4096 : (size_t)(data[0] & 0x3f) + 1;
	int impl = data[0] >> 6;
#if defined(__x86_64__)
	if (impl == 2 && !__builtin_cpu_supports("avx2"))
		impl = 1;
#endif
	bw_secret_numscan_impl = impl == 3 ? -1 : impl;
	data++;
	size--;
	size_t n_new = scan(sc_new, &t_new, data, size, piece, &hits);
	memcpy(hits_new, hits, n_new * sizeof(*hits));
	size_t n_re = scan(sc_re, &t_re, data, size, piece, &hits);
	if (t_new.overflow || t_re.overflow)
		return 0;
	qsort(t_new.c, t_new.n, sizeof(t_new.c[0]), cmp_cand);
	qsort(t_re.c, t_re.n, sizeof(t_re.c[0]), cmp_cand);
	if (t_new.n != t_re.n || memcmp(t_new.c, t_re.c, t_new.n * sizeof(t_new.c[0])))
		fail("numbers.c and the regex path hand different candidates to the validators");
	if (n_new != n_re)
		fail("numbers.c and the regex path find a different number of hits");
	for (size_t i = 0; i < n_new; i++)
		if (hits_new[i].rule != hits[i].rule || hits_new[i].line != hits[i].line ||
		    hits_new[i].start != hits[i].start || hits_new[i].end != hits[i].end ||
		    strcmp(hits_new[i].match, hits[i].match))
			fail("numbers.c and the regex path find different hits");
	return 0;
}
