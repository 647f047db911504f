/*
 * inventory/sbom_in.c: `sbom:FILE` — an image's packages read from a
 * CycloneDX (1.4-1.6) or SPDX 2.3 JSON SBOM instead of from the image, so a
 * vendor's SBOM can be scanned without the image.
 *
 * Packages come from package URLs (CycloneDX `purl`, SPDX externalRefs of
 * type purl); a component without one is counted and skipped, since nothing
 * could be matched for it. The distribution comes from an operating-system
 * component (CycloneDX) or the purls' `distro` qualifier ("debian-12").
 * Source packages, which Debian and Alpine advisories are keyed by, come
 * from bulwark's and Trivy's properties, SPDX sourceInfo written by bulwark,
 * or the purl's `upstream` qualifier (Syft); else the binary package.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/image_int.h"
#include "inventory/package.h"
#include "inventory/sbom_in.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"

#define PURL_MAX 4096

/* Percent-decodes src[0..n) into out; false when it does not fit or has a NUL. */
static bool pct_decode(const char *src, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '%' && i + 2 < n && isxdigit((unsigned char)src[i + 1]) &&
		    isxdigit((unsigned char)src[i + 2])) {
			char hex[3] = { src[i + 1], src[i + 2], 0 };
			c = (char)strtol(hex, NULL, 16);
			i += 2;
		}
		if (c == '\0' || o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

typedef struct purl {
	char type[32];
	char ns[512];
	char name[512];
	char version[512];
	char distro[128];
	char upstream[512];
	char arch[64];
	char epoch[32];
} purl;

/* pkg:TYPE/NAMESPACE.../NAME@VERSION?QUALIFIERS#SUBPATH (purl spec) */
static bool purl_parse(const char *s, purl *p)
{
	memset(p, 0, sizeof(*p));
	if (strncmp(s, "pkg:", 4) != 0 || strlen(s) >= PURL_MAX)
		return false;
	s += 4;
	while (*s == '/')
		s++;
	size_t end = strcspn(s, "#");
	size_t q = strcspn(s, "?");
	if (q > end)
		q = end;
	/* qualifiers */
	for (const char *k = s + q + (q < end ? 1 : 0); k < s + end;) {
		size_t len = strcspn(k, "&#");
		if (k + len > s + end)
			len = (size_t)(s + end - k);
		const char *eq = memchr(k, '=', len);
		if (eq) {
			size_t kl = (size_t)(eq - k), vl = len - kl - 1;
			char *dst = NULL;
			size_t cap = 0;
			if (kl == 6 && !strncmp(k, "distro", 6)) { dst = p->distro; cap = sizeof(p->distro); }
			else if (kl == 8 && !strncmp(k, "upstream", 8)) { dst = p->upstream; cap = sizeof(p->upstream); }
			else if (kl == 4 && !strncmp(k, "arch", 4)) { dst = p->arch; cap = sizeof(p->arch); }
			else if (kl == 5 && !strncmp(k, "epoch", 5)) { dst = p->epoch; cap = sizeof(p->epoch); }
			if (dst && !pct_decode(eq + 1, vl, dst, cap))
				return false;
		}
		k += len;
		if (*k == '&')
			k++;
		else
			break;
	}
	/* type / namespace / name @ version */
	size_t t = strcspn(s, "/");
	if (t == 0 || t >= q || t >= sizeof(p->type))
		return false;
	for (size_t i = 0; i < t; i++)
		p->type[i] = (char)tolower((unsigned char)s[i]);
	const char *rest = s + t + 1;
	size_t rl = (size_t)(s + q - rest);
	const char *at = NULL;
	for (size_t i = rl; i > 0; i--)
		if (rest[i - 1] == '@') {
			at = rest + i - 1;
			break;
		}
	const char *slash = NULL;
	for (const char *c = rest; c < (at ? at : rest + rl); c++)
		if (*c == '/')
			slash = c;
	const char *name = slash ? slash + 1 : rest;
	size_t nl = (size_t)((at ? at : rest + rl) - name);
	if (nl == 0 || !pct_decode(name, nl, p->name, sizeof(p->name)))
		return false;
	if (slash && !pct_decode(rest, (size_t)(slash - rest), p->ns, sizeof(p->ns)))
		return false;
	if (at && !pct_decode(at + 1, (size_t)(rest + rl - at - 1), p->version, sizeof(p->version)))
		return false;
	return true;
}

/* purl type -> bulwark package type */
static const char *package_type(const char *t)
{
	static const char *const same[] = { "deb", "apk", "rpm", "pypi", "npm", "golang", "cargo", "maven",
					    "gem", "composer", "nuget" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (!strcmp(t, same[i]))
			return same[i];
	return NULL;
}

typedef struct sbom_ctx {
	bw_image *img;
	const char *what;
	char os_family[64], os_version[64];
	uint64_t components, without_purl, unsupported;
} sbom_ctx;

/* "debian-12" -> ("debian", "12"); "rocky-9.1" -> ("rocky", "9.1") */
static void distro_from_qualifier(sbom_ctx *c, const char *d)
{
	const char *dash = strrchr(d, '-');
	if (c->os_family[0] || !dash || dash == d || !dash[1])
		return;
	snprintf(c->os_family, sizeof(c->os_family), "%.*s", (int)(dash - d), d);
	snprintf(c->os_version, sizeof(c->os_version), "%s", dash + 1);
}

static int add_from_purl(sbom_ctx *c, const char *purl_text, const char *src_name, const char *src_version,
			 const char *const *licenses, size_t n_licenses, const char *os_package)
{
	purl p;
	char version[1100], sname[512] = "", sversion[600] = "";

	c->components++;
	if (!purl_parse(purl_text, &p)) {
		bw_debug("%s: cannot parse purl \"%.100s\"", c->what, purl_text);
		c->unsupported++;
		return 0;
	}
	const char *type = package_type(p.type);
	if (!type) {
		c->unsupported++;
		return 0;
	}
	if (p.distro[0])
		distro_from_qualifier(c, p.distro);
	/* rpm purls carry the epoch as a qualifier; bulwark versions spell it E:V-R */
	if (!strcmp(type, "rpm") && p.epoch[0] && strcmp(p.epoch, "0") != 0)
		snprintf(version, sizeof(version), "%s:%s", p.epoch, p.version);
	else
		snprintf(version, sizeof(version), "%s", p.version);
	if (src_name && *src_name) {
		snprintf(sname, sizeof(sname), "%s", src_name);
		if (src_version)
			snprintf(sversion, sizeof(sversion), "%s", src_version);
	} else if (p.upstream[0]) {
		/* Syft: upstream=NAME or NAME@VERSION */
		char *at = strchr(p.upstream, '@');
		if (at) {
			*at = '\0';
			snprintf(sversion, sizeof(sversion), "%s", at + 1);
		}
		snprintf(sname, sizeof(sname), "%s", p.upstream);
	}
	if (sname[0] && !sversion[0])
		snprintf(sversion, sizeof(sversion), "%s", version);
	char name[1100];
	/* npm scopes and Go module paths live in the namespace but are part of the name */
	if ((!strcmp(type, "npm") || !strcmp(type, "golang") || !strcmp(type, "composer")) && p.ns[0])
		snprintf(name, sizeof(name), "%s/%s", p.ns, p.name);
	else
		snprintf(name, sizeof(name), "%s", p.name);
	bw_pkg_new n = {
		.type = type, .name = name, .version = version,
		.arch = p.arch[0] ? p.arch : NULL,
		.source_name = sname[0] ? sname : NULL, .source_version = sname[0] ? sversion : NULL,
		.licenses = licenses, .n_licenses = n_licenses,
		.purl = purl_text,
		.os_package = os_package && *os_package ? os_package : NULL,
	};
	return bw_image_add_package(c->img, &n);
}

static const char *property(json_t *comp, const char *name)
{
	json_t *p;
	size_t i;
	json_array_foreach(json_object_get(comp, "properties"), i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));
		if (n && !strcmp(n, name))
			return json_string_value(json_object_get(p, "value"));
	}
	return NULL;
}

