/*
 * Unit tests for src/image/manifest: OCI / Docker index, manifest, config and
 * docker-archive manifest.json parsing and validation.
 *
 * The documents below follow the shape of the examples in the OCI image spec
 * (image-index.md, manifest.md, config.md) and the Docker registry's
 * "Image Manifest V 2, Schema 2" description.
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
#include "image/manifest.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!h_ || !strstr(h_, n_))                                            \
			fail_msg("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_); \
	} while (0)

#define D1 "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"
#define D2 "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"
#define D3 "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"
#define D4 "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0"
#define D5 "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b"
#define D6 "sha256:ec4b8955958665577945c89419d1af06b5f7636b4ac3da7f12184802ad867736"
#define D512 "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" \
	     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
#define DIFF1 "sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1"
#define DIFF2 "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

static const char oci_index[] =
	"{\n"
	"  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
	"  \"manifests\": [\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"      \"size\": 7143,\n"
	"      \"digest\": \"" D1 "\",\n"
	"      \"platform\": {\n"
	"        \"architecture\": \"ppc64le\",\n"
	"        \"os\": \"linux\"\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"      \"size\": 7682,\n"
	"      \"digest\": \"" D2 "\",\n"
	"      \"platform\": {\n"
	"        \"architecture\": \"arm64\",\n"
	"        \"os\": \"linux\",\n"
	"        \"variant\": \"v8\"\n"
	"      },\n"
	"      \"annotations\": {\n"
	"        \"org.opencontainers.image.ref.name\": \"1.0-arm64\",\n"
	"        \"com.example.key\": \"value\"\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
	"      \"size\": 512,\n"
	"      \"digest\": \"" D512 "\"\n"
	"    }\n"
	"  ],\n"
	"  \"annotations\": {\n"
	"    \"com.example.key1\": \"value1\",\n"
	"    \"com.example.key2\": \"value2\"\n"
	"  }\n"
	"}\n";

static const char docker_list[] =
	"{\n"
	"  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
	"  \"manifests\": [\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"      \"digest\": \"" D1 "\",\n"
	"      \"size\": 7143,\n"
	"      \"platform\": {\n"
	"        \"architecture\": \"ppc64le\",\n"
	"        \"os\": \"linux\"\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"      \"digest\": \"" D2 "\",\n"
	"      \"size\": 7682,\n"
	"      \"platform\": {\n"
	"        \"architecture\": \"amd64\",\n"
	"        \"os\": \"linux\",\n"
	"        \"features\": [\n"
	"          \"sse4\"\n"
	"        ]\n"
	"      }\n"
	"    }\n"
	"  ]\n"
	"}\n";

static const char oci_manifest[] =
	"{\n"
	"  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"  \"config\": {\n"
	"    \"mediaType\": \"application/vnd.oci.image.config.v1+json\",\n"
	"    \"digest\": \"" D3 "\",\n"
	"    \"size\": 7023\n"
	"  },\n"
	"  \"layers\": [\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\",\n"
	"      \"digest\": \"" D4 "\",\n"
	"      \"size\": 32654\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.layer.v1.tar+zstd\",\n"
	"      \"digest\": \"" D5 "\",\n"
	"      \"size\": 16724\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\n"
	"      \"digest\": \"" D6 "\",\n"
	"      \"size\": 73109,\n"
	"      \"urls\": [\n"
	"        \"https://mcr.microsoft.com/v2/windows/servercore/blobs/" D6 "\"\n"
	"      ]\n"
	"    }\n"
	"  ],\n"
	"  \"annotations\": {\n"
	"    \"com.example.key1\": \"value1\",\n"
	"    \"com.example.key2\": \"value2\"\n"
	"  }\n"
	"}\n";

static const char docker_manifest[] =
	"{\n"
	"    \"schemaVersion\": 2,\n"
	"    \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"    \"config\": {\n"
	"        \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n"
	"        \"size\": 7023,\n"
	"        \"digest\": \"" D3 "\"\n"
	"    },\n"
	"    \"layers\": [\n"
	"        {\n"
	"            \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n"
	"            \"size\": 32654,\n"
	"            \"digest\": \"" D1 "\"\n"
	"        },\n"
	"        {\n"
	"            \"mediaType\": \"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\n"
	"            \"size\": 16724,\n"
	"            \"digest\": \"" D2 "\",\n"
	"            \"urls\": [\"https://example.com/layer.tar.gz\"]\n"
	"        },\n"
	"        {\n"
	"            \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n"
	"            \"size\": 0,\n"
	"            \"digest\": \"" D4 "\",\n"
	"            \"urls\": []\n"
	"        }\n"
	"    ]\n"
	"}\n";

static const char oci_config[] =
	"{\n"
	"    \"created\": \"2015-10-31T22:22:56.015925234Z\",\n"
	"    \"author\": \"Alyssa P. Hacker <alyspdev@example.com>\",\n"
	"    \"architecture\": \"arm\",\n"
	"    \"variant\": \"v7\",\n"
	"    \"os\": \"linux\",\n"
	"    \"config\": {\n"
	"        \"User\": \"alice\",\n"
	"        \"ExposedPorts\": {\n"
	"            \"8080/tcp\": {},\n"
	"            \"53/udp\": {}\n"
	"        },\n"
	"        \"Env\": [\n"
	"            \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"            \"FOO=oci_is_a\",\n"
	"            \"BAR=well_written_spec\"\n"
	"        ],\n"
	"        \"Entrypoint\": [\n"
	"            \"/bin/my-app-binary\"\n"
	"        ],\n"
	"        \"Cmd\": [\n"
	"            \"--foreground\",\n"
	"            \"--config\",\n"
	"            \"/etc/my-app.d/default.cfg\"\n"
	"        ],\n"
	"        \"Volumes\": {\n"
	"            \"/var/job-result-data\": {},\n"
	"            \"/var/log/my-app-logs\": {}\n"
	"        },\n"
	"        \"WorkingDir\": \"/home/alice\",\n"
	"        \"Labels\": {\n"
	"            \"com.example.project.git.url\": \"https://example.com/project.git\",\n"
	"            \"com.example.project.git.commit\": \"45a939b2999782a3f005621a8d0f29aa387e1d6b\"\n"
	"        },\n"
	"        \"Healthcheck\": {\n"
	"            \"Test\": [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"],\n"
	"            \"Interval\": 30000000000\n"
	"        }\n"
	"    },\n"
	"    \"rootfs\": {\n"
	"      \"diff_ids\": [\n"
	"        \"" DIFF1 "\",\n"
	"        \"" DIFF2 "\"\n"
	"      ],\n"
	"      \"type\": \"layers\"\n"
	"    },\n"
	"    \"history\": [\n"
	"      {\n"
	"        \"created\": \"2015-10-31T22:22:54.690851953Z\",\n"
	"        \"created_by\": \"/bin/sh -c #(nop) ADD file:a3bc1e842b69636f9df5256c49c5374fb4eef1e281fe3f282c65fb853ee171c5 in /\"\n"
	"      },\n"
	"      {\n"
	"        \"created\": \"2015-10-31T22:22:55.613815829Z\",\n"
	"        \"created_by\": \"/bin/sh -c #(nop) CMD [\\\"sh\\\"]\",\n"
	"        \"empty_layer\": true\n"
	"      },\n"
	"      {\n"
	"        \"created\": \"2015-10-31T22:22:56.329850019Z\",\n"
	"        \"created_by\": \"/bin/sh -c apk add curl\",\n"
	"        \"empty_layer\": false\n"
	"      }\n"
	"    ]\n"
	"}\n";

static int parse_index(const char *doc, bw_index *x)
{
	return bw_index_parse("test index", doc, strlen(doc), x);
}

static int parse_manifest(const char *doc, bw_manifest *m)
{
	return bw_manifest_parse("test manifest", doc, strlen(doc), m);
}

static int parse_config(const char *doc, bw_config *c)
{
	return bw_config_parse("test config", doc, strlen(doc), c);
}

static bool strlist_has(const bw_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static const char *kv_get(const bw_kvlist *l, const char *k)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->keys[i], k))
			return l->values[i];
	return NULL;
}

/* Replaces the first occurrence of `from` in `doc` by `to` (malloc'd result). */
static char *patch(const char *doc, const char *from, const char *to)
{
	const char *at = strstr(doc, from);
	if (!at)
		fail_msg("patch: \"%s\" not found", from);
	size_t pre = (size_t)(at - doc), fl = strlen(from), tl = strlen(to);
	char *s = malloc(strlen(doc) - fl + tl + 1);
	assert_non_null(s);
	memcpy(s, doc, pre);
	memcpy(s + pre, to, tl);
	strcpy(s + pre + tl, at + fl);
	return s;
}

