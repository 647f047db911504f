/*
 * secrets/analyzer.c: the secret scanner as an analyzer of the layer pass
 * (docs/analyzers.md), the image config scan, and the public results
 * (bulwark/secrets.h).
 *
 * Every regular file that can hold text is streamed through the engine while
 * its layer is read (chunk()), so nothing is buffered and nothing is read
 * twice. Results are per layer, like every analyzer's; finish() labels each
 * finding with whether the file survived to the final image (a later layer's
 * whiteout or a replacement sets deleted_in_later_layer), then scans the
 * config's Env, Labels and history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/secrets.h"
#include "image/analyzer.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "secrets/secrets_int.h"
#include "util/arena.h"
#include "util/limits.h"
#include "util/wire.h"

typedef struct layer_hit {
	uint32_t rule;
	uint64_t line;
	const char *path;        /* in the state's arena */
	char match[SECRETS_REDACTED_MAX + 1];
} layer_hit;

typedef struct secrets_layer {
	const secret_engine *eng;
	secret_scanner *sc;
	bool in_file;
	layer_hit *hits;
	size_t n_hits, cap_hits;
	bw_arena mem;
} secrets_layer;

struct bw_secrets {
	bw_secret *v;
	size_t n, cap;
	bw_arena mem;
};

/* ------------------------------------------------------------ what is text */

bool bw_secret_binary_head(const uint8_t *head, size_t len)
{
	static const struct { const char *magic; size_t n; } magic[] = {
		{ "\x7f" "ELF", 4 }, { "\x1f\x8b", 2 }, { "PK\x03\x04", 4 }, { "\x89PNG", 4 }, { "\xff\xd8\xff", 3 },
		{ "GIF8", 4 }, { "BZh", 3 }, { "\xfd" "7zXZ", 5 }, { "\x28\xb5\x2f\xfd", 4 }, { "\xca\xfe\xba\xbe", 4 },
		{ "SQLite format 3", 15 }, { "wOFF", 4 }, { "wOF2", 4 }, { "\x00\x01\x00\x00", 4 }, { "OTTO", 4 },
		{ "!<arch>\n", 8 }, { "\xed\xab\xee\xdb", 4 }, { "MZ", 2 }, { "RIFF", 4 }, { "\x00\x00\x01\x00", 4 },
	};
	for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if (len >= magic[i].n && !memcmp(head, magic[i].magic, magic[i].n))
			return true;
	/* text has no NUL bytes (UTF-16 text is rare in images and skipped with binaries) */
	return memchr(head, 0, len) != NULL;
}

static bool secrets_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	const secret_engine *eng;
	if (e->type != BW_FT_FILE || e->size == 0)
		return false;
	if (!(eng = bw_secret_engine_current()) || e->size > bw_secret_engine_max_file(eng))
		return false;
	return !bw_secret_binary_head(head, head_len);
}

/* ------------------------------------------------------------ per layer */

static void *secrets_layer_new(void)
{
	secrets_layer *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (!(s->eng = bw_secret_engine_current())) {
		free(s);
		return NULL;
	}
	return s;
}

static void secrets_layer_free(void *state)
{
	secrets_layer *s = state;
	if (!s)
		return;
	bw_secret_scanner_free(s->sc);
	free(s->hits);
	bw_arena_free(&s->mem);
	free(s);
}

static int secrets_chunk(void *state, const bw_entry *e, const uint8_t *data, size_t len)
{
	secrets_layer *s = state;
	int rc;
	if (!s->sc && (rc = bw_secret_scanner_new(&s->sc, s->eng)) < 0)
		return rc;
	if (!s->in_file) {
		if ((rc = bw_secret_scanner_begin(s->sc, e->path)) < 0)
			return rc;
		s->in_file = true;
	}
	return bw_secret_scanner_feed(s->sc, data, len);
}

