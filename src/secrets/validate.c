/*
 * secrets/validate.c: what turns a pattern match into a finding. Checksums
 * where the format has one (Luhn, ISO 7064 mod 97-10, GitHub's CRC-32),
 * ranges where the issuer publishes them (SSN areas, card issuer prefixes),
 * Shannon entropy and placeholder checks for the generic assignments, and the
 * redaction every finding goes through before it leaves the scanner.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "secrets/secrets_int.h"
#include "util/utf8.h"

double bw_secret_entropy(const char *s, size_t n)
{
	uint32_t count[256];
	unsigned char seen[256];
	size_t n_seen = 0;
	double h = 0;

	if (n == 0)
		return 0;
	/* only the symbols present are touched: candidates are short, the alphabet is not */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool fresh = true;
		for (size_t k = 0; k < n_seen && fresh; k++)
			fresh = seen[k] != c;
		if (fresh) {
			seen[n_seen++] = c;
			count[c] = 0;
		}
		count[c]++;
	}
	for (size_t k = 0; k < n_seen; k++) {
		double p = (double)count[seen[k]] / (double)n;
		h -= p * log2(p);
	}
	return h;
}

/* Case-insensitive substring test; word is lower case. Lowers at most 4 KiB of s into a
 * buffer once per call and lets memmem do the search. */
static bool icontains(const char *s, size_t n, const char *word)
{
	char low[SECRETS_KEEP + 64];
	size_t w = strlen(word);
	if (n > sizeof(low))
		n = sizeof(low);
	if (w > n)
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	return memmem(low, n, word, w) != NULL;
}

bool bw_secret_placeholder(const char *s, size_t n)
{
	static const char *const exact[] = { "password", "passwd", "secret", "changeme", "change_me", "null", "none",
					     "true", "false", "undefined", "example", "test", "testing", "admin",
					     "default", "required", "optional", "string", "your_password",
					     "mypassword", "password123", "notasecret" };
	static const char *const inside[] = { "${", "{{", "$(", "example", "xxxx", "****", "....", "changeme",
					      "placeholder", "your_", "your-", "dummy", "redacted", "sample",
					      "process.env", "os.environ", "getenv", "env[", "lookup(", "<%", "%}",
					      "fake", "secretkeyref" };
	char low[SECRETS_KEEP + 64];

	if (n == 0)
		return true;
	if (strchr("$%{<[(@*#", s[0]))
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == n && !strncasecmp(s, exact[i], n))
			return true;
	size_t ln = n < sizeof(low) ? n : sizeof(low);
	for (size_t i = 0; i < ln; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		if (memmem(low, ln, inside[i], strlen(inside[i])))
			return true;
	size_t same = 1;
	for (size_t i = 1; i < n; i++)
		if (s[i] == s[0])
			same++;
	return same == n;
}

/* FOO_BAR_MIN or module.attr.NAME: a name in code, not a value. */
static bool identifier_like(const char *s, size_t n)
{
	bool start = true, dot = false, under = false, lower = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (start)
				return false;
			dot = start = true;
			continue;
		}
		if (start && !(isalpha(c) || c == '_'))
			return false;
		if (!(isalnum(c) || c == '_'))
			return false;
		under |= c == '_';
		lower |= islower(c) != 0;
		start = false;
	}
	return !start && (dot || (under && !lower));
}

static bool has_digit_and_letter(const char *s, size_t n)
{
	bool d = false, a = false;
	for (size_t i = 0; i < n; i++) {
		d |= isdigit((unsigned char)s[i]) != 0;
		a |= isalpha((unsigned char)s[i]) != 0;
	}
	return d && a;
}

/* ------------------------------------------------------------ cards */

bool bw_secret_luhn(const char *d, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)(d[n - 1 - i] - '0');
		if (v > 9)
			return false;
		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return n > 0 && sum % 10 == 0;
}

