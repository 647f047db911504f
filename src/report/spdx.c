#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/spdx.h"

static int cmp_id(const void *key, const void *elem)
{
	return strcasecmp((const char *)key, *(const char *const *)elem);
}

const char *bw_spdx_canonical(const char *s)
{
	if (!s || !*s)
		return NULL;
	const char *const *hit = bsearch(s, bw_spdx_ids, bw_spdx_ids_count, sizeof(bw_spdx_ids[0]), cmp_id);
	return hit ? *hit : NULL;
}

bool bw_spdx_is_expression(const char *s)
{
	char tok[128];
	size_t n = 0, ids = 0, ops = 0;
	if (!s)
		return false;
	for (const char *p = s;; p++) {
		if (*p == '(' || *p == ')')
			continue;
		if (*p && !isspace((unsigned char)*p)) {
			if (n + 1 >= sizeof(tok))
				return false;
			tok[n++] = *p;
			continue;
		}
		if (n) {
			tok[n] = '\0';
			if (!strcmp(tok, "AND") || !strcmp(tok, "OR") || !strcmp(tok, "WITH"))
				ops++;
			else if (bw_spdx_canonical(tok) || (n > 1 && tok[n - 1] == '+' && (tok[n - 1] = '\0', bw_spdx_canonical(tok))))
				ids++;
			else
				return false;
			n = 0;
		}
		if (!*p)
			break;
	}
	return ops > 0 && ids == ops + 1;
}
