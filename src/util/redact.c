#include <ctype.h>
#include <string.h>

#include "util/redact.h"

bool bw_secret_name(const char *name, size_t len)
{
	static const char *const words[] = { "PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN",
					     "APIKEY", "API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL",
					     "AUTH", "SESSION", "COOKIE" };
	char up[128];
	if (len == 0 || len >= sizeof(up))
		return false;
	for (size_t i = 0; i < len; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[len] = '\0';
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
		if (strstr(up, words[w]))
			return true;
	return false;
}

void bw_mask_value(char *v, size_t len)
{
	size_t keep = len >= 12 ? 4 : 0;
	for (size_t i = keep; i < len - keep; i++)
		v[i] = '*';
}

static bool name_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

void bw_redact(const char *text, bool whole_value, char *out, size_t outsz)
{
	size_t n = strlen(text);
	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, text, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (out[i] != '=')
			continue;
		size_t start = i;
		while (start > 0 && name_char((unsigned char)out[start - 1]))
			start--;
		if (!bw_secret_name(out + start, i - start))
			continue;
		size_t end = i + 1;
		if (whole_value)
			end = n;
		else
			while (end < n && !isspace((unsigned char)out[end]) && out[end] != '"' && out[end] != '\'' &&
			       out[end] != ';' && out[end] != '&')
				end++;
		/* "${VAR}" and "$VAR" are references, not secrets */
		if (end > i + 1 && out[i + 1] != '$')
			bw_mask_value(out + i + 1, end - i - 1);
		if (whole_value)
			break;
		i = end;
	}
}
