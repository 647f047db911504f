/*
 * Unit tests for src/sign/keyless.c: cosign's classic keyless layer turned
 * into the equivalent sigstore bundle v0.1 (bw_cosign_layer_bundle). The
 * result must parse as a bundle, carry the Rekor entry's fields as cosign's
 * RekorBundle has them (int64 as strings, the log ID hex turned into base64,
 * kind and version from the body), and give back cosign's SET payload: the
 * canonical JSON {"body","integratedTime","logID","logIndex"} over the body
 * text as given (sigstore/cosign bundle.RekorPayload, Rekor's SET). Malformed
 * annotations are BW_EINPUT naming the layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "sign/bundle.h"
#include "sign/cosign.h"
#include "sign/rekor.h"

/* A Fulcio-style leaf made by tests/lib/mkkeyless.py (only parsed here, not verified). */
static const char leaf_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIC2zCCAmCgAwIBAgIITAv9SpNQb0swCgYIKoZIzj0EAwMwLjEVMBMGA1UECgwM\n"
	"YnVsd2Fyay10ZXN0MRUwEwYDVQQDDAxpbnRlcm1lZGlhdGUwHhcNMjYxMTIzMTIy\n"
	"NTEzWhcNMjYxMTIzMTIzNjEzWjAAMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
	"0qsNBXRr0IP6hrbwcquT4LMBMI+JLnu5yCQ+b2jJyF/5OENLIa37yzfnqPiVdKDA\n"
	"PSuu9/ZpWrKXuyqo8Q4C9qOCAZQwggGQMA4GA1UdDwEB/wQEAwIHgDAMBgNVHRMB\n"
	"Af8EAjAAMD0GA1UdEQEB/wQzMDGGL2h0dHBzOi8vZXhhbXBsZS5jb20vY2kvd29y\n"
	"a2Zsb3dAcmVmcy9oZWFkcy9tYWluMBMGA1UdJQQMMAoGCCsGAQUFBwMDMCgGCisG\n"
	"AQQBg78wAQEEGmh0dHBzOi8vaXNzdWVyLmV4YW1wbGUuY29tMBoGCisGAQQBg78w\n"
	"AQUEDGV4YW1wbGUvcmVwbzAdBgorBgEEAYO/MAEGBA9yZWZzL2hlYWRzL21haW4w\n"
	"KgYKKwYBBAGDvzABCAQcDBpodHRwczovL2lzc3Vlci5leGFtcGxlLmNvbTCBigYK\n"
	"KwYBBAHWeQIEAgR8BHoAeAB2ALvCjgkHE6gZ06Es+3FN4Xj2c/zcuwRA/jwZqTNA\n"
	"+LQDAAABogheiVgAAAQDAEcwRQIge0lq/KS1n6J473sc4/l4D5F8Hh3fQTQ0yJ5Q\n"
	"CupAGKMCIQCMY6uhTtU/Z2j33oRjTPPDUuElfIS5ucEqgCuPGsNsqTAKBggqhkjO\n"
	"PQQDAwNpADBmAjEAt3noJz1yi8fJ+Ele/aEHCOki2hA6684sfhNeHSEkzqVgJ4PB\n"
	"EBZ0TgFjQb2XQeyzAjEArYsoAgPx6lLNWbBH5xFRxc2ZxUsKX1oO8XMDmNhiUuSd\n"
	"jGBJ+aX/SEaQzeD/UCOe\n"
	"-----END CERTIFICATE-----\n";

#define LOG_ID_HEX "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"
#define SET_B64 "MEUCIQDpFM9VJTnjqWKJ7gulGGAy4tDFctEvU3ft1+bNWYYHsQIgGsU7RF6cy3JZ73BYSW49yMbujP399mpOj2c0sMgaywk="
#define SIG_B64 "MEQCIDhz3w1LjQ4sPz9rQ0s9y0Jd9PqQpJbq3v0l1Oq8Zt1GAiAl5xJ1m9+0w9qg6q3X1Rj8w5Yw2p1u7y0hQ6vQ9w1vVQ=="

static char *body_b64(const char *json)
{
	return bw_base64_encode(json, strlen(json));
}

static char *rekor_bundle(const char *body, const char *time, const char *index, const char *log_id)
{
	char *out = malloc(8192);
	snprintf(out, 8192,
		 "{\"SignedEntryTimestamp\":\"%s\",\"Payload\":{\"body\":\"%s\",\"integratedTime\":%s,"
		 "\"logIndex\":%s,\"logID\":\"%s\"}}",
		 SET_B64, body, time, index, log_id);
	return out;
}

