/*
 * sign/pae.c: DSSE pre-authentication encoding (DSSE protocol, "PAE"):
 *   "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with LEN the ASCII decimal byte count. Small on purpose: the lead
 * reconciles it with the key-based signing code's DSSE support.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/bundle.h"

int bw_dsse_pae(const char *payload_type, const uint8_t *payload, size_t len, uint8_t **out,
		size_t *out_len)
{
	size_t tlen = strlen(payload_type);
	char head[96];
	int hn;

	*out = NULL;
	*out_len = 0;
	hn = snprintf(head, sizeof(head), "DSSEv1 %zu ", tlen);
	char mid[32];
	int mn = snprintf(mid, sizeof(mid), " %zu ", len);
	if (hn < 0 || mn < 0 || tlen > SIZE_MAX / 2 || len > SIZE_MAX / 2)
		return bw_error_set(BW_EINTERNAL, "DSSE PAE: size overflow");
	size_t total = (size_t)hn + tlen + (size_t)mn + len;
	uint8_t *buf = malloc(total + 1);
	if (!buf)
		return bw_error_set(BW_EINTERNAL, "DSSE PAE: out of memory");
	memcpy(buf, head, (size_t)hn);
	memcpy(buf + hn, payload_type, tlen);
	memcpy(buf + hn + tlen, mid, (size_t)mn);
	if (len)
		memcpy(buf + hn + tlen + mn, payload, len);
	buf[total] = 0;
	*out = buf;
	*out_len = total;
	return 0;
}
