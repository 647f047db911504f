/*
 * version/version.c: the front door of src/version. It owns the length bound,
 * the error messages, the mapping from ecosystem names to schemes, and the
 * helpers every scheme file shares (digit-string comparison, white space sets).
 * The orderings themselves live one per file (dpkg.c, rpm.c, ...).
 */
#include <stdio.h>
#include <string.h>

#include "bulwark/errors.h"
#include "version/version.h"
#include "version/version_int.h"

struct scheme_ops {
	const char *name;
	bool (*valid)(const char *s, size_t n);
	int (*cmp)(const char *a, size_t an, const char *b, size_t bn);
};

static const struct scheme_ops schemes[] = {
	[BW_VER_DPKG] = { "dpkg", bw_ver_dpkg_valid, bw_ver_dpkg_cmp },
	[BW_VER_RPM] = { "rpm", bw_ver_rpm_valid, bw_ver_rpm_cmp },
	[BW_VER_APK] = { "apk", bw_ver_apk_valid, bw_ver_apk_cmp },
	[BW_VER_SEMVER] = { "semver", bw_ver_semver_valid, bw_ver_semver_cmp },
	[BW_VER_GO] = { "go", bw_ver_go_valid, bw_ver_go_cmp },
	[BW_VER_PEP440] = { "pep440", bw_ver_pep440_valid, bw_ver_pep440_cmp },
	[BW_VER_MAVEN] = { "maven", bw_ver_maven_valid, bw_ver_maven_cmp },
	[BW_VER_GEM] = { "gem", bw_ver_gem_valid, bw_ver_gem_cmp },
	[BW_VER_COMPOSER] = { "composer", bw_ver_composer_valid, bw_ver_composer_cmp },
	[BW_VER_NUGET] = { "nuget", bw_ver_nuget_valid, bw_ver_nuget_cmp },
};

static const struct scheme_ops *ops_of(bw_version_scheme scheme)
{
	if ((unsigned)scheme >= sizeof(schemes) / sizeof(schemes[0]) || !schemes[scheme].name)
		return NULL;
	return &schemes[scheme];
}

/* ------------------------------------------------------------------ helpers */

int bw_ver_digits_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	while (an && *a == '0')
		a++, an--;
	while (bn && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	int r = an ? memcmp(a, b, an) : 0;
	return (r > 0) - (r < 0);
}

int bw_ver_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int r = n ? memcmp(a, b, n) : 0;
	if (r)
		return r < 0 ? -1 : 1;
	return (an > bn) - (an < bn);
}

/* Code points of the two white space sets, all outside ASCII. */
static const unsigned js_spaces[] = {
	0x00a0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
	0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
};
static const unsigned py_spaces[] = {
	0x0085, 0x00a0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
	0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
};

size_t bw_ver_space_len(const char *s, size_t n, enum bw_ver_space_set set)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0)
		return 0;
	if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r'))
		return 1;
	/* Python's str.isspace() also takes the ASCII separators FS, GS, RS, US */
	if (set == BW_VER_SPACE_PYTHON && u[0] >= 0x1c && u[0] <= 0x1f)
		return 1;
	unsigned cp;
	size_t len;
	if ((u[0] & 0xe0) == 0xc0 && n >= 2 && (u[1] & 0xc0) == 0x80) {
		cp = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu);
		len = 2;
	} else if ((u[0] & 0xf0) == 0xe0 && n >= 3 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
		cp = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu);
		len = 3;
	} else {
		return 0;
	}
	const unsigned *set_cp = set == BW_VER_SPACE_JS ? js_spaces : py_spaces;
	size_t count = set == BW_VER_SPACE_JS ? sizeof(js_spaces) / sizeof(js_spaces[0])
					      : sizeof(py_spaces) / sizeof(py_spaces[0]);
	for (size_t i = 0; i < count; i++)
		if (set_cp[i] == cp && cp >= 0x80) /* overlong forms of ASCII are not spaces */
			return (cp < 0x800) == (len == 2) ? len : 0;
	return 0;
}

/* ------------------------------------------------------------------ errors */

/* The string as a message shows it: at most 48 bytes, control bytes as '?'. */
static void shorten(const char *s, size_t n, char *out, size_t outsz)
{
	size_t keep = n > 48 ? 48 : n, o = 0;
	for (size_t i = 0; i < keep && o + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];
		out[o++] = (c < 0x20 || c == 0x7f || c == '"') ? '?' : (char)c;
	}
	if (keep < n)
		for (int i = 0; i < 3 && o + 1 < outsz; i++)
			out[o++] = '.';
	out[o] = '\0';
}

/* Length of s, or BW_VERSION_MAX_BYTES + 1 when longer: never reads past that. */
static size_t bounded_len(const char *s)
{
	return strnlen(s, BW_VERSION_MAX_BYTES + 1);
}

