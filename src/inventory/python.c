/*
 * inventory/python.c: Python distributions (inventory/python.h).
 *
 * Installed metadata is what pip and importlib.metadata read, so it is the
 * evidence: one package per METADATA / PKG-INFO file, listed where the file
 * survives in the final image. Lock files describe what a project would
 * install; they add only the (name, version) pairs no installed metadata in
 * the image already gives, so an application installed from its own lock file
 * is not counted twice.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulwark/errors.h"
#include "image/analyzer.h"
#include "image/image_int.h"
#include "inventory/langpkg.h"
#include "inventory/package.h"
#include "inventory/python.h"
#include "util/json.h"
#include "util/strmap.h"

/* ------------------------------------------------------------ names and licenses */

void bw_python_normalize(char *out, size_t outsz, const char *name)
{
	size_t o = 0;
	bool sep = false;
	if (!outsz)
		return;
	for (; *name && o + 1 < outsz; name++) {
		char c = *name;
		if (c == '-' || c == '_' || c == '.') {
			sep = true;
			continue;
		}
		if (sep && o + 2 < outsz)
			out[o++] = '-';
		sep = false;
		out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (sep && o + 1 < outsz)
		out[o++] = '-';
	out[o] = '\0';
}

/* A distribution name as PEP 508 allows it; anything else in Name: is garbage. */
static bool name_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_'))
			return false;
	}
	return len > 0;
}

/* Classifiers that name exactly one license and version; "BSD License" or
 * "Apache Software License" name a family, so they stay as written. */
static const struct {
	const char *classifier, *spdx;
} classifiers[] = {
	{ "MIT License", "MIT" },
	{ "MIT No Attribution License (MIT-0)", "MIT-0" },
	{ "ISC License (ISCL)", "ISC" },
	{ "Python Software Foundation License", "PSF-2.0" },
	{ "Mozilla Public License 1.0 (MPL)", "MPL-1.0" },
	{ "Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1" },
	{ "Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0" },
	{ "GNU General Public License v2 (GPLv2)", "GPL-2.0-only" },
	{ "GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later" },
	{ "GNU General Public License v3 (GPLv3)", "GPL-3.0-only" },
	{ "GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later" },
	{ "GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only" },
	{ "GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later" },
	{ "GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only" },
	{ "GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later" },
	{ "GNU Affero General Public License v3", "AGPL-3.0-only" },
	{ "GNU Affero General Public License v3 or later (AGPLv3+)", "AGPL-3.0-or-later" },
	{ "Eclipse Public License 1.0 (EPL-1.0)", "EPL-1.0" },
	{ "Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0" },
	{ "European Union Public Licence 1.2 (EUPL 1.2)", "EUPL-1.2" },
	{ "The Unlicense (Unlicense)", "Unlicense" },
	{ "Boost Software License 1.0 (BSL-1.0)", "BSL-1.0" },
	{ "zlib/libpng License", "Zlib" },
	{ "Universal Permissive License (UPL)", "UPL-1.0" },
	{ "Historical Permission Notice and Disclaimer (HPND)", "HPND" },
	{ "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0" },
};

const char *bw_python_classifier_spdx(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof(classifiers) / sizeof(classifiers[0]); i++)
		if (strlen(classifiers[i].classifier) == len && !memcmp(classifiers[i].classifier, text, len))
			return classifiers[i].spdx;
	return NULL;
}

/* Common spellings of a one-line License: field, compared without case. */
static const struct {
	const char *text, *spdx;
} license_fields[] = {
	{ "MIT", "MIT" },
	{ "MIT License", "MIT" },
	{ "Apache 2.0", "Apache-2.0" },
	{ "Apache-2.0", "Apache-2.0" },
	{ "Apache License 2.0", "Apache-2.0" },
	{ "Apache License, Version 2.0", "Apache-2.0" },
	{ "Apache Software License 2.0", "Apache-2.0" },
	{ "ISC", "ISC" },
	{ "PSF", "PSF-2.0" },
	{ "MPL-2.0", "MPL-2.0" },
	{ "MPL 2.0", "MPL-2.0" },
	{ "BSD-2-Clause", "BSD-2-Clause" },
	{ "BSD-3-Clause", "BSD-3-Clause" },
};

/* ------------------------------------------------------------ core metadata */

typedef struct span {
	const char *s;
	size_t len;
} span;

#define MAX_CLASSIFIER_LICENSES BW_LANG_MAX_LICENSES

