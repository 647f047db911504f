/*
 * policy/evaluate.c: a loaded policy applied to one scanned image and its
 * findings (bulwark/policy.h; semantics in docs/policy.md).
 *
 * Every rule is evaluated in full, so the result lists every violation, not
 * only the first. The verdict is "fail" when any violation's action is fail,
 * else "warn" when any is warn, else "pass"; "info" never changes it. A rule
 * whose input this run does not have is one info violation "not evaluated:
 * ...": a gate that could not look must not read as a gate that passed.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bulwark/errors.h"
#include "bulwark/misconfig.h"
#include "bulwark/state.h"
#include "bulwark/package.h"
#include "bulwark/policy.h"
#include "bulwark/report.h"
#include "bulwark/scan.h"
#include "bulwark/secrets.h"
#include "license/license.h"
#include "policy/glob.h"
#include "policy/policy_int.h"
#include "util/json.h"

#define REASON_MAX 1024
#define NAME_MAX_BYTES 1024

typedef struct result_impl {
	bw_policy_result pub;        /* first: the caller's pointer is this */
	bw_violation *v;
	size_t n, cap;
	char **strings;              /* every string of v and pub, owned */
	size_t n_strings, cap_strings;
	bool oom;
} result_impl;

/* ------------------------------------------------------------------ result */

static const char *keep(result_impl *r, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	if (r->n_strings == r->cap_strings) {
		size_t cap = r->cap_strings ? r->cap_strings * 2 : 64;
		char **v = realloc(r->strings, cap * sizeof(*v));
		if (!v) {
			r->oom = true;
			return NULL;
		}
		r->strings = v;
		r->cap_strings = cap;
	}
	if (!(copy = strdup(s))) {
		r->oom = true;
		return NULL;
	}
	r->strings[r->n_strings++] = copy;
	return copy;
}

