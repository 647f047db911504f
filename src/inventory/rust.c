/*
 * inventory/rust.c: Rust crates, from two places:
 *   - Cargo.lock: the [[package]] tables (a small TOML subset reader: tables,
 *     key = value with basic, literal and multi-line strings, arrays skipped);
 *   - binaries built with cargo-auditable: a `.dep-v0` section holding
 *     zlib-compressed JSON {"packages": [{"name", "version", "source", ...}]}.
 *
 * Binaries are streamed (chunk()), like the Go analyzer, and the section is
 * found WITHOUT the section header table: that table is at the end of the
 * file, after the section, so using it would mean buffering the binary. The
 * payload identifies itself instead: at each zlib header (0x78 with a valid
 * check byte) a trial inflater is started; it is dropped unless its first
 * bytes inflate to `{"packages":` within 4 KiB of input. The first stream that
 * does is inflated to its end (bounded), its Adler-32 checked by zlib. This
 * finds the section wherever the linker or objcopy put it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bulwark/errors.h"
#include "bulwark/image.h"
#include "image/analyzer.h"
#include "inventory/package.h"
#include "inventory/rust.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"

#define MAX_TRIALS     8     /* candidate zlib streams tried at once */
#define TRIAL_INPUT    4096  /* input a candidate may take before proving itself */

static const char audit_prefix[] = "{\"packages\":";

void bw_cargo_free(bw_cargo_pkg *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].version);
		free(v[i].source);
		for (size_t k = 0; k < v[i].n_deps; k++)
			free(v[i].deps[k]);
		free(v[i].deps);
	}
	free(v);
}

static int push(const char *what, bw_cargo_pkg **v, size_t *n, size_t *cap, const char *name,
		const char *version, const char *source)
{
	if (*n >= BW_CARGO_MAX_PKGS)
		return bw_error_set(BW_EINPUT, "%s: more than %d packages", what, BW_CARGO_MAX_PKGS);
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		bw_cargo_pkg *nv = realloc(*v, c * sizeof(*nv));
		if (!nv)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		*v = nv;
		*cap = c;
	}
	bw_cargo_pkg *p = &(*v)[(*n)++];
	memset(p, 0, sizeof(*p));
	p->name = strdup(name);
	p->version = strdup(version);
	p->source = source ? strdup(source) : NULL;
	if (!p->name || !p->version || (source && !p->source))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

/* ------------------------------------------------------------ Cargo.lock */

typedef struct toml_rd {
	const char *p, *end, *what;
	size_t line;
} toml_rd;

static void skip_blank(toml_rd *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Skips blanks, comments and newlines (between values of an array). */
static void skip_ws_nl(toml_rd *t)
{
	while (t->p < t->end) {
		char c = *t->p;
		if (c == ' ' || c == '\t' || c == '\r')
			t->p++;
		else if (c == '\n') {
			t->p++;
			t->line++;
		} else if (c == '#') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		} else
			break;
	}
}

static bool starts(const toml_rd *t, const char *s)
{
	size_t l = strlen(s);
	return (size_t)(t->end - t->p) >= l && !memcmp(t->p, s, l);
}

