/*
 * tests/fuzz/fuzz_cvss.c: CVSS vectors (match/cvss.h).
 *
 * The input goes to bw_cvss_parse_n as it is, and to bw_cvss_parse as a
 * NUL-terminated copy (the two must agree up to the first NUL). On success
 * the result must be a score the specifications can produce: a known
 * version, 0..10 in tenths, the double equal to tenths / 10, the severity
 * bw_cvss_severity_for gives; 4.0 a nomenclature, the others none. On
 * failure the message must be one line that names the vector. A broken
 * promise prints "fuzz_cvss: ..." and aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "match/cvss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const uint8_t *data, size_t size)
{
	fprintf(stderr, "fuzz_cvss: %s (input of %zu bytes: %.*s)\n", what, size,
		(int)(size > 300 ? 300 : size), (const char *)data);
	abort();
}

static void check(int rc, const bw_cvss *c, const uint8_t *data, size_t size)
{
	if (rc != 0) {
		const bw_error *e = bw_error_last();
		if (rc != BW_EINPUT || e->code != BW_EINPUT)
			broken("a refusal that is not BW_EINPUT", data, size);
		if (!strstr(e->message, "CVSS vector") || strchr(e->message, '\n') || strchr(e->message, '\r'))
			broken("an error message that does not name the vector on one line", data, size);
		if (c->major != 0 || c->has_score)
			broken("a refusal that left a result behind", data, size);
		return;
	}
	if (!((c->major == 2 && c->minor == 0) || (c->major == 3 && c->minor <= 1) ||
	      (c->major == 4 && c->minor == 0)))
		broken("an unknown version accepted", data, size);
	if (!c->has_score || c->score_tenths < 0 || c->score_tenths > 100 || c->base_tenths < 0 ||
	    c->base_tenths > 100)
		broken("a score outside 0..10", data, size);
	if (c->score != c->score_tenths / 10.0 || c->base_score != c->base_tenths / 10.0)
		broken("a score that is not its tenths", data, size);
	const char *sev = bw_cvss_severity_for(c->score, c->major);
	if (!sev || strcmp(sev, c->severity) != 0)
		broken("a severity that does not match the score", data, size);
	if ((c->major == 4) != (c->nomenclature[0] != '\0'))
		broken("a nomenclature on a version other than 4.0, or none on 4.0", data, size);
	if (c->major != 4 && c->score_tenths != c->base_tenths)
		broken("a 2.0/3.x score that is not the base score", data, size);
	if (size > BW_CVSS_MAX_VECTOR)
		broken("a vector past the length cap accepted", data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_cvss a, b;
	int rc_a = bw_cvss_parse_n((const char *)data, size, &a);
	check(rc_a, &a, data, size);

	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int rc_b = bw_cvss_parse(s, &b);
	check(rc_b, &b, data, strlen(s)); /* the string ends at the first NUL */
	if (!memchr(data, '\0', size) && (rc_a != rc_b || (rc_a == 0 && memcmp(&a, &b, sizeof(a)) != 0)))
		broken("bw_cvss_parse and bw_cvss_parse_n disagree", data, size);
	free(s);
	bw_error_clear();
	return 0;
}
