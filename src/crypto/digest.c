#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "crypto/digest.h"

struct bw_hasher {
	EVP_MD_CTX *ctx;
	bw_digest_alg alg;
};

static const struct {
	const char *name;
	size_t hexlen;
} algs[] = {
	[BW_SHA256] = { "sha256", 64 },
	[BW_SHA512] = { "sha512", 128 },
};

const char *bw_digest_alg_name(bw_digest_alg alg)
{
	return algs[alg].name;
}

const char *bw_digest_hex(const bw_digest *d)
{
	return d->text + strlen(algs[d->alg].name) + 1;
}

int bw_digest_parse(const char *what, const char *text, bw_digest *out)
{
	const char *colon = text ? strchr(text, ':') : NULL;

	if (!colon)
		return bw_error_set(BW_EINPUT, "%s: digest \"%.80s\" has no algorithm prefix", what,
				    text ? text : "");
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		size_t nlen = strlen(algs[a].name);
		if ((size_t)(colon - text) != nlen || strncmp(text, algs[a].name, nlen) != 0)
			continue;
		const char *hex = colon + 1;
		size_t n = strlen(hex);
		if (n != algs[a].hexlen)
			return bw_error_set(BW_EINPUT, "%s: digest \"%.80s\" has %zu hex digits, not %zu",
					    what, text, n, algs[a].hexlen);
		for (size_t i = 0; i < n; i++)
			if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
				return bw_error_set(BW_EINPUT,
						    "%s: digest \"%.80s\" is not lowercase hex", what,
						    text);
		out->alg = (bw_digest_alg)a;
		memcpy(out->text, text, nlen + 1 + n + 1);
		return 0;
	}
	return bw_error_set(BW_EINPUT, "%s: unsupported digest algorithm in \"%.80s\"", what, text);
}

static const EVP_MD *md_of(bw_digest_alg alg)
{
	return alg == BW_SHA512 ? EVP_sha512() : EVP_sha256();
}

bw_hasher *bw_hasher_new(bw_digest_alg alg)
{
	bw_hasher *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->alg = alg;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, md_of(alg), NULL) != 1) {
		bw_hasher_free(h);
		return NULL;
	}
	return h;
}

void bw_hasher_update(bw_hasher *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void bw_hasher_final(bw_hasher *h, bw_digest *out)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hexd[] = "0123456789abcdef";
	size_t o;

	EVP_DigestFinal_ex(h->ctx, raw, &n);
	out->alg = h->alg;
	o = strlen(algs[h->alg].name);
	memcpy(out->text, algs[h->alg].name, o);
	out->text[o++] = ':';
	for (unsigned int i = 0; i < n; i++) {
		out->text[o++] = hexd[raw[i] >> 4];
		out->text[o++] = hexd[raw[i] & 15];
	}
	out->text[o] = '\0';
}

void bw_hasher_free(bw_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int bw_digest_buffer(bw_digest_alg alg, const void *data, size_t len, bw_digest *out)
{
	bw_hasher *h = bw_hasher_new(alg);
	if (!h)
		return bw_error_set(BW_EINTERNAL, "cannot create a %s hasher", algs[alg].name);
	bw_hasher_update(h, data, len);
	bw_hasher_final(h, out);
	bw_hasher_free(h);
	return 0;
}
