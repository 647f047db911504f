/*
 * util/yaml.c: YAML text to jansson values, under the contract and bounds of
 * util/yaml.h.
 *
 * libyaml does the lexing and the grammar (its event parser keeps its state on
 * the heap, not the C stack, and yields one event at a time); this file builds
 * the value from the events and enforces every bound as each event arrives, so
 * a hostile stream is stopped at the first node past a limit rather than after
 * it has been built. No recursion here: open containers sit on a fixed stack
 * of BW_MAX_JSON_DEPTH frames.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "bulwark/errors.h"
#include "util/limits.h"
#include "util/strmap.h"
#include "util/utf8.h"
#include "util/yaml.h"

#define CORE_TAG_PREFIX "tag:yaml.org,2002:"
#define KNOWN_FLAGS (BW_YAML_TYPED | BW_YAML_ALLOW_ALIASES)
/* how much of an input-derived name an error message quotes */
#define QUOTE_MAX 80

/* A completed anchored node, for the aliases that follow it. */
typedef struct anchor {
	struct anchor *next;
	json_t *node;  /* our own reference */
	size_t nodes;  /* nodes an alias to it expands to */
	size_t height; /* containers nested in it, itself included (a scalar: 0) */
	char name[];
} anchor;

/* An open sequence or mapping. */
typedef struct frame {
	json_t *node;
	char *key;            /* mapping: the key whose value comes next; NULL: a key comes next */
	char *anchor_name;    /* registered when the container ends */
	size_t nodes_at_start;
	size_t child_height;  /* tallest child so far */
} frame;

/* Lines of nodes (bw_yaml_parse_lines): composite text keys in a string map,
 * "<address>" for a container, "<address>\x1fKEY" for a mapping key and
 * "<address>\x1eINDEX" for a sequence item; the value is the line. */
struct bw_yaml_lines {
	bw_strmap map;
	char **keys;   /* the map's keys, owned here */
	size_t n_keys, cap_keys;
};

typedef struct loader {
	const char *what;
	unsigned flags;
	bool multi;
	const unsigned char *text; /* for the position of reader errors and NUL bytes */
	size_t len;
	yaml_parser_t parser;
	frame stack[BW_MAX_JSON_DEPTH];
	size_t depth;
	size_t nodes;      /* nodes so far in the stream, alias expansions included */
	size_t documents;
	json_t *doc;       /* the current document's root once placed */
	json_t *docs;      /* multi: the documents so far */
	bw_strmap anchor_map;
	anchor *anchors;   /* the same entries, to free them */
	bw_yaml_lines *lines; /* NULL unless the caller asked where nodes are */
} loader;

/* ------------------------------------------------------------------ errors */

__attribute__((format(printf, 3, 4)))
static int fail_at(loader *l, yaml_mark_t mark, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bw_error_set(BW_EINPUT, "%s: line %zu column %zu: %s", l->what, mark.line + 1,
			    mark.column + 1, msg);
}

static int out_of_memory(loader *l)
{
	return bw_error_set(BW_EINTERNAL, "%s: out of memory while building the YAML value",
			    l->what);
}

/* ------------------------------------------------------------------ lines */

/* "<address>" + tag byte + suffix, in buf (sized for the longest key). */
static void line_key(char *buf, size_t size, const json_t *node, char tag, const char *suffix)
{
	if (tag)
		snprintf(buf, size, "%p%c%s", (const void *)node, tag, suffix);
	else
		snprintf(buf, size, "%p", (const void *)node);
}

#define LINE_KEY_BYTES (BW_MAX_YAML_KEY_BYTES + 48)

static int record_line(loader *l, const json_t *node, char tag, const char *suffix, yaml_mark_t mark)
{
	bw_yaml_lines *t = l->lines;
	char buf[LINE_KEY_BYTES], *key;

	if (!t)
		return 0;
	line_key(buf, sizeof(buf), node, tag, suffix);
	if (t->n_keys == t->cap_keys) {
		size_t cap = t->cap_keys ? t->cap_keys * 2 : 64;
		char **keys = realloc(t->keys, cap * sizeof(*keys));
		if (!keys)
			return out_of_memory(l);
		t->keys = keys;
		t->cap_keys = cap;
	}
	if (!(key = strdup(buf)))
		return out_of_memory(l);
	t->keys[t->n_keys++] = key; /* owned by the table from here */
	if (bw_strmap_put(&t->map, key, (void *)(uintptr_t)(mark.line + 1)) != 0)
		return out_of_memory(l);
	return 0;
}

