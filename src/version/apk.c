/*
 * version/apk.c: Alpine (and Wolfi) package versions,
 * digit{.digit}...{letter}{_suffix{number}}...{-r#}, ordered as the
 * apk-tools 2.10 series orders them (src/version.c, the `apk version -t` of
 * Alpine 3.x): a token machine where '.' numbers with leading zeros weigh by
 * their count of zeros, suffixes _alpha _beta _pre _rc sort before the bare
 * version and _cvs _svn _git _hg _p after it, and -rN is the package release.
 *
 * apk compares any string (`apk version -t` never refuses), so every
 * non-empty string is valid here too and odd input orders as apk orders it.
 * The one difference: apk accumulates numbers in an int that overflows past
 * nine digits; we compare digit strings of any length exactly.
 * docs/versions.md says how this differs from apk-tools 3.
 */
#include <string.h>

#include "version/version_int.h"

enum token {
	T_INVALID = -1,
	T_DIGIT_OR_ZERO,
	T_DIGIT,
	T_LETTER,
	T_SUFFIX,
	T_SUFFIX_NO,
	T_REVISION_NO,
	T_END,
};

/* A token's value: a number (digit string, exact) or a small integer
 * (minus the count of leading zeros, a letter, a suffix index). */
struct value {
	const char *digits; /* NULL: use small */
	size_t ndigits;
	int small;
};

struct blob {
	const char *p;
	size_t len;
};

static int value_cmp(const struct value *a, const struct value *b)
{
	if (a->digits && b->digits)
		return bw_ver_digits_cmp(a->digits, a->ndigits, b->digits, b->ndigits);
	if (!a->digits && !b->digits)
		return (a->small > b->small) - (a->small < b->small);
	/* a number is >= 0: it beats any negative small value */
	const struct value *num = a->digits ? a : b, *sm = a->digits ? b : a;
	int r;
	if (sm->small < 0) {
		r = 1;
	} else {
		char buf[16];
		size_t k = sizeof(buf);
		unsigned u = (unsigned)sm->small;
		do {
			buf[--k] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		r = bw_ver_digits_cmp(num->digits, num->ndigits, buf + k, sizeof(buf) - k);
	}
	return a->digits ? r : -r;
}

static void next_token(int *type, struct blob *b)
{
	int n = T_INVALID;

	if (b->len == 0 || b->p[0] == 0) {
		n = T_END;
	} else if ((*type == T_DIGIT || *type == T_DIGIT_OR_ZERO) && bw_ver_islower(b->p[0])) {
		n = T_LETTER;
	} else if (*type == T_LETTER && bw_ver_isdigit(b->p[0])) {
		n = T_DIGIT;
	} else if (*type == T_SUFFIX && bw_ver_isdigit(b->p[0])) {
		n = T_SUFFIX_NO;
	} else {
		switch (b->p[0]) {
		case '.':
			n = T_DIGIT_OR_ZERO;
			break;
		case '_':
			n = T_SUFFIX;
			break;
		case '-':
			if (b->len > 1 && b->p[1] == 'r') {
				n = T_REVISION_NO;
				b->p++;
				b->len--;
			} else {
				n = T_INVALID;
			}
			break;
		}
		b->p++;
		b->len--;
	}
	if (n < *type) {
		if (!((n == T_DIGIT_OR_ZERO && *type == T_DIGIT) ||
		      (n == T_SUFFIX && *type == T_SUFFIX_NO) ||
		      (n == T_DIGIT && *type == T_LETTER)))
			n = T_INVALID;
	}
	*type = n;
}

static bool has_prefix(const struct blob *b, const char *word)
{
	size_t n = strlen(word);
	return n <= b->len && memcmp(b->p, word, n) == 0;
}

static struct value get_token(int *type, struct blob *b)
{
	static const char *const pre_suffixes[] = { "alpha", "beta", "pre", "rc" };
	static const char *const post_suffixes[] = { "cvs", "svn", "git", "hg", "p" };
	struct value v = { NULL, 0, 0 };
	size_t i = 0;
	int nt = T_INVALID;

	if (b->len == 0) {
		*type = T_END;
		v.digits = "";
		return v;
	}
	switch (*type) {
	case T_DIGIT_OR_ZERO:
		/* leading zeros weigh by how many there are: 1.01 < 1.1, 1.001 < 1.01 */
		if (b->p[0] == '0') {
			while (i < b->len && b->p[i] == '0')
				i++;
			nt = T_DIGIT;
			v.small = -(int)i;
			break;
		}
		/* fallthrough */
	case T_DIGIT:
	case T_SUFFIX_NO:
	case T_REVISION_NO:
		while (i < b->len && bw_ver_isdigit(b->p[i]))
			i++;
		v.digits = b->p;
		v.ndigits = i;
		break;
	case T_LETTER:
		v.small = (unsigned char)b->p[i++];
		break;
	case T_SUFFIX: {
		size_t k;
		for (k = 0; k < 4; k++)
			if (has_prefix(b, pre_suffixes[k]))
				break;
		if (k < 4) {
			i = strlen(pre_suffixes[k]);
			v.small = (int)k - 4;
			break;
		}
		for (k = 0; k < 5; k++)
			if (has_prefix(b, post_suffixes[k]))
				break;
		if (k < 5) {
			i = strlen(post_suffixes[k]);
			v.small = (int)k;
			break;
		}
		/* not a suffix apk knows */
		*type = T_INVALID;
		v.small = -1;
		return v;
	}
	default:
		*type = T_INVALID;
		v.small = -1;
		return v;
	}
	b->p += i;
	b->len -= i;
	if (b->len == 0)
		*type = T_END;
	else if (nt != T_INVALID)
		*type = nt;
	else
		next_token(type, b);
	return v;
}

bool bw_ver_apk_valid(const char *s, size_t n)
{
	(void)s;
	return n > 0;
}

int bw_ver_apk_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct blob ba = { a, an }, bb = { b, bn };
	int at = T_DIGIT, bt = T_DIGIT, tt;
	struct value av = { "", 0, 0 }, bv = { "", 0, 0 };

	while (at == bt && at != T_END && at != T_INVALID && value_cmp(&av, &bv) == 0) {
		av = get_token(&at, &ba);
		bv = get_token(&bt, &bb);
	}
	int r = value_cmp(&av, &bv);
	if (r)
		return r;
	/* both end, or both turned invalid, at the same place */
	if (at == bt)
		return 0;
	/* equal so far: the longer one is newer, unless what follows is a
	 * pre-release suffix (or one apk does not know) */
	tt = at;
	if (at == T_SUFFIX) {
		struct value sv = get_token(&tt, &ba);
		if (!sv.digits && sv.small < 0)
			return -1;
	}
	tt = bt;
	if (bt == T_SUFFIX) {
		struct value sv = get_token(&tt, &bb);
		if (!sv.digits && sv.small < 0)
			return 1;
	}
	if (at > bt)
		return -1;
	if (bt > at)
		return 1;
	return 0;
}
