/*
 * Unit tests for src/sign and src/crypto/sig.c: strict base64 and PEM, the
 * simple-signing payload's fail-closed parser, signature manifests, DSSE PAE
 * (the spec's vector) and envelopes, in-toto statements, cosign key files
 * (round trip, wrong password, altered ciphertext, hostile parameters), key
 * policy, raw r||s signatures, and the NaCl secretbox known answer.
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
#include "sign/cosign.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

static void test_base64(void **state)
{
	(void)state;
	size_t n;
	uint8_t *d;
	d = bw_b64_decode("aGVsbG8gd29ybGQ=", 16, false, false, &n);
	assert_non_null(d);
	assert_int_equal(n, 11);
	assert_memory_equal(d, "hello world", 11);
	free(d);
	d = bw_b64_decode("aGVsbG8gd29ybGQ", 15, false, false, &n); /* unpadded */
	assert_non_null(d);
	assert_int_equal(n, 11);
	free(d);
	assert_null(bw_b64_decode("aGVsbG8gd29ybGR=", 16, false, false, &n)); /* non-zero trailing bits */
	assert_null(bw_b64_decode("aGVsbG8=d29y", 12, false, false, &n));     /* data after padding */
	assert_null(bw_b64_decode("a", 1, false, false, &n));
	assert_null(bw_b64_decode("ab-_", 4, false, false, &n));
	d = bw_b64_decode("ab-_", 4, true, false, &n);
	assert_non_null(d);
	free(d);
	assert_null(bw_b64_decode("aGVs\nbG8=", 9, false, false, &n));
	d = bw_b64_decode("aGVs\nbG8=", 9, false, true, &n);
	assert_non_null(d);
	assert_int_equal(n, 5);
	free(d);
	char *e = bw_base64_encode("hello world", 11);
	assert_string_equal(e, "aGVsbG8gd29ybGQ=");
	free(e);
}

static const char good_payload[] =
	"{\"critical\":{\"identity\":{\"docker-reference\":\"r.example/a/b\"},\"image\":{\"docker-manifest-digest\":"
	"\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"type\":\"cosign container "
	"image signature\"},\"optional\":null}";

static void test_payload_build_parse(void **state)
{
	(void)state;
	size_t len;
	bw_sign_annotation a[] = { { "z", "1" }, { "a", "2" } };
	char *p = bw_sspayload_build("r.example/a/b", "sha256:0000000000000000000000000000000000000000000000000000000000000000",
				     NULL, 0, &len);
	assert_string_equal(p, good_payload); /* Go's encoding/json bytes for cosign's struct */
	free(p);
	p = bw_sspayload_build("h/x", "sha256:0000000000000000000000000000000000000000000000000000000000000000", a, 2, &len);
	assert_contains(p, "\"optional\":{\"a\":\"2\",\"z\":\"1\"}");
	bw_sspayload s;
	assert_int_equal(bw_sspayload_parse("t", p, len, &s), 0);
	assert_string_equal(s.docker_reference, "h/x");
	assert_non_null(s.optional);
	bw_sspayload_free(&s);
	free(p);
}

static void expect_bad_payload(const char *text, const char *msg)
{
	bw_sspayload s;
	assert_int_equal(bw_sspayload_parse("p", text, strlen(text), &s), BW_EINPUT);
	assert_contains(bw_error_last()->message, msg);
}

