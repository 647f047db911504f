/*
 * bulwark/misconfig.h: misconfiguration and hygiene checks (docs/misconfig.md).
 *
 *   bw_misconfigs *m;
 *   bw_misconfig_check_image(&m, img, &opts);    // img scanned with bw_image_scan()
 *   for (size_t i = 0; i < bw_misconfigs_count(m); i++) ... bw_misconfigs_at(m, i) ...
 *   bw_misconfigs_free(m);
 *
 * Three kinds of checks, each with a fixed id (BW-IMG-*, BW-FS-*, BW-DF-*), a
 * severity, a title, a rationale and a remediation (bw_misconfig_checks()):
 * the image config, the merged filesystem (the layer pass collects
 * /etc/passwd, group, shadow and sudoers when BW_ANALYZE_MISCONFIG is
 * selected), and Dockerfiles, which are parsed from text.
 */
#ifndef BULWARK_MISCONFIG_H
#define BULWARK_MISCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One check of the table. */
typedef struct bw_misconfig_check {
	const char *id;          /* "BW-IMG-001" */
	const char *severity;    /* CRITICAL, HIGH, MEDIUM, LOW */
	const char *title;
	const char *rationale;   /* why it matters */
	const char *remediation; /* what to do */
} bw_misconfig_check;

/* The whole check table, in id order; *n its length. */
BW_EXTERN const bw_misconfig_check *bw_misconfig_checks(size_t *n);
/* The check with this id, or NULL. */
BW_EXTERN const bw_misconfig_check *bw_misconfig_check_find(const char *id);

/* One finding. Strings are owned by the list. */
typedef struct bw_misconfig {
	const bw_misconfig_check *check; /* id, severity, title, rationale, remediation */
	const char *id, *severity, *title;
	const char *target;      /* "config", "config:env:NAME", "config:history:N", a path in the
				  * image, or the Dockerfile's name */
	const char *evidence;    /* one line: what was seen (secrets redacted) */
	unsigned line;           /* Dockerfile: 1-based line; 0 otherwise */
	int64_t layer;           /* the layer index a file came from; -1 when none */
} bw_misconfig;

typedef struct bw_misconfigs bw_misconfigs;

typedef struct bw_misconfig_options {
	const char *today;       /* "YYYY-MM-DD" for image age and end-of-life; NULL: current UTC date */
	int max_age_days;        /* BW-IMG-007 fires when the image is older; 0: 365 */
	int eol_warn_days;       /* BW-IMG-010 fires this many days before end of life; 0: 90 */
} bw_misconfig_options;

/*
 * The image-config and filesystem checks of a scanned image. The filesystem
 * checks that need file contents (/etc/passwd, shadow, group, sudoers) are
 * skipped when the misconfig analyzer did not run. BW_EUSAGE for a bad
 * today; BW_EINTERNAL when memory ran out.
 */
BW_EXTERN int bw_misconfig_check_image(bw_misconfigs **out, const bw_image *img,
				       const bw_misconfig_options *opts);

/*
 * A Dockerfile: parsed (escape directive, continuations, heredocs, JSON and
 * shell forms, ARG/ENV expansion, stages) and linted. name is what findings
 * name as target. Hostile text (over 100 MB, over 100,000 continued lines,
 * invalid UTF-8) gives one warning through the log callback and the part read
 * so far is checked; BW_EINPUT only when the file cannot be read.
 */
BW_EXTERN int bw_misconfig_check_dockerfile(bw_misconfigs **out, const char *path,
					    const bw_misconfig_options *opts);
BW_EXTERN int bw_misconfig_check_dockerfile_mem(bw_misconfigs **out, const char *name, const void *data,
						size_t len, const bw_misconfig_options *opts);

BW_EXTERN size_t bw_misconfigs_count(const bw_misconfigs *m);
BW_EXTERN const bw_misconfig *bw_misconfigs_at(const bw_misconfigs *m, size_t i);
/* "image" or "dockerfile": what was checked. */
BW_EXTERN const char *bw_misconfigs_kind(const bw_misconfigs *m);
BW_EXTERN void bw_misconfigs_free(bw_misconfigs *m);
/* Keeps only findings whose severity is in the BW_SEV_* set (bulwark/scan.h); 0 keeps all. */
BW_EXTERN void bw_misconfigs_filter(bw_misconfigs *m, unsigned severities);

/*
 * Does the config User of a scanned image run as uid 0? Empty, "root", "0",
 * ":group", or a name that the image's /etc/passwd maps to uid 0. *resolved
 * (may be NULL) is set when the answer came from /etc/passwd.
 */
BW_EXTERN bool bw_image_runs_as_root(const bw_image *img, bool *resolved);

#ifdef __cplusplus
}
#endif
#endif
