/*
 * match/cvss.h: CVSS vectors from advisories, parsed, validated and scored.
 *
 * Four versions, each scored exactly as FIRST specifies it:
 *   2.0  "AV:N/AC:L/Au:N/C:P/I:P/A:P", optionally wrapped as "(AV:...)";
 *        base equation of the v2 guide (section 3.2.1), rounded to one decimal.
 *   3.0  "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"; base equations of the
 *        3.0 specification, its Roundup = ceil(x * 10) / 10 in floating point.
 *   3.1  "CVSS:3.1/..."; same equations, Roundup of the 3.1 specification
 *        (Appendix A: the value scaled to an integer first, so 4.000000001 is
 *        4.0, not 4.1 as in 3.0).
 *   4.0  "CVSS:4.0/AV:.../AC/AT/PR/UI/VC/VI/VA/SC/SI/SA"; the MacroVector
 *        method of the 4.0 specification (section 8.2): the 270 MacroVector
 *        scores FIRST published, then the interpolation by severity distance,
 *        computed in the same floating-point steps as FIRST's reference
 *        calculator so that the one-decimal result is the same.
 *
 * Every base metric of the version must be present exactly once; the
 * temporal / threat, environmental and supplemental metrics of the version
 * may be present (each at most once, with one of its defined values, "X" /
 * "ND" meaning Not Defined). Order: 2.0 vectors list their metrics "in a
 * predetermined order" (v2 guide 2.4) and must follow it; 3.x and 4.0
 * metrics may come in any order (the 3.x specification allows it, the 4.0
 * specification contradicts itself on the point and real 4.0 advisories,
 * GHSA's, do reorder). Names and values are case sensitive, as every
 * specification writes them.
 *
 * What is scored: for 2.0 and 3.x the Base Score (temporal and environmental
 * metrics are validated, not scored: advisories and NVD state base scores).
 * For 4.0 both the CVSS-B score (base metrics only) and the score of the
 * vector as written (CVSS-BT, -BE or -BTE when threat or environmental
 * metrics are set): 4.0 has no separate temporal score, a vector is scored
 * as a whole, and that is the number an advisory states.
 *
 * Vectors are untrusted: one longer than BW_CVSS_MAX_VECTOR bytes, with a NUL
 * inside, an unknown version, an unknown or repeated metric, a value the
 * metric does not have, a missing base metric, or an empty component gives
 * BW_EINPUT with a one-line message naming the vector (shortened, control
 * bytes shown as '?') and the problem. Nothing is allocated; the functions are
 * safe to call from any thread.
 */
#ifndef BW_MATCH_CVSS_H
#define BW_MATCH_CVSS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/limits.h"

#define BW_CVSS_MAX_VECTOR BW_MAX_CVSS_VECTOR /* 256 bytes */

typedef struct bw_cvss {
	int major, minor;     /* 2.0, 3.0, 3.1 or 4.0 */
	bool has_score;       /* true on success: every supported version is scored */
	double base_score;    /* 2.0/3.x Base Score; 4.0 CVSS-B (base metrics only) */
	double score;         /* the vector's score: base_score for 2.0/3.x, the
			       * whole vector's (CVSS-B/BT/BE/BTE) for 4.0 */
	int base_tenths;      /* base_score * 10, exactly (0..100) */
	int score_tenths;     /* score * 10, exactly (0..100) */
	char severity[16];    /* of score: bw_cvss_severity_for(score, major) */
	char nomenclature[12]; /* 4.0: "CVSS-B", "CVSS-BT", "CVSS-BE", "CVSS-BTE"; else "" */
} bw_cvss;

/*
 * Parses and scores a NUL-terminated vector. 0 and *out filled, or BW_EINPUT
 * (negative) with *out zeroed. vector NULL is BW_EINPUT too.
 */
int bw_cvss_parse(const char *vector, bw_cvss *out);

/* The same for len bytes that need not be NUL-terminated (a NUL byte among
 * them is an error). */
int bw_cvss_parse_n(const char *vector, size_t len, bw_cvss *out);

/*
 * The qualitative rating of a score: for 3.x and 4.0 the specifications'
 * scale (NONE 0.0, LOW 0.1-3.9, MEDIUM 4.0-6.9, HIGH 7.0-8.9, CRITICAL
 * 9.0-10.0); for 2.0, which defines none, NVD's (LOW 0.0-3.9, MEDIUM 4.0-6.9,
 * HIGH 7.0-10.0). NULL for another major version or a score outside 0..10
 * (or NaN).
 */
const char *bw_cvss_severity_for(double score, int major);

/* Internal, exposed for tests/unit/test_cvss.c: the Roundup of CVSS 3.0
 * (minor 0) or 3.1 (minor 1) of x >= 0, in tenths. No base vector scores
 * differently under the two (all 2,592 checked), so the difference is only
 * visible here. */
int bw_cvss__roundup_tenths(double x, int minor);

#endif
