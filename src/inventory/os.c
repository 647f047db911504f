/*
 * inventory/os.c: which operating system an image is, for artifact.os and for
 * the distro part of package URLs and advisories.
 *
 * /etc/os-release (or /usr/lib/os-release) first, resolved through the
 * merged filesystem (it is usually a symlink, maybe into another layer);
 * then the older release files for images that predate os-release. Runs
 * before the package analyzers (it is first in inventory/analyzers.c), so
 * their finish() can use the result.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "util/log.h"

#define RELEASE_MAX (64 * 1024)

enum {
	ETC_OS_RELEASE,
	USR_OS_RELEASE,
	ALPINE_RELEASE,
	LSB_RELEASE,
	REDHAT_RELEASE,
	CENTOS_RELEASE,
	ORACLE_RELEASE,
	SYSTEM_RELEASE,
	SUSE_RELEASE,
	DEBIAN_VERSION,
	N_FILES
};

static const char *const wanted[N_FILES + 1] = {
	"/etc/os-release",       "/usr/lib/os-release",  "/etc/alpine-release", "/etc/lsb-release",
	"/etc/redhat-release",   "/etc/centos-release",  "/etc/oracle-release", "/etc/system-release",
	"/etc/SuSE-release",     "/etc/debian_version",  NULL,
};

typedef struct os_layer {
	char *content[N_FILES];
} os_layer;

static void *os_layer_new(void)
{
	return calloc(1, sizeof(os_layer));
}

static void os_layer_free(void *state)
{
	os_layer *s = state;
	if (!s)
		return;
	for (int i = 0; i < N_FILES; i++)
		free(s->content[i]);
	free(s);
}

static int slot_of(const char *path)
{
	for (int i = 0; i < N_FILES; i++)
		if (!strcmp(path, wanted[i]))
			return i;
	return -1;
}

static int os_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	os_layer *s = state;
	int slot = slot_of(e->path);

	if (slot < 0)
		return 0;
	free(s->content[slot]);
	s->content[slot] = NULL;
	if (e->type != BW_FT_FILE)
		return 0;
	if (truncated)
		return bw_error_set(BW_EINPUT, "larger than %d bytes; ignored", RELEASE_MAX);
	if (!(s->content[slot] = malloc(len + 1)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memcpy(s->content[slot], content, len);
	s->content[slot][len] = '\0';
	return 0;
}

/* KEY=value / KEY="value" (os-release and lsb-release syntax); NULL if absent. */
static char *kv_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		const char *v = line + klen + 1, *end = strchr(v, '\n');
		size_t n = end ? (size_t)(end - v) : strlen(v);
		while (n && (v[n - 1] == '\r' || v[n - 1] == ' '))
			n--;
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		char *out = malloc(n + 1);
		if (!out)
			return NULL;
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '\\' && i + 1 < n)
				i++;
			out[o++] = v[i];
		}
		out[o] = '\0';
		return out;
	}
	return NULL;
}

/* The content of the surviving copy of wanted[slot], through symlinks; NULL if none. */
static const char *final_content(bw_image *img, void *const *states, size_t n_layers, int slot)
{
	bw_fsnode *node = NULL;
	if (bw_fs_resolve(bw_image_fs(img), wanted[slot], true, &node) < 0) {
		bw_warn("%s: %s", bw_image_name(img), bw_error_last()->message);
		return NULL;
	}
	if (!node || !node->data_path)
		return NULL;
	int s = slot_of(node->data_path);
	if (s < 0 || node->data_layer >= n_layers || !states[node->data_layer])
		return NULL;
	return ((os_layer *)states[node->data_layer])->content[s];
}

