/*
 * secrets/engine.c: the compiled rule set and the per-thread scanner.
 *
 * All rules go into one Hyperscan database in streaming mode, so a file is
 * read once, in whatever pieces the layer pass hands over, and a secret split
 * across two pieces is still one match. Hyperscan reports where a match ends;
 * the scanner keeps the last SECRETS_KEEP bytes before each piece, and PCRE2
 * (the same expression, searched from end - max_width, end-anchored) finds
 * where it starts and which part is the secret (capture group 1). Lines are
 * counted per piece, lazily, only as far as the scanner has moved on.
 *
 * Nothing here keeps the secret: a hit carries its span, line and redacted
 * form. Errors never quote the scanned text.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "bulwark/errors.h"
#include "crypto/digest.h"
#include "policy/glob.h"
#include "secrets/secrets_int.h"

struct secret_engine {
	secret_rule *rules;
	size_t n_rules;
	char **owned;            /* strings of custom rules */
	size_t n_owned;
	pcre2_code **re;
	unsigned *max_width;
	secret_allow *allows;    /* copied from the config, regexes compiled here */
	size_t n_allows;
	hs_database_t *db;
	hs_scratch_t *scratch;   /* prototype, cloned per scanner */
	uint64_t max_file;
	/* credit-card, us-ssn, iban: matched by numbers.c instead of Hyperscan; -1: not so */
	int num_card, num_ssn, num_iban;
	char fingerprint[17];    /* what decides the findings: keys the layer cache */
};

#define REJECTED_KEEP 64

struct secret_scanner {
	const secret_engine *eng;
	hs_scratch_t *scratch;
	hs_stream_t *stream;
	pcre2_match_data *md;
	uint8_t *win;
	size_t win_len, win_cap;
	uint64_t win_off;        /* stream offset of win[0] */
	size_t chunk_pos;        /* where the piece being scanned starts in win */
	uint64_t lines_before;   /* newlines in the stream before win[chunk_pos] */
	uint64_t nl_pos;         /* newlines are counted up to this stream offset ... */
	uint64_t nl_count;       /* ... and there are this many before it */
	char *path;
	bool open;
	secret_hit *hits;
	size_t n_hits;
	/* spans a specific rule matched but its validator refused (a token with a bad
	 * checksum): a generic rule must not report them either. The last REJECTED_KEEP. */
	struct { uint64_t start, end; } rejected[REJECTED_KEEP];
	size_t n_rejected;
	int err;
	secret_numscan num;      /* the candidates of numbers.c for the piece being scanned */
	bool num_on;
	void (*trace)(void *arg, unsigned rule, uint64_t end);
	void *trace_arg;
};

/* ------------------------------------------------------------ built-in allow rules */

/* Paths that hold documentation and test fixtures, not deployed credentials. */
static const char *const allow_paths[] = {
	"/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/common-licenses/*",
	"*/test/*", "*/tests/*", "*/testdata/*", "*/__tests__/*", "*/test_data/*", "*/spec/fixtures/*",
	"*/site-packages/*/tests/*", "*/node_modules/*/test/*", "*/node_modules/*/example/*",
	"*/node_modules/*/examples/*", "*/node_modules/*/docs/*", "*/node_modules/*/*.md",
	NULL,
};

static bool path_allowed(const char *path)
{
	for (size_t i = 0; allow_paths[i]; i++)
		if (bw_glob_match(allow_paths[i], path))
			return true;
	return false;
}

/* ------------------------------------------------------------ the compiled-database cache */

/*
 * Compiling ~100 expressions costs a quarter of a second, as much as reading a
 * small image. The database is cached in $XDG_CACHE_HOME/bulwark/secrets (or
 * ~/.cache/...), named by the SHA-256 of the Hyperscan version and every
 * expression with its flags and id, so a different rule set or library never
 * loads a stale file. BULWARK_SECRETS_CACHE=0 turns the cache off. Any failure
 * (no HOME, unwritable, a file Hyperscan refuses) falls back to compiling.
 */
#define CACHE_MAX_BYTES (64u << 20)

