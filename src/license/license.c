/*
 * license/license.c: license text -> normalised SPDX expression and category
 * (license/license.h). The order of attempts: the whole text as a known name
 * ("Apache License 2.0"), else the text as an expression whose identifiers
 * are each mapped (alias, deprecated SPDX id, canonical spelling), else free
 * text of category unknown.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulwark/errors.h"
#include "license/license.h"
#include "license/license_int.h"
#include "report/spdx.h"

static const char *const category_names[BW_LCAT_COUNT] = {
	[BW_LCAT_FORBIDDEN] = "forbidden",   [BW_LCAT_RESTRICTED] = "restricted",
	[BW_LCAT_RECIPROCAL] = "reciprocal", [BW_LCAT_UNKNOWN] = "unknown",
	[BW_LCAT_NOTICE] = "notice",         [BW_LCAT_PERMISSIVE] = "permissive",
	[BW_LCAT_UNENCUMBERED] = "unencumbered",
};

const char *bw_license_category_name(bw_license_category c)
{
	return (unsigned)c < BW_LCAT_COUNT ? category_names[c] : "unknown";
}

int bw_license_category_parse(const char *name)
{
	for (int c = 0; c < BW_LCAT_COUNT; c++)
		if (name && strcmp(name, category_names[c]) == 0)
			return c;
	return -1;
}

static int cmp_cat(const void *key, const void *elem)
{
	return strcasecmp((const char *)key, ((const bw_license_cat_entry *)elem)->id);
}

static int cmp_alias(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const bw_license_alias_entry *)elem)->key);
}

/* -1 when the table does not name id */
static int table_category(const char *id)
{
	const bw_license_cat_entry *hit;

	if (!id)
		return -1;
	hit = bsearch(id, bw_license_cats, bw_license_cats_count, sizeof(bw_license_cats[0]), cmp_cat);
	return hit ? (int)hit->category : -1;
}

bw_license_category bw_license_id_category(const char *id)
{
	int c = table_category(id);
	return c < 0 ? BW_LCAT_UNKNOWN : (bw_license_category)c;
}

/* Lower case, trimmed, white space runs as one space; false when it does not fit. */
static bool alias_key(const char *name, char *key, size_t size)
{
	size_t n = 0;
	bool space = false;

	for (const char *p = name; *p; p++) {
		if (isspace((unsigned char)*p)) {
			space = n > 0;
			continue;
		}
		if (n + (space ? 2 : 1) >= size)
			return false;
		if (space)
			key[n++] = ' ';
		space = false;
		key[n++] = (char)tolower((unsigned char)*p);
	}
	key[n] = '\0';
	return true;
}

const char *bw_license_alias(const char *name)
{
	char key[512];
	const bw_license_alias_entry *hit;

	if (!name || !alias_key(name, key, sizeof(key)) || !key[0])
		return NULL;
	hit = bsearch(key, bw_license_aliases, bw_license_aliases_count, sizeof(bw_license_aliases[0]),
		      cmp_alias);
	return hit ? hit->spdx : NULL;
}

bw_license_category bw_license_expr_category(const bw_lexpr *e, int node)
{
	const bw_lexpr_node *n = &e->nodes[node];
	bw_license_category a, b;
	int exc;

	switch (n->kind) {
	case BW_LEXPR_LICENSE:
		return n->ref ? BW_LCAT_UNKNOWN : bw_license_id_category(n->id);
	case BW_LEXPR_WITH:
		/* an exception grants more, never less; but a "clause" written
		 * where an exception goes (Apache-2.0 WITH Commons-Clause) is in
		 * the table, and then it is what decides */
		a = bw_license_expr_category(e, n->left);
		exc = table_category(n->exception);
		return exc >= 0 && (bw_license_category)exc < a ? (bw_license_category)exc : a;
	case BW_LEXPR_AND:
		a = bw_license_expr_category(e, n->left);
		b = bw_license_expr_category(e, n->right);
		return a < b ? a : b;
	case BW_LEXPR_OR:
		a = bw_license_expr_category(e, n->left);
		b = bw_license_expr_category(e, n->right);
		return a > b ? a : b;
	}
	return BW_LCAT_UNKNOWN;
}

/*
 * Maps one identifier of a leniently parsed expression. An alias may stand
 * for "ID WITH EXCEPTION": the leaf then becomes a WITH node over a new leaf,
 * unless it already is the license of a WITH (the written exception wins).
 * Returns false when the identifier is not SPDX's (kept as written).
 */
