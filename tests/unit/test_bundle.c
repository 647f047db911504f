/*
 * Unit tests for src/sign (keyless verification pieces) and src/crypto/pki:
 * RFC 6962 Merkle inclusion proofs against the RFC's own recursive
 * definitions (MTH and PATH, §2.1) and the published roots of the 8-leaf
 * reference tree; signed-note checkpoints (parsing, key hints, signatures
 * made here with a fresh Ed25519 key); the SET's canonical JSON; DSSE PAE (the
 * DSSE spec's example); strict base64; RFC 3339; SCT list framing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "bulwark/errors.h"
#include "crypto/pki.h"
#include "sign/bundle.h"
#include "sign/checkpoint.h"
#include "sign/merkle.h"
#include "sign/rekor.h"
#include "sign/trustroot.h"
#include "sign/x509.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* ------------------------------------------------------------------ Merkle */

/* The 8 leaves of the RFC 6962 reference tree (certificate-transparency tests). */
static const struct {
	const char *data;
	size_t len;
} leaves[8] = {
	{ "", 0 },
	{ "\x00", 1 },
	{ "\x10", 1 },
	{ "\x20\x21", 2 },
	{ "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 },
	{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16 },
};

/* Published roots of the first n leaves, n = 1..8. */
static const char *roots_hex[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void hex_decode(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static size_t split_point(size_t n) /* largest power of two < n */
{
	size_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* RFC 6962 §2.1: MTH(D[lo:hi]) */
static void mth(size_t lo, size_t hi, uint8_t out[32])
{
	if (hi - lo == 1) {
		bw_merkle_leaf_hash(leaves[lo].data, leaves[lo].len, out);
		return;
	}
	size_t k = split_point(hi - lo);
	uint8_t buf[65];
	buf[0] = 1;
	mth(lo, lo + k, buf + 1);
	mth(lo + k, hi, buf + 33);
	bw_sha256(buf, sizeof(buf), out);
}

/* RFC 6962 §2.1.1: PATH(m, D[lo:hi]) appended to path */
static void rfc_path(size_t m, size_t lo, size_t hi, uint8_t (*path)[32], size_t *n)
{
	if (hi - lo == 1)
		return;
	size_t k = split_point(hi - lo);
	if (m < k) {
		rfc_path(m, lo, lo + k, path, n);
		mth(lo + k, hi, path[(*n)++]);
	} else {
		rfc_path(m - k, lo + k, hi, path, n);
		mth(lo, lo + k, path[(*n)++]);
	}
}

static void test_merkle_reference_roots(void **state)
{
	(void)state;
	for (size_t n = 1; n <= 8; n++) {
		uint8_t got[32], want[32];
		mth(0, n, got);
		hex_decode(roots_hex[n - 1], want, 32);
		assert_memory_equal(got, want, 32);
	}
}

static void test_merkle_every_proof(void **state)
{
	(void)state;
	for (size_t n = 1; n <= 8; n++) {
		uint8_t root[32];
		hex_decode(roots_hex[n - 1], root, 32);
		for (size_t m = 0; m < n; m++) {
			uint8_t path[8][32], leaf[32];
			size_t np = 0;
			rfc_path(m, 0, n, path, &np);
			bw_merkle_leaf_hash(leaves[m].data, leaves[m].len, leaf);
			assert_int_equal(bw_merkle_verify_inclusion("t", m, n, leaf,
								    (const uint8_t (*)[32])path, np, root), 0);
			/* Every single change must fail: another index, size, leaf, a flipped path bit. */
			if (n > 1) {
				assert_int_not_equal(bw_merkle_verify_inclusion("t", (m + 1) % n, n, leaf,
							(const uint8_t (*)[32])path, np, root), 0);
				path[0][31] ^= 1;
				assert_int_equal(bw_merkle_verify_inclusion("t", m, n, leaf,
							(const uint8_t (*)[32])path, np, root), BW_EPOLICY);
				path[0][31] ^= 1;
				assert_int_not_equal(bw_merkle_verify_inclusion("t", m, n, leaf,
							(const uint8_t (*)[32])path, np - 1, root), 0);
			}
			/* The proof does not lead to the next tree's root. (With the same
			 * root but size n + 1 it may: the size alone is bound by the
			 * signed checkpoint, not by the path.) */
			if (n < 8) {
				uint8_t next[32];
				hex_decode(roots_hex[n], next, 32);
				assert_int_equal(bw_merkle_verify_inclusion("t", m, n + 1, leaf,
							(const uint8_t (*)[32])path, np, next), BW_EPOLICY);
			}
			leaf[0] ^= 1;
			assert_int_equal(bw_merkle_verify_inclusion("t", m, n, leaf,
						(const uint8_t (*)[32])path, np, root), BW_EPOLICY);
		}
	}
}

static void test_merkle_bounds(void **state)
{
	(void)state;
	uint8_t z[65][32] = { { 0 } }, leaf[32] = { 0 };
	assert_int_equal(bw_merkle_verify_inclusion("t", 5, 5, leaf, (const uint8_t (*)[32])z, 3, leaf),
			 BW_EINPUT);
	assert_int_equal(bw_merkle_verify_inclusion("t", 0, 0, leaf, (const uint8_t (*)[32])z, 0, leaf),
			 BW_EINPUT);
	assert_int_equal(bw_merkle_verify_inclusion("t", 0, UINT64_MAX, leaf,
						    (const uint8_t (*)[32])z, 65, leaf), BW_EINPUT);
	assert_contains(bw_error_last()->message, "at most 64");
	/* A one-leaf tree: the leaf is the root, the path is empty. */
	assert_int_equal(bw_merkle_verify_inclusion("t", 0, 1, leaf, (const uint8_t (*)[32])z, 0, leaf), 0);
}

/* ------------------------------------------------------------------ checkpoints */

typedef struct signer {
	EVP_PKEY *pkey;
	bw_pki_key *pub;
	uint8_t id[32];
} signer;

static void signer_new(signer *s)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	unsigned char *der = NULL;
	s->pkey = NULL;
	assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
	assert_int_equal(EVP_PKEY_keygen(ctx, &s->pkey), 1);
	EVP_PKEY_CTX_free(ctx);
	int n = i2d_PUBKEY(s->pkey, &der);
	assert_true(n > 0);
	assert_int_equal(bw_pki_key_from_der("test key", der, (size_t)n, &s->pub), 0);
	OPENSSL_free(der);
	assert_int_equal(bw_pki_key_id(s->pub, s->id), 0);
}

static void signer_free(signer *s)
{
	EVP_PKEY_free(s->pkey);
	bw_pki_key_free(s->pub);
}

static char *b64(const uint8_t *d, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc((n + 2) / 3 * 4 + 1), *p = s;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
			     (i + 2 < n ? d[i + 2] : 0);
		*p++ = t[w >> 18 & 63];
		*p++ = t[w >> 12 & 63];
		*p++ = i + 1 < n ? t[w >> 6 & 63] : '=';
		*p++ = i + 2 < n ? t[w & 63] : '=';
	}
	*p = 0;
	return s;
}

/* "— NAME base64(hint || Ed25519(body))" */
static char *sig_line(const signer *s, const uint8_t hint[4], const char *name, const char *body)
{
	uint8_t raw[4 + 64];
	size_t sl = 64;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit(m, NULL, NULL, NULL, s->pkey), 1);
	assert_int_equal(EVP_DigestSign(m, raw + 4, &sl, (const uint8_t *)body, strlen(body)), 1);
	EVP_MD_CTX_free(m);
	memcpy(raw, hint, 4);
	char *e = b64(raw, 4 + sl);
	size_t cap = strlen(name) + strlen(e) + 16;
	char *line = malloc(cap);
	snprintf(line, cap, "\xe2\x80\x94 %s %s\n", name, e);
	free(e);
	return line;
}

static const char BODY[] = "example.org/log\n736\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n";

static void test_checkpoint_parse_and_verify(void **state)
{
	(void)state;
	signer log, witness;
	bw_checkpoint cp;
	char note[1024];

	signer_new(&log);
	signer_new(&witness);
	char *wl = sig_line(&witness, witness.id, "witness.example", BODY);
	char *ll = sig_line(&log, log.id, "example.org/log", BODY);
	/* The witness line first: the verifier must not assume the log signs first. */
	snprintf(note, sizeof(note), "%s\n%s%s", BODY, wl, ll);
	assert_int_equal(bw_checkpoint_parse("cp", note, strlen(note), &cp), 0);
	assert_string_equal(cp.origin, "example.org/log");
	assert_int_equal(cp.tree_size, 736);
	assert_int_equal(cp.n_sigs, 2);
	assert_int_equal(cp.signed_len, strlen(BODY));
	assert_int_equal(bw_checkpoint_verify("cp", &cp, log.pub, log.id, 32), 0);
	/* The witness key verifies its own line; a key with no line does not. */
	assert_int_equal(bw_checkpoint_verify("cp", &cp, witness.pub, witness.id, 32), 0);
	uint8_t other_id[32];
	memcpy(other_id, log.id, 32);
	other_id[0] ^= 0xff;
	assert_int_equal(bw_checkpoint_verify("cp", &cp, log.pub, other_id, 32), BW_EPOLICY);
	assert_contains(bw_error_last()->message, "key hint");
	/* Right hint, wrong key. */
	assert_int_equal(bw_checkpoint_verify("cp", &cp, witness.pub, log.id, 32), BW_EPOLICY);
	bw_checkpoint_free(&cp);

	/* A body changed after signing (tree size 737) no longer verifies. */
	snprintf(note, sizeof(note), "example.org/log\n737\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n%s", ll);
	assert_int_equal(bw_checkpoint_parse("cp", note, strlen(note), &cp), 0);
	assert_int_equal(bw_checkpoint_verify("cp", &cp, log.pub, log.id, 32), BW_EPOLICY);
	bw_checkpoint_free(&cp);

	/* Extension lines belong to the signed body. */
	char ext_body[256];
	snprintf(ext_body, sizeof(ext_body), "%sTimestamp: 1689177396617352539\n", BODY);
	char *el = sig_line(&log, log.id, "example.org/log", ext_body);
	snprintf(note, sizeof(note), "%s\n%s", ext_body, el);
	assert_int_equal(bw_checkpoint_parse("cp", note, strlen(note), &cp), 0);
	assert_int_equal(bw_checkpoint_verify("cp", &cp, log.pub, log.id, 32), 0);
	bw_checkpoint_free(&cp);

	free(wl);
	free(ll);
	free(el);
	signer_free(&log);
	signer_free(&witness);
}

static void test_checkpoint_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *note, *msg;
	} bad[] = {
		{ "", "newline" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", "no signature lines" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\x2d o AAAAAAAA\n", "blank line" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n- o AAAAAAAA\n", "start with" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAA\n", "key hint" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAAAAAA x\n", "two fields" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 AAAAAAAA\n", "NAME" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAAAAA*\n", "base64" },
		{ "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAAAAAA\n", "tree size" },
		{ "o\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAAAAAA\n", "tree size" },
		{ "o\n1\nAAAA\n\n\xe2\x80\x94 o AAAAAAAA\n", "not 32" },
		{ "o\n1\n\n\xe2\x80\x94 o AAAAAAAA\n", "needs origin" },
		{ "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAAAAAA\n", "empty origin" },
		{ "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o AAAAAAAA", "newline" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bw_checkpoint cp;
		int rc = bw_checkpoint_parse("cp", bad[i].note, strlen(bad[i].note), &cp);
		if (rc != BW_EINPUT)
			fail_msg("case %zu parsed (rc %d)", i, rc);
		assert_contains(bw_error_last()->message, bad[i].msg);
	}
	/* 100 signature lines pass, 101 do not. */
	static const char head[] = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n";
	static const char line[] = "\xe2\x80\x94 o AAAAAAAA\n";
	size_t len = sizeof(head) - 1;
	char *note = malloc(sizeof(head) + 101 * sizeof(line));
	memcpy(note, head, len);
	for (int i = 0; i < 100; i++, len += sizeof(line) - 1)
		memcpy(note + len, line, sizeof(line) - 1);
	note[len] = 0;
	bw_checkpoint cp;
	assert_int_equal(bw_checkpoint_parse("cp", note, strlen(note), &cp), 0);
	assert_int_equal(cp.n_sigs, 100);
	bw_checkpoint_free(&cp);
	memcpy(note + len, line, sizeof(line));
	assert_int_equal(bw_checkpoint_parse("cp", note, strlen(note), &cp), BW_EINPUT);
	free(note);
}

/* ------------------------------------------------------------------ SET, PAE */

static void test_set_canonical_json(void **state)
{
	(void)state;
	bw_tlog_entry e = { 0 };
	char *s;
	size_t n;
	e.body_b64 = "eyJhIjoxfQ==";
	e.integrated_time = 1689177396;
	e.has_integrated_time = true;
	e.log_index = 27246492;
	hex_decode("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d", e.log_id, 32);
	e.log_id_len = 32;
	assert_int_equal(bw_rekor_set_payload(&e, &s, &n), 0);
	/* Keys sorted (body, integratedTime, logID, logIndex), no spaces, lowercase hex. */
	assert_string_equal(s, "{\"body\":\"eyJhIjoxfQ==\",\"integratedTime\":1689177396,"
			       "\"logID\":\"c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d\","
			       "\"logIndex\":27246492}");
	assert_int_equal(n, strlen(s));
	free(s);
	/* Largest int64 values still fit. */
	e.integrated_time = INT64_MAX;
	e.log_index = INT64_MAX;
	assert_int_equal(bw_rekor_set_payload(&e, &s, &n), 0);
	assert_contains(s, "\"logIndex\":9223372036854775807}");
	free(s);
}

static void test_dsse_pae(void **state)
{
	(void)state;
	uint8_t *p;
	size_t n;
	/* The DSSE protocol document's example. */
	assert_int_equal(bw_bundle_pae("http://example.com/HelloWorld", (const uint8_t *)"hello world", 11,
				     &p, &n), 0);
	assert_int_equal(n, strlen("DSSEv1 29 http://example.com/HelloWorld 11 hello world"));
	assert_memory_equal(p, "DSSEv1 29 http://example.com/HelloWorld 11 hello world", n);
	free(p);
	assert_int_equal(bw_bundle_pae("", (const uint8_t *)"", 0, &p, &n), 0);
	assert_memory_equal(p, "DSSEv1 0  0 ", n);
	free(p);
}

/* ------------------------------------------------------------------ base64, time */

static void test_base64_strict(void **state)
{
	(void)state;
	uint8_t *o;
	size_t n;
	assert_int_equal(bw_b64_strict_decode("t", "aGVsbG8=", 100, &o, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(o, "hello", 5);
	free(o);
	assert_int_equal(bw_b64_strict_decode("t", "", 100, &o, &n), 0);
	assert_int_equal(n, 0);
	free(o);
	static const char *bad[] = { "aGVsbG8", "aGVs bG8=", "aGVsbG9=", "aG=sbG8=", "aGVsbG8*", "====",
				     "aGVsbG8=\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (bw_b64_strict_decode("t", bad[i], 100, &o, &n) != BW_EINPUT)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(bw_b64_strict_decode("t", "aGVsbG8=", 4, &o, &n), BW_EINPUT);
	assert_contains(bw_error_last()->message, "limit 4");
}

static void test_rfc3339(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(bw_rfc3339_parse("t", "2021-01-12T11:53:27Z", &t), 0);
	assert_int_equal(t, 1610452407);
	assert_int_equal(bw_rfc3339_parse("t", "2022-12-31T23:59:59.999Z", &t), 0);
	assert_int_equal(t, 1672531199);
	assert_int_equal(bw_rfc3339_parse("t", "2021-01-12T12:53:27+01:00", &t), 0);
	assert_int_equal(t, 1610452407);
	static const char *bad[] = { "2021-01-12", "2021-01-12T11:53:27", "2021-13-12T11:53:27Z",
				     "2021-01-12T11:53:27.Z", "2021-01-12T11:53:27Zx", "x021-01-12T11:53:27Z",
				     "2021-01-12T11:53:27.1234567890Z" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (bw_rfc3339_parse("t", bad[i], &t) != BW_EINPUT)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void test_trustroot_rejects(void **state)
{
	(void)state;
	bw_trustroot tr;
	static const char *bad[] = {
		"[]",
		"{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=9\"}",
		"{\"tlogs\":[{\"publicKey\":{\"rawBytes\":\"AAAA\",\"validFor\":{\"start\":\"2021-01-12T11:53:27Z\"}},\"logId\":{\"keyId\":\"AAAA\"}}]}",
		"{\"tlogs\":[{\"logId\":{\"keyId\":\"AAAA\"}}]}",
		"{\"timestampAuthorities\":[{\"certChain\":{\"certificates\":[{\"rawBytes\":\"MAA=\"}]}}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (bw_trustroot_parse("root", bad[i], strlen(bad[i]), &tr) != BW_EINPUT)
			fail_msg("accepted root %zu", i);
	assert_int_equal(bw_trustroot_parse("root", "{}", 2, &tr), 0);
	assert_int_equal(tr.n_tlogs + tr.n_cas + tr.n_ctlogs + tr.n_tsas, 0);
	bw_trustroot_free(&tr);
	/* An authority without certificates is kept (it verifies nothing), not fatal. */
	static const char empty[] = "{\"timestampAuthorities\":[{\"certChain\":{\"certificates\":[]},"
				    "\"validFor\":{\"start\":\"2025-06-01T00:00:00Z\"}}]}";
	assert_int_equal(bw_trustroot_parse("root", empty, strlen(empty), &tr), 0);
	assert_int_equal(tr.n_tsas, 1);
	assert_int_equal(tr.tsas[0].n_certs, 0);
	bw_trustroot_free(&tr);
}

/* ------------------------------------------------------------------ SCT framing */

static void test_sct_list(void **state)
{
	(void)state;
	/* OCTET STRING { list_len(2) { sct_len(2) { v1, id[32], ts(8), ext_len(2)=2, ext, 4, 3, sig_len(2)=2, sig } } } */
	uint8_t sct[1 + 32 + 8 + 2 + 2 + 2 + 2 + 2];
	size_t k = 0;
	sct[k++] = 0;
	memset(sct + k, 0xab, 32);
	k += 32;
	for (int i = 0; i < 8; i++)
		sct[k++] = (uint8_t)(i == 7 ? 5 : 0);
	sct[k++] = 0;
	sct[k++] = 2;
	sct[k++] = 0xee;
	sct[k++] = 0xff;
	sct[k++] = 4;
	sct[k++] = 3;
	sct[k++] = 0;
	sct[k++] = 2;
	sct[k++] = 0x30;
	sct[k++] = 0x00;
	uint8_t ext[2 + 2 + 2 + sizeof(sct)];
	ext[0] = 0x04;
	ext[1] = (uint8_t)(sizeof(ext) - 2);
	ext[2] = 0;
	ext[3] = (uint8_t)(sizeof(sct) + 2);
	ext[4] = 0;
	ext[5] = (uint8_t)sizeof(sct);
	memcpy(ext + 6, sct, sizeof(sct));
	bw_sct out[4];
	size_t n;
	assert_int_equal(bw_sct_list_parse("sct", ext, sizeof(ext), out, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].timestamp_ms, 5);
	assert_int_equal(out[0].extensions_len, 2);
	assert_int_equal(out[0].sig_len, 2);
	assert_int_equal(out[0].log_id[0], 0xab);
	/* Every truncation is rejected, never read past. */
	for (size_t cut = 0; cut < sizeof(ext); cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, ext, cut);
		if (cut >= 2)
			copy[1] = (uint8_t)(cut - 2);
		assert_int_equal(bw_sct_list_parse("sct", copy, cut, out, 4, &n), BW_EINPUT);
		free(copy);
	}
	assert_int_equal(bw_sct_list_parse("sct", ext, sizeof(ext), out, 0, &n), BW_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merkle_reference_roots),
		cmocka_unit_test(test_merkle_every_proof),
		cmocka_unit_test(test_merkle_bounds),
		cmocka_unit_test(test_checkpoint_parse_and_verify),
		cmocka_unit_test(test_checkpoint_malformed),
		cmocka_unit_test(test_set_canonical_json),
		cmocka_unit_test(test_dsse_pae),
		cmocka_unit_test(test_base64_strict),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_trustroot_rejects),
		cmocka_unit_test(test_sct_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
