/*
 * version/version.h: ordering of package versions, one scheme per ecosystem.
 *
 * Each scheme lives in its own file (dpkg.c, rpm.c, apk.c, semver.c,
 * pep440.c, maven.c, gem.c, composer.c, nuget.c) and follows the reference
 * implementation of its ecosystem exactly; tests/integration/versions.sh
 * checks each against that implementation on >= 10,000 pairs.
 *
 * Versions are untrusted (they come from images and advisories): a string
 * longer than BW_VERSION_MAX_BYTES, or one the scheme cannot parse, gives
 * BW_EINPUT with a message naming the string (shortened) and the scheme. The
 * functions allocate nothing on the heap for inputs within the bound and are
 * safe to call from any thread.
 */
#ifndef BW_VERSION_VERSION_H
#define BW_VERSION_VERSION_H

#include <stdbool.h>

#define BW_VERSION_MAX_BYTES 1024

typedef enum bw_version_scheme {
	BW_VER_UNKNOWN = 0,
	BW_VER_DPKG,     /* Debian, Ubuntu: epoch:upstream-revision, '~' sorts first */
	BW_VER_RPM,      /* rpmvercmp with epoch, '~' and '^'; [E:]V[-R] */
	BW_VER_APK,      /* apk-tools: letters, _alpha.._p suffixes, -rN */
	BW_VER_SEMVER,   /* SemVer 2.0 as node-semver orders it (npm, Cargo); leading 'v' allowed */
	BW_VER_GO,       /* Go modules: semver with 'v', pseudo-versions, +incompatible */
	BW_VER_PEP440,   /* PyPI: epochs, pre/post/dev, local versions, normalisation */
	BW_VER_MAVEN,    /* Maven ComparableVersion */
	BW_VER_GEM,      /* RubyGems Gem::Version */
	BW_VER_COMPOSER, /* Composer / Packagist */
	BW_VER_NUGET,    /* NuGet: 4-part numeric + semver prerelease, case-insensitive */
} bw_version_scheme;

/* Sets *cmp to <0, 0 or >0 as a orders before, equal to or after b.
 * Returns 0, or BW_EINPUT (negative) when either string is invalid. */
int bw_version_compare(bw_version_scheme scheme, const char *a, const char *b, int *cmp);

/* bw_version_compare for two strings the caller has already found valid with
 * bw_version_valid (the matcher checks each advisory version once per scan, not
 * once per comparison): <0, 0 or >0. Only for strings bw_version_valid accepted
 * under the same scheme: the schemes' comparators assume a parse succeeded. */
int bw_version_compare_valid(bw_version_scheme scheme, const char *a, const char *b);

/* True when s is a valid version under scheme (no error is set). */
bool bw_version_valid(bw_version_scheme scheme, const char *s);

/* The scheme for an OSV ecosystem string ("PyPI", "npm", "Go", "crates.io",
 * "Maven", "RubyGems", "Packagist", "NuGet", "Debian:12", "Ubuntu:22.04:LTS",
 * "Alpine:v3.18", "Wolfi", "Chainguard", "AlmaLinux:8", "Rocky Linux:9",
 * "Red Hat:...") or a bulwark package type ("deb", "rpm", "apk", "pypi",
 * "npm", "golang", "cargo", "maven", "gem", "composer", "nuget").
 * BW_VER_UNKNOWN when there is none. */
bw_version_scheme bw_version_scheme_for(const char *ecosystem_or_type);

/* "dpkg", "rpm", ... for messages and the JSON report's explanations. */
const char *bw_version_scheme_name(bw_version_scheme scheme);

#endif