/* A string value (any of the four TOML kinds) into out (NUL-terminated). */
static int read_string(toml_rd *t, bw_buf *out)
{
	bw_buf_reset(out);
	char q = *t->p;
	bool multi = starts(t, q == '"' ? "\"\"\"" : "'''");
	t->p += multi ? 3 : 1;
	if (multi && t->p < t->end && *t->p == '\n') { /* a newline right after the opening is trimmed */
		t->p++;
		t->line++;
	}
	for (;;) {
		if (t->p >= t->end)
			return bw_error_set(BW_EINPUT, "%s: line %zu: unterminated string", t->what, t->line);
		char c = *t->p;
		if (multi ? starts(t, q == '"' ? "\"\"\"" : "'''") : c == q) {
			t->p += multi ? 3 : 1;
			break;
		}
		if (c == '\n') {
			if (!multi)
				return bw_error_set(BW_EINPUT, "%s: line %zu: newline in a string", t->what, t->line);
			t->line++;
		}
		if (c == '\\' && q == '"' && t->p + 1 < t->end) {
			char e = t->p[1];
			const char *m = strchr("btnfr\"\\", e);
			if (e && m) {
				static const char rep[] = "\b\t\n\f\r\"\\";
				c = rep[m - "btnfr\"\\"];
				t->p += 2;
				if (bw_buf_append(out, &c, 1) != 0)
					goto big;
				continue;
			}
			/* \uXXXX and others are kept as written: crate names and versions are ASCII */
		}
		if (c == '\0')
			return bw_error_set(BW_EINPUT, "%s: line %zu: NUL byte", t->what, t->line);
		if (bw_buf_append(out, &c, 1) != 0)
			goto big;
		t->p++;
	}
	if (bw_buf_append(out, "", 0) != 0)
		goto big;
	return 0;
big:
	return bw_error_set(BW_EINPUT, "%s: line %zu: string too long", t->what, t->line);
}

/* Skips any value: strings, arrays and inline tables (nested, bounded), or a bare word. */
static int skip_value(toml_rd *t, bw_buf *scratch, int depth)
{
	if (depth > BW_MAX_JSON_DEPTH)
		return bw_error_set(BW_EINPUT, "%s: line %zu: values nested too deep", t->what, t->line);
	if (t->p >= t->end)
		return bw_error_set(BW_EINPUT, "%s: line %zu: missing value", t->what, t->line);
	char c = *t->p;
	if (c == '"' || c == '\'')
		return read_string(t, scratch);
	if (c == '[' || c == '{') {
		char close = c == '[' ? ']' : '}';
		t->p++;
		for (;;) {
			skip_ws_nl(t);
			if (t->p >= t->end)
				return bw_error_set(BW_EINPUT, "%s: line %zu: unterminated %s", t->what, t->line,
						    close == ']' ? "array" : "inline table");
			if (*t->p == close) {
				t->p++;
				return 0;
			}
			if (*t->p == ',' || *t->p == '=') {
				t->p++;
				continue;
			}
			const char *before = t->p;
			int rc = skip_value(t, scratch, depth + 1);
			if (rc < 0)
				return rc;
			if (t->p == before)
				t->p++;
		}
	}
	while (t->p < t->end && !strchr(" \t\r\n#,]}=", *t->p))
		t->p++;
	return 0;
}

#define MAX_DEPS 4096 /* dependencies of one crate */

