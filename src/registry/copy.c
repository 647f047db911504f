/*
 * registry/copy.c: bw_copy, an image from any reference to any other.
 *
 * Manifests and indexes are copied as the bytes they are (so their digests
 * survive) after being verified against their digests; blobs stream from the
 * source straight into the destination, hashed on the way, several at once,
 * and a blob whose bytes do not hash to its digest fails the copy before the
 * destination accepts it. Nothing is staged on disk, except that archive
 * destinations are assembled as a layout in a temporary directory beside the
 * file and packed once complete.
 *
 * Sources: registry, oci:, oci-archive:, docker-archive: (a manifest is made
 * for it from manifest.json, its config and layer digests). Destinations:
 * registry, oci:, oci-archive:, docker-archive:.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "image/decompress.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/source.h"
#include "registry/registry.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"

#define MAX_PARALLEL 16

/* ------------------------------------------------------------ endpoints */

typedef struct mapped {
	bw_digest digest;
	char *member;
} mapped;

typedef struct endpoint {
	const char *text;
	bw_transport transport;
	/* registry */
	bw_reg_ref rref;
	bw_reg_client *client;
	/* local source */
	bw_ref lref;
	bw_source *src;
	/* docker-archive source: blobs by digest -> members, and the made manifest */
	mapped *map;
	size_t n_map;
	bw_buf made;
	/* local destination: a layout directory (the archive's staging dir for archives) */
	char *dir;
	char *tag;
	char *archive; /* oci-archive / docker-archive file to pack dir into */
	char name[600];
} endpoint;

typedef struct copy_ctx {
	endpoint src, dst;
	const bw_copy_options *opts;
	bw_registry_options ropts;
	atomic_uint_fast64_t copied, skipped, bytes;
	/* docker-archive destination: the one image's config and layers */
	bw_digest dconfig;
	bw_strlist dlayers;
} copy_ctx;

static void endpoint_free(endpoint *e)
{
	bw_reg_client_free(e->client);
	bw_source_free(e->src);
	bw_ref_free(&e->lref);
	for (size_t i = 0; i < e->n_map; i++)
		free(e->map[i].member);
	free(e->map);
	bw_buf_free(&e->made);
	free(e->dir);
	free(e->tag);
	free(e->archive);
}

static int open_source(copy_ctx *x, const char *text)
{
	endpoint *e = &x->src;
	int rc;

	e->text = text;
	if ((rc = bw_ref_parse(text, &e->lref)) < 0)
		return rc;
	e->transport = e->lref.transport;
	snprintf(e->name, sizeof(e->name), "%s", text);
	switch (e->transport) {
	case BW_TRANSPORT_REGISTRY:
		if ((rc = bw_reg_ref_parse(e->lref.path, &e->rref)) < 0)
			return rc;
		snprintf(e->name, sizeof(e->name), "%s", e->rref.display);
		return bw_reg_client_new(&e->client, e->rref.host, &x->ropts);
	case BW_TRANSPORT_OCI_DIR:
	case BW_TRANSPORT_OCI_ARCHIVE:
	case BW_TRANSPORT_DOCKER_ARCHIVE:
		return bw_source_open(&e->src, &e->lref);
	case BW_TRANSPORT_ROOTFS_DIR:
		break;
	}
	return bw_error_set(BW_EUSAGE, "%s: a root filesystem directory is not an image to copy", text);
}

/* Destinations are named explicitly or look like registry references; paths need a transport. */
static int open_dest(copy_ctx *x, const char *text)
{
	endpoint *e = &x->dst;
	static const struct {
		const char *prefix;
		bw_transport t;
	} prefixes[] = {
		{ "oci:", BW_TRANSPORT_OCI_DIR },
		{ "oci-archive:", BW_TRANSPORT_OCI_ARCHIVE },
		{ "docker-archive:", BW_TRANSPORT_DOCKER_ARCHIVE },
	};
	e->text = text;
	snprintf(e->name, sizeof(e->name), "%s", text);
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (strncmp(text, prefixes[i].prefix, n) != 0)
			continue;
		e->transport = prefixes[i].t;
		const char *path = text + n, *colon = strrchr(path, ':');
		size_t plen = strlen(path);
		if (colon && e->transport != BW_TRANSPORT_DOCKER_ARCHIVE && !strchr(colon, '/')) {
			plen = (size_t)(colon - path);
			if (colon[1] && !(e->tag = strdup(colon + 1)))
				return bw_error_set(BW_EINTERNAL, "out of memory");
		}
		if (plen == 0)
			return bw_error_set(BW_EUSAGE, "%s: no path", text);
		char *p = strndup(path, plen);
		if (!p)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		if (e->transport == BW_TRANSPORT_OCI_DIR) {
			e->dir = p;
		} else {
			size_t dn = plen + 32;
			e->archive = p;
			if (!(e->dir = malloc(dn)))
				return bw_error_set(BW_EINTERNAL, "out of memory");
			snprintf(e->dir, dn, "%s.bw-XXXXXX", p);
			if (!mkdtemp(e->dir)) {
				int err = errno;
				free(e->dir);
				e->dir = NULL;
				return bw_error_set(BW_EUSAGE, "%s: cannot create a staging directory beside it: %s", text,
						    strerror(err));
			}
		}
		return 0;
	}
	const char *r = !strncmp(text, "docker://", 9) ? text + 9 : text;
	if (text[0] == '/' || text[0] == '.')
		return bw_error_set(BW_EUSAGE, "%s: name the destination format (oci:, oci-archive:, docker-archive:)", text);
	e->transport = BW_TRANSPORT_REGISTRY;
	int rc = bw_reg_ref_parse(r, &e->rref);
	if (rc < 0)
		return rc;
	snprintf(e->name, sizeof(e->name), "%s", e->rref.display);
	return bw_reg_client_new(&e->client, e->rref.host, &x->ropts);
}

