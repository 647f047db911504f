/* util/utf8.c: see utf8.h. */
#include <stdint.h>

#include "util/utf8.h"

size_t bw_utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, cp = s[0] & 0x1F, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, cp = s[0] & 0x0F, min = 0x800;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

size_t bw_utf8_valid_prefix(const void *data, size_t n)
{
	const unsigned char *s = data;
	size_t i = 0;

	while (i < n) {
		if (s[i] < 0x80) { /* ASCII runs are most text: no call per byte */
			i++;
			continue;
		}
		size_t len = bw_utf8_seq_len(s + i, n - i);
		if (!len)
			return i;
		i += len;
	}
	return n;
}

bool bw_utf8_valid(const void *s, size_t n)
{
	return bw_utf8_valid_prefix(s, n) == n;
}
