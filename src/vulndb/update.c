/*
 * vulndb/update.c: `bulwark db update`: fetch each feed from its official
 * location (or a mirror directory) and import it as a source.
 *
 * Downloads go to the feed cache ($XDG_CACHE_HOME/bulwark/feeds) with the
 * validators of the last download beside them (NAME.etag, NAME.modified);
 * the next update sends If-None-Match / If-Modified-Since and a 304 means
 * the source is current and is not re-imported. A download is written to a
 * temporary file and renamed only when complete, and imported only then, so
 * an interrupted update leaves the previous data in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "bulwark/vulndb.h"
#include "http/http.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/path.h"
#include "util/yaml.h"

#define MAX_REDIRECTS 5
#define MAX_DOWNLOAD_BYTES (4ULL * 1024 * 1024 * 1024)
#define OSV_BASE "https://osv-vulnerabilities.storage.googleapis.com/"

static const bw_vulndb_feed default_feeds[] = {
	{ "debian-tracker", "https://security-tracker.debian.org/tracker/data/json" },
	{ "alpine-v3.19-main", "https://secdb.alpinelinux.org/v3.19/main.json" },
	{ "alpine-v3.19-community", "https://secdb.alpinelinux.org/v3.19/community.json" },
	{ "alpine-v3.20-main", "https://secdb.alpinelinux.org/v3.20/main.json" },
	{ "alpine-v3.20-community", "https://secdb.alpinelinux.org/v3.20/community.json" },
	{ "alpine-v3.21-main", "https://secdb.alpinelinux.org/v3.21/main.json" },
	{ "alpine-v3.21-community", "https://secdb.alpinelinux.org/v3.21/community.json" },
	{ "alpine-v3.22-main", "https://secdb.alpinelinux.org/v3.22/main.json" },
	{ "alpine-v3.22-community", "https://secdb.alpinelinux.org/v3.22/community.json" },
	{ "wolfi", "https://packages.wolfi.dev/os/security.json" },
	{ "osv-PyPI", OSV_BASE "PyPI/all.zip" },
	{ "osv-npm", OSV_BASE "npm/all.zip" },
	{ "osv-Go", OSV_BASE "Go/all.zip" },
	{ "osv-crates.io", OSV_BASE "crates.io/all.zip" },
	{ "osv-Maven", OSV_BASE "Maven/all.zip" },
	{ "osv-RubyGems", OSV_BASE "RubyGems/all.zip" },
	{ "osv-Packagist", OSV_BASE "Packagist/all.zip" },
	{ "osv-NuGet", OSV_BASE "NuGet/all.zip" },
	{ "osv-Ubuntu", OSV_BASE "Ubuntu/all.zip" },
	{ "osv-AlmaLinux", OSV_BASE "AlmaLinux/all.zip" },
	{ "osv-Rocky-Linux", OSV_BASE "Rocky%20Linux/all.zip" },
};

const bw_vulndb_feed *bw_vulndb_default_feeds(size_t *n)
{
	*n = sizeof(default_feeds) / sizeof(default_feeds[0]);
	return default_feeds;
}

#define MAX_FEEDS 256
#define MAX_FEEDS_FILE (1024 * 1024)

struct bw_vulndb_feeds {
	bw_vulndb_feed v[MAX_FEEDS];
	size_t n;
	json_t *doc; /* owns the strings */
};

static bool safe_feed_name(const char *n)
{
	if (!*n || strlen(n) > 64)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
		      *n == '-' || *n == '_' || *n == '.'))
			return false;
	return true;
}