/* ------------------------------------------------------------ reading the source */

static void blob_member_name(const bw_digest *d, char *out, size_t n)
{
	snprintf(out, n, "blobs/%s/%s", bw_digest_alg_name(d->alg), bw_digest_hex(d));
}

/* A manifest or index of the source by digest, verified. */
static int src_manifest(copy_ctx *x, const bw_digest *d, bw_buf *out)
{
	endpoint *e = &x->src;
	char member[BW_DIGEST_TEXT_MAX + 16];
	bw_digest got;
	int rc;

	if (e->transport == BW_TRANSPORT_REGISTRY) {
		bw_reg_manifest m;
		if ((rc = bw_reg_get_manifest(e->client, &e->rref, d->text, BW_MAX_MANIFEST_BYTES, &m)) < 0)
			return rc;
		*out = m.body;
		m.body = (bw_buf)BW_BUF_INIT(0);
		bw_reg_manifest_free(&m);
		return 0;
	}
	blob_member_name(d, member, sizeof(member));
	if ((rc = bw_source_read(e->src, member, BW_MAX_MANIFEST_BYTES, out)) < 0)
		return rc;
	if ((rc = bw_digest_buffer(d->alg, out->data, out->len, &got)) < 0)
		return rc;
	if (!bw_digest_equal(&got, d))
		return bw_error_set(BW_EINPUT, "%s: manifest %s: digest mismatch: content hashes to %s", e->name, d->text,
				    got.text);
	return 0;
}

