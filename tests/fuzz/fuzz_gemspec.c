/* libFuzzer harness: the gemspec and Gemfile.lock parsers (inventory/ruby.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "inventory/ruby.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every package a parser accepts has a non-empty name and version without blanks. */
static void check(const bw_lang_pkgs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i].name[0] || !l->v[i].version[0] || strchr(l->v[i].name, ' ') || strchr(l->v[i].version, ' '))
			abort();
		for (size_t k = 0; k < l->v[i].n_licenses; k++)
			if (!l->v[i].licenses[k][0])
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int (*const parsers[])(const char *, const char *, size_t, bw_lang_pkgs *) = {
		bw_ruby_parse_gemspec,
		bw_ruby_parse_gemfile_lock,
	};
	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		bw_lang_pkgs l = { 0 };
		int rc = parsers[i]("fuzz", (const char *)data, size, &l);
		if (rc == 0)
			check(&l);
		else if (rc != BW_EINPUT && rc != BW_EINTERNAL)
			abort(); /* the parsers promise these codes only */
		bw_lang_pkgs_free(&l);
	}
	return 0;
}
