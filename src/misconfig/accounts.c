/*
 * misconfig/accounts.c: /etc/passwd, /etc/group, /etc/shadow and sudoers, as
 * the misconfig checks need them (who is uid 0, which uids exist, which
 * hashes are empty or weak, which sudo rules need no password).
 *
 * The syntax is glibc nss_files': one entry a line, fields split on ':',
 * blank lines and lines starting with '#' ignored, lines that do not parse
 * skipped. Every file comes from an image and is hostile: entries, line
 * length and bytes are bounded, and a bounded file gives one warning line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "misconfig/misconfig_int.h"

/* Grows *v (element size es) to hold one more; false on ENOMEM. */
static bool grow(void **v, size_t *cap, size_t n, size_t es)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : 64;
	void *p = realloc(*v, c * es);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

typedef struct lines {
	const char *p, *end;
	unsigned line;
	size_t too_long, malformed;
} lines;

/* Next line (without its newline) into s and n; false at the end. */
static bool next_line(lines *l, const char **s, size_t *n)
{
	if (l->p >= l->end)
		return false;
	const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	const char *e = nl ? nl : l->end;
	*s = l->p;
	*n = (size_t)(e - l->p);
	l->p = nl ? nl + 1 : l->end;
	l->line++;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

/* Splits s into at most max ':'-separated fields; returns the count. */
static size_t split_fields(const char *s, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t k = 0;
	const char *p = s, *end = s + n;
	for (;;) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (k == max)
			return max + 1; /* too many */
		f[k] = p;
		fl[k] = c ? (size_t)(c - p) : (size_t)(end - p);
		k++;
		if (!c)
			return k;
		p = c + 1;
	}
}

/* A decimal id 0..4294967295 (glibc: strtoul over the whole field). */
static bool parse_id(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A field as a NUL-terminated string in the arena; NUL bytes inside make it unusable. */
static const char *field_dup(bw_accounts *a, const char *s, size_t n, bool *bad)
{
	if (memchr(s, '\0', n)) {
		*bad = true;
		return NULL;
	}
	return bw_arena_strndup(&a->mem, s, n);
}

static bool skip_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#';
}

static void bounded_warning(char *warn, size_t wn, const char *file, bool truncated, bool full, lines *l)
{
	if (!warn || !wn)
		return;
	warn[0] = '\0';
	if (truncated)
		snprintf(warn, wn, "%s: larger than %d bytes; only the first %d bytes were checked", file,
			 BW_ACCOUNTS_MAX_BYTES, BW_ACCOUNTS_MAX_BYTES);
	else if (full)
		snprintf(warn, wn, "%s: more than %d entries; only the first %d were checked", file,
			 BW_ACCOUNTS_MAX_ENTRIES, BW_ACCOUNTS_MAX_ENTRIES);
	else if (l->too_long)
		snprintf(warn, wn, "%s: %zu lines longer than %d bytes were skipped", file, l->too_long,
			 BW_ACCOUNTS_MAX_LINE);
}

