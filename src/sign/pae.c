/*
 * sign/pae.c: the bundle verifier's view of DSSE pre-authentication encoding.
 * The encoding itself is sign/dsse.c's bw_dsse_pae (one implementation for
 * key-based attestations and sigstore bundles); this adds the error the
 * bundle code reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/bundle.h"
#include "sign/cosign.h"

int bw_bundle_pae(const char *payload_type, const uint8_t *payload, size_t len, uint8_t **out, size_t *out_len)
{
	*out = bw_dsse_pae(payload_type, strlen(payload_type), payload, len, out_len);
	if (!*out) {
		*out_len = 0;
		return bw_error_set(BW_EINPUT, "DSSE: payload type longer than 1024 bytes, or out of memory");
	}
	return 0;
}
