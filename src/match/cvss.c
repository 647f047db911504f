/*
 * match/cvss.c: parsing, validation and scoring of CVSS 2.0, 3.0, 3.1 and 4.0
 * vectors (contract in cvss.h).
 *
 * One table per version lists its metrics (base metrics first) and their
 * values in the order the specification lists them; a parsed vector is the
 * index of the chosen value per metric, or -1 when the metric is absent. The
 * scoring functions read those indexes. Weights, the 4.0 MacroVector scores
 * and the 4.0 highest-severity vectors are the published numbers of the FIRST
 * specifications.
 *
 * Floating point: the scores must come out as FIRST's calculators compute
 * them, to the last decimal, so the equations are evaluated in IEEE double in
 * the order the specifications write them, and nothing may be fused into an
 * FMA (that changes the last bit, and a last bit can move a result across a
 * rounding boundary). The pragmas below keep the compiler from contracting.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "match/cvss.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define MAX_METRICS 32 /* 4.0 has the most: 11 base + 1 threat + 14 environmental + 6 supplemental */
#define MAX_VALUES 6   /* 2.0's CDP has the most: N, L, LM, MH, H, ND */

struct metric {
	const char *key;
	const char *values[MAX_VALUES + 1]; /* NULL-terminated */
};

struct version {
	int major, minor;
	const struct metric *metrics;
	int n_metrics;
	int n_base;   /* metrics[0 .. n_base-1] are mandatory */
	bool ordered; /* metrics must come in table order (2.0) */
};

/* ------------------------------------------------------------------ tables */

/* CVSS v2 guide, section 2 (values in the order of the guide's tables 1-13). */
enum {
	V2_AV, V2_AC, V2_AU, V2_C, V2_I, V2_A,           /* base */
	V2_E, V2_RL, V2_RC,                              /* temporal */
	V2_CDP, V2_TD, V2_CR, V2_IR, V2_AR,              /* environmental */
	V2_N
};

static const struct metric v2_metrics[V2_N] = {
	[V2_AV] = { "AV", { "L", "A", "N" } },
	[V2_AC] = { "AC", { "H", "M", "L" } },
	[V2_AU] = { "Au", { "M", "S", "N" } },
	[V2_C] = { "C", { "N", "P", "C" } },
	[V2_I] = { "I", { "N", "P", "C" } },
	[V2_A] = { "A", { "N", "P", "C" } },
	[V2_E] = { "E", { "U", "POC", "F", "H", "ND" } },
	[V2_RL] = { "RL", { "OF", "TF", "W", "U", "ND" } },
	[V2_RC] = { "RC", { "UC", "UR", "C", "ND" } },
	[V2_CDP] = { "CDP", { "N", "L", "LM", "MH", "H", "ND" } },
	[V2_TD] = { "TD", { "N", "L", "M", "H", "ND" } },
	[V2_CR] = { "CR", { "L", "M", "H", "ND" } },
	[V2_IR] = { "IR", { "L", "M", "H", "ND" } },
	[V2_AR] = { "AR", { "L", "M", "H", "ND" } },
};

/* CVSS v3.0 / v3.1 specification, section 7.4 (Table 15). */
enum {
	V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A,        /* base */
	V3_E, V3_RL, V3_RC,                                        /* temporal */
	V3_CR, V3_IR, V3_AR, V3_MAV, V3_MAC, V3_MPR, V3_MUI, V3_MS,
	V3_MC, V3_MI, V3_MA,                                       /* environmental */
	V3_N
};

static const struct metric v3_metrics[V3_N] = {
	[V3_AV] = { "AV", { "N", "A", "L", "P" } },
	[V3_AC] = { "AC", { "L", "H" } },
	[V3_PR] = { "PR", { "N", "L", "H" } },
	[V3_UI] = { "UI", { "N", "R" } },
	[V3_S] = { "S", { "U", "C" } },
	[V3_C] = { "C", { "H", "L", "N" } },
	[V3_I] = { "I", { "H", "L", "N" } },
	[V3_A] = { "A", { "H", "L", "N" } },
	[V3_E] = { "E", { "X", "H", "F", "P", "U" } },
	[V3_RL] = { "RL", { "X", "U", "W", "T", "O" } },
	[V3_RC] = { "RC", { "X", "C", "R", "U" } },
	[V3_CR] = { "CR", { "X", "H", "M", "L" } },
	[V3_IR] = { "IR", { "X", "H", "M", "L" } },
	[V3_AR] = { "AR", { "X", "H", "M", "L" } },
	[V3_MAV] = { "MAV", { "X", "N", "A", "L", "P" } },
	[V3_MAC] = { "MAC", { "X", "L", "H" } },
	[V3_MPR] = { "MPR", { "X", "N", "L", "H" } },
	[V3_MUI] = { "MUI", { "X", "N", "R" } },
	[V3_MS] = { "MS", { "X", "U", "C" } },
	[V3_MC] = { "MC", { "X", "H", "L", "N" } },
	[V3_MI] = { "MI", { "X", "H", "L", "N" } },
	[V3_MA] = { "MA", { "X", "H", "L", "N" } },
};