static bool cache_dir(char *out, size_t n)
{
	const char *off = getenv("BULWARK_SECRETS_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int w;
	if (off && !strcmp(off, "0"))
		return false;
	if (xdg && *xdg == '/')
		w = snprintf(out, n, "%s/bulwark/secrets", xdg);
	else if (home && *home == '/')
		w = snprintf(out, n, "%s/.cache/bulwark/secrets", home);
	else
		return false;
	return w > 0 && (size_t)w < n;
}

static void cache_key(const char *const *exprs, const unsigned *flags, const unsigned *ids, size_t n, char out[80])
{
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	bw_digest d;
	out[0] = '\0';
	if (!h)
		return;
	const char *v = hs_version();
	bw_hasher_update(h, v, strlen(v) + 1);
	for (size_t i = 0; i < n; i++) {
		char num[32];
		/* the ids too: the same expressions under other rule numbers are another database */
		int k = snprintf(num, sizeof(num), "%u:%u:", ids[i], flags[i]);
		bw_hasher_update(h, num, (size_t)k);
		bw_hasher_update(h, exprs[i], strlen(exprs[i]) + 1);
	}
	bw_hasher_final(h, &d);
	bw_hasher_free(h);
	snprintf(out, 80, "%.71s", strchr(d.text, ':') ? strchr(d.text, ':') + 1 : d.text);
}

static hs_database_t *cache_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	hs_database_t *db = NULL;
	char *buf = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > CACHE_MAX_BYTES ||
	    !(buf = malloc((size_t)st.st_size)))
		goto done;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0)
			goto done;
		got += (size_t)r;
	}
	if (hs_deserialize_database(buf, got, &db) != HS_SUCCESS)
		db = NULL;
done:
	free(buf);
	close(fd);
	return db;
}

static void cache_store(const char *dir, const char *path, const hs_database_t *db)
{
	char *bytes = NULL, tmp[4200], parent[4096];
	size_t len = 0;
	int fd;

	/* the directory and its parents, best effort */
	snprintf(parent, sizeof(parent), "%s", dir);
	for (char *p = parent + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(parent, 0700);
			*p = '/';
		}
	mkdir(parent, 0700);
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fd, bytes + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		/* rename() makes the file appear whole or not at all */
		if (close(fd) == 0 && off == len && rename(tmp, path) == 0)
			tmp[0] = '\0';
		if (tmp[0])
			unlink(tmp);
	}
	free(bytes);
}

/* hs_compile_multi, through the cache. */
static hs_error_t compile_cached(const char *const *exprs, const unsigned *flags, const unsigned *ids, size_t n,
				 hs_database_t **db, hs_compile_error_t **cerr)
{
	char dir[4096], key[80], path[4200];
	bool cache = cache_dir(dir, sizeof(dir));
	hs_error_t err;

	if (cache) {
		cache_key(exprs, flags, ids, n, key);
		cache = key[0] && snprintf(path, sizeof(path), "%s/%s.hsdb", dir, key) < (int)sizeof(path);
	}
	if (cache && (*db = cache_load(path)))
		return HS_SUCCESS;
	err = hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_STREAM, NULL, db, cerr);
	if (err == HS_SUCCESS && cache)
		cache_store(dir, path, *db);
	return err;
}

/* ------------------------------------------------------------ compiling */

static char *own(secret_engine *e, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		return NULL;
	char **o = realloc(e->owned, (e->n_owned + 1) * sizeof(*o));
	if (!o) {
		free(d);
		return NULL;
	}
	e->owned = o;
	e->owned[e->n_owned++] = d;
	return d;
}

static bool disabled(const bw_secrets_config *cfg, const char *id)
{
	for (size_t i = 0; cfg && i < cfg->n_disabled; i++)
		if (!strcmp(cfg->disabled[i], id))
			return true;
	return false;
}

static pcre2_code *compile_pcre(const char *regex, char *err, size_t errsz)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[128];
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errsz, "%s at offset %zu", (const char *)msg, (size_t)off);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* best effort: the interpreter is the fallback */
	return re;
}

