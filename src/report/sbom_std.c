/*
 * report/sbom_std.c: the standard SBOM formats, CycloneDX 1.6 JSON and SPDX
 * 2.3 JSON, from the packages of a scanned image. The image is the root
 * (CycloneDX metadata.component of type "container"; SPDX package described
 * by the document), the operating system a component of its own whose
 * dependencies are the OS packages, and every package carries its purl,
 * licenses (SPDX ids where they are ids; expressions when the source wrote
 * one; names otherwise), the path it was found at and its layer.
 *
 * For `scan --format cyclonedx` the same BOM carries the findings
 * (report/cyclonedx.c).
 *
 * SOURCE_DATE_EPOCH, when set, fixes the timestamps (reproducible output).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bulwark/bulwark.h"
#include "report/report_int.h"
#include "report/spdx.h"
#include "util/strmap.h"

static void uuid4(char out[37])
{
	unsigned char b[16] = { 0 };
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* no entropy: still a well-formed UUID; serials need only be unique per tool run */
		uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
		memcpy(b, &x, sizeof(x));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static bool is_os_type(const char *t)
{
	return t && (!strcmp(t, "deb") || !strcmp(t, "apk") || !strcmp(t, "rpm"));
}

void bw_report__cdx_ref(const bw_package *p, size_t i, char *out, size_t n)
{
	snprintf(out, n, "%s%cpackage-id=%zu", p->purl, strchr(p->purl, '?') ? '&' : '?', i + 1);
}

static const char *layer_of(const bw_image_info *in, size_t layer)
{
	return layer < in->n_layers ? in->layers[layer].diff_id : NULL;
}

static void cdx_property(bw_jsonw *w, const char *name, const char *value)
{
	if (!value)
		return;
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "name", name);
	bw_jw_kv_string(w, "value", value);
	bw_jw_object_end(w);
}

static void cdx_licenses(bw_jsonw *w, const bw_package *p)
{
	if (!p->n_licenses)
		return;
	bw_jw_key(w, "licenses");
	bw_jw_array_begin(w);
	if (p->n_licenses == 1 && bw_spdx_is_expression(p->licenses[0])) {
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "expression", p->licenses[0]);
		bw_jw_object_end(w);
	} else {
		for (size_t i = 0; i < p->n_licenses; i++) {
			const char *id = bw_spdx_canonical(p->licenses[i]);
			bw_jw_object_begin(w);
			bw_jw_key(w, "license");
			bw_jw_object_begin(w);
			bw_jw_kv_string(w, id ? "id" : "name", id ? id : p->licenses[i]);
			bw_jw_object_end(w);
			bw_jw_object_end(w);
		}
	}
	bw_jw_array_end(w);
}


/*
 * Resolves dependencies ("name@version" of a package read from the same file)
 * to package indexes: calls fn(from, to) for each one found. Unresolvable
 * names (a dependency the image does not hold) are left out.
 */
