/*
 * misconfig/dockerfile.c: a Dockerfile parser and the BW-DF-* lint rules.
 *
 * The syntax is the Dockerfile reference's (docs.docker.com/reference/dockerfile):
 * parser directives (escape, syntax) before anything else; one instruction
 * per logical line, a line continued when it ends with the escape character;
 * comment and empty lines inside a continuation are dropped; heredocs
 * (<<EOF, <<-EOF, <<"EOF") after RUN, COPY and ADD take the physical lines up
 * to their delimiter; JSON (exec) form when the arguments are a JSON array of
 * strings, else shell form; $VAR, ${VAR}, ${VAR:-x}, ${VAR:+x} expansion of
 * ARG and ENV values in FROM, COPY, ADD, ENV, ARG, WORKDIR, USER, LABEL;
 * stages named by FROM ... AS name.
 *
 * The text is hostile: at most 100 MB are read, 100,000 continued lines, a
 * bounded number of instructions and expansion output; invalid UTF-8 is kept
 * as bytes. Each bound gives one warning (df->warning) and the part before
 * it is checked.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulwark/errors.h"
#include "misconfig/misconfig_int.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"

/* ------------------------------------------------------------ helpers */

/* The first bound met is the one warning of a file. */
#define warn_once(df, fmt, line)                                                           \
	do {                                                                               \
		if (!(df)->warning[0])                                                     \
			snprintf((df)->warning, sizeof((df)->warning), fmt, line);         \
	} while (0)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* ------------------------------------------------------------ parsing */

typedef struct reader {
	const char *p, *end;
	unsigned line;          /* of the last line read */
	size_t continued;
	bool stop;
} reader;

static bool read_line(reader *r, const char **s, size_t *n)
{
	if (r->stop || r->p >= r->end)
		return false;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	const char *e = nl ? nl : r->end;
	*s = r->p;
	*n = (size_t)(e - r->p);
	r->p = nl ? nl + 1 : r->end;
	r->line++;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static bool is_comment(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_blank(s[i]))
		i++;
	return i < n && s[i] == '#';
}

