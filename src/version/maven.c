/*
 * version/maven.c: Maven versions as org.apache.maven.artifact.versioning.
 * ComparableVersion of Maven 3.8.7 (Debian 12's libmaven3-core-java, which
 * already has MNG-7644: ".X1" sorts as "-X1") parses and orders them.
 *
 * The string, lower-cased, becomes a tree of items: numbers, qualifiers
 * (strings) and lists. '.' separates items, '-' and every switch between
 * digits and letters open a nested list; each list then drops its trailing
 * "null" items (0, "", ga, final, release, empty lists). Qualifiers order
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
 * < sp < any other word (those among themselves alphabetically); a1, b1, m1
 * stand for alpha-1, beta-1, milestone-1. Numbers beat lists beat words.
 *
 * ComparableVersion accepts every string, so every string is valid here.
 * The tree lives in a fixed array on the stack (no allocation): a string of
 * BW_VERSION_MAX_BYTES makes at most 5 items per 2 bytes.
 */
#include <stdint.h>
#include <string.h>

#include "version/version.h"
#include "version/version_int.h"

#define MAX_ITEMS ((BW_VERSION_MAX_BYTES * 5) / 2 + 8)
#define NONE 0xffff

enum item_type { IT_NUMBER, IT_STRING, IT_LIST };

/* Qualifier ranks as ComparableVersion's comparableQualifier() orders them;
 * Q_OTHER is "7-<word>", after all of them. */
enum {
	Q_ALPHA,
	Q_BETA,
	Q_MILESTONE,
	Q_RC,
	Q_SNAPSHOT,
	Q_RELEASE, /* "" */
	Q_SP,
	Q_OTHER,
};

struct item {
	uint8_t type;
	uint8_t qual;  /* IT_STRING: rank */
	uint16_t off;  /* IT_NUMBER: digits without leading zeros; IT_STRING Q_OTHER: the word */
	uint16_t len;
	uint16_t next; /* siblings */
	uint16_t prev;
	uint16_t first; /* IT_LIST: children */
	uint16_t last;
};

struct tree {
	const char *s;
	struct item items[MAX_ITEMS];
	size_t count;
};

static uint16_t new_item(struct tree *t, int type)
{
	uint16_t id = (uint16_t)t->count++;
	struct item *it = &t->items[id];
	memset(it, 0, sizeof(*it));
	it->type = (uint8_t)type;
	it->next = it->prev = it->first = it->last = NONE;
	return id;
}

static void append(struct tree *t, uint16_t list, uint16_t child)
{
	struct item *l = &t->items[list];
	t->items[child].prev = l->last;
	if (l->last != NONE)
		t->items[l->last].next = child;
	else
		l->first = child;
	l->last = child;
}

static uint16_t add_list(struct tree *t, uint16_t list)
{
	uint16_t id = new_item(t, IT_LIST);
	append(t, list, id);
	return id;
}

static bool word_is(const char *s, size_t n, const char *word)
{
	size_t wn = strlen(word);
	if (n != wn)
		return false;
	for (size_t i = 0; i < n; i++)
		if (bw_ver_tolower((unsigned char)s[i]) != word[i])
			return false;
	return true;
}

/* StringItem(value, followedByDigit) */
static void add_string(struct tree *t, uint16_t list, size_t off, size_t len, bool followed_by_digit)
{
	static const char *const quals[] = { "alpha", "beta", "milestone", "rc", "snapshot", "", "sp" };
	uint16_t id = new_item(t, IT_STRING);
	struct item *it = &t->items[id];
	const char *w = t->s + off;
	int q = Q_OTHER;

	if (followed_by_digit && len == 1) {
		switch (bw_ver_tolower((unsigned char)w[0])) {
		case 'a': q = Q_ALPHA; break;
		case 'b': q = Q_BETA; break;
		case 'm': q = Q_MILESTONE; break;
		default: break;
		}
	}
	if (q == Q_OTHER) {
		if (word_is(w, len, "ga") || word_is(w, len, "final") || word_is(w, len, "release"))
			q = Q_RELEASE;
		else if (word_is(w, len, "cr"))
			q = Q_RC;
		else
			for (int k = 0; k < Q_OTHER; k++)
				if (word_is(w, len, quals[k])) {
					q = k;
					break;
				}
	}
	it->qual = (uint8_t)q;
	it->off = (uint16_t)off;
	it->len = (uint16_t)len;
	append(t, list, id);
}

static void add_number(struct tree *t, uint16_t list, size_t off, size_t len)
{
	uint16_t id = new_item(t, IT_NUMBER);
	while (len && t->s[off] == '0')
		off++, len--;
	t->items[id].off = (uint16_t)off;
	t->items[id].len = (uint16_t)len;
	append(t, list, id);
}

static void parse_item(struct tree *t, uint16_t list, bool is_digit, size_t off, size_t len)
{
	if (is_digit)
		add_number(t, list, off, len);
	else
		add_string(t, list, off, len, false);
}

static bool is_null(const struct tree *t, uint16_t id)
{
	const struct item *it = &t->items[id];
	switch (it->type) {
	case IT_NUMBER:
		return it->len == 0;
	case IT_STRING:
		return it->qual == Q_RELEASE;
	default:
		return it->first == NONE;
	}
}