/* CVSS v4.0 specification, section 7 (Table 23). The modified base metrics
 * (MAV .. MSA) are in the same order as the base metrics they modify. */
enum {
	V4_AV, V4_AC, V4_AT, V4_PR, V4_UI, V4_VC, V4_VI, V4_VA, V4_SC, V4_SI, V4_SA, /* base */
	V4_E,                                                                       /* threat */
	V4_CR, V4_IR, V4_AR, V4_MAV, V4_MAC, V4_MAT, V4_MPR, V4_MUI, V4_MVC, V4_MVI,
	V4_MVA, V4_MSC, V4_MSI, V4_MSA,                                             /* environmental */
	V4_S, V4_AU, V4_R, V4_V, V4_RE, V4_U,                                       /* supplemental */
	V4_N
};

static const struct metric v4_metrics[V4_N] = {
	[V4_AV] = { "AV", { "N", "A", "L", "P" } },
	[V4_AC] = { "AC", { "L", "H" } },
	[V4_AT] = { "AT", { "N", "P" } },
	[V4_PR] = { "PR", { "N", "L", "H" } },
	[V4_UI] = { "UI", { "N", "P", "A" } },
	[V4_VC] = { "VC", { "H", "L", "N" } },
	[V4_VI] = { "VI", { "H", "L", "N" } },
	[V4_VA] = { "VA", { "H", "L", "N" } },
	[V4_SC] = { "SC", { "H", "L", "N" } },
	[V4_SI] = { "SI", { "H", "L", "N" } },
	[V4_SA] = { "SA", { "H", "L", "N" } },
	[V4_E] = { "E", { "X", "A", "P", "U" } },
	[V4_CR] = { "CR", { "X", "H", "M", "L" } },
	[V4_IR] = { "IR", { "X", "H", "M", "L" } },
	[V4_AR] = { "AR", { "X", "H", "M", "L" } },
	[V4_MAV] = { "MAV", { "X", "N", "A", "L", "P" } },
	[V4_MAC] = { "MAC", { "X", "L", "H" } },
	[V4_MAT] = { "MAT", { "X", "N", "P" } },
	[V4_MPR] = { "MPR", { "X", "N", "L", "H" } },
	[V4_MUI] = { "MUI", { "X", "N", "P", "A" } },
	[V4_MVC] = { "MVC", { "X", "H", "L", "N" } },
	[V4_MVI] = { "MVI", { "X", "H", "L", "N" } },
	[V4_MVA] = { "MVA", { "X", "H", "L", "N" } },
	[V4_MSC] = { "MSC", { "X", "H", "L", "N" } },
	[V4_MSI] = { "MSI", { "X", "S", "H", "L", "N" } },
	[V4_MSA] = { "MSA", { "X", "S", "H", "L", "N" } },
	[V4_S] = { "S", { "X", "N", "P" } },
	[V4_AU] = { "AU", { "X", "N", "Y" } },
	[V4_R] = { "R", { "X", "A", "U", "I" } },
	[V4_V] = { "V", { "X", "D", "C" } },
	[V4_RE] = { "RE", { "X", "L", "M", "H" } },
	[V4_U] = { "U", { "X", "Clear", "Green", "Amber", "Red" } },
};

static const struct version versions[] = {
	{ 2, 0, v2_metrics, V2_N, V2_E, true },
	{ 3, 0, v3_metrics, V3_N, V3_E, false },
	{ 3, 1, v3_metrics, V3_N, V3_E, false },
	{ 4, 0, v4_metrics, V4_N, V4_E, false },
};

/* ------------------------------------------------------------------ messages */

/*
 * Input as it may appear in a one-line message: at most cap - 1 bytes (the
 * end then replaced by "..."), every byte that is not printable ASCII shown
 * as '?'. cap >= 4.
 */