__attribute__((format(printf, 6, 7)))
static void add(result_impl *r, const char *rule, bw_policy_action action, const char *id, const char *package,
		const char *fmt, ...)
{
	char reason[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		bw_violation *v = realloc(r->v, cap * sizeof(*v));
		if (!v) {
			r->oom = true;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (bw_violation){
		.rule = keep(r, rule), .action = bw_policy__action_name(action), .reason = keep(r, reason),
		.id = keep(r, id), .package = keep(r, package),
	};
}

void bw_policy_result_free(bw_policy_result *pub)
{
	result_impl *r = (result_impl *)pub;

	if (!r)
		return;
	for (size_t i = 0; i < r->n_strings; i++)
		free(r->strings[i]);
	free(r->strings);
	free(r->v);
	free(r);
}

/* ------------------------------------------------------------------ context */

typedef struct evalctx {
	const bw_policy *p;
	const bw_image *img;
	const bw_image_info *info;
	const bw_vulns *vulns;
	const bw_misconfigs *misconfigs; /* NULL: the misconfig scanner did not run */
	const bw_secrets *secrets;       /* NULL: the secret scanner did not run */
	const bw_scan_results *in;
	result_impl *r;
	char today[11];
	int64_t today_days;
	/* the image's names: the reference as given plus normalised registry
	 * names ("registry/repository[:tag]") */
	char **names;
	size_t n_names;
	/* registry and registry/repository of each registry name */
	char **registries, **repositories;
	size_t n_repos;
} evalctx;

static int push_name(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/*
 * A registry reference ("alpine", "docker://ghcr.io/o/r:1@sha256:...") as
 * registry, repository and tag, with Docker's defaults: no registry part
 * means docker.io, and a one-part repository there is library/NAME. A
 * first part is a registry when it has "." or ":" or is "localhost".
 */
static bool split_ref(const char *ref, char *registry, char *repo, char *tag, size_t size)
{
	char buf[NAME_MAX_BYTES];
	char *at, *slash, *path, *colon;

	if (strncmp(ref, "docker://", 9) == 0)
		ref += 9;
	if (!*ref || strlen(ref) >= sizeof(buf))
		return false;
	for (const char *s = ref; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	snprintf(buf, sizeof(buf), "%s", ref);
	if ((at = strchr(buf, '@')))
		*at = '\0';
	slash = strchr(buf, '/');
	if (slash && (memchr(buf, '.', (size_t)(slash - buf)) || memchr(buf, ':', (size_t)(slash - buf)) ||
		      ((size_t)(slash - buf) == 9 && strncmp(buf, "localhost", 9) == 0))) {
		*slash = '\0';
		snprintf(registry, size, "%s", buf);
		path = slash + 1;
	} else {
		snprintf(registry, size, "docker.io");
		path = buf;
	}
	if (!strcmp(registry, "index.docker.io") || !strcmp(registry, "registry-1.docker.io"))
		snprintf(registry, size, "docker.io");
	/* the tag is after a ":" in the last path part */
	const char *last = strrchr(path, '/');
	colon = strchr(last ? last : path, ':');
	tag[0] = '\0';
	if (colon) {
		*colon = '\0';
		snprintf(tag, size, "%s", colon + 1);
	}
	if (!*path)
		return false;
	if (!strcmp(registry, "docker.io") && !strchr(path, '/'))
		snprintf(repo, size, "library/%s", path);
	else
		snprintf(repo, size, "%s", path);
	return true;
}

static int add_registry_name(evalctx *c, const char *ref)
{
	char registry[NAME_MAX_BYTES], repo[NAME_MAX_BYTES], tag[NAME_MAX_BYTES], full[3 * NAME_MAX_BYTES];

	if (!split_ref(ref, registry, repo, tag, NAME_MAX_BYTES))
		return 0;
	snprintf(full, sizeof(full), "%s/%s", registry, repo);
	if (push_name(&c->names, &c->n_names, full) < 0)
		return -1;
	/* registries[i] and repositories[i] describe the same name */
	char **regs = realloc(c->registries, (c->n_repos + 1) * sizeof(char *));
	if (!regs)
		return -1;
	c->registries = regs;
	char **repos = realloc(c->repositories, (c->n_repos + 1) * sizeof(char *));
	if (!repos)
		return -1;
	c->repositories = repos;
	regs[c->n_repos] = strdup(registry);
	repos[c->n_repos] = strdup(full);
	c->n_repos++;
	if (!regs[c->n_repos - 1] || !repos[c->n_repos - 1])
		return -1;
	if (tag[0]) {
		snprintf(full, sizeof(full), "%s/%s:%s", registry, repo, tag);
		if (push_name(&c->names, &c->n_names, full) < 0)
			return -1;
	}
	return 0;
}

static int collect_names(evalctx *c)
{
	const bw_image_info *in = c->info;

	if (in->reference && push_name(&c->names, &c->n_names, in->reference) < 0)
		return -1;
	if (in->transport && !strcmp(in->transport, "docker") && in->reference &&
	    add_registry_name(c, in->reference) < 0)
		return -1;
	for (size_t i = 0; i < in->n_repo_tags; i++)
		if (push_name(&c->names, &c->n_names, in->repo_tags[i]) < 0 ||
		    add_registry_name(c, in->repo_tags[i]) < 0)
			return -1;
	return 0;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static const char *label_value(const bw_image_info *in, const char *key)
{
	for (size_t i = 0; i < in->n_labels; i++)
		if (!strcmp(in->label_keys[i], key))
			return in->label_values[i];
	return NULL;
}

static bool any_name_matches(char *const *names, size_t n, const bw_strlist *patterns)
{
	for (size_t k = 0; k < patterns->n; k++)
		for (size_t i = 0; i < n; i++)
			if (bw_glob_match(patterns->v[k], names[i]))
				return true;
	return false;
}

/* Comma-separated, cut to fit, for reasons. */
static void join(char *out, size_t size, char *const *v, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", v[i]);
}

/* ------------------------------------------------------------------ exceptions */

static bool same_id(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/*
 * The live exception that covers a finding with this id (or one of its
 * aliases) in this package, or NULL. Expired exceptions never cover.
 */
static const bw_policy_exception *exception_for(const evalctx *c, const char *id, const char *const *aliases,
						  size_t n_aliases, const char *package)
{
	for (size_t i = 0; i < c->p->n_exceptions; i++) {
		const bw_policy_exception *e = &c->p->exceptions[i];
		if (strcmp(e->expires, c->today) < 0)
			continue;
		if (e->package && (!package || strcmp(e->package, package) != 0))
			continue;
		bool hit = same_id(e->id, id);
		for (size_t k = 0; !hit && k < n_aliases; k++)
			hit = same_id(e->id, aliases[k]);
		if (hit)
			return e;
	}
	return NULL;
}

/* A violation that an exception may turn into an info line. */
__attribute__((format(printf, 7, 8)))
static void add_excepted(evalctx *c, const bw_policy_rule *rule, const char *id, const char *const *aliases,
			 size_t n_aliases, const char *package, const char *fmt, ...)
{
	char reason[REASON_MAX];
	va_list ap;
	const bw_policy_exception *e = exception_for(c, id, aliases, n_aliases, package);

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (e)
		add(c->r, rule->name, BW_ACT_INFO, id, package, "%s (excepted until %s: %s)", reason, e->expires,
		    e->reason);
	else
		add(c->r, rule->name, rule->action, id, package, "%s", reason);
}

static void expired_exceptions(evalctx *c)
{
	for (size_t i = 0; i < c->p->n_exceptions; i++) {
		const bw_policy_exception *e = &c->p->exceptions[i];
		if (strcmp(e->expires, c->today) >= 0)
			continue;
		add(c->r, "exceptions", BW_ACT_WARN, e->id, e->package,
		    "the exception for %s%s%s expired on %s and no longer applies (its reason was: %s)", e->id,
		    e->package ? " in " : "", e->package ? e->package : "", e->expires, e->reason);
	}
}

/* ------------------------------------------------------------------ vulnerabilities */

static unsigned severity_of(const char *s)
{
	if (!s)
		return BW_SEV_UNKNOWN;
	if (!strcmp(s, "CRITICAL"))
		return BW_SEV_CRITICAL;
	if (!strcmp(s, "HIGH"))
		return BW_SEV_HIGH;
	if (!strcmp(s, "MEDIUM"))
		return BW_SEV_MEDIUM;
	if (!strcmp(s, "LOW"))
		return BW_SEV_LOW;
	return BW_SEV_UNKNOWN;
}

/* The highest CVSS base score of a finding; false when it has none. */
static bool max_cvss(const bw_vuln *v, double *out)
{
	json_t *doc = NULL, *e;
	size_t i;
	bool found = false;

	if (!v->cvss || bw_json_parse("cvss", v->cvss, strlen(v->cvss), 1 << 20, &doc) < 0) {
		bw_error_clear();
		return false;
	}
	json_array_foreach(doc, i, e) {
		json_t *score = json_object_get(e, "score");
		if (json_is_number(score) && (!found || json_number_value(score) > *out)) {
			*out = json_number_value(score);
			found = true;
		}
	}
	json_decref(doc);
	return found;
}

static bool on_deny_list(const bw_vuln_rule *vr, const bw_vuln *v)
{
	for (size_t k = 0; k < vr->ids.n; k++) {
		if (same_id(vr->ids.v[k], v->id))
			return true;
		for (size_t a = 0; a < v->n_aliases; a++)
			if (same_id(vr->ids.v[k], v->aliases[a]))
				return true;
	}
	return false;
}

static void eval_vulns(evalctx *c, const bw_policy_rule *rule)
{
	const bw_vuln_rule *vr = &rule->vulns;
	/* with only a deny list the rule asks nothing else of findings */
	bool conditions = vr->severities || vr->fixable_only || vr->has_cvss || vr->older_than_days >= 0 ||
			  vr->origin != BW_ORIGIN_ANY || vr->ids.n == 0;
	size_t no_score = 0, no_date = 0;

	if (!c->vulns) {
		add(c->r, rule->name, BW_ACT_INFO, NULL, NULL,
		    "not evaluated: the vulnerability scanner did not run (scan with --scanners vuln)");
		return;
	}
	for (size_t i = 0; i < bw_vulns_count(c->vulns); i++) {
		const bw_vuln *v = bw_vulns_at(c->vulns, i);
		const bw_package *pkg = v->package;
		char fix[160];
		double score = 0;
		bool scored = max_cvss(v, &score);

		snprintf(fix, sizeof(fix), "%s%s", v->fixed_version ? "fixed in " : "",
			 v->fixed_version ? v->fixed_version
			 : !strcmp(v->status, "will_not_fix") ? "will not be fixed" : "no fix yet");
		if (on_deny_list(vr, v)) {
			/* "always fail": neither exceptions nor VEX lift a denied id */
			add(c->r, rule->name, rule->action, v->id, pkg->name,
			    "%s in %s %s is on the deny list (%s)%s%s", v->id, pkg->name, pkg->version, fix,
			    v->suppressed_by ? "; suppressed by " : "", v->suppressed_by ? v->suppressed_by : "");
			continue;
		}
		if (!conditions || v->suppressed_by)
			continue;
		if (vr->origin != BW_ORIGIN_ANY &&
		    (bw_package_base(c->info, pkg) != NULL) != (vr->origin == BW_ORIGIN_BASE))
			continue;
		if (vr->severities && !(vr->severities & severity_of(v->severity)))
			continue;
		if (vr->fixable_only && !v->fixed_version)
			continue;
		if (vr->has_cvss) {
			if (!scored) {
				no_score++;
				continue;
			}
			if (score < vr->cvss_at_least)
				continue;
		}
		if (vr->older_than_days >= 0) {
			/* the database keeps no fix publication date yet (docs/policy.md) */
			no_date++;
			continue;
		}
		char cvss[32] = "";
		if (scored)
			snprintf(cvss, sizeof(cvss), ", CVSS %.1f", score);
		add_excepted(c, rule, v->id, v->aliases, v->n_aliases, pkg->name,
			     "%s (%s%s) in %s %s: %s", v->id, v->severity, cvss, pkg->name, pkg->version, fix);
	}
	if (no_score)
		add(c->r, rule->name, BW_ACT_INFO, NULL, NULL,
		    "cvss_at_least: not evaluated for %zu finding%s that ha%s no CVSS score", no_score,
		    no_score == 1 ? "" : "s", no_score == 1 ? "s" : "ve");
	if (no_date)
		add(c->r, rule->name, BW_ACT_INFO, NULL, NULL,
		    "older_than_days: not evaluated for %zu finding%s: the vulnerability database has no "
		    "publication date for their fixes", no_date, no_date == 1 ? "" : "s");
}

/* ------------------------------------------------------------------ licenses */

static bool listed(const bw_strlist *l, const char *s)
{
	for (size_t i = 0; s && i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* Why one license (a leaf, or free text) is refused; NULL when it is not. */
static const char *leaf_refusal(const bw_license_rule *lr, const char *id, bw_license_category cat)
{
	if (listed(&lr->deny, id))
		return "denied";
	if (lr->deny_categories & (1u << cat))
		return "a denied category";
	if (lr->allow.n && !listed(&lr->allow, id))
		return "not on the allow list";
	return NULL;
}

typedef struct refusals {
	char text[REASON_MAX];
	size_t len;
	char first[BW_LEXPR_MAX_ID_BYTES + 1]; /* the first refused identifier */
} refusals;

static void note(refusals *f, const char *id, bw_license_category cat, const char *why)
{
	if (!f->first[0])
		snprintf(f->first, sizeof(f->first), "%s", id);
	if (f->len < sizeof(f->text))
		f->len += (size_t)snprintf(f->text + f->len, sizeof(f->text) - f->len, "%s%s (%s) is %s",
					   f->len ? "; " : "", id, bw_license_category_name(cat), why);
}

/*
 * Is node acceptable under the rule? AND needs both operands, OR either,
 * WITH its license (or the whole "ID WITH EXC" on the allow list) and an
 * exception that is not itself denied. Refused identifiers are noted in f
 * (for OR, only when both alternatives fail). Recursion follows the tree,
 * whose size the parser bounded.
 */
static bool acceptable(const bw_license_rule *lr, const bw_lexpr *e, int node, refusals *f)
{
	const bw_lexpr_node *n = &e->nodes[node];
	const char *why;

	switch (n->kind) {
	case BW_LEXPR_LICENSE: {
		bw_license_category cat = n->ref ? BW_LCAT_UNKNOWN : bw_license_id_category(n->id);
		char id[BW_LEXPR_MAX_ID_BYTES + 2];
		snprintf(id, sizeof(id), "%s%s", n->id, n->or_later ? "+" : "");
		why = leaf_refusal(lr, n->or_later && !listed(&lr->deny, id) && !listed(&lr->allow, id) ? n->id : id,
				   cat);
		if (why) {
			note(f, n->id, cat, why);
			return false;
		}
		return true;
	}
	case BW_LEXPR_WITH: {
		char whole[2 * BW_LEXPR_MAX_ID_BYTES + 16];
		const bw_lexpr_node *lic = &e->nodes[n->left];
		snprintf(whole, sizeof(whole), "%s%s WITH %s", lic->id, lic->or_later ? "+" : "", n->exception);
		bw_license_category ecat = bw_license_id_category(n->exception);
		if (listed(&lr->deny, n->exception) ||
		    (ecat != BW_LCAT_UNKNOWN && (lr->deny_categories & (1u << ecat)))) {
			note(f, n->exception, ecat, listed(&lr->deny, n->exception) ? "denied" : "a denied category");
			return false;
		}
		if (lr->allow.n && listed(&lr->allow, whole) && !listed(&lr->deny, lic->id))
			return true;
		return acceptable(lr, e, n->left, f);
	}
	case BW_LEXPR_AND: {
		bool a = acceptable(lr, e, n->left, f);
		bool b = acceptable(lr, e, n->right, f);
		return a && b;
	}
	case BW_LEXPR_OR: {
		refusals tmp = { .len = 0 };
		bool a = acceptable(lr, e, n->left, &tmp);
		bool b = !a && acceptable(lr, e, n->right, &tmp);
		if (a || b)
			return true;
		if (!f->first[0])
			memcpy(f->first, tmp.first, sizeof(f->first));
		if (f->len < sizeof(f->text))
			f->len += (size_t)snprintf(f->text + f->len, sizeof(f->text) - f->len, "%s%s",
						   f->len ? "; " : "", tmp.text);
		return false;
	}
	}
	return true;
}

static void eval_licenses(evalctx *c, const bw_policy_rule *rule)
{
	const bw_license_rule *lr = &rule->licenses;

	for (size_t i = 0; i < bw_image_package_count(c->img); i++) {
		const bw_package *pkg = bw_image_package_at(c->img, i);
		refusals f = { .len = 0 };
		char shown[REASON_MAX] = "";
		size_t shown_len = 0;
		bool ok = true;

		if (pkg->n_licenses == 0) {
			/* a package that declares no license is judged as one unknown license */
			const char *why = leaf_refusal(lr, "NOASSERTION", BW_LCAT_UNKNOWN);
			if (why) {
				note(&f, "NOASSERTION", BW_LCAT_UNKNOWN, why);
				ok = false;
			}
			snprintf(shown, sizeof(shown), "no license declared");
		}
		for (size_t k = 0; k < pkg->n_licenses; k++) {
			bw_license l;
			if (bw_license_normalize(&l, pkg->licenses[k]) < 0) {
				c->r->oom = true;
				return;
			}
			if (shown_len < sizeof(shown))
				shown_len += (size_t)snprintf(shown + shown_len, sizeof(shown) - shown_len, "%s%s",
							      k ? " AND " : "", l.text);
			if (l.expr) {
				/* the licenses a package lists all apply: AND */
				ok = acceptable(lr, l.expr, l.expr->root, &f) && ok;
			} else {
				const char *why = leaf_refusal(lr, l.text, BW_LCAT_UNKNOWN);
				if (why) {
					note(&f, l.text, BW_LCAT_UNKNOWN, why);
					ok = false;
				}
			}
			bw_license_clear(&l);
		}
		if (ok)
			continue;
		add_excepted(c, rule, f.first, NULL, 0, pkg->name, "%s %s (%s): license %s: %s",
			     pkg->name, pkg->version, pkg->type, shown, f.text);
	}
}

/* ------------------------------------------------------------------ image */

/* "2023-11-14T22:13:20Z" -> days since the epoch (the date part; the config
 * writes UTC, and an offset moves the date by at most one day) */
static bool created_days(const char *created, int64_t *days)
{
	char date[11];

	if (!created || strlen(created) < 10)
		return false;
	memcpy(date, created, 10);
	date[10] = '\0';
	return bw_policy__date_days(date, days);
}

/* The packages a rule forbids (name globs, or purl globs for patterns starting "pkg:"). */
static void eval_forbidden_packages(evalctx *c, const bw_policy_rule *rule)
{
	const bw_image_rule *ir = &rule->image;

	for (size_t i = 0; ir->forbidden_packages.n && i < bw_image_package_count(c->img); i++) {
		const bw_package *pkg = bw_image_package_at(c->img, i);
		for (size_t k = 0; k < ir->forbidden_packages.n; k++) {
			const char *pat = ir->forbidden_packages.v[k];
			const char *subject = !strncmp(pat, "pkg:", 4) ? pkg->purl : pkg->name;
			if (subject && bw_glob_match(pat, subject)) {
				add_excepted(c, rule, pkg->name, NULL, 0, pkg->name,
					     "%s %s (%s) is a forbidden package (%s)", pkg->name, pkg->version,
					     pkg->type, pat);
				break;
			}
		}
	}
}

static void eval_image(evalctx *c, const bw_policy_rule *rule)
{
	const bw_image_rule *ir = &rule->image;
	const bw_image_info *in = c->info;
	char list[REASON_MAX];

	eval_forbidden_packages(c, rule);
	/* an SBOM and a bare root filesystem carry no image config and no
	 * registry name: what needs them cannot be judged, and says so */
	if (in->transport && (!strcmp(in->transport, "sbom") || !strcmp(in->transport, "dir"))) {
		size_t n = 0;
		list[0] = '\0';
#define KEY(cond, name) \
	if ((cond) && n < sizeof(list)) \
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", name);
		KEY(ir->forbid_root_user == 1, "forbid_root_user")
		KEY(ir->required_labels.n, "required_labels")
		KEY(ir->allowed_registries.n, "allowed_registries")
		KEY(ir->max_age_days >= 0, "max_age_days")
		KEY(ir->allowed_base_images.n, "allowed_base_images")
#undef KEY
		if (n)
			add(c->r, rule->name, BW_ACT_INFO, NULL, NULL,
			    "not evaluated: %s (a %s input has no image config or registry name)", list,
			    !strcmp(in->transport, "sbom") ? "sbom:" : "dir:");
		return;
	}

	/* root: no user, "root", uid 0, ":group", or a name the image's /etc/passwd maps to uid 0 */
	bool resolved = false;
	if (ir->forbid_root_user == 1 && bw_image_runs_as_root(c->img, &resolved))
		add(c->r, rule->name, rule->action, NULL, NULL,
		    "the image runs as root (config User is %s%s%s%s)", in->user && *in->user ? "\"" : "",
		    in->user && *in->user ? in->user : "empty, which means root", in->user && *in->user ? "\"" : "",
		    resolved ? ", uid 0 in the image's /etc/passwd" : "");

	for (size_t i = 0; i < ir->required_labels.n; i++) {
		const char *key = ir->required_labels.keys[i], *pat = ir->required_labels.patterns[i];
		const char *val = label_value(in, key);
		if (!val)
			add(c->r, rule->name, rule->action, key, NULL, "the required label %s is missing", key);
		else if (pat && !bw_glob_match(pat, val))
			add(c->r, rule->name, rule->action, key, NULL,
			    "the label %s is \"%.200s\", which does not match \"%s\"", key, val, pat);
	}

	if (ir->allowed_registries.n) {
		bool ok = false;
		for (size_t k = 0; k < ir->allowed_registries.n && !ok; k++)
			for (size_t i = 0; i < c->n_repos && !ok; i++)
				ok = bw_glob_match(ir->allowed_registries.v[k], c->registries[i]) ||
				     bw_glob_match(ir->allowed_registries.v[k], c->repositories[i]);
		join(list, sizeof(list), ir->allowed_registries.v, ir->allowed_registries.n);
		if (!ok && c->n_repos == 0)
			add(c->r, rule->name, rule->action, NULL, NULL,
			    "the image has no registry name (%s is a local %s with no repository tag), so it "
			    "cannot be shown to come from an allowed registry (%s)", in->reference, in->transport, list);
		else if (!ok)
			add(c->r, rule->name, rule->action, c->repositories[0], NULL,
			    "%s is not from an allowed registry (%s)", c->repositories[0], list);
	}

	if (ir->max_age_days >= 0) {
		int64_t made;
		if (!created_days(in->created, &made))
			add(c->r, rule->name, rule->action, NULL, NULL,
			    "the image's age is unknown: its config has no creation date%s%.40s%s (max_age_days %lld)",
			    in->created ? " it can read (\"" : "", in->created ? in->created : "",
			    in->created ? "\")" : "", (long long)ir->max_age_days);
		else if (c->today_days - made > ir->max_age_days)
			add(c->r, rule->name, rule->action, NULL, NULL,
			    "the image was created on %.10s, %lld days ago, more than max_age_days %lld", in->created,
			    (long long)(c->today_days - made), (long long)ir->max_age_days);
	}

	if (ir->allowed_base_images.n) {
		/* bulwark has no base-image attribution yet: the OCI base-name
		 * label when the image carries it, else the image's own names */
		const char *base = label_value(in, "org.opencontainers.image.base.name");
		join(list, sizeof(list), ir->allowed_base_images.v, ir->allowed_base_images.n);
		if (base) {
			evalctx tmp = { 0 };
			bool ok = false;
			if (add_registry_name(&tmp, base) < 0) {
				c->r->oom = true;
			} else {
				ok = any_name_matches(tmp.names, tmp.n_names, &ir->allowed_base_images) ||
				     any_name_matches((char *const *)&base, 1, &ir->allowed_base_images);
			}
			names_free(tmp.names, tmp.n_names);
			names_free(tmp.registries, tmp.n_repos);
			names_free(tmp.repositories, tmp.n_repos);
			if (!ok)
				add(c->r, rule->name, rule->action, base, NULL,
				    "the base image %.300s (label org.opencontainers.image.base.name) is not an "
				    "allowed base image (%s)", base, list);
		} else if (!any_name_matches(c->names, c->n_names, &ir->allowed_base_images)) {
			add(c->r, rule->name, rule->action, NULL, NULL,
			    "the image names no base image (no org.opencontainers.image.base.name label) and its "
			    "own reference %s is not an allowed base image (%s)", in->reference, list);
		}
	}
}

/* ------------------------------------------------------------------ misconfigurations */

static void eval_misconfigs(evalctx *c, const bw_policy_rule *rule)
{
	const bw_misconfig_rule *mr = &rule->misconfigs;

	if (!c->misconfigs) {
		add(c->r, rule->name, BW_ACT_INFO, NULL, NULL,
		    "not evaluated: the misconfig scanner did not run (--scanners misconfig)");
		return;
	}
	for (size_t i = 0; i < bw_misconfigs_count(c->misconfigs); i++) {
		const bw_misconfig *x = bw_misconfigs_at(c->misconfigs, i);
		bool match = mr->ids.n == 0;
		for (size_t k = 0; k < mr->ids.n && !match; k++)
			match = bw_glob_match(mr->ids.v[k], x->id);
		/* BW_SEV_* bits grow with severity: "at least" is a comparison of bits */
		if (!match || (mr->min_severity && severity_of(x->severity) < mr->min_severity))
			continue;
		if (x->line)
			add_excepted(c, rule, x->id, NULL, 0, NULL, "%s %s at %.200s:%u: %s (%.300s)", x->severity, x->id,
				     x->target, x->line, x->title, x->evidence);
		else
			add_excepted(c, rule, x->id, NULL, 0, NULL, "%s %s at %.200s: %s (%.300s)", x->severity, x->id,
				     x->target, x->title, x->evidence);
	}
}

/* ------------------------------------------------------------------ secrets */

/* categories name a category ("private-key"), a rule ("aws-access-key-id") or a rule's
 * vendor prefix ("aws"). */
static bool secret_selected(const bw_secrets_rule *sr, const bw_secret *s)
{
	if (!sr->categories.n)
		return true;
	for (size_t i = 0; i < sr->categories.n; i++) {
		const char *cat = sr->categories.v[i];
		size_t n = strlen(cat);
		if (!strcmp(cat, s->category) || !strcmp(cat, s->rule) || (!strncmp(cat, s->rule, n) && s->rule[n] == '-'))
			return true;
	}
	return false;
}

static void eval_secrets(evalctx *c, const bw_policy_rule *rule)
{
	const bw_secrets *s = c->secrets;
	const bw_secrets_rule *sr = &rule->secrets;

	if (!s) {
		add(c->r, rule->name, BW_ACT_INFO, NULL, NULL,
		    "not evaluated: the secret scanner did not run (--scanners secret)");
		return;
	}
	for (size_t i = 0; i < bw_secrets_count(s); i++) {
		const bw_secret *x = bw_secrets_at(s, i);
		if ((sr->min_severity && severity_of(x->severity) < sr->min_severity) || !secret_selected(sr, x))
			continue;
		if (x->in_config)
			add_excepted(c, rule, x->rule, NULL, 0, NULL, "%s (%s, %s) in the image config, %s: %s", x->title,
				     x->rule, x->severity, x->path, x->match);
		else
			add_excepted(c, rule, x->rule, NULL, 0, NULL, "%s (%s, %s) in %.300s line %llu, layer %zu%s: %s",
				     x->title, x->rule, x->severity, x->path, (unsigned long long)x->line, x->layer + 1,
				     x->deleted_in_later_layer ? " (deleted by a later layer, still in the image)" : "",
				     x->match);
	}
}

/* ------------------------------------------------------------------ signature */

/*
 * One signature check through the caller's callback: the image's signature,
 * then each listed attestation type. Fails closed: anything but "verified"
 * is a violation with the checker's reason.
 */
static int check_one(evalctx *c, const bw_policy_rule *rule, const char *predicate_type, bool *stop)
{
	const bw_signature_rule *s = &rule->signature;
	char reason[512] = "";
	int v = c->in->check_signature(c->in->check_ctx, (const char *const *)s->keys.v, s->keys.n, predicate_type,
				       reason, sizeof(reason));
	if (v < 0)
		return v;
	if (v == 2) {
		add(c->r, rule->name, BW_ACT_INFO, NULL, NULL, "not evaluated: %s", reason);
		*stop = true;
	} else if (v != 1) {
		if (predicate_type)
			add(c->r, rule->name, rule->action, predicate_type, NULL,
			    "no %s attestation verified with the policy's keys: %s", predicate_type, reason);
		else
			add(c->r, rule->name, rule->action, NULL, NULL, "no signature verified with the policy's keys: %s",
			    reason);
	}
	return 0;
}

static int eval_signature(evalctx *c, const bw_policy_rule *rule)
{
	const bw_signature_rule *s = &rule->signature;
	bool stop = false;
	int rc;

	if (!c->in->check_signature) {
		add(c->r, rule->name, BW_ACT_INFO, NULL, NULL, "not evaluated: signatures were not checked by this caller");
		return 0;
	}
	if (s->keys.n == 0) {
		add(c->r, rule->name, rule->action, NULL, NULL, "the rule names no keys: nothing can verify");
		return 0;
	}
	if ((rc = check_one(c, rule, NULL, &stop)) < 0)
		return rc;
	for (size_t i = 0; i < s->attestations.n && !stop; i++)
		if ((rc = check_one(c, rule, s->attestations.v[i], &stop)) < 0)
			return rc;
	return 0;
}

/* ------------------------------------------------------------------ scope */

static bool in_scope(const evalctx *c)
{
	const bw_policy *p = c->p;

	if (!p->has_scope)
		return true;
	/* either criterion brings an image in: a stricter policy errs on applying */
	if (p->scope_references.n && any_name_matches(c->names, c->n_names, &p->scope_references))
		return true;
	if (p->scope_labels.n) {
		bool all = true;
		for (size_t i = 0; i < p->scope_labels.n && all; i++) {
			const char *v = label_value(c->info, p->scope_labels.keys[i]);
			all = v && bw_glob_match(p->scope_labels.patterns[i], v);
		}
		if (all)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ the whole */

int bw_policy_evaluate(const bw_policy *p, const bw_image *img, const bw_vulns *vulns, bw_policy_result **out)
{
	bw_scan_results r = { .img = img, .vulns = vulns };
	return bw_policy_evaluate_results(p, &r, out);
}

int bw_policy_evaluate_results(const bw_policy *p, const bw_scan_results *in, bw_policy_result **out)
{
	const bw_image *img = in->img;
	/* an image scanned for secrets carries them even when the caller's results do not say so */
	evalctx c = { .p = p, .img = img, .vulns = in->vulns, .misconfigs = in->misconfigs,
		      .secrets = in->secrets ? in->secrets : bw_image_secrets(img), .in = in };
	result_impl *r;
	int rc;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	c.r = r;
	c.info = bw_image_get_info(img);
	if (p->today[0]) {
		memcpy(c.today, p->today, sizeof(c.today));
	} else {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(c.today, sizeof(c.today), "%Y-%m-%d", &tm);
	}
	if (!bw_policy__date_days(c.today, &c.today_days)) {
		rc = bw_error_set(BW_EINTERNAL, "today's date %s is not a date", c.today);
		goto done;
	}
	if (collect_names(&c) < 0) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}

	r->pub.policy = keep(r, p->path);
	r->pub.in_scope = in_scope(&c);
	if (r->pub.in_scope) {
		for (size_t i = 0; i < p->n_rules; i++) {
			const bw_policy_rule *rule = &p->rules[i];
			if (rule->vulns.present)
				eval_vulns(&c, rule);
			if (rule->licenses.present)
				eval_licenses(&c, rule);
			if (rule->image.present)
				eval_image(&c, rule);
			if (rule->secrets.present)
				eval_secrets(&c, rule);
			if (rule->signature.present && (rc = eval_signature(&c, rule)) < 0)
				goto done; /* the checker's own error (out of memory): not a verdict */
			if (rule->misconfigs.present)
				eval_misconfigs(&c, rule);
		}
		expired_exceptions(&c);
	}
	if (r->oom) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory while evaluating the policy");
		goto done;
	}
	r->pub.verdict = "pass";
	for (size_t i = 0; i < r->n; i++) {
		if (!strcmp(r->v[i].action, "fail"))
			r->pub.verdict = "fail";
		else if (!strcmp(r->v[i].action, "warn") && strcmp(r->pub.verdict, "fail") != 0)
			r->pub.verdict = "warn";
	}
	r->pub.violations = r->v;
	r->pub.n_violations = r->n;
	*out = &r->pub;
	r = NULL;
	rc = 0;
done:
	bw_policy_result_free(r ? &r->pub : NULL);
	names_free(c.names, c.n_names);
	names_free(c.registries, c.n_repos);
	names_free(c.repositories, c.n_repos);
	return rc;
}
