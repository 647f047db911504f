/*
 * util/jsonstream.c: the incremental JSON parser (util/jsonstream.h).
 *
 * One byte at a time, two state machines: the grammar (what may come next
 * in the enclosing container) and the lexer (inside a string, an escape, a
 * number or a literal). A chunk boundary can fall anywhere, including inside
 * a UTF-8 sequence or a \u escape, because every partial token lives in the
 * parser, never in the caller's buffer.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "util/jsonstream.h"
#include "util/limits.h"

enum grammar {
	G_VALUE,          /* a value (top level, after ':' or after ',' in an array) */
	G_VALUE_OR_END,   /* after '[' */
	G_KEY_OR_END,     /* after '{' */
	G_KEY,            /* after ',' in an object */
	G_COLON,          /* after a key */
	G_COMMA_OR_END,   /* after a value inside a container */
	G_DONE,           /* after the top-level value */
};

enum lexer {
	L_NONE,
	L_STRING,
	L_ESC,       /* after '\' */
	L_UHEX,      /* inside \uXXXX */
	L_LOW_BS,    /* after a high surrogate escape: '\' must follow */
	L_LOW_U,     /* ... then 'u' */
	L_NUMBER,
	L_LITERAL,
};

/* RFC 8259 number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
enum number {
	N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_EXP, N_EXP_SIGN, N_EXP_DIGITS,
};

/* The keys of one open object, for duplicate detection: an arena and an open-addressing index. */
typedef struct keyset {
	char *arena;     /* [size_t len][bytes] records */
	size_t alen, acap;
	size_t *slots;   /* arena offset + 1; 0 empty */
	size_t cap, n;
} keyset;

struct bw_js_parser {
	const char *what;
	bw_js_callback cb;
	void *ctx;
	size_t max_depth, max_string, max_number;
	uint64_t max_events, events;
	unsigned flags;

	uint64_t offset;   /* of the byte being processed */
	int error;         /* sticky */
	enum grammar g;
	enum lexer l;
	bool is_key;       /* the string being read is a key */

	uint8_t *stack;    /* 'o' / 'a' per open container ('O': an object whose keys the caller checks) */
	size_t depth;
	keyset *keys;      /* per depth, allocated on first use */

	char *buf;         /* the string or number being read */
	size_t len, cap, bound;

	int utf8_need;     /* continuation bytes still due */
	uint8_t utf8_lo, utf8_hi;  /* range of the next one */
	uint32_t hex, high;        /* \u value being read, pending high surrogate */
	int hex_n;
	enum number num;
	const char *lit;   /* "true" / "false" / "null" being matched */
	size_t lit_i;
};

static int fail(bw_js_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(bw_js_parser *p, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->error = bw_error_set(BW_EINPUT, "%s: invalid JSON: %s at offset %llu", p->what, msg,
				(unsigned long long)p->offset);
	return p->error;
}

static int nomem(bw_js_parser *p)
{
	p->error = bw_error_set(BW_EINTERNAL, "out of memory");
	return p->error;
}

bw_js_parser *bw_js_new(const char *what, const bw_js_limits *lim, bw_js_callback cb, void *ctx)
{
	bw_js_parser *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->what = what ? what : "JSON";
	p->cb = cb;
	p->ctx = ctx;
	p->max_depth = lim && lim->max_depth ? lim->max_depth : BW_MAX_JSON_DEPTH;
	p->max_string = lim && lim->max_string ? lim->max_string : BW_MiB;
	p->max_number = lim && lim->max_number ? lim->max_number : 256;
	p->max_events = lim && lim->max_events ? lim->max_events : 100000000ULL;
	p->flags = lim ? lim->flags : 0;
	if (p->max_depth > 1000000 || p->max_string > BW_GiB || p->max_number > BW_MiB) { /* caller bug */
		free(p);
		return NULL;
	}
	p->stack = malloc(p->max_depth);
	if (!(p->flags & BW_JS_ALLOW_DUPLICATES))
		p->keys = calloc(p->max_depth + 1, sizeof(*p->keys));
	if (!p->stack || (!(p->flags & BW_JS_ALLOW_DUPLICATES) && !p->keys)) {
		bw_js_free(p);
		return NULL;
	}
	p->g = G_VALUE;
	return p;
}

static void keyset_release(keyset *k)
{
	free(k->arena);
	free(k->slots);
	memset(k, 0, sizeof(*k));
}

void bw_js_free(bw_js_parser *p)
{
	if (!p)
		return;
	if (p->keys)
		for (size_t i = 0; i <= p->max_depth; i++)
			keyset_release(&p->keys[i]);
	free(p->keys);
	free(p->stack);
	free(p->buf);
	free(p);
}

uint64_t bw_js_offset(const bw_js_parser *p)
{
	return p->offset;
}

/* ------------------------------------------------------------ duplicate keys */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h;
}

