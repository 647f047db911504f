/*
 * report/secrets.c: the secret scanner's part of every scan format: the JSON
 * `secrets` array (DESIGN.md §6) and its summary counts, the table section,
 * SARIF rules and results (a rule per secret rule that found something), a
 * JUnit suite "secrets" and the HTML section. Only redacted matches exist in
 * a bw_secret, so nothing here can print a secret; paths are image input and
 * go through the escapers of report/text.c like every other string.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/secrets.h"
#include "report/report_int.h"

#define SHORT_MATCH 24

static const char *const sev_names[4] = { "CRITICAL", "HIGH", "MEDIUM", "LOW" };

static void counts(const bw_secrets *s, size_t c[4])
{
	memset(c, 0, 4 * sizeof(c[0]));
	for (size_t i = 0; i < bw_secrets_count(s); i++) {
		const char *sev = bw_secrets_at(s, i)->severity;
		for (int k = 0; k < 4; k++)
			if (!strcmp(sev, sev_names[k]))
				c[k]++;
	}
}

/* ------------------------------------------------------------ JSON */

void bw_report__secrets_json(bw_jsonw *w, const bw_secrets *s)
{
	bw_jw_key(w, "secrets");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < bw_secrets_count(s); i++) {
		const bw_secret *x = bw_secrets_at(s, i);
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "rule", x->rule);
		bw_jw_kv_string(w, "category", x->category);
		bw_jw_kv_string(w, "severity", x->severity);
		bw_jw_kv_string(w, "title", x->title);
		bw_jw_kv_string(w, "path", x->path);
		bw_jw_kv_string(w, "layer", x->in_config ? NULL : x->diff_id);
		if (x->in_config) {
			bw_jw_key(w, "layer_index");
			bw_jw_null(w);
			bw_jw_key(w, "line");
			bw_jw_null(w);
		} else {
			bw_jw_kv_uint(w, "layer_index", x->layer + 1); /* 1-based, as files[] and packages[] */
			bw_jw_kv_uint(w, "line", x->line);
		}
		bw_jw_kv_bool(w, "deleted_in_later_layer", x->deleted_in_later_layer);
		bw_jw_kv_string(w, "match", x->match);
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);
}

void bw_report__secrets_summary_json(bw_jsonw *w, const bw_secrets *s)
{
	size_t c[4];
	counts(s, c);
	bw_jw_kv_uint(w, "secrets", bw_secrets_count(s));
	bw_jw_key(w, "secrets_by_severity");
	bw_jw_object_begin(w);
	for (int k = 0; k < 4; k++)
		bw_jw_kv_uint(w, sev_names[k], c[k]);
	bw_jw_object_end(w);
}

/* ------------------------------------------------------------ table */

#define W_SEV 8
#define W_RULE 24
#define W_WHERE 40
#define W_LAYER 7

/* The table has room for the ends of a match, not for its stars: "AKIA***KDI3". */
static void short_match(const char *m, char *out, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; m[i] && o + 1 < n; i++) {
		if (m[i] == '*' && i >= 3 && m[i - 1] == '*' && m[i - 2] == '*' && m[i - 3] == '*')
			continue;
		out[o++] = m[i];
	}
	out[o] = '\0';
}

int bw_report__secrets_table(FILE *out, const bw_secrets *s, bool color)
{
	size_t c[4], n = bw_secrets_count(s);
	char buf[512];

	counts(s, c);
	snprintf(buf, sizeof(buf), "%zu secret%s", n, n == 1 ? "" : "s");
	fputc('\n', out);
	if (color)
		fputs("\033[1m", out);
	fputs(buf, out);
	if (n) {
		const char *sep = ": ";
		for (int k = 0; k < 4; k++)
			if (c[k]) {
				fprintf(out, "%s%s %zu", sep, sev_names[k], c[k]);
				sep = ", ";
			}
	}
	if (color)
		fputs("\033[0m", out);
	fputc('\n', out);
	if (!n)
		return ferror(out) ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
	fputs("(LAYER: the layer that added the file, 1 = base; \"del\": a later layer deleted or replaced "
	      "it, but it is still in the image)\n\n", out);
	bw_report__cell(out, "SEVERITY", W_SEV, true);
	fputc(' ', out);
	bw_report__cell(out, "RULE", W_RULE, true);
	fputc(' ', out);
	bw_report__cell(out, "WHERE", W_WHERE, true);
	fputc(' ', out);
	bw_report__cell(out, "LAYER", W_LAYER, true);
	fputs(" MATCH\n", out);
	for (size_t i = 0; i < n; i++) {
		const bw_secret *x = bw_secrets_at(s, i);
		char where[4200], layer[32], m[SHORT_MATCH];
		if (x->in_config)
			snprintf(where, sizeof(where), "%s", x->path);
		else
			snprintf(where, sizeof(where), "%s:%llu", x->path, (unsigned long long)x->line);
		if (x->in_config)
			snprintf(layer, sizeof(layer), "config");
		else
			snprintf(layer, sizeof(layer), "%zu%s", x->layer + 1, x->deleted_in_later_layer ? " del" : "");
		short_match(x->match, m, sizeof(m));
		bw_report__cell(out, x->severity, W_SEV, true);
		fputc(' ', out);
		bw_report__cell(out, x->rule, W_RULE, true);
		fputc(' ', out);
		bw_report__cell(out, where, W_WHERE, true);
		fputc(' ', out);
		bw_report__cell(out, layer, W_LAYER, true);
		fputc(' ', out);
		bw_report__cell(out, m, 100 - W_SEV - W_RULE - W_WHERE - W_LAYER - 4, false);
		fputc('\n', out);
	}
	if (ferror(out))
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return 0;
}

