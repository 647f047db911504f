/*
 * Unit tests for src/version: hand vectors taken from each scheme's
 * specification or reference tests (Debian Policy 5.6.12, rpm's
 * rpmvercmp.at, apk-tools' version.data, SemVer 2.0 section 11, PEP 440's
 * ordering example, Maven's ComparableVersionTest, RubyGems' and Composer's
 * documentation, NuGet's versioning docs), invalid input, the 1024-byte bound
 * and a 10,000-character version. tests/integration/versions.sh checks the
 * same code against the real implementations on many more pairs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "version/version.h"

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* a orders as want (-1, 0, 1) against b, and b as -want against a */
static void check_cmp(bw_version_scheme s, const char *a, const char *b, int want, int line)
{
	int c = 99;
	int rc = bw_version_compare(s, a, b, &c);
	if (rc != 0)
		fail_msg("line %d: %s: compare(\"%s\", \"%s\") failed: %s", line,
			 bw_version_scheme_name(s), a, b, bw_error_last()->message);
	if (sign(c) != want)
		fail_msg("line %d: %s: compare(\"%s\", \"%s\") = %d, want %d", line,
			 bw_version_scheme_name(s), a, b, c, want);
	rc = bw_version_compare(s, b, a, &c);
	if (rc != 0 || sign(c) != -want)
		fail_msg("line %d: %s: compare(\"%s\", \"%s\") = %d (rc %d), want %d", line,
			 bw_version_scheme_name(s), b, a, c, rc, -want);
}

#define LT(s, a, b) check_cmp(s, a, b, -1, __LINE__)
#define EQ(s, a, b) check_cmp(s, a, b, 0, __LINE__)
#define GT(s, a, b) check_cmp(s, a, b, 1, __LINE__)

/* each string orders strictly before the next */
static void check_chain(bw_version_scheme s, const char *const *v, size_t n, int line)
{
	for (size_t i = 0; i + 1 < n; i++)
		check_cmp(s, v[i], v[i + 1], -1, line);
}
#define CHAIN(s, ...)                                                                      \
	do {                                                                               \
		static const char *const v_[] = { __VA_ARGS__ };                             \
		check_chain(s, v_, sizeof(v_) / sizeof(v_[0]), __LINE__);                   \
	} while (0)

static void check_invalid(bw_version_scheme s, const char *v, int line)
{
	int c = 99;
	char want[64];

	if (bw_version_valid(s, v))
		fail_msg("line %d: %s: \"%s\" should be invalid", line, bw_version_scheme_name(s), v);
	bw_error_clear();
	int rc = bw_version_compare(s, v, "1.0.0", &c);
	if (rc != BW_EINPUT)
		fail_msg("line %d: %s: compare(\"%s\") = %d, want BW_EINPUT", line, bw_version_scheme_name(s), v, rc);
	if (c != 99)
		fail_msg("line %d: *cmp written on error", line);
	snprintf(want, sizeof(want), "is not a valid %s version", bw_version_scheme_name(s));
	if (!strstr(bw_error_last()->message, want) || !strchr(bw_error_last()->message, '"'))
		fail_msg("line %d: message \"%s\" lacks \"%s\"", line, bw_error_last()->message, want);
	/* invalid on the right-hand side too */
	if (bw_version_compare(s, "1.0.0", v, &c) != BW_EINPUT)
		fail_msg("line %d: %s: compare(1.0.0, \"%s\") accepted", line, bw_version_scheme_name(s), v);
}
#define INVALID(s, v) check_invalid(s, v, __LINE__)

static void check_valid(bw_version_scheme s, const char *v, int line)
{
	if (!bw_version_valid(s, v))
		fail_msg("line %d: %s: \"%s\" should be valid", line, bw_version_scheme_name(s), v);
}
#define VALID(s, v) check_valid(s, v, __LINE__)

/* ------------------------------------------------------------------ dpkg */

