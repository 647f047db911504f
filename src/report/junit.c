/*
 * report/junit.c: `scan --format junit`: JUnit XML for CI dashboards. A
 * test suite per target (the OS packages; each language target, as the table
 * groups them), a test case per package (every package, so the counts say
 * how much was checked), failing when the package has findings that are not
 * suppressed: the failure lists them, one per line; suppressed ones go to
 * system-out with the reason. With a policy, a suite "policy": a case
 * "verdict" that fails on a fail verdict and a case per violation that fails
 * when its action is fail (warn and info ones pass and say so in system-out).
 * Every string is XML-escaped (report/text.c): package names are input.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/secrets.h"
#include "report/report_int.h"

typedef struct pkg_item {
	const bw_package *p;
	size_t index;
	size_t tlen;
	bool os;
} pkg_item;

static int cmp_pkg(const void *a, const void *b)
{
	const pkg_item *x = a, *y = b;
	if (x->os != y->os)
		return x->os ? -1 : 1;
	if (!x->os) {
		const char *pa = x->p->path ? x->p->path : "", *pb = y->p->path ? y->p->path : "";
		size_t n = x->tlen < y->tlen ? x->tlen : y->tlen;
		int r = memcmp(pa, pb, n);
		if (r || x->tlen != y->tlen)
			return r ? r : x->tlen < y->tlen ? -1 : 1;
		if ((r = strcmp(x->p->type ? x->p->type : "", y->p->type ? y->p->type : "")))
			return r;
	}
	int r = strcmp(x->p->name ? x->p->name : "", y->p->name ? y->p->name : "");
	if (r)
		return r;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool same_target(const pkg_item *x, const pkg_item *y)
{
	if (x->os || y->os)
		return x->os == y->os;
	return x->tlen == y->tlen && !memcmp(x->p->path ? x->p->path : "", y->p->path ? y->p->path : "", x->tlen) &&
	       !strcmp(x->p->type ? x->p->type : "", y->p->type ? y->p->type : "");
}

/* "OS packages (debian 12)" or "npm /app/node_modules" */
static void target_label(const bw_report_view *v, const pkg_item *it, char *out, size_t n)
{
	const bw_image_info *in = v->in;
	if (it->os)
		snprintf(out, n, "OS packages (%s%s%s)", in->os_family ? in->os_family : it->p->type,
			 in->os_version ? " " : "", in->os_version ? in->os_version : "");
	else
		snprintf(out, n, "%s %.*s", it->p->type, (int)it->tlen, it->p->path ? it->p->path : "");
}

static void attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	bw_report__markup(f, value);
	fputc('"', f);
}

