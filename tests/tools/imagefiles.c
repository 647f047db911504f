/*
 * tests/tools/imagefiles.c: bw-imagefiles, a test-only library client (not
 * installed). `bw-imagefiles STATE REFERENCE` scans the image for packages
 * with the layer cache in STATE, closes the cache (the library borrows it only
 * until bw_image_scan() returns), then walks the merged filesystem and prints
 *   packages N
 *   files_count N     (bw_image_info.n_files)
 *   walked N          (paths bw_image_files() visited)
 * and one path per line after that. On a warm run the scan comes from the
 * image result cache with no tree built; the walk must build it on demand and
 * see the same paths as an uncached run (tests/integration/layer_cache.sh).
 */
#include <stdio.h>

#include "bulwark/errors.h"
#include "bulwark/image.h"
#include "bulwark/package.h"
#include "bulwark/state.h"

typedef struct walk {
	size_t n;
	FILE *paths;
} walk;

static int visit(const bw_file_info *f, void *ctx)
{
	walk *w = ctx;
	w->n++;
	fprintf(w->paths, "%s\n", f->path);
	return 0;
}

int main(int argc, char **argv)
{
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	bw_state *state = NULL;
	bw_image *img = NULL;

	if (argc != 3) {
		fputs("usage: bw-imagefiles STATE REFERENCE\n", stderr);
		return 2;
	}
	opts.analyzers = BW_ANALYZE_OS | BW_ANALYZE_PACKAGES;
	if (bw_state_open(&state, argv[1]) < 0)
		goto fail;
	opts.layer_cache = state;
	if (bw_image_open(&img, argv[2], &opts) < 0 || bw_image_scan(img) < 0)
		goto fail;
	bw_state_close(state);
	state = NULL;
	FILE *paths = tmpfile();
	walk w = { 0, paths };
	if (!paths || bw_image_files(img, visit, &w) < 0)
		goto fail;
	printf("packages %zu\nfiles_count %llu\nwalked %zu\n", bw_image_package_count(img),
	       (unsigned long long)bw_image_get_info(img)->n_files, w.n);
	rewind(paths);
	int c;
	while ((c = getc(paths)) != EOF)
		putchar(c);
	fclose(paths);
	bw_image_free(img);
	return 0;
fail:
	fprintf(stderr, "bw-imagefiles: %s\n", bw_error_last()->message);
	bw_state_close(state);
	bw_image_free(img);
	return 1;
}
