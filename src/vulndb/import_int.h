/*
 * vulndb/import_int.h: what the feed parsers share (not part of the API).
 *
 * Each parser turns one document (already parsed into jansson values, from
 * JSON or YAML) or one text file into advisories for bw_vulnstore_add(). A
 * record that is malformed is skipped and counted with the first reason kept
 * for the summary; only an unreadable feed as a whole is an error.
 */
#ifndef BW_VULNDB_IMPORT_INT_H
#define BW_VULNDB_IMPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/vulnstore.h"

/* Bounds on one advisory (OSV records of PyPI list every affected version). */
#define BW_OSV_MAX_AFFECTED   4096
#define BW_OSV_MAX_RANGES     256
#define BW_OSV_MAX_EVENTS     4096
#define BW_OSV_MAX_VERSIONS   65536
#define BW_ADV_MAX_ALIASES    256
#define BW_ADV_MAX_ID_BYTES   256
/* Largest single feed file (the Debian tracker's JSON export is ~80 MiB) and
 * largest member of an archive of advisories. */
#define BW_FEED_MAX_FILE_BYTES   (512 * 1024 * 1024ULL)
#define BW_FEED_MAX_MEMBER_BYTES (64 * 1024 * 1024ULL)
#define BW_FEED_MAX_FILES        1000000
#define BW_FEED_MAX_DIR_DEPTH    16

typedef struct bw_import {
	bw_vulnstore *store;
	uint64_t records;      /* advisories stored */
	uint64_t skipped;      /* malformed records skipped */
	uint64_t ignored;      /* well-formed but nothing bulwark matches (withdrawn, other ecosystems) */
	const char *format;    /* the first format seen */
	bool mixed;            /* more than one format in this source */
	char first_skip[512];  /* why the first skipped record was skipped */
} bw_import;

/* Counts a skipped record and remembers the first reason (printf-style). */
void bw_import_skip(bw_import *imp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bw_import_set_format(bw_import *imp, const char *format);

/* One OSV record. */
int bw_osv_import(bw_import *imp, const char *what, json_t *rec);
/* Debian security tracker JSON export: {source: {CVE: {releases: {...}}}}. */
int bw_debian_json_import(bw_import *imp, const char *what, json_t *doc);
/* Debian DSA/DLA/DTSA list (text). */
int bw_debian_list_import(bw_import *imp, const char *what, const char *text, size_t len);
/* Alpine / Wolfi / Chainguard secdb document. */
int bw_secdb_import(bw_import *imp, const char *what, json_t *doc);

/* Shape checks used by the format detector. */
bool bw_osv_looks_like(json_t *doc);
bool bw_debian_json_looks_like(json_t *doc);
bool bw_debian_list_looks_like(const char *text, size_t len);
bool bw_secdb_looks_like(json_t *doc);

/* Normalised severity word from a feed's wording, or NULL. */
const char *bw_severity_word(const char *s);

#endif