void bw_secret_engine_free(secret_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; e->re && i < e->n_rules; i++)
		pcre2_code_free(e->re[i]);
	for (size_t i = 0; i < e->n_allows; i++) {
		pcre2_code_free(e->allows[i].re);
		free(e->allows[i].paths); /* the strings are in owned */
		free(e->allows[i].rules);
	}
	for (size_t i = 0; i < e->n_owned; i++)
		free(e->owned[i]);
	free(e->owned);
	free(e->allows);
	free(e->re);
	free(e->max_width);
	free(e->rules);
	hs_free_scratch(e->scratch);
	hs_free_database(e->db);
	free(e);
}

/* Which of numbers.c's rules r is (VAL_LUHN, VAL_SSN, VAL_IBAN), or VAL_NONE. Built-in rules
 * are copied with their regex pointer; a custom rule's regex is its own copy, so a custom
 * rule with the same text stays a Hyperscan expression. */
static int numbers_rule(const secret_rule *r)
{
	static const char *const ids[] = { "credit-card", "us-ssn", "iban" };
	static const secret_validator vals[] = { VAL_LUHN, VAL_SSN, VAL_IBAN };
	for (size_t i = 0; i < bw_secret_builtin_count; i++) {
		const secret_rule *b = &bw_secret_builtin_rules[i];
		if (r->regex != b->regex)
			continue;
		for (size_t k = 0; k < 3; k++)
			if (!strcmp(b->id, ids[k]) && b->validator == vals[k])
				return vals[k];
	}
	return VAL_NONE;
}

int bw_secret_engine_new(secret_engine **out, const bw_secrets_config *cfg, uint64_t max_file_size)
{
	return bw_secret_engine_new_ex(out, cfg, max_file_size, 0);
}

/*
 * Everything that decides which findings a file gives: the size limit, every
 * rule in order (all of its fields), every allow rule. Two engines with the
 * same fingerprint find the same things, so a layer's saved findings can be
 * reused (image/layercache.c); a changed --secret-config changes it.
 */
static void hash_str(bw_hasher *h, const char *s)
{
	bw_hasher_update(h, s ? s : "", s ? strlen(s) + 1 : 0);
	bw_hasher_update(h, s ? "\1" : "\0", 1);
}

static void engine_fingerprint(secret_engine *e, unsigned eflags)
{
	char num[96];
	bw_digest d;
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	if (!h) {
		e->fingerprint[0] = '\0';
		return;
	}
	snprintf(num, sizeof(num), "secrets/1 max=%llu flags=%u rules=%zu allows=%zu", (unsigned long long)e->max_file,
		 eflags, e->n_rules, e->n_allows);
	hash_str(h, num);
	for (size_t i = 0; i < e->n_rules; i++) {
		const secret_rule *r = &e->rules[i];
		hash_str(h, r->id), hash_str(h, r->category), hash_str(h, r->severity), hash_str(h, r->title);
		hash_str(h, r->regex), hash_str(h, r->keywords), hash_str(h, r->path_glob);
		snprintf(num, sizeof(num), "%d %.17g", (int)r->validator, r->min_entropy);
		hash_str(h, num);
	}
	for (size_t i = 0; i < e->n_allows; i++) {
		const secret_allow *a = &e->allows[i];
		hash_str(h, a->id), hash_str(h, a->regex);
		snprintf(num, sizeof(num), "%zu %zu", a->n_paths, a->n_rules);
		hash_str(h, num);
		for (size_t k = 0; k < a->n_paths; k++)
			hash_str(h, a->paths[k]);
		for (size_t k = 0; k < a->n_rules; k++)
			hash_str(h, a->rules[k]);
	}
	bw_hasher_final(h, &d);
	bw_hasher_free(h);
	snprintf(e->fingerprint, sizeof(e->fingerprint), "%.16s", bw_digest_hex(&d));
}

const char *bw_secret_engine_fingerprint(const secret_engine *e)
{
	return e->fingerprint;
}

