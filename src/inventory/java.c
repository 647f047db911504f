/*
 * inventory/java.c: Java archives. A .jar (.war .ear .jpi .hpi) is a zip; it
 * is read from the buffered content with libarchive (zip only, no filters),
 * and archives inside it (Spring Boot BOOT-INF/lib, WEB-INF/lib, an ear's
 * lib/) are read the same way, recursively. Nothing is extracted to disk.
 *
 * What identifies a package, per archive, in this order (as the ground truth
 * and the common scanners do):
 *   1. every META-INF/maven/GROUP/ARTIFACT/pom.properties (a shaded jar has
 *      one per library folded into it: each is a package);
 *   2. else MANIFEST.MF's main section (Implementation-*, Bundle-*);
 *   3. else the file name, "name-1.2.3.jar".
 *
 * Bounds (hostile input): nesting depth, decompressed bytes over the whole
 * top-level archive (a zip bomb stops with one error), members per archive,
 * size of each member we read, packages per archive.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulwark/errors.h"
#include "bulwark/image.h"
#include "image/analyzer.h"
#include "inventory/java.h"
#include "inventory/package.h"
#include "util/buf.h"
#include "util/limits.h"

#define MAX_TEXT_MEMBER (1 * BW_MiB) /* pom.properties, MANIFEST.MF */
#define READ_BLOCK 65536

static const char *const java_suffixes[] = { ".jar", ".war", ".ear", ".jpi", ".hpi", NULL };

static bool has_java_suffix(const char *name)
{
	size_t l = name ? strlen(name) : 0;
	for (size_t i = 0; java_suffixes[i]; i++)
		if (l > 4 && !strcasecmp(name + l - 4, java_suffixes[i]))
			return true;
	return false;
}

void bw_jar_free(bw_jar_pkg *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].group);
		free(v[i].artifact);
		free(v[i].version);
		free(v[i].location);
	}
	free(v);
}

/* ------------------------------------------------------------ text formats */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Appends s[0..n) to out, undoing .properties escapes (\t \n \uXXXX, \x -> x).
 * \u escapes beyond ASCII become '?': coordinates are ASCII in practice, and
 * this keeps the output valid UTF-8 without an encoder.
 */
static int unescape_append(bw_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			if (c == 't')
				c = '\t';
			else if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 'f')
				c = '\f';
			else if (c == 'u' && i + 4 < n) {
				int v = 0, ok = 1;
				for (int k = 1; k <= 4; k++) {
					int h = hexval(s[i + k]);
					if (h < 0)
						ok = 0;
					v = v * 16 + (h < 0 ? 0 : h);
				}
				if (ok) {
					i += 4;
					c = v > 0 && v < 0x80 ? (char)v : '?';
				}
			}
		}
		if (bw_buf_append(out, &c, 1) != 0)
			return -1;
	}
	return 0;
}