static int each_dependency(const bw_image *img, void (*fn)(size_t from, size_t to, void *ctx), void *ctx)
{
	size_t n = bw_image_package_count(img);
	bw_strmap index = { 0 };
	char **keys = calloc(n + 1, sizeof(char *));
	int rc = 0;

	if (!keys)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < n && rc == 0; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		size_t len = strlen(p->path ? p->path : "") + strlen(p->name) + strlen(p->version ? p->version : "") + 4;
		if (!(keys[i] = malloc(len))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
		snprintf(keys[i], len, "%s\t%s@%s", p->path ? p->path : "", p->name, p->version ? p->version : "");
		if (!bw_strmap_get(&index, keys[i]) && bw_strmap_put(&index, keys[i], (void *)(uintptr_t)(i + 1)) < 0)
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		uintptr_t *seen = p->n_depends ? calloc(p->n_depends, sizeof(*seen)) : NULL;
		size_t n_seen = 0;
		if (p->n_depends && !seen) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
		for (size_t k = 0; k < p->n_depends; k++) {
			char key[4096];
			snprintf(key, sizeof(key), "%s\t%s", p->path ? p->path : "", p->depends[k]);
			uintptr_t to = (uintptr_t)bw_strmap_get(&index, key);
			bool dup = false;
			for (size_t s = 0; s < n_seen && !dup; s++)
				dup = seen[s] == to;
			if (!to || to - 1 == i || dup)
				continue; /* not in the image, itself, or said twice (dependsOn is a set) */
			seen[n_seen++] = to;
			fn(i, to - 1, ctx);
		}
		free(seen);
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	bw_strmap_free(&index);
	return rc;
}

typedef struct dep_writer {
	bw_jsonw *w;
	const bw_image *img;
	size_t open_from; /* CycloneDX: the package whose dependsOn array is open, or SIZE_MAX */
} dep_writer;

static void cdx_dep(size_t from, size_t to, void *ctx)
{
	dep_writer *d = ctx;
	char ref[4200];
	if (d->open_from != from) {
		if (d->open_from != SIZE_MAX) {
			bw_jw_array_end(d->w);
			bw_jw_object_end(d->w);
		}
		bw_report__cdx_ref(bw_image_package_at(d->img, from), from, ref, sizeof(ref));
		bw_jw_object_begin(d->w);
		bw_jw_kv_string(d->w, "ref", ref);
		bw_jw_key(d->w, "dependsOn");
		bw_jw_array_begin(d->w);
		d->open_from = from;
	}
	bw_report__cdx_ref(bw_image_package_at(d->img, to), to, ref, sizeof(ref));
	bw_jw_string(d->w, ref);
}

static void spdx_dep(size_t from, size_t to, void *ctx)
{
	dep_writer *d = ctx;
	char a[64], b[64];
	snprintf(a, sizeof(a), "SPDXRef-Package-%zu", from + 1);
	snprintf(b, sizeof(b), "SPDXRef-Package-%zu", to + 1);
	bw_jw_object_begin(d->w);
	bw_jw_kv_string(d->w, "spdxElementId", a);
	bw_jw_kv_string(d->w, "relationshipType", "DEPENDS_ON");
	bw_jw_kv_string(d->w, "relatedSpdxElement", b);
	bw_jw_object_end(d->w);
}

static int cyclonedx(FILE *out, const bw_image *img, const bw_report_view *scan)
{
	const bw_image_info *in = bw_image_get_info(img);
	size_t n = bw_image_package_count(img);
	char ts[32], uuid[37], ref[4200], os_ref[256];
	bw_jsonw w;

	bw_report__timestamp(ts);
	uuid4(uuid);
	snprintf(os_ref, sizeof(os_ref), "os:%s@%s", in->os_family ? in->os_family : "unknown",
		 in->os_version ? in->os_version : "");
	bw_jw_init(&w, out, true);
	w.html_safe = scan != NULL; /* scan results are shown in dashboards: no raw markup in strings */
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
	bw_jw_kv_string(&w, "bomFormat", "CycloneDX");
	bw_jw_kv_string(&w, "specVersion", "1.6");
	snprintf(ref, sizeof(ref), "urn:uuid:%s", uuid);
	bw_jw_kv_string(&w, "serialNumber", ref);
	bw_jw_kv_uint(&w, "version", 1);

	bw_jw_key(&w, "metadata");
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "timestamp", ts);
	bw_jw_key(&w, "tools");
	bw_jw_object_begin(&w);
	bw_jw_key(&w, "components");
	bw_jw_array_begin(&w);
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "type", "application");
	bw_jw_kv_string(&w, "name", "bulwark");
	bw_jw_kv_string(&w, "version", bw_version());
	bw_jw_object_end(&w);
	bw_jw_array_end(&w);
	bw_jw_object_end(&w);
	bw_jw_key(&w, "component");
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "bom-ref", "image");
	bw_jw_kv_string(&w, "type", "container");
	bw_jw_kv_string(&w, "name", in->reference);
	if (in->manifest_digest) {
		bw_jw_kv_string(&w, "version", in->manifest_digest);
		const char *colon = strchr(in->manifest_digest, ':');
		if (colon && !strncmp(in->manifest_digest, "sha256:", 7)) {
			bw_jw_key(&w, "hashes");
			bw_jw_array_begin(&w);
			bw_jw_object_begin(&w);
			bw_jw_kv_string(&w, "alg", "SHA-256");
			bw_jw_kv_string(&w, "content", colon + 1);
			bw_jw_object_end(&w);
			bw_jw_array_end(&w);
		}
	}
	bw_jw_key(&w, "properties");
	bw_jw_array_begin(&w);
	cdx_property(&w, "bulwark:image:config_digest", in->config_digest);
	for (size_t i = 0; i < in->n_layers; i++)
		cdx_property(&w, "bulwark:image:diff_id", in->layers[i].diff_id);
	bw_jw_array_end(&w);
	bw_jw_object_end(&w);
	bw_jw_object_end(&w); /* metadata */

	bw_jw_key(&w, "components");
	bw_jw_array_begin(&w);
	if (in->os_family) {
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "bom-ref", os_ref);
		bw_jw_kv_string(&w, "type", "operating-system");
		bw_jw_kv_string(&w, "name", in->os_family);
		if (in->os_version)
			bw_jw_kv_string(&w, "version", in->os_version);
		if (in->os_pretty_name)
			bw_jw_kv_string(&w, "description", in->os_pretty_name);
		bw_jw_object_end(&w);
	}
	for (size_t i = 0; i < n; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		char idx[32];
		bw_report__cdx_ref(p, i, ref, sizeof(ref));
		snprintf(idx, sizeof(idx), "%zu", p->layer + 1);
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "bom-ref", ref);
		bw_jw_kv_string(&w, "type", "library");
		bw_jw_kv_string(&w, "name", p->name);
		if (p->version)
			bw_jw_kv_string(&w, "version", p->version);
		bw_jw_kv_string(&w, "purl", p->purl);
		cdx_licenses(&w, p);
		bw_jw_key(&w, "properties");
		bw_jw_array_begin(&w);
		cdx_property(&w, "bulwark:package:type", p->type);
		cdx_property(&w, "bulwark:package:path", p->path);
		cdx_property(&w, "bulwark:package:layer_diff_id", layer_of(in, p->layer));
		cdx_property(&w, "bulwark:package:layer_index", idx);
		cdx_property(&w, "bulwark:package:source_name", p->source_name);
		cdx_property(&w, "bulwark:package:source_version", p->source_version);
		cdx_property(&w, "bulwark:package:os_package", p->os_package);
		bw_jw_array_end(&w);
		bw_jw_object_end(&w);
	}
	bw_jw_array_end(&w);

	bw_jw_key(&w, "dependencies");
	bw_jw_array_begin(&w);
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "ref", "image");
	bw_jw_key(&w, "dependsOn");
	bw_jw_array_begin(&w);
	if (in->os_family)
		bw_jw_string(&w, os_ref);
	for (size_t i = 0; i < n; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		if (in->os_family && is_os_type(p->type))
			continue;
		bw_report__cdx_ref(p, i, ref, sizeof(ref));
		bw_jw_string(&w, ref);
	}
	bw_jw_array_end(&w);
	bw_jw_object_end(&w);
	if (in->os_family) {
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "ref", os_ref);
		bw_jw_key(&w, "dependsOn");
		bw_jw_array_begin(&w);
		for (size_t i = 0; i < n; i++) {
			const bw_package *p = bw_image_package_at(img, i);
			if (!is_os_type(p->type))
				continue;
			bw_report__cdx_ref(p, i, ref, sizeof(ref));
			bw_jw_string(&w, ref);
		}
		bw_jw_array_end(&w);
		bw_jw_object_end(&w);
	}
	/* what the sources say packages depend on (package-lock, go build info, Cargo.lock) */
	dep_writer dw = { &w, img, SIZE_MAX };
	if (each_dependency(img, cdx_dep, &dw) < 0)
		return BW_EINTERNAL;
	if (dw.open_from != SIZE_MAX) {
		bw_jw_array_end(&w);
		bw_jw_object_end(&w);
	}
	bw_jw_array_end(&w);
	if (scan) {
		bw_report__cdx_vulnerabilities(&w, scan);
		if (scan->r->policy)
			bw_report__cdx_policy(&w, scan->r->policy);
	}
	bw_jw_object_end(&w);
	return bw_jw_finish(&w) < 0 ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
}

