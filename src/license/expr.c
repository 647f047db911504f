/*
 * license/expr.c: the SPDX license expression grammar of license/expr.h, by
 * recursive descent. Recursion happens only at "(", and the parenthesis depth
 * is bounded, so the C stack is too; every identifier is copied into one pool
 * sized from the input, and the node array is sized from the term bound.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulwark/errors.h"
#include "license/expr.h"
#include "report/spdx.h"

/* how much of the expression an error message quotes */
#define QUOTE_MAX 80

typedef enum tok_kind { TOK_END, TOK_LPAREN, TOK_RPAREN, TOK_AND, TOK_OR, TOK_WITH, TOK_WORD } tok_kind;

typedef struct parser {
	const char *what;
	const char *text;
	size_t len, pos;
	unsigned flags;
	int depth;
	size_t terms;
	/* the current token */
	tok_kind tok;
	size_t tok_start, tok_len;
	bw_lexpr *e;
	size_t pool_used, pool_size, nodes_cap;
} parser;

__attribute__((format(printf, 3, 4)))
static int fail(parser *p, size_t at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the quoted expression is cut and its control bytes shown as '?', so
	 * the message stays one line whatever the input holds */
	char quoted[QUOTE_MAX + 1];
	size_t n = p->len < QUOTE_MAX ? p->len : QUOTE_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p->text[i];
		quoted[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	quoted[n] = '\0';
	return bw_error_set(BW_EINPUT, "%s: license expression \"%s%s\": %s at offset %zu", p->what, quoted,
			    p->len > QUOTE_MAX ? "..." : "", msg, at);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Characters of an idstring, plus '+' and ':' which the word check places. */
static bool is_word_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '+' || c == ':';
}

static bool word_is(const parser *p, const char *lit)
{
	return strlen(lit) == p->tok_len && memcmp(p->text + p->tok_start, lit, p->tok_len) == 0;
}

/* Reads the next token into p->tok. */
static int next(parser *p)
{
	while (p->pos < p->len && is_space(p->text[p->pos]))
		p->pos++;
	p->tok_start = p->pos;
	p->tok_len = 0;
	if (p->pos == p->len) {
		p->tok = TOK_END;
		return 0;
	}
	char c = p->text[p->pos];
	if (c == '(' || c == ')') {
		p->tok = c == '(' ? TOK_LPAREN : TOK_RPAREN;
		p->tok_len = 1;
		p->pos++;
		return 0;
	}
	if (!is_word_char(c))
		return fail(p, p->pos, "unexpected character 0x%02x", (unsigned char)c);
	while (p->pos < p->len && is_word_char(p->text[p->pos]))
		p->pos++;
	p->tok_len = p->pos - p->tok_start;
	if (p->tok_len > BW_LEXPR_MAX_ID_BYTES)
		return fail(p, p->tok_start, "an identifier longer than %d bytes", BW_LEXPR_MAX_ID_BYTES);
	bool lenient = p->flags & BW_LEXPR_LENIENT;
	if (word_is(p, "AND") || (lenient && word_is(p, "and")))
		p->tok = TOK_AND;
	else if (word_is(p, "OR") || (lenient && word_is(p, "or")))
		p->tok = TOK_OR;
	else if (word_is(p, "WITH") || (lenient && word_is(p, "with")))
		p->tok = TOK_WITH;
	else
		p->tok = TOK_WORD;
	return 0;
}

static const char *tok_name(const parser *p)
{
	switch (p->tok) {
	case TOK_END: return "the end";
	case TOK_LPAREN: return "\"(\"";
	case TOK_RPAREN: return "\")\"";
	case TOK_AND: return "AND";
	case TOK_OR: return "OR";
	case TOK_WITH: return "WITH";
	default: return "an identifier";
	}
}

/* Copies s[0..n) into the pool, NUL-terminated. The pool holds the whole
 * input plus one NUL per token, which bounds every copy made from it. */
static const char *pool_copy(parser *p, const char *s, size_t n)
{
	char *dst = p->e->pool + p->pool_used;
	memcpy(dst, s, n);
	dst[n] = '\0';
	p->pool_used += n + 1;
	return dst;
}

static int new_node(parser *p, bw_lexpr_kind kind, int left, int right, size_t at)
{
	if (p->e->n >= p->nodes_cap)
		return fail(p, at, "more than %d terms", BW_LEXPR_MAX_TERMS);
	bw_lexpr_node *n = &p->e->nodes[p->e->n];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->left = left;
	n->right = right;
	return (int)p->e->n++;
}

/* idstring = 1*(ALPHA / DIGIT / "-" / ".") */
static bool idstring(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '+' || s[i] == ':')
			return false;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* ["DocumentRef-" idstring ":"] "LicenseRef-" idstring */
static bool license_ref(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (colon) {
		size_t dl = (size_t)(colon - s);
		if (!has_prefix(s, dl, "DocumentRef-") || !idstring(s + 12, dl - 12))
			return false;
		n -= dl + 1;
		s = colon + 1;
	}
	return has_prefix(s, n, "LicenseRef-") && idstring(s + 11, n - 11);
}

/* The current word as a license (simple-expression). */
static int simple(parser *p)
{
	const char *s = p->text + p->tok_start;
	size_t n = p->tok_len, at = p->tok_start;
	bool strict = !(p->flags & BW_LEXPR_LENIENT);
	int idx;

	if (p->tok != TOK_WORD)
		return fail(p, at, "expected a license identifier, found %s", tok_name(p));
	if (++p->terms > BW_LEXPR_MAX_TERMS)
		return fail(p, at, "more than %d terms", BW_LEXPR_MAX_TERMS);
	if ((idx = new_node(p, BW_LEXPR_LICENSE, -1, -1, at)) < 0)
		return idx;
	bw_lexpr_node *node = &p->e->nodes[idx];
	if (memchr(s, ':', n) || has_prefix(s, n, "LicenseRef-")) {
		if (!license_ref(s, n))
			return fail(p, at, "\"%.*s\" is not a LicenseRef", (int)n, s);
		node->ref = true;
		node->id = pool_copy(p, s, n);
	} else {
		if (n > 1 && s[n - 1] == '+') {
			node->or_later = true;
			n--;
		}
		if (!idstring(s, n))
			return fail(p, at, "\"%.*s\" is not a license identifier", (int)p->tok_len, s);
		node->id = pool_copy(p, s, n);
		if (strict) {
			const char *canon = bw_spdx_canonical(node->id);
			if (!canon)
				return fail(p, at, "\"%s\" is not an SPDX license identifier", node->id);
			node->id = canon;
		}
	}
	if ((idx = next(p)) < 0)
		return idx;
	return (int)(node - p->e->nodes);
}

static int or_expr(parser *p);

/* simple [WITH exception] | "(" compound ")" */
static int with_expr(parser *p)
{
	int rc, lic;

	if (p->tok == TOK_LPAREN) {
		size_t open_at = p->tok_start;
		if (p->depth >= BW_LEXPR_MAX_DEPTH)
			return fail(p, open_at, "parentheses nested deeper than %d", BW_LEXPR_MAX_DEPTH);
		p->depth++;
		if ((rc = next(p)) < 0 || (rc = or_expr(p)) < 0)
			return rc;
		if (p->tok != TOK_RPAREN)
			return fail(p, p->tok_start, "expected \")\" for the \"(\" at offset %zu, found %s",
				    open_at, tok_name(p));
		p->depth--;
		int inner = rc;
		if ((rc = next(p)) < 0)
			return rc;
		if (p->tok == TOK_WITH)
			return fail(p, p->tok_start, "WITH must follow a license identifier, not \")\"");
		return inner;
	}
	if ((lic = simple(p)) < 0)
		return lic;
	if (p->tok != TOK_WITH)
		return lic;
	if (p->e->nodes[lic].ref)
		return fail(p, p->tok_start, "WITH must follow a license identifier, not a LicenseRef");
	if ((rc = next(p)) < 0)
		return rc;
	if (p->tok != TOK_WORD)
		return fail(p, p->tok_start, "expected an exception identifier after WITH, found %s",
			    tok_name(p));
	const char *s = p->text + p->tok_start;
	size_t n = p->tok_len, at = p->tok_start;
	if (!idstring(s, n))
		return fail(p, at, "\"%.*s\" is not an exception identifier", (int)n, s);
	int w = new_node(p, BW_LEXPR_WITH, lic, -1, at);
	if (w < 0)
		return w;
	p->e->nodes[w].exception = pool_copy(p, s, n);
	if (!(p->flags & BW_LEXPR_LENIENT)) {
		const char *canon = bw_spdx_canonical(p->e->nodes[w].exception);
		if (!canon)
			return fail(p, at, "\"%.*s\" is not an SPDX exception identifier", (int)n, s);
		p->e->nodes[w].exception = canon;
	}
	if ((rc = next(p)) < 0)
		return rc;
	return w;
}

static int and_expr(parser *p)
{
	int left = with_expr(p), right;

	while (left >= 0 && p->tok == TOK_AND) {
		size_t at = p->tok_start;
		int rc = next(p);
		if (rc < 0)
			return rc;
		if ((right = with_expr(p)) < 0)
			return right;
		left = new_node(p, BW_LEXPR_AND, left, right, at);
	}
	return left;
}

static int or_expr(parser *p)
{
	int left = and_expr(p), right;

	while (left >= 0 && p->tok == TOK_OR) {
		size_t at = p->tok_start;
		int rc = next(p);
		if (rc < 0)
			return rc;
		if ((right = and_expr(p)) < 0)
			return right;
		left = new_node(p, BW_LEXPR_OR, left, right, at);
	}
	return left;
}

void bw_lexpr_free(bw_lexpr *e)
{
	if (!e)
		return;
	free(e->nodes);
	free(e->pool);
	free(e);
}

int bw_lexpr_parse(bw_lexpr **out, const char *what, const char *text, size_t len, unsigned flags)
{
	parser p = { .what = what, .text = text, .len = len, .flags = flags };
	int rc;

	*out = NULL;
	if (len > BW_LEXPR_MAX_BYTES)
		return bw_error_set(BW_EINPUT, "%s: license expression of %zu bytes, longer than the limit of %d",
				    what, len, BW_LEXPR_MAX_BYTES);
	if (memchr(text, '\0', len))
		return fail(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL byte");
	if (!(p.e = calloc(1, sizeof(*p.e))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	/* terms + operators: at most 2 * terms - 1 nodes, plus one WITH per
	 * term; the rest is room for license.c to turn a term into a WITH */
	p.nodes_cap = 4 * BW_LEXPR_MAX_TERMS;
	p.pool_size = 2 * len + 2;
	if (!(p.e->nodes = calloc(p.nodes_cap, sizeof(*p.e->nodes))) || !(p.e->pool = malloc(p.pool_size))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = next(&p)) < 0)
		goto done;
	if (p.tok == TOK_END) {
		rc = fail(&p, 0, "empty");
		goto done;
	}
	if ((rc = or_expr(&p)) < 0)
		goto done;
	if (p.tok != TOK_END) {
		if (p.tok == TOK_RPAREN)
			rc = fail(&p, p.tok_start, "\")\" without \"(\"");
		else
			rc = fail(&p, p.tok_start, "expected AND, OR or the end, found %s", tok_name(&p));
		goto done;
	}
	p.e->root = rc;
	p.e->cap = p.nodes_cap;
	*out = p.e;
	p.e = NULL;
	rc = 0;
done:
	bw_lexpr_free(p.e);
	return rc;
}

/* ------------------------------------------------------------------ output */

typedef struct writer {
	char *buf;
	size_t size, len;
} writer;

static void put(writer *w, const char *s)
{
	size_t n = strlen(s);
	if (w->len < w->size) {
		size_t room = w->size - w->len - 1;
		memcpy(w->buf + w->len, s, n < room ? n : room);
		w->buf[w->len + (n < room ? n : room)] = '\0';
	}
	w->len += n;
}

typedef const char *(*name_fn)(void *ctx, const bw_lexpr_node *leaf, char *tmp, size_t tmp_size);

/* Recursion follows the tree, whose height the parser bounded by the term count. */
static void emit(writer *w, const bw_lexpr *e, int i, name_fn name, void *ctx)
{
	const bw_lexpr_node *n = &e->nodes[i];
	char tmp[BW_LEXPR_MAX_ID_BYTES * 2 + 16];

	switch (n->kind) {
	case BW_LEXPR_LICENSE:
		if (name) {
			put(w, name(ctx, n, tmp, sizeof(tmp)));
		} else {
			put(w, n->id);
			if (n->or_later)
				put(w, "+");
		}
		break;
	case BW_LEXPR_WITH:
		emit(w, e, n->left, name, ctx);
		put(w, " WITH ");
		put(w, n->exception);
		break;
	case BW_LEXPR_AND:
	case BW_LEXPR_OR:
		for (int side = 0; side < 2; side++) {
			int c = side ? n->right : n->left;
			/* only an OR under an AND needs parentheses: WITH binds
			 * tightest and both operators group to the left, so a
			 * same-operator right operand is written "(...)" too */
			bool paren = (n->kind == BW_LEXPR_AND && e->nodes[c].kind == BW_LEXPR_OR) ||
				     (side == 1 && e->nodes[c].kind == n->kind);
			if (side)
				put(w, n->kind == BW_LEXPR_AND ? " AND " : " OR ");
			if (paren)
				put(w, "(");
			emit(w, e, c, name, ctx);
			if (paren)
				put(w, ")");
		}
		break;
	}
}

size_t bw_lexpr_format(const bw_lexpr *e, int node, char *buf, size_t size, name_fn name, void *ctx)
{
	writer w = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	emit(&w, e, node, name, ctx);
	return w.len;
}
