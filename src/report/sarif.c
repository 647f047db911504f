/*
 * report/sarif.c: `scan --format sarif`: SARIF 2.1.0 for code-scanning
 * dashboards. One run; tool.driver.rules holds one rule per advisory (help
 * text and markdown, the most severe level, properties.security-severity as
 * GitHub reads it) and one per policy rule that was violated; a result per
 * finding, located at the file the package was read from inside the image
 * (uriBaseId IMAGE_ROOT) with its layer in properties; findings suppressed by
 * VEX or ignore rules carry an accepted external suppression; a result per
 * policy violation, at the package's file when it names one, else at the
 * policy file. Strings are written with < > & as \u escapes, and the markdown
 * help is CommonMark-escaped, so no markup from an image reaches a viewer.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "bulwark/misconfig.h"
#include "bulwark/secrets.h"
#include "report/report_int.h"
#include "util/redact.h"
#include "util/strmap.h"

#define SARIF_SCHEMA "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"

static const char *level_for(int rank)
{
	return rank <= 1 ? "error" : rank == 2 ? "warning" : "note";
}

/* GitHub's security-severity: a CVSS base score; without one, the middle of the
 * band GitHub maps to the severity (critical >= 9.0, high >= 7.0, medium >= 4.0). */
static double security_severity(const bw_vuln *x)
{
	static const double by_rank[BW_REPORT_NSEV] = { 9.5, 8.0, 5.5, 2.0, 0.0 };
	bw_report_cvss c[BW_REPORT_MAX_CVSS];
	size_t n = bw_report__cvss(x->cvss, c, BW_REPORT_MAX_CVSS);
	double best = -1;
	for (size_t i = 0; i < n; i++)
		if (c[i].has_score && c[i].score > best)
			best = c[i].score;
	return best >= 0 ? best : by_rank[bw_report__severity_rank(x->severity)];
}

static void text_message(bw_jsonw *w, const char *key, const char *text)
{
	bw_jw_key(w, key);
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "text", text ? text : "");
	bw_jw_object_end(w);
}

static const char *fixed_text(const bw_vuln *x)
{
	if (x->fixed_version)
		return x->fixed_version;
	return x->status && !strcmp(x->status, "will_not_fix") ? "none (will not fix)" : "none yet";
}

/* Writes into a memory stream and hands the text to the JSON writer. */
typedef struct memtext {
	char *buf;
	size_t len;
	FILE *f;
} memtext;

static bool memtext_open(memtext *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f != NULL;
}

static void memtext_emit(memtext *m, bw_jsonw *w, const char *key)
{
	fclose(m->f);
	m->f = NULL;
	bw_jw_kv_string(w, key, m->buf ? m->buf : "");
	free(m->buf);
	m->buf = NULL;
}

