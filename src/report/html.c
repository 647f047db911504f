/*
 * report/html.c: `scan --format html`: one self-contained page for people.
 * No network: styles, the script and the severity chart (inline SVG) are in
 * the file, and a Content-Security-Policy allows nothing else (default-src
 * 'none'; the one script by its SHA-256), so even a string that escaped its
 * escaping could not load or run anything. Sections: the policy banner (when
 * a policy ran), a summary of the image and the counts, the chart, the
 * findings table (every finding, suppressed ones marked; a click on a column
 * header sorts it), and the layer view: which layer brought which findings.
 * Every string from the image or the database goes through
 * bw_report__markup (report/text.c).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "bulwark/secrets.h"
#include "report/report_int.h"
#include "util/redact.h"

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2430;background:#f6f7f9}"
	"header{background:#1d2430;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}"
	"header p{margin:4px 0 0;font-family:monospace;overflow-wrap:anywhere}"
	"main{padding:16px 24px}section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 16px;"
	"margin-bottom:16px}h2{font-size:17px;margin:0 0 10px}"
	"table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e4e7eb;padding:4px 6px;"
	"text-align:left;vertical-align:top}th{background:#eef0f3;cursor:pointer;user-select:none;white-space:nowrap}"
	"th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}"
	".mono{font-family:monospace;overflow-wrap:anywhere}td.id{white-space:nowrap;overflow-wrap:normal}"
	".facts td:first-child{font-weight:600;width:160px}"
	".sev{font-weight:700;border-radius:3px;padding:1px 5px;color:#fff;font-size:12px}"
	".sev-CRITICAL{background:#8b0000}.sev-HIGH{background:#d9381e}.sev-MEDIUM{background:#e69500}"
	".sev-LOW{background:#3b78c2}.sev-UNKNOWN{background:#7a828c}"
	"tr.suppressed td{color:#8a929c;text-decoration:line-through}tr.suppressed td.status{text-decoration:none}"
	".cards{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}.card{border-radius:6px;padding:8px 14px;color:#fff;"
	"min-width:90px}.card b{display:block;font-size:22px}"
	".banner{border-radius:6px;padding:12px 16px;margin-bottom:16px;color:#fff}"
	".verdict-fail{background:#b3261e}.verdict-warn{background:#b26a00}.verdict-pass{background:#2e7d32}"
	".banner ul{margin:6px 0 0;padding-left:20px}.banner b.action{text-transform:uppercase}"
	"footer{color:#7a828c;font-size:12px;padding:0 24px 24px}";

/* Sorts a table.sortable by the clicked column: numbers by data-sort, text by locale. */
static const char script[] =
	"document.querySelectorAll('table.sortable').forEach(function(t){"
	"var hs=t.tHead.rows[0].cells;"
	"Array.prototype.forEach.call(hs,function(th,col){th.addEventListener('click',function(){"
	"var asc=th.getAttribute('aria-sort')!=='ascending';"
	"Array.prototype.forEach.call(hs,function(h){h.removeAttribute('aria-sort');});"
	"th.setAttribute('aria-sort',asc?'ascending':'descending');"
	"var num=th.getAttribute('data-type')==='num',tb=t.tBodies[0];"
	"var rows=Array.prototype.slice.call(tb.rows);"
	"function key(r){var c=r.cells[col];var s=c.getAttribute('data-sort');return s===null?c.textContent:s;}"
	"rows.sort(function(a,b){var x=key(a),y=key(b);"
	"var d=num?parseFloat(x)-parseFloat(y):x.localeCompare(y);return asc?d:-d;});"
	"rows.forEach(function(r){tb.appendChild(r);});});});});";

