/*
 * bulwark/policy.h: the policy gate (`--policy FILE`; the file format is
 * DESIGN.md §6b and docs/policy.md). A policy is loaded once and evaluated
 * against each scan result; the verdict and every violation go into every
 * report format, and the CLI exits 1 on "fail".
 */
#ifndef BULWARK_POLICY_H
#define BULWARK_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "bulwark/image.h"
#include "bulwark/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_policy bw_policy;

typedef struct bw_violation {
	const char *rule;      /* the rule's name */
	const char *action;    /* "fail", "warn" or "info" */
	const char *reason;    /* one line for people: what was found and why it violates the rule */
	const char *id;        /* the finding's id (CVE-..., a license, a secret rule), or NULL */
	const char *package;   /* the package concerned, or NULL */
} bw_violation;

typedef struct bw_policy_result {
	const char *verdict;   /* "pass", "warn" or "fail" */
	const bw_violation *violations;
	size_t n_violations;
	const char *policy;    /* the policy file, for reports */
	bool in_scope;         /* false when the policy's scope excludes the image (verdict pass) */
} bw_policy_result;

/* Loads and checks a policy file: an unknown key, a wrong type or a bad pattern is
 * BW_EUSAGE naming the file, line and key. */
BW_EXTERN int bw_policy_load(bw_policy **out, const char *path);
BW_EXTERN void bw_policy_free(bw_policy *p);

/* "Today" for exceptions' expiry dates and the image's age: "YYYY-MM-DD", or
 * NULL for the current UTC date when evaluated (the default). BW_EUSAGE when
 * the date is malformed. */
BW_EXTERN int bw_policy_set_today(bw_policy *p, const char *date);

/*
 * Evaluates the policy on a scanned image and its findings (vulns may be
 * NULL: the vulnerability scanner did not run). A rule whose input is missing
 * (no vulnerability scan; secrets and signatures, which this build does not
 * check) is reported as an "info" violation "not evaluated: ...", never as a
 * pass. *out is the caller's (bw_policy_result_free).
 */
BW_EXTERN int bw_policy_evaluate(const bw_policy *p, const bw_image *img, const bw_vulns *vulns,
				 bw_policy_result **out);
/*
 * The same over every finding of a scan (bulwark/report.h): img, vulns and
 * misconfigs (NULL members: that scanner did not run; `policy` is ignored).
 * `misconfigurations` rules need misconfigs.
 */
typedef struct bw_scan_results bw_scan_results;
BW_EXTERN int bw_policy_evaluate_results(const bw_policy *p, const bw_scan_results *r, bw_policy_result **out);
BW_EXTERN void bw_policy_result_free(bw_policy_result *r);

#ifdef __cplusplus
}
#endif
#endif