/* Advisory rule r: the findings of it are order[start..end) (view indexes). */
static int advisory_rule(bw_jsonw *w, const bw_report_view *v, size_t r, const size_t *order, size_t start,
			 size_t end)
{
	const bw_vuln *first = v->sorted[v->rule_first[r]];
	int rank = v->rule_rank[r];
	char url[512], num[32];
	const char *source;
	bool has_url = bw_report__advisory_url(first->id, url, sizeof(url), &source);
	double score = 0;
	memtext t, md;

	for (size_t k = start; k < end; k++) {
		double s = security_severity(v->sorted[order[k]]);
		if (s > score)
			score = s;
	}
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "id", first->id);
	bw_jw_kv_string(w, "name", bw_report__is_os(first->package) ? "OsPackageVulnerability"
								      : "LanguagePackageVulnerability");
	text_message(w, "shortDescription", first->title ? first->title : first->id);
	text_message(w, "fullDescription", first->title ? first->title : first->id);
	if (has_url)
		bw_jw_kv_string(w, "helpUri", url);

	if (!memtext_open(&t) || !memtext_open(&md)) {
		if (t.f)
			fclose(t.f);
		free(t.buf);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	fprintf(t.f, "Vulnerability %s\nSeverity: %s\n", first->id, bw_report__severities[rank]);
	fputs("**Vulnerability ", md.f);
	bw_report__markdown(md.f, first->id);
	fprintf(md.f, "**\n\n| Severity | %s |\n|---|---|\n", bw_report__severities[rank]);
	if (first->title) {
		fprintf(t.f, "Title: %s\n", first->title);
		fputs("| Title | ", md.f);
		bw_report__markdown(md.f, first->title);
		fputs(" |\n", md.f);
	}
	if (first->n_aliases) {
		fputs("Aliases:", t.f);
		fputs("| Aliases | ", md.f);
		for (size_t k = 0; k < first->n_aliases; k++) {
			fprintf(t.f, " %s", first->aliases[k]);
			if (k)
				fputs(", ", md.f);
			bw_report__markdown(md.f, first->aliases[k]);
		}
		fputc('\n', t.f);
		fputs(" |\n", md.f);
	}
	if (first->data_source) {
		fprintf(t.f, "Data source: %s\n", first->data_source);
		fputs("| Data source | ", md.f);
		bw_report__markdown(md.f, first->data_source);
		fputs(" |\n", md.f);
	}
	if (has_url)
		fprintf(t.f, "Advisory: %s (%s)\n", url, source);
	fputs("Packages:\n", t.f);
	fputs("\n| Package | Installed | Fixed | Path |\n|---|---|---|---|\n", md.f);
	for (size_t k = start; k < end; k++) {
		const bw_vuln *x = v->sorted[order[k]];
		fprintf(t.f, "- %s %s (%s), fixed: %s, in %s\n", x->package->name, x->installed_version,
			x->package->type, fixed_text(x), x->package->path ? x->package->path : "?");
		fputs("| ", md.f);
		bw_report__markdown(md.f, x->package->name);
		fputs(" | ", md.f);
		bw_report__markdown(md.f, x->installed_version);
		fputs(" | ", md.f);
		bw_report__markdown(md.f, fixed_text(x));
		fputs(" | ", md.f);
		bw_report__markdown(md.f, x->package->path);
		fputs(" |\n", md.f);
	}
	if (has_url)
		fprintf(md.f, "\n[%s](%s)\n", source, url); /* url: a fixed base and a plain id */
	bw_jw_key(w, "help");
	bw_jw_object_begin(w);
	memtext_emit(&t, w, "text");
	memtext_emit(&md, w, "markdown");
	bw_jw_object_end(w);

	bw_jw_key(w, "defaultConfiguration");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "level", level_for(rank));
	bw_jw_object_end(w);
	bw_jw_key(w, "properties");
	bw_jw_object_begin(w);
	snprintf(num, sizeof(num), "%.1f", score);
	bw_jw_kv_string(w, "security-severity", num);
	bw_jw_kv_string(w, "precision", "very-high");
	bw_jw_key(w, "tags");
	bw_jw_array_begin(w);
	bw_jw_string(w, "security");
	bw_jw_string(w, "vulnerability");
	bw_jw_string(w, bw_report__severities[rank]);
	bw_jw_array_end(w);
	bw_jw_object_end(w);
	bw_jw_object_end(w);
	return 0;
}

static void fingerprint(bw_jsonw *w, const char *a, const char *b, const char *c)
{
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	bw_digest d;
	if (!h)
		return;
	bw_hasher_update(h, a ? a : "", strlen(a ? a : "") + 1);
	bw_hasher_update(h, b ? b : "", strlen(b ? b : "") + 1);
	bw_hasher_update(h, c ? c : "", strlen(c ? c : "") + 1);
	bw_hasher_final(h, &d);
	bw_hasher_free(h);
	bw_jw_key(w, "partialFingerprints");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "bulwarkFinding/v1", bw_digest_hex(&d));
	bw_jw_object_end(w);
}

