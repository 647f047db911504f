/*
 * report/misconfig.c: what the misconfig scanner adds to every scan format
 * (the `misconfigurations` array and summary counts in JSON, a table section,
 * SARIF rules and results, a JUnit suite, an HTML section), and the report of
 * `bulwark dockerfile` (table, json, sarif). Evidence and targets come from
 * images and Dockerfiles: they go through the escaping of each format.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/bulwark.h"
#include "bulwark/misconfig.h"
#include "report/report_int.h"

#define TABLE_WIDTH 100

static int sev_rank(const char *s)
{
	return bw_report__severity_rank(s);
}

static void counts_of(const bw_misconfigs *m, size_t c[BW_REPORT_NSEV])
{
	memset(c, 0, sizeof(size_t) * BW_REPORT_NSEV);
	for (size_t i = 0; i < bw_misconfigs_count(m); i++)
		c[sev_rank(bw_misconfigs_at(m, i)->severity)]++;
}

/* "Dockerfile:12" for a finding with a line, else the target. */
static void target_text(const bw_misconfig *x, char *buf, size_t n)
{
	if (x->line)
		snprintf(buf, n, "%s:%u", x->target, x->line);
	else
		snprintf(buf, n, "%s", x->target);
}

void bw_report__misconfig_json(bw_jsonw *w, const bw_misconfigs *m)
{
	bw_jw_key(w, "misconfigurations");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < bw_misconfigs_count(m); i++) {
		const bw_misconfig *x = bw_misconfigs_at(m, i);
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "id", x->id);
		bw_jw_kv_string(w, "severity", x->severity);
		bw_jw_kv_string(w, "title", x->title);
		bw_jw_kv_string(w, "target", x->target);
		bw_jw_kv_string(w, "evidence", x->evidence);
		if (x->line) {
			bw_jw_key(w, "line");
			bw_jw_uint(w, x->line);
		}
		if (x->layer >= 0) {
			bw_jw_key(w, "layer_index");
			bw_jw_uint(w, (uint64_t)x->layer + 1);
		}
		bw_jw_kv_string(w, "rationale", x->check->rationale);
		bw_jw_kv_string(w, "remediation", x->check->remediation);
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);
}

void bw_report__misconfig_summary_json(bw_jsonw *w, const bw_misconfigs *m)
{
	size_t c[BW_REPORT_NSEV];
	counts_of(m, c);
	bw_jw_kv_uint(w, "misconfigurations", bw_misconfigs_count(m));
	bw_jw_key(w, "misconfigurations_by_severity");
	bw_jw_object_begin(w);
	for (int s = 0; s < BW_REPORT_NSEV - 1; s++)
		bw_jw_kv_uint(w, bw_report__severities[s], c[s]);
	bw_jw_object_end(w);
}

static void counts_line(char *buf, size_t n, const bw_misconfigs *m)
{
	size_t c[BW_REPORT_NSEV], o;
	counts_of(m, c);
	o = (size_t)snprintf(buf, n, "%zu misconfiguration%s", bw_misconfigs_count(m),
			     bw_misconfigs_count(m) == 1 ? "" : "s");
	bool first = true;
	for (int s = 0; s < BW_REPORT_NSEV && o < n; s++) {
		if (!c[s])
			continue;
		o += (size_t)snprintf(buf + o, n - o, "%s%s %zu", first ? ": " : ", ", bw_report__severities[s], c[s]);
		first = false;
	}
}

int bw_report__misconfig_table(FILE *out, const bw_misconfigs *m, bool color)
{
	static const char *const sev_color[BW_REPORT_NSEV] = { "\033[1;31m", "\033[31m", "\033[33m", "\033[34m",
								"\033[2m" };
	char buf[1024];
	int tw = 10, sw = 8, gw = 10;

	fputc('\n', out);
	counts_line(buf, sizeof(buf), m);
	if (color)
		fputs("\033[1m", out);
	bw_report__cell(out, buf, TABLE_WIDTH, false);
	if (color)
		fputs("\033[0m", out);
	fputc('\n', out);
	if (!bw_misconfigs_count(m))
		return ferror(out) ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
	for (size_t i = 0; i < bw_misconfigs_count(m); i++) {
		const bw_misconfig *x = bw_misconfigs_at(m, i);
		char t[512];
		target_text(x, t, sizeof(t));
		int k = bw_report__width(t);
		if (k > tw)
			tw = k;
	}
	if (tw > 28)
		tw = 28;
	fputc('\n', out);
	bw_report__cell(out, "ID", gw, true);
	fputc(' ', out);
	bw_report__cell(out, "SEVERITY", sw, true);
	fputc(' ', out);
	bw_report__cell(out, "TARGET", tw, true);
	fputs(" TITLE: EVIDENCE\n", out);
	for (size_t i = 0; i < bw_misconfigs_count(m); i++) {
		const bw_misconfig *x = bw_misconfigs_at(m, i);
		char t[512], text[1024];
		int rank = sev_rank(x->severity);
		target_text(x, t, sizeof(t));
		bw_report__cell(out, x->id, gw, true);
		fputc(' ', out);
		if (color)
			fputs(sev_color[rank], out);
		bw_report__cell(out, x->severity, sw, true);
		if (color)
			fputs("\033[0m", out);
		fputc(' ', out);
		bw_report__cell(out, t, tw, true);
		fputc(' ', out);
		snprintf(text, sizeof(text), "%s: %s", x->title, x->evidence);
		bw_report__wrap(out, text, gw + sw + tw + 3, gw + sw + tw + 3, TABLE_WIDTH);
		fputc('\n', out);
	}
	return ferror(out) ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
}

