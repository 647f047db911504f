/*
 * tests/fuzz/fuzz_layer.c: one layer's tar stream, through the whole scan.
 *
 * The input is the single layer blob of a minimal OCI image layout kept in a
 * per-process temporary directory (mkdtemp under /tmp, created once):
 *
 *   oci-layout, index.json ("latest" -> manifest),
 *   blobs/sha256/<sha256 of input>     the layer
 *   blobs/sha256/<config>              diff_ids = [sha256 of the tar bytes]
 *   blobs/sha256/<manifest>
 *
 * The layer's media type follows the input's first bytes: 1f 8b -> tar+gzip,
 * 28 b5 2f fd -> tar+zstd, anything else the uncompressed tar. For the
 * compressed forms the harness decompresses the input itself (zlib / libzstd)
 * to compute the diff_id, so that the scan gets past the digest checks and
 * into the tar reader; inputs that do not decompress cleanly are skipped.
 * gzip layers are inflated by isa-l or by bulwark's zlib path
 * (BULWARK_INFLATE=zlib), chosen by one bit of the input's digest.
 *
 * Then bw_image_open("oci:DIR:latest") + bw_image_scan + bw_report_inspect
 * (JSON and table, files and deleted) to /dev/null, with keep_deleted set and
 * max_layer_bytes at 64 MiB. The blobs are removed after every input.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "bulwark/bulwark.h"
#include "crypto/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LAYER_BYTES (64ull << 20)
/* Stop decompressing (and hashing) a little past the scan's own limit: the
 * scan fails on the limit before it would compare the diff_id. */
#define MAX_INFLATE_BYTES (MAX_LAYER_BYTES + (1ull << 20))

static char root[1024];
static char reference[1200];
static int blobs_fd = -1;
static FILE *devnull;
static bool verbose; /* BW_FUZZ_VERBOSE=1: say how each input ended (for checking seeds) */

/*
 * BW_FUZZ_KNOWN=name[,name...]: known, not yet fixed bugs that the harness
 * tolerates instead of aborting, so that fuzzing can look past them
 * (tests/fuzz/run.sh sets it from tests/fuzz/known-bugs while fuzzing only).
 */