static void describe(char *dst, size_t cap, const char *s, size_t len)
{
	size_t keep = len < cap ? len : cap - 4, o = 0;

	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (keep < len) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* ------------------------------------------------------------------ parsing */

static int find_metric(const struct version *ver, const char *key, size_t len)
{
	for (int m = 0; m < ver->n_metrics; m++) {
		const char *k = ver->metrics[m].key;
		if (strlen(k) == len && memcmp(k, key, len) == 0)
			return m;
	}
	return -1;
}

static int find_value(const struct metric *metric, const char *value, size_t len)
{
	for (int v = 0; metric->values[v]; v++) {
		const char *s = metric->values[v];
		if (strlen(s) == len && memcmp(s, value, len) == 0)
			return v;
	}
	return -1;
}

/*
 * Reads "K:V/K:V/..." (body, len bytes) into val[] (value index per metric,
 * -1 when absent). Returns 0, or BW_EINPUT with the message set (quoted is
 * the vector as describe() shows it).
 */
static int parse_metrics(const struct version *ver, const char *body, size_t len,
			 const char *quoted, signed char *val)
{
	char part[24];
	const char *p = body, *end = body + len;
	int last = -1;

	for (int m = 0; m < ver->n_metrics; m++)
		val[m] = -1;
	if (len == 0)
		return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": no metrics", quoted);
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *comp_end = slash ? slash : end;
		size_t comp_len = (size_t)(comp_end - p);
		const char *colon = memchr(p, ':', comp_len);

		if (comp_len == 0)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": empty component", quoted);
		describe(part, sizeof(part), p, comp_len);
		if (!colon)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": component \"%s\" is not METRIC:VALUE",
					    quoted, part);
		int m = find_metric(ver, p, (size_t)(colon - p));
		if (m < 0)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": unknown metric in \"%s\" for CVSS %d.%d",
					    quoted, part, ver->major, ver->minor);
		if (val[m] >= 0)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": metric %s appears twice",
					    quoted, ver->metrics[m].key);
		int v = find_value(&ver->metrics[m], colon + 1, (size_t)(comp_end - colon - 1));
		if (v < 0)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": \"%s\" is not a value of metric %s",
					    quoted, part, ver->metrics[m].key);
		if (ver->ordered && m < last)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": metric %s out of order "
					    "(2.0 fixes it: AV/AC/Au/C/I/A, then E/RL/RC, then CDP/TD/CR/IR/AR)",
					    quoted, ver->metrics[m].key);
		last = m;
		val[m] = (signed char)v;
		if (!slash)
			break;
		p = slash + 1;
	}
	for (int m = 0; m < ver->n_base; m++)
		if (val[m] < 0)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": base metric %s is missing",
					    quoted, ver->metrics[m].key);
	return 0;
}

/* ------------------------------------------------------------------ 2.0 */

/* Round half up to one decimal, as NVD rounds v2 scores; x >= 0. */
static int round_tenths(double x)
{
	double t = x * 10.0, f = floor(t);
	return (int)f + (t - f >= 0.5);
}

/* The v2 guide, section 3.2.1. Weights in the order of v2_metrics' values. */
static int v2_base_tenths(const signed char *val)
{
	static const double av[] = { 0.395, 0.646, 1.0 };
	static const double ac[] = { 0.35, 0.61, 0.71 };
	static const double au[] = { 0.45, 0.56, 0.704 };
	static const double cia[] = { 0.0, 0.275, 0.660 };
	double impact = 10.41 * (1 - (1 - cia[val[V2_C]]) * (1 - cia[val[V2_I]]) * (1 - cia[val[V2_A]]));
	double exploitability = 20 * av[val[V2_AV]] * ac[val[V2_AC]] * au[val[V2_AU]];
	double f_impact = impact == 0 ? 0 : 1.176;
	double base = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact;

	return base <= 0 ? 0 : round_tenths(base);
}

/* ------------------------------------------------------------------ 3.x */

/* 3.0: "the smallest number, specified to one decimal place, that is equal to
 * or higher than its input", as the 3.0 calculator computes it. */
static int roundup30_tenths(double x)
{
	return (int)ceil(x * 10);
}

/* 3.1, Appendix A: the input scaled to an integer first, so that a floating
 * point error just above a tenth does not round up to the next one. */
static int roundup31_tenths(double x)
{
	long long int_input = llround(x * 100000);

	if (int_input % 10000 == 0)
		return (int)(int_input / 10000);
	return (int)(int_input / 10000) + 1;
}

int bw_cvss__roundup_tenths(double x, int minor)
{
	return minor == 0 ? roundup30_tenths(x) : roundup31_tenths(x);
}

/* The 3.0 / 3.1 specifications, section 7.1. */
static int v3_base_tenths(const signed char *val, int minor)
{
	static const double av[] = { 0.85, 0.62, 0.55, 0.2 };
	static const double ac[] = { 0.77, 0.44 };
	static const double pr_unchanged[] = { 0.85, 0.62, 0.27 };
	static const double pr_changed[] = { 0.85, 0.68, 0.5 };
	static const double ui[] = { 0.85, 0.62 };
	static const double cia[] = { 0.56, 0.22, 0 };
	bool changed = val[V3_S] == 1;
	double pr = changed ? pr_changed[val[V3_PR]] : pr_unchanged[val[V3_PR]];
	double iss = 1 - ((1 - cia[val[V3_C]]) * (1 - cia[val[V3_I]]) * (1 - cia[val[V3_A]]));
	double impact, exploitability, x;

	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	exploitability = 8.22 * av[val[V3_AV]] * ac[val[V3_AC]] * pr * ui[val[V3_UI]];
	if (impact <= 0)
		return 0;
	if (changed)
		x = fmin(1.08 * (impact + exploitability), 10);
	else
		x = fmin(impact + exploitability, 10);
	return bw_cvss__roundup_tenths(x, minor);
}

