/* report/report_int.h: pieces shared by the reporters. */
#ifndef BW_REPORT_INT_H
#define BW_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bulwark/bulwark.h"
#include "bulwark/policy.h"
#include "bulwark/scan.h"
#include "util/jsonw.h"

/* Writes the schema, tool and artifact members of the open top-level object. */
void bw_report__json_head(bw_jsonw *w, const bw_image *img);

/* Writes the `packages` member (report/sbom.c). */
void bw_report__packages_json(bw_jsonw *w, const bw_image *img);

/* CycloneDX 1.6 or SPDX 2.3 JSON (report/sbom_std.c). scan: NULL for an SBOM; for
 * scan results (CycloneDX only) the vulnerabilities and the policy are added. */
struct bw_report_view;
int bw_report__sbom_standard(FILE *out, const bw_image *img, bw_format format,
			     const struct bw_report_view *scan);
/* The bom-ref sbom_std.c gives package i (its purl plus "package-id=i+1"). */
void bw_report__cdx_ref(const bw_package *p, size_t i, char *out, size_t n);

/* ---------------------------------------------------- text (report/text.c) */

/*
 * Untrusted strings (package names from images, advisory text from feeds)
 * pass through one of these before they reach an output. Invalid UTF-8,
 * control characters, and bidirectional overrides (which make a terminal or
 * a browser show text in an order other than the bytes') are replaced.
 */

/* Decodes one UTF-8 sequence of s (n > 0 bytes): returns its length and sets
 * *cp, or returns 1 with *cp = U+FFFD for an invalid byte. */
size_t bw_report__utf8_next(const char *s, size_t n, uint32_t *cp);
/* true for code points never written as they are: C0/C1 controls (tab, LF
 * and CR excepted: callers decide), DEL, bidi controls, non-characters. */
bool bw_report__unsafe_cp(uint32_t cp);

/* XML 1.0 and HTML text or attribute value (quoted with "): & < > " ' as
 * entities, tab/LF/CR as character references, unsafe code points as U+FFFD. */
void bw_report__markup(FILE *f, const char *s);
/* CommonMark (GFM) inline text: the punctuation that starts inline markup
 * backslash-escaped, < > & as entities (no raw HTML gets through), line breaks
 * as spaces. For table cells and running text, not for line starts. */
void bw_report__markdown(FILE *f, const char *s);
/* A path inside the image as a relative URI reference ("/a b" -> "a%20b"):
 * malloc'd, NULL on ENOMEM. Bytes outside RFC 3986 pchar are %XX. */
char *bw_report__uri_path(const char *path);

/* Terminal columns of s as bw_report__cell writes it. */
int bw_report__width(const char *s);
/* Writes s in at most width columns (cut with an ellipsis "…" when longer),
 * control characters as '?', then pads with spaces to width when pad. Returns
 * the columns written. */
int bw_report__cell(FILE *f, const char *s, int width, bool pad);
/* Writes s wrapped at width columns, continuation lines indented by indent
 * spaces (the first line is not: the caller has written its start). */
void bw_report__wrap(FILE *f, const char *s, int first_col, int indent, int width);

/* "YYYY-MM-DDTHH:MM:SSZ" now, or at SOURCE_DATE_EPOCH (reproducible output). */
void bw_report__timestamp(char out[32]);

/* ------------------------------------ scan results (report/scan.c) */

#define BW_REPORT_NSEV 5
/* CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN: index = rank (0 most severe). */
extern const char *const bw_report__severities[BW_REPORT_NSEV];
/* Rank of a severity name; UNKNOWN's (4) for anything else. */
int bw_report__severity_rank(const char *severity);

/* The diff_id of layer i, or NULL. */
const char *bw_report__layer_id(const bw_image_info *in, size_t layer);

/* OS packages (deb, apk, rpm) are reported as one target per image. */
bool bw_report__is_os(const bw_package *p);
/*
 * Where a language package was found, as a prefix of its path: the
 * node_modules tree, the site-packages directory, the gem directory, the
 * outer archive of a nested jar; else the file itself (a lock file, a
 * binary). Returns the prefix length.
 */
size_t bw_report__target_len(const char *path);

/* Where an advisory id is published: *source ("NVD", "GitHub Advisories", "Debian
 * Security Tracker", "OSV") and its page in url; false (url "") when the id has
 * characters that do not belong in a URL. */
bool bw_report__advisory_url(const char *id, char *url, size_t n, const char **source);

/* One CVSS entry of a finding (bw_vuln.cvss is a JSON array we wrote). */
typedef struct bw_report_cvss {
	char version[8];    /* "2.0", "3.0", "3.1", "4.0" */
	char vector[256];
	double score;       /* 0..10 */
	bool has_score;
} bw_report_cvss;
#define BW_REPORT_MAX_CVSS 8
/* Parses up to max entries of cvss (NULL or malformed: 0); entries with a
 * missing or overlong vector or a score outside 0..10 are left out. */