/* ------------------------------------------------------------------ index */

static void test_oci_index(void **state)
{
	(void)state;
	bw_index x;

	assert_int_equal(parse_index(oci_index, &x), 0);
	assert_int_equal(x.n, 3);

	bw_descriptor *d = &x.manifests[0];
	assert_string_equal(d->media_type, BW_MT_OCI_MANIFEST);
	assert_string_equal(d->digest.text, D1);
	assert_int_equal(d->digest.alg, BW_SHA256);
	assert_int_equal(d->size, 7143);
	assert_string_equal(d->os, "linux");
	assert_string_equal(d->architecture, "ppc64le");
	assert_null(d->variant);
	assert_null(d->ref_name);
	assert_false(d->has_urls);

	d = &x.manifests[1];
	assert_string_equal(d->digest.text, D2);
	assert_int_equal(d->size, 7682);
	assert_string_equal(d->os, "linux");
	assert_string_equal(d->architecture, "arm64");
	assert_string_equal(d->variant, "v8");
	assert_string_equal(d->ref_name, "1.0-arm64");

	d = &x.manifests[2];
	assert_string_equal(d->media_type, BW_MT_OCI_INDEX);
	assert_string_equal(d->digest.text, D512);
	assert_int_equal(d->digest.alg, BW_SHA512);
	assert_int_equal(d->size, 512);
	assert_null(d->os);
	assert_null(d->architecture);

	bw_index_free(&x);
	assert_int_equal(x.n, 0);
	assert_null(x.manifests);
}

static void test_docker_list(void **state)
{
	(void)state;
	bw_index x;

	assert_int_equal(parse_index(docker_list, &x), 0);
	assert_int_equal(x.n, 2);
	assert_string_equal(x.manifests[0].media_type, BW_MT_DOCKER_MANIFEST);
	assert_string_equal(x.manifests[0].digest.text, D1);
	assert_int_equal(x.manifests[0].size, 7143);
	assert_string_equal(x.manifests[0].architecture, "ppc64le");
	assert_string_equal(x.manifests[1].digest.text, D2);
	assert_int_equal(x.manifests[1].size, 7682);
	assert_string_equal(x.manifests[1].architecture, "amd64");
	assert_string_equal(x.manifests[1].os, "linux");
	assert_null(x.manifests[1].variant);
	bw_index_free(&x);

	/* an index without mediaType (allowed by the spec) and with no entries */
	assert_int_equal(parse_index("{\"schemaVersion\":2,\"manifests\":[]}", &x), 0);
	assert_int_equal(x.n, 0);
	bw_index_free(&x);
}