/* CycloneDX license choices: license.id, license.name, or expression */
static size_t cdx_licenses(json_t *comp, const char **out, size_t cap)
{
	json_t *l;
	size_t i, n = 0;
	json_array_foreach(json_object_get(comp, "licenses"), i, l) {
		json_t *lic = json_object_get(l, "license");
		const char *v = json_string_value(json_object_get(lic, "id"));
		if (!v)
			v = json_string_value(json_object_get(lic, "name"));
		if (!v)
			v = json_string_value(json_object_get(l, "expression"));
		if (v && n < cap)
			out[n++] = v;
	}
	return n;
}

static int cyclonedx(sbom_ctx *c, json_t *doc)
{
	/* an explicit stack instead of recursion: nesting is bounded by the JSON depth limit anyway */
	json_t *stack[BW_SBOM_MAX_NESTING];
	size_t idx[BW_SBOM_MAX_NESTING], depth = 0;
	int rc;

	json_t *meta_comp = json_object_get(json_object_get(doc, "metadata"), "component");
	const char *ref = json_string_value(json_object_get(meta_comp, "name"));
	if (ref)
		snprintf(c->img->name, sizeof(c->img->name), "%s (from %s)", ref, c->what);
	stack[0] = json_object_get(doc, "components");
	idx[0] = 0;
	if (!stack[0])
		return 0;
	if (!json_is_array(stack[0]))
		return bw_error_set(BW_EINPUT, "%s: \"components\" is not an array", c->what);
	while (true) {
		if (idx[depth] >= json_array_size(stack[depth])) {
			if (depth == 0)
				break;
			depth--;
			continue;
		}
		json_t *comp = json_array_get(stack[depth], idx[depth]++);
		if (!json_is_object(comp))
			return bw_error_set(BW_EINPUT, "%s: a component is not an object", c->what);
		const char *type = json_string_value(json_object_get(comp, "type"));
		const char *purl_text = json_string_value(json_object_get(comp, "purl"));
		if (type && !strcmp(type, "operating-system")) {
			const char *n = json_string_value(json_object_get(comp, "name"));
			const char *v = json_string_value(json_object_get(comp, "version"));
			if (n && v && strlen(n) < sizeof(c->os_family) && strlen(v) < sizeof(c->os_version)) {
				snprintf(c->os_family, sizeof(c->os_family), "%s", n);
				snprintf(c->os_version, sizeof(c->os_version), "%s", v);
				for (char *q = c->os_family; *q; q++)
					*q = (char)tolower((unsigned char)*q);
			}
		} else if (purl_text) {
			const char *lic[32];
			size_t nl = cdx_licenses(comp, lic, 32);
			const char *sn = property(comp, "bulwark:package:source_name");
			const char *sv = property(comp, "bulwark:package:source_version");
			char trivy_v[600];
			if (!sn && (sn = property(comp, "aquasecurity:trivy:SrcName"))) {
				const char *tv = property(comp, "aquasecurity:trivy:SrcVersion");
				const char *tr = property(comp, "aquasecurity:trivy:SrcRelease");
				const char *te = property(comp, "aquasecurity:trivy:SrcEpoch");
				snprintf(trivy_v, sizeof(trivy_v), "%s%s%s%s%s", te && strcmp(te, "0") ? te : "",
					 te && strcmp(te, "0") ? ":" : "", tv ? tv : "", tr ? "-" : "", tr ? tr : "");
				sv = trivy_v;
			}
			if ((rc = add_from_purl(c, purl_text, sn, sv, lic, nl,
						property(comp, "bulwark:package:os_package"))) < 0)
				return rc;
		} else {
			c->components++;
			c->without_purl++;
		}
		json_t *children = json_object_get(comp, "components");
		if (json_is_array(children) && json_array_size(children)) {
			if (depth + 1 == BW_SBOM_MAX_NESTING)
				return bw_error_set(BW_EINPUT, "%s: components nested deeper than %d", c->what,
						    BW_SBOM_MAX_NESTING);
			stack[++depth] = children;
			idx[depth] = 0;
		}
	}
	return 0;
}