static void test_layer_bundle_roundtrip(void **state)
{
	(void)state;
	uint8_t digest[32];
	for (int i = 0; i < 32; i++)
		digest[i] = (uint8_t)i;
	char *body = body_b64("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{}}");
	char *rb = rekor_bundle(body, "1700000000", "42", LOG_ID_HEX);
	char *doc = NULL;
	size_t len = 0;
	assert_int_equal(bw_cosign_layer_bundle("layer 1", SIG_B64, leaf_pem, rb, NULL, digest, &doc, &len), 0);
	assert_non_null(strstr(doc, "\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.1\""));

	bw_bundle b;
	assert_int_equal(bw_bundle_parse("layer 1", doc, len, &b), 0);
	assert_int_equal(b.minor, 1);
	assert_int_equal(b.material, BW_BUNDLE_CERT);
	assert_non_null(b.leaf);
	assert_int_equal(b.n_chain_extra, 0);
	assert_false(b.is_dsse);
	assert_true(b.has_message_digest);
	assert_memory_equal(b.message_digest, digest, 32);
	assert_string_equal(b.sig_b64, SIG_B64);
	assert_int_equal(b.n_entries, 1);
	const bw_tlog_entry *e = &b.entries[0];
	assert_int_equal(e->log_index, 42);
	assert_true(e->has_integrated_time);
	assert_int_equal(e->integrated_time, 1700000000);
	assert_string_equal(e->kind, "hashedrekord");
	assert_string_equal(e->kind_version, "0.0.1");
	assert_int_equal(e->log_id_len, 32);
	assert_int_equal(e->log_id[0], 0xc0);
	assert_int_equal(e->log_id[31], 0xcc);
	assert_false(e->has_proof);
	assert_string_equal(e->body_b64, body);

	/* what the log signed, as cosign's VerifySET rebuilds it */
	char *set = NULL, want[4096];
	size_t set_len;
	assert_int_equal(bw_rekor_set_payload(e, &set, &set_len), 0);
	snprintf(want, sizeof(want), "{\"body\":\"%s\",\"integratedTime\":1700000000,\"logID\":\"%s\",\"logIndex\":42}",
		 body, LOG_ID_HEX);
	assert_int_equal(set_len, strlen(want));
	assert_memory_equal(set, want, set_len);
	free(set);
	bw_bundle_free(&b);
	free(doc);

	/* an RFC 3161 timestamp annotation becomes timestampVerificationData */
	assert_int_equal(bw_cosign_layer_bundle("layer 1", SIG_B64, leaf_pem, rb,
						"{\"SignedRFC3161Timestamp\":\"AAEC\"}", digest, &doc, &len), 0);
	assert_non_null(strstr(doc, "\"rfc3161Timestamps\":[{\"signedTimestamp\":\"AAEC\"}]"));
	free(doc);
	free(rb);
	free(body);
}

static void expect_input_error(const char *sig, const char *cert, const char *rb, const char *ts, const char *needle)
{
	uint8_t digest[32] = { 0 };
	char *doc = (char *)"untouched";
	size_t len = 7;
	bw_error_clear();
	assert_int_equal(bw_cosign_layer_bundle("layer 9", sig, cert, rb, ts, digest, &doc, &len), BW_EINPUT);
	assert_null(doc);
	const char *msg = bw_error_last()->message;
	if (!strstr(msg, "layer 9") || !strstr(msg, needle))
		fail_msg("\"%s\" lacks \"layer 9\" or \"%s\"", msg, needle);
}

static void test_layer_bundle_rejects(void **state)
{
	(void)state;
	char *body = body_b64("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{}}");
	char *nokind = body_b64("{\"apiVersion\":\"0.0.1\",\"spec\":{}}");
	char *notjson = body_b64("not json");
	char *ok = rekor_bundle(body, "1", "2", LOG_ID_HEX), *rb;

	expect_input_error(SIG_B64, leaf_pem, NULL, NULL, "Rekor bundle annotation");
	expect_input_error(SIG_B64, NULL, ok, NULL, "certificate");
	expect_input_error(NULL, leaf_pem, ok, NULL, "signature");
	expect_input_error(SIG_B64, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", ok, NULL,
			   "not a CERTIFICATE");
	expect_input_error(SIG_B64, leaf_pem, "{", NULL, "");
	expect_input_error(SIG_B64, leaf_pem, "{\"SignedEntryTimestamp\":\"AA==\"}", NULL, "Payload");
	rb = rekor_bundle(body, "1", "2", "C0FFEE00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC");
	expect_input_error(SIG_B64, leaf_pem, rb, NULL, "logID");
	free(rb);
	rb = rekor_bundle(body, "1", "2", "c0ffee");
	expect_input_error(SIG_B64, leaf_pem, rb, NULL, "logID");
	free(rb);
	rb = rekor_bundle(body, "-1", "2", LOG_ID_HEX);
	expect_input_error(SIG_B64, leaf_pem, rb, NULL, "integers");
	free(rb);
	rb = rekor_bundle(body, "\"1\"", "2", LOG_ID_HEX);
	expect_input_error(SIG_B64, leaf_pem, rb, NULL, "integers");
	free(rb);
	rb = rekor_bundle("!!!", "1", "2", LOG_ID_HEX);
	expect_input_error(SIG_B64, leaf_pem, rb, NULL, "base64");
	free(rb);
	rb = rekor_bundle(nokind, "1", "2", LOG_ID_HEX);
	expect_input_error(SIG_B64, leaf_pem, rb, NULL, "kind");
	free(rb);
	rb = rekor_bundle(notjson, "1", "2", LOG_ID_HEX);
	expect_input_error(SIG_B64, leaf_pem, rb, NULL, "");
	free(rb);
	expect_input_error(SIG_B64, leaf_pem, ok, "{\"other\":1}", "SignedRFC3161Timestamp");
	expect_input_error(SIG_B64, leaf_pem, ok, "[]", "not an object");
	free(ok);
	free(body);
	free(nokind);
	free(notjson);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layer_bundle_roundtrip),
		cmocka_unit_test(test_layer_bundle_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
