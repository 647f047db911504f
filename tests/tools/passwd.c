/*
 * tests/tools/passwd.c: bw-passwd, a test-only driver of misconfig/accounts.c
 * (not installed). `bw-passwd passwd|group|shadow|sudoers FILE` parses FILE
 * as that kind and prints one line per entry kept, tab-separated:
 *   passwd: line name uid gid home shell      group: line name gid members
 *   shadow: line name hash hash-kind           sudoers: line nopasswd(0|1)
 * then the warning, if any, as "warning<TAB>...". For differential tests
 * against an independent reading of the same file (tests/integration/misconfig.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "misconfig/misconfig_int.h"
#include "util/buf.h"

int main(int argc, char **argv)
{
	bw_buf b = BW_BUF_INIT(64u << 20);
	bw_accounts a = { 0 };
	char warn[512] = "";
	int rc;

	if (argc != 3) {
		fputs("usage: bw-passwd passwd|group|shadow|sudoers FILE\n", stderr);
		return 2;
	}
	if (bw_buf_read_file(&b, argv[2], BW_EINPUT, "an account file") < 0) {
		fprintf(stderr, "bw-passwd: %s\n", bw_error_last()->message);
		return 3;
	}
	const char *t = b.data ? (const char *)b.data : "";
	if (!strcmp(argv[1], "passwd"))
		rc = bw_accounts__passwd(&a, t, b.len, false, warn, sizeof(warn));
	else if (!strcmp(argv[1], "group"))
		rc = bw_accounts__group(&a, t, b.len, false, warn, sizeof(warn));
	else if (!strcmp(argv[1], "shadow"))
		rc = bw_accounts__shadow(&a, t, b.len, false, warn, sizeof(warn));
	else if (!strcmp(argv[1], "sudoers"))
		rc = bw_accounts__sudoers(&a, "sudoers", t, b.len, false, warn, sizeof(warn));
	else {
		fprintf(stderr, "bw-passwd: unknown kind %s\n", argv[1]);
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "bw-passwd: %s\n", bw_error_last()->message);
		return 5;
	}
	static const char *const kinds[] = { "locked", "empty", "weak", "ok" };
	for (size_t i = 0; i < a.n_pw; i++)
		printf("%u\t%s\t%u\t%u\t%s\t%s\n", a.pw[i].line, a.pw[i].name, a.pw[i].uid, a.pw[i].gid, a.pw[i].home,
		       a.pw[i].shell);
	for (size_t i = 0; i < a.n_gr; i++)
		printf("%u\t%s\t%u\t%s\n", a.gr[i].line, a.gr[i].name, a.gr[i].gid, a.gr[i].members);
	for (size_t i = 0; i < a.n_sp; i++) {
		const char *scheme;
		printf("%u\t%s\t%s\t%s\n", a.sp[i].line, a.sp[i].name, a.sp[i].hash,
		       kinds[bw_accounts__hash_kind(a.sp[i].hash, &scheme)]);
	}
	for (size_t i = 0; i < a.n_sudo; i++)
		printf("%u\t%d\n", a.sudo[i].line, a.sudo[i].nopasswd);
	if (warn[0])
		printf("warning\t%s\n", warn);
	bw_accounts__free(&a);
	bw_buf_free(&b);
	return 0;
}