int bw_vulndb_feeds_load(const char *path, bw_vulndb_feeds **out)
{
	bw_buf b = BW_BUF_INIT(MAX_FEEDS_FILE);
	bw_vulndb_feeds *fs = NULL;
	int rc;

	*out = NULL;
	rc = bw_buf_read_file(&b, path, BW_EINPUT, "the feed list");
	if (rc == 0 && !(fs = calloc(1, sizeof(*fs))))
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
	if (rc == 0)
		rc = bw_yaml_parse(path, b.data, b.len, MAX_FEEDS_FILE, 0, &fs->doc);
	bw_buf_free(&b);
	if (rc == 0 && (!json_is_array(fs->doc) || json_array_size(fs->doc) == 0 ||
			json_array_size(fs->doc) > MAX_FEEDS))
		rc = bw_error_set(BW_EINPUT, "%s: want a list of 1 to %d feeds ({name, url})", path, MAX_FEEDS);
	for (size_t i = 0; rc == 0 && i < json_array_size(fs->doc); i++) {
		json_t *e = json_array_get(fs->doc, i);
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *url = json_string_value(json_object_get(e, "url"));
		if (!name || !url || json_object_size(e) != 2)
			rc = bw_error_set(BW_EINPUT, "%s: feed %zu: want exactly name and url", path, i + 1);
		else if (!safe_feed_name(name))
			rc = bw_error_set(BW_EINPUT, "%s: feed %zu: name \"%.64s\" must be 1-64 of [A-Za-z0-9._-] "
					  "(it names a file)", path, i + 1, name);
		else if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
			rc = bw_error_set(BW_EINPUT, "%s: feed %s: url must be https:// (or http://)", path, name);
		else
			fs->v[fs->n++] = (bw_vulndb_feed){ name, url };
	}
	if (rc < 0) {
		bw_vulndb_feeds_free(fs);
		return rc;
	}
	*out = fs;
	return 0;
}

const bw_vulndb_feed *bw_vulndb_feeds_list(const bw_vulndb_feeds *f, size_t *n)
{
	*n = f->n;
	return f->v;
}

void bw_vulndb_feeds_free(bw_vulndb_feeds *f)
{
	if (!f)
		return;
	json_decref(f->doc);
	free(f);
}

/* The file name a feed is kept under: NAME plus the URL's extension. */
static void cache_name(const bw_vulndb_feed *f, char *out, size_t cap)
{
	const char *path = strrchr(f->url, '/');
	const char *dot = path ? strrchr(path, '.') : NULL;
	snprintf(out, cap, "%s%s", f->name, dot && strlen(dot) <= 8 ? dot : "");
}

static void read_small(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	out[0] = '\0';
	if (!f)
		return;
	if (!fgets(out, (int)cap, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
}

static void write_small(const char *path, const char *value)
{
	if (!value) {
		unlink(path);
		return;
	}
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", value);
		fclose(f);
	}
}

/*
 * Downloads url into dest (via dest.tmp). *changed is false on 304. Redirects
 * are followed (at most 5), validators stored beside dest.
 */
static int download(const bw_vulndb_feed *f, const char *dest, bool *changed)
{
	char etag_path[4200], mod_path[4200], tmp[4200], etag[512], modified[128];
	char h_etag[600], h_mod[200];
	const char *headers[2];
	size_t n_headers = 0;
	char *url = strdup(f->url);
	int rc = 0;

	*changed = false;
	if (!url)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (strncmp(url, "http://", 7) == 0)
		bw_warn("%s: %s is plain HTTP: the feed is not authenticated in transit", f->name, url);
	snprintf(etag_path, sizeof(etag_path), "%s.etag", dest);
	snprintf(mod_path, sizeof(mod_path), "%s.modified", dest);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dest);
	if (access(dest, R_OK) == 0) {
		read_small(etag_path, etag, sizeof(etag));
		read_small(mod_path, modified, sizeof(modified));
		if (etag[0]) {
			snprintf(h_etag, sizeof(h_etag), "If-None-Match: %s", etag);
			headers[n_headers++] = h_etag;
		}
		if (modified[0]) {
			snprintf(h_mod, sizeof(h_mod), "If-Modified-Since: %s", modified);
			headers[n_headers++] = h_mod;
		}
	}
	for (int hop = 0;; hop++) {
		bw_http_request req = { .method = "GET", .url = url, .headers = headers, .n_headers = n_headers,
					.connect_timeout_s = 30, .stall_timeout_s = 60 };
		bw_http_stream *s = NULL;
		if ((rc = bw_http_open(f->name, &req, &s)) < 0)
			break;
		long status = bw_http_status(s);
		if (status >= 300 && status < 400 && status != 304) {
			const char *loc = bw_http_header(s, "Location");
			char *next = loc ? bw_http_resolve(url, loc) : NULL;
			bw_http_close(s);
			if (!next || hop == MAX_REDIRECTS) {
				free(next);
				rc = bw_error_set(BW_ENET, "%s: %s: %s", f->name, url,
						  next ? "too many redirects" : "redirect without a usable Location");
				break;
			}
			free(url);
			url = next;
			continue;
		}
		if (status == 304) {
			bw_http_close(s);
			break;
		}
		if (status != 200) {
			bw_http_close(s);
			rc = bw_error_set(BW_ENET, "%s: %s: HTTP %ld", f->name, url, status);
			break;
		}
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			bw_http_close(s);
			rc = bw_error_set(BW_EINPUT, "%s: cannot write: %s", tmp, strerror(errno));
			break;
		}
		char buf[65536];
		uint64_t total = 0;
		ssize_t n;
		while ((n = bw_http_read(s, buf, sizeof(buf))) > 0) {
			total += (uint64_t)n;
			if (total > MAX_DOWNLOAD_BYTES) {
				n = bw_error_set(BW_ENET, "%s: %s: larger than %llu bytes", f->name, url,
						 (unsigned long long)MAX_DOWNLOAD_BYTES);
				break;
			}
			if (write(fd, buf, (size_t)n) != n) {
				n = bw_error_set(BW_EINPUT, "%s: write: %s", tmp, strerror(errno));
				break;
			}
		}
		char etag_new[512] = "", mod_new[128] = "";
		if (bw_http_header(s, "ETag"))
			snprintf(etag_new, sizeof(etag_new), "%s", bw_http_header(s, "ETag"));
		if (bw_http_header(s, "Last-Modified"))
			snprintf(mod_new, sizeof(mod_new), "%s", bw_http_header(s, "Last-Modified"));
		bw_http_close(s);
		if (close(fd) != 0 && n >= 0)
			n = bw_error_set(BW_EINPUT, "%s: close: %s", tmp, strerror(errno));
		if (n < 0) {
			unlink(tmp);
			rc = (int)n;
			break;
		}
		if (rename(tmp, dest) != 0) {
			unlink(tmp);
			rc = bw_error_set(BW_EINPUT, "%s: rename: %s", dest, strerror(errno));
			break;
		}
		write_small(etag_path, etag_new[0] ? etag_new : NULL);
		write_small(mod_path, mod_new[0] ? mod_new : NULL);
		*changed = true;
		break;
	}
	free(url);
	return rc;
}