/* ------------------------------------------------------------------ 4.0 */

/*
 * The score of each of the 270 MacroVectors (EQ1..EQ6 levels), in tenths, as
 * FIRST published them with the 4.0 specification (section 8.2 and its
 * reference calculator). Sorted by key: looked up with bsearch.
 */
struct macro_score {
	char eq[7];
	unsigned char tenths;
};

static const struct macro_score macro_scores[] = {
	{ "000000", 100 }, { "000001", 99 }, { "000010", 98 }, { "000011", 95 }, { "000020", 95 },
	{ "000021", 92 }, { "000100", 100 }, { "000101", 96 }, { "000110", 93 }, { "000111", 87 },
	{ "000120", 91 }, { "000121", 81 }, { "000200", 93 }, { "000201", 90 }, { "000210", 89 },
	{ "000211", 80 }, { "000220", 81 }, { "000221", 68 }, { "001000", 98 }, { "001001", 95 },
	{ "001010", 95 }, { "001011", 92 }, { "001020", 90 }, { "001021", 84 }, { "001100", 93 },
	{ "001101", 92 }, { "001110", 89 }, { "001111", 81 }, { "001120", 81 }, { "001121", 65 },
	{ "001200", 88 }, { "001201", 80 }, { "001210", 78 }, { "001211", 70 }, { "001220", 69 },
	{ "001221", 48 }, { "002001", 92 }, { "002011", 82 }, { "002021", 72 }, { "002101", 79 },
	{ "002111", 69 }, { "002121", 50 }, { "002201", 69 }, { "002211", 55 }, { "002221", 27 },
	{ "010000", 99 }, { "010001", 97 }, { "010010", 95 }, { "010011", 92 }, { "010020", 92 },
	{ "010021", 85 }, { "010100", 95 }, { "010101", 91 }, { "010110", 90 }, { "010111", 83 },
	{ "010120", 84 }, { "010121", 71 }, { "010200", 92 }, { "010201", 81 }, { "010210", 82 },
	{ "010211", 71 }, { "010220", 72 }, { "010221", 53 }, { "011000", 95 }, { "011001", 93 },
	{ "011010", 92 }, { "011011", 85 }, { "011020", 85 }, { "011021", 73 }, { "011100", 92 },
	{ "011101", 82 }, { "011110", 80 }, { "011111", 72 }, { "011120", 70 }, { "011121", 59 },
	{ "011200", 84 }, { "011201", 70 }, { "011210", 71 }, { "011211", 52 }, { "011220", 50 },
	{ "011221", 30 }, { "012001", 86 }, { "012011", 75 }, { "012021", 52 }, { "012101", 71 },
	{ "012111", 52 }, { "012121", 29 }, { "012201", 63 }, { "012211", 29 }, { "012221", 17 },
	{ "100000", 98 }, { "100001", 95 }, { "100010", 94 }, { "100011", 87 }, { "100020", 91 },
	{ "100021", 81 }, { "100100", 94 }, { "100101", 89 }, { "100110", 86 }, { "100111", 74 },
	{ "100120", 77 }, { "100121", 64 }, { "100200", 87 }, { "100201", 75 }, { "100210", 74 },
	{ "100211", 63 }, { "100220", 63 }, { "100221", 49 }, { "101000", 94 }, { "101001", 89 },
	{ "101010", 88 }, { "101011", 77 }, { "101020", 76 }, { "101021", 67 }, { "101100", 86 },
	{ "101101", 76 }, { "101110", 74 }, { "101111", 58 }, { "101120", 59 }, { "101121", 50 },
	{ "101200", 72 }, { "101201", 57 }, { "101210", 57 }, { "101211", 52 }, { "101220", 52 },
	{ "101221", 25 }, { "102001", 83 }, { "102011", 70 }, { "102021", 54 }, { "102101", 65 },
	{ "102111", 58 }, { "102121", 26 }, { "102201", 53 }, { "102211", 21 }, { "102221", 13 },
	{ "110000", 95 }, { "110001", 90 }, { "110010", 88 }, { "110011", 76 }, { "110020", 76 },
	{ "110021", 70 }, { "110100", 90 }, { "110101", 77 }, { "110110", 75 }, { "110111", 62 },
	{ "110120", 61 }, { "110121", 53 }, { "110200", 77 }, { "110201", 66 }, { "110210", 68 },
	{ "110211", 59 }, { "110220", 52 }, { "110221", 30 }, { "111000", 89 }, { "111001", 78 },
	{ "111010", 76 }, { "111011", 67 }, { "111020", 62 }, { "111021", 58 }, { "111100", 74 },
	{ "111101", 59 }, { "111110", 57 }, { "111111", 57 }, { "111120", 47 }, { "111121", 23 },
	{ "111200", 61 }, { "111201", 52 }, { "111210", 57 }, { "111211", 29 }, { "111220", 24 },
	{ "111221", 16 }, { "112001", 71 }, { "112011", 59 }, { "112021", 30 }, { "112101", 58 },
	{ "112111", 26 }, { "112121", 15 }, { "112201", 23 }, { "112211", 13 }, { "112221", 6 },
	{ "200000", 93 }, { "200001", 87 }, { "200010", 86 }, { "200011", 72 }, { "200020", 75 },
	{ "200021", 58 }, { "200100", 86 }, { "200101", 74 }, { "200110", 74 }, { "200111", 61 },
	{ "200120", 56 }, { "200121", 34 }, { "200200", 70 }, { "200201", 54 }, { "200210", 52 },
	{ "200211", 40 }, { "200220", 40 }, { "200221", 22 }, { "201000", 85 }, { "201001", 75 },
	{ "201010", 74 }, { "201011", 55 }, { "201020", 62 }, { "201021", 51 }, { "201100", 72 },
	{ "201101", 57 }, { "201110", 55 }, { "201111", 41 }, { "201120", 46 }, { "201121", 19 },
	{ "201200", 53 }, { "201201", 36 }, { "201210", 34 }, { "201211", 19 }, { "201220", 19 },
	{ "201221", 8 }, { "202001", 64 }, { "202011", 51 }, { "202021", 20 }, { "202101", 47 },
	{ "202111", 21 }, { "202121", 11 }, { "202201", 24 }, { "202211", 9 }, { "202221", 4 },
	{ "210000", 88 }, { "210001", 75 }, { "210010", 73 }, { "210011", 53 }, { "210020", 60 },
	{ "210021", 50 }, { "210100", 73 }, { "210101", 55 }, { "210110", 59 }, { "210111", 40 },
	{ "210120", 41 }, { "210121", 20 }, { "210200", 54 }, { "210201", 43 }, { "210210", 45 },
	{ "210211", 22 }, { "210220", 20 }, { "210221", 11 }, { "211000", 75 }, { "211001", 55 },
	{ "211010", 58 }, { "211011", 45 }, { "211020", 40 }, { "211021", 21 }, { "211100", 61 },
	{ "211101", 51 }, { "211110", 48 }, { "211111", 18 }, { "211120", 20 }, { "211121", 9 },
	{ "211200", 46 }, { "211201", 18 }, { "211210", 17 }, { "211211", 7 }, { "211220", 8 },
	{ "211221", 2 }, { "212001", 53 }, { "212011", 24 }, { "212021", 14 }, { "212101", 24 },
	{ "212111", 12 }, { "212121", 5 }, { "212201", 10 }, { "212211", 3 }, { "212221", 1 },
};

