/*
 * version/pep440.c: Python package versions as packaging.version.Version
 * (packaging 22+, PEP 440) accepts and orders them.
 *
 * Accepted: [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with the
 * spellings PEP 440 normalises (alpha, beta, c, pre, preview; rev, r, -N;
 * separators '.', '-', '_' or none; any letter case; surrounding white
 * space). Anything else is invalid, as packaging raises InvalidVersion
 * (there are no LegacyVersions any more).
 *
 * Order: epoch, release (trailing zeros ignored), pre (a dev-only release
 * orders before its pre-releases, a release without pre after them), post,
 * dev (none after any dev), local (none before any; segments numeric above
 * alphabetic). All numbers are compared as digit strings.
 */
#include <string.h>

#include "version/version.h"
#include "version/version_int.h"

struct pep440 {
	const char *epoch;
	size_t epoch_n;
	const char *release; /* "N(.N)*" */
	size_t release_n;
	int pre_kind; /* -1 none, 0 a, 1 b, 2 rc */
	const char *pre_num;
	size_t pre_num_n;
	bool has_post;
	const char *post_num;
	size_t post_num_n;
	bool has_dev;
	const char *dev_num;
	size_t dev_num_n;
	const char *local; /* NULL: none */
	size_t local_n;
};

struct cursor {
	const char *s;
	size_t i, n;
};

static bool at_sep(const struct cursor *c)
{
	return c->i < c->n && (c->s[c->i] == '-' || c->s[c->i] == '_' || c->s[c->i] == '.');
}

static bool match_ci(const struct cursor *c, const char *word)
{
	size_t len = strlen(word);
	if (c->n - c->i < len)
		return false;
	for (size_t k = 0; k < len; k++)
		if (bw_ver_tolower((unsigned char)c->s[c->i + k]) != word[k])
			return false;
	return true;
}

static void digits(struct cursor *c, const char **out, size_t *out_n)
{
	size_t start = c->i;
	while (c->i < c->n && bw_ver_isdigit(c->s[c->i]))
		c->i++;
	*out = c->s + start;
	*out_n = c->i - start;
}

/* The first label of the list that matches at the cursor; the lists put a
 * label before its own prefixes, which is the only order under which the
 * reference regular expression can succeed. */
static int label(struct cursor *c, const char *const *labels, const int *kinds, size_t count)
{
	for (size_t k = 0; k < count; k++)
		if (match_ci(c, labels[k])) {
			c->i += strlen(labels[k]);
			return kinds[k];
		}
	return -1;
}