/* A node about to be placed as the next item of an open sequence. */
static int record_item(loader *l, yaml_mark_t mark)
{
	char index[24];
	const json_t *seq;

	if (!l->lines || l->depth == 0 || !json_is_array(l->stack[l->depth - 1].node))
		return 0;
	seq = l->stack[l->depth - 1].node;
	snprintf(index, sizeof(index), "%zu", json_array_size(seq));
	return record_line(l, seq, '\x1e', index, mark);
}

void bw_yaml_lines_free(bw_yaml_lines *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_keys; i++)
		free(t->keys[i]);
	free(t->keys);
	bw_strmap_free(&t->map);
	free(t);
}

static size_t line_lookup(const bw_yaml_lines *t, const json_t *node, char tag, const char *suffix)
{
	char buf[LINE_KEY_BYTES];

	if (!t || !node || (suffix && strlen(suffix) > BW_MAX_YAML_KEY_BYTES))
		return 0;
	line_key(buf, sizeof(buf), node, tag, suffix);
	return (size_t)(uintptr_t)bw_strmap_get(&t->map, buf);
}

size_t bw_yaml_line_of_key(const bw_yaml_lines *t, const json_t *mapping, const char *key)
{
	return key ? line_lookup(t, mapping, '\x1f', key) : 0;
}

size_t bw_yaml_line_of_item(const bw_yaml_lines *t, const json_t *sequence, size_t index)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%zu", index);
	return line_lookup(t, sequence, '\x1e', buf);
}

size_t bw_yaml_line_of_node(const bw_yaml_lines *t, const json_t *container)
{
	return line_lookup(t, container, 0, NULL);
}

/* Line and column (0-based, in bytes) of a byte offset, for errors that libyaml
 * reports by offset (its reader) and for our own NUL check. */
static yaml_mark_t mark_of_offset(const unsigned char *text, size_t len, size_t offset)
{
	yaml_mark_t m = { .index = offset, .line = 0, .column = 0 };
	size_t line_start = 0;

	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			m.line++;
			line_start = i + 1;
		}
	}
	m.column = offset - line_start;
	return m;
}

static int parser_error(loader *l)
{
	yaml_parser_t *p = &l->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return bw_error_set(BW_EINTERNAL, "%s: out of memory while parsing YAML", l->what);
	case YAML_READER_ERROR:
		if (p->problem_value != -1)
			return fail_at(l, mark_of_offset(l->text, l->len, p->problem_offset),
				       "%s (#%X)", problem, (unsigned)p->problem_value);
		return fail_at(l, mark_of_offset(l->text, l->len, p->problem_offset), "%s",
			       problem);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		if (p->context)
			return fail_at(l, p->problem_mark, "%s (%s at line %zu column %zu)", problem,
				       p->context, p->context_mark.line + 1,
				       p->context_mark.column + 1);
		return fail_at(l, p->problem_mark, "%s", problem);
	default:
		return fail_at(l, p->problem_mark, "%s", problem);
	}
}

/* ------------------------------------------------------------------ scalars */

static int make_string(loader *l, yaml_mark_t mark, const char *s, size_t n, json_t **out)
{
	*out = json_stringn(s, n);
	if (*out)
		return 0;
	if (!bw_utf8_valid((const unsigned char *)s, n))
		return fail_at(l, mark, "invalid UTF-8 in a scalar");
	return out_of_memory(l);
}

static bool text_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool core_null(const char *s, size_t n)
{
	return n == 0 || text_is(s, n, "~") || text_is(s, n, "null") || text_is(s, n, "Null") ||
	       text_is(s, n, "NULL");
}

/* 1 true, 0 false, -1 not a core boolean */
static int core_bool(const char *s, size_t n)
{
	if (text_is(s, n, "true") || text_is(s, n, "True") || text_is(s, n, "TRUE"))
		return 1;
	if (text_is(s, n, "false") || text_is(s, n, "False") || text_is(s, n, "FALSE"))
		return 0;
	return -1;
}

static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned)v < base ? v : -1;
}

/*
 * The core schema's integers: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
 * 1: *out set; 0: not an integer; -1: an integer past the int64 range.
 */
