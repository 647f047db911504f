/*
 * misconfig/accounts.c: /etc/passwd, /etc/group, /etc/shadow and sudoers, as
 * the misconfig checks need them (who is uid 0, which uids exist, which
 * hashes are empty or weak, which sudo rules need no password).
 *
 * passwd and group are read as glibc 2.36's nss_files reads them (checked
 * against fgetpwent/fgetgrent by tests/integration/misconfig.sh): one entry a
 * line, fields split on ':', blank and '#' lines ignored, lines that do not
 * parse skipped, ids as strtoul with a 32-bit bound. shadow and sudoers are
 * read as described at their parsers. Every file comes from an image and is hostile: entries, line
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
	return true;
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

/*
 * glibc's reading of one line (nss_files LINE_PARSER, as fgetpwent and
 * getpwnam see it): the line ends at its first NUL byte; leading white space
 * is skipped; a string field runs to the next ':' (the last one to the end of
 * the line, colons included); a missing field at the end is empty.
 */
typedef struct cursor {
	const char *p, *end;
} cursor;

static bool c_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The next ':'-terminated field (the rest of the line when last). */
static void string_field(cursor *c, bool last, const char **f, size_t *n)
{
	const char *q = last ? c->end : memchr(c->p, ':', (size_t)(c->end - c->p));
	if (!q)
		q = c->end;
	*f = c->p;
	*n = (size_t)(q - c->p);
	c->p = q < c->end ? q + 1 : q;
}

/*
 * A number as glibc 2.36's INT_FIELD / INT_FIELD_MAYBE_NULL read it: strtoul
 * (leading white space, an optional sign, decimal digits), refused when over
 * 2^32-1 (a negative value too, but "-0"), then ':' or, for the last field,
 * the end of the line. maybe_null: no digits is the value 0 (NIS "+name"
 * entries, shadow's numeric fields), else no digits refuses the line. A line
 * that ends before the field refuses it in the maybe_null form ("we expect
 * more input").
 */
