/*
 * policy/policy.c: loading a policy file (DESIGN.md §6b, docs/policy.md).
 *
 * The file is YAML read with the core schema (util/yaml.h, BW_YAML_TYPED, no
 * aliases), then checked key by key against the shape below; anything the
 * shape does not name is an error, so a misspelt key can never turn a gate
 * off silently. Every error is BW_EUSAGE, one line "FILE:LINE: KEY: problem",
 * LINE being where the key (or list item) was written.
 *
 *   version: 1
 *   scope: {references: [GLOB], labels: {KEY: GLOB}}
 *   rules: [{name, action, vulnerabilities, licenses, secrets, image, signature}]
 *   exceptions: [{id, package, reason, expires}]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bulwark/errors.h"
#include "bulwark/misconfig.h"
#include "bulwark/scan.h"
#include "license/license.h"
#include "policy/glob.h"
#include "policy/policy_int.h"
#include "util/buf.h"
#include "util/yaml.h"

typedef struct loadctx {
	const char *what;
	const bw_yaml_lines *lines;
} loadctx;

/* ------------------------------------------------------------------ errors */

static int error_line(loadctx *c, size_t line, const char *path, const char *fmt, va_list ap)
{
	char msg[600];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line)
		return bw_error_set(BW_EUSAGE, "%s:%zu: %s: %s", c->what, line, path, msg);
	return bw_error_set(BW_EUSAGE, "%s: %s: %s", c->what, path, msg);
}

/* An error about key `key` of mapping obj; path names that key. */
__attribute__((format(printf, 5, 6)))
static int key_error(loadctx *c, const json_t *obj, const char *key, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = error_line(c, bw_yaml_line_of_key(c->lines, obj, key), path, fmt, ap);
	va_end(ap);
	return rc;
}

__attribute__((format(printf, 5, 6)))
static int item_error(loadctx *c, const json_t *arr, size_t index, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = error_line(c, bw_yaml_line_of_item(c->lines, arr, index), path, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "nothing (null)";
	}
}

/* path + "." + key, or path + "[i]" */
static void sub_path(char *out, size_t size, const char *path, const char *key)
{
	snprintf(out, size, "%s%s%.200s", path, *path ? "." : "", key);
}

static void item_path(char *out, size_t size, const char *path, size_t i)
{
	snprintf(out, size, "%s[%zu]", path, i);
}

#define PATH_MAX_BYTES 512

