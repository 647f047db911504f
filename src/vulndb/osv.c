/*
 * vulndb/osv.c: OSV records (https://ossf.github.io/osv-schema/) into the
 * store, one advisory per record, one affected row per package entry whose
 * ecosystem bulwark matches. The ranges are kept as compact JSON and
 * evaluated at match time (src/match/osv_range.c), because their meaning
 * depends on the ecosystem's version order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "match/cvss.h"
#include "version/version.h"
#include "vulndb/ecosystem.h"
#include "vulndb/import_int.h"

bool bw_osv_looks_like(json_t *doc)
{
	return json_is_object(doc) && json_is_string(json_object_get(doc, "id")) &&
	       (json_object_get(doc, "affected") || json_object_get(doc, "modified") ||
		json_object_get(doc, "schema_version"));
}

const char *bw_severity_word(const char *s)
{
	static const struct { const char *in, *out; } map[] = {
		{ "critical", "CRITICAL" }, { "high", "HIGH" }, { "important", "HIGH" },
		{ "moderate", "MEDIUM" }, { "medium", "MEDIUM" }, { "low", "LOW" },
		{ "negligible", "LOW" }, { "unimportant", "LOW" },
	};
	if (!s)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(s, map[i].in) == 0)
			return map[i].out;
	return NULL;
}

static bool short_string(json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= max &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* A version as OSV writes it in an event or a versions list. */
static bool version_ok(json_t *v)
{
	return short_string(v, BW_VERSION_MAX_BYTES);
}

/*
 * Keeps the ranges bulwark can evaluate (ECOSYSTEM, SEMVER) after checking
 * every event; GIT ranges name commits, not versions, and are dropped.
 * Returns 1 when something usable is left, 0 when not, <0 when malformed
 * (reason in *why).
 */