/* ------------------------------------------------------------ SARIF */

/* The distinct rule ids in report order; *n of them. Caller frees. */
static const char **distinct_rules(const bw_secrets *s, size_t *n)
{
	size_t total = bw_secrets_count(s);
	const char **ids = calloc(total + 1, sizeof(*ids));
	*n = 0;
	if (!ids)
		return NULL;
	for (size_t i = 0; i < total; i++) {
		const char *id = bw_secrets_at(s, i)->rule;
		bool seen = false;
		for (size_t k = 0; k < *n && !seen; k++)
			seen = !strcmp(ids[k], id);
		if (!seen)
			ids[(*n)++] = id;
	}
	return ids;
}

static const char *sarif_level(const char *sev)
{
	return !strcmp(sev, "CRITICAL") || !strcmp(sev, "HIGH") ? "error" : !strcmp(sev, "MEDIUM") ? "warning" : "note";
}

static void text_obj(bw_jsonw *w, const char *key, const char *text)
{
	bw_jw_key(w, key);
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "text", text);
	bw_jw_object_end(w);
}

int bw_report__secrets_sarif_rules(bw_jsonw *w, const bw_secrets *s)
{
	size_t n;
	const char **ids = distinct_rules(s, &n);
	char buf[512];
	if (!ids)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t k = 0; k < n; k++) {
		const bw_secret *x = NULL;
		for (size_t i = 0; i < bw_secrets_count(s) && !x; i++)
			if (!strcmp(bw_secrets_at(s, i)->rule, ids[k]))
				x = bw_secrets_at(s, i);
		bw_jw_object_begin(w);
		snprintf(buf, sizeof(buf), "secret/%s", x->rule);
		bw_jw_kv_string(w, "id", buf);
		bw_jw_kv_string(w, "name", "Secret");
		text_obj(w, "shortDescription", x->title);
		snprintf(buf, sizeof(buf), "%s (category %s). The match is shown redacted; rotate the credential and "
			 "remove it from every layer, since a later layer deleting a file does not remove it from the "
			 "image.", x->title, x->category);
		text_obj(w, "help", buf);
		bw_jw_key(w, "defaultConfiguration");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "level", sarif_level(x->severity));
		bw_jw_object_end(w);
		bw_jw_key(w, "properties");
		bw_jw_object_begin(w);
		bw_jw_key(w, "tags");
		bw_jw_array_begin(w);
		bw_jw_string(w, "secret");
		bw_jw_string(w, x->category);
		bw_jw_array_end(w);
		bw_jw_kv_string(w, "severity", x->severity);
		bw_jw_object_end(w);
		bw_jw_object_end(w);
	}
	free(ids);
	return 0;
}

