/*
 * pin/find.c: the image references of deployment files (bulwark/pin.h):
 * Kubernetes and compose YAML through util/yaml_scan.h, Dockerfiles with a
 * small tokenizer of their own (instructions, line continuations, the escape
 * directive, heredocs), and the reference check every one of them passes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulwark/pin.h"
#include "registry/registry.h"
#include "util/limits.h"
#include "util/yaml_scan.h"

#define MAX_REF_BYTES 512    /* host 256 + name 256 is the grammar's own ceiling, then tag and digest */
#define MAX_STAGES 256

bw_pin_kind bw_pin_kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (!strncasecmp(base, "Dockerfile", 10) || !strncasecmp(base, "Containerfile", 13))
		return BW_PIN_DOCKERFILE;
	if (n > 11 && !strcasecmp(base + n - 11, ".dockerfile"))
		return BW_PIN_DOCKERFILE;
	if (n > 14 && !strcasecmp(base + n - 14, ".containerfile"))
		return BW_PIN_DOCKERFILE;
	return BW_PIN_YAML;
}

/* Characters a shell would act on: a reference holding one was made to be
 * pasted into a command line, not deployed. */
static bool shell_meta(unsigned char c)
{
	return strchr(" \t;|&$<>()`'\"\\*?!{}[]~#=%^,", c) != NULL;
}

int bw_pin_check_reference(const char *what, size_t line, const char *ref)
{
	size_t n = strnlen(ref, MAX_REF_BYTES + 1);
	bw_reg_ref parsed;

	if (n == 0)
		return bw_error_set(BW_EINPUT, "%s:%zu: empty image reference", what, line);
	if (n > MAX_REF_BYTES)
		return bw_error_set(BW_EINPUT, "%s:%zu: image reference \"%.60s...\" is longer than %d bytes", what,
				    line, ref, MAX_REF_BYTES);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)ref[i];
		if (c < 0x20 || c >= 0x7f || shell_meta(c)) {
			/* quote only the printable prefix, then name the byte escaped */
			char shown[8];
			if (c < 0x20 || c >= 0x7f)
				snprintf(shown, sizeof(shown), "\\x%02x", c);
			else
				snprintf(shown, sizeof(shown), "%c", c);
			return bw_error_set(BW_EINPUT,
					    "%s:%zu: image reference \"%.*s...\": %s '%s' at byte %zu is not allowed in a reference",
					    what, line, (int)i, ref,
					    (c < 0x20 || c >= 0x7f) ? "control or non-ASCII byte" : "shell metacharacter",
					    shown, i + 1);
		}
	}
	if (bw_reg_ref_parse(ref, &parsed) < 0)
		return bw_error_set(BW_EINPUT, "%s:%zu: %s", what, line, bw_error_last()->message);
	return 0;
}