static unsigned prefix_num(const char *d, size_t k)
{
	unsigned v = 0;
	for (size_t i = 0; i < k; i++)
		v = v * 10 + (unsigned)(d[i] - '0');
	return v;
}

/* Issuer identification ranges and lengths (ISO/IEC 7812 as the networks publish them). */
static bool issuer_ok(const char *d, size_t n)
{
	unsigned p1 = prefix_num(d, 1), p2 = prefix_num(d, 2), p3 = prefix_num(d, 3), p4 = prefix_num(d, 4);
	if (p1 == 4)                                     /* Visa */
		return n == 13 || n == 16 || n == 19;
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) /* Mastercard */
		return n == 16;
	if (p2 == 34 || p2 == 37)                        /* American Express */
		return n == 15;
	if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) /* Discover */
		return n >= 16 && n <= 19;
	if (p4 >= 3528 && p4 <= 3589)                    /* JCB */
		return n >= 16 && n <= 19;
	if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) /* Diners Club */
		return n >= 14 && n <= 19;
	if (p2 == 62)                                    /* UnionPay */
		return n >= 16 && n <= 19;
	return false;
}

bool bw_secret_card_ok(const char *s, size_t n)
{
	char d[32];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i])) {
			if (k == sizeof(d))
				return false;
			d[k++] = s[i];
		} else if (s[i] != ' ' && s[i] != '-') {
			return false;
		}
	}
	if (k < 13 || k > 19 || !issuer_ok(d, k) || !bw_secret_luhn(d, k))
		return false;
	/* a run of one digit, or mostly one digit, is filler, not a card */
	size_t same = 0;
	for (size_t i = 0; i < k; i++)
		same += d[i] == d[0];
	return same < k - 2;
}

