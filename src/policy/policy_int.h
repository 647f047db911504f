/*
 * policy/policy_int.h: a loaded policy, shared by the loader (policy.c) and
 * the evaluation (evaluate.c). Every string here is owned by the policy.
 */
#ifndef BW_POLICY_INT_H
#define BW_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/policy.h"

#define BW_POLICY_MAX_BYTES   (1024 * 1024)   /* a policy file */
#define BW_POLICY_MAX_RULES   1000
#define BW_POLICY_MAX_LIST    10000           /* items in one list (ids, patterns, ...) */
#define BW_POLICY_MAX_STRING  1024            /* one scalar */
#define BW_POLICY_MAX_EXCEPTIONS 10000
#define BW_POLICY_MAX_DAYS    1000000

typedef enum bw_policy_action { BW_ACT_FAIL, BW_ACT_WARN, BW_ACT_INFO } bw_policy_action;

typedef struct bw_strlist {
	char **v;
	size_t n;
} bw_strlist;

/* A map of label -> value pattern; a NULL pattern means "any value". */
typedef struct bw_labelreq {
	char **keys, **patterns;
	size_t n;
} bw_labelreq;

typedef struct bw_vuln_rule {
	bool present;
	unsigned severities;       /* BW_SEV_* bits; 0: any severity */
	bool fixable_only;
	bool has_cvss;
	double cvss_at_least;
	bw_strlist ids;            /* deny list: always a violation */
	int64_t older_than_days;   /* -1: not set */
	int origin;                /* BW_ORIGIN_*: findings inherited from the recorded base, or added */
} bw_vuln_rule;

enum { BW_ORIGIN_ANY = 0, BW_ORIGIN_BASE, BW_ORIGIN_IMAGE };

typedef struct bw_license_rule {
	bool present;
	bw_strlist deny;           /* normalised identifiers */
	unsigned deny_categories;  /* 1 << bw_license_category */
	bw_strlist allow;          /* normalised identifiers or "ID WITH EXC" */
} bw_license_rule;

typedef struct bw_secrets_rule {
	bool present;
	unsigned min_severity;     /* BW_SEV_* bit, 0: any */
	bw_strlist categories;
} bw_secrets_rule;

typedef struct bw_image_rule {
	bool present;
	int forbid_root_user;      /* -1 unset, 0, 1 */
	bw_labelreq required_labels;
	bw_strlist allowed_registries;
	int64_t max_age_days;      /* -1: not set */
	bw_strlist forbidden_packages;
	bw_strlist allowed_base_images;
} bw_image_rule;

typedef struct bw_signature_rule {
	bool present;
	bw_strlist keys, attestations;
} bw_signature_rule;

/* misconfigurations: {ids: [...], min_severity: X}: a finding violates when its id
 * matches one of ids (patterns; none: any id) and its severity is at least min_severity. */
typedef struct bw_misconfig_rule {
	bool present;
	bw_strlist ids;            /* check id patterns (BW-IMG-001, BW-DF-*) */
	unsigned min_severity;     /* BW_SEV_* bit, 0: any */
} bw_misconfig_rule;

typedef struct bw_policy_rule {
	char *name;
	bw_policy_action action;
	bw_vuln_rule vulns;
	bw_license_rule licenses;
	bw_secrets_rule secrets;
	bw_image_rule image;
	bw_signature_rule signature;
	bw_misconfig_rule misconfigs;
} bw_policy_rule;

typedef struct bw_policy_exception {
	char *id;                  /* CVE / advisory id, license id, package name ... */
	char *package;             /* NULL: any package */
	char *reason;
	char expires[11];          /* YYYY-MM-DD */
} bw_policy_exception;

struct bw_policy {
	char *path;
	bw_strlist scope_references;
	bw_labelreq scope_labels;
	bool has_scope;
	bw_policy_rule *rules;
	size_t n_rules;
	bw_policy_exception *exceptions;
	size_t n_exceptions;
	char today[11];            /* "" : the current UTC date at evaluation */
};

/* Parses a policy document held in memory; what names it in messages. */
int bw_policy__parse(bw_policy **out, const char *what, const void *data, size_t len);

/* "YYYY-MM-DD" that is a real date -> days since 1970-01-01; false otherwise. */
bool bw_policy__date_days(const char *s, int64_t *days);

const char *bw_policy__action_name(bw_policy_action a);

#endif