static void test_dpkg(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_DPKG;

	/* Debian Policy 5.6.12: ~~ < ~~a < ~ < (nothing) < a */
	CHAIN(s, "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a");
	CHAIN(s, "1.0~rc1-1", "1.0-1", "1.0-1+b1", "1.0-2", "1.0+dfsg-1", "1.0.1-1", "1:0.1-1");
	EQ(s, "1.0", "1.0-0");
	EQ(s, "0:1.0", "1.0");
	EQ(s, "00001:1.0", "1:1.0");
	EQ(s, "1.01", "1.1");
	GT(s, "2:1.0", "1:9.9");
	LT(s, "1.0-1ubuntu1", "1.0-1ubuntu2");
	LT(s, "1.2.3-1~bpo11+1", "1.2.3-1");
	/* numbers past 2^64 */
	LT(s, "1.18446744073709551616", "1.18446744073709551617");
	GT(s, "1.99999999999999999999999", "1.18446744073709551617");
	/* the last hyphen starts the revision; colons may follow the epoch */
	EQ(s, "1.0-1-1", "1.0-1-1");
	LT(s, "1.0-1-1", "1.0-1-2");
	LT(s, "1:1:1", "1:1:2");
	/* dpkg only warns about these, and compares them */
	VALID(s, "abc");
	VALID(s, "1.0_1");
	VALID(s, " 1.0 ");
	EQ(s, " 1.0", "1.0\t");
	LT(s, "a", "b");
	/* dpkg errors */
	INVALID(s, "");
	INVALID(s, " ");
	INVALID(s, "1 0");
	INVALID(s, ":1.0");
	INVALID(s, "a:1.0");
	INVALID(s, "1a:1.0");
	INVALID(s, "1:");
	INVALID(s, "1.0-");
	INVALID(s, "-1");
	INVALID(s, "1:-1");
	INVALID(s, "-1:1.0");
	INVALID(s, "2147483648:1.0");
	INVALID(s, "18446744073709551617:1.0");
	VALID(s, "2147483647:1.0");
	VALID(s, "-0:1.0"); /* strtol reads zero: not negative */
	VALID(s, "+1:1.0");
	EQ(s, "+1:1.0", "1:1.0");
}

/* ------------------------------------------------------------------ rpm */

static void test_rpm(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_RPM;

	/* rpm's tests/rpmvercmp.at */
	EQ(s, "1.0", "1.0");
	LT(s, "1.0", "2.0");
	GT(s, "2.0.1a", "2.0.1");
	LT(s, "5.5p1", "5.5p10");
	LT(s, "xyz10", "xyz10.1");
	LT(s, "xyz.4", "8");
	LT(s, "10xyz", "10.1xyz");
	EQ(s, "1b.fc17", "1b.fc17");
	LT(s, "1.0~rc1", "1.0");
	LT(s, "1.0~rc1", "1.0~rc2");
	LT(s, "1.0~rc1~git123", "1.0~rc1");
	GT(s, "1.0^", "1.0");
	GT(s, "1.0^git1", "1.0");
	LT(s, "1.0^git1", "1.0^git2");
	LT(s, "1.0^git1", "1.01");
	LT(s, "1.0^20160101", "1.0.1");
	GT(s, "1.0~rc1^git1", "1.0~rc1");
	LT(s, "1.0^git1~pre", "1.0^git1");
	EQ(s, "1a", "1.a");
	EQ(s, "1.100.z", "1_100z");
	/* [epoch:]version[-release], as rpm.vercmp() splits it */
	GT(s, "1:1.0", "2.0");
	EQ(s, "0:1.0-1", "1.0-1");
	EQ(s, ":1.0", "0:1.0");
	LT(s, "1.0", "1.0-1");  /* a missing release orders first */
	LT(s, "1.0", "1.0-");   /* even before an empty one */
	LT(s, "1.0-1.el8", "1.0-1.el9");
	LT(s, "2.0.5-12.fc39", "2.0.6-1.fc39");
	LT(s, "1.18446744073709551616", "1.18446744073709551617");
	INVALID(s, "");
	VALID(s, "-");
	VALID(s, "~");
}

