/* Unit tests: Java archives, Go build info, Cargo.lock and cargo-auditable data. */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "inventory/golang.h"
#include "inventory/java.h"
#include "inventory/rust.h"

/* ------------------------------------------------------------ java */

static void test_properties(void **st)
{
	(void)st;
	const char *t = "# comment\n! other\n  groupId = org.ex\\\n    ample\r\nartifactId:art\\u0041\nversion 1.0\n"
			"key\\=with=eq\n";
	int oom = 0;
	char *g = bw_jar_property(t, strlen(t), "groupId", &oom);
	char *a = bw_jar_property(t, strlen(t), "artifactId", &oom);
	char *v = bw_jar_property(t, strlen(t), "version", &oom);
	char *k = bw_jar_property(t, strlen(t), "key=with", &oom);
	char *none = bw_jar_property(t, strlen(t), "comment", &oom);
	assert_int_equal(oom, 0);
	assert_string_equal(g, "org.example");
	assert_string_equal(a, "artA");
	assert_string_equal(v, "1.0");
	assert_string_equal(k, "eq");
	assert_null(none);
	free(g);
	free(a);
	free(v);
	free(k);
}

static void test_manifest(void **st)
{
	(void)st;
	const char *t = "Manifest-Version: 1.0\r\nimplementation-title: long-na\r\n me\r\nBundle-Version: 2\r\n"
			"\r\nName: x\r\nImplementation-Version: 9\r\n";
	int oom = 0;
	char *title = bw_jar_manifest_attr(t, strlen(t), "Implementation-Title", &oom);
	char *ver = bw_jar_manifest_attr(t, strlen(t), "Implementation-Version", &oom);
	char *bv = bw_jar_manifest_attr(t, strlen(t), "Bundle-Version", &oom);
	assert_string_equal(title, "long-name");
	assert_null(ver); /* only in a per-entry section */
	assert_string_equal(bv, "2");
	free(title);
	free(bv);
}

typedef struct member {
	const char *name;
	const void *data;
	size_t len;
} member;

/* A zip in memory, written with libarchive. */
static uint8_t *make_zip(const member *m, size_t n, size_t *len)
{
	size_t cap = 1 << 20, used = 0;
	for (size_t i = 0; i < n; i++)
		cap += m[i].len * 2;
	uint8_t *buf = malloc(cap);
	struct archive *a = archive_write_new();
	assert_non_null(buf);
	archive_write_set_format_zip(a);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	*len = used;
	return buf;
}

static void test_jar_nested_and_fallbacks(void **st)
{
	(void)st;
	const char pom[] = "groupId=org.x\nartifactId=inner\nversion=1.2\n";
	member im[] = { { "META-INF/maven/org.x/inner/pom.properties", pom, sizeof(pom) - 1 } };
	size_t il, nl, ol;
	uint8_t *inner = make_zip(im, 1, &il);
	member nm[] = { { "a.txt", "x", 1 } };
	uint8_t *noname = make_zip(nm, 1, &nl);
	const char mf[] = "Manifest-Version: 1.0\nBundle-SymbolicName: org.b.c;singleton:=true\nBundle-Version: 4.0\n";
	member om[] = { { "BOOT-INF/lib/inner-1.2.jar", inner, il },
			{ "lib/tool-7.1.jar", noname, nl },
			{ "META-INF/MANIFEST.MF", mf, sizeof(mf) - 1 } };
	uint8_t *outer = make_zip(om, 3, &ol);
	bw_jar_pkg *v = NULL;
	size_t n = 0;
	assert_int_equal(bw_jar_parse("/x/outer.jar", outer, ol, &v, &n), 0);
	assert_int_equal(n, 3);
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].artifact, "inner")) {
			assert_string_equal(v[i].group, "org.x");
			assert_string_equal(v[i].location, "/x/outer.jar!/BOOT-INF/lib/inner-1.2.jar");
			seen |= 1;
		} else if (!strcmp(v[i].artifact, "tool")) {
			assert_string_equal(v[i].version, "7.1");
			assert_string_equal(v[i].identified_by, "filename");
			seen |= 2;
		} else if (!strcmp(v[i].artifact, "outer")) {
			fail_msg("the outer jar has a manifest: no file-name fallback expected");
		} else {
			assert_string_equal(v[i].artifact, "org.b.c"); /* no title, no versioned file name */
			assert_string_equal(v[i].version, "4.0");
			assert_null(v[i].group);
			seen |= 4;
		}
	}
	assert_int_equal(seen, 7);
	bw_jar_free(v, n);
	free(inner);
	free(noname);
	free(outer);
}

