/*
 * secrets/config.c: the secret scanner's YAML file (--secret-config): custom
 * rules, allow rules and built-in rules turned off. The file is the user's,
 * but it is parsed as hostile all the same: every size is bounded, unknown
 * keys are errors (a misspelt "allow" must not silently allow nothing), and
 * errors are one line, BW_EUSAGE, naming the file, the entry and the key.
 *
 *   rules:
 *     - {id: internal-token, regex: 'itk_[a-z0-9]{32}', severity: HIGH, category: internal,
 *        title: "...", keywords: [itk_], path: "/srv/...", entropy: 3.0}
 *   allow:
 *     - {id: fixtures, paths: ["/srv/fixtures/..."], rules: [generic-password], regex: "^test"}
 *   disable: [jwt]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "policy/glob.h"
#include "secrets/secrets_int.h"
#include "util/buf.h"
#include "util/yaml.h"

#define MAX_REGEX 2048
#define MAX_LIST 64

typedef struct cfgctx {
	const char *what;
	const bw_yaml_lines *lines;
} cfgctx;

static int cfg_error(cfgctx *c, const json_t *obj, const char *key, const char *where, const char *problem)
{
	size_t line = obj && key ? bw_yaml_line_of_key(c->lines, obj, key) : 0;
	if (line)
		return bw_error_set(BW_EUSAGE, "%s:%zu: %s: %s", c->what, line, where, problem);
	return bw_error_set(BW_EUSAGE, "%s: %s: %s", c->what, where, problem);
}

static int check_keys(cfgctx *c, const json_t *obj, const char *where, const char *const *known)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = !strcmp(key, known[i]);
		if (!ok) {
			char msg[160];
			snprintf(msg, sizeof(msg), "unknown key \"%.60s\"", key);
			return cfg_error(c, obj, key, where, msg);
		}
	}
	return 0;
}

static int get_str(cfgctx *c, const json_t *obj, const char *key, const char *where, size_t max, char **out)
{
	json_t *v = json_object_get(obj, key);
	char msg[128];
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(msg, sizeof(msg), "%s: wants a non-empty string of at most %zu bytes", key, max);
		return cfg_error(c, obj, key, where, msg);
	}
	if (!(*out = strdup(json_string_value(v))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

static int get_list(cfgctx *c, const json_t *obj, const char *key, const char *where, size_t max_item,
		    char ***out, size_t *n)
{
	json_t *v = json_object_get(obj, key);
	char msg[160];
	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > MAX_LIST) {
		snprintf(msg, sizeof(msg), "%s: wants a list of at most %d strings", key, MAX_LIST);
		return cfg_error(c, obj, key, where, msg);
	}
	if (!(*out = calloc(json_array_size(v) + 1, sizeof(char *))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *s = json_array_get(v, i);
		if (!json_is_string(s) || json_string_length(s) == 0 || json_string_length(s) > max_item ||
		    strlen(json_string_value(s)) != json_string_length(s)) {
			snprintf(msg, sizeof(msg), "%s: item %zu: wants a non-empty string of at most %zu bytes", key,
				 i + 1, max_item);
			return cfg_error(c, obj, key, where, msg);
		}
		if (!((*out)[i] = strdup(json_string_value(s))))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		(*n)++;
	}
	return 0;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

static int check_glob(cfgctx *c, const json_t *obj, const char *key, const char *where, const char *g)
{
	size_t off;
	const char *why = bw_glob_check(g, &off);
	char msg[200];
	if (!why)
		return 0;
	snprintf(msg, sizeof(msg), "%s: \"%.80s\": %s at offset %zu", key, g, why, off);
	return cfg_error(c, obj, key, where, msg);
}

void bw_secrets_config_free(bw_secrets_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_rules; i++) {
		secret_rule *r = &cfg->rules[i];
		free((char *)r->id);
		free((char *)r->category);
		free((char *)r->severity);
		free((char *)r->title);
		free((char *)r->regex);
		free((char *)r->keywords);
		free((char *)r->path_glob);
	}
	for (size_t i = 0; i < cfg->n_allows; i++) {
		free(cfg->allows[i].id);
		free(cfg->allows[i].regex);
		free_list(cfg->allows[i].paths, cfg->allows[i].n_paths);
		free_list(cfg->allows[i].rules, cfg->allows[i].n_rules);
	}
	free_list(cfg->disabled, cfg->n_disabled);
	free(cfg->rules);
	free(cfg->allows);
	free(cfg);
}

static int load_rule(cfgctx *c, const json_t *o, size_t idx, secret_rule *r)
{
	static const char *const known[] = { "id", "category", "severity", "title", "regex", "keywords", "path",
					     "entropy", NULL };
	char where[96], *s = NULL, **kw = NULL;
	size_t n_kw = 0;
	int rc;

	snprintf(where, sizeof(where), "rules[%zu]", idx + 1);
	if (!json_is_object(o))
		return cfg_error(c, NULL, NULL, where, "wants a mapping");
	if ((rc = check_keys(c, o, where, known)) < 0)
		return rc;
	if ((rc = get_str(c, o, "id", where, 64, (char **)&r->id)) < 0)
		return rc;
	if (!r->id || !valid_id(r->id))
		return cfg_error(c, o, "id", where, "id: wants letters, digits, '-', '_' or '.' (at most 64)");
	snprintf(where, sizeof(where), "rule %s", r->id);
	if ((rc = get_str(c, o, "regex", where, MAX_REGEX, (char **)&r->regex)) < 0 ||
	    (rc = get_str(c, o, "category", where, 64, (char **)&r->category)) < 0 ||
	    (rc = get_str(c, o, "title", where, 200, (char **)&r->title)) < 0 ||
	    (rc = get_str(c, o, "path", where, BW_GLOB_MAX_BYTES, (char **)&r->path_glob)) < 0 ||
	    (rc = get_str(c, o, "severity", where, 16, (char **)&r->severity)) < 0)
		return rc;
	if (!r->regex)
		return cfg_error(c, o, "id", where, "regex: missing");
	if (r->severity && strcmp(r->severity, "CRITICAL") && strcmp(r->severity, "HIGH") &&
	    strcmp(r->severity, "MEDIUM") && strcmp(r->severity, "LOW"))
		return cfg_error(c, o, "severity", where, "severity: wants CRITICAL, HIGH, MEDIUM or LOW");
	if (r->path_glob && (rc = check_glob(c, o, "path", where, r->path_glob)) < 0)
		return rc;
	if ((rc = get_str(c, o, "entropy", where, 16, &s)) < 0)
		return rc;
	if (s) {
		char *end;
		double v = strtod(s, &end);
		bool trailing = *end != '\0';
		free(s);
		if (trailing || !(v >= 0 && v <= 8))
			return cfg_error(c, o, "entropy", where, "entropy: wants bits per byte, 0 to 8");
		r->min_entropy = v;
	}
	if ((rc = get_list(c, o, "keywords", where, 63, &kw, &n_kw)) < 0)
		goto done;
	if (n_kw) {
		size_t len = 0;
		for (size_t i = 0; i < n_kw; i++) {
			if (strchr(kw[i], '|')) {
				rc = cfg_error(c, o, "keywords", where, "keywords: a keyword cannot hold '|'");
				goto done;
			}
			len += strlen(kw[i]) + 1;
		}
		char *joined = malloc(len);
		if (!joined) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		/* len counted every keyword plus one byte each: room for the '|'s and the NUL */
		size_t at = 0;
		for (size_t i = 0; i < n_kw; i++) {
			size_t n = strlen(kw[i]);
			if (i)
				joined[at++] = '|';
			memcpy(joined + at, kw[i], n);
			at += n;
		}
		joined[at] = '\0';
		r->keywords = joined;
	}
	rc = 0;