/* ------------------------------------------------------------------ apk */

static void test_apk(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_APK;

	/* apk-tools test/version.data and the suffix order of apk-package(5) */
	CHAIN(s, "1.1_alpha", "1.1_alpha2", "1.1_beta", "1.1_pre1", "1.1_rc1", "1.1", "1.1-r1", "1.1-r2",
	      "1.1_cvs1", "1.1_svn1", "1.1_git20200101", "1.1_hg1", "1.1_p1", "1.1_p2", "1.1a", "1.1b",
	      "1.1.1");
	/* apk-tools 2.10: a "0" after a dot counts as one leading zero, and a
	 * version going on after it is newer, suffix or not (apk-tools 2.12 and
	 * later order 1.0_rc1 before 1.0; see docs/versions.md) */
	GT(s, "1.0_rc1", "1.0");
	GT(s, "1.0", "1.00");
	LT(s, "2.3.0b-r1", "2.3.0b-r2");
	LT(s, "1.01", "1.1");    /* leading zeros weigh by their count */
	LT(s, "1.001", "1.01");
	EQ(s, "1-r1", "1-r01");
	EQ(s, "1-r", "1-r0");
	GT(s, "0.8.21.r2", "0.8.21.r1");
	LT(s, "3.0.3-r9", "3.0.3-r10");
	GT(s, "20050718-r1", "2.59");
	/* past apk's int: still exact */
	LT(s, "1.18446744073709551616", "1.18446744073709551617");
	LT(s, "1.0_p18446744073709551616", "1.0_p18446744073709551617");
	/* apk version -t compares anything */
	VALID(s, "a");
	VALID(s, "1.2.0A");
	LT(s, "a", "b");
	LT(s, ".1", "1");
	GT(s, "1.2", "1.2_blah");
	INVALID(s, "");
}

/* ------------------------------------------------------------------ semver */

static void test_semver(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_SEMVER;

	/* SemVer 2.0 section 11 */
	CHAIN(s, "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
	      "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0");
	EQ(s, "1.0.0+build.1", "1.0.0+other");
	EQ(s, "v1.2.3", "1.2.3");
	EQ(s, " 1.2.3\n", "1.2.3");           /* node trims */
	EQ(s, "\xc2\xa0" "1.2.3", "1.2.3"); /* U+00A0 too */
	LT(s, "1.2.3-a-b", "1.2.3-a-c");
	LT(s, "1.2.3-99", "1.2.3-a");
	LT(s, "1.2.3-R2", "1.2.3-r100");
	VALID(s, "9007199254740991.0.0");
	/* node compares numeric identifiers as doubles: past 2^53 these are equal */
	EQ(s, "1.0.0-9007199254740993", "1.0.0-9007199254740992");
	EQ(s, "1.0.0-18446744073709551616.1", "1.0.0-18446744073709551617.2");
	LT(s, "1.0.0-18446744073709551616", "1.0.0-18446744073709553665");
	INVALID(s, "");
	INVALID(s, "1.2");
	INVALID(s, "1.2.3.4");
	INVALID(s, "01.2.3");
	INVALID(s, "1.2.3-01");
	INVALID(s, "1.2.3-");
	INVALID(s, "1.2.3+");
	INVALID(s, "1.2.3-a..b");
	INVALID(s, "V1.2.3");
	INVALID(s, "=1.2.3");
	INVALID(s, "9007199254740992.0.0");
	/* 256 characters at most, white space included */
	char v[300];
	memset(v, 'a', sizeof(v));
	memcpy(v, "1.2.3-", 6);
	v[256] = '\0';
	VALID(s, v);
	v[256] = 'a';
	v[257] = '\0';
	INVALID(s, v);
}

