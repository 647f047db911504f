/*
 * tests/tools/sigtool.c (bw-sigtool): the signing internals the CLI has no
 * command for, for tests/integration/sign.sh and bench/sign.sh.
 *
 *   bw-sigtool dsse-vectors VECTORS.json KEYDIR   one line "ID accept|reject" per vector
 *                                                 (keys KEYDIR/key-NAME.pub)
 *   bw-sigtool dsse-verify ENVELOPE PUB           "verified N"; exit 0 when N >= 1
 *   bw-sigtool statement FILE                     exit 0 valid, 3 invalid (message on stderr)
 *   bw-sigtool payload FILE                       the same for a simple-signing payload
 *   bw-sigtool keyfile FILE                       the same for a cosign key file (no password)
 *   bw-sigtool bench-verify PUB PAYLOAD SIGFILE N N verifications (signature: base64 in SIGFILE);
 *                                                 prints "verify_us X" (CPU per verification)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulwark/bulwark.h"
#include "sign/cosign.h"
#include "util/buf.h"
#include "util/json.h"

static int slurp(const char *path, bw_buf *b)
{
	b->max = 64 * 1024 * 1024;
	if (bw_buf_read_file(b, path, BW_EUSAGE, "input") < 0) {
		fprintf(stderr, "bw-sigtool: %s\n", bw_error_last()->message);
		return -1;
	}
	return 0;
}

static int fail(void)
{
	fprintf(stderr, "bw-sigtool: %s\n", bw_error_last()->message);
	return bw_exit_status(bw_error_last()->code ? bw_error_last()->code : BW_EINTERNAL);
}

static bw_pkey *load_pub(const char *path)
{
	bw_buf b = BW_BUF_INIT(0);
	bw_pkey *k = NULL;
	if (slurp(path, &b) < 0)
		return NULL;
	if (bw_pkey_parse_public_pem(path, b.data, b.len, &k) < 0)
		fail();
	bw_buf_free(&b);
	return k;
}

static int dsse_vectors(const char *file, const char *keydir)
{
	bw_buf b = BW_BUF_INIT(0);
	json_t *j = NULL, *vectors, *v;
	size_t i;
	if (slurp(file, &b) < 0 || bw_json_parse(file, b.data, b.len, b.max, &j) < 0)
		return fail();
	vectors = json_object_get(j, "vectors");
	json_array_foreach(vectors, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		char *env = json_dumps(json_object_get(v, "envelope"), JSON_COMPACT);
		json_t *trusted = json_object_get(v, "trustedKeys"), *types = json_object_get(v, "supportedPayloadTypes"), *t;
		size_t threshold = (size_t)json_integer_value(json_object_get(v, "threshold")), k, n_keys = 0;
		bw_pkey *keys[16];
		bw_dsse e;
		bool accept = false;
		json_array_foreach(trusted, k, t) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/key-%s.pub", keydir, json_string_value(t));
			if (n_keys < 16 && (keys[n_keys] = load_pub(path)))
				n_keys++;
		}
		if (bw_dsse_parse(id, env, strlen(env), &e) == 0) {
			bool supported = false;
			json_array_foreach(types, k, t) supported |= strlen(json_string_value(t)) == e.payload_type_len &&
								      !memcmp(json_string_value(t), e.payload_type,
									      e.payload_type_len);
			accept = supported && e.payload_type_len > 0 && bw_dsse_count_verified(&e, keys, n_keys) >= threshold;
			bw_dsse_free(&e);
		}
		printf("%s %s\n", id, accept ? "accept" : "reject");
		for (k = 0; k < n_keys; k++)
			bw_pkey_free(keys[k]);
		free(env);
	}
	json_decref(j);
	bw_buf_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	bw_buf b = BW_BUF_INIT(0);
	if (argc == 4 && !strcmp(argv[1], "dsse-vectors"))
		return dsse_vectors(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "dsse-verify")) {
		bw_pkey *k = load_pub(argv[3]);
		bw_dsse e;
		if (!k || slurp(argv[2], &b) < 0)
			return 2;
		if (bw_dsse_parse(argv[2], b.data, b.len, &e) < 0) {
			bw_buf_free(&b);
			return fail();
		}
		size_t n = bw_dsse_count_verified(&e, &k, 1);
		printf("verified %zu\n", n);
		bw_dsse_free(&e);
		bw_pkey_free(k);
		bw_buf_free(&b);
		return n ? 0 : 1;
	}
	if (argc == 3 && (!strcmp(argv[1], "statement") || !strcmp(argv[1], "payload") || !strcmp(argv[1], "keyfile"))) {
		int rc;
		if (slurp(argv[2], &b) < 0)
			return 2;
		if (!strcmp(argv[1], "statement")) {
			bw_statement s;
			if ((rc = bw_statement_parse(argv[2], b.data, b.len, &s)) == 0)
				bw_statement_free(&s);
		} else if (!strcmp(argv[1], "payload")) {
			bw_sspayload p;
			if ((rc = bw_sspayload_parse(argv[2], b.data, b.len, &p)) == 0)
				bw_sspayload_free(&p);
		} else {
			rc = bw_cosign_key_check(argv[2], b.data, b.len, NULL);
		}
		bw_buf_free(&b);
		return rc < 0 ? fail() : 0;
	}
	if (argc == 6 && !strcmp(argv[1], "bench-verify")) {
		bw_pkey *k = load_pub(argv[2]);
		bw_buf p = BW_BUF_INIT(0), s = BW_BUF_INIT(0);
		size_t sig_len;
		long n = strtol(argv[5], NULL, 10);
		if (!k || slurp(argv[3], &p) < 0 || slurp(argv[4], &s) < 0 || n <= 0)
			return 2;
		while (s.len && (s.data[s.len - 1] == '\n'))
			s.len--;
		uint8_t *sig = bw_b64_decode((char *)s.data, s.len, false, false, &sig_len);
		if (!sig)
			return 2;
		clock_t t0 = clock();
		for (long i = 0; i < n; i++) {
			/* what verify does per signature: decode, check the signature, parse the payload */
			bw_sspayload pl;
			if (bw_pkey_verify(k, p.data, p.len, sig, sig_len) < 0 ||
			    bw_sspayload_parse("bench", p.data, p.len, &pl) < 0)
				return fail();
			bw_sspayload_free(&pl);
		}
		double us = (double)(clock() - t0) / CLOCKS_PER_SEC * 1e6 / (double)n;
		printf("verify_us %.1f\nverifications_per_s %.0f\n", us, 1e6 / us);
		free(sig);
		bw_buf_free(&p);
		bw_buf_free(&s);
		bw_pkey_free(k);
		return 0;
	}
	fprintf(stderr, "usage: see tests/tools/sigtool.c\n");
	return 2;
}