/* ------------------------------------------------------------ SPDX 2.3 */

/* "LicenseRef-" + the name with every character outside [A-Za-z0-9.-] made '-' */
static void license_ref(const char *name, char *out, size_t n)
{
	snprintf(out, n, "LicenseRef-");
	size_t o = strlen(out);
	for (const char *p = name; *p && o + 1 < n; p++) {
		char c = *p;
		out[o++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') ? c : '-';
	}
	out[o] = '\0';
}

/* licenseDeclared: the expression as written, ids joined with AND, LicenseRefs for names */
static void spdx_declared(const bw_package *p, char *out, size_t n)
{
	if (!p->n_licenses) {
		snprintf(out, n, "NOASSERTION");
		return;
	}
	if (p->n_licenses == 1 && bw_spdx_is_expression(p->licenses[0])) {
		snprintf(out, n, "%s", p->licenses[0]);
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < p->n_licenses; i++) {
		char one[512];
		const char *id = bw_spdx_canonical(p->licenses[i]);
		if (id)
			snprintf(one, sizeof(one), "%s", id);
		else
			license_ref(p->licenses[i], one, sizeof(one));
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%s", i ? " AND " : "", one);
	}
}

static int spdx(FILE *out, const bw_image *img)
{
	const bw_image_info *in = bw_image_get_info(img);
	size_t n = bw_image_package_count(img);
	char ts[32], uuid[37], buf[8192];
	bw_jsonw w;

	bw_report__timestamp(ts);
	uuid4(uuid);
	bw_jw_init(&w, out, true);
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "spdxVersion", "SPDX-2.3");
	bw_jw_kv_string(&w, "dataLicense", "CC0-1.0");
	bw_jw_kv_string(&w, "SPDXID", "SPDXRef-DOCUMENT");
	bw_jw_kv_string(&w, "name", in->reference);
	snprintf(buf, sizeof(buf), "https://bulwark.invalid/spdx/%s", uuid);
	bw_jw_kv_string(&w, "documentNamespace", buf);
	bw_jw_key(&w, "creationInfo");
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "created", ts);
	bw_jw_key(&w, "creators");
	bw_jw_array_begin(&w);
	snprintf(buf, sizeof(buf), "Tool: bulwark-%s", bw_version());
	bw_jw_string(&w, buf);
	bw_jw_array_end(&w);
	bw_jw_object_end(&w);

	bw_jw_key(&w, "packages");
	bw_jw_array_begin(&w);
	bw_jw_object_begin(&w);
	bw_jw_kv_string(&w, "SPDXID", "SPDXRef-Image");
	bw_jw_kv_string(&w, "name", in->reference);
	if (in->manifest_digest)
		bw_jw_kv_string(&w, "versionInfo", in->manifest_digest);
	bw_jw_kv_string(&w, "downloadLocation", "NOASSERTION");
	bw_jw_kv_bool(&w, "filesAnalyzed", false);
	bw_jw_kv_string(&w, "primaryPackagePurpose", "CONTAINER");
	bw_jw_object_end(&w);
	if (in->os_family) {
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "SPDXID", "SPDXRef-OperatingSystem");
		bw_jw_kv_string(&w, "name", in->os_family);
		if (in->os_version)
			bw_jw_kv_string(&w, "versionInfo", in->os_version);
		bw_jw_kv_string(&w, "downloadLocation", "NOASSERTION");
		bw_jw_kv_bool(&w, "filesAnalyzed", false);
		bw_jw_kv_string(&w, "primaryPackagePurpose", "OPERATING_SYSTEM");
		bw_jw_object_end(&w);
	}
	for (size_t i = 0; i < n; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		bw_jw_object_begin(&w);
		snprintf(buf, sizeof(buf), "SPDXRef-Package-%zu", i + 1);
		bw_jw_kv_string(&w, "SPDXID", buf);
		bw_jw_kv_string(&w, "name", p->name);
		if (p->version)
			bw_jw_kv_string(&w, "versionInfo", p->version);
		bw_jw_kv_string(&w, "downloadLocation", "NOASSERTION");
		bw_jw_kv_bool(&w, "filesAnalyzed", false);
		bw_jw_kv_string(&w, "licenseConcluded", "NOASSERTION");
		spdx_declared(p, buf, sizeof(buf));
		bw_jw_kv_string(&w, "licenseDeclared", buf);
		bw_jw_kv_string(&w, "copyrightText", "NOASSERTION");
		bw_jw_kv_string(&w, "primaryPackagePurpose", "LIBRARY");
		if (p->source_name) {
			snprintf(buf, sizeof(buf), "source package %s %s", p->source_name,
				 p->source_version ? p->source_version : "");
			bw_jw_kv_string(&w, "sourceInfo", buf);
		}
		snprintf(buf, sizeof(buf), "path %s in layer %zu (%s)%s%s", p->path ? p->path : "?", p->layer + 1,
			 layer_of(in, p->layer) ? layer_of(in, p->layer) : "-",
			 p->os_package ? "; installed by the OS package " : "", p->os_package ? p->os_package : "");
		bw_jw_kv_string(&w, "comment", buf);
		bw_jw_key(&w, "externalRefs");
		bw_jw_array_begin(&w);
		bw_jw_object_begin(&w);
		bw_jw_kv_string(&w, "referenceCategory", "PACKAGE-MANAGER");
		bw_jw_kv_string(&w, "referenceType", "purl");
		bw_jw_kv_string(&w, "referenceLocator", p->purl);
		bw_jw_object_end(&w);
		bw_jw_array_end(&w);
		bw_jw_object_end(&w);
	}
	bw_jw_array_end(&w);

	/* every LicenseRef used above, once */
	bw_jw_key(&w, "hasExtractedLicensingInfos");
	bw_jw_array_begin(&w);
	{
		char **seen = calloc(1, sizeof(char *));
		size_t n_seen = 0;
		for (size_t i = 0; seen && i < n; i++) {
			const bw_package *p = bw_image_package_at(img, i);
			if (p->n_licenses == 1 && bw_spdx_is_expression(p->licenses[0]))
				continue;
			for (size_t k = 0; k < p->n_licenses; k++) {
				if (bw_spdx_canonical(p->licenses[k]))
					continue;
				license_ref(p->licenses[k], buf, sizeof(buf));
				bool dup = false;
				for (size_t s = 0; s < n_seen && !dup; s++)
					dup = !strcmp(seen[s], buf);
				if (dup)
					continue;
				char **ns = realloc(seen, (n_seen + 1) * sizeof(char *));
				if (!ns)
					break;
				seen = ns;
				if (!(seen[n_seen] = strdup(buf)))
					break;
				n_seen++;
				bw_jw_object_begin(&w);
				bw_jw_kv_string(&w, "licenseId", buf);
				bw_jw_kv_string(&w, "name", p->licenses[k]);
				bw_jw_kv_string(&w, "extractedText", p->licenses[k]);
				bw_jw_object_end(&w);
			}
		}
		for (size_t s = 0; s < n_seen; s++)
			free(seen[s]);
		free(seen);
	}
	bw_jw_array_end(&w);

	bw_jw_key(&w, "relationships");
	bw_jw_array_begin(&w);