static void test_go(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_GO;

	CHAIN(s, "v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20191109021932-aaaaaaaaaaaa", "v0.0.1",
	      "v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", "v2.0.0-rc1+incompatible",
	      "v2.0.0+incompatible", "v2.0.1+incompatible");
	EQ(s, "v2.0.0+incompatible", "v2.0.0");
	EQ(s, "1.2.3", "v1.2.3"); /* OSV's Go versions have no 'v' */
	INVALID(s, "v1.2");
	INVALID(s, "v01.2.3");
	INVALID(s, "");
}

/* ------------------------------------------------------------------ pep440 */

static void test_pep440(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_PEP440;

	/* PEP 440, "Summary of permitted suffixes and relative ordering" */
	CHAIN(s, "1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456",
	      "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0",
	      "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1");
	/* normalisation */
	EQ(s, "1.0ALPHA1", "1.0a1");
	EQ(s, "1.0-alpha.1", "1.0a1");
	EQ(s, "1.0c1", "1.0rc1");
	EQ(s, "1.0pre1", "1.0rc1");
	EQ(s, "1.0preview", "1.0rc0");
	EQ(s, "1.0-1", "1.0.post1");
	EQ(s, "1.0.rev1", "1.0.post1");
	EQ(s, "1.0r", "1.0.post0");
	EQ(s, "v1.0", "1.0");
	EQ(s, " 1.0\n", "1.0");
	EQ(s, "1.0.0", "1");
	EQ(s, "01.0", "1.0");
	EQ(s, "1.0+LOCAL.01", "1.0+local.1");
	EQ(s, "1.0a.", "1.0a0");
	EQ(s, "1.0.post.", "1.0.post0");
	GT(s, "1!1.0", "2.0");
	LT(s, "1.0+a", "1.0+1");
	LT(s, "1.0+a", "1.0+a.0");
	LT(s, "1.0.18446744073709551616", "1.0.18446744073709551617");
	INVALID(s, "");
	INVALID(s, "a");
	INVALID(s, "1.0-");
	INVALID(s, "1.0+");
	INVALID(s, "1.0+a.");
	INVALID(s, "1.0.x");
	INVALID(s, "0.1-bulbasaur"); /* a LegacyVersion, gone since packaging 22 */
	INVALID(s, "1.0 1");
}

/* ------------------------------------------------------------------ maven */

static void test_maven(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_MAVEN;

	/* ComparableVersionTest: VERSIONS_QUALIFIER and VERSIONS_NUMBER */
	CHAIN(s, "1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11",
	      "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def",
	      "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123");
	CHAIN(s, "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
	      "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11",
	      "11.a", "11b", "11c", "11m");
	EQ(s, "1", "1.0");
	EQ(s, "1", "1.0.0");
	EQ(s, "1", "1-0");
	EQ(s, "1", "1-ga");
	EQ(s, "1", "1-final");
	EQ(s, "1", "1-release");
	EQ(s, "1", "1.0-GA");
	EQ(s, "1a1", "1-alpha-1");
	EQ(s, "1cr1", "1rc1");
	EQ(s, "1m1", "1-milestone-1");
	EQ(s, "1-SNAPSHOT", "1-snapshot");
	/* Maven 3.8.7 has MNG-7644 (.X1 sorts as -X1) and MNG-6964 */
	LT(s, "1.0.0.RC1", "1.0.0-RC2");
	EQ(s, "2.0.a", "2.0.0.a");
	GT(s, "1-0.1", "1");
	LT(s, "1.18446744073709551616", "1.18446744073709551617");
	EQ(s, "1.000000000000000000001", "1.1");
	/* ComparableVersion takes anything */
	VALID(s, "");
	VALID(s, "-");
	VALID(s, "...");
	EQ(s, "", "0");
}

/* ------------------------------------------------------------------ gem */