static void test_jar_hostile(void **st)
{
	(void)st;
	bw_jar_pkg *v = NULL;
	size_t n = 0;
	/* not a zip */
	assert_int_equal(bw_jar_parse("/bad.jar", (const uint8_t *)"PK\3\4garbage", 11, &v, &n), BW_EINPUT);
	bw_jar_free(v, n);
	/* nesting past the bound */
	const char pom[] = "artifactId=deep\nversion=1\n";
	member m = { "META-INF/maven/g/deep/pom.properties", pom, sizeof(pom) - 1 };
	size_t l;
	uint8_t *z = make_zip(&m, 1, &l);
	for (int i = 0; i < BW_JAR_MAX_DEPTH + 2; i++) {
		member w = { "lib/x.jar", z, l };
		size_t nl;
		uint8_t *nz = make_zip(&w, 1, &nl);
		free(z);
		z = nz;
		l = nl;
	}
	assert_int_equal(bw_jar_parse("/deep.jar", z, l, &v, &n), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "nested more than"));
	bw_jar_free(v, n);
	free(z);
	/* empty */
	assert_int_equal(bw_jar_parse("/e.jar", NULL, 0, &v, &n), BW_EINPUT);
	bw_jar_free(v, n);
}

/* ------------------------------------------------------------ go */

