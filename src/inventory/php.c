/* inventory/php.c: Composer packages (inventory/php.h). */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/analyzer.h"
#include "image/image_int.h"
#include "inventory/langpkg.h"
#include "inventory/package.h"
#include "inventory/php.h"
#include "util/json.h"

static int add_packages(const char *what, const char *group, json_t *arr, bw_lang_pkgs *out)
{
	size_t i;
	json_t *pkg;
	int rc = 0;

	json_array_foreach(arr, i, pkg) {
		const char *name = NULL, *version = NULL;
		json_t *lic;
		if (!json_is_object(pkg))
			return bw_error_set(BW_EINPUT, "%s: %s[%zu] is not an object", what, group, i);
		if ((rc = bw_json_string(what, pkg, "name", &name)) < 0 ||
		    (rc = bw_json_string(what, pkg, "version", &version)) < 0)
			return rc;
		if (bw_lang_pkgs_has(out, name, version))
			continue; /* installed.json of Composer 2 may repeat a package in dev-package-names only */
		if ((rc = bw_lang_pkgs_add(out, what, name, strlen(name), version, strlen(version))) < 0)
			return rc;
		lic = json_object_get(pkg, "license");
		if (json_is_string(lic)) {
			rc = bw_lang_pkgs_license(out, what, json_string_value(lic), json_string_length(lic));
		} else if (json_is_array(lic)) {
			size_t k;
			json_t *l;
			json_array_foreach(lic, k, l) {
				if (json_is_string(l) &&
				    (rc = bw_lang_pkgs_license(out, what, json_string_value(l), json_string_length(l))) < 0)
					break;
			}
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int bw_php_parse_composer(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	json_t *root = NULL, *arr = NULL;
	int rc = bw_json_parse(what, data, len, BW_LANG_CONTENT_MAX, &root);
	if (rc < 0)
		return rc;
	if (json_is_array(root)) { /* Composer 1 installed.json */
		rc = add_packages(what, "packages", root, out);
	} else if (json_is_object(root)) {
		static const char *const groups[] = { "packages", "packages-dev" };
		for (size_t g = 0; g < 2 && rc == 0; g++)
			if ((rc = bw_json_opt_array(what, root, groups[g], &arr)) == 0 && arr)
				rc = add_packages(what, groups[g], arr, out);
	} else {
		rc = bw_error_set(BW_EINPUT, "%s: neither an array nor an object", what);
	}
	json_decref(root);
	return rc;
}

/* ------------------------------------------------------------ the analyzer */

static bool is_installed_json(const bw_entry *e)
{
	static const char suffix[] = "/vendor/composer/installed.json";
	size_t sl = sizeof(suffix) - 1;
	return e->path_len >= sl && !memcmp(e->path + e->path_len - sl, suffix, sl);
}

static bool php_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	return e->type == BW_FT_FILE && (is_installed_json(e) || !strcmp(e->name, "composer.lock"));
}

static int php_entry(void *store, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	bw_lang_pkgs l = { 0 };
	int rc;

	if (e->type != BW_FT_FILE)
		return 0;
	if (truncated)
		return bw_lang_entry_done(store, e->path, NULL, true, 0, &l);
	rc = bw_php_parse_composer(e->name, (const char *)content, len, &l);
	return bw_lang_entry_done(store, e->path, "composer", false, rc, &l);
}

/* pkg:composer/vendor/name@version: the vendor is the purl namespace */
static void composer_purl(const bw_package *p, char *out, size_t outsz)
{
	char vendor[BW_LANG_MAX_FIELD + 1];
	const char *slash = strchr(p->name, '/');
	snprintf(out, outsz, "pkg:composer/");
	if (slash && (size_t)(slash - p->name) < sizeof(vendor)) {
		memcpy(vendor, p->name, (size_t)(slash - p->name));
		vendor[slash - p->name] = '\0';
		bw_purl_escape(out, outsz, vendor);
		size_t l = strlen(out);
		if (l + 1 < outsz) {
			out[l] = '/';
			out[l + 1] = '\0';
		}
		bw_purl_escape(out, outsz, slash + 1);
	} else {
		bw_purl_escape(out, outsz, p->name);
	}
	size_t l = strlen(out);
	if (l + 1 < outsz) {
		out[l] = '@';
		out[l + 1] = '\0';
	}
	bw_purl_escape(out, outsz, p->version);
}

static int php_finish(bw_image *img, void *const *states, size_t n_layers)
{
	size_t from = img->n_packages;
	int rc = bw_pkgstore_finish(img, states, n_layers);
	if (rc < 0)
		return rc;
	return bw_lang_set_purls(img, from, composer_purl);
}

const bw_analyzer bw_analyzer_php = {
	.name = "php",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = php_wants,
	.content_max = BW_LANG_CONTENT_MAX,
	.layer_new = bw_pkgstore_new,
	.save = bw_pkgstore_save,
	.load = bw_pkgstore_load,
	.entry = php_entry,
	.layer_free = bw_pkgstore_free,
	.finish = php_finish,
};
