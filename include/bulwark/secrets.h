/*
 * bulwark/secrets.h: secrets and sensitive data in an image (docs/secrets.md).
 *
 *   bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
 *   opts.analyzers = BW_ANALYZE_OS | BW_ANALYZE_PACKAGES | BW_ANALYZE_SECRETS;
 *   bw_image_open(&img, ref, &opts); bw_image_scan(img);
 *   const bw_secrets *s = bw_image_secrets(img);   // NULL: the scanner did not run
 *   for (size_t i = 0; i < bw_secrets_count(s); i++) ... bw_secrets_at(s, i)
 *
 * The scanner reads every regular text file of every layer during the one
 * layer pass, so a file a later layer deleted (or replaced) is still found,
 * with deleted_in_later_layer set; it also reads the image config (Env,
 * Labels, history created_by). A finding never holds the secret: `match` is
 * its redacted form (at most the first and last four characters).
 */
#ifndef BULWARK_SECRETS_H
#define BULWARK_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/errors.h"
#include "bulwark/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_secret {
	const char *rule;         /* "aws-access-key-id" */
	const char *category;     /* "cloud", "vcs", "chat", "saas", "registry", "private-key", "jwt",
	                             "database", "generic", "pci", "pii", "financial", or a custom one */
	const char *severity;     /* "CRITICAL", "HIGH", "MEDIUM", "LOW" */
	const char *title;        /* one line for people */
	const char *path;         /* "/app/.env", or "config:env:NAME", "config:label:NAME",
	                             "config:history:N" (N the index in the config's history) */
	bool in_config;           /* found in the image config: no layer, no line */
	size_t layer;             /* 0-based layer index (not in_config) */
	const char *diff_id;      /* that layer's diff_id; NULL in_config */
	uint64_t line;            /* 1-based line of the file; 0 in_config */
	bool deleted_in_later_layer; /* a later layer whited out or replaced the file */
	const char *match;        /* redacted: never the whole secret */
} bw_secret;

typedef struct bw_secrets bw_secrets;

/* The findings of a scanned image, sorted by severity, path, line and rule;
 * NULL when the image was scanned without BW_ANALYZE_SECRETS. */
BW_EXTERN const bw_secrets *bw_image_secrets(const bw_image *img);
BW_EXTERN size_t bw_secrets_count(const bw_secrets *s);   /* 0 for NULL */
BW_EXTERN const bw_secret *bw_secrets_at(const bw_secrets *s, size_t i);

/*
 * Custom rules and allow rules (the YAML file of --secret-config, docs/secrets.md):
 *   rules:   [{id, category?, severity?, title?, regex, keywords?, paths?, entropy?}]
 *   allow:   [{id, regex?, paths?, rules?}]     a finding matching all given keys is dropped
 *   disable: [RULE-ID, ...]                      built-in rules turned off
 * Errors: BW_EUSAGE naming the file, and the rule and key when a value is wrong;
 * BW_EINPUT when the file cannot be read.
 */
typedef struct bw_secrets_config bw_secrets_config;
BW_EXTERN int bw_secrets_config_load(bw_secrets_config **out, const char *path);
BW_EXTERN int bw_secrets_config_parse(bw_secrets_config **out, const char *what, const void *data, size_t len);
BW_EXTERN void bw_secrets_config_free(bw_secrets_config *c);

typedef struct bw_secrets_options {
	uint64_t max_file_size;            /* files larger are skipped; 0: 16 MiB */
	const bw_secrets_config *config;   /* NULL: built-in rules only */
} bw_secrets_options;

/*
 * Compiles the rule set the secret analyzer uses from now on (process-wide:
 * call it before bw_image_scan, never during one). Without a call the
 * built-in rules and defaults are used. opts NULL: back to the defaults.
 * BW_EUSAGE when a custom rule does not compile.
 */
BW_EXTERN int bw_secrets_setup(const bw_secrets_options *opts);

/* The rules of the current rule set (docs, SARIF). */
typedef struct bw_secret_rule_info {
	const char *id, *category, *severity, *title;
} bw_secret_rule_info;
BW_EXTERN size_t bw_secrets_rule_count(void);
BW_EXTERN int bw_secrets_rule_at(size_t i, bw_secret_rule_info *out);

/*
 * Scans one buffer as the file `path` with the current rule set and calls fn
 * for each finding (layer 0, no diff_id); a non-zero return of fn stops and is
 * returned. For tools and tests.
 */
BW_EXTERN int bw_secrets_scan_buffer(const char *path, const void *data, size_t len,
				     int (*fn)(const bw_secret *s, void *ctx), void *ctx);

#ifdef __cplusplus
}
#endif
#endif
