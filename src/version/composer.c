/*
 * version/composer.c: Composer (Packagist) versions.
 *
 * A version is first normalised as Composer\Semver\VersionParser::normalize()
 * (composer/semver 3.3, Debian 12's php-composer-semver) does it: trimmed,
 * " as ALIAS" and "@stability" dropped, build metadata dropped, a 'v' prefix
 * dropped, then either the classical form (1 to 5 digit major and up to three
 * more numbers, padded to four: 1.2 -> 1.2.0.0) or a date form
 * (20230101, 2023.01.01.1), each with an optional modifier
 * (stable, beta|b, RC, alpha|a, patch|pl|p, then numbers, then -dev), or a
 * numeric branch ("1.x-dev" -> 1.9999999.9999999.9999999-dev), or a branch
 * name "dev-NAME" (also master, trunk, default). What normalize() rejects is
 * invalid.
 *
 * Two normalised versions then compare as Composer's Constraint compares
 * them: equal strings are equal, two branches (dev-*) are not ordered by
 * Composer at all (we order them by name, so the order is total), anything
 * else as PHP's version_compare() (ext/standard/versioning.c): canonicalised into dot-separated
 * elements, numbers by value (PHP clamps at LONG_MAX, and so do we, so all
 * numbers past 2^63-1 are equal), words by the special forms dev < alpha = a
 * < beta = b < RC = rc < # (a number) < pl = p, matched as prefixes, any other
 * word before all of them.
 *
 * The regular expressions of VersionParser are not run: each is decided by
 * a direct scan, reasoned against PCRE's backtracking (see the comments).
 */
#include <string.h>

#include "version/version.h"
#include "version/version_int.h"

#define NORM_MAX (BW_VERSION_MAX_BYTES + 128)
#define CANON_MAX (2 * NORM_MAX + 8)

struct out {
	char buf[NORM_MAX];
	size_t len;
	bool overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->buf) - 1 - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* PCRE's \s without UTF mode: the C locale's isspace() */
static bool pcre_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* PHP trim()'s default set */
static bool php_trim_char(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' || c == '\v';
}

static bool ci_at(const char *s, size_t i, size_t n, const char *word)
{
	size_t wn = strlen(word);
	if (i > n || n - i < wn)
		return false;
	for (size_t k = 0; k < wn; k++)
		if (bw_ver_tolower((unsigned char)s[i + k]) != bw_ver_tolower((unsigned char)word[k]))
			return false;
	return true;
}

/* PCRE's '$' without the D modifier: the end, or just before a final "\n" */
static bool at_end(const char *s, size_t i, size_t n)
{
	return i == n || (i + 1 == n && s[i] == '\n');
}

struct modifier {
	const char *stab; /* NULL: the group did not take part */
	size_t stab_n;
	const char *nums;
	size_t nums_n;
	bool dev;
};

/*
 * [._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$
 * (case-insensitive) over s[i, n), tried in the order PCRE backtracks:
 * separator taken or not, each stability word in turn or none, "-dev"/"dev"
 * or nothing. The numbers are possessive: all of them or none matters not,
 * as "dev" cannot start with a digit.
 */
static bool match_modifier(const char *s, size_t i, size_t n, struct modifier *m)
{
	static const char *const stabs[] = { "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p", NULL };

	for (int sep = 1; sep >= 0; sep--) {
		size_t j = i;
		if (sep) {
			if (!(j < n && (s[j] == '.' || s[j] == '_' || s[j] == '-')))
				continue;
			j++;
		}
		for (size_t a = 0; a < sizeof(stabs) / sizeof(stabs[0]); a++) {
			size_t pos = j;
			m->stab = NULL;
			m->stab_n = 0;
			m->nums = NULL;
			m->nums_n = 0;
			if (stabs[a]) {
				if (!ci_at(s, j, n, stabs[a]))
					continue;
				m->stab = s + j;
				m->stab_n = strlen(stabs[a]);
				size_t k = j + m->stab_n, q = k;
				for (;;) {
					size_t r = q;
					if (r < n && (s[r] == '.' || s[r] == '-'))
						r++;
					if (!(r < n && bw_ver_isdigit(s[r])))
						break;
					while (r < n && bw_ver_isdigit(s[r]))
						r++;
					q = r;
				}
				m->nums = s + k;
				m->nums_n = q - k;
				pos = q;
			}
			/* ([.-]?dev)? */
			if (pos < n && (s[pos] == '.' || s[pos] == '-') && ci_at(s, pos + 1, n, "dev") &&
			    at_end(s, pos + 4, n)) {
				m->dev = true;
				return true;
			}
			if (ci_at(s, pos, n, "dev") && at_end(s, pos + 3, n)) {
				m->dev = true;
				return true;
			}
			if (at_end(s, pos, n)) {
				m->dev = false;
				return true;
			}
		}
	}
	return false;
}