int bw_report__secrets_sarif_results(bw_jsonw *w, const bw_secrets *s, size_t base)
{
	size_t n;
	const char **ids = distinct_rules(s, &n);
	char buf[4400];
	if (!ids)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < bw_secrets_count(s); i++) {
		const bw_secret *x = bw_secrets_at(s, i);
		size_t k = 0;
		while (k < n && strcmp(ids[k], x->rule))
			k++;
		bw_jw_object_begin(w);
		snprintf(buf, sizeof(buf), "secret/%s", x->rule);
		bw_jw_kv_string(w, "ruleId", buf);
		bw_jw_kv_uint(w, "ruleIndex", base + k);
		bw_jw_kv_string(w, "level", sarif_level(x->severity));
		if (x->in_config)
			snprintf(buf, sizeof(buf), "%s in the image config (%s): %s", x->title, x->path, x->match);
		else
			snprintf(buf, sizeof(buf), "%s in %s line %llu, layer %zu%s: %s", x->title, x->path,
				 (unsigned long long)x->line, x->layer + 1,
				 x->deleted_in_later_layer ? " (deleted by a later layer, still in the image)" : "",
				 x->match);
		text_obj(w, "message", buf);
		if (x->in_config) {
			bw_jw_key(w, "locations");
			bw_jw_array_begin(w);
			bw_jw_object_begin(w);
			bw_jw_key(w, "logicalLocations");
			bw_jw_array_begin(w);
			bw_jw_object_begin(w);
			bw_jw_kv_string(w, "fullyQualifiedName", x->path);
			bw_jw_kv_string(w, "kind", "variable");
			bw_jw_object_end(w);
			bw_jw_array_end(w);
			bw_jw_object_end(w);
			bw_jw_array_end(w);
		} else {
			char *uri = bw_report__uri_path(x->path);
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
			bw_jw_key(w, "region");
			bw_jw_object_begin(w);
			bw_jw_kv_uint(w, "startLine", x->line ? x->line : 1);
			bw_jw_object_end(w);
			bw_jw_object_end(w);
			bw_jw_object_end(w);
			bw_jw_array_end(w);
			free(uri);
		}
		bw_jw_key(w, "properties");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "category", x->category);
		bw_jw_kv_string(w, "severity", x->severity);
		bw_jw_kv_string(w, "match", x->match);
		if (!x->in_config) {
			bw_jw_kv_string(w, "layer", x->diff_id);
			bw_jw_kv_bool(w, "deleted_in_later_layer", x->deleted_in_later_layer);
		}
		bw_jw_object_end(w);
		bw_jw_object_end(w);
	}
	free(ids);
	return 0;
}

size_t bw_report__secrets_sarif_rule_count(const bw_secrets *s)
{
	size_t n = 0;
	const char **ids = distinct_rules(s, &n);
	free(ids);
	return n;
}

/* ------------------------------------------------------------ JUnit */

static void xattr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	bw_report__markup(f, value);
	fputc('"', f);
}

void bw_report__secrets_junit(FILE *out, const bw_secrets *s)
{
	size_t n = bw_secrets_count(s);
	char buf[4400];

	fprintf(out, "  <testsuite name=\"secrets\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
		n ? n : 1, n);
	if (!n)
		fputs("    <testcase classname=\"secrets\" name=\"no secrets found\" time=\"0\"/>\n", out);
	for (size_t i = 0; i < n; i++) {
		const bw_secret *x = bw_secrets_at(s, i);
		fputs("    <testcase", out);
		snprintf(buf, sizeof(buf), "secrets.%s", x->rule);
		xattr(out, "classname", buf);
		if (x->in_config)
			snprintf(buf, sizeof(buf), "%s", x->path);
		else
			snprintf(buf, sizeof(buf), "%s:%llu (layer %zu%s)", x->path, (unsigned long long)x->line,
				 x->layer + 1, x->deleted_in_later_layer ? ", deleted later" : "");
		xattr(out, "name", buf);
		fputs(" time=\"0\">\n      <failure", out);
		xattr(out, "type", x->severity);
		snprintf(buf, sizeof(buf), "%s %s: %s", x->severity, x->title, x->match);
		xattr(out, "message", buf);
		fputs("/>\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

/* ------------------------------------------------------------ HTML */

void bw_report__secrets_html(FILE *f, const bw_secrets *s)
{
	size_t n = bw_secrets_count(s);
	char buf[64];

	fprintf(f, "<section id=\"secrets\"><h2>Secrets (%zu)</h2>\n", n);
	if (!n) {
		fputs("<p>No secrets or sensitive data found.</p></section>\n", f);
		return;
	}
	fputs("<p>Matches are redacted. A file deleted by a later layer is still in the image.</p>\n"
	      "<table><thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Line</th><th>Layer</th>"
	      "<th>Deleted later</th><th>Match</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < n; i++) {
		const bw_secret *x = bw_secrets_at(s, i);
		fputs("<tr><td>", f);
		bw_report__markup(f, x->severity);
		fputs("</td><td>", f);
		bw_report__markup(f, x->rule);
		fputs("</td><td><code>", f);
		bw_report__markup(f, x->path);
		fputs("</code></td><td>", f);
		if (!x->in_config) {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)x->line);
			fputs(buf, f);
		}
		fputs("</td><td>", f);
		if (!x->in_config) {
			snprintf(buf, sizeof(buf), "%zu", x->layer + 1);
			fputs(buf, f);
		} else {
			fputs("config", f);
		}
		fputs("</td><td>", f);
		fputs(x->deleted_in_later_layer ? "yes" : "", f);
		fputs("</td><td><code>", f);
		bw_report__markup(f, x->match);
		fputs("</code></td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}
