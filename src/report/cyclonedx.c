/*
 * report/cyclonedx.c: `scan --format cyclonedx`: the findings of a scan as
 * the `vulnerabilities` section of a CycloneDX 1.6 BOM whose components are
 * the ones `sbom --format cyclonedx` writes (report/sbom_std.c writes the
 * BOM and calls in here). One entry per finding: its id and the aliases as
 * references, ratings (bulwark's severity, then each CVSS vector with method
 * and score), the affected component's bom-ref with the installed version
 * (affected) and the fixed one (unaffected), a recommendation, and for a
 * finding a VEX statement or ignore rule suppressed, analysis.state
 * not_affected with the reason. The policy verdict and violations are BOM
 * properties (bulwark:policy:*).
 */
#include <string.h>

#include "report/report_int.h"

/* Where an id is published. */
static void id_source(bw_jsonw *w, const char *id)
{
	char url[512];
	const char *name;
	bool has_url = bw_report__advisory_url(id, url, sizeof(url), &name);

	bw_jw_key(w, "source");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "name", name);
	if (has_url)
		bw_jw_kv_string(w, "url", url);
	bw_jw_object_end(w);
}

static const char *method_for(const char *version)
{
	if (!strcmp(version, "2.0"))
		return "CVSSv2";
	if (!strcmp(version, "3.0"))
		return "CVSSv3";
	if (!strcmp(version, "3.1"))
		return "CVSSv31";
	if (!strcmp(version, "4.0"))
		return "CVSSv4";
	return "other";
}

/* The qualitative rating of a CVSS base score (CVSS v3.1 spec §5, v2: no critical). */
static const char *score_severity(const char *version, double score)
{
	if (score == 0)
		return "none";
	if (!strcmp(version, "2.0"))
		return score < 4 ? "low" : score < 7 ? "medium" : "high";
	return score < 4 ? "low" : score < 7 ? "medium" : score < 9 ? "high" : "critical";
}

/* OpenVEX and CycloneDX justifications found in a suppression's reason. */
static const char *cdx_justification(const char *reason)
{
	static const struct { const char *word, *cdx; } map[] = {
		{ "component_not_present", "code_not_present" },
		{ "vulnerable_code_not_present", "code_not_present" },
		{ "vulnerable_code_not_in_execute_path", "code_not_reachable" },
		{ "vulnerable_code_cannot_be_controlled_by_adversary", "protected_at_runtime" },
		{ "inline_mitigations_already_exist", "protected_by_mitigating_control" },
		{ "code_not_present", "code_not_present" },
		{ "code_not_reachable", "code_not_reachable" },
		{ "requires_configuration", "requires_configuration" },
		{ "requires_dependency", "requires_dependency" },
		{ "requires_environment", "requires_environment" },
		{ "protected_by_compiler", "protected_by_compiler" },
		{ "protected_at_runtime", "protected_at_runtime" },
		{ "protected_at_perimeter", "protected_at_perimeter" },
		{ "protected_by_mitigating_control", "protected_by_mitigating_control" },
	};
	for (size_t i = 0; reason && i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(reason, map[i].word))
			return map[i].cdx;
	return NULL;
}

static void property(bw_jsonw *w, const char *name, const char *value)
{
	if (!value)
		return;
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "name", name);
	bw_jw_kv_string(w, "value", value);
	bw_jw_object_end(w);
}

static void lower(const char *s, char *out, size_t n)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < n; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
	out[i] = '\0';
}