/* expandStability() */
static void put_stability(struct out *o, const char *s, size_t n)
{
	char low[8];
	for (size_t i = 0; i < n && i < sizeof(low); i++)
		low[i] = (char)bw_ver_tolower((unsigned char)s[i]);
	if (n == 1 && low[0] == 'a')
		puts_(o, "alpha");
	else if (n == 1 && low[0] == 'b')
		puts_(o, "beta");
	else if ((n == 1 && low[0] == 'p') || (n == 2 && memcmp(low, "pl", 2) == 0))
		puts_(o, "patch");
	else if (n == 2 && memcmp(low, "rc", 2) == 0)
		puts_(o, "RC");
	else
		put(o, low, n);
}

/* "add version modifiers if a version was matched" */
static void put_modifier(struct out *o, const struct modifier *m)
{
	if (m->stab && m->stab_n) {
		if (m->stab_n == 6 && memcmp(m->stab, "stable", 6) == 0)
			return; /* exactly "stable": the version alone, even before -dev */
		puts_(o, "-");
		put_stability(o, m->stab, m->stab_n);
		const char *p = m->nums;
		size_t pn = m->nums_n;
		while (pn && (*p == '.' || *p == '-')) /* ltrim(..., '.-') */
			p++, pn--;
		put(o, p, pn);
	}
	if (m->dev)
		puts_(o, "-dev");
}

/* ^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?MODIFIER$ : the major must be the
 * whole digit run (a shorter one leaves a digit nothing else matches), and
 * each ".N" group takes what it can (M cannot start with ".digit"). */
static bool classical(const char *s, size_t n, struct out *o)
{
	size_t i = 0;
	if (i < n && (s[i] == 'v' || s[i] == 'V'))
		i++;
	size_t start = i;
	while (i < n && bw_ver_isdigit(s[i]))
		i++;
	if (i == start || i - start > 5)
		return false;
	const char *groups[3] = { NULL, NULL, NULL };
	size_t group_n[3] = { 0, 0, 0 };
	size_t major_end = i;
	for (int g = 0; g < 3; g++) {
		if (!(i + 1 < n && s[i] == '.' && bw_ver_isdigit(s[i + 1])))
			break;
		groups[g] = s + i;
		i++;
		while (i < n && bw_ver_isdigit(s[i]))
			i++;
		group_n[g] = (size_t)(s + i - groups[g]);
	}
	struct modifier m;
	if (!match_modifier(s, i, n, &m))
		return false;
	put(o, s + start, major_end - start);
	for (int g = 0; g < 3; g++)
		if (groups[g])
			put(o, groups[g], group_n[g]);
		else
			puts_(o, ".0");
	put_modifier(o, &m);
	return true;
}

/*
 * ^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)MODIFIER$ : the group must
 * take the longest run of digit groups joined by single [.:-] (the modifier
 * cannot start with a digit or with a separator and a digit). It matches when
 * those digits split as 4, then 1 to 6 pairs, then 1 to 3 optional, with every
 * separator between units: all runs but the last hold whole pairs (after the
 * first four digits), the last run holds pairs and at most 3 more.
 */
