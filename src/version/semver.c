/*
 * version/semver.c: SemVer 2.0 as node-semver 7 orders it (npm, Cargo), and
 * Go module versions on top of it.
 *
 * semver: what semver.valid() accepts in strict mode: at most 256 characters
 * (JavaScript length, before trimming), JavaScript white space trimmed, an
 * optional 'v', MAJOR.MINOR.PATCH without leading zeros, each at most
 * Number.MAX_SAFE_INTEGER, then -PRERELEASE and +BUILD. Ordering is
 * semver.compare(): build metadata ignored, a prerelease orders before the
 * release, identifiers compare numerically when both are numeric (as
 * JavaScript numbers: beyond 2^53 two different identifiers can be equal,
 * and node then stops comparing), numeric before alphanumeric, else by code
 * unit.
 *
 * go: a leading 'v' and a trailing "+incompatible" are removed, then the
 * rest is a semver version: pseudo-versions such as
 * v0.0.0-20191109021931-daa7c04131f5 are ordinary prereleases.
 */
#include <stdlib.h>
#include <string.h>

#include "version/version_int.h"

#define MAX_JS_LENGTH 256

struct semver {
	const char *major, *minor, *patch;
	size_t major_n, minor_n, patch_n;
	const char *pre; /* NULL: no prerelease */
	size_t pre_n;
};

static bool is_ident_char(int c)
{
	return bw_ver_isalnum(c) || c == '-';
}

/* MAJOR, MINOR or PATCH: "0" or a digit string without leading zero, at most
 * MAX_SAFE_INTEGER. Advances *i. */
static bool numeric_ident(const char *s, size_t n, size_t *i, const char **out, size_t *out_n)
{
	size_t start = *i, k = *i;
	while (k < n && bw_ver_isdigit(s[k]))
		k++;
	if (k == start || (s[start] == '0' && k - start > 1))
		return false;
	if (bw_ver_digits_cmp(s + start, k - start, "9007199254740991", 16) > 0)
		return false;
	*out = s + start;
	*out_n = k - start;
	*i = k;
	return true;
}

/* A dot-separated list of identifiers from *i up to a '+' or the end.
 * Prerelease identifiers may not be numeric with a leading zero. */
static bool ident_list(const char *s, size_t n, size_t *i, bool prerelease)
{
	size_t k = *i;
	for (;;) {
		size_t start = k;
		bool all_digits = true;
		while (k < n && is_ident_char((unsigned char)s[k])) {
			if (!bw_ver_isdigit(s[k]))
				all_digits = false;
			k++;
		}
		if (k == start)
			return false;
		if (prerelease && all_digits && s[start] == '0' && k - start > 1)
			return false;
		if (k < n && s[k] == '.') {
			k++;
			continue;
		}
		break;
	}
	*i = k;
	return true;
}

static bool parse(const char *s, size_t n, struct semver *v)
{
	size_t begin = 0, end = n, trimmed = 0, sp;

	while (begin < end && (sp = bw_ver_space_len(s + begin, end - begin, BW_VER_SPACE_JS)) > 0) {
		begin += sp;
		trimmed++;
	}
	while (end > begin) {
		/* a white space character ending at end: try each length */
		size_t len = 0;
		for (size_t l = 1; l <= 3 && l <= end - begin; l++)
			if (bw_ver_space_len(s + end - l, l, BW_VER_SPACE_JS) == l) {
				len = l;
				break;
			}
		if (!len)
			break;
		end -= len;
		trimmed++;
	}
	/* JavaScript counts UTF-16 code units; what is left must be ASCII to
	 * be valid, and each trimmed space is one code unit */
	if ((end - begin) + trimmed > MAX_JS_LENGTH)
		return false;

	size_t i = begin;
	if (i < end && s[i] == 'v')
		i++;
	if (!numeric_ident(s, end, &i, &v->major, &v->major_n) || i >= end || s[i++] != '.' ||
	    !numeric_ident(s, end, &i, &v->minor, &v->minor_n) || i >= end || s[i++] != '.' ||
	    !numeric_ident(s, end, &i, &v->patch, &v->patch_n))
		return false;
	v->pre = NULL;
	v->pre_n = 0;
	if (i < end && s[i] == '-') {
		size_t start = ++i;
		if (!ident_list(s, end, &i, true))
			return false;
		v->pre = s + start;
		v->pre_n = i - start;
	}
	if (i < end && s[i] == '+') {
		i++;
		if (!ident_list(s, end, &i, false))
			return false;
	}
	return i == end;
}