static void test_index_rejections(void **state)
{
	(void)state;
	bw_index x;
	char *s;

	s = patch(oci_index, "\"schemaVersion\": 2", "\"schemaVersion\": 1");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "test index: ");
	assert_contains(bw_error_last()->message, "schemaVersion 1");
	assert_int_equal(x.n, 0);
	assert_null(x.manifests);
	free(s);
	s = patch(oci_index, "\"schemaVersion\": 2", "\"schemaVersion\": 3");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "schemaVersion 3");
	free(s);
	s = patch(oci_index, "\"schemaVersion\": 2", "\"schemaVersion\": \"2\"");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "schemaVersion");
	free(s);
	assert_int_equal(parse_index("{\"manifests\":[]}", &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "schemaVersion");

	assert_int_equal(parse_index("{\"schemaVersion\":2}", &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "manifests");
	assert_int_equal(parse_index("{\"schemaVersion\":2,\"manifests\":{}}", &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "\"manifests\" is not an array");
	assert_int_equal(parse_index("[]", &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "not a JSON object");
	assert_int_equal(parse_index("{\"schemaVersion\":2,\"manifests\":[\"" D1 "\"]}", &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "manifests[0]");

	/* bad second entry: the first one parsed is freed, nothing is returned */
	s = patch(oci_index, "\"size\": 7682", "\"size\": -7682");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "manifests[1]");
	assert_contains(bw_error_last()->message, "\"size\"");
	assert_int_equal(x.n, 0);
	assert_null(x.manifests);
	free(s);
	s = patch(oci_index, D2, "sha256:5B0BCABD1ED22E9FB1310CF6C2DEC7CDEF19F0AD69EFA1F392E94A4333501270");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "manifests[1]");
	assert_contains(bw_error_last()->message, "lowercase");
	free(s);
	s = patch(oci_index, "\"variant\": \"v8\"", "\"variant\": 8");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "variant");
	free(s);
	s = patch(oci_index, "\"org.opencontainers.image.ref.name\": \"1.0-arm64\"",
		  "\"org.opencontainers.image.ref.name\": [\"1.0\"]");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "org.opencontainers.image.ref.name");
	free(s);
	s = patch(oci_index, "\"platform\": {\n        \"architecture\": \"ppc64le\",\n        \"os\": \"linux\"\n      }",
		  "\"platform\": \"linux/ppc64le\"");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "\"platform\" is not an object");
	free(s);
	/* duplicate key in an entry */
	s = patch(oci_index, "\"size\": 7143,", "\"size\": 7143, \"size\": 1,");
	assert_int_equal(parse_index(s, &x), BW_EINPUT);
	assert_contains(bw_error_last()->message, "duplicate");
	free(s);

	/* more than 1024 entries */
	size_t cap = 1100 * 120 + 100;
	char *big = malloc(cap);
	assert_non_null(big);
	for (int n = 1024; n <= 1025; n++) {
		char *p = big + sprintf(big, "{\"schemaVersion\":2,\"manifests\":[");
		for (int i = 0; i < n; i++)
			p += sprintf(p, "%s{\"digest\":\"" D1 "\",\"size\":%d}", i ? "," : "", i);
		strcpy(p, "]}");
		int rc = parse_index(big, &x);
		if (n == 1024) {
			assert_int_equal(rc, 0);
			assert_int_equal(x.n, 1024);
			bw_index_free(&x);
		} else {
			assert_int_equal(rc, BW_EINPUT);
			assert_contains(bw_error_last()->message, "1025 manifests");
		}
	}
	free(big);
}

/*
 * An index whose own mediaType names another kind of document must be
 * refused, as bw_manifest_parse refuses a manifest whose mediaType is not a
 * manifest type: the image spec (since 1.0.2, after CVE-2021-41190) says the
 * field MUST be the index type when present, so that one blob cannot be read
 * as an index by one tool and as a manifest by another.
 */