static bool date(const char *s, size_t n, struct out *o)
{
	size_t i = 0;
	if (i < n && (s[i] == 'v' || s[i] == 'V'))
		i++;
	size_t start = i, pairs = 0, seg = 0;
	bool first = true;
	for (;;) {
		size_t run = i;
		while (i < n && bw_ver_isdigit(s[i]))
			i++;
		if (first) {
			if (i - run < 4)
				return false;
			run += 4;
			first = false;
		}
		seg = i - run; /* digits after the first four, in this run */
		if (i + 1 < n && (s[i] == '.' || s[i] == ':' || s[i] == '-') && bw_ver_isdigit(s[i + 1])) {
			/* not the last run: whole pairs only */
			if (seg % 2)
				return false;
			pairs += seg / 2;
			i++;
			continue;
		}
		break;
	}
	/* the last run: j pairs and t in [0, 3] digits, pairs + j in [1, 6] */
	size_t j_max = seg / 2, j_min = seg > 3 ? (seg - 2) / 2 : 0;
	if (pairs + j_max < 1 || pairs + j_min > 6)
		return false;
	struct modifier m;
	if (!match_modifier(s, i, n, &m))
		return false;
	for (size_t k = start; k < i; k++)
		put(o, bw_ver_isdigit(s[k]) ? s + k : ".", 1);
	put_modifier(o, &m);
	return true;
}

/* normalizeBranch() for the numeric case: ^v?(\d++)(\.(?:\d++|[xX*])){0,3}$ */
static bool numeric_branch(const char *s, size_t n, struct out *o)
{
	size_t b = 0, e = n;
	while (b < e && php_trim_char((unsigned char)s[b]))
		b++;
	while (e > b && php_trim_char((unsigned char)s[e - 1]))
		e--;
	size_t i = b;
	if (i < e && (s[i] == 'v' || s[i] == 'V'))
		i++;
	size_t start = i;
	while (i < e && bw_ver_isdigit(s[i]))
		i++;
	if (i == start)
		return false;
	struct out tmp = { .len = 0, .overflow = false };
	tmp.buf[0] = '\0';
	put(&tmp, s + start, i - start);
	int groups = 0;
	while (groups < 3 && i + 1 < e && s[i] == '.') {
		char c = s[i + 1];
		if (bw_ver_isdigit(c)) {
			size_t g = i;
			i++;
			while (i < e && bw_ver_isdigit(s[i]))
				i++;
			put(&tmp, s + g, i - g);
		} else if (c == 'x' || c == 'X' || c == '*') {
			put(&tmp, ".x", 2);
			i += 2;
		} else {
			break;
		}
		groups++;
	}
	if (!at_end(s, i, e))
		return false;
	for (; groups < 3; groups++)
		put(&tmp, ".x", 2);
	for (size_t k = 0; k < tmp.len; k++)
		if (tmp.buf[k] == 'x')
			puts_(o, "9999999");
		else
			put(o, tmp.buf + k, 1);
	puts_(o, "-dev");
	return !tmp.overflow;
}

