/*
 * tests/fuzz/fuzz_registry.c: the parsers of what registries and token servers send.
 *
 * The first byte picks the parser, the rest is its input:
 *   0  WWW-Authenticate challenge (bw_reg_challenge_parse)
 *   1  token response JSON (bw_reg_token_parse)
 *   2  Link header (bw_reg_link_next)
 *   3  referrers index (bw_reg_referrers_parse), fed twice to exercise appending
 *   4  image reference (bw_reg_ref_parse)
 *   5  base64 (bw_base64_decode, then encode and decode again: must round-trip)
 * Header parsers get a NUL-terminated copy, as libcurl hands headers over.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0] % 6;
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	char *text = malloc(n + 1);
	if (!text)
		return 0;
	memcpy(text, in, n);
	text[n] = '\0';

	switch (which) {
	case 0: {
		bw_reg_challenge c;
		if (bw_reg_challenge_parse("fuzz", text, &c) == 0) {
			touch(c.scheme);
			touch(c.realm);
			touch(c.service);
			touch(c.scope);
			touch(c.error);
			if (strcmp(c.scheme, "bearer") && strcmp(c.scheme, "basic"))
				abort(); /* only the schemes we can answer are returned */
		}
		bw_reg_challenge_free(&c);
		break;
	}
	case 1: {
		char *tok = NULL;
		long exp = 0;
		if (bw_reg_token_parse("fuzz", in, n, &tok, &exp) == 0) {
			/* a token goes into a header: no control bytes or spaces, ever */
			for (const char *p = tok; *p; p++)
				if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
					abort();
			if (exp < 60 || exp > 86400)
				abort();
		}
		free(tok);
		break;
	}
	case 2: {
		char *next = bw_reg_link_next(text);
		touch(next);
		free(next);
		break;
	}
	case 3: {
		bw_reg_referrers list = { 0 };
		if (bw_reg_referrers_parse("fuzz", in, n, &list) == 0)
			bw_reg_referrers_parse("fuzz", in, n, &list);
		for (size_t i = 0; i < list.n; i++) {
			touch(list.v[i].digest.text);
			touch(list.v[i].media_type);
			touch(list.v[i].artifact_type);
			for (size_t k = 0; k < list.v[i].n_annotations; k++) {
				touch(list.v[i].keys[k]);
				touch(list.v[i].values[k]);
			}
		}
		bw_reg_referrers_free(&list);
		break;
	}
	case 4: {
		bw_reg_ref r;
		if (bw_reg_ref_parse(text, &r) == 0) {
			touch(r.host);
			touch(r.name);
			touch(r.tag);
			touch(r.display);
			touch(bw_reg_ref_reference(&r));
			if (!r.host[0] || !r.name[0] || (!r.tag[0] && !r.has_digest))
				abort();
		}
		break;
	}
	case 5: {
		size_t len;
		char *dec = bw_base64_decode(text, &len);
		if (dec) {
			char *enc = bw_base64_encode(dec, len);
			size_t len2;
			char *dec2 = enc ? bw_base64_decode(enc, &len2) : NULL;
			if (enc && (!dec2 || len2 != len || memcmp(dec, dec2, len)))
				abort();
			free(dec2);
			free(enc);
			free(dec);
		}
		break;
	}
	}
	touch(bw_error_last()->message);
	bw_error_clear();
	free(text);
	return 0;
}
