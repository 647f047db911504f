/*
 * vulndb/debian.c: the Debian security tracker's data.
 *
 * Two forms: the JSON export (security-tracker.debian.org/tracker/data/json),
 * keyed by source package then CVE then release; and the DSA/DLA/DTSA `list`
 * files, one advisory per header line with its CVEs and a fixed version per
 * release. Statuses map to findings as docs/matching.md says.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "version/version.h"
#include "vulndb/ecosystem.h"
#include "vulndb/import_int.h"

#define MAX_RELEASES 64
#define MAX_LIST_LINE (64 * 1024)

static bool is_cve_like(const char *k)
{
	return strncmp(k, "CVE-", 4) == 0 || strncmp(k, "TEMP-", 5) == 0 || strncmp(k, "DSA-", 4) == 0 ||
	       strncmp(k, "DLA-", 4) == 0;
}

bool bw_debian_json_looks_like(json_t *doc)
{
	const char *pkg, *cve;
	json_t *v, *e;

	if (!json_is_object(doc) || json_object_size(doc) == 0)
		return false;
	json_object_foreach(doc, pkg, v) {
		if (!json_is_object(v))
			return false;
		json_object_foreach(v, cve, e)
			return is_cve_like(cve) && json_is_object(json_object_get(e, "releases"));
		return false;
	}
	return false;
}

/* "high**" -> HIGH; "not yet assigned" -> NULL (UNKNOWN). */
static const char *urgency_severity(const char *urgency)
{
	char word[32];
	size_t n = 0;

	if (!urgency)
		return NULL;
	while (urgency[n] && urgency[n] != '*' && n < sizeof(word) - 1) {
		word[n] = urgency[n];
		n++;
	}
	word[n] = '\0';
	return bw_severity_word(word);
}

static int import_cve(bw_import *imp, const char *what, const char *pkg, const char *cve, json_t *entry)
{
	json_t *releases = json_object_get(entry, "releases"), *rel;
	bw_affected_rec aff[MAX_RELEASES];
	char eco[MAX_RELEASES][BW_ECO_KEY_MAX];
	const char *codename;
	size_t n = 0;

	if (json_is_array(releases) && json_array_size(releases) == 0) {
		imp->ignored++; /* the export writes [] for an issue with no release data */
		return 0;
	}
	if (!json_is_object(releases) || json_object_size(releases) > MAX_RELEASES) {
		bw_import_skip(imp, "%s: %s/%s: \"releases\" is not an object of at most %d releases",
			       what, pkg, cve, MAX_RELEASES);
		return 0;
	}
	json_object_foreach(releases, codename, rel) {
		const char *status = json_string_value(json_object_get(rel, "status"));
		const char *fixed = json_string_value(json_object_get(rel, "fixed_version"));
		const char *urgency = json_string_value(json_object_get(rel, "urgency"));
		const char *num = bw_debian_release_number(codename);
		if (!json_is_object(rel) || !status) {
			bw_import_skip(imp, "%s: %s/%s/%s: no \"status\"", what, pkg, cve, codename);
			return 0;
		}
		if (!num)
			continue; /* sid and experimental have no release number an image reports */
		if (fixed && (strlen(fixed) > BW_VERSION_MAX_BYTES || !*fixed)) {
			bw_import_skip(imp, "%s: %s/%s/%s: fixed_version is empty or over 1024 bytes",
				       what, pkg, cve, codename);
			return 0;
		}
		const char *st;
		if (strcmp(status, "resolved") == 0) {
			if (!fixed || strcmp(fixed, "0") == 0)
				continue; /* never affected */
			st = "fixed";
		} else if (strcmp(status, "open") == 0 || strcmp(status, "undetermined") == 0) {
			bool wont = json_object_get(rel, "nodsa") ||
				    (urgency && strncmp(urgency, "end-of-life", 11) == 0);
			st = wont ? "will_not_fix" : "affected";
			fixed = NULL;
		} else {
			bw_import_skip(imp, "%s: %s/%s/%s: unknown status \"%.32s\"", what, pkg, cve, codename, status);
			return 0;
		}
		snprintf(eco[n], sizeof(eco[n]), "debian:%s", num);
		aff[n] = (bw_affected_rec){
			.ecosystem = eco[n], .name = pkg, .status = st, .fixed = fixed,
			.severity = urgency_severity(urgency),
		};
		n++;
	}
	if (n == 0) {
		imp->ignored++;
		return 0;
	}
	json_t *desc = json_object_get(entry, "description");
	bw_adv_rec adv = {
		.id = cve,
		.summary = json_is_string(desc) && json_string_length(desc) < 4096 ? json_string_value(desc) : NULL,
	};
	int rc = bw_vulnstore_add(imp->store, &adv, aff, n);
	if (rc == 0)
		imp->records++;
	return rc;
}

