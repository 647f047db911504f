/*
 * tests/fuzz/fuzz_dockerfile.c: the Dockerfile parser and lint rules
 * (misconfig/dockerfile.c). Any bytes must parse within the bounds, lint
 * without a crash, leave at most one one-line warning, and free in full;
 * every finding must carry an id of the check table and a line inside the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bulwark/errors.h"
#include "misconfig/misconfig_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_dockerfile df;
	bw_misconfigs *m = bw_misconfigs__new("dockerfile");
	size_t lines = 1;

	if (!m)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	int rc = bw_dockerfile__parse(&df, (const char *)data, size);
	if (rc == 0)
		rc = bw_dockerfile__lint(m, &df, "Dockerfile");
	if (rc < 0 && rc != BW_EINTERNAL) {
		fprintf(stderr, "fuzz_dockerfile: error %d: %s\n", rc, bw_error_last()->message);
		abort();
	}
	if (strchr(df.warning, '\n')) {
		fprintf(stderr, "fuzz_dockerfile: a warning of more than one line\n");
		abort();
	}
	for (size_t i = 0; i < df.n; i++)
		if (df.v[i].line == 0 || df.v[i].line > lines || !df.v[i].keyword[0]) {
			fprintf(stderr, "fuzz_dockerfile: instruction %zu has line %u of %zu\n", i, df.v[i].line, lines);
			abort();
		}
	for (size_t i = 0; i < bw_misconfigs_count(m); i++) {
		const bw_misconfig *x = bw_misconfigs_at(m, i);
		if (!bw_misconfig_check_find(x->id) || strncmp(x->id, "BW-DF-", 6) || x->line > lines ||
		    strchr(x->evidence, '\n')) {
			fprintf(stderr, "fuzz_dockerfile: bad finding %s line %u\n", x->id, x->line);
			abort();
		}
	}
	bw_dockerfile__free(&df);
	bw_misconfigs_free(m);
	bw_error_clear();
	return 0;
}