int bw_secret_engine_new_ex(secret_engine **out, const bw_secrets_config *cfg, uint64_t max_file_size, unsigned eflags)
{
	secret_engine *e = calloc(1, sizeof(*e));
	size_t cap = bw_secret_builtin_count + (cfg ? cfg->n_rules : 0);
	const char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	size_t n_hs = 0;
	hs_compile_error_t *cerr = NULL;
	char err[256];
	int rc = BW_EINTERNAL;

	*out = NULL;
	if (!e || !(e->rules = calloc(cap + 1, sizeof(*e->rules))) || !(e->re = calloc(cap + 1, sizeof(*e->re))) ||
	    !(e->max_width = calloc(cap + 1, sizeof(*e->max_width))) || !(exprs = calloc(cap + 1, sizeof(*exprs))) ||
	    !(flags = calloc(cap + 1, sizeof(*flags))) || !(ids = calloc(cap + 1, sizeof(*ids)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	e->max_file = max_file_size ? max_file_size : SECRETS_DEFAULT_MAX_FILE;
	e->num_card = e->num_ssn = e->num_iban = -1;
	/* custom rules first: a user's rule wins over a built-in one finding the same span */
	for (size_t i = 0; cfg && i < cfg->n_rules; i++) {
		const secret_rule *c = &cfg->rules[i];
		secret_rule *r = &e->rules[e->n_rules];
		r->id = own(e, c->id);
		r->category = own(e, c->category ? c->category : "custom");
		r->severity = own(e, c->severity ? c->severity : "HIGH");
		r->title = own(e, c->title ? c->title : c->id);
		r->regex = own(e, c->regex);
		r->keywords = c->keywords ? own(e, c->keywords) : NULL;
		r->path_glob = c->path_glob ? own(e, c->path_glob) : NULL;
		r->validator = c->min_entropy > 0 ? VAL_ENTROPY : VAL_NONE;
		r->min_entropy = c->min_entropy;
		if (!r->id || !r->category || !r->severity || !r->title || !r->regex ||
		    (c->keywords && !r->keywords) || (c->path_glob && !r->path_glob)) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		e->n_rules++;
	}
	for (size_t i = 0; i < bw_secret_builtin_count; i++)
		if (!disabled(cfg, bw_secret_builtin_rules[i].id))
			e->rules[e->n_rules++] = bw_secret_builtin_rules[i];
	for (size_t i = 0; i < e->n_rules; i++) {
		const secret_rule *r = &e->rules[i];
		hs_expr_info_t *info = NULL;
		int num = eflags & SECRET_ENGINE_ALL_REGEX ? VAL_NONE : numbers_rule(r);
		if (num == VAL_LUHN)
			e->num_card = (int)i;
		else if (num == VAL_SSN)
			e->num_ssn = (int)i;
		else if (num == VAL_IBAN)
			e->num_iban = (int)i;
		if (num == VAL_NONE) {
			exprs[n_hs] = r->regex;
			flags[n_hs] = HS_FLAG_MULTILINE;
			ids[n_hs] = (unsigned)i;
			n_hs++;
		}
		if (hs_expression_info(r->regex, HS_FLAG_MULTILINE, &info, &cerr) != HS_SUCCESS) {
			rc = bw_error_set(BW_EUSAGE, "secret rule %s: regex: %s", r->id, cerr ? cerr->message : "invalid");
			goto done;
		}
		e->max_width[i] = info->max_width;
		if (info->min_width == 0) {
			free(info);
			rc = bw_error_set(BW_EUSAGE, "secret rule %s: regex matches the empty string", r->id);
			goto done;
		}
		free(info);
		/* "\z": the re-read must end where Hyperscan's match ended, and a pattern-level
		 * anchor (unlike PCRE2_ENDANCHORED at match time) keeps the JIT */
		size_t rl = strlen(r->regex);
		char *anchored = malloc(rl + 8);
		if (!anchored) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		memcpy(anchored, "(?:", 3);
		memcpy(anchored + 3, r->regex, rl);
		memcpy(anchored + 3 + rl, ")\\z", 4);
		e->re[i] = compile_pcre(anchored, err, sizeof(err));
		free(anchored);
		if (!e->re[i]) {
			rc = bw_error_set(BW_EUSAGE, "secret rule %s: regex: %s", r->id, err);
			goto done;
		}
	}
	if (e->n_rules == 0) {
		rc = bw_error_set(BW_EUSAGE, "secret rules: every rule is disabled");
		goto done;
	}
	if (n_hs == 0) {
		/* only numbers.c's rules are on: Hyperscan still needs one expression, so they go
		 * back into it (rare enough not to matter for speed) */
		for (size_t i = 0; i < e->n_rules; i++) {
			exprs[i] = e->rules[i].regex;
			flags[i] = HS_FLAG_MULTILINE;
			ids[i] = (unsigned)i;
		}
		n_hs = e->n_rules;
		e->num_card = e->num_ssn = e->num_iban = -1;
	}
	if (compile_cached(exprs, flags, ids, n_hs, &e->db, &cerr) != HS_SUCCESS) {
		const char *id = cerr && cerr->expression >= 0 && (size_t)cerr->expression < n_hs
					 ? e->rules[ids[cerr->expression]].id : "(all)";
		rc = bw_error_set(BW_EUSAGE, "secret rule %s: regex: %s", id, cerr ? cerr->message : "does not compile");
		goto done;
	}
	if (hs_alloc_scratch(e->db, &e->scratch) != HS_SUCCESS) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory (Hyperscan scratch)");
		goto done;
	}
	if (cfg && cfg->n_allows) {
		if (!(e->allows = calloc(cfg->n_allows, sizeof(*e->allows)))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < cfg->n_allows; i++) {
			const secret_allow *c = &cfg->allows[i];
			secret_allow *a = &e->allows[e->n_allows++];
			/* a deep copy: the config may be freed while the engine lives on */
			a->id = own(e, c->id);
			a->paths = calloc(c->n_paths + 1, sizeof(char *));
			a->rules = calloc(c->n_rules + 1, sizeof(char *));
			if (!a->id || !a->paths || !a->rules || (c->regex && !(a->regex = own(e, c->regex)))) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
			for (; a->n_paths < c->n_paths; a->n_paths++)
				if (!(a->paths[a->n_paths] = own(e, c->paths[a->n_paths]))) {
					rc = bw_error_set(BW_EINTERNAL, "out of memory");
					goto done;
				}
			for (; a->n_rules < c->n_rules; a->n_rules++)
				if (!(a->rules[a->n_rules] = own(e, c->rules[a->n_rules]))) {
					rc = bw_error_set(BW_EINTERNAL, "out of memory");
					goto done;
				}
			if (c->regex && !(a->re = compile_pcre(c->regex, err, sizeof(err)))) {
				rc = bw_error_set(BW_EUSAGE, "secret allow rule %s: regex: %s", c->id, err);
				goto done;
			}
		}
	}
	engine_fingerprint(e, eflags);
	*out = e;
	e = NULL;
	rc = 0;
done:
	hs_free_compile_error(cerr);
	free(exprs);
	free(flags);
	free(ids);
	bw_secret_engine_free(e);
	return rc;
}

size_t bw_secret_engine_rules(const secret_engine *e)
{
	return e->n_rules;
}

const secret_rule *bw_secret_engine_rule(const secret_engine *e, size_t i)
{
	return i < e->n_rules ? &e->rules[i] : NULL;
}

uint64_t bw_secret_engine_max_file(const secret_engine *e)
{
	return e->max_file;
}

/* ------------------------------------------------------------ the process-wide engine */

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static secret_engine *current;

const secret_engine *bw_secret_engine_current(void)
{
	secret_engine *e;
	pthread_mutex_lock(&current_lock);
	if (!current && bw_secret_engine_new(&current, NULL, 0) < 0)
		current = NULL;
	e = current;
	pthread_mutex_unlock(&current_lock);
	return e;
}

int bw_secrets_setup(const bw_secrets_options *opts)
{
	secret_engine *e = NULL;
	int rc = bw_secret_engine_new(&e, opts ? opts->config : NULL, opts ? opts->max_file_size : 0);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&current_lock);
	bw_secret_engine_free(current);
	current = e;
	pthread_mutex_unlock(&current_lock);
	return 0;
}

size_t bw_secrets_rule_count(void)
{
	const secret_engine *e = bw_secret_engine_current();
	return e ? e->n_rules : 0;
}

int bw_secrets_rule_at(size_t i, bw_secret_rule_info *out)
{
	const secret_engine *e = bw_secret_engine_current();
	if (!e || i >= e->n_rules)
		return bw_error_set(BW_EUSAGE, "secret rule %zu: no such rule", i);
	out->id = e->rules[i].id;
	out->category = e->rules[i].category;
	out->severity = e->rules[i].severity;
	out->title = e->rules[i].title;
	return 0;
}

/* ------------------------------------------------------------ scanning */

void bw_secret_scanner_free(secret_scanner *s)
{
	if (!s)
		return;
	if (s->stream)
		hs_close_stream(s->stream, s->scratch, NULL, NULL);
	hs_free_scratch(s->scratch);
	pcre2_match_data_free(s->md);
	free(s->win);
	free(s->path);
	free(s->hits);
	free(s->num.ev);
	free(s);
}

int bw_secret_scanner_new(secret_scanner **out, const secret_engine *e)
{
	secret_scanner *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	s->eng = e;
	s->num.card = e->num_card;
	s->num.ssn = e->num_ssn;
	s->num.iban = e->num_iban;
	s->num_on = e->num_card >= 0 || e->num_ssn >= 0 || e->num_iban >= 0;
	s->win_cap = SECRETS_KEEP + 2 * SECRETS_CHUNK;
	if (!(s->win = malloc(s->win_cap)) || !(s->hits = calloc(SECRETS_MAX_PER_FILE, sizeof(*s->hits))) ||
	    !(s->md = pcre2_match_data_create(4, NULL)) ||
	    hs_clone_scratch(e->scratch, &s->scratch) != HS_SUCCESS ||
	    hs_open_stream(e->db, 0, &s->stream) != HS_SUCCESS) {
		bw_secret_scanner_free(s);
		return bw_error_set(BW_EINTERNAL, "out of memory (secret scanner)");
	}
	*out = s;
	return 0;
}

/* Newlines in p[0..n): every byte of every piece goes through here, so 16 at a time
 * where SSE2 is (byte counters summed with psadbw before they can wrap). */
static size_t count_nl(const uint8_t *p, size_t n)
{
	size_t c = 0, i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	while (i + 16 <= n) {
		__m128i acc = zero;
		for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16)
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl));
		__m128i sum = _mm_sad_epu8(acc, zero);
		c += (size_t)_mm_cvtsi128_si64(sum) + (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum));
	}
