/*
 * misconfig/misconfig_int.h: what the files of src/misconfig share: the
 * findings list (checks.c), the account-file parsers (accounts.c), the
 * end-of-life table (eol.c) and the Dockerfile parser (dockerfile.c).
 * Outside src/misconfig, use bulwark/misconfig.h.
 */
#ifndef BW_MISCONFIG_INT_H
#define BW_MISCONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/misconfig.h"
#include "util/arena.h"

/* ------------------------------------------------------- findings (checks.c) */

struct bw_misconfigs {
	bw_arena mem;
	bw_misconfig *v;
	size_t n, cap;
	const char *kind;   /* "image" or "dockerfile" */
};

#define BW_MISCONFIG_MAX_FINDINGS 10000     /* one scan's findings; more are counted in one last finding */
#define BW_MISCONFIG_EVIDENCE_MAX 512       /* bytes of evidence kept per finding */

bw_misconfigs *bw_misconfigs__new(const char *kind);
/* Adds a finding of check id (which must be in the table); evidence is
 * printf-formatted and cut at BW_MISCONFIG_EVIDENCE_MAX bytes. 0, or
 * BW_EINTERNAL when memory ran out. Past BW_MISCONFIG_MAX_FINDINGS findings
 * are dropped (and counted). */
int bw_misconfigs__add(bw_misconfigs *m, const char *id, const char *target, unsigned line, int64_t layer,
		       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Sorts by severity, id, target, line (stable report order). */
void bw_misconfigs__sort(bw_misconfigs *m);

/* Is NAME (of an ENV or ARG) one that usually holds a secret? */
bool bw_misconfig__secret_name(const char *name, size_t len);
/* "curl ... | sh" and the like: a download piped into an interpreter. */
bool bw_misconfig__pipes_to_shell(const char *s);
/* "ab********yz" into out: at most the first and last 2 characters shown
 * (nothing of values under 8 bytes). */
void bw_misconfig__redact(const char *value, size_t len, char *out, size_t n);
/* "YYYY-MM-DD" -> days since 1970-01-01; false when not a real date. */
bool bw_misconfig__date_days(const char *s, int64_t *days);
/* today in days: from text, or the current UTC date for NULL; false for bad text. */
bool bw_misconfig__today(const char *text, int64_t *days);

/* --------------------------------------------- account files (accounts.c) */

#define BW_ACCOUNTS_MAX_BYTES   (4 * 1024 * 1024)  /* one file buffered by the layer pass */
#define BW_ACCOUNTS_MAX_ENTRIES 65536              /* entries kept per file */
#define BW_ACCOUNTS_MAX_LINE    4096               /* a longer line is skipped */
#define BW_SUDOERS_MAX_FILES    256                /* /etc/sudoers.d entries kept */

typedef struct bw_pw_entry {
	const char *name, *home, *shell;
	uint32_t uid, gid;
	unsigned line;
} bw_pw_entry;

typedef struct bw_gr_entry {
	const char *name, *members;
	uint32_t gid;
	unsigned line;
} bw_gr_entry;

typedef struct bw_sp_entry {
	const char *name, *hash;
	unsigned line;
} bw_sp_entry;

typedef struct bw_sudo_rule {
	const char *file;
	const char *text;    /* the rule, continuations joined */
	unsigned line;
	bool nopasswd;
} bw_sudo_rule;

typedef struct bw_accounts {
	bw_arena mem;
	bw_pw_entry *pw;
	size_t n_pw, cap_pw;
	bw_gr_entry *gr;
	size_t n_gr, cap_gr;
	bw_sp_entry *sp;
	size_t n_sp, cap_sp;
	bw_sudo_rule *sudo;
	size_t n_sudo, cap_sudo;
	bool have_passwd, have_group, have_shadow, have_sudo;
} bw_accounts;

/*
 * Each parser adds the entries of one file's text (not NUL-terminated; NUL
 * bytes are data) to a. Lines that do not parse are skipped, as glibc's
 * nss_files does. truncated: the text is the first part of a larger file.
 * When the text was bounded (truncated, too many entries, too long lines),
 * warn holds one line saying so ("" otherwise). 0, or BW_EINTERNAL.
 */
int bw_accounts__passwd(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn);
int bw_accounts__group(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn);
int bw_accounts__shadow(bw_accounts *a, const char *text, size_t len, bool truncated, char *warn, size_t wn);
int bw_accounts__sudoers(bw_accounts *a, const char *file, const char *text, size_t len, bool truncated,
			 char *warn, size_t wn);
void bw_accounts__free(bw_accounts *a);
const bw_pw_entry *bw_accounts__user(const bw_accounts *a, const char *name, size_t len);
bool bw_accounts__has_uid(const bw_accounts *a, uint64_t uid);

/* How a password hash field is judged: locked/disabled, empty, weak (DES,
 * MD5, ...) or strong. */
typedef enum bw_hash_kind { BW_HASH_LOCKED, BW_HASH_EMPTY, BW_HASH_WEAK, BW_HASH_OK } bw_hash_kind;
bw_hash_kind bw_accounts__hash_kind(const char *hash, const char **scheme);

/* The accounts of a scanned image as the misconfig analyzer left them, or NULL. */
struct bw_image;
const bw_accounts *bw_misconfig__image_accounts(const struct bw_image *img);

/* ------------------------------------------------ end of life (eol.c) */

typedef struct bw_eol_entry {
	const char *family;   /* artifact.os.family */
	const char *version;  /* VERSION_ID prefix: "12", "22.04", "3.18", "9", "2023" */
	const char *name;     /* for people: "Debian 12 (bookworm)" */
	const char *eol;      /* "YYYY-MM-DD": end of the security support the vendor publishes */
	const char *source;   /* the vendor page */
} bw_eol_entry;

/* The entry for an OS family and VERSION_ID, or NULL when the table has none. */
const bw_eol_entry *bw_eol__find(const char *family, const char *version);
const bw_eol_entry *bw_eol__table(size_t *n);

/* ------------------------------------------------ Dockerfile (dockerfile.c) */

#define BW_DOCKERFILE_MAX_BYTES   (100 * 1024 * 1024)
#define BW_DOCKERFILE_MAX_CONT    100000   /* continued physical lines in the whole file */
#define BW_DOCKERFILE_MAX_INSTR   100000   /* instructions */
#define BW_DOCKERFILE_MAX_VARS    1000     /* ARG/ENV names in scope at once */
#define BW_DOCKERFILE_MAX_EXPAND  65536    /* bytes of one expanded word */

typedef struct bw_df_instr {
	char *keyword;       /* upper case: "FROM", "RUN", ... */
	char *flags;         /* "--chown=a:b --from=x" as written, or "" */
	char *args;          /* the text after the keyword and flags, continuations joined */
	char **argv;         /* JSON form: the array; shell form: args split on blanks, quotes removed */
	size_t argc;
	bool json;           /* exec (JSON array) form */
	char *heredoc;       /* the heredoc bodies, joined, or NULL */
	unsigned line;       /* first physical line */
	size_t stage;        /* 0-based index of the FROM stage it belongs to */
} bw_df_instr;

typedef struct bw_dockerfile {
	bw_df_instr *v;
	size_t n, cap;
	char escape;
	char warning[256];   /* "" or why the text was bounded (one line) */
} bw_dockerfile;

/* Parses text (len bytes) into df. A bounded text sets df->warning and keeps
 * what came before the bound. 0, or BW_EINTERNAL. */
int bw_dockerfile__parse(bw_dockerfile *df, const char *text, size_t len);
void bw_dockerfile__free(bw_dockerfile *df);
/* The lint rules over a parsed file. */
int bw_dockerfile__lint(bw_misconfigs *m, const bw_dockerfile *df, const char *name);

#endif
