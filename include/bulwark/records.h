/*
 * bulwark/records.h: a local history of approved ("known-good") image digests
 * per deployment name (`bulwark record approve|list|rollback`), so that a
 * rollback means returning to a digest someone approved, with who, when and
 * the scan verdict of that moment.
 *
 * The store is one SQLite file (src/db/records.c): by default records.sqlite
 * beside the vulnerability database (bw_vulndb_default_path's directory), or
 * $BULWARK_RECORDS.
 */
#ifndef BULWARK_RECORDS_H
#define BULWARK_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "bulwark/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BW_RECORD_MAX_TEXT 4096 /* name, reference, note: longer is refused */

typedef struct bw_record {
	int64_t id;             /* increasing with time of approval */
	const char *name;       /* the deployment name ("web-frontend") */
	const char *digest;     /* "sha256:..." approved */
	const char *reference;  /* the image reference as approved, without digest */
	const char *who;        /* user name (getpwuid, else $USER) */
	const char *when;       /* "YYYY-MM-DDTHH:MM:SSZ", UTC */
	const char *verdict;    /* JSON object of vulnerability counts by severity, or NULL (no database) */
	const char *note;       /* or NULL */
} bw_record;

typedef struct bw_records bw_records;

/* $BULWARK_RECORDS, else records.sqlite in the directory of bw_vulndb_default_path(). Static string. */
BW_EXTERN const char *bw_records_default_path(void);
/* write: create the file (and directory) when missing. A missing store for
 * reading, or a file that is not a records store, is BW_EINPUT. */
BW_EXTERN int bw_records_open(bw_records **out, const char *path, bool write);
BW_EXTERN void bw_records_close(bw_records *r);

/* Adds an approval. who and when are filled in when NULL; *id_out (may be NULL) gets its id. */
BW_EXTERN int bw_records_approve(bw_records *r, const bw_record *rec, int64_t *id_out);

/* The approvals of name, newest first; fn's non-zero return stops and is returned. */
BW_EXTERN int bw_records_list(bw_records *r, const char *name, int (*fn)(const bw_record *rec, void *ctx), void *ctx);

/*
 * The rollback target of name: the newest approval whose digest differs from
 * the newest approval's digest (the previous known-good image). fn is called
 * once with it. BW_EINPUT when name has no approval, or none earlier with
 * another digest.
 */
BW_EXTERN int bw_records_previous(bw_records *r, const char *name, int (*fn)(const bw_record *rec, void *ctx),
				  void *ctx);

#ifdef __cplusplus
}
#endif
#endif