static bool name_char(unsigned char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/*
 * True when ref is a template: "$NAME" / "${NAME}" / "${NAME:-default}" (Dockerfile ARG,
 * compose and envsubst interpolation) and otherwise only characters a reference may hold.
 * Such a reference is decided elsewhere and cannot be pinned here. Command substitution
 * "$(...)" and anything else is not a template: the reference check refuses it.
 */
bool bw_pin_is_template(const char *ref)
{
	bool any = false;
	for (size_t i = 0; ref[i];) {
		unsigned char c = (unsigned char)ref[i];
		if (c != '$') {
			if (c < 0x20 || c >= 0x7f || shell_meta(c))
				return false;
			i++;
			continue;
		}
		any = true;
		i++;
		if (ref[i] == '{') {
			size_t k = i + 1;
			if (!name_char((unsigned char)ref[k], true))
				return false;
			while (name_char((unsigned char)ref[k], false))
				k++;
			/* a default or error text: ":-x", "-x", ":?x", "?x", ":+x", "+x" */
			if (ref[k] == ':')
				k++;
			if (ref[k] == '-' || ref[k] == '?' || ref[k] == '+') {
				k++;
				while (ref[k] && ref[k] != '}' && k - i < 256) {
					unsigned char d = (unsigned char)ref[k];
					if (d < 0x20 || d >= 0x7f || (shell_meta(d) && d != ' '))
						return false;
					k++;
				}
			}
			if (ref[k] != '}')
				return false;
			i = k + 1;
		} else if (name_char((unsigned char)ref[i], true)) {
			while (name_char((unsigned char)ref[i], false))
				i++;
		} else {
			return false;
		}
	}
	return any;
}

static bool has_digest(const char *ref)
{
	return strchr(ref, '@') != NULL;
}

/* ------------------------------------------------------------------ YAML */

typedef struct yaml_ctx {
	const char *what;
	const char *text;
	int (*fn)(const bw_pin_ref *ref, void *ctx);
	void *ctx;
} yaml_ctx;

static const char *container_list(const char *key)
{
	static const char *const lists[] = { "containers", "initContainers", "ephemeralContainers" };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (key && !strcmp(key, lists[i]))
			return lists[i];
	return NULL;
}

/* Which rule makes this scalar an image reference, or NULL. */
static const char *image_rule(const bw_yaml_scalar *s)
{
	const bw_yaml_seg *p = s->path;
	size_t d = s->depth;

	if (d < 3 || !p[d - 1].key || strcmp(p[d - 1].key, "image") != 0)
		return NULL;
	/* ...: containers: - image: X */
	if (!p[d - 2].key) {
		const char *list = container_list(p[d - 3].key);
		if (list)
			return list;
	}
	/* compose: services: NAME: image: X */
	if (d == 3 && p[0].key && !strcmp(p[0].key, "services") && p[1].key)
		return "services";
	return NULL;
}

static int yaml_scalar(const bw_yaml_scalar *s, void *arg)
{
	yaml_ctx *y = arg;
	const char *where = image_rule(s);
	bw_pin_ref r;
	int rc;

	if (!where)
		return 0;
	memset(&r, 0, sizeof(r));
	if (bw_pin_is_template(s->value)) {
		r.reference = s->value;
		r.line = s->line;
		r.where = where;
		r.start = s->start;
		r.end = s->end;
		r.variable = true;
		return y->fn(&r, y->ctx);
	}
	if ((rc = bw_pin_check_reference(y->what, s->line, s->value)) < 0)
		return rc;
	r.reference = s->value;
	r.line = s->line;
	r.where = where;
	r.pinned = has_digest(s->value);
	r.start = s->start;
	r.end = s->end;
	if (s->style == BW_YAML_SINGLE_QUOTED || s->style == BW_YAML_DOUBLE_QUOTED) {
		if (r.end - r.start >= 2) {
			r.start++;
			r.end--;
		}
	}
	/* rewritable in place only when the bytes are exactly the value */
	r.in_place = (s->style == BW_YAML_PLAIN || s->style == BW_YAML_SINGLE_QUOTED ||
		      s->style == BW_YAML_DOUBLE_QUOTED) &&
		     r.end - r.start == s->value_len && !memcmp(y->text + r.start, s->value, s->value_len);
	return y->fn(&r, y->ctx);
}

/* ------------------------------------------------------------------ Dockerfile */

typedef struct token {
	size_t start, end;
} token;

#define MAX_TOKENS 64 /* of one instruction that we look at: FROM and COPY need a few */

typedef struct docker_ctx {
	const char *what;
	const char *text;
	size_t len;
	char escape;
	char *stages[MAX_STAGES];
	size_t n_stages;
	int (*fn)(const bw_pin_ref *ref, void *ctx);
	void *ctx;
} docker_ctx;

static bool is_stage(docker_ctx *d, const char *name, size_t n)
{
	for (size_t i = 0; i < d->n_stages; i++)
		if (strlen(d->stages[i]) == n && !strncasecmp(d->stages[i], name, n))
			return true;
	return false;
}

static bool tok_is(docker_ctx *d, const token *t, const char *word)
{
	size_t n = strlen(word);
	return t->end - t->start == n && !strncasecmp(d->text + t->start, word, n);
}

static int report(docker_ctx *d, size_t start, size_t end, size_t line, const char *where)
{
	char ref[MAX_REF_BYTES + 2];
	size_t n = end - start;
	bw_pin_ref r;
	int rc;

	if (n > MAX_REF_BYTES)
		n = MAX_REF_BYTES + 1; /* the check names it as too long */
	memcpy(ref, d->text + start, n);
	ref[n] = '\0';
	memset(&r, 0, sizeof(r));
	r.reference = ref;
	r.start = start;
	r.end = end;
	r.line = line;
	r.where = where;
	r.in_place = true;
	if (bw_pin_is_template(ref)) {
		/* FROM ${BASE}: a build argument decides; nothing to check or pin */
		r.variable = true;
		r.in_place = false;
		return d->fn(&r, d->ctx);
	}
	if ((rc = bw_pin_check_reference(d->what, line, ref)) < 0)
		return rc;
	r.pinned = has_digest(ref);
	return d->fn(&r, d->ctx);
}

static int instruction(docker_ctx *d, const token *t, size_t n, const size_t *lines)
{
	size_t i = 1;

	if (n == 0)
		return 0;
	if (tok_is(d, &t[0], "FROM")) {
		while (i < n && d->text[t[i].start] == '-' && t[i].end - t[i].start > 1 && d->text[t[i].start + 1] == '-')
			i++;
		if (i >= n)
			return 0;
		size_t img = i;
		/* only earlier stages count: "FROM x AS x" names the image x */
		bool skip = tok_is(d, &t[img], "scratch") ||
			    is_stage(d, d->text + t[img].start, t[img].end - t[img].start);
		/* FROM IMAGE AS NAME: remember NAME for later FROM and COPY --from */
		if (img + 2 < n && tok_is(d, &t[img + 1], "AS") && d->n_stages < MAX_STAGES) {
			d->stages[d->n_stages] = strndup(d->text + t[img + 2].start, t[img + 2].end - t[img + 2].start);
			if (!d->stages[d->n_stages])
				return bw_error_set(BW_EINTERNAL, "%s: out of memory", d->what);
			d->n_stages++;
		}
		if (skip)
			return 0;
		return report(d, t[img].start, t[img].end, lines[img], "FROM");
	}
	if (tok_is(d, &t[0], "COPY")) {
		for (i = 1; i < n; i++) {
			const char *s = d->text + t[i].start;
			size_t len = t[i].end - t[i].start;
			if (len < 2 || s[0] != '-' || s[1] != '-')
				break; /* flags come first */
			if (len > 7 && !strncasecmp(s, "--from=", 7)) {
				const char *v = s + 7;
				size_t vn = len - 7, k;
				for (k = 0; k < vn && isdigit((unsigned char)v[k]); k++)
					;
				if (k == vn || is_stage(d, v, vn))
					return 0;
				return report(d, t[i].start + 7, t[i].end, lines[i], "COPY --from");
			}
		}
	}
	return 0;
}

/* "<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\"": the delimiter of a heredoc, or 0 length. */
static size_t heredoc_word(const char *s, size_t n, const char **word, bool *strip_tabs)
{
	if (n < 3 || s[0] != '<' || s[1] != '<')
		return 0;
	s += 2, n -= 2;
	*strip_tabs = false;
	if (n && *s == '-') {
		*strip_tabs = true;
		s++, n--;
	}
	if (n >= 2 && (*s == '"' || *s == '\'') && s[n - 1] == *s)
		s++, n -= 2;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return 0;
	*word = s;
	return n;
}

/* The end of the line starting at pos (the '\n' or len). */
static size_t line_end(const char *text, size_t len, size_t pos)
{
	const char *nl = memchr(text + pos, '\n', len - pos);
	return nl ? (size_t)(nl - text) : len;
}

static int find_dockerfile(docker_ctx *d)
{
	token toks[MAX_TOKENS];
	size_t tok_lines[MAX_TOKENS];
	size_t n_toks = 0, line = 0, pos = 0;
	bool continuing = false, directives = true;
	int rc = 0;

	d->escape = '\\';
	while (pos < d->len && rc == 0) {
		size_t end = line_end(d->text, d->len, pos), p = pos;
		const char *t = d->text;
		line++;
		while (p < end && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r'))
			p++;
		if (p == end || t[p] == '#') {
			/* parser directives: "# escape=`" before anything else */
			if (directives && p < end) {
				size_t q = p + 1;
				while (q < end && (t[q] == ' ' || t[q] == '\t'))
					q++;
				if (end - q >= 8 && !strncasecmp(t + q, "escape", 6)) {
					q += 6;
					while (q < end && (t[q] == ' ' || t[q] == '\t'))
						q++;
					if (q < end && t[q] == '=') {
						q++;
						while (q < end && (t[q] == ' ' || t[q] == '\t'))
							q++;
						if (q < end && (t[q] == '`' || t[q] == '\\'))
							d->escape = t[q];
					}
				} else if (!(end - q >= 6 && !strncasecmp(t + q, "syntax", 6)) &&
					   !(end - q >= 5 && !strncasecmp(t + q, "check", 5))) {
					directives = false;
				}
			} else if (p == end && !continuing) {
				directives = false;
			}
			pos = end + 1;
			continue;
		}
		directives = false;
		/* the line's tokens; a trailing escape character continues the instruction */
		size_t stop = end;
		while (stop > p && (t[stop - 1] == ' ' || t[stop - 1] == '\t' || t[stop - 1] == '\r'))
			stop--;
		bool cont = stop > p && t[stop - 1] == d->escape;
		if (cont)
			stop--;
		while (p < stop) {
			while (p < stop && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r'))
				p++;
			if (p >= stop)
				break;
			size_t s = p;
			while (p < stop && t[p] != ' ' && t[p] != '\t' && t[p] != '\r')
				p++;
			if (n_toks < MAX_TOKENS) {
				toks[n_toks].start = s;
				toks[n_toks].end = p;
				tok_lines[n_toks] = line;
				n_toks++;
			}
		}
		pos = end + 1;
		continuing = cont;
		if (cont)
			continue;
		rc = instruction(d, toks, n_toks, tok_lines);
		/* heredocs: their bodies are data, not instructions */
		for (size_t i = 1; i < n_toks && rc == 0; i++) {
			const char *word;
			bool strip;
			size_t wn = heredoc_word(t + toks[i].start, toks[i].end - toks[i].start, &word, &strip);
			if (!wn)
				continue;
			while (pos < d->len) {
				size_t e = line_end(t, d->len, pos), q = pos;
				line++;
				if (strip)
					while (q < e && t[q] == '\t')
						q++;
				size_t le = e;
				if (le > q && t[le - 1] == '\r')
					le--;
				pos = e + 1;
				if (le - q == wn && !memcmp(t + q, word, wn))
					break;
			}
		}
		n_toks = 0;
	}
	if (rc == 0 && n_toks)
		rc = instruction(d, toks, n_toks, tok_lines);
	return rc;
}

int bw_pin_find(const char *what, const void *data, size_t len, bw_pin_kind kind,
		int (*fn)(const bw_pin_ref *ref, void *ctx), void *ctx)
{
	int rc;

	if (len > BW_PIN_MAX_FILE_BYTES)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than the limit of %u", what, len,
				    BW_PIN_MAX_FILE_BYTES);
	if (kind == BW_PIN_AUTO)
		kind = bw_pin_kind_of(what);
	if (kind == BW_PIN_DOCKERFILE) {
		docker_ctx d = { .what = what, .text = data, .len = len, .fn = fn, .ctx = ctx };
		if (memchr(data, '\0', len))
			return bw_error_set(BW_EINPUT, "%s: NUL byte in a Dockerfile", what);
		rc = find_dockerfile(&d);
		for (size_t i = 0; i < d.n_stages; i++)
			free(d.stages[i]);
		return rc;
	}
	yaml_ctx y = { .what = what, .text = data, .fn = fn, .ctx = ctx };
	return bw_yaml_scan_scalars(what, data, len, BW_PIN_MAX_FILE_BYTES, yaml_scalar, &y);
}