static void test_gem(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_GEM;

	CHAIN(s, "0.9", "1.0.a", "1.0.a.2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.2.4.beta", "1.2.4",
	      "1.3.0", "3.2", "3.10");
	EQ(s, "1.0.0", "1");
	EQ(s, "1.0.a2", "1.0.a.2");
	EQ(s, "1.0-1", "1.0.pre.1");
	EQ(s, "", "0");
	EQ(s, "  1.0\n", "1.0");
	LT(s, "1.0.A", "1.0.a"); /* words compare byte-wise */
	LT(s, "1.0.a9", "1.0.a10");
	LT(s, "999999999999999999999999999991", "999999999999999999999999999999");
	INVALID(s, "1beta");
	INVALID(s, "1.");
	INVALID(s, ".1");
	INVALID(s, "1..0");
	INVALID(s, "junk");
	INVALID(s, "1.0 1");
}

/* ------------------------------------------------------------------ composer */

static void test_composer(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_COMPOSER;

	CHAIN(s, "dev-master", "0.0.1", "1.0.0-dev", "1.0.0-alpha1", "1.0.0-beta1", "1.0.0-RC1", "1.0.0",
	      "1.0.0-patch1", "1.0.1", "1.x-dev", "2.0");
	EQ(s, "1.0", "1.0.0.0");
	EQ(s, "v1.0.0", "1.0");
	EQ(s, "1.0b1", "1.0.0-beta1");
	EQ(s, "1.0pl1", "1.0.0-p1");
	EQ(s, "1.0.0-rc1", "1.0.0-RC1");
	EQ(s, "1.0.0+build.5", "1.0.0");
	EQ(s, "1.0.0 as 2.0.0", "1.0.0");
	EQ(s, "1.0.0@dev", "1.0.0");
	EQ(s, "1.0-stable", "1.0");
	EQ(s, "master", "dev-master");
	EQ(s, "1.x-dev", "1.9999999.9999999.9999999-dev");
	/* "2023-01-01" is a date (2023.01.01), "2023.01.01" classical (2023.01.01.0) */
	GT(s, "2023.01.01", "2023-01-01");
	EQ(s, "2023-01-01", "2023:01:01");
	LT(s, "20230101", "20230102");
	/* version_compare() clamps numbers at LONG_MAX, and so do we */
	EQ(s, "1.0.0.9223372036854775808", "1.0.0.9223372036854775809");
	LT(s, "1.0.0.9223372036854775806", "1.0.0.9223372036854775807");
	/* branches: equal names are equal, others ordered by name */
	EQ(s, "dev--", "dev--");
	LT(s, "dev-a", "dev-b");
	INVALID(s, "");
	INVALID(s, "foo");
	INVALID(s, "1.0.0.0.0");
	VALID(s, "123456.1"); /* a date: 1234, 56, then .1 */
	INVALID(s, "12345678901234567890"); /* 4 + 16 digits: past 6 pairs and 3 */
	INVALID(s, "1.2.3.#");
	INVALID(s, "foo-dev");
}

/* ------------------------------------------------------------------ nuget */

static void test_nuget(void **state)
{
	(void)state;
	const bw_version_scheme s = BW_VER_NUGET;

	CHAIN(s, "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-alpha", "1.0.0-beta", "1.0.0-beta.2",
	      "1.0.0-beta.10", "1.0.0-rc.1", "1.0.0", "1.0.0.1-alpha", "1.0.0.1", "1.0.1", "2.1");
	EQ(s, "1.0", "1.0.0.0");
	EQ(s, "1", "1.0.0");
	EQ(s, "1.0.01", "1.0.1.0");
	EQ(s, "1.0.0-BETA", "1.0.0-beta");
	EQ(s, "1.0.0+meta", "1.0.0");
	EQ(s, "1.0.0-beta+AA", "1.0.0-BETA+bb");
	LT(s, "1.0.0-beta", "1.0.0-beta.1");
	VALID(s, "2147483647.0");
	INVALID(s, "2147483648.0");
	INVALID(s, "1.2.3.4.5");
	INVALID(s, "1.0.0-");
	INVALID(s, "1.0.0-01");
	INVALID(s, "1.0.0-a..b");
	INVALID(s, "1.0.0+");
	INVALID(s, "a");
	INVALID(s, "");
}