/* A TOML array of strings (Cargo.lock "dependencies") into *out. */
static int read_string_array(toml_rd *t, bw_buf *scratch, char ***out, size_t *n)
{
	if (t->p >= t->end || *t->p != '[')
		return bw_error_set(BW_EINPUT, "%s: line %zu: dependencies is not an array", t->what, t->line);
	t->p++;
	for (;;) {
		skip_ws_nl(t);
		if (t->p < t->end && *t->p == ']') {
			t->p++;
			return 0;
		}
		if (t->p >= t->end || (*t->p != '"' && *t->p != '\''))
			return bw_error_set(BW_EINPUT, "%s: line %zu: expected a string in dependencies", t->what, t->line);
		int rc = read_string(t, scratch);
		if (rc < 0)
			return rc;
		if (*n >= MAX_DEPS)
			return bw_error_set(BW_EINPUT, "%s: line %zu: more than %d dependencies", t->what, t->line, MAX_DEPS);
		char **nv = realloc(*out, (*n + 1) * sizeof(*nv));
		if (!nv)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		*out = nv;
		if (!((*out)[*n] = strdup((const char *)scratch->data)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		(*n)++;
		skip_ws_nl(t);
		if (t->p < t->end && *t->p == ',')
			t->p++;
	}
}

/*
 * Cargo.lock writes a dependency as "name", "name version" or
 * "name version (source)": the bare name is the only crate of that name in
 * the file. Rewrites each to "name@version"; ones that match nothing are dropped.
 */
static int resolve_deps(bw_cargo_pkg *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t kept = 0;
		for (size_t k = 0; k < v[i].n_deps; k++) {
			char *d = v[i].deps[k], *sp = strchr(d, ' ');
			const char *ver = NULL;
			if (sp) {
				*sp = '\0';
				ver = sp + 1;
				char *sp2 = strchr(sp + 1, ' ');
				if (sp2)
					*sp2 = '\0';
			} else {
				for (size_t j = 0; j < n; j++)
					if (!strcmp(v[j].name, d))
						ver = ver ? NULL : v[j].version; /* ambiguous: several versions */
			}
			char *r = NULL;
			if (ver) {
				size_t len = strlen(d) + strlen(ver) + 2;
				if (!(r = malloc(len)))
					return bw_error_set(BW_EINTERNAL, "out of memory");
				snprintf(r, len, "%s@%s", d, ver);
			}
			free(d);
			if (r)
				v[i].deps[kept++] = r;
		}
		v[i].n_deps = kept;
	}
	return 0;
}

int bw_cargo_lock_parse(const char *what, const char *text, size_t len, bw_cargo_pkg **out, size_t *n_out)
{
	toml_rd t = { text, text + len, what, 1 };
	bw_buf key = BW_BUF_INIT(4096), val = BW_BUF_INIT(1024 * 1024);
	char *name = NULL, *version = NULL, *source = NULL, **deps = NULL;
	bool in_pkg = false;
	size_t pkg_line = 0, n = 0, cap = 0, n_deps = 0;
	bw_cargo_pkg *v = NULL;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (len > BW_CARGO_MAX_LOCK)
		return bw_error_set(BW_EINPUT, "%s: larger than %d bytes", what, BW_CARGO_MAX_LOCK);
	for (;;) {
		skip_ws_nl(&t);
		bool eof = t.p >= t.end;
		bool table = !eof && *t.p == '[';
		if ((eof || table) && in_pkg) {
			if (!name || !version) {
				rc = bw_error_set(BW_EINPUT, "%s: the [[package]] at line %zu has no %s", what, pkg_line,
						  name ? "version" : "name");
				break;
			}
			if ((rc = push(what, &v, &n, &cap, name, version, source)) < 0)
				break;
			v[n - 1].deps = deps;
			v[n - 1].n_deps = n_deps;
			deps = NULL;
			n_deps = 0;
			free(name);
			free(version);
			free(source);
			name = version = source = NULL;
			in_pkg = false;
		}
		if (eof)
			break;
		if (table) {
			const char *ls = t.p;
			while (t.p < t.end && *t.p != '\n')
				t.p++;
			const char *le = t.p;
			while (le > ls && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
				le--;
			const char *hash = memchr(ls, '#', (size_t)(le - ls));
			if (hash) /* a comment after the header */
				for (le = hash; le > ls && (le[-1] == ' ' || le[-1] == '\t');)
					le--;
			in_pkg = (size_t)(le - ls) == 11 && !memcmp(ls, "[[package]]", 11);
			pkg_line = t.line;
			continue;
		}
		/* key = value */
		if (*t.p == '"' || *t.p == '\'') {
			if ((rc = read_string(&t, &key)) < 0)
				break;
		} else {
			const char *ks = t.p;
			while (t.p < t.end && (strchr("-_.", *t.p) || (*t.p >= 'a' && *t.p <= 'z') ||
					       (*t.p >= 'A' && *t.p <= 'Z') || (*t.p >= '0' && *t.p <= '9')))
				t.p++;
			bw_buf_reset(&key);
			if (t.p == ks || bw_buf_append(&key, ks, (size_t)(t.p - ks)) != 0) {
				rc = bw_error_set(BW_EINPUT, "%s: line %zu: expected a key", what, t.line);
				break;
			}
		}
		skip_blank(&t);
		if (t.p >= t.end || *t.p != '=') {
			rc = bw_error_set(BW_EINPUT, "%s: line %zu: expected '=' after a key", what, t.line);
			break;
		}
		t.p++;
		skip_blank(&t);
		const char *k = (const char *)key.data;
		char **dst = !in_pkg ? NULL : !strcmp(k, "name") ? &name : !strcmp(k, "version") ? &version
					     : !strcmp(k, "source")   ? &source : NULL;
		if (in_pkg && !strcmp(k, "dependencies")) {
			if ((rc = read_string_array(&t, &val, &deps, &n_deps)) < 0)
				break;
		} else if (dst && t.p < t.end && (*t.p == '"' || *t.p == '\'')) {
			if ((rc = read_string(&t, &val)) < 0)
				break;
			free(*dst);
			if (!(*dst = strdup((const char *)val.data))) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				break;
			}
		} else if ((rc = skip_value(&t, &val, 0)) < 0) {
			break;
		}
		skip_blank(&t);
		if (t.p < t.end && *t.p == '#')
			while (t.p < t.end && *t.p != '\n')
				t.p++;
		if (t.p < t.end && *t.p != '\n' && *t.p != '\r') {
			rc = bw_error_set(BW_EINPUT, "%s: line %zu: unexpected text after a value", what, t.line);
			break;
		}
	}
	free(name);
	free(version);
	free(source);
	for (size_t k = 0; k < n_deps; k++)
		free(deps[k]);
	free(deps);
	bw_buf_free(&key);
	bw_buf_free(&val);
	if (rc == 0)
		rc = resolve_deps(v, n);
	if (rc < 0) {
		bw_cargo_free(v, n);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* ------------------------------------------------------------ cargo-auditable */

int bw_cargo_audit_parse(const char *what, const char *json, size_t len, bw_cargo_pkg **out, size_t *n_out)
{
	json_t *root = NULL, *pkgs = NULL;
	bw_cargo_pkg *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((rc = bw_json_parse(what, json, len, BW_CARGO_MAX_AUDIT, &root)) < 0)
		return rc;
	if (!json_is_object(root) || (rc = bw_json_opt_array(what, root, "packages", &pkgs)) < 0 || !pkgs) {
		rc = rc < 0 ? rc : bw_error_set(BW_EINPUT, "%s: cargo-auditable data without a packages array", what);
		goto done;
	}
	for (size_t i = 0; i < json_array_size(pkgs); i++) {
		json_t *p = json_array_get(pkgs, i);
		const char *name, *version, *source;
		if (!json_is_object(p)) {
			rc = bw_error_set(BW_EINPUT, "%s: packages[%zu] is not an object", what, i);
			goto done;
		}
		if ((rc = bw_json_string(what, p, "name", &name)) < 0 ||
		    (rc = bw_json_string(what, p, "version", &version)) < 0 ||
		    (rc = bw_json_opt_string(what, p, "source", &source)) < 0 ||
		    (rc = push(what, &v, &n, &cap, name, version, source)) < 0)
			goto done;
	}
	*out = v;
	*n_out = n;
	v = NULL;
	n = 0;
	rc = 0;
done:
	bw_cargo_free(v, n);
	json_decref(root);
	return rc;
}

typedef struct trial {
	z_stream z;
	bool live;
	size_t in_used;
	uint8_t head[sizeof(audit_prefix) - 1];
	size_t head_len;
} trial;

struct bw_cargo_scanner {
	trial trials[MAX_TRIALS];
	bool found;          /* a stream proved itself: the rest goes to it */
	z_stream z;          /* that stream */
	bw_buf out;          /* its inflated bytes */
	bool done;           /* reached its end */
	int err;             /* BW_EINPUT once it failed (message kept in errmsg) */
	char errmsg[256];
	bool have_prev;
	uint8_t prev;        /* last byte of the previous piece (a header may straddle pieces) */
};

bw_cargo_scanner *bw_cargo_scanner_new(void)
{
	bw_cargo_scanner *s = calloc(1, sizeof(*s));
	if (s)
		s->out.max = BW_CARGO_MAX_AUDIT;
	return s;
}

void bw_cargo_scanner_free(bw_cargo_scanner *s)
{
	if (!s)
		return;
	for (int i = 0; i < MAX_TRIALS; i++)
		if (s->trials[i].live)
			inflateEnd(&s->trials[i].z);
	if (s->found)
		inflateEnd(&s->z);
	bw_buf_free(&s->out);
	free(s);
}

static void trial_end(trial *t)
{
	inflateEnd(&t->z);
	t->live = false;
}

/* Feeds the proven stream; stops at its end, on error, or at the size bound. */
static int main_feed(bw_cargo_scanner *s, const uint8_t *data, size_t len)
{
	uint8_t block[16384];
	s->z.next_in = (Bytef *)data;
	s->z.avail_in = (uInt)len;
	while (!s->done && !s->err && s->z.avail_in) {
		s->z.next_out = block;
		s->z.avail_out = sizeof(block);
		int zr = inflate(&s->z, Z_NO_FLUSH);
		size_t got = sizeof(block) - s->z.avail_out;
		int ar = got ? bw_buf_append(&s->out, block, got) : 0;
		if (ar == -2)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		if (ar == -1) {
			s->err = BW_EINPUT;
			snprintf(s->errmsg, sizeof(s->errmsg), "cargo-auditable data inflates past %d bytes",
				 BW_CARGO_MAX_AUDIT);
		} else if (zr == Z_STREAM_END) {
			s->done = true;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			s->err = BW_EINPUT;
			snprintf(s->errmsg, sizeof(s->errmsg), "cargo-auditable data: corrupt zlib stream");
		} else if (zr == Z_BUF_ERROR && got == 0) {
			break;
		}
	}
	return 0;
}

/*
 * Gives a trial more input (at most up to its TRIAL_INPUT). Returns 1 when
 * it proved to be the payload (its z_stream moves to s->z), 0 otherwise.
 */
static int trial_feed(bw_cargo_scanner *s, trial *t, const uint8_t *data, size_t len, size_t *used)
{
	size_t room = TRIAL_INPUT - t->in_used;
	*used = 0;
	if (!len)
		return 0;
	t->z.next_in = (Bytef *)data;
	t->z.avail_in = (uInt)(len < room ? len : room);
	t->z.next_out = t->head + t->head_len;
	t->z.avail_out = (uInt)(sizeof(t->head) - t->head_len);
	int zr = inflate(&t->z, Z_NO_FLUSH);
	size_t consumed = (size_t)(t->z.next_in - data);
	*used = consumed;
	t->in_used += consumed;
	t->head_len = sizeof(t->head) - t->z.avail_out;
	/* Z_BUF_ERROR: no progress possible yet, it needs more input */
	if (memcmp(t->head, audit_prefix, t->head_len) || (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) ||
	    (t->head_len < sizeof(t->head) && (zr == Z_STREAM_END || t->in_used >= TRIAL_INPUT))) {
		trial_end(t);
		return 0;
	}
	if (t->head_len < sizeof(t->head))
		return 0;
	/* proven: its state becomes the main stream (z_stream cannot be copied by assignment) */
	if (inflateCopy(&s->z, &t->z) != Z_OK) {
		trial_end(t);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	trial_end(t);
	s->found = true;
	if (bw_buf_append(&s->out, t->head, t->head_len) == -2)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (zr == Z_STREAM_END)
		s->done = true;
	return 1;
}

static bool zlib_header(uint8_t cmf, uint8_t flg)
{
	/* deflate, 32 KiB window, no preset dictionary, check bits right */
	return cmf == 0x78 && !(flg & 0x20) && ((unsigned)cmf * 256 + flg) % 31 == 0;
}

static int start_trial(bw_cargo_scanner *s, const uint8_t *hdr2, const uint8_t *rest, size_t rest_len)
{
	trial *t = NULL;
	for (int i = 0; i < MAX_TRIALS && !t; i++)
		if (!s->trials[i].live)
			t = &s->trials[i];
	if (!t)
		return 0; /* too many at once: a hostile file full of headers loses nothing real */
	memset(t, 0, sizeof(*t));
	if (inflateInit(&t->z) != Z_OK)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	t->live = true;
	size_t used;
	int rc = trial_feed(s, t, hdr2, 2, &used);
	if (rc != 0 || !t->live)
		return rc < 0 ? rc : 0;
	rc = trial_feed(s, t, rest, rest_len, &used);
	if (rc == 1)
		return main_feed(s, rest + used, rest_len - used) < 0 ? BW_EINTERNAL : 1;
	return rc;
}

int bw_cargo_scanner_feed(bw_cargo_scanner *s, const uint8_t *data, size_t len)
{
	if (!len)
		return 0;
	if (s->found)
		return main_feed(s, data, len);
	/* live trials continue with this piece */
	for (int i = 0; i < MAX_TRIALS && !s->found; i++) {
		trial *t = &s->trials[i];
		size_t used;
		if (!t->live)
			continue;
		int rc = trial_feed(s, t, data, len, &used);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return main_feed(s, data + used, len - used);
	}
	if (s->have_prev && zlib_header(s->prev, data[0])) {
		uint8_t h[2] = { s->prev, data[0] };
		int rc = start_trial(s, h, data + 1, len - 1);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	for (const uint8_t *p = data; (p = memchr(p, 0x78, (size_t)(data + len - p))) != NULL; p++) {
		if (p + 1 >= data + len)
			break;
		if (!zlib_header(p[0], p[1]))
			continue;
		int rc = start_trial(s, p, p + 2, (size_t)(data + len - p - 2));
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	s->prev = data[len - 1];
	s->have_prev = true;
	return 0;
}

int bw_cargo_scanner_finish(bw_cargo_scanner *s, const char *what, char **json, size_t *len)
{
	*json = NULL;
	*len = 0;
	if (!s->found)
		return 0;
	if (s->err)
		return bw_error_set(BW_EINPUT, "%s: %s", what, s->errmsg);
	if (!s->done)
		return bw_error_set(BW_EINPUT, "%s: cargo-auditable data: the zlib stream is cut short", what);
	*json = (char *)bw_buf_detach(&s->out, len);
	return 0;
}

/* ------------------------------------------------------------ the analyzer */

typedef struct cargo_layer {
	void *store;
	bool started, is_lock;
	bw_buf lock;               /* a Cargo.lock's bytes */
	bool lock_too_big;
	bw_cargo_scanner *scan;    /* an ELF file's scanner */
} cargo_layer;

static void reset_file(cargo_layer *l)
{
	bw_buf_free(&l->lock);
	l->lock.max = BW_CARGO_MAX_LOCK;
	l->lock_too_big = false;
	bw_cargo_scanner_free(l->scan);
	l->scan = NULL;
	l->started = false;
}

static void *cargo_layer_new(void)
{
	cargo_layer *l = calloc(1, sizeof(*l));
	if (l && !(l->store = bw_pkgstore_new())) {
		free(l);
		return NULL;
	}
	if (l)
		l->lock.max = BW_CARGO_MAX_LOCK;
	return l;
}

static void cargo_layer_free(void *state)
{
	cargo_layer *l = state;
	if (!l)
		return;
	reset_file(l);
	bw_pkgstore_free(l->store);
	free(l);
}

static bool is_lock(const bw_entry *e)
{
	return e->name && !strcmp(e->name, "Cargo.lock");
}

static bool cargo_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	if (e->type != BW_FT_FILE)
		return false;
	return is_lock(e) || (head_len >= 4 && !memcmp(head, "\x7f" "ELF", 4));
}

static int cargo_chunk(void *state, const bw_entry *e, const uint8_t *data, size_t len)
{
	cargo_layer *l = state;
	if (!l->started) {
		l->started = true;
		l->is_lock = is_lock(e);
		if (!l->is_lock && !(l->scan = bw_cargo_scanner_new()))
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (l->is_lock) {
		if (l->lock_too_big)
			return 0;
		int ar = bw_buf_append(&l->lock, data, len);
		if (ar == -2)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		if (ar == -1) {
			l->lock_too_big = true;
			bw_buf_free(&l->lock);
			l->lock.max = BW_CARGO_MAX_LOCK;
		}
		return 0;
	}
	return bw_cargo_scanner_feed(l->scan, data, len);
}

static int cargo_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	cargo_layer *l = state;
	bw_cargo_pkg *v = NULL;
	bw_pkg_new *pk = NULL;
	size_t n = 0;
	int rc = 0;

	(void)content;
	(void)len;
	(void)truncated;
	if (is_lock(e)) {
		if (l->lock_too_big)
			rc = bw_error_set(BW_EINPUT, "larger than %d bytes: not read", BW_CARGO_MAX_LOCK);
		else
			rc = bw_cargo_lock_parse("Cargo.lock", l->lock.data ? (const char *)l->lock.data : "",
						 l->lock.len, &v, &n);
	} else if (l->scan) {
		char *json = NULL;
		size_t jl = 0;
		rc = bw_cargo_scanner_finish(l->scan, ".dep-v0", &json, &jl);
		if (rc == 0 && json)
			rc = bw_cargo_audit_parse(".dep-v0", json, jl, &v, &n);
		free(json);
	}
	reset_file(l);
	if (rc < 0) {
		bw_error saved = *bw_error_last();
		if (rc != BW_EINTERNAL && bw_pkgstore_put(l->store, e->path, NULL, 0) == 0)
			bw_error_restore(&saved);
		return rc;
	}
	if (n && !(pk = calloc(n, sizeof(*pk)))) {
		bw_cargo_free(v, n);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		pk[i] = (bw_pkg_new){ .type = "cargo", .name = v[i].name, .version = v[i].version,
				      .depends = (const char *const *)v[i].deps, .n_depends = v[i].n_deps };
	rc = bw_pkgstore_put(l->store, e->path, pk, n);
	free(pk);
	bw_cargo_free(v, n);
	return rc;
}

static int cargo_finish(bw_image *img, void *const *states, size_t n_layers)
{
	void **stores = calloc(n_layers + 1, sizeof(*stores));
	if (!stores)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < n_layers; i++)
		stores[i] = states[i] ? ((cargo_layer *)states[i])->store : NULL;
	int rc = bw_pkgstore_finish(img, stores, n_layers);
	free(stores);
	return rc;
}

/* The layer cache: after the layer, only the package store matters. */
static int cargo_save(void *state, bw_buf *out)
{
	return bw_pkgstore_save(((cargo_layer *)state)->store, out);
}

static int cargo_load(void *state, bw_cursor *in)
{
	return bw_pkgstore_load(((cargo_layer *)state)->store, in);
}

const bw_analyzer bw_analyzer_cargo = {
	.name = "cargo",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = cargo_wants,
	.content_max = 0,
	.layer_new = cargo_layer_new,
	.chunk = cargo_chunk,
	.entry = cargo_entry,
	.layer_free = cargo_layer_free,
	.finish = cargo_finish,
	.save = cargo_save,
	.load = cargo_load,
};
