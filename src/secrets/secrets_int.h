/*
 * secrets/secrets_int.h: the secret scanner's engine, shared by the files of
 * src/secrets (the rule table, the compiled matcher, validators, the YAML rule
 * file, the analyzer) and by tests. Outside src/secrets use bulwark/secrets.h.
 *
 * Shape: every rule (built-in and custom) is one expression of a single
 * Hyperscan database compiled in streaming mode. A scanner (one per layer
 * thread) feeds each file through one Hyperscan stream, keeping a window of
 * the last SECRETS_KEEP bytes so that a match reported at its end offset can
 * be re-read (PCRE2, for the capture that holds the secret), validated
 * (checksums, entropy, keyword proximity) and given a line number, even when
 * it straddled two chunks. Only the redacted form of a match leaves the
 * scanner. Exception: credit-card, us-ssn and iban have no literal for Hyperscan
 * to anchor on; numbers.c finds their end offsets instead (the same ones) and
 * the scanner merges them with Hyperscan's, in end-offset order.
 */
#ifndef BW_SECRETS_SECRETS_INT_H
#define BW_SECRETS_SECRETS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/secrets.h"

/* Bytes of history kept before each chunk: the longest match we can re-read. */
#define SECRETS_KEEP           4096
/* Bytes searched back first for where a match starts (then up to SECRETS_KEEP). */
#define SECRETS_NEAR           320
/* Chunks larger than this are fed in pieces (the window is KEEP + 2 * CHUNK). */
#define SECRETS_CHUNK          65536
/* Bytes before a match searched for a rule's keywords. */
#define SECRETS_KEYWORD_REACH  256
/* Findings kept per file and per layer: a file of a million fake keys must not eat memory. */
#define SECRETS_MAX_PER_FILE   256
#define SECRETS_MAX_PER_LAYER  20000
/* Redacted matches are cut to this many bytes. */
#define SECRETS_REDACTED_MAX   48
/* Default size above which a file is not scanned (--secret-max-file-size). */
#define SECRETS_DEFAULT_MAX_FILE (16ULL * 1024 * 1024)
/* Custom rules and allow rules in one config file. */
#define SECRETS_MAX_CUSTOM     512
#define SECRETS_MAX_CONFIG_BYTES (1024 * 1024)

typedef enum secret_validator {
	VAL_NONE = 0,
	VAL_ENTROPY,      /* min_entropy and not a placeholder: the generic assignments */
	VAL_GH_CRC32,     /* GitHub / npm: prefix + 30 base62 + base62(crc32) */
	VAL_LUHN,         /* payment cards: issuer prefix and length, Luhn, context */
	VAL_SSN,          /* US SSN: area, group and serial ranges */
	VAL_IBAN,         /* country length and ISO 7064 mod 97-10 */
	VAL_JWT,          /* the header decodes to a JSON object with "alg" */
	VAL_DOCKER_AUTH,  /* base64 of "user:password" with a password */
	VAL_PASSWORD,     /* a URL or file password: not a placeholder or variable */
	VAL_URL_AUTH,     /* "password@host": the password as VAL_PASSWORD, with an entropy floor */
} secret_validator;

typedef struct secret_rule {
	const char *id;
	const char *category;
	const char *severity;    /* CRITICAL HIGH MEDIUM LOW */
	const char *title;
	const char *regex;       /* Hyperscan and PCRE2 syntax; capture group 1, when present, is the secret */
	secret_validator validator;
	const char *keywords;    /* "a|b": one must occur (any case) within SECRETS_KEYWORD_REACH
	                            bytes before the secret or in the match; NULL: none */
	const char *path_glob;   /* the rule applies only to matching paths; NULL: all */
	double min_entropy;      /* bits per byte of the secret; 0: no floor */
} secret_rule;

/* The built-in rules (rules.c). */
extern const secret_rule bw_secret_builtin_rules[];
extern const size_t bw_secret_builtin_count;

/* ------------------------------------------------------------ validators (validate.c) */

double bw_secret_entropy(const char *s, size_t n);
bool bw_secret_luhn(const char *digits, size_t n);
/* Card: the digits of s (spaces and dashes dropped) have an issuer prefix of the right
 * length and pass Luhn. */
bool bw_secret_card_ok(const char *s, size_t n);
bool bw_secret_ssn_ok(const char *s, size_t n);
bool bw_secret_iban_ok(const char *s, size_t n);
/* The 6-character base62 CRC-32 GitHub and npm append to their tokens. */
bool bw_secret_gh_checksum_ok(const char *token, size_t n);
void bw_secret_gh_checksum(const char *body, size_t n, char out[7]);
bool bw_secret_jwt_ok(const char *s, size_t n);
bool bw_secret_docker_auth_ok(const char *s, size_t n);
/* "${VAR}", "<password>", "changeme", "xxxxxxxx"...: not a secret. */
bool bw_secret_placeholder(const char *s, size_t n);
/* Writes the redacted form of s (NUL-terminated, at most SECRETS_REDACTED_MAX bytes):
 * at most the first and last 4 characters (fewer for short secrets), '*' between. */
void bw_secret_redact(const char *s, size_t n, char *out, size_t outsz);
bool bw_secret_validate(const secret_rule *r, const char *secret, size_t n, const char *before, size_t before_len);