static bool is_empty(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

/* "# key=value" parser directive: sets key/value (lower-cased key); false otherwise. */
static bool directive(const char *s, size_t n, char *key, size_t kn, char *val, size_t vn)
{
	size_t i = 0;
	while (i < n && is_blank(s[i]))
		i++;
	if (i >= n || s[i] != '#')
		return false;
	i++;
	while (i < n && is_blank(s[i]))
		i++;
	size_t k0 = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	size_t k1 = i;
	while (i < n && is_blank(s[i]))
		i++;
	if (k1 == k0 || i >= n || s[i] != '=' || k1 - k0 >= kn)
		return false;
	i++;
	while (i < n && is_blank(s[i]))
		i++;
	size_t v1 = n;
	while (v1 > i && is_blank(s[v1 - 1]))
		v1--;
	if (v1 - i >= vn)
		return false;
	for (size_t j = k0; j < k1; j++)
		key[j - k0] = (char)(s[j] | 0x20);
	key[k1 - k0] = '\0';
	memcpy(val, s + i, v1 - i);
	val[v1 - i] = '\0';
	return true;
}

/* Does the trimmed line end with the escape character (a continuation)? Sets *n to exclude it. */
static bool continues(const char *s, size_t *n, char esc)
{
	size_t k = *n;
	while (k && is_blank(s[k - 1]))
		k--;
	if (k && s[k - 1] == esc) {
		*n = k - 1;
		return true;
	}
	return false;
}

/* Heredoc delimiters in an instruction line: "<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\"". */
typedef struct heredoc_mark {
	char word[64];
	bool strip_tabs;
} heredoc_mark;

static size_t find_heredocs(const char *s, heredoc_mark *out, size_t max)
{
	size_t k = 0;
	char quote = 0;
	for (size_t i = 0; s[i] && k < max; i++) {
		char c = s[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			continue;
		}
		if (c != '<' || s[i + 1] != '<' || s[i + 2] == '<' || (i && s[i - 1] == '<'))
			continue;
		size_t j = i + 2;
		bool strip = false;
		if (s[j] == '-') {
			strip = true;
			j++;
		}
		char q = 0;
		if (s[j] == '\'' || s[j] == '"')
			q = s[j++];
		size_t w0 = j;
		while ((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9') ||
		       s[j] == '_')
			j++;
		if (j == w0 || j - w0 >= sizeof(out[k].word) || (q && s[j] != q))
			continue;
		memcpy(out[k].word, s + w0, j - w0);
		out[k].word[j - w0] = '\0';
		out[k].strip_tabs = strip;
		k++;
		/* go on after the word (and its closing quote); the loop's i++ must not pass the NUL */
		i = q ? j : j - 1;
	}
	return k;
}

/* Shell-like words of s: blanks separate, quotes group and are removed, the
 * escape character makes the next character literal. */
static int split_words(const char *s, char esc, char ***out, size_t *n)
{
	bw_buf w = BW_BUF_INIT(BW_DOCKERFILE_MAX_EXPAND);
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	for (;;) {
		while (is_blank(s[i]))
			i++;
		if (!s[i])
			break;
		char quote = 0;
		bw_buf_reset(&w);
		for (; s[i] && (quote || !is_blank(s[i])); i++) {
			char c = s[i];
			if (quote) {
				if (c == quote) {
					quote = 0;
					continue;
				}
				if (quote == '"' && c == esc && s[i + 1])
					c = s[++i];
			} else if (c == '"' || c == '\'') {
				quote = c;
				continue;
			} else if (c == esc && s[i + 1]) {
				c = s[++i];
			}
			if (bw_buf_append(&w, &c, 1) == -2) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
		}
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			char **nv = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
			v = nv;
			cap = nc;
		}
		if (!(v[cnt] = dupn(w.data ? (const char *)w.data : "", w.len))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		cnt++;
	}
done:
	bw_buf_free(&w);
	if (rc < 0) {
		for (size_t k = 0; k < cnt; k++)
			free(v[k]);
		free(v);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* JSON form: a JSON array of strings. false when it is not one (then shell form). */
static bool json_form(const char *args, char ***argv, size_t *argc)
{
	json_error_t err;
	size_t n = strlen(args);
	if (!n || args[0] != '[')
		return false;
	json_t *j = json_loadb(args, n, 0, &err);
	if (!j || !json_is_array(j)) {
		json_decref(j);
		return false;
	}
	size_t k = json_array_size(j);
	char **v = calloc(k + 1, sizeof(*v));
	if (!v) {
		json_decref(j);
		return false;
	}
	for (size_t i = 0; i < k; i++) {
		json_t *e = json_array_get(j, i);
		if (!json_is_string(e) || !(v[i] = dupn(json_string_value(e), json_string_length(e)))) {
			for (size_t x = 0; x < i; x++)
				free(v[x]);
			free(v);
			json_decref(j);
			return false;
		}
	}
	json_decref(j);
	*argv = v;
	*argc = k;
	return true;
}

static int add_instr(bw_dockerfile *df, const char *text, size_t n, unsigned line, char *heredoc)
{
	size_t i = 0;
	while (i < n && is_blank(text[i]))
		i++;
	size_t k0 = i;
	while (i < n && !is_blank(text[i]))
		i++;
	/* no keyword, or a NUL byte in it: not an instruction */
	if (i == k0 || memchr(text + k0, '\0', i - k0)) {
		free(heredoc);
		return 0;
	}
	if (df->n >= BW_DOCKERFILE_MAX_INSTR) {
		warn_once(df, "more than 100000 instructions; the rest (from line %u) not checked", line);
		free(heredoc);
		return 1;
	}
	if (df->n == df->cap) {
		size_t nc = df->cap ? df->cap * 2 : 32;
		bw_df_instr *v = realloc(df->v, nc * sizeof(*v));
		if (!v) {
			free(heredoc);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		df->v = v;
		df->cap = nc;
	}
	bw_df_instr *in = &df->v[df->n];
	memset(in, 0, sizeof(*in));
	in->line = line;
	in->heredoc = heredoc;
	if (!(in->keyword = dupn(text + k0, i - k0)))
		goto oom;
	for (char *p = in->keyword; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	while (i < n && is_blank(text[i]))
		i++;
	/* flags: "--name[=value]" words before the arguments */
	size_t f0 = i, f1 = i;
	while (i + 1 < n && text[i] == '-' && text[i + 1] == '-') {
		while (i < n && !is_blank(text[i]))
			i++;
		f1 = i;
		while (i < n && is_blank(text[i]))
			i++;
	}
	size_t end = n;
	while (end > i && is_blank(text[end - 1]))
		end--;
	if (!(in->flags = dupn(text + f0, f1 - f0)) || !(in->args = dupn(text + i, end - i)))
		goto oom;
	/* a NUL byte inside the arguments ends them: C strings from here on */
	in->json = json_form(in->args, &in->argv, &in->argc);
	if (!in->json && split_words(in->args, df->escape, &in->argv, &in->argc) < 0)
		goto oom;
	df->n++;
	return 0;
oom:
	free(in->keyword);
	free(in->flags);
	free(in->args);
	free(in->heredoc);
	return bw_error_set(BW_EINTERNAL, "out of memory");
}

int bw_dockerfile__parse(bw_dockerfile *df, const char *text, size_t len)
{
	reader r = { text, text + len, 0, 0, false };
	bw_buf logical = BW_BUF_INIT(BW_DOCKERFILE_MAX_BYTES);
	const char *s;
	size_t n;
	bool directives_done = false;
	int rc = 0;

	memset(df, 0, sizeof(*df));
	df->escape = '\\';
	if (len > BW_DOCKERFILE_MAX_BYTES) {
		/* read up to the last whole line under the bound */
		const char *cut = memrchr(text, '\n', BW_DOCKERFILE_MAX_BYTES);
		r.end = cut ? cut : text + BW_DOCKERFILE_MAX_BYTES;
		snprintf(df->warning, sizeof(df->warning), "larger than 100 MB; only the first %u MB were checked",
			 100);
	}
	size_t valid = bw_utf8_valid_prefix(text, (size_t)(r.end - text));
	if (valid < (size_t)(r.end - text)) {
		unsigned line = 1;
		for (size_t i = 0; i < valid; i++)
			line += text[i] == '\n';
		warn_once(df, "invalid UTF-8 at line %u (checked as bytes)", line);
	}

	while (read_line(&r, &s, &n)) {
		if (!directives_done) {
			char key[32], val[64];
			if (directive(s, n, key, sizeof(key), val, sizeof(val))) {
				if (!strcmp(key, "escape") && (val[0] == '\\' || val[0] == '`') && !val[1])
					df->escape = val[0];
				continue;
			}
			directives_done = true;
		}
		if (is_empty(s, n) || is_comment(s, n))
			continue;
		unsigned first = r.line;
		bw_buf_reset(&logical);
		size_t k = n;
		bool more = continues(s, &k, df->escape);
		if (bw_buf_append(&logical, s, k) == -2) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		while (more) {
			if (!read_line(&r, &s, &n))
				break;
			/* comments and empty lines inside a continuation are dropped */
			if (is_comment(s, n) || is_empty(s, n))
				continue;
			if (++r.continued > BW_DOCKERFILE_MAX_CONT) {
				warn_once(df, "more than 100000 continued lines; the rest (from line %u) not checked",
					  r.line);
				r.stop = true;
				break;
			}
			k = n;
			more = continues(s, &k, df->escape);
			int a = bw_buf_append(&logical, " ", 1);
			if (a == 0)
				a = bw_buf_append(&logical, s, k);
			if (a == -2) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
		}
		if (r.stop)
			break;
		const char *lt = logical.data ? (const char *)logical.data : "";
		/* heredocs of RUN, COPY and ADD */
		char *heredoc = NULL;
		size_t kw = 0;
		while (kw < logical.len && is_blank(lt[kw]))
			kw++;
		if (!strncasecmp(lt + kw, "RUN", 3) || !strncasecmp(lt + kw, "COPY", 4) || !strncasecmp(lt + kw, "ADD", 3)) {
			heredoc_mark marks[8];
			size_t nm = find_heredocs(lt, marks, 8);
			bw_buf body = BW_BUF_INIT(BW_DOCKERFILE_MAX_BYTES);
			for (size_t m = 0; m < nm; m++) {
				bool closed = false;
				while (read_line(&r, &s, &n)) {
					size_t off = 0;
					if (marks[m].strip_tabs)
						while (off < n && s[off] == '\t')
							off++;
					if (n - off == strlen(marks[m].word) && !memcmp(s + off, marks[m].word, n - off)) {
						closed = true;
						break;
					}
					if (bw_buf_append(&body, s + off, n - off) == -2 || bw_buf_append(&body, "\n", 1) == -2) {
						bw_buf_free(&body);
						rc = bw_error_set(BW_EINTERNAL, "out of memory");
						goto done;
					}
				}
				if (!closed)
					break;
			}
			if (nm)
				heredoc = dupn(body.data ? (const char *)body.data : "", body.len);
			bw_buf_free(&body);
			if (nm && !heredoc) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
		}
		if ((rc = add_instr(df, lt, logical.len, first, heredoc)) != 0) {
			if (rc > 0)
				rc = 0;
			goto done;
		}
	}
done:
	bw_buf_free(&logical);
	/* stages */
	size_t stage = 0;
	bool seen_from = false;
	for (size_t i = 0; i < df->n; i++) {
		if (!strcmp(df->v[i].keyword, "FROM")) {
			if (seen_from)
				stage++;
			seen_from = true;
		}
		df->v[i].stage = stage;
	}
	return rc;
}

void bw_dockerfile__free(bw_dockerfile *df)
{
	for (size_t i = 0; i < df->n; i++) {
		bw_df_instr *in = &df->v[i];
		free(in->keyword);
		free(in->flags);
		free(in->args);
		free(in->heredoc);
		for (size_t k = 0; k < in->argc; k++)
			free(in->argv[k]);
		free(in->argv);
	}
	free(df->v);
	memset(df, 0, sizeof(*df));
}

/* ------------------------------------------------------------ expansion */

typedef struct var {
	char *name, *value;   /* value NULL: declared (ARG NAME) with no value */
} var;

typedef struct vars {
	var *v;
	size_t n;
} vars;

static void vars_free(vars *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
	}
	free(vs->v);
	vs->v = NULL;
	vs->n = 0;
}

static const var *var_get(const vars *vs, const char *name, size_t n)
{
	for (size_t i = vs->n; i-- > 0;)
		if (strlen(vs->v[i].name) == n && !memcmp(vs->v[i].name, name, n))
			return &vs->v[i];
	return NULL;
}

/* 0, 1 when the table is full (ignored), or BW_EINTERNAL. */
static int var_set(vars *vs, const char *name, size_t n, const char *value)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strlen(vs->v[i].name) == n && !memcmp(vs->v[i].name, name, n)) {
			char *nv = value ? strdup(value) : NULL;
			if (value && !nv)
				return bw_error_set(BW_EINTERNAL, "out of memory");
			if (value || !vs->v[i].value) {
				free(vs->v[i].value);
				vs->v[i].value = nv;
			}
			return 0;
		}
	if (vs->n >= BW_DOCKERFILE_MAX_VARS)
		return 1;
	var *v = realloc(vs->v, (vs->n + 1) * sizeof(*v));
	if (!v)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	vs->v = v;
	v[vs->n].name = dupn(name, n);
	v[vs->n].value = value ? strdup(value) : NULL;
	if (!v[vs->n].name || (value && !v[vs->n].value)) {
		free(v[vs->n].name);
		free(v[vs->n].value);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	vs->n++;
	return 0;
}

static bool name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/*
 * Expands $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word},
 * ${NAME+word} in s. *unresolved is set when a variable had no value. The
 * result is malloc'd (NULL on ENOMEM); it is cut at BW_DOCKERFILE_MAX_EXPAND.
 * The word of a default is not expanded again (no recursion to bound).
 */
static char *expand(const vars *vs, const char *s, char esc, bool *unresolved)
{
	bw_buf o = BW_BUF_INIT(BW_DOCKERFILE_MAX_EXPAND);
	bool ok = true;
	for (size_t i = 0; s[i] && ok;) {
		if (s[i] == esc && s[i + 1] == '$') {
			ok = bw_buf_append(&o, "$", 1) != -2;
			i += 2;
			continue;
		}
		if (s[i] != '$') {
			ok = bw_buf_append(&o, s + i, 1) != -2;
			i++;
			continue;
		}
		const char *name;
		size_t nn = 0;
		const char *word = NULL;
		size_t wl = 0;
		char op = 0;
		bool colon = false;
		if (s[i + 1] == '{') {
			size_t j = i + 2;
			name = s + j;
			while (name_char(s[j], j == i + 2))
				j++;
			nn = (size_t)(s + j - name);
			if (s[j] == ':' && (s[j + 1] == '-' || s[j + 1] == '+')) {
				colon = true;
				op = s[j + 1];
				j += 2;
			} else if (s[j] == '-' || s[j] == '+') {
				op = s[j];
				j++;
			}
			if (op) {
				word = s + j;
				while (s[j] && s[j] != '}')
					j++;
				wl = (size_t)(s + j - word);
			}
			if (s[j] != '}' || nn == 0) {
				/* not a well-formed reference: keep the text */
				ok = bw_buf_append(&o, s + i, 1) != -2;
				i++;
				continue;
			}
			i = j + 1;
		} else if (name_char(s[i + 1], true)) {
			size_t j = i + 1;
			name = s + j;
			while (name_char(s[j], false))
				j++;
			nn = (size_t)(s + j - name);
			i = j;
		} else {
			ok = bw_buf_append(&o, "$", 1) != -2;
			i++;
			continue;
		}
		const var *v = var_get(vs, name, nn);
		const char *val = v ? v->value : NULL;
		bool set = val != NULL, nonempty = val && *val;
		if (op == '-') {
			if (colon ? !nonempty : !set) {
				ok = bw_buf_append(&o, word, wl) != -2;
				continue;
			}
		} else if (op == '+') {
			if (colon ? nonempty : set)
				ok = bw_buf_append(&o, word, wl) != -2;
			continue;
		}
		if (!set)
			*unresolved = true;
		else
			ok = bw_buf_append(&o, val, strlen(val)) != -2;
	}
	if (!ok) {
		bw_buf_free(&o);
		return NULL;
	}
	char *r = dupn(o.data ? (const char *)o.data : "", o.len);
	bw_buf_free(&o);
	return r;
}

/* ------------------------------------------------------------ lint */

typedef struct stage_info {
	char *name;      /* AS name, lower case, or NULL */
	char *user;      /* the last USER, expanded, or NULL */
	unsigned user_line;
	int parent;      /* index of the stage it is FROM, or -1 */
	bool healthcheck;
	unsigned from_line;
} stage_info;

typedef struct lint {
	bw_misconfigs *m;
	const char *name;
	const bw_dockerfile *df;
	vars global, local;
	stage_info *stages;
	size_t n_stages;
} lint;

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) || !strncmp(s, "ftp://", 6);
}

static bool is_git(const char *s)
{
	return !strncmp(s, "git@", 4) || !strncmp(s, "git://", 6) || (is_url(s) && strstr(s, ".git"));
}

static bool is_archive(const char *s)
{
	static const char *const ext[] = { ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz",
					   ".tar.zst", ".tar.Z" };
	size_t n = strlen(s);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t k = strlen(ext[i]);
		if (n > k && !strcmp(s + n - k, ext[i]))
			return true;
	}
	return false;
}

static bool has_flag(const char *flags, const char *name)
{
	size_t k = strlen(name);
	for (const char *p = strstr(flags, name); p; p = strstr(p + 1, name))
		if ((p == flags || is_blank(p[-1])) && (p[k] == '=' || p[k] == '\0' || is_blank(p[k])))
			return true;
	return false;
}

/* One simple command of a RUN script: words after splitting on && || ; | and newlines. */
typedef struct cmd {
	char **w;
	size_t n;
} cmd;

/* Splits a shell script into simple commands (quotes respected; no nesting beyond that). */
static int split_commands(const char *script, char esc, cmd **out, size_t *n)
{
	size_t len = strlen(script), cnt = 0, cap = 0;
	cmd *v = NULL;
	char *piece = malloc(len + 1);
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!piece)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	size_t i = 0;
	while (i <= len) {
		size_t p = 0;
		char quote = 0;
		for (; i < len; i++) {
			char c = script[i];
			if (quote) {
				if (c == quote)
					quote = 0;
			} else if (c == '\'' || c == '"') {
				quote = c;
			} else if (c == '\\' && i + 1 < len) {
				piece[p++] = c;
				c = script[++i];
			} else if (c == ';' || c == '\n' || c == '|' || c == '&' || c == '(' || c == ')' || c == '`') {
				break;
			} else if (c == '#' && (p == 0 || is_blank(piece[p - 1]))) {
				/* a comment runs to the end of the line */
				while (i < len && script[i] != '\n')
					i++;
				break;
			}
			piece[p++] = c;
		}
		piece[p] = '\0';
		i++;
		char **w;
		size_t wn;
		if ((rc = split_words(piece, esc == '`' ? '\\' : esc, &w, &wn)) < 0)
			goto fail;
		if (!wn) {
			free(w);
			continue;
		}
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			cmd *nv = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				for (size_t k = 0; k < wn; k++)
					free(w[k]);
				free(w);
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto fail;
			}
			v = nv;
			cap = nc;
		}
		v[cnt].w = w;
		v[cnt].n = wn;
		cnt++;
	}
	free(piece);
	*out = v;
	*n = cnt;
	return 0;
