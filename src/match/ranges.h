/*
 * match/ranges.h: the OSV ranges of an affected row, decoded for matching.
 *
 * src/vulndb/osv.c stores them as compact JSON in the store's "ranges" column:
 * {"r":[[[kind,version],...],...],"v":[version,...]} with kind "i" "f" "l" "m"
 * (introduced, fixed, last_affected, limit). The matcher decodes each distinct
 * text once per scan and scheme into plain arrays, with every range's events
 * already in the scheme's order and every version checked once, so that
 * matching a package is comparisons only.
 *
 * The text comes from a file in a cache directory and is treated as hostile:
 * anything but the exact shape the importer writes goes through jansson
 * (bw_json_parse: size and depth bounds) and is read with the same rules as
 * the well-formed case, so both paths give the same result for the same text.
 */
#ifndef BW_MATCH_RANGES_H
#define BW_MATCH_RANGES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "version/version.h"

/* Ranges text larger than this is not a ranges document (the importer's bounds
 * are 256 ranges x 4096 events and 65536 versions of at most 1 KiB). */
#define BW_OSV_RANGES_MAX_TEXT (8 * 1024 * 1024)

typedef struct bw_osv_event {
	char kind;              /* 'i' 'f' 'l' 'm', or another byte (never matches a case) */
	const char *version;    /* valid under the scheme, except introduced "0" */
} bw_osv_event;

typedef struct bw_osv_range {
	const bw_osv_event *ev; /* in the scheme's order ("0" introduced first) */
	size_t n;
	bool usable;            /* false: malformed, or a version the scheme cannot order */
} bw_osv_range;

typedef struct bw_osv_ranges {
	const bw_osv_range *ranges;
	size_t n_ranges;
	const char *const *listed;  /* "versions": affected versions listed one by one */
	size_t n_listed;
	/* whether listed[i] is valid under the scheme, found out the first time
	 * bw_osv_listed_valid is asked (lists run to hundreds of versions, and
	 * most are never compared): 0 not yet known, 1 valid, 2 not */
	unsigned char *listed_state;
	bw_version_scheme scheme;
} bw_osv_ranges;

/*
 * Decodes text (len bytes, as stored) for scheme into arrays allocated from
 * arena. *out is NULL when the text is not a JSON document at all (such a row
 * never matches); a document of another shape decodes to what can be read
 * from it (ranges that are not arrays of [kind, version] pairs are unusable,
 * other members ignored). Returns 0, or BW_EINTERNAL when out of memory.
 */
int bw_osv_ranges_decode(bw_arena *arena, const char *text, size_t len, bw_version_scheme scheme,
			 const bw_osv_ranges **out);

/* listed[i] is a valid version under the scheme the ranges were decoded for. */
bool bw_osv_listed_valid(const bw_osv_ranges *r, size_t i);

#endif
