/*
 * match/suppress.c: what a user has said about findings: VEX documents
 * (OpenVEX, CycloneDX VEX) and the ignore file (.bulwarkignore). A finding a
 * statement covers is not dropped silently: it stays in the report with
 * status not_affected and the reason, and stops counting for gates.
 *
 * A statement covers a finding when its vulnerability id is the finding's id
 * or one of its aliases, and its product names the finding's package (a purl,
 * compared without qualifiers and subpath; a purl without a version covers
 * every version) or the image itself (pkg:oci/...@DIGEST of the manifest or
 * index), narrowed by subcomponents when it has them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulwark/errors.h"
#include "bulwark/scan.h"
#include "match/suppress.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/yaml.h"

#define MAX_SUPPRESS_FILE   (16 * 1024 * 1024)
#define MAX_RULES           100000
#define MAX_FIELD           2048

typedef struct rule {
	char *vuln;          /* id or alias */
	char *purl;          /* package purl (no qualifiers), or NULL */
	char *package;       /* package name (ignore file), or NULL */
	char *image_digest;  /* statement about the image, or NULL */
	char **subcomponents;/* purls narrowing an image statement */
	size_t n_sub;
	char *reason;
} rule;

struct bw_suppressions {
	rule *rules;
	size_t n, cap;
};

