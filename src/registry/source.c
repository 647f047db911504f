/*
 * registry/source.c: a registry image behind the member interface of
 * image/source.h, so registry images take the same one-pass layer pipeline
 * as local ones.
 *
 *   manifests/<digest>   a manifest or index, fetched by digest (verified)
 *                        or kept from bw_reg_source_top()
 *   blobs/<alg>/<hex>    a blob, streamed from the registry; with a blob
 *                        cache directory, read from CACHE/blobs/<alg>/<hex>
 *                        when there, else downloaded through a temporary
 *                        file that is renamed into place only once the
 *                        whole blob hashed to its digest
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "registry/registry.h"
#include "util/limits.h"
#include "util/log.h"

#define MAX_KEPT_MANIFESTS 32

typedef struct kept {
	bw_digest digest;
	uint8_t *data;
	size_t len;
} kept;

struct bw_reg_source {
	bw_reg_client *client;
	bw_reg_ref ref;
	char *cache;
	pthread_mutex_t mu;
	kept manifests[MAX_KEPT_MANIFESTS];
	size_t n_manifests;
};

struct bw_reg_stream {
	bw_reg_source *src;
	bw_http_stream *http;
	int fd;                 /* a cached blob */
	int tmpfd;              /* the cache file being written */
	char *tmppath, *finalpath;
	bw_hasher *hasher;
	bw_digest want;
	bool failed;
	uint64_t got;           /* body bytes handed to the reader */
	uint64_t resume_mark;   /* got when the last resume was made */
	unsigned resumes;
	char what[600];
};

/*
 * After a broken download (the connection dropped or stalled): asks for the
 * rest with a Range request, at most the client's retry count of times and
 * only while each attempt brought new bytes. The reader never notices: the
 * bytes continue where they stopped, and the consumer's digest check covers
 * the blob whole. A registry that ignores Range sends it all again; the bytes
 * already had are read and dropped. 0: resumed; 1: not tried; < 0: it failed.
 */
static int resume(bw_reg_stream *st, uint64_t got_before)
{
	bw_reg_source *s = st->src;
	bool partial;
	int rc;

	if (st->got == 0 || st->got == got_before || st->resumes >= bw_reg_client_retries(s->client))
		return 1; /* not tried */
	st->resumes++;
	bw_debug("%s: the download broke at byte %llu (%s); resuming (%u of %u)", st->what, (unsigned long long)st->got,
		 bw_error_last()->message, st->resumes, bw_reg_client_retries(s->client));
	bw_http_close(st->http);
	st->http = NULL;
	if ((rc = bw_reg_blob_open_at(s->client, &s->ref, &st->want, st->got, &st->http, &partial)) < 0)
		return rc;
	for (uint64_t skip = partial ? 0 : st->got; skip > 0;) {
		uint8_t scratch[65536];
		ssize_t n = bw_http_read(st->http, scratch, skip < sizeof(scratch) ? (size_t)skip : sizeof(scratch));
		if (n <= 0)
			return n < 0 ? (int)n : bw_error_set(BW_ENET, "%s: the blob ended before byte %llu when resumed",
							   st->what, (unsigned long long)st->got);
		skip -= (uint64_t)n;
	}
	return 0;
}

const char *bw_reg_source_name(const bw_reg_source *s)
{
	return s->ref.display;
}