static void image_location(bw_jsonw *w, const char *path)
{
	char *uri = bw_report__uri_path(path);
	bw_jw_key(w, "locations");
	bw_jw_array_begin(w);
	bw_jw_object_begin(w);
	bw_jw_key(w, "physicalLocation");
	bw_jw_object_begin(w);
	bw_jw_key(w, "artifactLocation");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "uri", uri ? uri : "");
	bw_jw_kv_string(w, "uriBaseId", "IMAGE_ROOT");
	bw_jw_object_end(w);
	bw_jw_object_end(w);
	bw_jw_object_end(w);
	bw_jw_array_end(w);
	free(uri);
}

static void finding_result(bw_jsonw *w, const bw_report_view *v, size_t i)
{
	const bw_vuln *x = v->sorted[i];
	const bw_package *p = x->package;
	const bw_layer_info *layer = p->layer < v->in->n_layers ? &v->in->layers[p->layer] : NULL;
	int rank = bw_report__severity_rank(x->severity);
	char msg[8192];

	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "ruleId", x->id);
	bw_jw_kv_uint(w, "ruleIndex", v->rule[i]);
	bw_jw_kv_string(w, "level", level_for(rank));
	snprintf(msg, sizeof(msg), "%s in %s %s (%s): severity %s, fixed version %s, from layer %zu (%s)%s%s",
		 x->id, p->name, x->installed_version, p->type, bw_report__severities[rank], fixed_text(x),
		 p->layer + 1, layer && layer->diff_id ? layer->diff_id : "-", x->title ? ". " : "",
		 x->title ? x->title : "");
	text_message(w, "message", msg);
	image_location(w, p->path);
	fingerprint(w, x->id, p->purl, p->path);
	if (x->suppressed_by) {
		bw_jw_key(w, "suppressions");
		bw_jw_array_begin(w);
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "kind", "external");
		bw_jw_kv_string(w, "state", "accepted");
		bw_jw_kv_string(w, "justification", x->suppressed_by);
		bw_jw_object_end(w);
		bw_jw_array_end(w);
	}
	bw_jw_key(w, "properties");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "package", p->name);
	bw_jw_kv_string(w, "type", p->type);
	bw_jw_kv_string(w, "purl", p->purl);
	bw_jw_kv_string(w, "installed_version", x->installed_version);
	bw_jw_kv_string(w, "fixed_version", x->fixed_version);
	bw_jw_kv_string(w, "status", x->status);
	bw_jw_kv_string(w, "severity", bw_report__severities[rank]);
	bw_jw_kv_string(w, "path", p->path);
	bw_jw_kv_string(w, "layer", layer ? layer->diff_id : NULL);
	bw_jw_kv_uint(w, "layer_index", p->layer + 1);
	if (layer && layer->created_by) {
		char masked[8192];
		bw_redact(layer->created_by, false, masked, sizeof(masked));
		bw_jw_kv_string(w, "layer_created_by", masked);
	}
	bw_jw_object_end(w);
	bw_jw_object_end(w);
}

static const char *policy_level(const char *action)
{
	return action && !strcmp(action, "fail") ? "error" : action && !strcmp(action, "warn") ? "warning" : "note";
}

/* The first package of the image with this name, for a violation's location. */
static const bw_package *package_named(const bw_report_view *v, const char *name)
{
	for (size_t i = 0; name && i < v->n_packages; i++) {
		const bw_package *p = bw_image_package_at(v->r->img, i);
		if (p->name && !strcmp(p->name, name))
			return p;
	}
	return NULL;
}

static void policy_location(bw_jsonw *w, const char *policy_file)
{
	char *rel = bw_report__uri_path(policy_file);
	size_t n = rel ? strlen(rel) + 16 : 0;
	char *uri = rel ? malloc(n) : NULL;
	if (uri)
		snprintf(uri, n, "%s%s", policy_file && policy_file[0] == '/' ? "file:///" : "", rel);
	bw_jw_key(w, "locations");
	bw_jw_array_begin(w);
	bw_jw_object_begin(w);
	bw_jw_key(w, "physicalLocation");
	bw_jw_object_begin(w);
	bw_jw_key(w, "artifactLocation");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "uri", uri ? uri : "policy");
	bw_jw_object_end(w);
	bw_jw_object_end(w);
	bw_jw_object_end(w);
	bw_jw_array_end(w);
	free(uri);
	free(rel);
}