fail:
	free(piece);
	for (size_t c = 0; c < cnt; c++) {
		for (size_t k = 0; k < v[c].n; k++)
			free(v[c].w[k]);
		free(v[c].w);
	}
	free(v);
	return rc;
}

static void commands_free(cmd *v, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		for (size_t k = 0; k < v[c].n; k++)
			free(v[c].w[k]);
		free(v[c].w);
	}
	free(v);
}

/* The command word after environment assignments (and sudo, which is reported). */
static size_t command_start(const cmd *c, bool *sudo)
{
	size_t i = 0;
	for (;;) {
		while (i < c->n && strchr(c->w[i], '=') && c->w[i][0] != '=' && c->w[i][0] != '-')
			i++;
		if (i < c->n && !strcmp(c->w[i], "sudo")) {
			*sudo = true;
			i++;
			while (i < c->n && c->w[i][0] == '-')
				i++;
			continue;
		}
		if (i < c->n && (!strcmp(c->w[i], "env") || !strcmp(c->w[i], "exec") || !strcmp(c->w[i], "command")))
			{ i++; continue; }
		return i;
	}
}

static const char *base_name(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

/* Package arguments of an install command start at w[i]; lists the unpinned ones. */
static void unpinned(const cmd *c, size_t i, const char *pin, char *list, size_t ln, size_t *count)
{
	for (; i < c->n; i++) {
		const char *a = c->w[i];
		if (a[0] == '-') {
			/* options that take a value as the next word */
			if (!strcmp(a, "-r") || !strcmp(a, "--requirement") || !strcmp(a, "-c") || !strcmp(a, "-t") ||
			    !strcmp(a, "--target") || !strcmp(a, "-o") || !strcmp(a, "--constraint") ||
			    !strcmp(a, "-i") || !strcmp(a, "--index-url") || !strcmp(a, "--repository") ||
			    !strcmp(a, "-X") || !strcmp(a, "--virtual") || !strcmp(a, "-t") || !strcmp(a, "-e"))
				i++;
			continue;
		}
		if (strstr(a, pin) || strchr(a, '/') || strchr(a, '$') || !strcmp(a, ".") || is_url(a) ||
		    strstr(a, ".whl") || strstr(a, ".deb") || strstr(a, ".apk") || strstr(a, ".tar") ||
		    (pin[0] == '=' && pin[1] == '=' && (strchr(a, '>') || strchr(a, '<') || strchr(a, '~') ||
							strchr(a, '@'))))
			continue;
		size_t k = strlen(list);
		if (k + strlen(a) + 3 < ln)
			snprintf(list + k, ln - k, "%s%s", k ? ", " : "", a);
		(*count)++;
	}
}

/* The words of a command, space-joined, for evidence (cut at n). */
static void join_cmd(const cmd *k, char *out, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < k->n && o + 1 < n; i++) {
		int w = snprintf(out + o, n - o, "%s%s", i ? " " : "", k->w[i]);
		if (w < 0 || (size_t)w >= n - o)
			break;
		o += (size_t)w;
	}
}