static bool key_equal(const keyset *k, size_t off, const char *s, size_t n)
{
	size_t len;
	memcpy(&len, k->arena + off, sizeof(len));
	return len == n && !memcmp(k->arena + off + sizeof(len), s, n);
}

/* 1 when s was new (now recorded), 0 when a duplicate, negative on ENOMEM. */
static int keyset_add(keyset *k, const char *s, size_t n)
{
	if ((k->n + 1) * 4 > k->cap * 3) { /* keep the load under 3/4 */
		size_t ncap = k->cap ? k->cap * 2 : 16;
		size_t *ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return -1;
		for (size_t i = 0; i < k->cap; i++) {
			if (!k->slots[i])
				continue;
			size_t len, off = k->slots[i] - 1;
			memcpy(&len, k->arena + off, sizeof(len));
			size_t j = hash_bytes(k->arena + off + sizeof(len), len) & (ncap - 1);
			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = k->slots[i];
		}
		free(k->slots);
		k->slots = ns;
		k->cap = ncap;
	}
	size_t j = hash_bytes(s, n) & (k->cap - 1);
	while (k->slots[j]) {
		if (key_equal(k, k->slots[j] - 1, s, n))
			return 0;
		j = (j + 1) & (k->cap - 1);
	}
	size_t need = sizeof(size_t) + n; /* n <= max_string <= 1 GiB: no overflow */
	if (k->alen + need > k->acap) {
		size_t ncap = k->acap ? k->acap : 256;
		while (ncap < k->alen + need)
			ncap *= 2;
		char *na = realloc(k->arena, ncap);
		if (!na)
			return -1;
		k->arena = na;
		k->acap = ncap;
	}
	memcpy(k->arena + k->alen, &n, sizeof(n));
	memcpy(k->arena + k->alen + sizeof(n), s, n);
	k->slots[j] = k->alen + 1;
	k->alen += need;
	k->n++;
	return 1;
}

/* An object closed: forget its keys, and give back big tables (the next object there may be small). */
static void keyset_reset(keyset *k)
{
	if (k->cap > 1024 || k->acap > 65536) {
		keyset_release(k);
		return;
	}
	if (k->slots)
		memset(k->slots, 0, k->cap * sizeof(*k->slots));
	k->alen = 0;
	k->n = 0;
}

/* ------------------------------------------------------------ events */

static int emit(bw_js_parser *p, bw_js_type type, const char *text, size_t len, size_t depth)
{
	if (++p->events > p->max_events)
		return fail(p, "more than %llu tokens", (unsigned long long)p->max_events);
	bw_js_event ev = { type, text, len, depth };
	int rc = p->cb ? p->cb(p->ctx, &ev) : 0;
	if (rc < 0) {
		p->error = rc;
		return rc;
	}
	return type == BW_JS_OBJECT_START && rc == BW_JS_OWN_KEYS ? rc : 0;
}

/* A value ended: what the container around it expects next. */
static void value_done(bw_js_parser *p)
{
	p->g = p->depth ? G_COMMA_OR_END : G_DONE;
}

static int open_container(bw_js_parser *p, uint8_t kind)
{
	if (p->depth >= p->max_depth)
		return fail(p, "nested deeper than %zu levels", p->max_depth);
	int rc = emit(p, kind == 'o' ? BW_JS_OBJECT_START : BW_JS_ARRAY_START, NULL, 0, p->depth);
	if (rc < 0)
		return rc;
	/* 'O': an object whose keys the caller checks for duplicates itself (BW_JS_OWN_KEYS) */
	p->stack[p->depth++] = kind == 'o' && rc == BW_JS_OWN_KEYS ? 'O' : kind;
	p->g = kind == 'o' ? G_KEY_OR_END : G_VALUE_OR_END;
	return 0;
}