/* ------------------------------------------------------------ SARIF */

static const char *sarif_level(const char *severity)
{
	int r = sev_rank(severity);
	return r <= 1 ? "error" : r == 2 ? "warning" : "note";
}

static const char *security_severity(const char *severity)
{
	/* GitHub code scanning's bands: >= 9 critical, >= 7 high, >= 4 medium, else low */
	int r = sev_rank(severity);
	return r == 0 ? "9.5" : r == 1 ? "8.0" : r == 2 ? "5.5" : "2.0";
}

void bw_report__misconfig_sarif_rules(bw_jsonw *w)
{
	size_t n;
	const bw_misconfig_check *c = bw_misconfig_checks(&n);
	char buf[2048];
	for (size_t i = 0; i < n; i++) {
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "id", c[i].id);
		bw_jw_kv_string(w, "name", "Misconfiguration");
		bw_jw_key(w, "shortDescription");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "text", c[i].title);
		bw_jw_object_end(w);
		bw_jw_key(w, "fullDescription");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "text", c[i].rationale);
		bw_jw_object_end(w);
		bw_jw_key(w, "help");
		bw_jw_object_begin(w);
		snprintf(buf, sizeof(buf), "%s Remediation: %s", c[i].rationale, c[i].remediation);
		bw_jw_kv_string(w, "text", buf);
		bw_jw_object_end(w);
		bw_jw_key(w, "defaultConfiguration");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "level", sarif_level(c[i].severity));
		bw_jw_object_end(w);
		bw_jw_key(w, "properties");
		bw_jw_object_begin(w);
		bw_jw_key(w, "tags");
		bw_jw_array_begin(w);
		bw_jw_string(w, "security");
		bw_jw_string(w, "misconfiguration");
		bw_jw_array_end(w);
		bw_jw_kv_string(w, "security-severity", security_severity(c[i].severity));
		bw_jw_object_end(w);
		bw_jw_object_end(w);
	}
}

void bw_report__misconfig_sarif_results(bw_jsonw *w, const bw_misconfigs *m, size_t rule_base, bool image)
{
	size_t n;
	const bw_misconfig_check *c = bw_misconfig_checks(&n);
	char msg[2048];
	for (size_t i = 0; i < bw_misconfigs_count(m); i++) {
		const bw_misconfig *x = bw_misconfigs_at(m, i);
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "ruleId", x->id);
		bw_jw_kv_uint(w, "ruleIndex", rule_base + (size_t)(x->check - c));
		bw_jw_kv_string(w, "level", sarif_level(x->severity));
		bw_jw_key(w, "message");
		bw_jw_object_begin(w);
		snprintf(msg, sizeof(msg), "%s: %s", x->title, x->evidence);
		bw_jw_kv_string(w, "text", msg);
		bw_jw_object_end(w);
		/* a location for files (image paths, the Dockerfile); config targets have none */
		if (!image || x->target[0] == '/') {
			char *uri = bw_report__uri_path(x->target);
			bw_jw_key(w, "locations");
			bw_jw_array_begin(w);
			bw_jw_object_begin(w);
			bw_jw_key(w, "physicalLocation");
			bw_jw_object_begin(w);
			bw_jw_key(w, "artifactLocation");
			bw_jw_object_begin(w);
			bw_jw_kv_string(w, "uri", uri ? uri : "");
			if (image)
				bw_jw_kv_string(w, "uriBaseId", "IMAGE_ROOT");
			bw_jw_object_end(w);
			if (x->line) {
				bw_jw_key(w, "region");
				bw_jw_object_begin(w);
				bw_jw_kv_uint(w, "startLine", x->line);
				bw_jw_object_end(w);
			}
			bw_jw_object_end(w);
			bw_jw_object_end(w);
			bw_jw_array_end(w);
			free(uri);
		}
		bw_jw_key(w, "properties");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "severity", x->severity);
		bw_jw_kv_string(w, "target", x->target);
		bw_jw_object_end(w);
		bw_jw_object_end(w);
	}
}

/* ------------------------------------------------------------ JUnit */

static size_t checks_failing(const bw_misconfigs *m, size_t *n_checks)
{
	size_t n, fail = 0;
	const bw_misconfig_check *c = bw_misconfig_checks(&n);
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < bw_misconfigs_count(m); i++)
			if (bw_misconfigs_at(m, i)->check == &c[k]) {
				fail++;
				break;
			}
	*n_checks = n;
	return fail;
}

void bw_report__misconfig_junit_counts(const bw_misconfigs *m, size_t *tests, size_t *failures)
{
	size_t n;
	*failures += checks_failing(m, &n);
	*tests += n;
}