/* ------------------------------------------------------------------ bounds */

static void test_length_bound(void **state)
{
	(void)state;
	char v[BW_VERSION_MAX_BYTES + 2];
	int c = 99;

	/* "1.1.1...." of exactly 1024 bytes is fine for the lenient schemes */
	for (size_t i = 0; i < BW_VERSION_MAX_BYTES; i++)
		v[i] = i % 2 ? '.' : '1';
	v[BW_VERSION_MAX_BYTES - 1] = '1';
	v[BW_VERSION_MAX_BYTES] = '\0';
	assert_int_equal(strlen(v), BW_VERSION_MAX_BYTES);
	const bw_version_scheme lenient[] = { BW_VER_DPKG, BW_VER_RPM, BW_VER_APK, BW_VER_PEP440,
					      BW_VER_MAVEN, BW_VER_GEM };
	for (size_t k = 0; k < sizeof(lenient) / sizeof(lenient[0]); k++) {
		assert_true(bw_version_valid(lenient[k], v));
		assert_int_equal(bw_version_compare(lenient[k], v, v, &c), 0);
		assert_int_equal(c, 0);
		assert_int_equal(bw_version_compare(lenient[k], v, "1.1", &c), 0);
		assert_int_equal(c, 1);
	}
	/* one more byte: refused, for every scheme, with the limit named */
	v[BW_VERSION_MAX_BYTES] = '1';
	v[BW_VERSION_MAX_BYTES + 1] = '\0';
	for (int s = BW_VER_DPKG; s <= BW_VER_NUGET; s++) {
		c = 99;
		assert_false(bw_version_valid((bw_version_scheme)s, v));
		assert_int_equal(bw_version_compare((bw_version_scheme)s, v, "1", &c), BW_EINPUT);
		assert_int_equal(c, 99);
		assert_non_null(strstr(bw_error_last()->message, "longer than 1024 bytes"));
		assert_int_equal(bw_version_compare((bw_version_scheme)s, "1", v, &c), BW_EINPUT);
	}
}

static void test_ten_thousand(void **state)
{
	(void)state;
	size_t n = 10000;
	char *v = malloc(n + 1);
	int c = 99;
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = (char)('0' + i % 10);
	v[n] = '\0';
	for (int s = BW_VER_DPKG; s <= BW_VER_NUGET; s++) {
		assert_false(bw_version_valid((bw_version_scheme)s, v));
		assert_int_equal(bw_version_compare((bw_version_scheme)s, v, v, &c), BW_EINPUT);
		/* the message shows a shortened string, one line */
		const char *m = bw_error_last()->message;
		assert_true(strlen(m) < 200);
		assert_non_null(strstr(m, "..."));
	}
	free(v);
}

static void test_long_numbers(void **state)
{
	(void)state;
	/* the same digits compare the same way in every exact scheme,
	 * whatever their length */
	const char *a = "1.340282366920938463463374607431768211455";
	const char *b = "1.340282366920938463463374607431768211456";
	const bw_version_scheme exact[] = { BW_VER_DPKG, BW_VER_RPM, BW_VER_APK, BW_VER_PEP440,
					    BW_VER_MAVEN, BW_VER_GEM };
	for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++) {
		LT(exact[k], a, b);
		/* leading zeros do not count, except to apk */
		if (exact[k] != BW_VER_APK)
			EQ(exact[k], "1.0000000000000000000000000000000000007", "1.7");
	}
}

/* ------------------------------------------------------------------ API */