static int core_int(const char *s, size_t n, json_int_t *out)
{
	unsigned base = 10;
	bool negative = false;
	size_t i = 0;
	uint64_t v = 0, limit;

	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		base = s[1] == 'o' ? 8 : 16;
		i = 2;
	} else if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		negative = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return 0;
	for (size_t k = i; k < n; k++)
		if (digit_value(s[k], base) < 0)
			return 0;
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d = (unsigned)digit_value(s[i], base);
		if (v > (limit - d) / base)
			return -1;
		v = v * base + d;
	}
	if (negative)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)v;
	else
		*out = (json_int_t)v;
	return 1;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/*
 * The core schema's floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 * plus [-+]?\.inf and \.nan in three spellings each.
 * 1: *out set; 0: not a float; -1: infinity or NaN (written or by overflow),
 * which JSON cannot hold.
 */
static int core_float(const char *s, size_t n, double *out)
{
	size_t i = 0, int_digits = 0, frac_digits = 0;
	const char *body;
	char *end;
	double v;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		i = 1;
	body = s + i;
	if (text_is(body, n - i, ".inf") || text_is(body, n - i, ".Inf") ||
	    text_is(body, n - i, ".INF"))
		return -1;
	if (text_is(s, n, ".nan") || text_is(s, n, ".NaN") || text_is(s, n, ".NAN"))
		return -1;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, int_digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, frac_digits++;
		/* "1." is a float; "." alone is not */
		if (int_digits == 0 && frac_digits == 0)
			return 0;
	} else if (int_digits == 0) {
		return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, exp_digits++;
		if (exp_digits == 0)
			return 0;
	}
	if (i != n)
		return 0;

	/* libyaml's scalar text is NUL-terminated, and the pattern above has
	 * matched all n bytes, so strtod stops exactly at s + n. The C locale
	 * keeps '.' the decimal point whatever the program's locale is. */
	pthread_once(&c_locale_once, make_c_locale);
	errno = 0;
	v = c_locale ? strtod_l(s, &end, c_locale) : strtod(s, &end);
	if (end != s + n)
		return 0;
	if (isinf(v) || isnan(v))
		return -1;
	*out = v;
	return 1;
}

typedef enum scalar_kind { KIND_ANY, KIND_STR, KIND_NULL, KIND_BOOL, KIND_INT, KIND_FLOAT } scalar_kind;

/* The kind a tag asks for in typed mode; -1 when the tag is not allowed. */
static int tag_kind(const char *tag)
{
	const char *suffix;

	if (!tag)
		return KIND_ANY;
	if (strcmp(tag, "!") == 0) /* the non-specific tag: "not a plain scalar", a string */
		return KIND_STR;
	if (strncmp(tag, CORE_TAG_PREFIX, strlen(CORE_TAG_PREFIX)) != 0)
		return -1;
	suffix = tag + strlen(CORE_TAG_PREFIX);
	if (strcmp(suffix, "str") == 0)
		return KIND_STR;
	if (strcmp(suffix, "null") == 0)
		return KIND_NULL;
	if (strcmp(suffix, "bool") == 0)
		return KIND_BOOL;
	if (strcmp(suffix, "int") == 0)
		return KIND_INT;
	if (strcmp(suffix, "float") == 0)
		return KIND_FLOAT;
	return -1;
}

/* Shows a tag as written when it is a core one (!!int), in full otherwise. */
static const char *tag_shown(const char *tag, char *buf, size_t size)
{
	if (strncmp(tag, CORE_TAG_PREFIX, strlen(CORE_TAG_PREFIX)) == 0)
		snprintf(buf, size, "!!%.*s", QUOTE_MAX, tag + strlen(CORE_TAG_PREFIX));
	else
		snprintf(buf, size, "%.*s", QUOTE_MAX, tag);
	return buf;
}

/*
 * The JSON value of a scalar event (new reference in *out). Default mode: a
 * string, always. Typed mode: by the tag when there is one, by the core
 * schema when the scalar is plain and untagged, a string otherwise.
 */