static int filter_ranges(json_t *aff, json_t **out, const char **why)
{
	json_t *ranges = json_object_get(aff, "ranges"), *versions = json_object_get(aff, "versions");
	json_t *kept = json_array(), *doc = json_object();
	size_t i, j;
	json_t *r, *ev;

	*out = NULL;
	if (!kept || !doc)
		goto oom;
	if (ranges && (!json_is_array(ranges) || json_array_size(ranges) > BW_OSV_MAX_RANGES)) {
		*why = "\"ranges\" is not an array of at most 256 ranges";
		goto bad;
	}
	json_array_foreach(ranges, i, r) {
		json_t *type = json_object_get(r, "type"), *events = json_object_get(r, "events");
		if (!json_is_object(r) || !json_is_string(type)) {
			*why = "a range has no \"type\"";
			goto bad;
		}
		if (!json_is_array(events) || json_array_size(events) == 0 ||
		    json_array_size(events) > BW_OSV_MAX_EVENTS) {
			*why = "a range has no events (or more than 4096)";
			goto bad;
		}
		bool git = strcmp(json_string_value(type), "GIT") == 0;
		if (!git && strcmp(json_string_value(type), "ECOSYSTEM") != 0 &&
		    strcmp(json_string_value(type), "SEMVER") != 0) {
			*why = "a range has an unknown type";
			goto bad;
		}
		json_t *evs = json_array();
		if (!evs)
			goto oom;
		json_array_foreach(events, j, ev) {
			const char *kinds[] = { "introduced", "fixed", "last_affected", "limit" };
			const char *kind = NULL;
			json_t *val = NULL;
			size_t nkinds = 0;
			for (size_t k = 0; k < 4; k++)
				if (json_object_get(ev, kinds[k])) {
					kind = kinds[k];
					val = json_object_get(ev, kinds[k]);
					nkinds++;
				}
			if (!json_is_object(ev) || nkinds != 1 || !version_ok(val)) {
				json_decref(evs);
				*why = "an event is not exactly one of introduced/fixed/last_affected/limit "
				       "with a version of at most 1024 bytes";
				goto bad;
			}
			/* ["i"|"f"|"l"|"m", version]: short, and the order is kept as given */
			char tag[2] = { kind[0] == 'l' && kind[1] == 'i' ? 'm' : kind[0], '\0' };
			if (json_array_append_new(evs, json_pack("[sO]", tag, val)) < 0) {
				json_decref(evs);
				goto oom;
			}
		}
		if (git) {
			json_decref(evs);
			continue;
		}
		if (json_array_append_new(kept, evs) < 0)
			goto oom;
	}
	if (versions) {
		if (!json_is_array(versions) || json_array_size(versions) > BW_OSV_MAX_VERSIONS) {
			*why = "\"versions\" is not an array of at most 65536 versions";
			goto bad;
		}
		json_array_foreach(versions, i, r)
			if (!version_ok(r)) {
				*why = "\"versions\" holds something other than a version of at most 1024 bytes";
				goto bad;
			}
	}
	if (json_array_size(kept) == 0 && json_array_size(versions) == 0) {
		json_decref(kept);
		json_decref(doc);
		return 0;
	}
	if (json_object_set_new(doc, "r", kept) < 0 ||
	    (json_array_size(versions) && json_object_set(doc, "v", versions) < 0)) {
		json_decref(doc);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	*out = doc;
	return 1;
oom:
	json_decref(kept);
	json_decref(doc);
	return bw_error_set(BW_EINTERNAL, "out of memory");
bad:
	json_decref(kept);
	json_decref(doc);
	return -1;
}

/* severity[] of the record: CVSS vectors (scored here) and Ubuntu's priority word. */
static json_t *cvss_list(json_t *rec, const char **word)
{
	json_t *sev = json_object_get(rec, "severity"), *out = json_array(), *s;
	size_t i;

	*word = NULL;
	if (!out)
		return NULL;
	json_array_foreach(sev, i, s) {
		const char *type = json_string_value(json_object_get(s, "type"));
		const char *score = json_string_value(json_object_get(s, "score"));
		if (!type || !score || strlen(score) > 512 || i >= 16)
			continue;
		if (strcmp(type, "Ubuntu") == 0) {
			*word = bw_severity_word(score);
			continue;
		}
		if (strncmp(type, "CVSS_", 5) != 0)
			continue;
		bw_cvss c;
		if (bw_cvss_parse(score, &c) < 0) {
			bw_error_clear();
			continue; /* a bad vector loses the score, not the advisory */
		}
		char version[8];
		snprintf(version, sizeof(version), "%d.%d", c.major, c.minor);
		json_t *o = c.has_score ? json_pack("{sssssf}", "version", version, "vector", score,
						    "score", c.score)
					: json_pack("{ssss}", "version", version, "vector", score);
		if (o)
			json_array_append_new(out, o);
	}
	return out;
}

static char *dump(json_t *v)
{
	return v && json_array_size(v) ? json_dumps(v, JSON_COMPACT) : NULL;
}

int bw_osv_import(bw_import *imp, const char *what, json_t *rec)
{
	json_t *id = json_object_get(rec, "id"), *aliases = json_object_get(rec, "aliases");
	json_t *affected = json_object_get(rec, "affected"), *v;
	const char *alias_ptrs[BW_ADV_MAX_ALIASES];
	bw_affected_rec *aff = NULL;
	json_t **ranges = NULL;
	char (*eco)[BW_ECO_KEY_MAX] = NULL, (*name)[BW_PKG_KEY_MAX] = NULL;
	size_t n_alias = 0, n_aff = 0, i;
	const char *why = NULL, *word = NULL;
	char *cvss = NULL, *refs = NULL;
	int rc = 0;

	if (!short_string(id, BW_ADV_MAX_ID_BYTES)) {
		bw_import_skip(imp, "%s: OSV record without a usable \"id\"", what);
		return 0;
	}
	const char *idv = json_string_value(id);
	if (json_object_get(rec, "withdrawn")) {
		imp->ignored++;
		return 0;
	}
	if (aliases && (!json_is_array(aliases) || json_array_size(aliases) > BW_ADV_MAX_ALIASES)) {
		bw_import_skip(imp, "%s: %s: \"aliases\" is not an array of at most 256 ids", what, idv);
		return 0;
	}
	json_array_foreach(aliases, i, v) {
		if (!short_string(v, BW_ADV_MAX_ID_BYTES) || strchr(json_string_value(v), '\n')) {
			bw_import_skip(imp, "%s: %s: an alias is not an id", what, idv);
			return 0;
		}
		alias_ptrs[n_alias++] = json_string_value(v);
	}
	if (!json_is_array(affected) || json_array_size(affected) > BW_OSV_MAX_AFFECTED) {
		if (!affected) {
			imp->ignored++;
			return 0;
		}
		bw_import_skip(imp, "%s: %s: \"affected\" is not an array of at most 4096 packages", what, idv);
		return 0;
	}
	size_t cap = json_array_size(affected);
	aff = calloc(cap ? cap : 1, sizeof(*aff));
	ranges = calloc(cap ? cap : 1, sizeof(*ranges));
	eco = calloc(cap ? cap : 1, sizeof(*eco));
	name = calloc(cap ? cap : 1, sizeof(*name));
	if (!aff || !ranges || !eco || !name) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto out;
	}
	json_array_foreach(affected, i, v) {
		json_t *pkg = json_object_get(v, "package");
		const char *osv_eco = json_string_value(json_object_get(pkg, "ecosystem"));
		json_t *pname = json_object_get(pkg, "name");
		bool distro;
		if (!json_is_object(v) || !osv_eco || !short_string(pname, BW_PKG_KEY_MAX - 1)) {
			if (json_is_object(v) && !pkg)
				continue; /* affected entries without a package name commits only */
			bw_import_skip(imp, "%s: %s: an affected entry has no package ecosystem and name", what, idv);
			goto out;
		}
		if (!bw_eco_from_osv(osv_eco, eco[n_aff], BW_ECO_KEY_MAX, &distro) ||
		    !bw_eco_package_key(eco[n_aff], json_string_value(pname), name[n_aff], BW_PKG_KEY_MAX))
			continue;
		int got = filter_ranges(v, &ranges[n_aff], &why);
		if (got < 0) {
			if (bw_error_last()->code == BW_EINTERNAL) {
				rc = -1;
				goto out;
			}
			bw_import_skip(imp, "%s: %s: %s", what, idv, why);
			goto out;
		}
		if (got == 0)
			continue;
		char *text = json_dumps(ranges[n_aff], JSON_COMPACT);
		json_decref(ranges[n_aff]);
		ranges[n_aff] = NULL;
		if (!text) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto out;
		}
		/* The dumped text replaces the tree; kept in ranges[] via a string value. */
		ranges[n_aff] = json_string_nocheck(text);
		free(text);
		if (!ranges[n_aff]) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto out;
		}
		const char *sev = bw_severity_word(json_string_value(json_object_get(
			json_object_get(v, "ecosystem_specific"), "severity")));
		aff[n_aff] = (bw_affected_rec){
			.ecosystem = eco[n_aff], .name = name[n_aff], .status = "osv",
			.ranges = json_string_value(ranges[n_aff]), .severity = sev, .from_osv = distro,
		};
		n_aff++;
	}
	if (n_aff == 0) {
		imp->ignored++;
		goto out;
	}
	json_t *cv = cvss_list(rec, &word);
	cvss = dump(cv);
	json_decref(cv);
	json_t *rl = json_array(), *r;
	json_array_foreach(json_object_get(rec, "references"), i, r) {
		json_t *url = json_object_get(r, "url");
		if (short_string(url, 2048) && json_array_size(rl) < 64)
			json_array_append(rl, url);
	}
	refs = dump(rl);
	json_decref(rl);
	const char *sev = bw_severity_word(json_string_value(json_object_get(
		json_object_get(rec, "database_specific"), "severity")));
	json_t *summary = json_object_get(rec, "summary");
	bw_adv_rec adv = {
		.id = idv,
		.summary = short_string(summary, 4096) ? json_string_value(summary) : NULL,
		.severity = sev ? sev : word,
		.cvss = cvss, .refs = refs,
		.published = short_string(json_object_get(rec, "published"), 64)
				     ? json_string_value(json_object_get(rec, "published")) : NULL,
		.modified = short_string(json_object_get(rec, "modified"), 64)
				    ? json_string_value(json_object_get(rec, "modified")) : NULL,
		.aliases = alias_ptrs, .n_aliases = n_alias,
	};
	if ((rc = bw_vulnstore_add(imp->store, &adv, aff, n_aff)) == 0)
		imp->records++;
out:
	for (i = 0; ranges && i < cap; i++)
		json_decref(ranges[i]);
	free(ranges);
	free(aff);
	free(eco);
	free(name);
	free(cvss);
	free(refs);
	return rc;
}