static void test_index_media_type_mismatch(void **state)
{
	(void)state;
	bw_index x;
	char *s = patch(oci_index, "\"mediaType\": \"application/vnd.oci.image.index.v1+json\"",
			"\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"");
	int rc = parse_index(s, &x);
	free(s);
	if (rc == 0)
		bw_index_free(&x);
	assert_int_equal(rc, BW_EINPUT);
	assert_contains(bw_error_last()->message, "mediaType");

	s = patch(oci_index, "\"mediaType\": \"application/vnd.oci.image.index.v1+json\"",
		  "\"mediaType\": \"" BW_MT_OCI_CONFIG "\"");
	rc = parse_index(s, &x);
	free(s);
	if (rc == 0)
		bw_index_free(&x);
	assert_int_equal(rc, BW_EINPUT);
}

/* ------------------------------------------------------------------ manifest */

static void test_oci_manifest(void **state)
{
	(void)state;
	bw_manifest m;

	assert_int_equal(parse_manifest(oci_manifest, &m), 0);
	assert_string_equal(m.media_type, BW_MT_OCI_MANIFEST);
	assert_string_equal(m.config.media_type, BW_MT_OCI_CONFIG);
	assert_string_equal(m.config.digest.text, D3);
	assert_int_equal(m.config.size, 7023);
	assert_int_equal(m.n_layers, 3);

	assert_string_equal(m.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
	assert_string_equal(m.layers[0].digest.text, D4);
	assert_int_equal(m.layers[0].size, 32654);
	assert_false(m.layers[0].has_urls);
	assert_string_equal(m.layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
	assert_string_equal(m.layers[1].digest.text, D5);
	assert_int_equal(m.layers[1].size, 16724);
	assert_false(m.layers[1].has_urls);
	assert_string_equal(m.layers[2].media_type,
			    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
	assert_string_equal(m.layers[2].digest.text, D6);
	assert_int_equal(m.layers[2].size, 73109);
	assert_true(m.layers[2].has_urls);

	bool foreign = false;
	assert_int_equal(bw_layer_compression(m.layers[2].media_type, &foreign), BW_COMP_GZIP);
	assert_true(foreign);
	bw_manifest_free(&m);
	assert_null(m.layers);
	assert_int_equal(m.n_layers, 0);

	/* the minimal manifest: no mediaType, no layers */
	const char *min = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D3 "\",\"size\":2},\"layers\":[]}";
	assert_int_equal(parse_manifest(min, &m), 0);
	assert_null(m.media_type);
	assert_null(m.config.media_type);
	assert_int_equal(m.config.size, 2);
	assert_int_equal(m.n_layers, 0);
	bw_manifest_free(&m);
}

static void test_docker_manifest_v2s2(void **state)
{
	(void)state;
	bw_manifest m;

	assert_int_equal(parse_manifest(docker_manifest, &m), 0);
	assert_string_equal(m.media_type, BW_MT_DOCKER_MANIFEST);
	assert_string_equal(m.config.media_type, BW_MT_DOCKER_CONFIG);
	assert_string_equal(m.config.digest.text, D3);
	assert_int_equal(m.config.size, 7023);
	assert_int_equal(m.n_layers, 3);
	assert_string_equal(m.layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
	assert_string_equal(m.layers[0].digest.text, D1);
	assert_int_equal(m.layers[0].size, 32654);
	assert_false(m.layers[0].has_urls);
	assert_string_equal(m.layers[1].media_type,
			    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
	assert_string_equal(m.layers[1].digest.text, D2);
	assert_true(m.layers[1].has_urls);
	assert_int_equal(m.layers[2].size, 0);
	assert_false(m.layers[2].has_urls); /* an empty urls list names nothing */
	bw_manifest_free(&m);
}

static void expect_manifest_error(const char *doc, const char *needle)
{
	bw_manifest m;
	bw_error_clear();
	int rc = parse_manifest(doc, &m);
	if (rc != BW_EINPUT)
		fail_msg("manifest accepted (rc %d), expected an error with \"%s\"", rc, needle);
	assert_int_equal(bw_error_last()->code, BW_EINPUT);
	assert_contains(bw_error_last()->message, "test manifest");
	assert_contains(bw_error_last()->message, needle);
	assert_null(m.layers);
	assert_null(m.media_type);
	assert_null(m.config.media_type);
	assert_int_equal(m.n_layers, 0);
}

static void expect_manifest_patch_error(const char *from, const char *to, const char *needle)
{
	char *s = patch(oci_manifest, from, to);
	expect_manifest_error(s, needle);
	free(s);
}

static void test_manifest_rejections(void **state)
{
	(void)state;
	expect_manifest_patch_error("\"schemaVersion\": 2", "\"schemaVersion\": 1", "schemaVersion 1");
	expect_manifest_patch_error("\"schemaVersion\": 2", "\"schemaVersion\": 3", "schemaVersion 3");
	expect_manifest_patch_error("\"schemaVersion\": 2,", "", "schemaVersion");
	expect_manifest_patch_error("\"schemaVersion\": 2", "\"schemaVersion\": 2.0", "schemaVersion");

	/* missing config */
	expect_manifest_error("{\"schemaVersion\":2,\"layers\":[]}", "config");
	expect_manifest_patch_error(
		"\"config\": {\n    \"mediaType\": \"application/vnd.oci.image.config.v1+json\",\n"
		"    \"digest\": \"" D3 "\",\n    \"size\": 7023\n  },",
		"", "missing \"config\"");
	/* layers not an array / missing */
	expect_manifest_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D3 "\",\"size\":1},"
			      "\"layers\":{}}",
			      "\"layers\" is not an array");
	expect_manifest_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D3 "\",\"size\":1},"
			      "\"layers\":\"" D4 "\"}",
			      "\"layers\" is not an array");
	expect_manifest_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D3 "\",\"size\":1}}",
			      "layers");
	/* uppercase hex in a layer digest */
	expect_manifest_patch_error(D5, "sha256:3C3A4604A545CDC127456D94E421CD355BCA5B528F4A9C1905B15DA2EB4A4C6B",
				    "layers[1]");
	expect_manifest_patch_error(D5, "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6B",
				    "lowercase");
	/* negative and non-integer sizes */
	expect_manifest_patch_error("\"size\": 16724", "\"size\": -1", "layers[1]");
	expect_manifest_patch_error("\"size\": 16724", "\"size\": -16724", "\"size\"");
	expect_manifest_patch_error("\"size\": 16724", "\"size\": \"16724\"", "\"size\"");
	expect_manifest_patch_error("\"size\": 16724", "\"size\": 16724.5", "\"size\"");
	expect_manifest_patch_error("\"size\": 7023", "\"size\": -7023", "config");
	/* missing size / digest */
	expect_manifest_patch_error("\"size\": 7023", "\"sizes\": 7023", "missing field \"size\"");
	expect_manifest_patch_error("\"digest\": \"" D4 "\",", "", "missing field \"digest\"");
	/* other wrong types */
	expect_manifest_patch_error("\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"",
				    "\"mediaType\": 1", "mediaType");
	expect_manifest_patch_error("\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\"",
				    "\"mediaType\": [\"x\"]", "mediaType");
	expect_manifest_patch_error("\"digest\": \"" D4 "\"", "\"digest\": 42", "digest");
	expect_manifest_patch_error("\"digest\": \"" D3 "\"", "\"digest\": null", "digest");
	expect_manifest_patch_error("\"urls\": [", "\"urls\": 5, \"x\": [", "\"urls\" is not an array");
	expect_manifest_error("{\"schemaVersion\":2,\"config\":\"" D3 "\",\"layers\":[]}", "config");
	expect_manifest_error("{\"schemaVersion\":2,\"config\":null,\"layers\":[]}", "config");
	expect_manifest_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D3 "\",\"size\":1},"
			      "\"layers\":[\"" D4 "\"]}",
			      "layers[0]");
	expect_manifest_error("[]", "not a JSON object");
	expect_manifest_error("2", "invalid JSON"); /* jansson refuses a scalar root */
	/* a manifest whose mediaType says it is something else */
	expect_manifest_patch_error("\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"",
				    "\"mediaType\": \"application/vnd.oci.image.index.v1+json\"",
				    "is not an image manifest");
	/* duplicate keys: at the top, and inside a descriptor */
	expect_manifest_patch_error("\"schemaVersion\": 2,",
				    "\"schemaVersion\": 2, \"config\": {\"digest\": \"" D1 "\", \"size\": 1},",
				    "duplicate");
	expect_manifest_patch_error("\"size\": 32654", "\"size\": 32654, \"digest\": \"" D1 "\"",
				    "duplicate");
	/* NUL byte */
	char nul[sizeof(oci_manifest)];
	memcpy(nul, oci_manifest, sizeof(nul));
	*strstr(nul, "alue1") = '\0';
	bw_manifest m;
	assert_int_equal(bw_manifest_parse("test manifest", nul, sizeof(nul) - 1, &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "NUL");
}

static char *manifest_with_layers(int n)
{
	size_t cap = (size_t)n * 200 + 300;
	char *s = malloc(cap), *p;
	assert_non_null(s);
	p = s + sprintf(s, "{\"schemaVersion\":2,\"mediaType\":\"" BW_MT_OCI_MANIFEST "\","
			   "\"config\":{\"mediaType\":\"" BW_MT_OCI_CONFIG "\",\"digest\":\"" D3
			   "\",\"size\":7023},\"layers\":[");
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
				"\"digest\":\"sha256:%064x\",\"size\":%d}",
			     i ? "," : "", i, i);
	strcpy(p, "]}");
	return s;
}

static void test_manifest_layer_limit(void **state)
{
	(void)state;
	bw_manifest m;
	char *s = manifest_with_layers(256);
	assert_int_equal(parse_manifest(s, &m), 0);
	assert_int_equal(m.n_layers, 256);
	char want[80];
	snprintf(want, sizeof(want), "sha256:%064x", 255);
	assert_string_equal(m.layers[255].digest.text, want);
	assert_int_equal(m.layers[255].size, 255);
	bw_manifest_free(&m);
	free(s);

	s = manifest_with_layers(257);
	expect_manifest_error(s, "257 layers");
	assert_contains(bw_error_last()->message, "256");
	free(s);
}

/* ------------------------------------------------------------------ config */

static void test_config(void **state)
{
	(void)state;
	bw_config c;

	assert_int_equal(parse_config(oci_config, &c), 0);
	assert_string_equal(c.architecture, "arm");
	assert_string_equal(c.variant, "v7");
	assert_string_equal(c.os, "linux");
	assert_string_equal(c.created, "2015-10-31T22:22:56.015925234Z");
	assert_string_equal(c.user, "alice");
	assert_string_equal(c.working_dir, "/home/alice");

	assert_int_equal(c.env.n, 3);
	assert_string_equal(c.env.v[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(c.env.v[1], "FOO=oci_is_a");
	assert_string_equal(c.env.v[2], "BAR=well_written_spec");
	assert_int_equal(c.entrypoint.n, 1);
	assert_string_equal(c.entrypoint.v[0], "/bin/my-app-binary");
	assert_int_equal(c.cmd.n, 3);
	assert_string_equal(c.cmd.v[0], "--foreground");
	assert_string_equal(c.cmd.v[1], "--config");
	assert_string_equal(c.cmd.v[2], "/etc/my-app.d/default.cfg");

	assert_int_equal(c.exposed_ports.n, 2);
	assert_true(strlist_has(&c.exposed_ports, "8080/tcp"));
	assert_true(strlist_has(&c.exposed_ports, "53/udp"));
	assert_int_equal(c.volumes.n, 2);
	assert_true(strlist_has(&c.volumes, "/var/job-result-data"));
	assert_true(strlist_has(&c.volumes, "/var/log/my-app-logs"));
	assert_int_equal(c.labels.n, 2);
	assert_string_equal(kv_get(&c.labels, "com.example.project.git.url"),
			    "https://example.com/project.git");
	assert_string_equal(kv_get(&c.labels, "com.example.project.git.commit"),
			    "45a939b2999782a3f005621a8d0f29aa387e1d6b");
	assert_true(c.has_healthcheck);

	assert_int_equal(c.n_diff_ids, 2);
	assert_string_equal(c.diff_ids[0].text, DIFF1);
	assert_string_equal(c.diff_ids[1].text, DIFF2);
	assert_int_equal(c.diff_ids[1].alg, BW_SHA256);

	assert_int_equal(c.n_history, 3);
	assert_string_equal(c.history[0].created, "2015-10-31T22:22:54.690851953Z");
	assert_string_equal(c.history[0].created_by,
			    "/bin/sh -c #(nop) ADD file:a3bc1e842b69636f9df5256c49c5374fb4eef1e281fe3f282c65fb853ee171c5 in /");
	assert_false(c.history[0].empty_layer);
	assert_string_equal(c.history[1].created_by, "/bin/sh -c #(nop) CMD [\"sh\"]");
	assert_true(c.history[1].empty_layer);
	assert_string_equal(c.history[2].created_by, "/bin/sh -c apk add curl");
	assert_false(c.history[2].empty_layer);
	bw_config_free(&c);
	assert_null(c.env.v);
	assert_int_equal(c.n_history, 0);

	/* minimal config: no "config", no history */
	const char *min = "{\"architecture\":\"amd64\",\"os\":\"linux\","
			  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	assert_int_equal(parse_config(min, &c), 0);
	assert_null(c.user);
	assert_null(c.variant);
	assert_null(c.created);
	assert_int_equal(c.env.n, 0);
	assert_int_equal(c.cmd.n, 0);
	assert_int_equal(c.labels.n, 0);
	assert_false(c.has_healthcheck);
	assert_int_equal(c.n_diff_ids, 0);
	assert_int_equal(c.n_history, 0);
	bw_config_free(&c);

	/* null lists (as Docker writes "Cmd": null) are empty, Healthcheck null is none */
	const char *nulls = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":null,"
			    "\"Env\":null,\"Labels\":null,\"Healthcheck\":null,\"User\":\"\"},"
			    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DIFF1 "\"]}}";
	assert_int_equal(parse_config(nulls, &c), 0);
	assert_int_equal(c.cmd.n, 0);
	assert_int_equal(c.env.n, 0);
	assert_int_equal(c.labels.n, 0);
	assert_false(c.has_healthcheck);
	assert_string_equal(c.user, "");
	assert_int_equal(c.n_diff_ids, 1);
	bw_config_free(&c);
}

static void expect_config_error(const char *from, const char *to, const char *needle)
{
	bw_config c;
	char *s = patch(oci_config, from, to);
	bw_error_clear();
	int rc = parse_config(s, &c);
	free(s);
	if (rc != BW_EINPUT)
		fail_msg("config accepted after \"%s\" -> \"%s\"", from, to);
	assert_contains(bw_error_last()->message, "test config");
	assert_contains(bw_error_last()->message, needle);
	assert_null(c.architecture);
	assert_null(c.env.v);
	assert_null(c.diff_ids);
	assert_null(c.history);
}

static void test_config_rejections(void **state)
{
	(void)state;
	expect_config_error("\"architecture\": \"arm\",", "", "architecture");
	expect_config_error("\"os\": \"linux\",", "\"os\": 7,", "os");
	expect_config_error("\"User\": \"alice\"", "\"User\": 1000", "User");
	expect_config_error("\"Env\": [", "\"Env\": [1, ", "Env");
	expect_config_error("\"Entrypoint\": [\n            \"/bin/my-app-binary\"\n        ]",
			    "\"Entrypoint\": \"/bin/my-app-binary\"", "Entrypoint");
	expect_config_error("\"Cmd\": [", "\"Cmd\": [null, ", "Cmd");
	expect_config_error("\"ExposedPorts\": {", "\"ExposedPorts\": 5, \"x\": {", "\"ExposedPorts\" is not an object");
	expect_config_error("\"ExposedPorts\": {\n            \"8080/tcp\": {},\n            \"53/udp\": {}\n        }",
			    "\"ExposedPorts\": [\"8080/tcp\"]", "ExposedPorts");
	expect_config_error("\"https://example.com/project.git\"", "1", "Labels");
	expect_config_error("\"config\": {", "\"config\": [], \"x\": {", "config");
	expect_config_error(DIFF2, "sha256:5F70BF18A086007016E948B04AED3B82103A36BEA41755B6CDDFAF10ACE3C6EF",
			    "diff_ids[1]");
	expect_config_error("\"" DIFF1 "\"", "17", "diff_ids[0]");
	expect_config_error("\"type\": \"layers\"", "\"type\": \"tar\"", "rootfs.type");
	expect_config_error("\"type\": \"layers\"", "\"kind\": \"layers\"", "type");
	expect_config_error("\"diff_ids\": [", "\"diff_ids\": 5, \"x\": [", "\"diff_ids\" is not an array");
	expect_config_error("\"rootfs\": {", "\"rootfs_\": {", "rootfs");
	expect_config_error("\"empty_layer\": true", "\"empty_layer\": \"true\"", "empty_layer");
	expect_config_error("\"history\": [", "\"history\": [1, ", "history[0]");
	expect_config_error("\"history\": [", "\"history\": 5, \"x\": [", "\"history\" is not an array");
	expect_config_error("\"created_by\": \"/bin/sh -c apk add curl\"",
			    "\"created_by\": [\"/bin/sh\"]", "created_by");
	expect_config_error("\"os\": \"linux\",", "\"os\": \"linux\", \"os\": \"windows\",", "duplicate");
	expect_config_error("\"User\": \"alice\",", "\"User\": \"alice\", \"User\": \"root\",",
			    "duplicate");
}

/* ------------------------------------------------------------------ kinds */

static bw_doc_kind kind_of(const char *doc, const char *desc_mt)
{
	return bw_doc_kind_of("doc", doc, strlen(doc), desc_mt);
}

static void test_doc_kind(void **state)
{
	(void)state;
	/* by the document's own mediaType */
	assert_int_equal(kind_of(oci_index, NULL), BW_DOC_INDEX);
	assert_int_equal(kind_of(docker_list, NULL), BW_DOC_INDEX);
	assert_int_equal(kind_of(oci_manifest, NULL), BW_DOC_MANIFEST);
	assert_int_equal(kind_of(docker_manifest, NULL), BW_DOC_MANIFEST);
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"mediaType\":\"" BW_MT_OCI_INDEX "\"}", NULL),
			 BW_DOC_INDEX);
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"mediaType\":\"" BW_MT_DOCKER_LIST "\"}", NULL),
			 BW_DOC_INDEX);
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"mediaType\":\"" BW_MT_OCI_MANIFEST "\"}", NULL),
			 BW_DOC_MANIFEST);
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"mediaType\":\"" BW_MT_DOCKER_MANIFEST "\"}", NULL),
			 BW_DOC_MANIFEST);
	/* Docker schema 1, by media type and by schemaVersion */
	assert_int_equal(kind_of("{\"schemaVersion\":1,\"mediaType\":"
				 "\"application/vnd.docker.distribution.manifest.v1+prettyjws\"}", NULL),
			 BW_DOC_SCHEMA1);
	assert_int_equal(kind_of("{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\"}",
				 NULL),
			 BW_DOC_SCHEMA1);
	assert_int_equal(kind_of("{\"schemaVersion\":1,\"name\":\"library/busybox\",\"tag\":\"latest\","
				 "\"fsLayers\":[],\"history\":[],\"signatures\":[]}", NULL),
			 BW_DOC_SCHEMA1);
	/* no mediaType: by shape */
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"manifests\":[]}", NULL), BW_DOC_INDEX);
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D3 "\",\"size\":1},"
				 "\"layers\":[]}", NULL),
			 BW_DOC_MANIFEST);
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"manifests\":{}}", NULL), BW_DOC_UNKNOWN);
	assert_int_equal(kind_of("{\"schemaVersion\":2,\"config\":[]}", NULL), BW_DOC_UNKNOWN);
	assert_int_equal(kind_of("{\"schemaVersion\":2}", NULL), BW_DOC_UNKNOWN);
	assert_int_equal(kind_of("{}", NULL), BW_DOC_UNKNOWN);
	/* a config, an unknown type, something not JSON, not an object */
	assert_int_equal(kind_of("{\"mediaType\":\"" BW_MT_OCI_CONFIG "\",\"config\":{}}", NULL),
			 BW_DOC_UNKNOWN);
	assert_int_equal(kind_of("{\"mediaType\":\"application/json\",\"manifests\":[]}", NULL),
			 BW_DOC_UNKNOWN);
	assert_int_equal(kind_of("not json", NULL), BW_DOC_UNKNOWN);
	assert_int_equal(kind_of("[{\"config\":{}}]", NULL), BW_DOC_UNKNOWN);
	assert_int_equal(kind_of("{\"mediaType\":7,\"manifests\":[]}", NULL), BW_DOC_UNKNOWN);
	/* the descriptor's media type wins when it names an index or manifest */
	assert_int_equal(kind_of("{}", BW_MT_OCI_INDEX), BW_DOC_INDEX);
	assert_int_equal(kind_of("{}", BW_MT_DOCKER_LIST), BW_DOC_INDEX);
	assert_int_equal(kind_of("{}", BW_MT_OCI_MANIFEST), BW_DOC_MANIFEST);
	assert_int_equal(kind_of("{}", BW_MT_DOCKER_MANIFEST), BW_DOC_MANIFEST);
	/* a descriptor type that says nothing falls back to the document */
	assert_int_equal(kind_of(oci_index, "application/octet-stream"), BW_DOC_INDEX);
	assert_int_equal(kind_of(oci_manifest, ""), BW_DOC_MANIFEST);

	assert_true(bw_media_type_is_index(BW_MT_OCI_INDEX));
	assert_true(bw_media_type_is_index(BW_MT_DOCKER_LIST));
	assert_false(bw_media_type_is_index(BW_MT_OCI_MANIFEST));
	assert_false(bw_media_type_is_index(NULL));
	assert_true(bw_media_type_is_manifest(BW_MT_OCI_MANIFEST));
	assert_true(bw_media_type_is_manifest(BW_MT_DOCKER_MANIFEST));
	assert_false(bw_media_type_is_manifest(BW_MT_OCI_INDEX));
	assert_false(bw_media_type_is_manifest(BW_MT_OCI_MANIFEST "x"));
	assert_false(bw_media_type_is_manifest(NULL));
}