static void test_payload_fail_closed(void **state)
{
	(void)state;
	char buf[1024];
	/* duplicate keys */
	snprintf(buf, sizeof(buf), "{\"critical\":{},%s", good_payload + 1);
	expect_bad_payload(buf, "duplicate");
	/* unknown critical field */
	expect_bad_payload("{\"critical\":{\"identity\":{\"docker-reference\":\"x\"},\"image\":{\"docker-manifest-digest\":"
			   "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"type\":\"cosign "
			   "container image signature\",\"extra\":1}}",
			   "unknown field \"extra\"");
	expect_bad_payload("{\"critical\":{\"identity\":{\"docker-reference\":\"x\",\"x\":1},\"image\":{\"docker-manifest-digest\":"
			   "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"type\":\"cosign "
			   "container image signature\"}}",
			   "unknown field");
	/* unknown top-level field */
	expect_bad_payload("{\"critical\":{},\"other\":1}", "unknown top-level");
	/* wrong types */
	expect_bad_payload("{\"critical\":{\"identity\":{\"docker-reference\":7},\"image\":{\"docker-manifest-digest\":"
			   "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"type\":\"cosign "
			   "container image signature\"}}",
			   "docker-reference");
	expect_bad_payload("{\"critical\":{\"identity\":{\"docker-reference\":\"x\"},\"image\":{\"docker-manifest-digest\":"
			   "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"type\":\"cosign "
			   "container image signature\"},\"optional\":{\"timestamp\":\"now\"}}",
			   "timestamp");
	expect_bad_payload("{\"critical\":{\"identity\":{\"docker-reference\":\"x\"},\"image\":{\"docker-manifest-digest\":"
			   "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"type\":\"atomic "
			   "container signature\"}}",
			   "critical.type");
	expect_bad_payload("{\"critical\":{\"identity\":{\"docker-reference\":\"x\"},\"image\":{\"docker-manifest-digest\":"
			   "\"sha256:ABC\"},\"type\":\"cosign container image signature\"}}",
			   "digest");
	expect_bad_payload("[1]", "not a JSON object");
	/* oversize */
	size_t big = BW_SIG_MAX_PAYLOAD + 10;
	char *b = malloc(big + 1);
	memset(b, ' ', big);
	b[0] = '{';
	b[big - 1] = '}';
	b[big] = 0;
	expect_bad_payload(b, "larger than");
	free(b);
}