static int lint_run(lint *L, const bw_df_instr *in)
{
	bw_buf script = BW_BUF_INIT(BW_DOCKERFILE_MAX_BYTES);
	cmd *cmds = NULL;
	size_t nc = 0;
	int rc = 0;

	/* the script: the shell form text, or the exec form's words; plus heredoc bodies */
	if (in->json) {
		for (size_t i = 0; i < in->argc; i++)
			if (bw_buf_append_str(&script, in->argv[i]) == -2 || bw_buf_append(&script, " ", 1) == -2)
				goto oom;
	} else if (bw_buf_append_str(&script, in->args) == -2) {
		goto oom;
	}
	if (in->heredoc && (bw_buf_append(&script, "\n", 1) == -2 || bw_buf_append_str(&script, in->heredoc) == -2))
		goto oom;
	const char *text = script.data ? (const char *)script.data : "";
	if ((rc = split_commands(text, L->df->escape, &cmds, &nc)) < 0)
		goto done;

	bool sudo = false, apt_install = false, recommends_off = false, lists_cleaned = false;
	bool chown_r = false;
	char apt_cmd[160] = "", sudo_cmd[160] = "", chown_cmd[160] = "";
	char unpinned_list[300] = "";
	size_t n_unpinned = 0;
	if (strstr(in->flags, "type=cache") && strstr(in->flags, "/var/lib/apt"))
		lists_cleaned = true; /* a cache mount keeps the lists out of the layer */
	for (size_t c = 0; c < nc; c++) {
		const cmd *k = &cmds[c];
		bool was_sudo = sudo;
		size_t s = command_start(k, &sudo);
		if (sudo && !was_sudo)
			join_cmd(k, sudo_cmd, sizeof(sudo_cmd));
		if (s >= k->n)
			continue;
		const char *w = base_name(k->w[s]);
		if ((!strcmp(w, "apt-get") || !strcmp(w, "apt")) ) {
			size_t j = s + 1;
			while (j < k->n && k->w[j][0] == '-') {
				if (strstr(k->w[j], "Install-Recommends=false") || strstr(k->w[j], "Install-Recommends=0"))
					recommends_off = true;
				if ((!strcmp(k->w[j], "-o")) && j + 1 < k->n &&
				    (strstr(k->w[j + 1], "Install-Recommends=false") ||
				     strstr(k->w[j + 1], "Install-Recommends=0")))
					recommends_off = true;
				if (!strcmp(k->w[j], "-o") || !strcmp(k->w[j], "-c") || !strcmp(k->w[j], "-t"))
					j++;
				j++;
			}
			if (j < k->n && !strcmp(k->w[j], "install")) {
				apt_install = true;
				if (!apt_cmd[0])
					join_cmd(k, apt_cmd, sizeof(apt_cmd));
				for (size_t x = j + 1; x < k->n; x++) {
					if (!strcmp(k->w[x], "--no-install-recommends") ||
					    strstr(k->w[x], "Install-Recommends=false") ||
					    strstr(k->w[x], "Install-Recommends=0"))
						recommends_off = true;
				}
				unpinned(k, j + 1, "=", unpinned_list, sizeof(unpinned_list), &n_unpinned);
			}
		} else if (!strcmp(w, "apk")) {
			size_t j = s + 1;
			while (j < k->n && k->w[j][0] == '-')
				j++;
			if (j < k->n && !strcmp(k->w[j], "add"))
				unpinned(k, j + 1, "=", unpinned_list, sizeof(unpinned_list), &n_unpinned);
		} else if (!strcmp(w, "pip") || !strcmp(w, "pip3") ||
			   ((!strcmp(w, "python") || !strcmp(w, "python3")) && s + 2 < k->n && !strcmp(k->w[s + 1], "-m") &&
			    (!strcmp(k->w[s + 2], "pip") || !strcmp(k->w[s + 2], "pip3")))) {
			size_t j = s + 1;
			if (strncmp(w, "pip", 3))
				j = s + 3;
			while (j < k->n && k->w[j][0] == '-')
				j++;
			if (j < k->n && !strcmp(k->w[j], "install")) {
				/* "pip install --upgrade pip" is the usual bootstrap: leave pip itself alone */
				bool upgrade = false;
				for (size_t x = j + 1; x < k->n; x++)
					if (!strcmp(k->w[x], "-U") || !strcmp(k->w[x], "--upgrade"))
						upgrade = true;
				bool only_pip = true;
				for (size_t x = j + 1; x < k->n; x++)
					if (k->w[x][0] != '-' && strcmp(k->w[x], "pip") && strcmp(k->w[x], "setuptools") &&
					    strcmp(k->w[x], "wheel"))
						only_pip = false;
				if (!(upgrade && only_pip))
					unpinned(k, j + 1, "==", unpinned_list, sizeof(unpinned_list), &n_unpinned);
			}
		} else if (!strcmp(w, "rm")) {
			for (size_t x = s + 1; x < k->n; x++)
				if (!strncmp(k->w[x], "/var/lib/apt/lists", 18))
					lists_cleaned = true;
		} else if (!strcmp(w, "chown") || !strcmp(w, "chmod")) {
			for (size_t x = s + 1; x < k->n; x++)
				if (!strcmp(k->w[x], "--recursive") ||
				    (k->w[x][0] == '-' && k->w[x][1] != '-' && strchr(k->w[x], 'R'))) {
					chown_r = true;
					if (!chown_cmd[0])
						join_cmd(k, chown_cmd, sizeof(chown_cmd));
				}
		}
	}
	if (sudo && (rc = bw_misconfigs__add(L->m, "BW-DF-011", L->name, in->line, -1, "%s", sudo_cmd)) < 0)
		goto done;
	if (apt_install && !recommends_off &&
	    (rc = bw_misconfigs__add(L->m, "BW-DF-006", L->name, in->line, -1, "%s", apt_cmd)) < 0)
		goto done;
	if (apt_install && !lists_cleaned &&
	    (rc = bw_misconfigs__add(L->m, "BW-DF-007", L->name, in->line, -1, "%s; no rm -rf /var/lib/apt/lists/*",
				     apt_cmd)) < 0)
		goto done;
	if (chown_r && (rc = bw_misconfigs__add(L->m, "BW-DF-010", L->name, in->line, -1, "%s", chown_cmd)) < 0)
		goto done;
	if (n_unpinned && (rc = bw_misconfigs__add(L->m, "BW-DF-013", L->name, in->line, -1,
						   "%zu unpinned: %s", n_unpinned, unpinned_list)) < 0)
		goto done;
	if (bw_misconfig__pipes_to_shell(text) &&
	    (rc = bw_misconfigs__add(L->m, "BW-DF-014", L->name, in->line, -1, "RUN %.200s", text)) < 0)
		goto done;
done:
	commands_free(cmds, nc);
	bw_buf_free(&script);
	return rc;
oom:
	rc = bw_error_set(BW_EINTERNAL, "out of memory");
	goto done;
}

