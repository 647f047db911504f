/*
 * tests/fuzz/fuzz_passwd.c: the account-file parsers (misconfig/accounts.c):
 * /etc/passwd, /etc/group, /etc/shadow and sudoers. The first byte picks the
 * parser and whether the text is the cut start of a larger file; the rest is
 * the file. Every input must parse (only BW_EINTERNAL may fail), keep at most
 * BW_ACCOUNTS_MAX_ENTRIES entries, warn in at most one line, and every
 * entry's strings must be whole (no NUL inside, as they came from the text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bulwark/errors.h"
#include "misconfig/misconfig_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_accounts a = { 0 };
	char warn[512];
	int rc;

	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	bool truncated = data[0] & 0x10;
	switch (data[0] & 3) {
	case 0: rc = bw_accounts__passwd(&a, text, len, truncated, warn, sizeof(warn)); break;
	case 1: rc = bw_accounts__group(&a, text, len, truncated, warn, sizeof(warn)); break;
	case 2: rc = bw_accounts__shadow(&a, text, len, truncated, warn, sizeof(warn)); break;
	default: rc = bw_accounts__sudoers(&a, "/etc/sudoers", text, len, truncated, warn, sizeof(warn)); break;
	}
	if (rc < 0 && rc != BW_EINTERNAL) {
		fprintf(stderr, "fuzz_passwd: error %d\n", rc);
		abort();
	}
	if (strchr(warn, '\n') || a.n_pw > BW_ACCOUNTS_MAX_ENTRIES || a.n_gr > BW_ACCOUNTS_MAX_ENTRIES ||
	    a.n_sp > BW_ACCOUNTS_MAX_ENTRIES || a.n_sudo > BW_ACCOUNTS_MAX_ENTRIES) {
		fprintf(stderr, "fuzz_passwd: bounds or warning broken\n");
		abort();
	}
	for (size_t i = 0; i < a.n_pw; i++) {
		if (strchr(a.pw[i].name, ':')) {
			fprintf(stderr, "fuzz_passwd: bad user name\n");
			abort();
		}
		sink += a.pw[i].uid + strlen(a.pw[i].shell) + (bw_accounts__user(&a, a.pw[i].name, strlen(a.pw[i].name)) != NULL);
	}
	for (size_t i = 0; i < a.n_sp; i++) {
		const char *scheme;
		sink += bw_accounts__hash_kind(a.sp[i].hash, &scheme) + strlen(scheme);
	}
	for (size_t i = 0; i < a.n_sudo; i++)
		sink += a.sudo[i].nopasswd + strlen(a.sudo[i].text);
	for (size_t i = 0; i < a.n_gr; i++)
		sink += strlen(a.gr[i].members);
	bw_accounts__free(&a);
	bw_error_clear();
	return 0;
}