static const char *const sev_fill[BW_REPORT_NSEV] = { "#8b0000", "#d9381e", "#e69500", "#3b78c2", "#7a828c" };

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* 'sha256-BASE64' of the script, for the Content-Security-Policy. */
static int script_hash(char out[64])
{
	bw_digest d;
	unsigned char raw[32];
	if (bw_digest_buffer(BW_SHA256, script, strlen(script), &d) < 0)
		return BW_EINTERNAL;
	const char *hex = bw_digest_hex(&d);
	for (int i = 0; i < 32; i++) {
		unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	base64(raw, 32, out);
	return 0;
}

static void fact(FILE *f, const char *name, const char *value, bool mono)
{
	fputs("<tr><td>", f);
	bw_report__markup(f, name);
	fputs(mono ? "</td><td class=\"mono\">" : "</td><td>", f);
	bw_report__markup(f, value ? value : "-");
	fputs("</td></tr>\n", f);
}

static void policy_banner(FILE *f, const bw_policy_result *p)
{
	size_t c[3];
	const char *verdict = p->verdict ? p->verdict : "fail";
	const char *cls = !strcmp(verdict, "pass") ? "pass" : !strcmp(verdict, "warn") ? "warn" : "fail";

	bw_report__policy_counts(p, c);
	fprintf(f, "<div class=\"banner verdict-%s\" id=\"policy\"><strong>Policy ", cls);
	bw_report__markup(f, p->policy ? p->policy : "");
	fputs(": <span class=\"verdict\">", f);
	for (const char *s = verdict; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, f);
	fputs("</span></strong>", f);
	if (!p->in_scope)
		fputs(" &mdash; the image is outside the policy&#39;s scope", f);
	else
		fprintf(f, " &mdash; %zu fail, %zu warn, %zu info", c[0], c[1], c[2]);
	if (p->n_violations) {
		fputs("<ul>\n", f);
		for (size_t i = 0; i < p->n_violations; i++) {
			const bw_violation *x = &p->violations[i];
			fputs("<li><b class=\"action\">", f);
			bw_report__markup(f, x->action);
			fputs("</b> <b>", f);
			bw_report__markup(f, x->rule);
			fputs("</b>: ", f);
			bw_report__markup(f, x->reason);
			fputs("</li>\n", f);
		}
		fputs("</ul>", f);
	}
	fputs("</div>\n", f);
}

static void chart(FILE *f, const size_t counts[BW_REPORT_NSEV])
{
	size_t max = 1;
	for (int s = 0; s < BW_REPORT_NSEV; s++)
		if (counts[s] > max)
			max = counts[s];
	fputs("<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"150\" viewBox=\"0 0 520 150\" "
	      "role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Findings by severity</title>\n", f);
	for (int s = 0; s < BW_REPORT_NSEV; s++) {
		unsigned y = 5 + 28 * (unsigned)s;
		unsigned w = counts[s] ? (unsigned)(1 + 360 * (double)counts[s] / (double)max) : 0;
		fprintf(f, "<text x=\"0\" y=\"%u\" font-size=\"12\" font-family=\"sans-serif\" dominant-baseline=\"middle\">%s</text>"
			"<rect x=\"90\" y=\"%u\" width=\"%u\" height=\"20\" fill=\"%s\"/>"
			"<text x=\"%u\" y=\"%u\" font-size=\"12\" font-family=\"sans-serif\" dominant-baseline=\"middle\">%zu</text>\n",
			y + 10, bw_report__severities[s], y, w, sev_fill[s], 96 + w, y + 10, counts[s]);
	}
	fputs("</svg>\n", f);
}

static void findings_table(FILE *f, const bw_report_view *v)
{
	fprintf(f, "<section id=\"findings\"><h2>Findings (%zu", v->n);
	if (v->suppressed)
		fprintf(f, ", %zu suppressed", v->suppressed);
	fputs(")</h2>\n", f);
	if (!v->n)
		fputs("<p>No vulnerabilities found.</p>\n", f);
	fputs("<table id=\"findings-table\" class=\"sortable\"><thead><tr>"
	      "<th data-type=\"num\">Severity</th><th>ID</th><th>Package</th><th>Type</th><th>Installed</th>"
	      "<th>Fixed</th><th>Status</th><th data-type=\"num\">Layer</th><th>Path</th><th>Title</th>"
	      "</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < v->n; i++) {
		const bw_vuln *x = v->sorted[i];
		const bw_package *p = x->package;
		int rank = bw_report__severity_rank(x->severity);
		char url[512];
		const char *source;

		fprintf(f, "<tr%s><td data-sort=\"%d\"><span class=\"sev sev-%s\">%s</span></td><td class=\"mono id\">",
			x->suppressed_by ? " class=\"suppressed\"" : "", rank, bw_report__severities[rank],
			bw_report__severities[rank]);
		if (bw_report__advisory_url(x->id, url, sizeof(url), &source)) {
			fputs("<a href=\"", f);
			bw_report__markup(f, url);
			fputs("\" rel=\"noreferrer\">", f);
			bw_report__markup(f, x->id);
			fputs("</a>", f);
		} else {
			bw_report__markup(f, x->id);
		}
		fputs("</td><td>", f);
		bw_report__markup(f, p->name);
		fputs("</td><td>", f);
		bw_report__markup(f, p->type);
		fputs("</td><td class=\"mono\">", f);
		bw_report__markup(f, x->installed_version);
		fputs("</td><td class=\"mono\">", f);
		bw_report__markup(f, x->fixed_version ? x->fixed_version : "");
		fputs("</td><td class=\"status\">", f);
		bw_report__markup(f, x->status);
		if (x->suppressed_by) {
			fputs(": ", f);
			bw_report__markup(f, x->suppressed_by);
		}
		fprintf(f, "</td><td data-sort=\"%zu\">L%zu</td><td class=\"mono\">", p->layer + 1, p->layer + 1);
		bw_report__markup(f, p->path);
		fputs("</td><td>", f);
		bw_report__markup(f, x->title ? x->title : "");
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

static void layer_view(FILE *f, const bw_report_view *v)
{
	const bw_image_info *in = v->in;

	fputs("<section id=\"layers\"><h2>Layers</h2>\n<p>Which layer brought which finding: the layer that "
	      "installed the package version found.</p>\n"
	      "<table id=\"layers-table\"><thead><tr><th>#</th><th>Layer (diff_id)</th><th>Created by</th>"
	      "<th>Findings</th></tr></thead>\n<tbody>\n", f);
	for (size_t l = 0; l < in->n_layers; l++) {
		const bw_layer_info *layer = &in->layers[l];
		size_t counts[BW_REPORT_NSEV] = { 0 }, total = 0;
		for (size_t i = 0; i < v->n; i++)
			if (v->sorted[i]->package->layer == l && !v->sorted[i]->suppressed_by) {
				counts[bw_report__severity_rank(v->sorted[i]->severity)]++;
				total++;
			}
		fprintf(f, "<tr class=\"layer\" data-layer=\"%zu\"><td>%zu</td><td class=\"mono\">", l + 1, l + 1);
		bw_report__markup(f, layer->diff_id);
		fputs("</td><td class=\"mono\">", f);
		if (layer->created_by) {
			char masked[8192];
			bw_redact(layer->created_by, false, masked, sizeof(masked));
			bw_report__markup(f, masked);
		}
		fputs("</td><td>", f);
		if (!total) {
			fputs("none", f);
		} else {
			for (int s = 0; s < BW_REPORT_NSEV; s++)
				if (counts[s])
					fprintf(f, "<span class=\"sev sev-%s\">%s %zu</span> ", bw_report__severities[s],
						bw_report__severities[s], counts[s]);
			fprintf(f, "<details><summary>%zu finding%s</summary><ul>\n", total, total == 1 ? "" : "s");
			for (size_t i = 0; i < v->n; i++) {
				const bw_vuln *x = v->sorted[i];
				if (x->package->layer != l || x->suppressed_by)
					continue;
				fputs("<li>", f);
				bw_report__markup(f, x->id);
				fputs(" in ", f);
				bw_report__markup(f, x->package->name);
				fputc(' ', f);
				bw_report__markup(f, x->installed_version);
				fputs("</li>\n", f);
			}
			fputs("</ul></details>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

int bw_report__html(FILE *f, const bw_report_view *v)
{
	const bw_image_info *in = v->in;
	char hash[64], ts[32], buf[256];

	if (script_hash(hash) < 0)
		return bw_error_set(BW_EINTERNAL, "hashing the report script failed");
	bw_report__timestamp(ts);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n", f);
	fprintf(f, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		   "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-%s'\">\n", hash);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>bulwark scan: ", f);
	bw_report__markup(f, in->reference);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>bulwark scan</h1><p>", style);
	bw_report__markup(f, in->reference);
	fputs("</p></header>\n<main>\n", f);

	if (v->r->policy)
		policy_banner(f, v->r->policy);

	fputs("<section id=\"summary\"><h2>Summary</h2>\n<table class=\"facts\"><tbody>\n", f);
	fact(f, "Image", in->reference, true);
	fact(f, "Manifest", in->manifest_digest, true);
	fact(f, "Config", in->config_digest, true);
	if (in->os && in->architecture) {
		snprintf(buf, sizeof(buf), "%s/%s%s%s", in->os, in->architecture, in->variant ? "/" : "",
			 in->variant ? in->variant : "");
		fact(f, "Platform", buf, false);
	}
	fact(f, "Operating system", in->os_pretty_name ? in->os_pretty_name : in->os_family, false);
	fact(f, "Created", in->created, false);
	snprintf(buf, sizeof(buf), "%zu", v->n_packages);
	fact(f, "Packages", buf, false);
	snprintf(buf, sizeof(buf), "%zu (%zu suppressed by VEX or ignore rules)", v->shown, v->suppressed);
	fact(f, "Vulnerabilities", buf, false);
	snprintf(buf, sizeof(buf), "%zu", in->n_layers);
	fact(f, "Layers", buf, false);
	if (v->r->secrets) {
		snprintf(buf, sizeof(buf), "%zu", bw_secrets_count(v->r->secrets));
		fact(f, "Secrets", buf, false);
	}
	fputs("</tbody></table>\n<div class=\"cards\">\n", f);
	for (int s = 0; s < BW_REPORT_NSEV; s++)
		fprintf(f, "<div class=\"card\" style=\"background:%s\"><b>%zu</b>%s</div>\n", sev_fill[s], v->counts[s],
			bw_report__severities[s]);
	fputs("</div>\n", f);
	chart(f, v->counts);
	fputs("</section>\n", f);

	findings_table(f, v);
	if (v->r->misconfigs)
		bw_report__misconfig_html(f, v->r->misconfigs);
	layer_view(f, v);
	if (v->r->secrets)
		bw_report__secrets_html(f, v->r->secrets);
	fputs("</main>\n<footer>Generated by bulwark ", f);
	bw_report__markup(f, bw_version());
	fprintf(f, " at %s. This page loads nothing from the network.</footer>\n<script>%s</script>\n</body></html>\n", ts,
		script);
	if (ferror(f))
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return 0;
}
