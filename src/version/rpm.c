/*
 * version/rpm.c: RPM versions, [epoch:]version[-release], ordered as rpm
 * 4.18's rpm.vercmp() orders them: rpmverParse() splits the string, then
 * rpmverCmp() compares epoch (missing = "0"), version, release (a missing
 * release orders before any release, even an empty one), each with
 * rpmvercmp() (rpmio/rpmvercmp.c: alternating digit and letter segments,
 * '~' before everything, '^' after the end).
 *
 * Every non-empty string is a valid rpm version; rpmverParse() refuses only
 * the empty one.
 */
#include <string.h>

#include "version/version_int.h"

struct evr {
	const char *e, *v, *r; /* r is NULL when there is no release */
	size_t en, vn, rn;
};

/* parseEVR(): the epoch is a run of digits ending in ':'; the release follows
 * the last '-' after that run. */
static void parse(const char *s, size_t n, struct evr *p)
{
	size_t k = 0;
	while (k < n && bw_ver_isdigit(s[k]))
		k++;
	const char *se = NULL;
	for (size_t i = n; i-- > k;)
		if (s[i] == '-') {
			se = s + i;
			break;
		}
	const char *vstart = s, *vend = se ? se : s + n;
	p->e = "0";
	p->en = 1;
	if (k < n && s[k] == ':') {
		if (k > 0) {
			p->e = s;
			p->en = k;
		}
		vstart = s + k + 1;
	}
	p->v = vstart;
	p->vn = (size_t)(vend - vstart);
	if (se) {
		p->r = se + 1;
		p->rn = n - (size_t)(se + 1 - s);
	} else {
		p->r = NULL;
		p->rn = 0;
	}
}

static bool is_sep(int c)
{
	return !bw_ver_isalnum(c) && c != '~' && c != '^';
}

/* rpmvercmp() over (pointer, length) strings. */
static int rpmvercmp(const char *a, size_t an, const char *b, size_t bn)
{
	const char *one = a, *two = b, *ae = a + an, *be = b + bn;

	if (an == bn && memcmp(a, b, an) == 0)
		return 0;
#define ONE (one < ae ? (unsigned char)*one : 0)
#define TWO (two < be ? (unsigned char)*two : 0)
	while (one < ae || two < be) {
		while (one < ae && is_sep(ONE))
			one++;
		while (two < be && is_sep(TWO))
			two++;

		/* the tilde separator sorts before everything else */
		if (ONE == '~' || TWO == '~') {
			if (ONE != '~')
				return 1;
			if (TWO != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		/* the caret sorts like the tilde, except that the end of a
		 * string orders before it */
		if (ONE == '^' || TWO == '^') {
			if (!ONE)
				return -1;
			if (!TWO)
				return 1;
			if (ONE != '^')
				return 1;
			if (TWO != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (!(ONE && TWO))
			break;

		const char *s1 = one, *s2 = two;
		bool isnum;
		if (bw_ver_isdigit(*s1)) {
			while (s1 < ae && bw_ver_isdigit(*s1))
				s1++;
			while (s2 < be && bw_ver_isdigit(*s2))
				s2++;
			isnum = true;
		} else {
			while (s1 < ae && bw_ver_isalpha(*s1))
				s1++;
			while (s2 < be && bw_ver_isalpha(*s2))
				s2++;
			isnum = false;
		}
		if (one == s1)
			return -1; /* cannot happen: one starts a segment */
		/* a numeric segment is newer than an alphabetic one */
		if (two == s2)
			return isnum ? 1 : -1;
		int rc = isnum ? bw_ver_digits_cmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two))
			       : bw_ver_bytes_cmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
		if (rc)
			return rc;
		one = s1;
		two = s2;
	}
	if (!ONE && !TWO)
		return 0;
	return !ONE ? -1 : 1;
#undef ONE
#undef TWO
}

bool bw_ver_rpm_valid(const char *s, size_t n)
{
	(void)s;
	return n > 0;
}

int bw_ver_rpm_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct evr pa, pb;
	int r;

	parse(a, an, &pa);
	parse(b, bn, &pb);
	if ((r = rpmvercmp(pa.e, pa.en, pb.e, pb.en)) != 0)
		return r;
	if ((r = rpmvercmp(pa.v, pa.vn, pb.v, pb.vn)) != 0)
		return r;
	if (!pa.r || !pb.r)
		return (pa.r != NULL) - (pb.r != NULL);
	return rpmvercmp(pa.r, pa.rn, pb.r, pb.rn);
}