int bw_accounts__passwd(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn)
{
	lines l = { text, text + len, 0, 0, 0 };
	const char *s, *f[7];
	size_t n, fl[7];
	bool full = false;

	a->have_passwd = true;
	while (next_line(&l, &s, &n)) {
		/* a truncated file's last line may be cut: do not trust it */
		if (truncated && l.p >= l.end)
			break;
		if (n > BW_ACCOUNTS_MAX_LINE) {
			l.too_long++;
			continue;
		}
		if (skip_line(s, n))
			continue;
		uint32_t uid, gid;
		bool bad = false;
		if (split_fields(s, n, f, fl, 7) != 7 || fl[0] == 0 || !parse_id(f[2], fl[2], &uid) ||
		    !parse_id(f[3], fl[3], &gid) || f[0][0] == '+' || f[0][0] == '-') {
			l.malformed++;
			continue;
		}
		if (a->n_pw >= BW_ACCOUNTS_MAX_ENTRIES) {
			full = true;
			break;
		}
		if (!grow((void **)&a->pw, &a->cap_pw, a->n_pw, sizeof(*a->pw)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		bw_pw_entry *e = &a->pw[a->n_pw];
		e->uid = uid;
		e->gid = gid;
		e->line = l.line;
		e->name = field_dup(a, f[0], fl[0], &bad);
		e->home = field_dup(a, f[5], fl[5], &bad);
		e->shell = field_dup(a, f[6], fl[6], &bad);
		if (bad) {
			l.malformed++;
			continue;
		}
		if (!e->name || !e->home || !e->shell)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		a->n_pw++;
	}
	bounded_warning(warn, wn, "/etc/passwd", truncated, full, &l);
	return 0;
}

int bw_accounts__group(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn)
{
	lines l = { text, text + len, 0, 0, 0 };
	const char *s, *f[4];
	size_t n, fl[4];
	bool full = false;

	a->have_group = true;
	while (next_line(&l, &s, &n)) {
		if (truncated && l.p >= l.end)
			break;
		if (n > BW_ACCOUNTS_MAX_LINE) {
			l.too_long++;
			continue;
		}
		if (skip_line(s, n))
			continue;
		uint32_t gid;
		bool bad = false;
		if (split_fields(s, n, f, fl, 4) != 4 || fl[0] == 0 || !parse_id(f[2], fl[2], &gid) ||
		    f[0][0] == '+' || f[0][0] == '-') {
			l.malformed++;
			continue;
		}
		if (a->n_gr >= BW_ACCOUNTS_MAX_ENTRIES) {
			full = true;
			break;
		}
		if (!grow((void **)&a->gr, &a->cap_gr, a->n_gr, sizeof(*a->gr)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		bw_gr_entry *e = &a->gr[a->n_gr];
		e->gid = gid;
		e->line = l.line;
		e->name = field_dup(a, f[0], fl[0], &bad);
		e->members = field_dup(a, f[3], fl[3], &bad);
		if (bad) {
			l.malformed++;
			continue;
		}
		if (!e->name || !e->members)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		a->n_gr++;
	}
	bounded_warning(warn, wn, "/etc/group", truncated, full, &l);
	return 0;
}

int bw_accounts__shadow(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn)
{
	lines l = { text, text + len, 0, 0, 0 };
	const char *s, *f[9];
	size_t n, fl[9];
	bool full = false;

	a->have_shadow = true;
	while (next_line(&l, &s, &n)) {
		if (truncated && l.p >= l.end)
			break;
		if (n > BW_ACCOUNTS_MAX_LINE) {
			l.too_long++;
			continue;
		}
		if (skip_line(s, n))
			continue;
		/* shadow(5): nine fields; shadow-utils reads lines with at least two */
		size_t k = split_fields(s, n, f, fl, 9);
		bool bad = false;
		if (k < 2 || k > 9 || fl[0] == 0 || f[0][0] == '+' || f[0][0] == '-') {
			l.malformed++;
			continue;
		}
		if (a->n_sp >= BW_ACCOUNTS_MAX_ENTRIES) {
			full = true;
			break;
		}
		if (!grow((void **)&a->sp, &a->cap_sp, a->n_sp, sizeof(*a->sp)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		bw_sp_entry *e = &a->sp[a->n_sp];
		e->line = l.line;
		e->name = field_dup(a, f[0], fl[0], &bad);
		e->hash = field_dup(a, f[1], fl[1], &bad);
		if (bad) {
			l.malformed++;
			continue;
		}
		if (!e->name || !e->hash)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		a->n_sp++;
	}
	bounded_warning(warn, wn, "/etc/shadow", truncated, full, &l);
	return 0;
}

/* Does the rule text carry the NOPASSWD tag (as a word followed by ':')? */
static bool has_nopasswd(const char *s, size_t n)
{
	static const char tag[] = "NOPASSWD";
	for (size_t i = 0; i + sizeof(tag) - 1 < n; i++) {
		if (memcmp(s + i, tag, sizeof(tag) - 1))
			continue;
		size_t j = i + sizeof(tag) - 1;
		bool word_start = i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == ',' ||
				  s[i - 1] == ':' || s[i - 1] == '=' || s[i - 1] == '(' || s[i - 1] == ')';
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (word_start && j < n && s[j] == ':')
			return true;
	}
	return false;
}

int bw_accounts__sudoers(bw_accounts *a, const char *file, const char *text, size_t len, bool truncated,
			 char *warn, size_t wn)
{
	lines l = { text, text + len, 0, 0, 0 };
	const char *s;
	size_t n;
	bool full = false;
	char joined[BW_ACCOUNTS_MAX_LINE + 1];
	size_t jn = 0;
	unsigned first = 0;
	bool too_long = false;

	a->have_sudo = true;
	while (next_line(&l, &s, &n)) {
		if (truncated && l.p >= l.end)
			break;
		bool cont = n && s[n - 1] == '\\';
		if (cont)
			n--;
		if (jn == 0) {
			first = l.line;
			too_long = false;
		}
		if (jn + n > BW_ACCOUNTS_MAX_LINE)
			too_long = true;
		else {
			memcpy(joined + jn, s, n);
			jn += n;
		}
		if (cont && l.p < l.end)
			continue;
		joined[jn] = '\0';
		size_t rn = jn;
		jn = 0;
		if (too_long) {
			l.too_long++;
			continue;
		}
		/* '#' starts a comment, except "#include", "#includedir" and "#123" uids */
		const char *r = joined;
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || (*r == '#' && strncmp(r, "#include", 8) && !(r[1] >= '0' && r[1] <= '9')))
			continue;
		if (memchr(joined, 0, rn)) {
			l.malformed++;
			continue;
		}
		if (!strncmp(r, "Defaults", 8) || r[0] == '@' || !strncmp(r, "#include", 8))
			continue;
		if (a->n_sudo >= BW_ACCOUNTS_MAX_ENTRIES) {
			full = true;
			break;
		}
		if (!grow((void **)&a->sudo, &a->cap_sudo, a->n_sudo, sizeof(*a->sudo)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		bw_sudo_rule *e = &a->sudo[a->n_sudo];
		e->line = first;
		e->nopasswd = has_nopasswd(r, strlen(r));
		e->file = bw_arena_strdup(&a->mem, file);
		e->text = bw_arena_strdup(&a->mem, r);
		if (!e->file || !e->text)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		a->n_sudo++;
	}
	bounded_warning(warn, wn, file, truncated, full, &l);
	return 0;
}

void bw_accounts__free(bw_accounts *a)
{
	if (!a)
		return;
	free(a->pw);
	free(a->gr);
	free(a->sp);
	free(a->sudo);
	bw_arena_free(&a->mem);
	memset(a, 0, sizeof(*a));
}

const bw_pw_entry *bw_accounts__user(const bw_accounts *a, const char *name, size_t len)
{
	/* the first entry wins, as getpwnam's linear scan of the file */
	for (size_t i = 0; a && i < a->n_pw; i++)
		if (strlen(a->pw[i].name) == len && !memcmp(a->pw[i].name, name, len))
			return &a->pw[i];
	return NULL;
}

bool bw_accounts__has_uid(const bw_accounts *a, uint64_t uid)
{
	for (size_t i = 0; a && i < a->n_pw; i++)
		if (a->pw[i].uid == uid)
			return true;
	return false;
}

bw_hash_kind bw_accounts__hash_kind(const char *h, const char **scheme)
{
	*scheme = "";
	if (!h[0]) {
		*scheme = "empty";
		return BW_HASH_EMPTY;
	}
	/* "!", "!!", "*", "!$6$..." (locked), "x" and other non-crypt text: no login */
	if (h[0] == '!' || h[0] == '*')
		return BW_HASH_LOCKED;
	if (h[0] == '$') {
		static const struct { const char *prefix, *name; bool weak; } ids[] = {
			{ "$1$", "MD5-crypt", true },       { "$2a$", "bcrypt", false }, { "$2b$", "bcrypt", false },
			{ "$2y$", "bcrypt", false },         { "$5$", "SHA-256-crypt", false },
			{ "$6$", "SHA-512-crypt", false },   { "$y$", "yescrypt", false }, { "$7$", "scrypt", false },
			{ "$gy$", "gost-yescrypt", false },  { "$md5", "Sun MD5", true }, { "$3$", "NTHASH", true },
			{ "$sha1$", "SHA-1-crypt", true },
		};
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			if (!strncmp(h, ids[i].prefix, strlen(ids[i].prefix))) {
				*scheme = ids[i].name;
				return ids[i].weak ? BW_HASH_WEAK : BW_HASH_OK;
			}
		*scheme = "unknown";
		return BW_HASH_OK;
	}
	/* traditional DES crypt: 13 characters of [./0-9A-Za-z]; BSDi "_" extended DES: 20 */
	size_t n = strlen(h);
	if (n == 13 || (n == 20 && h[0] == '_')) {
		for (size_t i = h[0] == '_'; i < n; i++) {
			char c = h[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			      c == '/'))
				return BW_HASH_LOCKED;
		}
		*scheme = n == 13 ? "DES-crypt" : "BSDi-crypt";
		return BW_HASH_WEAK;
	}
	/* anything else can never match crypt() output: the account cannot log in */
	return BW_HASH_LOCKED;
}