static void test_layer_compression(void **state)
{
	(void)state;
	static const struct {
		const char *mt;
		bw_compression c;
		bool foreign;
	} cases[] = {
		{ "application/vnd.oci.image.layer.v1.tar", BW_COMP_NONE, false },
		{ "application/vnd.oci.image.layer.v1.tar+gzip", BW_COMP_GZIP, false },
		{ "application/vnd.oci.image.layer.v1.tar+zstd", BW_COMP_ZSTD, false },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", BW_COMP_NONE, true },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", BW_COMP_GZIP, true },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", BW_COMP_ZSTD, true },
		{ "application/vnd.docker.image.rootfs.diff.tar", BW_COMP_NONE, false },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", BW_COMP_GZIP, false },
		{ "application/vnd.docker.image.rootfs.diff.tar.zstd", BW_COMP_ZSTD, false },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", BW_COMP_GZIP, true },
		{ BW_MT_DOCKER_LAYER_TAR, BW_COMP_NONE, false },
		/* not layers */
		{ BW_MT_OCI_CONFIG, BW_COMP_UNKNOWN, false },
		{ BW_MT_OCI_MANIFEST, BW_COMP_UNKNOWN, false },
		{ BW_MT_DOCKER_CONFIG, BW_COMP_UNKNOWN, false },
		{ "application/vnd.oci.image.layer.v1.tar+bzip2", BW_COMP_UNKNOWN, false },
		{ "application/vnd.oci.image.layer.v1.tar+GZIP", BW_COMP_UNKNOWN, false },
		{ "application/vnd.oci.image.layer.v1.tar+gzip ", BW_COMP_UNKNOWN, false },
		{ "", BW_COMP_UNKNOWN, false },
		{ NULL, BW_COMP_UNKNOWN, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool foreign = !cases[i].foreign; /* must be overwritten */
		bw_compression c = bw_layer_compression(cases[i].mt, &foreign);
		if (c != cases[i].c || foreign != cases[i].foreign)
			fail_msg("%s: compression %d foreign %d, expected %d %d",
				 cases[i].mt ? cases[i].mt : "(null)", c, foreign, cases[i].c,
				 cases[i].foreign);
	}
	assert_string_equal(bw_compression_name(BW_COMP_NONE), "none");
	assert_string_equal(bw_compression_name(BW_COMP_GZIP), "gzip");
	assert_string_equal(bw_compression_name(BW_COMP_ZSTD), "zstd");
	assert_string_equal(bw_compression_name(BW_COMP_UNKNOWN), "unknown");
}