static int close_container(bw_js_parser *p, uint8_t kind)
{
	/* the grammar state says a close is allowed; the stack says which one */
	if (!p->depth || (p->stack[p->depth - 1] | 0x20) != kind)
		return fail(p, "unexpected '%c'", kind == 'o' ? '}' : ']');
	p->depth--;
	if (kind == 'o' && p->keys)
		keyset_reset(&p->keys[p->depth + 1]);
	int rc = emit(p, kind == 'o' ? BW_JS_OBJECT_END : BW_JS_ARRAY_END, NULL, 0, p->depth);
	if (rc < 0)
		return rc;
	value_done(p);
	return 0;
}

static int buf_put(bw_js_parser *p, const char *s, size_t n)
{
	if (n > p->bound - p->len) {
		if (p->l == L_NUMBER)
			return fail(p, "number longer than %zu characters", p->max_number);
		return fail(p, "%s longer than %zu bytes", p->is_key ? "key" : "string", p->max_string);
	}
	if (p->len + n + 1 > p->cap) {
		size_t ncap = p->cap ? p->cap : 64;
		while (ncap < p->len + n + 1)
			ncap *= 2;
		char *nb = realloc(p->buf, ncap);
		if (!nb)
			return nomem(p);
		p->buf = nb;
		p->cap = ncap;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
	return 0;
}

static int put_codepoint(bw_js_parser *p, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp == 0 && (p->flags & BW_JS_REJECT_NUL))
		return fail(p, "\\u0000 in a string");
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_put(p, u, n);
}

static int end_string(bw_js_parser *p)
{
	int rc;
	p->l = L_NONE;
	if (!p->buf && (rc = buf_put(p, "", 0)) < 0) /* an empty first string still gets a "" */
		return rc;
	if (!p->is_key) {
		if ((rc = emit(p, BW_JS_STRING, p->buf, p->len, p->depth)) < 0)
			return rc;
		value_done(p);
		return 0;
	}
	if (p->keys && p->stack[p->depth - 1] == 'o') {
		int fresh = keyset_add(&p->keys[p->depth], p->buf, p->len);
		if (fresh < 0)
			return nomem(p);
		if (!fresh)
			return fail(p, "duplicate object key \"%.60s\"", p->buf);
	}
	if ((rc = emit(p, BW_JS_KEY, p->buf, p->len, p->depth)) < 0)
		return rc;
	p->g = G_COLON;
	return 0;
}

static int end_number(bw_js_parser *p)
{
	int rc;
	if (p->num == N_MINUS || p->num == N_DOT || p->num == N_EXP || p->num == N_EXP_SIGN)
		return fail(p, "incomplete number");
	p->l = L_NONE;
	if ((rc = emit(p, BW_JS_NUMBER, p->buf, p->len, p->depth)) < 0)
		return rc;
	value_done(p);
	return 0;
}

/* ------------------------------------------------------------ bytes */

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* A byte of a number: 1 taken, 0 the number ended before it, negative on error. */
static int number_byte(bw_js_parser *p, uint8_t c)
{
	enum { END = -2, BAD = -1 };
	bool exp = c == 'e' || c == 'E';
	int next;
	switch (p->num) {
	case N_MINUS: next = c == '0' ? N_ZERO : is_digit(c) ? N_INT : BAD; break;
	case N_ZERO: next = c == '.' ? N_DOT : exp ? N_EXP : END; break;
	case N_INT: next = is_digit(c) ? N_INT : c == '.' ? N_DOT : exp ? N_EXP : END; break;
	case N_DOT: next = is_digit(c) ? N_FRAC : BAD; break;
	case N_FRAC: next = is_digit(c) ? N_FRAC : exp ? N_EXP : END; break;
	case N_EXP: next = (c == '+' || c == '-') ? N_EXP_SIGN : is_digit(c) ? N_EXP_DIGITS : BAD; break;
	case N_EXP_SIGN: next = is_digit(c) ? N_EXP_DIGITS : BAD; break;
	default: next = is_digit(c) ? N_EXP_DIGITS : END; break;
	}
	if (next == END)
		return 0; /* the byte is not part of the number: it ends here */
	if (next == BAD)
		return fail(p, "bad number");
	p->num = (enum number)next;
	char ch = (char)c;
	int rc = buf_put(p, &ch, 1);
	return rc < 0 ? rc : 1;
}

