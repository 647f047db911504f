/*
 * tests/tools/vercmp.c: bw-vercmp, a test-only driver of src/version (not
 * installed). Reads lines "SCHEME<TAB>A<TAB>B" on stdin and prints, per line,
 * "<", "=" or ">" as bw_version_compare() orders A and B, or "!" when either
 * is invalid. SCHEME is anything bw_version_scheme_for() knows: a scheme name
 * (dpkg, rpm, apk, semver, go, pep440, maven, gem, composer, nuget), an OSV
 * ecosystem or a package type. With -v, a "!" line also carries the error
 * message after a tab. An unknown scheme or a line without two tabs is a usage
 * error (exit 2, one line on stderr naming the line number).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "version/version.h"

int main(int argc, char **argv)
{
	bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	static char outbuf[1 << 16];

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	while ((len = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		char *t1 = memchr(line, '\t', (size_t)len);
		char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(line + len - (t1 + 1))) : NULL;
		if (!t2 || memchr(line, '\0', (size_t)len)) {
			fprintf(stderr, "bw-vercmp: line %lu: want SCHEME<TAB>A<TAB>B\n", lineno);
			free(line);
			return 2;
		}
		*t1 = '\0';
		*t2 = '\0';
		bw_version_scheme scheme = bw_version_scheme_for(line);
		if (scheme == BW_VER_UNKNOWN) {
			fprintf(stderr, "bw-vercmp: line %lu: unknown scheme \"%s\"\n", lineno, line);
			free(line);
			return 2;
		}
		int cmp = 0;
		if (bw_version_compare(scheme, t1 + 1, t2 + 1, &cmp) < 0) {
			if (verbose)
				printf("!\t%s\n", bw_error_last()->message);
			else
				fputs("!\n", stdout);
		} else {
			fputs(cmp < 0 ? "<\n" : cmp > 0 ? ">\n" : "=\n", stdout);
		}
	}
	free(line);
	return fflush(stdout) == 0 ? 0 : 5;
}
