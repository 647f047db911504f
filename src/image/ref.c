#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "image/ref.h"
#include "image/source.h"

const char *bw_transport_name(bw_transport t)
{
	switch (t) {
	case BW_TRANSPORT_OCI_DIR: return "oci";
	case BW_TRANSPORT_OCI_ARCHIVE: return "oci-archive";
	case BW_TRANSPORT_DOCKER_ARCHIVE: return "docker-archive";
	case BW_TRANSPORT_ROOTFS_DIR: return "dir";
	case BW_TRANSPORT_REGISTRY: return "docker";
	}
	return "?";
}

void bw_ref_free(bw_ref *r)
{
	free(r->path);
	free(r->tag);
	r->path = r->tag = NULL;
}

static bool path_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/*
 * "DIR:TAG" -> path DIR, tag TAG, unless the whole text names an existing
 * path (a directory may contain ':'), or what follows the last ':' contains
 * a '/' (then it is part of the path).
 */
static int split_tag(const char *text, bool allow_tag, bw_ref *out)
{
	const char *colon = strrchr(text, ':');

	if (allow_tag && colon && colon != text && !strchr(colon, '/') && !path_exists(text)) {
		out->path = strndup(text, (size_t)(colon - text));
		out->tag = colon[1] ? strdup(colon + 1) : NULL;
		if (!out->path || (colon[1] && !out->tag))
			return bw_error_set(BW_EINTERNAL, "out of memory");
	} else {
		out->path = strdup(text);
		if (!out->path)
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (!*out->path)
		return bw_error_set(BW_EUSAGE, "image reference \"%s\" has an empty path", text);
	return 0;
}

static int autodetect(const char *text, bw_ref *out)
{
	struct stat st;

	if (stat(text, &st) != 0)
		return bw_error_set(BW_EINPUT, "%s: %s", text, strerror(errno));
	out->path = strdup(text);
	if (!out->path)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (S_ISDIR(st.st_mode)) {
		char probe[4096];
		snprintf(probe, sizeof(probe), "%s/oci-layout", text);
		out->transport = path_exists(probe) ? BW_TRANSPORT_OCI_DIR : BW_TRANSPORT_ROOTFS_DIR;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return bw_error_set(BW_EINPUT, "%s: neither a directory nor a regular file", text);
	return bw_archive_classify(text, &out->transport);
}

int bw_ref_parse(const char *text, bw_ref *out)
{
	static const struct {
		const char *prefix;
		bw_transport t;
		bool tag;
	} prefixes[] = {
		{ "oci:", BW_TRANSPORT_OCI_DIR, true },
		{ "oci-archive:", BW_TRANSPORT_OCI_ARCHIVE, true },
		{ "docker-archive:", BW_TRANSPORT_DOCKER_ARCHIVE, false },
		{ "dir:", BW_TRANSPORT_ROOTFS_DIR, false },
	};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return bw_error_set(BW_EUSAGE, "empty image reference");
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (strncmp(text, prefixes[i].prefix, n) == 0) {
			out->transport = prefixes[i].t;
			rc = split_tag(text + n, prefixes[i].tag, out);
			if (rc < 0)
				bw_ref_free(out);
			return rc;
		}
	}
	if (strncmp(text, "docker://", 9) == 0) {
		out->transport = BW_TRANSPORT_REGISTRY;
		if (!(out->path = strdup(text + 9)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		return 0;
	}
	/* A path that exists is a local image; anything else looks like a registry reference. */
	const char *last_colon = strrchr(text, ':');
	char *prefix = last_colon ? strndup(text, (size_t)(last_colon - text)) : NULL;
	bool local_prefix = prefix && *prefix && path_exists(prefix);
	free(prefix);
	if (path_exists(text) || text[0] == '/' || text[0] == '.' || local_prefix) {
		const char *colon = strrchr(text, ':');
		char *base = NULL;
		/* PATH:TAG, where PATH is an OCI layout or oci-archive */
		if (!path_exists(text) && colon && !strchr(colon, '/') &&
		    (base = strndup(text, (size_t)(colon - text))) && path_exists(base)) {
			rc = autodetect(base, out);
			if (rc == 0 && out->transport != BW_TRANSPORT_OCI_DIR &&
			    out->transport != BW_TRANSPORT_OCI_ARCHIVE)
				rc = bw_error_set(BW_EUSAGE, "%s: a tag only applies to OCI layouts and archives", text);
			if (rc == 0 && !(out->tag = strdup(colon + 1)))
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
		} else {
			rc = autodetect(text, out);
		}
		free(base);
		if (rc < 0)
			bw_ref_free(out);
		return rc;
	}
	out->transport = BW_TRANSPORT_REGISTRY;
	if (!(out->path = strdup(text)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}
