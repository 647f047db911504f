/*
 * tests/fuzz/fuzz_policy.c: policy files (policy/policy.c over util/yaml.c's
 * line table). A policy is the user's own file, but it is parsed as hostile
 * all the same: every input must load or fail with one BW_EUSAGE line (or
 * BW_EINTERNAL when memory runs out), and what loads is freed in full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bulwark/errors.h"
#include "policy/policy_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_policy *p = NULL;
	int rc = bw_policy__parse(&p, "fuzz.yaml", data, size);

	if (rc == 0) {
		for (size_t i = 0; i < p->n_rules; i++)
			sink += strlen(p->rules[i].name) + p->rules[i].licenses.deny.n + p->rules[i].vulns.ids.n;
		for (size_t i = 0; i < p->n_exceptions; i++)
			sink += strlen(p->exceptions[i].id) + strlen(p->exceptions[i].expires);
		bw_policy_free(p);
	} else {
		if (p) {
			fprintf(stderr, "fuzz_policy: *out set on error\n");
			abort();
		}
		if (rc != BW_EUSAGE && rc != BW_EINTERNAL) {
			fprintf(stderr, "fuzz_policy: error code %d: %s\n", rc, bw_error_last()->message);
			abort();
		}
		if (strchr(bw_error_last()->message, '\n')) {
			fprintf(stderr, "fuzz_policy: an error of more than one line: %s\n", bw_error_last()->message);
			abort();
		}
	}
	bw_error_clear();
	return 0;
}