static bool parse(const char *s, size_t n, struct pep440 *v)
{
	static const char *const pre_labels[] = { "alpha", "a", "beta", "b", "c", "rc", "preview", "pre" };
	static const int pre_kinds[] = { 0, 0, 1, 1, 2, 2, 2, 2 };
	static const char *const post_labels[] = { "post", "rev", "r" };
	static const int post_kinds[] = { 0, 0, 0 };
	struct cursor c = { s, 0, n };
	size_t sp;

	memset(v, 0, sizeof(*v));
	v->pre_kind = -1;
	while ((sp = bw_ver_space_len(s + c.i, n - c.i, BW_VER_SPACE_PYTHON)) > 0)
		c.i += sp;
	/* trailing white space: cut it off the end */
	for (;;) {
		size_t len = 0;
		for (size_t l = 1; l <= 3 && l <= c.n - c.i; l++)
			if (bw_ver_space_len(s + c.n - l, l, BW_VER_SPACE_PYTHON) == l) {
				len = l;
				break;
			}
		if (!len)
			break;
		c.n -= len;
	}

	if (c.i < c.n && (s[c.i] == 'v' || s[c.i] == 'V'))
		c.i++;
	/* epoch: digits and '!' */
	size_t k = c.i;
	while (k < c.n && bw_ver_isdigit(s[k]))
		k++;
	if (k > c.i && k < c.n && s[k] == '!') {
		v->epoch = s + c.i;
		v->epoch_n = k - c.i;
		c.i = k + 1;
	} else {
		v->epoch = "0";
		v->epoch_n = 1;
	}
	/* release */
	size_t rstart = c.i;
	if (c.i >= c.n || !bw_ver_isdigit(s[c.i]))
		return false;
	while (c.i < c.n && bw_ver_isdigit(s[c.i]))
		c.i++;
	while (c.i + 1 < c.n && s[c.i] == '.' && bw_ver_isdigit(s[c.i + 1])) {
		c.i++;
		while (c.i < c.n && bw_ver_isdigit(s[c.i]))
			c.i++;
	}
	v->release = s + rstart;
	v->release_n = c.i - rstart;
	/* pre-release */
	size_t save = c.i;
	if (at_sep(&c))
		c.i++;
	v->pre_kind = label(&c, pre_labels, pre_kinds, sizeof(pre_kinds) / sizeof(pre_kinds[0]));
	if (v->pre_kind >= 0) {
		if (at_sep(&c))
			c.i++;
		digits(&c, &v->pre_num, &v->pre_num_n);
	} else {
		c.i = save;
	}
	/* post-release: "-N", or [sep]post|rev|r[sep][N] */
	save = c.i;
	if (c.i + 1 < c.n && s[c.i] == '-' && bw_ver_isdigit(s[c.i + 1])) {
		c.i++;
		v->has_post = true;
		digits(&c, &v->post_num, &v->post_num_n);
	} else {
		if (at_sep(&c))
			c.i++;
		if (label(&c, post_labels, post_kinds, 3) >= 0) {
			v->has_post = true;
			if (at_sep(&c))
				c.i++;
			digits(&c, &v->post_num, &v->post_num_n);
		} else {
			c.i = save;
		}
	}
	/* development release */
	save = c.i;
	if (at_sep(&c))
		c.i++;
	if (match_ci(&c, "dev")) {
		c.i += 3;
		v->has_dev = true;
		if (at_sep(&c))
			c.i++;
		digits(&c, &v->dev_num, &v->dev_num_n);
	} else {
		c.i = save;
	}
	/* local version: +[a-z0-9]+([-_.][a-z0-9]+)* */
	if (c.i < c.n && s[c.i] == '+') {
		size_t lstart = ++c.i;
		for (;;) {
			size_t seg = c.i;
			while (c.i < c.n && bw_ver_isalnum(s[c.i]))
				c.i++;
			if (c.i == seg)
				return false;
			if (c.i + 1 < c.n && at_sep(&c) && bw_ver_isalnum(s[c.i + 1])) {
				c.i++;
				continue;
			}
			break;
		}
		v->local = s + lstart;
		v->local_n = c.i - lstart;
	}
	return c.i == c.n;
}

/* Release segments compared one by one, the shorter padded with zeros
 * (the same as ignoring trailing zeros). */
static int release_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	while (i < an || j < bn) {
		size_t ai = i, bj = j;
		while (i < an && a[i] != '.')
			i++;
		while (j < bn && b[j] != '.')
			j++;
		int r = bw_ver_digits_cmp(a + ai, i - ai, b + bj, j - bj);
		if (r)
			return r;
		if (i < an)
			i++;
		if (j < bn)
			j++;
	}
	return 0;
}

static bool local_sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

/* Local segments: numbers above words, numbers by value, words by their
 * lower-case letters; a proper prefix orders first. */
static int local_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	for (;;) {
		if (i >= an && j >= bn)
			return 0;
		if (i >= an)
			return -1;
		if (j >= bn)
			return 1;
		size_t ai = i, bj = j;
		bool anum = true, bnum = true;
		while (i < an && !local_sep(a[i]))
			anum &= bw_ver_isdigit(a[i++]);
		while (j < bn && !local_sep(b[j]))
			bnum &= bw_ver_isdigit(b[j++]);
		int r;
		if (anum && bnum) {
			r = bw_ver_digits_cmp(a + ai, i - ai, b + bj, j - bj);
		} else if (anum != bnum) {
			r = anum ? 1 : -1;
		} else {
			size_t x = ai, y = bj;
			r = 0;
			while (!r && x < i && y < j) {
				int cx = bw_ver_tolower((unsigned char)a[x++]);
				int cy = bw_ver_tolower((unsigned char)b[y++]);
				r = (cx > cy) - (cx < cy);
			}
			if (!r)
				r = ((i - x) > (j - y)) - ((i - x) < (j - y));
		}
		if (r)
			return r;
		if (i < an)
			i++;
		if (j < bn)
			j++;
	}
}