static int spdx(sbom_ctx *c, json_t *doc)
{
	json_t *pkgs = json_object_get(doc, "packages"), *p, *r;
	size_t i, j;
	int rc;

	const char *name = json_string_value(json_object_get(doc, "name"));
	if (name)
		snprintf(c->img->name, sizeof(c->img->name), "%s (from %s)", name, c->what);
	if (pkgs && !json_is_array(pkgs))
		return bw_error_set(BW_EINPUT, "%s: \"packages\" is not an array", c->what);
	json_array_foreach(pkgs, i, p) {
		const char *purl_text = NULL;
		json_array_foreach(json_object_get(p, "externalRefs"), j, r) {
			const char *t = json_string_value(json_object_get(r, "referenceType"));
			if (t && !strcmp(t, "purl"))
				purl_text = json_string_value(json_object_get(r, "referenceLocator"));
		}
		const char *purpose = json_string_value(json_object_get(p, "primaryPackagePurpose"));
		if (purpose && !strcmp(purpose, "OPERATING-SYSTEM")) {
			const char *n = json_string_value(json_object_get(p, "name"));
			const char *v = json_string_value(json_object_get(p, "versionInfo"));
			if (n && v && strlen(n) < sizeof(c->os_family) && strlen(v) < sizeof(c->os_version)) {
				snprintf(c->os_family, sizeof(c->os_family), "%s", n);
				snprintf(c->os_version, sizeof(c->os_version), "%s", v);
			}
			continue;
		}
		if (!purl_text) {
			c->components++;
			c->without_purl++;
			continue;
		}
		/* bulwark writes "source package NAME VERSION" */
		char sn[512] = "", sv[600] = "";
		const char *si = json_string_value(json_object_get(p, "sourceInfo"));
		if (si && sscanf(si, "source package %511s %599s", sn, sv) < 1)
			sn[0] = '\0';
		const char *lic[1];
		const char *declared = json_string_value(json_object_get(p, "licenseDeclared"));
		size_t nl = declared && strcmp(declared, "NOASSERTION") && strcmp(declared, "NONE") ? 1 : 0;
		lic[0] = declared;
		/* bulwark writes "...; installed by the OS package NAME" in the comment */
		char osp[256] = "";
		const char *comment = json_string_value(json_object_get(p, "comment"));
		const char *mark = comment ? strstr(comment, "; installed by the OS package ") : NULL;
		if (mark)
			snprintf(osp, sizeof(osp), "%s", mark + strlen("; installed by the OS package "));
		if ((rc = add_from_purl(c, purl_text, sn[0] ? sn : NULL, sv[0] ? sv : NULL, lic, nl,
					osp[0] ? osp : NULL)) < 0)
			return rc;
	}
	return 0;
}