static void vulnerability(bw_jsonw *w, const bw_report_view *v, size_t i)
{
	const bw_vuln *x = v->sorted[i];
	const bw_package *p = x->package;
	bw_report_cvss cvss[BW_REPORT_MAX_CVSS];
	size_t n_cvss = bw_report__cvss(x->cvss, cvss, BW_REPORT_MAX_CVSS);
	char buf[4200], sev[16];

	bw_jw_object_begin(w);
	snprintf(buf, sizeof(buf), "vulnerability-%zu", i + 1);
	bw_jw_kv_string(w, "bom-ref", buf);
	bw_jw_kv_string(w, "id", x->id);
	id_source(w, x->id);
	if (x->n_aliases) {
		bw_jw_key(w, "references");
		bw_jw_array_begin(w);
		for (size_t k = 0; k < x->n_aliases; k++) {
			bw_jw_object_begin(w);
			bw_jw_kv_string(w, "id", x->aliases[k]);
			id_source(w, x->aliases[k]);
			bw_jw_object_end(w);
		}
		bw_jw_array_end(w);
	}

	bw_jw_key(w, "ratings");
	bw_jw_array_begin(w);
	lower(x->severity, sev, sizeof(sev));
	bw_jw_object_begin(w);
	if (x->data_source) {
		bw_jw_key(w, "source");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "name", x->data_source);
		bw_jw_object_end(w);
	}
	bw_jw_kv_string(w, "severity", bw_report__severity_rank(x->severity) == BW_REPORT_NSEV - 1 ? "unknown" : sev);
	bw_jw_kv_string(w, "method", "other");
	bw_jw_kv_string(w, "justification", "the distribution's rating for OS packages, else the advisory's");
	bw_jw_object_end(w);
	for (size_t k = 0; k < n_cvss; k++) {
		bw_jw_object_begin(w);
		if (cvss[k].has_score) {
			snprintf(buf, sizeof(buf), "%.1f", cvss[k].score);
			bw_jw_key(w, "score");
			bw_jw_raw_number(w, buf);
			bw_jw_kv_string(w, "severity", score_severity(cvss[k].version, cvss[k].score));
		}
		bw_jw_kv_string(w, "method", method_for(cvss[k].version));
		bw_jw_kv_string(w, "vector", cvss[k].vector);
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);

	if (x->title)
		bw_jw_kv_string(w, "description", x->title);
	if (x->fixed_version)
		snprintf(buf, sizeof(buf), "Upgrade %.1000s to %.1000s or later.", p->name, x->fixed_version);
	else if (x->status && !strcmp(x->status, "will_not_fix"))
		snprintf(buf, sizeof(buf), "No fix: the distribution will not fix %.1000s.", p->name);
	else
		snprintf(buf, sizeof(buf), "No fixed version of %.1000s is known yet.", p->name);
	bw_jw_kv_string(w, "recommendation", buf);

	bw_jw_key(w, "affects");
	bw_jw_array_begin(w);
	bw_jw_object_begin(w);
	if (v->pkg[i] != SIZE_MAX)
		bw_report__cdx_ref(p, v->pkg[i], buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%s", p->purl ? p->purl : "image");
	bw_jw_kv_string(w, "ref", buf);
	bw_jw_key(w, "versions");
	bw_jw_array_begin(w);
	if (p->version && strlen(p->version) <= 1024) {
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "version", p->version);
		bw_jw_kv_string(w, "status", "affected");
		bw_jw_object_end(w);
	}
	if (x->fixed_version && strlen(x->fixed_version) <= 1024 &&
	    (!p->version || strcmp(x->fixed_version, p->version) != 0)) {
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "version", x->fixed_version);
		bw_jw_kv_string(w, "status", "unaffected");
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);
	bw_jw_object_end(w);
	bw_jw_array_end(w);

	if (x->suppressed_by) {
		const char *just = cdx_justification(x->suppressed_by);
		bw_jw_key(w, "analysis");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "state", "not_affected");
		if (just)
			bw_jw_kv_string(w, "justification", just);
		bw_jw_kv_string(w, "detail", x->suppressed_by);
		bw_jw_object_end(w);
	}

	bw_jw_key(w, "properties");
	bw_jw_array_begin(w);
	property(w, "bulwark:status", x->status);
	property(w, "bulwark:installed_version", x->installed_version);
	property(w, "bulwark:fixed_version", x->fixed_version);
	property(w, "bulwark:why", x->why);
	property(w, "bulwark:package:path", p->path);
	property(w, "bulwark:package:layer_diff_id", bw_report__layer_id(v->in, p->layer));
	bw_jw_array_end(w);
	bw_jw_object_end(w);
}

void bw_report__cdx_vulnerabilities(bw_jsonw *w, const bw_report_view *v)
{
	bw_jw_key(w, "vulnerabilities");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < v->n; i++)
		vulnerability(w, v, i);
	bw_jw_array_end(w);
}

void bw_report__cdx_policy(bw_jsonw *w, const bw_policy_result *p)
{
	char buf[4096];

	bw_jw_key(w, "properties");
	bw_jw_array_begin(w);
	property(w, "bulwark:policy:verdict", p->verdict);
	property(w, "bulwark:policy:file", p->policy);
	property(w, "bulwark:policy:in_scope", p->in_scope ? "true" : "false");
	for (size_t i = 0; i < p->n_violations; i++) {
		const bw_violation *x = &p->violations[i];
		snprintf(buf, sizeof(buf), "%s %s: %s", x->action ? x->action : "fail", x->rule ? x->rule : "",
			 x->reason ? x->reason : "");
		property(w, "bulwark:policy:violation", buf);
	}
	bw_jw_array_end(w);
}