int bw_vulndb_update(bw_vulndb *db, const bw_vulndb_update_options *o,
		     int (*progress)(const bw_vulndb_update_event *, void *), void *ctx)
{
	size_t n_feeds;
	const bw_vulndb_feed *feeds = o->feeds ? o->feeds : bw_vulndb_default_feeds(&n_feeds);
	char dir[4096];
	int rc, failed = 0;

	if (o->feeds)
		n_feeds = o->n_feeds;
	if (o->offline && !o->mirror)
		return bw_error_set(BW_ENET, "db update: --offline forbids downloading the feeds; "
				    "use --mirror DIR or `bulwark db import`");
	if (o->cache_dir) {
		snprintf(dir, sizeof(dir), "%s", o->cache_dir);
	} else {
		bw_host_cache_path(dir, sizeof(dir), NULL, "feeds");
	}
	if (!o->mirror && (rc = bw_host_mkdir(dir)) < 0)
		return rc;
	for (size_t i = 0; i < n_feeds; i++) {
		const bw_vulndb_feed *f = &feeds[i];
		bw_vulndb_update_event ev = { .feed = f };
		char file[256], path[4400];
		bool changed = true;
		cache_name(f, file, sizeof(file));
		if (o->mirror) {
			snprintf(path, sizeof(path), "%s/%s", o->mirror, file);
			if (access(path, R_OK) != 0) {
				ev.error = "not in the mirror directory";
				ev.skipped = true;
				if (progress && (rc = progress(&ev, ctx)) != 0)
					return rc;
				continue;
			}
		} else {
			snprintf(path, sizeof(path), "%s/%s", dir, file);
			if ((rc = download(f, path, &changed)) < 0) {
				ev.error = bw_error_last()->message;
				failed++;
				if (progress && (rc = progress(&ev, ctx)) != 0)
					return rc;
				continue;
			}
		}
		if (!changed) {
			ev.unchanged = true;
		} else if ((rc = bw_vulndb_import(db, path, f->name, &ev.result)) < 0) {
			ev.error = bw_error_last()->message;
			failed++;
		}
		if (progress && (rc = progress(&ev, ctx)) != 0)
			return rc;
	}
	if (failed == (int)n_feeds && n_feeds)
		return bw_error_set(BW_ENET, "db update: no feed could be fetched (offline? a proxy needed?); "
				    "the database is unchanged; see --mirror DIR and `bulwark db import`");
	if (failed)
		return bw_error_set(BW_ENET, "db update: %d of %zu feeds failed; the others were updated", failed,
				    n_feeds);
	return 0;
}