/* -1 for "negative infinity", +1 for "infinity", 0 for a value. */
static int pre_rank(const struct pep440 *v)
{
	if (v->pre_kind < 0 && !v->has_post && v->has_dev)
		return -1;
	if (v->pre_kind < 0)
		return 1;
	return 0;
}

static int compare(const struct pep440 *a, const struct pep440 *b)
{
	int r;

	if ((r = bw_ver_digits_cmp(a->epoch, a->epoch_n, b->epoch, b->epoch_n)) != 0)
		return r;
	if ((r = release_cmp(a->release, a->release_n, b->release, b->release_n)) != 0)
		return r;
	int ra = pre_rank(a), rb = pre_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 0) {
		if (a->pre_kind != b->pre_kind)
			return a->pre_kind < b->pre_kind ? -1 : 1;
		if ((r = bw_ver_digits_cmp(a->pre_num, a->pre_num_n, b->pre_num, b->pre_num_n)) != 0)
			return r;
	}
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->has_post && (r = bw_ver_digits_cmp(a->post_num, a->post_num_n, b->post_num, b->post_num_n)) != 0)
		return r;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if (a->has_dev && (r = bw_ver_digits_cmp(a->dev_num, a->dev_num_n, b->dev_num, b->dev_num_n)) != 0)
		return r;
	if (!a->local || !b->local)
		return (a->local != NULL) - (b->local != NULL);
	return local_cmp(a->local, a->local_n, b->local, b->local_n);
}

bool bw_ver_pep440_valid(const char *s, size_t n)
{
	struct pep440 v;
	return parse(s, n, &v);
}

/*
 * The left operand parsed last, per thread: the matcher compares one
 * installed version with every event of every advisory of its package, and
 * parsing (white space, spellings) costs more than comparing. The copy is
 * keyed by its bytes, so a hit is the same parse of the same text.
 */
static _Thread_local struct {
	char text[BW_VERSION_MAX_BYTES + 1];
	size_t n;
	bool used, ok;
	struct pep440 v;
} last_left;

static bool parse_left(const char *a, size_t an, struct pep440 *out)
{
	if (an >= sizeof(last_left.text))
		return parse(a, an, out);
	if (!last_left.used || last_left.n != an || memcmp(last_left.text, a, an) != 0) {
		memcpy(last_left.text, a, an);
		last_left.text[an] = '\0'; /* as the caller's string was */
		last_left.n = an;
		last_left.used = true;
		last_left.ok = parse(last_left.text, an, &last_left.v);
	}
	*out = last_left.v; /* its pointers are into last_left.text, which stays */
	return last_left.ok;
}

/*
 * Right operands: the advisories' versions, each compared with every copy of
 * a package. A small direct-mapped table of short ones, per thread, keyed by
 * their bytes like last_left.
 */
#define RIGHT_SLOTS 128
#define RIGHT_MAX   46

static _Thread_local struct right_slot {
	char text[RIGHT_MAX + 1];
	unsigned char n;        /* 0: empty (an empty string is never cached) */
	bool ok;
	struct pep440 v;
} right[RIGHT_SLOTS];

static bool parse_right(const char *b, size_t bn, struct pep440 *out)
{
	if (bn == 0 || bn > RIGHT_MAX)
		return parse(b, bn, out);
	size_t h = bn;
	for (size_t i = 0; i < bn; i++)
		h = h * 31 + (unsigned char)b[i];
	struct right_slot *slot = &right[h % RIGHT_SLOTS];
	if (slot->n != bn || memcmp(slot->text, b, bn) != 0) {
		memcpy(slot->text, b, bn);
		slot->text[bn] = '\0';
		slot->n = (unsigned char)bn;
		slot->ok = parse(slot->text, bn, &slot->v);
	}
	*out = slot->v; /* its pointers are into slot->text, which stays until the slot is reused */
	return slot->ok;
}

int bw_ver_pep440_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	struct pep440 va, vb;
	if (!parse_left(a, an, &va) || !parse_right(b, bn, &vb))
		return 0;
	return compare(&va, &vb);
}