static int string_byte(bw_js_parser *p, uint8_t c)
{
	char ch = (char)c;
	if (p->utf8_need) {
		if (c < p->utf8_lo || c > p->utf8_hi)
			return fail(p, "invalid UTF-8");
		p->utf8_need--;
		p->utf8_lo = 0x80;
		p->utf8_hi = 0xBF;
		return buf_put(p, &ch, 1);
	}
	if (c == '"')
		return end_string(p);
	if (c == '\\') {
		p->l = L_ESC;
		return 0;
	}
	if (c < 0x20)
		return fail(p, "control byte 0x%02x in a string", c);
	if (c >= 0x80) {
		p->utf8_lo = 0x80;
		p->utf8_hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			p->utf8_need = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			p->utf8_need = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			p->utf8_need = 3;
		else
			return fail(p, "invalid UTF-8");
		if (c == 0xE0)
			p->utf8_lo = 0xA0; /* overlong */
		else if (c == 0xED)
			p->utf8_hi = 0x9F; /* surrogates */
		else if (c == 0xF0)
			p->utf8_lo = 0x90; /* overlong */
		else if (c == 0xF4)
			p->utf8_hi = 0x8F; /* above U+10FFFF */
	}
	return buf_put(p, &ch, 1);
}

static int escape_byte(bw_js_parser *p, uint8_t c)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = c ? strchr(from, c) : NULL;
	if (c == 'u') {
		p->l = L_UHEX;
		p->hex = 0;
		p->hex_n = 0;
		return 0;
	}
	if (!e)
		return fail(p, "bad escape");
	p->l = L_STRING;
	return buf_put(p, &to[e - from], 1);
}

static int hex_byte(bw_js_parser *p, uint8_t c)
{
	uint32_t d;
	if (is_digit(c))
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return fail(p, "bad \\u escape");
	p->hex = p->hex << 4 | d;
	if (++p->hex_n < 4)
		return 0;
	uint32_t cp = p->hex;
	if (p->high) {
		if (cp < 0xDC00 || cp > 0xDFFF)
			return fail(p, "unpaired surrogate in a \\u escape");
		cp = 0x10000 + ((p->high - 0xD800) << 10) + (cp - 0xDC00);
		p->high = 0;
	} else if (cp >= 0xD800 && cp <= 0xDBFF) {
		p->high = cp;
		p->l = L_LOW_BS;
		return 0;
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		return fail(p, "unpaired surrogate in a \\u escape");
	}
	p->l = L_STRING;
	return put_codepoint(p, cp);
}

static void start_token(bw_js_parser *p, enum lexer l, size_t bound)
{
	p->l = l;
	p->len = 0;
	if (p->buf)
		p->buf[0] = '\0';
	p->bound = bound;
}