done:
	free_list(kw, n_kw);
	return rc;
}

static int load_allow(cfgctx *c, const json_t *o, size_t idx, secret_allow *a)
{
	static const char *const known[] = { "id", "regex", "paths", "rules", NULL };
	char where[96];
	int rc;

	snprintf(where, sizeof(where), "allow[%zu]", idx + 1);
	if (!json_is_object(o))
		return cfg_error(c, NULL, NULL, where, "wants a mapping");
	if ((rc = check_keys(c, o, where, known)) < 0 || (rc = get_str(c, o, "id", where, 64, &a->id)) < 0)
		return rc;
	if (!a->id || !valid_id(a->id))
		return cfg_error(c, o, "id", where, "id: wants letters, digits, '-', '_' or '.' (at most 64)");
	snprintf(where, sizeof(where), "allow %s", a->id);
	if ((rc = get_str(c, o, "regex", where, MAX_REGEX, &a->regex)) < 0 ||
	    (rc = get_list(c, o, "paths", where, BW_GLOB_MAX_BYTES, &a->paths, &a->n_paths)) < 0 ||
	    (rc = get_list(c, o, "rules", where, 64, &a->rules, &a->n_rules)) < 0)
		return rc;
	for (size_t i = 0; i < a->n_paths; i++)
		if ((rc = check_glob(c, o, "paths", where, a->paths[i])) < 0)
			return rc;
	if (!a->regex && !a->n_paths && !a->n_rules)
		return cfg_error(c, o, "id", where, "wants at least one of regex, paths, rules");
	return 0;
}

