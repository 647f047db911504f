/*
 * tests/fuzz/fuzz_secrets.c: the secret scanner on arbitrary content, and the
 * YAML rule file (--secret-config) loader. The first byte picks the target:
 *   even: the bytes after it are a file, fed to the engine in pieces whose sizes
 *         come from the input too (so matches straddle chunks); every hit must be
 *         redacted (at most SECRETS_REDACTED_MAX bytes, stars in the middle), on a
 *         line that exists, with a span inside the file;
 *   odd:  the bytes are a rule file: it loads, or fails with one BW_EUSAGE line
 *         (BW_EINTERNAL when memory runs out), and what loads is freed in full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "bulwark/secrets.h"
#include "secrets/secrets_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static secret_engine *eng;
static secret_scanner *sc;

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_secrets: %s\n", why);
	abort();
}

static void scan(const uint8_t *data, size_t size)
{
	const secret_hit *hits;
	size_t n, lines = 1;

	if (bw_secret_scanner_begin(sc, "/fuzz/file") < 0)
		fail("begin failed");
	/* piece sizes: the first two bytes, so the fuzzer explores chunk boundaries */
	size_t piece = size >= 2 ? (size_t)(data[0] | data[1] << 8) % 4096 + 1 : 1;
	for (size_t off = 0; off < size; off += piece)
		if (bw_secret_scanner_feed(sc, data + off, size - off < piece ? size - off : piece) < 0)
			fail(bw_error_last()->message);
	if (bw_secret_scanner_end(sc, &hits, &n) < 0)
		fail(bw_error_last()->message);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (size_t i = 0; i < n; i++) {
		const secret_hit *h = &hits[i];
		size_t mlen = strlen(h->match), slen = (size_t)(h->end - h->start);
		if (h->line < 1 || h->line > lines)
			fail("a hit on a line that does not exist");
		if (h->start >= h->end || h->end > size)
			fail("a hit outside the file");
		if (mlen > SECRETS_REDACTED_MAX || mlen != (slen < SECRETS_REDACTED_MAX ? slen : SECRETS_REDACTED_MAX))
			fail("a redacted match of the wrong length");
		if (slen >= 8 && !strchr(h->match, '*'))
			fail("a match of 8 or more characters without a star");
		if (slen > 12 && memmem(h->match, mlen, data + h->start, 9))
			fail("9 characters of a secret in a row in its redacted form");
		if (h->rule >= bw_secret_engine_rules(eng))
			fail("a hit of a rule that does not exist");
	}
}

static void config(const uint8_t *data, size_t size)
{
	bw_secrets_config *cfg = NULL;
	int rc = bw_secrets_config_parse(&cfg, "fuzz.yaml", data, size);
	if (rc == 0) {
		bw_secrets_config_free(cfg);
		return;
	}
	if (cfg)
		fail("*out set on error");
	if (rc != BW_EUSAGE && rc != BW_EINTERNAL) {
		fprintf(stderr, "fuzz_secrets: error code %d: %s\n", rc, bw_error_last()->message);
		abort();
	}
	if (strchr(bw_error_last()->message, '\n'))
		fail("an error of more than one line");
}

/* Compiling every rule takes a while (seconds under ASan): once, before the first input,
 * outside the per-input timeout. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (bw_secret_engine_new(&eng, NULL, 0) < 0 || bw_secret_scanner_new(&sc, eng) < 0)
		fail("cannot set up the engine");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		config(data + 1, size - 1);
	else
		scan(data + 1, size - 1);
	bw_error_clear();
	return 0;
}