static bool map_leaf(bw_lexpr *e, int i, bool under_with)
{
	bw_lexpr_node *n = &e->nodes[i];
	char plus[BW_LEXPR_MAX_ID_BYTES + 2];
	const char *target = NULL, *canon;
	bool or_later = n->or_later;

	if (n->ref)
		return true;
	if (or_later) {
		snprintf(plus, sizeof(plus), "%s+", n->id);
		if ((target = bw_license_alias(plus)))
			or_later = false; /* the alias says "or later" itself */
	}
	if (!target) {
		target = bw_license_alias(n->id);
		/* "AGPL-3.0+": the deprecated id's successor is "-only"; with
		 * the "+" it is the "-or-later" one */
		size_t tl = target ? strlen(target) : 0;
		if (or_later && tl > 5 && !strchr(target, ' ') && !strcmp(target + tl - 5, "-only")) {
			snprintf(plus, sizeof(plus), "%.*s-or-later", (int)(tl - 5), target);
			const char *later = bw_spdx_canonical(plus);
			if (later) {
				target = later;
				or_later = false;
			}
		}
	}
	if (!target) {
		canon = bw_spdx_canonical(n->id);
		if (!canon)
			return false;
		n->id = canon;
		return true;
	}
	const char *with = strstr(target, " WITH ");
	if (!with) {
		n->id = target;
		n->or_later = or_later;
		return true;
	}
	/* targets are generated from aliases.tsv and checked to be SPDX ids,
	 * so both halves are on the list and have static storage there */
	char base[BW_LEXPR_MAX_ID_BYTES + 1];
	size_t bl = (size_t)(with - target);
	if (bl >= sizeof(base))
		return false;
	memcpy(base, target, bl);
	base[bl] = '\0';
	const char *lic = bw_spdx_canonical(base), *exc = bw_spdx_canonical(with + 6);
	if (!lic || !exc)
		return false;
	if (under_with || e->n >= e->cap) {
		n->id = lic;
		n->or_later = or_later;
		return true;
	}
	bw_lexpr_node *leaf = &e->nodes[e->n];
	*leaf = *n;
	leaf->id = lic;
	leaf->or_later = or_later;
	n->kind = BW_LEXPR_WITH;
	n->id = NULL;
	n->exception = exc;
	n->or_later = false;
	n->left = (int)e->n++;
	n->right = -1;
	return true;
}

/* Maps every leaf under node; false when one is not SPDX's. Recursion follows
 * the tree, whose size the parser bounded. */
static bool map_tree(bw_lexpr *e, int node, bool under_with)
{
	bw_lexpr_node *n = &e->nodes[node];
	bool ok;

	switch (n->kind) {
	case BW_LEXPR_LICENSE:
		return map_leaf(e, node, under_with);
	case BW_LEXPR_WITH: {
		ok = map_tree(e, n->left, true);
		const char *alias = bw_license_alias(n->exception);
		const char *exc = bw_spdx_canonical(alias && !strchr(alias, ' ') ? alias : n->exception);
		if (exc)
			e->nodes[node].exception = exc;
		return ok && exc;
	}
	default:
		ok = map_tree(e, n->left, false);
		return map_tree(e, e->nodes[node].right, false) && ok;
	}
}

void bw_license_clear(bw_license *l)
{
	if (!l)
		return;
	free(l->text);
	bw_lexpr_free(l->expr);
	memset(l, 0, sizeof(*l));
}

int bw_license_normalize(bw_license *out, const char *text)
{
	const char *s = text ? text : "", *alias;
	size_t len;
	bw_lexpr *e = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->category = BW_LCAT_UNKNOWN;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len > BW_LEXPR_MAX_BYTES)
		len = BW_LEXPR_MAX_BYTES;

	char *trimmed = strndup(s, len);
	if (!trimmed)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	alias = bw_license_alias(trimmed);
	if (alias)
		rc = bw_lexpr_parse(&e, "license", alias, strlen(alias), BW_LEXPR_LENIENT);
	else
		rc = bw_lexpr_parse(&e, "license", trimmed, len, BW_LEXPR_LENIENT);
	if (rc < 0) {
		/* not an expression: free text, which is not an error */
		bw_error_clear();
		out->text = trimmed;
		return 0;
	}
	out->spdx = map_tree(e, e->root, false);
	size_t need = bw_lexpr_format(e, e->root, NULL, 0, NULL, NULL);
	if (!(out->text = malloc(need + 1))) {
		free(trimmed);
		bw_lexpr_free(e);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	bw_lexpr_format(e, e->root, out->text, need + 1, NULL, NULL);
	out->category = bw_license_expr_category(e, e->root);
	out->expr = e;
	free(trimmed);
	return 0;
}