#define REL(a, t, b)                                          \
	do {                                                  \
		bw_jw_object_begin(&w);                       \
		bw_jw_kv_string(&w, "spdxElementId", a);      \
		bw_jw_kv_string(&w, "relationshipType", t);   \
		bw_jw_kv_string(&w, "relatedSpdxElement", b); \
		bw_jw_object_end(&w);                         \
	} while (0)
	REL("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
	if (in->os_family)
		REL("SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem");
	for (size_t i = 0; i < n; i++) {
		const bw_package *p = bw_image_package_at(img, i);
		snprintf(buf, sizeof(buf), "SPDXRef-Package-%zu", i + 1);
		REL(in->os_family && is_os_type(p->type) ? "SPDXRef-OperatingSystem" : "SPDXRef-Image", "CONTAINS", buf);
	}
#undef REL
	dep_writer dw = { &w, img, SIZE_MAX };
	if (each_dependency(img, spdx_dep, &dw) < 0)
		return BW_EINTERNAL;
	bw_jw_array_end(&w);
	bw_jw_object_end(&w);
	return bw_jw_finish(&w) < 0 ? bw_error_set(BW_EINTERNAL, "writing the report failed") : 0;
}

int bw_report__sbom_standard(FILE *out, const bw_image *img, bw_format format, const bw_report_view *scan)
{
	return format == BW_FORMAT_CYCLONEDX ? cyclonedx(out, img, scan) : spdx(out, img);
}
