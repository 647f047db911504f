/*
 * version/dpkg.c: Debian and Ubuntu versions, [epoch:]upstream[-revision],
 * ordered as dpkg orders them (lib/dpkg/version.c verrevcmp, parsed as
 * lib/dpkg/parsehelp.c parseversion does).
 *
 * Validity follows `dpkg --compare-versions`: what parseversion reports as an
 * error (empty string, embedded spaces, an epoch that is not a number, negative
 * or above INT_MAX, nothing after the colon, an empty upstream or revision) is
 * invalid; what it only warns about (no leading digit, odd characters) is
 * compared anyway, as dpkg does. Unlike dpkg we reject the empty string
 * instead of treating it as the blank version.
 */
#include <limits.h>
#include <string.h>

#include "version/version_int.h"

struct dpkg_version {
	const char *epoch; /* digits of a non-negative epoch, maybe with leading zeros */
	size_t epoch_len;
	const char *up;
	size_t up_len;
	const char *rev; /* "" when there is no revision */
	size_t rev_len;
};

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* What strtol() skips before a number. */
static bool is_c_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool parse(const char *s, size_t n, struct dpkg_version *v)
{
	size_t i = 0, end;

	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	if (i == n)
		return false; /* version string is empty */
	end = i;
	while (end < n && !is_blank((unsigned char)s[end]))
		end++;
	for (size_t k = end; k < n; k++)
		if (!is_blank((unsigned char)s[k]))
			return false; /* version string has embedded spaces */

	const char *str = s + i;
	size_t len = end - i;
	const char *colon = memchr(str, ':', len);

	v->epoch = "0";
	v->epoch_len = 1;
	if (colon) {
		/* strtol(): white space, a sign, digits; it must stop at the colon */
		size_t k = 0;
		bool negative = false;
		while (k < len && is_c_space((unsigned char)str[k]))
			k++;
		if (k < len && (str[k] == '+' || str[k] == '-'))
			negative = str[k++] == '-';
		size_t digits = k;
		while (k < len && bw_ver_isdigit(str[k]))
			k++;
		if (k == digits)
			return false; /* epoch in version is empty */
		if (str + k != colon)
			return false; /* epoch in version is not number */
		const char *e = str + digits;
		size_t en = k - digits;
		while (en > 1 && *e == '0')
			e++, en--;
		bool zero = en == 1 && *e == '0';
		if (negative && !zero)
			return false; /* epoch in version is negative */
		if (bw_ver_digits_cmp(e, en, "2147483647", 10) > 0)
			return false; /* epoch in version is too big (INT_MAX) */
		if ((size_t)(colon - str) + 1 == len)
			return false; /* nothing after colon in version number */
		v->epoch = e;
		v->epoch_len = en;
		len -= (size_t)(colon - str) + 1;
		str = colon + 1;
	}
	const char *hyphen = NULL;
	for (size_t k = len; k-- > 0;)
		if (str[k] == '-') {
			hyphen = str + k;
			break;
		}
	v->up = str;
	v->up_len = len;
	v->rev = "";
	v->rev_len = 0;
	if (hyphen) {
		v->up_len = (size_t)(hyphen - str);
		v->rev = hyphen + 1;
		v->rev_len = len - v->up_len - 1;
		if (v->rev_len == 0)
			return false; /* revision number is empty */
	}
	if (v->up_len == 0)
		return false; /* version number is empty */
	return true;
}

/* dpkg's order(): '~' first, then the end, digits, letters, everything else.
 * dpkg reads the byte as a (signed, on the platforms that matter) char, so a
 * byte >= 0x80 weighs c - 256 + 256 = its value as signed char plus 256. */
static int order(int c)
{
	if (bw_ver_isdigit(c))
		return 0;
	if (bw_ver_isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return (int)(signed char)c + 256;
	return 0;
}

static int verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;

#define A (i < an ? (unsigned char)a[i] : 0)
#define B (j < bn ? (unsigned char)b[j] : 0)
	while (i < an || j < bn) {
		int first_diff = 0;

		while ((i < an && !bw_ver_isdigit(A)) || (j < bn && !bw_ver_isdigit(B))) {
			int ac = order(A), bc = order(B);
			if (ac != bc)
				return ac < bc ? -1 : 1;
			i++;
			j++;
		}
		while (i < an && A == '0')
			i++;
		while (j < bn && B == '0')
			j++;
		while (bw_ver_isdigit(A) && bw_ver_isdigit(B)) {
			if (!first_diff)
				first_diff = A - B;
			i++;
			j++;
		}
		if (bw_ver_isdigit(A))
			return 1;
		if (bw_ver_isdigit(B))
			return -1;
		if (first_diff)
			return first_diff < 0 ? -1 : 1;
	}
#undef A
#undef B
	return 0;
}

bool bw_ver_dpkg_valid(const char *s, size_t n)
{
	struct dpkg_version v;
	return parse(s, n, &v);
}

int bw_ver_dpkg_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct dpkg_version va, vb;
	int r;

	if (!parse(a, an, &va) || !parse(b, bn, &vb))
		return 0; /* not reached: the dispatcher checked both */
	if ((r = bw_ver_digits_cmp(va.epoch, va.epoch_len, vb.epoch, vb.epoch_len)) != 0)
		return r;
	if ((r = verrevcmp(va.up, va.up_len, vb.up, vb.up_len)) != 0)
		return r;
	return verrevcmp(va.rev, va.rev_len, vb.rev, vb.rev_len);
}