#endif
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

static bool allowed_by_config(const secret_engine *e, const secret_rule *r, const char *path, const char *sec,
			      size_t n, pcre2_match_data *md)
{
	for (size_t i = 0; i < e->n_allows; i++) {
		const secret_allow *a = &e->allows[i];
		bool ok = true;
		if (a->n_rules) {
			ok = false;
			for (size_t k = 0; k < a->n_rules && !ok; k++)
				ok = !strcmp(a->rules[k], r->id);
		}
		if (ok && a->n_paths) {
			ok = false;
			for (size_t k = 0; k < a->n_paths && !ok; k++)
				ok = bw_glob_match(a->paths[k], path);
		}
		if (ok && a->re)
			ok = pcre2_match(a->re, (PCRE2_SPTR)sec, n, 0, 0, md, NULL) >= 0;
		if (ok)
			return true;
	}
	return false;
}

/* A candidate: rule id matched and ended at stream offset to (Hyperscan or numbers.c). */
static void handle_match(secret_scanner *s, unsigned id, unsigned long long to)
{
	const secret_engine *e = s->eng;
	const secret_rule *r = &e->rules[id];

	if (s->trace)
		s->trace(s->trace_arg, id, to);
	if (s->n_hits >= SECRETS_MAX_PER_FILE || to < s->win_off || to - s->win_off > s->win_len)
		return;
	if (r->path_glob && !bw_glob_match(r->path_glob, s->path))
		return;
	size_t end = (size_t)(to - s->win_off);
	/* where the match starts: search the last NEAR bytes first (nearly every match is
	 * short), then as far back as the rule's width and the kept window allow. The cost
	 * per candidate stays bounded whatever the file holds. */
	size_t width = e->max_width[id] < SECRETS_KEEP ? e->max_width[id] : SECRETS_KEEP;
	size_t near = width < SECRETS_NEAR ? width : SECRETS_NEAR;
	int m = pcre2_match(e->re[id], (PCRE2_SPTR)s->win, end, near >= end ? 0 : end - near, 0, s->md, NULL);
	if (m <= 0 && width > near)
		m = pcre2_match(e->re[id], (PCRE2_SPTR)s->win, end, width >= end ? 0 : end - width, 0, s->md, NULL);
	if (m <= 0)
		return; /* the match started before the kept window (longer than SECRETS_KEEP) */
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
	size_t a = ov[0], b = ov[1];
	if (m >= 2 && ov[2] != PCRE2_UNSET) {
		a = ov[2];
		b = ov[3];
	}
	if (b <= a)
		return;
	const char *sec = (const char *)s->win + a;
	size_t n = b - a, blen = a < SECRETS_KEYWORD_REACH ? a : SECRETS_KEYWORD_REACH;
	if (!bw_secret_validate(r, sec, n, (const char *)s->win + a - blen, blen)) {
		if (strcmp(r->category, "generic") != 0) {
			uint64_t ra = s->win_off + a, rb = s->win_off + b;
			size_t k = s->n_rejected++ % REJECTED_KEEP;
			s->rejected[k].start = ra;
			s->rejected[k].end = rb;
			/* a generic hit on the same span may have been reported first (same end offset) */
			for (size_t i = s->n_hits; i > 0 && s->n_hits - i < 16; i--) {
				secret_hit *g = &s->hits[i - 1];
				if (g->start < rb && ra < g->end && !strcmp(e->rules[g->rule].category, "generic")) {
					memmove(g, g + 1, (s->n_hits - i) * sizeof(*g));
					s->n_hits--;
				}
			}
		}
		return;
	}
	if (e->n_allows && allowed_by_config(e, r, s->path, sec, n, s->md))
		return;
	/* the line: counted on from the last position asked about (matches come in order, so a
	 * piece is counted about once however many candidates it holds) */
	uint64_t abs = s->win_off + a;
	if (abs >= s->nl_pos) {
		s->nl_count += count_nl(s->win + (s->nl_pos - s->win_off), (size_t)(abs - s->nl_pos));
		s->nl_pos = abs;
	}
	uint64_t line = s->nl_count + 1;
	if (abs < s->nl_pos)
		line -= count_nl(s->win + a, (size_t)(s->nl_pos - abs));
	if (!strcmp(r->category, "generic")) {
		uint64_t ga = s->win_off + a, gb = s->win_off + b;
		size_t kept = s->n_rejected < REJECTED_KEEP ? s->n_rejected : REJECTED_KEEP;
		for (size_t k = 0; k < kept; k++)
			if (s->rejected[k].start < gb && ga < s->rejected[k].end)
				return;
	}
	secret_hit *h = &s->hits[s->n_hits++];
	h->rule = id;
	h->line = line;
	h->start = s->win_off + a;
	h->end = s->win_off + b;
	bw_secret_redact(sec, n, h->match, sizeof(h->match));
	return;
}