/* VersionParser::normalize() */
static bool normalize(const char *s, size_t n, struct out *o)
{
	size_t b = 0, e = n;

	o->len = 0;
	o->overflow = false;
	o->buf[0] = '\0';
	while (b < e && php_trim_char((unsigned char)s[b]))
		b++;
	while (e > b && php_trim_char((unsigned char)s[e - 1]))
		e--;
	s += b;
	n = e - b;

	/* ^([^,\s]++) ++as ++([^,\s]++)$ : keep the part before " as " */
	{
		size_t i = 0;
		while (i < n && s[i] != ',' && !pcre_space((unsigned char)s[i]))
			i++;
		size_t j = i;
		while (j < n && s[j] == ' ')
			j++;
		if (i > 0 && j > i && j + 2 <= n && s[j] == 'a' && s[j + 1] == 's') {
			size_t k = j + 2;
			while (k < n && s[k] == ' ')
				k++;
			size_t m = k;
			while (m < n && s[m] != ',' && !pcre_space((unsigned char)s[m]))
				m++;
			if (k > j + 2 && m > k && at_end(s, m, n))
				n = i;
		}
	}
	/* @(?:stable|RC|beta|alpha|dev)$ (case-insensitive) */
	{
		static const char *const flags[] = { "stable", "RC", "beta", "alpha", "dev" };
		for (size_t f = 0; f < 5; f++) {
			size_t fl = strlen(flags[f]);
			for (size_t nl = 0; nl <= 1; nl++) { /* '$' also before a final "\n" */
				if (nl && !(n > 0 && s[n - 1] == '\n'))
					continue;
				if (n >= fl + 1 + nl && s[n - nl - fl - 1] == '@' &&
				    ci_at(s, n - nl - fl, n - nl, flags[f])) {
					n -= fl + 1 + nl;
					goto flag_done;
				}
			}
		}
	flag_done:;
	}
	if ((n == 6 && memcmp(s, "master", 6) == 0) || (n == 5 && memcmp(s, "trunk", 5) == 0) ||
	    (n == 7 && memcmp(s, "default", 7) == 0)) {
		puts_(o, "dev-");
		put(o, s, n);
		return !o->overflow;
	}
	/* a branch: dev-NAME, kept as it is */
	if (ci_at(s, 0, n, "dev-")) {
		puts_(o, "dev-");
		put(o, s + 4, n - 4);
		return !o->overflow;
	}
	/* ^([^,\s+]++)\+[^\s]++$ : drop build metadata */
	{
		size_t i = 0;
		while (i < n && s[i] != ',' && s[i] != '+' && !pcre_space((unsigned char)s[i]))
			i++;
		if (i > 0 && i < n && s[i] == '+') {
			size_t m = i + 1;
			while (m < n && !pcre_space((unsigned char)s[m]))
				m++;
			if (m > i + 1 && at_end(s, m, n))
				n = i;
		}
	}
	if (classical(s, n, o) || (o->len = 0, o->buf[0] = '\0', date(s, n, o)))
		return !o->overflow;
	o->len = 0;
	o->buf[0] = '\0';
	/* (.*?)[.-]?dev$ : a numeric branch such as 1.x-dev. The lazy group
	 * cannot cross a newline, so it starts after the last one. */
	{
		size_t end = n;
		if (end > 0 && s[end - 1] == '\n')
			end--;
		size_t i;
		if (end >= 3 && ci_at(s, end - 3, end, "dev")) {
			i = end - 3;
			if (i > 0 && (s[i - 1] == '.' || s[i - 1] == '-'))
				i--;
			size_t g = i;
			while (g > 0 && s[g - 1] != '\n')
				g--;
			if (numeric_branch(s + g, i - g, o))
				return !o->overflow;
		}
		/* a trailing "\n" that is not the final one: '$' cannot use it */
	}
	return false;
}

/* ---------------------------------------------------------- version_compare */

static bool php_isdigit(int c)
{
	return bw_ver_isdigit(c);
}

/* php_canonicalize_version(): s/[-_+]/./g, a '.' between digits and
 * non-digits, any other non-alphanumeric byte becomes '.', no two dots in a
 * row. The first byte is kept as it is. out holds 2 * strlen(in) + 1. */
static void canonicalize(const char *in, char *out)
{
	const char *p = in;
	char *q = out;
	char lp;
	if (!*p) {
		*q = '\0';
		return;
	}
	*q++ = lp = *p++;
#define isdig(x) (php_isdigit((unsigned char)(x)) && (x) != '.')
#define isndig(x) (!php_isdigit((unsigned char)(x)) && (x) != '.')
#define isspecialver(x) ((x) == '-' || (x) == '_' || (x) == '+')
	while (*p) {
		if (isspecialver(*p)) {
			if (q[-1] != '.')
				*q++ = '.';
		} else if ((isndig(lp) && isdig(*p)) || (isdig(lp) && isndig(*p))) {
			if (q[-1] != '.')
				*q++ = '.';
			*q++ = *p;
		} else if (!bw_ver_isalnum((unsigned char)*p)) {
			if (q[-1] != '.')
				*q++ = '.';
		} else {
			*q++ = *p;
		}
		lp = *p++;
	}
	*q = '\0';
#undef isdig
#undef isndig
#undef isspecialver
}

static int special_form(const char *form)
{
	static const struct {
		const char *name;
		int order;
	} forms[] = {
		{ "dev", 0 }, { "alpha", 1 }, { "a", 1 }, { "beta", 2 }, { "b", 2 },
		{ "RC", 3 },  { "rc", 3 },    { "#", 4 }, { "pl", 5 },   { "p", 5 },
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strncmp(form, forms[i].name, strlen(forms[i].name)) == 0)
			return forms[i].order;
	return -1;
}

