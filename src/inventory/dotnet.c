/* inventory/dotnet.c: .NET packages from deps.json (inventory/dotnet.h). */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/analyzer.h"
#include "image/image_int.h"
#include "inventory/dotnet.h"
#include "inventory/langpkg.h"
#include "inventory/package.h"
#include "util/json.h"

static bool non_empty(json_t *lib, const char *key)
{
	json_t *v = json_object_get(lib, key);
	return (json_is_object(v) && json_object_size(v) > 0) || (json_is_array(v) && json_array_size(v) > 0);
}

int bw_dotnet_parse_deps_json(const char *what, const char *data, size_t len, bw_lang_pkgs *out)
{
	json_t *root = NULL, *libs = NULL, *rt = NULL, *targets = NULL, *target = NULL, *lib;
	const char *key, *rt_name = NULL;
	int rc = bw_json_parse(what, data, len, BW_LANG_CONTENT_MAX, &root);
	if (rc < 0)
		return rc;
	if (!json_is_object(root)) {
		rc = bw_error_set(BW_EINPUT, "%s: not a JSON object", what);
		goto done;
	}
	if ((rc = bw_json_opt_object(what, root, "libraries", &libs)) < 0 ||
	    (rc = bw_json_opt_object(what, root, "runtimeTarget", &rt)) < 0 ||
	    (rc = bw_json_opt_object(what, root, "targets", &targets)) < 0)
		goto done;
	if (!libs) {
		rc = bw_error_set(BW_EINPUT, "%s: no \"libraries\" object: not a deps.json", what);
		goto done;
	}
	if (rt && (rc = bw_json_opt_string(what, rt, "name", &rt_name)) < 0)
		goto done;
	if (rt_name && targets && (rc = bw_json_opt_object(what, targets, rt_name, &target)) < 0)
		goto done;

	json_object_foreach(libs, key, lib) {
		const char *type = NULL;
		if (!json_is_object(lib)) {
			rc = bw_error_set(BW_EINPUT, "%s: libraries.%.100s is not an object", what, key);
			break;
		}
		if ((rc = bw_json_opt_string(what, lib, "type", &type)) < 0)
			break;
		if (!type || (strcmp(type, "package") && strcmp(type, "project")))
			continue; /* "reference assemblies", "msbuild", ... are not packages */
		const char *slash = strchr(key, '/');
		if (!slash || slash == key || !slash[1] || strchr(slash + 1, '/')) {
			rc = bw_error_set(BW_EINPUT, "%s: libraries key \"%.100s\" is not \"Name/Version\"", what, key);
			break;
		}
		json_t *t = target ? json_object_get(target, key) : NULL;
		if (json_is_object(t) && !non_empty(t, "runtime") && !non_empty(t, "runtimeTargets") &&
		    !non_empty(t, "native"))
			continue; /* compile-time only: never loaded */
		if ((rc = bw_lang_pkgs_add(out, what, key, (size_t)(slash - key), slash + 1, strlen(slash + 1))) < 0)
			break;
	}
done:
	json_decref(root);
	return rc;
}

/* ------------------------------------------------------------ the analyzer */

static bool dn_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	size_t nl = strlen(e->name);
	return e->type == BW_FT_FILE && nl > 10 && !memcmp(e->name + nl - 10, ".deps.json", 10);
}

static int dn_entry(void *store, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	bw_lang_pkgs l = { 0 };
	int rc;

	if (e->type != BW_FT_FILE)
		return 0;
	if (truncated)
		return bw_lang_entry_done(store, e->path, NULL, true, 0, &l);
	rc = bw_dotnet_parse_deps_json(e->name, (const char *)content, len, &l);
	return bw_lang_entry_done(store, e->path, "nuget", false, rc, &l);
}

const bw_analyzer bw_analyzer_dotnet = {
	.name = "dotnet",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = dn_wants,
	.content_max = BW_LANG_CONTENT_MAX,
	.layer_new = bw_pkgstore_new,
	.save = bw_pkgstore_save,
	.load = bw_pkgstore_load,
	.entry = dn_entry,
	.layer_free = bw_pkgstore_free,
	.finish = bw_pkgstore_finish,
};