int bw_secrets_config_parse(bw_secrets_config **out, const char *what, const void *data, size_t len)
{
	static const char *const known[] = { "rules", "allow", "disable", NULL };
	bw_secrets_config *cfg = NULL;
	bw_yaml_lines *lines = NULL;
	json_t *root = NULL, *v;
	cfgctx c = { .what = what };
	int rc;

	*out = NULL;
	if ((rc = bw_yaml_parse_lines(what, data, len, SECRETS_MAX_CONFIG_BYTES, 0, &root, &lines)) < 0) {
		if (rc == BW_EINPUT) {
			char msg[sizeof(bw_error_last()->message)];
			snprintf(msg, sizeof(msg), "%s", bw_error_last()->message);
			rc = bw_error_set(BW_EUSAGE, "%s", msg);
		}
		goto done;
	}
	c.lines = lines;
	if (!(cfg = calloc(1, sizeof(*cfg)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if (json_is_null(root))
		goto ok;
	if (!json_is_object(root)) {
		rc = cfg_error(&c, NULL, NULL, "document", "wants a mapping with rules, allow, disable");
		goto done;
	}
	if ((rc = check_keys(&c, root, "document", known)) < 0)
		goto done;
	if ((v = json_object_get(root, "rules"))) {
		if (!json_is_array(v) || json_array_size(v) > SECRETS_MAX_CUSTOM) {
			rc = cfg_error(&c, root, "rules", "rules", "wants a list of at most 512 rules");
			goto done;
		}
		if (!(cfg->rules = calloc(json_array_size(v) + 1, sizeof(*cfg->rules)))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < json_array_size(v); i++) {
			cfg->n_rules++;
			if ((rc = load_rule(&c, json_array_get(v, i), i, &cfg->rules[i])) < 0)
				goto done;
			for (size_t k = 0; k < i; k++)
				if (!strcmp(cfg->rules[k].id, cfg->rules[i].id)) {
					rc = cfg_error(&c, NULL, NULL, "rules", "two rules have the same id");
					goto done;
				}
		}
	}
	if ((v = json_object_get(root, "allow"))) {
		if (!json_is_array(v) || json_array_size(v) > SECRETS_MAX_CUSTOM) {
			rc = cfg_error(&c, root, "allow", "allow", "wants a list of at most 512 allow rules");
			goto done;
		}
		if (!(cfg->allows = calloc(json_array_size(v) + 1, sizeof(*cfg->allows)))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < json_array_size(v); i++) {
			cfg->n_allows++;
			if ((rc = load_allow(&c, json_array_get(v, i), i, &cfg->allows[i])) < 0)
				goto done;
		}
	}
	if (json_object_get(root, "disable") &&
	    (rc = get_list(&c, root, "disable", "disable", 64, &cfg->disabled, &cfg->n_disabled)) < 0)
		goto done;
	for (size_t i = 0; i < cfg->n_disabled; i++) {
		bool known_rule = false;
		for (size_t k = 0; k < bw_secret_builtin_count && !known_rule; k++)
			known_rule = !strcmp(bw_secret_builtin_rules[k].id, cfg->disabled[i]);
		if (!known_rule) {
			char msg[128];
			snprintf(msg, sizeof(msg), "\"%.64s\" is not a built-in rule", cfg->disabled[i]);
			rc = cfg_error(&c, root, "disable", "disable", msg);
			goto done;
		}
	}
ok:
	*out = cfg;
	cfg = NULL;
	rc = 0;
done:
	bw_secrets_config_free(cfg);
	bw_yaml_lines_free(lines);
	json_decref(root);
	return rc;
}

int bw_secrets_config_load(bw_secrets_config **out, const char *path)
{
	bw_buf b = BW_BUF_INIT(SECRETS_MAX_CONFIG_BYTES);
	int rc;

	*out = NULL;
	if ((rc = bw_buf_read_file(&b, path, BW_EUSAGE, "the secret config file")) == 0)
		rc = bw_secrets_config_parse(out, path, b.data ? (const char *)b.data : "", b.len);
	bw_buf_free(&b);
	return rc;
}
