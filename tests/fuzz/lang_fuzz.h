/*
 * tests/fuzz/lang_fuzz.h: the body shared by the harnesses of the language
 * package parsers that fill a bw_lang_pkgs (inventory/langpkg.h). A harness
 * lists its parsers and calls lang_fuzz_run(); each parser sees every input.
 */
#ifndef BW_TESTS_LANG_FUZZ_H
#define BW_TESTS_LANG_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/langpkg.h"

typedef int (*lang_parser)(const char *, const char *, size_t, bw_lang_pkgs *);

/* Every package a parser accepts has a non-empty name and version without blanks. */
static void lang_fuzz_check(const bw_lang_pkgs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i].name[0] || !l->v[i].version[0] || strchr(l->v[i].name, ' ') || strchr(l->v[i].version, ' '))
			abort();
		for (size_t k = 0; k < l->v[i].n_licenses; k++)
			if (!l->v[i].licenses[k][0])
				abort();
	}
}

static int lang_fuzz_run(const lang_parser *parsers, size_t n, const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		bw_lang_pkgs l = { 0 };
		int rc = parsers[i]("fuzz", (const char *)data, size, &l);
		if (rc == 0)
			lang_fuzz_check(&l);
		else if (rc != BW_EINPUT && rc != BW_EINTERNAL)
			abort(); /* the parsers promise these codes only */
		bw_lang_pkgs_free(&l);
	}
	return 0;
}

#endif
