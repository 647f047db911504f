/*
 * policy/glob.c: the glob patterns of policy/glob.h. Matching walks pattern
 * and text once, going back only to the last "*" seen (the classic
 * wildcard algorithm), so its cost is bounded by the product of the lengths
 * and it never recurses.
 */
#include <string.h>

#include "policy/glob.h"

/* The end of the set that starts at p ("[" at p[0]); NULL when it is malformed. */
static const char *set_end(const char *p, const char **why)
{
	const char *q = p + 1;

	if (*q == '!')
		q++;
	if (*q == ']') {
		*why = "an empty set \"[]\"";
		return NULL;
	}
	while (*q && *q != ']') {
		unsigned char lo = (unsigned char)*q, hi;
		if (*q == '\\') {
			if (!q[1])
				break;
			lo = (unsigned char)*++q;
		}
		q++;
		if (*q == '-' && q[1] && q[1] != ']') {
			q++;
			if (*q == '\\' && q[1])
				q++;
			hi = (unsigned char)*q++;
			if (hi < lo) {
				*why = "a reversed range in a set";
				return NULL;
			}
		}
	}
	if (*q != ']') {
		*why = "a \"[\" without its \"]\"";
		return NULL;
	}
	return q;
}

const char *bw_glob_check(const char *pattern, size_t *offset)
{
	const char *why = NULL;
	size_t n = strlen(pattern);

	*offset = 0;
	if (n == 0)
		return "an empty pattern";
	if (n > BW_GLOB_MAX_BYTES)
		return "a pattern longer than 1024 bytes";
	for (const char *p = pattern; *p; p++) {
		*offset = (size_t)(p - pattern);
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a control character";
		if (*p == '\\') {
			if (!p[1])
				return "a \"\\\" at the end";
			p++;
		} else if (*p == '[') {
			const char *end = set_end(p, &why);
			if (!end)
				return why;
			for (const char *c = p; c < end; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					return "a control character";
			p = end;
		}
	}
	*offset = 0;
	return NULL;
}

/* Does c belong to the set at p ("[" at p[0])? *next: past its "]". */
static bool set_match(const char *p, unsigned char c, const char **next)
{
	const char *q = p + 1;
	bool negate = false, hit = false;

	if (*q == '!') {
		negate = true;
		q++;
	}
	while (*q && *q != ']') {
		unsigned char lo, hi;
		if (*q == '\\' && q[1])
			q++;
		lo = hi = (unsigned char)*q++;
		if (*q == '-' && q[1] && q[1] != ']') {
			q++;
			if (*q == '\\' && q[1])
				q++;
			hi = (unsigned char)*q++;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	*next = *q ? q + 1 : q;
	return hit != negate;
}

bool bw_glob_match(const char *pattern, const char *text)
{
	const char *p = pattern, *t = text;
	const char *star_p = NULL, *star_t = NULL;

	while (*t) {
		const char *next;
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_t = t;
			continue;
		}
		if (*p == '?') {
			p++;
			t++;
			continue;
		}
		if (*p == '[' && set_match(p, (unsigned char)*t, &next)) {
			p = next;
			t++;
			continue;
		}
		if (*p && *p != '[') {
			const char *lit = p;
			if (*lit == '\\' && lit[1])
				lit++;
			if (*lit == *t) {
				p = lit + 1;
				t++;
				continue;
			}
		}
		/* mismatch: let the last "*" take one more character */
		if (!star_p)
			return false;
		p = star_p;
		t = ++star_t;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