/* ------------------------------------------------------------------ docker-archive */

static int parse_dm(const char *doc, bw_docker_manifest *m)
{
	return bw_docker_manifest_parse("manifest.json", doc, strlen(doc), m);
}

static void test_docker_archive_manifest(void **state)
{
	(void)state;
	bw_docker_manifest m;
	const char *ok =
		"[{\"Config\":\"4b0f7ad1e1f1a1f3b5d2b9c0f9b0e3b0f1b6a2e1f4a9c6d3e8b7a0c1d2e3f4a5.json\","
		"\"RepoTags\":[\"busybox:latest\",\"busybox:1.36\"],"
		"\"Layers\":[\"a1/layer.tar\",\"b2/layer.tar\",\"c3/layer.tar\"]}]";

	assert_int_equal(parse_dm(ok, &m), 0);
	assert_string_equal(m.config, "4b0f7ad1e1f1a1f3b5d2b9c0f9b0e3b0f1b6a2e1f4a9c6d3e8b7a0c1d2e3f4a5.json");
	assert_int_equal(m.layers.n, 3);
	assert_string_equal(m.layers.v[0], "a1/layer.tar");
	assert_string_equal(m.layers.v[1], "b2/layer.tar");
	assert_string_equal(m.layers.v[2], "c3/layer.tar");
	assert_int_equal(m.repo_tags.n, 2);
	assert_string_equal(m.repo_tags.v[0], "busybox:latest");
	assert_string_equal(m.repo_tags.v[1], "busybox:1.36");
	bw_docker_manifest_free(&m);
	assert_null(m.config);

	/* RepoTags null (an untagged image) */
	assert_int_equal(parse_dm("[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":[\"l.tar\"]}]", &m), 0);
	assert_int_equal(m.repo_tags.n, 0);
	assert_int_equal(m.layers.n, 1);
	bw_docker_manifest_free(&m);

	/* two images */
	const char *two = "[{\"Config\":\"a.json\",\"Layers\":[]},{\"Config\":\"b.json\",\"Layers\":[]}]";
	assert_int_equal(parse_dm(two, &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "manifest.json: ");
	assert_contains(bw_error_last()->message, "2 images");
	assert_null(m.config);

	/* missing Config, and other malformed shapes */
	assert_int_equal(parse_dm("[{\"RepoTags\":[],\"Layers\":[\"l.tar\"]}]", &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "Config");
	assert_null(m.config);
	assert_int_equal(m.layers.n, 0);
	assert_int_equal(parse_dm("[{\"Config\":1,\"Layers\":[]}]", &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "Config");
	assert_int_equal(parse_dm("[]", &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "non-empty");
	assert_int_equal(parse_dm("{\"Config\":\"a.json\"}", &m), BW_EINPUT);
	assert_int_equal(parse_dm("[\"a.json\"]", &m), BW_EINPUT);
	assert_int_equal(parse_dm("[{\"Config\":\"a.json\",\"Layers\":\"l.tar\"}]", &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "Layers");
	assert_null(m.config);
	assert_int_equal(parse_dm("[{\"Config\":\"a.json\",\"Layers\":[\"l.tar\",2]}]", &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "Layers");
	assert_int_equal(parse_dm("[{\"Config\":\"a.json\",\"Config\":\"b.json\",\"Layers\":[]}]", &m),
			 BW_EINPUT);
	assert_contains(bw_error_last()->message, "duplicate");
	assert_null(m.config);

	/* more than 256 layers */
	char *big = malloc(257 * 16 + 100), *p = big;
	assert_non_null(big);
	p += sprintf(p, "[{\"Config\":\"c.json\",\"Layers\":[");
	for (int i = 0; i < 257; i++)
		p += sprintf(p, "%s\"%d.tar\"", i ? "," : "", i);
	strcpy(p, "]}]");
	assert_int_equal(parse_dm(big, &m), BW_EINPUT);
	assert_contains(bw_error_last()->message, "Layers");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_index),
		cmocka_unit_test(test_docker_list),
		cmocka_unit_test(test_index_rejections),
		cmocka_unit_test(test_index_media_type_mismatch),
		cmocka_unit_test(test_oci_manifest),
		cmocka_unit_test(test_docker_manifest_v2s2),
		cmocka_unit_test(test_manifest_rejections),
		cmocka_unit_test(test_manifest_layer_limit),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_rejections),
		cmocka_unit_test(test_doc_kind),
		cmocka_unit_test(test_layer_compression),
		cmocka_unit_test(test_docker_archive_manifest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