/* numbers.c's candidates of this piece that end at or before `to`, in order */
static void flush_numbers(secret_scanner *s, uint64_t to)
{
	secret_numscan *ns = &s->num;
	while (ns->next_ev < ns->n_ev && ns->ev[ns->next_ev].end <= to) {
		const secret_num_event *ev = &ns->ev[ns->next_ev++];
		handle_match(s, ev->rule, ev->end);
	}
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	secret_scanner *s = ctx;
	(void)from;
	(void)flags;
	/* Hyperscan reports in end-offset order: numbers.c's ends before this one go first */
	if (s->num.next_ev < s->num.n_ev)
		flush_numbers(s, to);
	handle_match(s, id, to);
	return 0;
}

void bw_secret_scanner_trace(secret_scanner *s, void (*fn)(void *arg, unsigned rule, uint64_t end), void *arg)
{
	s->trace = fn;
	s->trace_arg = arg;
}

int bw_secret_scanner_begin(secret_scanner *s, const char *path)
{
	free(s->path);
	if (!(s->path = strdup(path ? path : "")))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	s->win_len = s->chunk_pos = 0;
	s->nl_pos = s->nl_count = 0;
	s->win_off = 0;
	s->lines_before = 0;
	s->n_hits = 0;
	s->n_rejected = 0;
	s->err = 0;
	s->open = true;
	bw_secret_numscan_reset(&s->num);
	return 0;
}

