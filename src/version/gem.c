/*
 * version/gem.c: RubyGems versions as Gem::Version (rubygems 3.3, Ruby 3.1
 * in Debian 12) accepts and orders them.
 *
 * Valid: what Gem::Version.correct? accepts, /\A\s*([0-9]+(\.[0-9a-zA-Z]+)*
 * (-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z/; blank means "0".
 * Order: Gem::Version#<=>: every '-' reads as ".pre.", the string splits into
 * runs of digits and runs of letters, trailing zeros are dropped from the
 * numeric head and from the rest (canonical_segments), then segments compare
 * pairwise with missing ones as 0: numbers by value, words byte-wise, a word
 * before a number.
 */
#include <stdint.h>
#include <string.h>

#include "version/version.h"
#include "version/version_int.h"

/* segments: runs (at least one byte each) plus one "pre" per '-' */
#define MAX_SEGMENTS (BW_VERSION_MAX_BYTES + 1)

struct segment {
	const char *p;
	uint16_t len;
	bool number;
};

struct gem {
	struct segment seg[MAX_SEGMENTS];
	size_t count;
	size_t head_end; /* canonical numeric head: seg[0, head_end) */
	size_t rest;     /* first word: seg[rest, rest_end) */
	size_t rest_end;
};

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_part_char(int c, bool dash)
{
	return bw_ver_isalnum(c) || (dash && c == '-');
}

/* [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)? over [b, e) */
static bool correct(const char *s, size_t b, size_t e)
{
	size_t i = b;
	if (i == e)
		return true; /* blank: version 0 */
	if (!bw_ver_isdigit(s[i]))
		return false;
	while (i < e && bw_ver_isdigit(s[i]))
		i++;
	while (i + 1 < e && s[i] == '.' && bw_ver_isalnum(s[i + 1])) {
		i++;
		while (i < e && bw_ver_isalnum(s[i]))
			i++;
	}
	if (i + 1 < e && s[i] == '-' && is_part_char(s[i + 1], true)) {
		i++;
		while (i < e && is_part_char(s[i], true))
			i++;
		while (i + 1 < e && s[i] == '.' && is_part_char(s[i + 1], true)) {
			i++;
			while (i < e && is_part_char(s[i], true))
				i++;
		}
	}
	return i == e;
}

static bool trim(const char *s, size_t n, size_t *b, size_t *e)
{
	*b = 0;
	*e = n;
	while (*b < *e && is_space((unsigned char)s[*b]))
		(*b)++;
	while (*e > *b && is_space((unsigned char)s[*e - 1]))
		(*e)--;
	return correct(s, *b, *e);
}

static bool is_zero(const struct segment *g)
{
	if (!g->number)
		return false;
	for (size_t i = 0; i < g->len; i++)
		if (g->p[i] != '0')
			return false;
	return true;
}

static bool parse(const char *s, size_t n, struct gem *g)
{
	size_t b, e;
	if (!trim(s, n, &b, &e))
		return false;
	g->count = 0;
	if (b == e) {
		g->seg[g->count++] = (struct segment){ "0", 1, true };
	} else {
		for (size_t i = b; i < e;) {
			if (s[i] == '-') {
				g->seg[g->count++] = (struct segment){ "pre", 3, false };
				i++;
			} else if (bw_ver_isdigit(s[i]) || bw_ver_isalpha(s[i])) {
				size_t start = i;
				bool number = bw_ver_isdigit(s[i]);
				while (i < e && (number ? bw_ver_isdigit(s[i]) : bw_ver_isalpha(s[i])))
					i++;
				g->seg[g->count++] = (struct segment){ s + start, (uint16_t)(i - start), number };
			} else {
				i++; /* '.' */
			}
		}
	}
	size_t first_word = g->count;
	for (size_t i = 0; i < g->count; i++)
		if (!g->seg[i].number) {
			first_word = i;
			break;
		}
	g->head_end = first_word;
	while (g->head_end > 0 && is_zero(&g->seg[g->head_end - 1]))
		g->head_end--;
	g->rest = first_word;
	g->rest_end = g->count;
	while (g->rest_end > first_word && is_zero(&g->seg[g->rest_end - 1]))
		g->rest_end--;
	return true;
}

static size_t canon_len(const struct gem *g)
{
	return g->head_end + (g->rest_end - g->rest);
}

static const struct segment *canon_at(const struct gem *g, size_t i)
{
	return i < g->head_end ? &g->seg[i] : &g->seg[g->rest + (i - g->head_end)];
}

static int segment_cmp(const struct segment *a, const struct segment *b)
{
	if (a->number && b->number)
		return bw_ver_digits_cmp(a->p, a->len, b->p, b->len);
	if (!a->number && !b->number)
		return bw_ver_bytes_cmp(a->p, a->len, b->p, b->len);
	return a->number ? 1 : -1;
}

bool bw_ver_gem_valid(const char *s, size_t n)
{
	size_t b, e;
	return trim(s, n, &b, &e);
}

int bw_ver_gem_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	/* ~16 KiB each, on the stack: no allocation */
	struct gem ga, gb;
	static const struct segment zero = { "0", 1, true };

	if (!parse(a, an, &ga) || !parse(b, bn, &gb))
		return 0;
	size_t la = canon_len(&ga), lb = canon_len(&gb);
	size_t limit = la > lb ? la : lb;
	for (size_t i = 0; i < limit; i++) {
		const struct segment *x = i < la ? canon_at(&ga, i) : &zero;
		const struct segment *y = i < lb ? canon_at(&gb, i) : &zero;
		int r = segment_cmp(x, y);
		if (r)
			return r;
	}
	return 0;
}
