/*
 * inventory/ruby.c: Ruby gems (inventory/ruby.h).
 *
 * A gemspec stub is Ruby code; running it is out of the question, so the
 * lines RubyGems generates are matched textually, and only for the block
 * variable the file itself declares (a file assigning to another variable is
 * not a gemspec RubyGems would load).
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/analyzer.h"
#include "image/image_int.h"
#include "inventory/langpkg.h"
#include "inventory/package.h"
#include "inventory/ruby.h"

typedef struct span {
	const char *s;
	size_t len;
} span;

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * A string literal at *p ("..." or '...', no escapes), with an optional
 * ".freeze"; advances *p past it. False when there is none.
 */
static bool ruby_string(const char **p, const char *end, span *out)
{
	const char *q = *p;
	if (q >= end || (*q != '"' && *q != '\''))
		return false;
	char quote = *q++;
	const char *s = q;
	while (q < end && *q != quote && *q != '\\' && *q != '\n')
		q++;
	if (q >= end || *q != quote)
		return false;
	*out = (span){ s, (size_t)(q - s) };
	q++;
	if (end - q >= 7 && !memcmp(q, ".freeze", 7))
		q += 7;
	*p = q;
	return true;
}

int bw_ruby_parse_gemspec(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	static const char marker[] = "Gem::Specification.new";
	const char *end = data + len, *p = NULL;
	span var = { 0 }, name = { 0 }, version = { 0 };
	span lic[BW_LANG_MAX_LICENSES];
	size_t n_lic = 0;
	int rc;

	/* NUL bytes are allowed: RubyGems separates the extensions of a "# stub:" line with them */
	/* the block variable: Gem::Specification.new do |VAR| */
	for (const char *q = data; q && !var.s;) {
		q = memmem(q, (size_t)(end - q), marker, sizeof(marker) - 1);
		if (!q)
			break;
		q += sizeof(marker) - 1;
		const char *r = skip_blanks(q, end);
		if (end - r < 2 || memcmp(r, "do", 2))
			continue;
		r = skip_blanks(r + 2, end);
		if (r >= end || *r != '|')
			continue;
		r = skip_blanks(r + 1, end);
		const char *vs = r;
		while (r < end && is_ident(*r))
			r++;
		const char *ve = r;
		r = skip_blanks(r, end);
		if (ve == vs || r >= end || *r != '|')
			continue;
		var = (span){ vs, (size_t)(ve - vs) };
		p = r + 1;
	}
	if (!var.s)
		return bw_error_set(BW_EINPUT, "%s: no \"Gem::Specification.new do |VAR|\" block: not a gemspec", what);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = skip_blanks(p, le);
		p = nl ? nl + 1 : end;
		if ((size_t)(le - q) <= var.len + 1 || memcmp(q, var.s, var.len) || q[var.len] != '.')
			continue;
		q += var.len + 1;
		const char *as = q;
		while (q < le && is_ident(*q))
			q++;
		size_t al = (size_t)(q - as);
		q = skip_blanks(q, le);
		if (q >= le || *q != '=' || (q + 1 < le && (q[1] == '=' || q[1] == '~')))
			continue;
		q = skip_blanks(q + 1, le);
		span s;
		if (al == 4 && !memcmp(as, "name", 4)) {
			if (!name.s && ruby_string(&q, le, &s))
				name = s;
		} else if (al == 7 && !memcmp(as, "version", 7)) {
			if (!version.s && ruby_string(&q, le, &s))
				version = s;
		} else if (al == 7 && !memcmp(as, "license", 7)) {
			if (!n_lic && ruby_string(&q, le, &s))
				lic[n_lic++] = s;
		} else if (al == 8 && !memcmp(as, "licenses", 8)) {
			/* an array of string literals; anything else (a bare string) is not what RubyGems writes */
			if (q >= le || *q != '[')
				continue;
			n_lic = 0;
			q = skip_blanks(q + 1, le);
			while (q < le && *q != ']' && ruby_string(&q, le, &s)) {
				if (n_lic >= BW_LANG_MAX_LICENSES)
					return bw_error_set(BW_EINPUT, "%s: more than %d licenses", what, BW_LANG_MAX_LICENSES);
				lic[n_lic++] = s;
				q = skip_blanks(q, le);
				if (q < le && *q == ',')
					q = skip_blanks(q + 1, le);
			}
		}
	}
	if (!name.s)
		return bw_error_set(BW_EINPUT, "%s: no %.*s.name assigned: not a gemspec", what, (int)var.len, var.s);
	if (!version.s)
		return bw_error_set(BW_EINPUT, "%s: no %.*s.version assigned: not a gemspec", what, (int)var.len, var.s);
	if ((rc = bw_lang_pkgs_add(out, what, name.s, name.len, version.s, version.len)) < 0)
		return rc;
	for (size_t i = 0; i < n_lic && rc == 0; i++)
		rc = bw_lang_pkgs_license(out, what, lic[i].s, lic[i].len);
	return rc;
}

