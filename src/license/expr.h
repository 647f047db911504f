/*
 * license/expr.h: SPDX license expressions (SPDX 2.3 Annex D), parsed into a
 * tree. This module owns the grammar and its bounds; what an identifier means
 * (aliases, categories) is license/license.h's business.
 *
 *   compound := compound "OR" compound | compound "AND" compound
 *             | simple "WITH" exception-id | "(" compound ")" | simple
 *   simple   := license-id ["+"] | ["DocumentRef-" idstring ":"] "LicenseRef-" idstring
 *
 * WITH binds tighter than AND, AND tighter than OR (Annex D.4); both binary
 * operators group to the left. Identifiers match without regard to case
 * (D.3); the operators are upper case (D.2).
 *
 * Two modes. Strict (flags 0) is the specification: every license-id and
 * exception-id must be on the SPDX list (report/spdx.h, which holds licenses
 * and exceptions together, so a license in the exception place is not told
 * apart) and is given its canonical spelling. BW_LEXPR_LENIENT is for what
 * packages write: any idstring is an identifier (kept as written, for the
 * caller to map), and "and", "or", "with" in lower case are operators too.
 *
 * Input is untrusted: at most BW_LEXPR_MAX_BYTES bytes, BW_LEXPR_MAX_DEPTH
 * nested parentheses and BW_LEXPR_MAX_TERMS identifiers, or BW_EINPUT with one
 * line "WHAT: license expression \"...\": problem at offset N".
 */
#ifndef BW_LICENSE_EXPR_H
#define BW_LICENSE_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#define BW_LEXPR_MAX_BYTES 4096
#define BW_LEXPR_MAX_DEPTH 32
#define BW_LEXPR_MAX_TERMS 256
#define BW_LEXPR_MAX_ID_BYTES 256

#define BW_LEXPR_LENIENT (1u << 0)

typedef enum bw_lexpr_kind {
	BW_LEXPR_LICENSE, /* a license-id (or_later: written with "+") or a LicenseRef */
	BW_LEXPR_WITH,    /* left: the license; exception: the exception-id */
	BW_LEXPR_AND,
	BW_LEXPR_OR,
} bw_lexpr_kind;

typedef struct bw_lexpr_node {
	bw_lexpr_kind kind;
	const char *id;         /* LICENSE: the identifier without "+" */
	const char *exception;  /* WITH: the exception identifier */
	bool or_later;          /* LICENSE: "+" */
	bool ref;               /* LICENSE: a LicenseRef (maybe with a DocumentRef) */
	int left, right;        /* AND/OR: operands; WITH: left is the license; else -1 */
} bw_lexpr_node;

typedef struct bw_lexpr {
	bw_lexpr_node *nodes;
	size_t n;
	int root;
	size_t cap;             /* room in nodes (callers may add nodes up to it) */
	char *pool;             /* the identifiers' text */
} bw_lexpr;

/* Parses text[0..len). *out is the caller's (bw_lexpr_free) on success, NULL on error. */
int bw_lexpr_parse(bw_lexpr **out, const char *what, const char *text, size_t len, unsigned flags);
void bw_lexpr_free(bw_lexpr *e);

/*
 * Writes node (e->root for the whole expression) as text with the fewest
 * parentheses the precedence needs ("A OR B AND C", "A AND (B OR C)"), each
 * identifier shown by name(ctx, node) when name is given (NULL: as parsed,
 * with "+"). Returns the length; a result of size or more means buf was too
 * small (it is cut and NUL-terminated, as snprintf).
 */
size_t bw_lexpr_format(const bw_lexpr *e, int node, char *buf, size_t size,
		       const char *(*name)(void *ctx, const bw_lexpr_node *leaf, char *tmp, size_t tmp_size),
		       void *ctx);

#endif