int bw_reg_source_open(bw_reg_source **out, const char *reference, const bw_registry_options *opts)
{
	bw_reg_source *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	pthread_mutex_init(&s->mu, NULL);
	if ((rc = bw_reg_ref_parse(reference, &s->ref)) < 0)
		goto fail;
	if (opts && opts->offline) {
		rc = bw_error_set(BW_ENET, "%s: --offline: a registry reference needs the network", reference);
		goto fail;
	}
	if ((rc = bw_reg_client_new(&s->client, s->ref.host, opts)) < 0)
		goto fail;
	if (opts && opts->blob_cache && !(s->cache = strdup(opts->blob_cache))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	bw_reg_source_free(s);
	return rc;
}

void bw_reg_source_free(bw_reg_source *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_manifests; i++)
		free(s->manifests[i].data);
	bw_reg_client_free(s->client);
	free(s->cache);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static int keep_manifest(bw_reg_source *s, const bw_reg_manifest *m)
{
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->n_manifests; i++)
		if (bw_digest_equal(&s->manifests[i].digest, &m->digest))
			goto done;
	if (s->n_manifests == MAX_KEPT_MANIFESTS)
		goto done; /* fetched again if asked for */
	kept *k = &s->manifests[s->n_manifests];
	if (!(k->data = malloc(m->body.len + 1))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	memcpy(k->data, m->body.data, m->body.len);
	k->len = m->body.len;
	k->digest = m->digest;
	s->n_manifests++;
done:
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int bw_reg_source_top(bw_reg_source *s, bw_digest *digest, uint64_t *size, char **media_type)
{
	bw_reg_manifest m;
	int rc;

	*media_type = NULL;
	if ((rc = bw_reg_get_manifest(s->client, &s->ref, bw_reg_ref_reference(&s->ref), BW_MAX_MANIFEST_BYTES, &m)) < 0)
		return rc;
	if ((rc = keep_manifest(s, &m)) == 0) {
		*digest = m.digest;
		*size = m.body.len;
		*media_type = m.media_type;
		m.media_type = NULL;
	}
	bw_reg_manifest_free(&m);
	return rc;
}

/* "manifests/<digest>" or "blobs/<alg>/<hex>" -> digest; 1 manifest, 2 blob, <0 error */
static int member_kind(bw_reg_source *s, const char *member, bw_digest *d)
{
	char text[BW_DIGEST_TEXT_MAX + 8];
	if (!strncmp(member, "manifests/", 10)) {
		if (bw_digest_parse(s->ref.display, member + 10, d) < 0)
			return BW_EINPUT;
		return 1;
	}
	if (!strncmp(member, "blobs/", 6)) {
		const char *slash = strchr(member + 6, '/');
		if (!slash || (size_t)(slash - member - 6) > 16)
			return bw_error_set(BW_EINPUT, "%s: no member %s", s->ref.display, member);
		snprintf(text, sizeof(text), "%.*s:%s", (int)(slash - member - 6), member + 6, slash + 1);
		if (bw_digest_parse(s->ref.display, text, d) < 0)
			return BW_EINPUT;
		return 2;
	}
	return bw_error_set(BW_EINPUT, "%s: no member %s", s->ref.display, member);
}

static void cache_path(const bw_reg_source *s, const bw_digest *d, char *out, size_t n)
{
	snprintf(out, n, "%s/blobs/%s/%s", s->cache, bw_digest_alg_name(d->alg), bw_digest_hex(d));
}

bool bw_reg_source_has(bw_reg_source *s, const char *member, uint64_t *size)
{
	bw_digest d;
	int kind = member_kind(s, member, &d);
	if (kind == 1) {
		bool found = false;
		pthread_mutex_lock(&s->mu);
		for (size_t i = 0; i < s->n_manifests && !found; i++)
			if (bw_digest_equal(&s->manifests[i].digest, &d)) {
				found = true;
				if (size)
					*size = s->manifests[i].len;
			}
		pthread_mutex_unlock(&s->mu);
		return found || bw_reg_head_manifest(s->client, &s->ref, d.text, NULL) == 1;
	}
	if (kind == 2) {
		struct stat st;
		char path[4096];
		if (s->cache) {
			cache_path(s, &d, path, sizeof(path));
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (size)
					*size = (uint64_t)st.st_size;
				return true;
			}
		}
		return bw_reg_blob_exists(s->client, &s->ref, &d, size) == 1;
	}
	return false;
}

int bw_reg_source_read(bw_reg_source *s, const char *member, size_t max, bw_buf *out)
{
	bw_digest d;
	int rc, kind = member_kind(s, member, &d);

	out->max = max;
	if (kind < 0)
		return kind;
	if (kind == 1) {
		pthread_mutex_lock(&s->mu);
		for (size_t i = 0; i < s->n_manifests; i++)
			if (bw_digest_equal(&s->manifests[i].digest, &d)) {
				kept *k = &s->manifests[i];
				int r = k->len > max ? -1 : bw_buf_append(out, k->data, k->len);
				pthread_mutex_unlock(&s->mu);
				if (r == -1)
					return bw_error_set(BW_EINPUT, "%s: manifest %s is larger than the limit of %zu bytes",
							    s->ref.display, d.text, max);
				return r < 0 ? bw_error_set(BW_EINTERNAL, "out of memory") : 0;
			}
		pthread_mutex_unlock(&s->mu);
		bw_reg_manifest m;
		if ((rc = bw_reg_get_manifest(s->client, &s->ref, d.text, max, &m)) < 0)
			return rc;
		rc = bw_buf_append(out, m.body.data, m.body.len) < 0 ? bw_error_set(BW_EINTERNAL, "out of memory") : 0;
		if (rc == 0)
			rc = keep_manifest(s, &m);
		bw_reg_manifest_free(&m);
		return rc;
	}
	bw_reg_stream *st;
	uint8_t chunk[65536];
	ssize_t n;
	if ((rc = bw_reg_source_open_stream(s, member, &st)) < 0)
		return rc;
	while ((n = bw_reg_stream_read(st, chunk, sizeof(chunk))) > 0) {
		int r = bw_buf_append(out, chunk, (size_t)n);
		if (r == -1) {
			rc = bw_error_set(BW_EINPUT, "%s: blob %s is larger than the limit of %zu bytes", s->ref.display,
					  d.text, max);
			break;
		}
		if (r < 0) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			break;
		}
	}
	if (rc == 0 && n < 0)
		rc = (int)n;
	if (rc == 0 && !out->data && bw_buf_append(out, "", 0) < 0)
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
	bw_reg_stream_close(st);
	return rc;
}