void bw_report__sarif_open(bw_jsonw *w, FILE *out)
{
	bw_jw_init(w, out, true);
	w->html_safe = true;
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "$schema", SARIF_SCHEMA);
	bw_jw_kv_string(w, "version", "2.1.0");
	bw_jw_key(w, "runs");
	bw_jw_array_begin(w);
	bw_jw_object_begin(w);
	bw_jw_key(w, "tool");
	bw_jw_object_begin(w);
	bw_jw_key(w, "driver");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "name", "bulwark");
	bw_jw_kv_string(w, "version", bw_version());
	bw_jw_kv_string(w, "semanticVersion", bw_version());
	bw_jw_key(w, "rules");
	bw_jw_array_begin(w);
}

int bw_report__sarif_close(bw_jsonw *w)
{
	bw_jw_object_end(w); /* run */
	bw_jw_array_end(w);
	bw_jw_object_end(w);
	return bw_jw_finish(w) < 0 ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
}

int bw_report__sarif(FILE *out, const bw_report_view *v)
{
	const bw_policy_result *pol = v->r->policy;
	size_t *order = calloc(v->n + 1, sizeof(*order)), *start = calloc(v->n_rules + 2, sizeof(*start));
	size_t n_policy_rules = 0, *policy_rule = NULL, misconfig_rules = 0;
	bw_strmap policy_ids = { 0 };
	char buf[4096];
	bw_jsonw w;
	int rc = 0;

	if (!order || !start)
		goto oom;
	/* findings grouped by rule (counting sort, stable: report order within a rule) */
	for (size_t i = 0; i < v->n; i++)
		start[v->rule[i] + 1]++;
	for (size_t r = 0; r < v->n_rules; r++)
		start[r + 1] += start[r];
	{
		size_t *fill = calloc(v->n_rules + 1, sizeof(*fill));
		if (!fill)
			goto oom;
		for (size_t i = 0; i < v->n; i++)
			order[start[v->rule[i]] + fill[v->rule[i]]++] = i;
		free(fill);
	}
	/* policy rules: one per distinct rule name, after the advisories */
	if (pol && pol->n_violations) {
		if (!(policy_rule = calloc(pol->n_violations, sizeof(*policy_rule))))
			goto oom;
		for (size_t i = 0; i < pol->n_violations; i++) {
			const char *name = pol->violations[i].rule ? pol->violations[i].rule : "";
			uintptr_t k = (uintptr_t)bw_strmap_get(&policy_ids, name);
			if (!k) {
				k = ++n_policy_rules;
				if (bw_strmap_put(&policy_ids, name, (void *)k) < 0)
					goto oom;
			}
			policy_rule[i] = k - 1;
		}
	}

	bw_report__sarif_open(&w, out);
	for (size_t r = 0; r < v->n_rules; r++)
		if ((rc = advisory_rule(&w, v, r, order, start[r], start[r + 1])) < 0)
			goto done;
	for (size_t k = 0; k < n_policy_rules; k++) {
		/* the first violation of rule k names it and gives its action */
		const bw_violation *x = NULL;
		for (size_t i = 0; i < pol->n_violations && !x; i++)
			if (policy_rule[i] == k)
				x = &pol->violations[i];
		bw_jw_object_begin(&w);
		snprintf(buf, sizeof(buf), "policy/%s", x->rule ? x->rule : "");
		bw_jw_kv_string(&w, "id", buf);
		bw_jw_kv_string(&w, "name", "PolicyViolation");
		snprintf(buf, sizeof(buf), "Policy rule %s", x->rule ? x->rule : "");
		text_message(&w, "shortDescription", buf);
		bw_jw_key(&w, "help");
		bw_jw_object_begin(&w);
		snprintf(buf, sizeof(buf), "Rule %s of the policy %s (action: %s). Each result says what violated it.",
			 x->rule ? x->rule : "", pol->policy ? pol->policy : "", x->action ? x->action : "fail");
		bw_jw_kv_string(&w, "text", buf);
		bw_jw_object_end(&w);
		bw_jw_key(&w, "defaultConfiguration");
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "level", policy_level(x->action));
		bw_jw_object_end(&w);
		bw_jw_key(&w, "properties");
		bw_jw_object_begin(&w);
		bw_jw_key(&w, "tags");
		bw_jw_array_begin(&w);
		bw_jw_string(&w, "policy");
		bw_jw_array_end(&w);
		bw_jw_object_end(&w);
		bw_jw_object_end(&w);
	}
	if (v->r->misconfigs) {
		bw_report__misconfig_sarif_rules(&w);
		bw_misconfig_checks(&misconfig_rules);
	}
	if (v->r->secrets && (rc = bw_report__secrets_sarif_rules(&w, v->r->secrets)) < 0)
		goto done;
	bw_jw_array_end(&w);
	bw_jw_object_end(&w); /* driver */
	bw_jw_object_end(&w); /* tool */

	bw_jw_key(&w, "originalUriBaseIds");
	bw_jw_object_begin(&w);
	bw_jw_key(&w, "IMAGE_ROOT");
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "uri", "file:///");
	snprintf(buf, sizeof(buf), "The root of the filesystem of image %s", v->in->reference);
	text_message(&w, "description", buf);
	bw_jw_object_end(&w);
	bw_jw_object_end(&w);

	bw_jw_key(&w, "results");
	bw_jw_array_begin(&w);
	for (size_t i = 0; i < v->n; i++)
		finding_result(&w, v, i);
	for (size_t i = 0; pol && i < pol->n_violations; i++) {
		const bw_violation *x = &pol->violations[i];
		const bw_package *p = package_named(v, x->package);
		bw_jw_object_begin(&w);
		snprintf(buf, sizeof(buf), "policy/%s", x->rule ? x->rule : "");
		bw_jw_kv_string(&w, "ruleId", buf);
		bw_jw_kv_uint(&w, "ruleIndex", v->n_rules + policy_rule[i]);
		bw_jw_kv_string(&w, "level", policy_level(x->action));
		text_message(&w, "message", x->reason);
		if (p)
			image_location(&w, p->path);
		else
			policy_location(&w, pol->policy);
		bw_jw_key(&w, "properties");
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "action", x->action);
		if (x->id)
			bw_jw_kv_string(&w, "id", x->id);
		if (x->package)
			bw_jw_kv_string(&w, "package", x->package);
		bw_jw_object_end(&w);
		bw_jw_object_end(&w);
	}
	if (v->r->misconfigs)
		bw_report__misconfig_sarif_results(&w, v->r->misconfigs, v->n_rules + n_policy_rules, true);
	if (v->r->secrets && (rc = bw_report__secrets_sarif_results(&w, v->r->secrets, v->n_rules + n_policy_rules + misconfig_rules)) < 0)
		goto done;
	bw_jw_array_end(&w);

	bw_jw_key(&w, "properties");
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "image", v->in->reference);
	bw_jw_kv_string(&w, "manifest_digest", v->in->manifest_digest);
	bw_jw_kv_uint(&w, "vulnerabilities", v->shown);
	bw_jw_kv_uint(&w, "suppressed", v->suppressed);
	if (v->r->secrets)
		bw_jw_kv_uint(&w, "secrets", bw_secrets_count(v->r->secrets));
	if (pol) {
		bw_jw_kv_string(&w, "policy_verdict", pol->verdict);
		bw_jw_kv_string(&w, "policy_file", pol->policy);
	}
	bw_jw_object_end(&w);

	rc = bw_report__sarif_close(&w);
	goto done;
oom:
	rc = bw_error_set(BW_EINTERNAL, "out of memory");
done:
	free(order);
	free(start);
	free(policy_rule);
	bw_strmap_free(&policy_ids);
	return rc;
}