static void xml_attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	bw_report__markup(out, value ? value : "");
	fputc('"', out);
}

void bw_report__misconfig_junit(FILE *out, const bw_misconfigs *m)
{
	size_t n, fail = checks_failing(m, &n);
	const bw_misconfig_check *c = bw_misconfig_checks(&n);
	fprintf(out, "  <testsuite name=\"misconfigurations\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
		     "time=\"0\">\n", n, fail);
	for (size_t k = 0; k < n; k++) {
		size_t hits = 0;
		fputs("    <testcase classname=\"misconfig\"", out);
		char name[256];
		snprintf(name, sizeof(name), "%s %s", c[k].id, c[k].title);
		xml_attr(out, "name", name);
		fputs(" time=\"0\"", out);
		for (size_t i = 0; i < bw_misconfigs_count(m); i++)
			hits += bw_misconfigs_at(m, i)->check == &c[k];
		if (!hits) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n      <failure type=\"misconfiguration\"", out);
		char msg[128];
		snprintf(msg, sizeof(msg), "%zu finding%s, severity %s", hits, hits == 1 ? "" : "s", c[k].severity);
		xml_attr(out, "message", msg);
		fputc('>', out);
		for (size_t i = 0; i < bw_misconfigs_count(m); i++) {
			const bw_misconfig *x = bw_misconfigs_at(m, i);
			char t[512];
			if (x->check != &c[k])
				continue;
			target_text(x, t, sizeof(t));
			bw_report__markup(out, t);
			fputs(": ", out);
			bw_report__markup(out, x->evidence);
			fputs("&#10;", out);
		}
		fputs("Remediation: ", out);
		bw_report__markup(out, c[k].remediation);
		fputs("</failure>\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

/* ------------------------------------------------------------ HTML */

void bw_report__misconfig_html(FILE *f, const bw_misconfigs *m)
{
	char buf[256];
	counts_line(buf, sizeof(buf), m);
	fputs("<section id=\"misconfigurations\"><h2>Misconfigurations</h2>\n<p>", f);
	bw_report__markup(f, buf);
	fputs("</p>\n", f);
	if (bw_misconfigs_count(m)) {
		fputs("<table><thead><tr><th>ID</th><th>Severity</th><th>Target</th><th>Title</th><th>Evidence</th>"
		      "<th>Remediation</th></tr></thead><tbody>\n", f);
		for (size_t i = 0; i < bw_misconfigs_count(m); i++) {
			const bw_misconfig *x = bw_misconfigs_at(m, i);
			char t[512];
			target_text(x, t, sizeof(t));
			fputs("<tr><td>", f);
			bw_report__markup(f, x->id);
			fprintf(f, "</td><td class=\"sev-%d\">", sev_rank(x->severity));
			bw_report__markup(f, x->severity);
			fputs("</td><td><code>", f);
			bw_report__markup(f, t);
			fputs("</code></td><td>", f);
			bw_report__markup(f, x->title);
			fputs("</td><td>", f);
			bw_report__markup(f, x->evidence);
			fputs("</td><td>", f);
			bw_report__markup(f, x->check->remediation);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	fputs("</section>\n", f);
}

/* ------------------------------------------------------------ `bulwark dockerfile` */

int bw_report_misconfigs(FILE *out, const bw_misconfigs *m, const char *name, bw_format format)
{
	bw_jsonw w;
	switch (format) {
	case BW_FORMAT_TABLE: {
		char head[1024];
		snprintf(head, sizeof(head), "%s  (%s)", name ? name : "", bw_misconfigs_kind(m));
		bw_report__cell(out, head, TABLE_WIDTH, false);
		fputc('\n', out);
		return bw_report__misconfig_table(out, m, false);
	}
	case BW_FORMAT_JSON:
		bw_jw_init(&w, out, true);
		bw_jw_object_begin(&w);
		bw_jw_kv_uint(&w, "schema", 1);
		bw_jw_key(&w, "tool");
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "name", "bulwark");
		bw_jw_kv_string(&w, "version", bw_version());
		bw_jw_object_end(&w);
		bw_jw_key(&w, "artifact");
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "dockerfile", name);
		bw_jw_object_end(&w);
		bw_report__misconfig_json(&w, m);
		bw_jw_key(&w, "summary");
		bw_jw_object_begin(&w);
		bw_report__misconfig_summary_json(&w, m);
		bw_jw_object_end(&w);
		bw_jw_object_end(&w);
		return bw_jw_finish(&w) < 0 ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
	case BW_FORMAT_SARIF:
		bw_report__sarif_open(&w, out);
		bw_report__misconfig_sarif_rules(&w);
		bw_jw_array_end(&w);
		bw_jw_object_end(&w);
		bw_jw_object_end(&w);
		bw_jw_key(&w, "results");
		bw_jw_array_begin(&w);
		bw_report__misconfig_sarif_results(&w, m, 0, false);
		bw_jw_array_end(&w);
		return bw_report__sarif_close(&w);
	default:
		return bw_error_set(BW_EUSAGE, "dockerfile: --format table, json or sarif");
	}
}
