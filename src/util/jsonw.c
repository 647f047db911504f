#include <inttypes.h>
#include <string.h>

#include "util/jsonw.h"
#include "util/utf8.h"

void bw_jw_init(bw_jsonw *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
}

static void newline(bw_jsonw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Called before every value: commas between siblings, indentation. */
static void before_value(bw_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->need_comma[w->depth - 1])
			fputc(',', w->f);
		w->need_comma[w->depth - 1] = true;
		newline(w);
	}
}

static void open_container(bw_jsonw *w, char c)
{
	before_value(w);
	fputc(c, w->f);
	if (w->depth >= BW_JW_MAX_DEPTH) {
		w->failed = true; /* a bug in the caller, not input-driven */
		return;
	}
	w->need_comma[w->depth++] = false;
}

static void close_container(bw_jsonw *w, char c)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	bool had_members = w->need_comma[w->depth - 1];
	w->depth--;
	if (had_members)
		newline(w);
	fputc(c, w->f);
}

void bw_jw_object_begin(bw_jsonw *w) { open_container(w, '{'); }
void bw_jw_object_end(bw_jsonw *w) { close_container(w, '}'); }
void bw_jw_array_begin(bw_jsonw *w) { open_container(w, '['); }
void bw_jw_array_end(bw_jsonw *w) { close_container(w, ']'); }

/* html_safe: '<', '>' and '&' as \u escapes too (the value is the same JSON string). */
static void escape(FILE *f, const char *str, size_t len, bool html_safe)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		/* Fast path: a run of printable ASCII needing no escape goes out in one write. */
		size_t run = i;
		while (run < len && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\' &&
		       !(html_safe && (s[run] == '<' || s[run] == '>' || s[run] == '&')))
			run++;
		if (run > i) {
			fwrite(s + i, 1, run - i, f);
			i = run;
			continue;
		}
		unsigned char c = s[i];
		if (html_safe && (c == '<' || c == '>' || c == '&')) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\t': fputs("\\t", f); break;
			case '\r': fputs("\\r", f); break;
			default: fprintf(f, "\\u%04x", c);
			}
			i++;
		} else {
			size_t n = bw_utf8_seq_len(s + i, len - i);
			if (n == 0) {
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite(s + i, 1, n, f);
				i += n;
			}
		}
	}
}

void bw_json_escape(FILE *f, const char *str, size_t len)
{
	escape(f, str, len, false);
}

void bw_jw_key(bw_jsonw *w, const char *key)
{
	before_value(w);
	fputc('"', w->f);
	escape(w->f, key, strlen(key), w->html_safe);
	fputs(w->pretty ? "\": " : "\":", w->f);
	w->after_key = true;
}

void bw_jw_stringn(bw_jsonw *w, const char *s, size_t len)
{
	before_value(w);
	fputc('"', w->f);
	escape(w->f, s, len, w->html_safe);
	fputc('"', w->f);
}

void bw_jw_string(bw_jsonw *w, const char *s)
{
	if (!s) {
		bw_jw_null(w);
		return;
	}
	bw_jw_stringn(w, s, strlen(s));
}

void bw_jw_uint(bw_jsonw *w, uint64_t v)
{
	before_value(w);
	fprintf(w->f, "%" PRIu64, v);
}

void bw_jw_raw_number(bw_jsonw *w, const char *number)
{
	before_value(w);
	fputs(number, w->f);
}

void bw_jw_int(bw_jsonw *w, int64_t v)
{
	before_value(w);
	fprintf(w->f, "%" PRId64, v);
}

void bw_jw_bool(bw_jsonw *w, bool v)
{
	before_value(w);
	fputs(v ? "true" : "false", w->f);
}

void bw_jw_null(bw_jsonw *w)
{
	before_value(w);
	fputs("null", w->f);
}

int bw_jw_finish(bw_jsonw *w)
{
	fputc('\n', w->f);
	if (w->depth != 0 || ferror(w->f))
		w->failed = true;
	return w->failed ? -1 : 0;
}

void bw_jw_kv_string(bw_jsonw *w, const char *key, const char *value)
{
	bw_jw_key(w, key);
	bw_jw_string(w, value);
}

void bw_jw_kv_uint(bw_jsonw *w, const char *key, uint64_t value)
{
	bw_jw_key(w, key);
	bw_jw_uint(w, value);
}

void bw_jw_kv_bool(bw_jsonw *w, const char *key, bool value)
{
	bw_jw_key(w, key);
	bw_jw_bool(w, value);
}