int bw_python_parse_metadata(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	span name = { 0 }, version = { 0 }, expr = { 0 }, lic = { 0 };
	span cls[MAX_CLASSIFIER_LICENSES];
	size_t n_cls = 0;
	bool lic_multiline = false, last_was_license = false;
	const char *p = data, *end = data + len;

	/* the headers end at the first empty line; the body (description) is not read */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);
		const char *line = p;
		p = nl ? nl + 1 : end;
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (!ll)
			break;
		if (memchr(line, '\0', ll))
			return bw_error_set(BW_EINPUT, "%s: a NUL byte in the metadata headers", what);
		if (line[0] == ' ' || line[0] == '\t') { /* a folded continuation of the previous header */
			if (last_was_license)
				lic_multiline = true;
			continue;
		}
		last_was_license = false;
		const char *colon = memchr(line, ':', ll);
		if (!colon)
			continue; /* not a header: tolerated, Name and Version decide */
		size_t kl = (size_t)(colon - line);
		const char *val = colon + 1;
		size_t vl = ll - kl - 1;
		bw_lang_trim(&val, &vl);
		if (kl == 4 && !strncasecmp(line, "Name", 4)) {
			if (!name.s)
				name = (span){ val, vl };
		} else if (kl == 7 && !strncasecmp(line, "Version", 7)) {
			if (!version.s)
				version = (span){ val, vl };
		} else if (kl == 18 && !strncasecmp(line, "License-Expression", 18)) {
			expr = (span){ val, vl };
		} else if (kl == 7 && !strncasecmp(line, "License", 7)) {
			lic = (span){ val, vl };
			last_was_license = true;
		} else if (kl == 10 && !strncasecmp(line, "Classifier", 10)) {
			static const char pfx[] = "License ::";
			if (vl > sizeof(pfx) - 1 && !memcmp(val, pfx, sizeof(pfx) - 1)) {
				/* the last " :: " part names the license */
				const char *last = val;
				for (const char *q = val; q + 4 <= val + vl; q++)
					if (!memcmp(q, " :: ", 4))
						last = q + 4;
				size_t rest = vl - (size_t)(last - val);
				if (last != val && rest && !(rest == 12 && !memcmp(last, "OSI Approved", 12))) {
					if (n_cls >= MAX_CLASSIFIER_LICENSES)
						return bw_error_set(BW_EINPUT, "%s: more than %d license classifiers", what,
								    MAX_CLASSIFIER_LICENSES);
					cls[n_cls++] = (span){ last, rest };
				}
			}
		}
	}
	if (!name.s || !name.len)
		return bw_error_set(BW_EINPUT, "%s: no Name header: not Python package metadata", what);
	if (!version.s || !version.len)
		return bw_error_set(BW_EINPUT, "%s: no Version header: not Python package metadata", what);
	if (!name_ok(name.s, name.len))
		return bw_error_set(BW_EINPUT, "%s: Name is not a Python distribution name", what);
	int rc = bw_lang_pkgs_add(out, what, name.s, name.len, version.s, version.len);
	if (rc < 0)
		return rc;
	if (expr.s && expr.len)
		return bw_lang_pkgs_license(out, what, expr.s, expr.len);
	if (n_cls) {
		for (size_t i = 0; i < n_cls && rc == 0; i++) {
			const char *spdx = bw_python_classifier_spdx(cls[i].s, cls[i].len);
			rc = spdx ? bw_lang_pkgs_license(out, what, spdx, strlen(spdx))
				  : bw_lang_pkgs_license(out, what, cls[i].s, cls[i].len);
		}
		return rc;
	}
	if (lic.s && lic.len && !lic_multiline && !(lic.len == 7 && !memcmp(lic.s, "UNKNOWN", 7))) {
		for (size_t i = 0; i < sizeof(license_fields) / sizeof(license_fields[0]); i++)
			if (strlen(license_fields[i].text) == lic.len && !strncasecmp(license_fields[i].text, lic.s, lic.len))
				return bw_lang_pkgs_license(out, what, license_fields[i].spdx, strlen(license_fields[i].spdx));
		return bw_lang_pkgs_license(out, what, lic.s, lic.len);
	}
	return 0;
}

/* ------------------------------------------------------------ lock files */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

static bool is_version_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
	       c == '_' || c == '+' || c == '!';
}

static int add_unique(bw_lang_pkgs *out, const char *what, const char *n, size_t nl, const char *v, size_t vl)
{
	char name[BW_LANG_MAX_FIELD + 1], ver[BW_LANG_MAX_FIELD + 1];
	if (nl > BW_LANG_MAX_FIELD || vl > BW_LANG_MAX_FIELD)
		return bw_lang_pkgs_add(out, what, n, nl, v, vl); /* reports the length */
	memcpy(name, n, nl);
	name[nl] = '\0';
	memcpy(ver, v, vl);
	ver[vl] = '\0';
	if (bw_lang_pkgs_has(out, name, ver))
		return 0;
	return bw_lang_pkgs_add(out, what, n, nl, v, vl);
}