size_t bw_report__cvss(const char *cvss, bw_report_cvss *out, size_t max);

/*
 * What every scan format needs, computed once: the findings in report order
 * (OS target first, then language targets by path; within one, most severe
 * first, then package, version, id), the package index of each, the distinct
 * advisory ids (rules) and counts.
 */
typedef struct bw_report_view {
	const bw_scan_results *r;
	const bw_image_info *in;
	size_t n_packages;
	size_t n;                  /* findings, suppressed ones included */
	const bw_vuln **sorted;
	size_t *pkg;               /* package index of sorted[i] */
	size_t *rule;              /* rule index of sorted[i] */
	size_t n_rules;
	size_t *rule_first;        /* sorted index of the first finding of each rule */
	int *rule_rank;            /* the most severe rank among the rule's findings */
	size_t counts[BW_REPORT_NSEV]; /* findings not suppressed, by severity */
	size_t shown;              /* findings not suppressed */
	size_t suppressed;
} bw_report_view;

int bw_report__view_init(bw_report_view *v, const bw_scan_results *r);
void bw_report__view_free(bw_report_view *v);
/* true when sorted[i] and sorted[j] belong to the same target (table group). */
bool bw_report__same_target(const bw_report_view *v, size_t i, size_t j);

/* Counts of a policy result's violations by action: fail, warn, info. */
void bw_report__policy_counts(const bw_policy_result *p, size_t counts[3]);

/* One file per format. */
int bw_report__sarif(FILE *out, const bw_report_view *v);
/* The SARIF 2.1.0 envelope up to the open tool.driver.rules array; after the rules the
 * caller closes driver and tool and writes the run's members (results, ...), then
 * bw_report__sarif_close() ends the run, runs and the document. */
void bw_report__sarif_open(bw_jsonw *w, FILE *out);
int bw_report__sarif_close(bw_jsonw *w);
int bw_report__junit(FILE *out, const bw_report_view *v);
int bw_report__html(FILE *out, const bw_report_view *v);
/* The `vulnerabilities` array and policy properties of a CycloneDX BOM (report/cyclonedx.c). */
void bw_report__cdx_vulnerabilities(bw_jsonw *w, const bw_report_view *v);
void bw_report__cdx_policy(bw_jsonw *w, const bw_policy_result *p);

/* The `licenses` member (report/licenses.c): one entry per package and
 * license, normalised and categorised; a package without a license has one
 * entry with license null.
 * 0, or -1 when memory ran out (the error is set). */
int bw_report__licenses_json(bw_jsonw *w, const bw_image *img);
/* `summary.licenses`: counts by category. */
int bw_report__licenses_summary_json(bw_jsonw *w, const bw_image *img);
/* The table's license section: a summary line and one row per package and
 * license, at most 100 columns wide. */
int bw_report__licenses_table(FILE *out, const bw_image *img, bool color);

/* The misconfig scanner's parts of each format (report/misconfig.c). */
void bw_report__misconfig_json(bw_jsonw *w, const bw_misconfigs *m);
void bw_report__misconfig_summary_json(bw_jsonw *w, const bw_misconfigs *m);
int bw_report__misconfig_table(FILE *out, const bw_misconfigs *m, bool color);
/* One SARIF rule per check of the table, in table order. */
void bw_report__misconfig_sarif_rules(bw_jsonw *w);
/* A result per finding; rule_base is the index of the first check's rule; image:
 * targets are image paths (uriBaseId IMAGE_ROOT), else file names. */
void bw_report__misconfig_sarif_results(bw_jsonw *w, const bw_misconfigs *m, size_t rule_base, bool image);
void bw_report__misconfig_junit_counts(const bw_misconfigs *m, size_t *tests, size_t *failures);
void bw_report__misconfig_junit(FILE *out, const bw_misconfigs *m);
void bw_report__misconfig_html(FILE *f, const bw_misconfigs *m);
/* The secret scanner's sections (report/secrets.c); s may be NULL (no findings). */
typedef struct bw_secrets bw_secrets;
void bw_report__secrets_json(bw_jsonw *w, const bw_secrets *s);
void bw_report__secrets_summary_json(bw_jsonw *w, const bw_secrets *s);
int bw_report__secrets_table(FILE *out, const bw_secrets *s, bool color);
/* SARIF: a rule per secret rule that found something, then the results
 * (ruleIndex = base + the rule's position). */
int bw_report__secrets_sarif_rules(bw_jsonw *w, const bw_secrets *s);
int bw_report__secrets_sarif_results(bw_jsonw *w, const bw_secrets *s, size_t base);
size_t bw_report__secrets_sarif_rule_count(const bw_secrets *s);
void bw_report__secrets_junit(FILE *out, const bw_secrets *s);
void bw_report__secrets_html(FILE *out, const bw_secrets *s);

#endif