static int compare_special(const char *a, const char *b)
{
	int x = special_form(a), y = special_form(b);
	return (x > y) - (x < y);
}

/* strtol() on a run of digits, then sign(l1 - l2): exact up to LONG_MAX,
 * where strtol clamps. */
static int php_number_cmp(const char *a, const char *b)
{
	static const char long_max[] = "9223372036854775807";
	size_t an = strspn(a, "0123456789"), bn = strspn(b, "0123456789");
	bool a_big = bw_ver_digits_cmp(a, an, long_max, sizeof(long_max) - 1) >= 0;
	bool b_big = bw_ver_digits_cmp(b, bn, long_max, sizeof(long_max) - 1) >= 0;
	if (a_big || b_big)
		return a_big == b_big ? 0 : (a_big ? 1 : -1);
	return bw_ver_digits_cmp(a, an, b, bn);
}

/* php_version_compare(); depth bounds the recursion on the unmatched tail
 * (it never goes past 2: the tail is compared with "#N#", which has one
 * element). */
static int php_version_compare(const char *v1, const char *v2, int depth)
{
	if (!*v1 || !*v2) {
		if (!*v1 && !*v2)
			return 0;
		return *v1 ? 1 : -1;
	}
	if (depth > 4)
		return 0;

	char b1[CANON_MAX], b2[CANON_MAX];
	if (v1[0] == '#') {
		size_t l = strlen(v1);
		memcpy(b1, v1, l < CANON_MAX - 1 ? l + 1 : CANON_MAX);
		b1[CANON_MAX - 1] = '\0';
	} else {
		canonicalize(v1, b1);
	}
	if (v2[0] == '#') {
		size_t l = strlen(v2);
		memcpy(b2, v2, l < CANON_MAX - 1 ? l + 1 : CANON_MAX);
		b2[CANON_MAX - 1] = '\0';
	} else {
		canonicalize(v2, b2);
	}
	char *p1 = b1, *p2 = b2, *n1 = b1, *n2 = b2;
	int compare = 0;
	while (*p1 && *p2 && n1 && n2) {
		if ((n1 = strchr(p1, '.')) != NULL)
			*n1 = '\0';
		if ((n2 = strchr(p2, '.')) != NULL)
			*n2 = '\0';
		bool d1 = php_isdigit((unsigned char)*p1), d2 = php_isdigit((unsigned char)*p2);
		if (d1 && d2)
			compare = php_number_cmp(p1, p2);
		else if (!d1 && !d2)
			compare = compare_special(p1, p2);
		else if (d1)
			compare = compare_special("#N#", p2);
		else
			compare = compare_special(p1, "#N#");
		if (compare != 0)
			break;
		if (n1 != NULL)
			p1 = n1 + 1;
		if (n2 != NULL)
			p2 = n2 + 1;
	}
	if (compare == 0) {
		if (n1 != NULL) {
			if (php_isdigit((unsigned char)*p1))
				compare = 1;
			else
				compare = php_version_compare(p1, "#N#", depth + 1);
		} else if (n2 != NULL) {
			if (php_isdigit((unsigned char)*p2))
				compare = -1;
			else
				compare = php_version_compare("#N#", p2, depth + 1);
		}
	}
	return compare;
}

bool bw_ver_composer_valid(const char *s, size_t n)
{
	struct out o;
	return normalize(s, n, &o);
}

int bw_ver_composer_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct out oa, ob;
	if (!normalize(a, an, &oa) || !normalize(b, bn, &ob))
		return 0;
	/* Composer's Constraint: equal strings are equal (version_compare()
	 * alone says "dev--" < "dev--"), and two branches are never ordered;
	 * we order them by name so the order stays total */
	int same = strcmp(oa.buf, ob.buf);
	if (same == 0)
		return 0;
	if (strncmp(oa.buf, "dev-", 4) == 0 && strncmp(ob.buf, "dev-", 4) == 0)
		return same < 0 ? -1 : 1;
	return php_version_compare(oa.buf, ob.buf, 0);
}
