/*
 * tests/fuzz/fuzz_keyfile.c: key files and key material from users and
 * tokens: cosign's encrypted key format up to (not including) scrypt
 * (bw_cosign_key_check: PEM, JSON, KDF and cipher parameters), PEM public
 * keys, plain PEM private keys to import, PKCS#8 DER, and the raw r||s -> DER conversion. Decryption is left
 * out: scrypt at cosign's cost would make every input take 100 ms.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign/cosign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t N;
	bw_pkey *k = NULL;
	char *label;
	uint8_t *der;
	size_t der_len;

	if (bw_cosign_key_check("fuzz", data, size, &N) == 0)
		sink += N;
	if (bw_pkey_parse_public_pem("fuzz", data, size, &k) == 0)
		bw_pkey_free(k);
	if (bw_pkey_parse_pkcs8("fuzz", data, size, &k) == 0)
		bw_pkey_free(k);
	if (bw_pkey_parse_private_pem("fuzz", data, size, &k) == 0)
		bw_pkey_free(k);
	if (bw_pem_decode("fuzz", data, size, &label, &der, &der_len) == 0) {
		sink += strlen(label) + der_len;
		free(label);
		free(der);
	}
	if (bw_ecdsa_raw_to_der(data, size, &der, &der_len) == 0)
		free(der);
	return 0;
}