int bw_secret_scanner_feed(secret_scanner *s, const uint8_t *data, size_t len)
{
	while (len) {
		size_t n = len < SECRETS_CHUNK ? len : SECRETS_CHUNK;
		/* the piece scanned last is history now: count its lines */
		s->lines_before += count_nl(s->win + s->chunk_pos, s->win_len - s->chunk_pos);
		if (s->win_len + n > s->win_cap) {
			size_t keep = s->win_len < SECRETS_KEEP ? s->win_len : SECRETS_KEEP;
			memmove(s->win, s->win + s->win_len - keep, keep);
			s->win_off += s->win_len - keep;
			s->win_len = keep;
		}
		memcpy(s->win + s->win_len, data, n);
		s->chunk_pos = s->win_len;
		s->win_len += n;
		s->nl_pos = s->win_off + s->chunk_pos;
		s->nl_count = s->lines_before;
		int rc;
		if (s->num_on && (rc = bw_secret_numscan_step(&s->num, s->win, s->win_off, s->win_off + s->win_len, false)) < 0)
			return rc;
		if (hs_scan_stream(s->stream, (const char *)s->win + s->chunk_pos, (unsigned)n, 0, s->scratch, on_match,
				   s) != HS_SUCCESS)
			return bw_error_set(BW_EINTERNAL, "%s: the secret matcher failed", s->path);
		if (s->num.next_ev < s->num.n_ev)
			flush_numbers(s, UINT64_MAX);
		data += n;
		len -= n;
	}
	return 0;
}

