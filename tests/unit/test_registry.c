/*
 * Unit tests for src/registry (references, WWW-Authenticate, tokens, Link,
 * referrers, base64, auth files) and src/http's URL helpers. Expected values
 * come from the specs: distribution/reference's normalisation rules, RFC 7235
 * examples, RFC 4648's base64 test vectors, RFC 8288's Link syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "http/http.h"
#include "registry/registry.h"

#define D64 "sha256:cdb4d20f508df517c8fce91bf7769cb7d26074047ef0a482671d9e49a9f29860"

static void ref_ok(const char *text, const char *host, const char *name, const char *tag, const char *display)
{
	bw_reg_ref r;
	if (bw_reg_ref_parse(text, &r) != 0)
		fail_msg("%s: %s", text, bw_error_last()->message);
	assert_string_equal(r.host, host);
	assert_string_equal(r.name, name);
	assert_string_equal(r.tag, tag);
	assert_string_equal(r.display, display);
}

static void test_ref_parse(void **state)
{
	(void)state;
	/* Docker Hub: docker.io, library/ for single names, latest by default */
	ref_ok("alpine", "registry-1.docker.io", "library/alpine", "latest", "docker.io/library/alpine");
	ref_ok("docker://alpine:3.19", "registry-1.docker.io", "library/alpine", "3.19", "docker.io/library/alpine");
	ref_ok("docker.io/bitnami/redis:7", "registry-1.docker.io", "bitnami/redis", "7", "docker.io/bitnami/redis");
	ref_ok("index.docker.io/library/debian", "registry-1.docker.io", "library/debian", "latest",
	       "docker.io/library/debian");
	/* a first component with '.', ':' or "localhost" is a host */
	ref_ok("localhost/app", "localhost", "app", "latest", "localhost/app");
	ref_ok("127.0.0.1:5000/team/app:v1.2-rc_3", "127.0.0.1:5000", "team/app", "v1.2-rc_3", "127.0.0.1:5000/team/app");
	ref_ok("ghcr.io/org/sub/img", "ghcr.io", "org/sub/img", "latest", "ghcr.io/org/sub/img");
	/* otherwise it is part of the name */
	/* uppercase marks a host too (distribution/reference splitDockerDomain) */
	ref_ok("Host/app", "Host", "app", "latest", "Host/app");
	ref_ok("team/app", "registry-1.docker.io", "team/app", "latest", "docker.io/team/app");
	ref_ok("a__b/c-d.e/f---g", "registry-1.docker.io", "a__b/c-d.e/f---g", "latest", "docker.io/a__b/c-d.e/f---g");

	bw_reg_ref r;
	assert_int_equal(bw_reg_ref_parse("quay.io/app@" D64, &r), 0);
	assert_true(r.has_digest);
	assert_string_equal(r.tag, "");
	assert_string_equal(bw_reg_ref_reference(&r), D64);
	assert_int_equal(bw_reg_ref_parse("quay.io/app:1@" D64, &r), 0);
	assert_string_equal(r.tag, "1");
	assert_string_equal(bw_reg_ref_reference(&r), D64); /* the digest wins */

	static const char *const bad[] = {
		"", "UPPER", "quay.io/App", "quay.io/app:", "quay.io/app:-x", "quay.io/app@sha256:abc",
		"quay.io//app", "quay.io/app/", "quay.io/_app", "quay.io/a..b", "quay.io/app@sha256:" "CDB4D20F508DF517C8FCE91BF7769CB7D26074047EF0A482671D9E49A9F29860",
		"quay.io/app:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"ho st/app", "127.0.0.1:/app", "host:abc/app", "host:123456/app", NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		if (bw_reg_ref_parse(bad[i], &r) != BW_EUSAGE)
			fail_msg("\"%s\" was accepted", bad[i]);
	}
}

