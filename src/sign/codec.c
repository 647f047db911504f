/*
 * sign/codec.c: strict base64 and PEM for signatures and key files. Strict
 * because a signature annotation that decodes to the same bytes from two
 * spellings gives an attacker room; only DSSE, whose spec asks for it,
 * accepts the URL-safe alphabet too.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/cosign.h"

int bw_pem_decode(const char *what, const void *text, size_t len, char **label, uint8_t **der, size_t *der_len)
{
	static const char begin[] = "-----BEGIN ", dashes[] = "-----";
	const char *t = text, *end = t + len;
	char endline[128];

	*label = NULL;
	*der = NULL;
	if (len > BW_SIG_MAX_KEYFILE)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes, larger than %d for a PEM file", what, len,
				    BW_SIG_MAX_KEYFILE);
	const char *b = memmem(t, len, begin, sizeof(begin) - 1);
	if (!b)
		return bw_error_set(BW_EINPUT, "%s: no PEM block", what);
	const char *ls = b + sizeof(begin) - 1;
	const char *le = memmem(ls, (size_t)(end - ls), dashes, sizeof(dashes) - 1);
	if (!le || le - ls == 0 || le - ls > 64 || memchr(ls, '\n', (size_t)(le - ls)))
		return bw_error_set(BW_EINPUT, "%s: malformed PEM BEGIN line", what);
	size_t ll = (size_t)(le - ls);
	const char *body = le + sizeof(dashes) - 1;
	snprintf(endline, sizeof(endline), "-----END %.*s-----", (int)ll, ls);
	const char *e = memmem(body, (size_t)(end - body), endline, strlen(endline));
	if (!e)
		return bw_error_set(BW_EINPUT, "%s: PEM block \"%.*s\" has no END line", what, (int)ll, ls);
	/* headers (Proc-Type, DEK-Info) mean OpenSSL-encrypted PEM: not a format cosign writes */
	if (memchr(body, ':', (size_t)(e - body)))
		return bw_error_set(BW_EINPUT, "%s: PEM headers are not supported", what);
	*der = bw_b64_decode(body, (size_t)(e - body), false, true, der_len);
	if (!*der)
		return bw_error_set(BW_EINPUT, "%s: the PEM body is not valid base64", what);
	*label = strndup(ls, ll);
	if (!*label) {
		free(*der);
		*der = NULL;
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	return 0;
}

char *bw_pem_encode(const char *label, const void *der, size_t len)
{
	char *b = bw_base64_encode(der, len);
	if (!b)
		return NULL;
	size_t bl = strlen(b), n = bl + bl / 64 + 2 * strlen(label) + 64;
	char *out = malloc(n), *o = out;
	if (out) {
		o += snprintf(o, n, "-----BEGIN %s-----\n", label);
		for (size_t i = 0; i < bl; i += 64) {
			size_t c = bl - i < 64 ? bl - i : 64;
			memcpy(o, b + i, c);
			o += c;
			*o++ = '\n';
		}
		snprintf(o, n - (size_t)(o - out), "-----END %s-----\n", label);
	}
	free(b);
	return out;
}