static int scalar_value(loader *l, const yaml_event_t *ev, json_t **out)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t n = ev->data.scalar.length;
	yaml_mark_t mark = ev->start_mark;
	int kind, b, r;
	json_int_t iv;
	double dv;
	char shown[QUOTE_MAX + 8];

	*out = NULL;
	if (memchr(s, '\0', n))
		return fail_at(l, mark, "NUL byte in a scalar");
	if (!(l->flags & BW_YAML_TYPED))
		return make_string(l, mark, s, n, out);

	kind = tag_kind(tag);
	if (kind < 0)
		return fail_at(l, mark, "tag %s is not allowed (only the YAML core schema's)",
			       tag_shown(tag, shown, sizeof(shown)));
	if (kind == KIND_STR || (kind == KIND_ANY && ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE))
		return make_string(l, mark, s, n, out);

	if ((kind == KIND_ANY || kind == KIND_NULL) && core_null(s, n)) {
		*out = json_null();
		return 0;
	}
	if (kind == KIND_NULL)
		return fail_at(l, mark, "!!null value \"%.*s\" is not a null", QUOTE_MAX, s);

	if (kind == KIND_ANY || kind == KIND_BOOL) {
		b = core_bool(s, n);
		if (b >= 0) {
			*out = json_boolean(b);
			return 0;
		}
		if (kind == KIND_BOOL)
			return fail_at(l, mark, "!!bool value \"%.*s\" is not true or false",
				       QUOTE_MAX, s);
	}

	if (kind == KIND_ANY || kind == KIND_INT) {
		r = core_int(s, n, &iv);
		if (r < 0)
			return fail_at(l, mark, "integer %.*s is out of the 64-bit range", QUOTE_MAX, s);
		if (r > 0) {
			*out = json_integer(iv);
			return *out ? 0 : out_of_memory(l);
		}
		if (kind == KIND_INT)
			return fail_at(l, mark, "!!int value \"%.*s\" is not an integer", QUOTE_MAX, s);
	}

	/* KIND_ANY or KIND_FLOAT */
	r = core_float(s, n, &dv);
	if (r < 0)
		return fail_at(l, mark, "float %.*s is infinite or NaN, which JSON cannot hold",
			       QUOTE_MAX, s);
	if (r > 0) {
		*out = json_real(dv);
		return *out ? 0 : out_of_memory(l);
	}
	if (kind == KIND_FLOAT)
		return fail_at(l, mark, "!!float value \"%.*s\" is not a number", QUOTE_MAX, s);
	return make_string(l, mark, s, n, out);
}

/* ------------------------------------------------------------------ building */

static int count_nodes(loader *l, yaml_mark_t mark, size_t n)
{
	if (n > BW_MAX_YAML_NODES - l->nodes)
		return fail_at(l, mark, "more than %d nodes (the limit)", BW_MAX_YAML_NODES);
	l->nodes += n;
	return 0;
}

/*
 * An anchor may be declared only when aliases are allowed, and only once per
 * document: a name seen again, on a complete node or on a collection still
 * open around this one, is reported here, at its second occurrence (as
 * PyYAML's composer does), rather than when the outer collection ends.
 */
static int check_anchor(loader *l, yaml_mark_t mark, const yaml_char_t *anchor_name)
{
	const char *name = (const char *)anchor_name;

	if (!name)
		return 0;
	if (!(l->flags & BW_YAML_ALLOW_ALIASES))
		return fail_at(l, mark, "anchor &%.*s: anchors and aliases are not allowed",
			       QUOTE_MAX, name);
	if (bw_strmap_get(&l->anchor_map, name))
		return fail_at(l, mark, "anchor &%.*s is defined twice", QUOTE_MAX, name);
	for (size_t i = 0; i < l->depth; i++)
		if (l->stack[i].anchor_name && strcmp(l->stack[i].anchor_name, name) == 0)
			return fail_at(l, mark, "anchor &%.*s is defined twice", QUOTE_MAX, name);
	return 0;
}

static int register_anchor(loader *l, yaml_mark_t mark, const char *name, json_t *node,
			   size_t nodes, size_t height)
{
	size_t name_len = strlen(name);
	anchor *a;

	if (bw_strmap_get(&l->anchor_map, name)) /* check_anchor() saw to it; a guard */
		return fail_at(l, mark, "anchor &%.*s is defined twice", QUOTE_MAX, name);
	a = malloc(sizeof(*a) + name_len + 1);
	if (!a)
		return out_of_memory(l);
	memcpy(a->name, name, name_len + 1);
	a->node = json_incref(node);
	a->nodes = nodes;
	a->height = height;
	a->next = l->anchors;
	l->anchors = a;
	if (bw_strmap_put(&l->anchor_map, a->name, a) != 0)
		return out_of_memory(l); /* a is on the list: freed with it */
	return 0;
}

