/*
 * tests/fuzz/fuzz_version.c: the version orderings of src/version.
 *
 * The first byte picks the scheme (modulo the ten), the rest splits at the
 * first NUL into two strings a and b (no NUL: b is a copy of a with its last
 * byte dropped). Each string goes through bw_version_valid() and
 * bw_version_compare() must agree with it; then the ordering must be
 * reflexive (cmp(a,a) == 0) and antisymmetric (sign cmp(a,b) == -sign
 * cmp(b,a)), or the harness names the broken law and aborts. ASan checks the
 * scanners never read past the string, UBSan that no number overflows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const bw_version_scheme schemes[] = {
	BW_VER_DPKG, BW_VER_RPM, BW_VER_APK, BW_VER_SEMVER, BW_VER_GO,
	BW_VER_PEP440, BW_VER_MAVEN, BW_VER_GEM, BW_VER_COMPOSER, BW_VER_NUGET,
};

static void broken(const char *law, bw_version_scheme s, const char *a, const char *b, int x, int y)
{
	fprintf(stderr, "fuzz_version: %s broken for %s: \"%s\" vs \"%s\" (%d, %d)\n", law,
		bw_version_scheme_name(s), a, b, x, y);
	abort();
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* compare, checking that the result agrees with validity */
static int cmp_checked(bw_version_scheme s, const char *a, const char *b, bool va, bool vb, int *out)
{
	int c = 7;
	int rc = bw_version_compare(s, a, b, &c);
	if ((rc == 0) != (va && vb))
		broken("valid() against compare()", s, a, b, rc, va * 2 + vb);
	if (rc != 0 && rc != BW_EINPUT)
		broken("error code", s, a, b, rc, 0);
	if (rc != 0 && !strchr(bw_error_last()->message, '"'))
		broken("error message names the version", s, a, b, rc, 0);
	*out = c;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bw_version_scheme s = schemes[data[0] % (sizeof(schemes) / sizeof(schemes[0]))];
	const char *rest = (const char *)data + 1;
	size_t n = size - 1;
	const char *nul = memchr(rest, '\0', n);
	size_t an = nul ? (size_t)(nul - rest) : n;
	char *a = malloc(an + 1);
	const char *bsrc = nul ? nul + 1 : rest;
	size_t bn = nul ? n - an - 1 : (an ? an - 1 : 0);
	char *b = malloc(bn + 1);
	if (!a || !b)
		abort();
	memcpy(a, rest, an);
	a[an] = '\0';
	memcpy(b, bsrc, bn);
	b[bn] = '\0';
	/* b may hold a NUL of its own: it ends there, as a C string does */

	bool va = bw_version_valid(s, a), vb = bw_version_valid(s, b);
	int ab = 0, ba = 0, aa = 0, bb = 0;
	if (cmp_checked(s, a, a, va, va, &aa) == 0 && aa != 0)
		broken("reflexivity", s, a, a, aa, 0);
	if (cmp_checked(s, b, b, vb, vb, &bb) == 0 && bb != 0)
		broken("reflexivity", s, b, b, bb, 0);
	int r1 = cmp_checked(s, a, b, va, vb, &ab);
	int r2 = cmp_checked(s, b, a, vb, va, &ba);
	if (r1 == 0 && r2 == 0 && sign(ab) != -sign(ba))
		broken("antisymmetry", s, a, b, ab, ba);
	bw_error_clear();
	free(a);
	free(b);
	return 0;
}