int bw_suppressions_new(bw_suppressions **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

static void rule_free(rule *r)
{
	free(r->vuln);
	free(r->purl);
	free(r->package);
	free(r->image_digest);
	for (size_t i = 0; i < r->n_sub; i++)
		free(r->subcomponents[i]);
	free(r->subcomponents);
	free(r->reason);
}

void bw_suppressions_free(bw_suppressions *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		rule_free(&s->rules[i]);
	free(s->rules);
	free(s);
}

size_t bw_suppressions_count(const bw_suppressions *s)
{
	return s ? s->n : 0;
}

/* "pkg:npm/a@1.0?x=y#p" -> "pkg:npm/a@1.0" */
static char *purl_base(const char *purl)
{
	size_t n = strcspn(purl, "?#");
	char *out = strndup(purl, n);
	return out;
}

static bool purl_has_version(const char *purl)
{
	const char *slash = strrchr(purl, '/');
	return slash && strchr(slash, '@');
}

static int add_rule(bw_suppressions *s, rule *r)
{
	if (s->n == MAX_RULES) {
		rule_free(r);
		return bw_error_set(BW_EINPUT, "more than %d VEX statements and ignore rules", MAX_RULES);
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		rule *grown = realloc(s->rules, cap * sizeof(*grown));
		if (!grown) {
			rule_free(r);
			return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		s->rules = grown;
		s->cap = cap;
	}
	s->rules[s->n++] = *r;
	return 0;
}

static const char *str_field(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && *v && strlen(v) <= MAX_FIELD ? v : NULL;
}

static int read_doc(const char *path, bool yaml, json_t **out)
{
	bw_buf b = BW_BUF_INIT(MAX_SUPPRESS_FILE);
	int rc = bw_buf_read_file(&b, path, BW_EINPUT, yaml ? "the ignore file" : "the VEX document");

	if (rc == 0)
		rc = yaml ? bw_yaml_parse(path, b.data, b.len, MAX_SUPPRESS_FILE, 0, out)
			  : bw_json_parse(path, b.data, b.len, MAX_SUPPRESS_FILE, out);
	bw_buf_free(&b);
	return rc;
}

/* ---- OpenVEX ---------------------------------------------------------- */

/* pkg:oci/NAME@sha256:HEX -> "sha256:HEX" (percent-encoded ':' accepted). */
static char *oci_digest(const char *purl)
{
	if (strncmp(purl, "pkg:oci/", 8) != 0)
		return NULL;
	const char *at = strchr(purl, '@');
	if (!at)
		return NULL;
	char buf[256];
	size_t o = 0;
	for (const char *p = at + 1; *p && *p != '?' && *p != '#' && o < sizeof(buf) - 1; p++) {
		if (strncmp(p, "%3A", 3) == 0 || strncmp(p, "%3a", 3) == 0) {
			buf[o++] = ':';
			p += 2;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
	return strdup(buf);
}

static int openvex_product(bw_suppressions *s, const char *path, const char *vuln, const char *reason,
			   const char *id, json_t *subs)
{
	rule r = { 0 };
	size_t i;
	json_t *sub;

	if (!(r.vuln = strdup(vuln)) || !(r.reason = strdup(reason)))
		goto oom;
	if ((r.image_digest = oci_digest(id))) {
		if (json_array_size(subs) &&
		    !(r.subcomponents = calloc(json_array_size(subs), sizeof(*r.subcomponents))))
			goto oom;
		json_array_foreach(subs, i, sub) {
			const char *sid = json_is_string(sub) ? json_string_value(sub) : str_field(sub, "@id");
			if (sid && strncmp(sid, "pkg:", 4) == 0 && !(r.subcomponents[r.n_sub++] = purl_base(sid)))
				goto oom;
		}
	} else if (strncmp(id, "pkg:", 4) == 0) {
		if (!(r.purl = purl_base(id)))
			goto oom;
	} else {
		bw_debug("%s: product %s is neither a package purl nor pkg:oci; not applied", path, id);
		rule_free(&r);
		return 0;
	}
	return add_rule(s, &r);
oom:
	rule_free(&r);
	return bw_error_set(BW_EINTERNAL, "out of memory");
}

static int load_openvex(bw_suppressions *s, const char *path, json_t *doc)
{
	json_t *stmts = json_object_get(doc, "statements"), *st;
	size_t i, j;
	int rc;

	if (!json_is_array(stmts))
		return bw_error_set(BW_EINPUT, "%s: OpenVEX document without a \"statements\" array", path);
	json_array_foreach(stmts, i, st) {
		json_t *vul = json_object_get(st, "vulnerability"), *products = json_object_get(st, "products"), *p;
		const char *status = str_field(st, "status");
		const char *vuln = json_is_string(vul) ? json_string_value(vul) : str_field(vul, "name");
		const char *just = str_field(st, "justification"), *impact = str_field(st, "impact_statement");
		if (!status || !vuln || !json_is_array(products))
			return bw_error_set(BW_EINPUT, "%s: statement %zu lacks vulnerability, products or status",
					    path, i);
		if (strcmp(status, "not_affected") != 0 && strcmp(status, "fixed") != 0)
			continue;
		if (strcmp(status, "not_affected") == 0 && !just && !impact)
			return bw_error_set(BW_EINPUT, "%s: statement %zu is not_affected without a justification "
					    "or impact_statement (OpenVEX requires one)", path, i);
		char reason[512];
		snprintf(reason, sizeof(reason), "VEX %s: %s%s%s", path, status,
			 just || impact ? " — " : "", just ? just : impact ? impact : "");
		json_array_foreach(products, j, p) {
			const char *id = json_is_string(p) ? json_string_value(p) : str_field(p, "@id");
			json_t *subs = json_is_object(p) ? json_object_get(p, "subcomponents")
							 : json_object_get(st, "subcomponents");
			if (!id)
				continue;
			if ((rc = openvex_product(s, path, vuln, reason, id, subs)) < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- CycloneDX VEX -------------------------------------------------------- */

/* bom-ref -> purl from the document's components (one level of nesting is enough for VEX). */
static const char *cdx_ref_purl(json_t *doc, const char *ref)
{
	json_t *c;
	size_t i;
	const char *hash = strrchr(ref, '#');

	if (strncmp(ref, "pkg:", 4) == 0)
		return ref;
	if (strncmp(ref, "urn:cdx:", 8) == 0 && hash && strncmp(hash + 1, "pkg:", 4) == 0)
		return hash + 1;
	json_array_foreach(json_object_get(doc, "components"), i, c) {
		const char *br = str_field(c, "bom-ref");
		if (br && (strcmp(br, ref) == 0 || (hash && strcmp(br, hash + 1) == 0)))
			return str_field(c, "purl");
	}
	return NULL;
}

static int load_cyclonedx(bw_suppressions *s, const char *path, json_t *doc)
{
	json_t *vulns = json_object_get(doc, "vulnerabilities"), *v, *a;
	size_t i, j;
	int rc;

	json_array_foreach(vulns, i, v) {
		json_t *analysis = json_object_get(v, "analysis");
		const char *id = str_field(v, "id"), *state = str_field(analysis, "state");
		const char *just = str_field(analysis, "justification"), *detail = str_field(analysis, "detail");
		if (!id || !state)
			continue;
		if (strcmp(state, "not_affected") != 0 && strcmp(state, "false_positive") != 0)
			continue;
		if (strcmp(state, "not_affected") == 0 && !just && !detail)
			return bw_error_set(BW_EINPUT, "%s: vulnerability %s is not_affected without a justification "
					    "or detail", path, id);
		char reason[512];
		snprintf(reason, sizeof(reason), "VEX %s: %s%s%s", path, state, just || detail ? " — " : "",
			 just ? just : detail ? detail : "");
		json_array_foreach(json_object_get(v, "affects"), j, a) {
			const char *ref = str_field(a, "ref");
			const char *purl = ref ? cdx_ref_purl(doc, ref) : NULL;
			if (!purl)
				continue;
			if ((rc = openvex_product(s, path, id, reason, purl, NULL)) < 0)
				return rc;
		}
	}
	return 0;
}

int bw_suppressions_load_vex(bw_suppressions *s, const char *path)
{
	json_t *doc = NULL;
	int rc = read_doc(path, false, &doc);

	if (rc < 0)
		return rc;
	if (json_object_get(doc, "statements"))
		rc = load_openvex(s, path, doc);
	else if (json_is_string(json_object_get(doc, "bomFormat")) &&
		 strcmp(json_string_value(json_object_get(doc, "bomFormat")), "CycloneDX") == 0)
		rc = load_cyclonedx(s, path, doc);
	else
		rc = bw_error_set(BW_EINPUT, "%s: neither an OpenVEX document (statements) nor CycloneDX (bomFormat)",
				  path);
	json_decref(doc);
	return rc;
}

/* ---- the ignore file ------------------------------------------------------ */

static bool valid_date(const char *d)
{
	int y, m, day;
	char extra;
	return strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%c", &y, &m, &day, &extra) == 3 && m >= 1 && m <= 12 &&
	       day >= 1 && day <= 31;
}

int bw_suppressions_load_ignore(bw_suppressions *s, const char *path, const char *today)
{
	json_t *doc = NULL, *list, *e;
	char now[16];
	size_t i;
	int rc = read_doc(path, true, &doc);

	if (rc < 0)
		return rc;
	if (!today) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%d", &tm);
		today = now;
	}
	list = json_is_array(doc) ? doc : json_object_get(doc, "ignore");
	if (json_is_null(doc)) {
		json_decref(doc);
		return 0; /* an empty file ignores nothing */
	}
	if (!json_is_array(list) || (json_is_object(doc) && json_object_size(doc) != 1)) {
		json_decref(doc);
		return bw_error_set(BW_EINPUT, "%s: want a list of rules (or `ignore:` with one)", path);
	}
	json_array_foreach(list, i, e) {
		const char *key;
		json_t *val;
		if (!json_is_object(e)) {
			rc = bw_error_set(BW_EINPUT, "%s: rule %zu is not a mapping", path, i + 1);
			break;
		}
		json_object_foreach(e, key, val)
			if (strcmp(key, "id") && strcmp(key, "package") && strcmp(key, "expires") && strcmp(key, "reason")) {
				rc = bw_error_set(BW_EINPUT, "%s: rule %zu: unknown key \"%.64s\" "
						  "(id, package, expires, reason)", path, i + 1, key);
				break;
			}
		if (rc < 0)
			break;
		const char *id = str_field(e, "id"), *pkg = str_field(e, "package");
		const char *expires = str_field(e, "expires"), *why = str_field(e, "reason");
		if (!id) {
			rc = bw_error_set(BW_EINPUT, "%s: rule %zu has no id", path, i + 1);
			break;
		}
		if (expires && !valid_date(expires)) {
			rc = bw_error_set(BW_EINPUT, "%s: rule %zu (%s): expires \"%.32s\" is not YYYY-MM-DD",
					  path, i + 1, id, expires);
			break;
		}
		if (expires && strcmp(expires, today) < 0) {
			bw_warn("%s: the rule for %s%s%s expired on %s and no longer applies", path, id,
				pkg ? " in " : "", pkg ? pkg : "", expires);
			continue;
		}
		rule r = { 0 };
		char reason[512];
		snprintf(reason, sizeof(reason), "ignored by %s%s%s%s%s", path, why ? ": " : "", why ? why : "",
			 expires ? ", until " : "", expires ? expires : "");
		if (!(r.vuln = strdup(id)) || !(r.reason = strdup(reason)) || (pkg && !(r.package = strdup(pkg)))) {
			rule_free(&r);
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
		if ((rc = add_rule(s, &r)) < 0)
			break;
	}
	json_decref(doc);
	return rc;
}

/* ---- applying -------------------------------------------------------------- */

static bool purl_covers(const char *rule_purl, const char *pkg_purl)
{
	if (!pkg_purl)
		return false;
	size_t n = strcspn(pkg_purl, "?#");
	if (purl_has_version(rule_purl))
		return strlen(rule_purl) == n && strncmp(rule_purl, pkg_purl, n) == 0;
	/* versionless: the package's purl up to its '@' */
	const char *slash = strrchr(pkg_purl, '/');
	const char *at = slash ? strchr(slash, '@') : NULL;
	size_t m = at && (size_t)(at - pkg_purl) < n ? (size_t)(at - pkg_purl) : n;
	return strlen(rule_purl) == m && strncmp(rule_purl, pkg_purl, m) == 0;
}

const char *bw_suppressions_match(const bw_suppressions *s, const char *id, const char *const *aliases,
				  size_t n_aliases, const bw_package *pkg, const char *manifest_digest,
				  const char *index_digest)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const rule *r = &s->rules[i];
		bool id_hit = strcmp(r->vuln, id) == 0;
		for (size_t k = 0; !id_hit && k < n_aliases; k++)
			id_hit = strcmp(r->vuln, aliases[k]) == 0;
		if (!id_hit)
			continue;
		if (r->package && strcmp(r->package, pkg->name) != 0)
			continue;
		if (r->purl && !purl_covers(r->purl, pkg->purl))
			continue;
		if (r->image_digest) {
			bool same = (manifest_digest && strcmp(r->image_digest, manifest_digest) == 0) ||
				    (index_digest && strcmp(r->image_digest, index_digest) == 0);
			if (!same)
				continue;
			bool sub = r->n_sub == 0;
			for (size_t k = 0; !sub && k < r->n_sub; k++)
				sub = purl_covers(r->subcomponents[k], pkg->purl);
			if (!sub)
				continue;
		}
		return r->reason;
	}
	return NULL;
}