static bool number_field(cursor *c, bool maybe_null, bool last, uint32_t *out)
{
	const char *p = c->p;
	bool neg = false, overflow = false;
	uint64_t v = 0;

	if (maybe_null && !last && p >= c->end)
		return false;
	while (p < c->end && c_isspace(*p))
		p++;
	if (p < c->end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	const char *digits = p;
	while (p < c->end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
		p++;
	}
	if (p == digits) {
		if (!maybe_null)
			return false; /* no conversion */
		p = c->p;
		v = 0;
	} else if (overflow || (neg && v != 0) || v > UINT32_MAX) {
		return false;
	}
	if (last ? p != c->end : (p < c->end && *p != ':'))
		return false;
	if (out)
		*out = (uint32_t)v;
	c->p = p < c->end ? p + 1 : p;
	return true;
}

/* The line as glibc sees it: up to the first NUL, leading white space skipped;
 * false for blank and comment lines. */
static bool glibc_line(const char *s, size_t n, cursor *c)
{
	const char *nul = memchr(s, '\0', n);
	c->p = s;
	c->end = nul ? nul : s + n;
	while (c->p < c->end && c_isspace(*c->p))
		c->p++;
	return c->p < c->end && *c->p != '#';
}

/* The next line that glibc reads as an entry, as a cursor over it; a line over
 * the length bound is counted and passed over, and a truncated file's last line
 * (which may be cut) is not trusted. */
static bool next_entry(lines *l, bool truncated, cursor *c)
{
	const char *s;
	size_t n;

	while (next_line(l, &s, &n)) {
		if (truncated && l->p >= l->end)
			return false;
		if (n > BW_ACCOUNTS_MAX_LINE) {
			l->too_long++;
			continue;
		}
		if (glibc_line(s, n, c))
			return true;
	}
	return false;
}

int bw_accounts__passwd(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn)
{
	lines l = { text, text + len, 0, 0, 0 };
	bool full = false;

	a->have_passwd = true;
	cursor c;
	while (next_entry(&l, truncated, &c)) {
		const char *name, *pw, *gecos, *home, *shell;
		size_t nl, pl, gl, hl, sl;
		uint32_t uid, gid;
		string_field(&c, false, &name, &nl);
		/* NIS compat entries ("+name", "-name"): numbers may be empty, and
		 * the name alone is an entry */
		bool nis = nl && (name[0] == '+' || name[0] == '-');
		uid = gid = 0;
		home = shell = "";
		hl = sl = 0;
		if (!(nis && c.p >= c.end)) {
			string_field(&c, false, &pw, &pl);
			if (!number_field(&c, nis, false, &uid) || !number_field(&c, nis, false, &gid)) {
				l.malformed++;
				continue;
			}
			string_field(&c, false, &gecos, &gl);
			string_field(&c, false, &home, &hl);
			string_field(&c, true, &shell, &sl);
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
		e->name = bw_arena_strndup(&a->mem, name, nl);
		e->home = bw_arena_strndup(&a->mem, home, hl);
		e->shell = bw_arena_strndup(&a->mem, shell, sl);
		if (!e->name || !e->home || !e->shell)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		a->n_pw++;
	}
	bounded_warning(warn, wn, "/etc/passwd", truncated, full, &l);
	return 0;
}

/* The member list as glibc splits it: on ',', white space before each name
 * skipped, empty names dropped; kept comma-joined. */
static const char *members_list(bw_accounts *a, const char *s, size_t n)
{
	char *out = bw_arena_alloc(&a->mem, n + 1);
	size_t o = 0, i = 0;
	if (!out)
		return NULL;
	while (i < n) {
		while (i < n && c_isspace(s[i]))
			i++;
		size_t start = i;
		while (i < n && s[i] != ',')
			i++;
		if (i > start) {
			if (o)
				out[o++] = ',';
			memcpy(out + o, s + start, i - start);
			o += i - start;
		}
		if (i < n)
			i++; /* the comma */
	}
	out[o] = '\0';
	return out;
}

int bw_accounts__group(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn)
{
	lines l = { text, text + len, 0, 0, 0 };
	bool full = false;

	a->have_group = true;
	cursor c;
	while (next_entry(&l, truncated, &c)) {
		const char *name, *pw, *members;
		size_t nl, pl, ml;
		uint32_t gid;
		string_field(&c, false, &name, &nl);
		bool nis = nl && (name[0] == '+' || name[0] == '-');
		gid = 0;
		members = "";
		ml = 0;
		if (!(nis && c.p >= c.end)) {
			string_field(&c, false, &pw, &pl);
			if (!number_field(&c, nis, false, &gid)) {
				l.malformed++;
				continue;
			}
			string_field(&c, true, &members, &ml);
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
		e->name = bw_arena_strndup(&a->mem, name, nl);
		e->members = members_list(a, members, ml);
		if (!e->name || !e->members)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		a->n_gr++;
	}
	bounded_warning(warn, wn, "/etc/group", truncated, full, &l);
	return 0;
}

/*
 * shadow(5) as glibc 2.36's fgetspent/getspnam read it (pam_unix logs in
 * through getspnam): name, hash, then numeric-or-empty fields: lstchg, min,
 * max (the old form may end there), warn, inact, expire, and an optional
 * flag that ends the line. Text in a numeric field, or a line that ends
 * before max, is no entry.
 */
int bw_accounts__shadow(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn)
{
	lines l = { text, text + len, 0, 0, 0 };
	bool full = false;

	a->have_shadow = true;
	cursor c;
	while (next_entry(&l, truncated, &c)) {
		const char *name, *hash;
		size_t nl, hl;
		bool ok = true;
		string_field(&c, false, &name, &nl);
		hash = "";
		hl = 0;
		/* "+name" / "-name" alone is a NIS compat entry */
		if (!(nl && (name[0] == '+' || name[0] == '-') && c.p >= c.end)) {
			string_field(&c, false, &hash, &hl);
			/* lstchg, min, max; then the old five-field form may end */
			for (int k = 0; k < 3 && ok; k++)
				ok = number_field(&c, true, false, NULL);
			while (ok && c.p < c.end && c_isspace(*c.p))
				c.p++;
			/* unless it ended: warn, inact, expire (each may be empty, none may be
			 * missing); the flag, when present, ends the line */
			bool old_form = c.p >= c.end;
			for (int k = 0; k < 3 && ok && !old_form; k++)
				ok = number_field(&c, true, false, NULL);
			if (ok && c.p < c.end)
				ok = number_field(&c, true, true, NULL);
		}
		if (!ok) {
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
		e->name = bw_arena_strndup(&a->mem, name, nl);
		e->hash = bw_arena_strndup(&a->mem, hash, hl);
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