static int cmp_hit(const void *x, const void *y)
{
	const secret_hit *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

int bw_secret_scanner_end(secret_scanner *s, const secret_hit **hits, size_t *n)
{
	const secret_engine *e = s->eng;

	*hits = NULL;
	*n = 0;
	if (!s->open)
		return 0;
	s->open = false;
	/* end-of-data matches ("$", a token at the very end), and a clean stream for the next file */
	if (s->num_on) {
		int rc = bw_secret_numscan_step(&s->num, s->win, s->win_off, s->win_off + s->win_len, true);
		if (rc < 0)
			return rc;
		flush_numbers(s, UINT64_MAX);
	}
	if (hs_reset_stream(s->stream, 0, s->scratch, on_match, s) != HS_SUCCESS)
		return bw_error_set(BW_EINTERNAL, "%s: the secret matcher failed", s->path);
	if (s->n_hits && path_allowed(s->path))
		s->n_hits = 0;
	qsort(s->hits, s->n_hits, sizeof(*s->hits), cmp_hit);
	/* one finding per secret: the same span keeps the first rule of the table; a generic
	 * assignment whose value a specific rule recognised is that rule's finding */
	size_t o = 0;
	for (size_t i = 0; i < s->n_hits; i++) {
		const secret_hit *h = &s->hits[i];
		bool drop = false;
		bool generic = !strcmp(e->rules[h->rule].category, "generic");
		for (size_t j = 0; j < s->n_hits && !drop; j++) {
			const secret_hit *g = &s->hits[j];
			if (j == i || g->start >= h->end || h->start >= g->end)
				continue;
			bool g_generic = !strcmp(e->rules[g->rule].category, "generic");
			if (g->start == h->start && g->end == h->end)
				drop = g->rule < h->rule || (g->rule == h->rule && j < i);
			else if (generic && !g_generic)
				drop = true;
		}
		if (!drop)
			s->hits[o++] = *h;
	}
	s->n_hits = o;
	*hits = s->hits;
	*n = s->n_hits;
	return 0;
}