/* ------------------------------------------------------------ the engine (engine.c) */

typedef struct secret_allow {
	char *id;
	char *regex;             /* the secret must match (PCRE2, unanchored); NULL: any */
	void *re;                /* compiled */
	char **paths;            /* globs on the path; none: any path */
	size_t n_paths;
	char **rules;            /* rule ids; none: every rule */
	size_t n_rules;
} secret_allow;

struct bw_secrets_config {
	secret_rule *rules;      /* custom rules, strings owned */
	size_t n_rules;
	secret_allow *allows;
	size_t n_allows;
	char **disabled;         /* built-in rule ids turned off */
	size_t n_disabled;
};

typedef struct secret_engine secret_engine;

/* bw_secret_engine_new_ex flags */
#define SECRET_ENGINE_ALL_REGEX 1u  /* credit-card, us-ssn and iban in Hyperscan too (the old path,
                                       for the differential test), not numbers.c */

/* Compiles the built-in rules plus cfg's (may be NULL). BW_EUSAGE naming the rule
 * when a custom regex does not compile. */
int bw_secret_engine_new(secret_engine **out, const bw_secrets_config *cfg, uint64_t max_file_size);
int bw_secret_engine_new_ex(secret_engine **out, const bw_secrets_config *cfg, uint64_t max_file_size, unsigned flags);
void bw_secret_engine_free(secret_engine *e);
size_t bw_secret_engine_rules(const secret_engine *e);
const secret_rule *bw_secret_engine_rule(const secret_engine *e, size_t i);
uint64_t bw_secret_engine_max_file(const secret_engine *e);
/* 16 hex digits over the size limit and every rule and allow rule ("" if hashing failed). */
const char *bw_secret_engine_fingerprint(const secret_engine *e);

/* The process-wide engine the analyzer uses: set by bw_secrets_setup(), else the
 * built-in rules with defaults, compiled once on first use. NULL when out of memory. */
const secret_engine *bw_secret_engine_current(void);

/* One finding of the scanner, before it gets a path and a layer. */
typedef struct secret_hit {
	uint32_t rule;           /* index into the engine's rules */
	uint64_t line;           /* 1-based */
	uint64_t start, end;     /* the secret's byte span in the file */
	char match[SECRETS_REDACTED_MAX + 1];
} secret_hit;

typedef struct secret_scanner secret_scanner;

int bw_secret_scanner_new(secret_scanner **out, const secret_engine *e);
void bw_secret_scanner_free(secret_scanner *s);
/* A new file (path for path-restricted rules and allow rules; copied). */
int bw_secret_scanner_begin(secret_scanner *s, const char *path);
int bw_secret_scanner_feed(secret_scanner *s, const uint8_t *data, size_t len);
/* Tests: fn sees every candidate (rule index, end offset in the file) before it is
 * validated, Hyperscan's and numbers.c's alike, in the order they are handled. */
void bw_secret_scanner_trace(secret_scanner *s, void (*fn)(void *arg, unsigned rule, uint64_t end), void *arg);
/* Ends the file: flushes end-anchored matches, drops duplicates and generic
 * matches that a specific rule also found. The hits stay valid until the next begin. */
int bw_secret_scanner_end(secret_scanner *s, const secret_hit **hits, size_t *n);

/* ------------------------------------------------------------ numbers (numbers.c) */

/* Candidates of credit-card, us-ssn and iban without Hyperscan: the end offsets
 * Hyperscan would report for those three built-in regexes, found by a SIMD search
 * for digit runs and a scalar matcher (numbers.c says how). */
#define NUM_PENDING 32

typedef struct secret_num_event {
	uint64_t end;            /* offset in the file where the match ends */
	uint32_t rule;           /* index into the engine's rules */
} secret_num_event;

typedef struct secret_numscan {
	int card, ssn, iban;     /* rule indexes; -1: not in the engine or in Hyperscan */
	uint64_t scan_pos;       /* where to look for the next digit run */
	uint64_t done_to;        /* bytes before this offset have been stepped over */
	uint64_t pending[NUM_PENDING]; /* run starts that need bytes not fed yet */
	size_t n_pending;
	secret_num_event *ev;    /* this step's ends, sorted by offset, one per rule and end */
	size_t n_ev, cap_ev, next_ev;
} secret_numscan;

/* A new file. */
void bw_secret_numscan_reset(secret_numscan *ns);
/* The bytes [win_off, data_end) are in win (at least SECRETS_KEEP before the last step's
 * data_end, or from the file's start); eof: the file ends at data_end. Fills ns->ev with the
 * ends whose last byte arrived since the last step. BW_EINTERNAL when out of memory. */
int bw_secret_numscan_step(secret_numscan *ns, const uint8_t *win, uint64_t win_off, uint64_t data_end, bool eof);
/* -1: the best the CPU has; 0 scalar, 1 SSE2, 2 AVX2 (tests force each). */
extern int bw_secret_numscan_impl;

/* ------------------------------------------------------------ binary content (analyzer.c) */

/* true when head (the first bytes of a file) says it cannot hold text secrets. */
bool bw_secret_binary_head(const uint8_t *head, size_t len);

#endif