/* Words that, just before a number, say it is an identifier and not a card. */
static bool id_context(const char *before, size_t n)
{
	static const char *const words[] = { "build", "version", "timestamp", "serial", "uuid", "nonce", "seed",
					     "order", "invoice", "tracking", "phone", "epoch", "inode", "checksum",
					     "crc", "offset", "size", "bytes", "port" };
	size_t from = n > 32 ? n - 32 : 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (icontains(before + from, n - from, words[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------ SSN, IBAN */

bool bw_secret_ssn_ok(const char *s, size_t n)
{
	if (n != 11 || s[3] != '-' || s[6] != '-')
		return false;
	unsigned area = prefix_num(s, 3), group = prefix_num(s + 4, 2), serial = prefix_num(s + 7, 4);
	if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
		return false;
	/* the SSNs printed in advertising and documentation */
	if (s[0] == s[1] && s[1] == s[2] && s[4] == s[5] && s[7] == s[8] && s[8] == s[9] && s[9] == s[10])
		return false; /* 111-22-3333: a made-up example */
	if (!strncmp(s, "078-05-1120", 11) || !strncmp(s, "219-09-9999", 11) || !strncmp(s, "123-45-6789", 11))
		return false;
	return true;
}

static int iban_length(const char *cc)
{
	static const struct { char cc[3]; int len; } t[] = {
		{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 }, { "BA", 20 }, { "BE", 16 },
		{ "BG", 22 }, { "BH", 22 }, { "BR", 29 }, { "BY", 28 }, { "CH", 21 }, { "CR", 22 }, { "CY", 28 },
		{ "CZ", 24 }, { "DE", 22 }, { "DK", 18 }, { "DO", 28 }, { "EE", 20 }, { "EG", 29 }, { "ES", 24 },
		{ "FI", 18 }, { "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 }, { "GL", 18 },
		{ "GR", 27 }, { "GT", 28 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 },
		{ "IS", 26 }, { "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 }, { "LC", 32 },
		{ "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 },
		{ "MK", 19 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NL", 18 }, { "NO", 15 }, { "PK", 24 },
		{ "PL", 28 }, { "PS", 29 }, { "PT", 25 }, { "QA", 29 }, { "RO", 24 }, { "RS", 22 }, { "SA", 24 },
		{ "SC", 31 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "TL", 23 }, { "TN", 24 },
		{ "TR", 26 }, { "UA", 29 }, { "VA", 22 }, { "VG", 24 }, { "XK", 20 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (cc[0] == t[i].cc[0] && cc[1] == t[i].cc[1])
			return t[i].len;
	return 0;
}

bool bw_secret_iban_ok(const char *s, size_t n)
{
	char c[40];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (k == sizeof(c) || !(isdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])))
			return false;
		c[k++] = s[i];
	}
	if (k < 15 || (int)k != iban_length(c))
		return false;
	/* ISO 7064 mod 97-10 over the rearranged number, letters as 10..35 */
	unsigned rem = 0;
	for (size_t j = 0; j < k; j++) {
		char ch = c[(j + 4) % k];
		if (isdigit((unsigned char)ch))
			rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
	}
	if (rem != 1)
		return false;
	/* the documentation examples (ECBS, Wikipedia) */
	static const char *const examples[] = { "GB82WEST12345698765432", "DE89370400440532013000",
						"GB29NWBK60161331926819", "FR1420041010050500013M02606" };
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		if (strlen(examples[i]) == k && !memcmp(examples[i], c, k))
			return false;
	return true;
}

/* ------------------------------------------------------------ tokens */

static const char B62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void bw_secret_gh_checksum(const char *body, size_t n, char out[7])
{
	unsigned long crc = crc32(0L, (const Bytef *)body, (uInt)n);
	for (int i = 5; i >= 0; i--) {
		out[i] = B62[crc % 62];
		crc /= 62;
	}
	out[6] = '\0';
}

bool bw_secret_gh_checksum_ok(const char *t, size_t n)
{
	const char *us = memchr(t, '_', n);
	if (!us)
		return false;
	size_t body = n - (size_t)(us + 1 - t);
	if (body != 36)
		return false;
	char sum[7];
	bw_secret_gh_checksum(us + 1, 30, sum);
	return !memcmp(sum, us + 31, 6);
}

static int b64_value(int c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* Decodes up to outsz bytes of (unpadded or padded) base64; returns the count or -1. */
static long b64_decode(const char *s, size_t n, bool url, unsigned char *out, size_t outsz)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	while (n && s[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)s[i], url);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsz)
				return (long)o;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)o;
}

bool bw_secret_jwt_ok(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	unsigned char hdr[256];
	if (!dot)
		return false;
	long k = b64_decode(s, (size_t)(dot - s), true, hdr, sizeof(hdr) - 1);
	if (k < 2 || hdr[0] != '{')
		return false;
	hdr[k] = '\0';
	return strstr((const char *)hdr, "\"alg\"") != NULL;
}

bool bw_secret_docker_auth_ok(const char *s, size_t n)
{
	unsigned char dec[800];
	long k = b64_decode(s, n, false, dec, sizeof(dec));
	if (k < 3)
		return false;
	const unsigned char *colon = memchr(dec, ':', (size_t)k);
	if (!colon || colon == dec || colon == dec + k - 1)
		return false;
	for (long i = 0; i < k; i++)
		if (dec[i] < 0x20 || dec[i] == 0x7f)
			return false;
	return !bw_secret_placeholder((const char *)colon + 1, (size_t)(dec + k - colon - 1));
}

/* ------------------------------------------------------------ the whole */

static bool keyword_near(const char *keywords, const char *s, size_t n, const char *before, size_t before_len)
{
	const char *k = keywords;
	while (*k) {
		size_t len = strcspn(k, "|");
		char word[64];
		if (len && len < sizeof(word)) {
			for (size_t i = 0; i < len; i++)
				word[i] = (char)tolower((unsigned char)k[i]);
			word[len] = '\0';
			if (icontains(before, before_len, word) || icontains(s, n, word))
				return true;
		}
		k += len + (k[len] == '|');
	}
	return false;
}

static bool text_value(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return bw_utf8_valid(s, n);
}

bool bw_secret_validate(const secret_rule *r, const char *s, size_t n, const char *before, size_t before_len)
{
	if (r->keywords && !keyword_near(r->keywords, s, n, before, before_len))
		return false;
	if (r->min_entropy > 0 && bw_secret_entropy(s, n) < r->min_entropy)
		return false;
	/* documentation examples (AWS's AKIAIOSFODNN7EXAMPLE and friends) */
	if (icontains(s, n, "example"))
		return false;
	switch (r->validator) {
	case VAL_NONE:
		return true;
	case VAL_ENTROPY:
		/* a value someone typed is text: control bytes or broken UTF-8 mean the
		 * "assignment" was read out of binary data (random bytes hold "pwd=" often) */
		if (!text_value(s, n))
			return false;
		/* code and URLs on the right of "token =" are not values */
		if (icontains(s, n, "://") || icontains(s, n, "()") || icontains(s, n, "::") || icontains(s, n, "->"))
			return false;
		if ((n > 5 && !strncmp(s, "self.", 5)) || (n > 5 && !strncmp(s, "this.", 5)))
			return false;
		/* a value of letters only is a word or an identifier; a secret has digits too */
		return !bw_secret_placeholder(s, n) && has_digit_and_letter(s, n) && !identifier_like(s, n);
	case VAL_PASSWORD:
		return !bw_secret_placeholder(s, n);
	case VAL_URL_AUTH: {
		/* the regex captures password@host, the password free of '@': split at the first */
		const char *at = memchr(s, '@', n);
		size_t pn = at ? (size_t)(at - s) : n;
		return pn >= 6 && !bw_secret_placeholder(s, pn) && bw_secret_entropy(s, pn) >= 2.5;
	}
	case VAL_GH_CRC32:
		return bw_secret_gh_checksum_ok(s, n);
	case VAL_LUHN: {
		/* the test numbers the card networks publish for integration tests */
		static const char *const test_cards[] = { "4111111111111111", "4242424242424242", "4012888888881881",
							  "5555555555554444", "5105105105105100", "378282246310005",
							  "371449635398431", "6011111111111117", "4000056655665556",
							  "5200828282828210", "3530111333300000", "30569309025904",
							  "4222222222222" };
		for (size_t i = 0; i < sizeof(test_cards) / sizeof(test_cards[0]); i++)
			if (strlen(test_cards[i]) == n && !memcmp(test_cards[i], s, n))
				return false;
		/* a number in a table of numbers ("5211 5212 5213 5214 ...") is not a card */
		if (before_len >= 2 && (before[before_len - 1] == ' ' || before[before_len - 1] == '-') &&
		    isalnum((unsigned char)before[before_len - 2]))
			return false;
		return bw_secret_card_ok(s, n) && !id_context(before, before_len);
	}
	case VAL_SSN:
		return bw_secret_ssn_ok(s, n) && !id_context(before, before_len);
	case VAL_IBAN:
		return bw_secret_iban_ok(s, n);
	case VAL_JWT:
		return bw_secret_jwt_ok(s, n);
	case VAL_DOCKER_AUTH:
		return bw_secret_docker_auth_ok(s, n);
	}
	return false;
}

void bw_secret_redact(const char *s, size_t n, char *out, size_t outsz)
{
	size_t keep = n >= 20 ? 4 : n >= 12 ? 2 : n >= 8 ? 1 : 0;
	size_t shown = n < SECRETS_REDACTED_MAX ? n : SECRETS_REDACTED_MAX;
	size_t o = 0;

	if (outsz == 0)
		return;
	if (shown >= outsz)
		shown = outsz - 1;
	if (shown < 2 * keep)
		keep = 0;
	for (size_t i = 0; i < shown; i++) {
		char c;
		if (i < keep)
			c = s[i];
		else if (i >= shown - keep)
			c = s[n - (shown - i)];
		else
			c = '*';
		/* a redacted match is printed: keep it one line of printable ASCII */
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			c = '?';
		out[o++] = c;
	}
	out[o] = '\0';
}