/* Unknown keys are errors that list the known ones. */
static int check_keys(loadctx *c, const json_t *obj, const char *path, const char *const *known)
{
	const char *key;
	json_t *v;
	char p[PATH_MAX_BYTES], list[400];

	json_object_foreach((json_t *)obj, key, v) {
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			ok = ok || strcmp(key, known[i]) == 0;
		if (ok)
			continue;
		size_t n = 0;
		list[0] = '\0';
		for (size_t i = 0; known[i] && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", known[i]);
		sub_path(p, sizeof(p), path, key);
		return key_error(c, obj, key, p, "unknown key (known here: %s)", list);
	}
	return 0;
}

/* ------------------------------------------------------------------ scalars */

static int want_type(loadctx *c, const json_t *obj, const char *key, const char *path, const json_t *v,
		     bool ok, const char *want)
{
	if (ok)
		return 0;
	return key_error(c, obj, key, path, "wrong type: expected %s, found %s", want, type_name(v));
}

static int get_string(loadctx *c, const json_t *obj, const char *key, const char *path, char **out)
{
	json_t *v = json_object_get(obj, key);
	int rc;

	if ((rc = want_type(c, obj, key, path, v, json_is_string(v), "a string")) < 0)
		return rc;
	if (json_string_length(v) == 0 || json_string_length(v) > BW_POLICY_MAX_STRING)
		return key_error(c, obj, key, path, "must be 1 to %d bytes long", BW_POLICY_MAX_STRING);
	for (const char *s = json_string_value(v); *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return key_error(c, obj, key, path, "holds a control character");
	free(*out);
	if (!(*out = strdup(json_string_value(v))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

static int get_bool(loadctx *c, const json_t *obj, const char *key, const char *path, bool *out)
{
	json_t *v = json_object_get(obj, key);
	int rc = want_type(c, obj, key, path, v, json_is_boolean(v), "true or false");

	if (rc == 0)
		*out = json_is_true(v);
	return rc;
}

static int get_days(loadctx *c, const json_t *obj, const char *key, const char *path, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	int rc = want_type(c, obj, key, path, v, json_is_integer(v), "a whole number of days");

	if (rc < 0)
		return rc;
	if (json_integer_value(v) < 0 || json_integer_value(v) > BW_POLICY_MAX_DAYS)
		return key_error(c, obj, key, path, "%lld is out of the range 0..%d",
				 (long long)json_integer_value(v), BW_POLICY_MAX_DAYS);
	*out = json_integer_value(v);
	return 0;
}

/* The severity bit of a word (case-insensitive); 0 when it is none. */
static unsigned severity_bit(const char *s)
{
	static const struct { const char *name; unsigned bit; } map[] = {
		{ "CRITICAL", BW_SEV_CRITICAL }, { "HIGH", BW_SEV_HIGH }, { "MEDIUM", BW_SEV_MEDIUM },
		{ "LOW", BW_SEV_LOW }, { "UNKNOWN", BW_SEV_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(s, map[i].name) == 0)
			return map[i].bit;
	return 0;
}

bool bw_policy__date_days(const char *s, int64_t *days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return false;
	/* days from civil (Howard Hinnant's algorithm), exact for the Gregorian calendar */
	int64_t yy = y - (m <= 2);
	int64_t era = yy / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return true;
}

/* ------------------------------------------------------------------ lists */

/* Checks one list item (a string) and may replace it by its normal form; 0 or an error. */
typedef int (*item_check)(loadctx *c, const json_t *arr, size_t i, const char *path, char **value);

static int get_strlist(loadctx *c, const json_t *obj, const char *key, const char *path, bw_strlist *out,
		       item_check check)
{
	json_t *v = json_object_get(obj, key), *e;
	char p[PATH_MAX_BYTES];
	size_t i;
	int rc;

	if ((rc = want_type(c, obj, key, path, v, json_is_array(v), "a list of strings")) < 0)
		return rc;
	if (json_array_size(v) > BW_POLICY_MAX_LIST)
		return key_error(c, obj, key, path, "more than %d items", BW_POLICY_MAX_LIST);
	if (!(out->v = calloc(json_array_size(v) + 1, sizeof(char *))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	json_array_foreach(v, i, e) {
		item_path(p, sizeof(p), path, i);
		if (!json_is_string(e))
			return item_error(c, v, i, p, "wrong type: expected a string, found %s", type_name(e));
		if (json_string_length(e) == 0 || json_string_length(e) > BW_POLICY_MAX_STRING)
			return item_error(c, v, i, p, "must be 1 to %d bytes long", BW_POLICY_MAX_STRING);
		if (!(out->v[i] = strdup(json_string_value(e))))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		out->n = i + 1;
		if (check && (rc = check(c, v, i, p, &out->v[i])) < 0)
			return rc;
	}
	return 0;
}

static int check_glob(loadctx *c, const json_t *arr, size_t i, const char *path, char **value)
{
	size_t off;
	const char *why = bw_glob_check(*value, &off);

	if (!why)
		return 0;
	return item_error(c, arr, i, path, "bad pattern \"%.100s\": %s at offset %zu", *value, why, off);
}

static int check_severity(loadctx *c, const json_t *arr, size_t i, const char *path, char **value)
{
	if (severity_bit(*value))
		return 0;
	return item_error(c, arr, i, path, "\"%.60s\" is not a severity (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN)",
			  *value);
}

static int check_category(loadctx *c, const json_t *arr, size_t i, const char *path, char **value)
{
	if (bw_license_category_parse(*value) >= 0)
		return 0;
	return item_error(c, arr, i, path,
			  "\"%.60s\" is not a license category (forbidden, restricted, reciprocal, unknown, "
			  "notice, permissive, unencumbered)", *value);
}

/*
 * A license a policy names: one SPDX identifier (any spelling the
 * normaliser knows: "GPLv3+" is GPL-3.0-or-later), a LicenseRef, a license
 * the category table names, or "ID WITH EXCEPTION". Kept in normal form.
 */
static int check_license(loadctx *c, const json_t *arr, size_t i, const char *path, char **value)
{
	bw_license l;
	int rc;

	if ((rc = bw_license_normalize(&l, *value)) < 0)
		return rc;
	const bw_lexpr_node *root = l.expr ? &l.expr->nodes[l.expr->root] : NULL;
	bool single = root && (root->kind == BW_LEXPR_LICENSE ||
			       (root->kind == BW_LEXPR_WITH && l.spdx));
	bool known = single && (l.spdx || bw_license_id_category(root->id) != BW_LCAT_UNKNOWN ||
				(root->kind == BW_LEXPR_LICENSE && root->ref));
	if (!single || !known) {
		rc = item_error(c, arr, i, path,
				"\"%.100s\" is not %s", *value,
				single ? "an SPDX license identifier (nor a LicenseRef-, nor a license of "
					 "data/licenses/categories.tsv)"
				       : "one license (write one identifier per item; AND / OR belong to packages)");
		bw_license_clear(&l);
		return rc;
	}
	free(*value);
	*value = l.text;
	l.text = NULL;
	bw_license_clear(&l);
	return 0;
}

static int check_id(loadctx *c, const json_t *arr, size_t i, const char *path, char **value)
{
	for (const char *s = *value; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return item_error(c, arr, i, path, "\"%.60s\" is not an advisory id (it holds white space "
					  "or a control character)", *value);
	return 0;
}

static int check_plain(loadctx *c, const json_t *arr, size_t i, const char *path, char **value)
{
	for (const char *s = *value; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return item_error(c, arr, i, path, "holds a control character");
	return 0;
}

/* {KEY: GLOB} (or, when keys_only_ok, also [KEY, ...] meaning any value) */
static int get_labels(loadctx *c, const json_t *obj, const char *key, const char *path, bw_labelreq *out,
		      bool keys_only_ok)
{
	json_t *v = json_object_get(obj, key), *e;
	const char *k;
	char p[PATH_MAX_BYTES];
	size_t n, i = 0;
	int rc;

	if (keys_only_ok && json_is_array(v)) {
		bw_strlist keys = { 0 };
		if ((rc = get_strlist(c, obj, key, path, &keys, check_plain)) < 0) {
			out->keys = keys.v; /* freed with the policy */
			out->n = keys.n;
			return rc;
		}
		out->keys = keys.v;
		out->n = keys.n;
		out->patterns = calloc(keys.n + 1, sizeof(char *));
		return out->patterns ? 0 : bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if ((rc = want_type(c, obj, key, path, v, json_is_object(v),
			    keys_only_ok ? "a list of label names or a mapping of label: pattern"
					 : "a mapping of label: pattern")) < 0)
		return rc;
	n = json_object_size(v);
	if (n > BW_POLICY_MAX_LIST)
		return key_error(c, obj, key, path, "more than %d labels", BW_POLICY_MAX_LIST);
	if (!(out->keys = calloc(n + 1, sizeof(char *))) || !(out->patterns = calloc(n + 1, sizeof(char *))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	json_object_foreach(v, k, e) {
		sub_path(p, sizeof(p), path, k);
		if (!*k)
			return key_error(c, v, k, p, "an empty label name");
		if (!json_is_string(e))
			return key_error(c, v, k, p, "wrong type: expected a pattern (a string), found %s",
					 type_name(e));
		size_t off;
		const char *why = bw_glob_check(json_string_value(e), &off);
		if (why)
			return key_error(c, v, k, p, "bad pattern \"%.100s\": %s at offset %zu",
					 json_string_value(e), why, off);
		if (!(out->keys[i] = strdup(k)) || !(out->patterns[i] = strdup(json_string_value(e))))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		out->n = ++i;
	}
	return 0;
}

/* ------------------------------------------------------------------ sections */

static int get_mapping(loadctx *c, const json_t *obj, const char *key, const char *path, json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = v;
	return want_type(c, obj, key, path, v, json_is_object(v), "a mapping");
}

static int load_vulns(loadctx *c, const json_t *rule, const char *path, bw_vuln_rule *r)
{
	static const char *const known[] = { "severity", "fixable_only", "cvss_at_least", "ids", "older_than_days",
					     "origin", NULL };
	json_t *o, *v;
	char p[PATH_MAX_BYTES];
	int rc;

	if ((rc = get_mapping(c, rule, "vulnerabilities", path, &o)) < 0 || (rc = check_keys(c, o, path, known)) < 0)
		return rc;
	r->present = true;
	r->older_than_days = -1;
	if (json_object_get(o, "severity")) {
		bw_strlist sev = { 0 };
		sub_path(p, sizeof(p), path, "severity");
		rc = get_strlist(c, o, "severity", p, &sev, check_severity);
		for (size_t i = 0; i < sev.n; i++) {
			r->severities |= severity_bit(sev.v[i]);
			free(sev.v[i]);
		}
		free(sev.v);
		if (rc < 0)
			return rc;
		if (!r->severities)
			return key_error(c, o, "severity", p, "an empty list would match nothing");
	}
	sub_path(p, sizeof(p), path, "fixable_only");
	if (json_object_get(o, "fixable_only") && (rc = get_bool(c, o, "fixable_only", p, &r->fixable_only)) < 0)
		return rc;
	if ((v = json_object_get(o, "cvss_at_least"))) {
		sub_path(p, sizeof(p), path, "cvss_at_least");
		if ((rc = want_type(c, o, "cvss_at_least", p, v, json_is_number(v), "a number from 0 to 10")) < 0)
			return rc;
		if (json_number_value(v) < 0 || json_number_value(v) > 10)
			return key_error(c, o, "cvss_at_least", p, "%g is not a CVSS score (0 to 10)",
					 json_number_value(v));
		r->has_cvss = true;
		r->cvss_at_least = json_number_value(v);
	}
	if (json_object_get(o, "ids")) {
		sub_path(p, sizeof(p), path, "ids");
		if ((rc = get_strlist(c, o, "ids", p, &r->ids, check_id)) < 0)
			return rc;
	}
	if (json_object_get(o, "older_than_days")) {
		sub_path(p, sizeof(p), path, "older_than_days");
		if ((rc = get_days(c, o, "older_than_days", p, &r->older_than_days)) < 0)
			return rc;
	}
	if (json_object_get(o, "origin")) {
		char *origin = NULL;
		sub_path(p, sizeof(p), path, "origin");
		if ((rc = get_string(c, o, "origin", p, &origin)) < 0)
			return rc;
		r->origin = !strcmp(origin, "base") ? BW_ORIGIN_BASE : !strcmp(origin, "image") ? BW_ORIGIN_IMAGE : -1;
		free(origin);
		if (r->origin < 0)
			return key_error(c, o, "origin", p, "base (inherited from the recorded base image) or image "
					 "(added by this image)");
	}
	return 0;
}

static int load_licenses(loadctx *c, const json_t *rule, const char *path, bw_license_rule *r)
{
	static const char *const known[] = { "deny", "deny_categories", "allow", NULL };
	json_t *o;
	char p[PATH_MAX_BYTES];
	int rc;

	if ((rc = get_mapping(c, rule, "licenses", path, &o)) < 0 || (rc = check_keys(c, o, path, known)) < 0)
		return rc;
	r->present = true;
	if (json_object_get(o, "deny")) {
		sub_path(p, sizeof(p), path, "deny");
		if ((rc = get_strlist(c, o, "deny", p, &r->deny, check_license)) < 0)
			return rc;
	}
	if (json_object_get(o, "allow")) {
		sub_path(p, sizeof(p), path, "allow");
		if ((rc = get_strlist(c, o, "allow", p, &r->allow, check_license)) < 0)
			return rc;
		if (r->allow.n == 0)
			return key_error(c, o, "allow", p, "an empty allow list would deny every license "
					 "(leave the key out to allow any)");
	}
	if (json_object_get(o, "deny_categories")) {
		bw_strlist cats = { 0 };
		sub_path(p, sizeof(p), path, "deny_categories");
		rc = get_strlist(c, o, "deny_categories", p, &cats, check_category);
		for (size_t i = 0; i < cats.n; i++) {
			int cat = bw_license_category_parse(cats.v[i]);
			if (cat >= 0)
				r->deny_categories |= 1u << cat;
			free(cats.v[i]);
		}
		free(cats.v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* "min_severity": one severity name, as a BW_SEV_* bit; UNKNOWN only where a finding can have it. */
static int get_min_severity(loadctx *c, const json_t *o, const char *path, bool unknown_ok, unsigned *out)
{
	char p[PATH_MAX_BYTES], *sev = NULL;
	int rc;

	sub_path(p, sizeof(p), path, "min_severity");
	if ((rc = get_string(c, o, "min_severity", p, &sev)) < 0)
		return rc;
	*out = severity_bit(sev);
	if (!*out || (!unknown_ok && *out == BW_SEV_UNKNOWN))
		rc = key_error(c, o, "min_severity", p, "\"%.60s\" is not a severity (CRITICAL, HIGH, MEDIUM, LOW%s)",
			       sev, unknown_ok ? ", UNKNOWN" : "");
	free(sev);
	return rc;
}

static int load_secrets(loadctx *c, const json_t *rule, const char *path, bw_secrets_rule *r)
{
	static const char *const known[] = { "min_severity", "categories", NULL };
	json_t *o;
	char p[PATH_MAX_BYTES];
	int rc;

	if ((rc = get_mapping(c, rule, "secrets", path, &o)) < 0 || (rc = check_keys(c, o, path, known)) < 0)
		return rc;
	r->present = true;
	if (json_object_get(o, "min_severity") && (rc = get_min_severity(c, o, path, true, &r->min_severity)) < 0)
		return rc;
	if (json_object_get(o, "categories")) {
		sub_path(p, sizeof(p), path, "categories");
		if ((rc = get_strlist(c, o, "categories", p, &r->categories, check_plain)) < 0)
			return rc;
	}
	return 0;
}

/* A check id pattern must name at least one check of the table: a typo must
 * not switch a gate off quietly. */
static int check_misconfig_id(loadctx *c, const json_t *arr, size_t i, const char *path, char **value)
{
	size_t n, off;
	const bw_misconfig_check *t = bw_misconfig_checks(&n);
	const char *why = bw_glob_check(*value, &off);

	if (why)
		return item_error(c, arr, i, path, "bad pattern \"%.100s\": %s at offset %zu", *value, why, off);
	for (size_t k = 0; k < n; k++)
		if (bw_glob_match(*value, t[k].id))
			return 0;
	return item_error(c, arr, i, path, "\"%.100s\" names no misconfiguration check (BW-IMG-*, BW-FS-*, "
			  "BW-DF-*: docs/misconfig.md)", *value);
}

static int load_misconfigs(loadctx *c, const json_t *rule, const char *path, bw_misconfig_rule *r)
{
	static const char *const known[] = { "ids", "min_severity", NULL };
	json_t *o;
	char p[PATH_MAX_BYTES];
	int rc;

	if ((rc = get_mapping(c, rule, "misconfigurations", path, &o)) < 0 || (rc = check_keys(c, o, path, known)) < 0)
		return rc;
	r->present = true;
	if (json_object_get(o, "min_severity") && (rc = get_min_severity(c, o, path, false, &r->min_severity)) < 0)
		return rc;
	if (json_object_get(o, "ids")) {
		sub_path(p, sizeof(p), path, "ids");
		if ((rc = get_strlist(c, o, "ids", p, &r->ids, check_misconfig_id)) < 0)
			return rc;
	}
	return 0;
}

static int load_image(loadctx *c, const json_t *rule, const char *path, bw_image_rule *r)
{
	static const char *const known[] = { "forbid_root_user", "required_labels", "allowed_registries",
					     "max_age_days", "forbidden_packages", "allowed_base_images", NULL };
	json_t *o;
	char p[PATH_MAX_BYTES];
	bool b = false;
	int rc;

	if ((rc = get_mapping(c, rule, "image", path, &o)) < 0 || (rc = check_keys(c, o, path, known)) < 0)
		return rc;
	r->present = true;
	r->forbid_root_user = -1;
	r->max_age_days = -1;
	if (json_object_get(o, "forbid_root_user")) {
		sub_path(p, sizeof(p), path, "forbid_root_user");
		if ((rc = get_bool(c, o, "forbid_root_user", p, &b)) < 0)
			return rc;
		r->forbid_root_user = b;
	}
	if (json_object_get(o, "required_labels")) {
		sub_path(p, sizeof(p), path, "required_labels");
		if ((rc = get_labels(c, o, "required_labels", p, &r->required_labels, true)) < 0)
			return rc;
	}
	if (json_object_get(o, "allowed_registries")) {
		sub_path(p, sizeof(p), path, "allowed_registries");
		if ((rc = get_strlist(c, o, "allowed_registries", p, &r->allowed_registries, check_glob)) < 0)
			return rc;
	}
	if (json_object_get(o, "max_age_days")) {
		sub_path(p, sizeof(p), path, "max_age_days");
		if ((rc = get_days(c, o, "max_age_days", p, &r->max_age_days)) < 0)
			return rc;
	}
	if (json_object_get(o, "forbidden_packages")) {
		sub_path(p, sizeof(p), path, "forbidden_packages");
		if ((rc = get_strlist(c, o, "forbidden_packages", p, &r->forbidden_packages, check_glob)) < 0)
			return rc;
	}
	if (json_object_get(o, "allowed_base_images")) {
		sub_path(p, sizeof(p), path, "allowed_base_images");
		if ((rc = get_strlist(c, o, "allowed_base_images", p, &r->allowed_base_images, check_glob)) < 0)
			return rc;
	}
	return 0;
}

static int load_signature(loadctx *c, const json_t *rule, const char *path, bw_signature_rule *r)
{
	static const char *const known[] = { "keys", "attestations", NULL };
	json_t *o;
	char p[PATH_MAX_BYTES];
	int rc;

	if ((rc = get_mapping(c, rule, "signature", path, &o)) < 0 || (rc = check_keys(c, o, path, known)) < 0)
		return rc;
	r->present = true;
	if (json_object_get(o, "keys")) {
		sub_path(p, sizeof(p), path, "keys");
		if ((rc = get_strlist(c, o, "keys", p, &r->keys, check_plain)) < 0)
			return rc;
	}
	if (json_object_get(o, "attestations")) {
		sub_path(p, sizeof(p), path, "attestations");
		if ((rc = get_strlist(c, o, "attestations", p, &r->attestations, check_plain)) < 0)
			return rc;
	}
	return 0;
}

static int load_rule(loadctx *c, const json_t *rules, size_t index, bw_policy_rule *r)
{
	static const char *const known[] = { "name", "action", "vulnerabilities", "licenses", "secrets", "image",
					     "signature", "misconfigurations", NULL };
	json_t *o = json_array_get(rules, index);
	char path[PATH_MAX_BYTES], p[PATH_MAX_BYTES], *action = NULL;
	int rc;

	item_path(path, sizeof(path), "rules", index);
	if (!json_is_object(o))
		return item_error(c, rules, index, path, "wrong type: expected a mapping (a rule), found %s",
				  type_name(o));
	if ((rc = check_keys(c, o, path, known)) < 0)
		return rc;
	if (json_object_get(o, "name")) {
		sub_path(p, sizeof(p), path, "name");
		if ((rc = get_string(c, o, "name", p, &r->name)) < 0)
			return rc;
	} else if (!(r->name = strdup(path))) {
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	r->action = BW_ACT_FAIL;
	if (json_object_get(o, "action")) {
		sub_path(p, sizeof(p), path, "action");
		if ((rc = get_string(c, o, "action", p, &action)) < 0)
			return rc;
		if (!strcmp(action, "fail"))
			r->action = BW_ACT_FAIL;
		else if (!strcmp(action, "warn"))
			r->action = BW_ACT_WARN;
		else if (!strcmp(action, "info"))
			r->action = BW_ACT_INFO;
		else
			rc = key_error(c, o, "action", p, "\"%.60s\" is not an action (fail, warn or info)", action);
		free(action);
		if (rc < 0)
			return rc;
	}
	bool any = false;
#define SECTION(key, fn, field)                                        \
	if (json_object_get(o, key)) {                                 \
		sub_path(p, sizeof(p), path, key);                     \
		if ((rc = fn(c, o, p, &r->field)) < 0)                 \
			return rc;                                     \
		any = true;                                            \
	}
	SECTION("vulnerabilities", load_vulns, vulns)
	SECTION("licenses", load_licenses, licenses)
	SECTION("secrets", load_secrets, secrets)
	SECTION("image", load_image, image)
	SECTION("signature", load_signature, signature)
	SECTION("misconfigurations", load_misconfigs, misconfigs)
#undef SECTION
	if (!any)
		return item_error(c, rules, index, path, "the rule checks nothing (give it vulnerabilities, "
				  "licenses, secrets, image, signature or misconfigurations)");
	return 0;
}

static int load_exception(loadctx *c, const json_t *list, size_t index, bw_policy_exception *e)
{
	static const char *const known[] = { "id", "package", "reason", "expires", NULL };
	json_t *o = json_array_get(list, index);
	char path[PATH_MAX_BYTES], p[PATH_MAX_BYTES], *expires = NULL;
	int64_t days;
	int rc;

	item_path(path, sizeof(path), "exceptions", index);
	if (!json_is_object(o))
		return item_error(c, list, index, path, "wrong type: expected a mapping (an exception), found %s",
				  type_name(o));
	if ((rc = check_keys(c, o, path, known)) < 0)
		return rc;
	static const char *const required[] = { "id", "reason", "expires" };
	for (size_t i = 0; i < 3; i++)
		if (!json_object_get(o, required[i]))
			return item_error(c, list, index, path, "an exception needs %s (every exception has an id, "
					  "a reason and an expiry date)", required[i]);
	sub_path(p, sizeof(p), path, "id");
	if ((rc = get_string(c, o, "id", p, &e->id)) < 0)
		return rc;
	sub_path(p, sizeof(p), path, "reason");
	if ((rc = get_string(c, o, "reason", p, &e->reason)) < 0)
		return rc;
	if (json_object_get(o, "package")) {
		sub_path(p, sizeof(p), path, "package");
		if ((rc = get_string(c, o, "package", p, &e->package)) < 0)
			return rc;
	}
	sub_path(p, sizeof(p), path, "expires");
	if ((rc = get_string(c, o, "expires", p, &expires)) < 0)
		return rc;
	if (!bw_policy__date_days(expires, &days))
		rc = key_error(c, o, "expires", p, "\"%.40s\" is not a date YYYY-MM-DD", expires);
	else
		memcpy(e->expires, expires, 11);
	free(expires);
	return rc;
}

static int load_scope(loadctx *c, const json_t *doc, bw_policy *pol)
{
	static const char *const known[] = { "references", "labels", NULL };
	json_t *o;
	int rc;

	if ((rc = get_mapping(c, doc, "scope", "scope", &o)) < 0 || (rc = check_keys(c, o, "scope", known)) < 0)
		return rc;
	if (!json_object_get(o, "references") && !json_object_get(o, "labels"))
		return key_error(c, doc, "scope", "scope", "names neither references nor labels");
	pol->has_scope = true;
	if (json_object_get(o, "references") &&
	    (rc = get_strlist(c, o, "references", "scope.references", &pol->scope_references, check_glob)) < 0)
		return rc;
	if (json_object_get(o, "labels") &&
	    (rc = get_labels(c, o, "labels", "scope.labels", &pol->scope_labels, false)) < 0)
		return rc;
	return 0;
}

/* ------------------------------------------------------------------ the whole */

static void strlist_free(bw_strlist *l)
{
	for (size_t i = 0; l->v && i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static void labelreq_free(bw_labelreq *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys ? l->keys[i] : NULL);
		free(l->patterns ? l->patterns[i] : NULL);
	}
	free(l->keys);
	free(l->patterns);
}

void bw_policy_free(bw_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++) {
		bw_policy_rule *r = &p->rules[i];
		free(r->name);
		strlist_free(&r->vulns.ids);
		strlist_free(&r->licenses.deny);
		strlist_free(&r->licenses.allow);
		strlist_free(&r->secrets.categories);
		labelreq_free(&r->image.required_labels);
		strlist_free(&r->image.allowed_registries);
		strlist_free(&r->image.forbidden_packages);
		strlist_free(&r->image.allowed_base_images);
		strlist_free(&r->signature.keys);
		strlist_free(&r->signature.attestations);
		strlist_free(&r->misconfigs.ids);
	}
	free(p->rules);
	for (size_t i = 0; i < p->n_exceptions; i++) {
		free(p->exceptions[i].id);
		free(p->exceptions[i].package);
		free(p->exceptions[i].reason);
	}
	free(p->exceptions);
	strlist_free(&p->scope_references);
	labelreq_free(&p->scope_labels);
	free(p->path);
	free(p);
}

static int load_doc(loadctx *c, const json_t *doc, bw_policy *pol)
{
	static const char *const known[] = { "version", "scope", "rules", "exceptions", NULL };
	json_t *v, *rules, *exc;
	int rc;

	if (!json_is_object(doc))
		return bw_error_set(BW_EUSAGE, "%s:1: the policy must be a mapping (version, scope, rules, "
				    "exceptions), not %s", c->what, type_name(doc));
	if ((rc = check_keys(c, doc, "", known)) < 0)
		return rc;
	v = json_object_get(doc, "version");
	if (!v)
		return bw_error_set(BW_EUSAGE, "%s:1: version: missing (write \"version: 1\" first)", c->what);
	if (!json_is_integer(v))
		return key_error(c, doc, "version", "version", "wrong type: expected the number 1, found %s",
				 type_name(v));
	if (json_integer_value(v) != 1)
		return key_error(c, doc, "version", "version", "this bulwark reads policy version 1, not %lld",
				 (long long)json_integer_value(v));
	if (json_object_get(doc, "scope") && (rc = load_scope(c, doc, pol)) < 0)
		return rc;
	rules = json_object_get(doc, "rules");
	if (!rules)
		return bw_error_set(BW_EUSAGE, "%s: rules: missing (a policy needs at least one rule)", c->what);
	if ((rc = want_type(c, doc, "rules", "rules", rules, json_is_array(rules), "a list of rules")) < 0)
		return rc;
	if (json_array_size(rules) == 0 || json_array_size(rules) > BW_POLICY_MAX_RULES)
		return key_error(c, doc, "rules", "rules", "needs 1 to %d rules", BW_POLICY_MAX_RULES);
	if (!(pol->rules = calloc(json_array_size(rules), sizeof(*pol->rules))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < json_array_size(rules); i++) {
		pol->n_rules = i + 1; /* from here its strings are freed with the policy */
		if ((rc = load_rule(c, rules, i, &pol->rules[i])) < 0)
			return rc;
	}
	exc = json_object_get(doc, "exceptions");
	if (exc) {
		if ((rc = want_type(c, doc, "exceptions", "exceptions", exc, json_is_array(exc),
				    "a list of exceptions")) < 0)
			return rc;
		if (json_array_size(exc) > BW_POLICY_MAX_EXCEPTIONS)
			return key_error(c, doc, "exceptions", "exceptions", "more than %d exceptions",
					 BW_POLICY_MAX_EXCEPTIONS);
		if (!(pol->exceptions = calloc(json_array_size(exc) + 1, sizeof(*pol->exceptions))))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		for (size_t i = 0; i < json_array_size(exc); i++) {
			pol->n_exceptions = i + 1;
			if ((rc = load_exception(c, exc, i, &pol->exceptions[i])) < 0)
				return rc;
		}
	}
	return 0;
}

int bw_policy__parse(bw_policy **out, const char *what, const void *data, size_t len)
{
	loadctx c = { .what = what };
	bw_yaml_lines *lines = NULL;
	json_t *doc = NULL;
	bw_policy *pol = NULL;
	int rc;

	*out = NULL;
	if ((rc = bw_yaml_parse_lines(what, data, len, BW_POLICY_MAX_BYTES, BW_YAML_TYPED, &doc, &lines)) < 0) {
		/* a policy is the user's own configuration: every fault in it is a usage error */
		if (rc == BW_EINPUT) {
			char msg[sizeof(bw_error_last()->message)];
			snprintf(msg, sizeof(msg), "%s", bw_error_last()->message);
			rc = bw_error_set(BW_EUSAGE, "%s", msg);
		}
		goto done;
	}
	c.lines = lines;
	if (!(pol = calloc(1, sizeof(*pol)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = load_doc(&c, doc, pol)) < 0)
		goto done;
	if (!(pol->path = strdup(what))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	*out = pol;
	pol = NULL;
	rc = 0;
done:
	bw_policy_free(pol);
	bw_yaml_lines_free(lines);
	json_decref(doc);
	return rc;
}

int bw_policy_load(bw_policy **out, const char *path)
{
	bw_buf b = BW_BUF_INIT(BW_POLICY_MAX_BYTES);
	int rc;

	*out = NULL;
	if ((rc = bw_buf_read_file(&b, path, BW_EUSAGE, "the policy file")) == 0)
		rc = bw_policy__parse(out, path, b.data ? (const char *)b.data : "", b.len);
	bw_buf_free(&b);
	return rc;
}

int bw_policy_set_today(bw_policy *p, const char *date)
{
	int64_t days;

	if (!date) {
		p->today[0] = '\0';
		return 0;
	}
	if (!bw_policy__date_days(date, &days))
		return bw_error_set(BW_EUSAGE, "\"%.40s\" is not a date YYYY-MM-DD", date);
	memcpy(p->today, date, 11);
	return 0;
}

const char *bw_policy__action_name(bw_policy_action a)
{
	return a == BW_ACT_FAIL ? "fail" : a == BW_ACT_WARN ? "warn" : "info";
}