/* Compares two all-digit identifiers as JavaScript compares +a and +b. */
static int js_number_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	/* up to 15 digits every integer is exact in a double */
	if (an <= 15 && bn <= 15)
		return bw_ver_digits_cmp(a, an, b, bn);
	/* both fit the 256-character bound; strtod rounds to nearest as
	 * Number() does */
	char ba[MAX_JS_LENGTH + 1], bb[MAX_JS_LENGTH + 1];
	if (an > MAX_JS_LENGTH || bn > MAX_JS_LENGTH)
		return bw_ver_digits_cmp(a, an, b, bn);
	memcpy(ba, a, an);
	ba[an] = '\0';
	memcpy(bb, b, bn);
	bb[bn] = '\0';
	double da = strtod(ba, NULL), db = strtod(bb, NULL);
	return (da > db) - (da < db);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!bw_ver_isdigit(s[i]))
			return false;
	return true;
}

static int compare_pre(const struct semver *a, const struct semver *b)
{
	if (a->pre && !b->pre)
		return -1;
	if (!a->pre && b->pre)
		return 1;
	if (!a->pre)
		return 0;
	size_t i = 0, j = 0;
	for (;;) {
		bool a_end = i > a->pre_n, b_end = j > b->pre_n;
		if (a_end && b_end)
			return 0;
		if (b_end)
			return 1;
		if (a_end)
			return -1;
		size_t ai = i, bj = j;
		while (i < a->pre_n && a->pre[i] != '.')
			i++;
		while (j < b->pre_n && b->pre[j] != '.')
			j++;
		const char *x = a->pre + ai, *y = b->pre + bj;
		size_t xn = i - ai, yn = j - bj;
		i++; /* past the '.', or one past the end: the list is over */
		j++;
		if (xn == yn && memcmp(x, y, xn) == 0)
			continue;
		bool xnum = all_digits(x, xn), ynum = all_digits(y, yn);
		if (xnum && ynum)
			return js_number_cmp(x, xn, y, yn); /* 0 here ends the comparison, as in node */
		if (xnum)
			return -1;
		if (ynum)
			return 1;
		return bw_ver_bytes_cmp(x, xn, y, yn);
	}
}

static int compare(const struct semver *a, const struct semver *b)
{
	int r;
	if ((r = bw_ver_digits_cmp(a->major, a->major_n, b->major, b->major_n)) != 0 ||
	    (r = bw_ver_digits_cmp(a->minor, a->minor_n, b->minor, b->minor_n)) != 0 ||
	    (r = bw_ver_digits_cmp(a->patch, a->patch_n, b->patch, b->patch_n)) != 0)
		return r;
	return compare_pre(a, b);
}

bool bw_ver_semver_valid(const char *s, size_t n)
{
	struct semver v;
	return parse(s, n, &v);
}

int bw_ver_semver_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct semver va, vb;
	if (!parse(a, an, &va) || !parse(b, bn, &vb))
		return 0;
	return compare(&va, &vb);
}

/* ------------------------------------------------------------------ Go */

static void go_strip(const char **s, size_t *n)
{
	static const char incompatible[] = "+incompatible";
	const size_t il = sizeof(incompatible) - 1;

	if (*n && (*s)[0] == 'v')
		(*s)++, (*n)--;
	if (*n >= il && memcmp(*s + *n - il, incompatible, il) == 0)
		*n -= il;
}

bool bw_ver_go_valid(const char *s, size_t n)
{
	struct semver v;
	go_strip(&s, &n);
	return parse(s, n, &v);
}

int bw_ver_go_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct semver va, vb;
	go_strip(&a, &an);
	go_strip(&b, &bn);
	if (!parse(a, an, &va) || !parse(b, bn, &vb))
		return 0;
	return compare(&va, &vb);
}
