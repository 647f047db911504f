/*
 * tests/fuzz/fuzz_report.c: what the reporters do with hostile strings.
 *
 * Package names, versions and paths come from images, titles and CVSS
 * entries from advisory feeds; the reporters pass them through
 * src/report/text.c and parse CVSS entries with bw_report__cvss. The input is
 * split at NUL bytes into fields (the first byte picks widths); each field
 * goes through every escaper, and the harness checks the promise of each
 * with its own decoder (not the one under test), aborting with a
 * "fuzz_report: ..." line when one is broken:
 *   markup    valid UTF-8, no < > " ' raw, every & starts a known entity, no
 *             code point XML 1.0 forbids, no bidi control;
 *   markdown  valid UTF-8, no < > raw, no line break, [ ] ` * _ | ~ : escaped;
 *   uri_path  only pchar and %XX, and decoding gives the path back;
 *   cell      valid UTF-8, no control character, at most (exactly, padded)
 *             the width;
 *   wrap      no line wider than the width;
 *   cvss      every entry's score in 0..10 and vector NUL-terminated;
 *   target    a prefix of the path.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what)                                                       \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_report: %s\n", what);             \
			abort();                                                \
		}                                                               \
	} while (0)

/* An independent UTF-8 decoder: -1 when invalid, else the length; *cp set. */
static int decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : -1;
	if (len < 0 || (size_t)len > n)
		return -1;
	uint32_t v = s[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		v = v << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
		return -1;
	*cp = v;
	return len;
}

static bool is_bidi(uint32_t cp)
{
	return cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static void check_utf8(const char *s, size_t n, const char *what)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int len = decode((const unsigned char *)s + i, n - i, &cp);
		CHECK(len > 0, what);
		CHECK(!is_bidi(cp), what);
		i += (size_t)len;
	}
}

static char *capture(size_t *len, void (*fn)(FILE *, const char *, int, int), const char *s, int a, int b)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		abort();
	fn(f, s, a, b);
	fclose(f);
	return buf;
}

static void do_markup(FILE *f, const char *s, int a, int b) { (void)a; (void)b; bw_report__markup(f, s); }
static void do_markdown(FILE *f, const char *s, int a, int b) { (void)a; (void)b; bw_report__markdown(f, s); }
static void do_cell(FILE *f, const char *s, int w, int pad) { bw_report__cell(f, s, w, pad != 0); }
static void do_wrap(FILE *f, const char *s, int first, int width) { bw_report__wrap(f, s, first, 4, width); }

static void check_markup(const char *s)
{
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#9;", "&#10;", "&#13;" };
	size_t n;
	char *out = capture(&n, do_markup, s, 0, 0);
	check_utf8(out, n, "markup: output is not valid UTF-8 or holds a bidi control");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		CHECK(c != '<' && c != '>' && c != '"' && c != '\'', "markup: raw < > \" or '");
		CHECK(c >= 0x20 && c != 0x7F, "markup: raw control character");
		if (c == '&') {
			bool known = false;
			for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]) && !known; k++)
				known = !strncmp(out + i, entities[k], strlen(entities[k]));
			CHECK(known, "markup: & that starts no known entity");
		}
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int len = decode((const unsigned char *)out + i, n - i, &cp);
		CHECK(!(cp >= 0x80 && cp <= 0x9F) && (cp & 0xFFFE) != 0xFFFE, "markup: code point XML forbids");
		i += (size_t)len;
	}
	free(out);
}

static void check_markdown(const char *s)
{
	size_t n;
	char *out = capture(&n, do_markdown, s, 0, 0);
	check_utf8(out, n, "markdown: output is not valid UTF-8 or holds a bidi control");
	for (size_t i = 0; i < n; i++) {
		char c = out[i];
		CHECK(c != '<' && c != '>', "markdown: raw < or >");
		CHECK(c != '\n' && c != '\r', "markdown: line break");
		if (c == '\\') {
			CHECK(i + 1 < n, "markdown: trailing backslash");
			i++; /* the escaped character */
			continue;
		}
		CHECK(!strchr("[]`*_|~:", c) || c == '\0', "markdown: inline markup not escaped");
	}
	free(out);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_uri(const char *s)
{
	char *uri = bw_report__uri_path(s);
	CHECK(uri, "uri_path: NULL");
	const char *want = s;
	while (*want == '/')
		want++;
	size_t o = 0;
	for (const char *p = uri; *p; p++) {
		char got;
		if (*p == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			CHECK(hi >= 0 && lo >= 0, "uri_path: bad %XX");
			got = (char)(hi << 4 | lo);
			p += 2;
		} else {
			CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				      strchr("-._~!$&()*+,;=@/", *p),
			      "uri_path: character outside pchar");
			got = *p;
		}
		CHECK(want[o] == got, "uri_path: does not decode to the path");
		o++;
	}
	CHECK(want[o] == '\0', "uri_path: path cut short");
	free(uri);
}

static void check_cell(const char *s, int width, bool pad)
{
	size_t n;
	char *out = capture(&n, do_cell, s, width, pad);
	check_utf8(out, n, "cell: output is not valid UTF-8 or holds a bidi control");
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7F, "cell: control character reaches the terminal");
	int w = bw_report__width(out);
	CHECK(w <= (width > 0 ? width : 0), "cell: wider than the width");
	CHECK(!pad || width <= 0 || w == width, "cell: padded cell is not exactly the width");
	free(out);
}

static void check_wrap(const char *s, int first, int width)
{
	size_t n;
	char *out = capture(&n, do_wrap, s, first, width);
	check_utf8(out, n, "wrap: output is not valid UTF-8 or holds a bidi control");
	int col = first;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || out[i] == '\n') {
			CHECK(col <= width, "wrap: line wider than the width");
			col = 0;
			continue;
		}
		size_t j = i;
		while (j < n && out[j] != '\n')
			j++;
		char *line = strndup(out + i, j - i);
		col += bw_report__width(line);
		free(line);
		i = j - 1;
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	int width = data[0] % 120;
	bool pad = data[0] & 0x80;
	char *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';

	/* fields: the NUL-separated strings of the input */
	for (char *field = copy; field < copy + size - 1; field += strlen(field) + 1) {
		check_markup(field);
		check_markdown(field);
		check_uri(field);
		check_cell(field, width, pad);
		check_wrap(field, width / 3, width < 12 ? 12 : width);
		size_t t = bw_report__target_len(field);
		CHECK(t <= strlen(field), "target_len: longer than the path");
		bw_report_cvss c[BW_REPORT_MAX_CVSS];
		size_t k = bw_report__cvss(field, c, BW_REPORT_MAX_CVSS);
		CHECK(k <= BW_REPORT_MAX_CVSS, "cvss: too many entries");
		for (size_t i = 0; i < k; i++) {
			CHECK(memchr(c[i].vector, '\0', sizeof(c[i].vector)), "cvss: vector not terminated");
			CHECK(!c[i].has_score || (c[i].score >= 0 && c[i].score <= 10), "cvss: score out of range");
		}
	}
	free(copy);
	return 0;
}