char *bw_jar_property(const char *text, size_t len, const char *key, int *oom)
{
	if (!text || !len) /* an empty pom.properties member */
		return NULL;
	const char *p = text, *end = text + len;
	bw_buf logical = BW_BUF_INIT(MAX_TEXT_MEMBER);
	char *result = NULL;

	while (p < end && !result) {
		/* a logical line: physical lines joined while one ends in an odd number of '\' */
		bw_buf_reset(&logical);
		bool first = true;
		for (;;) {
			while (p < end && is_ws(*p))
				p++;
			if (first && p < end && (*p == '#' || *p == '!')) {
				while (p < end && *p != '\n' && *p != '\r')
					p++;
				break;
			}
			const char *ls = p;
			while (p < end && *p != '\n' && *p != '\r')
				p++;
			size_t ll = (size_t)(p - ls), bs = 0;
			while (bs < ll && ls[ll - 1 - bs] == '\\')
				bs++;
			bool cont = bs % 2 == 1;
			if (bw_buf_append(&logical, ls, cont ? ll - 1 : ll) != 0)
				goto fail;
			if (p < end && *p == '\r')
				p++;
			if (p < end && *p == '\n')
				p++;
			first = false;
			if (!cont || p >= end)
				break;
		}
		while (p < end && (*p == '\n' || *p == '\r'))
			p++;
		const char *l = logical.data ? (const char *)logical.data : "";
		size_t n = logical.len, i = 0;
		if (!n)
			continue;
		/* key: up to an unescaped '=', ':' or blank */
		bw_buf k = BW_BUF_INIT(MAX_TEXT_MEMBER);
		size_t ks = i;
		while (i < n && l[i] != '=' && l[i] != ':' && !is_ws(l[i]))
			i += (l[i] == '\\' && i + 1 < n) ? 2 : 1;
		if (unescape_append(&k, l + ks, i - ks) != 0) {
			bw_buf_free(&k);
			goto fail;
		}
		while (i < n && is_ws(l[i]))
			i++;
		if (i < n && (l[i] == '=' || l[i] == ':'))
			i++;
		while (i < n && is_ws(l[i]))
			i++;
		bool match = k.len == strlen(key) && !memcmp(k.data, key, k.len);
		bw_buf_free(&k);
		if (!match)
			continue;
		bw_buf v = BW_BUF_INIT(MAX_TEXT_MEMBER);
		/* appending "" allocates, so data is never NULL after it */
		if (unescape_append(&v, l + i, n - i) != 0 || bw_buf_append(&v, "", 0) != 0) {
			bw_buf_free(&v);
			goto fail;
		}
		result = (char *)bw_buf_detach(&v, &n);
	}
	bw_buf_free(&logical);
	return result;
fail:
	bw_buf_free(&logical);
	*oom = 1;
	return NULL;
}

char *bw_jar_manifest_attr(const char *text, size_t len, const char *key, int *oom)
{
	if (!text || !len) /* an empty MANIFEST.MF member: nothing to find (and no pointer to offset) */
		return NULL;
	const char *p = text, *end = text + len;
	size_t kl = strlen(key);
	bw_buf v = BW_BUF_INIT(MAX_TEXT_MEMBER);
	bool in_value = false, found = false;

	/* the main section ends at the first empty line; lines end in CRLF, LF or CR */
	while (p < end) {
		const char *ls = p;
		while (p < end && *p != '\n' && *p != '\r')
			p++;
		size_t ll = (size_t)(p - ls);
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		if (ll == 0)
			break;
		if (ls[0] == ' ') { /* continuation of the previous attribute's value */
			if (in_value && bw_buf_append(&v, ls + 1, ll - 1) != 0)
				goto fail;
			continue;
		}
		if (found)
			break;
		in_value = false;
		if (ll > kl + 1 && ls[kl] == ':' && !strncasecmp(ls, key, kl)) {
			size_t s = kl + 1;
			while (s < ll && ls[s] == ' ')
				s++;
			if (bw_buf_append(&v, ls + s, ll - s) != 0)
				goto fail;
			in_value = found = true;
		}
	}
	if (!found)
		return NULL;
	if (bw_buf_append(&v, "", 0) != 0)
		goto fail;
	size_t n;
	char *r = (char *)bw_buf_detach(&v, &n);
	/* trailing blanks are not part of a value */
	while (n > 0 && (r[n - 1] == ' ' || r[n - 1] == '\t'))
		r[--n] = '\0';
	return r;
fail:
	bw_buf_free(&v);
	*oom = 1;
	return NULL;
}

/* ------------------------------------------------------------ archives */

typedef struct jar_ctx {
	bw_jar_pkg *v;
	size_t n, cap;
	uint64_t inflated; /* decompressed bytes read so far, all levels */
} jar_ctx;

