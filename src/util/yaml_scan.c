/*
 * util/yaml_scan.c: scalar positions of a YAML stream (util/yaml_scan.h).
 *
 * libyaml's marks count characters, not bytes, and do not count a leading
 * byte-order mark; a forward-only cursor turns them into byte offsets (the
 * events arrive in text order, so the whole walk costs one pass over the text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "bulwark/errors.h"
#include "util/limits.h"
#include "util/yaml_scan.h"

typedef struct frame {
	bool mapping;
	bool want_key;   /* mapping: the next scalar is a key */
	char *key;       /* mapping: the current key (owned) */
	size_t index;    /* sequence: the next item's index */
} frame;

typedef struct scanner {
	const char *what;
	const unsigned char *text;
	size_t len;
	size_t bom;              /* bytes of a leading UTF-8 BOM */
	size_t cur_char, cur_byte; /* cursor for character -> byte offsets */
	frame stack[BW_MAX_JSON_DEPTH];
	bw_yaml_seg segs[BW_MAX_JSON_DEPTH];
	size_t depth;
	size_t nodes, documents;
} scanner;

/* The byte offset of libyaml's character index. */
static size_t byte_of(scanner *s, size_t char_index)
{
	if (char_index < s->cur_char) {
		s->cur_char = 0;
		s->cur_byte = s->bom;
	}
	while (s->cur_char < char_index && s->cur_byte < s->len) {
		s->cur_byte++;
		/* skip the continuation bytes of this character */
		while (s->cur_byte < s->len && (s->text[s->cur_byte] & 0xC0) == 0x80)
			s->cur_byte++;
		s->cur_char++;
	}
	return s->cur_byte;
}

static int fail(scanner *s, size_t line, const char *problem)
{
	return bw_error_set(BW_EINPUT, "%s: line %zu: %s", s->what, line, problem);
}

/* A value (scalar or container) completed in the current container. */
static void advance(scanner *s)
{
	if (!s->depth)
		return;
	frame *f = &s->stack[s->depth - 1];
	if (f->mapping) {
		free(f->key);
		f->key = NULL;
		f->want_key = true;
	} else {
		f->index++;
	}
}

static void fill_path(scanner *s)
{
	for (size_t i = 0; i < s->depth; i++) {
		s->segs[i].key = s->stack[i].mapping ? s->stack[i].key : NULL;
		s->segs[i].index = s->stack[i].index;
	}
}

static void clear_stack(scanner *s)
{
	while (s->depth) {
		free(s->stack[s->depth - 1].key);
		s->depth--;
	}
}

static bw_yaml_style style_of(yaml_scalar_style_t st)
{
	switch (st) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: return BW_YAML_SINGLE_QUOTED;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return BW_YAML_DOUBLE_QUOTED;
	case YAML_LITERAL_SCALAR_STYLE: return BW_YAML_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE: return BW_YAML_FOLDED;
	default: return BW_YAML_PLAIN;
	}
}

int bw_yaml_scan_scalars(const char *what, const void *data, size_t len, size_t max_len,
			 int (*fn)(const bw_yaml_scalar *sc, void *ctx), void *ctx)
{
	scanner s = { .what = what, .text = data, .len = len };
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0;
	bool done = false;

	if (len > max_len)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than the limit of %zu", what, len, max_len);
	if (memchr(data, '\0', len))
		return bw_error_set(BW_EINPUT, "%s: NUL byte in YAML text", what);
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		s.bom = 3;
	s.cur_byte = s.bom;
	if (!yaml_parser_initialize(&parser))
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	yaml_parser_set_input_string(&parser, data, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				rc = bw_error_set(BW_EINTERNAL, "%s: out of memory while parsing YAML", what);
			else
				rc = bw_error_set(BW_EINPUT, "%s: line %zu column %zu: %s", what,
						  parser.problem_mark.line + 1, parser.problem_mark.column + 1,
						  parser.problem ? parser.problem : "invalid YAML");
			break;
		}
		size_t line = ev.start_mark.line + 1;
		const yaml_char_t *anchor = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++s.documents > BW_MAX_YAML_DOCUMENTS)
				rc = fail(&s, line, "too many documents");
			break;
		case YAML_ALIAS_EVENT:
			rc = fail(&s, line, "aliases are not accepted (a YAML bomb cannot be told from a real file)");
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			anchor = ev.type == YAML_SCALAR_EVENT ? ev.data.scalar.anchor
				 : ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
									: ev.data.mapping_start.anchor;
			if (anchor) {
				rc = fail(&s, line, "anchors are not accepted (a YAML bomb cannot be told from a real file)");
				break;
			}
			if (++s.nodes > BW_MAX_YAML_NODES) {
				rc = fail(&s, line, "too many nodes");
				break;
			}
			frame *top = s.depth ? &s.stack[s.depth - 1] : NULL;
			if (ev.type != YAML_SCALAR_EVENT) {
				if (top && top->mapping && top->want_key) {
					rc = fail(&s, line, "a mapping key that is not a scalar");
					break;
				}
				if (s.depth >= BW_MAX_JSON_DEPTH) {
					rc = fail(&s, line, "nested too deep");
					break;
				}
				frame *f = &s.stack[s.depth++];
				memset(f, 0, sizeof(*f));
				f->mapping = ev.type == YAML_MAPPING_START_EVENT;
				f->want_key = f->mapping;
				break;
			}
			if (top && top->mapping && top->want_key) {
				size_t n = ev.data.scalar.length;
				if (n > BW_MAX_YAML_KEY_BYTES) {
					rc = fail(&s, line, "a mapping key longer than the limit");
					break;
				}
				if (memchr(ev.data.scalar.value, '\0', n)) {
					rc = fail(&s, line, "NUL byte in a key");
					break;
				}
				top->key = strndup((const char *)ev.data.scalar.value, n);
				if (!top->key) {
					rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
					break;
				}
				top->want_key = false;
				break;
			}
			fill_path(&s);
			bw_yaml_scalar sc = {
				.document = s.documents ? s.documents - 1 : 0,
				.path = s.segs,
				.depth = s.depth,
				.value = (const char *)ev.data.scalar.value,
				.value_len = ev.data.scalar.length,
				.line = line,
				.style = style_of(ev.data.scalar.style),
			};
			sc.start = byte_of(&s, ev.start_mark.index);
			sc.end = byte_of(&s, ev.end_mark.index);
			if (sc.end < sc.start)
				sc.end = sc.start;
			if (memchr(sc.value, '\0', sc.value_len)) {
				rc = fail(&s, line, "NUL byte in a scalar");
				break;
			}
			rc = fn(&sc, ctx);
			advance(&s);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (s.depth) {
				free(s.stack[s.depth - 1].key);
				s.depth--;
			}
			advance(&s);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	clear_stack(&s);
	yaml_parser_delete(&parser);
	return rc;
}