int bw_python_parse_requirements(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	const char *p = data, *end = data + len;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p;
		p = nl ? nl + 1 : end;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		const char *ns = q;
		while (q < le && is_name_char(*q))
			q++;
		const char *ne = q;
		if (ne == ns)
			continue; /* comments, options (-r, --hash), URLs */
		if (q < le && *q == '[') { /* extras */
			const char *close = memchr(q, ']', (size_t)(le - q));
			if (!close)
				continue;
			q = close + 1;
		}
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (le - q < 3 || q[0] != '=' || q[1] != '=' || q[2] == '=')
			continue; /* not pinned, or "===" (arbitrary equality) */
		q += 2;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		const char *vs = q;
		while (q < le && is_version_char(*q))
			q++;
		const char *ve = q;
		while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		/* a pin ends the requirement; "==1.*" or "==1.0,<2" is a range */
		if (ve == vs || (q < le && *q != ';' && *q != '#' && *q != '\\'))
			continue;
		rc = add_unique(out, what, ns, (size_t)(ne - ns), vs, (size_t)(ve - vs));
	}
	return rc;
}

int bw_python_parse_pipfile_lock(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	json_t *root = NULL;
	int rc = bw_json_parse(what, data, len, BW_LANG_CONTENT_MAX, &root);
	if (rc < 0)
		return rc;
	if (!json_is_object(root)) {
		rc = bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
	static const char *const groups[] = { "default", "develop" };
	for (size_t g = 0; g < 2 && rc == 0; g++) {
		json_t *obj = NULL, *val;
		const char *key;
		if ((rc = bw_json_opt_object(what, root, groups[g], &obj)) < 0 || !obj)
			continue;
		json_object_foreach(obj, key, val) {
			const char *v = NULL;
			if (!json_is_object(val)) {
				rc = bw_error_set(BW_EINPUT, "%s: %s.%.100s is not an object", what, groups[g], key);
				break;
			}
			if ((rc = bw_json_opt_string(what, val, "version", &v)) < 0)
				break;
			if (!v || strncmp(v, "==", 2))
				continue; /* VCS and path dependencies have no pinned version */
			if ((rc = add_unique(out, what, key, strlen(key), v + 2, strlen(v + 2))) < 0)
				break;
		}
	}
done:
	json_decref(root);
	return rc;
}

/* A TOML basic or literal string with no escapes: the value of name/version keys in these lock files. */
static bool toml_string(const char *s, size_t len, span *out)
{
	if (len < 2 || (s[0] != '"' && s[0] != '\'') || s[len - 1] != s[0])
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (s[i] == '\\' || s[i] == s[0])
			return false;
	*out = (span){ s + 1, len - 2 };
	return true;
}

int bw_python_parse_toml_lock(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	const char *p = data, *end = data + len;
	span name = { 0 }, version = { 0 };
	bool in_pkg = false;
	int rc = 0;

	for (;;) {
		bool eof = p >= end;
		const char *line = p;
		size_t ll = 0;
		if (!eof) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			ll = (size_t)(le - p);
			p = nl ? nl + 1 : end;
			bw_lang_trim(&line, &ll);
		}
		if (eof || (ll && line[0] == '[')) { /* a table ends the current package */
			if (in_pkg && name.s && version.s)
				rc = add_unique(out, what, name.s, name.len, version.s, version.len);
			if (eof || rc < 0)
				break;
			in_pkg = ll == 11 && !memcmp(line, "[[package]]", 11);
			name = version = (span){ 0 };
			continue;
		}
		if (!in_pkg || !ll)
			continue;
		const char *eq = memchr(line, '=', ll);
		if (!eq)
			continue;
		const char *k = line, *v = eq + 1;
		size_t kl = (size_t)(eq - line), vl = ll - kl - 1;
		bw_lang_trim(&k, &kl);
		bw_lang_trim(&v, &vl);
		span s;
		if (kl == 4 && !memcmp(k, "name", 4) && toml_string(v, vl, &s))
			name = s;
		else if (kl == 7 && !memcmp(k, "version", 7) && toml_string(v, vl, &s))
			version = s;
	}
	return rc;
}

/* ------------------------------------------------------------ the analyzer */

enum py_kind { PY_NONE, PY_META, PY_REQUIREMENTS, PY_PIPFILE, PY_TOML };

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);
	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

static enum py_kind kind_of(const bw_entry *e)
{
	size_t nl = strlen(e->name);
	if (ends_with(e->path, e->path_len, ".dist-info/METADATA") || ends_with(e->path, e->path_len, ".egg-info/PKG-INFO") ||
	    ends_with(e->name, nl, ".egg-info"))
		return PY_META;
	if (!strcmp(e->name, "poetry.lock") || !strcmp(e->name, "uv.lock"))
		return PY_TOML;
	if (!strcmp(e->name, "Pipfile.lock"))
		return PY_PIPFILE;
	if (!strncmp(e->name, "requirements", 12) && ends_with(e->name, nl, ".txt"))
		return PY_REQUIREMENTS;
	return PY_NONE;
}