static int check_one(const struct scheme_ops *ops, const char *s, size_t *len)
{
	char shown[64];

	*len = bounded_len(s);
	if (*len > BW_VERSION_MAX_BYTES) {
		shorten(s, *len, shown, sizeof(shown));
		return bw_error_set(BW_EINPUT, "version \"%s\" is longer than %d bytes", shown,
				    BW_VERSION_MAX_BYTES);
	}
	if (!ops->valid(s, *len)) {
		shorten(s, *len, shown, sizeof(shown));
		return bw_error_set(BW_EINPUT, "version \"%s\" is not a valid %s version", shown,
				    ops->name);
	}
	return 0;
}

/* ------------------------------------------------------------------ API */

int bw_version_compare(bw_version_scheme scheme, const char *a, const char *b, int *cmp)
{
	const struct scheme_ops *ops = ops_of(scheme);
	size_t an, bn;
	int rc;

	if (!ops)
		return bw_error_set(BW_EUSAGE, "version scheme %d is unknown", (int)scheme);
	if (!a || !b || !cmp)
		return bw_error_set(BW_EUSAGE, "bw_version_compare: NULL argument");
	if ((rc = check_one(ops, a, &an)) < 0 || (rc = check_one(ops, b, &bn)) < 0)
		return rc;
	*cmp = ops->cmp(a, an, b, bn);
	return 0;
}

int bw_version_compare_valid(bw_version_scheme scheme, const char *a, const char *b)
{
	const struct scheme_ops *ops = ops_of(scheme);
	if (!ops || !a || !b)
		return 0;
	return ops->cmp(a, bounded_len(a), b, bounded_len(b));
}

bool bw_version_valid(bw_version_scheme scheme, const char *s)
{
	const struct scheme_ops *ops = ops_of(scheme);
	if (!ops || !s)
		return false;
	size_t n = bounded_len(s);
	return n <= BW_VERSION_MAX_BYTES && ops->valid(s, n);
}

const char *bw_version_scheme_name(bw_version_scheme scheme)
{
	const struct scheme_ops *ops = ops_of(scheme);
	return ops ? ops->name : "unknown";
}

/* OSV ecosystem names (the part before the first ':'), bulwark package
 * types and our own scheme names. */
static const struct {
	const char *name;
	bw_version_scheme scheme;
} names[] = {
	/* OSV ecosystems */
	{ "Debian", BW_VER_DPKG },
	{ "Ubuntu", BW_VER_DPKG },
	{ "Alpine", BW_VER_APK },
	{ "Wolfi", BW_VER_APK },
	{ "Chainguard", BW_VER_APK },
	{ "AlmaLinux", BW_VER_RPM },
	{ "Rocky Linux", BW_VER_RPM },
	{ "Red Hat", BW_VER_RPM },
	{ "openSUSE", BW_VER_RPM },
	{ "SUSE", BW_VER_RPM },
	{ "Mageia", BW_VER_RPM },
	{ "Photon OS", BW_VER_RPM },
	{ "Azure Linux", BW_VER_RPM },
	{ "openEuler", BW_VER_RPM },
	{ "PyPI", BW_VER_PEP440 },
	{ "npm", BW_VER_SEMVER },
	{ "crates.io", BW_VER_SEMVER },
	{ "Bitnami", BW_VER_SEMVER },
	{ "Go", BW_VER_GO },
	{ "Maven", BW_VER_MAVEN },
	{ "RubyGems", BW_VER_GEM },
	{ "Packagist", BW_VER_COMPOSER },
	{ "NuGet", BW_VER_NUGET },
	/* bulwark package types */
	{ "deb", BW_VER_DPKG },
	{ "rpm", BW_VER_RPM },
	{ "apk", BW_VER_APK },
	{ "pypi", BW_VER_PEP440 },
	{ "golang", BW_VER_GO },
	{ "cargo", BW_VER_SEMVER },
	{ "maven", BW_VER_MAVEN },
	{ "gem", BW_VER_GEM },
	{ "composer", BW_VER_COMPOSER },
	{ "nuget", BW_VER_NUGET },
	/* scheme names, as bw_version_scheme_name() spells them */
	{ "dpkg", BW_VER_DPKG },
	{ "semver", BW_VER_SEMVER },
	{ "go", BW_VER_GO },
	{ "pep440", BW_VER_PEP440 },
};

bw_version_scheme bw_version_scheme_for(const char *eco)
{
	if (!eco)
		return BW_VER_UNKNOWN;
	/* "Debian:12", "Alpine:v3.18", "Ubuntu:22.04:LTS", "Red Hat:enterprise_linux:9" */
	size_t base = strcspn(eco, ":");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == base && memcmp(names[i].name, eco, base) == 0)
			return names[i].scheme;
	return BW_VER_UNKNOWN;
}
