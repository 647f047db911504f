/*
 * vulndb/secdb.c: Alpine, Wolfi and Chainguard secdb documents
 * ({distroversion, reponame, urlprefix, packages: [{pkg: {name, secfixes:
 * {VERSION: [ids]}}}]}), JSON or YAML. One advisory per (package, id), fixed
 * in VERSION; VERSION "0" lists ids the package was never affected by.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "version/version.h"
#include "vulndb/ecosystem.h"
#include "vulndb/import_int.h"

#define MAX_PACKAGES 100000
#define MAX_FIXES_PER_PACKAGE 4096
#define MAX_IDS_PER_FIX 1024

bool bw_secdb_looks_like(json_t *doc)
{
	json_t *p = json_object_get(doc, "packages");
	/* an empty repository is written as "packages": "" (Alpine v3.3 community) */
	bool empty = json_is_null(p) || (json_is_string(p) && json_string_length(p) == 0);
	return json_is_object(doc) && (json_is_array(p) || empty) &&
	       (json_object_get(doc, "distroversion") || json_object_get(doc, "reponame") ||
		json_object_get(doc, "apkurl"));
}

/* Which distribution the document is for: from distroversion, else urlprefix. */
static bool secdb_ecosystem(json_t *doc, char *key, size_t cap)
{
	const char *dv = json_string_value(json_object_get(doc, "distroversion"));
	const char *url = json_string_value(json_object_get(doc, "urlprefix"));

	if (dv && *dv)
		return bw_eco_for_distro("alpine", dv, key, cap);
	if (url && strstr(url, "packages.wolfi.dev"))
		return bw_eco_for_distro("wolfi", NULL, key, cap);
	if (url && strstr(url, "cgr.dev"))
		return bw_eco_for_distro("chainguard", NULL, key, cap);
	return false;
}

int bw_secdb_import(bw_import *imp, const char *what, json_t *doc)
{
	json_t *packages = json_object_get(doc, "packages"), *p, *ids, *idv;
	char eco[BW_ECO_KEY_MAX];
	const char *fixed;
	size_t i, j;
	int rc;

	if (!secdb_ecosystem(doc, eco, sizeof(eco)))
		return bw_error_set(BW_EINPUT, "%s: secdb document names no known distribution "
				    "(distroversion, or urlprefix of Wolfi/Chainguard)", what);
	if (json_array_size(packages) > MAX_PACKAGES)
		return bw_error_set(BW_EINPUT, "%s: more than %d packages", what, MAX_PACKAGES);
	json_array_foreach(packages, i, p) {
		json_t *pkg = json_object_get(p, "pkg");
		const char *name = json_string_value(json_object_get(pkg, "name"));
		json_t *secfixes = json_object_get(pkg, "secfixes");
		if (!name || !*name || strlen(name) >= BW_PKG_KEY_MAX ||
		    (secfixes && !json_is_object(secfixes) && !json_is_null(secfixes))) {
			bw_import_skip(imp, "%s: package %zu has no name or a malformed secfixes", what, i);
			continue;
		}
		if (json_object_size(secfixes) > MAX_FIXES_PER_PACKAGE) {
			bw_import_skip(imp, "%s: %s: more than %d fixed versions", what, name, MAX_FIXES_PER_PACKAGE);
			continue;
		}
		json_object_foreach(secfixes, fixed, ids) {
			if (strcmp(fixed, "0") == 0)
				continue; /* never affected */
			if (json_is_null(ids) || (json_is_string(ids) && json_string_length(ids) == 0))
				continue; /* a fixed version listed with no ids ("7.4.0-r0": "" in v3.6) */
			if (!*fixed || strlen(fixed) > BW_VERSION_MAX_BYTES || !json_is_array(ids) ||
			    json_array_size(ids) > MAX_IDS_PER_FIX) {
				bw_import_skip(imp, "%s: %s: fixed version \"%.64s\" is malformed", what, name, fixed);
				continue;
			}
			json_array_foreach(ids, j, idv) {
				const char *text = json_string_value(idv);
				char id[BW_ADV_MAX_ID_BYTES + 1];
				if (!text) {
					bw_import_skip(imp, "%s: %s %s: an id is not a string", what, name, fixed);
					continue;
				}
				/* "CVE-2019-1234 XSA-123": the first word is the id */
				size_t n = strcspn(text, " \t");
				if (n == 0 || n > BW_ADV_MAX_ID_BYTES) {
					bw_import_skip(imp, "%s: %s %s: empty or over-long id", what, name, fixed);
					continue;
				}
				memcpy(id, text, n);
				id[n] = '\0';
				bw_affected_rec aff = { .ecosystem = eco, .name = name, .status = "fixed", .fixed = fixed };
				bw_adv_rec adv = { .id = id };
				if ((rc = bw_vulnstore_add(imp->store, &adv, &aff, 1)) < 0)
					return rc;
				imp->records++;
			}
		}
	}
	return 0;
}