static int add_pkg(jar_ctx *c, const char *loc, const char *group, const char *artifact, const char *version,
		   const char *by)
{
	if (c->n >= BW_JAR_MAX_PKGS)
		return bw_error_set(BW_EINPUT, "%s: more than %d packages", loc, BW_JAR_MAX_PKGS);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		bw_jar_pkg *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		c->v = v;
		c->cap = cap;
	}
	bw_jar_pkg *p = &c->v[c->n];
	memset(p, 0, sizeof(*p));
	p->group = group && *group ? strdup(group) : NULL;
	p->artifact = strdup(artifact);
	p->version = strdup(version);
	p->location = strdup(loc);
	p->identified_by = by;
	c->n++; /* counted even on failure, so bw_jar_free releases what was set */
	if ((group && *group && !p->group) || !p->artifact || !p->version || !p->location)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

/* Reads the current member into out, at most max bytes, counting against the budget. */
static int read_member(jar_ctx *c, struct archive *a, const char *loc, const char *name, size_t max, bw_buf *out)
{
	uint8_t block[READ_BLOCK];
	bw_buf_reset(out);
	out->max = max;
	for (;;) {
		la_ssize_t r = archive_read_data(a, block, sizeof(block));
		if (r == 0)
			return 0;
		if (r < 0)
			return bw_error_set(BW_EINPUT, "%s: %s: cannot decompress: %s", loc, name,
					    archive_error_string(a) ? archive_error_string(a) : "error");
		c->inflated += (uint64_t)r;
		if (c->inflated > BW_JAR_MAX_INFLATED)
			return bw_error_set(BW_EINPUT, "%s: more than %llu bytes decompressed (zip bomb?)", loc,
					    (unsigned long long)BW_JAR_MAX_INFLATED);
		int ar = bw_buf_append(out, block, (size_t)r);
		if (ar == -1)
			return bw_error_set(BW_EINPUT, "%s: %s: larger than %zu bytes", loc, name, max);
		if (ar < 0)
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
}

/* "META-INF/maven/G/A/pom.properties" -> G and A (copies into g, a); false otherwise. */
static bool pom_path(const char *name, char *g, size_t gsz, char *a, size_t asz)
{
	static const char pre[] = "META-INF/maven/", suf[] = "/pom.properties";
	size_t l = strlen(name), pl = sizeof(pre) - 1, sl = sizeof(suf) - 1;
	if (l <= pl + sl || strncmp(name, pre, pl) || strcmp(name + l - sl, suf))
		return false;
	const char *s = name + pl, *e = name + l - sl;
	const char *slash = memchr(s, '/', (size_t)(e - s));
	if (!slash || slash == s || slash + 1 >= e || memchr(slash + 1, '/', (size_t)(e - slash - 1)))
		return false;
	size_t gl = (size_t)(slash - s), al = (size_t)(e - slash - 1);
	if (gl >= gsz || al >= asz)
		return false;
	memcpy(g, s, gl);
	g[gl] = '\0';
	memcpy(a, slash + 1, al);
	a[al] = '\0';
	return true;
}

/*
 * "commons-lang3-3.12.0.jar" -> name "commons-lang3", version "3.12.0": the
 * version starts at the first '-' followed by a digit. false when there is none.
 */
static bool name_from_file(const char *loc, char *name, size_t nsz, char *ver, size_t vsz)
{
	const char *base = strrchr(loc, '/');
	base = base ? base + 1 : loc;
	size_t l = strlen(base);
	if (l <= 4)
		return false;
	l -= 4; /* the suffix, checked by the caller's dispatch */
	for (size_t i = 1; i + 1 < l; i++) {
		if (base[i] == '-' && base[i + 1] >= '0' && base[i + 1] <= '9') {
			if (i >= nsz || l - i - 1 >= vsz)
				return false;
			memcpy(name, base, i);
			name[i] = '\0';
			memcpy(ver, base + i + 1, l - i - 1);
			ver[l - i - 1] = '\0';
			return true;
		}
	}
	return false;
}

static int from_manifest(jar_ctx *c, const char *loc, const bw_buf *mf, bool *added)
{
	const char *t = (const char *)mf->data;
	size_t n = mf->len;
	int oom = 0, rc = 0;
	char fname[256], fver[256];
	bool have_file = name_from_file(loc, fname, sizeof(fname), fver, sizeof(fver));
	char *title = bw_jar_manifest_attr(t, n, "Implementation-Title", &oom);
	char *ver = bw_jar_manifest_attr(t, n, "Implementation-Version", &oom);
	char *vendor = bw_jar_manifest_attr(t, n, "Implementation-Vendor-Id", &oom);
	char *bsn = bw_jar_manifest_attr(t, n, "Bundle-SymbolicName", &oom);
	char *bver = bw_jar_manifest_attr(t, n, "Bundle-Version", &oom);
	if (oom) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if (bsn) /* "org.foo.bar;singleton:=true" */
		bsn[strcspn(bsn, ";")] = '\0';
	/* a title with blanks is a display name ("Apache Commons Lang"), not an artifact id */
	const char *name = title && *title && !strpbrk(title, " \t") ? title
			   : have_file                               ? fname
			   : bsn && *bsn                             ? bsn
									 : NULL;
	const char *version = ver && *ver ? ver : bver && *bver ? bver : have_file ? fver : NULL;
	if (name && version) {
		rc = add_pkg(c, loc, vendor, name, version, "MANIFEST.MF");
		*added = rc == 0;
	}
done:
	free(title);
	free(ver);
	free(vendor);
	free(bsn);
	free(bver);
	return rc;
}

static int read_level(jar_ctx *c, const char *loc, const uint8_t *data, size_t len, unsigned depth);

static int nested(jar_ctx *c, struct archive *a, const char *loc, const char *name, unsigned depth)
{
	bw_buf content = BW_BUF_INIT(0);
	size_t ll = strlen(loc), nl = strlen(name);
	char *sub = NULL;
	int rc;

	if (depth + 1 > BW_JAR_MAX_DEPTH)
		return bw_error_set(BW_EINPUT, "%s!/%s: archives nested more than %d deep", loc, name,
				    BW_JAR_MAX_DEPTH);
	if (ll + nl + 3 > BW_MAX_PATH_BYTES * 4)
		return bw_error_set(BW_EINPUT, "%s: nested archive path too long", loc);
	if (!(sub = malloc(ll + nl + 3)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memcpy(sub, loc, ll);
	memcpy(sub + ll, "!/", 2);
	memcpy(sub + ll + 2, name, nl + 1);
	rc = read_member(c, a, loc, name, BW_MAX_ANALYZER_CONTENT, &content);
	if (rc == 0)
		rc = read_level(c, sub, content.data, content.len, depth + 1);
	bw_buf_free(&content);
	free(sub);
	return rc;
}

static int read_level(jar_ctx *c, const char *loc, const uint8_t *data, size_t len, unsigned depth)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	bw_buf text = BW_BUF_INIT(MAX_TEXT_MEMBER), manifest = BW_BUF_INIT(MAX_TEXT_MEMBER);
	bool have_manifest = false, identified = false;
	size_t members = 0;
	int rc = 0;

	if (!a)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (!len) {
		rc = bw_error_set(BW_EINPUT, "%s: empty file, not a zip archive", loc);
		goto done;
	}
	if (archive_read_support_format_zip(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		rc = bw_error_set(BW_EINPUT, "%s: not a zip archive: %s", loc,
				  archive_error_string(a) ? archive_error_string(a) : "unrecognized");
		goto done;
	}
	for (;;) {
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = bw_error_set(BW_EINPUT, "%s: bad zip member: %s", loc,
					  archive_error_string(a) ? archive_error_string(a) : "error");
			goto done;
		}
		if (++members > BW_JAR_MAX_ENTRIES) {
			rc = bw_error_set(BW_EINPUT, "%s: more than %d members", loc, BW_JAR_MAX_ENTRIES);
			goto done;
		}
		const char *name = archive_entry_pathname(ae);
		if (!name || archive_entry_filetype(ae) != AE_IFREG)
			continue;
		char g[512], art[512];
		if (pom_path(name, g, sizeof(g), art, sizeof(art))) {
			if ((rc = read_member(c, a, loc, name, MAX_TEXT_MEMBER, &text)) < 0)
				goto done;
			int oom = 0;
			const char *t = text.data ? (const char *)text.data : "";
			char *pg = bw_jar_property(t, text.len, "groupId", &oom);
			char *pa = bw_jar_property(t, text.len, "artifactId", &oom);
			char *pv = bw_jar_property(t, text.len, "version", &oom);
			if (oom)
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
			else if (pv && *pv) /* the folder names the coordinates when the file does not */
				rc = add_pkg(c, loc, pg && *pg ? pg : g, pa && *pa ? pa : art, pv, "pom.properties");
			if (rc == 0 && pv && *pv)
				identified = true;
			free(pg);
			free(pa);
			free(pv);
			if (rc < 0)
				goto done;
		} else if (!strcasecmp(name, "META-INF/MANIFEST.MF")) {
			if ((rc = read_member(c, a, loc, name, MAX_TEXT_MEMBER, &manifest)) < 0)
				goto done;
			have_manifest = true;
		} else if (has_java_suffix(name)) {
			if ((rc = nested(c, a, loc, name, depth)) < 0)
				goto done;
		}
	}
	if (!identified && have_manifest && (rc = from_manifest(c, loc, &manifest, &identified)) < 0)
		goto done;
	if (!identified) {
		char fname[256], fver[256];
		if (name_from_file(loc, fname, sizeof(fname), fver, sizeof(fver)))
			rc = add_pkg(c, loc, NULL, fname, fver, "filename");
	}
done:
	bw_buf_free(&text);
	bw_buf_free(&manifest);
	archive_read_free(a);
	return rc;
}

int bw_jar_parse(const char *location, const uint8_t *data, size_t len, bw_jar_pkg **out, size_t *n_out)
{
	jar_ctx c = { 0 };
	int rc = read_level(&c, location, data, len, 0);
	if (rc < 0 && rc != BW_EINPUT) {
		bw_jar_free(c.v, c.n);
		c.v = NULL;
		c.n = 0;
	}
	*out = c.v;
	*n_out = c.n;
	return rc;
}

/* ------------------------------------------------------------ the analyzer */

static bool java_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	(void)head;
	(void)head_len;
	return e->type == BW_FT_FILE && has_java_suffix(e->name);
}

static int java_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	bw_jar_pkg *v = NULL;
	bw_pkg_new *pk = NULL;
	size_t n = 0;
	int rc, prc;

	if (truncated) {
		bw_pkgstore_put(state, e->path, NULL, 0);
		return bw_error_set(BW_EINPUT, "larger than %llu bytes: not read, its packages are not listed",
				    (unsigned long long)BW_MAX_ANALYZER_CONTENT);
	}
	rc = bw_jar_parse(e->path, content, len, &v, &n);
	if (rc < 0 && rc != BW_EINPUT)
		return rc;
	/* what was found before a bad member is still listed; the error becomes one warning */
	if (n && !(pk = calloc(n, sizeof(*pk)))) {
		bw_jar_free(v, n);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		pk[i] = (bw_pkg_new){
			.type = "maven", .name = v[i].artifact, .version = v[i].version,
			.purl_namespace = v[i].group,
			.path = strcmp(v[i].location, e->path) ? v[i].location : NULL,
		};
	}
	if (rc < 0) {
		/* keep the parse error's message across the store call */
		bw_error saved = *bw_error_last();
		prc = bw_pkgstore_put(state, e->path, pk, n);
		if (prc == 0)
			bw_error_restore(&saved);
		else
			rc = prc;
	} else {
		rc = bw_pkgstore_put(state, e->path, pk, n);
	}
	free(pk);
	bw_jar_free(v, n);
	return rc;
}

const bw_analyzer bw_analyzer_java = {
	.name = "java",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = java_wants,
	.content_max = BW_MAX_ANALYZER_CONTENT,
	.layer_new = bw_pkgstore_new,
	.save = bw_pkgstore_save,
	.load = bw_pkgstore_load,
	.entry = java_entry,
	.layer_free = bw_pkgstore_free,
	.finish = bw_pkgstore_finish,
};