static int add_map(endpoint *e, const bw_digest *d, const char *member)
{
	mapped *m = realloc(e->map, (e->n_map + 1) * sizeof(*m));
	if (!m)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	e->map = m;
	m[e->n_map].digest = *d;
	if (!(m[e->n_map].member = strdup(member)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	e->n_map++;
	return 0;
}

/* Hashes a whole member; also sniffs its compression. */
static int hash_member(endpoint *e, const char *member, bw_digest *d, uint64_t *size, bw_compression *comp)
{
	bw_stream *st;
	uint8_t buf[65536];
	ssize_t n;
	bool first = true;
	int rc;
	bw_hasher *h = bw_hasher_new(BW_SHA256);

	if (!h)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if ((rc = bw_source_open_stream(e->src, member, &st)) < 0) {
		bw_hasher_free(h);
		return rc;
	}
	*size = 0;
	*comp = BW_COMP_NONE;
	while ((n = bw_stream_read(st, buf, sizeof(buf))) > 0) {
		if (first)
			*comp = bw_compression_sniff(buf, (size_t)n);
		first = false;
		bw_hasher_update(h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	bw_stream_close(st);
	bw_hasher_final(h, d);
	bw_hasher_free(h);
	return n < 0 ? (int)n : 0;
}

/* docker-archive: a Docker v2 schema 2 manifest over its config and layer members as they are. */
static int make_docker_manifest(copy_ctx *x, bw_buf *out, bw_digest *digest)
{
	endpoint *e = &x->src;
	bw_buf mbuf = BW_BUF_INIT(BW_MAX_ARCHIVE_MANIFEST);
	bw_docker_manifest dm = { 0 };
	json_t *j = NULL, *layers;
	char *text = NULL, what[700];
	bw_digest d;
	uint64_t size;
	bw_compression comp;
	int rc;

	snprintf(what, sizeof(what), "%s: manifest.json", e->name);
	if ((rc = bw_source_read(e->src, "manifest.json", BW_MAX_ARCHIVE_MANIFEST, &mbuf)) < 0 ||
	    (rc = bw_docker_manifest_parse(what, mbuf.data, mbuf.len, &dm)) < 0)
		goto done;
	if ((rc = hash_member(e, dm.config, &d, &size, &comp)) < 0 || (rc = add_map(e, &d, dm.config)) < 0)
		goto done;
	j = json_pack("{s:i,s:s,s:{s:s,s:I,s:s},s:[]}", "schemaVersion", 2, "mediaType", BW_MT_DOCKER_MANIFEST, "config",
		      "mediaType", BW_MT_DOCKER_CONFIG, "size", (json_int_t)size, "digest", d.text, "layers");
	if (!j) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	layers = json_object_get(j, "layers");
	for (size_t i = 0; i < dm.layers.n; i++) {
		if ((rc = hash_member(e, dm.layers.v[i], &d, &size, &comp)) < 0 || (rc = add_map(e, &d, dm.layers.v[i])) < 0)
			goto done;
		const char *mt = comp == BW_COMP_GZIP ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
				 : comp == BW_COMP_ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
							: BW_MT_DOCKER_LAYER_TAR;
		if (json_array_append_new(layers, json_pack("{s:s,s:I,s:s}", "mediaType", mt, "size", (json_int_t)size,
							    "digest", d.text)) < 0) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
	}
	if (!(text = json_dumps(j, JSON_COMPACT)) || bw_buf_append_str(out, text) < 0) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = bw_digest_buffer(BW_SHA256, out->data, out->len, digest);
done:
	free(text);
	json_decref(j);
	bw_docker_manifest_free(&dm);
	bw_buf_free(&mbuf);
	return rc;
}

/* The manifest or index the source reference names. */
static int src_top(copy_ctx *x, bw_buf *out, bw_digest *digest)
{
	endpoint *e = &x->src;
	bw_buf ibuf = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	bw_index idx = { 0 };
	char what[700];
	int rc;

	out->max = BW_MAX_MANIFEST_BYTES;
	if (e->transport == BW_TRANSPORT_REGISTRY) {
		bw_reg_manifest m;
		if ((rc = bw_reg_get_manifest(e->client, &e->rref, bw_reg_ref_reference(&e->rref), BW_MAX_MANIFEST_BYTES,
					      &m)) < 0)
			return rc;
		*out = m.body;
		*digest = m.digest;
		m.body = (bw_buf)BW_BUF_INIT(0);
		bw_reg_manifest_free(&m);
		return 0;
	}
	if (e->transport == BW_TRANSPORT_DOCKER_ARCHIVE)
		return make_docker_manifest(x, out, digest);
	snprintf(what, sizeof(what), "%s: index.json", e->name);
	if ((rc = bw_source_read(e->src, "index.json", BW_MAX_MANIFEST_BYTES, &ibuf)) < 0 ||
	    (rc = bw_index_parse(what, ibuf.data, ibuf.len, &idx)) < 0)
		goto done;
	const bw_descriptor *pick = NULL;
	for (size_t i = 0; i < idx.n && !pick; i++)
		if (e->lref.tag ? idx.manifests[i].ref_name && !strcmp(idx.manifests[i].ref_name, e->lref.tag) : idx.n == 1)
			pick = &idx.manifests[i];
	if (!pick) {
		rc = bw_error_set(BW_EINPUT, "%s: %s", e->name,
				  e->lref.tag ? "no image has that tag" : "the layout holds several images; name one as :TAG");
		goto done;
	}
	*digest = pick->digest;
	rc = src_manifest(x, &pick->digest, out);
done:
	bw_index_free(&idx);
	bw_buf_free(&ibuf);
	return rc;
}

/* A blob stream of the source, verified as read: exactly size bytes hashing to digest. */
typedef struct reader {
	copy_ctx *x;
	bw_http_stream *http;
	bw_stream *local;
	bw_hasher *h;
	bw_digest want;
	uint64_t size, got;
	bool final;               /* the hash is finished (and was right) */
	char what[700];
} reader;

static int reader_open(copy_ctx *x, const bw_descriptor *d, reader *r)
{
	endpoint *e = &x->src;
	char member[BW_MAX_PATH_BYTES + 2];
	int rc;

	memset(r, 0, sizeof(*r));
	r->x = x;
	r->want = d->digest;
	r->size = d->size;
	snprintf(r->what, sizeof(r->what), "%s: blob %s", e->name, d->digest.text);
	if (!(r->h = bw_hasher_new(d->digest.alg)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (e->transport == BW_TRANSPORT_REGISTRY)
		return bw_reg_blob_open(e->client, &e->rref, &d->digest, &r->http);
	blob_member_name(&d->digest, member, sizeof(member));
	for (size_t i = 0; i < e->n_map; i++)
		if (bw_digest_equal(&e->map[i].digest, &d->digest))
			snprintf(member, sizeof(member), "%s", e->map[i].member);
	if ((rc = bw_source_open_stream(e->src, member, &r->local)) < 0)
		return rc;
	return 0;
}

static ssize_t reader_read(void *arg, void *buf, size_t cap)
{
	reader *r = arg;
	if (r->got == r->size) {
		/* the promised bytes are all in: anything more is a lie about the size */
		uint8_t extra;
		ssize_t n = r->http ? bw_http_read(r->http, &extra, 1) : bw_stream_read(r->local, &extra, 1);
		if (n > 0)
			return bw_error_set(BW_EINPUT, "%s: larger than the %llu bytes its descriptor says", r->what,
					    (unsigned long long)r->size);
		if (n == 0 && !r->final) { /* an empty blob still has to be the empty blob */
			bw_digest got;
			r->final = true;
			bw_hasher_final(r->h, &got);
			if (!bw_digest_equal(&got, &r->want))
				return bw_error_set(BW_EINPUT, "%s: digest mismatch: content hashes to %s", r->what, got.text);
		}
		return n;
	}
	if (cap > r->size - r->got)
		cap = (size_t)(r->size - r->got);
	ssize_t n = r->http ? bw_http_read(r->http, buf, cap) : bw_stream_read(r->local, buf, cap);
	if (n < 0)
		return n;
	if (n == 0)
		return bw_error_set(BW_EINPUT, "%s: ended after %llu of %llu bytes", r->what, (unsigned long long)r->got,
				    (unsigned long long)r->size);
	bw_hasher_update(r->h, buf, (size_t)n);
	r->got += (uint64_t)n;
	atomic_fetch_add(&r->x->bytes, (uint64_t)n);
	if (r->got == r->size) {
		bw_digest got;
		r->final = true;
		bw_hasher_final(r->h, &got);
		if (!bw_digest_equal(&got, &r->want))
			return bw_error_set(BW_EINPUT, "%s: digest mismatch: content hashes to %s", r->what, got.text);
	}
	return n;
}

static void reader_close(reader *r)
{
	bw_http_close(r->http);
	bw_stream_close(r->local);
	bw_hasher_free(r->h);
}

/*
 * Reading ahead: a thread pulls the source blob into a few buffers while the
 * destination takes the previous ones, so the download and the upload of one
 * blob overlap instead of taking turns in one thread.
 */
#define AHEAD_SLOTS 8
#define AHEAD_SLOT (256 * 1024)

typedef struct ahead {
	reader *r;
	copy_ctx *x;                /* to open the source on the first read: a blob the */
	const bw_descriptor *d;     /* destination mounts is never fetched at all */
	bool opened;
	pthread_t th;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[AHEAD_SLOTS];
	size_t len[AHEAD_SLOTS];
	size_t head, count, off;
	bool eof, stop;
	int rc;
	bw_error err;
} ahead;

static void *ahead_main(void *arg)
{
	ahead *a = arg;
	for (;;) {
		pthread_mutex_lock(&a->mu);
		while (a->count == AHEAD_SLOTS && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		size_t slot = (a->head + a->count) % AHEAD_SLOTS;
		bool stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			return NULL;
		ssize_t n = reader_read(a->r, a->buf[slot], AHEAD_SLOT);
		pthread_mutex_lock(&a->mu);
		if (n > 0) {
			a->len[slot] = (size_t)n;
			a->count++;
		} else {
			a->eof = true;
			if (n < 0) {
				a->rc = (int)n;
				a->err = *bw_error_last();
			}
		}
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (n <= 0)
			return NULL;
	}
}

static void ahead_init(ahead *a, copy_ctx *x, const bw_descriptor *d, reader *r)
{
	memset(a, 0, sizeof(*a));
	a->r = r;
	a->x = x;
	a->d = d;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
}

static int ahead_start(ahead *a)
{
	int rc;
	a->opened = true;
	if ((rc = reader_open(a->x, a->d, a->r)) < 0)
		return rc;
	for (int i = 0; i < AHEAD_SLOTS; i++)
		if (!(a->buf[i] = malloc(AHEAD_SLOT)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
	if (pthread_create(&a->th, NULL, ahead_main, a) != 0)
		return bw_error_set(BW_EINTERNAL, "cannot start a thread");
	a->started = true;
	return 0;
}

static ssize_t ahead_read(void *arg, void *buf, size_t cap)
{
	ahead *a = arg;
	ssize_t n;
	int rc;
	if (!a->opened && (rc = ahead_start(a)) < 0)
		return rc;
	if (!a->started)
		return bw_error_set(BW_EINTERNAL, "%s: blob %s: reading after a failed open", a->x->src.name,
				    a->d->digest.text);
	pthread_mutex_lock(&a->mu);
	while (a->count == 0 && !a->eof)
		pthread_cond_wait(&a->cv, &a->mu);
	if (a->count == 0) {
		n = a->rc;
		if (a->rc < 0)
			bw_error_restore(&a->err);
	} else {
		size_t h = a->head, left = a->len[h] - a->off;
		n = (ssize_t)(left < cap ? left : cap);
		memcpy(buf, a->buf[h] + a->off, (size_t)n);
		a->off += (size_t)n;
		if (a->off == a->len[h]) {
			a->off = 0;
			a->head = (h + 1) % AHEAD_SLOTS;
			a->count--;
			pthread_cond_broadcast(&a->cv);
		}
	}
	pthread_mutex_unlock(&a->mu);
	return n;
}

static void ahead_stop(ahead *a)
{
	if (a->started) {
		pthread_mutex_lock(&a->mu);
		a->stop = true;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->th, NULL);
	}
	for (int i = 0; i < AHEAD_SLOTS; i++)
		free(a->buf[i]);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
}

/* ------------------------------------------------------------ writing the destination */

static int mkdir_p(const char *path)
{
	char tmp[BW_MAX_PATH_BYTES + 2];
	if (strlen(path) >= sizeof(tmp))
		return -1;
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

static int write_file_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char path[BW_MAX_PATH_BYTES + 2], tmp[BW_MAX_PATH_BYTES + 32];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
	const uint8_t *p = data;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = errno;
			close(fd);
			unlink(tmp);
			return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(err));
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(err));
	}
	return 0;
}

static bool dst_has_local(copy_ctx *x, const bw_digest *d)
{
	char path[BW_MAX_PATH_BYTES + 2];
	struct stat st;
	snprintf(path, sizeof(path), "%s/blobs/%s/%s", x->dst.dir, bw_digest_alg_name(d->alg), bw_digest_hex(d));
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Streams a blob into DIR/blobs/ALG/HEX through a temporary file. */
static int put_local_blob(copy_ctx *x, ahead *r, const bw_digest *d)
{
	char dir[BW_MAX_PATH_BYTES + 2], path[BW_MAX_PATH_BYTES + 2], tmp[BW_MAX_PATH_BYTES + 32];
	uint8_t buf[256 * 1024];
	ssize_t n;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/blobs/%s", x->dst.dir, bw_digest_alg_name(d->alg));
	snprintf(path, sizeof(path), "%s/%s", dir, bw_digest_hex(d));
	snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
	if (mkdir_p(dir) < 0)
		return bw_error_set(BW_EUSAGE, "%s: %s", dir, strerror(errno));
	int fd = mkstemp(tmp);
	if (fd < 0)
		return bw_error_set(BW_EUSAGE, "%s: %s", dir, strerror(errno));
	while ((n = ahead_read(r, buf, sizeof(buf))) > 0) {
		for (size_t off = 0; off < (size_t)n;) {
			ssize_t w = write(fd, buf + off, (size_t)n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = bw_error_set(BW_EUSAGE, "%s: %s", tmp, strerror(errno));
				goto done;
			}
			off += (size_t)w;
		}
	}
	if (n < 0) {
		rc = (int)n;
		goto done;
	}
	if (fchmod(fd, 0644) != 0 || rename(tmp, path) != 0)
		rc = bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
done:
	close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int copy_blob(copy_ctx *x, const bw_descriptor *d)
{
	endpoint *s = &x->src, *t = &x->dst;
	reader r = { 0 };
	int rc;

	if (t->transport != BW_TRANSPORT_REGISTRY && dst_has_local(x, &d->digest)) {
		atomic_fetch_add(&x->skipped, 1);
		return 0;
	}
	if (t->transport == BW_TRANSPORT_REGISTRY) {
		/* skip or mount before opening anything on the source */
		int have = bw_reg_blob_exists(t->client, &t->rref, &d->digest, NULL);
		if (have < 0)
			return have;
		if (have == 1) {
			atomic_fetch_add(&x->skipped, 1);
			return 0;
		}
	}
	ahead a;
	ahead_init(&a, x, d, &r);
	if (t->transport == BW_TRANSPORT_REGISTRY) {
		const char *how = NULL;
		const char *from = s->transport == BW_TRANSPORT_REGISTRY && !strcmp(s->rref.host, t->rref.host)
					   ? s->rref.name : NULL;
		rc = bw_reg_push_blob(t->client, &t->rref, &d->digest, d->size, ahead_read, &a, from, true, &how);
		if (rc == 0) {
			bw_debug("%s: blob %s %s", t->name, d->digest.text, how);
			atomic_fetch_add(how && !strcmp(how, "uploaded") ? &x->copied : &x->skipped, 1);
		}
	} else {
		rc = put_local_blob(x, &a, &d->digest);
		if (rc == 0)
			atomic_fetch_add(&x->copied, 1);
	}
	ahead_stop(&a);
	reader_close(&r);
	return rc;
}

typedef struct blob_pool {
	copy_ctx *x;
	const bw_descriptor *list;
	size_t n;
	atomic_size_t next;
	int *rcs;
	bw_error *errs;
} blob_pool;

static void *blob_worker(void *arg)
{
	blob_pool *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			return NULL;
		p->rcs[i] = copy_blob(p->x, &p->list[i]);
		if (p->rcs[i] < 0) {
			p->errs[i] = *bw_error_last();
			atomic_store(&p->next, p->n); /* no point starting more */
		}
	}
}

/* Copies blobs in parallel; the first failure in list order is reported. */
static int copy_blobs(copy_ctx *x, const bw_descriptor *list, size_t n)
{
	blob_pool p = { .x = x, .list = list, .n = n };
	pthread_t th[MAX_PARALLEL];
	size_t nt = x->ropts.parallel ? x->ropts.parallel : 4, started = 0;
	int rc = 0;

	if (nt > MAX_PARALLEL)
		nt = MAX_PARALLEL;
	if (nt > n)
		nt = n ? n : 1;
	atomic_init(&p.next, 0);
	p.rcs = calloc(n + 1, sizeof(int));
	p.errs = calloc(n + 1, sizeof(bw_error));
	if (!p.rcs || !p.errs) {
		free(p.rcs);
		free(p.errs);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	for (; started < nt; started++)
		if (pthread_create(&th[started], NULL, blob_worker, &p) != 0)
			break;
	if (started == 0)
		blob_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < n; i++)
		if (p.rcs[i] < 0) {
			rc = bw_error_restore(&p.errs[i]);
			break;
		}
	free(p.rcs);
	free(p.errs);
	return rc;
}

/* Puts a manifest: as a blob in a layout; by digest (or tag, at the top) on a registry. */
static int put_manifest(copy_ctx *x, const bw_buf *body, const char *media_type, const bw_digest *d, bool top)
{
	endpoint *t = &x->dst;
	if (t->transport == BW_TRANSPORT_REGISTRY) {
		const char *ref = top ? bw_reg_ref_reference(&t->rref) : d->text;
		if (top && t->rref.has_digest && !bw_digest_equal(&t->rref.digest, d))
			return bw_error_set(BW_EUSAGE, "%s: the destination names digest %s, but the image is %s", t->name,
					    t->rref.digest.text, d->text);
		return bw_reg_put_manifest(t->client, &t->rref, ref, media_type, body->data, body->len, NULL);
	}
	char dir[BW_MAX_PATH_BYTES + 2];
	snprintf(dir, sizeof(dir), "%s/blobs/%s", t->dir, bw_digest_alg_name(d->alg));
	if (mkdir_p(dir) < 0)
		return bw_error_set(BW_EUSAGE, "%s: %s", dir, strerror(errno));
	return write_file_atomic(dir, bw_digest_hex(d), body->data, body->len);
}

/* ------------------------------------------------------------ platforms */

static void host_platform(char *os, char *arch, size_t n)
{
	struct utsname u;
	snprintf(os, n, "linux");
	snprintf(arch, n, "amd64");
	if (uname(&u) == 0 && (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64")))
		snprintf(arch, n, "arm64");
}

static bool platform_match(const char *want, const bw_descriptor *d)
{
	char os[32], arch[32], variant[32] = "";
	const char *a, *v;
	if (!want) {
		host_platform(os, arch, sizeof(os));
	} else {
		if (!(a = strchr(want, '/')) || (size_t)(a - want) >= sizeof(os))
			return false;
		snprintf(os, sizeof(os), "%.*s", (int)(a - want), want);
		v = strchr(a + 1, '/');
		snprintf(arch, sizeof(arch), "%.*s", (int)(v ? (size_t)(v - a - 1) : strlen(a + 1)), a + 1);
		if (v)
			snprintf(variant, sizeof(variant), "%s", v + 1);
	}
	if (!d->os || !d->architecture || strcmp(d->os, os) || strcmp(d->architecture, arch))
		return false;
	return !variant[0] || (d->variant && !strcmp(d->variant, variant));
}

/* ------------------------------------------------------------ the copy */

static const char *doc_media_type(const char *what, const bw_buf *b, bw_doc_kind kind)
{
	json_t *j = NULL;
	static _Thread_local char mt[256];
	const char *m = NULL;
	mt[0] = '\0';
	if (bw_json_parse(what, b->data, b->len, BW_MAX_MANIFEST_BYTES, &j) == 0 &&
	    bw_json_opt_string(what, j, "mediaType", &m) == 0 && m)
		snprintf(mt, sizeof(mt), "%s", m);
	json_decref(j);
	if (mt[0])
		return mt;
	return kind == BW_DOC_INDEX ? BW_MT_OCI_INDEX : BW_MT_OCI_MANIFEST;
}

static int copy_doc(copy_ctx *x, const bw_buf *body, const bw_digest *digest, bool top, int depth,
		    bw_digest *written);

static int copy_index(copy_ctx *x, const bw_buf *body, const bw_digest *digest, bool top, int depth,
		      bw_digest *written)
{
	char what[700];
	bw_index idx = { 0 };
	int rc;

	snprintf(what, sizeof(what), "%s: index %s", x->src.name, digest->text);
	if (depth > BW_MAX_INDEX_DEPTH)
		return bw_error_set(BW_EINPUT, "%s: indexes nested deeper than %d levels", what, BW_MAX_INDEX_DEPTH);
	if ((rc = bw_index_parse(what, body->data, body->len, &idx)) < 0)
		return rc;
	bool one = (top && x->opts && x->opts->platform) || x->dst.transport == BW_TRANSPORT_DOCKER_ARCHIVE;
	for (size_t i = 0; i < idx.n; i++) {
		const bw_descriptor *d = &idx.manifests[i];
		bw_buf child = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
		if (one && !platform_match(x->opts ? x->opts->platform : NULL, d))
			continue;
		if (bw_digest_equal(&d->digest, digest)) {
			rc = bw_error_set(BW_EINPUT, "%s lists itself", what);
			goto done;
		}
		if (d->size > BW_MAX_MANIFEST_BYTES) {
			rc = bw_error_set(BW_EINPUT, "%s: manifest %s is larger than the limit", what, d->digest.text);
			goto done;
		}
		if ((rc = src_manifest(x, &d->digest, &child)) < 0) {
			bw_buf_free(&child);
			goto done;
		}
		rc = copy_doc(x, &child, &d->digest, one && top, depth + 1, written);
		bw_buf_free(&child);
		if (rc < 0)
			goto done;
		if (one) {
			rc = 0;
			goto done; /* that image alone is the copy */
		}
	}
	if (one) {
		rc = bw_error_set(BW_EINPUT, "%s: no image for platform %s", what,
				  x->opts && x->opts->platform ? x->opts->platform : "of this host");
		goto done;
	}
	rc = put_manifest(x, body, doc_media_type(what, body, BW_DOC_INDEX), digest, top);
	if (rc == 0 && top)
		*written = *digest;
done:
	bw_index_free(&idx);
	return rc;
}

static int copy_doc(copy_ctx *x, const bw_buf *body, const bw_digest *digest, bool top, int depth,
		    bw_digest *written)
{
	char what[700];
	bw_manifest m = { 0 };
	int rc;

	snprintf(what, sizeof(what), "%s: %s", x->src.name, digest->text);
	bw_doc_kind kind = bw_doc_kind_of(what, body->data, body->len, NULL);
	if (kind == BW_DOC_INDEX)
		return copy_index(x, body, digest, top, depth, written);
	if (kind != BW_DOC_MANIFEST)
		return bw_error_set(BW_EINPUT, "%s: neither an image manifest nor an index", what);
	if ((rc = bw_manifest_parse(what, body->data, body->len, &m)) < 0)
		return rc;
	/* config first, then layers: all blobs, in parallel */
	bw_descriptor *all = calloc(m.n_layers + 1, sizeof(*all));
	if (!all) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	all[0] = m.config;
	for (size_t i = 0; i < m.n_layers; i++)
		all[i + 1] = m.layers[i];
	rc = copy_blobs(x, all, m.n_layers + 1);
	free(all);
	if (rc < 0)
		goto done;
	if (x->dst.transport == BW_TRANSPORT_DOCKER_ARCHIVE) {
		x->dconfig = m.config.digest;
		bw_strlist_free(&x->dlayers);
		if (!(x->dlayers.v = calloc(m.n_layers + 1, sizeof(char *)))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < m.n_layers; i++) {
			char member[BW_DIGEST_TEXT_MAX + 16];
			blob_member_name(&m.layers[i].digest, member, sizeof(member));
			if (!(x->dlayers.v[x->dlayers.n++] = strdup(member))) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
		}
	}
	rc = put_manifest(x, body, m.media_type ? m.media_type : doc_media_type(what, body, BW_DOC_MANIFEST), digest, top);
	if (rc == 0 && top)
		*written = *digest;
done:
	bw_manifest_free(&m);
	return rc;
}

/* oci:DIR[:TAG]: the layout's oci-layout and index.json, with this image under its tag. */
static int finish_layout(copy_ctx *x, const bw_digest *d, size_t size, const char *media_type)
{
	endpoint *t = &x->dst;
	bw_buf old = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	json_t *idx = NULL, *arr, *entry = NULL;
	char *text = NULL, path[BW_MAX_PATH_BYTES + 2];
	int rc;

	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	if ((rc = write_file_atomic(t->dir, "oci-layout", layout, sizeof(layout) - 1)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/index.json", t->dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		uint8_t buf[65536];
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (bw_buf_append(&old, buf, (size_t)n) < 0)
				break;
		close(fd);
		bw_json_parse(path, old.data, old.len, BW_MAX_MANIFEST_BYTES, &idx);
	}
	if (!idx || !json_is_object(idx) || !json_is_array(json_object_get(idx, "manifests"))) {
		json_decref(idx);
		idx = json_pack("{s:i,s:[]}", "schemaVersion", 2, "manifests");
	}
	arr = json_object_get(idx, "manifests");
	entry = json_pack("{s:s,s:s,s:I}", "mediaType", media_type, "digest", d->text, "size", (json_int_t)size);
	if (!idx || !arr || !entry) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if (t->tag) {
		json_object_set_new(entry, "annotations", json_pack("{s:s}", "org.opencontainers.image.ref.name", t->tag));
		/* the tag moves: drop the entry that had it */
		for (size_t i = json_array_size(arr); i-- > 0;) {
			json_t *ann = json_object_get(json_array_get(arr, i), "annotations");
			json_t *rn = ann ? json_object_get(ann, "org.opencontainers.image.ref.name") : NULL;
			if (json_is_string(rn) && !strcmp(json_string_value(rn), t->tag))
				json_array_remove(arr, i);
		}
	}
	if (json_array_append(arr, entry) < 0 || !(text = json_dumps(idx, JSON_COMPACT))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = write_file_atomic(t->dir, "index.json", text, strlen(text));
done:
	free(text);
	json_decref(entry);
	json_decref(idx);
	bw_buf_free(&old);
	return rc;
}

static int finish_docker_archive(copy_ctx *x)
{
	endpoint *t = &x->dst;
	json_t *j, *layers;
	char *text = NULL, member[BW_DIGEST_TEXT_MAX + 16];
	int rc;

	blob_member_name(&x->dconfig, member, sizeof(member));
	j = json_pack("[{s:s,s:[],s:[]}]", "Config", member, "RepoTags", "Layers");
	if (!j) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	layers = json_object_get(json_array_get(j, 0), "Layers");
	for (size_t i = 0; i < x->dlayers.n; i++)
		json_array_append_new(layers, json_string(x->dlayers.v[i]));
	if (!(text = json_dumps(j, JSON_COMPACT))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = write_file_atomic(t->dir, "manifest.json", text, strlen(text));
done:
	free(text);
	json_decref(j);
	return rc;
}

static void remove_tree(const char *dir)
{
	char cmd_path[BW_MAX_PATH_BYTES + 2];
	/* the staging dir holds blobs/<alg>/<hex> and a few files: two levels */
	static const char *const algs[] = { "sha256", "sha512" };
	for (size_t a = 0; a < 2; a++) {
		snprintf(cmd_path, sizeof(cmd_path), "%s/blobs/%s", dir, algs[a]);
		bw_remove_dir_files(cmd_path);
		rmdir(cmd_path);
	}
	snprintf(cmd_path, sizeof(cmd_path), "%s/blobs", dir);
	rmdir(cmd_path);
	bw_remove_dir_files(dir);
	rmdir(dir);
}

int bw_copy(const char *src, const char *dst, const bw_copy_options *opts, bw_copy_result *result)
{
	copy_ctx *x = calloc(1, sizeof(*x));
	bw_buf top = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	bw_digest top_digest, written;
	int rc;

	memset(result, 0, sizeof(*result));
	if (!x)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	x->opts = opts;
	if (opts && opts->registry)
		x->ropts = *opts->registry;
	x->src.made = (bw_buf)BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	atomic_init(&x->copied, 0);
	atomic_init(&x->skipped, 0);
	atomic_init(&x->bytes, 0);
	if ((rc = open_source(x, src)) < 0 || (rc = open_dest(x, dst)) < 0)
		goto done;
	if ((rc = src_top(x, &top, &top_digest)) < 0)
		goto done;
	memset(&written, 0, sizeof(written));
	if ((rc = copy_doc(x, &top, &top_digest, true, 0, &written)) < 0)
		goto done;
	if (x->dst.transport == BW_TRANSPORT_OCI_DIR || x->dst.transport == BW_TRANSPORT_OCI_ARCHIVE) {
		/* the layout's index names what was written at the top: find its bytes' size and type */
		bw_buf w = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
		char path[BW_MAX_PATH_BYTES + 2];
		snprintf(path, sizeof(path), "blobs/%s/%s", bw_digest_alg_name(written.alg), bw_digest_hex(&written));
		bw_ref lr = { BW_TRANSPORT_OCI_DIR, x->dst.dir, NULL };
		bw_source *ls = NULL;
		if ((rc = bw_source_open(&ls, &lr)) == 0 && (rc = bw_source_read(ls, path, BW_MAX_MANIFEST_BYTES, &w)) == 0) {
			bw_doc_kind k = bw_doc_kind_of(path, w.data, w.len, NULL);
			rc = finish_layout(x, &written, w.len, doc_media_type(path, &w, k));
		}
		bw_source_free(ls);
		bw_buf_free(&w);
		if (rc < 0)
			goto done;
	}
	if (x->dst.transport == BW_TRANSPORT_DOCKER_ARCHIVE && (rc = finish_docker_archive(x)) < 0)
		goto done;
	if (x->dst.archive && (rc = bw_archive_pack_dir(x->dst.dir, x->dst.archive)) < 0)
		goto done;
	snprintf(result->digest, sizeof(result->digest), "%s", written.text);
	result->blobs_copied = atomic_load(&x->copied);
	result->blobs_skipped = atomic_load(&x->skipped);
	result->bytes_copied = atomic_load(&x->bytes);
done:
	if (x->dst.archive && x->dst.dir)
		remove_tree(x->dst.dir);
	bw_strlist_free(&x->dlayers);
	bw_buf_free(&top);
	endpoint_free(&x->src);
	endpoint_free(&x->dst);
	free(x);
	return rc;
}