static void test_scheme_for(void **state)
{
	(void)state;
	assert_int_equal(bw_version_scheme_for("Debian:12"), BW_VER_DPKG);
	assert_int_equal(bw_version_scheme_for("Ubuntu:22.04:LTS"), BW_VER_DPKG);
	assert_int_equal(bw_version_scheme_for("Alpine:v3.18"), BW_VER_APK);
	assert_int_equal(bw_version_scheme_for("Wolfi"), BW_VER_APK);
	assert_int_equal(bw_version_scheme_for("Chainguard"), BW_VER_APK);
	assert_int_equal(bw_version_scheme_for("AlmaLinux:8"), BW_VER_RPM);
	assert_int_equal(bw_version_scheme_for("Rocky Linux:9"), BW_VER_RPM);
	assert_int_equal(bw_version_scheme_for("Red Hat:enterprise_linux:9"), BW_VER_RPM);
	assert_int_equal(bw_version_scheme_for("PyPI"), BW_VER_PEP440);
	assert_int_equal(bw_version_scheme_for("npm"), BW_VER_SEMVER);
	assert_int_equal(bw_version_scheme_for("crates.io"), BW_VER_SEMVER);
	assert_int_equal(bw_version_scheme_for("Go"), BW_VER_GO);
	assert_int_equal(bw_version_scheme_for("Maven"), BW_VER_MAVEN);
	assert_int_equal(bw_version_scheme_for("RubyGems"), BW_VER_GEM);
	assert_int_equal(bw_version_scheme_for("Packagist"), BW_VER_COMPOSER);
	assert_int_equal(bw_version_scheme_for("NuGet"), BW_VER_NUGET);
	const char *types[] = { "deb", "rpm", "apk", "pypi", "npm", "golang", "cargo", "maven", "gem",
				"composer", "nuget" };
	const bw_version_scheme want[] = { BW_VER_DPKG, BW_VER_RPM, BW_VER_APK, BW_VER_PEP440,
					   BW_VER_SEMVER, BW_VER_GO, BW_VER_SEMVER, BW_VER_MAVEN,
					   BW_VER_GEM, BW_VER_COMPOSER, BW_VER_NUGET };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_int_equal(bw_version_scheme_for(types[i]), want[i]);
	/* every scheme name maps back to its scheme */
	for (int s = BW_VER_DPKG; s <= BW_VER_NUGET; s++)
		assert_int_equal(bw_version_scheme_for(bw_version_scheme_name((bw_version_scheme)s)), s);
	assert_int_equal(bw_version_scheme_for("pypi:"), BW_VER_PEP440);
	assert_int_equal(bw_version_scheme_for("Hackage"), BW_VER_UNKNOWN);
	assert_int_equal(bw_version_scheme_for("Debia"), BW_VER_UNKNOWN);
	assert_int_equal(bw_version_scheme_for(""), BW_VER_UNKNOWN);
	assert_int_equal(bw_version_scheme_for(NULL), BW_VER_UNKNOWN);
	assert_string_equal(bw_version_scheme_name(BW_VER_UNKNOWN), "unknown");
	assert_string_equal(bw_version_scheme_name((bw_version_scheme)99), "unknown");
}

static void test_usage(void **state)
{
	(void)state;
	int c = 99;
	assert_int_equal(bw_version_compare(BW_VER_UNKNOWN, "1", "2", &c), BW_EUSAGE);
	assert_int_equal(bw_version_compare((bw_version_scheme)42, "1", "2", &c), BW_EUSAGE);
	assert_int_equal(bw_version_compare(BW_VER_DPKG, NULL, "2", &c), BW_EUSAGE);
	assert_int_equal(bw_version_compare(BW_VER_DPKG, "1", "2", NULL), BW_EUSAGE);
	assert_int_equal(c, 99);
	assert_false(bw_version_valid(BW_VER_UNKNOWN, "1"));
	assert_false(bw_version_valid(BW_VER_DPKG, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg),
		cmocka_unit_test(test_rpm),
		cmocka_unit_test(test_apk),
		cmocka_unit_test(test_semver),
		cmocka_unit_test(test_go),
		cmocka_unit_test(test_pep440),
		cmocka_unit_test(test_maven),
		cmocka_unit_test(test_gem),
		cmocka_unit_test(test_composer),
		cmocka_unit_test(test_nuget),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_ten_thousand),
		cmocka_unit_test(test_long_numbers),
		cmocka_unit_test(test_scheme_for),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