static int secrets_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	secrets_layer *s = state;
	const secret_hit *hits;
	size_t n;
	int rc;
	(void)content;
	(void)len;
	(void)truncated;

	if (!s->in_file)
		return 0;
	s->in_file = false;
	if ((rc = bw_secret_scanner_end(s->sc, &hits, &n)) < 0)
		return rc;
	if (!n)
		return 0;
	const char *path = bw_arena_strndup(&s->mem, e->path, e->path_len);
	if (!path)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < n && s->n_hits < SECRETS_MAX_PER_LAYER; i++) {
		if (s->n_hits == s->cap_hits) {
			size_t cap = s->cap_hits ? s->cap_hits * 2 : 16;
			layer_hit *v = realloc(s->hits, cap * sizeof(*v));
			if (!v)
				return bw_error_set(BW_EINTERNAL, "out of memory");
			s->hits = v;
			s->cap_hits = cap;
		}
		layer_hit *h = &s->hits[s->n_hits++];
		h->rule = hits[i].rule;
		h->line = hits[i].line;
		h->path = path;
		memcpy(h->match, hits[i].match, sizeof(h->match));
	}
	return 0;
}

/* ------------------------------------------------------------ the layer cache */

/*
 * A layer's findings for the layer cache (analyzer.h save/load): the secret
 * scanner sees every byte of a file, which the cache does not record, so it
 * saves what it found instead:
 *   u64 n, then n x { rule id, u64 line, path, redacted match } (util/wire.h)
 * Rules are saved by id and looked up again in the current rule set; the
 * cache key carries the rule set's fingerprint (config_signature), so an id
 * that is not there means a corrupt entry.
 */
static int secrets_save(void *state, bw_buf *out)
{
	const secrets_layer *s = state;
	int rc = bw_wire_u64(out, s->n_hits);
	for (size_t i = 0; i < s->n_hits && rc == 0; i++) {
		const layer_hit *h = &s->hits[i];
		rc |= bw_wire_str(out, bw_secret_engine_rule(s->eng, h->rule)->id);
		rc |= bw_wire_u64(out, h->line);
		rc |= bw_wire_str(out, h->path);
		rc |= bw_wire_str(out, h->match);
	}
	return rc ? -1 : 0;
}

static int secrets_load(void *state, bw_cursor *in)
{
	secrets_layer *s = state;
	char id[256], path[BW_MAX_PATH_BYTES + 1], match[SECRETS_REDACTED_MAX + 1];
	uint64_t n = bw_cursor_u64(in);
	size_t n_rules = bw_secret_engine_rules(s->eng);

	if (n > SECRETS_MAX_PER_LAYER || s->n_hits)
		in->bad = true;
	if (!in->bad && n && !(s->hits = calloc((size_t)n, sizeof(*s->hits))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	s->cap_hits = s->hits ? (size_t)n : 0;
	for (uint64_t i = 0; i < n && !in->bad; i++) {
		layer_hit *h = &s->hits[i];
		const char *rid = bw_cursor_str(in, id, sizeof(id));
		h->line = bw_cursor_u64(in);
		const char *p = bw_cursor_str(in, path, sizeof(path));
		const char *m = bw_cursor_str(in, match, sizeof(match));
		if (in->bad || !rid || !p || !m)
			break;
		size_t r = 0;
		while (r < n_rules && strcmp(bw_secret_engine_rule(s->eng, r)->id, rid) != 0)
			r++;
		if (r == n_rules)
			break;
		h->rule = (uint32_t)r;
		memcpy(h->match, m, strlen(m) + 1);
		/* consecutive findings of one file share its path, as the pass made them */
		h->path = i && !strcmp(s->hits[i - 1].path, p) ? s->hits[i - 1].path : bw_arena_strdup(&s->mem, p);
		if (!h->path)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		s->n_hits = (size_t)i + 1;
	}
	if (s->n_hits != n)
		in->bad = true;
	return in->bad ? bw_error_set(BW_EINPUT, "layer cache: malformed secret findings") : 0;
}

static bool secrets_config_signature(char *out, size_t n)
{
	const secret_engine *eng = bw_secret_engine_current();
	if (!eng || !bw_secret_engine_fingerprint(eng)[0])
		return false;
	snprintf(out, n, "%s", bw_secret_engine_fingerprint(eng));
	return true;
}

/* ------------------------------------------------------------ results */

static void results_free(void *p)
{
	bw_secrets *r = p;
	if (!r)
		return;
	free(r->v);
	bw_arena_free(&r->mem);
	free(r);
}

static int add_result(bw_secrets *r, const secret_rule *rule, const char *path, bool in_config, size_t layer,
		      const char *diff_id, uint64_t line, bool deleted, const char *match)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		bw_secret *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	bw_secret *s = &r->v[r->n];
	s->rule = bw_arena_strdup(&r->mem, rule->id);
	s->category = bw_arena_strdup(&r->mem, rule->category);
	s->severity = bw_arena_strdup(&r->mem, rule->severity);
	s->title = bw_arena_strdup(&r->mem, rule->title);
	s->path = bw_arena_strdup(&r->mem, path);
	s->match = bw_arena_strdup(&r->mem, match);
	s->diff_id = diff_id ? bw_arena_strdup(&r->mem, diff_id) : NULL;
	if (!s->rule || !s->category || !s->severity || !s->title || !s->path || !s->match || (diff_id && !s->diff_id))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	s->in_config = in_config;
	s->layer = layer;
	s->line = line;
	s->deleted_in_later_layer = deleted;
	r->n++;
	return 0;
}

static int sev_rank(const char *s)
{
	static const char *const order[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, order[i]))
			return i;
	return 4;
}