static void test_sigmanifest(void **state)
{
	(void)state;
	static const char m[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{},"
		"\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":10,\"digest\":"
		"\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"annotations\":"
		"{\"dev.cosignproject.cosign/signature\":\"MEUC\"}}]}";
	bw_sigmanifest s;
	assert_int_equal(bw_sigmanifest_parse("m", m, strlen(m), &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.layers[0].signature, "MEUC");
	bw_sigmanifest_free(&s);
	static const char bad[] = "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x\",\"size\":1,\"digest\":"
				  "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\","
				  "\"annotations\":{\"dev.cosignproject.cosign/signature\":5}}]}";
	assert_int_equal(bw_sigmanifest_parse("m", bad, strlen(bad), &s), BW_EINPUT);
	assert_contains(bw_error_last()->message, "not a string");
	/* too many layers: bounded before anything is allocated per layer */
	size_t n = 20 + (BW_SIG_MAX_LAYERS + 1) * 3;
	char *many = malloc(n + 64), *o = many;
	o += sprintf(o, "{\"schemaVersion\":2,\"layers\":[");
	for (int i = 0; i <= BW_SIG_MAX_LAYERS; i++)
		o += sprintf(o, "%s{}", i ? "," : "");
	sprintf(o, "]}");
	assert_int_equal(bw_sigmanifest_parse("m", many, strlen(many), &s), BW_EINPUT);
	assert_contains(bw_error_last()->message, "layers");
	free(many);
}

static void test_dsse_pae(void **state)
{
	(void)state;
	size_t n;
	uint8_t *p = bw_dsse_pae("http://example.com/HelloWorld", 29, "hello world", 11, &n);
	assert_int_equal(n, 54);
	assert_memory_equal(p, "DSSEv1 29 http://example.com/HelloWorld 11 hello world", 54);
	free(p);
	p = bw_dsse_pae("t", 1, "", 0, &n);
	assert_memory_equal(p, "DSSEv1 1 t 0 ", n);
	free(p);
}

static void test_dsse_sign_verify(void **state)
{
	(void)state;
	bw_signer s = { 0 };
	char *env = NULL, *pem;
	size_t len;
	assert_int_equal(bw_pkey_generate(BW_KEY_ED25519, &s.key), 0);
	assert_int_equal(bw_pkey_public_pem(s.key, &pem), 0);
	assert_int_equal(bw_pkey_parse_public_pem("pub", pem, strlen(pem), &s.pub), 0);
	free(pem);
	assert_int_equal(bw_dsse_sign(&s, BW_MT_INTOTO, "{}", 2, &env, &len), 0);
	bw_dsse e;
	assert_int_equal(bw_dsse_parse("e", env, len, &e), 0);
	assert_int_equal(bw_dsse_count_verified(&e, &s.pub, 1), 1);
	e.payload_type[0] ^= 1; /* the type is signed too */
	assert_int_equal(bw_dsse_count_verified(&e, &s.pub, 1), 0);
	bw_dsse_free(&e);
	free(env);
	static const char nosig[] = "{\"payloadType\":\"x\",\"payload\":\"\",\"signatures\":[]}";
	assert_int_equal(bw_dsse_parse("e", nosig, strlen(nosig), &e), BW_EINPUT);
	bw_signer_close(&s);
}

static void test_statement(void **state)
{
	(void)state;
	size_t len;
	bw_statement s;
	json_t *pred = json_pack("{s:i}", "x", 1);
	char *t = bw_statement_build("r/x", "0000000000000000000000000000000000000000000000000000000000000000",
				     "https://cyclonedx.org/bom", pred, &len);
	assert_int_equal(bw_statement_parse("s", t, len, &s), 0);
	assert_int_equal(s.n_subjects, 1);
	assert_string_equal(s.predicate_type, "https://cyclonedx.org/bom");
	bw_statement_free(&s);
	free(t);
	static const char upper[] = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":"
				    "{\"sha256\":\"ABCDEF\"}}],\"predicateType\":\"p\",\"predicate\":{}}";
	assert_int_equal(bw_statement_parse("s", upper, strlen(upper), &s), BW_EINPUT);
	assert_string_equal(bw_predicate_type_uri("cyclonedx"), "https://cyclonedx.org/bom");
	assert_string_equal(bw_predicate_type_uri("https://x.example/p"), "https://x.example/p");
	assert_null(bw_predicate_type_uri("nonsense"));
}

static void test_cosign_key_roundtrip(void **state)
{
	(void)state;
	bw_pkey *k, *back = NULL;
	char *pem;
	assert_int_equal(bw_pkey_generate(BW_KEY_ECDSA_P256, &k), 0);
	assert_int_equal(bw_cosign_key_encrypt(k, "pw", BW_PEM_COSIGN, &pem), 0);
	assert_contains(pem, "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n");
	uint64_t N = 0;
	assert_int_equal(bw_cosign_key_check("k", pem, strlen(pem), &N), 0);
	assert_int_equal(N, 32768);
	assert_int_equal(bw_cosign_key_decrypt("k", pem, strlen(pem), "pw", &back), 0);
	assert_true(bw_pkey_public_equal(k, back));
	bw_pkey_free(back);
	back = NULL;
	assert_int_equal(bw_cosign_key_decrypt("k", pem, strlen(pem), "wrong", &back), BW_EUSAGE);
	assert_contains(bw_error_last()->message, "decryption failed");
	assert_null(back);
	free(pem);
	bw_pkey_free(k);
}

static void test_cosign_key_hostile(void **state)
{
	(void)state;
	/* N = 2^30 would take a gigabyte: refused before scrypt runs */
	static const char json[] = "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1073741824,\"r\":8,\"p\":1},\"salt\":"
				   "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"},\"cipher\":{\"name\":\"nacl/secretbox\","
				   "\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";
	char *pem = bw_pem_encode(BW_PEM_COSIGN, json, strlen(json));
	bw_pkey *k = NULL;
	assert_int_equal(bw_cosign_key_decrypt("k", pem, strlen(pem), "pw", &k), BW_EINPUT);
	assert_contains(bw_error_last()->message, "out of bounds");
	free(pem);
	pem = bw_pem_encode("PRIVATE KEY", "x", 1);
	assert_int_equal(bw_cosign_key_check("k", pem, strlen(pem), NULL), BW_EINPUT);
	assert_contains(bw_error_last()->message, "label");
	free(pem);
	assert_int_equal(bw_cosign_key_check("k", "garbage", 7, NULL), BW_EINPUT);
}

static void test_raw_signature(void **state)
{
	(void)state;
	/* a raw r||s of the curve's size verifies like its DER form (DSSE spec vector, PKCS#11) */
	bw_pkey *k;
	uint8_t *der;
	size_t der_len;
	assert_int_equal(bw_pkey_generate(BW_KEY_ECDSA_P256, &k), 0);
	assert_int_equal(bw_pkey_sign(k, "m", 1, &der, &der_len), 0);
	assert_int_equal(bw_pkey_verify(k, "m", 1, der, der_len), 0);
	assert_int_equal(bw_pkey_verify(k, "n", 1, der, der_len), BW_EPOLICY);
	der[der_len - 1] ^= 1;
	assert_int_equal(bw_pkey_verify(k, "m", 1, der, der_len), BW_EPOLICY);
	assert_int_equal(bw_pkey_verify(k, "m", 1, "", 0), BW_EPOLICY);
	free(der);
	bw_pkey_free(k);
}

static void test_secretbox_kat(void **state)
{
	(void)state;
	/* NaCl's crypto_secretbox test vector (tests/secretbox.c): the tag of the 131-byte message */
	static const uint8_t key[32] = { 0x1b, 0x27, 0x55, 0x64, 0x73, 0xe9, 0x85, 0xd4, 0x62, 0xcd, 0x51,
					 0x19, 0x7a, 0x9a, 0x46, 0xc7, 0x60, 0x09, 0x54, 0x9e, 0xac, 0x64,
					 0x74, 0xf2, 0x06, 0xc4, 0xee, 0x08, 0x44, 0xf6, 0x83, 0x89 };
	static const uint8_t nonce[24] = { 0x69, 0x69, 0x6e, 0xe9, 0x55, 0xb6, 0x2b, 0x73, 0xcd, 0x62, 0xbd, 0xa8,
					   0x75, 0xfc, 0x73, 0xd6, 0x82, 0x19, 0xe0, 0x03, 0x6b, 0x7a, 0x0b, 0x37 };
	static const uint8_t msg[131] = {
		0xbe, 0x07, 0x5f, 0xc5, 0x3c, 0x81, 0xf2, 0xd5, 0xcf, 0x14, 0x13, 0x16, 0xeb, 0xeb, 0x0c, 0x7b, 0x52,
		0x28, 0xc5, 0x2a, 0x4c, 0x62, 0xcb, 0xd4, 0x4b, 0x66, 0x84, 0x9b, 0x64, 0x24, 0x4f, 0xfc, 0xe5, 0xec,
		0xba, 0xaf, 0x33, 0xbd, 0x75, 0x1a, 0x1a, 0xc7, 0x28, 0xd4, 0x5e, 0x6c, 0x61, 0x29, 0x6c, 0xdc, 0x3c,
		0x01, 0x23, 0x35, 0x61, 0xf4, 0x1d, 0xb6, 0x6c, 0xce, 0x31, 0x4a, 0xdb, 0x31, 0x0e, 0x3b, 0xe8, 0x25,
		0x0c, 0x46, 0xf0, 0x6d, 0xce, 0xea, 0x3a, 0x7f, 0xa1, 0x34, 0x80, 0x57, 0xe2, 0xf6, 0x55, 0x6a, 0xd6,
		0xb1, 0x31, 0x8a, 0x02, 0x4a, 0x83, 0x8f, 0x21, 0xaf, 0x1f, 0xde, 0x04, 0x89, 0x77, 0xeb, 0x48, 0xf5,
		0x9f, 0xfd, 0x49, 0x24, 0xca, 0x1c, 0x60, 0x90, 0x2e, 0x52, 0xf0, 0xa0, 0x89, 0xbc, 0x76, 0x89, 0x70,
		0x40, 0xe0, 0x82, 0xf9, 0x37, 0x76, 0x38, 0x48, 0x64, 0x5e, 0x07, 0x05
	};
	static const uint8_t tag[16] = { 0xf3, 0xff, 0xc7, 0x70, 0x3f, 0x94, 0x00, 0xe5,
					 0x2a, 0x7d, 0xfb, 0x4b, 0x3d, 0x33, 0x05, 0xd9 };
	uint8_t out[16 + 131], back[131];
	assert_int_equal(bw_secretbox_seal(msg, sizeof(msg), nonce, key, out), 0);
	assert_memory_equal(out, tag, 16);
	assert_int_equal(bw_secretbox_open(out, sizeof(out), nonce, key, back), 0);
	assert_memory_equal(back, msg, sizeof(msg));
	out[20] ^= 1;
	assert_int_equal(bw_secretbox_open(out, sizeof(out), nonce, key, back), BW_EPOLICY);
}

static void test_key_policy(void **state)
{
	(void)state;
	assert_int_equal(bw_key_alg_parse("ecdsa-p256"), BW_KEY_ECDSA_P256);
	assert_int_equal(bw_key_alg_parse("rsa-2048"), -1); /* read, never generated */
	assert_int_equal(bw_key_alg_parse("rsa-1024"), -1);
	/* a P-224 public key (openssl ecparam -name secp224r1) is outside cosign's policy */
	static const char p224[] = "-----BEGIN PUBLIC KEY-----\n"
				   "ME4wEAYHKoZIzj0CAQYFK4EEACEDOgAEgFetQgtoFcDGWeIXq3Dol0cQH4DgZx0O\n"
				   "3urGQEJ7ZSpzVC1DHTOKXFcrmWN//mHUaIGhaMkxD2Q=\n"
				   "-----END PUBLIC KEY-----\n";
	bw_pkey *k = NULL;
	int rc = bw_pkey_parse_public_pem("p224", p224, strlen(p224), &k);
	assert_int_equal(rc, BW_EINPUT);
	assert_null(k);
}

static void test_pkcs11_uri(void **state)
{
	(void)state;
	/* RFC 7512 parsing errors come before any module is loaded, and never echo the PIN */
	static const struct {
		const char *uri, *msg;
	} bad[] = {
		{ "pkcs11:token=a;object=b", "module-path is required" },
		{ "pkcs11:token=a?module-path=/x.so", "object= or id=" },
		{ "pkcs11:token=a%zz;object=b?module-path=/x.so", "malformed" },
		{ "pkcs11:token=a%00b;object=b?module-path=/x.so", "malformed" },
		{ "pkcs11:object=b;bogus=1?module-path=/x.so", "unsupported attribute \"bogus\"" },
		{ "pkcs11:object=b;token?module-path=/x.so", "without '='" },
		{ "pkcs11:object=b?module-path=/nonexistent/module.so&pin-value=s3cr3t-pin", "cannot load module-path" },
		{ "pkcs11:object=b?module-path=/x.so&pin-source=/nonexistent/pin", "the PIN file" },
		{ "file:/x", "not a pkcs11: URI" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bw_p11 *t = NULL;
		assert_int_equal(bw_p11_open(bad[i].uri, &t), BW_EUSAGE);
		assert_null(t);
		assert_contains(bw_error_last()->message, bad[i].msg);
		assert_null(strstr(bw_error_last()->message, "s3cr3t-pin"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_payload_build_parse),
		cmocka_unit_test(test_payload_fail_closed),
		cmocka_unit_test(test_sigmanifest),
		cmocka_unit_test(test_dsse_pae),
		cmocka_unit_test(test_dsse_sign_verify),
		cmocka_unit_test(test_statement),
		cmocka_unit_test(test_cosign_key_roundtrip),
		cmocka_unit_test(test_cosign_key_hostile),
		cmocka_unit_test(test_raw_signature),
		cmocka_unit_test(test_secretbox_kat),
		cmocka_unit_test(test_key_policy),
		cmocka_unit_test(test_pkcs11_uri),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
