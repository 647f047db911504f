/*
 * tests/tools/spdxexpr.c: bw-spdxexpr MODE, one license expression per line
 * of stdin -> one JSON value per line of stdout, for tests/lib/spdx_oracle.py
 * to compare with an independent parser.
 *
 *   -s  strict parse      -l  lenient parse      -n  normalise (license.h)
 *
 * A tree is written as nested lists: a license is "ID" ("ID+" for or-later),
 * ["WITH", license, exception], ["AND", a, b], ["OR", a, b]. An error is
 * {"error": "..."}; -n adds {"text", "category", "spdx"} around the tree
 * ("tree": null for free text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "license/expr.h"
#include "license/license.h"
#include "util/jsonw.h"

static void tree(bw_jsonw *w, const bw_lexpr *e, int i)
{
	const bw_lexpr_node *n = &e->nodes[i];
	char id[BW_LEXPR_MAX_ID_BYTES + 2];

	switch (n->kind) {
	case BW_LEXPR_LICENSE:
		snprintf(id, sizeof(id), "%s%s", n->id, n->or_later ? "+" : "");
		bw_jw_string(w, id);
		return;
	case BW_LEXPR_WITH:
		bw_jw_array_begin(w);
		bw_jw_string(w, "WITH");
		tree(w, e, n->left);
		bw_jw_string(w, n->exception);
		bw_jw_array_end(w);
		return;
	default:
		bw_jw_array_begin(w);
		bw_jw_string(w, n->kind == BW_LEXPR_AND ? "AND" : "OR");
		tree(w, e, n->left);
		tree(w, e, n->right);
		bw_jw_array_end(w);
		return;
	}
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	char mode = argc == 2 && argv[1][0] == '-' ? argv[1][1] : 0;

	if (mode != 's' && mode != 'l' && mode != 'n') {
		fputs("usage: bw-spdxexpr -s|-l|-n < expressions\n", stderr);
		return 2;
	}
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		bw_jsonw w;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		bw_jw_init(&w, stdout, false);
		if (mode == 'n') {
			bw_license l;
			if (bw_license_normalize(&l, line) < 0)
				return 5;
			bw_jw_object_begin(&w);
			bw_jw_kv_string(&w, "text", l.text);
			bw_jw_kv_string(&w, "category", bw_license_category_name(l.category));
			bw_jw_kv_bool(&w, "spdx", l.spdx);
			bw_jw_key(&w, "tree");
			if (l.expr)
				tree(&w, l.expr, l.expr->root);
			else
				bw_jw_null(&w);
			bw_jw_object_end(&w);
			bw_license_clear(&l);
		} else {
			bw_lexpr *e;
			if (bw_lexpr_parse(&e, "stdin", line, (size_t)len, mode == 'l' ? BW_LEXPR_LENIENT : 0) == 0) {
				tree(&w, e, e->root);
				bw_lexpr_free(e);
			} else {
				bw_jw_object_begin(&w);
				bw_jw_kv_string(&w, "error", bw_error_last()->message);
				bw_jw_object_end(&w);
			}
		}
		if (bw_jw_finish(&w) < 0)
			return 5;
	}
	free(line);
	return 0;
}