static void test_challenge(void **state)
{
	(void)state;
	bw_reg_challenge c;

	/* Docker Hub's challenge, verbatim */
	assert_int_equal(bw_reg_challenge_parse("t",
		"Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
		"scope=\"repository:library/alpine:pull\"", &c), 0);
	assert_string_equal(c.scheme, "bearer");
	assert_string_equal(c.realm, "https://auth.docker.io/token");
	assert_string_equal(c.service, "registry.docker.io");
	assert_string_equal(c.scope, "repository:library/alpine:pull");
	bw_reg_challenge_free(&c);

	/* case-insensitive scheme and names, spaces around '=', escapes, token values */
	assert_int_equal(bw_reg_challenge_parse("t", "bEaReR Realm = \"https://a/t?x=\\\"y\\\"\" , service=svc", &c), 0);
	assert_string_equal(c.realm, "https://a/t?x=\"y\"");
	assert_string_equal(c.service, "svc");
	assert_null(c.scope);
	bw_reg_challenge_free(&c);

	/* two challenges in one header (RFC 7235 §4.1): Bearer preferred */
	assert_int_equal(bw_reg_challenge_parse("t", "Basic realm=\"r\", Bearer realm=\"https://t\",error=\"insufficient_scope\"", &c), 0);
	assert_string_equal(c.scheme, "bearer");
	assert_string_equal(c.error, "insufficient_scope");
	bw_reg_challenge_free(&c);
	assert_int_equal(bw_reg_challenge_parse("t", "Basic realm=\"registry\"", &c), 0);
	assert_string_equal(c.scheme, "basic");
	bw_reg_challenge_free(&c);
	assert_int_equal(bw_reg_challenge_parse("t", "Negotiate, Basic realm=x", &c), 0);
	assert_string_equal(c.scheme, "basic");
	bw_reg_challenge_free(&c);

	static const char *const bad[] = {
		"", "Bearer realm=\"unterminated", "Bearer service=\"no realm\"", "Negotiate",
		"Bearer realm=\"a\",realm=\"b\"", "Bearer realm=", "=x", "Bearer realm=\"a\" junk", NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		int rc = bw_reg_challenge_parse("hdr", bad[i], &c);
		bw_reg_challenge_free(&c);
		if (rc != BW_EINPUT)
			fail_msg("\"%s\" was accepted (%d)", bad[i], rc);
		assert_non_null(strstr(bw_error_last()->message, "hdr"));
	}
}

static void test_token(void **state)
{
	(void)state;
	char *t;
	long e;
	const char *j1 = "{\"token\":\"abc.def.ghi\",\"expires_in\":300}";
	assert_int_equal(bw_reg_token_parse("t", j1, strlen(j1), &t, &e), 0);
	assert_string_equal(t, "abc.def.ghi");
	assert_int_equal(e, 300);
	free(t);
	const char *j2 = "{\"access_token\":\"xyz\"}"; /* OAuth2 name; default lifetime 60 s */
	assert_int_equal(bw_reg_token_parse("t", j2, strlen(j2), &t, &e), 0);
	assert_string_equal(t, "xyz");
	assert_int_equal(e, 60);
	free(t);
	const char *j3 = "{\"token\":\"x\",\"expires_in\":5}"; /* below the spec's floor */
	assert_int_equal(bw_reg_token_parse("t", j3, strlen(j3), &t, &e), 0);
	assert_int_equal(e, 60);
	free(t);
	static const char *const bad[] = {
		"{}", "{\"token\":\"\"}", "{\"token\":\"a\\r\\nX-Injected: 1\"}", "{\"token\":\"a b\"}",
		"{\"token\":7}", "{\"token\":\"a\",\"expires_in\":-1}", "[]", "not json", NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		int rc = bw_reg_token_parse("t", bad[i], strlen(bad[i]), &t, &e);
		free(t);
		if (rc != BW_EINPUT)
			fail_msg("%s was accepted", bad[i]);
	}
}

static void test_link(void **state)
{
	(void)state;
	char *n = bw_reg_link_next("</v2/a/referrers/" D64 "?n=2&last=x>; rel=\"next\"");
	assert_non_null(n);
	assert_string_equal(n, "/v2/a/referrers/" D64 "?n=2&last=x");
	free(n);
	n = bw_reg_link_next("<https://x/prev>; rel=prev, <https://x/next>; title=\"a;b\"; rel=\"first next\"");
	assert_non_null(n);
	assert_string_equal(n, "https://x/next");
	free(n);
	assert_null(bw_reg_link_next("<https://x/prev>; rel=\"prev\""));
	assert_null(bw_reg_link_next("https://x/next; rel=next"));
	assert_null(bw_reg_link_next("<https://x/next; rel=next"));
	assert_null(bw_reg_link_next(""));
}