static void drop_anchors(loader *l)
{
	while (l->anchors) {
		anchor *a = l->anchors;
		l->anchors = a->next;
		json_decref(a->node);
		free(a);
	}
	bw_strmap_free(&l->anchor_map);
	memset(&l->anchor_map, 0, sizeof(l->anchor_map));
}

/* Puts a finished value (reference stolen) into the open container, or makes
 * it the document's root. height: containers nested in it (0 for a scalar). */
static int place(loader *l, json_t *v, size_t height)
{
	frame *f;
	int r;

	if (l->depth == 0) {
		json_decref(l->doc);
		l->doc = v;
		return 0;
	}
	f = &l->stack[l->depth - 1];
	if (json_is_array(f->node)) {
		r = json_array_append_new(f->node, v);
	} else {
		/* the key was checked (UTF-8, no NUL, not a duplicate) when it came */
		r = json_object_set_new_nocheck(f->node, f->key, v);
		free(f->key);
		f->key = NULL;
	}
	if (r != 0)
		return out_of_memory(l);
	if (height > f->child_height)
		f->child_height = height;
	return 0;
}

static frame *top(loader *l)
{
	return l->depth ? &l->stack[l->depth - 1] : NULL;
}

static bool expecting_key(loader *l)
{
	frame *f = top(l);
	return f && json_is_object(f->node) && !f->key;
}

/* A scalar in key position: checks it and keeps its text for the value that follows. */
static int take_key(loader *l, const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	const char *anchor_name = (const char *)ev->data.scalar.anchor;
	size_t n = ev->data.scalar.length;
	yaml_mark_t mark = ev->start_mark;
	frame *f = top(l);
	json_t *value = NULL;
	int rc;

	if (memchr(text, '\0', n))
		return fail_at(l, mark, "NUL byte in a mapping key");
	if (n > BW_MAX_YAML_KEY_BYTES)
		return fail_at(l, mark, "mapping key of %zu bytes, longer than the limit of %d", n,
			       BW_MAX_YAML_KEY_BYTES);
	if (!bw_utf8_valid((const unsigned char *)text, n))
		return fail_at(l, mark, "invalid UTF-8 in a mapping key");
	if ((l->flags & BW_YAML_TYPED) && !ev->data.scalar.tag &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && text_is(text, n, "<<"))
		return fail_at(l, mark, "merge key << is not supported (quote it for a plain key)");
	if ((rc = check_anchor(l, mark, ev->data.scalar.anchor)) < 0)
		return rc;
	if ((rc = count_nodes(l, mark, 1)) < 0)
		return rc;
	/* typed mode: the key's tag must be a core one and fit its text, even
	 * though the key itself stays text; an anchored key may be aliased as a value */
	if ((l->flags & BW_YAML_TYPED) || anchor_name) {
		if ((rc = scalar_value(l, ev, &value)) < 0)
			return rc;
	}
	if (json_object_get(f->node, text)) {
		rc = fail_at(l, mark, "duplicate mapping key \"%.*s\"", QUOTE_MAX, text);
		goto done;
	}
	if (anchor_name && (rc = register_anchor(l, mark, anchor_name, value, 1, 0)) < 0)
		goto done;
	f->key = strndup(text, n);
	rc = f->key ? 0 : out_of_memory(l);
	if (rc == 0)
		rc = record_line(l, f->node, '\x1f', f->key, mark);
done:
	json_decref(value);
	return rc;
}

static int on_scalar(loader *l, const yaml_event_t *ev)
{
	const char *anchor_name = (const char *)ev->data.scalar.anchor;
	json_t *v;
	int rc;

	if (expecting_key(l))
		return take_key(l, ev);
	if ((rc = check_anchor(l, ev->start_mark, ev->data.scalar.anchor)) < 0)
		return rc;
	if ((rc = count_nodes(l, ev->start_mark, 1)) < 0)
		return rc;
	if ((rc = scalar_value(l, ev, &v)) < 0)
		return rc;
	if (anchor_name && (rc = register_anchor(l, ev->start_mark, anchor_name, v, 1, 0)) < 0) {
		json_decref(v);
		return rc;
	}
	if ((rc = record_item(l, ev->start_mark)) < 0) {
		json_decref(v);
		return rc;
	}
	return place(l, v, 0);
}