static int macro_cmp(const void *key, const void *elem)
{
	return memcmp(key, ((const struct macro_score *)elem)->eq, 6);
}

/* The MacroVector's score as FIRST's table gives it, or NaN when the table
 * has no such MacroVector (a level past the last), as in the reference. */
static double macro_score(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6)
{
	char key[6] = { (char)('0' + eq1), (char)('0' + eq2), (char)('0' + eq3),
			(char)('0' + eq4), (char)('0' + eq5), (char)('0' + eq6) };
	const struct macro_score *hit;

	hit = bsearch(key, macro_scores, sizeof(macro_scores) / sizeof(macro_scores[0]),
		      sizeof(macro_scores[0]), macro_cmp);
	return hit ? hit->tenths / 10.0 : NAN;
}

/* The value letter of a 4.0 metric, 'X' when absent. */
static char v4_letter(const signed char *val, int m)
{
	return val[m] < 0 ? 'X' : v4_metrics[m].values[val[m]][0];
}

/*
 * The value a metric has for scoring (specification section 8.2): a set
 * modified base metric replaces its base metric; E, CR, IR and AR Not
 * Defined count as their worst case (E:A, xR:H).
 */
static char v4_eff(const signed char *val, int m)
{
	char c = v4_letter(val, m);

	if (m == V4_E)
		return c == 'X' ? 'A' : c;
	if (m == V4_CR || m == V4_IR || m == V4_AR)
		return c == 'X' ? 'H' : c;
	if (m <= V4_SA) {
		char mod = v4_letter(val, V4_MAV + (m - V4_AV));
		if (mod != 'X')
			return mod;
	}
	return c;
}