/* ListItem.normalize(): drop trailing null items, looking past non-null
 * lists (which were normalized before, being created later). */
static void normalize(struct tree *t, uint16_t list)
{
	uint16_t id = t->items[list].last;
	while (id != NONE) {
		uint16_t prev = t->items[id].prev;
		if (is_null(t, id)) {
			struct item *it = &t->items[id], *l = &t->items[list];
			if (it->prev != NONE)
				t->items[it->prev].next = it->next;
			else
				l->first = it->next;
			if (it->next != NONE)
				t->items[it->next].prev = it->prev;
			else
				l->last = it->prev;
		} else if (t->items[id].type != IT_LIST) {
			break;
		}
		id = prev;
	}
}

/* ComparableVersion.parseVersion() */
static void build(struct tree *t, const char *s, size_t n)
{
	t->s = s;
	t->count = 0;
	uint16_t root = new_item(t, IT_LIST), list = root;
	bool is_digit = false;
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.' || c == '-') {
			if (i == start)
				add_number(t, list, i, 0); /* IntItem.ZERO */
			else
				parse_item(t, list, is_digit, start, i - start);
			start = i + 1;
			if (c == '-')
				list = add_list(t, list);
		} else if (bw_ver_isdigit(c)) {
			if (!is_digit && i > start) {
				/* "X1": the word goes into a list of its own when the
				 * current list has items (MNG-7644) */
				if (t->items[list].first != NONE)
					list = add_list(t, list);
				add_string(t, list, start, i - start, true);
				start = i;
				list = add_list(t, list);
			}
			is_digit = true;
		} else {
			if (is_digit && i > start) {
				add_number(t, list, start, i - start);
				start = i;
				list = add_list(t, list);
			}
			is_digit = false;
		}
	}
	if (n > start) {
		if (!is_digit && t->items[list].first != NONE)
			list = add_list(t, list);
		parse_item(t, list, is_digit, start, n - start);
	}
	/* every list is normalized after the lists created after it */
	for (size_t id = t->count; id-- > 0;)
		if (t->items[id].type == IT_LIST)
			normalize(t, (uint16_t)id);
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static int string_vs_null(const struct item *it)
{
	return sign(it->qual - Q_RELEASE);
}

static int string_cmp(const struct tree *ta, const struct item *a, const struct tree *tb,
		      const struct item *b)
{
	if (a->qual != Q_OTHER || b->qual != Q_OTHER)
		return sign((int)a->qual - (int)b->qual);
	/* two unknown words: "7-a" against "7-b", lower-cased */
	const char *x = ta->s + a->off, *y = tb->s + b->off;
	size_t n = a->len < b->len ? a->len : b->len;
	for (size_t i = 0; i < n; i++) {
		int cx = bw_ver_tolower((unsigned char)x[i]), cy = bw_ver_tolower((unsigned char)y[i]);
		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return sign((int)a->len - (int)b->len);
}

/* Item.compareTo(item); b == NULL stands for Java's null. The depth of the
 * recursion is the nesting of lists, at most the length of the string. */
static int item_cmp(const struct tree *ta, uint16_t ia, const struct tree *tb, const uint16_t *ib)
{
	const struct item *a = &ta->items[ia];
	const struct item *b = ib ? &tb->items[*ib] : NULL;

	switch (a->type) {
	case IT_NUMBER:
		if (!b)
			return a->len == 0 ? 0 : 1;
		if (b->type == IT_NUMBER)
			return bw_ver_digits_cmp(ta->s + a->off, a->len, tb->s + b->off, b->len);
		return 1; /* 1.1 > 1-sp, 1.1 > 1-1 */
	case IT_STRING:
		if (!b)
			return string_vs_null(a);
		if (b->type == IT_STRING)
			return string_cmp(ta, a, tb, b);
		return -1; /* 1.any < 1.1, 1.any < 1-1 */
	default:
		if (!b) {
			/* the whole list against nothing (MNG-6964) */
			for (uint16_t c = a->first; c != NONE; c = ta->items[c].next) {
				int r = item_cmp(ta, c, tb, NULL);
				if (r)
					return r;
			}
			return 0;
		}
		if (b->type == IT_NUMBER)
			return -1; /* 1-1 < 1.0.x */
		if (b->type == IT_STRING)
			return 1; /* 1-1 > 1-sp */
		uint16_t l = a->first, r = b->first;
		while (l != NONE || r != NONE) {
			int res;
			if (l == NONE)
				res = -item_cmp(tb, r, ta, NULL);
			else
				res = item_cmp(ta, l, tb, r == NONE ? NULL : &r);
			if (res)
				return res;
			if (l != NONE)
				l = ta->items[l].next;
			if (r != NONE)
				r = tb->items[r].next;
		}
		return 0;
	}
}

bool bw_ver_maven_valid(const char *s, size_t n)
{
	(void)s;
	return n <= BW_VERSION_MAX_BYTES;
}

int bw_ver_maven_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	/* two trees of ~2,600 items each: on the stack, as the header
	 * promises no allocation */
	struct tree ta, tb;
	uint16_t root_b = 0;

	build(&ta, a, an);
	build(&tb, b, bn);
	return item_cmp(&ta, 0, &tb, &root_b);
}