static void test_referrers_parse(void **state)
{
	(void)state;
	bw_reg_referrers l = { 0 };
	const char *j = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			"\"digest\":\"" D64 "\",\"size\":12,\"artifactType\":\"application/x\",\"annotations\":{\"k\":\"v\"}}]}";
	assert_int_equal(bw_reg_referrers_parse("t", j, strlen(j), &l), 0);
	assert_int_equal(bw_reg_referrers_parse("t", j, strlen(j), &l), 0); /* pages append */
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].digest.text, D64);
	assert_string_equal(l.v[0].artifact_type, "application/x");
	assert_int_equal(l.v[0].size, 12);
	assert_string_equal(l.v[0].keys[0], "k");
	assert_string_equal(l.v[0].values[0], "v");
	bw_reg_referrers_free(&l);
	const char *empty = "{\"schemaVersion\":2}";
	assert_int_equal(bw_reg_referrers_parse("t", empty, strlen(empty), &l), 0);
	assert_int_equal(l.n, 0);
	const char *bad = "{\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:abc\",\"size\":1}]}";
	assert_int_equal(bw_reg_referrers_parse("t", bad, strlen(bad), &l), BW_EINPUT);
	bw_reg_referrers_free(&l);
	const char *ann = "{\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D64 "\",\"size\":1,\"annotations\":{\"k\":1}}]}";
	assert_int_equal(bw_reg_referrers_parse("t", ann, strlen(ann), &l), BW_EINPUT);
	bw_reg_referrers_free(&l);
}

static void test_base64(void **state)
{
	(void)state;
	/* RFC 4648 §10 */
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *e = bw_base64_encode(v[i][0], strlen(v[i][0]));
		assert_string_equal(e, v[i][1]);
		size_t n;
		char *d = bw_base64_decode(v[i][1], &n);
		assert_int_equal(n, strlen(v[i][0]));
		assert_string_equal(d, v[i][0]);
		free(e);
		free(d);
	}
	assert_null(bw_base64_decode("Zg=a", NULL));
	assert_null(bw_base64_decode("Z", NULL));
	assert_null(bw_base64_decode("Zm9v!", NULL));
}

static void test_creds_file(void **state)
{
	(void)state;
	char path[] = "/tmp/bw-test-auth-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* base64("alice:s3cret") and docker hub under its legacy key */
	const char *j = "{\"auths\":{\"https://registry.example.com/v1/\":{\"auth\":\"YWxpY2U6czNjcmV0\"},"
			"\"https://index.docker.io/v1/\":{\"username\":\"bob\",\"password\":\"pw\"},"
			"\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}";
	assert_int_equal(write(fd, j, strlen(j)), (ssize_t)strlen(j));
	close(fd);
	bw_registry_options o = { .auth_file = path };
	bw_reg_creds c;
	setenv("HOME", "/nonexistent", 1);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("DOCKER_CONFIG");
	unsetenv("XDG_RUNTIME_DIR");
	assert_int_equal(bw_reg_creds_find("registry.example.com", &o, &c), 1);
	assert_string_equal(c.user, "alice");
	assert_string_equal(c.secret, "s3cret");
	bw_reg_creds_free(&c);
	assert_int_equal(bw_reg_creds_find("registry-1.docker.io", &o, &c), 1);
	assert_string_equal(c.user, "bob");
	bw_reg_creds_free(&c);
	assert_int_equal(bw_reg_creds_find("other.example", &o, &c), 0);
	assert_int_equal(bw_reg_creds_find("bad.example", &o, &c), BW_EINPUT); /* "nocolon" */
	/* the message names the file, never the secret */
	assert_null(strstr(bw_error_last()->message, "nocolon"));
	bw_registry_options cli = { .creds = "carol:pw:with:colons", .auth_file = path };
	assert_int_equal(bw_reg_creds_find("registry.example.com", &cli, &c), 1);
	assert_string_equal(c.user, "carol");
	assert_string_equal(c.secret, "pw:with:colons");
	bw_reg_creds_free(&c);
	unlink(path);
}

static void test_http_urls(void **state)
{
	(void)state;
	char *u = bw_http_resolve("https://r.example:5000/v2/a/blobs/x", "/storage/abc?sig=1");
	assert_string_equal(u, "https://r.example:5000/storage/abc?sig=1");
	free(u);
	u = bw_http_resolve("https://r.example/v2/a/blobs/x", "https://cdn.example/blob");
	assert_string_equal(u, "https://cdn.example/blob");
	free(u);
	assert_null(bw_http_resolve("https://r.example/v2/", "file:///etc/passwd"));
	assert_null(bw_http_resolve("https://r.example/v2/", "ftp://x/"));
	char s[16], hp[256];
	assert_int_equal(bw_http_url_origin("https://R.Example/v2/", s, sizeof(s), hp, sizeof(hp)), 0);
	assert_string_equal(s, "https");
	assert_string_equal(hp, "r.example:443");
	assert_int_equal(bw_http_url_origin("http://127.0.0.1:5000/x", s, sizeof(s), hp, sizeof(hp)), 0);
	assert_string_equal(hp, "127.0.0.1:5000");
	char *e = bw_http_escape("repository:a/b:pull,push");
	assert_string_equal(e, "repository%3Aa%2Fb%3Apull%2Cpush");
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_referrers_parse),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_creds_file),
		cmocka_unit_test(test_http_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
