/*
 * bulwark/scan.h: vulnerabilities of an image's packages, matched against
 * the local database (docs/matching.md says exactly when a package matches).
 *
 *   bw_vulns *v;
 *   bw_vulns_match(&v, img, db, &opts);   // img scanned with bw_image_scan()
 *   for (size_t i = 0; i < bw_vulns_count(v); i++) ... bw_vulns_at(v, i) ...
 *   bw_vulns_free(v);
 */
#ifndef BULWARK_SCAN_H
#define BULWARK_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "bulwark/image.h"
#include "bulwark/package.h"
#include "bulwark/vulndb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Severities as a bit set, for filters. */
enum {
	BW_SEV_UNKNOWN = 1 << 0,
	BW_SEV_LOW = 1 << 1,
	BW_SEV_MEDIUM = 1 << 2,
	BW_SEV_HIGH = 1 << 3,
	BW_SEV_CRITICAL = 1 << 4,
	BW_SEV_ALL = 0x1f,
};

/* "HIGH,CRITICAL" -> bits; BW_EUSAGE naming the bad word. */
BW_EXTERN int bw_severity_parse_list(const char *list, unsigned *out);

typedef struct bw_vuln {
	const char *id;                /* CVE when there is one, else the first advisory id */
	const char *const *aliases;    /* every other id of the merged advisories, sorted */
	size_t n_aliases;
	const bw_package *package;
	const char *installed_version; /* the version compared (deb: the source version) */
	const char *fixed_version;     /* NULL when no fix is known */
	const char *status;            /* "fixed", "affected", "will_not_fix"; "not_affected" when suppressed */
	const char *severity;          /* CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN */
	const char *cvss;              /* JSON array [{"version","vector","score"}], or NULL */
	const char *title;             /* advisory summary, or NULL */
	const char *data_source;       /* the sources that matched, ", "-separated */
	const char *why;               /* one line: what matched, for people */
	const char *suppressed_by;     /* NULL, or why a VEX statement / ignore rule suppressed it */
} bw_vuln;

/*
 * What the user has said about findings: VEX documents (OpenVEX, CycloneDX)
 * whose not_affected statements (with a justification) cover a finding, and
 * ignore files (.bulwarkignore: a YAML list of {id, package?, expires?,
 * reason?}; an expired rule warns and no longer applies). A covered finding
 * stays in the report with status "not_affected" and suppressed_by set.
 */
typedef struct bw_suppressions bw_suppressions;
BW_EXTERN int bw_suppressions_new(bw_suppressions **out);
BW_EXTERN int bw_suppressions_load_vex(bw_suppressions *s, const char *path);
/* today: "YYYY-MM-DD" to judge expiry, or NULL for the current UTC date. */
BW_EXTERN int bw_suppressions_load_ignore(bw_suppressions *s, const char *path, const char *today);
BW_EXTERN size_t bw_suppressions_count(const bw_suppressions *s);
BW_EXTERN void bw_suppressions_free(bw_suppressions *s);

/* Which packages to match, by base-image attribution (bulwark/state.h). */
typedef enum bw_base_filter {
	BW_BASE_ALL = 0,
	BW_BASE_EXCLUDE,               /* --ignore-base: only what the image added */
	BW_BASE_ONLY,                  /* --only-base: only what it inherited */
} bw_base_filter;

typedef struct bw_vuln_options {
	bool ignore_unfixed;           /* drop findings with no fixed version */
	unsigned severities;           /* keep only these (0 = all) */
	const bw_suppressions *suppress; /* may be NULL */
	bw_base_filter base;           /* needs bw_base_attribute() on the image first */
} bw_vuln_options;

typedef struct bw_vulns bw_vulns;

BW_EXTERN int bw_vulns_match(bw_vulns **out, const bw_image *img, bw_vulndb *db, const bw_vuln_options *opts);
BW_EXTERN size_t bw_vulns_count(const bw_vulns *v);
BW_EXTERN const bw_vuln *bw_vulns_at(const bw_vulns *v, size_t i);
/* Findings suppressed by VEX or ignore rules (they are in the list, status not_affected). */
BW_EXTERN size_t bw_vulns_suppressed(const bw_vulns *v);
/* Packages that could not be matched (no ecosystem data, version unparsable). */
BW_EXTERN size_t bw_vulns_unmatched(const bw_vulns *v);
BW_EXTERN void bw_vulns_free(bw_vulns *v);

#ifdef __cplusplus
}
#endif
#endif