/* A byte outside any token. */
static int structural_byte(bw_js_parser *p, uint8_t c)
{
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return 0;
	switch (p->g) {
	case G_DONE:
		return fail(p, "data after the document");
	case G_COLON:
		if (c != ':')
			return fail(p, "expected ':'");
		p->g = G_VALUE;
		return 0;
	case G_COMMA_OR_END:
		if (c == ',') {
			p->g = p->stack[p->depth - 1] != 'a' ? G_KEY : G_VALUE;
			return 0;
		}
		if (c == '}' || c == ']')
			return close_container(p, c == '}' ? 'o' : 'a');
		return fail(p, "expected ',' or a close");
	case G_KEY_OR_END:
	case G_KEY:
		if (c == '}' && p->g == G_KEY_OR_END)
			return close_container(p, 'o');
		if (c != '"')
			return fail(p, "expected a key");
		p->is_key = true;
		start_token(p, L_STRING, p->max_string);
		return 0;
	case G_VALUE_OR_END:
		if (c == ']')
			return close_container(p, 'a');
		/* fall through */
	case G_VALUE:
		break;
	}
	if (p->depth == 0 && (p->flags & BW_JS_CONTAINER_TOP) && c != '{' && c != '[')
		return fail(p, "the document is not an object or array");
	p->is_key = false;
	switch (c) {
	case '{':
	case '[':
		return open_container(p, c == '{' ? 'o' : 'a');
	case '"':
		start_token(p, L_STRING, p->max_string);
		return 0;
	case 't':
	case 'f':
	case 'n':
		p->l = L_LITERAL;
		p->lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
		p->lit_i = 1;
		return 0;
	default:
		if (c != '-' && !is_digit(c)) {
			if (c >= 0x21 && c < 0x7F)
				return fail(p, "unexpected '%c'", c);
			return fail(p, "unexpected byte 0x%02x", c);
		}
		start_token(p, L_NUMBER, p->max_number);
		p->num = N_MINUS;
		if (c == '-') {
			char m = '-';
			return buf_put(p, &m, 1);
		}
		return number_byte(p, c) < 0 ? p->error : 0;
	}
}

static int literal_byte(bw_js_parser *p, uint8_t c)
{
	if (c != (uint8_t)p->lit[p->lit_i])
		return fail(p, "bad literal (true, false or null)");
	if (p->lit[++p->lit_i])
		return 0;
	p->l = L_NONE;
	int rc = emit(p, p->lit[0] == 't' ? BW_JS_TRUE : p->lit[0] == 'f' ? BW_JS_FALSE : BW_JS_NULL, NULL, 0,
		      p->depth);
	if (rc < 0)
		return rc;
	value_done(p);
	return 0;
}

int bw_js_feed(bw_js_parser *p, const void *data, size_t len)
{
	const uint8_t *s = data;
	int rc = 0;

	if (p->error)
		return p->error;
	for (size_t i = 0; i < len; i++, p->offset++) {
		uint8_t c = s[i];
		switch (p->l) {
		case L_STRING:
			if (!p->utf8_need && c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
				/* a run of plain ASCII: one append instead of one per byte */
				size_t run = 1;
				while (i + run < len && s[i + run] >= 0x20 && s[i + run] < 0x80 && s[i + run] != '"' &&
				       s[i + run] != '\\')
					run++;
				rc = buf_put(p, (const char *)s + i, run);
				i += run - 1;
				p->offset += run - 1;
				break;
			}
			rc = string_byte(p, c);
			break;
		case L_ESC: rc = escape_byte(p, c); break;
		case L_UHEX: rc = hex_byte(p, c); break;
		case L_LOW_BS:
			if (c != '\\')
				rc = fail(p, "unpaired surrogate in a \\u escape");
			else
				p->l = L_LOW_U;
			break;
		case L_LOW_U:
			if (c != 'u') {
				rc = fail(p, "unpaired surrogate in a \\u escape");
			} else {
				p->l = L_UHEX;
				p->hex = 0;
				p->hex_n = 0;
			}
			break;
		case L_NUMBER:
			rc = number_byte(p, c);
			if (rc == 0 && (rc = end_number(p)) == 0)
				rc = structural_byte(p, c);
			break;
		case L_LITERAL: rc = literal_byte(p, c); break;
		case L_NONE: rc = structural_byte(p, c); break;
		}
		if (rc < 0) {
			p->error = rc;
			return rc;
		}
	}
	return 0;
}

int bw_js_finish(bw_js_parser *p)
{
	int rc;
	if (p->error)
		return p->error;
	if (p->l == L_NUMBER && (rc = end_number(p)) < 0)
		return p->error = rc;
	if (p->g != G_DONE || p->l != L_NONE)
		return fail(p, p->offset ? "unexpected end of input" : "empty document");
	return 0;
}

int bw_js_parse(const char *what, const void *data, size_t len, const bw_js_limits *lim, bw_js_callback cb,
		void *ctx)
{
	bw_js_parser *p = bw_js_new(what, lim, cb, ctx);
	if (!p)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	int rc = bw_js_feed(p, data, len);
	if (rc == 0)
		rc = bw_js_finish(p);
	bw_js_free(p);
	return rc;
}
