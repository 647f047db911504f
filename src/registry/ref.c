/*
 * registry/ref.c: registry references as Docker and containers/image read
 * them (distribution/reference's grammar): [docker://][HOST/]NAME[:TAG][@DIGEST].
 */
#include <stdio.h>
#include <string.h>

#include "bulwark/errors.h"
#include "registry/registry.h"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool valid_component(const char *s, size_t n)
{
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (is_lower_alnum(s[i]))
			continue;
		if (s[i] == '.' && is_lower_alnum(s[i + 1]))
			continue;
		if (s[i] == '_') {
			if (s[i + 1] == '_')
				i++;
			if (is_lower_alnum(s[i + 1]))
				continue;
			return false;
		}
		if (s[i] == '-') {
			while (s[i + 1] == '-')
				i++;
			if (is_lower_alnum(s[i + 1]))
				continue;
			return false;
		}
		return false;
	}
	return true;
}

static bool valid_host(const char *s, size_t n)
{
	if (n == 0 || n >= BW_REG_MAX_HOST)
		return false;
	/* HOST:PORT: the port is 1 to 5 digits ([v6]:port keeps its colons inside brackets) */
	const char *colon = memrchr(s, ':', n), *bracket = memrchr(s, ']', n);
	if (colon && (!bracket || colon > bracket)) {
		size_t digits = n - (size_t)(colon - s) - 1;
		if (digits == 0 || digits > 5)
			return false;
		for (const char *p = colon + 1; p < s + n; p++)
			if (*p < '0' || *p > '9')
				return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '-' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

static bool valid_tag(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > BW_REG_MAX_TAG)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		if (!word && (i == 0 || (c != '.' && c != '-')))
			return false;
	}
	return true;
}

int bw_reg_ref_parse(const char *text, bw_reg_ref *out)
{
	char buf[BW_REG_MAX_HOST + BW_REG_MAX_NAME + BW_REG_MAX_TAG + BW_DIGEST_TEXT_MAX + 16];
	const char *orig = text;

	memset(out, 0, sizeof(*out));
	if (!strncmp(text, "docker://", 9))
		text += 9;
	if (strlen(text) >= sizeof(buf))
		return bw_error_set(BW_EUSAGE, "image reference \"%.100s...\" is too long", orig);
	memcpy(buf, text, strlen(text) + 1);

	char *at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (bw_digest_parse(orig, at + 1, &out->digest) < 0)
			return bw_error_set(BW_EUSAGE, "image reference \"%s\": \"%s\" is not a digest", orig, at + 1);
		out->has_digest = true;
	}
	char *slash = strchr(buf, '/');
	char *rest = buf;
	const char *host = "docker.io";
	size_t host_len = 9;
	if (slash) {
		size_t first = (size_t)(slash - buf);
		bool is_host = memchr(buf, '.', first) || memchr(buf, ':', first) ||
			       (first == 9 && !strncmp(buf, "localhost", 9));
		/* uppercase is never valid in a repository name, so it marks a host too */
		for (size_t i = 0; i < first && !is_host; i++)
			if (buf[i] >= 'A' && buf[i] <= 'Z')
				is_host = true;
		if (is_host) {
			if (!valid_host(buf, first))
				return bw_error_set(BW_EUSAGE, "image reference \"%s\": \"%.*s\" is not a registry host",
						    orig, (int)first, buf);
			host = buf;
			host_len = first;
			rest = slash + 1;
		}
	}
	char *colon = strrchr(rest, ':');
	if (colon) {
		*colon = '\0';
		if (!valid_tag(colon + 1))
			return bw_error_set(BW_EUSAGE, "image reference \"%s\": \"%s\" is not a valid tag", orig, colon + 1);
		memcpy(out->tag, colon + 1, strlen(colon + 1) + 1);
	}
	/* the repository name: components separated by '/' */
	size_t name_len = strlen(rest);
	if (name_len == 0)
		return bw_error_set(BW_EUSAGE, "image reference \"%s\" names no repository", orig);
	for (char *p = rest;;) {
		char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!valid_component(p, n))
			return bw_error_set(BW_EUSAGE,
					    "image reference \"%s\": \"%.*s\" is not a valid repository name component "
					    "(lowercase letters, digits and . _ - separators)",
					    orig, (int)n, p);
		if (!e)
			break;
		p = e + 1;
	}
	bool hub = host_len == 9 && !strncmp(host, "docker.io", 9);
	if (host_len == 15 && !strncmp(host, "index.docker.io", 15))
		hub = true;
	if (hub) {
		snprintf(out->host, sizeof(out->host), "registry-1.docker.io");
		if (!strchr(rest, '/'))
			snprintf(out->name, sizeof(out->name), "library/%s", rest);
		else if (name_len < sizeof(out->name))
			memcpy(out->name, rest, name_len + 1);
		else
			return bw_error_set(BW_EUSAGE, "image reference \"%s\": the repository name is too long", orig);
		if (strlen(out->name) >= sizeof(out->name) - 1)
			return bw_error_set(BW_EUSAGE, "image reference \"%s\": the repository name is too long", orig);
	} else {
		if (name_len >= sizeof(out->name))
			return bw_error_set(BW_EUSAGE, "image reference \"%s\": the repository name is too long", orig);
		memcpy(out->host, host, host_len);
		out->host[host_len] = '\0';
		memcpy(out->name, rest, name_len + 1);
	}
	if (!out->tag[0] && !out->has_digest)
		snprintf(out->tag, sizeof(out->tag), "latest");
	snprintf(out->display, sizeof(out->display), "%s/%s", hub ? "docker.io" : out->host, out->name);
	return 0;
}

const char *bw_reg_ref_reference(const bw_reg_ref *r)
{
	return r->has_digest ? r->digest.text : r->tag;
}