/* KEY=VALUE words of ENV / ARG / LABEL; legacy "ENV KEY value" too. */
static int lint_assignments(lint *L, const bw_df_instr *in, bool is_arg, vars *scope)
{
	int rc = 0;
	bool legacy = !is_arg && in->argc >= 2 && !strchr(in->argv[0], '=');
	for (size_t i = 0; i < in->argc && rc == 0; i++) {
		const char *w = in->argv[i];
		const char *eq = strchr(w, '=');
		size_t nn = eq ? (size_t)(eq - w) : strlen(w);
		char *value = NULL;
		bool unresolved = false;
		if (legacy) {
			/* ENV NAME the rest of the line */
			const char *rest = in->args + strlen(in->argv[0]);
			while (is_blank(*rest))
				rest++;
			value = expand(scope, rest, L->df->escape, &unresolved);
			nn = strlen(in->argv[0]);
			i = in->argc;
		} else if (eq) {
			value = expand(scope, eq + 1, L->df->escape, &unresolved);
		}
		if (eq || legacy) {
			if (!value)
				return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		if (nn == 0) {
			free(value);
			continue;
		}
		if (bw_misconfig__secret_name(w, nn) && (is_arg || (value && *value))) {
			char red[32] = "";
			if (value)
				bw_misconfig__redact(value, strlen(value), red, sizeof(red));
			rc = bw_misconfigs__add(L->m, "BW-DF-008", L->name, in->line, -1, "%s %.*s%s%s", in->keyword,
						(int)(nn > 100 ? 100 : nn), w, value ? "=" : "", value ? red : "");
		}
		/* ARG NAME without a value keeps a global ARG's default (ARG in a stage re-imports it) */
		if (rc == 0 && is_arg && !value) {
			const var *g = var_get(&L->global, w, nn);
			if (var_set(scope, w, nn, g ? g->value : NULL) < 0)
				rc = BW_EINTERNAL;
		} else if (rc == 0 && var_set(scope, w, nn, value ? value : "") < 0) {
			rc = BW_EINTERNAL;
		}
		free(value);
	}
	return rc;
}

static int stage_index(const lint *L, const char *name)
{
	for (size_t i = 0; i < L->n_stages; i++)
		if (L->stages[i].name && !strcasecmp(L->stages[i].name, name))
			return (int)i;
	return -1;
}

static int lint_from(lint *L, const bw_df_instr *in)
{
	stage_info *st = realloc(L->stages, (L->n_stages + 1) * sizeof(*st));
	if (!st)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	L->stages = st;
	stage_info *s = &st[L->n_stages];
	memset(s, 0, sizeof(*s));
	s->parent = -1;
	s->from_line = in->line;
	L->n_stages++;
	vars_free(&L->local);

	if (in->argc == 0)
		return 0;
	bool unresolved = false;
	char *image = expand(&L->global, in->argv[0], L->df->escape, &unresolved);
	if (!image)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (in->argc >= 3 && !strcasecmp(in->argv[1], "AS") && !(s->name = strdup(in->argv[2]))) {
		free(image);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	int rc = 0;
	int parent = stage_index(L, image);
	if (parent >= 0 && (size_t)parent < L->n_stages - 1) {
		s->parent = parent;
	} else if (strcasecmp(image, "scratch") && !unresolved && image[0]) {
		size_t n = strlen(image);
		const char *at = strchr(image, '@');
		const char *slash = strrchr(image, '/');
		const char *colon = strchr(slash ? slash : image, ':');
		if (at && colon > at)
			colon = NULL;
		bool latest = !at && (!colon || !strcmp(colon + 1, "latest"));
		if (latest)
			rc = bw_misconfigs__add(L->m, "BW-DF-003", L->name, in->line, -1, "FROM %.200s%s", image,
						colon ? "" : " (no tag: latest)");
		if (rc == 0 && !at)
			rc = bw_misconfigs__add(L->m, "BW-DF-002", L->name, in->line, -1, "FROM %.200s", image);
		(void)n;
	}
	free(image);
	return rc;
}

static int lint_add(lint *L, const bw_df_instr *in)
{
	int rc = 0;
	if (in->argc < 2 || in->heredoc)
		return 0;
	/* sources: every word but the last (the destination) */
	bool local = false, remote_unchecked = false;
	for (size_t i = 0; i + 1 < in->argc; i++) {
		const char *s = in->argv[i];
		if (is_url(s) || is_git(s)) {
			if (!is_git(s) && !has_flag(in->flags, "--checksum"))
				remote_unchecked = true;
		} else if (!is_archive(s)) {
			local = true;
		}
	}
	if (local)
		rc = bw_misconfigs__add(L->m, "BW-DF-004", L->name, in->line, -1, "ADD %.200s", in->args);
	if (rc == 0 && remote_unchecked)
		rc = bw_misconfigs__add(L->m, "BW-DF-005", L->name, in->line, -1, "ADD %.200s", in->args);
	return rc;
}

int bw_dockerfile__lint(bw_misconfigs *m, const bw_dockerfile *df, const char *name)
{
	lint L = { .m = m, .name = name, .df = df };
	int rc = 0;

	for (size_t i = 0; i < df->n && rc == 0; i++) {
		const bw_df_instr *in = &df->v[i];
		const char *k = in->keyword;
		stage_info *st = L.n_stages ? &L.stages[L.n_stages - 1] : NULL;
		if (!strcmp(k, "FROM")) {
			rc = lint_from(&L, in);
		} else if (!strcmp(k, "ARG")) {
			rc = lint_assignments(&L, in, true, st ? &L.local : &L.global);
		} else if (!st) {
			continue; /* only ARG may come before the first FROM */
		} else if (!strcmp(k, "ENV")) {
			rc = lint_assignments(&L, in, false, &L.local);
		} else if (!strcmp(k, "RUN")) {
			rc = lint_run(&L, in);
		} else if (!strcmp(k, "ADD")) {
			rc = lint_add(&L, in);
		} else if (!strcmp(k, "USER") && in->argc) {
			bool unresolved = false;
			char *u = expand(&L.local, in->argv[0], df->escape, &unresolved);
			if (!u)
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
			free(st->user);
			st->user = u;
			st->user_line = in->line;
		} else if (!strcmp(k, "HEALTHCHECK")) {
			st->healthcheck = !(in->argc && !strcasecmp(in->argv[0], "NONE"));
		} else if (!strcmp(k, "WORKDIR") && in->argc) {
			bool unresolved = false;
			char *w = expand(&L.local, in->argv[0], df->escape, &unresolved);
			if (!w)
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
			/* "C:\app" is absolute on Windows images; an unresolved variable cannot be judged */
			else if (w[0] != '/' && !unresolved && !(w[0] && w[1] == ':') && w[0] != '$')
				rc = bw_misconfigs__add(m, "BW-DF-012", name, in->line, -1, "WORKDIR %.200s", w);
			free(w);
		}
	}
	if (rc == 0 && L.n_stages) {
		/* the final stage: its user, or the one it inherits from a parent stage */
		const stage_info *fin = &L.stages[L.n_stages - 1];
		const stage_info *u = fin;
		bool hc = fin->healthcheck;
		for (int hops = 0; u && !u->user && u->parent >= 0 && hops < 1000; hops++) {
			u = &L.stages[u->parent];
			hc = hc || u->healthcheck;
		}
		const char *user = u ? u->user : NULL;
		bool root = !user || !*user || !strcmp(user, "root") || !strncmp(user, "root:", 5) ||
			    strspn(user, "0") == strcspn(user, ":");
		if (root)
			rc = bw_misconfigs__add(m, "BW-DF-001", name, user ? u->user_line : fin->from_line, -1, "%s%.100s",
						user ? "USER " : "no USER in the final stage", user ? user : "");
		if (rc == 0 && !hc)
			rc = bw_misconfigs__add(m, "BW-DF-009", name, fin->from_line, -1,
						"no HEALTHCHECK in the final stage");
	}
	for (size_t i = 0; i < L.n_stages; i++) {
		free(L.stages[i].name);
		free(L.stages[i].user);
	}
	free(L.stages);
	vars_free(&L.global);
	vars_free(&L.local);
	return rc;
}

/* ------------------------------------------------------------ entry points */

int bw_misconfig_check_dockerfile_mem(bw_misconfigs **out, const char *name, const void *data, size_t len,
				      const bw_misconfig_options *opts)
{
	bw_dockerfile df;
	bw_misconfigs *m;
	int rc;

	*out = NULL;
	if (!(m = bw_misconfigs__new("dockerfile")))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if ((rc = bw_dockerfile__parse(&df, data ? data : "", data ? len : 0)) == 0) {
		if (df.warning[0])
			bw_warn("%s: %s", name, df.warning);
		rc = bw_dockerfile__lint(m, &df, name);
	}
	bw_dockerfile__free(&df);
	if (rc < 0) {
		bw_misconfigs_free(m);
		return rc;
	}
	bw_misconfigs__sort(m);
	*out = m;
	return 0;
}

int bw_misconfig_check_dockerfile(bw_misconfigs **out, const char *path, const bw_misconfig_options *opts)
{
	/* one byte over the bound is enough to know the file is larger */
	bw_buf b = BW_BUF_INIT(BW_DOCKERFILE_MAX_BYTES);
	FILE *f;
	int rc = 0;

	*out = NULL;
	if (!(f = fopen(path, "rb")))
		return bw_error_set(BW_EINPUT, "%s: cannot open the Dockerfile: %m", path);
	char chunk[65536];
	size_t n;
	bool over = false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		size_t room = b.max - b.len;
		if (n > room) {
			over = true;
			n = room;
		}
		int a = bw_buf_append(&b, chunk, n);
		if (a == -2) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
		if (over)
			break;
	}
	if (rc == 0 && ferror(f))
		rc = bw_error_set(BW_EINPUT, "%s: cannot read the Dockerfile", path);
	fclose(f);
	if (rc == 0) {
		if (over)
			bw_warn("%s: larger than 100 MB; only the first 100 MB were checked", path);
		/* cut at the last whole line so a partial instruction is not judged */
		size_t len = b.len;
		if (over) {
			const char *cut = memrchr(b.data, '\n', b.len);
			len = cut ? (size_t)(cut - (const char *)b.data) : b.len;
		}
		rc = bw_misconfig_check_dockerfile_mem(out, path, b.data, len, opts);
	}
	bw_buf_free(&b);
	return rc;
}
