/*
 * tests/fuzz/fuzz_docker_archive.c: a whole `docker save` archive.
 *
 * The input is written as a file in a per-process temporary directory
 * (mkdtemp under /tmp, created once) and opened as "docker-archive:FILE":
 * the member index (names, duplicates, symlinked members), manifest.json,
 * the config lookup and its digest check, layer sniffing and the layer pass
 * over members of the outer tar. When the scan succeeds the inspect report
 * (JSON, files and deleted) is written to /dev/null.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/bulwark.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[1024];
static char file[1100];
static char reference[1200];
static FILE *devnull;
static int verbose; /* BW_FUZZ_VERBOSE=1: say how each input ended (for checking seeds) */

/* BW_FUZZ_KNOWN=name[,name...]: known bugs tolerated while fuzzing (see fuzz_layer.c). */
static bool known_bug(const char *name)
{
	const char *k = getenv("BW_FUZZ_KNOWN");
	size_t n = strlen(name);
	for (const char *p = k; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static int count_file(const bw_file_info *f, void *ctx)
{
	(*(size_t *)ctx)++;
	return f->path[0] == '/' ? 0 : -1;
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_docker_archive: %s: %s\n", what, strerror(errno));
	abort();
}

static void cleanup(void)
{
	if (!root[0])
		return;
	unlink(file);
	rmdir(root);
}

static void init_once(void)
{
	if (root[0])
		return;
	/* $TMPDIR when set (tests/fuzz/run.sh points it into its scratch directory,
	 * so that a run that crashes leaves nothing behind), else /tmp */
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 900)
		tmp = "/tmp";
	snprintf(root, sizeof(root), "%s/bw-fuzz-docker.XXXXXX", tmp);
	if (!mkdtemp(root))
		die("mkdtemp");
	atexit(cleanup);
	snprintf(file, sizeof(file), "%s/image.tar", root);
	snprintf(reference, sizeof(reference), "docker-archive:%s", file);
	if (!(devnull = fopen("/dev/null", "w")))
		die("/dev/null");
	verbose = getenv("BW_FUZZ_VERBOSE") != NULL;
}

static void write_input(const uint8_t *data, size_t size)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(file);
	while (size) {
		ssize_t n = write(fd, data, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(file);
		}
		data += n;
		size -= (size_t)n;
	}
	if (close(fd) != 0)
		die(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	bw_image *img = NULL;

	init_once();
	write_input(data, size);

	opts.threads = 1;
	opts.max_layer_bytes = 64ull << 20;
	opts.keep_deleted = true;
	const char *stage = "open";
	int rc = bw_image_open(&img, reference, &opts);
	if (rc == 0) {
		const bw_image_info *info = bw_image_get_info(img);
		(void)info;
		stage = "scan";
		rc = bw_image_scan(img);
		size_t files = 0;
		if (rc == 0 && bw_image_files(img, count_file, &files) < 0) {
			/* bw_image_scan said yes but built no filesystem ("not been scanned") */
			if (!known_bug("scan-ok-without-fs")) {
				fprintf(stderr, "fuzz_docker_archive: bw_image_scan returned 0, then bw_image_files failed: %s\n",
					bw_error_last()->message);
				abort();
			}
			rc = -1; /* tolerated while fuzzing: treat as a failed scan */
			stage = NULL;
		}
		if (rc == 0) {
			bw_inspect_report_options ro = { .files = true, .deleted = true, .color = false };
			if (bw_report_inspect(devnull, img, BW_FORMAT_JSON, &ro) < 0) {
				fprintf(stderr, "fuzz_docker_archive: bw_report_inspect failed: %s\n",
					bw_error_last()->message);
				abort();
			}
			stage = NULL;
			if (verbose)
				fprintf(stderr, "fuzz_docker_archive: scan ok: %zu layers, %llu files\n",
					bw_image_get_info(img)->n_layers,
					(unsigned long long)bw_image_get_info(img)->n_files);
		}
		bw_image_free(img);
	} else if (img) {
		abort(); /* a failed open must not hand out an image */
	}
	/* API contract (bulwark/errors.h): a failure leaves its code and a message. */
	if (rc < 0 && stage && (bw_error_last()->code != rc || !bw_error_last()->message[0])) {
		fprintf(stderr, "fuzz_docker_archive: %s returned %d but the last error is %d \"%s\"\n",
			stage, rc, bw_error_last()->code, bw_error_last()->message);
		abort();
	}
	size_t len = strlen(bw_error_last()->message);
	if (verbose && stage)
		fprintf(stderr, "fuzz_docker_archive: %s failed: %.*s\n", stage, (int)len, bw_error_last()->message);
	bw_error_clear();
	unlink(file);
	return 0;
}