typedef struct py_layer {
	void *installed; /* bw_pkgstore of METADATA / PKG-INFO */
	void *locks;     /* bw_pkgstore of lock files */
} py_layer;

static bool py_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	return e->type == BW_FT_FILE && kind_of(e) != PY_NONE;
}

static void py_layer_free(void *state)
{
	py_layer *s = state;
	if (!s)
		return;
	bw_pkgstore_free(s->installed);
	bw_pkgstore_free(s->locks);
	free(s);
}

static void *py_layer_new(void)
{
	py_layer *s = calloc(1, sizeof(*s));
	if (s && (!(s->installed = bw_pkgstore_new()) || !(s->locks = bw_pkgstore_new()))) {
		py_layer_free(s);
		s = NULL;
	}
	return s;
}

static int py_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	py_layer *s = state;
	enum py_kind k = kind_of(e);
	void *store = k == PY_META ? s->installed : s->locks;
	bw_lang_pkgs l = { 0 };
	int rc;

	if (e->type != BW_FT_FILE || k == PY_NONE)
		return 0;
	if (truncated)
		return bw_lang_entry_done(store, e->path, NULL, true, 0, &l);
	const char *d = (const char *)content;
	switch (k) {
	case PY_META: rc = bw_python_parse_metadata(e->name, d, len, &l); break;
	case PY_REQUIREMENTS: rc = bw_python_parse_requirements(e->name, d, len, &l); break;
	case PY_PIPFILE: rc = bw_python_parse_pipfile_lock(e->name, d, len, &l); break;
	default: rc = bw_python_parse_toml_lock(e->name, d, len, &l); break;
	}
	return bw_lang_entry_done(store, e->path, "pypi", false, rc, &l);
}

static void pypi_purl(const bw_package *p, char *out, size_t outsz)
{
	char norm[BW_LANG_MAX_FIELD + 1];
	bw_python_normalize(norm, sizeof(norm), p->name);
	snprintf(out, outsz, "pkg:pypi/");
	bw_purl_escape(out, outsz, norm);
	size_t l = strlen(out);
	if (l + 1 < outsz) {
		out[l] = '@';
		out[l + 1] = '\0';
	}
	bw_purl_escape(out, outsz, p->version);
}

/* "normalised-name\tversion", the identity a lock file entry is checked against */
static char *identity(bw_arena *a, const bw_package *p)
{
	char norm[BW_LANG_MAX_FIELD + 1];
	bw_python_normalize(norm, sizeof(norm), p->name);
	size_t nl = strlen(norm), vl = strlen(p->version);
	char *k = bw_arena_alloc(a, nl + vl + 2);
	if (k) {
		memcpy(k, norm, nl);
		k[nl] = '\t';
		memcpy(k + nl + 1, p->version, vl + 1);
	}
	return k;
}

static int py_finish(bw_image *img, void *const *states, size_t n_layers)
{
	void **inst = calloc(n_layers + 1, sizeof(*inst)), **locks = calloc(n_layers + 1, sizeof(*locks));
	bw_strmap seen = { 0 };
	bw_arena mem = BW_ARENA_INIT;
	size_t from = img->n_packages, mid;
	int rc = 0;

	if (!inst || !locks) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_layers; i++) {
		const py_layer *s = states[i];
		inst[i] = s ? s->installed : NULL;
		locks[i] = s ? s->locks : NULL;
	}
	if ((rc = bw_pkgstore_finish(img, inst, n_layers)) < 0)
		goto done;
	mid = img->n_packages;
	for (size_t i = from; i < mid; i++) {
		char *k = identity(&mem, &img->packages[i]);
		if (!k || bw_strmap_put(&seen, k, k) < 0) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
	}
	if ((rc = bw_pkgstore_finish(img, locks, n_layers)) < 0)
		goto done;
	/* lock file entries that an installed distribution already lists are dropped */
	size_t w = mid;
	for (size_t i = mid; i < img->n_packages; i++) {
		char *k = identity(&mem, &img->packages[i]);
		if (!k) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if (bw_strmap_get(&seen, k))
			continue;
		img->packages[w++] = img->packages[i];
	}
	img->n_packages = w;
	rc = bw_lang_set_purls(img, from, pypi_purl);
done:
	bw_strmap_free(&seen);
	bw_arena_free(&mem);
	free(inst);
	free(locks);
	return rc;
}

const bw_analyzer bw_analyzer_python = {
	.name = "python",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = py_wants,
	.content_max = BW_LANG_CONTENT_MAX,
	.layer_new = py_layer_new,
	.entry = py_entry,
	.layer_free = py_layer_free,
	.finish = py_finish,
};