int bw_report__junit(FILE *out, const bw_report_view *v)
{
	const bw_policy_result *pol = v->r->policy;
	size_t np = v->n_packages;
	pkg_item *items = calloc(np + 1, sizeof(*items));
	size_t *first = calloc(np + 2, sizeof(*first)), *order = calloc(v->n + 1, sizeof(*order));
	size_t *fill = calloc(np + 1, sizeof(*fill));
	size_t tests = np, failures = 0, pol_counts[3] = { 0 };
	char label[4200], buf[512];
	int rc = 0;

	if (!items || !first || !order || !fill) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	/* findings by package: first[p]..first[p+1] in order[] (report order kept) */
	for (size_t i = 0; i < v->n; i++)
		if (v->pkg[i] < np)
			first[v->pkg[i] + 1]++;
	for (size_t p = 0; p < np; p++)
		first[p + 1] += first[p];
	for (size_t i = 0; i < v->n; i++)
		if (v->pkg[i] < np)
			order[first[v->pkg[i]] + fill[v->pkg[i]]++] = i;
	for (size_t p = 0; p < np; p++) {
		items[p].p = bw_image_package_at(v->r->img, p);
		items[p].index = p;
		items[p].os = bw_report__is_os(items[p].p);
		items[p].tlen = items[p].os ? 0 : bw_report__target_len(items[p].p->path);
		for (size_t k = first[p]; k < first[p + 1]; k++)
			if (!v->sorted[order[k]]->suppressed_by) {
				failures++;
				break;
			}
	}
	qsort(items, np, sizeof(*items), cmp_pkg);
	if (pol) {
		bw_report__policy_counts(pol, pol_counts);
		tests += 1 + pol->n_violations;
		failures += (!pol->verdict || !strcmp(pol->verdict, "fail") ? 1 : 0) + pol_counts[0];
	}
	if (v->r->misconfigs)
		bw_report__misconfig_junit_counts(v->r->misconfigs, &tests, &failures);

	if (v->r->secrets) {
		size_t ns = bw_secrets_count(v->r->secrets);
		tests += ns ? ns : 1;
		failures += ns;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
	snprintf(label, sizeof(label), "bulwark scan %s", v->in->reference);
	attr(out, "name", label);
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n", tests, failures);

	for (size_t s = 0; s < np;) {
		size_t e = s + 1, suite_fail = 0;
		while (e < np && same_target(&items[s], &items[e]))
			e++;
		for (size_t k = s; k < e; k++) {
			size_t p = items[k].index;
			for (size_t j = first[p]; j < first[p + 1]; j++)
				if (!v->sorted[order[j]]->suppressed_by) {
					suite_fail++;
					break;
				}
		}
		target_label(v, &items[s], label, sizeof(label));
		fputs("  <testsuite", out);
		attr(out, "name", label);
		fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n", e - s, suite_fail);
		for (size_t k = s; k < e; k++) {
			const bw_package *pk = items[k].p;
			size_t p = items[k].index, shown = 0, suppressed = 0, counts[BW_REPORT_NSEV] = { 0 };
			for (size_t j = first[p]; j < first[p + 1]; j++) {
				const bw_vuln *x = v->sorted[order[j]];
				if (x->suppressed_by)
					suppressed++;
				else {
					shown++;
					counts[bw_report__severity_rank(x->severity)]++;
				}
			}
			fputs("    <testcase", out);
			attr(out, "classname", label);
			fputs(" name=\"", out);
			bw_report__markup(out, pk->name);
			fputc('@', out);
			bw_report__markup(out, pk->version ? pk->version : "");
			fputs("\" time=\"0\"", out);
			if (!shown && !suppressed) {
				fputs("/>\n", out);
				continue;
			}
			fputs(">\n", out);
			if (shown) {
				size_t o = (size_t)snprintf(buf, sizeof(buf), "%zu vulnerabilit%s:", shown,
							    shown == 1 ? "y" : "ies");
				for (int r = 0; r < BW_REPORT_NSEV && o < sizeof(buf); r++)
					if (counts[r])
						o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s %zu",
								      bw_report__severities[r], counts[r]);
				fputs("      <failure type=\"vulnerability\"", out);
				attr(out, "message", buf);
				fputc('>', out);
				for (size_t j = first[p]; j < first[p + 1]; j++) {
					const bw_vuln *x = v->sorted[order[j]];
					if (x->suppressed_by)
						continue;
					bw_report__markup(out, x->id);
					fprintf(out, " [%s] installed ", bw_report__severities[bw_report__severity_rank(x->severity)]);
					bw_report__markup(out, x->installed_version);
					fputs(", fixed ", out);
					bw_report__markup(out, x->fixed_version ? x->fixed_version
							  : x->status && !strcmp(x->status, "will_not_fix") ? "(will not fix)"
							  : "(no fix yet)");
					if (x->title) {
						fputs(": ", out);
						bw_report__markup(out, x->title);
					}
					fputs(" (", out);
					bw_report__markup(out, pk->path);
					fprintf(out, ", layer %zu)&#10;", pk->layer + 1);
				}
				fputs("</failure>\n", out);
			}
			if (suppressed) {
				fputs("      <system-out>", out);
				for (size_t j = first[p]; j < first[p + 1]; j++) {
					const bw_vuln *x = v->sorted[order[j]];
					if (!x->suppressed_by)
						continue;
					fputs("suppressed ", out);
					bw_report__markup(out, x->id);
					fputs(": ", out);
					bw_report__markup(out, x->suppressed_by);
					fputs("&#10;", out);
				}
				fputs("</system-out>\n", out);
			}
			fputs("    </testcase>\n", out);
		}
		fputs("  </testsuite>\n", out);
		s = e;
	}

	if (pol) {
		bool fail = !pol->verdict || !strcmp(pol->verdict, "fail");
		fprintf(out, "  <testsuite name=\"policy\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
			1 + pol->n_violations, (fail ? 1 : 0) + pol_counts[0]);
		fputs("    <properties>\n      <property name=\"file\"", out);
		attr(out, "value", pol->policy);
		fputs("/>\n      <property name=\"verdict\"", out);
		attr(out, "value", pol->verdict);
		fputs("/>\n    </properties>\n", out);
		fputs("    <testcase classname=\"policy\" name=\"verdict\" time=\"0\"", out);
		if (fail) {
			snprintf(buf, sizeof(buf), "verdict fail: %zu violations with action fail", pol_counts[0]);
			fputs(">\n      <failure type=\"policy\"", out);
			attr(out, "message", buf);
			fputs("/>\n    </testcase>\n", out);
		} else {
			fputs(">\n      <system-out>verdict ", out);
			bw_report__markup(out, pol->verdict);
			fputs(pol->in_scope ? "" : " (the image is outside the policy's scope)", out);
			fputs("</system-out>\n    </testcase>\n", out);
		}
		for (size_t i = 0; i < pol->n_violations; i++) {
			const bw_violation *x = &pol->violations[i];
			bool is_fail = x->action && !strcmp(x->action, "fail");
			fputs("    <testcase", out);
			snprintf(label, sizeof(label), "policy.%s", x->rule ? x->rule : "");
			attr(out, "classname", label);
			snprintf(label, sizeof(label), "%s #%zu%s%s%s%s", x->rule ? x->rule : "", i + 1, x->id ? " " : "",
				 x->id ? x->id : "", x->package ? " " : "", x->package ? x->package : "");
			attr(out, "name", label);
			fputs(" time=\"0\">\n", out);
			if (is_fail) {
				fputs("      <failure type=\"policy\"", out);
				attr(out, "message", x->reason);
				fputc('>', out);
				bw_report__markup(out, x->reason);
				fputs("</failure>\n", out);
			} else {
				fputs("      <system-out>", out);
				bw_report__markup(out, x->action);
				fputs(": ", out);
				bw_report__markup(out, x->reason);
				fputs("</system-out>\n", out);
			}
			fputs("    </testcase>\n", out);
		}
		fputs("  </testsuite>\n", out);
	}
	if (v->r->misconfigs)
		bw_report__misconfig_junit(out, v->r->misconfigs);
	if (v->r->secrets)
		bw_report__secrets_junit(out, v->r->secrets);
	fputs("</testsuites>\n", out);
	if (ferror(out))
		rc = bw_error_set(BW_EINTERNAL, "writing the report failed");
done:
	free(items);
	free(first);
	free(order);
	free(fill);
	return rc;
}