int bw_debian_json_import(bw_import *imp, const char *what, json_t *doc)
{
	const char *pkg, *cve;
	json_t *cves, *entry;
	int rc;

	json_object_foreach(doc, pkg, cves) {
		if (!json_is_object(cves) || strlen(pkg) >= BW_PKG_KEY_MAX || !*pkg) {
			bw_import_skip(imp, "%s: package \"%.64s\" is not an object of CVEs", what, pkg);
			continue;
		}
		json_object_foreach(cves, cve, entry) {
			if (!json_is_object(entry) || strlen(cve) > BW_ADV_MAX_ID_BYTES) {
				bw_import_skip(imp, "%s: %s/%.64s is not an object", what, pkg, cve);
				continue;
			}
			if ((rc = import_cve(imp, what, pkg, cve, entry)) < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- DSA / DLA / DTSA list files ---------------------------------------- */

bool bw_debian_list_looks_like(const char *text, size_t len)
{
	/* "[02 Apr 2023] DSA-5380-1 firefox-esr - security update" (DTSA: "[August 26th, 2005] ...") */
	if (len < 16 || text[0] != '[')
		return false;
	const char *close = memchr(text, ']', len < 40 ? len : 40);
	if (!close || (size_t)(close - text) + 7 > len)
		return false;
	return strncmp(close, "] DSA-", 6) == 0 || strncmp(close, "] DLA-", 6) == 0 ||
	       strncmp(close, "] DTSA-", 7) == 0;
}

typedef struct list_adv {
	char id[64];
	char package[BW_PKG_KEY_MAX];
	char *cves[BW_ADV_MAX_ALIASES];
	size_t n_cves;
	bw_affected_rec aff[MAX_RELEASES];
	char eco[MAX_RELEASES][BW_ECO_KEY_MAX];
	char name[MAX_RELEASES][BW_PKG_KEY_MAX];
	char fixed[MAX_RELEASES][BW_VERSION_MAX_BYTES + 1];
	size_t n_aff;
	bool bad;
	bool open;
} list_adv;

static void list_adv_reset(list_adv *a)
{
	for (size_t i = 0; i < a->n_cves; i++)
		free(a->cves[i]);
	a->n_cves = 0;
	a->n_aff = 0;
	a->bad = false;
	a->open = false;
}

static int list_adv_flush(bw_import *imp, list_adv *a)
{
	int rc = 0;

	if (!a->open)
		return 0;
	if (a->bad) {
		/* counted when found */
	} else if (a->n_aff == 0) {
		imp->ignored++;
	} else {
		bw_adv_rec adv = { .id = a->id, .aliases = (const char *const *)a->cves, .n_aliases = a->n_cves };
		if ((rc = bw_vulnstore_add(imp->store, &adv, a->aff, a->n_aff)) == 0)
			imp->records++;
	}
	list_adv_reset(a);
	return rc;
}

/* "\t[bullseye] - firefox-esr 102.9.0esr-1~deb11u1" (or "<not-affected>" etc.) */
static void list_release_line(bw_import *imp, const char *what, list_adv *a, char *line)
{
	char *close = strchr(line, ']');
	if (!close)
		return;
	*close = '\0';
	const char *codename = line + 1, *num = bw_debian_release_number(codename);
	char *p = close + 1;
	while (*p == ' ')
		p++;
	if (*p != '-')
		return;
	p++;
	while (*p == ' ')
		p++;
	char *pkg = p;
	while (*p && *p != ' ')
		p++;
	if (*p)
		*p++ = '\0';
	while (*p == ' ')
		p++;
	char *ver = p;
	while (*p && *p != ' ')
		p++;
	*p = '\0';
	if (!num || !*pkg || !*ver || *ver == '<')
		return; /* <not-affected>, <end-of-life>, <unfixed>, ...: no fix to report */
	if (a->n_aff == MAX_RELEASES || strlen(pkg) >= BW_PKG_KEY_MAX || strlen(ver) > BW_VERSION_MAX_BYTES) {
		if (!a->bad)
			bw_import_skip(imp, "%s: %s: a release line is too long or there are too many", what, a->id);
		a->bad = true;
		return;
	}
	size_t i = a->n_aff++;
	snprintf(a->eco[i], sizeof(a->eco[i]), "debian:%s", num);
	snprintf(a->name[i], sizeof(a->name[i]), "%s", pkg);
	snprintf(a->fixed[i], sizeof(a->fixed[i]), "%s", ver);
	a->aff[i] = (bw_affected_rec){ .ecosystem = a->eco[i], .name = a->name[i], .status = "fixed",
				       .fixed = a->fixed[i] };
}

static void list_cve_line(bw_import *imp, const char *what, list_adv *a, char *line)
{
	char *save = NULL;
	for (char *tok = strtok_r(line + 1, " }", &save); tok; tok = strtok_r(NULL, " }", &save)) {
		if (a->n_cves == BW_ADV_MAX_ALIASES) {
			if (!a->bad)
				bw_import_skip(imp, "%s: %s: more than %d CVEs", what, a->id, BW_ADV_MAX_ALIASES);
			a->bad = true;
			return;
		}
		if (strlen(tok) > BW_ADV_MAX_ID_BYTES || !(a->cves[a->n_cves] = strdup(tok)))
			continue;
		a->n_cves++;
	}
}

int bw_debian_list_import(bw_import *imp, const char *what, const char *text, size_t len)
{
	list_adv *a = calloc(1, sizeof(*a));
	char *line = malloc(MAX_LIST_LINE + 1);
	size_t pos = 0;
	int rc = 0;

	if (!a || !line) {
		free(a);
		free(line);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - text) : len) - pos;
		if (n > MAX_LIST_LINE) {
			bw_import_skip(imp, "%s: a line is longer than %d bytes", what, MAX_LIST_LINE);
			a->bad = true;
			pos += n + 1;
			continue;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (memchr(line, '\0', n)) {
			list_adv_reset(a);
			free(a);
			free(line);
			return bw_error_set(BW_EINPUT, "%s: NUL byte in a text feed", what);
		}
		pos += n + 1;
		if (line[0] == '[') {
			if ((rc = list_adv_flush(imp, a)) < 0)
				break;
			/* "[DD Mon YYYY] ID PACKAGE - title" */
			char id[64] = "", pkg[BW_PKG_KEY_MAX] = "";
			const char *close = strchr(line, ']');
			if (!close || sscanf(close + 1, " %63s %255s", id, pkg) != 2) {
				bw_import_skip(imp, "%s: malformed advisory header \"%.80s\"", what, line);
				a->open = true;
				a->bad = true;
				continue;
			}
			snprintf(a->id, sizeof(a->id), "%s", id);
			snprintf(a->package, sizeof(a->package), "%s", pkg);
			a->open = true;
			continue;
		}
		if (!a->open || a->bad)
			continue;
		char *p = line;
		while (*p == '\t' || *p == ' ')
			p++;
		if (*p == '{')
			list_cve_line(imp, what, a, p);
		else if (*p == '[')
			list_release_line(imp, what, a, p);
	}
	if (rc == 0)
		rc = list_adv_flush(imp, a);
	list_adv_reset(a);
	free(a);
	free(line);
	return rc;
}