static void test_modinfo(void **st)
{
	(void)st;
	const char *t = "path\texample.com/m\nmod\texample.com/m\t(devel)\t\n"
			"dep\tgithub.com/a/b\tv1.0.0\th1:x=\n=>\tgithub.com/fork/b\tv1.0.1\th1:y=\n"
			"dep\tgolang.org/x/y\tv0.1.0\t\n=>\t../local\t\t\nbuild\tGOOS=linux\n";
	bw_go_info info = { 0 };
	assert_int_equal(bw_go_modinfo_parse("t", t, strlen(t), &info), 0);
	assert_int_equal(info.n_mods, 3);
	assert_true(info.mods[0].main);
	assert_string_equal(info.mods[0].version, "(devel)");
	assert_string_equal(info.mods[1].path, "github.com/fork/b");
	assert_string_equal(info.mods[1].version, "v1.0.1");
	assert_string_equal(info.mods[2].path, "../local");
	assert_string_equal(info.mods[2].version, "v0.1.0"); /* a directory replacement keeps the version */
	bw_go_info_free(&info);
	const char *bad = "=>\tx\tv1\n";
	assert_int_equal(bw_go_modinfo_parse("t", bad, strlen(bad), &info), BW_EINPUT);
	bw_go_info_free(&info);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* A little-endian ELF64 with phdrs: NOTE (Go note) at 0x200, RO load at 0x1000, RW load at 0x2000. */
static size_t make_elf(uint8_t *f, size_t cap, bool old_format)
{
	memset(f, 0, cap);
	memcpy(f, "\x7f" "ELF", 4);
	f[4] = 2;
	f[5] = 1;
	f[6] = 1;
	put64(f + 32, 64);   /* e_phoff */
	put64(f + 40, 0);    /* e_shoff: none */
	put16(f + 54, 56);
	put16(f + 56, 3);
	uint8_t *ph = f + 64;
	put32(ph, 4); put32(ph + 4, 4); put64(ph + 8, 0x200); put64(ph + 16, 0x400200); put64(ph + 32, 20);
	ph += 56;
	put32(ph, 1); put32(ph + 4, 4); put64(ph + 8, 0x1000); put64(ph + 16, 0x401000); put64(ph + 32, 0x1000);
	ph += 56;
	put32(ph, 1); put32(ph + 4, 6); put64(ph + 8, 0x2000); put64(ph + 16, 0x402000); put64(ph + 32, 0x1000);
	/* the Go build-id note */
	put32(f + 0x200, 4); put32(f + 0x204, 4); put32(f + 0x208, 4);
	memcpy(f + 0x20c, "Go\0\0", 4);
	memcpy(f + 0x210, "abcd", 4);
	const char *ver = "go1.16.5";
	const char *mod = "0w\xaf\x0c\x92t\x08\x02" "A\xe1\xc1\x07\xe6\xd6\x18\xe6"
			  "path\tex.com/old\nmod\tex.com/old\t(devel)\t\ndep\tgithub.com/x/y\tv1.2.3\th1:z=\n"
			  "\xf9" "2C1\x86\x18 r\x00\x82" "B\x10" "A\x16\xd8\xf2";
	size_t ml = 16 + strlen("path\tex.com/old\nmod\tex.com/old\t(devel)\t\ndep\tgithub.com/x/y\tv1.2.3\th1:z=\n") + 16;
	uint8_t *bi = f + 0x2000;
	memcpy(bi, "\xff Go buildinf:", 14);
	bi[14] = 8;
	if (old_format) {
		bi[15] = 0;
		memcpy(f + 0x1100, ver, strlen(ver));
		memcpy(f + 0x1200, mod, ml);
		put64(bi + 16, 0x402100); /* -> string header of the version */
		put64(bi + 24, 0x402110);
		put64(f + 0x2100, 0x401100); put64(f + 0x2108, strlen(ver));
		put64(f + 0x2110, 0x401200); put64(f + 0x2118, ml);
	} else {
		bi[15] = 2;
		uint8_t *p = bi + 32;
		*p++ = (uint8_t)strlen(ver);
		memcpy(p, ver, strlen(ver));
		p += strlen(ver);
		*p++ = (uint8_t)(ml | 0x80);
		*p++ = (uint8_t)(ml >> 7);
		memcpy(p, mod, ml);
	}
	return 0x3000;
}

static int read_elf(const uint8_t *f, size_t len, size_t piece, bw_go_info *info)
{
	bw_go_reader *r = bw_go_reader_new();
	assert_non_null(r);
	for (size_t o = 0; o < len; o += piece)
		assert_int_equal(bw_go_reader_feed(r, f + o, len - o < piece ? len - o : piece), 0);
	int rc = bw_go_reader_finish(r, "elf", info);
	bw_go_reader_free(r);
	return rc;
}

static void test_go_formats(void **st)
{
	(void)st;
	static uint8_t f[0x3000];
	size_t pieces[] = { 1, 7, 4096, 65536 };
	for (int old = 0; old <= 1; old++) {
		size_t len = make_elf(f, sizeof(f), old);
		for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
			bw_go_info info = { 0 };
			assert_int_equal(read_elf(f, len, pieces[k], &info), 0);
			assert_non_null(info.go_version);
			assert_string_equal(info.go_version, "go1.16.5");
			assert_int_equal(info.n_mods, 2);
			assert_string_equal(info.mods[0].path, "ex.com/old");
			assert_string_equal(info.mods[1].version, "v1.2.3");
			bw_go_info_free(&info);
		}
	}
}

static void test_go_hostile(void **st)
{
	(void)st;
	static uint8_t f[0x3000];
	size_t len = make_elf(f, sizeof(f), false);
	bw_go_info info = { 0 };
	/* truncated: headers cut, then segments cut */
	assert_int_equal(read_elf(f, 40, 4096, &info), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "truncated"));
	assert_int_equal(read_elf(f, 0x2100, 4096, &info), BW_EINPUT);
	/* a section header table past the end */
	put64(f + 40, 0x100000000ULL);
	put16(f + 58, 64);
	put16(f + 60, 10);
	assert_int_equal(read_elf(f, len, 4096, &info), BW_EINPUT);
	assert_non_null(strstr(bw_error_last()->message, "section header table"));
	/* inline strings longer than the segment */
	make_elf(f, sizeof(f), false);
	f[0x2000 + 32] = 0xff;
	f[0x2000 + 33] = 0x7f;
	assert_int_equal(read_elf(f, len, 4096, &info), BW_EINPUT);
	/* not an ELF: nothing, no error */
	assert_int_equal(read_elf((const uint8_t *)"#!/bin/sh\n", 10, 4, &info), 0);
	assert_null(info.go_version);
}

/* ------------------------------------------------------------ cargo */