static bool known_bug(const char *name)
{
	const char *k = getenv("BW_FUZZ_KNOWN");
	size_t n = strlen(name);
	for (const char *p = k; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_layer: %s: %s\n", what, strerror(errno));
	abort();
}

static void write_at(int dirfd, const char *name, const void *data, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const uint8_t *p = data;
	if (fd < 0)
		die(name);
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(name);
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0)
		die(name);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void cleanup(void)
{
	if (root[0] && nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "fuzz_layer: could not remove %s\n", root);
}

static void init_once(void)
{
	char path[1100];
	int rootfd;

	if (root[0])
		return;
	/* $TMPDIR when set (tests/fuzz/run.sh points it into its scratch directory,
	 * so that a run that crashes leaves nothing behind), else /tmp */
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 900)
		tmp = "/tmp";
	snprintf(root, sizeof(root), "%s/bw-fuzz-layer.XXXXXX", tmp);
	if (!mkdtemp(root))
		die("mkdtemp");
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/blobs", root);
	if (mkdir(path, 0755) != 0)
		die(path);
	snprintf(path, sizeof(path), "%s/blobs/sha256", root);
	if (mkdir(path, 0755) != 0)
		die(path);
	if ((blobs_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(path);
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(root);
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	write_at(rootfd, "oci-layout", layout, sizeof(layout) - 1);
	close(rootfd);
	snprintf(reference, sizeof(reference), "oci:%s:latest", root);
	if (!(devnull = fopen("/dev/null", "w")))
		die("/dev/null");
	verbose = getenv("BW_FUZZ_VERBOSE") != NULL;
}

/* Writes a blob under its sha256 name; *d receives the digest. */
static void put_blob(const void *data, size_t len, bw_digest *d)
{
	if (bw_digest_buffer(BW_SHA256, data, len, d) < 0)
		die("bw_digest_buffer");
	write_at(blobs_fd, bw_digest_hex(d), data, len);
}

static void drop_blob(const bw_digest *d)
{
	if (unlinkat(blobs_fd, bw_digest_hex(d), 0) != 0 && errno != ENOENT)
		die("unlink blob");
}

/* sha256 of the gunzipped input (all members); false when it is not clean gzip. */
static bool gunzip_digest(const uint8_t *data, size_t size, bw_digest *out)
{
	static uint8_t buf[1 << 16];
	z_stream z;
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	uint64_t total = 0;
	bool ok = false;

	memset(&z, 0, sizeof(z));
	if (!h || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		die("inflateInit2");
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)size;
	for (;;) {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		int r = inflate(&z, Z_NO_FLUSH);
		size_t made = sizeof(buf) - z.avail_out;
		bw_hasher_update(h, buf, made);
		total += made;
		if (total > MAX_INFLATE_BYTES) {
			ok = true; /* the scan will stop at max_layer_bytes first */
			break;
		}
		if (r == Z_STREAM_END) {
			if (z.avail_in == 0) {
				ok = true;
				break;
			}
			if (inflateReset(&z) != Z_OK)
				break;
			continue; /* multi-member gzip, as bulwark accepts */
		}
		if (r != Z_OK && !(r == Z_BUF_ERROR && made))
			break; /* invalid, or truncated (no progress at the end of the input) */
	}
	inflateEnd(&z);
	bw_hasher_final(h, out);
	bw_hasher_free(h);
	return ok;
}

/* sha256 of the decompressed zstd input (all frames); false when it is not clean zstd. */
static bool unzstd_digest(const uint8_t *data, size_t size, bw_digest *out)
{
	static uint8_t buf[1 << 16];
	ZSTD_DStream *zs = ZSTD_createDStream();
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	ZSTD_inBuffer ib = { data, size, 0 };
	uint64_t total = 0;
	size_t last = 1;
	bool ok = false;

	if (!zs || !h)
		die("ZSTD_createDStream");
	ZSTD_initDStream(zs);
	for (;;) {
		ZSTD_outBuffer ob = { buf, sizeof(buf), 0 };
		size_t before = ib.pos;
		size_t r = ZSTD_decompressStream(zs, &ob, &ib);
		if (ZSTD_isError(r))
			break;
		bw_hasher_update(h, buf, ob.pos);
		total += ob.pos;
		if (before != ib.pos || ob.pos)
			last = r;
		if (total > MAX_INFLATE_BYTES) {
			ok = true;
			break;
		}
		if (ib.pos == ib.size && ob.pos < ob.size) {
			ok = last == 0; /* the last frame is complete */
			break;
		}
		if (before == ib.pos && ob.pos == 0)
			break; /* no progress: cannot happen, kept safe */
	}
	ZSTD_freeDStream(zs);
	bw_hasher_final(h, out);
	bw_hasher_free(h);
	return ok;
}

typedef struct walk_count {
	size_t files, deleted;
} walk_count;

static int count_file(const bw_file_info *f, void *ctx)
{
	((walk_count *)ctx)->files += f->path[0] == '/';
	return 0;
}

static int count_deleted(const bw_deleted_info *d, void *ctx)
{
	((walk_count *)ctx)->deleted += d->path[0] == '/';
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *layer_mt = "application/vnd.oci.image.layer.v1.tar";
	bw_digest layer_d, diff_id, config_d, manifest_d;
	char config[512], manifest[1024], index[512];
	bool zlib_inflate = false;

	init_once();

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (!gunzip_digest(data, size, &diff_id)) {
			if (verbose)
				fprintf(stderr, "fuzz_layer: skipped: not clean gzip\n");
			return -1;
		} /* not clean gzip: the scan would stop at the decoder */
		layer_mt = "application/vnd.oci.image.layer.v1.tar+gzip";
	} else if (size >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f && data[3] == 0xfd) {
		if (!unzstd_digest(data, size, &diff_id)) {
			if (verbose)
				fprintf(stderr, "fuzz_layer: skipped: not clean zstd\n");
			return -1;
		}
		layer_mt = "application/vnd.oci.image.layer.v1.tar+zstd";
	} else if (bw_digest_buffer(BW_SHA256, data, size, &diff_id) < 0) {
		die("bw_digest_buffer");
	}

	put_blob(data, size, &layer_d);
	if (strcmp(layer_mt + strlen(layer_mt) - 4, "gzip") == 0) {
		const char *hex = bw_digest_hex(&layer_d);
		zlib_inflate = (hex[63] >= '0' && hex[63] <= '9' ? hex[63] - '0' : hex[63] - 'a' + 10) & 1;
	}
	if (zlib_inflate)
		setenv("BULWARK_INFLATE", "zlib", 1);
	else
		unsetenv("BULWARK_INFLATE");

	int n = snprintf(config, sizeof(config),
			 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2023-11-14T22:13:20Z\","
			 "\"config\":{\"Env\":[\"PATH=/usr/bin:/bin\"],\"Cmd\":[\"/bin/sh\"]},"
			 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]},"
			 "\"history\":[{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"fuzz layer\"}]}",
			 diff_id.text);
	put_blob(config, (size_t)n, &config_d);
	n = snprintf(manifest, sizeof(manifest),
		     "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		     "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
		     "\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
		     config_d.text, strlen(config), layer_mt, layer_d.text, size);
	put_blob(manifest, (size_t)n, &manifest_d);
	n = snprintf(index, sizeof(index),
		     "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		     "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		     "\"digest\":\"%s\",\"size\":%d,"
		     "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
		     manifest_d.text, (int)strlen(manifest));
	{
		int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			die(root);
		write_at(rootfd, "index.json", index, (size_t)n);
		close(rootfd);
	}

	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	opts.threads = 1;
	opts.max_layer_bytes = MAX_LAYER_BYTES;
	opts.keep_deleted = true;
	bw_image *img = NULL;
	if (bw_image_open(&img, reference, &opts) < 0) {
		/* The input only reaches the layer pass: failing here is a harness bug. */
		fprintf(stderr, "fuzz_layer: bw_image_open failed: %s\n", bw_error_last()->message);
		abort();
	}
	int rc = bw_image_scan(img);
	/* API contract (bulwark/errors.h): a failure leaves its code and a message. */
	if (rc < 0 && (bw_error_last()->code != rc || !bw_error_last()->message[0])) {
		fprintf(stderr, "fuzz_layer: bw_image_scan returned %d but the last error is %d \"%s\"\n", rc,
			bw_error_last()->code, bw_error_last()->message);
		abort();
	}
	walk_count wc = { 0, 0 };
	if (rc == 0 && bw_image_files(img, count_file, &wc) < 0) {
		/* bw_image_scan said yes but built no filesystem ("not been scanned") */
		if (!known_bug("scan-ok-without-fs")) {
			fprintf(stderr, "fuzz_layer: bw_image_scan returned 0, then bw_image_files failed: %s\n",
				bw_error_last()->message);
			abort();
		}
		rc = -1; /* tolerated while fuzzing: treat as a failed scan */
	}
	if (rc == 0) {
		const bw_image_info *info = bw_image_get_info(img);
		bw_inspect_report_options ro = { .files = true, .deleted = true, .color = false };
		if (bw_report_inspect(devnull, img, BW_FORMAT_JSON, &ro) < 0 ||
		    bw_report_inspect(devnull, img, BW_FORMAT_TABLE, &ro) < 0) {
			fprintf(stderr, "fuzz_layer: bw_report_inspect failed: %s\n", bw_error_last()->message);
			abort();
		}
		if (bw_image_deleted(img, count_deleted, &wc) != 0)
			abort();
		/* every path is absolute, and n_files counts what bw_image_files lists */
		if (wc.files != info->n_files) {
			fprintf(stderr, "fuzz_layer: n_files %llu but %zu files listed\n",
				(unsigned long long)info->n_files, wc.files);
			abort();
		}
		if (verbose)
			fprintf(stderr, "fuzz_layer: scan ok: %zu entries, %llu files, os %s\n",
				info->n_layers ? (size_t)info->layers[0].entries : 0,
				(unsigned long long)info->n_files, info->os_family ? info->os_family : "-");
	} else {
		/* The message names the image; it must be a well-formed string. */
		size_t len = strlen(bw_error_last()->message);
		if (verbose)
			fprintf(stderr, "fuzz_layer: scan failed: %.*s\n", (int)len, bw_error_last()->message);
	}
	bw_image_free(img);
	bw_error_clear();

	drop_blob(&layer_d);
	drop_blob(&config_d);
	drop_blob(&manifest_d);
	return 0;
}