static int cmp_secret(const void *x, const void *y)
{
	const bw_secret *a = x, *b = y;
	int c;
	if ((c = sev_rank(a->severity) - sev_rank(b->severity)))
		return c;
	if (a->in_config != b->in_config)
		return a->in_config ? 1 : -1;
	if ((c = strcmp(a->path, b->path)))
		return c;
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

/* One config string through the engine as its own little file. */
static int scan_config_text(bw_secrets *r, const secret_engine *eng, secret_scanner *sc, const char *where,
			    const char *text)
{
	const secret_hit *hits;
	size_t n;
	int rc;
	if (!text || !*text)
		return 0;
	if ((rc = bw_secret_scanner_begin(sc, where)) < 0 ||
	    (rc = bw_secret_scanner_feed(sc, (const uint8_t *)text, strlen(text))) < 0 ||
	    (rc = bw_secret_scanner_end(sc, &hits, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = add_result(r, bw_secret_engine_rule(eng, hits[i].rule), where, true, 0, NULL, 0, false,
				     hits[i].match)) < 0)
			return rc;
	return 0;
}

static int scan_config(bw_secrets *r, const secret_engine *eng, const bw_config *c)
{
	secret_scanner *sc = NULL;
	char where[600];
	int rc;

	if ((rc = bw_secret_scanner_new(&sc, eng)) < 0)
		return rc;
	for (size_t i = 0; i < c->env.n && rc == 0; i++) {
		const char *eq = strchr(c->env.v[i], '=');
		size_t nlen = eq ? (size_t)(eq - c->env.v[i]) : strlen(c->env.v[i]);
		snprintf(where, sizeof(where), "config:env:%.*s", (int)(nlen > 512 ? 512 : nlen), c->env.v[i]);
		rc = scan_config_text(r, eng, sc, where, c->env.v[i]);
	}
	for (size_t i = 0; i < c->labels.n && rc == 0; i++) {
		size_t klen = strlen(c->labels.keys[i]), vlen = strlen(c->labels.values[i]);
		char *kv = malloc(klen + vlen + 2);
		if (!kv) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
		memcpy(kv, c->labels.keys[i], klen);
		kv[klen] = '=';
		memcpy(kv + klen + 1, c->labels.values[i], vlen + 1);
		snprintf(where, sizeof(where), "config:label:%.512s", c->labels.keys[i]);
		rc = scan_config_text(r, eng, sc, where, kv);
		free(kv);
	}
	for (size_t i = 0; i < c->n_history && rc == 0; i++) {
		snprintf(where, sizeof(where), "config:history:%zu", i);
		rc = scan_config_text(r, eng, sc, where, c->history[i].created_by);
	}
	bw_secret_scanner_free(sc);
	return rc;
}

static int secrets_finish(bw_image *img, void *const *states, size_t n_layers)
{
	const secret_engine *eng = bw_secret_engine_current();
	const bw_fs *fs = bw_image_fs(img);
	bw_secrets *r;
	int rc = 0;

	if (!eng)
		return bw_error_set(BW_EINTERNAL, "out of memory (secret rules)");
	if (!(r = calloc(1, sizeof(*r))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t l = 0; l < n_layers && rc == 0; l++) {
		const secrets_layer *s = states[l];
		if (!s)
			continue;
		const char *diff_id = img->layers[l].diff_id.text[0] ? img->layers[l].diff_id.text : NULL;
		for (size_t i = 0; i < s->n_hits && rc == 0; i++) {
			const layer_hit *h = &s->hits[i];
			const bw_fsnode *node = fs ? bw_fs_get(fs, h->path) : NULL;
			/* the file survived when the final tree's entry at its path is this layer's file */
			bool survived = node && node->type == BW_FT_FILE && node->layer == l;
			rc = add_result(r, bw_secret_engine_rule(s->eng, h->rule), h->path, false, l, diff_id, h->line,
					!survived, h->match);
		}
	}
	if (rc == 0)
		rc = scan_config(r, eng, &img->config);
	if (rc < 0) {
		results_free(r);
		return rc;
	}
	qsort(r->v, r->n, sizeof(*r->v), cmp_secret);
	if (img->secrets_free)
		img->secrets_free(img->secrets);
	img->secrets = r;
	img->secrets_free = results_free;
	return 0;
}

const bw_analyzer bw_analyzer_secrets = {
	.name = "secrets",
	.version = 1,
	.kind = BW_ANALYZE_SECRETS,
	.wants = secrets_wants,
	.layer_new = secrets_layer_new,
	.chunk = secrets_chunk,
	.entry = secrets_entry,
	.layer_free = secrets_layer_free,
	.finish = secrets_finish,
	.save = secrets_save,
	.load = secrets_load,
	.config_signature = secrets_config_signature,
};

/* ------------------------------------------------------------ public */

const bw_secrets *bw_image_secrets(const bw_image *img)
{
	return img ? img->secrets : NULL;
}

size_t bw_secrets_count(const bw_secrets *s)
{
	return s ? s->n : 0;
}

const bw_secret *bw_secrets_at(const bw_secrets *s, size_t i)
{
	return s && i < s->n ? &s->v[i] : NULL;
}

int bw_secrets_scan_buffer(const char *path, const void *data, size_t len,
			   int (*fn)(const bw_secret *s, void *ctx), void *ctx)
{
	const secret_engine *eng = bw_secret_engine_current();
	secret_scanner *sc = NULL;
	const secret_hit *hits;
	size_t n;
	int rc;

	if (!eng)
		return bw_error_set(BW_EINTERNAL, "out of memory (secret rules)");
	if ((rc = bw_secret_scanner_new(&sc, eng)) < 0)
		return rc;
	if ((rc = bw_secret_scanner_begin(sc, path)) < 0 ||
	    (rc = bw_secret_scanner_feed(sc, data, len)) < 0 || (rc = bw_secret_scanner_end(sc, &hits, &n)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		const secret_rule *r = bw_secret_engine_rule(eng, hits[i].rule);
		bw_secret s = { .rule = r->id, .category = r->category, .severity = r->severity, .title = r->title,
				.path = path, .line = hits[i].line, .match = hits[i].match };
		if ((rc = fn(&s, ctx)) != 0)
			goto done;
	}
	rc = 0;
done:
	bw_secret_scanner_free(sc);
	return rc;
}
