/*
 * version/nuget.c: NuGet package versions as NuGet.Versioning's
 * NuGetVersion.TryParse accepts them and VersionComparer.Default orders them.
 *
 * Valid: white space trimmed, then N[.N[.N[.N]]] (each a non-negative Int32,
 * as System.Version parses it; leading zeros allowed), then optionally
 * -LABEL(.LABEL)* (letters, digits, '-'; a numeric label without leading
 * zeros) and +METADATA(.METADATA)*. Order: the four numbers (missing = 0),
 * then no labels after labels, then labels pairwise: Int32 labels by value
 * and before the others, the others case-insensitively (ordinal); a shorter
 * list of equal labels first. Metadata never counts.
 *
 * There is no NuGet in Debian to test against: docs/versions.md lists what we
 * read from NuGet.Versioning and what we did not reproduce (System.Version
 * also takes inner white space and '+' signs in numbers; we do not).
 */
#include <string.h>

#include "version/version_int.h"

struct nuget {
	const char *num[4];
	size_t num_n[4];
	const char *labels; /* NULL: release */
	size_t labels_n;
};

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool label_char(int c)
{
	return bw_ver_isalnum(c) || c == '-';
}

static bool fits_int32(const char *s, size_t n)
{
	return bw_ver_digits_cmp(s, n, "2147483647", 10) <= 0;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!bw_ver_isdigit(s[i]))
			return false;
	return n > 0;
}

/* IsValidPart() over each '.'-separated part of s[0, n) */
static bool parts_valid(const char *s, size_t n, bool allow_leading_zeros)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < n && s[i] != '.') {
			if (!label_char((unsigned char)s[i]))
				return false;
			i++;
		}
		if (i == start)
			return false;
		if (!allow_leading_zeros && i - start > 1 && s[start] == '0' &&
		    all_digits(s + start + 1, i - start - 1))
			return false;
		if (i == n)
			return true;
		i++; /* '.' */
	}
}

static bool parse(const char *s, size_t n, struct nuget *v)
{
	size_t b = 0, e = n;
	while (b < e && is_space((unsigned char)s[b]))
		b++;
	while (e > b && is_space((unsigned char)s[e - 1]))
		e--;
	if (b == e)
		return false;
	/* ParseSections(): the version runs to the first '-' or '+' */
	size_t i = b;
	while (i < e && s[i] != '-' && s[i] != '+')
		i++;
	size_t vend = i;
	memset(v, 0, sizeof(*v));
	for (int k = 0; k < 4; k++) {
		v->num[k] = "0";
		v->num_n[k] = 1;
	}
	/* System.Version: 1 to 4 Int32 numbers ("1" gets ".0" added) */
	size_t p = b;
	int count = 0;
	for (;;) {
		size_t start = p;
		while (p < vend && bw_ver_isdigit(s[p]))
			p++;
		if (p == start || count == 4 || !fits_int32(s + start, p - start))
			return false;
		v->num[count] = s + start;
		v->num_n[count] = p - start;
		count++;
		if (p == vend)
			break;
		if (s[p] != '.')
			return false;
		p++;
	}
	if (i < e && s[i] == '-') {
		size_t lstart = ++i;
		while (i < e && s[i] != '+')
			i++;
		if (!parts_valid(s + lstart, i - lstart, false))
			return false;
		v->labels = s + lstart;
		v->labels_n = i - lstart;
	}
	if (i < e && s[i] == '+') {
		size_t mstart = ++i;
		if (!parts_valid(s + mstart, e - mstart, true))
			return false;
	}
	return true;
}

/* Int32.TryParse on a label: digits (a leading '-' too), within Int32 */
static bool int32_label(const char *s, size_t n, bool *negative, const char **digits, size_t *dn)
{
	*negative = n > 1 && s[0] == '-';
	if (*negative)
		s++, n--;
	if (!all_digits(s, n))
		return false;
	if (bw_ver_digits_cmp(s, n, *negative ? "2147483648" : "2147483647", 10) > 0)
		return false;
	*digits = s;
	*dn = n;
	return true;
}

static int label_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	bool aneg, bneg;
	const char *ad, *bd;
	size_t adn, bdn;
	bool anum = int32_label(a, an, &aneg, &ad, &adn);
	bool bnum = int32_label(b, bn, &bneg, &bd, &bdn);

	if (anum && bnum) {
		int mag = bw_ver_digits_cmp(ad, adn, bd, bdn);
		bool az = bw_ver_digits_cmp(ad, adn, "0", 1) == 0, bz = bw_ver_digits_cmp(bd, bdn, "0", 1) == 0;
		aneg = aneg && !az;
		bneg = bneg && !bz;
		if (aneg != bneg)
			return aneg ? -1 : 1;
		return aneg ? -mag : mag;
	}
	if (anum != bnum)
		return anum ? -1 : 1;
	/* StringComparer.OrdinalIgnoreCase: upper-cased code units */
	size_t n = an < bn ? an : bn;
	for (size_t i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (bw_ver_islower(x))
			x -= 'a' - 'A';
		if (bw_ver_islower(y))
			y -= 'a' - 'A';
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (an > bn) - (an < bn);
}

static int compare(const struct nuget *a, const struct nuget *b)
{
	for (int k = 0; k < 4; k++) {
		int r = bw_ver_digits_cmp(a->num[k], a->num_n[k], b->num[k], b->num_n[k]);
		if (r)
			return r;
	}
	if (!a->labels || !b->labels)
		return (a->labels == NULL) - (b->labels == NULL);
	size_t i = 0, j = 0;
	for (;;) {
		bool a_end = i > a->labels_n, b_end = j > b->labels_n;
		if (a_end && b_end)
			return 0;
		if (a_end)
			return -1;
		if (b_end)
			return 1;
		size_t ai = i, bj = j;
		while (i < a->labels_n && a->labels[i] != '.')
			i++;
		while (j < b->labels_n && b->labels[j] != '.')
			j++;
		int r = label_cmp(a->labels + ai, i - ai, b->labels + bj, j - bj);
		if (r)
			return r;
		i++;
		j++;
	}
}

bool bw_ver_nuget_valid(const char *s, size_t n)
{
	struct nuget v;
	return parse(s, n, &v);
}

int bw_ver_nuget_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct nuget va, vb;
	if (!parse(a, an, &va) || !parse(b, bn, &vb))
		return 0;
	return compare(&va, &vb);
}