static int mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int bw_reg_source_open_stream(bw_reg_source *s, const char *member, bw_reg_stream **out)
{
	bw_reg_stream *st = calloc(1, sizeof(*st));
	char path[4096];
	bw_digest d;
	int rc, kind;

	*out = NULL;
	if (!st)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	st->fd = st->tmpfd = -1;
	st->src = s;
	if ((kind = member_kind(s, member, &d)) < 0) {
		rc = kind;
		goto fail;
	}
	if (kind == 1) {
		rc = bw_error_set(BW_EINTERNAL, "%s: manifests are read whole, not streamed", s->ref.display);
		goto fail;
	}
	st->want = d;
	snprintf(st->what, sizeof(st->what), "%s: blob %s", s->ref.display, d.text);
	if (s->cache) {
		cache_path(s, &d, path, sizeof(path));
		st->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (st->fd >= 0) {
			bw_debug("%s: from the blob cache", st->what);
			*out = st;
			return 0;
		}
	}
	if ((rc = bw_reg_blob_open(s->client, &s->ref, &d, &st->http)) < 0)
		goto fail;
	if (s->cache) {
		/* a cache that cannot be written is a warning: the pull itself goes on */
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/blobs/%s", s->cache, bw_digest_alg_name(d.alg));
		size_t n = strlen(dir) + 24;
		if (mkdirs(dir) == 0 && (st->tmppath = malloc(n)) && (st->finalpath = strdup(path))) {
			snprintf(st->tmppath, n, "%s/.tmp-XXXXXX", dir);
			st->tmpfd = mkstemp(st->tmppath);
			st->hasher = st->tmpfd >= 0 ? bw_hasher_new(d.alg) : NULL;
		}
		if (st->tmpfd < 0 || !st->hasher) {
			bw_warn("%s: cannot write to the blob cache %s: %s", st->what, s->cache, strerror(errno));
			if (st->tmpfd >= 0) {
				close(st->tmpfd);
				unlink(st->tmppath);
				st->tmpfd = -1;
			}
		}
	}
	*out = st;
	return 0;
fail:
	bw_reg_stream_close(st);
	return rc;
}

ssize_t bw_reg_stream_read(bw_reg_stream *st, void *buf, size_t cap)
{
	if (st->fd >= 0) {
		for (;;) {
			ssize_t n = read(st->fd, buf, cap);
			if (n >= 0)
				return n;
			if (errno != EINTR)
				return bw_error_set(BW_EINPUT, "%s (cached): %s", st->what, strerror(errno));
		}
	}
	ssize_t n = bw_http_read(st->http, buf, cap);
	uint64_t got_before = st->resumes ? st->resume_mark : 0;
	while (n == BW_ENET) {
		char broke[512];
		snprintf(broke, sizeof(broke), "%s", bw_error_last()->message);
		int r = resume(st, got_before);
		if (r != 0) {
			/* the break is the news; why it could not be mended comes second (copied
			 * first: bw_error_set writes where bw_error_last() points) */
			char why[512];
			snprintf(why, sizeof(why), "%s", r < 0 ? bw_error_last()->message : "");
			n = r > 0 ? bw_error_set(BW_ENET, "%s", broke)
				  : bw_error_set(BW_ENET, "%s; resuming failed: %s", broke, why);
			break;
		}
		got_before = st->resume_mark = st->got;
		n = bw_http_read(st->http, buf, cap);
	}
	if (n < 0) {
		st->failed = true;
		return n;
	}
	st->got += (uint64_t)n;
	if (st->tmpfd >= 0 && !st->failed) {
		if (n > 0) {
			bw_hasher_update(st->hasher, buf, (size_t)n);
			for (size_t off = 0; off < (size_t)n;) {
				ssize_t w = write(st->tmpfd, (uint8_t *)buf + off, (size_t)n - off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					bw_warn("%s: writing the blob cache: %s", st->what, strerror(errno));
					st->failed = true;
					break;
				}
				off += (size_t)w;
			}
		} else {
			/* the whole blob: into the cache only if it is what its name says */
			bw_digest got;
			bw_hasher_final(st->hasher, &got);
			if (bw_digest_equal(&got, &st->want) && fsync(st->tmpfd) == 0 &&
			    rename(st->tmppath, st->finalpath) == 0) {
				free(st->tmppath);
				st->tmppath = NULL;
			}
			close(st->tmpfd);
			st->tmpfd = -1;
		}
	}
	return n;
}

void bw_reg_stream_close(bw_reg_stream *st)
{
	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	if (st->tmpfd >= 0)
		close(st->tmpfd);
	if (st->tmppath)
		unlink(st->tmppath);
	free(st->tmppath);
	free(st->finalpath);
	bw_hasher_free(st->hasher);
	bw_http_close(st->http);
	free(st);
}