static int on_container_start(loader *l, const yaml_event_t *ev, bool is_mapping)
{
	const yaml_char_t *anchor_name = is_mapping ? ev->data.mapping_start.anchor
						    : ev->data.sequence_start.anchor;
	const char *tag = (const char *)(is_mapping ? ev->data.mapping_start.tag
						    : ev->data.sequence_start.tag);
	const char *what = is_mapping ? "mapping" : "sequence";
	char shown[QUOTE_MAX + 8];
	frame *f;
	int rc;

	if (expecting_key(l))
		return fail_at(l, ev->start_mark, "a %s as a mapping key (keys must be scalars)",
			       what);
	if ((l->flags & BW_YAML_TYPED) && tag && strcmp(tag, "!") != 0 &&
	    !(strncmp(tag, CORE_TAG_PREFIX, strlen(CORE_TAG_PREFIX)) == 0 &&
	      strcmp(tag + strlen(CORE_TAG_PREFIX), is_mapping ? "map" : "seq") == 0))
		return fail_at(l, ev->start_mark, "tag %s is not allowed on a %s",
			       tag_shown(tag, shown, sizeof(shown)), what);
	if ((rc = check_anchor(l, ev->start_mark, anchor_name)) < 0)
		return rc;
	if (l->depth >= BW_MAX_JSON_DEPTH)
		return fail_at(l, ev->start_mark, "nested deeper than %d levels",
			       BW_MAX_JSON_DEPTH);
	f = &l->stack[l->depth];
	memset(f, 0, sizeof(*f));
	f->nodes_at_start = l->nodes;
	if ((rc = count_nodes(l, ev->start_mark, 1)) < 0)
		return rc;
	if ((rc = record_item(l, ev->start_mark)) < 0)
		return rc;
	if (anchor_name && !(f->anchor_name = strdup((const char *)anchor_name)))
		return out_of_memory(l);
	f->node = is_mapping ? json_object() : json_array();
	l->depth++; /* from here the frame is freed by the loader's cleanup */
	if (!f->node)
		return out_of_memory(l);
	return record_line(l, f->node, 0, NULL, ev->start_mark);
}

static int on_container_end(loader *l, const yaml_event_t *ev)
{
	frame *f = top(l);
	json_t *node;
	size_t height;
	int rc = 0;

	if (!f) /* libyaml pairs start and end events; this is a guard, not a path */
		return fail_at(l, ev->start_mark, "unbalanced end of a collection");
	node = f->node;
	height = f->child_height + 1;
	if (f->anchor_name)
		rc = register_anchor(l, ev->start_mark, f->anchor_name, node,
				     l->nodes - f->nodes_at_start, height);
	free(f->anchor_name);
	free(f->key);
	memset(f, 0, sizeof(*f));
	l->depth--;
	if (rc < 0) {
		json_decref(node);
		return rc;
	}
	return place(l, node, height);
}

static int on_alias(loader *l, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	anchor *a;
	int rc;

	if (!(l->flags & BW_YAML_ALLOW_ALIASES))
		return fail_at(l, ev->start_mark, "alias *%.*s: anchors and aliases are not allowed",
			       QUOTE_MAX, name);
	if (expecting_key(l))
		return fail_at(l, ev->start_mark, "alias *%.*s as a mapping key is not supported",
			       QUOTE_MAX, name);
	a = bw_strmap_get(&l->anchor_map, name);
	if (!a)
		return fail_at(l, ev->start_mark,
			       "alias *%.*s names no complete node defined before it in this document",
			       QUOTE_MAX, name);
	if (a->height > BW_MAX_JSON_DEPTH - l->depth)
		return fail_at(l, ev->start_mark, "alias *%.*s expands to nesting deeper than %d levels",
			       QUOTE_MAX, name, BW_MAX_JSON_DEPTH);
	if ((rc = count_nodes(l, ev->start_mark, a->nodes)) < 0)
		return rc;
	if ((rc = record_item(l, ev->start_mark)) < 0)
		return rc;
	/* Shared, not copied: a copy would let a few hundred bytes of aliases
	 * allocate BW_MAX_YAML_NODES values (80 MB, and seconds under ASan). The
	 * anchored node is complete, so nothing here changes it again. */
	return place(l, json_incref(a->node), a->height);
}

static int on_document_start(loader *l, const yaml_event_t *ev)
{
	if (l->documents >= 1 && !l->multi)
		return fail_at(l, ev->start_mark,
			       "a second document in a stream that must hold only one");
	if (l->documents >= BW_MAX_YAML_DOCUMENTS)
		return fail_at(l, ev->start_mark, "more than %d documents (the limit)",
			       BW_MAX_YAML_DOCUMENTS);
	l->documents++;
	return 0;
}

