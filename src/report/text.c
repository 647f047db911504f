/*
 * report/text.c: making untrusted strings safe for each output. Package names
 * come from images and titles from advisory feeds; either may hold markup,
 * terminal escapes, invalid UTF-8 or bidirectional overrides. Every reporter
 * writes such strings only through these functions (or the JSON writer), so
 * the rules live in one place: XML/HTML escaping, CommonMark escaping, URI
 * paths, and terminal cells cut to a width. Also the shared timestamp.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_int.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */
#define ELLIPSIS "\xE2\x80\xA6"    /* U+2026, one column */
/* bw_report__utf8_next consumed one byte that is not ASCII: not UTF-8 */
#define INVALID(p, len) ((len) == 1 && (unsigned char)*(p) >= 0x80)

size_t bw_report__utf8_next(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	size_t len;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) { len = 2; v = c & 0x1F; }
	else if ((c & 0xF0) == 0xE0) { len = 3; v = c & 0x0F; }
	else if ((c & 0xF8) == 0xF0) { len = 4; v = c & 0x07; }
	else goto invalid;
	if (n < len)
		goto invalid;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto invalid;
		v = (v << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		goto invalid;
	*cp = v;
	return len;
invalid:
	*cp = 0xFFFD;
	return 1;
}

bool bw_report__unsafe_cp(uint32_t cp)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return false;
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
	       /* LRM, RLM, ALM and the embedding / override / isolate controls */
	       cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) ||
	       /* non-characters (XML 1.0 forbids U+FFFE and U+FFFF) */
	       (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

void bw_report__markup(FILE *f, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = bw_report__utf8_next(s + i, n - i, &cp);
		switch (cp) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		/* as references, so attribute values keep them (XML normalises raw ones to spaces) */
		case '\t': fputs("&#9;", f); break;
		case '\n': fputs("&#10;", f); break;
		case '\r': fputs("&#13;", f); break;
		default:
			if (bw_report__unsafe_cp(cp) || INVALID(s + i, len))
				fputs(REPLACEMENT, f);
			else
				fwrite(s + i, 1, len, f);
		}
		i += len;
	}
}

void bw_report__markdown(FILE *f, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = bw_report__utf8_next(s + i, n - i, &cp);
		if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '\n' || cp == '\r' || cp == '\t')
			fputc(' ', f);
		/* inline markup: emphasis, code, links and images, table cells, strike-through,
		 * and ':' so "http://" does not become a GFM autolink */
		else if (cp < 0x80 && cp && strchr("\\`*_[]|~:", (int)cp))
			fprintf(f, "\\%c", (char)cp);
		else if (bw_report__unsafe_cp(cp) || INVALID(s + i, len))
			fputs(REPLACEMENT, f);
		else
			fwrite(s + i, 1, len, f);
		i += len;
	}
}

char *bw_report__uri_path(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!path)
		path = "";
	while (*path == '/')
		path++;
	size_t n = strlen(path);
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(3 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		/* RFC 3986 pchar minus ':' (a colon in the first segment would read as a
		 * scheme) and the quote (the URI may end up in HTML or Markdown) */
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~!$&()*+,;=@/", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* Terminal columns of a code point: 0 for combining and zero-width marks, 2
 * for the East Asian wide and emoji blocks, else 1 (an approximation of
 * wcwidth that needs no locale). */
static int cp_width(uint32_t cp)
{
	if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	    (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x200B && cp <= 0x200D) ||
	    cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
	    (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
	    (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	    (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x2FFFD) || (cp >= 0x30000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

/* What a terminal cell shows for the code point at s: its bytes, or "?" for
 * anything that could move the cursor or reorder text. */
static size_t cell_char(const char *s, size_t n, const char **out, size_t *out_len, int *width)
{
	uint32_t cp;
	size_t len = bw_report__utf8_next(s, n, &cp);
	if (cp < 0x20 || bw_report__unsafe_cp(cp) || INVALID(s, len)) {
		*out = "?";
		*out_len = 1;
		*width = 1;
	} else {
		*out = s;
		*out_len = len;
		*width = cp_width(cp);
	}
	return len;
}

int bw_report__width(const char *s)
{
	int cols = 0;
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n;) {
		const char *o;
		size_t ol;
		int w;
		i += cell_char(s + i, n - i, &o, &ol, &w);
		if (cols < 1000000)
			cols += w;
	}
	return cols;
}

int bw_report__cell(FILE *f, const char *s, int width, bool pad)
{
	if (!s)
		s = "";
	if (width <= 0)
		return 0;
	bool cut = bw_report__width(s) > width;
	int budget = cut ? width - 1 : width, col = 0;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		const char *o;
		size_t ol;
		int w;
		size_t len = cell_char(s + i, n - i, &o, &ol, &w);
		if (col + w > budget)
			break;
		fwrite(o, 1, ol, f);
		col += w;
		i += len;
	}
	if (cut) {
		fputs(ELLIPSIS, f);
		col++;
	}
	while (pad && col < width) {
		fputc(' ', f);
		col++;
	}
	return col;
}

void bw_report__wrap(FILE *f, const char *s, int first_col, int indent, int width)
{
	int col = first_col;
	bool line_has_word = false;
	size_t n = s ? strlen(s) : 0;

	if (width - indent < 8)
		indent = 0;
	for (size_t i = 0; i < n;) {
		/* a word: up to the next blank (tab and newline count as blanks) */
		size_t end = i;
		int ww = 0;
		while (end < n && s[end] != ' ' && s[end] != '\t' && s[end] != '\n' && s[end] != '\r') {
			const char *o;
			size_t ol;
			int w;
			end += cell_char(s + end, n - end, &o, &ol, &w);
			ww += w;
		}
		if (end == i) {
			i++;
			continue;
		}
		if (line_has_word && col + 1 + ww > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			line_has_word = false;
		}
		if (line_has_word) {
			fputc(' ', f);
			col++;
		}
		/* a word longer than a line is broken where the line ends */
		while (i < end) {
			const char *o;
			size_t ol;
			int w;
			size_t len = cell_char(s + i, end - i, &o, &ol, &w);
			if (col + w > width && col > indent) {
				fprintf(f, "\n%*s", indent, "");
				col = indent;
			}
			fwrite(o, 1, ol, f);
			col += w;
			i += len;
		}
		line_has_word = true;
	}
}

void bw_report__timestamp(char out[32])
{
	time_t t = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0 && v <= 253402300799LL) /* up to 9999-12-31 */
			t = (time_t)v;
	}
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 32, "1970-01-01T00:00:00Z");
		return;
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