int bw_ruby_parse_gemfile_lock(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	const char *p = data, *end = data + len;
	bool in_gem = false, in_specs = false;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *line = p;
		p = nl ? nl + 1 : end;
		if (le > line && le[-1] == '\r')
			le--;
		if (le == line)
			continue;
		if (line[0] != ' ') { /* a section: GEM, GIT, PATH, PLATFORMS, DEPENDENCIES, ... */
			in_gem = le - line == 3 && !memcmp(line, "GEM", 3);
			in_specs = false;
			continue;
		}
		if (!in_gem)
			continue;
		size_t indent = 0;
		while (line + indent < le && line[indent] == ' ')
			indent++;
		if (indent == 2) { /* "  remote:", "  specs:" */
			in_specs = le - line == 8 && !memcmp(line, "  specs:", 8);
			continue;
		}
		/* four spaces: a gem; six: one of its dependencies */
		if (!in_specs || indent != 4 || line + indent == le)
			continue;
		const char *ns = line + 4, *open = memchr(ns, '(', (size_t)(le - ns));
		const char *close = open ? memchr(open, ')', (size_t)(le - open)) : NULL;
		if (!open || !close || close + 1 != le || open == ns || open[-1] != ' ')
			return bw_error_set(BW_EINPUT, "%s: a GEM spec line is not \"name (version)\"", what);
		const char *vs = open + 1, *ve = close;
		const char *dash = memchr(vs, '-', (size_t)(ve - vs));
		if (dash)
			ve = dash; /* "1.15.4-x86_64-linux": the platform is not part of the version */
		rc = bw_lang_pkgs_add(out, what, ns, (size_t)(open - 1 - ns), vs, (size_t)(ve - vs));
	}
	return rc;
}

/* ------------------------------------------------------------ the analyzer */

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);
	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

/*
 * An installed gem's own directory (.../gems/NAME-VERSION/...): lock files
 * there are the gem's development setup, not what the image runs.
 */
static bool in_installed_gem(const char *path)
{
	for (const char *q = strstr(path, "/gems/"); q; q = strstr(q + 1, "/gems/")) {
		const char *c = q + 6, *slash = strchr(c, '/'), *dash = NULL;
		if (!slash)
			break;
		for (const char *r = c; r < slash; r++)
			if (*r == '-' && r + 1 < slash && r[1] >= '0' && r[1] <= '9')
				dash = r;
		if (dash)
			return true;
	}
	return false;
}

static bool is_gemspec(const bw_entry *e)
{
	size_t nl = strlen(e->name);
	if (!ends_with(e->name, nl, ".gemspec") || e->path_len <= nl)
		return false;
	size_t dl = e->path_len - nl - 1; /* the directory, without the slash */
	return ends_with(e->path, dl, "/specifications") || ends_with(e->path, dl, "/specifications/default");
}

static bool rb_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	if (e->type != BW_FT_FILE)
		return false;
	return is_gemspec(e) || (!strcmp(e->name, "Gemfile.lock") && !in_installed_gem(e->path));
}

static int rb_entry(void *store, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	bw_lang_pkgs l = { 0 };
	int rc;

	if (e->type != BW_FT_FILE)
		return 0;
	if (truncated)
		return bw_lang_entry_done(store, e->path, NULL, true, 0, &l);
	if (is_gemspec(e))
		rc = bw_ruby_parse_gemspec(e->name, (const char *)content, len, &l);
	else
		rc = bw_ruby_parse_gemfile_lock(e->name, (const char *)content, len, &l);
	return bw_lang_entry_done(store, e->path, "gem", false, rc, &l);
}

const bw_analyzer bw_analyzer_ruby = {
	.name = "ruby",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = rb_wants,
	.content_max = BW_LANG_CONTENT_MAX,
	.layer_new = bw_pkgstore_new,
	.save = bw_pkgstore_save,
	.load = bw_pkgstore_load,
	.entry = rb_entry,
	.layer_free = bw_pkgstore_free,
	.finish = bw_pkgstore_finish,
};