/* os-release ID -> family name reported in artifact.os.family */
static const char *family_of_id(const char *id)
{
	static const char *const map[][2] = {
		{ "debian", "debian" },       { "ubuntu", "ubuntu" },         { "alpine", "alpine" },
		{ "wolfi", "wolfi" },         { "chainguard", "chainguard" }, { "rhel", "redhat" },
		{ "centos", "centos" },       { "rocky", "rocky" },           { "almalinux", "alma" },
		{ "ol", "oracle" },           { "fedora", "fedora" },         { "amzn", "amazon" },
		{ "sles", "sles" },           { "sled", "sles" },             { "opensuse-leap", "opensuse-leap" },
		{ "opensuse-tumbleweed", "opensuse-tumbleweed" },             { "opensuse", "opensuse-leap" },
		{ "photon", "photon" },       { "azurelinux", "azurelinux" }, { "mariner", "cbl-mariner" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(id, map[i][0]))
			return map[i][1];
	return NULL;
}

/* "Rocky Linux release 9.1 (Blue Onyx)" -> family, "9.1", "Blue Onyx" */
static bool parse_release_line(const char *text, char **family, char **version, char **codename)
{
	static const char *const names[][2] = {
		{ "Red Hat Enterprise Linux", "redhat" }, { "CentOS Stream", "centos" }, { "CentOS", "centos" },
		{ "Rocky Linux", "rocky" },               { "AlmaLinux", "alma" },       { "Oracle Linux", "oracle" },
		{ "Fedora", "fedora" },                   { "Amazon Linux", "amazon" },  { "SUSE Linux Enterprise", "sles" },
		{ "openSUSE", "opensuse-leap" },          { "VMware Photon", "photon" },
	};
	const char *fam = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !fam; i++)
		if (!strncmp(text, names[i][0], strlen(names[i][0])))
			fam = names[i][1];
	if (!fam)
		return false;
	const char *r = strstr(text, " release ");
	const char *v = r ? r + 9 : NULL;
	if (!v) { /* SuSE-release: "VERSION = 12" on a later line */
		const char *k = strstr(text, "VERSION = ");
		v = k ? k + 10 : NULL;
	}
	*family = strdup(fam);
	if (v) {
		size_t n = 0;
		while (v[n] && !isspace((unsigned char)v[n]))
			n++;
		*version = strndup(v, n);
		const char *open = strchr(v, '('), *close = open ? strchr(open, ')') : NULL;
		if (open && close && close > open + 1 && !memchr(v, '\n', (size_t)(open - v)))
			*codename = strndup(open + 1, (size_t)(close - open - 1));
	}
	return true;
}

static char *trimmed_first_line(const char *s)
{
	size_t n = strcspn(s, "\r\n");
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static int os_finish(bw_image *img, void *const *states, size_t n_layers)
{
	char *family = NULL, *version = NULL, *codename = NULL, *pretty = NULL, *id = NULL;
	const char *c;
	int rc = 0;

	if ((c = final_content(img, states, n_layers, ETC_OS_RELEASE)) ||
	    (c = final_content(img, states, n_layers, USR_OS_RELEASE))) {
		id = kv_value(c, "ID");
		const char *fam = id ? family_of_id(id) : NULL;
		family = strdup(fam ? fam : id ? id : "unknown");
		version = kv_value(c, "VERSION_ID");
		codename = kv_value(c, "VERSION_CODENAME");
		pretty = kv_value(c, "PRETTY_NAME");
		if (!codename && id && !strcmp(id, "ubuntu"))
			codename = kv_value(c, "UBUNTU_CODENAME");
		/* Debian testing/sid have no VERSION_ID: debian_version says "trixie/sid" */
		if (!version && id && !strcmp(id, "debian") &&
		    (c = final_content(img, states, n_layers, DEBIAN_VERSION)))
			version = trimmed_first_line(c);
	} else if ((c = final_content(img, states, n_layers, ALPINE_RELEASE))) {
		family = strdup("alpine");
		version = trimmed_first_line(c);
	} else if ((c = final_content(img, states, n_layers, LSB_RELEASE)) && (id = kv_value(c, "DISTRIB_ID"))) {
		for (char *p = id; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		const char *fam = family_of_id(id);
		family = strdup(fam ? fam : id);
		version = kv_value(c, "DISTRIB_RELEASE");
		codename = kv_value(c, "DISTRIB_CODENAME");
		pretty = kv_value(c, "DISTRIB_DESCRIPTION");
	} else {
		static const int release_files[] = { REDHAT_RELEASE, CENTOS_RELEASE, ORACLE_RELEASE, SYSTEM_RELEASE,
						     SUSE_RELEASE };
		for (size_t i = 0; i < sizeof(release_files) / sizeof(release_files[0]) && !family; i++)
			if ((c = final_content(img, states, n_layers, release_files[i])) &&
			    parse_release_line(c, &family, &version, &codename))
				pretty = trimmed_first_line(c);
		if (!family && (c = final_content(img, states, n_layers, DEBIAN_VERSION))) {
			family = strdup("debian");
			char *full = trimmed_first_line(c);
			/* "12.4" -> "12", as os-release's VERSION_ID; "bookworm/sid" stays */
			if (full && isdigit((unsigned char)full[0]))
				full[strcspn(full, ".")] = '\0';
			version = full;
		}
	}
	if (family)
		rc = bw_image_set_os(img, family, version, codename, pretty);
	free(family);
	free(version);
	free(codename);
	free(pretty);
	free(id);
	return rc;
}

const bw_analyzer bw_analyzer_os = {
	.name = "os",
	.version = 1,
	.kind = BW_ANALYZE_OS,
	.paths = wanted,
	.content_max = RELEASE_MAX,
	.layer_new = os_layer_new,
	.entry = os_entry,
	.layer_free = os_layer_free,
	.finish = os_finish,
};