/*
 * The severity level of a value within its EQ, in steps of 0.1 from the
 * most severe (specification section 8.2, "severity distance"). The steps
 * are the reference calculator's decimal literals, so that the sums below
 * round as it does.
 */
static double v4_level(int m, char c)
{
	switch (m) {
	case V4_AV:
		return c == 'N' ? 0.0 : c == 'A' ? 0.1 : c == 'L' ? 0.2 : 0.3;
	case V4_PR:
		return c == 'N' ? 0.0 : c == 'L' ? 0.1 : 0.2;
	case V4_UI:
		return c == 'N' ? 0.0 : c == 'P' ? 0.1 : 0.2;
	case V4_AC:
		return c == 'L' ? 0.0 : 0.1;
	case V4_AT:
		return c == 'N' ? 0.0 : 0.1;
	case V4_VC: case V4_VI: case V4_VA:
		return c == 'H' ? 0.0 : c == 'L' ? 0.1 : 0.2;
	case V4_SC:
		return c == 'H' ? 0.1 : c == 'L' ? 0.2 : 0.3;
	case V4_SI: case V4_SA:
		return c == 'S' ? 0.0 : c == 'H' ? 0.1 : c == 'L' ? 0.2 : 0.3;
	case V4_CR: case V4_IR: case V4_AR:
		return c == 'H' ? 0.0 : c == 'M' ? 0.1 : 0.2;
	case V4_E:
		return c == 'A' ? 0.0 : c == 'P' ? 0.1 : 0.2;
	}
	return 0.0;
}

/*
 * The highest-severity vectors of each EQ level (the specification's
 * "max_composed"), as value letters of the metrics named in each comment.
 * EQ3 and EQ6 are taken together: [eq3][eq6].
 */
static const char *const eq1_max[3][3] = { /* AV PR UI */
	{ "NNN" }, { "ANN", "NLN", "NNP" }, { "PNN", "ALP" },
};
static const char *const eq2_max[2][2] = { /* AC AT */
	{ "LN" }, { "HN", "LP" },
};
static const char *const eq36_max[3][2][5] = { /* VC VI VA CR IR AR */
	{ { "HHHHHH" }, { "HHLMMH", "HHHMMM" } },
	{ { "LHHHHH", "HLHHHH" }, { "LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM" } },
	{ { NULL }, { "LLLHHH" } },
};
static const char *const eq4_max[3] = { "HSS", "HHH", "LLL" }; /* SC SI SA */
static const char eq5_max[3] = { 'A', 'P', 'U' };            /* E */

/* The depth of each EQ level, in steps of 0.1 ("max severity" + 1). */
static const int eq1_depth[3] = { 1, 4, 5 };
static const int eq2_depth[2] = { 1, 2 };
static const int eq36_depth[3][2] = { { 7, 6 }, { 8, 8 }, { 0, 10 } };
static const int eq4_depth[3] = { 6, 5, 4 };

/* The metrics whose distances the reference checks, and the order they sum in. */
enum { D_AV, D_PR, D_UI, D_AC, D_AT, D_VC, D_VI, D_VA, D_SC, D_SI, D_SA, D_CR, D_IR, D_AR, D_E, D_N };
static const int dist_metric[D_N] = {
	V4_AV, V4_PR, V4_UI, V4_AC, V4_AT, V4_VC, V4_VI, V4_VA, V4_SC, V4_SI, V4_SA,
	V4_CR, V4_IR, V4_AR, V4_E,
};

/*
 * The 4.0 score of val (every metric present in it counts), in tenths:
 * specification section 8.2, step by step as the reference calculator does it.
 */
