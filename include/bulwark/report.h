/*
 * bulwark/report.h: writing results. Reporters write to a stream the caller
 * opened; the library never picks the destination.
 */
#ifndef BULWARK_REPORT_H
#define BULWARK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "bulwark/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bw_format {
	BW_FORMAT_TABLE = 0,
	BW_FORMAT_JSON,
	BW_FORMAT_CYCLONEDX, /* CycloneDX 1.6 JSON */
	BW_FORMAT_SPDX,      /* SPDX 2.3 JSON */
	BW_FORMAT_SARIF,     /* SARIF 2.1.0 (scan only) */
	BW_FORMAT_JUNIT,     /* JUnit XML (scan only) */
	BW_FORMAT_HTML,      /* one self-contained HTML page (scan only) */
} bw_format;

/* "table" / "json" / "cyclonedx" / "spdx" / "sarif" / "junit" / "html" -> format;
 * BW_EUSAGE for an unknown name. Which command takes which format is the
 * command's business (sbom: table json cyclonedx spdx; scan: all but spdx). */
BW_EXTERN int bw_format_parse(const char *name, bw_format *out);

typedef struct bw_inspect_report_options {
	bool files;    /* list the merged filesystem */
	bool deleted;  /* list paths removed by whiteouts */
	bool color;    /* ANSI colours in table output */
} bw_inspect_report_options;

/*
 * `bulwark inspect`: the JSON document of DESIGN.md §6 with schema, tool and
 * artifact (plus files / deleted), or a table for people. The image must have
 * been scanned. Returns 0, or BW_EINTERNAL when writing failed.
 */
BW_EXTERN int bw_report_inspect(FILE *out, const bw_image *img, bw_format format,
				const bw_inspect_report_options *opts);

/* `sbom`: the inspect document plus `packages` (json), CycloneDX, SPDX, or a package table.
 * Another format is BW_EUSAGE. */
BW_EXTERN int bw_report_sbom(FILE *out, const bw_image *img, bw_format format);

/* What `scan` found; members are NULL for scanners that did not run. */
typedef struct bw_vulns bw_vulns;
typedef struct bw_policy_result bw_policy_result;
typedef struct bw_misconfigs bw_misconfigs;
typedef struct bw_secrets bw_secrets;
typedef struct bw_scan_results {
	const bw_image *img;
	const bw_vulns *vulns;
	const bw_policy_result *policy;
	bool color;            /* table: ANSI colours (the CLI sets it when stdout is a terminal) */
	bool licenses;         /* the license scanner ran: report every package's licenses */
	const bw_misconfigs *misconfigs; /* the misconfig scanner's findings (bulwark/misconfig.h), or NULL */
	const bw_secrets *secrets; /* the secret scanner ran (bulwark/secrets.h); NULL: it did not */
	/*
	 * The policy's `signature` rules (bw_policy_evaluate_results): the caller, who can reach
	 * the registry and the keys, checks that one signature of the image (predicate_type NULL)
	 * or one attestation of that predicate type verifies with one of the rule's keys (as the
	 * policy file names them). Returns 1: verified; 0: not (reason says why); 2: this input
	 * cannot carry signatures (reason says why); < 0: an internal error. NULL: signature rules
	 * are reported as not evaluated.
	 */
	int (*check_signature)(void *ctx, const char *const *keys, size_t n_keys, const char *predicate_type,
			       char *reason, size_t reason_len);
	void *check_ctx;
} bw_scan_results;

/*
 * `scan` results in one of the scan formats (docs/json-report.md, README):
 *   json       the sbom document plus `vulnerabilities` (when vulns is set), `licenses`
 *              (when licenses is set), `summary` and `policy`
 *   table      for people, grouped by target, at most 100 columns wide
 *   sarif      SARIF 2.1.0: a rule per advisory, a result per finding
 *   cyclonedx  CycloneDX 1.6: the sbom components plus `vulnerabilities`
 *   junit      JUnit XML: a test case per package, a suite "policy"
 *   html       one self-contained page (no network): summary, chart, findings, layers
 * The policy verdict and its violations are in every format when policy is set.
 * BW_EUSAGE for spdx; BW_EINTERNAL when writing failed.
 */
BW_EXTERN int bw_report_scan(FILE *out, const bw_scan_results *results, bw_format format);

/* `scan --platform all`: the per-platform reports (in files, written by
 * bw_report_scan in the same format) as one document: json or table. */
BW_EXTERN int bw_report_platforms(FILE *out, bw_format format, const char *reference,
				  const char *const *platforms, const char *const *files, size_t n);

/* `base list`: the recorded base images (table or json). */
typedef struct bw_state bw_state;
BW_EXTERN int bw_report_base_list(FILE *out, bw_state *st, bw_format format);

/* `bulwark dockerfile` (or `scan --scanners misconfig` of a Dockerfile): the findings
 * of one Dockerfile as table, json (schema, tool, artifact.dockerfile,
 * misconfigurations, summary) or sarif; another format is BW_EUSAGE. */
BW_EXTERN int bw_report_misconfigs(FILE *out, const bw_misconfigs *m, const char *name, bw_format format);

/* `db info`: the database path, schema, counts and sources (table or json). */
typedef struct bw_vulndb bw_vulndb;
BW_EXTERN int bw_report_db_info(FILE *out, bw_vulndb *db, const char *path, bw_format format);

#ifdef __cplusplus
}
#endif
#endif