static int on_document_end(loader *l)
{
	drop_anchors(l); /* anchors are per document */
	if (!l->multi)
		return 0;
	/* libyaml always yields a root node (an empty scalar for an empty document) */
	if (!l->doc)
		l->doc = json_null();
	if (json_array_append_new(l->docs, l->doc) != 0) {
		l->doc = NULL;
		return out_of_memory(l);
	}
	l->doc = NULL;
	return 0;
}

static int run(loader *l)
{
	yaml_event_t ev;
	bool end = false;
	int rc = 0;

	while (!end && rc == 0) {
		if (!yaml_parser_parse(&l->parser, &ev))
			return parser_error(l);
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			rc = on_document_start(l, &ev);
			break;
		case YAML_DOCUMENT_END_EVENT:
			rc = on_document_end(l);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_container_start(l, &ev, false);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_container_start(l, &ev, true);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = on_container_end(l, &ev);
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(l, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(l, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		default: /* STREAM_START, NO_EVENT */
			break;
		}
		yaml_event_delete(&ev);
	}
	return rc;
}

static int load(const char *what, const void *data, size_t len, size_t max_len, unsigned flags,
		bool multi, json_t **out, bw_yaml_lines **lines)
{
	loader l;
	const unsigned char *nul;
	int rc;

	*out = NULL;
	if (lines)
		*lines = NULL;
	if (flags & ~KNOWN_FLAGS)
		return bw_error_set(BW_EINTERNAL, "%s: unknown YAML parser flags %#x", what,
				    flags & ~KNOWN_FLAGS);
	if (len > max_len)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than the limit of %zu", what,
				    len, max_len);
	memset(&l, 0, sizeof(l));
	l.what = what;
	l.flags = flags;
	l.multi = multi;
	/* libyaml asserts on a NULL input even when it is empty */
	l.text = len ? data : (const unsigned char *)"";
	l.len = len;
	if ((nul = memchr(l.text, '\0', len)))
		return fail_at(&l, mark_of_offset(l.text, len, (size_t)(nul - l.text)), "NUL byte");

	if (lines && !(l.lines = calloc(1, sizeof(*l.lines))))
		return bw_error_set(BW_EINTERNAL, "%s: out of memory for the YAML line table", what);
	if (!yaml_parser_initialize(&l.parser)) {
		bw_yaml_lines_free(l.lines);
		return bw_error_set(BW_EINTERNAL, "%s: out of memory for the YAML parser", what);
	}
	yaml_parser_set_input_string(&l.parser, l.text, len);
	/* UTF-8 only: no guessing UTF-16 from a byte order mark */
	yaml_parser_set_encoding(&l.parser, YAML_UTF8_ENCODING);
	if (multi && !(l.docs = json_array())) {
		rc = out_of_memory(&l);
		goto done;
	}

	if ((rc = run(&l)) < 0)
		goto done;
	if (multi) {
		*out = l.docs;
		l.docs = NULL;
	} else {
		/* an empty stream has no document: null, as PyYAML's yaml.load('') */
		*out = l.doc ? l.doc : json_null();
		l.doc = NULL;
	}
	if (lines) {
		*lines = l.lines;
		l.lines = NULL;
	}
	rc = 0;
done:
	while (l.depth) {
		frame *f = &l.stack[--l.depth];
		json_decref(f->node);
		free(f->key);
		free(f->anchor_name);
	}
	drop_anchors(&l);
	json_decref(l.doc);
	json_decref(l.docs);
	bw_yaml_lines_free(l.lines);
	yaml_parser_delete(&l.parser);
	return rc;
}

int bw_yaml_parse(const char *what, const void *data, size_t len, size_t max_len,
		  unsigned flags, json_t **out)
{
	return load(what, data, len, max_len, flags, false, out, NULL);
}

int bw_yaml_parse_all(const char *what, const void *data, size_t len, size_t max_len,
		      unsigned flags, json_t **out_array)
{
	return load(what, data, len, max_len, flags, true, out_array, NULL);
}

int bw_yaml_parse_lines(const char *what, const void *data, size_t len, size_t max_len,
			unsigned flags, json_t **out, bw_yaml_lines **lines)
{
	return load(what, data, len, max_len, flags, false, out, lines);
}