static void test_cargo_lock(void **st)
{
	(void)st;
	const char *t = "# gen\n[[package]]\nname = \"a\"\nversion = \"\"\"1.0\"\"\"\n"
			"source = 'registry+https://x'\ndependencies = [\n \"b 2.0 (x)\",\n]\n\n"
			"[metadata]\n\"checksum a\" = \"00\"\n[[package]] # c\nname = \"b\\u0041\"\nversion = \"2.0\"\n"
			"inline = { k = [1, 2], s = \"]\" }\n";
	bw_cargo_pkg *v = NULL;
	size_t n = 0;
	assert_int_equal(bw_cargo_lock_parse("t", t, strlen(t), &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "a");
	assert_string_equal(v[0].version, "1.0");
	assert_string_equal(v[0].source, "registry+https://x");
	assert_string_equal(v[1].version, "2.0");
	assert_null(v[1].source);
	bw_cargo_free(v, n);
	const char *bad[] = { "[[package]]\nname = \"a\"\n", "[[package]]\nname = \"a\nversion = \"1\"\n",
			      "[[package]]\nname = [1, 2\n", "[[package]]\n= \"x\"\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(bw_cargo_lock_parse("t", bad[i], strlen(bad[i]), &v, &n), BW_EINPUT);
		assert_null(v);
	}
}

static void test_cargo_audit_scanner(void **st)
{
	(void)st;
	const char *json = "{\"packages\":[{\"name\":\"x\",\"version\":\"0.1.0\",\"source\":\"local\",\"kind\":\"runtime\"},"
			   "{\"name\":\"y\",\"version\":\"2.0.0\",\"source\":\"crates.io\",\"kind\":\"build\"}]}";
	uint8_t z[1024];
	uLongf zl = sizeof(z);
	assert_int_equal(compress2(z, &zl, (const Bytef *)json, strlen(json), 9), Z_OK);
	/* decoys: zlib headers that lead nowhere, and a real zlib stream of other JSON */
	uint8_t other[256];
	uLongf ol = sizeof(other);
	assert_int_equal(compress2(other, &ol, (const Bytef *)"{\"pkgs\":[]}", 11, 9), Z_OK);
	static uint8_t file[8192];
	memset(file, 0x90, sizeof(file));
	for (int i = 0; i < 50; i++) {
		file[i * 20] = 0x78;
		file[i * 20 + 1] = 0x9c;
	}
	memcpy(file + 2000, other, ol);
	memcpy(file + 5001, z, zl);
	size_t pieces[] = { 1, 3, 100, sizeof(file) };
	for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
		bw_cargo_scanner *s = bw_cargo_scanner_new();
		for (size_t o = 0; o < sizeof(file); o += pieces[k])
			assert_int_equal(bw_cargo_scanner_feed(s, file + o, sizeof(file) - o < pieces[k] ? sizeof(file) - o : pieces[k]), 0);
		char *out = NULL;
		size_t ol2 = 0;
		assert_int_equal(bw_cargo_scanner_finish(s, "t", &out, &ol2), 0);
		assert_non_null(out);
		assert_int_equal(ol2, strlen(json));
		bw_cargo_pkg *v = NULL;
		size_t n = 0;
		assert_int_equal(bw_cargo_audit_parse("t", out, ol2, &v, &n), 0);
		assert_int_equal(n, 2);
		assert_string_equal(v[1].name, "y");
		bw_cargo_free(v, n);
		free(out);
		bw_cargo_scanner_free(s);
	}
	/* cut short */
	bw_cargo_scanner *s = bw_cargo_scanner_new();
	assert_int_equal(bw_cargo_scanner_feed(s, z, zl / 2), 0);
	char *out = NULL;
	size_t ol3 = 0;
	assert_int_equal(bw_cargo_scanner_finish(s, "t", &out, &ol3), BW_EINPUT);
	bw_cargo_scanner_free(s);
	/* wrong JSON shape */
	bw_cargo_pkg *v = NULL;
	size_t n = 0;
	assert_int_equal(bw_cargo_audit_parse("t", "{\"packages\":[{\"name\":1}]}", 26, &v, &n), BW_EINPUT);
	assert_int_equal(bw_cargo_audit_parse("t", "[]", 2, &v, &n), BW_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_jar_nested_and_fallbacks),
		cmocka_unit_test(test_jar_hostile),
		cmocka_unit_test(test_modinfo),
		cmocka_unit_test(test_go_formats),
		cmocka_unit_test(test_go_hostile),
		cmocka_unit_test(test_cargo_lock),
		cmocka_unit_test(test_cargo_audit_scanner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