static int v4_tenths(const signed char *val)
{
	char eff[V4_N];
	int eq1, eq2, eq3, eq4, eq5, eq6;

	for (int m = 0; m < V4_N; m++)
		eff[m] = v4_eff(val, m);

	/* no impact at all, on either system: 0, whatever else is set */
	if (eff[V4_VC] == 'N' && eff[V4_VI] == 'N' && eff[V4_VA] == 'N' &&
	    eff[V4_SC] == 'N' && eff[V4_SI] == 'N' && eff[V4_SA] == 'N')
		return 0;

	/* the MacroVector: one level per equivalence set (Table 24) */
	if (eff[V4_AV] == 'N' && eff[V4_PR] == 'N' && eff[V4_UI] == 'N')
		eq1 = 0;
	else if ((eff[V4_AV] == 'N' || eff[V4_PR] == 'N' || eff[V4_UI] == 'N') && eff[V4_AV] != 'P')
		eq1 = 1;
	else
		eq1 = 2;
	eq2 = (eff[V4_AC] == 'L' && eff[V4_AT] == 'N') ? 0 : 1;
	if (eff[V4_VC] == 'H' && eff[V4_VI] == 'H')
		eq3 = 0;
	else if (eff[V4_VC] == 'H' || eff[V4_VI] == 'H' || eff[V4_VA] == 'H')
		eq3 = 1;
	else
		eq3 = 2;
	/* MSI:S / MSA:S (Safety) exist only as environmental values */
	if (v4_letter(val, V4_MSI) == 'S' || v4_letter(val, V4_MSA) == 'S')
		eq4 = 0;
	else if (eff[V4_SC] == 'H' || eff[V4_SI] == 'H' || eff[V4_SA] == 'H')
		eq4 = 1;
	else
		eq4 = 2;
	eq5 = eff[V4_E] == 'A' ? 0 : eff[V4_E] == 'P' ? 1 : 2;
	eq6 = ((eff[V4_CR] == 'H' && eff[V4_VC] == 'H') || (eff[V4_IR] == 'H' && eff[V4_VI] == 'H') ||
	       (eff[V4_AR] == 'H' && eff[V4_VA] == 'H')) ? 0 : 1;

	double value = macro_score(eq1, eq2, eq3, eq4, eq5, eq6);

	/* the next lower MacroVector of each EQ; NaN when there is none */
	double lower1 = macro_score(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
	double lower2 = macro_score(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
	double lower36;
	if (eq3 == 0 && eq6 == 0) {
		/* two ways down (00 -> 01, 00 -> 10): the higher one */
		double left = macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
		double right = macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
		lower36 = (isnan(left) || isnan(right)) ? NAN : (left > right ? left : right);
	} else if (eq3 == 1 && eq6 == 0) {
		lower36 = macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
	} else {
		/* 01 -> 11, 11 -> 21, 21 -> none */
		lower36 = macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
	}
	double lower4 = macro_score(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
	double lower5 = macro_score(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

	/*
	 * The severity distance from the first highest-severity vector of the
	 * MacroVector that is at least as severe as this one in every metric
	 * (the candidates in the reference's order; should none qualify, the
	 * last one tried, as there).
	 */
	double dist[D_N] = { 0 };
	bool found = false;
	for (int a = 0; a < 3 && eq1_max[eq1][a] && !found; a++)
		for (int b = 0; b < 2 && eq2_max[eq2][b] && !found; b++)
			for (int c = 0; c < 5 && eq36_max[eq3][eq6][c] && !found; c++) {
				const char *m1 = eq1_max[eq1][a], *m2 = eq2_max[eq2][b];
				const char *m36 = eq36_max[eq3][eq6][c], *m4 = eq4_max[eq4];
				char max[D_N] = {
					[D_AV] = m1[0], [D_PR] = m1[1], [D_UI] = m1[2],
					[D_AC] = m2[0], [D_AT] = m2[1],
					[D_VC] = m36[0], [D_VI] = m36[1], [D_VA] = m36[2],
					[D_CR] = m36[3], [D_IR] = m36[4], [D_AR] = m36[5],
					[D_SC] = m4[0], [D_SI] = m4[1], [D_SA] = m4[2],
					[D_E] = eq5_max[eq5],
				};
				found = true;
				for (int d = 0; d < D_N; d++) {
					int m = dist_metric[d];
					dist[d] = v4_level(m, eff[m]) - v4_level(m, max[d]);
					if (dist[d] < 0)
						found = false;
				}
			}

	double dist1 = dist[D_AV] + dist[D_PR] + dist[D_UI];
	double dist2 = dist[D_AC] + dist[D_AT];
	double dist36 = dist[D_VC] + dist[D_VI] + dist[D_VA] + dist[D_CR] + dist[D_IR] + dist[D_AR];
	double dist4 = dist[D_SC] + dist[D_SI] + dist[D_SA];

	/*
	 * Each EQ that has a lower MacroVector moves the score toward it in
	 * proportion to the distance over the EQ's depth; the score moves by
	 * the mean of those. EQ5 (threat) has depth 1 and distance 0: it only
	 * counts in the mean.
	 */
	double norm1 = 0, norm2 = 0, norm36 = 0, norm4 = 0, norm5 = 0;
	int n_lower = 0;
	if (!isnan(lower1)) {
		n_lower++;
		norm1 = (value - lower1) * (dist1 / (eq1_depth[eq1] * 0.1));
	}
	if (!isnan(lower2)) {
		n_lower++;
		norm2 = (value - lower2) * (dist2 / (eq2_depth[eq2] * 0.1));
	}
	if (!isnan(lower36)) {
		n_lower++;
		norm36 = (value - lower36) * (dist36 / (eq36_depth[eq3][eq6] * 0.1));
	}
	if (!isnan(lower4)) {
		n_lower++;
		norm4 = (value - lower4) * (dist4 / (eq4_depth[eq4] * 0.1));
	}
	if (!isnan(lower5)) {
		n_lower++;
		norm5 = (value - lower5) * 0;
	}
	double mean = n_lower == 0 ? 0 : (norm1 + norm2 + norm36 + norm4 + norm5) / n_lower;

	double score = value - mean;
	if (score > 10)
		score = 10;
	if (score < 0)
		score = 0;
	/* JavaScript's Math.round(score * 10): halves go up */
	return round_tenths(score);
}

/* ------------------------------------------------------------------ public */

const char *bw_cvss_severity_for(double score, int major)
{
	if (!(score >= 0.0 && score <= 10.0))
		return NULL;
	if (major == 2)
		return score < 4.0 ? "LOW" : score < 7.0 ? "MEDIUM" : "HIGH";
	if (major != 3 && major != 4)
		return NULL;
	if (score == 0.0)
		return "NONE";
	return score < 4.0 ? "LOW" : score < 7.0 ? "MEDIUM" : score < 9.0 ? "HIGH" : "CRITICAL";
}

int bw_cvss_parse_n(const char *vector, size_t len, bw_cvss *out)
{
	char quoted[84]; /* the vector in messages: 80 bytes at most */
	signed char val[MAX_METRICS];
	const struct version *ver = NULL;
	const char *body;
	size_t body_len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!vector)
		return bw_error_set(BW_EINPUT, "CVSS vector: none given");
	describe(quoted, sizeof(quoted), vector, len);
	if (len == 0)
		return bw_error_set(BW_EINPUT, "CVSS vector \"\": empty");
	if (len > BW_CVSS_MAX_VECTOR)
		return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": longer than %d bytes (%zu)",
				    quoted, BW_CVSS_MAX_VECTOR, len);
	if (memchr(vector, '\0', len))
		return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": contains a NUL byte", quoted);

	if (len >= 5 && memcmp(vector, "CVSS:", 5) == 0) {
		static const char *const prefixes[] = { NULL, "CVSS:3.0", "CVSS:3.1", "CVSS:4.0" };
		for (size_t i = 1; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
			if (len >= 8 && memcmp(vector, prefixes[i], 8) == 0 && (len == 8 || vector[8] == '/'))
				ver = &versions[i];
		if (ver && len == 8)
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": no metrics", quoted);
		if (!ver) {
			const char *slash = memchr(vector, '/', len);
			char prefix[24];
			describe(prefix, sizeof(prefix), vector, slash ? (size_t)(slash - vector) : len);
			return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": unknown version \"%s\" "
					    "(known: CVSS:3.0, CVSS:3.1, CVSS:4.0, and 2.0 with no prefix)",
					    quoted, prefix);
		}
		body = vector + 9;
		body_len = len - 9;
	} else {
		/* 2.0 has no prefix; NVD's older feeds wrap it in parentheses */
		ver = &versions[0];
		body = vector;
		body_len = len;
		if (vector[0] == '(') {
			if (len < 2 || vector[len - 1] != ')')
				return bw_error_set(BW_EINPUT, "CVSS vector \"%s\": \"(\" without a closing \")\"",
						    quoted);
			body = vector + 1;
			body_len = len - 2;
		}
	}

	rc = parse_metrics(ver, body, body_len, quoted, val);
	if (rc < 0)
		return rc;

	out->major = ver->major;
	out->minor = ver->minor;
	switch (ver->major) {
	case 2:
		out->base_tenths = v2_base_tenths(val);
		out->score_tenths = out->base_tenths;
		break;
	case 3:
		out->base_tenths = v3_base_tenths(val, ver->minor);
		out->score_tenths = out->base_tenths;
		break;
	default: {
		signed char base_only[MAX_METRICS];
		bool threat = v4_letter(val, V4_E) != 'X', env = false;

		for (int m = V4_CR; m <= V4_MSA; m++)
			if (v4_letter(val, m) != 'X')
				env = true;
		for (int m = 0; m < V4_N; m++)
			base_only[m] = m < V4_E ? val[m] : -1;
		out->base_tenths = v4_tenths(base_only);
		out->score_tenths = v4_tenths(val);
		snprintf(out->nomenclature, sizeof(out->nomenclature), "%s",
			 threat && env ? "CVSS-BTE" : threat ? "CVSS-BT" : env ? "CVSS-BE" : "CVSS-B");
		break;
	}
	}
	out->has_score = true;
	out->base_score = out->base_tenths / 10.0;
	out->score = out->score_tenths / 10.0;
	snprintf(out->severity, sizeof(out->severity), "%s", bw_cvss_severity_for(out->score, out->major));
	return 0;
}

int bw_cvss_parse(const char *vector, bw_cvss *out)
{
	if (!vector) {
		memset(out, 0, sizeof(*out));
		return bw_error_set(BW_EINPUT, "CVSS vector: none given");
	}
	/* strnlen: a string past the cap is refused without reading all of it */
	return bw_cvss_parse_n(vector, strnlen(vector, BW_CVSS_MAX_VECTOR + 1), out);
}