int bw_sbom_image_open(bw_image *img, const char *path)
{
	bw_buf b = BW_BUF_INIT(BW_SBOM_MAX_BYTES);
	json_t *doc = NULL;
	sbom_ctx c = { .img = img, .what = path };
	int rc = bw_buf_read_file(&b, path, BW_EINPUT, "the SBOM");

	if (rc == 0)
		rc = bw_json_parse(path, b.data, b.len, BW_SBOM_MAX_BYTES, &doc);
	bw_buf_free(&b);
	if (rc < 0)
		return rc;
	const char *format = json_string_value(json_object_get(doc, "bomFormat"));
	json_t *list = json_object_get(doc, format ? "components" : "packages");
	if (json_array_size(list) > BW_SBOM_MAX_COMPONENTS) {
		rc = bw_error_set(BW_EINPUT, "sbom:%s: more than %d components", path, BW_SBOM_MAX_COMPONENTS);
	} else if (format && !strcmp(format, "CycloneDX")) {
		rc = cyclonedx(&c, doc);
	} else if (json_is_string(json_object_get(doc, "spdxVersion"))) {
		const char *v = json_string_value(json_object_get(doc, "spdxVersion"));
		rc = strncmp(v, "SPDX-2.", 7) == 0 ? spdx(&c, doc)
			: bw_error_set(BW_EINPUT, "sbom:%s: %s is not supported (SPDX 2.x JSON)", path, v);
	} else {
		rc = bw_error_set(BW_EINPUT, "sbom:%s: neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)",
				  path);
	}
	json_decref(doc);
	if (rc < 0)
		return rc;
	if (c.os_family[0])
		bw_image_set_os(img, c.os_family, c.os_version, NULL, NULL);
	if (c.without_purl || c.unsupported)
		bw_warn("sbom:%s: %llu of %llu components have no package URL bulwark can match (%llu without one, "
			"%llu of other types); they are not scanned", path,
			(unsigned long long)(c.without_purl + c.unsupported), (unsigned long long)c.components,
			(unsigned long long)c.without_purl, (unsigned long long)c.unsupported);
	return 0;
}
