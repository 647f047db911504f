/*
 * vulndb/ecosystem.c: ecosystem keys and package-name normalisation
 * (see ecosystem.h and docs/matching.md).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/ecosystem.h"

static const struct { const char *codename, *number; } debian_releases[] = {
	{ "woody", "3.0" }, { "sarge", "3.1" }, { "etch", "4" }, { "lenny", "5" },
	{ "squeeze", "6" }, { "wheezy", "7" }, { "jessie", "8" }, { "stretch", "9" },
	{ "buster", "10" }, { "bullseye", "11" }, { "bookworm", "12" }, { "trixie", "13" },
	{ "forky", "14" }, { "duke", "15" },
};

const char *bw_debian_release_number(const char *codename)
{
	for (size_t i = 0; i < sizeof(debian_releases) / sizeof(debian_releases[0]); i++)
		if (strcmp(codename, debian_releases[i].codename) == 0)
			return debian_releases[i].number;
	return NULL;
}

/* Language ecosystems: OSV name -> key, and the bulwark package type of the key. */
static const struct { const char *osv, *key, *type; } languages[] = {
	{ "PyPI", "pypi", "pypi" }, { "npm", "npm", "npm" }, { "Go", "go", "golang" },
	{ "crates.io", "cargo", "cargo" }, { "Maven", "maven", "maven" },
	{ "RubyGems", "gem", "gem" }, { "Packagist", "composer", "composer" },
	{ "NuGet", "nuget", "nuget" },
};

/* out = a followed by b */
static bool put(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s%s", a, b);
	return n > 0 && (size_t)n < cap;
}

/* "3.18.4" -> "3.18"; "v3.18" -> "3.18". */
static bool major_minor(const char *v, char *out, size_t cap)
{
	size_t n = 0;
	int dots = 0;

	if (*v == 'v')
		v++;
	for (; v[n] && (isdigit((unsigned char)v[n]) || v[n] == '.'); n++)
		if (v[n] == '.' && ++dots == 2)
			break;
	if (n == 0 || n >= cap)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

/* "9.2" -> "9" */
static bool major(const char *v, char *out, size_t cap)
{
	size_t n = strspn(v, "0123456789");
	if (n == 0 || n >= cap)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

bool bw_eco_for_distro(const char *family, const char *version, char *key, size_t cap)
{
	char v[32];

	if (!family)
		return false;
	if (strcmp(family, "wolfi") == 0 || strcmp(family, "chainguard") == 0)
		return put(key, cap, family, "");
	if (!version || !*version)
		return false;
	if (strcmp(family, "debian") == 0) {
		const char *num = bw_debian_release_number(version);
		if (num)
			return put(key, cap, "debian:", num);
		return major(version, v, sizeof(v)) && put(key, cap, "debian:", v);
	}
	if (strcmp(family, "ubuntu") == 0)
		return major_minor(version, v, sizeof(v)) && put(key, cap, "ubuntu:", v);
	if (strcmp(family, "alpine") == 0)
		return major_minor(version, v, sizeof(v)) && put(key, cap, "alpine:", v);
	if (strcmp(family, "almalinux") == 0)
		return major(version, v, sizeof(v)) && put(key, cap, "almalinux:", v);
	if (strcmp(family, "rocky") == 0)
		return major(version, v, sizeof(v)) && put(key, cap, "rocky:", v);
	if (strcmp(family, "rhel") == 0 || strcmp(family, "centos") == 0)
		return major(version, v, sizeof(v)) && put(key, cap, "rhel:", v);
	return false;
}

bool bw_eco_from_osv(const char *osv, char *key, size_t cap, bool *distro)
{
	char v[32];
	const char *rest;

	*distro = false;
	for (size_t i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
		if (strcmp(osv, languages[i].osv) == 0)
			return put(key, cap, languages[i].key, "");
	*distro = true;
	if (strncmp(osv, "Debian:", 7) == 0)
		return bw_eco_for_distro("debian", osv + 7, key, cap);
	if (strncmp(osv, "Alpine:", 7) == 0)
		return bw_eco_for_distro("alpine", osv + 7, key, cap);
	if (strncmp(osv, "AlmaLinux:", 10) == 0)
		return bw_eco_for_distro("almalinux", osv + 10, key, cap);
	if (strncmp(osv, "Rocky Linux:", 12) == 0)
		return bw_eco_for_distro("rocky", osv + 12, key, cap);
	if (strcmp(osv, "Wolfi") == 0)
		return put(key, cap, "wolfi", "");
	if (strcmp(osv, "Chainguard") == 0)
		return put(key, cap, "chainguard", "");
	if (strncmp(osv, "Ubuntu:", 7) == 0) {
		rest = osv + 7;
		/* Ubuntu Pro (ESM) records apply to every image of the release: after the end
		 * of standard support they are the only record of a flaw, which is there
		 * whether or not the image can install the ESM fix (docs/matching.md). */
		if (strncmp(rest, "Pro:", 4) == 0)
			rest += 4;
		return major_minor(rest, v, sizeof(v)) && put(key, cap, "ubuntu:", v);
	}
	return false;
}

const char *bw_eco_for_package_type(const char *type)
{
	for (size_t i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
		if (strcmp(type, languages[i].type) == 0)
			return languages[i].key;
	return NULL;
}

bool bw_eco_package_key(const char *eco_key, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name), o = 0;

	if (n == 0 || n >= cap)
		return false;
	if (strcmp(eco_key, "pypi") == 0) {
		/* PEP 503: lower case, every run of -, _ and . becomes one - */
		for (size_t i = 0; i < n; i++) {
			char c = name[i];
			if (c == '-' || c == '_' || c == '.') {
				if (o == 0 || out[o - 1] != '-')
					out[o++] = '-';
				continue;
			}
			out[o++] = (char)tolower((unsigned char)c);
		}
		out[o] = '\0';
		return o > 0;
	}
	bool lower = strcmp(eco_key, "composer") == 0 || strcmp(eco_key, "nuget") == 0;
	for (size_t i = 0; i <= n; i++)
		out[i] = lower ? (char)tolower((unsigned char)name[i]) : name[i];
	return true;
}
